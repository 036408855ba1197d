"""Supervision's use cases (issue 20): the office's and the audit office's acts — inspections and
findings ordered rectified (第三十四条), audit engagements (第三十五条), referrals (第三十七条 to
第三十九条), sanctions (第三十四条), the deadline scan and the lists — and the operator's
commands on the suite's time, run against the service's application context
(shared.context.AppContext: store, clock, policy).

Each takes the caller and the domain arguments, keyword-only past the caller, already loaded by
the entrypoint with its schema (services/supervision/schemas.py); what is checked here is the
regulation's rules only. The engine they rest on takes a transaction, like the event effects:
findings.py (a finding recorded, published, ignored), deadlines.py (the deadlines fed by other
services' events, and settling the missed ones), deadline_rows.py, visibility.py; the audit
ledger is audit_trail.py and audit_chain_checks.py.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, bindparam, func, select, union

from services.supervision import audit_trail, deadline_rows, deadlines, findings, rules, visibility
from services.supervision.models import (
    AuditRow,
    DeadlineRow,
    FindingRow,
    ReferralRow,
    SanctionRow,
    SupervisedProjectRow,
)
from services.supervision.schedule import Due
from services.supervision.views import finding_view, sanction_view
from shared import paging
from shared.authz import Identity, acts_on_project, deny
from shared.context import AppContext
from shared.errors import RuleViolation, StateConflict
from shared.persistence.lookup import get_of_project, get_or_not_found
from shared.persistence.store import Store, Transaction
from shared.policy import article_label_zh, cited, policy_in_force
from shared.timekit import YearSchedule
from shared.timekit.clock import REAL_CLOCK_EN, REAL_CLOCK_ZH


class SupervisionUseCases:
    """``cases.order_rectification(caller, finding_id=..., deadline=...)``: one object per worker
    over its context (service.py)."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    # -- the suite's time: operator commands, published for every service (docs/api.md) -----------
    def set_clock(self, caller: Identity, *, day: date, force: bool = False) -> dict:
        """The simulated day moves forward; back only when forced, as deadlines, filings and the
        ledger already carry the later days (a day before them would make their order a lie).
        Before any day was set, the first may be any (the real date ran until then)."""
        clock = self.ctx.clock
        if not clock.simulated:
            raise StateConflict(
                REAL_CLOCK_EN, REAL_CLOCK_ZH, details={"clock": "real", "enable": "GOVPROJ_CLOCK=simulated"}
            )
        current = clock.set_day()  # type: ignore[attr-defined]  # a SimulatedClock's
        if current is not None and day < current and not force:
            raise StateConflict(
                f"the simulated clock does not go backwards: today is {current.isoformat()}, "
                f"{day.isoformat()} is before it; force it (force: true, govproj clock set --force) "
                "only if you mean to",
                f"模拟时钟不能倒退：今日为 {current.isoformat()}，{day.isoformat()} 早于今日；"
                "确需倒退请强制设置（force: true，govproj clock set --force）",
                details={"today": current.isoformat(), "requested": day.isoformat()},
            )
        with self.ctx.store.transaction() as tx:
            tx.emit(
                "clock_set",
                {"today": day, "set_by": caller.sub},
                project_code=None,
                regulation_version=None,
                articles=[],
            )
        return {"today": day.isoformat()}

    def load_calendar_year(self, caller: Identity, *, data: dict[str, Any]) -> dict:
        """``data``: the year, its holidays and its make-up workdays (schemas.CalendarYear); a
        schedule that contradicts itself is refused."""
        try:
            YearSchedule(data["year"], frozenset(data["holidays"]), frozenset(data["workdays"]))
        except ValueError as exc:
            raise RuleViolation(
                f"inconsistent schedule: {exc}", f"作息安排不一致：{exc}", details={"year": data["year"]}
            ) from None
        with self.ctx.store.transaction() as tx:
            tx.emit(
                "calendar_year_loaded",
                {**data, "loaded_by": caller.sub},
                project_code=None,
                regulation_version=None,
                articles=[],
            )
        return {"year": data["year"], "holidays": len(data["holidays"]), "workdays": len(data["workdays"])}

    # -- findings (第三十四条): inspected, ordered rectified, reported, verified ---------------------
    def record_inspection(self, caller: Identity, *, project: str, found: list[dict]) -> list[dict]:
        """``found``: each finding's articles and description."""
        with self.ctx.store.transaction() as tx:
            findings.project(tx, project)
            rows = [
                findings.add_finding(
                    tx,
                    project,
                    source=f"inspection:{caller.sub}",
                    kind=rules.finding_kind("inspection", item["articles"]),
                    articles=item["articles"],
                    description=item["description"],
                    details={},
                    today=self.ctx.today(),
                )
                for item in found
            ]
        return [finding_view(r) for r in rows]

    def order_rectification(self, caller: Identity, *, finding_id: str, deadline: date) -> dict:
        today = self.ctx.today()
        with self.ctx.store.transaction() as tx:
            row = findings.for_update(tx, finding_id)
            rules.require(row.status, "order", finding_id)
            rules.check_order(deadline, today)
            row.status, row.rectification_deadline = "rectification_ordered", deadline
            findings.step(row, "rectification_ordered", caller.sub, today, deadline=deadline.isoformat())
            deadline_rows.start(
                tx,
                row.project_code,
                findings.RECTIFICATION,
                findings.order_ref(row),
                Due(deadline, 34),
                today.isoformat(),
                caller.sub,
                f"finding {row.id}: rectify by {deadline.isoformat()}",
            )
            findings.publish(
                tx,
                row.project_code,
                "finding_rectification_ordered",
                {"finding_id": row.id, "on": today, "deadline": deadline},
                [34],
            )
        return finding_view(row)

    def report_rectification(self, caller: Identity, *, finding_id: str, report: str) -> dict:
        """The project's unit reports its rectification: another caller is refused."""
        with self.ctx.store.transaction() as tx:
            row = findings.for_update(tx, finding_id)
            owner = tx.session.get(SupervisedProjectRow, row.project_code)
            if owner is None or not acts_on_project(caller, owner.owner_unit):
                deny(caller, "finding.report", finding_id)
            rules.require(row.status, "report", finding_id)
            row.status = "reported"
            deadline_rows.meet(
                deadline_rows.known(
                    tx, f"{findings.RECTIFICATION}:{row.project_code}:{findings.order_ref(row)}"
                )
            )
            findings.step(row, "rectification_reported", caller.sub, self.ctx.today(), report=report)
            findings.publish(
                tx,
                row.project_code,
                "finding_rectification_reported",
                {"finding_id": row.id, "on": self.ctx.today(), "report": report},
                [34],
            )
        return finding_view(row)

    def refuse_rectification(self, caller: Identity, *, finding_id: str, reason: str) -> dict:
        """The office records that the unit refused to rectify (拒不整改, 第三十四条) an order still
        running: the finding is ``refused_to_rectify`` — sanctionable (rules.SANCTIONABLE) — and the order's
        deadline ends (void: it can no longer be met nor ignored)."""
        today = self.ctx.today()
        with self.ctx.store.transaction() as tx:
            row = findings.for_update(tx, finding_id)
            rules.require(row.status, "refuse", finding_id)
            row.status = "refused_to_rectify"
            deadline_rows.void(
                [
                    deadline_rows.known(
                        tx, f"{findings.RECTIFICATION}:{row.project_code}:{findings.order_ref(row)}"
                    )
                ],
                today.isoformat(),
                caller.sub,
                f"finding {row.id}: the unit refused to rectify",
            )
            findings.step(row, "rectification_refused", caller.sub, today, reason=reason)
            findings.publish(
                tx,
                row.project_code,
                "finding_rectification_refused",
                {"finding_id": row.id, "on": today, "reason": reason},
                [34],
            )
        return finding_view(row)

    def verify_rectification(self, caller: Identity, *, finding_id: str, resolved: bool) -> dict:
        with self.ctx.store.transaction() as tx:
            row = findings.for_update(tx, finding_id)
            rules.require(row.status, "verify", finding_id)
            row.status = "resolved" if resolved else "failed"
            findings.step(row, "verified", caller.sub, self.ctx.today(), resolved=resolved)
            findings.publish(
                tx,
                row.project_code,
                "finding_verified",
                {"finding_id": row.id, "on": self.ctx.today(), "resolved": resolved},
                [34],
            )
        return finding_view(row)

    def list_findings(
        self,
        caller: Identity,
        *,
        project: str | None = None,
        status: str | None = None,
        page: tuple = (200, 0),
    ) -> list[dict]:
        """A page of findings; a unit sees only those of the projects it owns or co-builds."""
        return _listed(self.ctx.store, caller, _FINDINGS_LISTED, page, project_code=project, status=status)

    # -- audits (第三十五条) and referrals (第三十七条–第三十九条) -----------------------------------
    def open_audit(self, caller: Identity, *, project: str, scope: str) -> dict:
        with self.ctx.store.transaction() as tx:
            findings.project(tx, project)
            row = AuditRow(
                id=f"AU-{uuid.uuid4().hex[:8].upper()}",
                project_code=project,
                scope=scope,
                opened_by=caller.sub,
                opened_on=self.ctx.today(),
            )
            tx.session.add(row)
            findings.publish(
                tx,
                row.project_code,
                "audit_opened",
                {"audit_id": row.id, "scope": row.scope, "on": row.opened_on},
                [35],
            )
        return {
            "id": row.id,
            "project": row.project_code,
            "scope": row.scope,
            "opened_on": row.opened_on.isoformat(),
        }

    def record_audit_finding(self, caller: Identity, *, audit_id: str, data: dict) -> dict:
        """``data``: the finding's articles, description and the amount concerned, if any."""
        with self.ctx.store.transaction() as tx:
            audit = get_or_not_found(
                tx.session, AuditRow, audit_id, what=("audit", "审计项目"), detail="audit"
            )
            row = findings.add_finding(
                tx,
                audit.project_code,
                source=f"audit:{audit.id}",
                kind=rules.finding_kind("audit", data["articles"]),
                articles=data["articles"],
                description=data["description"],
                details={"amount": str(data["amount"]) if data["amount"] is not None else None},
                today=self.ctx.today(),
            )
        return finding_view(row)

    def refer(self, caller: Identity, *, data: dict) -> dict:
        """``data``: the project, the kind (disciplinary or judicial), the articles of referral,
        the description and the finding it follows, if any."""
        with self.ctx.store.transaction() as tx:
            findings.project(tx, data["project"])
            if data["finding"]:
                _finding_of(tx, data["finding"], data["project"])
            row = ReferralRow(
                id=f"RF-{uuid.uuid4().hex[:8].upper()}",
                project_code=data["project"],
                kind=data["kind"],
                articles=data["articles"],
                description=data["description"],
                finding=data["finding"],
                referred_by=caller.sub,
                referred_on=self.ctx.today(),
            )
            tx.session.add(row)
            findings.publish(
                tx,
                row.project_code,
                "referral_recorded",
                {
                    "referral_id": row.id,
                    "kind": row.kind,
                    "finding": row.finding,
                    "description": row.description,
                    "on": row.referred_on,
                },
                row.articles,
            )
        return cited(
            {
                "id": row.id,
                "project": row.project_code,
                "kind": row.kind,
                "articles": row.articles,
                "finding": row.finding,
                "referred_on": row.referred_on.isoformat(),
            }
        )

    # -- sanctions (第三十四条) ----------------------------------------------------------------------
    # Applied and lifted by the office, published for finance and the register, which act on them
    # idempotently by sanction id. Each answers a finding whose ordered rectification was refused,
    # ignored or failed — never none — and the office climbs the ladder of the policy the project
    # is pinned to, one step at a time (rules.next_sanction).
    def impose_sanction(self, caller: Identity, *, data: dict) -> dict:
        """``data``: the project, the type, the finding it answers (or None) and the reason."""
        today = self.ctx.today()
        with self.ctx.store.transaction() as tx:
            project = findings.project(tx, data["project"])
            policy = (
                self.ctx.policy(project.regulation_version)
                if project.regulation_version
                else policy_in_force(today)
            )
            # locked: two impositions on one finding take the ladder's steps one after the
            # other (else both passed next_sanction and finance withheld twice, 第三十四条)
            finding = (
                _finding_of(tx, data["finding"], data["project"], for_update=True)
                if data["finding"]
                else None
            )
            applied = (
                [
                    s.type
                    for s in tx.session.scalars(
                        select(SanctionRow).where(SanctionRow.finding == data["finding"])
                    )
                ]
                if finding
                else []
            )
            # refused (409, 第三十四条) before anything is written: no finding, or one whose
            # rectification was not refused, ignored or failed
            rules.next_sanction(
                policy.param("sanction_ladder", "steps"),
                applied,
                finding.status if finding else None,
                data["type"],
            )
            row = SanctionRow(
                id=f"SN-{uuid.uuid4().hex[:8].upper()}",
                project_code=data["project"],
                type=data["type"],
                finding=data["finding"],
                reason=data["reason"],
                status="active",
                imposed_by=caller.sub,
                imposed_on=today,
            )
            tx.session.add(row)
            if row.type == "suspend":
                deadlines.suspend_deadlines(
                    tx, row.project_code, today, caller.sub, row.reason, f"sanction:{row.id}"
                )
            elif row.type == "terminate":
                deadlines.end_deadlines(tx, row.project_code, today, caller.sub, row.reason)
            tx.emit(
                "sanction_imposed",
                {
                    "sanction_id": row.id,
                    "type": row.type,
                    "finding": row.finding,
                    "reason": row.reason,
                    "imposed_on": today,
                },
                project_code=row.project_code,
                regulation_version=policy.id,
                articles=[34],
            )
        return sanction_view(row)

    def lift_sanction(self, caller: Identity, *, sanction_id: str, reason: str) -> dict:
        today = self.ctx.today()
        with self.ctx.store.transaction() as tx:
            row = get_or_not_found(
                tx.session,
                SanctionRow,
                sanction_id,
                what=("sanction", "处理决定"),
                detail="sanction",
                for_update=True,
            )
            rules.check_liftable(sanction_id, row.status, row.type)
            row.status, row.lifted_on, row.lift_reason = "lifted", today, reason
            if row.type == "suspend":
                deadlines.resume_deadlines(
                    tx, row.project_code, today, caller.sub, reason, f"sanction:{row.id}"
                )
            tx.emit(
                "sanction_lifted",
                {"sanction_id": row.id, "type": row.type, "reason": reason, "lifted_on": today},
                project_code=row.project_code,
                articles=[34],
                regulation_version=findings.project(tx, row.project_code).regulation_version,
            )
        return sanction_view(row)

    def list_sanctions(
        self,
        caller: Identity,
        *,
        project: str | None = None,
        status: str | None = None,
        page: tuple = (200, 0),
    ) -> list[dict]:
        """A page of sanctions; a unit sees only those of the projects it owns or co-builds."""
        return _listed(self.ctx.store, caller, _SANCTIONS_LISTED, page, project_code=project, status=status)

    # -- the deadline engine's scan and reads (docs/regulation.md §11) ------------------------------
    def scan(self, *, as_of: date | None = None) -> dict:
        """Misses as of ``as_of`` (today when not given) become findings, once each
        (deadlines.settle_missed)."""
        as_of = as_of or self.ctx.today()
        with self.ctx.store.transaction() as tx:
            return deadlines.settle_missed(tx, as_of)

    def list_deadlines(
        self,
        caller: Identity,
        *,
        project: str | None = None,
        due_before: date | None = None,
        overdue: bool | None = None,
        page: tuple = (200, 0),
    ) -> list[dict]:
        """A page of the deadlines of the projects the caller sees, by due date and id
        (``page``: limit, offset and, optionally, the keyset cursor's (due_on, id)); overdue on
        today's date."""
        late = deadlines.is_overdue(self.ctx.today())
        query = visibility.restrict(
            select(DeadlineRow, late.label("overdue")).order_by(DeadlineRow.due_on),
            DeadlineRow.project_code,
            caller,
        )
        if project:
            query = query.where(DeadlineRow.project_code == project)
        if due_before:
            query = query.where(DeadlineRow.due_on < due_before)
        if overdue is not None:
            query = query.where(late if overdue else ~late)
        query = (
            paging.after(
                query.order_by(DeadlineRow.id),
                (DeadlineRow.due_on, DeadlineRow.id),
                page[2] if len(page) > 2 else None,
            )
            .limit(page[0])
            .offset(page[1])
        )
        with self.ctx.store.read() as session:
            return [_deadline_view(r, late_) for r, late_ in session.execute(query)]

    def overdue_projects(self, caller: Identity) -> list[str]:
        """The projects (that the caller sees) with a deadline overdue today: the register's filter."""
        query = visibility.restrict(
            select(DeadlineRow.project_code).where(deadlines.is_overdue(self.ctx.today())).distinct(),
            DeadlineRow.project_code,
            caller,
        )
        with self.ctx.store.read() as session:
            return sorted(session.scalars(query))

    def overview(self, *, page: tuple = (200, 0, None)) -> dict:
        """Open findings, deadlines overdue today and active sanctions: by unit (every unit,
        summed in the database), and by project in pages of project codes (``page``: limit,
        offset, after the last code of the page before) — an answer that does not grow with the
        province."""
        today = self.ctx.today()
        limit, offset, after = page
        counted = (
            ("open_findings", FindingRow, FindingRow.status != "resolved"),
            ("overdue", DeadlineRow, deadlines.is_overdue(today)),
            ("active_sanctions", SanctionRow, SanctionRow.status == "active"),
        )
        zero = {name: 0 for name, _, _ in counted}
        with self.ctx.store.read() as session:
            listed = union(
                *(select(model.project_code.label("code")).where(where) for _, model, where in counted)
            ).subquery()
            query = select(listed.c.code).order_by(listed.c.code)
            if after:
                query = query.where(listed.c.code > after[0])
            codes = list(session.scalars(query.limit(limit).offset(offset)))
            owners = dict(
                session.execute(
                    select(SupervisedProjectRow.project_code, SupervisedProjectRow.owner_unit).where(
                        SupervisedProjectRow.project_code.in_(codes)
                    )
                ).all()
            )
            rows = {c: {"project": c, "unit": owners.get(c), **zero} for c in codes}
            by_unit: dict[str, dict] = {}
            for name, model, where in counted:
                for code, n in session.execute(
                    select(model.project_code, func.count())
                    .where(where, model.project_code.in_(codes))
                    .group_by(model.project_code)
                ):
                    rows[code][name] = n
                for unit, n in session.execute(
                    select(SupervisedProjectRow.owner_unit, func.count())
                    .select_from(model)
                    .outerjoin(SupervisedProjectRow, SupervisedProjectRow.project_code == model.project_code)
                    .where(where)
                    .group_by(SupervisedProjectRow.owner_unit)
                ):
                    by_unit.setdefault(unit or "-", dict(zero))[name] += n
        return {
            "as_of": today.isoformat(),
            "by_project": [rows[c] for c in codes],
            "by_unit": dict(sorted(by_unit.items())),
        }

    def project_oversight(self, caller: Identity, *, code: str, parts: tuple[str, ...]) -> dict:
        """What a project's view shows of supervision, ``parts`` of its deadlines, findings and
        sanctions: each the first page ``list_deadlines``, ``list_findings`` and
        ``list_sanctions`` filtered on the project answer the caller (to a unit, nothing of a
        project it neither owns nor co-builds) — in one read, by statements built once (issue
        19: building them cost more than running them)."""
        today = self.ctx.today()
        with self.ctx.store.read() as session:
            if not visibility.sees(session, caller, code):
                return {part: [] for part in parts}
            found: dict[str, list[dict]] = {}
            if "deadlines" in parts:
                rows = session.execute(_DEADLINES, {"code": code, "today": today, "limit": PAGE})
                found["deadlines"] = [_deadline_view(r, late_) for r, late_ in rows]
            if "findings" in parts:
                rows = session.scalars(_FINDINGS, {"code": code, "limit": PAGE})
                found["findings"] = [finding_view(r) for r in rows]
            if "sanctions" in parts:
                rows = session.scalars(_SANCTIONS, {"code": code, "limit": PAGE})
                found["sanctions"] = [sanction_view(r) for r in rows]
            return found

    # -- a project's timeline, read from the audit ledger (痕迹管理, audit_trail.py) ---------------
    def project_timeline(self, caller: Identity, *, code: str, page: tuple | None = None) -> dict:
        return audit_trail.project_timeline(self.ctx.store, caller, code, page)

    def project_trail(self, *, code: str, page: tuple | None = None) -> list[dict]:
        return audit_trail.project_trail(self.ctx.store, code, page)


