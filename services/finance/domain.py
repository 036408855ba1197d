"""Money behind the regulation's funding gates, in exact fen. No I/O here.

What finance knows of a project it learned from other services' events (the FundingFile); a
disbursement passes every gate of docs/regulation.md §12 or is refused listing EVERY failing gate.
The ledger is append-only; balances are always the sums of its entries (``moved`` is what
one entry does to them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from shared.errors import RuleViolation, StateConflict
from shared.money import to_fen  # noqa: F401  (exact yuan → fen, for the application)
from shared.policy import article_label_zh

PURPOSES = ("construction", "om")
PURPOSE_ZH = {"construction": "建设", "om": "运行维护"}
CONTRACT_PURPOSE = "construction"  # what a contract serves unless it says otherwise
# a project is a construction project or an O&M project (运维项目, 第三条); an O&M project has
# no construction: its money is O&M money only
KINDS = ("construction", "om")
LEVELS = ("province", "city", "county")


def to_yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}"


# ledger entry kinds and their sign in the available balance
ENTRY_EFFECT = {
    "budget": +1,  # financial investment review result (第十一条)
    "budget_change": +1,  # an approved adjustment (第十八条) — may be negative
    "payment": -1,  # a paid disbursement
    "withholding": -1,  # withheld while a sanction stands (第三十四条)
    "release": +1,  # exactly what a lifted sanction had withheld
    "surplus_return": -1,  # unspent money back through its original channel (第十七条)
}
RECORD_ONLY = ("recovery_due",)  # termination: amounts to recover, not a movement of budget


@dataclass(frozen=True)
class Entry:
    purpose: str
    level: str
    kind: str
    fen: int
    ref: str
    year: int | None = None  # the budget year it belongs to (第十一条); a movement: its date's


def spendable(entries: list[Entry], year: int) -> list[Entry]:
    """What counts toward the money that can leave in ``year``: a budget arranged for a later
    year is that year's money, not this one's (第十一条 annual budget arrangements)."""
    return [e for e in entries if e.year is None or e.year <= year]


def by_year(entries: list[Entry]) -> dict[int, dict[str, dict[str, int]]]:
    """year → purpose → {approved, disbursed}: the annual budgets (第十一条) and what was paid
    in each year, in fen."""
    out: dict[int, dict[str, dict[str, int]]] = {}
    for e in entries:
        if e.year is None or e.kind not in ("budget", "budget_change", "payment"):
            continue
        b = out.setdefault(e.year, {}).setdefault(e.purpose, {"approved": 0, "disbursed": 0})
        b["disbursed" if e.kind == "payment" else "approved"] += e.fen
    return dict(sorted(out.items()))


BALANCE_FIELDS = ("approved", "disbursed", "withheld", "returned", "available", "to_recover")


def moved(figures: dict[str, int], kind: str, fen: int) -> None:
    """What one ledger entry of ``kind`` does to its purpose and level's figures (in place) —
    the one rule ``balances`` folds over the entries and finance's running balances apply as
    each entry is written (issue 19), so the two cannot differ."""
    if kind in ("budget", "budget_change"):
        figures["approved"] += fen
    elif kind == "payment":
        figures["disbursed"] += fen
    elif kind == "withholding":
        figures["withheld"] += fen
    elif kind == "release":
        figures["withheld"] -= fen
    elif kind == "surplus_return":
        figures["returned"] += fen
    elif kind == "recovery_due":
        figures["to_recover"] += fen
    if kind in ENTRY_EFFECT:
        figures["available"] += ENTRY_EFFECT[kind] * fen


def balances(entries: list[Entry]) -> dict[str, dict[str, dict[str, int]]]:
    """purpose → level → {approved, disbursed, withheld, returned, available, to_recover}, in
    fen; purposes and levels in the order of their first entry."""
    out: dict[str, dict[str, dict[str, int]]] = {}
    for e in entries:
        moved(
            out.setdefault(e.purpose, {}).setdefault(e.level, dict.fromkeys(BALANCE_FIELDS, 0)), e.kind, e.fen
        )
    return out


def combined(parts: list[tuple[str, str, dict[str, int]]]) -> dict[str, dict[str, dict[str, int]]]:
    """``balances`` from partial sums — (purpose, level, figures) of disjoint sets of entries
    (finance keeps one per budget year), given in the order of each part's first entry: the
    figures add up, so this equals ``balances`` of all their entries, order included."""
    out: dict[str, dict[str, dict[str, int]]] = {}
    for purpose, level, figures in parts:
        b = out.setdefault(purpose, {}).setdefault(level, dict.fromkeys(BALANCE_FIELDS, 0))
        for k in BALANCE_FIELDS:
            b[k] += figures[k]
    return out


TOTALS = ("approved", "disbursed", "withheld", "available")


def totals(by_purpose: dict[str, dict[str, dict[str, int]]]) -> dict[str, int]:
    """The project's totals over every purpose and level (docs/api.md: approved, disbursed,
    withheld, available), each the sum of what ``balances`` says — never a figure of its own."""
    return {k: sum(b[k] for levels in by_purpose.values() for b in levels.values()) for k in TOTALS}


@dataclass
class FundingFile:
    """What the gates need, learned from events (never a synchronous call)."""

    project_code: str
    owner_unit: str | None = None
    kind: str = "construction"  # or om (运维项目, 第三条)
    favourable_opinion: bool = False
    fixed_asset_investment: bool = False
    drc_approved: bool = False
    approved: bool = False
    approved_fen: int = 0
    construction_completed: bool = False
    acceptance_passed: bool = False
    sharing_connected: bool = False
    sharing_compliant: bool = False
    withholding_sanctions: list[str] = field(default_factory=list)
    suspensions: list[str] = field(default_factory=list)  # sanction and incident ids
    terminated: bool = False
    classified: bool = False  # 第四条: self-declared or declared by the secrecy bureau
    secrecy_decision: str | None = None  # the bureau's review: confirm | refuse; None: pending

    @property
    def suspended(self) -> bool:
        return bool(self.suspensions)

    @property
    def secrecy_unconfirmed(self) -> bool:
        """A classified project the secrecy bureau has not confirmed (第四条 涉密项目有关事宜的审查
        确认): its review pending or refused — declared after approval too."""
        return self.classified and self.secrecy_decision != "confirm"


@dataclass(frozen=True)
class Gate:
    gate: str
    articles: list[int]
    message: str
    message_zh: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "gate": self.gate,
            "articles": [article_label_zh(a) for a in self.articles],
            "message": self.message,
            "message_zh": self.message_zh,
        }


@dataclass(frozen=True)
class ContractOnFile:
    """The filed contract a payment relies on (第十三条): what it serves, what it is worth and
    what has been paid against it already."""

    purpose: str
    amount_fen: int
    paid_fen: int


def failing_gates(
    file: FundingFile,
    purpose: str,
    fen: int,
    available_fen: int,
    contract: ContractOnFile | None,
    construction_paid_fen: int = 0,
) -> list[Gate]:
    """EVERY gate of docs/regulation.md §12 this disbursement fails (``contract``: None if the
    payment's contract is not on file; ``construction_paid_fen``: the construction money paid
    so far, every level and year)."""
    failed = []
    if not file.favourable_opinion:
        failed.append(Gate("review_opinion", [9], "no favourable review opinion", "尚无同意的审核意见"))
    if file.fixed_asset_investment and not file.drc_approved:
        failed.append(
            Gate(
                "drc_approval",
                [4],
                "the DRC has not approved this fixed-asset project",
                "涉及固定资产投资的项目尚未经发展改革委立项审批",
            )
        )
    if (
        purpose == "construction"
        and file.fixed_asset_investment
        and file.drc_approved
        and construction_paid_fen + fen > file.approved_fen
    ):
        # 第四条: the DRC approves a fixed-asset project; 第十七条: built within the investment
        # the approving body approved — a budget recorded before the DRC took it up does not
        # raise that ceiling
        left = max(file.approved_fen - construction_paid_fen, 0)
        failed.append(
            Gate(
                "within_drc_approval",
                [4, 17],
                f"exceeds the investment approved for this fixed-asset project: {to_yuan(left)} of "
                f"{to_yuan(file.approved_fen)} left ({to_yuan(construction_paid_fen)} already paid)",
                f"超出涉及固定资产投资项目经批复的投资额：批复金额 {to_yuan(file.approved_fen)} 元，"
                f"已拨付 {to_yuan(construction_paid_fen)} 元，尚余 {to_yuan(left)} 元",
            )
        )
    if fen > available_fen:
        failed.append(
            Gate(
                "within_budget",
                [17],
                f"exceeds the available {purpose} budget ({to_yuan(available_fen)}): "
                "overspend is not topped up",
                f"超出可用预算（{to_yuan(available_fen)} 元），超支不补",
            )
        )
    if file.withholding_sanctions and purpose == "construction":
        failed.append(
            Gate(
                "no_withholding",
                [34],
                "construction funds are withheld by a sanction",
                "项目受暂缓拨付建设资金处理",
            )
        )
    if file.secrecy_unconfirmed:
        refused = file.secrecy_decision == "refuse"
        failed.append(
            Gate(
                "secrecy_review",
                [4],
                "the secrecy bureau "
                + ("refused" if refused else "has not yet confirmed")
                + " this classified project",
                "省国家保密局" + ("未通过" if refused else "尚未完成") + "对该涉密项目的审查确认",
            )
        )
    if file.suspended or file.terminated:
        failed.append(
            Gate(
                "not_suspended",
                [34, 19],
                "the project is " + ("terminated" if file.terminated else "suspended"),
                "项目已" + ("终止" if file.terminated else "暂停建设"),
            )
        )
    after_completion = purpose == "om" or file.construction_completed
    # "no acceptance, no O&M money" (第二十三条) binds a construction project's O&M money: an O&M
    # project has no construction to accept; the sharing condition (第二十九条) binds both
    if after_completion and file.kind == "construction" and not file.acceptance_passed:
        failed.append(
            Gate(
                "acceptance_passed",
                [23],
                "no acceptance passed: no further construction money and no O&M money",
                "未经验收，不得拨付后续建设资金和运行维护经费",
            )
        )
    if after_completion and not (file.sharing_connected and file.sharing_compliant):
        failed.append(
            Gate(
                "sharing_platform",
                [29],
                "not connected to the sharing platform or not sharing as required",
                "未按规定接入共享平台或未按要求共享数据",
            )
        )
    if contract is None:
        failed.append(
            Gate(
                "contract_filed", [13], "the payment's contract is not on file", "付款所依据的采购合同未备案"
            )
        )
    else:
        failed.extend(_contract_gates(contract, purpose, fen))
    return failed


def _contract_gates(contract: ContractOnFile, purpose: str, fen: int) -> list[Gate]:
    """A contract pays only the purpose it serves, and never more than it is worth: money is
    spent as the approved plan and budget say (第十七条), through the filed contract (第十三条),
    under the unit's whole-process control of funds and contracts (第十二条)."""
    failed = []
    if contract.purpose != purpose:
        failed.append(
            Gate(
                "contract_purpose",
                [17],
                f"the contract serves {contract.purpose}, not {purpose}: it cannot pay {purpose} money",
                f"该合同用于{PURPOSE_ZH[contract.purpose]}，不能支付{PURPOSE_ZH[purpose]}资金",
            )
        )
    if contract.paid_fen + fen > contract.amount_fen:
        # the unit's control of funds and contracts (第十二条 全过程管理: 资金、合同等环节进行管控)
        left = contract.amount_fen - contract.paid_fen
        failed.append(
            Gate(
                "within_contract",
                articles=[12, 13, 17],
                message=f"exceeds what is left of the contract: {to_yuan(left)} of "
                f"{to_yuan(contract.amount_fen)} ({to_yuan(contract.paid_fen)} already paid)",
                message_zh=f"超出合同剩余金额：合同金额 {to_yuan(contract.amount_fen)} 元，"
                f"已支付 {to_yuan(contract.paid_fen)} 元，尚余 {to_yuan(left)} 元",
            )
        )
    return failed


