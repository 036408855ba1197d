"""Approval's use cases: review cases from submissions, centralized review rounds, opinions,
the DRC's decision, and approval once every precondition holds."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select

from services.approval import repository
from services.approval.domain import Opinion, ReviewCase, ReviewRound
from services.approval.incidents import ChangeReview, Incident
from services.approval.models import ChangeReviewRow, IncidentRow, SecrecyDecisionRow, platform
from shared import paging
from shared.authz import Identity, acts_on_project, approving_body, deny, require_approving_body
from shared.context import AppContext
from shared.errors import StateConflict
from shared.events import Event
from shared.persistence.forget import forget_project_content
from shared.persistence.lookup import get_of_project
from shared.persistence.rows import dataclass_of, row_of
from shared.persistence.store import Transaction
from shared.timekit import Clock


def open_review_case(today: date):
    def effect(tx: Transaction, event: Event) -> ReviewCase | None:
        """An application was submitted: open its review case (第八条) → ``review_case_opened``."""
        case = ReviewCase.open_for(event.project_code, event.regulation_version, event.payload, today)
        if repository.get_case(tx.session, case.id) is not None:
            return None  # the same submission announced again under another message id
        secrecy = tx.session.get(SecrecyDecisionRow, case.project_code)
        case.secrecy_confirmed = bool(secrecy and secrecy.decision == "confirm")
        # a flag the DRC or the secrecy bureau set stays, whatever the register said (第四条);
        # locked: a take-up committing meanwhile is waited for and carried over, not lost
        earlier = repository.latest_case(tx.session, case.project_code, for_update=True)
        if earlier is not None:
            case.fixed_asset_investment |= earlier.fixed_asset_investment
            case.classified |= earlier.classified
        repository.add_case(tx.session, case)
        tx.emit(
            "review_case_opened",
            {"case_id": case.id, "submission": case.submission, "opened_on": today},
            project_code=case.project_code,
            regulation_version=case.regulation_version,
            articles=[8],
        )
        return case

    return effect


def project_classified(tx: Transaction, event: Event) -> None:
    """The secrecy bureau declared the project classified (第四条): its case shows the stub,
    and an approval not yet given waits for the bureau's review (waiting_for: secrecy)."""
    case = repository.latest_case(tx.session, event.project_code, for_update=True)
    if case is not None and not case.classified:
        case.classified = True
        repository.save_case(tx.session, case)
    # what change requests said of goal, location and content is security's now (第十八条)
    for row in tx.session.scalars(
        select(ChangeReviewRow).where(ChangeReviewRow.project_code == event.project_code)
    ):
        if any(k in row.changes for k in ("goal", "location", "content")):
            row.changes = {k: v for k, v in row.changes.items() if k not in ("goal", "location", "content")}
    # and the copies: the answers kept for replays, the events it wrote (change decisions)
    forget_project_content(tx.session, platform, event.project_code)


def construction_completed(tx: Transaction, event: Event) -> None:
    """Acceptance announced the completion: the project is no longer under construction, and a
    第十九条 suspension of it is refused (Incident.decide)."""
    repository.record_completion(tx.session, event.project_code, event.data()["completed_on"])


def _approve_if_complete(tx: Transaction, case: ReviewCase, today: date) -> None:
    if case.approve_if_complete(today):
        tx.emit(
            "project_approved",
            {
                "case_id": case.id,
                "unit": case.unit,
                "approved_amount": case.approved_amount,
                "approved_on": today,
                "fixed_asset_investment": case.fixed_asset_investment,
                "classified": case.classified,
            },
            project_code=case.project_code,
            regulation_version=case.regulation_version,
            articles=[4, 9],
        )


# -- adjustments (第十八条) ----------------------------------------------------------------------


def _change_row(tx: Transaction, code: str, request_id: str) -> ChangeReviewRow:
    """Project ``code``'s adjustment application ``request_id``, locked (404 if not its)."""
    what = ("change request", "调整申请")
    return get_of_project(tx.session, ChangeReviewRow, request_id, code, what=what, for_update=True)


def _incident_row(tx: Transaction, code: str, incident_id: str) -> IncidentRow:
    """Project ``code``'s incident ``incident_id``, locked (404 if not its)."""
    return get_of_project(
        tx.session, IncidentRow, incident_id, code, what=("incident", "事项"), for_update=True
    )


def _change(row: ChangeReviewRow) -> ChangeReview:
    return ChangeReview(
        id=row.id,
        project_code=row.project_code,
        changes=dict(row.changes),
        reason=row.reason,
        requested_on=row.requested_on,
        status=row.status,
        decided_by=row.decided_by,
        decided_on=row.decided_on,
        comments=row.comments or "",
        approved_amount=row.approved_amount,
        drc=row.drc,
    )


