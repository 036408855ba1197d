"""A service's RPC reply (shared.messaging.rpc.reply_body, issue 19): encoded once, byte for byte
the body nameko's Responder would publish — a result, a raised error, a result that does not
encode — so callers (the gateway, nameko's own proxies) read it unchanged. A caller's refusal
(GovprojError) is an expected answer, logged in one line without its traceback."""

from __future__ import annotations

import json
import logging
import sys
from datetime import date
from decimal import Decimal
from typing import Any

import kombu.serialization
from nameko.exceptions import UnserializableValueError, serialize

from shared.errors import GovprojError, NotFound
from shared.messaging.rpc import RefusalsInOneLine, Rpc, reply_body


def nameko_body(result: Any, exc_info: Any) -> tuple:
    """What nameko.rpc.Responder.send_response publishes (its own steps, without the broker)."""
    error = serialize(exc_info[1]) if exc_info is not None else None
    try:
        kombu.serialization.dumps(result, "json")
    except Exception:
        exc_info = sys.exc_info()
        error = serialize(UnserializableValueError(result))
        result = None
    _, _, body = kombu.serialization.dumps({"result": result, "error": error}, "json")
    return result, exc_info, body


def test_a_result_is_encoded_as_nameko_encodes_it() -> None:
    view = {
        "code": "SD-2026-000001",
        "name": "基准测试项目",
        "amount": Decimal("1.00"),
        "on": date(2026, 3, 2),
    }
    result, exc_info, body = reply_body(view, None)
    assert (result, exc_info, body) == nameko_body(view, None)
    assert json.loads(body)["result"]["name"] == "基准测试项目" and json.loads(body)["error"] is None


def test_a_raised_error_is_sent_as_nameko_serialises_it() -> None:
    try:
        raise ValueError("没有这个项目 / no such project")
    except ValueError:
        exc_info = sys.exc_info()
    result, sent_exc_info, body = reply_body(None, exc_info)
    assert sent_exc_info is exc_info and result is None
    assert body == nameko_body(None, exc_info)[2]
    assert json.loads(body)["error"]["exc_type"] == "ValueError"


def test_a_result_that_does_not_encode_is_answered_as_an_error() -> None:
    unencodable = {"x": object()}
    result, exc_info, body = reply_body(unencodable, None)
    assert result is None and exc_info[0] is TypeError  # the encoder's, as nameko keeps it
    assert body == nameko_body(unencodable, None)[2]
    assert json.loads(body)["error"]["exc_type"] == "UnserializableValueError"
    assert json.loads(body)["result"] is None


def expected_error_record() -> logging.LogRecord:
    try:
        raise NotFound("no project SD-2026-000001", "项目 SD-2026-000001 不存在")
    except NotFound as exc:
        return logging.getLogger("nameko.containers").makeRecord(
            "nameko.containers",
            logging.WARNING,
            __file__,
            1,
            "(expected) error handling worker %s: %s",
            ("<WorkerContext>", exc),
            sys.exc_info(),
        )


def test_a_refusal_is_expected_and_logged_in_one_line_without_its_traceback() -> None:
    assert Rpc().expected_exceptions == (GovprojError,)  # NotFound, Forbidden, ValidationFailed …
    logger = logging.getLogger("nameko.containers")
    before = logger.level
    try:
        logger.setLevel(logging.WARNING)  # as services log: the refusal is not written at all
        assert not RefusalsInOneLine().filter(expected_error_record())
        logger.setLevel(logging.INFO)
        record = expected_error_record()
        assert RefusalsInOneLine().filter(record)
        assert (record.levelname, record.exc_info) == ("INFO", None)
        assert "no project SD-2026-000001" in record.getMessage()
    finally:
        logger.setLevel(before)


def test_any_other_line_is_left_as_it_is() -> None:
    record = logging.makeLogRecord({"msg": "error handling worker %s: %s", "levelno": logging.ERROR})
    assert RefusalsInOneLine().filter(record) and record.levelno == logging.ERROR
