"""Legal traceability, generated: for each of the measures' 42 articles, the rules that enforce
it (module and function), the tests that exercise it, and where it is cited to people (refusals,
timeline entries). ``govproj articles`` prints it; ``docs/compliance.md`` is its checked-in
rendering, and ``tests/unit/test_compliance.py`` fails when that file is stale.

Read from the source, not imported: every ``articles=[…]`` of a call (a refusal such as
``RuleViolation``, an event emitted with ``tx.emit``, a payment gate), every ``"articles": […]``
record, every ``article_label_zh(N)`` and every 第N条 in a string literal, each attributed to the
function it is written in; the policy data's ``article:`` parameters; in tests, the same forms
and 第N条 in a test's name-bearing docstring. An article cited in a module's docstring only is
not a rule.
"""

from __future__ import annotations

import argparse
import ast
import io
import re
import sys
import tokenize
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from shared.events.titles import TITLES
from shared.policy import DEFAULT_JURISDICTION, all_policies, article_label_zh

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "compliance.md"

# Articles that state a purpose, a definition or a formality: nothing for the system to enforce.
NOT_OPERATIVE: dict[int, str] = {
    1: "purpose and legal basis of the measures",
    2: "definition of a government information system (what the measures cover)",
    40: "cities and counties may make their own measures",
    41: "who interprets the measures",
    42: "entry into force",
}

# refusals people read (shared.errors, the authorization helpers and a refused payment's gates)
ERRORS = {
    "RuleViolation",
    "StateConflict",
    "NotFound",
    "ValidationFailed",
    "PermanentError",
    "GovprojError",
    "Forbidden",
    "deny",
    "Gate",
}
# where people read articles without a rule being applied there: help texts, labels, forms
INTERFACES = (
    "services/console/",
    "services/gateway/",
    "shared/cli.py",
    "shared/cli_api.py",
    "shared/simulate.py",
    "shared/testing.py",
    "shared/testing_events.py",
    "shared/browser.py",
)
_LABELS = {article_label_zh(n): n for n in range(1, 43)}
_CITED = re.compile("第[一二三四五六七八九十]+条")


@dataclass
class Site:
    """One place an article is cited: ``path`` (repository-relative) and ``function``."""

    path: str
    function: str
    kind: str  # rule · error · event:<type> · policy · test
    line: int

    @property
    def where(self) -> str:
        return f"{self.path}: {self.function}"


@dataclass
class Article:
    number: int
    label_zh: str
    chapter: str
    gist_en: str
    operative: bool
    rules: list[Site] = field(default_factory=list)
    tests: list[Site] = field(default_factory=list)
    errors: list[Site] = field(default_factory=list)
    events: set[str] = field(default_factory=set)
    policy: list[str] = field(default_factory=list)
    interfaces: list[Site] = field(default_factory=list)

    @property
    def gaps(self) -> list[str]:
        if not self.operative:
            return []
        return ([] if self.rules else ["no rule"]) + ([] if self.tests else ["no test"])


def _numbers(node: ast.AST) -> set[int]:
    """The article numbers an ``articles=`` expression names: its int literals and 第N条 strings."""
    found: set[int] = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Constant):
            if isinstance(sub.value, int) and not isinstance(sub.value, bool) and 1 <= sub.value <= 42:
                found.add(sub.value)
            elif isinstance(sub.value, str):
                found |= _in_text(sub.value)
    return found


def _names_articles(node: ast.AST) -> bool:
    """``articles``, ``x.articles``, ``x["articles"]``: an expression holding cited articles."""
    if isinstance(node, ast.Name):
        return node.id in ("articles", "article")
    if isinstance(node, ast.Attribute):
        return node.attr in ("articles", "article")
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        return node.slice.value in ("articles", "article")
    return False


def _listed(node: ast.AST) -> set[int]:
    """The article numbers listed in a list, tuple or set literal (bounds such as ``min=1`` are
    not articles)."""
    return {
        e.value
        for sub in ast.walk(node)
        if isinstance(sub, (ast.List, ast.Tuple, ast.Set))
        for e in sub.elts
        if isinstance(e, ast.Constant)
        and isinstance(e.value, int)
        and not isinstance(e.value, bool)
        and 1 <= e.value <= 42
    }


def _in_text(text: str) -> set[int]:
    return {_LABELS[m] for m in _CITED.findall(text) if m in _LABELS}


