"""Security profiles, assessments and the secrecy bureau's review. No I/O here.

第三十条: risk assessment; graded protection (等级保护, levels 1–5) or, for classified systems,
classified protection (分级保护). 第三十一条: commercial cryptography planned, built and run
together with the system, evaluated periodically. 第三十二条: key products' controllability.
第四条: the secrecy bureau reviews and confirms classified projects.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from shared.errors import RuleViolation, StateConflict
from shared.policy import Policy
from shared.timekit import add_months


def check_profile(classified: bool, protection: dict[str, Any], crypto: dict[str, bool]) -> None:
    scheme, level = protection["scheme"], protection.get("level")
    if classified and scheme != "classified":
        raise RuleViolation(
            "a classified system follows classified protection (分级保护)",
            "涉密信息系统须落实分级保护要求",
            articles=[30],
            details={"protection.scheme": scheme},
        )
    if not classified and scheme == "classified":
        raise RuleViolation(
            "classified protection is for classified systems",
            "分级保护适用于涉密信息系统",
            articles=[30],
            details={"protection.scheme": scheme},
        )
    if scheme == "graded" and level not in (1, 2, 3, 4, 5):
        raise RuleViolation(
            "graded protection has a level from 1 to 5",
            "等级保护须确定第一级至第五级",
            articles=[30],
            details={"protection.level": level},
        )
    # 同步规划、同步建设、同步运行: nothing is built that was not planned, nor run unbuilt
    if crypto.get("built") and not crypto.get("planned"):
        raise RuleViolation(
            "cryptography cannot be built without being planned",
            "密码保障系统须同步规划",
            articles=[31],
            details={"crypto": crypto},
        )
    if crypto.get("running") and not crypto.get("built"):
        raise RuleViolation(
            "cryptography cannot run without being built",
            "密码保障系统须同步建设",
            articles=[31],
            details={"crypto": crypto},
        )
    if not crypto.get("planned"):
        raise RuleViolation(
            "cryptography is planned together with the system",
            "密码保障系统须与信息系统同步规划",
            articles=[31],
            details={"crypto.planned": False},
        )


def check_secrecy_review(classified: bool, previous: str | None) -> None:
    if not classified:
        raise RuleViolation(
            "the secrecy bureau reviews classified projects only",
            "保密部门仅对涉密项目进行审查确认",
            articles=[4],
        )
    if previous is not None:
        raise StateConflict(
            "the secrecy bureau has already decided on this project",
            "保密部门已对该项目作出审查决定",
            articles=[4],
            details={"decision": previous},
        )


def check_classification(classified: bool) -> None:
    """The bureau declares a project classified once (第四条)."""
    if classified:
        raise StateConflict(
            "the project is already classified",
            "该项目已为涉密项目",
            articles=[4],
            details={"classified": True},
        )


def check_inspection(
    classified: bool, inspected_on: date, today: date, conclusion: str, findings: list[dict]
) -> None:
    """The bureau supervises the secrecy work of classified projects (第四条): an inspection
    has taken place (not after today), and its conclusion agrees with its findings — a
    non-compliant one names at least one, a compliant one none; each ordered rectification
    falls after the inspection."""
    if not classified:
        raise RuleViolation(
            "the secrecy bureau's inspections concern classified projects only",
            "保密行政管理部门的保密检查仅针对涉密项目",
            articles=[4],
            details={"classified": False},
        )
    problems: dict[str, Any] = {}
    if inspected_on > today:
        problems["inspected_on"] = [f"after today ({today.isoformat()}) / 晚于今日"]
    if conclusion == "non_compliant" and not findings:
        problems["findings"] = [
            "a non-compliant inspection names its findings / 结论为不符合要求的，须列明发现的问题"
        ]
    if conclusion == "compliant" and findings:
        problems["conclusion"] = [
            "findings were named: the conclusion is non_compliant / 列明了问题的，结论应为不符合要求"
        ]
    late = [
        i
        for i, f in enumerate(findings)
        if f.get("rectify_by") is not None and f["rectify_by"] <= inspected_on
    ]
    if late:
        problems["findings"] = {
            i: {"rectify_by": ["on or before the inspection / 不晚于检查日期"]} for i in late
        }
    if problems:
        raise RuleViolation(
            "the secrecy inspection is not consistent", "保密检查记录不一致", articles=[4], details=problems
        )


def duty_due(policy: Policy, duty: str, since: date) -> date:
    """When the next periodic assessment or evaluation is due."""
    return add_months(since, policy.param("security_duties", f"{duty}_months"))
