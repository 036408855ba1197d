"""Acceptance's use cases."""

from __future__ import annotations

import copy
import uuid
from dataclasses import fields as dc_fields
from datetime import date

from sqlalchemy import delete, select

from services.acceptance.domain import (
    AcceptanceFile,
    check_annual_report,
    items_from_facts,
    missing_reports,
)
from services.acceptance.models import (
    AcceptanceFileRow,
    AnnualReportRow,
    ArchiveDocumentRow,
    KnownProjectRow,
    PostEvaluationRow,
    platform,
)
from services.acceptance.views import acceptance_view, post_evaluation_view
from shared import paging
from shared.authz import (
    Forbidden,
    Identity,
    approving_body,
    deny,
    require_approving_body,
    require_readers,
)
from shared.context import AppContext
from shared.errors import StateConflict
from shared.events import Event
from shared.persistence.forget import forget_project_content
from shared.persistence.lookup import found, get_or_not_found, refuse_if_filed
from shared.persistence.store import Transaction

_FIELDS = [f.name for f in dc_fields(AcceptanceFile)]


# -- learned from events -----------------------------------------------------------------------


def project_registered(tx: Transaction, event: Event) -> None:
    """Who owns and who co-builds the project: the readers of its archive and file."""
    data = event.data()
    known = tx.session.get(KnownProjectRow, event.project_code, with_for_update=True)
    if known is None:
        tx.session.add(
            KnownProjectRow(
                project_code=event.project_code,
                owner_unit=data["unit"],
                co_builders=list(data["co_builders"]),
                regulation_version=event.regulation_version,
            )
        )
    else:  # known from its approval first (events travel on separate queues)
        known.co_builders = list(data["co_builders"])


def project_approved(tx: Transaction, event: Event) -> None:
    """An approved project gets its acceptance file (the owner unit comes with it), and its
    approving body is known: the one that decides its acceptance (第二十二条)."""
    body = approving_body(event.payload["fixed_asset_investment"])
    known = tx.session.get(KnownProjectRow, event.project_code, with_for_update=True)
    if known is None:
        tx.session.add(
            KnownProjectRow(
                project_code=event.project_code,
                owner_unit=event.payload["unit"],
                co_builders=[],
                regulation_version=event.regulation_version,
                approving_body=body,
            )
        )
    elif known.approving_body != "drc":  # the DRC's taking up (第四条) overtook this
        known.approving_body = body
    if tx.session.get(AcceptanceFileRow, event.project_code) is None:
        tx.session.add(
            AcceptanceFileRow(
                project_code=event.project_code,
                unit=event.payload["unit"],
                regulation_version=event.regulation_version,
                deadline_ledger=[],
            )
        )


class ProjectNotKnownYet(Exception):
    """A fact overtook the project's registration (separate queues): retried until it is in."""


def _known_row(tx: Transaction, code: str) -> KnownProjectRow:
    known = tx.session.get(KnownProjectRow, code, with_for_update=True)
    if known is None:
        raise ProjectNotKnownYet(f"project {code} is not known yet")
    return known


def fixed_asset_designated(tx: Transaction, event: Event) -> None:
    """The DRC took the project up as a fixed-asset project (第四条): it is the approving body
    that decides its acceptance and extensions from now on (第二十二条, 第二十三条)."""
    _known_row(tx, event.project_code).approving_body = "drc"


def project_classified(tx: Transaction, event: Event) -> None:
    """The secrecy bureau declared the project classified (第四条): the archive's document
    versions leave this store (the unit files them with the security service, whose
    classified_material_filed tells which types are on file there)."""
    _known_row(tx, event.project_code).classified = True
    tx.session.execute(
        delete(ArchiveDocumentRow).where(ArchiveDocumentRow.project_code == event.project_code)
    )
    # and the copies: the answers kept for replays, the events it wrote
    forget_project_content(tx.session, platform, event.project_code)


