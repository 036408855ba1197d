"""Supervision through the gateway: a late contract becomes a finding, an ignored
rectification leads up the ladder to a withholding, finance refuses construction money until it
is lifted; deadlines from completion with their ledger; audits and referrals (issue 7)."""

import pytest

from shared.testing import running_stack, wait_for

pytestmark = pytest.mark.e2e

UNIT = "U-370700-001"
ITEM = "SDZW-2026-70"


@pytest.fixture(scope="module")
def stack(infrastructure, tmp_path_factory):
    with running_stack(
        infrastructure, tmp_path_factory.mktemp("supervision"), GOVPROJ_CLOCK="simulated", RPC_TIMEOUT="30"
    ) as running:
        running.set_today("2026-09-28")
        running.plan_in_force(ITEM)
        yield running


def funded(stack):
    code = stack.approved(UNIT, ITEM, amount="500000.00")
    wait_for(
        lambda: (
            stack.http(
                "POST",
                f"/projects/{code}/budget",
                "finance",
                json={
                    "construction": {"total": "500000.00", "by_level": {"province": "500000.00"}},
                    "om": {"total": "0.00", "by_level": {}},
                },
            ).status_code
            == 201
        ),
        timeout=20,
        message="budget",
    )
    return code


def findings(stack, code):
    return stack.http("GET", "/findings", "office", params={"project": code}).json()


def pay(stack, code):
    return stack.http(
        "POST",
        f"/projects/{code}/disbursements",
        "unit",
        UNIT,
        json={"purpose": "construction", "amount": "1000.00", "contract_no": "HT-7"},
    ).json()


def test_late_filing_ignored_rectification_withholding_until_lifted(stack):
    stack.set_today("2026-09-28")
    code = funded(stack)
    # signed Mon 28 Sep; due the 5th working day: Sat 10 Oct (调休). Filed Mon 12 Oct: late.
    stack.set_today("2026-10-12")
    r = stack.http(
        "POST",
        f"/projects/{code}/contracts",
        "unit",
        UNIT,
        json={
            "contract_no": "HT-7",
            "supplier": "浪潮",
            "amount": "300000.00",
            "signed_on": "2026-09-28",
            "text_sha256": "a7" * 32,
        },
    )
    assert r.status_code == 201 and r.json()["filed_on"] == "2026-10-12"
    due = wait_for(
        lambda: (
            {
                d["kind"]: d
                for d in stack.http("GET", "/deadlines", "unit", UNIT, params={"project": code}).json()
            }
            or None
        ),
        timeout=20,
        message="the deadline engine has the contract",
    )
    assert due["contract_filing"]["due_on"] == "2026-10-10"
    assert due["contract_filing"]["status"] == "missed" and due["contract_filing"]["overdue"]
    assert due["annual_report"]["due_on"] == "2026-12-31"
    assert due["annual_report"]["article"] == "第十六条"
    [finding] = wait_for(lambda: findings(stack, code), timeout=20, message="finding")
    assert finding["kind"] == "missed:contract_filing" and finding["articles"] == ["第十三条"]
    fid = finding["id"]

    early = stack.http(
        "POST",
        "/sanctions",
        "office",
        json={"project": code, "type": "criticism", "finding": fid, "reason": "迟报"},
    )
    assert early.status_code == 409  # rectification comes first (第三十四条)
    order = stack.http(
        "POST", f"/findings/{fid}/rectification-order", "office", json={"deadline": "2026-10-20"}
    )
    assert order.status_code == 200 and order.json()["status"] == "rectification_ordered"
    [ordered] = [
        d
        for d in stack.http("GET", "/deadlines", "unit", UNIT, params={"project": code}).json()
        if d["kind"] == "rectification"
    ]
    assert ordered["due_on"] == "2026-10-20" and ordered["article"] == "第三十四条"
    stack.set_today("2026-10-22")
    scan = stack.http("POST", "/admin/scan", "office", json={})
    assert fid in scan.json()["ignored_rectifications"]
    assert findings(stack, code)[0]["status"] == "ignored"
    assert [
        d["status"]
        for d in stack.http("GET", "/deadlines", "office", params={"project": code}).json()
        if d["kind"] == "rectification"
    ] == ["missed"]

    skip = stack.http(
        "POST",
        "/sanctions",
        "office",
        json={"project": code, "type": "withhold_funds", "finding": fid, "reason": "逾期未整改"},
    )
    assert skip.status_code == 422  # the ladder starts with criticism
    stack.http(
        "POST",
        "/sanctions",
        "office",
        json={"project": code, "type": "criticism", "finding": fid, "reason": "逾期未整改"},
    )
    withhold = stack.http(
        "POST",
        "/sanctions",
        "office",
        json={"project": code, "type": "withhold_funds", "finding": fid, "reason": "逾期未整改"},
    )
    assert withhold.status_code == 201
    wait_for(
        lambda: "no_withholding" in [g["gate"] for g in pay(stack, code)["failed_gates"]],
        timeout=20,
        message="finance withholds",
    )
    overview = stack.http("GET", "/overview", "office").json()
    [mine] = [p for p in overview["by_project"] if p["project"] == code]
    assert mine["active_sanctions"] == 2 and mine["unit"] == UNIT

    stack.http("POST", f"/sanctions/{withhold.json()['id']}/lifting", "office", json={"reason": "已整改"})
    wait_for(lambda: pay(stack, code)["status"] == "paid", timeout=20, message="paid again")

    # every step of it is on the project's timeline, read from the hash-chained ledger
    events = wait_for(
        lambda: (
            lambda e: (
                e
                if "sanction_lifted" in [x["action"] for x in e] and e[-1]["action"] == "disbursement_decided"
                else None
            )
        )(stack.http("GET", f"/projects/{code}/timeline", "unit", UNIT).json()["events"]),
        timeout=20,
        message="the whole story on the timeline",
    )
    story = [e["action"] for e in events]
    for earlier, later in [
        ("contract_filed", "finding_recorded"),
        ("finding_recorded", "finding_rectification_ordered"),
        ("finding_rectification_ordered", "finding_ignored"),
        ("finding_ignored", "sanction_imposed"),
        ("sanction_imposed", "sanction_lifted"),
    ]:
        assert story.index(earlier) < story.index(later), (earlier, later)
    found = events[story.index("finding_recorded")]
    assert found["details"]["kind"] == "missed:contract_filing"
    assert found["articles"] == ["第十三条"] and found["what_zh"] == "发现问题"
    refused = [
        e for e in events if e["action"] == "disbursement_decided" and e["details"]["status"] == "refused"
    ]
    assert "no_withholding" in refused[-1]["details"]["failed_gates"]
    ordered = events[story.index("finding_rectification_ordered")]
    assert ordered["actor"] == "office-dev" and ordered["date"]
    trail = {e["seq"]: e["hash"] for e in stack.http("GET", f"/projects/{code}/audit-trail", "audit").json()}
    assert all(trail[e["seq"]] == e["hash"] for e in events)  # the same chained records
    assert stack.http("GET", "/ledger/verification", "audit").json()["ok"]


