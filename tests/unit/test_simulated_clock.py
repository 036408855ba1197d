"""The simulated clock (issue 18): it never goes backwards unless forced, and setting the real
clock says how to start in simulated mode instead of a bare 'forbidden'."""

from datetime import date

import pytest
from werkzeug.test import Client

from services.gateway.app import Gateway
from services.gateway.auth import development_token
from services.supervision.application import SupervisionUseCases
from services.supervision.models import platform
from shared.authz import Identity
from shared.config import load_config
from shared.context import AppContext
from shared.errors import StateConflict
from shared.persistence import create_engine_for
from shared.persistence.migrations import upgrade
from shared.persistence.store import Store
from shared.timekit import RealClock, SimulatedClock

OPERATOR = Identity("op", "operator")


@pytest.fixture
def store(tmp_path):
    url = f"sqlite:///{tmp_path / 'supervision.db'}"
    upgrade("supervision", url)
    engine = create_engine_for(url)
    yield Store(engine, platform, consumer="supervision.test")
    engine.dispose()


def cases(store, clock) -> SupervisionUseCases:
    return SupervisionUseCases(AppContext(store, clock))


def test_the_clock_moves_forward_and_back_only_when_forced(store):
    simulated = cases(store, SimulatedClock(lambda: date(2026, 10, 22)))
    assert simulated.set_clock(OPERATOR, day=date(2026, 10, 23)) == {"today": "2026-10-23"}
    assert simulated.set_clock(OPERATOR, day=date(2026, 10, 22)) == {"today": "2026-10-22"}
    with pytest.raises(StateConflict) as refused:
        simulated.set_clock(OPERATOR, day=date(2026, 8, 31))
    error = refused.value.as_dict()
    assert "does not go backwards" in error["message"] and "倒退" in error["message_zh"]
    assert error["details"] == {"today": "2026-10-22", "requested": "2026-08-31"}
    assert simulated.set_clock(OPERATOR, day=date(2026, 8, 31), force=True) == {"today": "2026-08-31"}
    # no day set yet: the first one may be any (the real date ran until then)
    unset = cases(store, SimulatedClock(lambda: None))
    assert unset.set_clock(OPERATOR, day=date(2020, 1, 1)) == {"today": "2020-01-01"}


def test_the_real_clock_says_how_to_enable_the_simulated_one(store):
    with pytest.raises(StateConflict) as refused:
        cases(store, RealClock()).set_clock(OPERATOR, day=date(2026, 8, 31))
    assert "GOVPROJ_CLOCK=simulated" in refused.value.message
    assert "GOVPROJ_CLOCK=simulated" in refused.value.message_zh


class NoRpc:
    def call(self, *args, **kwargs):
        raise AssertionError("decided at the edge")


def test_the_gateway_on_the_real_clock_says_how_and_cites_no_article():
    config = load_config("gateway", CLOCK="real")
    token = development_token(config["JWT_DEV_SECRET"], "operator")
    r = Client(Gateway(config, rpc=NoRpc())).post(
        "/api/v1/admin/clock", json={"today": "2027-01-01"}, headers={"Authorization": f"Bearer {token}"}
    )
    error = r.json["error"]
    assert r.status_code == 403 and error["articles"] == []
    assert "GOVPROJ_CLOCK=simulated make run" in error["message"]
    assert "模拟时钟模式" in error["message_zh"]
