"""Every message a person reads in Chinese and English (issue 18): marshmallow's own validation
messages, the 403, the deadline ledger's reasons, articles as 第N条 with their numbers beside."""

import inspect
from datetime import date

import marshmallow.fields
from werkzeug.test import Client

from services.gateway.app import Gateway
from services.gateway.auth import development_token
from services.gateway.errors import to_response
from services.supervision.deadline_rows import entry
from shared.authz import Forbidden, Identity, deny
from shared.config import load_config
from shared.errors import RuleViolation
from shared.i18n import bilingual, has_chinese, zh
from shared.policy import cited

CONFIG = load_config("gateway", CLOCK="real")


class NoRpc:
    def call(self, *args, **kwargs):
        raise AssertionError("decided at the edge")


def post(path, body, role="unit", unit="U1"):
    token = development_token(CONFIG["JWT_DEV_SECRET"], role, unit)
    return Client(Gateway(CONFIG, rpc=NoRpc())).post(
        "/api/v1" + path, json=body, headers={"Authorization": f"Bearer {token}"}
    )


def every_message(details):
    if isinstance(details, dict):
        return [m for v in details.values() for m in every_message(v)]
    if isinstance(details, list):
        return [m for v in details for m in every_message(v)]
    return [details]


def test_marshmallow_messages_reach_the_client_in_both_languages():
    r = post(
        "/projects",
        {
            "name": None,
            "kind": "construction",
            "level": "province",
            "budget": {"total": "1.00"},
            "colour": "red",
        },
    )
    error = r.json["error"]
    assert r.status_code == 422
    assert error["details"]["name"] == ["Field may not be null. / 不能为空（null）。"]
    assert error["details"]["colour"] == ["Unknown field. / 未知字段（不接受此字段）。"]
    assert all(has_chinese(m) and " / " in m for m in every_message(error["details"]))
    # the summary names each field and its rule, in each language
    assert "name: Field may not be null." in error["message"]
    assert "字段 name：不能为空（null）。" in error["message_zh"]
    assert "字段 colour：未知字段" in error["message_zh"]


def test_every_default_marshmallow_message_has_its_chinese():
    defaults = {
        m
        for _, cls in inspect.getmembers(marshmallow.fields, inspect.isclass)
        for m in getattr(cls, "default_error_messages", {}).values()
    }
    samples = {m.format(obj_type="datetime", awareness="naive", input="x", choices="a, b") for m in defaults}
    assert not [m for m in samples if zh(m) is None]
    assert zh("Must be one of: construction, om.") == "须为以下之一：construction, om。"
    assert bilingual("长度不得超过 3") == "长度不得超过 3"  # already bilingual: kept


def test_the_403_names_role_and_operation_in_chinese():
    try:
        deny(Identity("u", "unit", "U1"), "project.read", "SD-2026-000001")
    except Forbidden as exc:
        refusal = exc.as_dict()
    assert refusal["message_zh"] == (
        "项目建设单位（角色 unit）无权执行操作 project.read（对象：SD-2026-000001）"
    )
    assert " on " not in refusal["message_zh"]


def test_articles_are_labels_with_their_numbers_beside():
    body = to_response(RuleViolation("x", "规", articles=[23, 7]))[1]["error"]
    assert body["articles"] == ["第二十三条", "第七条"] and body["article_numbers"] == [23, 7]
    record = cited({"kind": "review_opinion_issued", "articles": [9]})
    assert record["articles"] == ["第九条"] and record["article_numbers"] == [9]


def test_the_deadline_ledger_says_why_in_chinese():
    line = entry("2026-03-01T00:00:00", "finance", date(2026, 3, 20), "contract C-1 signed 2026-03-01", 13)
    assert line["why_zh"] == "合同 C-1 于 2026-03-01 签订"
    assert line["article"] == "第十三条" and line["article_number"] == 13
    nested = zh("resumed after 20 days: construction finished 2026-05-01")
    assert nested == "暂停 20 天后恢复：2026-05-01 建设完成"
    assert (
        zh("construction finished 2026-05-01: 3 months to apply")
        == "2026-05-01 建设完成：须在 3 个月内申请验收"
    )