def test_full_ladder_suspends_and_terminates(stack):
    code = funded(stack)
    [finding] = stack.http(
        "POST",
        "/inspections",
        "office",
        json={"project": code, "findings": [{"articles": [17], "description": "擅自扩大建设规模"}]},
    ).json()
    fid = finding["id"]
    stack.http("POST", f"/findings/{fid}/rectification-order", "office", json={"deadline": "2099-01-01"})
    report = stack.http(
        "POST", f"/findings/{fid}/rectification-report", "unit", UNIT, json={"report": "已压缩规模"}
    )
    assert report.json()["status"] == "reported"
    failed = stack.http("POST", f"/findings/{fid}/verification", "office", json={"resolved": False})
    assert failed.json()["status"] == "failed"
    ids = {}
    for step in ("criticism", "withhold_funds", "suspend", "terminate"):
        r = stack.http(
            "POST",
            "/sanctions",
            "office",
            json={"project": code, "type": step, "finding": fid, "reason": "整改后仍不符合要求"},
        )
        assert r.status_code == 201, r.text
        ids[step] = r.json()["id"]
    wait_for(lambda: stack.status(code) == "terminated", timeout=20, message="terminated")
    final = stack.http("POST", f"/sanctions/{ids['terminate']}/lifting", "office", json={"reason": "恢复"})
    assert final.status_code == 409 and final.json()["error"]["articles"] == ["第三十四条"]
    for step in ("criticism", "withhold_funds", "suspend"):  # the rest of the ladder lifts
        lifted = stack.http("POST", f"/sanctions/{ids[step]}/lifting", "office", json={"reason": "已整改"})
        assert lifted.status_code == 200 and lifted.json()["status"] == "lifted", step
    funds = stack.http("GET", f"/projects/{code}/funds", "finance").json()
    assert funds["gates"]["terminated"] is True
    own = stack.http("GET", "/sanctions", "unit", UNIT, params={"project": code}).json()
    assert sorted((s["type"], s["status"]) for s in own) == sorted(
        [(step, "lifted") for step in ("criticism", "withhold_funds", "suspend")] + [("terminate", "active")]
    )
    gates = wait_for(
        lambda: (lambda g: g if not g["suspended"] and not g["withholding_sanctions"] else None)(
            stack.http("GET", f"/projects/{code}/funds", "finance").json()["gates"]
        ),
        timeout=20,
        message="finance applied the liftings",
    )
    assert gates["terminated"] and stack.status(code) == "terminated"  # nothing revived
    assert stack.http("GET", "/sanctions", "office", params={"status": "gone"}).status_code == 422


