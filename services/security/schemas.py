"""Wire formats of security's commands (shape only; rules are in domain.py)."""

from __future__ import annotations

from marshmallow import fields, validate

from shared.wire import Items, Length, Range, Strict, load  # noqa: F401  (load: the service's loader)


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
