from datetime import date

import pytest

from services.supervision.rules import check_liftable, check_order, next_sanction, require
from shared.errors import RuleViolation, StateConflict

LADDER = ["criticism", "withhold_funds", "suspend", "terminate"]


def test_the_ladder_is_climbed_one_step_at_a_time_after_a_failed_rectification():
    next_sanction(LADDER, [], "ignored", "criticism")
    next_sanction(LADDER, ["criticism"], "failed", "withhold_funds")
    next_sanction(LADDER, ["criticism", "withhold_funds"], "ignored", "suspend")
    next_sanction(LADDER, ["criticism", "withhold_funds", "suspend"], "failed", "terminate")
    with pytest.raises(RuleViolation) as err:
        next_sanction(LADDER, ["criticism"], "ignored", "suspend")  # skipping a step
    assert err.value.details["requested"] == "suspend"
    assert err.value.as_dict()["articles"] == ["第三十四条"]


def test_no_sanction_while_rectification_is_under_way_or_done():
    for status in ("open", "rectification_ordered", "reported", "resolved"):
        with pytest.raises(StateConflict):
            next_sanction(LADDER, [], status, "criticism")


def test_unknown_sanction_and_sanctions_without_a_finding():
    with pytest.raises(RuleViolation):
        next_sanction(LADDER, [], None, "public_flogging")
    for kind in LADDER:  # never without a finding, not even the mildest step (第三十四条)
        with pytest.raises(StateConflict) as err:
            next_sanction(LADDER, [], None, kind)
        body = err.value.as_dict()
        assert body["articles"] == ["第三十四条"] and "finding" in body["details"]
        assert body["message"] and body["message_zh"]


def test_only_a_refused_ignored_or_failed_rectification_is_sanctionable():
    assert next_sanction(LADDER, [], "ignored", "criticism") is None
    assert next_sanction(LADDER, [], "failed", "criticism") is None
    assert next_sanction(LADDER, [], "refused_to_rectify", "criticism") is None  # 拒不整改, as recorded
    with pytest.raises(StateConflict) as err:  # never ordered rectified
        next_sanction(LADDER, [], "open", "criticism")
    assert err.value.details == {"finding_status": "open"}


def test_finding_flow():
    require("open", "order", "F")
    require("rectification_ordered", "report", "F")
    require("failed", "order", "F")
    require("rectification_ordered", "refuse", "F")  # 拒不整改: only an order still running
    require("refused_to_rectify", "order", "F")
    for status in ("open", "reported", "failed", "ignored", "refused_to_rectify", "resolved"):
        with pytest.raises(StateConflict):
            require(status, "refuse", "F")
    with pytest.raises(StateConflict):
        require("resolved", "order", "F")
    with pytest.raises(StateConflict):
        require("open", "verify", "F")


def test_rectification_deadline_after_today():
    check_order(date(2026, 6, 2), date(2026, 6, 1))
    with pytest.raises(RuleViolation):
        check_order(date(2026, 6, 1), date(2026, 6, 1))


def test_only_an_active_sanction_is_lifted_and_a_termination_never():
    check_liftable("SN-1", "active", "suspend")
    for status, kind in (("lifted", "withhold_funds"), ("active", "terminate")):
        with pytest.raises(StateConflict) as err:
            check_liftable("SN-1", status, kind)
        body = err.value.as_dict()
        assert body["articles"] == ["第三十四条"] and body["message"] and body["message_zh"]
