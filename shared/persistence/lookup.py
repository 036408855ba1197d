"""Reading the row a command names: found, or the refusal a caller can act on (404, bilingual).

One way for every service to say "there is no such record" (``NotFound``) and "that is filed
already" (``StateConflict``), so the same fact is refused in the same words everywhere.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.errors import NotFound, StateConflict

T = TypeVar("T")


def found(
    row: T | None, message: str, message_zh: str, *, details: Any, articles: list[int] | None = None
) -> T:
    """``row``, or ``NotFound(message, message_zh)`` (citing ``articles``) when there is none."""
    if row is None:
        raise NotFound(message, message_zh, articles=articles, details=details)
    return row


def get_or_not_found(
    session: Session,
    model: type[T],
    key: Any,
    *,
    what: tuple[str, str],
    detail: str = "id",
    for_update: bool = False,
) -> T:
    """The row of ``model`` whose primary key is ``key`` (locked ``for_update``), or
    ``NotFound`` "no {what} {key}" / "{what_zh} {key} 不存在", details ``{detail: key}``."""
    return found(
        session.get(model, key, with_for_update=for_update),
        f"no {what[0]} {key}",
        f"{what[1]} {key} 不存在",
        details={detail: key},
    )


def get_of_project(
    session: Session,
    model: type[T],
    key: Any,
    code: str,
    *,
    what: tuple[str, str],
    detail: str = "id",
    for_update: bool = False,
) -> T:
    """The row ``key`` of ``model`` if it is project ``code``'s (its ``project_code``), or
    ``NotFound`` "no {what} {key} of project {code}" / "项目 {code} 没有{what_zh} {key}": a
    record of another project is not found, the same as one that does not exist."""
    row = session.get(model, key, with_for_update=for_update)
    return found(
        row if row is not None and row.project_code == code else None,  # type: ignore[attr-defined]
        f"no {what[0]} {key} of project {code}",
        f"项目 {code} 没有{what[1]} {key}",
        details={detail: key},
    )


def refuse_if_filed(
    session: Session, model: type, keys: dict[str, Any], message: str, message_zh: str, *, articles: list[int]
) -> None:
    """``StateConflict`` when a row of ``model`` with these ``keys`` is already there: what
    is filed once (a year's report, a contract) is not filed twice."""
    if session.scalars(select(model).filter_by(**keys)).first() is not None:
        raise StateConflict(message, message_zh, articles=articles)


class NotKnownYet(Exception):
    """An event overtook the one that creates the row it updates (separate queues): raised in
    the handler, the event is retried until that row is in (shared.messaging.reliable)."""


def known_yet(session: Session, model: type[T], key: Any, what: str) -> T:
    """The row of ``model`` an event updates, locked for it — or ``NotKnownYet`` (retried)."""
    row = session.get(model, key, with_for_update=True)
    if row is None:
        raise NotKnownYet(f"{what} {key} is not known yet")
    return row
