"""The `govproj` command line (issue 18): every endpoint a person uses, generated from the
endpoint table; requests carry only what was given; answers as tables or JSON."""

import json

import pytest

from services.gateway.endpoints import ENDPOINTS
from shared.cli import build_parser
from shared.cli_api import COMMANDS, GROUPS, request_of, show


def parse(*argv):
    return build_parser().parse_args(argv)


def test_every_endpoint_has_a_command_in_a_group_people_think_in():
    covered = {(c.method, c.path) for c in COMMANDS}
    assert [(e.method, e.path) for e in ENDPOINTS if (e.method, e.path) not in covered] == []
    assert {
        "plan",
        "project",
        "review",
        "drc",
        "budget",
        "contract",
        "pay",
        "complete",
        "acceptance",
        "security",
        "supervision",
        "audit",
        "admin",
    } <= set(GROUPS)
    assert {c.group for c in COMMANDS} <= set(GROUPS)


def test_help_is_in_both_languages(capsys):
    with pytest.raises(SystemExit):
        parse("pay", "request", "--help")
    text = capsys.readouterr().out
    assert "申请拨付资金" in text and "Request money" in text and "--contract-no" in text
    assert "construction, om" in text and "roles / 角色: unit" in text


def test_a_command_becomes_the_request_its_endpoint_takes():
    args = parse(
        "pay", "request", "SD-2026-000001", "--purpose", "om", "--amount", "10.00", "--contract-no", "HT-1"
    )
    assert request_of(args) == (
        "POST",
        "/projects/SD-2026-000001/disbursements",
        {"purpose": "om", "amount": "10.00", "contract_no": "HT-1"},
        None,
    )
    args = parse(
        "budget", "record", "SD-1", "--om", '{"total": "1.00"}', "--construction", '{"total": "2.00"}'
    )
    assert request_of(args)[2] == {"om": {"total": "1.00"}, "construction": {"total": "2.00"}}
    args = parse("project", "list", "--status", "approved", "--overdue", "true", "--limit", "5")
    assert request_of(args) == (
        "GET",
        "/projects",
        None,
        {"status": "approved", "overdue": "true", "limit": 5},
    )
    args = parse(
        "supervision", "refer", "SD-1", "--kind", "judicial", "--articles", "37,38", "--description", "挪用"
    )
    assert request_of(args)[2] == {
        "project": "SD-1",
        "kind": "judicial",
        "articles": [37, 38],
        "description": "挪用",
    }
    args = parse("calendar", "load", "2031", "--holidays", "2031-01-01", "--workdays", "")
    assert request_of(args) == (
        "PUT",
        "/admin/calendar/2031",
        {"holidays": ["2031-01-01"], "workdays": []},
        None,
    )
    assert request_of(parse("clock", "set", "2027-01-04", "--force", "true"))[2] == {
        "today": "2027-01-04",
        "force": True,
    }


def test_a_whole_body_and_options_that_override_it():
    args = parse("project", "register", '{"name": "甲", "kind": "construction"}', "--name", "乙")
    assert request_of(args)[2] == {"name": "乙", "kind": "construction"}


def test_a_document_without_a_file_sends_no_nulls():
    args = parse("project", "document", "SD-1", "construction_plan")
    assert request_of(args) == ("PUT", "/projects/SD-1/documents/construction_plan", {}, None)


def test_answers_as_a_table_or_as_json(capsys):
    answer = {
        "code": "SD-1",
        "status": "approved",
        "open_items": [{"item": "investment_budget", "articles": ["第七条"], "message_zh": "缺少：投资预算"}],
    }
    show(answer)
    table = capsys.readouterr().out
    assert "SD-1" in table and "approved" in table and "缺少：投资预算" in table
    assert "第七条" in table and "{" not in table
    show(answer, as_json=True)
    assert json.loads(capsys.readouterr().out) == answer
