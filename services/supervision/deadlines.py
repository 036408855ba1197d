"""The deadline engine: deadlines of docs/regulation.md §11 fed by other services' events, moved only
with a ledger entry, and, as of a date, the missed ones turned into findings (``settle_missed``,
which the scan — a use case, application.py — runs in its transaction).

Events come on separate queues, so a follow-up fact can arrive before the fact it follows (a
retry, a stopped consumer). A follow-up whose deadline is not known yet raises NotKnownYet and
is retried by the reliable handler until it is; an annual report is settled whichever comes
first. A deadline ends ("void") when it stops applying: reports after construction finished,
everything of a terminated project.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from services.supervision import deadline_rows, findings, schedule, visibility
from services.supervision.models import DeadlineRow, SupervisedProjectRow, SuspensionRow
from shared.events import Event
from shared.persistence.store import Transaction
from shared.persistence.upsert import upsert
from shared.policy import Policy, get_policy, policy_in_force
from shared.timekit import WorkingCalendar

# what each deadline is, in words (its length is the policy's; the due date is on the row)
NAMES = {
    "contract_filing": ("filing of a signed procurement contract", "采购合同签订后备案"),
    "annual_report": ("annual report on progress and budget execution", "年度建设进度和预算执行情况报告"),
    "acceptance_application": (
        "application for acceptance after construction finished",
        "建设完成后申请竣工验收",
    ),
    "self_evaluation": ("self-evaluation after acceptance and going live", "竣工验收并投入使用后开展自评价"),
    "incident_rectification": ("rectification ordered by the approving body", "项目审批部门责令的整改"),
    "rectification": ("rectification of a finding, by the office's order", "按责令限期整改"),
    "planned_completion": (
        "construction finished by the end of the registered schedule",
        "按登记的建设周期完成建设",
    ),
    "security_profile": (
        "security profile filed: graded or classified protection and the "
        "cryptography plan (第三十条, 第三十一条)",
        "报送安全保护方案：等级保护或分级保护及密码保障系统方案（第三十条、第三十一条）",
    ),
}
PLANNED = "planned_completion"
SECURITY_PROFILE = "security_profile"


def _policy(event: Event) -> Policy:
    """The version the project is pinned to (its events carry it)."""
    if event.regulation_version:
        return get_policy(event.regulation_version)
    return policy_in_force(event.day)  # the day of the act (simulated under that clock)


def project_registered(tx: Transaction, event: Event) -> None:
    upsert(
        tx.session,
        SupervisedProjectRow.__table__,
        {
            "project_code": event.project_code,
            "owner_unit": event.payload["unit"],
            "classified": event.payload["classified"],
            "planned_end": event.data()["schedule_end"],
            "regulation_version": event.regulation_version,
        },
        keys=["project_code"],
    )
    visibility.record_units(
        tx.session, event.project_code, event.payload["unit"], event.payload["co_builders"]
    )


def project_classified(tx: Transaction, event: Event) -> None:
    """The secrecy bureau declared the project classified (第四条): from now on its timeline's
    details are for its unit and the bureau only, like a project registered classified.
    Retried until the registration has arrived."""
    project = tx.session.get(SupervisedProjectRow, event.project_code, with_for_update=True)
    if project is None:
        raise deadline_rows.NotKnownYet(f"project {event.project_code} is not known yet")
    project.classified = True
    # a profile filed before was not one for a classified system (分级保护, 第三十条): the duty
    # re-opens from the declaration, unless classified protection has been filed already
    declared = event.data()["declared_on"]
    project.security_profile_on = None
    row = tx.session.get(DeadlineRow, f"{SECURITY_PROFILE}:{event.project_code}:1", with_for_update=True)
    if (
        row is not None
        and row.status == "met"
        and not any(e.get("scheme") == "classified" for e in row.ledger)
    ):
        due = schedule.security_profile(_policy(event), declared)
        row.status, row.due_on = "open", due.on
        deadline_rows.note(
            row,
            event.occurred_at.isoformat(),
            event.source,
            f"declared classified {declared.isoformat()}: classified protection due",
            due.article,
            due=due.on,
        )


def _open(
    tx: Transaction, event: Event, kind: str, ref: str, due: schedule.Due, why: str
) -> DeadlineRow | None:
    return deadline_rows.start(
        tx, event.project_code, kind, ref, due, event.occurred_at.isoformat(), event.source, why
    )


def _miss(tx: Transaction, row: DeadlineRow, on: date) -> None:
    """A missed deadline is a finding, once (第三十四条 applies from there)."""
    row.status = "missed"
    en, zh = NAMES[row.kind]
    findings.add_finding(
        tx,
        row.project_code,
        source="deadline",
        kind=f"missed:{row.kind}",
        articles=[row.article],
        description=f"deadline missed: {en}, due {row.due_on.isoformat()} / "
        f"逾期：{zh}（期限 {row.due_on.isoformat()}）",
        details={"deadline": row.id, "due_on": row.due_on.isoformat()},
        today=on,
    )


# -- the planned end of construction (第十九条) -------------------------------------------------


def project_approved(tx: Transaction, event: Event) -> None:
    """Approved: construction is due by the registered schedule's end. Retried until the
    registration (which carries the schedule) has arrived."""
    project = tx.session.get(SupervisedProjectRow, event.project_code)
    if project is None:
        raise deadline_rows.NotKnownYet(f"project {event.project_code} is not known yet")
    if project.planned_end is not None:
        _open(
            tx,
            event,
            PLANNED,
            "1",
            schedule.planned_completion(project.planned_end),
            f"planned end of construction {project.planned_end.isoformat()}",
        )


def _planned(tx: Transaction, code: str) -> DeadlineRow | None:
    return tx.session.get(DeadlineRow, f"{PLANNED}:{code}:1", with_for_update=True)


def schedule_changed(tx: Transaction, event: Event) -> None:
    """An approved change of the schedule (第十八条) moves the planned end, in the ledger — a
    fixed-asset project's once the DRC has re-approved it (change_reapproved, 第四条)."""
    data = event.data()
    end = (data["changes"].get("schedule") or {}).get("end")
    if data["decision"] != "approve" or not end or data.get("awaiting_drc"):
        return
    end = date.fromisoformat(end)
    project = tx.session.get(SupervisedProjectRow, event.project_code, with_for_update=True)
    if project is not None:
        project.planned_end = end
    row = _planned(tx, event.project_code)
    if row is not None and row.status in deadline_rows.RUNNING:
        row.due_on = end
        deadline_rows.note(
            row,
            event.occurred_at.isoformat(),
            event.source,
            f"schedule changed by {data['request_id']}: ends {end.isoformat()}",
            18,
            due=end,
        )