def _save_change(row: ChangeReviewRow, review: ChangeReview) -> None:
    for f in ("status", "decided_by", "decided_on", "comments", "approved_amount", "drc"):
        setattr(row, f, getattr(review, f))


def change_requested(tx: Transaction, event: Event) -> None:
    """The unit's adjustment application arrives for a new review (第十八条)."""
    data = event.data()
    if tx.session.get(ChangeReviewRow, data["request_id"]) is None:
        tx.session.add(
            ChangeReviewRow(
                id=data["request_id"],
                project_code=event.project_code,
                changes=event.payload["changes"],
                reason=data["reason"],
                requested_on=data["requested_on"],
                status="pending",
                comments="",
            )
        )


# -- incidents (第十九条) ------------------------------------------------------------------------


def _incident(row: IncidentRow) -> Incident:
    return dataclass_of(Incident, row, decision=dict(row.decision))


def _by_approving_body(tx: Transaction, caller: Identity, permission: str, code: str):
    """The project's case, once the caller is its approving body (第十九条: the DRC for a
    fixed-asset project, else the office; the other is refused before anything is said)."""
    case = repository.latest_case(tx.session, code)
    require_approving_body(
        caller, permission, code, approving_body(case.fixed_asset_investment) if case else None, [19]
    )
    return case


def secrecy_decided(clock: Clock):
    def effect(tx: Transaction, event: Event) -> None:
        """The bureau confirmed (or refused) a classified project (第四条); a confirmation may
        complete an approval that was waiting for it."""
        data = event.data()
        if tx.session.get(SecrecyDecisionRow, event.project_code) is None:
            tx.session.add(
                SecrecyDecisionRow(
                    project_code=event.project_code, decision=data["decision"], decided_on=data["decided_on"]
                )
            )
        case = repository.latest_case(tx.session, event.project_code, for_update=True)
        if case is not None and data["decision"] == "confirm" and not case.secrecy_confirmed:
            case.secrecy_confirmed = True
            _approve_if_complete(tx, case, clock.today())
            repository.save_case(tx.session, case)

    return effect


