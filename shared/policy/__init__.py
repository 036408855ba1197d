"""The regulation as versioned policy data: articles and rule parameters per jurisdiction and version.

Every decision cites ``Citation(regulation, article)``; the numbers it applies (5 working days,
3 months, 12-24 months, document lists, the sanction ladder) come from the project's pinned version.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_JURISDICTION = "shandong"

_CN_DIGITS = "一二三四五六七八九"


def article_label_zh(number: int) -> str:
    """12 → 第十二条, 23 → 第二十三条."""
    if not 1 <= number <= 99:
        raise ValueError(f"article number out of range: {number}")
    tens, units = divmod(number, 10)
    text = ("" if tens <= 1 else _CN_DIGITS[tens - 1]) + ("十" if tens else "")
    text += _CN_DIGITS[units - 1] if units else ""
    return f"第{text}条"


def cited(record: dict) -> dict:
    """A record whose ``articles`` are numbers, as people read it: ``articles`` as 第N条 and the
    numbers beside them in ``article_numbers`` (records stored before stay as stored)."""
    numbers = record.get("articles")
    if not isinstance(numbers, list) or not all(isinstance(n, int) for n in numbers):
        return record
    return {**record, "articles": [article_label_zh(n) for n in numbers], "article_numbers": numbers}


class UnknownPolicy(LookupError):
    pass


@dataclass(frozen=True)
class Article:
    number: int
    label_zh: str
    label_en: str
    chapter: str
    text_zh: str
    gist_en: str


@dataclass(frozen=True)
class Citation:
    """``{regulation version, article}``: what every decision, refusal and event cites."""

    regulation: str
    article: int

    @property
    def label_zh(self) -> str:
        return article_label_zh(self.article)

    @property
    def label_en(self) -> str:
        return f"art. {self.article}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "regulation": self.regulation,
            "article": self.article,
            "label_zh": self.label_zh,
            "label_en": self.label_en,
        }


@dataclass(frozen=True)
class Policy:
    jurisdiction: str
    version: str
    title_zh: str
    title_en: str
    effective_from: date
    articles: dict[int, Article]
    parameters: dict[str, Any]

    @property
    def id(self) -> str:
        """The regulation version id carried on projects and events, e.g. ``shandong/v1``."""
        return f"{self.jurisdiction}/{self.version}"

    def article(self, number: int) -> Article:
        try:
            return self.articles[number]
        except KeyError:
            raise UnknownPolicy(f"{self.id} has no article {number}") from None

    def cite(self, number: int) -> Citation:
        self.article(number)
        return Citation(self.id, number)

    def annual_report_due(self, year: int) -> date:
        """第十六条: the day a year's progress and budget report is due (``annual_report.
        due_month_day``) — the one reading of it, for supervision's deadline and acceptance's
        on-time check."""
        month, day = (int(x) for x in self.param("annual_report", "due_month_day").split("-"))
        return date(year, month, day)

    def param(self, *path: str) -> Any:
        """``policy.param("contract_filing", "working_days")`` → 5."""
        node: Any = self.parameters
        for key in path:
            if not isinstance(node, dict) or key not in node:
                raise UnknownPolicy(f"{self.id} has no parameter {'.'.join(path)}")
            node = node[key]
        return node


def _load(path: Path) -> Policy:
    with open(path, encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    with open(path.parent / raw["articles"], encoding="utf-8") as fh:
        articles = {a["number"]: Article(**a) for a in yaml.safe_load(fh)["articles"]}
    return Policy(
        jurisdiction=raw["jurisdiction"],
        version=raw["version"],
        title_zh=raw["title_zh"],
        title_en=raw["title_en"],
        effective_from=raw["effective_from"],
        articles=articles,
        parameters=raw["parameters"],
    )


@cache
def all_policies() -> tuple[Policy, ...]:
    return tuple(_load(p) for p in sorted(DATA_DIR.glob("*/v*.yaml")))


def get_policy(regulation_id: str) -> Policy:
    """The policy a project is pinned to, by id (``shandong/v1``)."""
    for policy in all_policies():
        if policy.id == regulation_id:
            return policy
    raise UnknownPolicy(f"unknown regulation version {regulation_id!r}")


def policy_in_force(on: date, jurisdiction: str = DEFAULT_JURISDICTION) -> Policy:
    """The newest version of the jurisdiction's measures effective on ``on``."""
    candidates = [p for p in all_policies() if p.jurisdiction == jurisdiction and p.effective_from <= on]
    if not candidates:
        raise UnknownPolicy(f"no {jurisdiction} measures in force on {on.isoformat()}")
    return max(candidates, key=lambda p: p.effective_from)
