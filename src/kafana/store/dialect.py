"""The only place where SQLite and PostgreSQL differ: upserts, case-insensitive matching, full-text search."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, bindparam, func, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.expression import ColumnClause

from kafana.search.expressions import fts5_match, tsquery
from kafana.search.query import Term


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


# Full-text search -------------------------------------------------------------------------------------
# SQLite keeps a post's search text in the FTS5 table posts_fts (rowid = post_search.doc_id); PostgreSQL in
# post_search.terms, a tsvector whose body words have weight D and hashtag tokens weight A.

_PG_TERMS = "setweight(to_tsvector('simple', :body), 'D') || setweight(to_tsvector('simple', :tags), 'A')"


async def next_search_doc_id(session: AsyncSession, create_at: int, shift: int) -> int:
    """`create_at << shift` plus a counter: a sequence on PostgreSQL (concurrent writers), the next free number
    in that millisecond on SQLite (its single writer makes this safe)."""
    base = create_at << shift
    if dialect_name(session) == "postgresql":
        counter = (await session.execute(text("SELECT nextval('post_search_doc_seq')"))).scalar_one()
        return base | (int(counter) & ((1 << shift) - 1))
    stmt = text("SELECT max(doc_id) FROM post_search WHERE doc_id BETWEEN :lo AND :hi")
    last = (await session.execute(stmt, {"lo": base, "hi": base | ((1 << shift) - 1)})).scalar_one()
    return base if last is None else int(last) + 1


async def put_search_text(session: AsyncSession, doc_id: int, body: str, tags: str) -> None:
    """Set (insert or replace) the indexed text of a document whose post_search row exists."""
    values = {"doc_id": doc_id, "body": body, "tags": tags}
    if dialect_name(session) == "postgresql":
        await session.execute(text(f"UPDATE post_search SET terms = {_PG_TERMS} WHERE doc_id = :doc_id"), values)
        return
    await session.execute(text("DELETE FROM posts_fts WHERE rowid = :doc_id"), values)
    await session.execute(text("INSERT INTO posts_fts (rowid, body, tags) VALUES (:doc_id, :body, :tags)"), values)


async def insert_search_docs(session: AsyncSession, docs: Sequence[dict[str, Any]]) -> None:
    """Insert post_search rows with their text (doc_id, post_id, channel_id, user_id, body, tags)."""
    if not docs:
        return
    if dialect_name(session) == "postgresql":
        stmt = f"INSERT INTO post_search (doc_id, post_id, channel_id, user_id, terms) VALUES (:doc_id, :post_id, :channel_id, :user_id, {_PG_TERMS})"
        await session.execute(text(stmt), list(docs))
        return
    await session.execute(text("INSERT INTO post_search (doc_id, post_id, channel_id, user_id) VALUES (:doc_id, :post_id, :channel_id, :user_id)"), list(docs))
    await session.execute(text("INSERT INTO posts_fts (rowid, body, tags) VALUES (:doc_id, :body, :tags)"), list(docs))


async def drop_search_text(session: AsyncSession, doc_ids: Sequence[int]) -> None:
    """Remove documents' text before their post_search rows go (PostgreSQL's goes with the row)."""
    if doc_ids and dialect_name(session) != "postgresql":
        await session.execute(text("DELETE FROM posts_fts WHERE rowid IN :ids").bindparams(bindparam("ids", expanding=True)), {"ids": list(doc_ids)})


class FullText(NamedTuple):
    source: str  # FROM clause; `d` is post_search
    condition: str  # uses the bound parameter :match
    value: str  # what :match is bound to
    key: str  # the doc id column to order and range on


def full_text_match(session: AsyncSession, terms: Sequence[Term], *, is_or: bool) -> FullText | None:
    """How to select the documents matching `terms`. On SQLite the FTS5 table drives the join, newest rowid
    first, so a LIMIT stops the scan early."""
    if dialect_name(session) == "postgresql":
        query = tsquery(terms, is_or=is_or)
        return None if query is None else FullText("post_search d", "d.terms @@ to_tsquery('simple', :match)", query, "d.doc_id")
    match = fts5_match(terms, is_or=is_or)
    return None if match is None else FullText("posts_fts f CROSS JOIN post_search d ON d.doc_id = f.rowid", "posts_fts MATCH :match", match, "f.rowid")


def full_text_exclusion(session: AsyncSession, terms: Sequence[Term]) -> tuple[str, str] | None:
    """(condition, value for :excluded) leaving out documents that match any of `terms`."""
    if dialect_name(session) == "postgresql":
        query = tsquery(terms, is_or=True)
        return None if query is None else ("NOT (d.terms @@ to_tsquery('simple', :excluded))", query)
    match = fts5_match(terms, is_or=True)
    return None if match is None else ("d.doc_id NOT IN (SELECT rowid FROM posts_fts WHERE posts_fts MATCH :excluded)", match)
