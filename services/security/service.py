"""Security service entrypoints (the secrecy bureau's service)."""
from datetime import UTC, datetime

from nameko.timer import timer

from services.security import application, schemas
from services.security.models import platform
from shared.messaging.reliable import reliable_handler
from shared.messaging.rpc import rpc
from shared.platform import Database, PlatformService, command, query
from shared.wire import Catalog, DocType, DocumentFiling, load


class SecurityService(PlatformService):
    name = "security"
    db = Database(platform)

    @reliable_handler("project_registered")
    def on_project_registered(self, event) -> None:
        self.db.handle_once(event, application.project_registered)

    @timer(interval=3600)
    def scan_duties(self) -> None:
        """Hourly: an overdue risk assessment or cryptography evaluation is a violation."""
        application.report_overdue_duties(self.db, self.clock.today())

    @rpc
    @command("security.profile")
    def put_profile(self, code: str, data: dict) -> dict:
        return application.put_profile(self.db, self.caller, code,
                                       schemas.load(schemas.Profile, data))

    @rpc
    @command("security.risk_assessment")
    def record_risk_assessment(self, code: str, data: dict) -> dict:
        return application.record_assessment(self.db, self.caller, code, "risk_assessment",
                                             schemas.load(schemas.RiskAssessment, data))

    @rpc
    @command("security.crypto_evaluation")
    def record_crypto_evaluation(self, code: str, data: dict) -> dict:
        return application.record_assessment(self.db, self.caller, code, "crypto_evaluation",
                                             schemas.load(schemas.CryptoEvaluation, data))

    @rpc
    @command("secrecy.review")
    def secrecy_review(self, code: str, data: dict) -> dict:
        return application.secrecy_review(self.db, self.clock, self.caller, code,
                                          schemas.load(schemas.SecrecyReview, data))

    @rpc
    @command("secrecy.classify")
    def classify(self, code: str, data: dict) -> dict:
        comments = schemas.load(schemas.Classification, data)["comments"]
        return application.classify(self.db, self.clock, self.caller, code, comments)

    @rpc
    @command("secrecy.inspect")
    def record_secrecy_inspection(self, code: str, data: dict) -> dict:
        return application.record_secrecy_inspection(
            self.db, self.clock, self.caller, code, schemas.load(schemas.SecrecyInspection, data))

    @rpc
    @query("secrecy.inspection.read")
    def secrecy_inspections(self, code: str) -> list[dict]:
        return application.secrecy_inspections(self.db, self.caller, code)

    @rpc
    @command("classified.write")
    def put_classified_content(self, code: str, data: dict) -> dict:
        return application.put_classified_content(self.db, self.caller, code,
                                                  schemas.load(schemas.ClassifiedContent, data))

    @rpc
    @command("classified.write")
    def file_classified_document(self, code: str, doc_type: str, data: dict) -> dict:
        doc_type = load(DocType, {"doc_type": doc_type})["doc_type"]
        filing = load(DocumentFiling, data)
        return application.file_classified_document(self.db, self.caller, code, doc_type,
                                                    filing, datetime.now(UTC))

    @rpc
    @command("classified.write")
    def put_classified_catalog(self, code: str, data: dict) -> dict:
        catalog = load(Catalog, data)
        return application.put_classified_catalog(self.db, self.caller, code,
                                                  catalog["resources"])

    @rpc
    @query("classified.read")
    def get_classified_content(self, code: str) -> dict:
        return application.get_classified_content(self.db, self.caller, code)

    @rpc
    @query("security.read")
    def get_security(self, code: str) -> dict:
        return application.view(self.db, self.caller, code)