def test_acceptance_deadline_from_completion_is_extended_and_missed(stack):
    stack.set_today("2026-08-31")
    code = funded(stack)
    stack.http("POST", f"/projects/{code}/completion", "unit", UNIT, json={"completed_on": "2026-08-31"})
    [deadline] = wait_for(
        lambda: stack.http("GET", "/deadlines", "office", params={"project": code}).json(),
        timeout=20,
        message="deadline",
    )
    assert deadline["due_on"] == "2026-11-30" and deadline["article"] == "第二十三条"
    stack.http(
        "POST",
        f"/projects/{code}/acceptance-extension",
        "unit",
        UNIT,
        json={"reason": "审计未完成", "requested_due": "2026-12-31"},
    )
    stack.http(
        "POST", f"/projects/{code}/acceptance-extension/decision", "office", json={"decision": "grant"}
    )
    moved = wait_for(
        lambda: (lambda d: d if d[0]["due_on"] == "2026-12-31" else None)(
            stack.http("GET", "/deadlines", "office", params={"project": code}).json()
        ),
        timeout=20,
        message="moved",
    )
    assert [e["why"].split(":")[0] for e in moved[0]["ledger"]] == [
        "construction finished 2026-08-31",
        "extension granted",
    ]
    stack.set_today("2027-01-01")
    scan = stack.http("POST", "/admin/scan", "operator", json={}).json()
    assert f"acceptance_application:{code}:1" in scan["missed_deadlines"]
    assert [f["kind"] for f in findings(stack, code)] == ["missed:acceptance_application"]
    assert (
        stack.http("GET", "/deadlines", "unit", UNIT, params={"project": code, "overdue": "true"}).json()[0][
            "status"
        ]
        == "missed"
    )

    # the register's list filtered by the deadline engine; the project view gathers the rest
    def listed(role, unit=None, **params):
        return [
            p["code"]
            for p in stack.http("GET", "/projects", role, unit, params={"limit": 200, **params}).json()[
                "items"
            ]
        ]

    assert code in listed("office", overdue="true")
    assert code not in listed("office", overdue="false") and code in listed("office")
    assert code in listed("unit", UNIT, overdue="true")
    assert code not in listed("unit", "U-370700-999", overdue="true")
    bad = stack.http("GET", "/projects", "office", params={"overdue": "maybe"})
    assert bad.status_code == 422 and "overdue" in bad.json()["error"]["details"]
    detail = stack.http("GET", f"/projects/{code}", "unit", UNIT).json()
    assert [d["kind"] for d in detail["deadlines"]] == ["acceptance_application"]
    assert [f["kind"] for f in detail["findings"]] == ["missed:acceptance_application"]
    assert detail["sanctions"] == [] and detail["partial"] == {}
    assert "gates" in detail["funds"] and "ledger" not in detail["funds"]
    seen_by_finance = stack.http("GET", f"/projects/{code}", "finance").json()
    assert seen_by_finance["partial"] == {"findings": "forbidden"}
    assert seen_by_finance["funds"] and seen_by_finance["findings"] is None
    # another unit reads none of this project's deadlines, findings or sanctions
    for path in ("/deadlines", "/findings", "/sanctions"):
        r = stack.http("GET", path, "unit", "U-370700-999", params={"project": code})
        assert r.status_code == 200 and r.json() == [], path


def test_lists_are_read_in_bounded_pages(stack):
    code = funded(stack)
    found = stack.http(
        "POST",
        "/inspections",
        "office",
        json={
            "project": code,
            "findings": [{"articles": [17], "description": "一"}, {"articles": [17], "description": "二"}],
        },
    )
    assert found.status_code == 201
    for path in ("/deadlines", "/findings", "/sanctions"):
        everything = stack.http("GET", path, "office", params={"limit": 500}).json()
        assert len(everything) >= (2 if path == "/findings" else 0), path
        pages = [
            stack.http("GET", path, "office", params={"limit": 1, "offset": n}).json()
            for n in range(len(everything) + 1)
        ]
        assert [p[0]["id"] for p in pages[:-1]] == [item["id"] for item in everything], path
        assert pages[-1] == [], path
        r = stack.http("GET", path, "office", params={"limit": 501})
        assert r.status_code == 422 and "limit" in r.json()["error"]["details"], path


