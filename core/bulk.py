"""Upserting many rows into PostgreSQL near COPY speed.

The rows are streamed with COPY into a temporary table shaped like the target, then written by
one `INSERT … SELECT … ON CONFLICT DO UPDATE` that touches an existing row only when one of the
compared columns differs. The statement returns the rows it wrote, each with the values it had
before an update, so a caller can follow exactly what changed (and where a row moved from).

PostgreSQL only: callers keep an ORM path for other databases.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection
from psycopg2 import sql  # type: ignore[import-untyped]

STAGING_TABLE = "bulk_upsert_staging"


@dataclass(frozen=True)
class UpsertPlan:
    """How rows meet a table: `columns` are what each staged row gives, in order; `constants`
    (given per call) complete every row; `key` is the unique constraint an upsert meets;
    `update` the columns an update sets, only when one of `compare` differs; `returning` the
    written row's columns and `previous` the existing row's columns, returned for each write.
    A constant is a query parameter: text, numbers, booleans and timestamps; stage a JSON one."""

    table: str
    columns: tuple[str, ...]
    key: tuple[str, ...]
    update: tuple[str, ...]
    compare: tuple[str, ...]
    returning: tuple[str, ...]
    previous: tuple[str, ...] = ()


@dataclass(frozen=True)
class WrittenRow:
    """A row the upsert inserted or updated: its `returning` values, and for an update the
    `previous` values it had (None for an insert)."""

    values: tuple[Any, ...]
    previous: tuple[Any, ...] | None

    @property
    def inserted(self) -> bool:
        return self.previous is None


def copy_upsert(
    plan: UpsertPlan, rows: Iterable[Sequence[object]], constants: Mapping[str, object]
) -> list[WrittenRow]:
    """Upsert `rows` (values in `plan.columns` order, one row per key) inside the caller's
    transaction; return the rows written. Rows whose compared columns are unchanged are left
    alone and not returned."""
    if not connection.in_atomic_block:
        raise RuntimeError("copy_upsert runs inside a transaction: its staging table lives until the commit")
    buffer = _copy_buffer(rows)
    if buffer is None:
        return []
    staging, staged = sql.Identifier(STAGING_TABLE), _names(plan.columns)
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg2's own, for copy_expert and composing SQL

        def execute(statement: sql.Composable, params: Sequence[Any] = ()) -> None:
            cursor.execute(statement.as_string(raw), params)

        execute(
            sql.SQL("CREATE TEMPORARY TABLE {} ON COMMIT DROP AS SELECT {} FROM {} WITH NO DATA").format(
                staging, staged, sql.Identifier(plan.table)
            )
        )
        raw.copy_expert(sql.SQL("COPY {} ({}) FROM STDIN").format(staging, staged).as_string(raw), buffer)
        execute(_upsert_statement(plan, list(constants)), list(constants.values()))
        written = cursor.fetchall()
        # Dropped now as well as at the commit: a second call in the same transaction makes it anew.
        execute(sql.SQL("DROP TABLE {}").format(staging))
    width = len(plan.returning)
    return [WrittenRow(tuple(row[:width]), None if row[width] else tuple(row[width + 1 :])) for row in written]


def copy_insert(plan: UpsertPlan, rows: Iterable[Sequence[object]], constants: Mapping[str, object]) -> int:
    """COPY `rows`, each completed by `constants`, straight into the table: for rows believed
    new, at COPY's own speed, without the staging table and the upsert. A row whose key exists
    fails the whole COPY with IntegrityError (so call it in a savepoint and fall back to
    `copy_upsert`). Returns the number of rows written."""
    suffix = "".join("\t" + _copy_text(value) for value in constants.values())
    buffer = _copy_buffer(rows, suffix)
    if buffer is None:
        return 0
    with connection.cursor() as cursor, connection.wrap_database_errors:
        raw = cursor.cursor
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(plan.table), _names([*plan.columns, *constants])
        )
        raw.copy_expert(statement.as_string(raw), buffer)
        return int(raw.rowcount)


def _copy_buffer(rows: Iterable[Sequence[object]], suffix: str = "") -> io.StringIO | None:
    """The rows in COPY's text format, each line ending with `suffix`; None when there are none."""
    buffer = io.StringIO()
    buffer.writelines("\t".join(map(_copy_text, row)) + suffix + "\n" for row in rows)
    if not buffer.tell():
        return None
    buffer.seek(0)
    return buffer


