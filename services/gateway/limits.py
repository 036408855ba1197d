"""What the gateway accepts from a client before any schema or service sees it: body size, JSON
nesting, string validity (no NUL, no lone surrogate) and path parameters. Each refusal is a 4xx
in the one error format naming the limit; none of this input may reach a service (a lone
surrogate cannot be encoded for the broker, a NUL is refused by PostgreSQL, deep nesting
exhausts the recursion of every JSON library on the way)."""

from __future__ import annotations

import json
from typing import Any

from marshmallow import ValidationError
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Request

from shared.errors import GovprojError, ValidationFailed
from shared.persistence.store import MAX_REQUEST_ID
from shared.wire import Length, Range

JSON_BODY_BYTES = 1 << 20  # 1 MiB: the largest form (a full catalog) fits several times
FILE_BODY_BYTES = 32 << 20  # 32 MiB: a document uploaded as a file, hashed as it streams
MAX_DEPTH = 32  # the deepest request schema nests 4 levels
PATH_TEXT = Length(min=1, max=64)
# text path parameters longer than an identifier: a write's request id (its Idempotency-Key)
PATH_TEXTS = {"request_key": Length(min=1, max=MAX_REQUEST_ID)}
PATH_INTEGER = Range(min=0, max=2**31 - 1)
# integer path parameters → their range (a calendar year, like every year field of the API)
PATH_INTEGERS = {"year": Range(min=2000, max=2200)}


class Malformed(GovprojError):
    code = "malformed"


class PayloadTooLarge(GovprojError):
    code = "payload_too_large"

    def __init__(self, limit: int) -> None:
        size = f"{limit >> 20} MiB"
        super().__init__(
            f"the request body is larger than the limit of {size} ({limit} bytes)",
            f"请求体超过 {size}（{limit} 字节）的上限",
            details={"limit_bytes": limit},
        )


def read_body(request: Request, limit: int) -> bytes:
    """The body: refused (413) unread when its Content-Length is over ``limit``; streamed
    without one (chunked), read no further than ``limit + 1`` bytes."""
    _refuse_declared(request, limit)
    request.max_content_length = limit + 1  # werkzeug stops a streamed body there
    try:
        data = request.get_data()
    except RequestEntityTooLarge:
        raise PayloadTooLarge(limit) from None
    except Exception:  # the server's parser (a bad chunk) or a client gone mid-body
        raise Malformed("the request body could not be read", "无法读取请求体") from None
    if len(data) > limit:
        raise PayloadTooLarge(limit)
    return data


def read_form(request: Request, limit: int) -> tuple[Any, Any]:
    """A multipart body's files and fields, under the same rules as ``read_body`` (werkzeug
    spools a large file part to disk as it parses)."""
    _refuse_declared(request, limit)
    request.max_content_length = limit + 1
    try:
        files, form = request.files, request.form
    except RequestEntityTooLarge:
        raise PayloadTooLarge(limit) from None
    except Exception:
        raise Malformed("the request body could not be read", "无法读取请求体") from None
    if request.content_length is None and request.stream.is_exhausted:
        raise PayloadTooLarge(limit)  # the stream went on past the limit
    return files, form


def _refuse_declared(request: Request, limit: int) -> None:
    if request.content_length is not None and request.content_length > limit:
        raise PayloadTooLarge(limit)


def parse_json(raw: bytes) -> Any:
    """JSON as RFC 8259 defines it (no NaN or Infinity), at most MAX_DEPTH deep, with valid
    strings only."""
    try:
        value = json.loads(raw or b"null", parse_constant=_no_constant)
    except RecursionError:
        raise _too_deep() from None
    except ValueError as exc:
        raise Malformed(f"the body is not valid JSON: {exc}", "请求体不是合法的 JSON") from None
    check_strings(value)
    return value


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


def _too_deep() -> Malformed:
    return Malformed(
        f"the JSON body is nested deeper than the limit of {MAX_DEPTH} levels",
        f"JSON 请求体嵌套超过 {MAX_DEPTH} 层的上限",
        details={"max_depth": MAX_DEPTH},
    )


def check_strings(value: Any) -> None:
    """Every key and string, however deep (iteratively: depth is what is being checked),
    is valid text: no NUL, no lone surrogate. 422 names each offending field."""
    problems: dict[str, list[str]] = {}
    stack = [(value, "", 1)]
    while stack:
        item, where, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise _too_deep()
        if isinstance(item, dict):
            for key, child in item.items():
                name = f"{where}.{key}" if where else str(key)
                _check_text(key, name, problems)
                stack.append((child, name, depth + 1))
        elif isinstance(item, list):
            stack.extend(
                (child, f"{where}.{i}" if where else str(i), depth + 1) for i, child in enumerate(item)
            )
        elif isinstance(item, str):
            _check_text(item, where or "body", problems)
    if problems:
        raise ValidationFailed.from_marshmallow({_printable(k): v for k, v in problems.items()})


def _check_text(text: str, name: str, problems: dict[str, list[str]]) -> None:
    if "\x00" in text:
        problems.setdefault(name, []).append("Contains a NUL character. / 含有 NUL 字符。")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        problems.setdefault(name, []).append(
            "Contains a lone surrogate (not valid Unicode "
            "text). / 含有孤立代理项（不是合法的 Unicode 文本）。"
        )


def _printable(name: str) -> str:
    return name.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")


def check_path(params: dict[str, Any]) -> None:
    """Path parameters: identifiers are short printable text; integers lie in their range."""
    problems = {}
    for name, value in params.items():
        try:
            if isinstance(value, int):
                PATH_INTEGERS.get(name, PATH_INTEGER)(value)
            else:
                PATH_TEXTS.get(name, PATH_TEXT)(value)
                if any(c < " " or c == "\x7f" for c in value):
                    raise ValidationError("Contains a control character. / 含有控制字符。")
        except ValidationError as exc:
            problems[name] = exc.messages
    if problems:
        raise ValidationFailed.from_marshmallow(problems)


def check_query(query: dict[str, str]) -> None:
    """Query strings arrive decoded (invalid UTF-8 replaced); what is left to refuse is NUL."""
    problems: dict[str, list[str]] = {}
    for name, value in query.items():
        _check_text(name, name, problems)
        _check_text(value, name, problems)
    if problems:
        raise ValidationFailed.from_marshmallow({_printable(k): v for k, v in problems.items()})
