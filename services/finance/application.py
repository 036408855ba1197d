"""Finance's use cases: the gates' state from events, budget review, contracts, disbursements,
sanctions, surplus return — every movement of money an append-only ledger entry in fen."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import func, select

from services.finance import domain
from services.finance.domain import Entry, FundingFile
from services.finance.models import (
    AnnualReportRow,
    ContractRow,
    DisbursementRow,
    FundingFileRow,
    LedgerBalanceRow,
    MoneyLedgerEntryRow,
    SharingStatusRow,
)
from services.finance.views import contract_view, disbursement_view, funds_view
from shared import paging
from shared.authz import Identity, acts_on_project, deny, require_readers
from shared.context import AppContext
from shared.errors import NotFound, RuleViolation, StateConflict
from shared.events import Event
from shared.persistence.lookup import found, refuse_if_filed
from shared.persistence.store import Transaction
from shared.persistence.upsert import upsert

_FILE = [f for f in FundingFile.__dataclass_fields__ if f != "suspended"]


def _now() -> datetime:
    return datetime.now(UTC)


# -- the funding file, from events ---------------------------------------------------------------


def _file_row(tx: Transaction, code: str, regulation: str | None = None) -> FundingFileRow:
    """The project's funding file, created on first sight, locked for this transaction."""
    row = tx.session.get(FundingFileRow, code, with_for_update=True)
    if row is None:
        row = FundingFileRow(
            project_code=code,
            regulation_version=regulation,
            co_builders=[],
            kind="construction",
            withholding_sanctions=[],
            suspensions=[],
            approved_fen=0,
        )
        tx.session.add(row)
        tx.session.flush()
    return row


def _file(row: FundingFileRow) -> FundingFile:
    """The gates' view of the row (sharing status is filled in from its own table)."""
    return FundingFile(**{f: getattr(row, f) for f in _FILE if hasattr(row, f)})


def _learn(apply):
    """An event effect that updates the funding file."""

    def effect(tx: Transaction, event: Event) -> None:
        row = _file_row(tx, event.project_code, event.regulation_version)
        apply(tx, row, event.data(), event)

    return effect


def _registered(tx, row, data, event):
    """Who owns and who co-builds the project: the readers of its funds (docs/regulation.md §1)."""
    row.owner_unit, row.co_builders = data["unit"], list(data["co_builders"])
    row.kind = data["kind"]  # construction or O&M (运维项目, 第三条): which gates bind its money
    # a self-declared classified project (第四条); the bureau's declaration may have come first
    row.classified = row.classified or data["classified"]


def _opinion(tx, row, data, event):
    if data["decision"] == "approve":
        row.favourable_opinion = True


def _drc(tx, row, data, event):
    row.fixed_asset_investment = True
    row.drc_approved = data["decision"] == "approve"
    if data["approved_amount"] is not None:
        # the DRC approved a project it took up after the office's approval (第四条): the
        # approved amount is approval's figure now — the ceiling of budgets and payments
        row.approved_fen = domain.to_fen(data["approved_amount"])


def _approved(tx, row, data, event):
    fen = domain.to_fen(data["approved_amount"])
    if row.drc_approved and row.approved_fen and not row.approved:
        # the DRC's later approval of the taken-up project overtook this (separate queues):
        # its amount, never above the office's, stays the approved amount
        fen = min(fen, row.approved_fen)
    row.approved, row.owner_unit = True, data["unit"]
    row.favourable_opinion = True
    # the DRC may have taken it up already (fixed_asset_designated overtook this): that stays
    row.fixed_asset_investment = row.fixed_asset_investment or data["fixed_asset_investment"]
    row.drc_approved = row.drc_approved or data["fixed_asset_investment"]
    row.approved_fen = fen


def _change(tx, row, data, event):
    """An approved change that raised (or lowered) the approved amount moves the construction
    budget by the difference, at the level with the largest construction budget (第十八条) —
    by the reviewer's approved amount, and for a fixed-asset project only once the DRC has
    re-approved it (``change_reapproved``, 第四条): nothing is raised before."""
    if data["decision"] != "approve" or data["approved_amount"] is None:
        return
    ref = f"change:{data['request_id']}"
    if (
        data.get("awaiting_drc")
        or tx.session.scalars(
            select(MoneyLedgerEntryRow.id).where(
                MoneyLedgerEntryRow.project_code == event.project_code, MoneyLedgerEntryRow.ref == ref
            )
        ).first()
    ):
        return
    new_fen = domain.to_fen(data["approved_amount"])
    delta, row.approved_fen = new_fen - row.approved_fen, new_fen
    budget = _balances(tx, event.project_code).get("construction", {})
    if delta and budget:
        level = max(budget, key=lambda lvl: budget[lvl]["approved"])
        _entry(
            tx,
            event.project_code,
            "construction",
            level,
            "budget_change",
            delta,
            ref,
            "approval",
            [18],
            data["decided_on"],
        )


