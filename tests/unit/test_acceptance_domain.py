from datetime import date

import pytest

from services.acceptance.domain import AcceptanceFile, check_annual_report
from shared.errors import RuleViolation, StateConflict
from shared.policy import get_policy

POLICY = get_policy("shandong/v1")
FIVE = {
    "construction_summary",
    "financial_report",
    "audit_report",
    "security_risk_assessment",
    "crypto_application",
}
ITEMS = {"catalog_registered": True, "products_controllable": True}
OM = {"om_management_rules"}  # the O&M management rules on file (第十五条)


def file():
    return AcceptanceFile("SD-2026-000001", "U1", "shandong/v1")


@pytest.mark.parametrize(
    "finished, due",
    [
        (date(2026, 8, 31), date(2026, 11, 30)),  # the regulation's own example, clamped
        (date(2023, 11, 30), date(2024, 2, 29)),  # into a leap February
        (date(2026, 11, 30), date(2027, 2, 28)),
        (date(2026, 10, 15), date(2027, 1, 15)),
    ],
)
def test_three_month_clock_at_month_ends(finished, due):
    f = file()
    assert f.complete(finished, date(2027, 1, 1), POLICY, "u") == due
    assert f.deadline_ledger[0]["to"] == due.isoformat() and f.deadline_ledger[0]["articles"] == [23]


def test_completion_rules():
    f = file()
    with pytest.raises(RuleViolation):
        f.complete(date(2026, 6, 2), date(2026, 6, 1), POLICY, "u")
    f.complete(date(2026, 6, 1), date(2026, 6, 1), POLICY, "u")
    with pytest.raises(StateConflict):
        f.complete(date(2026, 6, 1), date(2026, 6, 1), POLICY, "u")


def test_extension_moves_the_clock_only_when_granted_and_the_ledger_says_why():
    f = file()
    f.complete(date(2026, 8, 31), date(2026, 9, 1), POLICY, "u")
    with pytest.raises(RuleViolation):
        f.request_extension("审计未完成", date(2026, 11, 30), "u", date(2026, 11, 1))
    f.request_extension("审计未完成", date(2027, 1, 31), "u", date(2026, 11, 1))
    with pytest.raises(StateConflict):
        f.request_extension("again", date(2027, 2, 28), "u", date(2026, 11, 2))
    assert f.decide_extension(False, "office", date(2026, 11, 5)) is None
    assert f.acceptance_due == date(2026, 11, 30)
    f.request_extension("审计未完成", date(2027, 1, 31), "u", date(2026, 11, 6))
    assert f.decide_extension(True, "office", date(2026, 11, 8)) == date(2027, 1, 31)
    assert [e["why"].split(":")[0] for e in f.deadline_ledger] == [
        "construction finished 2026-08-31",
        "extension refused",
        "extension granted",
    ]
    with pytest.raises(StateConflict):
        f.decide_extension(True, "office", date(2026, 11, 9))


def test_application_lists_every_missing_report():
    f = file()
    with pytest.raises(StateConflict):
        f.apply(FIVE, POLICY, date(2026, 9, 1))  # not finished yet
    f.complete(date(2026, 8, 31), date(2026, 9, 1), POLICY, "u")
    with pytest.raises(RuleViolation) as err:
        f.apply({"financial_report"}, POLICY, date(2026, 9, 1))
    missing = err.value.details["missing"]
    assert [m["item"] for m in missing] == [
        "construction_summary",
        "audit_report",
        "security_risk_assessment",
        "crypto_application",
    ]
    assert all(m["articles"] == ["第二十三条"] and m["message_zh"].startswith("缺少") for m in missing)
    f.apply(FIVE, POLICY, date(2026, 9, 2))
    assert f.applied_on == date(2026, 9, 2)


