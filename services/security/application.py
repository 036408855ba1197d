"""Security's use cases. A classified project's content enters and leaves only here."""

from __future__ import annotations

import copy
import uuid
from datetime import date, datetime

from sqlalchemy import func, select

from services.security import domain
from services.security.models import (
    AssessmentRow,
    ClassifiedContentRow,
    SecrecyInspectionRow,
    SecurityFileRow,
)
from services.security.views import classified_view, inspection_view
from shared import paging
from shared.authz import Identity, deny, require_readers, sees_classified_content
from shared.context import AppContext
from shared.documents import check_replacement
from shared.errors import NotFound, RuleViolation
from shared.events import Event
from shared.persistence.lookup import found, known_yet
from shared.persistence.store import Transaction

DUTIES = ("risk_assessment", "crypto_evaluation")


def project_registered(tx: Transaction, event: Event) -> None:
    if tx.session.get(SecurityFileRow, event.project_code) is None:
        data = event.data()
        tx.session.add(
            SecurityFileRow(
                project_code=event.project_code,
                owner_unit=data["unit"],
                co_builders=list(data["co_builders"]),
                classified=data["classified"],
                regulation_version=event.regulation_version,
                registered_on=data["registered_on"],
                duties_reported={},
            )
        )


def _known_file(tx: Transaction, code: str) -> SecurityFileRow:
    """The project's file, for an approval event — retried while it overtook the registration."""
    return known_yet(tx.session, SecurityFileRow, code, "the security file of project")


def project_approved(tx: Transaction, event: Event) -> None:
    """The project is approved (立项): its plan and budget are what it is built to (第十七条)."""
    row = _known_file(tx, event.project_code)
    row.approved_on = row.approved_on or event.data()["approved_on"]


def change_approved(tx: Transaction, event: Event) -> None:
    """An approved change (第十八条) — a fixed-asset project's once the DRC re-approved it
    (change_reapproved): each lets a classified project's plan and budget be replaced here once."""
    data = event.data()
    if data["decision"] != "approve" or data.get("awaiting_drc"):
        return
    row = _known_file(tx, event.project_code)
    changes = list(row.approved_changes or [])
    if all(c["id"] != data["request_id"] for c in changes):
        row.approved_changes = [*changes, {"id": data["request_id"], "replaced": []}]


def _replacing(row: SecurityFileRow, versions: list, doc_type: str) -> dict | None:
    """The approved change a new version of ``doc_type`` uses (the first that has not replaced
    it yet) — or None when none is needed; refused when one is needed and none is left
    (第十七条, 第十八条: the register's rule, shared.documents.check_replacement)."""
    change = next((c for c in row.approved_changes or [] if doc_type not in c["replaced"]), None)
    check_replacement(
        doc_type,
        approved=row.approved_on is not None,
        on_file=bool(versions),
        change=change is not None,
        details={"approved_on": row.approved_on.isoformat() if row.approved_on else None},
    )
    return change if versions and row.approved_on is not None else None


def _file(
    tx_or_session,
    caller: Identity,
    code: str,
    permission: str,
    *,
    lock: bool = False,
    owner_only: bool = False,
) -> SecurityFileRow:
    """The project's security file, once the caller may see it — or, ``owner_only``, act on it
    (a unit: the owner only). The check comes first: to a unit, an unknown code is refused
    like another unit's project (shared.authz.require_project)."""
    session = getattr(tx_or_session, "session", tx_or_session)
    row = session.get(SecurityFileRow, code, with_for_update=lock)
    require_readers(caller, permission, code, row, owner_only=owner_only)
    return found(
        row,
        f"security has no file of project {code} (yet)",
        f"安全管理尚无项目 {code} 的档案",
        details={"project": code},
    )


# -- classified content (第四条, docs/regulation.md §13) ------------------------------------------------


def _content(tx: Transaction, caller: Identity, code: str) -> tuple[SecurityFileRow, ClassifiedContentRow]:
    row = _file(tx, caller, code, "classified.write", lock=True, owner_only=True)
    if not row.classified:
        raise RuleViolation(
            "only a classified project's content is held here", "仅涉密项目的内容在此保存", articles=[4]
        )
    content = tx.session.get(ClassifiedContentRow, code)
    if content is None:
        content = ClassifiedContentRow(project_code=code, details={})
        tx.session.add(content)
    return row, content


