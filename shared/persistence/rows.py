"""Between a service's domain dataclasses and its mapped rows: the same names on both sides,
copied by name, so a repository says only what differs (a JSON list copied, a value converted)."""

from __future__ import annotations

from dataclasses import fields
from typing import Any, TypeVar

from sqlalchemy import inspect

T = TypeVar("T")


def dataclass_of(cls: type[T], source: object, **given: Any) -> T:
    """An instance of the dataclass ``cls``: each field read from ``source``'s attribute of the
    same name (a row), except those ``given``."""
    names = [f.name for f in fields(cls) if f.init and f.name not in given]  # type: ignore[arg-type]
    return cls(**{name: getattr(source, name) for name in names}, **given)


def row_of(row_cls: type[T], source: object, **given: Any) -> T:
    """A new mapped row of ``row_cls``: each column ``source`` (a dataclass) has a field of the
    same name for, read from it, and those ``given``."""
    columns = set(inspect(row_cls).attrs.keys())
    names = [f.name for f in fields(source) if f.name in columns and f.name not in given]  # type: ignore[arg-type]
    return row_cls(**{name: getattr(source, name) for name in names}, **given)