def accepted(on=date(2026, 10, 1)):
    f = file()
    f.complete(date(2026, 8, 31), on, POLICY, "u")
    f.apply(FIVE, POLICY, on)
    f.decide(True, "", "验收报告.pdf", ITEMS, "office", on)
    return f


def test_a_pass_needs_the_catalog_registered_and_products_checked():
    f = file()
    f.complete(date(2026, 8, 31), date(2026, 9, 1), POLICY, "u")
    f.apply(FIVE, POLICY, date(2026, 9, 1))
    with pytest.raises(RuleViolation) as err:
        f.decide(True, "", "r", {"catalog_registered": True}, "office", date(2026, 9, 2))
    assert err.value.as_dict()["articles"] == ["第三十二条"]
    f.decide(False, "资料不全", "r", {}, "office", date(2026, 9, 2))
    assert f.accepted_on is None
    f.apply(FIVE, POLICY, date(2026, 9, 10))  # after a failed acceptance, apply again
    f.decide(True, "", "r", ITEMS, "drc", date(2026, 9, 20))
    assert f.accepted_on == date(2026, 9, 20)


def test_the_approving_body_delegates_once_and_before_a_pass():
    """第二十二条: 竣工验收由项目审批部门或项目审批部门委托项目建设单位组织."""
    f = file()
    f.delegate("drc", "drc-staff", "委托建设单位组织", date(2026, 9, 1))
    assert f.delegation == {
        "body": "drc",
        "by": "drc-staff",
        "comments": "委托建设单位组织",
        "on": "2026-09-01",
    }
    with pytest.raises(StateConflict) as err:
        f.delegate("drc", "drc-staff", "again", date(2026, 9, 2))
    assert err.value.as_dict()["articles"] == ["第二十二条"]
    assert f.delegation["on"] == "2026-09-01"  # the refusal changed nothing
    with pytest.raises(StateConflict):
        accepted().delegate("office", "o", "", date(2026, 10, 2))


def test_the_report_is_filed_with_the_office_naming_who_organised_it():
    """第二十三条: 验收报告报省政务服务管理办公室备案 — whoever organised the acceptance."""
    f = accepted()
    f.file_with_office("office", date(2026, 10, 1))
    assert f.decision["organised_by"] == "office" and f.decision["delegation"] is None
    assert f.decision["filed_with_office"] == {"on": "2026-10-01", "report_document": "验收报告.pdf"}
    g = file()
    g.complete(date(2026, 8, 31), date(2026, 9, 1), POLICY, "u")
    g.delegate("office", "o", "", date(2026, 9, 1))
    g.apply(FIVE, POLICY, date(2026, 9, 2))
    g.decide(False, "资料不全", "验收意见.pdf", {}, "li@U1", date(2026, 9, 3))
    g.file_with_office("unit", date(2026, 9, 3))
    assert g.decision["organised_by"] == "unit" and g.decision["delegation"]["body"] == "office"


def test_self_evaluation_window_from_acceptance_and_going_live():
    f = accepted(date(2026, 10, 1))
    with pytest.raises(StateConflict):
        f.file_self_evaluation("r", POLICY, date(2027, 10, 1), "u")  # not live yet
    f.go_live(date(2026, 11, 30), OM)  # the later of the two starts the window
    window = f.evaluation_window(POLICY)
    assert (window.opens, window.closes) == (date(2027, 11, 30), date(2028, 11, 30))
    with pytest.raises(RuleViolation) as err:
        f.file_self_evaluation("r", POLICY, date(2027, 11, 29), "u")
    assert err.value.details["position"] == "early"
    assert err.value.as_dict()["articles"] == ["第二十四条"]
    with pytest.raises(RuleViolation):
        f.file_self_evaluation("r", POLICY, date(2028, 12, 1), "u")
    f.file_self_evaluation("r", POLICY, date(2027, 11, 30), "u")
    with pytest.raises(StateConflict):
        f.file_self_evaluation("r", POLICY, date(2028, 1, 1), "u")


