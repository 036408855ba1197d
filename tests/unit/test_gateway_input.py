"""Hostile input at the gateway: every refusal is a 4xx in the one error format, decided before
any service is asked (a request that reached one here fails the test), naming the limit."""

import io
import json
import time

import jwt
import pytest
from gunicorn.http import errors as gunicorn_errors
from werkzeug.test import Client, EnvironBuilder
from werkzeug.wrappers import Request

from services.gateway import limits
from services.gateway.app import Gateway, json_response
from services.gateway.auth import development_token
from services.gateway.errors import STATUS_BY_CODE, to_response
from services.gateway.rpc import RemoteError
from services.gateway.worker import answer
from shared.config import load_config

CONFIG = load_config("gateway", CLOCK="real")
UNIT = "U-370100-001"
REGISTRATION = {
    "name": "全省电子证照系统",
    "kind": "construction",
    "level": "province",
    "budget": {"total": "100.00"},
}
RESOURCE = {
    "name": "电子证照",
    "source": "发证部门",
    "format": "JSON",
    "update_frequency": "实时",
    "sharing_type": "unconditional",
    "open_type": "none",
}


class NoRpc:
    """Any call reaching a service fails the test: these requests must be decided at the edge."""

    def call(self, *args, **kwargs):
        raise AssertionError("the gateway should not have called a service")

    gather = call


def app():
    return Gateway(CONFIG, rpc=NoRpc())


def client():
    return Client(app())


def bearer(role="unit", unit=UNIT):
    return {
        "Authorization": "Bearer "
        + development_token(CONFIG["JWT_DEV_SECRET"], role, unit if role == "unit" else None)
    }