def document_filed(tx: Transaction, event: Event) -> None:
    """Every document version enters the electronic archive (第二十条) — but not one of a
    project the bureau declared classified since (its documents are security's)."""
    data = event.data()
    known = tx.session.get(KnownProjectRow, event.project_code)
    if known is not None and known.classified:
        return
    exists = tx.session.scalars(
        select(ArchiveDocumentRow).where(
            ArchiveDocumentRow.project_code == event.project_code,
            ArchiveDocumentRow.doc_type == data["doc_type"],
            ArchiveDocumentRow.version == data["version"],
        )
    ).first()
    if exists is None:
        tx.session.add(ArchiveDocumentRow(project_code=event.project_code, **data))


def security_fact(tx: Transaction, event: Event) -> None:
    """Risk assessment, cryptography and product controllability, for the acceptance check;
    and which documents a classified project has on file with security (types only)."""
    row = tx.session.get(AcceptanceFileRow, event.project_code, with_for_update=True)
    if row is not None:
        row.security = {**(row.security or {}), event.event_type: dict(event.payload)}


class NotApprovedYet(Exception):
    """A contract overtook the project's approval (separate queues): retried until it is in."""


def sharing_fact(tx: Transaction, event: Event) -> None:
    """The office's latest sharing-platform record: whether the catalog is registered in the
    platform's catalog system (第二十八条), an acceptance item. An older check arriving late
    loses; a check before approval has no file to go to (a later one will)."""
    row = tx.session.get(AcceptanceFileRow, event.project_code, with_for_update=True)
    data = dict(event.payload)
    latest = (row.security or {}).get("sharing_status_recorded") if row else None
    if row is not None and (latest is None or latest["checked_on"] <= data["checked_on"]):
        row.security = {**(row.security or {}), "sharing_status_recorded": data}


def contract_fact(tx: Transaction, event: Event) -> None:
    """Each filed contract's key products: all controllable, or not (第三十二条)."""
    row = tx.session.get(AcceptanceFileRow, event.project_code, with_for_update=True)
    if row is None:
        raise NotApprovedYet(f"project {event.project_code} has no acceptance file yet")
    facts = dict(row.security or {})
    facts["contracts"] = {
        **facts.get("contracts", {}),
        event.payload["contract_no"]: event.payload.get("products_all_controllable"),
    }
    row.security = facts


# -- the file --------------------------------------------------------------------------------------


def _known(
    session, caller: Identity, code: str, permission: str, *, owner_only: bool = False
) -> KnownProjectRow | None:
    """The project as registered, once the caller may read it (``owner_only``: act on it — a
    unit, the owner only). Checked before anything of the project is said: to a unit, an
    unknown code is refused like another unit's project (shared.authz.require_project)."""
    known = session.get(KnownProjectRow, code)
    require_readers(caller, permission, code, known, owner_only=owner_only)
    return known


def _registered(session, caller: Identity, code: str, permission: str) -> KnownProjectRow:
    """``_known``, and a project acceptance has not heard of is not found."""
    return found(
        _known(session, caller, code, permission),
        f"acceptance knows no project {code}",
        f"验收档案中无项目 {code}",
        details={"project": code},
    )


def _load(
    tx: Transaction, caller: Identity, code: str, permission: str
) -> tuple[AcceptanceFileRow, AcceptanceFile]:
    _known(tx.session, caller, code, permission, owner_only=True)
    row = tx.session.get(AcceptanceFileRow, code, with_for_update=True)
    if row is None:
        raise StateConflict(
            f"project {code} is not an approved project",
            f"项目 {code} 尚未立项",
            articles=[9],
            details={"project": code},
        )
    return row, _file(row)


def _file(row: AcceptanceFileRow) -> AcceptanceFile:
    # JSON columns are copied: SQLAlchemy does not see in-place changes to the loaded objects
    return AcceptanceFile(**{f: copy.deepcopy(getattr(row, f)) for f in _FIELDS})


def _save(row: AcceptanceFileRow, file: AcceptanceFile) -> None:
    for f in _FIELDS:
        setattr(row, f, getattr(file, f))


def _archive(tx_session, code: str) -> set[str]:
    """Document types on file: the archive, plus a classified project's types held by security."""
    row = tx_session.get(AcceptanceFileRow, code)
    classified = (row.security or {}).get("classified_material_filed", {}) if row else {}
    return set(
        tx_session.scalars(select(ArchiveDocumentRow.doc_type).where(ArchiveDocumentRow.project_code == code))
    ) | set(classified.get("doc_types", []))


