"""HTML forms from the services' marshmallow schemas: which fields, which are required, their
length limits and choices, and how an HTML form's flat fields become the JSON body the API
takes. Nested fields are named with dots (``budget.total``), list items with their index
(``resources.0.name``); the API's validation errors come back in the same shape and are shown
beside the field they name."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from marshmallow import Schema, fields, validate

from shared.events.schemas import Money

# "34, 35", "34、35" or "34 35": how people type a few numbers in one box
_LIST_SEPARATORS = re.compile(r"[\s,，、;；]+")


@dataclass
class Field:
    name: str  # dotted form name: "budget.total"
    key: str  # the schema's field name, for its label: "total"
    kind: str  # text, textarea, select, checkbox, date, money, number,
    # list (several values in one box, e.g. articles "34, 35")
    required: bool = False
    maxlength: int | None = None
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[str, ...] = ()
    pattern: str | None = None
    children: list[Field] = field(default_factory=list)  # a nested group
    rows: list[list[Field]] = field(default_factory=list)  # a list of nested items
    label: tuple[str, str] | None = None  # the page's own label where the name is ambiguous
    numbers: bool = False  # a list of integers


def describe(
    schema: type[Schema] | Schema,
    prefix: str = "",
    only: tuple[str, ...] = (),
    rows: int = 1,
    within_required: bool = True,
) -> list[Field]:
    """The form fields of a schema, in declaration order (or in the order of ``only``).
    A field inside an optional group or a list item is required only once that is filled in,
    which the API checks: the page does not insist on it."""
    declared = (schema if isinstance(schema, Schema) else schema()).fields
    names = only or tuple(declared)
    return [_field(declared[name], prefix + name, name, rows, within_required) for name in names]


def _field(f: fields.Field, name: str, key: str, rows: int, within_required: bool) -> Field:
    out = Field(name=name, key=key, kind="text", required=f.required and within_required)
    for v in f.validators:
        if isinstance(v, validate.Length):
            out.maxlength = v.max if out.maxlength is None else out.maxlength
        elif isinstance(v, validate.OneOf):
            out.kind, out.choices = "select", tuple(v.choices)
        elif isinstance(v, validate.Range):
            out.minimum, out.maximum = v.min, v.max
        elif isinstance(v, validate.Regexp):
            out.pattern = v.regex.pattern.lstrip("^").rstrip("$")
    if isinstance(f, Money):
        out.kind, out.pattern = "money", r"[0-9]+(\.[0-9]{1,2})?"
    elif isinstance(f, fields.Boolean):
        out.kind = "checkbox"
    elif isinstance(f, fields.Date):
        out.kind = "date"
    elif isinstance(f, fields.Integer):
        out.kind = "number"
    elif isinstance(f, fields.Nested):
        out.kind, out.children = "group", describe(f.schema, name + ".", within_required=out.required)
    elif isinstance(f, fields.List) and isinstance(f.inner, fields.Nested):
        out.kind = "rows"
        out.rows = [describe(f.inner.schema, f"{name}.{i}.", within_required=False) for i in range(rows)]
    elif isinstance(f, fields.List):
        # a short list of plain values (articles cited) typed in one box, the inner choices
        # kept as a hint; the API checks each value
        inner = _field(f.inner, name, key, rows, within_required)
        out.kind, out.numbers, out.choices = "list", isinstance(f.inner, fields.Integer), inner.choices
        out.maxlength = None  # the list's item count, not the box's characters
    elif out.kind == "text" and (out.maxlength or 0) > 300:
        out.kind = "textarea"
    return out


def body_from(form: Any, specs: list[Field]) -> dict:
    """The JSON body from a submitted form: empty fields are left out (the API then names what
    is required), unticked boxes are false, list items with nothing filled in are dropped."""
    body: dict[str, Any] = {}
    for spec in specs:
        if spec.kind == "group":
            inner = body_from(form, spec.children)
            if inner:
                body[spec.key] = inner
        elif spec.kind == "rows":
            items = [
                item
                for item in (body_from(form, row) for row in spec.rows)
                if any(v not in (None, False) for v in item.values())
            ]
            if items or spec.required:
                body[spec.key] = items
        elif spec.kind == "checkbox":
            body[spec.key] = form.get(spec.name) in ("on", "true", "1")
        elif spec.kind == "list":
            values = [v for v in _LIST_SEPARATORS.split(form.get(spec.name) or "") if v]
            if values or spec.required:
                body[spec.key] = [int(v) if spec.numbers and v.isdigit() else v for v in values]
        else:
            value = (form.get(spec.name) or "").strip()
            if value:
                body[spec.key] = int(value) if spec.kind == "number" and value.isdigit() else value
    return body


def flatten_errors(details: Any, prefix: str = "") -> dict[str, str]:
    """marshmallow's nested messages → {"budget.total": "…"}; the API's validation details."""
    out: dict[str, str] = {}
    if isinstance(details, dict):
        for key, value in details.items():
            out.update(flatten_errors(value, f"{prefix}{key}."))
    elif isinstance(details, list | tuple):
        texts = [str(v) for v in details if not isinstance(v, dict | list)]
        if texts:
            out[prefix.rstrip(".")] = " ".join(texts)
        for value in details:
            if isinstance(value, dict | list):
                out.update(flatten_errors(value, prefix))
    elif details is not None:
        out[prefix.rstrip(".")] = str(details)
    return out


def values_of(data: Any, prefix: str = "") -> dict[str, Any]:
    """A JSON object as the form's flat values, to fill a form in again."""
    out: dict[str, Any] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            out.update(values_of(value, f"{prefix}{key}."))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            out.update(values_of(value, f"{prefix}{i}."))
    else:
        out[prefix.rstrip(".")] = data
    return out
