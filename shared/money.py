"""Money: yuan as Decimal in the domain, integer fen in every store, a decimal string on the wire.

One documented upper bound for every amount: strictly less than 10^13 yuan, i.e. at most
9,999,999,999,999.99 yuan (999,999,999,999,999 fen). Far above any provincial budget, yet a
sum of thousands of such amounts still fits a signed 64-bit fen column, so no store overflows.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

LIMIT_YUAN = Decimal(10) ** 13  # amounts must be below this
MAX_YUAN = LIMIT_YUAN - Decimal("0.01")  # the largest amount accepted: 9999999999999.99
FEN = Decimal("0.01")
# Exactly the strings the Money field accepts (documented in the OpenAPI document): digits,
# at most two decimals, below the bound; the positive form also needs a non-zero digit.
WIRE_PATTERN = r"^0*[0-9]{1,13}(\.[0-9]{1,2})?$"
POSITIVE_WIRE_PATTERN = r"^(?=.*[1-9])0*[0-9]{1,13}(\.[0-9]{1,2})?$"


def to_fen(yuan: Decimal | str | int) -> int:
    """Exact: refuses (ValueError) more than two decimals instead of rounding them away."""
    try:
        value = Decimal(yuan)
    except (InvalidOperation, TypeError, ValueError):
        raise ValueError(f"{yuan!r} is not an amount of yuan") from None
    if not value.is_finite() or int(value.as_tuple().exponent) < -2:
        raise ValueError(f"{yuan} is not yuan with at most two decimals")
    if value.adjusted() >= 17:  # checked first: 10 ** (a huge exponent) would hang
        raise ValueError(f"{yuan} is beyond any amount a 64-bit fen column holds")
    sign, digits, exponent = value.as_tuple()
    fen = int("".join(map(str, digits))) * 10 ** (int(exponent) + 2)  # integers: no context rounding
    if fen >= 2**63:
        raise ValueError(f"{yuan} is beyond any amount a 64-bit fen column holds")
    return -fen if sign else fen


def to_yuan(fen: int) -> Decimal:
    """Exact yuan with two decimals."""
    return Decimal(f"{int(fen)}E-2")
