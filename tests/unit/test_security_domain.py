from datetime import date

import pytest

from services.security.domain import check_profile, check_secrecy_review, duty_due
from shared.errors import RuleViolation, StateConflict
from shared.policy import get_policy

CRYPTO = {"planned": True, "built": True, "running": True}


@pytest.mark.parametrize(
    "classified, protection, crypto, article",
    [
        (True, {"scheme": "graded", "level": 3}, CRYPTO, "第三十条"),
        (False, {"scheme": "classified"}, CRYPTO, "第三十条"),
        (False, {"scheme": "graded", "level": 6}, CRYPTO, "第三十条"),
        (False, {"scheme": "graded", "level": None}, CRYPTO, "第三十条"),
        (
            False,
            {"scheme": "graded", "level": 2},
            {"planned": False, "built": True, "running": False},
            "第三十一条",
        ),
        (
            False,
            {"scheme": "graded", "level": 2},
            {"planned": True, "built": False, "running": True},
            "第三十一条",
        ),
        (
            False,
            {"scheme": "graded", "level": 2},
            {"planned": False, "built": False, "running": False},
            "第三十一条",
        ),
    ],
)
def test_profile_rules(classified, protection, crypto, article):
    with pytest.raises(RuleViolation) as err:
        check_profile(classified, protection, crypto)
    assert err.value.as_dict()["articles"] == [article]


def test_valid_profiles():
    check_profile(
        False, {"scheme": "graded", "level": 1}, {"planned": True, "built": False, "running": False}
    )
    check_profile(True, {"scheme": "classified"}, CRYPTO)


def test_secrecy_review_only_of_classified_projects_and_once():
    with pytest.raises(RuleViolation):
        check_secrecy_review(False, None)
    check_secrecy_review(True, None)
    with pytest.raises(StateConflict):
        check_secrecy_review(True, "confirm")


def test_periodic_duties_from_policy():
    policy = get_policy("shandong/v1")
    assert duty_due(policy, "risk_assessment", date(2024, 2, 29)) == date(2025, 2, 28)
    assert duty_due(policy, "crypto_evaluation", date(2026, 1, 31)) == date(2027, 1, 31)