def test_go_live_only_after_acceptance():
    with pytest.raises(StateConflict):
        file().go_live(date(2026, 1, 1), OM)


def test_a_go_live_dated_before_the_acceptance_is_refused():
    """第二十一条, 第二十三条, 第二十四条 (竣工验收并投入使用): use follows the pass — a go-live dated
    the day before it is refused naming live_on, changing nothing; the day itself is enough."""
    f = accepted(date(2026, 10, 1))
    with pytest.raises(RuleViolation) as err:
        f.go_live(date(2026, 9, 30), OM)
    body = err.value.as_dict()
    assert body["articles"] == ["第二十一条", "第二十三条", "第二十四条"]
    assert "live_on" in body["details"] and "竣工验收" in body["message_zh"]
    assert f.live_on is None
    f.go_live(date(2026, 10, 1), OM)
    assert f.live_on == date(2026, 10, 1)


def test_acceptance_before_use_and_post_evaluation_after_it():
    """第二十一条 (验收和后评价制度), with 第二十三条 and 第二十四条: a project goes live only
    once it passed acceptance — not while applied for, nor after a failed decision — and a
    post-evaluation is commissioned only once it passed and went live."""
    applied_only = file()
    applied_only.complete(date(2026, 8, 31), date(2026, 9, 1), POLICY, "u")
    applied_only.apply(FIVE, POLICY, date(2026, 9, 1))
    failed = file()
    failed.complete(date(2026, 8, 31), date(2026, 9, 1), POLICY, "u")
    failed.apply(FIVE, POLICY, date(2026, 9, 1))
    failed.decide(False, "资料不全", "验收意见.pdf", {}, "office", date(2026, 9, 2))
    for f in (file(), applied_only, failed):
        with pytest.raises(StateConflict) as err:
            f.go_live(date(2026, 10, 1), OM)
        assert err.value.as_dict()["articles"] == ["第二十一条", "第二十三条", "第二十四条"]
        assert f.live_on is None  # the refusal changed nothing
        with pytest.raises(StateConflict) as err:
            f.check_post_evaluation()
        assert err.value.as_dict()["articles"] == ["第二十一条", "第二十四条"]
        assert "后评价" in err.value.as_dict()["message_zh"]
    f = accepted()
    with pytest.raises(StateConflict) as err:  # accepted, not yet in use
        f.check_post_evaluation()
    assert err.value.details == {"accepted": True, "live": False}
    with pytest.raises(StateConflict) as err:
        f.file_self_evaluation("r", POLICY, date(2027, 10, 1), "u")
    assert err.value.as_dict()["articles"] == ["第二十一条", "第二十四条"]
    f.go_live(date(2026, 10, 1), OM)  # the day of the pass is enough
    f.check_post_evaluation()


def test_going_live_needs_the_units_om_management_rules_on_file():
    """第十五条: the unit keeps an O&M management regime; an accepted system goes live only with
    its O&M management rules in the archive — refused otherwise, listing it, changing nothing."""
    f = accepted()
    for archive in (set(), FIVE, {"self_evaluation"}):
        with pytest.raises(RuleViolation) as err:
            f.go_live(date(2026, 10, 1), archive)
        body = err.value.as_dict()
        assert body["articles"] == ["第十五条", "第二十四条"]
        assert [m["item"] for m in body["details"]["missing"]] == ["om_management_rules"]
        assert body["details"]["missing"][0]["message_zh"] == "缺少：运行维护管理制度"
        assert f.live_on is None and f.evaluation_window(POLICY) is None
    f.go_live(date(2026, 10, 1), FIVE | OM)
    assert f.live_on == date(2026, 10, 1)
    with pytest.raises(StateConflict):  # once
        f.go_live(date(2026, 10, 2), FIVE | OM)


