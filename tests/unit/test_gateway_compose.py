"""A project's composed view (services/gateway/compose.py) from the services' answers, without a
broker: three reads sent at once, supervision's three parts in one answer (issue 19), and the
same view from a supervision that predates that answer (a rolling upgrade)."""

from __future__ import annotations

from typing import Any

from services.gateway import compose
from services.gateway.rpc import RemoteError, ServiceUnavailable

CODE = "SD-2026-000001"
DEADLINES = [
    {"id": "DL-1", "kind": "acceptance_application", "status": "open"},
    {"id": "DL-2", "kind": "construction_start", "status": "met"},
]
FINDINGS = [{"id": "FD-1", "kind": "missed:acceptance_application"}]


class Answers:
    """The services' answers by (service, method), recorded in the order asked; ``gather`` as
    services.gateway.app.Reads: each answer or its error."""

    def __init__(self, answers: dict[tuple[str, str], Any]) -> None:
        self.answers, self.asked = answers, []

    def __call__(self, service: str, method: str, *args: Any) -> Any:
        raise AssertionError("the composed view asks its reads at once")

    def gather(self, calls: list[tuple]) -> list[tuple[Any, Exception | None]]:
        self.asked.append([(service, method) for service, method, *_ in calls])
        out: list[tuple[Any, Exception | None]] = []
        for service, method, *_ in calls:
            answer = self.answers[(service, method)]
            out.append((None, answer) if isinstance(answer, Exception) else (answer, None))
        return out


def register():
    return {"code": CODE, "status": "approved"}


def test_three_reads_at_once_and_supervisions_parts_from_one_answer():
    call = Answers(
        {
            ("planning", "get_project"): register(),
            ("finance", "get_funds"): {"gates": {}, "ledger": [{"amount": "1.00"}]},
            ("supervision", "project_oversight"): {
                "deadlines": DEADLINES,
                "findings": None,
                "sanctions": [],
                "refused": {"findings": "forbidden"},
            },
        }
    )
    view = compose.project_detail(call, {"code": CODE}, None, {})
    assert call.asked == [
        [("planning", "get_project"), ("finance", "get_funds"), ("supervision", "project_oversight")]
    ]
    assert view["funds"] == {"gates": {}}  # the money ledger is its own read
    assert [d["id"] for d in view["deadlines"]] == ["DL-1"]  # open and missed only
    assert view["findings"] is None and view["sanctions"] == []
    assert view["partial"] == {"findings": "forbidden"}


def test_supervision_down_leaves_its_three_parts_out_and_says_so():
    call = Answers(
        {
            ("planning", "get_project"): register(),
            ("finance", "get_funds"): RemoteError("NotFound", '{"code": "not_found"}'),
            ("supervision", "project_oversight"): ServiceUnavailable("supervision", "no instance"),
        }
    )
    view = compose.project_detail(call, {"code": CODE}, None, {})
    assert view["partial"] == {
        "funds": "not_found",
        "deadlines": "service_unavailable",
        "findings": "service_unavailable",
        "sanctions": "service_unavailable",
    }
    assert view["deadlines"] is None and view["funds"] is None


def test_a_supervision_without_the_combined_read_is_asked_its_three_lists():
    call = Answers(
        {
            ("planning", "get_project"): register(),
            ("finance", "get_funds"): None,
            ("supervision", "project_oversight"): RemoteError("MethodNotFound", "project_oversight"),
            ("supervision", "list_deadlines"): DEADLINES,
            ("supervision", "list_findings"): RemoteError("Forbidden", '{"code": "forbidden"}'),
            ("supervision", "list_sanctions"): [],
        }
    )
    view = compose.project_detail(call, {"code": CODE}, None, {})
    assert call.asked[1] == [
        ("supervision", "list_deadlines"),
        ("supervision", "list_findings"),
        ("supervision", "list_sanctions"),
    ]
    assert [d["id"] for d in view["deadlines"]] == ["DL-1"] and view["findings"] is None
    assert view["partial"] == {"findings": "forbidden"}
