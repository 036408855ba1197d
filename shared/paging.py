"""Keyset pagination: lists that grow with the province are read in pages whose cost does not.

A page is asked with ``limit`` and ``after``, an opaque cursor: the sort key of the last item of
the page before (base64url of its JSON), so the next page is the rows after that key in the
list's order — an index range, however deep the page, and stable while rows are added (an
``offset`` page shifts when a row lands before it, and costs the rows it skips). The gateway
gives the cursor of the next page with every full page (``next``; for a list answered as a JSON
array, the ``Link: <…>; rel="next"`` and ``X-Next-Cursor`` headers); a page shorter than
``limit`` is the last one.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from datetime import date
from typing import Any, NoReturn

from marshmallow import ValidationError, fields
from sqlalchemy import and_, or_

MAX_CURSOR = 400  # characters of a cursor (a key of a few short fields)


def encode(values: Sequence[Any]) -> str:
    raw = json.dumps(list(values), ensure_ascii=False, separators=(",", ":"), default=str)
    return base64.urlsafe_b64encode(raw.encode("utf-8")).decode("ascii").rstrip("=")


def decode(cursor: str, size: int) -> list:
    """The key a cursor carries (``size`` values of JSON scalars), or ValueError."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw.decode("utf-8"))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise ValueError("not a cursor") from None
    if (
        not isinstance(values, list)
        or len(values) != size
        or not all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in values)
    ):
        raise ValueError("not a cursor")
    return values


KINDS = {
    "str": lambda v: v if isinstance(v, str) else _no(),
    "int": lambda v: v if isinstance(v, int) else _no(),
    "date": lambda v: date.fromisoformat(v) if isinstance(v, str) else _no(),
}


def _no() -> NoReturn:
    raise ValueError("not a cursor")


class Cursor(fields.String):
    """``after``: the cursor of a list's next page, decoded to its key — one value per ``kinds``
    (``str``, ``int``, ``date``). A value the list did not give is refused (422) naming the
    field, in both languages."""

    def __init__(self, *kinds: str, **kwargs: Any) -> None:
        kwargs.setdefault(
            "metadata",
            {"description": "the `next` cursor of the page before (keyset pagination) / 上一页给出的游标"},
        )
        super().__init__(**kwargs)
        self.kinds = kinds

    def _deserialize(  # type: ignore[override]
        self,
        value: Any,
        attr: str | None,
        data: Any,
        **kwargs: Any,
    ) -> list:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            if len(text) > MAX_CURSOR:
                raise ValueError("too long")
            return [KINDS[k](v) for k, v in zip(self.kinds, decode(text, len(self.kinds)), strict=True)]
        except ValueError:
            raise ValidationError(
                "Not a cursor this list gave: pass the `next` value of the page before. / "
                "不是本列表给出的游标：请使用上一页返回的 next 值。"
            ) from None


def after(query: Any, columns: Sequence[Any], key: Sequence[Any] | None) -> Any:
    """``query`` narrowed to the rows after ``key`` (decoded by ``Cursor``) in the order of
    ``columns``, ascending: (c1 > k1) or (c1 = k1 and c2 > k2) ... — an index range."""
    if not key:
        return query
    terms = [
        and_(*(columns[j] == key[j] for j in range(i)), column > key[i]) for i, column in enumerate(columns)
    ]
    return query.where(or_(*terms))


def next_cursor(items: list, limit: int | None, key: Sequence[str]) -> str | None:
    """The cursor after the last item of a full page (None: this page is the last)."""
    if not items or limit is None or len(items) < limit:
        return None
    last = items[-1]
    return encode([last[k] for k in key])