def _publish_material(tx: Transaction, row: SecurityFileRow, details: dict) -> None:
    tx.emit_about(
        row,
        "classified_material_filed",
        {"doc_types": sorted(details.get("documents", {})), "catalog": bool(details.get("catalog"))},
        [4, 20],
    )


def _moved_here(tx: Transaction, code: str, moved: dict) -> ClassifiedContentRow:
    """What the register held of a project just declared classified (第四条), kept here as
    its classified content: goals, content and location; the catalog; every document version
    as filed (a later filing here is the next version); what change requests said of goal,
    location and content."""
    held = tx.session.get(ClassifiedContentRow, code)
    if held is None:
        held = ClassifiedContentRow(project_code=code, details={})
        tx.session.add(held)
    held.goals, held.content, held.location = moved["goals"], moved["content"], moved["location"]
    details = copy.deepcopy(held.details or {})
    if moved["catalog"]:
        details["catalog"] = moved["catalog"]
    if moved["documents"]:
        details["documents"] = {
            doc_type: [{**v, "sha256": v["sha256"].lower()} for v in versions]
            for doc_type, versions in moved["documents"].items()
        }
    if moved["changes"]:
        details["changes"] = moved["changes"]
    held.details = details
    return held


class SecurityUseCases:
    """The secrecy bureau's and the units' security use cases, against one context (store, clock,
    policy): each takes the caller and the domain arguments, keyword-only past the caller."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    # -- classified content (第四条, docs/regulation.md §13) ----------------------------------------

    def put_classified_content(self, caller: Identity, *, code: str, data: dict) -> dict:
        with self.ctx.store.transaction() as tx:
            _, content = _content(tx, caller, code)
            content.goals, content.content, content.location = (
                data.get("goals"),
                data.get("content"),
                data.get("location"),
            )
        return classified_view(content)

    def file_classified_document(
        self, caller: Identity, *, code: str, doc_type: str, data: dict, at: datetime
    ) -> dict:
        """A classified project's document (第二十条) — kept here; only its type is published."""
        with self.ctx.store.transaction() as tx:
            row, content = _content(tx, caller, code)
            details = copy.deepcopy(content.details or {})
            versions = details.setdefault("documents", {}).setdefault(doc_type, [])
            change = _replacing(row, versions, doc_type)
            if change is not None:  # each approved change replaces each document once (第十八条)
                row.approved_changes = [
                    {**c, "replaced": [*c["replaced"], doc_type]} if c["id"] == change["id"] else c
                    for c in row.approved_changes
                ]
            versions.append(
                {
                    "version": len(versions) + 1,
                    "title": data["title"],
                    "sha256": data["sha256"].lower(),
                    "filed_by": caller.sub,
                    "filed_at": at.isoformat(),
                }
            )
            content.details = details
            _publish_material(tx, row, details)
        return classified_view(content)

    def put_classified_catalog(self, caller: Identity, *, code: str, resources: list) -> dict:
        """A classified project's information-resource catalog (第二十七条), kept here."""
        with self.ctx.store.transaction() as tx:
            row, content = _content(tx, caller, code)
            details = copy.deepcopy(content.details or {})
            details["catalog"] = resources
            content.details = details
            _publish_material(tx, row, details)
        return classified_view(content)

    def get_classified_content(self, caller: Identity, *, code: str) -> dict:
        with self.ctx.store.read() as session:
            # 涉密 content: its unit (not co-builders) and the bureau — checked before anything
            # (even whether the project is classified) is said
            row = _file(session, caller, code, "classified.read", owner_only=True)
            if not sees_classified_content(caller, row.owner_unit):
                deny(caller, "classified.read", code)
            if not row.classified:
                raise NotFound(
                    f"project {code} is not classified",
                    f"项目 {code} 不是涉密项目",
                    details={"project": code},
                )
            content = found(
                session.get(ClassifiedContentRow, code),
                f"no classified content filed for {code}",
                f"项目 {code} 尚未报送涉密内容",
                details={"project": code},
            )
            return classified_view(content)

    # -- the secrecy bureau (第四条) --------------------------------------------------------------

    def secrecy_review(self, caller: Identity, *, code: str, data: dict) -> dict:
        today = self.ctx.today()
        with self.ctx.store.transaction() as tx:
            row = _file(tx, caller, code, "secrecy.review", lock=True)
            domain.check_secrecy_review(row.classified, row.secrecy_decision)
            row.secrecy_decision, row.secrecy_comments, row.secrecy_decided_on = (
                data["decision"],
                data.get("comments") or "",
                today,
            )
            tx.emit_about(
                row, "secrecy_review_decided", {"decision": data["decision"], "decided_on": today}, [4]
            )
        return self.view(caller, code=code)

    def classify(self, caller: Identity, *, code: str, comments: str, content: dict | None = None) -> dict:
        """The bureau declares the project classified (第四条 涉密项目有关事宜的审查确认) — not
        only a unit's self-declaration. Its content then belongs here alone: ``content``, what
        the register held (read by the gateway for this command), is kept here in the same
        transaction as the declaration; the register, the archive and the review cases drop
        theirs on ``project_classified`` (which carries none of it, nor the reasons, kept here);
        ``classified_material_filed`` says which document types are now on file here. The unit
        files anything further with this service, and the bureau's review follows. Once: a
        second declaration is refused, a retry of this one (its Idempotency-Key) answers the
        first outcome — nothing is moved twice."""
        today = self.ctx.today()
        with self.ctx.store.transaction() as tx:
            row = _file(tx, caller, code, "secrecy.classify", lock=True)
            domain.check_classification(row.classified)
            row.classified = True
            row.classified_by_bureau = {
                "declared_on": today.isoformat(),
                "by": caller.sub,
                "comments": comments,
            }
            tx.emit_about(row, "project_classified", {"declared_on": today}, [4])
            if content is not None:
                held = _moved_here(tx, code, content)
                if held.details.get("documents") or held.details.get("catalog"):
                    _publish_material(tx, row, held.details)
        return self.view(caller, code=code)

    def record_secrecy_inspection(self, caller: Identity, *, code: str, data: dict) -> dict:
        """The bureau's inspection of a classified project's secrecy work and its findings
        (第四条 对项目建设使用单位保密业务进行监督管理): kept here only, never published."""
        today = self.ctx.today()
        with self.ctx.store.transaction() as tx:
            row = _file(tx, caller, code, "secrecy.inspect", lock=True)
            domain.check_inspection(
                row.classified, data["inspected_on"], today, data["conclusion"], data["findings"]
            )
            inspection = SecrecyInspectionRow(
                id=f"SI-{uuid.uuid4().hex[:8].upper()}",
                project_code=code,
                inspected_on=data["inspected_on"],
                inspected_by=caller.sub,
                scope=data["scope"],
                conclusion=data["conclusion"],
                recorded_on=today,
                findings=[
                    {
                        "description": f["description"],
                        "rectify_by": f["rectify_by"].isoformat() if f.get("rectify_by") else None,
                    }
                    for f in data["findings"]
                ],
            )
            tx.session.add(inspection)
            tx.session.flush()
            return inspection_view(inspection)

    def secrecy_inspections(
        self, caller: Identity, *, code: str, limit: int | None = None, after: list | None = None
    ) -> list[dict]:
        """The bureau's inspections of a classified project: the bureau and the owning unit only
        (checked before anything, even whether the project is classified, is said). By the day
        inspected and id; ``after``: that key of the page before's last one (keyset pagination,
        index (project_code, inspected_on, id))."""
        order = (SecrecyInspectionRow.inspected_on, SecrecyInspectionRow.id)
        query = select(SecrecyInspectionRow).where(SecrecyInspectionRow.project_code == code).order_by(*order)
        with self.ctx.store.read() as session:
            row = _file(session, caller, code, "secrecy.inspection.read", owner_only=True)
            if not sees_classified_content(caller, row.owner_unit):
                deny(caller, "secrecy.inspection.read", code)
            return [
                inspection_view(i) for i in session.scalars(paging.after(query, order, after).limit(limit))
            ]

    # -- profile, assessments, evaluations (第三十条–第三十二条) -----------------------------------

    def put_profile(self, caller: Identity, *, code: str, data: dict) -> dict:
        with self.ctx.store.transaction() as tx:
            row = _file(tx, caller, code, "security.profile", lock=True, owner_only=True)
            domain.check_profile(row.classified, data["protection"], data["crypto"])
            row.profile = data
            tx.emit_about(
                row,
                "security_profile_recorded",
                {
                    "scheme": data["protection"]["scheme"],
                    "level": data["protection"].get("level"),
                    "crypto": data["crypto"],
                    "products_all_controllable": all(p["controllable"] for p in data["products"]),
                },
                [30, 31, 32],
            )
        return self.view(caller, code=code)

    def record_assessment(self, caller: Identity, *, code: str, kind: str, data: dict) -> dict:
        on = data["assessed_on"] if kind == "risk_assessment" else data["evaluated_on"]
        with self.ctx.store.transaction() as tx:
            row = _file(tx, caller, code, f"security.{kind}", lock=True, owner_only=True)
            tx.session.add(
                AssessmentRow(
                    project_code=code,
                    kind=kind,
                    on_date=on,
                    result=data["result"],
                    report_document=data.get("report_document"),
                    filed_by=caller.sub,
                )
            )
            if kind == "risk_assessment":
                tx.emit_about(
                    row,
                    "risk_assessment_recorded",
                    {"assessed_on": on, "result": data["result"], "report_document": data["report_document"]},
                    [30],
                )
            else:
                tx.emit_about(
                    row,
                    "crypto_evaluation_recorded",
                    {"evaluated_on": on, "result": data["result"]},
                    [31],
                )
        return self.view(caller, code=code)

    def report_overdue_duties(self, *, as_of: date) -> list[tuple[str, str]]:
        """Each periodic duty overdue under the policy is reported once per due date."""
        reported = []
        with self.ctx.store.transaction() as tx:
            last = dict(
                ((p, k), d)
                for p, k, d in tx.session.execute(
                    select(
                        AssessmentRow.project_code, AssessmentRow.kind, func.max(AssessmentRow.on_date)
                    ).group_by(AssessmentRow.project_code, AssessmentRow.kind)
                )
            )
            for row in tx.session.scalars(
                select(SecurityFileRow).where(SecurityFileRow.profile.is_not(None)).with_for_update()
            ):
                if not row.profile:
                    continue
                policy = self.ctx.policy(row.regulation_version)
                done = dict(row.duties_reported or {})
                for duty in DUTIES:
                    since = last.get((row.project_code, duty))
                    due = domain.duty_due(policy, duty, since or row.registered_on)
                    if as_of > due and done.get(duty) != due.isoformat():
                        done[duty] = due.isoformat()
                        tx.emit_about(
                            row,
                            "security_duty_overdue",
                            {"duty": duty, "last_on": since, "due_on": due, "detected_on": as_of},
                            [30] if duty == "risk_assessment" else [31],
                        )
                        reported.append((row.project_code, duty))
                row.duties_reported = done
        return reported

    def view(self, caller: Identity, *, code: str) -> dict:
        with self.ctx.store.read() as session:
            row = _file(session, caller, code, "security.read")
            assessments = session.scalars(
                select(AssessmentRow)
                .where(AssessmentRow.project_code == code)
                .order_by(AssessmentRow.on_date)
            )
            details = not row.classified or sees_classified_content(caller, row.owner_unit)
            return {
                "project": code,
                "classified": row.classified,
                # the bureau's own declaration (第四条): when; its reasons to those who see details
                "classified_by_bureau": (
                    {k: v for k, v in row.classified_by_bureau.items() if details or k == "declared_on"}
                    if row.classified_by_bureau
                    else None
                ),
                "secrecy_review": {
                    "decision": row.secrecy_decision,
                    "decided_on": row.secrecy_decided_on.isoformat() if row.secrecy_decided_on else None,
                },
                # a classified system's security details reach only its unit and the bureau
                "profile": row.profile if details else None,
                "assessments": [
                    {
                        "kind": a.kind,
                        "on": a.on_date.isoformat(),
                        "result": a.result,
                        "report_document": a.report_document,
                    }
                    for a in assessments
                ]
                if details
                else None,
            }
