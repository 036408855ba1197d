"""Finance's views: what a read returns of its rows — the funds and their money ledger, the
contracts, the disbursement requests (one place for views, issue 20). Amounts in yuan; each
record with its business date and recorded time (第十一条: the annual budgets by year)."""

from __future__ import annotations

from typing import Any

from services.finance import domain
from services.finance.models import ContractRow, DisbursementRow, FundingFileRow, MoneyLedgerEntryRow
from shared.wire import view


def funds_view(
    row: FundingFileRow, entries: list[MoneyLedgerEntryRow], balances: dict, by_year: dict
) -> dict[str, Any]:
    y = domain.to_yuan
    return {
        "project": row.project_code,
        "kind": row.kind,
        "approved_amount": y(row.approved_fen),
        **{k: y(v) for k, v in domain.totals(balances).items()},
        "gates": {
            "favourable_opinion": row.favourable_opinion,
            "drc_approved": row.drc_approved or not row.fixed_asset_investment,
            "withholding_sanctions": row.withholding_sanctions,
            "suspended": bool(row.suspensions),
            "terminated": row.terminated,
            "construction_completed": row.construction_completed,
            "acceptance_passed": row.acceptance_passed,
        },
        "by_purpose": {
            p: {lvl: {k: y(v) for k, v in b.items()} for lvl, b in levels.items()}
            for p, levels in balances.items()
        },
        # the annual budgets (第十一条) and each year's payments
        "by_year": {
            str(year): {p: {k: y(v) for k, v in b.items()} for p, b in purposes.items()}
            for year, purposes in by_year.items()
        },
        "ledger": [
            {
                "id": e.id,
                "purpose": e.purpose,
                "level": e.level,
                "kind": e.kind,
                "amount": y(e.fen),
                "ref": e.ref,
                "year": e.year,
                "date": e.on_date.isoformat(),
                **recorded(e),
                "actor": e.actor,
            }
            for e in entries
        ],
    }


def contract_view(row: ContractRow) -> dict:
    return view(
        row,
        *("contract_no", "supplier", "purpose", "amount", "signed_on", "filed_on", "products"),
        *("text_sha256", "document", "filed_by"),
        amount=domain.to_yuan(row.amount_fen),
    )


def disbursement_view(row: DisbursementRow) -> dict:
    return view(
        row,
        *("id", "status", "purpose", "level", "amount", "contract_no", "failed_gates", "requested_on"),
        amount=domain.to_yuan(row.amount_fen),
        **recorded(row),
    )


def recorded(row) -> dict:
    """When a ledger entry or request was recorded, and the business date of its act (the
    simulated day under a simulated clock) — rows from before finance_0011: their own date."""
    day = row.business_date or (row.on_date if isinstance(row, MoneyLedgerEntryRow) else row.requested_on)
    return {"business_date": day.isoformat(), "recorded_at": row.at.isoformat() if row.at else None}