def test_audit_findings_and_referrals(stack):
    code = funded(stack)
    audit = stack.http("POST", "/audits", "audit", json={"project": code, "scope": "资金使用"})
    assert audit.status_code == 201
    finding = stack.http(
        "POST",
        f"/audits/{audit.json()['id']}/findings",
        "audit",
        json={"articles": [38], "description": "挪用建设资金", "amount": "50000.00"},
    ).json()
    assert finding["source"].startswith("audit:") and finding["articles"] == ["第三十八条"]
    referral = stack.http(
        "POST",
        "/referrals",
        "audit",
        json={
            "project": code,
            "kind": "disciplinary",
            "articles": [38],
            "description": "移送处理",
            "finding": finding["id"],
        },
    )
    assert referral.status_code == 201
    bad = stack.http(
        "POST",
        "/referrals",
        "office",
        json={"project": code, "kind": "judicial", "articles": [12], "description": "x"},
    )
    assert bad.status_code == 422
    fen = stack.http(
        "POST",
        f"/audits/{audit.json()['id']}/findings",
        "audit",
        json={"articles": [38], "description": "x", "amount": "1.234"},
    )
    assert fen.status_code == 422 and "amount" in fen.json()["error"]["details"]
    [refused] = stack.http(
        "POST",
        "/inspections",
        "office",
        json={"project": code, "findings": [{"articles": [36], "description": "拒绝提供项目资料"}]},
    ).json()
    assert refused["kind"] == "non_cooperation" and refused["articles"] == ["第三十六条"]
    nowhere = stack.http(
        "POST",
        "/inspections",
        "office",
        json={"project": "SD-1999-000000", "findings": [{"articles": [34], "description": "x"}]},
    )
    assert nowhere.status_code == 404 and nowhere.json()["error"]["details"] == {"project": "SD-1999-000000"}


def failed_finding(stack, code):
    """An inspection's finding, ordered rectified, reported, and verified as not resolved."""
    [finding] = stack.http(
        "POST",
        "/inspections",
        "office",
        json={"project": code, "findings": [{"articles": [17], "description": "擅自扩大建设规模"}]},
    ).json()
    fid = finding["id"]
    stack.http("POST", f"/findings/{fid}/rectification-order", "office", json={"deadline": "2099-01-01"})
    stack.http("POST", f"/findings/{fid}/rectification-report", "unit", UNIT, json={"report": "已整改"})
    assert (
        stack.http("POST", f"/findings/{fid}/verification", "office", json={"resolved": False}).json()[
            "status"
        ]
        == "failed"
    )
    return fid


def test_a_sanction_needs_a_refused_ignored_or_failed_rectification(stack):
    """第三十四条: no sanction without a finding whose rectification was refused, ignored or
    failed; every other request is 409 and leaves nothing behind."""
    code = funded(stack)

    def impose(**body):
        r = stack.http(
            "POST",
            "/sanctions",
            "office",
            json={"project": code, "type": "criticism", "reason": "通报", **body},
        )
        assert r.status_code == 409, r.text
        error = r.json()["error"]
        assert error["articles"] == ["第三十四条"] and error["message"] and error["message_zh"]
        return error

    assert "finding" in impose()["details"]  # no finding named
    [finding] = stack.http(
        "POST",
        "/inspections",
        "office",
        json={"project": code, "findings": [{"articles": [13], "description": "合同未备案"}]},
    ).json()
    fid = finding["id"]
    assert impose(finding=fid)["details"] == {"finding_status": "open"}  # never ordered
    stack.http("POST", f"/findings/{fid}/rectification-order", "office", json={"deadline": "2099-01-01"})
    assert impose(finding=fid)["details"] == {"finding_status": "rectification_ordered"}
    stack.http("POST", f"/findings/{fid}/rectification-report", "unit", UNIT, json={"report": "已补办备案"})
    assert impose(finding=fid)["details"] == {"finding_status": "reported"}
    stack.http("POST", f"/findings/{fid}/verification", "office", json={"resolved": True})
    assert impose(finding=fid)["details"] == {"finding_status": "resolved"}
    # nothing was imposed: no sanction, the finding as it was, no step on the timeline
    assert stack.http("GET", "/sanctions", "office", params={"project": code}).json() == []
    assert findings(stack, code)[0]["status"] == "resolved"
    actions = wait_for(
        lambda: (lambda a: a if "finding_verified" in a else None)(
            [e["action"] for e in stack.http("GET", f"/projects/{code}/timeline", "office").json()["events"]]
        ),
        timeout=20,
        message="the verification on the timeline",
    )
    assert "sanction_imposed" not in actions
    # a finding of another project is not this project's (404), and changes nothing either
    other = funded(stack)
    r = stack.http(
        "POST",
        "/sanctions",
        "office",
        json={"project": other, "type": "criticism", "finding": fid, "reason": "r"},
    )
    assert r.status_code == 404 and r.json()["error"]["details"] == {"finding": fid}


