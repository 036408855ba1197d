"""Visibility and phantom records, over real HTTP (issue 12).

Every read of one project checks the caller against its owner and co-builders first: another
unit gets the same 403 whether the project exists or not (never a 404 or 409 that tells it
anything), an empty archive is not complete for acceptance, and reports or supervision
commands on a project that does not exist are 404 and leave nothing behind."""

import pytest

from shared.testing import running_stack, wait_for

pytestmark = pytest.mark.e2e

OWNER, COBUILDER, OTHER = "U-370600-001", "U-370600-002", "U-370600-009"
NOWHERE = "SD-2026-999999"  # a code no one registered
READS = (
    "",
    "/timeline",
    "/funds",
    "/archive",
    "/acceptance",
    "/security",
    "/classified-content",
    "/change-requests",
)


@pytest.fixture(scope="module")
def stack(infrastructure, tmp_path_factory):
    with running_stack(infrastructure, tmp_path_factory.mktemp("visibility"), RPC_TIMEOUT="30") as running:
        yield running


@pytest.fixture(scope="module")
def draft(stack):
    """A registered (draft) project with a co-builder and one document, known to every
    service that reads it."""
    code = stack.http(
        "POST",
        "/projects",
        "unit",
        OWNER,
        json={
            "name": "草稿项目",
            "kind": "construction",
            "level": "province",
            "budget": {"total": "100.00"},
            "co_builders": [{"unit": COBUILDER, "scope": "数据对接"}],
        },
    ).json()["code"]
    stack.http(
        "PUT",
        f"/projects/{code}/documents/construction_plan",
        "unit",
        OWNER,
        json={"title": "建设方案（草稿）", "sha256": "cd" * 32},
    )
    wait_for(
        lambda: stack.http("GET", f"/projects/{code}/archive", "unit", OWNER).json().get("documents"),
        timeout=20,
        message="archive",
    )
    for path, known in (("/security", 200), ("/timeline", 200), ("/funds", 404)):
        wait_for(
            lambda p=path, k=known: stack.http("GET", f"/projects/{code}{p}", "unit", OWNER).status_code == k,
            timeout=20,
            message=f"{path} knows the project",
        )
    return code


def refusal(response, code: str) -> dict:
    assert response.status_code == 403, response.text
    return {k: str(v).replace(code, "<code>") for k, v in response.json()["error"].items()}


@pytest.mark.parametrize("path", READS)
def test_not_yours_and_no_such_project_are_the_same_403(stack, draft, path):
    theirs = stack.http("GET", f"/projects/{draft}{path}", "unit", OTHER)
    nowhere = stack.http("GET", f"/projects/{NOWHERE}{path}", "unit", OTHER)
    assert refusal(theirs, draft) == refusal(nowhere, NOWHERE)
    assert theirs.json()["error"]["code"] == "forbidden"
    assert "不存在" in theirs.json()["error"]["message_zh"]


def test_a_draft_archive_reaches_its_owner_and_co_builder_only(stack, draft):
    owner = stack.http("GET", f"/projects/{draft}/archive", "unit", OWNER).json()
    assert [d["title"] for d in owner["documents"]] == ["建设方案（草稿）"]
    cobuilder = stack.http("GET", f"/projects/{draft}/archive", "unit", COBUILDER)
    assert cobuilder.status_code == 200 and cobuilder.json()["documents"] == owner["documents"]
    assert stack.http("GET", f"/projects/{draft}/archive", "office").status_code == 200
    assert stack.http("GET", f"/projects/{NOWHERE}/archive", "office").status_code == 404
    # a co-builder reads the project's funds and security file too (finance and security
    # learned it from the registration); acting stays the owner's
    assert stack.http("GET", f"/projects/{draft}/funds", "unit", COBUILDER).status_code == 404
    assert stack.http("GET", f"/projects/{draft}/security", "unit", COBUILDER).status_code == 200


def test_an_empty_archive_is_not_complete_for_acceptance(stack, draft):
    code = stack.http(
        "POST",
        "/projects",
        "unit",
        OWNER,
        json={"name": "空档案", "kind": "om", "level": "city", "budget": {"total": "1.00"}},
    ).json()["code"]
    archive = wait_for(
        lambda: (lambda r: r.json() if r.status_code == 200 else None)(
            stack.http("GET", f"/projects/{code}/archive", "unit", OWNER)
        ),
        timeout=20,
        message="acceptance knows the project",
    )
    assert archive["documents"] == [] and archive["complete_for_acceptance"] is False
    assert [m["item"] for m in archive["missing_for_acceptance"]] == [
        "construction_summary",
        "financial_report",
        "audit_report",
        "security_risk_assessment",
        "crypto_application",
    ]
    # the draft's one document is not an acceptance report either
    assert not stack.http("GET", f"/projects/{draft}/archive", "unit", OWNER).json()[
        "complete_for_acceptance"
    ]


def test_another_units_commands_learn_nothing_of_the_project(stack, draft):
    """A unit acting on a project not its own: the same 403, not the 409 'not approved' its
    owner gets."""
    theirs = stack.http(
        "POST", f"/projects/{draft}/completion", "unit", OTHER, json={"completed_on": "2026-03-02"}
    )
    nowhere = stack.http(
        "POST", f"/projects/{NOWHERE}/completion", "unit", OTHER, json={"completed_on": "2026-03-02"}
    )
    assert refusal(theirs, draft) == refusal(nowhere, NOWHERE)
    assert (
        stack.http(
            "POST", f"/projects/{draft}/completion", "unit", OWNER, json={"completed_on": "2026-03-02"}
        ).status_code
        == 409
    )


def test_reports_and_supervision_commands_on_no_project_leave_nothing(stack, draft):
    report = {"description": "挪用建设资金", "amount": "100.00"}
    phantom = stack.http("POST", f"/projects/{NOWHERE}/misappropriation", "finance", json=report)
    assert phantom.status_code == 404 and phantom.json()["error"]["details"] == {"project": NOWHERE}
    for path, body in (
        ("/sanctions", {"project": NOWHERE, "type": "criticism", "reason": "r"}),
        ("/audits", {"project": NOWHERE, "scope": "资金使用"}),
        ("/referrals", {"project": NOWHERE, "kind": "disciplinary", "articles": [38], "description": "d"}),
        ("/inspections", {"project": NOWHERE, "findings": [{"articles": [34], "description": "x"}]}),
    ):
        r = stack.http("POST", path, "audit" if path in ("/audits", "/referrals") else "office", json=body)
        assert r.status_code == 404, (path, r.text)
    # a real report after the phantom one: once its finding is in, the phantom has none
    real = stack.http("POST", f"/projects/{draft}/misappropriation", "finance", json=report)
    assert real.status_code == 201, real.text
    wait_for(
        lambda: stack.http("GET", "/findings", "office", params={"project": draft}).json(),
        timeout=20,
        message="the real report's finding",
    )
    assert stack.http("GET", "/findings", "office", params={"project": NOWHERE}).json() == []
    overview = stack.http("GET", "/overview", "office").json()
    assert NOWHERE not in [p["project"] for p in overview["by_project"]]
    assert all(p["unit"] for p in overview["by_project"])
    assert stack.http("GET", f"/projects/{NOWHERE}/timeline", "office").status_code == 404
