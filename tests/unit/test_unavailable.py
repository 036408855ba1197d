"""A test that cannot run here is skipped on a developer's machine and fails in CI."""

import pytest

from shared.testing import unavailable


def test_skipped_off_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no second node"):
        unavailable("no second node")


def test_failed_in_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must run this test"):
        unavailable("no second node")