def incident_reported(tx: Transaction, event: Event) -> None:
    """第十九条: the unit reported a serious delay — an overrun the scan need not ask for."""
    data = event.data()
    if data["kind"] != "serious_delay":
        return
    project = tx.session.get(SupervisedProjectRow, event.project_code, with_for_update=True)
    if project is None:
        raise deadline_rows.NotKnownYet(f"project {event.project_code} is not known yet")
    project.delay_reported = project.delay_reported or data["incident_id"]
    row = _planned(tx, event.project_code)
    if row is not None:
        deadline_rows.note(
            row,
            event.occurred_at.isoformat(),
            event.source,
            f"serious delay reported: incident {data['incident_id']}",
            19,
        )


def _overrun(tx: Transaction, row: DeadlineRow, on: date) -> bool:
    """Past the planned end without completion (第十九条 工程严重逾期): listed as missed. If the
    unit reported the serious delay, that is all; if not, a finding asks it to report it.
    Returns whether a finding was made."""
    row.status = "missed"
    project = tx.session.get(SupervisedProjectRow, row.project_code)
    if project is not None and project.delay_reported:
        deadline_rows.note(
            row,
            on.isoformat(),
            "supervision",
            f"past the planned end; serious delay reported: incident {project.delay_reported}",
            19,
        )
        return False
    due = row.due_on.isoformat()
    findings.add_finding(
        tx,
        row.project_code,
        source="deadline",
        kind="unreported_delay",
        articles=[19],
        description=f"construction is past its planned end ({due}) unfinished and no serious "
        "delay was reported: report it to the approving body / "
        f"项目已超过计划完成日期（{due}）仍未完成建设，且未报告工程严重逾期情况："
        "请及时向项目审批部门报告",
        details={
            "deadline": row.id,
            "due_on": due,
            "asks": {
                "report": "serious_delay",
                "to": "the approving body / 项目审批部门",
                "how": f"POST /projects/{row.project_code}/incidents",
            },
        },
        today=on,
    )
    return True