def _designated(tx, row, data, event):
    """The DRC took the project up as a fixed-asset project (第四条): no budget and no money
    before its approval (drc_decision_recorded) — unless it has approved already."""
    row.fixed_asset_investment = True
    row.drc_approved = row.drc_approved or data["drc_decision"] == "approve"


def _suspended(tx, row, data, event):
    row.suspensions = sorted({*row.suspensions, f"incident:{data['incident_id']}"})


class SuspensionNotKnownYet(Exception):
    """A resumption overtook its suspension (separate queues): retried until it has arrived."""


def _resumed(tx, row, data, event):
    """The approving body lifted its 第十九条 suspension: payments resume (unless another
    suspension still stands)."""
    ref = f"incident:{data['incident_id']}"
    if ref not in row.suspensions:
        raise SuspensionNotKnownYet(f"suspension {ref} of {event.project_code} not known yet")
    row.suspensions = [s for s in row.suspensions if s != ref]


def _sanction(tx, row, data, event):
    sid, kind = data["sanction_id"], data["type"]
    if kind == "withhold_funds" and sid not in row.withholding_sanctions:
        row.withholding_sanctions = [*row.withholding_sanctions, sid]
        _book(
            tx,
            event.project_code,
            domain.withholding(_balances(tx, event.project_code), sid),
            "supervision",
            [34],
            data["imposed_on"],
        )
    elif kind == "suspend":
        row.suspensions = sorted({*row.suspensions, f"sanction:{sid}"})
    elif kind == "terminate" and not row.terminated:
        row.terminated = True
        _book(
            tx,
            event.project_code,
            domain.recovery_on_termination(_balances(tx, event.project_code), sid),
            "supervision",
            [34],
            data["imposed_on"],
        )


def _lifted(tx, row, data, event):
    sid = data["sanction_id"]
    if data["type"] == "withhold_funds" and sid in row.withholding_sanctions:
        row.withholding_sanctions = [s for s in row.withholding_sanctions if s != sid]
        held = tx.session.scalars(
            select(MoneyLedgerEntryRow).where(
                MoneyLedgerEntryRow.project_code == event.project_code,
                MoneyLedgerEntryRow.kind == "withholding",
                MoneyLedgerEntryRow.ref == domain.sanction_ref(sid),
            )
        )
        _book(
            tx,
            event.project_code,
            domain.release(_as_entries(list(held)), sid),
            "supervision",
            [34],
            data["lifted_on"],
        )
    elif data["type"] == "suspend":
        row.suspensions = [s for s in row.suspensions if s != f"sanction:{sid}"]


def _classified(tx, row, data, event):
    """The secrecy bureau declared the project classified (第四条) — before or after its approval:
    no money until the bureau's review confirms it (the ``secrecy_review`` gate)."""
    row.classified = True


def _secrecy_decided(tx, row, data, event):
    """The bureau confirmed (money flows again) or refused (none flows) a classified project
    (第四条); it decides once. It reviews only classified projects: the review may overtake
    the declaration (separate queues)."""
    row.classified, row.secrecy_decision = True, data["decision"]


def _completed(tx, row, data, event):
    row.construction_completed = True


def _accepted(tx, row, data, event):
    row.acceptance_passed = row.acceptance_passed or data["passed"]


project_registered = _learn(_registered)
opinion_issued = _learn(_opinion)
construction_completed = _learn(_completed)
acceptance_decided = _learn(_accepted)
drc_decided = _learn(_drc)
fixed_asset_designated = _learn(_designated)
project_approved = _learn(_approved)
change_decided = _learn(_change)
change_reapproved = _learn(_change)  # the same effect, idempotent by the change's ledger ref
construction_suspended = _learn(_suspended)
construction_resumed = _learn(_resumed)
sanction_imposed = _learn(_sanction)
sanction_lifted = _learn(_lifted)
project_classified = _learn(_classified)
secrecy_review_decided = _learn(_secrecy_decided)