def check_budget(
    file: FundingFile,
    year: int,
    construction: dict[str, int],
    om: dict[str, int],
    recorded: set[str],
    construction_so_far: int,
) -> None:
    """The financial investment review result for one year (第十一条: annual budget
    arrangements), by purpose: recorded once per year and purpose (``recorded``: the purposes
    that year already has); construction money, over every year, within the approved amount
    (``construction_so_far``: approved until now); an O&M project has no construction money;
    a construction project has O&M money only once its acceptance passed (第二十三条)."""
    if not file.approved:
        raise StateConflict(
            f"project {file.project_code} is not approved",
            f"项目 {file.project_code} 尚未立项",
            articles=[9, 11],
        )
    if file.fixed_asset_investment and not file.drc_approved:
        # the DRC took it up after the office's approval (第四条): its approval comes first
        raise StateConflict(
            f"project {file.project_code} is a fixed-asset project the DRC has not approved: "
            "no budget before its approval",
            f"项目 {file.project_code} 涉及固定资产投资，发展改革委尚未立项审批，不能安排预算",
            articles=[4, 11],
            details={"gate": "drc_approval"},
        )
    if file.kind == "om" and sum(construction.values()) != 0:
        raise RuleViolation(
            "an O&M project has no construction: its budget is O&M money only",
            "运维项目不安排建设资金，只安排运行维护经费",
            articles=[3, 11],
            details={"construction": ["must be 0.00 for an O&M project / 运维项目须为 0.00"]},
        )
    if file.kind == "construction" and sum(om.values()) != 0 and not file.acceptance_passed:
        # 第二十三条: 对未经验收的项目，不得拨付…运行维护经费; 第十一条: budgeted by year
        raise StateConflict(
            f"project {file.project_code} has not passed its completion acceptance: the O&M "
            "money of a construction project is budgeted by year after acceptance",
            f"项目 {file.project_code} 尚未通过竣工验收，建设项目的运行维护经费须在验收通过后按年度安排",
            articles=[11, 23],
            details={
                "om": ["0.00 until the acceptance passed / 竣工验收通过前须为 0.00"],
                "gate": "acceptance",
            },
        )
    again = [
        p
        for p, levels in (("construction", construction), ("om", om))
        if sum(levels.values()) and p in recorded
    ]
    if again:
        raise StateConflict(
            f"the {year} budget review result for {', '.join(again)} is already recorded",
            f"{year} 年度{'、'.join(PURPOSE_ZH[p] for p in again)}资金的财政评审结果已记录",
            articles=[11],
            details={"year": year, "recorded": again},
        )
    if construction_so_far + sum(construction.values()) > file.approved_fen:
        if file.fixed_asset_investment:
            # 第四条: a fixed-asset project's approved amount is the DRC's approval (never
            # above its approved investment); 第十七条: the budget stays within it
            raise RuleViolation(
                "the construction budget exceeds the investment approved for this fixed-asset "
                "project (the DRC's approval)",
                "建设资金预算超过涉及固定资产投资项目经发展改革委批复的投资额",
                articles=[4, 11, 17],
                details={
                    "approved": to_yuan(file.approved_fen),
                    "construction_so_far": to_yuan(construction_so_far),
                    "construction": to_yuan(sum(construction.values())),
                },
            )
        raise RuleViolation(
            "the construction budget exceeds the approved amount",
            "建设资金预算超过批复金额",
            articles=[11, 17],
            details={
                "approved": to_yuan(file.approved_fen),
                "construction_so_far": to_yuan(construction_so_far),
                "construction": to_yuan(sum(construction.values())),
            },
        )