def construction_completed(tx: Transaction, event: Event) -> None:
    """Starts the acceptance application's clock (第二十三条); the annual reports of the years
    after it are no longer due (第十六条 reports construction); the planned end is met — or, if
    it passed, the overrun is settled as the scan would (第十九条)."""
    completed_on, due = event.data()["completed_on"], event.data()["acceptance_due"]
    planned = _planned(tx, event.project_code)
    if planned is not None and planned.status in deadline_rows.RUNNING:
        if planned.status == "suspended" or completed_on <= planned.due_on:
            planned.status = "met"
        else:
            _overrun(tx, planned, event.day)
    _open(
        tx,
        event,
        "acceptance_application",
        "1",
        schedule.acceptance_application(_policy(event), due),  # acceptance's (第二十三条)
        f"construction finished {completed_on.isoformat()}",
    )
    project = tx.session.get(SupervisedProjectRow, event.project_code, with_for_update=True)
    if project is not None:
        project.completed_on = completed_on
    later = [
        r
        for r in deadline_rows.running(tx, event.project_code, "annual_report")
        if int(r.id.rsplit(":", 1)[1]) > completed_on.year
    ]
    deadline_rows.void(
        later,
        event.occurred_at.isoformat(),
        event.source,
        f"construction finished {completed_on.isoformat()}",
    )


def acceptance_deadline_extended(tx: Transaction, event: Event) -> None:
    data = event.data()
    row = deadline_rows.known(tx, f"acceptance_application:{event.project_code}:1")
    if row.status == "open":
        row.due_on = data["acceptance_due"]
        deadline_rows.note(
            row,
            event.occurred_at.isoformat(),
            event.source,
            f"extension granted: {data['reason']}",
            due=data["acceptance_due"],
        )


def acceptance_applied(tx: Transaction, event: Event) -> None:
    deadline_rows.meet(deadline_rows.known(tx, f"acceptance_application:{event.project_code}:1"))


def contract_filed(calendar: WorkingCalendar):
    """第十三条: the filing deadline runs from the signature, on the official calendar; a
    filing after it is settled as missed at once. Filing also starts the year's annual
    report (第十六条)."""

    def effect(tx: Transaction, event: Event) -> None:
        data, policy = event.data(), _policy(event)
        row = _open(
            tx,
            event,
            "contract_filing",
            data["contract_no"],
            schedule.contract_filing(calendar, policy, data["signed_on"]),
            f"contract {data['contract_no']} signed {data['signed_on'].isoformat()}",
        )
        if row is not None:
            filed = f"filed {data['filed_on'].isoformat()}"
            deadline_rows.note(row, event.occurred_at.isoformat(), event.source, filed)
            if data["filed_on"] > row.due_on:
                _miss(tx, row, data["filed_on"])
            else:
                row.status = "met"
        year = data["filed_on"].year
        _open(
            tx,
            event,
            "annual_report",
            str(year),
            schedule.annual_report(policy, year),
            f"in construction in {year}",
        )
        _security_profile_due(tx, event, policy, data)

    return effect


# -- the security profile (第三十条, 第三十一条) --------------------------------------------------