def annual_report_filed(tx: Transaction, event: Event) -> None:
    """The unit reported the year's progress and budget execution (第十六条): finance is told."""
    data = event.data()
    if tx.session.get(AnnualReportRow, (event.project_code, data["year"])) is None:
        tx.session.add(
            AnnualReportRow(
                project_code=event.project_code,
                year=data["year"],
                filed_on=data["filed_on"],
                on_time=data["on_time"],
            )
        )


def sharing_status_recorded(tx: Transaction, event: Event) -> None:
    """Keep the latest check per project (第二十九条); an older check arriving late loses."""
    data = event.data()
    upsert(
        tx.session,
        SharingStatusRow.__table__,
        {
            "project_code": event.project_code,
            "connected": data["connected"],
            "sharing_compliant": data["sharing_compliant"],
            "checked_on": data["checked_on"],
            "recorded_at": _now(),
        },
        keys=["project_code"],
        newer_than="checked_on",
    )


# -- the money ledger ----------------------------------------------------------------------------


def _entry(
    tx: Transaction,
    code: str,
    purpose: str,
    level: str,
    kind: str,
    fen: int,
    ref: str,
    actor: str,
    articles: list[int],
    on,
    year: int | None = None,
) -> None:
    """One money-ledger entry and the running balance it moves, in the same transaction — the one
    writer of the ledger; ``year``: the budget year it belongs to (第十一条), by default the year of
    its date. Every caller holds the project's funding file row locked (``_file_row``,
    ``_owned_file``: FOR UPDATE; on SQLite the write lock), so two commands of one project never
    move its balances at once nor check them before the other's entry."""
    entry = MoneyLedgerEntryRow(
        project_code=code,
        purpose=purpose,
        level=level,
        kind=kind,
        fen=fen,
        ref=ref,
        on_date=on,
        at=_now(),
        actor=actor,
        business_date=tx.business_date,
        articles=articles,
        year=year or on.year,
    )
    tx.session.add(entry)
    tx.session.flush()  # a duplicate (the ledger's unique ref) fails here, before any balance moves
    balance = tx.session.get(LedgerBalanceRow, (code, purpose, level, entry.year))
    if balance is None:
        balance = LedgerBalanceRow(
            project_code=code,
            purpose=purpose,
            level=level,
            year=entry.year,
            **dict.fromkeys(domain.BALANCE_FIELDS, 0),
            budget_recorded=False,
            first_entry_id=entry.id,
        )
        tx.session.add(balance)
    figures = {f: getattr(balance, f) for f in domain.BALANCE_FIELDS}
    domain.moved(figures, kind, fen)
    for f, value in figures.items():
        setattr(balance, f, value)
    balance.budget_recorded = balance.budget_recorded or kind == "budget"
    tx.session.flush()


def _book(tx: Transaction, code: str, entries: list[Entry], actor: str, articles: list[int], on) -> None:
    """Write the entries a rule of the domain decided on (withholding, release, recovery,
    surplus return)."""
    for e in entries:
        _entry(tx, code, e.purpose, e.level, e.kind, e.fen, e.ref, actor, articles, on)


def _entries(session, code: str) -> list[MoneyLedgerEntryRow]:
    """The project's whole ledger — what the running balances must always equal (tests)."""
    return list(
        session.scalars(
            select(MoneyLedgerEntryRow)
            .where(MoneyLedgerEntryRow.project_code == code)
            .order_by(MoneyLedgerEntryRow.id)
        )
    )


def _balance_rows(session, code: str, spendable_in: int | None = None) -> list[LedgerBalanceRow]:
    """The project's running balances (a row per purpose, level and budget year), in the order
    of their first entry; ``spendable_in``: only the years up to that one (第十一条)."""
    query = select(LedgerBalanceRow).where(LedgerBalanceRow.project_code == code)
    if spendable_in is not None:
        query = query.where(LedgerBalanceRow.year <= spendable_in)
    return list(session.scalars(query.order_by(LedgerBalanceRow.first_entry_id)))


def _by_year(session, code: str) -> dict:
    """``domain.by_year`` of the project's entries, the database summing each year, purpose
    and kind first (the rule of which kinds count stays the domain's)."""
    e = MoneyLedgerEntryRow
    sums = session.execute(
        select(e.year, e.purpose, e.kind, func.sum(e.fen))
        .where(e.project_code == code, e.year.is_not(None))
        .group_by(e.year, e.purpose, e.kind)
    )
    return domain.by_year([Entry(purpose, "", kind, int(fen), "", year) for year, purpose, kind, fen in sums])


