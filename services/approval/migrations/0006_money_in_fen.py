"""approval: a review case's budget total and the DRC's approved investment are integer fen, not
NUMERIC — SQLite kept NUMERIC as a float and changed large amounts without a word. Every row is
carried over. (The opinion's approved amount is already an exact decimal string in its JSON.)"""

from shared.persistence.money import fen_columns_to_yuan, yuan_columns_to_fen

revision = "approval_0006"
down_revision = "approval_0005"
branch_labels = None
depends_on = None

COLUMNS = {"budget_total": False, "drc_investment": True}  # name → nullable


def upgrade() -> None:
    yuan_columns_to_fen("review_cases", "id", COLUMNS)


def downgrade() -> None:
    fen_columns_to_yuan("review_cases", "id", COLUMNS)