def test_a_suspension_stops_the_deadlines_and_the_lifting_moves_them(stack):
    stack.set_today("2026-08-31")
    code = funded(stack)
    stack.http("POST", f"/projects/{code}/completion", "unit", UNIT, json={"completed_on": "2026-08-31"})
    wait_for(
        lambda: stack.http("GET", "/deadlines", "office", params={"project": code}).json(),
        timeout=20,
        message="deadline",
    )
    fid = failed_finding(stack, code)
    for step in ("criticism", "withhold_funds", "suspend"):  # the ladder, one step at a time
        r = stack.http(
            "POST",
            "/sanctions",
            "office",
            json={"project": code, "type": step, "finding": fid, "reason": "整改后仍不符合要求"},
        )
        assert r.status_code == 201, r.text
    sanction = r.json()
    deadline = [
        d
        for d in stack.http("GET", "/deadlines", "office", params={"project": code}).json()
        if d["kind"] == "acceptance_application"
    ][0]
    assert deadline["status"] == "suspended"
    stack.set_today("2026-09-10")
    scan = stack.http("POST", "/admin/scan", "office", json={"as_of": "2026-12-31"}).json()
    assert f"acceptance_application:{code}:1" not in scan["missed_deadlines"]  # it stood still
    [deadline] = [
        d
        for d in stack.http("GET", "/deadlines", "office", params={"project": code}).json()
        if d["kind"] == "acceptance_application"
    ]
    assert deadline["status"] == "suspended"
    stack.http("POST", f"/sanctions/{sanction['id']}/lifting", "office", json={"reason": "恢复"})
    [deadline] = [
        d
        for d in stack.http("GET", "/deadlines", "office", params={"project": code}).json()
        if d["kind"] == "acceptance_application"
    ]
    assert deadline["status"] == "open" and deadline["due_on"] == "2026-12-10"  # +10 days
    assert deadline["ledger"][-1]["why"].startswith("resumed after 10 days")


def test_a_19th_article_suspension_ends_when_the_approving_body_says_so(stack):
    """第十九条: the approving body suspends and later lets construction resume — finance pays
    again, the deadlines move by the days they stood still, the register's status returns, the
    step is on the timeline; every refusal on the way changes nothing."""
    stack.set_today("2026-09-01")
    code = funded(stack)
    assert (
        stack.http(
            "POST",
            f"/projects/{code}/contracts",
            "unit",
            UNIT,
            json={
                "contract_no": "HT-7",
                "supplier": "浪潮",
                "amount": "300000.00",
                "signed_on": "2026-09-01",
                "text_sha256": "a7" * 32,
            },
        ).status_code
        == 201
    )
    wait_for(lambda: stack.status(code) == "in_construction", timeout=20, message="building")

    def annual_report():
        return [
            d
            for d in stack.http("GET", "/deadlines", "office", params={"project": code}).json()
            if d["kind"] == "annual_report"
        ][0]

    wait_for(
        lambda: stack.http("GET", "/deadlines", "office", params={"project": code}).json(),
        timeout=20,
        message="the annual report's deadline",
    )
    incidents = f"/projects/{code}/incidents"
    delay = stack.http(
        "POST", incidents, "unit", UNIT, json={"kind": "serious_delay", "description": "工期滞后"}
    ).json()["id"]
    stack.http(
        "POST",
        f"{incidents}/{delay}/decision",
        "office",
        json={"action": "rectify", "deadline": "2099-01-01"},
    )
    loss = stack.http(
        "POST", incidents, "unit", UNIT, json={"kind": "major_loss", "description": "投资重大损失"}
    ).json()["id"]
    assert (
        stack.http("POST", f"{incidents}/{loss}/decision", "office", json={"action": "suspend"}).status_code
        == 200
    )
    wait_for(lambda: stack.status(code) == "suspended", timeout=20, message="suspended")
    wait_for(lambda: annual_report()["status"] == "suspended", timeout=20, message="stopped")
    wait_for(
        lambda: "not_suspended" in [g["gate"] for g in pay(stack, code)["failed_gates"]],
        timeout=20,
        message="finance stops paying",
    )

    stack.set_today("2026-09-11")
    for role, unit, incident, status in (
        ("drc", None, loss, 403),
        ("unit", UNIT, loss, 403),
        ("office", None, delay, 409),
    ):
        r = stack.http("POST", f"{incidents}/{incident}/resumption", role, unit, json={"reason": "恢复建设"})
        assert r.status_code == status, (role, r.text)
        assert r.json()["error"]["message_zh"]
    assert (
        stack.http("POST", f"{incidents}/{loss}/resumption", "office", json={}).status_code == 422
    )  # no reason
    assert stack.status(code) == "suspended" and annual_report()["status"] == "suspended"
    assert "not_suspended" in [g["gate"] for g in pay(stack, code)["failed_gates"]]

    resumed = stack.http("POST", f"{incidents}/{loss}/resumption", "office", json={"reason": "损失已挽回"})
    assert resumed.status_code == 200, resumed.text
    assert resumed.json()["status"] == "resumed"
    assert resumed.json()["decision"]["resumption"]["on"] == "2026-09-11"
    wait_for(lambda: stack.status(code) == "in_construction", timeout=20, message="resumed")
    moved = wait_for(
        lambda: (lambda d: d if d["status"] == "open" else None)(annual_report()),
        timeout=20,
        message="the clock runs again",
    )
    assert moved["due_on"] == "2027-01-10"  # 31 Dec + 10 days
    assert moved["ledger"][-1]["why"].startswith("resumed after 10 days")
    assert moved["ledger"][-1]["article"] == "第十九条"
    wait_for(lambda: pay(stack, code)["status"] == "paid", timeout=20, message="paid again")
    again = stack.http("POST", f"{incidents}/{loss}/resumption", "office", json={"reason": "again"})
    assert again.status_code == 409 and again.json()["error"]["articles"] == ["第十九条"]
    events = stack.timeline_with(
        code, "construction_resumed", "unit", UNIT, message="the resumption on the timeline"
    )
    story = [e["action"] for e in events]
    assert story.index("construction_suspended") < story.index("construction_resumed")
    step = events[story.index("construction_resumed")]
    assert step["what_zh"] == "恢复项目建设" and step["articles"] == ["第十九条"]
    assert step["details"]["days_suspended"] == 10


