"""Wire formats of supervision's commands (shape only; rules are in the modules using them)."""
from marshmallow import fields, validate

from shared.wire import Strict


class Imposition(Strict):
    project = fields.String(required=True, validate=validate.Length(min=1, max=32))
    type = fields.String(required=True)
    finding = fields.String(load_default=None, allow_none=True)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class Lifting(Strict):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=5000))
