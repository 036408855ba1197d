"""The envelope: what every event says about itself, whatever its payload."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate

from shared.events.registry import event_type as lookup_event_type

PROJECT_CODE = validate.Regexp(r"^[A-Z0-9][A-Z0-9-]{2,63}$", error="not a project code")
BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")  # the suite's civil dates


def beijing_date(moment: datetime) -> date:
    """The civil date in China of a recorded moment (a naive one is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(BEIJING).date()


class InvalidEvent(Exception):
    """An event that cannot be accepted: unknown type or version, or a malformed envelope/payload."""

    def __init__(self, reason: str, details: Any = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.details = details


class EnvelopeSchema(Schema):
    class Meta:
        unknown = RAISE

    message_id = fields.String(required=True, validate=validate.Length(min=8, max=64))
    event_type = fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]*$"))
    schema_version = fields.Integer(required=True, validate=validate.Range(min=1))
    source = fields.String(required=True)
    project_code = fields.String(required=True, allow_none=True, validate=PROJECT_CODE)
    occurred_at = fields.AwareDateTime(required=True)
    regulation_version = fields.String(required=True, allow_none=True)
    articles = fields.List(fields.Integer(validate=validate.Range(min=1, max=99)), required=True)
    correlation_id = fields.String(required=True, validate=validate.Length(min=1, max=128))
    actor = fields.String(
        load_default=None,
        allow_none=True,  # who did it (痕迹管理)
        validate=validate.Length(max=200),
    )
    # the publisher's today when it acted — the simulated day under a simulated clock — which
    # every consumer records rather than its own (absent from envelopes of before it existed)
    business_date = fields.Date(load_default=None, allow_none=True)
    payload = fields.Dict(required=True)
    # the W3C trace context of the work that emitted it (issue 17): its consumers continue the
    # trace, so one request's effects across agencies share a trace id (shared.tracing)
    traceparent = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Regexp(
            r"^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$", error="not a W3C traceparent"
        ),
    )
    # the publisher's signature (shared.events.signing); absent only before the relay signs
    key_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    signature = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))


_ENVELOPE = EnvelopeSchema()
_SCHEMAS: dict[tuple, Schema] = {}


def _schema(kind: Any, unknown: str = RAISE) -> Schema:
    """Schema instances are stateless between calls: build each once (they are costly to make)."""
    key = (kind.name, kind.version, unknown)
    if key not in _SCHEMAS:
        _SCHEMAS[key] = kind.schema(unknown=unknown)
    return _SCHEMAS[key]


@dataclass(frozen=True)
class Event:
    message_id: str
    event_type: str
    schema_version: int
    source: str
    project_code: str | None
    occurred_at: datetime
    regulation_version: str | None
    articles: list[int]
    correlation_id: str
    payload: dict[str, Any] = field(default_factory=dict)
    actor: str | None = None
    business_date: date | None = None
    traceparent: str | None = None
    key_id: str | None = None
    signature: str | None = None
    _loaded: dict[str, Any] | None = field(default=None, compare=False, repr=False)
    # the envelope exactly as received: what the signature covers, kept as such by the ledger
    _wire: dict[str, Any] | None = field(default=None, compare=False, repr=False)

    def to_wire(self) -> dict[str, Any]:
        return _ENVELOPE.dump(self)

    def to_json(self) -> str:
        return json.dumps(self.to_wire(), ensure_ascii=False)

    def received_json(self) -> str:
        """The envelope as it arrived (signature intact), else as built."""
        return json.dumps(self._wire, ensure_ascii=False) if self._wire else self.to_json()

    @property
    def day(self) -> date:
        """The business date the act happened on: the publisher's today as the envelope
        carries it, else (an envelope from before it did) the Beijing date it was published."""
        return self.business_date or beijing_date(self.occurred_at)

    def data(self) -> dict[str, Any]:
        """The payload in Python types (dates, Decimals), loaded through its schema."""
        if self._loaded is not None:
            return dict(self._loaded)
        return _schema(lookup_event_type(self.event_type, self.schema_version)).load(self.payload)


def make_event(
    event_type: str,
    payload: dict[str, Any],
    *,
    project_code: str | None,
    regulation_version: str | None,
    articles: list[int],
    correlation_id: str | None = None,
    occurred_at: datetime | None = None,
    actor: str | None = None,
    business_date: date | None = None,
    traceparent: str | None = None,
) -> Event:
    """Build an event of the current schema version; the payload is checked and dumped by its schema."""
    kind = lookup_event_type(event_type)
    schema = _schema(kind)
    try:
        wire = schema.dump(payload)
    except (TypeError, ValueError, AttributeError) as exc:
        raise InvalidEvent(f"{event_type} payload cannot be serialised: {exc}") from None
    errors = schema.validate(wire)
    if errors:
        raise InvalidEvent(f"{event_type} payload invalid", errors)
    message_id = uuid.uuid4().hex
    return Event(
        message_id=message_id,
        event_type=event_type,
        schema_version=kind.version,
        source=kind.source,
        project_code=project_code,
        occurred_at=occurred_at or datetime.now(UTC),
        regulation_version=regulation_version,
        articles=list(articles),
        correlation_id=correlation_id or message_id,
        payload=wire,
        actor=actor,
        business_date=business_date,
        traceparent=traceparent,
    )


def load_event(body: Any) -> Event:
    """Validate an incoming body: envelope, known type and version, source, payload."""
    if not isinstance(body, dict):
        raise InvalidEvent("event body is not a JSON object")
    try:
        env = _ENVELOPE.load(body)
    except ValidationError as exc:
        raise InvalidEvent("invalid envelope", exc.messages) from None
    try:
        kind = lookup_event_type(env["event_type"], env["schema_version"])
    except LookupError as exc:
        raise InvalidEvent(str(exc)) from None
    if env["source"] != kind.source:
        raise InvalidEvent(f"{env['event_type']} comes from {kind.source}, not {env['source']}")
    schema = _schema(kind, unknown=EXCLUDE)
    try:
        loaded = schema.load(env["payload"])
    except ValidationError as exc:
        raise InvalidEvent(f"invalid {env['event_type']} payload", exc.messages) from None
    # handlers see the wire form in .payload (fields of newer minor versions dropped) and the
    # loaded form from .data(), loaded once here
    env["payload"] = {k: v for k, v in env["payload"].items() if k in loaded}
    return Event(**env, _loaded=loaded, _wire=body)
