"""The next page of a list read (keyset pagination, shared/paging.py): a full page carries the
cursor of the next — ``next`` in an object answer, the ``Link: <…>; rel="next"`` and
``X-Next-Cursor`` headers beside a JSON array; a page shorter than ``limit`` is the last."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from werkzeug.wrappers import Request

from shared import paging


def with_next(endpoint, request: Request, status: int, result: Any, headers: dict) -> tuple[Any, dict]:
    if endpoint.page is None or request.method != "GET" or status != 200:
        return result, headers
    items_at, key = endpoint.page
    items = result.get(items_at) if items_at and isinstance(result, dict) else result
    if not isinstance(items, list):
        return result, headers
    try:
        limit = int(request.args.get("limit") or endpoint.query._declared_fields["limit"].load_default)
    except ValueError:  # the service loaded it (e.g. "5.0"): no cursor, not a 500
        return result, headers
    cursor = paging.next_cursor(items, limit, key)
    if items_at:
        return {**result, "next": cursor}, headers
    if cursor is None:
        return result, headers
    args = request.args.to_dict()
    args.update(after=cursor)
    args.pop("offset", None)
    return result, {
        **headers,
        "X-Next-Cursor": cursor,
        "Link": f'<{request.path}?{urlencode(args)}>; rel="next"',
    }
