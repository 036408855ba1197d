import pytest

from shared.authz import (
    APPROVING_BODY_ONLY,
    PERMISSIONS,
    PLATFORM_OFFICE,
    ROLES,
    Forbidden,
    Identity,
    Unauthenticated,
    acts_on_project,
    approving_body,
    require,
    require_approving_body,
    require_project,
    sees_classified_content,
    sees_project,
)


def test_identity_travels_as_a_header():
    who = Identity("li@U1", "unit", "U1")
    assert Identity.from_header(who.to_header()) == who
    assert Identity.from_header("garbage") is None and Identity.from_header(None) is None
    with pytest.raises(ValueError):
        Identity("x", "king")
    with pytest.raises(ValueError):
        Identity("x", "unit")  # a unit carries its unit code


def test_the_approving_body_alone_decides():
    """第四条, 第九条: the DRC approves a fixed-asset project, the office every other; only that
    body decides incidents, acceptance and extensions (第十九条, 第二十二条, 第二十三条)."""
    assert approving_body(True) == "drc" and approving_body(False) == "office"
    office, drc = Identity("o", "office"), Identity("d", "drc")
    require_approving_body(drc, "project.incident.decide", "SD-1", "drc", [19])
    require_approving_body(office, "project.incident.decide", "SD-1", "office", [19])
    for who, body in ((office, "drc"), (drc, "office")):
        with pytest.raises(Forbidden) as err:
            require_approving_body(who, "acceptance.decide", "SD-1", body, [22])
        refusal = err.value.as_dict()
        assert refusal["articles"] == ["第二十二条"] and refusal["message_zh"]
        assert refusal["details"]["approving_body"] == body
    # not known yet (before approval): the matrix alone; other roles are the caller's checks
    require_approving_body(drc, "acceptance.decide", "SD-1", None, [22])
    require_approving_body(Identity("u", "unit", "U1"), "acceptance.decide", "SD-1", "drc", [22])
    assert APPROVING_BODY_ONLY <= set(PERMISSIONS)
    assert all({"office", "drc"} <= PERMISSIONS[p] for p in APPROVING_BODY_ONLY)


def test_every_permission_names_known_roles():
    for roles in PERMISSIONS.values():
        assert roles <= set(ROLES)


@pytest.mark.parametrize("role", ROLES)
def test_matrix_refuses_the_unentitled_with_a_bilingual_error(role):
    who = Identity("x", role, "U1" if role == "unit" else None)
    if role in PERMISSIONS["project.register"]:
        assert require(who, "project.register") is who
    else:
        with pytest.raises(Forbidden) as err:
            require(who, "project.register")
        body = err.value.as_dict()
        assert body["code"] == "forbidden" and "无权" in body["message_zh"]


@pytest.mark.parametrize("role", ROLES)
def test_only_the_office_that_runs_the_sharing_platform_records_a_projects_status(role):
    """第二十六条 (the office runs the sharing platforms), 第二十九条: only the office records a
    project's sharing-platform status; anyone else is refused saying why, citing both."""
    assert PERMISSIONS["project.sharing.record"] == {"office"} and "project.sharing.record" in PLATFORM_OFFICE
    who = Identity("x", role, "U1" if role == "unit" else None)
    if role == "office":
        assert require(who, "project.sharing.record") is who
        return
    with pytest.raises(Forbidden) as err:
        require(who, "project.sharing.record")
    body = err.value.as_dict()
    assert body["articles"] == ["第二十六条", "第二十九条"]
    assert "runs the sharing platform" in body["message"]
    assert "负责建设、管理和运维共享交换平台" in body["message_zh"]
    with pytest.raises(Forbidden) as other:  # other refusals keep their own article
        require(who, "plan.draft")
    assert other.value.as_dict()["articles"] == ["第四条"]


def test_no_identity_is_unauthenticated():
    with pytest.raises(Unauthenticated):
        require(None, "project.list")


def test_project_visibility():
    owner, cobuilder, stranger = (Identity("a", "unit", u) for u in ("U1", "U2", "U3"))
    assert sees_project(owner, "U1", ["U2"]) and sees_project(cobuilder, "U1", ["U2"])
    assert not sees_project(stranger, "U1", ["U2"])
    assert sees_project(Identity("o", "office"), "U1", [])
    assert not sees_project(Identity("e", "evaluator"), "U1", [])
    assert not sees_project(Identity("op", "operator"), "U1", [])
    assert acts_on_project(owner, "U1") and not acts_on_project(cobuilder, "U1")


def test_classified_content_reaches_only_its_unit_and_the_secrecy_bureau():
    assert sees_classified_content(Identity("a", "unit", "U1"), "U1")
    assert sees_classified_content(Identity("s", "secrecy"), "U1")
    for role in ("office", "drc", "finance", "audit", "group", "evaluator", "operator"):
        assert not sees_classified_content(Identity("x", role), "U1")
    assert not sees_classified_content(Identity("b", "unit", "U2"), "U1")


def test_not_yours_and_no_such_project_are_one_and_the_same_refusal():
    """A unit learns nothing of projects it may not read: the same 403, body and all."""
    stranger = Identity("s", "unit", "U3")
    refusals = []
    for owner in ("U1", None):  # another unit's project; a code no one registered
        with pytest.raises(Forbidden) as err:
            require_project(stranger, "funds.read", "SD-2026-000001", owner, ["U2"])
        refusals.append(err.value.as_dict())
    assert refusals[0] == refusals[1] and "不存在" in refusals[0]["message_zh"]
    require_project(Identity("c", "unit", "U2"), "funds.read", "SD-2026-000001", "U1", ["U2"])
    with pytest.raises(Forbidden):  # co-builders read; only the owner acts
        require_project(
            Identity("c", "unit", "U2"), "acceptance.apply", "SD-2026-000001", "U1", ["U2"], owner_only=True
        )
    require_project(Identity("o", "unit", "U1"), "acceptance.apply", "SD-2026-000001", "U1", owner_only=True)
    # oversight sees every project; an unknown one is the service's 404, after this check
    require_project(Identity("o", "office"), "funds.read", "SD-2026-000001", None)
    require_project(Identity("o", "office"), "funds.read", "SD-2026-000001", "U1")


def test_the_classified_stub_keeps_the_register_fields_and_no_content():
    """第四条: everyone but the unit and the secrecy bureau sees a classified project's stub."""
    from shared.authz import classified_stub

    stub = classified_stub(
        {
            "code": "SD-2026-000001",
            "unit": "U-1",
            "status": "approved",
            "name": "涉密系统",
            "content": "机密",
            "budget": {"total": "100.00", "shares": {"province": "100.00"}},
        }
    )
    assert stub == {
        "code": "SD-2026-000001",
        "unit": "U-1",
        "status": "approved",
        "budget": {"total": "100.00"},
        "classified": True,
    }