def _building(stack, day):
    stack.set_today(day)
    code = funded(stack)
    filed = stack.http(
        "POST",
        f"/projects/{code}/contracts",
        "unit",
        UNIT,
        json={
            "contract_no": "HT-7",
            "supplier": "浪潮",
            "amount": "300000.00",
            "signed_on": day,
            "text_sha256": "a7" * 32,
        },
    )
    assert filed.status_code == 201, filed.text
    wait_for(lambda: stack.status(code) == "in_construction", timeout=20, message="building")
    return code


def _suspensions(stack, code):
    return stack.http("GET", f"/projects/{code}", "office").json()["suspensions"]


def test_overlapping_suspensions_end_only_when_both_are_lifted(stack):
    """A 第三十四条 sanction and a 第十九条 decision suspend the same project: lifting the sanction
    leaves it suspended — in the register, at finance and in the deadline engine alike — until
    the approving body lets construction resume; each lifting is its own step on the timeline."""
    code = _building(stack, "2026-09-01")
    fid, sanctions = failed_finding(stack, code), {}
    for step in ("criticism", "withhold_funds", "suspend"):
        r = stack.http(
            "POST",
            "/sanctions",
            "office",
            json={"project": code, "type": step, "finding": fid, "reason": "整改后仍不符合要求"},
        )
        assert r.status_code == 201, r.text
        sanctions[step] = r.json()["id"]
    incidents = f"/projects/{code}/incidents"
    loss = stack.http(
        "POST", incidents, "unit", UNIT, json={"kind": "major_loss", "description": "投资重大损失"}
    ).json()["id"]
    decided = stack.http("POST", f"{incidents}/{loss}/decision", "office", json={"action": "suspend"})
    assert decided.status_code == 200, decided.text
    both = sorted([f"sanction:{sanctions['suspend']}", f"incident:{loss}"])
    wait_for(lambda: sorted(_suspensions(stack, code)) == both, timeout=20, message="both suspensions")
    assert stack.status(code) == "suspended"

    stack.set_today("2026-09-05")
    for step in ("suspend", "withhold_funds"):  # finance hears them in this order (one queue)
        lifted = stack.http(
            "POST", f"/sanctions/{sanctions[step]}/lifting", "office", json={"reason": "已整改"}
        )
        assert lifted.status_code == 200, lifted.text
    # the register heard the lifting, and the 第十九条 suspension still stands
    wait_for(
        lambda: _suspensions(stack, code) == [f"incident:{loss}"],
        timeout=20,
        message="the sanction's lifting",
    )
    assert stack.status(code) == "suspended"
    wait_for(
        lambda: (lambda g: g if not g["withholding_sanctions"] else None)(
            stack.http("GET", f"/projects/{code}/funds", "finance").json()["gates"]
        ),
        timeout=20,
        message="finance heard both liftings",
    )
    assert stack.http("GET", f"/projects/{code}/funds", "finance").json()["gates"]["suspended"] is True
    assert [g["gate"] for g in pay(stack, code)["failed_gates"]] == ["not_suspended"]
    [report] = [
        d
        for d in stack.http("GET", "/deadlines", "office", params={"project": code}).json()
        if d["kind"] == "annual_report"
    ]
    assert report["status"] == "suspended"
    assert f"still suspended by incident:{loss}" in report["ledger"][-1]["why"]

    stack.set_today("2026-09-11")
    resumed = stack.http("POST", f"{incidents}/{loss}/resumption", "office", json={"reason": "损失已挽回"})
    assert resumed.status_code == 200, resumed.text
    wait_for(lambda: stack.status(code) == "in_construction", timeout=20, message="resumed")
    assert _suspensions(stack, code) == []
    wait_for(lambda: pay(stack, code)["status"] == "paid", timeout=20, message="paid again")
    events = stack.timeline_with(
        code, "construction_resumed", "office", message="both liftings on the timeline"
    )
    story = [e["action"] for e in events]
    assert story.count("sanction_lifted") == 2 and story.count("construction_resumed") == 1
    assert story.index("sanction_lifted") < story.index("construction_resumed")


