"""POST /admin/clock answers only once every service has the new date, else 503 naming those
that have not (issue 15 item 12): the decision, without a broker — what each service's health
answered, or the error asking it raised."""

from services.gateway.rpc import ServiceUnavailable
from services.gateway.settle import lagging, not_everywhere
from shared.config import SERVICES

DAY = "2027-01-04"


def test_every_service_on_the_day_is_settled():
    assert lagging(DAY, {s: DAY for s in SERVICES}) == {}


def test_a_service_on_another_day_or_down_is_named_with_why():
    answers: dict = {s: DAY for s in SERVICES}
    answers["finance"] = "2027-01-03"  # the clock_set not handled yet
    answers["security"] = ServiceUnavailable("security", "no reply within 2 s")
    why = lagging(DAY, answers)
    assert list(why) == ["finance", "security"]
    assert why["finance"] == "still on 2027-01-03"
    assert why["security"] == "unavailable: no reply within 2 s"


def test_the_503_names_each_lagging_service_in_both_languages():
    error = not_everywhere(DAY, {"security": "unavailable: down", "finance": "still on 2027-01-03"})
    body = error.as_dict()
    assert body["code"] == "service_unavailable"
    assert "finance, security" in body["message"] and "finance, security" in body["message_zh"]
    assert "Idempotency-Key" in body["message_zh"]
    assert body["details"] == {
        "today": DAY,
        "services": {"finance": "still on 2027-01-03", "security": "unavailable: down"},
    }
