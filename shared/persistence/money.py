"""A money column: integer fen in the database, Decimal yuan in Python.

Not ``Numeric``: SQLite keeps NUMERIC as a float, so large amounts changed without a word.
An integer is exact in every store, and the domain still reads and writes Decimal yuan.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator

from shared.money import FEN, to_fen, to_yuan


class Fen(TypeDecorator):
    impl = sa.BigInteger
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> int | None:
        return None if value is None else to_fen(value)

    def process_result_value(self, value: Any, dialect: Any) -> Decimal | None:
        return None if value is None else to_yuan(value)


# -- migrations: a NUMERIC yuan column becomes an integer fen column, its rows carried over -----


def yuan_columns_to_fen(table: str, key: str, columns: dict[str, bool]) -> None:
    """Each ``name`` (NUMERIC yuan) of ``table`` becomes ``name_fen`` (BIGINT fen), every row
    carried over exactly; ``columns`` maps name → nullable; ``key`` identifies a row."""
    _swap(
        table,
        key,
        {name: f"{name}_fen" for name in columns},
        sa.BigInteger,
        _yuan_to_fen,
        {f"{name}_fen": nullable for name, nullable in columns.items()},
    )


def fen_columns_to_yuan(table: str, key: str, columns: dict[str, bool]) -> None:
    """The way back (downgrade): ``name_fen`` → ``name`` NUMERIC(18, 2) yuan."""
    _swap(
        table,
        key,
        {f"{name}_fen": name for name in columns},
        sa.Numeric(18, 2),
        lambda fen: None if fen is None else to_yuan(fen),
        {name: nullable for name, nullable in columns.items()},
    )


def _yuan_to_fen(stored: Any) -> int | None:
    """What the old column holds: a Decimal (PostgreSQL) or a float/int (SQLite's NUMERIC);
    str() of a float is its shortest exact decimal, rounded to the fen it was meant to be."""
    if stored is None:
        return None
    with localcontext() as ctx:
        ctx.prec = 60  # quantize large amounts without InvalidOperation
        return to_fen(Decimal(str(stored)).quantize(FEN, rounding=ROUND_HALF_UP))


def _swap(
    table: str,
    key: str,
    renames: dict[str, str],
    new_type: Any,
    convert: Callable[[Any], Any],
    nullable: dict[str, bool],
) -> None:
    from alembic import op  # only inside a migration

    with op.batch_alter_table(table) as batch:
        for new in renames.values():
            batch.add_column(sa.Column(new, new_type))
    # old values read raw (as the store holds them), new ones written through their type
    rows = sa.table(
        table,
        sa.column(key),
        *(sa.column(old) for old in renames),
        *(sa.column(new, new_type) for new in renames.values()),
    )
    bind = op.get_bind()
    old_values = bind.execute(sa.select(rows.c[key], *(rows.c[old] for old in renames))).all()
    if old_values:
        update = (
            rows.update()
            .where(rows.c[key] == sa.bindparam("row_key"))
            .values({new: sa.bindparam(f"v_{new}") for new in renames.values()})
        )
        bind.execute(
            update,
            [
                {
                    "row_key": row[0],
                    **{
                        f"v_{new}": convert(value)
                        for new, value in zip(renames.values(), row[1:], strict=True)
                    },
                }
                for row in old_values
            ],
        )
    with op.batch_alter_table(table) as batch:
        for old, new in renames.items():
            batch.drop_column(old)
            if not nullable[new]:
                batch.alter_column(new, existing_type=new_type, nullable=False)