def _callee(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the docstring constants (module, class, function), cited only when ``keep``."""
    ids: set[int] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
            and isinstance(node.body[0].value.value, str)
        ):
            ids.add(id(node.body[0].value))
    return ids


def _citations(tree: ast.Module) -> Iterator[tuple[str, int, str, int]]:
    """(function, article, kind, line) for every citation in code, docstrings excluded."""
    docstrings = _docstrings(tree)

    def visit(node: ast.AST, scope: str) -> Iterator[tuple[str, int, str, int]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                inner = f"{scope}.{child.name}" if scope else child.name
                yield from visit(child, inner)
                continue
            where = scope or "(module)"
            if isinstance(child, ast.Call):
                callee = _callee(child)
                for kw in child.keywords:
                    if kw.arg == "articles":
                        kind = "rule"
                        if callee in ERRORS:
                            kind = "error"
                        elif callee == "emit" and child.args and isinstance(child.args[0], ast.Constant):
                            kind = f"event:{child.args[0].value!s}"
                        for n in _numbers(kw.value):
                            yield where, n, kind, child.lineno
                if callee in ("emit", "publish"):  # findings.publish(tx, code, type, payload, [N])
                    # the event type: the string just before the payload (a dict)
                    kinds = [
                        str(a.value)
                        for a, b in zip(child.args, child.args[1:], strict=False)
                        if isinstance(a, ast.Constant)
                        and isinstance(a.value, str)
                        and isinstance(b, ast.Dict)
                    ]
                    for arg in child.args:
                        if isinstance(arg, ast.List) and kinds:
                            for n in _numbers(arg):
                                yield where, n, f"event:{kinds[0]}", child.lineno
                if callee in ("article_label_zh", "cite") and child.args:
                    for n in _numbers(child.args[0]):
                        yield where, n, "rule", child.lineno
            elif isinstance(child, ast.Compare) and any(
                _names_articles(side) for side in [child.left, *child.comparators]
            ):
                # a rule deciding by the articles cited, e.g. ``36 in articles`` (第三十六条)
                for side in [child.left, *child.comparators]:
                    if not _names_articles(side):
                        for n in _numbers(side):
                            yield where, n, "rule", child.lineno
            elif isinstance(child, (ast.Assign, ast.AnnAssign)) and any(
                isinstance(t, ast.Name) and t.id in ("articles", "ARTICLES")
                for t in (child.targets if isinstance(child, ast.Assign) else [child.target])
            ):
                # a schema field or constant naming the articles allowed (e.g. a referral's)
                for n in _listed(child.value) if child.value is not None else ():
                    yield where, n, "rule", child.lineno
            elif isinstance(child, ast.Dict):
                for key, value in zip(child.keys, child.values, strict=True):
                    if (
                        isinstance(key, ast.Constant)
                        and key.value in ("articles", "article")
                        and value is not None
                    ):
                        for n in _numbers(value):
                            yield where, n, "rule", child.lineno
            elif (
                isinstance(child, ast.Constant)
                and isinstance(child.value, str)
                and id(child) not in docstrings
            ):
                for n in _in_text(child.value):
                    yield where, n, "rule", child.lineno
            yield from visit(child, scope)

    yield from visit(tree, "")


def _comment_citations(tree: ast.Module, text: str) -> Iterator[tuple[str, int, str, int]]:
    """(function, article, "rule", line) for each 第N条 in a comment inside a function."""
    spans: list[tuple[int, int, str]] = []

    def walk(node: ast.AST, scope: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                inner = f"{scope}.{child.name}" if scope else child.name
                if not isinstance(child, ast.ClassDef):
                    spans.append((child.lineno, child.end_lineno or child.lineno, inner))
                walk(child, inner)

    walk(tree, "")
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type != tokenize.COMMENT:
            continue
        line = token.start[0]
        inside = [s for s in spans if s[0] <= line <= s[1]]
        if inside:
            function = max(inside, key=lambda s: s[0])[2]
            for n in _in_text(token.string):
                yield function, n, "rule", line


# tests that name articles without exercising them: how labels are spelt, how citations are found
NOT_EXERCISING = ("tests/unit/test_policy.py::test_article_labels", "tests/unit/test_compliance.py::")


def _test_citations(tree: ast.Module) -> Iterator[tuple[str, int, int]]:
    """(test, article, line) for each test function citing an article — in its body, its
    docstring or its parameters (``pytest.mark.parametrize``) — and for the module's docstring,
    which says what all of its tests exercise."""
    for n in _in_text(ast.get_docstring(tree) or ""):
        yield "(module docstring)", n, 1
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test"):
            numbers: set[int] = set(_in_text(ast.get_docstring(node) or ""))
            module = ast.Module(body=node.body, type_ignores=[])
            numbers |= {n for _, n, _, _ in _citations(module)}
            for decorator in node.decorator_list:
                numbers |= {
                    n for _, n, _, _ in _citations(ast.Module(body=[ast.Expr(decorator)], type_ignores=[]))
                }
            for n in numbers:
                yield node.name, n, node.lineno


def _sources(*dirs: str) -> Iterator[tuple[str, ast.Module, str]]:
    for top in dirs:
        for path in sorted((ROOT / top).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if "/migrations/" in rel:
                continue
            text = path.read_text(encoding="utf-8")
            yield rel, ast.parse(text, filename=rel), text


def _policy_params(node: Any, path: str) -> Iterator[tuple[str, int]]:
    if isinstance(node, dict):
        for key in ("article", "articles"):
            value = node.get(key)
            for n in value if isinstance(value, list) else [value]:
                if isinstance(n, int):
                    yield path, n
        for key, value in node.items():
            yield from _policy_params(value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list):
        for item in node:
            yield from _policy_params(item, path)


def matrix() -> dict[int, Article]:
    """Every article of the measures in force (the newest version) with what cites it."""
    policy = max(
        (p for p in all_policies() if p.jurisdiction == DEFAULT_JURISDICTION), key=lambda p: p.effective_from
    )
    articles = {
        n: Article(n, a.label_zh, a.chapter, a.gist_en, n not in NOT_OPERATIVE)
        for n, a in sorted(policy.articles.items())
    }
    skip = {"shared/compliance.py"}
    for rel, tree, text in _sources("services", "shared"):
        if rel in skip:
            continue
        seen: set[tuple[str, int, str]] = set()
        for function, n, kind, line in [*_citations(tree), *_comment_citations(tree, text)]:
            if n not in articles or (function, n, kind) in seen:
                continue
            seen.add((function, n, kind))
            site = Site(rel, function, kind, line)
            article = articles[n]
            if rel.startswith(INTERFACES):
                if not any(s.where == site.where for s in article.interfaces):
                    article.interfaces.append(site)
                continue
            if kind.startswith("event:"):
                article.events.add(kind.removeprefix("event:"))
            elif kind == "error":
                article.errors.append(site)
            if not any(s.where == site.where for s in article.rules):
                article.rules.append(site)
    for rel, tree, _ in _sources("tests"):
        for test, n, line in _test_citations(tree):
            if f"{rel}::{test}".startswith(NOT_EXERCISING):
                continue
            if n in articles and not any(s.path == rel and s.function == test for s in articles[n].tests):
                articles[n].tests.append(Site(rel, test, "test", line))
    policy_file = ROOT / "shared" / "policy" / "data" / DEFAULT_JURISDICTION / f"{policy.version}.yaml"
    data = yaml.safe_load(policy_file.read_text(encoding="utf-8"))
    for path, n in _policy_params(data.get("parameters", {}), ""):
        if n in articles and path not in articles[n].policy:
            articles[n].policy.append(path)
    return articles


def _grouped(sites: list[Site]) -> list[str]:
    by_path: dict[str, list[str]] = defaultdict(list)
    for site in sites:
        if site.function not in by_path[site.path]:
            by_path[site.path].append(site.function)
    return [
        f"`{path}`: " + ", ".join(f"`{f}`" for f in sorted(functions))
        for path, functions in sorted(by_path.items())
    ]


def markdown(articles: dict[int, Article]) -> str:
    operative = [a for a in articles.values() if a.operative]
    gaps = [a for a in operative if a.gaps]
    out = [
        "# Compliance matrix: the measures, article by article",
        "",
        "<!-- generated by `govproj articles --write` (shared/compliance.py); do not edit. "
        "tests/unit/test_compliance.py fails when this file is stale. -->",
        "",
        "山东省政务信息系统项目管理办法, 42 articles (`shared/policy/data/shandong/articles.yaml`). "
        "For each: the rules that enforce it (module: function), the tests that exercise it, and "
        "where people read it — refusals (errors citing it), timeline entries (events "
        "emitted citing it) and the interfaces (CLI help, console pages). How this is "
        "collected: `shared/compliance.py`; what the regulation means for the design: "
        "`docs/regulation.md`.",
        "",
        f"**{len(operative)} operative articles; {len(operative) - len(gaps)} with a rule and "
        f"a test.** Not operative (nothing to enforce): "
        + ", ".join(f"{a.label_zh} ({NOT_OPERATIVE[a.number]})" for a in articles.values() if not a.operative)
        + ".",
        "",
    ]
    if gaps:
        out += [
            "**Gaps** (operative articles missing a rule or a test): "
            + "; ".join(f"{a.label_zh} — {', '.join(a.gaps)}" for a in gaps)
            + ".",
            "",
        ]
    out += ["| article | rules | tests | refusals | timeline | status |", "|---|---:|---:|---:|---:|---|"]
    for a in articles.values():
        status = "not operative" if not a.operative else ("**" + ", ".join(a.gaps) + "**") if a.gaps else "ok"
        out.append(
            f"| [{a.label_zh}](#art-{a.number}) | {len({s.where for s in a.rules})} | "
            f"{len(a.tests)} | {len(a.errors)} | {len(a.events)} | {status} |"
        )
    out.append("")
    for a in articles.values():
        out += [
            f'## {a.label_zh} (art. {a.number}) <a id="art-{a.number}"></a>',
            "",
            f"*{a.chapter}.* {a.gist_en}",
            "",
        ]
        if not a.operative:
            out += [f"Not operative: {NOT_OPERATIVE[a.number]}.", ""]
        if a.gaps:
            out += [f"**{', '.join(a.gaps).capitalize()}.**", ""]
        if a.rules:
            out += ["Rules:", ""] + [f"- {line}" for line in _grouped(a.rules)] + [""]
        if a.policy:
            out += [
                "Policy data (`shared/policy/data/shandong/v1.yaml`): "
                + ", ".join(f"`{p}`" for p in sorted(a.policy)),
                "",
            ]
        if a.tests:
            out += ["Tests:", ""] + [f"- {line}" for line in _grouped(a.tests)] + [""]
        if a.errors:
            out += ["Cited in refusals: " + "; ".join(_grouped(a.errors)), ""]
        if a.interfaces:
            out += ["Named in the interfaces (help, forms, pages): " + "; ".join(_grouped(a.interfaces)), ""]
        if a.events:
            out += [
                "On the timeline: "
                + ", ".join(
                    f"`{e}` ({TITLES[e][0]} / {TITLES[e][1]})" if e in TITLES else f"`{e}`"
                    for e in sorted(a.events)
                ),
                "",
            ]
    return "\n".join(out).rstrip() + "\n"


def summary(articles: dict[int, Article]) -> str:
    """One line per article, for a terminal."""
    lines = [f"{'article':<8} {'rules':>5} {'tests':>5} {'refusals':>8} {'timeline':>8}  status"]
    for a in articles.values():
        status = "not operative" if not a.operative else (", ".join(a.gaps) or "ok")
        lines.append(
            f"{a.label_zh:<8} {len({s.where for s in a.rules}):>5} {len(a.tests):>5} "
            f"{len(a.errors):>8} {len(a.events):>8}  {status}"
        )
    return "\n".join(lines)


def cmd_articles(args: argparse.Namespace) -> int:
    articles = matrix()
    if args.check:
        current = DOC.exists() and DOC.read_text(encoding="utf-8") == markdown(articles)
        print(
            f"{DOC.relative_to(ROOT)} is "
            + (
                "current / 已是最新"
                if current
                else "stale: run `govproj articles --write` / 已过期：请运行 govproj articles --write"
            )
        )
        return 0 if current else 1
    if args.write:
        DOC.parent.mkdir(exist_ok=True)
        DOC.write_text(markdown(articles), encoding="utf-8")
        print(f"wrote {DOC.relative_to(ROOT)}")
    elif args.markdown:
        print(markdown(articles), end="")
    else:
        print(summary(articles))
    gaps = [a for a in articles.values() if a.gaps]
    for a in gaps:
        print(f"{a.label_zh} (art. {a.number}): {', '.join(a.gaps)}", file=sys.stderr)
    return 0


def by_event(articles: dict[int, Article]) -> dict[str, set[int]]:
    """event type → the articles its publisher cites when emitting it."""
    out: dict[str, set[int]] = defaultdict(set)
    for a in articles.values():
        for event in a.events:
            out[event].add(a.number)
    return dict(out)


def generated() -> dict[Path, str]:
    """Every generated document under docs/ and its text today."""
    from shared.events import catalogue

    articles = matrix()
    return {DOC: markdown(articles), catalogue.DOC: catalogue.markdown(by_event(articles))}


def cmd_docs(args: argparse.Namespace) -> int:
    stale = []
    for path, text in generated().items():
        current = path.exists() and path.read_text(encoding="utf-8") == text
        if args.write and not current:
            path.parent.mkdir(exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)}")
        elif not current:
            stale.append(path)
            print(
                f"{path.relative_to(ROOT)} is stale: run `govproj docs --write` / "
                "已过期：请运行 govproj docs --write"
            )
    return 1 if stale else 0


def add_parser(sub: Any) -> None:
    docs = sub.add_parser(
        "docs", help="regenerate docs/compliance.md and docs/events.md / 重新生成合规矩阵与事件目录"
    )
    docs.add_argument("--write", action="store_true", help="write the stale ones / 写入")
    docs.set_defaults(func=cmd_docs)
    articles = sub.add_parser(
        "articles", help="each article: its rules, tests and citations / 各条款的规则、测试与引用"
    )
    articles.add_argument(
        "--markdown", action="store_true", help="print docs/compliance.md's text / 输出 Markdown"
    )
    articles.add_argument(
        "--write", action="store_true", help="regenerate docs/compliance.md / 重新生成 docs/compliance.md"
    )
    articles.add_argument(
        "--check", action="store_true", help="exit 1 when docs/compliance.md is stale / 检查是否为最新"
    )
    articles.set_defaults(func=cmd_articles)