def test_a_finished_project_is_not_suspended(stack):
    """第十九条 暂停项目建设 concerns a project under construction: once acceptance announced the
    completion, the approving body's suspension is refused (409, bilingual) and changes nothing —
    the incident stays open, the register, finance and the deadlines as they were."""
    code = _building(stack, "2026-09-01")
    incidents = f"/projects/{code}/incidents"

    def report(kind):
        return stack.http(
            "POST", incidents, "unit", UNIT, json={"kind": kind, "description": "投资重大损失"}
        ).json()["id"]

    earlier = report("serious_delay")  # decided before the completion: a harmless probe below
    assert (
        stack.http("POST", f"{incidents}/{earlier}/decision", "office", json={"action": "none"}).status_code
        == 200
    )
    done = stack.http(
        "POST", f"/projects/{code}/completion", "unit", UNIT, json={"completed_on": "2026-09-01"}
    )
    assert done.status_code == 201, done.text
    wait_for(lambda: stack.status(code) == "completed", timeout=20, message="completed")
    # the completion reaches approval: the refusal of a suspension now names it
    probe = wait_for(  # the body (a 409 Response is falsy)
        lambda: (lambda body: body if "completed_on" in body["error"]["details"] else None)(
            stack.http("POST", f"{incidents}/{earlier}/decision", "office", json={"action": "suspend"}).json()
        ),
        timeout=20,
        message="approval learned the completion",
    )
    assert probe["error"]["code"] == "state_conflict"
    loss = report("major_loss")
    refused = stack.http("POST", f"{incidents}/{loss}/decision", "office", json={"action": "suspend"})
    assert refused.status_code == 409, refused.text
    error = refused.json()["error"]
    assert error["articles"] == ["第十九条"] and "完成建设" in error["message_zh"]
    assert error["details"] == {"action": "suspend", "completed_on": "2026-09-01"}
    # nothing changed
    [incident] = [i for i in stack.http("GET", incidents, "office").json() if i["id"] == loss]
    assert incident["status"] == "open" and not incident["decision"]
    assert stack.status(code) == "completed" and _suspensions(stack, code) == []
    assert stack.http("GET", f"/projects/{code}/funds", "finance").json()["gates"]["suspended"] is False
    deadlines = stack.http("GET", "/deadlines", "office", params={"project": code}).json()
    assert "suspended" not in {d["status"] for d in deadlines}
    actions = [
        e["action"] for e in stack.http("GET", f"/projects/{code}/timeline", "office").json()["events"]
    ]
    assert "construction_suspended" not in actions
    # a rectification is still the approving body's to order
    ordered = stack.http(
        "POST", f"{incidents}/{loss}/decision", "office", json={"action": "rectify", "deadline": "2099-01-01"}
    )
    assert ordered.status_code == 200, ordered.text