class ApprovalUseCases:
    """The approving bodies' use cases — review rounds and opinions (第八条, 第九条), the DRC's
    approval and take-up (第四条), adjustments (第十八条), incidents (第十九条) — against one
    context (store, clock, policy): each takes the caller, where it acts as one, and the domain
    arguments, keyword-only past the caller."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    def open_round(
        self, caller: Identity, *, title: str, projects: list[str]
    ) -> tuple[ReviewRound, list[ReviewCase]]:
        with self.ctx.store.transaction() as tx:
            # locked in one order whatever order the caller lists them: two rounds naming the
            # same projects wait for each other instead of deadlocking (a 500 on PostgreSQL)
            locked = {
                code: repository.latest_case(tx.session, code, for_update=True)
                for code in sorted(set(projects))
            }
            found = {code: locked[code] for code in projects}
            ReviewRound.check_cases(projects, found)
            round_ = ReviewRound(
                id=f"RR-{uuid.uuid4().hex[:8].upper()}",
                title=title,
                opened_on=self.ctx.today(),
                opened_by=caller.sub,
                case_ids=[found[c].id for c in projects],
            )
            for case in found.values():
                case.status, case.round_id = "in_round", round_.id
                repository.save_case(tx.session, case)
            repository.add_round(tx.session, round_)
        return round_, list(found.values())

    def record_opinion(self, caller: Identity, *, round_id: str, data: dict) -> ReviewCase:
        with self.ctx.store.transaction() as tx:
            round_ = repository.get_round(tx.session, round_id)
            case = repository.require_latest_case(tx.session, data["project"], for_update=True)
            round_.require_open()
            case.record_opinion(
                round_id,
                Opinion(
                    decision=data["decision"],
                    necessity=data["necessity"],
                    feasibility=data["feasibility"],
                    approved_amount=data.get("approved_amount"),
                    comments=data.get("comments") or "",
                    reviewer=caller.sub,
                ),
            )
            repository.save_case(tx.session, case)
        return case

    def close_round(self, *, round_id: str) -> tuple[ReviewRound, list]:
        """The round's opinions take effect (第九条): one ``review_opinion_issued`` per project,
        and ``project_approved`` where nothing else is needed."""
        today = self.ctx.today()
        with self.ctx.store.transaction() as tx:
            round_ = repository.get_round(tx.session, round_id, for_update=True)
            # each case locked (in one order) as the round decides on it: a DRC take-up or a
            # classification committed meanwhile is seen, never approved past (第九条, 第四条)
            locked = {
                cid: repository.get_case(tx.session, cid, for_update=True) for cid in sorted(round_.case_ids)
            }
            cases = [locked[cid] for cid in round_.case_ids]
            round_.close(cases, today)
            repository.save_round(tx.session, round_)
            for case in cases:
                opinion = case.opinion
                tx.emit(
                    "review_opinion_issued",
                    {
                        "case_id": case.id,
                        "round_id": round_.id,
                        "submission": case.submission,
                        "decision": opinion.decision,
                        "necessity": opinion.necessity,
                        "feasibility": opinion.feasibility,
                        "approved_amount": opinion.approved_amount,
                        "comments": opinion.comments,
                        "issued_on": today,
                        "waiting_for": case.waiting_for() if opinion.decision == "approve" else [],
                    },
                    project_code=case.project_code,
                    regulation_version=case.regulation_version,
                    articles=[8, 9],
                )
                _approve_if_complete(tx, case, today)
                repository.save_case(tx.session, case)
        return round_, cases

    def record_drc_decision(self, *, code: str, data: dict) -> ReviewCase:
        """The DRC's approval of a fixed-asset project, after a favourable opinion (第四条)."""
        today = self.ctx.today()
        with self.ctx.store.transaction() as tx:
            case = repository.require_latest_case(tx.session, code, for_update=True)
            case.record_drc_decision(data["decision"], data.get("approved_investment"), data["document_no"])
            tx.emit(
                "drc_decision_recorded",
                {
                    "case_id": case.id,
                    "decision": case.drc_decision,
                    "approved_investment": case.drc_investment,
                    "document_no": case.drc_document_no,
                    "decided_on": today,
                    # a project the DRC took up after the office approved it (第四条): its
                    # approved amount is now the case's (never above the DRC's investment),
                    # told here — project_approved is not sent twice
                    "approved_amount": case.approved_amount_after_take_up(),
                },
                project_code=code,
                regulation_version=case.regulation_version,
                articles=[4],
            )
            _approve_if_complete(tx, case, today)
            repository.save_case(tx.session, case)
        return case

    def take_up_fixed_asset(self, *, code: str, comments: str) -> ReviewCase:
        """The DRC takes the project up as a fixed-asset project (第四条: 省发展改革委负责对涉及固定
        资产投资的政务信息系统项目进行立项审批): it becomes the approving body, and its approval is
        needed again — before approval, and before any budget or money (``fixed_asset_designated``:
        finance, the register and acceptance take it from there)."""
        today = self.ctx.today()
        with self.ctx.store.transaction() as tx:
            case = repository.latest_case(tx.session, code, for_update=True)
            ReviewCase.check_take_up(code, case)
            case.fixed_asset_investment = True
            repository.save_case(tx.session, case)
            tx.emit(
                "fixed_asset_designated",
                {
                    "case_id": case.id,
                    "designated_on": today,
                    "comments": comments,
                    "approved": case.approved_on is not None,
                    "drc_decision": case.drc_decision,
                },
                project_code=code,
                regulation_version=case.regulation_version,
                articles=[4],
            )
        return case

    def review_cases(
        self, *, project_code: str | None = None, limit: int | None = None, after: list | None = None
    ) -> list[ReviewCase]:
        with self.ctx.store.read() as session:
            return repository.cases(session, project_code, limit, after)

    def get_round(self, *, round_id: str) -> tuple[ReviewRound, list[ReviewCase]]:
        with self.ctx.store.read() as session:
            round_ = repository.get_round(session, round_id)
            return round_, [repository.get_case(session, cid) for cid in round_.case_ids]

    # -- adjustments (第十八条) ------------------------------------------------------------------

    def decide_change(self, caller: Identity, *, code: str, request_id: str, data: dict) -> ChangeReview:
        today = self.ctx.today()
        with self.ctx.store.transaction() as tx:
            row = _change_row(tx, code, request_id)
            review = _change(row)
            case = repository.latest_case(tx.session, code)
            # a project the DRC approved as a fixed-asset investment: the DRC re-approves (第四条)
            fixed_asset = bool(case and case.fixed_asset_investment and case.drc_decision == "approve")
            review.decide(
                data["decision"],
                caller.sub,
                today,
                data.get("comments") or "",
                data.get("approved_amount"),
                fixed_asset,
            )
            _save_change(row, review)
            tx.emit(
                "change_decided",
                {
                    "request_id": review.id,
                    "decision": data["decision"],
                    "changes": review.changes,
                    "approved_amount": review.new_approved_amount(),
                    "comments": review.comments,
                    "decided_on": today,
                    "awaiting_drc": review.status == "awaiting_drc",
                },
                project_code=code,
                regulation_version=case.regulation_version if case else None,
                articles=[18],
            )
        return review

    def reapprove_change(self, caller: Identity, *, code: str, request_id: str, data: dict) -> ChangeReview:
        """The DRC re-approves (or not) a fixed-asset project's approved change (第四条, 第十八条);
        only then does it take effect in the register and in finance (``change_reapproved``)."""
        today = self.ctx.today()
        with self.ctx.store.transaction() as tx:
            row = _change_row(tx, code, request_id)
            review = _change(row)
            review.reapprove(data["decision"], data["document_no"], caller.sub, today)
            _save_change(row, review)
            case = repository.latest_case(tx.session, code)
            tx.emit(
                "change_reapproved",
                {
                    "request_id": review.id,
                    "decision": data["decision"],
                    "changes": review.changes,
                    "approved_amount": review.new_approved_amount(),
                    "document_no": data["document_no"],
                    "decided_on": today,
                },
                project_code=code,
                regulation_version=case.regulation_version if case else None,
                articles=[4, 18],
            )
        return review

    def change_reviews(self, *, code: str) -> list[ChangeReview]:
        with self.ctx.store.read() as session:
            rows = session.scalars(
                select(ChangeReviewRow)
                .where(ChangeReviewRow.project_code == code)
                .order_by(ChangeReviewRow.requested_on)
            )
            return [_change(r) for r in rows]

    # -- incidents (第十九条) --------------------------------------------------------------------

    def report_incident(self, caller: Identity, *, code: str, data: dict) -> Incident:
        with self.ctx.store.transaction() as tx:
            case = repository.latest_case(tx.session, code)
            if case is None or case.approved_on is None:
                raise StateConflict(
                    f"project {code} is not an approved project under construction",
                    f"项目 {code} 不是已立项的在建项目",
                    articles=[19],
                    details={"project": code},
                )
            if not acts_on_project(caller, case.unit):
                deny(caller, "project.incident.report", code)
            incident = Incident(
                id=f"IN-{uuid.uuid4().hex[:8].upper()}",
                project_code=code,
                kind=data["kind"],
                description=data["description"],
                reported_by=caller.sub,
                reported_on=self.ctx.today(),
            )
            tx.session.add(row_of(IncidentRow, incident))
            # a reported serious delay is one the deadline engine need not ask for (第十九条)
            tx.emit(
                "incident_reported",
                {"incident_id": incident.id, "kind": incident.kind, "reported_on": incident.reported_on},
                project_code=code,
                regulation_version=case.regulation_version,
                articles=[19],
            )
        return incident

    def decide_incident(self, caller: Identity, *, code: str, incident_id: str, data: dict) -> Incident:
        today = self.ctx.today()
        with self.ctx.store.transaction() as tx:
            _by_approving_body(tx, caller, "project.incident.decide", code)
            row = _incident_row(tx, code, incident_id)
            incident = _incident(row)
            incident.decide(
                data["action"],
                data.get("deadline"),
                caller.sub,
                today,
                completed_on=repository.completed_on(tx.session, code),
            )
            row.status, row.decision = incident.status, incident.decision
            case = repository.latest_case(tx.session, code)
            common = {
                "project_code": code,
                "articles": [19],
                "regulation_version": case.regulation_version if case else None,
            }
            if data["action"] == "rectify":
                tx.emit(
                    "rectification_ordered",
                    {
                        "incident_id": incident.id,
                        "kind": incident.kind,
                        "deadline": data["deadline"],
                        "ordered_on": today,
                    },
                    **common,
                )
            elif data["action"] == "suspend":
                tx.emit(
                    "construction_suspended",
                    {"incident_id": incident.id, "kind": incident.kind, "suspended_on": today},
                    **common,
                )
        return incident

    def resume_incident(self, caller: Identity, *, code: str, incident_id: str, reason: str) -> Incident:
        """A 第十九条 suspension ends: ``construction_resumed`` tells finance (it pays again), the
        register (its status returns) and the deadline engine (the clocks move by the days they
        stood still)."""
        today = self.ctx.today()
        with self.ctx.store.transaction() as tx:
            case = _by_approving_body(tx, caller, "project.incident.resume", code)
            row = _incident_row(tx, code, incident_id)
            incident = _incident(row)
            days = incident.resume(reason, caller.sub, today)
            row.status, row.decision = incident.status, incident.decision
            tx.emit(
                "construction_resumed",
                {
                    "incident_id": incident.id,
                    "kind": incident.kind,
                    "suspended_on": date.fromisoformat(incident.decision["on"]),
                    "resumed_on": today,
                    "days_suspended": days,
                    "reason": reason,
                },
                project_code=code,
                articles=[19],
                regulation_version=case.regulation_version if case else None,
            )
        return incident

    def incidents(self, *, code: str, limit: int | None = None, after: list | None = None) -> list[Incident]:
        """The project's incidents by the day reported and id; ``after``: that key of the page
        before's last one (keyset pagination, index (project_code, reported_on, id))."""
        order = (IncidentRow.reported_on, IncidentRow.id)
        query = select(IncidentRow).where(IncidentRow.project_code == code).order_by(*order)
        with self.ctx.store.read() as session:
            return [_incident(r) for r in session.scalars(paging.after(query, order, after).limit(limit))]