@pytest.mark.parametrize(
    "year, today, on_time", [(2026, date(2026, 12, 31), True), (2026, date(2027, 1, 1), False)]
)
def test_annual_report_due_by_year_end(year, today, on_time):
    assert check_annual_report(year, today, False, None, POLICY) is on_time


def test_annual_report_rules():
    with pytest.raises(RuleViolation):
        check_annual_report(2027, date(2026, 12, 1), False, None, POLICY)
    with pytest.raises(RuleViolation) as err:
        check_annual_report(2026, date(2026, 12, 1), True, None, POLICY)
    assert err.value.as_dict()["articles"] == ["第十六条"]


# -- acceptance items from facts (第二十八条, 第三十二条) ------------------------------------------

SHARED = {
    "sharing_status_recorded": {
        "connected": True,
        "sharing_compliant": True,
        "checked_on": "2026-09-01",
        "catalog_registered": True,
    }
}


def applied():
    f = file()
    f.complete(date(2026, 8, 31), date(2026, 9, 1), POLICY, "u")
    f.apply(FIVE, POLICY, date(2026, 9, 1))
    return f


def test_items_are_known_from_the_sharing_record_the_profile_and_the_contracts():
    from services.acceptance.domain import items_from_facts

    nothing = items_from_facts({})
    assert {k: v["value"] for k, v in nothing.items()} == {
        "catalog_registered": None,
        "products_controllable": None,
    }
    facts = {
        **SHARED,
        "security_profile_recorded": {"products_all_controllable": True},
        "contracts": {"HT-1": True, "HT-2": None},
    }  # HT-2 lists no products
    known = items_from_facts(facts)
    assert known["catalog_registered"]["value"] is True
    assert known["products_controllable"]["value"] is True
    assert [s["source"] for s in known["products_controllable"]["from"]] == ["security_profile", "contract"]
    one_not = items_from_facts({**facts, "contracts": {"HT-1": True, "HT-3": False}})
    assert one_not["products_controllable"]["value"] is False  # one source says no: no


def test_an_item_not_stated_is_taken_from_the_facts():
    f = applied()
    facts = {**SHARED, "security_profile_recorded": {"products_all_controllable": True}}
    f.decide(True, "", "r", {}, "office", date(2026, 9, 2), facts=facts)
    assert f.decision["items"] == ITEMS and f.accepted_on == date(2026, 9, 2)
    g = applied()
    with pytest.raises(RuleViolation) as err:  # nothing known, nothing stated: not met
        g.decide(True, "", "r", {}, "office", date(2026, 9, 2), facts={})
    assert err.value.as_dict()["articles"] == ["第二十八条", "第三十二条"]


def test_a_pass_contradicting_the_facts_is_refused_listing_each_contradiction():
    f = applied()
    facts = {
        "sharing_status_recorded": {**SHARED["sharing_status_recorded"], "catalog_registered": False},
        "security_profile_recorded": {"products_all_controllable": False},
        "contracts": {"HT-1": True, "HT-2": False},
    }
    with pytest.raises(RuleViolation) as err:
        f.decide(True, "", "r", ITEMS, "office", date(2026, 9, 2), facts=facts)
    body = err.value.as_dict()
    assert body["articles"] == ["第二十八条", "第三十二条"]
    listed = [
        (c["item"], c["source"]["source"], c["source"].get("contract_no"))
        for c in body["details"]["contradictions"]
    ]
    assert listed == [
        ("catalog_registered", "sharing_status", None),
        ("products_controllable", "security_profile", None),
        ("products_controllable", "contract", "HT-2"),
    ]
    assert all(c["message"] and c["message_zh"] and c["articles"] for c in body["details"]["contradictions"])
    assert "合同 HT-2" in body["details"]["contradictions"][2]["message_zh"]
    assert f.decision is None  # nothing decided
    f.decide(False, "关键产品不可控", "r", {}, "office", date(2026, 9, 2), facts=facts)
    assert f.decision["items"] == {"catalog_registered": False, "products_controllable": False}
