"""Who may do what: ONE role–permission matrix, enforced by the gateway and again inside the
owning service (the caller's identity travels with every RPC call as nameko context data).

Resource rules sit beside it: a unit sees only its own and co-built projects, and acts only on its
own; a classified project's contents reach only its unit and the secrecy bureau (docs/regulation.md §1).
Of the others a unit learns nothing: "not yours" and "no such project" are one 403
(``require_project``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Collection
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from shared.errors import GovprojError

log = logging.getLogger("govproj.authz")

ROLES = ("unit", "office", "drc", "finance", "audit", "secrecy", "evaluator", "group", "operator")
ANY = frozenset(ROLES)
ROLE_ZH = {
    "unit": "项目建设单位",
    "office": "省政务服务管理办公室",
    "drc": "发展改革部门",
    "finance": "财政部门",
    "audit": "审计部门",
    "secrecy": "保密行政管理部门",
    "evaluator": "第三方评价机构",
    "group": "省政府",
    "operator": "系统运维人员",
}
# roles that oversee every project (their duties under 第四条, 第三十三条–第三十五条)
OVERSIGHT = frozenset({"office", "drc", "finance", "audit", "secrecy", "group"})

PERMISSIONS: dict[str, frozenset[str]] = {
    "plan.draft": frozenset({"office"}),  # 第五条: the office drafts
    "plan.approve": frozenset({"group"}),  # 第五条: the provincial government approves
    "plan.annual": frozenset({"office"}),
    "plan.read": ANY,
    "project.register": frozenset({"unit"}),
    "project.documents.put": frozenset({"unit"}),
    "project.catalog.put": frozenset({"unit"}),
    "project.submit": frozenset({"unit"}),
    "project.list": ANY,
    "project.read": frozenset({"unit"}) | OVERSIGHT,
    "project.timeline": frozenset({"unit"}) | OVERSIGHT,
    "review.list": OVERSIGHT,
    "review.round.open": frozenset({"office"}),  # 第八条: centralized review
    "review.opinion": frozenset({"office"}),
    "review.round.close": frozenset({"office"}),  # 第九条: opinions take effect
    "drc.approve": frozenset({"drc"}),  # 第四条: fixed-asset approval
    "drc.take_up": frozenset({"drc"}),  # 第四条: not only self-declared
    "project.national.consent": frozenset({"office"}),  # 第十条
    "project.national.file": frozenset({"unit"}),
    "project.sharing.record": frozenset({"office"}),  # 第二十六条, 第二十九条
    "project.change.request": frozenset({"unit"}),  # 第十八条
    "project.change.decide": frozenset({"office"}),
    "project.change.reapprove": frozenset({"drc"}),  # 第四条: a fixed-asset project's change
    "project.incident.report": frozenset({"unit"}),  # 第十九条
    # 项目审批部门 decisions: role-level here; the service narrows to the project's approving
    # body (require_approving_body), so the other of the two gets 403
    "project.incident.decide": frozenset({"office", "drc"}),
    "project.incident.resume": frozenset({"office", "drc"}),  # 第十九条: suspension ends
    "finding.read": frozenset({"unit", "office", "audit", "group"}),  # a unit: its own only
    "overview.read": frozenset({"office", "audit", "group"}),
    "deadline.read": frozenset({"unit"}) | OVERSIGHT,
    "supervision.scan": frozenset({"office", "operator"}),
    "inspection.record": frozenset({"office"}),  # 第三十四条
    "finding.order": frozenset({"office"}),
    "finding.report": frozenset({"unit"}),
    "finding.verify": frozenset({"office"}),
    "finding.refuse": frozenset({"office"}),  # 拒不整改 (第三十四条)
    "audit.open": frozenset({"audit"}),  # 第三十五条
    "audit.finding": frozenset({"audit"}),
    "referral.record": frozenset({"office", "audit"}),  # 第三十七条–第三十九条
    "sharing.read": OVERSIGHT,
    "funds.budget": frozenset({"finance"}),  # 第十一条
    "funds.contract": frozenset({"unit"}),  # 第十三条
    "funds.disburse": frozenset({"unit"}),
    "funds.surplus": frozenset({"finance"}),  # 第十七条
    "funds.misappropriation": frozenset({"finance"}),  # 第三十八条
    "funds.read": frozenset({"unit"}) | OVERSIGHT,
    "funds.contracts.read": frozenset({"unit", "office", "finance", "audit"}),  # 第十三条
    "acceptance.annual_report": frozenset({"unit"}),  # 第十六条
    "acceptance.complete": frozenset({"unit"}),  # 第二十三条
    "acceptance.extension.request": frozenset({"unit"}),
    "acceptance.extension.decide": frozenset({"office", "drc"}),
    "acceptance.apply": frozenset({"unit"}),
    # 第二十二条: the approving body, or the unit once the approving body delegated it
    "acceptance.decide": frozenset({"office", "drc", "unit"}),
    "acceptance.delegate": frozenset({"office", "drc"}),  # 第二十二条 委托项目建设单位组织
    # 第十六条: reported to the approving body and finance; the office and audit oversee
    "annual_report.read": frozenset({"unit", "office", "drc", "finance", "audit"}),
    "acceptance.go_live": frozenset({"unit"}),  # 第二十四条
    "acceptance.self_evaluate": frozenset({"unit"}),
    "acceptance.read": frozenset({"unit"}) | OVERSIGHT,
    "archive.read": frozenset({"unit"}) | OVERSIGHT,  # 第二十条
    "post_evaluation.commission": frozenset({"office"}),
    "post_evaluation.report": frozenset({"evaluator"}),
    "security.profile": frozenset({"unit"}),  # 第三十条–第三十二条
    "security.risk_assessment": frozenset({"unit"}),
    "security.crypto_evaluation": frozenset({"unit"}),
    "security.read": frozenset({"unit"}) | OVERSIGHT,
    "secrecy.review": frozenset({"secrecy"}),  # 第四条
    "secrecy.classify": frozenset({"secrecy"}),  # 第四条: the bureau declares 涉密
    # 第四条 对项目建设使用单位保密业务进行监督管理: the bureau's own inspections; the unit
    # reads those of its own project (checked in the security service)
    "secrecy.inspect": frozenset({"secrecy"}),
    "secrecy.inspection.read": frozenset({"unit", "secrecy"}),
    "classified.write": frozenset({"unit"}),
    # role-level: unit and bureau; the owning-unit check is in the security service
    "classified.read": frozenset({"unit", "secrecy"}),
    "ledger.verify": frozenset({"audit"}),  # 第三十五条: the audit office checks
    "sanction.read": frozenset({"unit"}) | OVERSIGHT,  # a unit: its own projects only
    "sanction.impose": frozenset({"office"}),  # 第三十四条
    "sanction.lift": frozenset({"office"}),
    "request.read": ANY,  # the caller's own requests only (scoped by its identity)
    "admin.clock": frozenset({"operator"}),
    "admin.calendar": frozenset({"operator"}),
}


# permissions whose holders are narrowed, project by project, to its approving body
# (项目审批部门): the DRC for a project it approves as a fixed-asset investment, else the office
APPROVING_BODY_ONLY = frozenset(
    {
        "project.incident.decide",
        "project.incident.resume",
        "acceptance.decide",
        "acceptance.extension.decide",
        "acceptance.delegate",
        "annual_report.read",
    }
)
APPROVING_BODY_ZH = {"drc": "发展改革部门", "office": "省政务服务管理办公室"}

# permissions that are the office's because it runs the sharing platforms (第二十六条): their
# refusal says so (``deny``)
PLATFORM_OFFICE = frozenset({"project.sharing.record"})


class Forbidden(GovprojError):
    code = "forbidden"


class Unauthenticated(GovprojError):
    code = "unauthenticated"


@dataclass(frozen=True)
class Identity:
    sub: str
    role: str
    unit: str | None = None

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}")
        if self.role == "unit" and not self.unit:
            raise ValueError("a unit identity carries its unit code")

    def to_header(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_header(cls, value: str | None) -> Identity | None:
        if not value:
            return None
        try:
            return cls(**json.loads(value))
        except (TypeError, ValueError):
            return None


def allowed(identity: Identity, permission: str) -> bool:
    return identity.role in PERMISSIONS[permission]


def require(identity: Identity | None, permission: str) -> Identity:
    """The matrix check. Raises (and logs) Unauthenticated / Forbidden."""
    if identity is None:
        log.warning("denied: no identity", extra={"permission": permission})
        raise Unauthenticated("authentication required", "需要身份认证")
    if not allowed(identity, permission):
        deny(identity, permission)
    return identity


def deny(identity: Identity, permission: str, resource: str | None = None) -> None:
    log.warning(
        "denied",
        extra={
            "sub": identity.sub,
            "role": identity.role,
            "unit": identity.unit,
            "permission": permission,
            "resource": resource,
        },
    )
    what = f"{permission} on {resource}" if resource else permission
    on_zh = f"（对象：{resource}）" if resource else ""
    if permission in PLATFORM_OFFICE:
        # 第二十六条: the office builds, manages and runs the province's sharing platforms, so
        # what a project's connection and sharing there are is the office's record (第二十九条)
        raise Forbidden(
            f"role {identity.role} may not {what}: the provincial government "
            "service management office runs the sharing platform and alone "
            "records a project's sharing-platform status",
            f"{ROLE_ZH[identity.role]}（角色 {identity.role}）无权执行操作 "
            f"{permission}{on_zh}：省政务服务管理办公室负责建设、管理和运维共享交换"
            "平台，项目的共享平台对接及共享情况由其记录",
            articles=[26, 29],
            details={"permission": permission, "resource": resource},
        )
    raise Forbidden(
        f"role {identity.role} may not {what}",
        f"{ROLE_ZH[identity.role]}（角色 {identity.role}）无权执行操作 {permission}{on_zh}",
        articles=[4],
        details={"permission": permission, "resource": resource},
    )


def sees_project(identity: Identity, owner_unit: str, co_builders: list[str]) -> bool:
    if identity.role == "unit":
        return identity.unit == owner_unit or identity.unit in co_builders
    return identity.role in OVERSIGHT


def sees_classified_content(identity: Identity, owner_unit: str) -> bool:
    """涉密 content: the owning unit and the secrecy bureau only (第四条, docs/regulation.md §13)."""
    return (identity.role == "unit" and identity.unit == owner_unit) or identity.role == "secrecy"


# 涉密 (第四条): what everyone entitled to a classified project sees of it without its content —
# the register's stub; its unit and the secrecy bureau see the whole view
CLASSIFIED_STUB = (
    "code",
    "unit",
    "status",
    "stage",
    "kind",
    "level",
    "budget",
    "approved_amount",
    "regulation_version",
    "registered_on",
    "approving_body",
)


def classified_stub(view: dict[str, Any]) -> dict[str, Any]:
    """A classified project as everyone but its unit and the secrecy bureau sees it
    (``sees_classified_content``): the stub's fields of its view — the budget's total only —
    marked classified."""
    stub = {k: view[k] for k in CLASSIFIED_STUB if k in view}
    if isinstance(stub.get("budget"), dict):
        stub["budget"] = {"total": stub["budget"].get("total")}
    return {**stub, "classified": True}


def acts_on_project(identity: Identity, owner_unit: str) -> bool:
    """A unit acts on its own projects (co-builders see, the lead unit files)."""
    return identity.role == "unit" and identity.unit == owner_unit


def approving_body(fixed_asset_investment: bool) -> str:
    """The project's 项目审批部门: the DRC where it approves the project as a fixed-asset
    investment (第四条), otherwise the office, whose review opinion is the approval (第九条)."""
    return "drc" if fixed_asset_investment else "office"


def require_approving_body(
    identity: Identity, permission: str, code: str, body: str | None, articles: list[int]
) -> None:
    """Only the project's approving body decides its incidents, acceptance and the extensions of
    its acceptance deadline (第十九条, 第二十二条, 第二十三条): the other of office and DRC is
    refused (403). ``body`` is None while the service does not know it yet (before approval):
    the role matrix alone then applies. Other roles are the matrix's and the caller's."""
    if body is None or identity.role not in APPROVING_BODY_ZH or identity.role == body:
        return
    log.warning(
        "denied: not the approving body",
        extra={
            "sub": identity.sub,
            "role": identity.role,
            "permission": permission,
            "resource": code,
            "approving_body": body,
        },
    )
    raise Forbidden(
        f"only project {code}'s approving body ({body}) may {permission}",
        f"仅项目 {code} 的项目审批部门（{APPROVING_BODY_ZH[body]}）可执行 {permission}",
        articles=articles,
        details={"permission": permission, "project": code, "approving_body": body},
    )


def require_project(
    identity: Identity,
    permission: str,
    code: str,
    owner_unit: str | None,
    co_builders: Collection[str] = (),
    *,
    owner_only: bool = False,
) -> None:
    """The check a read (and a unit's command) about one project makes FIRST, before saying
    anything about the project. ``owner_unit`` is None when the service knows no project
    ``code``; ``owner_only``: only the owning unit, not its co-builders (commands, 涉密 content).

    To a unit, a project it may not read and a code no one registered are refused alike, with
    one and the same 403 ("not yours, or no such project"): no 404 or 409 ever tells a unit
    that another unit's project exists or what state it is in. Oversight roles see every
    project; an unknown code is then the service's own 404, raised after this check."""
    if identity.role != "unit":
        if owner_unit is not None and not owner_only and not sees_project(identity, owner_unit, []):
            deny(identity, permission, code)
        return
    if owner_unit is not None and (
        acts_on_project(identity, owner_unit) or (not owner_only and identity.unit in co_builders)
    ):
        return
    log.warning(
        "denied: not its project, or no such project",
        extra={"sub": identity.sub, "unit": identity.unit, "permission": permission, "resource": code},
    )
    raise Forbidden(
        f"no access to project {code}: not yours, or there is no such project",
        f"无权访问项目 {code}：该项目不属于本单位，或不存在",
        articles=[4],
        details={"permission": permission, "project": code},
    )


class ProjectReaders(Protocol):
    """A service's copy of who may read a project, learnt from its registration: the owning
    unit and its co-builders (None: none)."""

    @property
    def owner_unit(self) -> str | None: ...

    @property
    def co_builders(self) -> list[str] | None: ...


def require_readers(
    identity: Identity,
    permission: str,
    code: str,
    readers: ProjectReaders | None,
    *,
    owner_only: bool = False,
) -> None:
    """``require_project`` against a service's copy of the project's readers (a row with
    ``owner_unit`` and ``co_builders``), None when the service knows no project ``code``."""
    require_project(
        identity,
        permission,
        code,
        readers.owner_unit if readers else None,
        (readers.co_builders or []) if readers else (),
        owner_only=owner_only,
    )