def check_contract_purpose(kind: str, purpose: str) -> None:
    """An O&M project's contracts serve O&M (第三条): it has no construction to pay for."""
    if kind == "om" and purpose != "om":
        raise RuleViolation(
            "an O&M project has no construction: its contracts serve om",
            "运维项目没有建设内容，其合同只能用于运行维护",
            articles=[3, 17],
            details={"purpose": ["om for an O&M project / 运维项目须为 om"]},
        )


def check_surplus_return(file: FundingFile) -> None:
    """第十七条 returns the surplus of construction (结余资金按原渠道退回) at its completion, or at
    termination; O&M money is not a construction surplus and stays."""
    if file.kind == "om" and not file.terminated:
        raise StateConflict(
            "an O&M project has no construction surplus: its O&M money stays",
            "运维项目没有建设结余资金，运行维护经费不退回",
            articles=[17],
        )
    if not (file.construction_completed or file.terminated):
        raise StateConflict(
            "surplus returns at completion (or termination) of the project",
            "结余资金在项目完成（或终止）后退回",
            articles=[17],
        )


# -- what a sanction or a surplus return books: ledger entries, written by the application ------

Balances = dict[str, dict[str, dict[str, int]]]  # balances(): purpose → level → figures


def sanction_ref(sanction_id: str) -> str:
    return f"sanction:{sanction_id}"


