"""Security service entrypoints (the secrecy bureau's service)."""

from datetime import UTC, datetime

from nameko.timer import timer

from services.security import application, schemas
from services.security.application import SecurityUseCases
from services.security.models import platform
from shared.messaging.rpc import rpc
from shared.platform import Database, PlatformService, command, query, subscribe
from shared.wire import Catalog, DocType, DocumentFiling, load


class SecurityService(PlatformService[SecurityUseCases]):
    name = "security"
    db = Database(platform)
    use_cases = SecurityUseCases

    # the project's own row(s), created or completed, never waiting for another event: batched
    on_project_registered = subscribe("project_registered", application.project_registered, batched=True)
    # approval's facts: after approval a classified project's plan and budget are replaced
    # only under an approved change (第十七条, 第十八条)
    on_project_approved = subscribe("project_approved", application.project_approved)
    on_change_decided = subscribe("change_decided", application.change_approved)
    on_change_reapproved = subscribe("change_reapproved", application.change_approved)

    @timer(interval=3600)
    def scan_duties(self) -> None:
        """Hourly: an overdue risk assessment or cryptography evaluation is a violation."""
        self.cases.report_overdue_duties(as_of=self.clock.today())

    @rpc
    @command("security.profile")
    def put_profile(self, code: str, data: dict) -> dict:
        return self.cases.put_profile(self.caller, code=code, data=schemas.load(schemas.Profile, data))

    @rpc
    @command("security.risk_assessment")
    def record_risk_assessment(self, code: str, data: dict) -> dict:
        return self.cases.record_assessment(
            self.caller, code=code, kind="risk_assessment", data=schemas.load(schemas.RiskAssessment, data)
        )

    @rpc
    @command("security.crypto_evaluation")
    def record_crypto_evaluation(self, code: str, data: dict) -> dict:
        return self.cases.record_assessment(
            self.caller,
            code=code,
            kind="crypto_evaluation",
            data=schemas.load(schemas.CryptoEvaluation, data),
        )

    @rpc
    @command("secrecy.review")
    def secrecy_review(self, code: str, data: dict) -> dict:
        return self.cases.secrecy_review(
            self.caller, code=code, data=schemas.load(schemas.SecrecyReview, data)
        )

    @rpc
    @command("secrecy.classify")
    def classify(self, code: str, data: dict, content: dict | None = None) -> dict:
        """``content``: what the register held, read from planning by the gateway for this
        command (第四条: it moves here) — None when the register holds none (any more)."""
        comments = schemas.load(schemas.Classification, data)["comments"]
        moved = schemas.load(schemas.MovedContent, content) if content is not None else None
        return self.cases.classify(self.caller, code=code, comments=comments, content=moved)

    @rpc
    @command("secrecy.inspect")
    def record_secrecy_inspection(self, code: str, data: dict) -> dict:
        return self.cases.record_secrecy_inspection(
            self.caller, code=code, data=schemas.load(schemas.SecrecyInspection, data)
        )

    @rpc
    @query("secrecy.inspection.read")
    def secrecy_inspections(self, code: str, filters: dict | None = None) -> list[dict]:
        page = load(schemas.SecrecyInspectionPage, filters or {})
        return self.cases.secrecy_inspections(
            self.caller, code=code, limit=page["limit"], after=page.get("after")
        )

    @rpc
    @command("classified.write")
    def put_classified_content(self, code: str, data: dict) -> dict:
        return self.cases.put_classified_content(
            self.caller, code=code, data=schemas.load(schemas.ClassifiedContent, data)
        )

    @rpc
    @command("classified.write")
    def file_classified_document(self, code: str, doc_type: str, data: dict) -> dict:
        doc_type = load(DocType, {"doc_type": doc_type})["doc_type"]
        filing = load(DocumentFiling, data)
        return self.cases.file_classified_document(
            self.caller, code=code, doc_type=doc_type, data=filing, at=datetime.now(UTC)
        )

    @rpc
    @command("classified.write")
    def put_classified_catalog(self, code: str, data: dict) -> dict:
        catalog = load(Catalog, data)
        return self.cases.put_classified_catalog(self.caller, code=code, resources=catalog["resources"])

    @rpc
    @query("classified.read")
    def get_classified_content(self, code: str) -> dict:
        return self.cases.get_classified_content(self.caller, code=code)

    @rpc
    @query("security.read")
    def get_security(self, code: str) -> dict:
        return self.cases.view(self.caller, code=code)
