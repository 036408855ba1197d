"""Review and approval across planning and approval, in-process, on SQLite and PostgreSQL."""

import pytest

from shared.authz import Identity
from shared.testing import (
    OFFICE,
    PLAN_ITEM,
    complete_application,
    plan_in_force,
    rpc_proxy,
    unit_identity,
    wait_for,
)

pytestmark = pytest.mark.integration

UNIT = "U-370300-001"
DRC = Identity("drc-reviewer", "drc")


def submitted(amqp_uri, **changes):
    plan_in_force(amqp_uri)
    with rpc_proxy(amqp_uri, identity=unit_identity(UNIT)) as cluster:
        code = cluster.planning.register_project(
            {
                "name": "不动产登记平台",
                "kind": "construction",
                "level": "province",
                "plan_item": PLAN_ITEM,
                "budget": {"total": "300.00"},
                **changes,
            }
        )["code"]
        complete_application(cluster.planning, code)
        cluster.planning.submit_application(code)
    wait_for(lambda: status(amqp_uri, code) == "under_review", message="under review")
    return code


def status(amqp_uri, code):
    with rpc_proxy(amqp_uri) as cluster:
        return cluster.planning.get_project(code)["status"]


def test_opinion_then_drc_then_approval(amqp_uri, database_urls, start_service):
    start_service("planning", database_urls["planning"])
    start_service("approval", database_urls["approval"])
    plain, fixed = submitted(amqp_uri), submitted(amqp_uri, fixed_asset_investment=True)
    with rpc_proxy(amqp_uri, identity=OFFICE) as office:
        round_id = office.approval.open_round({"title": "第一批", "projects": [plain, fixed]})["id"]
        for code in (plain, fixed):
            office.approval.record_opinion(
                round_id,
                {
                    "project": code,
                    "decision": "approve",
                    "necessity": "必要",
                    "feasibility": "可行",
                    "approved_amount": "250.00",
                },
            )
        office.approval.close_round(round_id)
    wait_for(lambda: status(amqp_uri, plain) == "approved", message="plain approved")
    wait_for(lambda: status(amqp_uri, fixed) == "awaiting_approval", message="awaits DRC")
    with rpc_proxy(amqp_uri, identity=DRC) as drc:
        drc.approval.record_drc_decision(
            fixed,
            {"decision": "approve", "approved_investment": "240.00", "document_no": "鲁发改投资〔2026〕3号"},
        )
    wait_for(lambda: status(amqp_uri, fixed) == "approved", message="fixed approved")
    with rpc_proxy(amqp_uri) as cluster:
        assert cluster.planning.get_project(fixed)["approved_amount"] == "240.00"
        assert cluster.planning.get_project(plain)["approved_amount"] == "250.00"