def withholding(by_purpose: Balances, sanction_id: str) -> list[Entry]:
    """暂缓拨付建设资金 (第三十四条): a withholding sanction holds what could otherwise leave —
    each level's available construction money, nothing where none is available — so that
    lifting it restores exactly that. O&M money is not construction money and is not held."""
    # 第三十四条 暂缓拨付建设资金: construction money only, what is available at each level
    return [
        Entry("construction", level, "withholding", b["available"], sanction_ref(sanction_id))
        for level, b in by_purpose.get("construction", {}).items()
        if b["available"] > 0
    ]


def release(held: list[Entry], sanction_id: str) -> list[Entry]:
    """A lifted withholding (第三十四条) releases exactly what that sanction withheld, entry by
    entry; another sanction's holding stays."""
    ref = sanction_ref(sanction_id)  # 第三十四条: lifted after verified rectification
    return [
        Entry(e.purpose, e.level, "release", e.fen, ref)
        for e in held
        if e.kind == "withholding" and e.ref == ref
    ]


def recovery_on_termination(by_purpose: Balances, sanction_id: str) -> list[Entry]:
    """直至终止项目 (第三十四条): a terminated project's disbursed money, every purpose and
    level, is booked as to be recovered — a record (``recovery_due``), not a movement of the
    available balance; a level that paid nothing books nothing."""
    # 第三十四条 终止项目: every purpose and level that paid
    return [
        Entry(purpose, level, "recovery_due", b["disbursed"], sanction_ref(sanction_id))
        for purpose, levels in by_purpose.items()
        for level, b in levels.items()
        if b["disbursed"] > 0
    ]