def _deadline_view(r: DeadlineRow, overdue: bool) -> dict:
    return {
        "id": r.id,
        "project": r.project_code,
        "kind": r.kind,
        "article": article_label_zh(r.article),
        "due_on": r.due_on.isoformat(),
        "status": r.status,
        "overdue": bool(overdue),
        "ledger": [deadline_rows.shown(e) for e in r.ledger],
    }


# a project's first page of each list, in the lists' order (project_oversight)
PAGE = 200  # the lists' default page (schemas.Page)


@dataclass(frozen=True)
class _Listed:
    """A list of the office's records: its rows, their order (the keyset of the pages), the view
    of a row."""

    model: Any
    order: tuple
    view: Callable[[Any], dict]


_FINDINGS_LISTED = _Listed(FindingRow, (FindingRow.found_on, FindingRow.id), finding_view)
_SANCTIONS_LISTED = _Listed(SanctionRow, (SanctionRow.imposed_on, SanctionRow.id), sanction_view)


def _listed(store: Store, caller: Identity, listed: _Listed, page: tuple, **equal: Any) -> list[dict]:
    """A page of the caller's rows of the list, filtered by equality (visibility.listing), viewed."""
    with store.read() as session:
        rows = visibility.listing(session, caller, listed.model, listed.order, page, **equal)
        return [listed.view(r) for r in rows]


def _first_page(model: Any, order: tuple, *also: Any) -> Select:
    """A project's first page of ``model``'s rows in ``order`` (``also``: columns beside the row),
    a statement built once, bound to ``code`` and ``limit`` (and what ``also`` binds)."""
    query = select(model, *also).where(model.project_code == bindparam("code"))
    return query.order_by(*order).limit(bindparam("limit"))


_DEADLINES = _first_page(
    DeadlineRow,
    (DeadlineRow.due_on, DeadlineRow.id),
    deadlines.is_overdue(bindparam("today")).label("overdue"),
)
_FINDINGS = _first_page(_FINDINGS_LISTED.model, _FINDINGS_LISTED.order)
_SANCTIONS = _first_page(_SANCTIONS_LISTED.model, _SANCTIONS_LISTED.order)


def _finding_of(tx: Transaction, finding_id: str, code: str, *, for_update: bool = False) -> FindingRow:
    """The finding a sanction or a referral names must be one of its project's."""
    return get_of_project(
        tx.session,
        FindingRow,
        finding_id,
        code,
        what=("finding", "问题"),
        detail="finding",
        for_update=for_update,
    )