def _approving_body(session, code: str) -> str | None:
    known = session.get(KnownProjectRow, code)
    return known.approving_body if known else None


def _organiser(session, caller: Identity, code: str, file: AcceptanceFile) -> str:
    """Who may record this acceptance (第二十二条): the project's approving body (the other of
    office and DRC is refused), or its unit once the approving body delegated it."""
    if caller.role != "unit":
        require_approving_body(caller, "acceptance.decide", code, _approving_body(session, code), [22])
        return caller.role
    if file.delegation is None:
        raise Forbidden(
            "acceptance is organised by the approving body; the unit records it "
            "only when the approving body delegated it",
            "竣工验收由项目审批部门组织；经项目审批部门委托后，项目建设单位方可组织并记录验收",
            articles=[22],
            details={"permission": "acceptance.decide", "project": code, "delegation": None},
        )
    return "unit"


class AcceptanceUseCases:
    """Acceptance's use cases — completion and the 3-month deadline and its extensions
    (第二十三条), the acceptance (第二十二条), going live and self-evaluation (第二十四条), annual
    reports (第十六条), post-evaluations, and the reads — against one context (store, clock,
    policy): each takes the caller and the domain arguments, keyword-only past the caller."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    # -- commands ----------------------------------------------------------------------------------

    def complete(self, caller: Identity, *, code: str, completed_on: date) -> dict:
        with self.ctx.store.transaction() as tx:
            row, file = _load(tx, caller, code, "acceptance.complete")
            due = file.complete(
                completed_on, self.ctx.today(), self.ctx.policy(file.regulation_version), caller.sub
            )
            _save(row, file)
            tx.emit_about(
                file,
                "construction_completed",
                {"completed_on": completed_on, "acceptance_due": due},
                [23],
            )
        return acceptance_view(file)

    def request_extension(self, caller: Identity, *, code: str, data: dict) -> dict:
        with self.ctx.store.transaction() as tx:
            row, file = _load(tx, caller, code, "acceptance.extension.request")
            file.request_extension(data["reason"], data["requested_due"], caller.sub, self.ctx.today())
            _save(row, file)
            tx.emit_about(
                file,
                "acceptance_extension_requested",
                {  # a step of the timeline
                    "reason": data["reason"],
                    "requested_due": data["requested_due"],
                    "acceptance_due": file.acceptance_due,
                    "requested_on": self.ctx.today(),
                },
                [23],
            )
        return acceptance_view(file)

    def decide_extension(self, caller: Identity, *, code: str, data: dict) -> dict:
        with self.ctx.store.transaction() as tx:
            row, file = _load(tx, caller, code, "acceptance.extension.decide")
            require_approving_body(
                caller, "acceptance.extension.decide", code, _approving_body(tx.session, code), [23]
            )
            previous, reason = file.acceptance_due, (file.extension or {}).get("reason", "")
            new_due = file.decide_extension(
                data["decision"] == "grant", caller.sub, self.ctx.today(), data.get("granted_due")
            )
            _save(row, file)
            tx.emit_about(
                file,
                "acceptance_extension_decided",
                {  # granted or refused: on the timeline
                    "decision": data["decision"],
                    "previous_due": previous,
                    "acceptance_due": file.acceptance_due,
                    "reason": reason,
                    "decided_by": caller.role,
                    "decided_on": self.ctx.today(),
                },
                [23],
            )
            if new_due:
                tx.emit_about(
                    file,
                    "acceptance_deadline_extended",
                    {"previous_due": previous, "acceptance_due": new_due, "reason": reason},
                    [23],
                )
        return acceptance_view(file)

    def apply(self, caller: Identity, *, code: str) -> dict:
        with self.ctx.store.transaction() as tx:
            row, file = _load(tx, caller, code, "acceptance.apply")
            file.apply(_archive(tx.session, code), self.ctx.policy(file.regulation_version), self.ctx.today())
            _save(row, file)
            tx.emit_about(file, "acceptance_applied", {"applied_on": self.ctx.today()}, [23])
        return acceptance_view(file)

    def decide(self, caller: Identity, *, code: str, data: dict) -> dict:
        today = self.ctx.today()
        with self.ctx.store.transaction() as tx:
            row, file = _load(tx, caller, code, "acceptance.decide")
            organised_by = _organiser(tx.session, caller, code, file)
            file.decide(
                data["passed"],
                data.get("findings") or "",
                data["report_document"],
                data.get("items") or {},
                caller.sub,
                today,
                facts=row.security or {},
            )
            file.file_with_office(organised_by, today)
            _save(row, file)
            tx.emit_about(
                file,
                "acceptance_decided",
                {
                    "passed": data["passed"],
                    "decided_on": today,
                    "report_document": data["report_document"],
                    "organised_by": organised_by,
                },
                [22, 23],
            )
        return acceptance_view(file)

    def delegate(self, caller: Identity, *, code: str, comments: str) -> dict:
        """The approving body delegates the acceptance to the unit (第二十二条); the step is on the
        timeline and the record shows it."""
        today = self.ctx.today()
        with self.ctx.store.transaction() as tx:
            row, file = _load(tx, caller, code, "acceptance.delegate")
            body = _approving_body(tx.session, code)
            require_approving_body(caller, "acceptance.delegate", code, body, [22])
            file.delegate(body or caller.role, caller.sub, comments, today)
            _save(row, file)
            tx.emit_about(
                file,
                "acceptance_delegated",
                {"delegated_by": body or caller.role, "comments": comments, "delegated_on": today},
                [22],
            )
        return acceptance_view(file)

    def go_live(self, caller: Identity, *, code: str, live_on: date) -> dict:
        with self.ctx.store.transaction() as tx:
            row, file = _load(tx, caller, code, "acceptance.go_live")
            file.go_live(live_on, _archive(tx.session, code))
            _save(row, file)
            window = file.evaluation_window(self.ctx.policy(file.regulation_version))
            tx.emit_about(
                file,
                "project_went_live",
                {"live_on": live_on, "window_opens": window.opens, "window_closes": window.closes},
                [24],
            )
        return acceptance_view(file)

    def self_evaluate(self, caller: Identity, *, code: str, report_document: str) -> dict:
        today = self.ctx.today()
        with self.ctx.store.transaction() as tx:
            row, file = _load(tx, caller, code, "acceptance.self_evaluate")
            file.file_self_evaluation(
                report_document, self.ctx.policy(file.regulation_version), today, caller.sub
            )
            _save(row, file)
            tx.emit_about(
                file,
                "self_evaluation_filed",
                {"filed_on": today, "report_document": report_document},
                [24],
            )
        return acceptance_view(file)

    def annual_report(self, caller: Identity, *, code: str, data: dict) -> dict:
        today = self.ctx.today()
        with self.ctx.store.transaction() as tx:
            row, file = _load(tx, caller, code, "acceptance.annual_report")
            on_time = check_annual_report(
                data["year"],
                today,
                data["in_trial_operation"],
                data.get("trial_run_effects"),
                self.ctx.policy(file.regulation_version),
            )
            refuse_if_filed(
                tx.session,
                AnnualReportRow,
                {"project_code": code, "year": data["year"]},
                f"the {data['year']} report is already filed",
                f"{data['year']} 年度报告已提交",
                articles=[16],
            )
            tx.session.add(
                AnnualReportRow(
                    project_code=code,
                    year=data["year"],
                    progress=data["progress"],
                    budget_execution=data["budget_execution"],
                    trial_run_effects=data.get("trial_run_effects"),
                    filed_on=today,
                    on_time=on_time,
                    filed_by=caller.sub,
                )
            )
            tx.emit_about(
                file,
                "annual_report_filed",
                {"year": data["year"], "filed_on": today, "on_time": on_time},
                [16],
            )
        return {"project": code, "year": data["year"], "filed_on": today.isoformat(), "on_time": on_time}

    def commission_post_evaluation(self, caller: Identity, *, code: str, evaluator: str) -> dict:
        with self.ctx.store.transaction() as tx:
            _, file = _load(tx, caller, code, "post_evaluation.commission")
            file.check_post_evaluation()
            row = PostEvaluationRow(
                id=f"PE-{uuid.uuid4().hex[:8].upper()}",
                project_code=code,
                evaluator=evaluator,
                commissioned_by=caller.sub,
                commissioned_on=self.ctx.today(),
            )
            tx.session.add(row)
        return post_evaluation_view(row)

    def report_post_evaluation(self, caller: Identity, *, evaluation_id: str, data: dict) -> dict:
        today = self.ctx.today()
        with self.ctx.store.transaction() as tx:
            row = get_or_not_found(
                tx.session,
                PostEvaluationRow,
                evaluation_id,
                what=("post-evaluation", "后评价"),
                for_update=True,
            )
            if row.evaluator != caller.sub:
                deny(caller, "post_evaluation.report", evaluation_id)
            if row.report is not None:
                raise StateConflict("the report is already filed", "后评价报告已提交", articles=[24])
            row.report = {**data, "on": today.isoformat()}
            _, file = _load(tx, caller, row.project_code, "post_evaluation.report")
            tx.emit_about(
                file,
                "post_evaluation_reported",
                {
                    "evaluation_id": row.id,
                    "evaluator": row.evaluator,
                    "conclusion": data["conclusion"],
                    "reported_on": today,
                },
                [24],
            )
        return post_evaluation_view(row)

    # -- reads -------------------------------------------------------------------------------------

    def acceptance(self, caller: Identity, *, code: str) -> dict:
        with self.ctx.store.read() as session:
            _known(session, caller, code, "acceptance.read")
            row = found(
                session.get(AcceptanceFileRow, code),
                f"acceptance has no file of project {code} before its approval",
                f"项目 {code} 立项前尚无验收档案",
                details={"project": code},
            )
            facts = dict(row.security or {})
            # the decision form, prefilled from what the suite knows (第二十八条, 第三十二条)
            return {
                **acceptance_view(_file(row)),
                "security": facts,
                "items_from_facts": items_from_facts(facts),
            }

    def archive(self, caller: Identity, *, code: str) -> dict:
        """The electronic archive (第二十条) — to its owner, its co-builders and oversight only, from
        registration on; and which of the reports acceptance needs are missing (all of them while
        it is empty: an empty archive is never complete)."""
        with self.ctx.store.read() as session:
            known = _registered(session, caller, code, "archive.read")
            docs = session.scalars(
                select(ArchiveDocumentRow)
                .where(ArchiveDocumentRow.project_code == code)
                .order_by(ArchiveDocumentRow.id)
            )
            documents = [
                {
                    "doc_type": d.doc_type,
                    "version": d.version,
                    "title": d.title,
                    "sha256": d.sha256,
                    "filed_by": d.filed_by,
                    "filed_at": d.filed_at.isoformat(),
                }
                for d in docs
            ]
            missing = missing_reports(_archive(session, code), self.ctx.policy(known.regulation_version))
            return {
                "project": code,
                "documents": documents,
                "complete_for_acceptance": not missing,
                "missing_for_acceptance": missing,
            }

    def annual_reports(
        self, caller: Identity, *, code: str, limit: int | None = None, after: list | None = None
    ) -> list[dict]:
        """第十六条: the unit reports to the approving body and to finance before each year's end.
        Read by the unit (its own projects only), the office, the approving body (the DRC only of
        a project it approved), finance and audit — the caller is checked before anything is said.
        By year; ``after``: the year of the page before's last report (keyset pagination on the
        unique (project_code, year))."""
        with self.ctx.store.read() as session:
            known = _registered(session, caller, code, "annual_report.read")
            if caller.role == "drc":  # the office oversees every project; the DRC reads its own
                require_approving_body(caller, "annual_report.read", code, known.approving_body, [16])
            order = (AnnualReportRow.year,)
            query = select(AnnualReportRow).where(AnnualReportRow.project_code == code).order_by(*order)
            rows = session.scalars(paging.after(query, order, after).limit(limit))
            return [
                {
                    "project": r.project_code,
                    "year": r.year,
                    "progress": r.progress,
                    "budget_execution": r.budget_execution,
                    "trial_run_effects": r.trial_run_effects,
                    "filed_on": r.filed_on.isoformat(),
                    "on_time": r.on_time,
                    "filed_by": r.filed_by,
                }
                for r in rows
            ]