def test_a_project_past_its_planned_end_is_noticed(stack):
    """第十九条: a project past its registered schedule's end unfinished is listed by the
    deadline engine; the scan asks a unit that did not report the serious delay to report it,
    and leaves one that did."""
    stack.set_today("2027-01-04")
    schedule = {"start": "2027-01-04", "end": "2027-03-31"}
    silent = stack.approved(UNIT, ITEM, amount="500000.00", schedule=schedule)
    told = stack.approved(UNIT, ITEM, amount="500000.00", schedule=schedule)

    def planned(code, role="office", unit=None):
        rows = stack.http("GET", "/deadlines", role, unit, params={"project": code}).json()
        return [d for d in rows if d["kind"] == "planned_completion"]

    [due] = wait_for(lambda: planned(silent), timeout=20, message="the planned end")
    assert due["due_on"] == "2027-03-31" and due["article"] == "第十九条"
    assert due["status"] == "open" and not due["overdue"]
    assert (
        stack.http(
            "POST",
            f"/projects/{told}/incidents",
            "unit",
            UNIT,
            json={"kind": "serious_delay", "description": "主体工程严重滞后"},
        ).status_code
        == 201
    )
    wait_for(
        lambda: (
            (planned(told) or [{}])[0]
            .get("ledger", [{}])[-1]
            .get("why", "")
            .startswith("serious delay reported")
        ),
        timeout=20,
        message="the report is known",
    )

    stack.set_today("2027-04-01")
    [late] = planned(silent, "unit", UNIT)
    assert late["overdue"] and late["status"] == "open"  # listed before any scan
    overdue = [
        p["code"]
        for p in stack.http("GET", "/projects", "office", params={"overdue": "true", "limit": 200}).json()[
            "items"
        ]
    ]
    assert silent in overdue and told in overdue
    scan = stack.http("POST", "/admin/scan", "office", json={}).json()
    assert silent in scan["unreported_delays"] and told not in scan["unreported_delays"]
    assert f"planned_completion:{told}:1" in scan["missed_deadlines"]
    [finding] = stack.http("GET", "/findings", "unit", UNIT, params={"project": silent}).json()
    assert finding["kind"] == "unreported_delay" and finding["articles"] == ["第十九条"]
    assert "请及时向项目审批部门报告" in finding["description"]
    assert finding["details"]["asks"]["report"] == "serious_delay"
    assert findings(stack, told) == []
    [settled] = planned(told)
    assert settled["status"] == "missed"
    assert settled["ledger"][-1]["why"].startswith("past the planned end; serious delay reported")
    again = stack.http("POST", "/admin/scan", "office", json={}).json()
    assert silent not in again["unreported_delays"]  # once
    events = stack.timeline_with(told, "incident_reported", "office", message="the report on the timeline")
    [step] = [e for e in events if e["action"] == "incident_reported"]
    assert step["what_zh"] == "报告工程严重逾期或投资重大损失" and step["articles"] == ["第十九条"]


def test_a_unit_sees_only_its_own_findings(stack):
    code = funded(stack)
    stack.http(
        "POST",
        "/inspections",
        "office",
        json={"project": code, "findings": [{"articles": [36], "description": "拒绝提供资料"}]},
    )
    mine = stack.http("GET", "/findings", "unit", UNIT, params={"project": code}).json()
    assert [f["articles"] for f in mine] == [["第三十六条"]]
    assert stack.http("GET", "/findings", "unit", "U-OTHER", params={"project": code}).json() == []
    assert stack.http("GET", "/overview", "unit", UNIT).status_code == 403


def test_a_refusal_to_rectify_is_recorded_and_sanctionable(stack):
    """拒不整改 (第三十四条): the office records that the unit refused an order still running — only
    the office, only then (409 otherwise, changing nothing); the refusal is on the timeline and
    the finding is sanctionable."""
    code = funded(stack)
    [finding] = stack.http(
        "POST",
        "/inspections",
        "office",
        json={"project": code, "findings": [{"articles": [17], "description": "擅自扩大建设规模"}]},
    ).json()
    fid = finding["id"]
    refusal = f"/findings/{fid}/rectification-refusal"
    early = stack.http("POST", refusal, "office", json={"reason": "拒绝整改"})
    assert early.status_code == 409 and early.json()["error"]["articles"] == ["第三十四条"]
    assert early.json()["error"]["message_zh"] and findings(stack, code)[0]["status"] == "open"
    stack.http("POST", f"/findings/{fid}/rectification-order", "office", json={"deadline": "2099-01-01"})
    assert stack.http("POST", refusal, "unit", UNIT, json={"reason": "x"}).status_code == 403
    assert stack.http("POST", refusal, "office", json={}).status_code == 422
    refused = stack.http("POST", refusal, "office", json={"reason": "书面答复拒绝整改"})
    assert refused.status_code == 200, refused.text
    assert refused.json()["status"] == "refused_to_rectify"
    again = stack.http("POST", refusal, "office", json={"reason": "再次"})
    assert again.status_code == 409
    imposed = stack.http(
        "POST",
        "/sanctions",
        "office",
        json={"project": code, "type": "criticism", "finding": fid, "reason": "拒不整改"},
    )
    assert imposed.status_code == 201, imposed.text
    events = stack.timeline_with(
        code, "sanction_imposed", "office", message="the refusal and the sanction on the timeline"
    )
    [step] = [e for e in events if e["action"] == "finding_rectification_refused"]
    assert step["what_zh"] == "拒不整改" and step["articles"] == ["第三十四条"]
