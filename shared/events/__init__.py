"""Event contracts: the envelope every event travels in and one marshmallow schema per event type.

Producers build events through ``make_event`` (which dumps the payload through its schema);
consumers load through ``load_event`` (which raises ``InvalidEvent`` naming what is wrong).
"""

from shared.events.envelope import Event, InvalidEvent, load_event, make_event
from shared.events.registry import (
    EVENT_TYPES,
    SUBSCRIPTIONS,
    EventType,
    event_type,
    publishers_of,
    subscribers_of,
)

__all__ = [
    "Event",
    "InvalidEvent",
    "load_event",
    "make_event",
    "EVENT_TYPES",
    "SUBSCRIPTIONS",
    "EventType",
    "event_type",
    "publishers_of",
    "subscribers_of",
]