def error(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.json["error"]
    assert set(body) == {"code", "message", "message_zh", "articles", "article_numbers", "details"}
    return body


def post_raw(path, data, headers=None, role="unit"):
    return client().post(
        path, data=data, headers={**bearer(role), "Content-Type": "application/json", **(headers or {})}
    )


# -- JSON: nesting, numbers, strings ---------------------------------------------------------


@pytest.mark.parametrize("depth", [40, 5000, 200_000])
def test_deep_nesting_is_400_naming_the_limit(depth):
    nested = "[" * depth + "]" * depth
    body = error(post_raw("/api/v1/projects", '{"name": ' + nested + "}"), 400)
    assert body["code"] == "malformed" and body["details"] == {"max_depth": limits.MAX_DEPTH}
    assert str(limits.MAX_DEPTH) in body["message"] and str(limits.MAX_DEPTH) in body["message_zh"]


def test_nan_and_infinity_are_not_json():
    for constant in ("NaN", "Infinity", "-Infinity"):
        r = post_raw("/api/v1/plans", f'{{"title": "t", "start_year": {constant}}}', role="office")
        assert error(r, 400)["code"] == "malformed"


@pytest.mark.parametrize(
    "raw, field",
    [
        (json.dumps({**REGISTRATION, "name": "电子\ud800证照"}), "name"),
        (
            json.dumps({**REGISTRATION, "co_builders": [{"unit": "U-2", "scope": "\udfff"}]}),
            "co_builders.0.scope",
        ),
        (json.dumps({**REGISTRATION, "name": "a\x00b"}), "name"),
        (json.dumps({**REGISTRATION, "goals": "目标\u0000"}), "goals"),
    ],
)
def test_lone_surrogates_and_nul_are_422_naming_the_field(raw, field):
    body = error(post_raw("/api/v1/projects", raw), 422)
    assert body["code"] == "validation" and field in body["details"]
    assert field in body["message"] and field in body["message_zh"]


def test_a_surrogate_in_a_key_is_refused_and_the_answer_is_valid_json():
    r = post_raw("/api/v1/projects", json.dumps({**REGISTRATION, "\ud800": 1}))
    body = error(r, 422)
    assert list(body["details"]) == ["\\ud800"]
    r.get_data().decode("utf-8")  # strictly valid UTF-8


def test_an_answer_holding_a_lone_surrogate_is_still_valid_json():
    response = json_response(200, {"name": "x\ud800"}, "rid")
    assert json.loads(response.get_data().decode("utf-8")) == {"name": "x\ud800"}


# -- body size --------------------------------------------------------------------------------


class Unreadable(io.RawIOBase):
    """A body that must not be read (its Content-Length is already over the limit)."""

    def readable(self):
        return True

    def readinto(self, buffer):
        raise AssertionError("the gateway read a body it should have refused unread")


class Counting(io.RawIOBase):
    """A body streamed without a Content-Length (``head``, then spaces up to ``total`` bytes,
    1 MiB over the limit at hand); counts what the gateway read."""

    def __init__(self, total, head=b""):
        self.head, self.left, self.read_bytes = head, total, 0

    def readable(self):
        return True

    def readinto(self, buffer):
        n = min(len(buffer), self.left)
        self.left -= n
        chunk = (self.head + b" " * n)[:n]
        self.head = self.head[n:]
        buffer[:n] = chunk
        self.read_bytes += n
        return n


def streamed(path, method, stream, content_type):
    """The environ gunicorn gives a chunked request: no Content-Length, input terminated."""
    environ = EnvironBuilder(
        path=path, method=method, headers=bearer(), content_type=content_type
    ).get_environ()
    environ["wsgi.input"] = stream
    environ.pop("CONTENT_LENGTH", None)
    environ["wsgi.input_terminated"] = True
    return app().handle(Request(environ))


def test_a_declared_oversized_body_is_413_without_being_read():
    environ = EnvironBuilder(
        path="/api/v1/projects", method="POST", headers=bearer(), content_type="application/json"
    ).get_environ()
    environ["wsgi.input"] = Unreadable()
    environ["CONTENT_LENGTH"] = str(limits.JSON_BODY_BYTES + 1)
    body = error(app().handle(Request(environ)), 413)
    assert body["code"] == "payload_too_large"
    assert body["details"] == {"limit_bytes": limits.JSON_BODY_BYTES}
    assert "1 MiB" in body["message"] and "1 MiB" in body["message_zh"]


def test_a_streamed_body_is_read_no_further_than_the_limit():
    stream = Counting(limits.JSON_BODY_BYTES + (1 << 20))
    body = error(streamed("/api/v1/projects", "POST", stream, "application/json"), 413)
    assert body["code"] == "payload_too_large"
    assert stream.read_bytes <= limits.JSON_BODY_BYTES + (1 << 16)


def test_a_body_just_under_the_limit_is_read_whole():
    padded = json.dumps(REGISTRATION | {"name": ""}).encode()
    padded += b" " * (limits.JSON_BODY_BYTES - len(padded))
    r = post_raw("/api/v1/projects", padded)
    assert error(r, 422)["details"] == {
        "name": ["Length must be between 1 and 200. / 长度须在 1 至 200 个字符之间。"]
    }


def test_a_streamed_file_is_read_no_further_than_its_limit():
    stream = Counting(
        limits.FILE_BODY_BYTES + (1 << 20),
        b'--x\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"'
        b"\r\nContent-Type: application/pdf\r\n\r\n",
    )
    r = streamed(
        "/api/v1/projects/SD-2026-000001/documents/construction_plan",
        "PUT",
        stream,
        "multipart/form-data; boundary=x",
    )
    assert error(r, 413)["details"] == {"limit_bytes": limits.FILE_BODY_BYTES}
    assert stream.read_bytes <= limits.FILE_BODY_BYTES + (1 << 16)


def test_a_file_has_its_own_larger_limit():
    environ = EnvironBuilder(
        path="/api/v1/projects/SD-2026-000001/documents/construction_plan",
        method="PUT",
        headers=bearer(),
        content_type="multipart/form-data; boundary=x",
    ).get_environ()
    environ["wsgi.input"] = Unreadable()
    environ["CONTENT_LENGTH"] = str(limits.FILE_BODY_BYTES + 1)
    body = error(app().handle(Request(environ)), 413)
    assert body["details"] == {"limit_bytes": limits.FILE_BODY_BYTES}
    assert STATUS_BY_CODE["payload_too_large"] == 413


def test_a_file_name_with_a_nul_is_refused():
    r = client().put(
        "/api/v1/projects/SD-2026-000001/documents/construction_plan",
        headers=bearer(),
        data={"file": (io.BytesIO(b"pdf"), "a\x00.pdf")},
    )
    assert "title" in error(r, 422)["details"]


# -- lists and strings: every one bounded ------------------------------------------------------


def test_a_catalog_is_bounded():
    r = client().put(
        "/api/v1/projects/SD-2026-000001/catalog", headers=bearer(), json={"resources": [RESOURCE] * 1001}
    )
    body = error(r, 422)
    [message] = body["details"]["resources"]
    assert "1000 items" in message and "1000 项" in message


@pytest.mark.parametrize(
    "path, role, payload, field",
    [
        (
            "/api/v1/projects",
            "unit",
            {**REGISTRATION, "co_builders": [{"unit": f"U-{i}", "scope": "s"} for i in range(51)]},
            "co_builders",
        ),
        (
            "/api/v1/plans",
            "office",
            {
                "title": "t",
                "start_year": 2026,
                "end_year": 2030,
                "items": [{"code": "I1", "title": "x"}] * 501,
            },
            "items",
        ),
        ("/api/v1/review-rounds", "office", {"title": "t", "projects": ["SD-2026-000001"] * 501}, "projects"),
        (
            "/api/v1/inspections",
            "office",
            {"project": "SD-2026-000001", "findings": [{"articles": [34], "description": "d"}] * 101},
            "findings",
        ),
        (
            "/api/v1/projects/SD-2026-000001/contracts",
            "unit",
            {
                "contract_no": "HT",
                "supplier": "s",
                "amount": "1.00",
                "signed_on": "2026-05-01",
                "text_sha256": "ab" * 32,
                "products": [{"name": "p", "category": "other", "controllable": True}] * 201,
            },
            "products",
        ),
        (
            "/api/v1/annual-plans",
            "office",
            {"year": 2026, "plan_id": "P" * 65, "items": [{"code": "X", "title": "x"}]},
            "plan_id",
        ),
        (
            "/api/v1/sanctions",
            "office",
            {"project": "SD-2026-000001", "type": "t" * 33, "reason": "r"},
            "type",
        ),
        ("/api/v1/projects", "unit", {**REGISTRATION, "name": "名" * 201}, "name"),
    ],
)
def test_lists_and_strings_have_limits_named_in_both_languages(path, role, payload, field):
    body = error(client().post(path, headers=bearer(role), json=payload), 422)
    assert field in body["details"], body
    message = json.dumps(body["details"][field], ensure_ascii=False)
    assert " / " in message  # English / Chinese


def test_a_calendar_year_lists_at_most_366_days():
    r = client().put(
        "/api/v1/admin/calendar/2031",
        headers=bearer("operator"),
        json={"holidays": ["2031-01-01"] * 367, "workdays": []},
    )
    assert "holidays" in error(r, 422)["details"]


# -- query and path parameters -----------------------------------------------------------------


@pytest.mark.parametrize(
    "query, field",
    [
        ("offset=100000000000000000000", "offset"),
        ("offset=1000001", "offset"),
        ("offset=1e20", "offset"),
        ("limit=201", "limit"),
        ("limit=0", "limit"),
        ("year=99999", "year"),
        ("unit=" + "U" * 65, "unit"),
        ("status=a%00b", "status"),
    ],
)
def test_page_size_and_filters_are_bounded(query, field):
    body = error(client().get(f"/api/v1/projects?{query}", headers=bearer("office")), 422)
    assert field in body["details"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/findings?project=SD%00",
        "/api/v1/deadlines?project=" + "S" * 65,
        "/api/v1/review-cases?project=" + "S" * 65,
    ],
)
def test_supervision_and_review_filters_are_bounded(path):
    assert "project" in error(client().get(path, headers=bearer("office")), 422)["details"]


