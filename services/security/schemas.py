"""Wire formats of security's commands (shape only; rules are in domain.py)."""

from __future__ import annotations

from marshmallow import fields, validate

from shared.paging import Cursor
from shared.wire import (  # noqa: F401  (load: the service's loader)
    Items,
    Length,
    Range,
    Resource,
    Strict,
    load,
)


class Protection(Strict):
    scheme = fields.String(required=True, validate=validate.OneOf(("graded", "classified")))
    level = fields.Integer(load_default=None, allow_none=True, validate=Range(min=1, max=5))


class Crypto(Strict):
    planned = fields.Boolean(required=True)
    built = fields.Boolean(required=True)
    running = fields.Boolean(required=True)


class KeyProduct(Strict):
    name = fields.String(required=True, validate=Length(min=1, max=300))
    category = fields.String(required=True, validate=Length(min=1, max=64))
    controllable = fields.Boolean(required=True)


class Profile(Strict):
    protection = fields.Nested(Protection, required=True)
    crypto = fields.Nested(Crypto, required=True)
    products = fields.List(fields.Nested(KeyProduct), load_default=list, validate=Items(max=200))


class RiskAssessment(Strict):
    assessed_on = fields.Date(required=True)
    result = fields.String(required=True, validate=Length(min=1, max=5000))
    report_document = fields.String(required=True, validate=Length(min=1, max=300))


class CryptoEvaluation(Strict):
    evaluated_on = fields.Date(required=True)
    result = fields.String(required=True, validate=Length(min=1, max=5000))


class SecrecyReview(Strict):
    decision = fields.String(required=True, validate=validate.OneOf(("confirm", "refuse")))
    comments = fields.String(load_default="", validate=Length(max=5000))


class Classification(Strict):
    """The secrecy bureau declares a project classified (第四条): why."""

    comments = fields.String(required=True, validate=Length(min=1, max=5000))


class SecrecyFinding(Strict):
    description = fields.String(required=True, validate=Length(min=1, max=5000))
    rectify_by = fields.Date(load_default=None, allow_none=True)


class SecrecyInspection(Strict):
    """The bureau's inspection of a classified project's secrecy work (第四条)."""

    inspected_on = fields.Date(required=True)
    scope = fields.String(required=True, validate=Length(min=1, max=5000))
    conclusion = fields.String(required=True, validate=validate.OneOf(("compliant", "non_compliant")))
    findings = fields.List(fields.Nested(SecrecyFinding), load_default=list, validate=Items(max=100))


class ClassifiedContent(Strict):
    goals = fields.String(load_default=None, allow_none=True, validate=Length(max=5000))
    content = fields.String(load_default=None, allow_none=True, validate=Length(max=20000))
    location = fields.String(load_default=None, allow_none=True, validate=Length(max=500))


class MovedDocument(Strict):
    """One document version the register held (第二十条), as it was filed there."""

    version = fields.Integer(required=True, validate=Range(min=1))
    title = fields.String(required=True, validate=Length(min=1, max=300))
    sha256 = fields.String(required=True, validate=validate.Regexp(r"^[0-9a-fA-F]{64}$"))
    filed_by = fields.String(required=True, validate=Length(min=1, max=200))
    filed_at = fields.String(required=True, validate=Length(min=1, max=64))


class MovedChange(Strict):
    """What a change request said of goal, location and content (第十八条)."""

    request_id = fields.String(required=True, validate=Length(min=1, max=32))
    goal = fields.String(validate=Length(min=1, max=5000))
    location = fields.String(validate=Length(min=1, max=500))
    content = fields.String(validate=Length(min=1, max=20000))


class MovedContent(ClassifiedContent):
    """What the register held of a project the bureau declares classified (第四条), carried to
    security in the declaring command (the gateway reads it from planning): it arrives here and
    leaves every other store; it never travels on the event bus."""

    catalog = fields.List(fields.Nested(Resource), load_default=list, validate=Items(max=1000))
    documents = fields.Dict(
        keys=fields.String(validate=Length(min=1, max=64)),
        values=fields.List(fields.Nested(MovedDocument), validate=Items(max=1000)),
        load_default=dict,
    )
    changes = fields.List(fields.Nested(MovedChange), load_default=list, validate=Items(max=1000))


class SecrecyInspectionPage(Strict):
    """A classified project's secrecy inspections in pages, by the day inspected and id:
    ``after`` is the `X-Next-Cursor` of the page before (keyset pagination)."""

    limit = fields.Integer(load_default=200, validate=Range(min=1, max=500))
    after = Cursor("date", "str")