def surplus_return(file: FundingFile, by_purpose: Balances, on: date) -> list[Entry]:
    """结余资金按原渠道退回 (第十七条): at completion (or termination) each level's available
    construction money goes back through its channel; O&M money stays for the years it serves.
    Refused when the project may not return yet, or when there is nothing to return."""
    check_surplus_return(file)
    # 第十七条 结余资金按原渠道退回: each level's available construction money
    entries = [
        Entry("construction", level, "surplus_return", b["available"], f"surplus:{on.isoformat()}")
        for level, b in by_purpose.get("construction", {}).items()
        if b["available"] > 0
    ]
    if not entries:
        raise StateConflict("nothing to return", "无结余资金可退回", articles=[17])
    return entries


def pick_level(budget_by_level: dict[str, int], level: str | None) -> str:
    """The paying level: given, or the one level that has this purpose's budget (第二十五条)."""
    funded = [lvl for lvl, fen in budget_by_level.items() if fen > 0]
    if level:
        return level
    if len(funded) == 1:
        return funded[0]
    raise RuleViolation(
        "name the paying level: several levels fund this purpose",
        "多级共担的项目须写明出资层级",
        articles=[25],
        details={"level": ["required: one of " + ", ".join(funded or LEVELS)]},
    )


def disbursement_ref(request_id: str) -> str:
    return f"disbursement:{request_id}"


def check_contract_dates(signed_on: date, filed_on: date) -> None:
    """A contract is filed after it is signed (第十三条 counts its deadline from the signature;
    the deadline itself is the deadline engine's, in supervision)."""
    if filed_on < signed_on:
        raise RuleViolation(
            "a contract cannot be filed before it is signed",
            "合同备案日期不能早于签订日期",
            articles=[13],
            details={"signed_on": signed_on.isoformat()},
        )
