"""The compliance matrix (shared/compliance.py, docs/compliance.md): generated from the source,
checked in, and current; the event catalogue (docs/events.md) likewise."""

from __future__ import annotations

import ast

from shared import compliance


def test_the_generated_docs_are_current():
    """docs/compliance.md and docs/events.md are what `govproj docs --write` makes of the tree
    today: a rule, test, citation or event type changed without regenerating them fails here."""
    for path, text in compliance.generated().items():
        assert path.exists() and path.read_text(encoding="utf-8") == text, (
            f"{path.name} is stale: run `.venv/bin/govproj docs --write` and commit it"
        )


def test_every_one_of_the_42_articles_is_listed_and_the_declaratory_ones_are_named():
    articles = compliance.matrix()
    assert sorted(articles) == list(range(1, 43))
    assert {n for n, a in articles.items() if not a.operative} == {1, 2, 40, 41, 42}
    assert all(not a.gaps for a in articles.values() if not a.operative)


def test_a_refusal_an_event_a_comment_and_a_test_docstring_are_each_found():
    source = '''
def rule(tx):
    """第九条 in a docstring is not a rule"""
    # 第十三条: within 5 working days
    if late:
        raise RuleViolation("late", "逾期", articles=[13, 17])
    tx.emit("contract_filed", {}, project_code="X", regulation_version="v", articles=[13])
    findings.publish(tx, "X", "audit_opened", {}, [35])
'''
    tree = ast.parse(source)
    found = {(f, n, k) for f, n, k, _ in compliance._citations(tree)}
    assert found == {
        ("rule", 13, "error"),
        ("rule", 17, "error"),
        ("rule", 13, "event:contract_filed"),
        ("rule", 35, "event:audit_opened"),
    }
    assert [(f, n) for f, n, _, _ in compliance._comment_citations(tree, source)] == [("rule", 13)]
    test = ast.parse('def test_x():\n    """第二十三条: three months"""\n    assert 1\n')
    assert [(t, n) for t, n, _ in compliance._test_citations(test)] == [("test_x", 23)]


def test_an_operative_article_without_a_rule_or_a_test_is_named_as_such():
    article = compliance.Article(15, "第十五条", "建设管理", "O&M management", operative=True)
    assert article.gaps == ["no rule", "no test"]
    assert "no rule, no test" in compliance.summary({15: article})


def test_a_rule_deciding_by_the_articles_cited_is_found():
    """``36 in articles`` (supervision's non-cooperation finding, 第三十六条) is a rule of 36; a
    bound such as ``min=1`` in a schema is not an article."""
    tree = ast.parse(
        "def kind(articles):\n    return 'x' if 36 in articles else 'y'\n"
        "class S:\n    articles = List(Integer(validate=Range(min=1, max=42)))\n"
    )
    assert {(f, n) for f, n, _, _ in compliance._citations(tree)} == {("kind", 36)}
