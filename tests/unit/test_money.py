"""Money is exact and bounded (issue 12): the one Money field, its OpenAPI form, yuan ↔ fen, and
the fen column on a real SQLite database."""

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from marshmallow import Schema, ValidationError
from sqlalchemy import Column, MetaData, String, Table, create_engine, insert, select, text

from services.finance.schemas import Disbursement
from services.gateway.openapi import openapi_document
from shared.errors import ValidationFailed
from shared.events.schemas import Money
from shared.money import MAX_YUAN, POSITIVE_WIRE_PATTERN, WIRE_PATTERN, to_fen, to_yuan
from shared.persistence.money import Fen
from shared.wire import load


class Amounts(Schema):
    any = Money()
    positive = Money(positive=True)


def money(value, field="any"):
    return Amounts().load({field: value})[field]


def refusal(value, field="any") -> str:
    with pytest.raises(ValidationError) as err:
        money(value, field)
    [message] = err.value.messages[field]
    return message


def test_the_bound_is_inclusive_at_9999999999999_99_and_exact():
    assert MAX_YUAN == Decimal("9999999999999.99")
    assert money("9999999999999.99") == Decimal("9999999999999.99")
    assert str(money("0.01", "positive")) == "0.01"


@pytest.mark.parametrize(
    "value",
    [
        "10000000000000",
        "10000000000000.00",
        "12345678901234567.89",
        "92233720368547758.08",
        "9" * 400,
        Decimal("1E+30"),
    ],
)
def test_above_the_bound_is_refused_naming_the_limit_in_english_and_chinese(value):
    message = refusal(value)
    assert "at most 9999999999999.99 yuan" in message and "10^13" in message
    assert "金额不得超过 9999999999999.99 元" in message


@pytest.mark.parametrize(
    "value, words",
    [
        ("1.001", "at most two decimals"),
        ("-1.00", "decimal string"),
        ("1e3", "decimal string"),
        (" 1", "decimal string"),
        ("NaN", "decimal string"),
        ("Infinity", "decimal string"),
        ("١٢", "decimal string"),
        ("", "decimal string"),
        ("1.", "decimal string"),
        (1000, "not a number"),
        (10.5, "not a number"),
        (True, "not a number"),
        (Decimal("-0.01"), "must not be negative"),
        (Decimal("NaN"), "decimal string"),
    ],
)
def test_anything_but_a_decimal_string_of_yuan_is_refused(value, words):
    assert words in refusal(value)


def test_positive_amounts_are_above_zero():
    assert "greater than 0" in refusal("0.00", "positive")
    assert "金额须大于 0" in refusal("0", "positive")


def test_a_refusal_is_a_validation_error_naming_the_field():
    with pytest.raises(ValidationFailed) as err:
        load(
            Disbursement, {"purpose": "construction", "contract_no": "HT-1", "amount": "12345678901234567.89"}
        )
    body = err.value.as_dict()
    assert body["code"] == "validation" and "amount" in body["message"]
    assert "9999999999999.99" in body["details"]["amount"][0]


@given(st.text(alphabet="0123456789.-e+ ", max_size=18))
def test_the_documented_pattern_is_exactly_what_the_field_accepts(value):
    for field, pattern in (("any", WIRE_PATTERN), ("positive", POSITIVE_WIRE_PATTERN)):
        try:
            money(value, field)
            accepted = True
        except ValidationError:
            accepted = False
        assert accepted == bool(re.fullmatch(pattern, value)), (field, value)


@given(st.integers(min_value=0, max_value=999_999_999_999_999))
def test_yuan_and_fen_round_trip_exactly(fen):
    yuan = to_yuan(fen)
    assert to_fen(yuan) == fen and str(yuan) == f"{fen // 100}.{fen % 100:02d}"
    assert money(str(yuan)) == yuan


def test_openapi_renders_money_as_a_string_with_its_pattern():
    schemas = openapi_document()["components"]["schemas"]
    rendered = {
        (name, prop): spec
        for name, schema in schemas.items()
        for prop, spec in schema.get("properties", {}).items()
        if spec.get("pattern") in (WIRE_PATTERN, POSITIVE_WIRE_PATTERN)
    }
    assert ("Disbursement", "amount") in rendered and ("Budget", "total") in rendered
    for spec in rendered.values():
        assert spec["type"] == "string" and "minimum" not in spec and "maximum" not in spec
        assert "9999999999999.99" in spec["description"]
    assert not [k for k, spec in rendered.items() if spec["type"] == "number"]
    assert rendered[("Disbursement", "amount")]["pattern"] == POSITIVE_WIRE_PATTERN


def test_a_fen_column_is_an_exact_integer_on_sqlite(tmp_path):
    """NUMERIC on SQLite is a float: 12345678901234567.89 came back as …568.00. Fen is not."""
    engine = create_engine(f"sqlite:///{tmp_path / 'money.db'}")
    table = Table("t", MetaData(), Column("k", String, primary_key=True), Column("v", Fen))
    table.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(
            insert(table),
            [
                {"k": "max", "v": Decimal("9999999999999.99")},
                {"k": "big", "v": Decimal("12345678901234567.89")},
                {"k": "none", "v": None},
            ],
        )
        got = dict(conn.execute(select(table.c.k, table.c.v)).all())
        raw = dict(conn.execute(text("SELECT k, typeof(v) FROM t")).all())
    assert got == {"max": Decimal("9999999999999.99"), "big": Decimal("12345678901234567.89"), "none": None}
    assert raw == {"max": "integer", "big": "integer", "none": "null"}
    engine.dispose()
