"""Approval's use cases: review cases from submissions, centralized review rounds, opinions,
the DRC's decision, and approval once every precondition holds."""
from __future__ import annotations

import uuid
from datetime import date

from services.approval import repository
from services.approval.domain import Opinion, ReviewCase, ReviewRound
from shared.authz import Identity
from shared.events import Event
from shared.persistence.store import Store, Transaction
from shared.timekit import Clock


def open_review_case(today: date):
    def effect(tx: Transaction, event: Event) -> ReviewCase | None:
        """An application was submitted: open its review case (第八条) → ``review_case_opened``."""
        case = ReviewCase.open_for(event.project_code, event.regulation_version, event.payload,
                                   today)
        if repository.get_case(tx.session, case.id) is not None:
            return None  # the same submission announced again under another message id
        repository.add_case(tx.session, case)
        tx.emit("review_case_opened",
                {"case_id": case.id, "submission": case.submission, "opened_on": today},
                project_code=case.project_code, regulation_version=case.regulation_version,
                articles=[8])
        return case
    return effect


def open_round(store: Store, clock: Clock, caller: Identity, title: str,
               projects: list[str]) -> tuple[ReviewRound, list[ReviewCase]]:
    with store.transaction() as tx:
        found = {code: repository.latest_case(tx.session, code, for_update=True)
                 for code in projects}
        ReviewRound.check_cases(projects, found)
        round_ = ReviewRound(id=f"RR-{uuid.uuid4().hex[:8].upper()}", title=title,
                             opened_on=clock.today(), opened_by=caller.sub,
                             case_ids=[found[c].id for c in projects])
        for case in found.values():
            case.status, case.round_id = "in_round", round_.id
            repository.save_case(tx.session, case)
        repository.add_round(tx.session, round_)
    return round_, list(found.values())


def record_opinion(store: Store, caller: Identity, round_id: str, data: dict) -> ReviewCase:
    with store.transaction() as tx:
        round_ = repository.get_round(tx.session, round_id)
        case = repository.require_latest_case(tx.session, data["project"], for_update=True)
        round_.require_open()
        case.record_opinion(round_id, Opinion(
            decision=data["decision"], necessity=data["necessity"],
            feasibility=data["feasibility"], approved_amount=data.get("approved_amount"),
            comments=data.get("comments") or "", reviewer=caller.sub))
        repository.save_case(tx.session, case)
    return case


def close_round(store: Store, clock: Clock, round_id: str) -> tuple[ReviewRound, list]:
    """The round's opinions take effect (第九条): one ``review_opinion_issued`` per project,
    and ``project_approved`` where nothing else is needed."""
    today = clock.today()
    with store.transaction() as tx:
        round_ = repository.get_round(tx.session, round_id, for_update=True)
        cases = [repository.get_case(tx.session, cid) for cid in round_.case_ids]
        round_.close(cases, today)
        repository.save_round(tx.session, round_)
        for case in cases:
            opinion = case.opinion
            tx.emit("review_opinion_issued", {
                "case_id": case.id, "round_id": round_.id, "submission": case.submission,
                "decision": opinion.decision, "necessity": opinion.necessity,
                "feasibility": opinion.feasibility, "approved_amount": opinion.approved_amount,
                "comments": opinion.comments, "issued_on": today,
                "waiting_for": case.waiting_for() if opinion.decision == "approve" else [],
            }, project_code=case.project_code, regulation_version=case.regulation_version,
                articles=[8, 9])
            _approve_if_complete(tx, case, today)
            repository.save_case(tx.session, case)
    return round_, cases


def record_drc_decision(store: Store, clock: Clock, code: str, data: dict) -> ReviewCase:
    """The DRC's approval of a fixed-asset project, after a favourable opinion (第四条)."""
    today = clock.today()
    with store.transaction() as tx:
        case = repository.require_latest_case(tx.session, code, for_update=True)
        case.record_drc_decision(data["decision"], data.get("approved_investment"),
                                 data["document_no"])
        tx.emit("drc_decision_recorded", {
            "case_id": case.id, "decision": case.drc_decision,
            "approved_investment": case.drc_investment, "document_no": case.drc_document_no,
            "decided_on": today}, project_code=code,
            regulation_version=case.regulation_version, articles=[4])
        _approve_if_complete(tx, case, today)
        repository.save_case(tx.session, case)
    return case


def _approve_if_complete(tx: Transaction, case: ReviewCase, today: date) -> None:
    if case.approve_if_complete(today):
        tx.emit("project_approved", {
            "case_id": case.id, "approved_amount": case.approved_amount, "approved_on": today,
            "fixed_asset_investment": case.fixed_asset_investment,
            "classified": case.classified}, project_code=case.project_code,
            regulation_version=case.regulation_version, articles=[4, 9])


def review_cases(store: Store, project_code: str | None = None) -> list[ReviewCase]:
    with store.read() as session:
        return repository.cases(session, project_code)


def get_round(store: Store, round_id: str) -> tuple[ReviewRound, list[ReviewCase]]:
    with store.read() as session:
        round_ = repository.get_round(session, round_id)
        return round_, [repository.get_case(session, cid) for cid in round_.case_ids]
