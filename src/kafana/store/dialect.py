"""The only place where SQLite and PostgreSQL differ: upserts and case-insensitive matching."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, func
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.expression import ColumnClause


def dialect_name(session: AsyncSession) -> str:
    bind = session.bind
    assert bind is not None
    return bind.dialect.name


def _insert(session: AsyncSession, table: Any) -> Any:
    if dialect_name(session) == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


async def upsert(
    session: AsyncSession,
    table: Any,
    rows: Sequence[dict[str, Any]],
    keys: Sequence[str],
    update: Sequence[str],
    *,
    where: Callable[[Any], ColumnElement[bool]] | None = None,
) -> int:
    """Insert rows, or update the `update` columns where the `keys` already exist; with `where` (given the
    proposed row, `excluded`), only existing rows for which it holds are updated. Returns the rows written."""
    if not rows:
        return 0
    stmt = _insert(session, table).values(list(rows))
    condition = where(stmt.excluded) if where is not None else None
    stmt = stmt.on_conflict_do_update(index_elements=list(keys), set_={c: stmt.excluded[c] for c in update}, where=condition)
    result = await session.execute(stmt)
    return int(getattr(result, "rowcount", 0) or 0)


async def insert_ignore(session: AsyncSession, table: Any, rows: Sequence[dict[str, Any]], keys: Sequence[str]) -> int:
    """Insert rows that do not exist yet; returns how many were inserted."""
    if not rows:
        return 0
    stmt = _insert(session, table).values(list(rows)).on_conflict_do_nothing(index_elements=list(keys))
    result = await session.execute(stmt)
    return int(getattr(result, "rowcount", 0) or 0)


def ilike_prefix(column: ColumnClause[Any] | Any, prefix: str) -> ColumnElement[bool]:
    """Case-insensitive "starts with", with LIKE wildcards in the input escaped."""
    escaped = prefix.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.lower(column).like(escaped + "%", escape="\\")


def ilike_contains(column: ColumnClause[Any] | Any, term: str) -> ColumnElement[bool]:
    escaped = term.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.lower(column).like("%" + escaped + "%", escape="\\")


def greatest(session: AsyncSession, column: Any, value: int) -> Any:
    """GREATEST() on PostgreSQL, the two-argument max() on SQLite."""
    name = "greatest" if dialect_name(session) == "postgresql" else "max"
    return getattr(func, name)(column, value)
