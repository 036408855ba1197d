from datetime import date

import pytest

from shared.policy import UnknownPolicy, article_label_zh, get_policy, policy_in_force


def test_all_42_articles_with_chinese_text_and_english_gist():
    policy = get_policy("shandong/v1")
    assert sorted(policy.articles) == list(range(1, 43))
    for number, article in policy.articles.items():
        assert article.label_zh == article_label_zh(number)
        assert article.text_zh and article.gist_en
    assert "5 个工作日" in policy.article(13).text_zh
    assert "3 个月" in policy.article(23).text_zh


@pytest.mark.parametrize(
    "n, label",
    [
        (1, "第一条"),
        (10, "第十条"),
        (13, "第十三条"),
        (20, "第二十条"),
        (23, "第二十三条"),
        (42, "第四十二条"),
    ],
)
def test_article_labels(n, label):
    assert article_label_zh(n) == label


def test_parameters_are_data_of_the_pinned_version():
    policy = policy_in_force(date(2026, 11, 27))
    assert policy.id == "shandong/v1"
    assert policy.param("contract_filing", "working_days") == 5
    assert policy.param("acceptance_application", "months") == 3
    assert (
        policy.param("self_evaluation_window", "opens_months"),
        policy.param("self_evaluation_window", "closes_months"),
    ) == (12, 24)
    assert policy.param("sanction_ladder", "steps") == ["criticism", "withhold_funds", "suspend", "terminate"]
    docs = [d["doc"] for d in policy.param("required_documents", "acceptance")]
    assert docs == [
        "construction_summary",
        "financial_report",
        "audit_report",
        "security_risk_assessment",
        "crypto_application",
    ]


def test_citations_and_unknowns():
    policy = get_policy("shandong/v1")
    assert policy.cite(23).as_dict() == {
        "regulation": "shandong/v1",
        "article": 23,
        "label_zh": "第二十三条",
        "label_en": "art. 23",
    }
    with pytest.raises(UnknownPolicy):
        policy.cite(43)
    with pytest.raises(UnknownPolicy):
        policy.param("contract_filing", "months")
    with pytest.raises(UnknownPolicy):
        get_policy("shandong/v0")
    with pytest.raises(UnknownPolicy):
        policy_in_force(date(2010, 1, 1))
