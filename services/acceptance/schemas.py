"""Wire formats of acceptance's commands (shape only; rules are in domain.py)."""

from __future__ import annotations

from marshmallow import fields, validate

from shared.paging import Cursor
from shared.wire import Length, Range, Strict, load  # noqa: F401  (load: the service's loader)


class AnnualReport(Strict):
    year = fields.Integer(required=True, validate=Range(min=2000, max=2200))
    progress = fields.String(required=True, validate=Length(min=1, max=20000))
    budget_execution = fields.String(required=True, validate=Length(min=1, max=20000))
    in_trial_operation = fields.Boolean(load_default=False)
    trial_run_effects = fields.String(load_default=None, allow_none=True, validate=Length(max=20000))


class Completion(Strict):
    completed_on = fields.Date(required=True)


class ExtensionRequest(Strict):
    reason = fields.String(required=True, validate=Length(min=1, max=5000))
    requested_due = fields.Date(required=True)


class ExtensionDecision(Strict):
    decision = fields.String(required=True, validate=validate.OneOf(("grant", "refuse")))
    granted_due = fields.Date(load_default=None, allow_none=True)


class AcceptanceItems(Strict):
    """Each item not stated is taken from what the suite knows (items_from_facts on
    GET /projects/{code}/acceptance); a pass the facts contradict is refused."""

    catalog_registered = fields.Boolean(load_default=None, allow_none=True)  # 第二十八条
    products_controllable = fields.Boolean(load_default=None, allow_none=True)  # 第三十二条


class AcceptanceDecision(Strict):
    passed = fields.Boolean(required=True)
    findings = fields.String(load_default="", validate=Length(max=20000))
    report_document = fields.String(required=True, validate=Length(min=1, max=300))
    items = fields.Nested(AcceptanceItems, load_default=dict)


class Delegation(Strict):
    comments = fields.String(load_default="", validate=Length(max=5000))


class GoLive(Strict):
    live_on = fields.Date(required=True)


class SelfEvaluation(Strict):
    report_document = fields.String(required=True, validate=Length(min=1, max=300))


class Commission(Strict):
    evaluator = fields.String(required=True, validate=Length(min=1, max=200))


class EvaluationReport(Strict):
    report_document = fields.String(required=True, validate=Length(min=1, max=300))
    conclusion = fields.String(required=True, validate=Length(min=1, max=20000))


class AnnualReportPage(Strict):
    """A project's annual reports in pages, by year: ``after`` is the `X-Next-Cursor` of the
    page before (keyset pagination)."""

    limit = fields.Integer(load_default=200, validate=Range(min=1, max=500))
    after = Cursor("int")
