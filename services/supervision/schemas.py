"""Wire formats of supervision's commands (shape only; rules are in the modules using them)."""

from marshmallow import fields, validate

from shared.events.schemas import Money
from shared.paging import Cursor
from shared.wire import Items, Length, Range, Strict


class ClockDay(Strict):
    """The simulated day an operator sets (POST /admin/clock)."""

    today = fields.Date(required=True)


class CalendarYear(Strict):
    """A year's official working-day schedule an operator loads (PUT /admin/calendar/{year})."""

    year = fields.Integer(required=True)
    holidays = fields.List(fields.Date(), required=True)
    workdays = fields.List(fields.Date(), required=True)


class Imposition(Strict):
    project = fields.String(required=True, validate=Length(min=1, max=32))
    type = fields.String(required=True, validate=Length(min=1, max=32))
    # the rule, not the shape: without a sanctionable finding the request is refused (409,
    # 第三十四条), so the refusal names the finding's state, not a missing field
    finding = fields.String(
        load_default=None,
        allow_none=True,
        validate=Length(max=64),
        metadata={
            "description": "the finding whose ordered rectification "
            "was refused, ignored past its deadline or verified as "
            "not resolved; without one the sanction is refused "
            "(409, 第三十四条)"
        },
    )
    reason = fields.String(required=True, validate=Length(min=1, max=5000))


class Lifting(Strict):
    reason = fields.String(required=True, validate=Length(min=1, max=5000))


class FindingItem(Strict):
    articles = fields.List(
        fields.Integer(validate=Range(min=1, max=42)), required=True, validate=Items(min=1, max=42)
    )
    description = fields.String(required=True, validate=Length(min=1, max=5000))


class Inspection(Strict):
    project = fields.String(required=True, validate=Length(min=1, max=32))
    findings = fields.List(fields.Nested(FindingItem), required=True, validate=Items(min=1, max=100))


class RectificationOrder(Strict):
    deadline = fields.Date(required=True)


class RectificationReport(Strict):
    report = fields.String(required=True, validate=Length(min=1, max=20000))


class Verification(Strict):
    resolved = fields.Boolean(required=True)


class RectificationRefusal(Strict):
    """拒不整改 (第三十四条): how the unit refused, as the office records it."""

    reason = fields.String(required=True, validate=Length(min=1, max=5000))


class AuditOpening(Strict):
    project = fields.String(required=True, validate=Length(min=1, max=32))
    scope = fields.String(required=True, validate=Length(min=1, max=5000))


class AuditFinding(Strict):
    articles = fields.List(
        fields.Integer(validate=Range(min=1, max=42)), required=True, validate=Items(min=1, max=42)
    )
    description = fields.String(required=True, validate=Length(min=1, max=5000))
    amount = Money(load_default=None, allow_none=True)  # yuan, e.g. "50000.00"


class Referral(Strict):
    project = fields.String(required=True, validate=Length(min=1, max=32))
    kind = fields.String(required=True, validate=validate.OneOf(("disciplinary", "judicial")))
    articles = fields.List(
        fields.Integer(validate=validate.OneOf((37, 38, 39))), required=True, validate=Items(min=1, max=3)
    )
    description = fields.String(required=True, validate=Length(min=1, max=5000))
    finding = fields.String(load_default=None, allow_none=True, validate=Length(max=64))


class Scan(Strict):
    as_of = fields.Date(load_default=None, allow_none=True)


class Page(Strict):
    """A page of a list read: lists grow with the province's projects, answers stay bounded.
    The next page is asked with ``after``, the cursor the page before gave (keyset pagination,
    shared/paging.py: its cost does not grow with the depth), or with ``offset``; a page
    shorter than ``limit`` is the last."""

    limit = fields.Integer(load_default=200, validate=Range(min=1, max=500))
    offset = fields.Integer(load_default=0, validate=Range(min=0, max=1_000_000))
    after = Cursor("date", "str")  # (the date the list is ordered by, id)


class LedgerPage(Page):
    """A project's events in ledger order: the cursor is the last event's ``seq``."""

    limit = fields.Integer(load_default=500, validate=Range(min=1, max=1000))
    after = Cursor("int")


class OverviewPage(Page):
    """The overview's projects, by code: the cursor is the last project's code."""

    after = Cursor("str")


class DeadlineFilter(Page):
    project = fields.String(validate=Length(max=64))
    due_before = fields.Date()
    overdue = fields.Boolean()


class FindingFilter(Page):
    project = fields.String(validate=Length(max=64))
    status = fields.String(validate=Length(max=32))


class SanctionFilter(Page):
    project = fields.String(validate=Length(max=64))
    status = fields.String(validate=validate.OneOf(("active", "lifted")))
