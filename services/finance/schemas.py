"""Wire formats of finance's commands (shape only; rules are in domain.py)."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.finance.domain import CONTRACT_PURPOSE, LEVELS, PURPOSES
from shared.events.schemas import Money
from shared.paging import Cursor
from shared.wire import ByLevel, Items, Length, Range, Strict, load  # noqa: F401  (load: the service's loader)

PRODUCT_CATEGORIES = (
    "security_equipment",
    "core_network",
    "base_software",
    "system_software",
    "business_software",
    "other",
)  # 第三十二条


class PurposeBudget(Strict):
    total = Money(required=True)
    by_level = fields.Nested(ByLevel, required=True)


class BudgetReview(Strict):
    """One year's budget review result (第十一条 annual arrangements) for one or both purposes;
    ``year`` defaults to the current year."""

    year = fields.Integer(
        load_default=None,
        validate=Range(min=2000, max=2200),
        metadata={"description": "the budget year; default the current year of the suite's clock"},
    )
    construction = fields.Nested(PurposeBudget, load_default=None)
    om = fields.Nested(PurposeBudget, load_default=None)

    @validates_schema
    def _a_purpose(self, data, **kwargs):
        if data.get("construction") is None and data.get("om") is None:
            raise ValidationError(
                "construction or om (or both) / 须填写建设资金或运行维护经费", "construction"
            )


class ContractProduct(Strict):
    name = fields.String(required=True, validate=Length(min=1, max=300))
    category = fields.String(required=True, validate=validate.OneOf(PRODUCT_CATEGORIES))
    controllable = fields.Boolean(required=True)


class Contract(Strict):
    contract_no = fields.String(required=True, validate=Length(min=1, max=100))
    supplier = fields.String(required=True, validate=Length(min=1, max=300))
    purpose = fields.String(
        load_default=None,
        validate=validate.OneOf(PURPOSES),
        metadata={
            "description": "what the contract pays for: construction "
            f"(the default; {CONTRACT_PURPOSE}) or om (the default of an "
            "O&M project); it pays no other purpose (第十七条)"
        },
    )
    amount = Money(required=True, positive=True)
    signed_on = fields.Date(required=True)
    # 第十三条 合同文本报…备案: the contract is filed as its text — at least the text's digest
    text_sha256 = fields.String(
        required=True,
        validate=validate.Regexp(
            r"^[0-9a-fA-F]{64}$",
            error="must be the SHA-256 hex digest of the contract text "
            "(64 hex characters) / 须为合同文本的 SHA-256 摘要（64 位十六进制）",
        ),
        metadata={"description": "SHA-256 of the contract text filed (第十三条)"},
    )
    document = fields.String(
        load_default=None,
        allow_none=True,
        validate=Length(min=1, max=300),
        metadata={"description": "the contract text's document (file name or archive reference), optional"},
    )
    products = fields.List(fields.Nested(ContractProduct), load_default=list, validate=Items(max=200))


class Disbursement(Strict):
    purpose = fields.String(required=True, validate=validate.OneOf(PURPOSES))
    amount = Money(required=True, positive=True)
    contract_no = fields.String(required=True, validate=Length(min=1, max=100))
    level = fields.String(load_default=None, validate=validate.OneOf(LEVELS))


class Misappropriation(Strict):
    description = fields.String(required=True, validate=Length(min=1, max=5000))
    amount = Money(load_default=None, allow_none=True)


def wire(schema: type[Schema], data) -> dict:
    """Validated, then kept in JSON form (contracts store their products as sent)."""
    loaded = load(schema, data)
    return {**loaded, "products": data.get("products", [])} if "products" in loaded else loaded


class FundsPage(Strict):
    """A project's funds with its ledger in pages, oldest entry first: ``after`` is the
    ``next`` of the page before (keyset pagination on the entry's id); the balances and the
    annual view always cover the whole ledger."""

    limit = fields.Integer(load_default=200, validate=Range(min=1, max=500))
    after = Cursor("int")


class ContractPage(Strict):
    """A project's contracts in pages, in filing order: ``after`` is the `X-Next-Cursor` of
    the page before (keyset pagination on the contract's id)."""

    limit = fields.Integer(load_default=200, validate=Range(min=1, max=500))
    after = Cursor("int")
