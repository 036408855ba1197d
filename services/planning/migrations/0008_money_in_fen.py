"""planning: a project's budget total and approved amount are integer fen, not NUMERIC — SQLite
kept NUMERIC as a float and changed large amounts without a word. Every row is carried over."""

from shared.persistence.money import fen_columns_to_yuan, yuan_columns_to_fen

revision = "planning_0008"
down_revision = "planning_0007"
branch_labels = None
depends_on = None

COLUMNS = {"budget_total": False, "approved_amount": True}  # name → nullable


def upgrade() -> None:
    yuan_columns_to_fen("projects", "code", COLUMNS)


def downgrade() -> None:
    fen_columns_to_yuan("projects", "code", COLUMNS)