@pytest.mark.parametrize("year", ["0", "99999", "1999", "2201", "123456789012345678901234567890"])
def test_a_calendar_year_out_of_range_is_422_naming_it(year):
    r = client().put(
        f"/api/v1/admin/calendar/{year}", headers=bearer("operator"), json={"holidays": [], "workdays": []}
    )
    body = error(r, 422)
    assert "year" in body["details"] and "2000" in body["details"]["year"][0]


@pytest.mark.parametrize("code", ["SD%00", "S" * 65, "SD%0A1"])
def test_path_identifiers_are_short_printable_text(code):
    r = client().get(f"/api/v1/projects/{code}/funds", headers=bearer("office"))
    assert "code" in error(r, 422)["details"]


def test_405_names_the_allowed_methods_in_allow():
    r = client().delete("/api/v1/projects", headers=bearer("office"))
    body = error(r, 405)
    assert r.headers["Allow"] == "GET, HEAD, POST"
    assert body["details"] == {"allowed": ["GET", "HEAD", "POST"]}


# -- tokens --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "claims",
    [
        {"sub": "x", "role": "unit", "unit": ["U-1"]},
        {"sub": "x", "role": "unit", "unit": {"code": "U-1"}},
        {"sub": "x", "role": "unit", "unit": 370100},
        {"sub": "x", "role": "office", "unit": ["U-1"]},
        {"sub": "x", "role": ["office"]},
        {"sub": "x", "role": {"office": 1}},
        {"sub": ["x"], "role": "office"},
        {"sub": "x\x00y", "role": "office"},
        {"sub": "x" * 201, "role": "office"},
        {"sub": "x", "role": "unit", "unit": "U\ud8001"},
    ],
)
def test_claims_of_the_wrong_type_are_401(claims):
    token = jwt.encode({**claims, "exp": int(time.time()) + 60}, CONFIG["JWT_DEV_SECRET"], "HS256")
    r = client().get("/api/v1/projects", headers={"Authorization": f"Bearer {token}"})
    body = error(r, 401)
    assert body["code"] == "unauthenticated" and body["message_zh"]


