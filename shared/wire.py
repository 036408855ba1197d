"""Wire-format helpers every service's schemas share: strict schemas, loading with a bilingual
validation error, the document and catalog formats filed with more than one service, and the
views reads return."""

from __future__ import annotations

import functools
from datetime import date
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from shared.documents import DOC_TYPES, UPLOADABLE  # noqa: F401  (re-exported: the wire's vocabulary)
from shared.errors import ValidationFailed
from shared.events.schemas import Money

SHARING_TYPES = ("unconditional", "conditional", "none")  # 第二十七条
OPEN_TYPES = ("unconditional", "conditional", "none")


class Length(validate.Length):
    """A string's length limit, refused naming the limit in English and Chinese."""

    message_min = "Shorter than minimum length {min}. / 长度不得少于 {min} 个字符。"
    message_max = "Longer than maximum length {max}. / 长度不得超过 {max} 个字符。"
    message_all = "Length must be between {min} and {max}. / 长度须在 {min} 至 {max} 个字符之间。"
    message_equal = "Length must be {equal}. / 长度须为 {equal} 个字符。"


class Items(validate.Length):
    """A list's length limit (every list a client sends is bounded), named in both languages."""

    message_min = "At least {min} items. / 至少 {min} 项。"
    message_max = "More than the limit of {max} items. / 超过 {max} 项的上限。"
    message_all = "Between {min} and {max} items. / 须为 {min} 至 {max} 项。"
    message_equal = "Exactly {equal} items. / 须为 {equal} 项。"


class Range(validate.Range):
    """A number's range, refused naming the bounds in English and Chinese."""

    message_min = "Must be {min_op} {{min}}. / 不得小于 {{min}}。"
    message_max = "Must be {max_op} {{max}}. / 不得大于 {{max}}。"
    message_all = "Must be {min_op} {{min}} and {max_op} {{max}}. / 须在 {{min}} 至 {{max}} 之间。"


class Strict(Schema):
    """Unknown fields are an error, not silently dropped."""

    class Meta:
        unknown = RAISE


class ByLevel(Strict):
    """An amount for each level of government funding a project (省, 市, 县: 第四条, 第二十五条),
    each optional: a plan's shares (planning), a budget's arrangement by level (finance)."""

    province = Money(load_default=None)
    city = Money(load_default=None)
    county = Money(load_default=None)


@functools.cache
def schema_of(schema: type[Schema]) -> Schema:
    """One instance per schema class, reused (issue 19: building one copies its fields, several
    times the cost of loading with it). Loading keeps nothing on the instance (marshmallow 4 has
    no schema context), so threads and green threads may share it."""
    return schema()


def load(schema: type[Schema], data: Any) -> dict:
    try:
        return schema_of(schema).load(data if data is not None else {})
    except ValidationError as exc:
        raise ValidationFailed.from_marshmallow(exc.messages_dict) from None


def view(source: object, *names: str, **given: Any) -> dict[str, Any]:
    """A read's view of a row or a domain object, keyed in the order of ``names``: each the
    attribute of the same name (a date or a time in ISO form), or the value ``given`` for it
    (converted, or read under another name); ``given`` values not named follow."""
    shown = {name: given[name] if name in given else _plain(getattr(source, name)) for name in names}
    shown.update((name, value) for name, value in given.items() if name not in shown)
    return shown


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value  # a datetime is a date


class DocumentFiling(Strict):
    title = fields.String(required=True, validate=Length(min=1, max=300))
    sha256 = fields.String(
        required=True,
        validate=validate.Regexp(
            r"^[0-9a-fA-F]{64}$", error="must be a SHA-256 hex digest (64 hex characters)"
        ),
    )


class DocType(Strict):
    doc_type = fields.String(required=True, validate=validate.OneOf(UPLOADABLE))


class Resource(Strict):
    name = fields.String(required=True, validate=Length(min=1, max=200))
    source = fields.String(required=True, validate=Length(min=1, max=500))
    format = fields.String(required=True, validate=Length(min=1, max=100))
    update_frequency = fields.String(required=True, validate=Length(min=1, max=100))
    sharing_type = fields.String(required=True, validate=validate.OneOf(SHARING_TYPES))
    sharing_conditions = fields.String(load_default=None, allow_none=True, validate=Length(max=2000))
    open_type = fields.String(required=True, validate=validate.OneOf(OPEN_TYPES))


class Catalog(Strict):
    resources = fields.List(fields.Nested(Resource), required=True, validate=Items(min=1, max=1000))