def _names(names: Iterable[str], alias: str | None = None, prefix: str = "") -> sql.Composable:
    """`a, b` or `alias.a, alias.b` (with `prefix` before each name)."""
    parts = (sql.Identifier(alias, prefix + name) if alias else sql.Identifier(prefix + name) for name in names)
    return sql.SQL(", ").join(parts)


def _renamed(alias: str, names: Iterable[str], prefix: str) -> sql.Composable:
    """`, alias.a AS prefix_a, …`: the values of one side under names that cannot clash."""
    return sql.SQL("").join(
        sql.SQL(", {} AS {}").format(sql.Identifier(alias, name), sql.Identifier(prefix + name)) for name in names
    )


def _upsert_statement(plan: UpsertPlan, constant_columns: list[str]) -> sql.Composed:
    """WITH written (the upsert of the staged rows and constants), then each written row ⟕ its
    previous values, read from the table in the statement's snapshot, so before the update.

    The previous row is looked up through the key's unique index, for written rows only (LIMIT 1
    keeps the lateral subquery from being flattened into a join, which let the planner hash the
    whole table: every earlier batch of a long sync read again for each new one)."""
    all_columns = _names([*plan.columns, *constant_columns])
    return sql.SQL(
        "WITH written AS (INSERT INTO {table} AS existing ({all_columns}) SELECT {staged}{constants} FROM {staging} "
        "ON CONFLICT ({key}) DO UPDATE SET {assignments} "
        "WHERE ({compared_existing}) IS DISTINCT FROM ({compared_excluded}) "
        "RETURNING {existing_key}{written_values}) "
        "SELECT {written_selected}, previous.{first_key} IS NULL{previous_selected} FROM written "
        "LEFT JOIN LATERAL (SELECT {existing_key}{previous_values} FROM {table} AS existing "
        "WHERE {key_match} LIMIT 1) AS previous ON TRUE"
    ).format(
        staged=_names(plan.columns),
        constants=sql.SQL("").join(sql.SQL(", {}").format(sql.Placeholder()) for _ in constant_columns),
        staging=sql.Identifier(STAGING_TABLE),
        existing_key=_names(plan.key, "existing"),
        previous_values=_renamed("existing", plan.previous, "previous_"),
        table=sql.Identifier(plan.table),
        key_match=sql.SQL(" AND ").join(
            sql.SQL("{} = {}").format(sql.Identifier("existing", name), sql.Identifier("written", name))
            for name in plan.key
        ),
        all_columns=all_columns,
        key=_names(plan.key),
        assignments=sql.SQL(", ").join(
            sql.SQL("{} = {}").format(sql.Identifier(name), sql.Identifier("excluded", name)) for name in plan.update
        ),
        compared_existing=_names(plan.compare, "existing"),
        compared_excluded=_names(plan.compare, "excluded"),
        written_values=_renamed("existing", plan.returning, "written_"),
        written_selected=_names(plan.returning, "written", "written_"),
        first_key=sql.Identifier(plan.key[0]),
        previous_selected=sql.SQL("").join(
            sql.SQL(", {}").format(sql.Identifier("previous", "previous_" + name)) for name in plan.previous
        ),
    )


_ESCAPED = (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r"))


def _copy_text(value: object) -> str:
    """One value in COPY's text format: \\N for NULL; backslash, tab and line ends escaped."""
    if value is None:
        return "\\N"
    if isinstance(value, str):
        for raw, escaped in _ESCAPED:
            if raw in value:
                value = value.replace(raw, escaped)
        return value
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int | Decimal | datetime.date):  # datetime is a date: isoformat keeps its offset
        return value.isoformat() if isinstance(value, datetime.date) else str(value)
    raise TypeError(f"copy_upsert cannot stage a {type(value).__name__}")
