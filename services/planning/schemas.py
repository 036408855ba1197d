"""Wire formats of planning's RPC commands (shape only; rules are in domain.py)."""
from __future__ import annotations

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from services.planning.domain import KINDS, LEVELS
from shared.errors import ValidationFailed
from shared.events.schemas import Money


class Budget(Schema):
    total = Money(required=True)


class ProjectRegistration(Schema):
    class Meta:
        unknown = RAISE

    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    level = fields.String(required=True, validate=validate.OneOf(LEVELS))
    plan_item = fields.String(load_default=None, allow_none=True)
    fixed_asset_investment = fields.Boolean(load_default=False)
    new_civil_works = fields.Boolean(load_default=False)
    classified = fields.Boolean(load_default=False)
    budget = fields.Nested(Budget, required=True)


def load(schema: type[Schema], data) -> dict:
    try:
        return schema().load(data)
    except ValidationError as exc:
        raise ValidationFailed.from_marshmallow(exc.messages) from None


def project_view(project) -> dict:
    return {
        "code": project.code, "name": project.name, "unit": project.unit, "kind": project.kind,
        "level": project.level, "plan_item": project.plan_item,
        "budget": {"total": f"{project.budget_total:.2f}"},
        "fixed_asset_investment": project.fixed_asset_investment,
        "new_civil_works": project.new_civil_works, "classified": project.classified,
        "regulation_version": project.regulation_version,
        "registered_on": project.registered_on.isoformat(), "status": project.status,
        "submissions": project.submissions,
    }