def _security_profile_due(tx: Transaction, event: Event, policy: Policy, data: dict) -> None:
    """The project's first contract filed opens the duty to file its security profile (graded
    or classified protection, and the cryptography plan planned with the system, 同步规划); a
    profile already on file meets it at once. A missing one is a finding at the scan — never a
    funding gate (the text sets none)."""
    row = _open(
        tx,
        event,
        SECURITY_PROFILE,
        "1",
        schedule.security_profile(policy, data["signed_on"]),
        f"first contract {data['contract_no']} signed {data['signed_on'].isoformat()}",
    )
    project = tx.session.get(SupervisedProjectRow, event.project_code)
    if row is not None and project is not None and project.security_profile_on is not None:
        _profile_filed(row, project.security_profile_on, "security")


def _profile_filed(row: DeadlineRow, on: date, by: str, scheme: str | None = None) -> None:
    row.status = "met"
    deadline_rows.note(
        row,
        on.isoformat(),
        by,
        f"security profile filed {on.isoformat()}",
        **({"scheme": scheme} if scheme else {}),
    )


def security_profile_recorded(tx: Transaction, event: Event) -> None:
    """The unit filed its security profile (第三十条, 第三十一条): the duty is met — before the
    scan found it missing, or before the first contract opened it (remembered for then).
    Retried until the registration has arrived."""
    project = tx.session.get(SupervisedProjectRow, event.project_code, with_for_update=True)
    if project is None:
        raise deadline_rows.NotKnownYet(f"project {event.project_code} is not known yet")
    scheme = event.payload.get("scheme")
    if project.classified and scheme != "classified":
        return  # a classified system's profile is classified protection (分级保护, 第三十条)
    on = event.occurred_at.date()
    if project.security_profile_on is None:
        project.security_profile_on = on
    row = tx.session.get(DeadlineRow, f"{SECURITY_PROFILE}:{event.project_code}:1", with_for_update=True)
    if row is not None and row.status in deadline_rows.RUNNING:
        _profile_filed(row, on, event.source, scheme)


def annual_report_filed(tx: Transaction, event: Event) -> None:
    """The year's report settles that year (whether or not its deadline arrived first) and,
    while construction goes on, starts the next (第十六条)."""
    year, policy = event.data()["year"], _policy(event)
    this = _open(
        tx, event, "annual_report", str(year), schedule.annual_report(policy, year), f"reported {year}"
    ) or tx.session.get(DeadlineRow, f"annual_report:{event.project_code}:{year}", with_for_update=True)
    deadline_rows.meet(this)
    project = tx.session.get(SupervisedProjectRow, event.project_code)
    if project is None or project.completed_on is None or project.completed_on.year > year:
        _open(
            tx,
            event,
            "annual_report",
            str(year + 1),
            schedule.annual_report(policy, year + 1),
            f"reported {year}; {year + 1} next",
        )


def project_went_live(tx: Transaction, event: Event) -> None:
    data = event.data()  # the window is acceptance's (第二十四条): taken from its event
    due = schedule.self_evaluation(_policy(event), data["window_opens"], data["window_closes"])
    _open(tx, event, "self_evaluation", "1", due, f"accepted and in use from {data['live_on'].isoformat()}")


def self_evaluation_filed(tx: Transaction, event: Event) -> None:
    deadline_rows.meet(deadline_rows.known(tx, f"self_evaluation:{event.project_code}:1"))


def end_deadlines(tx: Transaction, code: str, on: date, by: str, why: str) -> None:
    """A terminated project's deadlines no longer apply (第三十四条)."""
    deadline_rows.void(deadline_rows.running(tx, code), on.isoformat(), by, f"terminated: {why}")


def suspend_deadlines(
    tx: Transaction, code: str, on: date, by: str, why: str, ref: str, article: int = 34
) -> None:
    """Construction suspended (``ref``: a sanction's, 第三十四条, or the approving body's,
    第十九条): the project's running deadlines stop, and the ledger says why. A rectification
    order's deadline is the office's and keeps running."""
    if tx.session.get(SuspensionRow, (code, ref)) is None:
        tx.session.add(SuspensionRow(project_code=code, ref=ref, since=on))
    for row in deadline_rows.running(tx, code):
        if row.status == "open" and row.kind != findings.RECTIFICATION:
            row.status = "suspended"
            deadline_rows.note(
                row, on.isoformat(), by, f"suspended: {why}", article, suspended_on=on.isoformat()
            )