# -- what a 5xx may say, and gunicorn's own refusals ----------------------------------------------


def test_a_500_never_names_an_exception_class():
    status, body = to_response(RemoteError("KeyError", "'secret_column'"))
    assert status == 500
    text = json.dumps(body)
    assert "KeyError" not in text and "secret_column" not in text


def test_a_client_request_id_is_echoed_only_when_plausible():
    c = client()
    assert c.get("/healthz", headers={"X-Request-Id": "abc-123"}).headers["X-Request-Id"] == "abc-123"
    replaced = c.get("/healthz", headers={"X-Request-Id": "x" * 129}).headers["X-Request-Id"]
    assert len(replaced) == 32


class Cfg:
    limit_request_line, limit_request_fields, limit_request_field_size = 4094, 100, 8190


@pytest.mark.parametrize(
    "exc, status, code",
    [
        (gunicorn_errors.LimitRequestLine(5000, 4094), 414, "uri_too_long"),
        (gunicorn_errors.LimitRequestHeaders("too many headers"), 431, "headers_too_large"),
        (gunicorn_errors.InvalidRequestLine("GARBAGE"), 400, "malformed"),
        (gunicorn_errors.UnsupportedTransferCoding("gzip"), 400, "malformed"),
        (ValueError("boom"), 500, "internal"),
    ],
)
def test_gunicorn_refusals_in_the_error_format(exc, status, code):
    got, body = answer(exc, Cfg)
    assert got == status and body["error"]["code"] == code and body["error"]["message_zh"]
    assert "ValueError" not in json.dumps(body)


@pytest.mark.parametrize("force", ["false", "no", "0", "off"])
def test_the_clock_is_forced_back_only_by_json_true(force):
    """The service gets the body as sent: a string that means "false" to a lenient schema would
    be truthy there and force the simulated clock back."""
    r = client().post(
        "/api/v1/admin/clock", headers=bearer("operator"), json={"today": "2027-01-01", "force": force}
    )
    assert "force" in error(r, 422)["details"]