def _as_entries(rows: list[MoneyLedgerEntryRow]) -> list[Entry]:
    return [Entry(e.purpose, e.level, e.kind, e.fen, e.ref, e.year) for e in rows]


def _balances(tx_or_session, code: str, spendable_in: int | None = None) -> dict:
    """Balances by purpose and level — ``domain.balances`` of the project's entries, read from
    its running balances (a few rows, however long its history); ``spendable_in``: only what can
    leave in that year (a later year's budget is not yet money, 第十一条)."""
    session = getattr(tx_or_session, "session", tx_or_session)
    return domain.combined(
        [
            (r.purpose, r.level, {f: getattr(r, f) for f in domain.BALANCE_FIELDS})
            for r in _balance_rows(session, code, spendable_in)
        ]
    )


def _owned_file(tx: Transaction, caller: Identity, code: str, permission: str) -> FundingFileRow:
    row = tx.session.get(FundingFileRow, code, with_for_update=True)
    if row is None or not row.approved:
        raise StateConflict(
            f"project {code} is not approved: no money yet",
            f"项目 {code} 尚未立项，不能办理资金事项",
            articles=[9],
            details={"project": code},
        )
    if caller.role == "unit" and not acts_on_project(caller, row.owner_unit):
        deny(caller, permission, code)
    return row


def _readable_file(session, caller: Identity, code: str, permission: str) -> FundingFileRow:
    """The project's funding file, once the caller may read it — checked first: to a unit, an
    unknown code is refused like another unit's project — and once the project is approved."""
    row = session.get(FundingFileRow, code)
    require_readers(caller, permission, code, row)
    if row is None or not row.approved:
        raise NotFound(
            f"finance has no file of project {code} before its approval",
            f"项目 {code} 批复前财政部门尚无其资金档案",
            details={"project": code},
        )
    return row


def _contract_on_file(session, code: str, contract_no: str) -> domain.ContractOnFile | None:
    """The contract and what it has paid so far (read under the funding file's lock, so two
    concurrent payments cannot together exceed it)."""
    row = session.scalars(
        select(ContractRow).where(ContractRow.project_code == code, ContractRow.contract_no == contract_no)
    ).first()
    if row is None:
        return None
    paid = session.scalar(
        select(func.coalesce(func.sum(DisbursementRow.amount_fen), 0)).where(
            DisbursementRow.project_code == code,
            DisbursementRow.contract_no == contract_no,
            DisbursementRow.status == "paid",
        )
    )
    return domain.ContractOnFile(row.purpose, row.amount_fen, int(paid))