def resume_deadlines(
    tx: Transaction, code: str, on: date, by: str, why: str, ref: str, article: int = 34
) -> None:
    """The suspension ``ref`` ended. While another still stands the deadlines stay stopped (the
    ledger says which); once none does, each deadline moves by the days it stood still."""
    ended = tx.session.get(SuspensionRow, (code, ref), with_for_update=True)
    if ended is not None:
        ended.until = on
    standing = sorted(
        tx.session.scalars(
            select(SuspensionRow.ref).where(SuspensionRow.project_code == code, SuspensionRow.until.is_(None))
        )
    )
    for row in deadline_rows.running(tx, code):
        if row.status != "suspended":
            continue
        if standing:
            deadline_rows.note(
                row,
                on.isoformat(),
                by,
                f"{ref} ended: {why}; still suspended by {', '.join(standing)}",
                article,
            )
            continue
        since = date.fromisoformat(
            next(e["suspended_on"] for e in reversed(row.ledger) if "suspended_on" in e)
        )
        row.due_on = row.due_on + (on - since)
        row.status = "open"
        deadline_rows.note(row, on.isoformat(), by, f"resumed after {(on - since).days} days: {why}", article)


def construction_suspended(tx: Transaction, event: Event) -> None:
    data = event.data()
    suspend_deadlines(
        tx,
        event.project_code,
        data["suspended_on"],
        event.source,
        f"incident {data['kind']}",
        f"incident:{data['incident_id']}",
        19,
    )


def construction_resumed(tx: Transaction, event: Event) -> None:
    """第十九条: the approving body lifted its suspension; retried until the suspension itself
    has arrived (the two travel on separate queues)."""
    data = event.data()
    ref = f"incident:{data['incident_id']}"
    if tx.session.get(SuspensionRow, (event.project_code, ref)) is None:
        raise deadline_rows.NotKnownYet(f"suspension {ref} of {event.project_code} is not known yet")
    resume_deadlines(
        tx,
        event.project_code,
        data["resumed_on"],
        event.source,
        f"incident {data['kind']}: {data['reason']}",
        ref,
        19,
    )


def rectification_ordered(tx: Transaction, event: Event) -> None:
    data = event.data()
    _open(
        tx,
        event,
        "incident_rectification",
        data["incident_id"],
        schedule.Due(data["deadline"], 19),
        f"incident {data['kind']}: rectify by {data['deadline'].isoformat()}",
    )


def settle_missed(tx: Transaction, as_of: date) -> dict:
    """Turn the deadlines missed as of ``as_of`` into findings, once each; a rectification
    order whose deadline passed unreported makes its finding 'ignored' (第三十四条) instead."""
    missed, ignored, unreported = [], [], []
    for row in tx.session.scalars(
        select(DeadlineRow).where(DeadlineRow.status == "open", DeadlineRow.due_on < as_of).with_for_update()
    ):
        if row.kind == findings.RECTIFICATION:
            finding = findings.ignore(tx, row, as_of)
            if finding is not None:  # else the deadline stays open for the next scan
                row.status = "missed"
                ignored.append(finding)
            continue
        if row.kind == PLANNED:  # 第十九条: an overrun the unit did not report
            if _overrun(tx, row, as_of):
                unreported.append(row.project_code)
        else:
            _miss(tx, row, as_of)
        missed.append(row.id)
    return {
        "as_of": as_of.isoformat(),
        "missed_deadlines": missed,
        "ignored_rectifications": ignored,
        "unreported_delays": unreported,
    }


def is_overdue(today: date):
    """Missed, or open and past its due date (before the next scan marks it missed)."""
    return (DeadlineRow.status == "missed") | ((DeadlineRow.status == "open") & (DeadlineRow.due_on < today))