class FinanceUseCases:
    """Finance's use cases — budgets, contracts, disbursements, surplus, misappropriation, and
    the reads — against one context (store, clock, policy): each takes the caller and the
    domain arguments, keyword-only past the caller."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    # -- commands --------------------------------------------------------------------------------

    def record_budget(self, caller: Identity, *, code: str, data: dict) -> dict:
        """The financial investment review result for a year (第十一条: annual budget
        arrangements; by default the current year), per purpose and level (第二十五条)."""
        today = self.ctx.today()
        year = data.get("year") or today.year
        given = [p for p in domain.PURPOSES if data.get(p) is not None]
        with self.ctx.store.transaction() as tx:
            row = _owned_file(tx, caller, code, "funds.budget")
            fen = {
                p: {lvl: domain.to_fen(v) for lvl, v in data[p]["by_level"].items() if v}
                if p in given
                else {}
                for p in domain.PURPOSES
            }
            for purpose in given:
                if sum(fen[purpose].values()) != domain.to_fen(data[purpose]["total"]):
                    raise RuleViolation(
                        f"the {purpose} levels do not add up to its total",
                        "各级资金之和须等于总额",
                        articles=[11, 25],
                        details={purpose: data[purpose]},
                    )
            balances = _balance_rows(tx.session, code)
            domain.check_budget(
                _file(row),
                year,
                fen["construction"],
                fen["om"],
                recorded={b.purpose for b in balances if b.budget_recorded and b.year == year},
                construction_so_far=sum(b.approved for b in balances if b.purpose == "construction"),
            )
            for purpose, levels in fen.items():
                for level, amount in levels.items():
                    _entry(
                        tx,
                        code,
                        purpose,
                        level,
                        "budget",
                        amount,
                        f"budget-review:{year}",
                        caller.sub,
                        [11],
                        today,
                        year=year,
                    )
            tx.emit(
                "budget_recorded",
                {
                    "construction": data["construction"]["total"] if "construction" in given else None,
                    "om": data["om"]["total"] if "om" in given else None,
                    "recorded_on": today,
                    "year": year,
                },
                project_code=code,
                regulation_version=row.regulation_version,
                articles=[11, 25],
            )
        return self.funds(caller, code=code)

    def file_contract(self, caller: Identity, *, code: str, data: dict) -> dict:
        """File a procurement contract today (第十三条). Whether that is within the deadline is
        decided by the deadline engine in supervision, from the event."""
        today = self.ctx.today()
        with self.ctx.store.transaction() as tx:
            row = _owned_file(tx, caller, code, "funds.contract")
            refuse_if_filed(
                tx.session,
                ContractRow,
                {"project_code": code, "contract_no": data["contract_no"]},
                f"contract {data['contract_no']} is already filed",
                f"合同 {data['contract_no']} 已备案",
                articles=[13],
            )
            domain.check_contract_dates(data["signed_on"], today)
            purpose = data.get("purpose") or ("om" if row.kind == "om" else domain.CONTRACT_PURPOSE)
            domain.check_contract_purpose(row.kind, purpose)
            digest = data["text_sha256"].lower()
            same_text = tx.session.scalars(
                select(ContractRow.contract_no).where(
                    ContractRow.project_code == code, ContractRow.text_sha256 == digest
                )
            ).first()
            if same_text:
                raise StateConflict(
                    f"this contract text is already filed as contract {same_text}",
                    f"该合同文本已作为合同 {same_text} 备案",
                    articles=[13],
                    details={"text_sha256": digest, "contract_no": same_text},
                )
            contract = ContractRow(
                project_code=code,
                contract_no=data["contract_no"],
                supplier=data["supplier"],
                purpose=purpose,
                amount_fen=domain.to_fen(data["amount"]),
                signed_on=data["signed_on"],
                filed_on=today,
                products=data["products"],
                filed_by=caller.sub,
                text_sha256=digest,
                document=data.get("document"),
            )
            tx.session.add(contract)
            common = {"project_code": code, "regulation_version": row.regulation_version, "articles": [13]}
            tx.emit(
                "contract_filed",
                {
                    "contract_no": contract.contract_no,
                    "amount": data["amount"],
                    "signed_on": contract.signed_on,
                    "filed_on": today,
                    "text_sha256": digest,
                    "products_all_controllable": (
                        all(p["controllable"] for p in data["products"]) if data["products"] else None
                    ),
                },
                **common,
            )
        return contract_view(contract)

    def request_disbursement(self, caller: Identity, *, code: str, data: dict) -> dict:
        """Pay, or refuse listing EVERY failing gate (docs/regulation.md §12); the refusal is recorded.

        The funding file row is locked first, so concurrent requests of one project serialise and
        can never together exceed the budget."""
        today = self.ctx.today()
        with self.ctx.store.transaction() as tx:
            row = _owned_file(tx, caller, code, "funds.disburse")
            purpose, fen = data["purpose"], domain.to_fen(data["amount"])
            budget = _balances(tx, code, spendable_in=today.year).get(purpose, {})
            level = domain.pick_level({lvl: b["approved"] for lvl, b in budget.items()}, data.get("level"))
            available = budget.get(level, {}).get("available", 0)
            contract = _contract_on_file(tx.session, code, data["contract_no"])
            sharing = tx.session.get(SharingStatusRow, code)
            file = _file(row)
            file.sharing_connected = bool(sharing and sharing.connected)
            file.sharing_compliant = bool(sharing and sharing.sharing_compliant)
            construction_paid = sum(  # every level and year
                b["disbursed"] for b in _balances(tx, code).get("construction", {}).values()
            )
            failed = domain.failing_gates(file, purpose, fen, available, contract, construction_paid)
            request = DisbursementRow(
                id=f"DB-{uuid.uuid4().hex[:10].upper()}",
                project_code=code,
                purpose=purpose,
                level=level,
                amount_fen=fen,
                contract_no=data["contract_no"],
                status="refused" if failed else "paid",
                failed_gates=[g.as_dict() for g in failed],
                requested_by=caller.sub,
                requested_on=today,
                at=_now(),
                business_date=tx.business_date,
            )
            tx.session.add(request)
            if not failed:
                _entry(
                    tx,
                    code,
                    purpose,
                    level,
                    "payment",
                    fen,
                    domain.disbursement_ref(request.id),
                    caller.sub,
                    [11],
                    today,
                )
            tx.emit(
                "disbursement_decided",
                {
                    "disbursement_id": request.id,
                    "purpose": purpose,
                    "level": level,
                    "amount": data["amount"],
                    "contract_no": request.contract_no,
                    "status": request.status,
                    "failed_gates": [g.gate for g in failed],
                    "on": today,
                },
                project_code=code,
                regulation_version=row.regulation_version,
                articles=sorted({a for g in failed for a in g.articles}) or [11],
            )
        return disbursement_view(request)

    def return_surplus(self, caller: Identity, *, code: str) -> dict:
        """At completion, the unspent balance goes back through its original channel (第十七条)."""
        today = self.ctx.today()
        with self.ctx.store.transaction() as tx:
            row = _owned_file(tx, caller, code, "funds.surplus")
            _book(
                tx,
                code,
                domain.surplus_return(_file(row), _balances(tx, code), today),
                caller.sub,
                [17],
                today,
            )
        return self.funds(caller, code=code)

    def report_misappropriation(self, caller: Identity, *, code: str, data: dict) -> dict:
        """Diverted or misappropriated funds (第三十八条) of a project finance knows (from its
        events, registration on): a report on an unknown code is 404 and emits nothing, so it can
        never become a finding of no project."""
        with self.ctx.store.transaction() as tx:
            row = found(
                tx.session.get(FundingFileRow, code),
                f"finance knows no project {code}",
                f"财政部门无项目 {code} 的记录",
                articles=[38],
                details={"project": code},
            )
            tx.emit(
                "misappropriation_reported",
                {
                    "description": data["description"],
                    "amount": data.get("amount"),
                    "reported_on": self.ctx.today(),
                },
                project_code=code,
                regulation_version=row.regulation_version,
                articles=[38],
            )
        return {"project": code, "reported": True}

    # -- reads -----------------------------------------------------------------------------------

    def funds(
        self, caller: Identity, *, code: str, limit: int | None = None, after: list | None = None
    ) -> dict:
        """The balances, the annual view and the ledger — in pages, oldest first (``after``: the
        id of the page before's last entry): none of it reads the project's whole history."""
        with self.ctx.store.read() as session:
            row = _readable_file(session, caller, code, "funds.read")
            order = (MoneyLedgerEntryRow.id,)
            query = select(MoneyLedgerEntryRow).where(MoneyLedgerEntryRow.project_code == code)
            ledger = list(session.scalars(paging.after(query.order_by(*order), order, after).limit(limit)))
            view = funds_view(row, ledger, _balances(session, code), _by_year(session, code))
            view["annual_reports"] = [  # 第十六条: what the unit reported to finance, by year
                {"year": r.year, "filed_on": r.filed_on.isoformat(), "on_time": r.on_time}
                for r in session.scalars(
                    select(AnnualReportRow)
                    .where(AnnualReportRow.project_code == code)
                    .order_by(AnnualReportRow.year)
                )
            ]
            return view

    def contracts(
        self, caller: Identity, *, code: str, limit: int | None = None, after: list | None = None
    ) -> list[dict]:
        """The contracts filed as text (第十三条), with what each has paid: to the owning unit
        (and its co-builders), the office, finance and audit. In filing order (``id``);
        ``after``: the id of the page before's last one (keyset pagination on the primary key)."""
        with self.ctx.store.read() as session:
            _readable_file(session, caller, code, "funds.contracts.read")
            paid = dict(
                session.execute(
                    select(DisbursementRow.contract_no, func.sum(DisbursementRow.amount_fen))
                    .where(DisbursementRow.project_code == code, DisbursementRow.status == "paid")
                    .group_by(DisbursementRow.contract_no)
                ).all()
            )
            order = (ContractRow.id,)
            query = select(ContractRow).where(ContractRow.project_code == code).order_by(*order)
            rows = session.scalars(paging.after(query, order, after).limit(limit))
            return [
                {**contract_view(c), "id": c.id, "paid": domain.to_yuan(int(paid.get(c.contract_no, 0)))}
                for c in rows
            ]

    def sharing_status(self, *, code: str) -> dict | None:
        with self.ctx.store.read() as session:
            row = session.get(SharingStatusRow, code)
            if row is None:
                return None
            return {
                "connected": row.connected,
                "sharing_compliant": row.sharing_compliant,
                "checked_on": row.checked_on.isoformat(),
            }
