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
# Each index is a table of documents (doc_id plus the columns searches filter on). SQLite keeps a document's
# text in an FTS5 table (rowid = doc_id; columns body, tags); PostgreSQL in the row's `terms`, a tsvector whose
# body words have weight D and hashtag tokens weight A.

_PG_TERMS = "setweight(to_tsvector('simple', :body), 'D') || setweight(to_tsvector('simple', :tags), 'A')"


class TextIndex(NamedTuple):
    table: str
    fts: str  # SQLite's FTS5 table
    sequence: str  # PostgreSQL's doc id counter
    columns: tuple[str, ...]  # besides doc_id


POSTS = TextIndex("post_search", "posts_fts", "post_search_doc_seq", ("post_id", "channel_id", "user_id"))
FILES = TextIndex("file_search", "files_fts", "file_search_doc_seq", ("file_id", "post_id", "channel_id", "user_id", "extension"))


async def next_search_doc_id(session: AsyncSession, index: TextIndex, create_at: int, shift: int) -> int:
    """`create_at << shift` plus a counter: a sequence on PostgreSQL (concurrent writers), the next free number
    in that millisecond on SQLite (its single writer makes this safe)."""
    base = create_at << shift
    if dialect_name(session) == "postgresql":
        counter = (await session.execute(text(f"SELECT nextval('{index.sequence}')"))).scalar_one()
        return base | (int(counter) & ((1 << shift) - 1))
    stmt = text(f"SELECT max(doc_id) FROM {index.table} WHERE doc_id BETWEEN :lo AND :hi")
    last = (await session.execute(stmt, {"lo": base, "hi": base | ((1 << shift) - 1)})).scalar_one()
    return base if last is None else int(last) + 1


async def put_search_text(session: AsyncSession, index: TextIndex, doc_id: int, body: str, tags: str) -> None:
    """Set (insert or replace) the indexed text of a document whose row exists."""
    values = {"doc_id": doc_id, "body": body, "tags": tags}
    if dialect_name(session) == "postgresql":
        await session.execute(text(f"UPDATE {index.table} SET terms = {_PG_TERMS} WHERE doc_id = :doc_id"), values)
        return
    await session.execute(text(f"DELETE FROM {index.fts} WHERE rowid = :doc_id"), values)
    await session.execute(text(f"INSERT INTO {index.fts} (rowid, body, tags) VALUES (:doc_id, :body, :tags)"), values)


async def insert_search_docs(session: AsyncSession, index: TextIndex, docs: Sequence[dict[str, Any]]) -> None:
    """Insert documents: their rows (doc_id and the index's columns) with their text (body, tags)."""
    if not docs:
        return
    names = ", ".join(("doc_id", *index.columns))
    values = ", ".join(":" + c for c in ("doc_id", *index.columns))
    if dialect_name(session) == "postgresql":
        await session.execute(text(f"INSERT INTO {index.table} ({names}, terms) VALUES ({values}, {_PG_TERMS})"), list(docs))
        return
    await session.execute(text(f"INSERT INTO {index.table} ({names}) VALUES ({values})"), list(docs))
    await session.execute(text(f"INSERT INTO {index.fts} (rowid, body, tags) VALUES (:doc_id, :body, :tags)"), list(docs))


async def drop_search_text(session: AsyncSession, index: TextIndex, doc_ids: Sequence[int]) -> None:
    """Remove documents' text before their rows go (PostgreSQL's goes with the row)."""
    if doc_ids and dialect_name(session) != "postgresql":
        stmt = text(f"DELETE FROM {index.fts} WHERE rowid IN :ids").bindparams(bindparam("ids", expanding=True))
        await session.execute(stmt, {"ids": list(doc_ids)})


class FullText(NamedTuple):
    source: str  # FROM clause; `d` is the index's table
    condition: str  # uses the bound parameter :match
    value: str  # what :match is bound to
    key: str  # the doc id column to order and range on


def full_text_match(session: AsyncSession, index: TextIndex, terms: Sequence[Term], *, is_or: bool) -> FullText | None:
    """How to select the documents matching `terms`. On SQLite the FTS5 table drives the join, newest rowid
    first, so a LIMIT stops the scan early."""
    if dialect_name(session) == "postgresql":
        query = tsquery(terms, is_or=is_or)
        return None if query is None else FullText(f"{index.table} d", "d.terms @@ to_tsquery('simple', :match)", query, "d.doc_id")
    match = fts5_match(terms, is_or=is_or)
    source = f"{index.fts} f CROSS JOIN {index.table} d ON d.doc_id = f.rowid"
    return None if match is None else FullText(source, f"{index.fts} MATCH :match", match, "f.rowid")


def full_text_exclusion(session: AsyncSession, index: TextIndex, terms: Sequence[Term]) -> tuple[str, str] | None:
    """(condition, value for :excluded) leaving out documents that match any of `terms`."""
    if dialect_name(session) == "postgresql":
        query = tsquery(terms, is_or=True)
        return None if query is None else ("NOT (d.terms @@ to_tsquery('simple', :excluded))", query)
    match = fts5_match(terms, is_or=True)
    return None if match is None else (f"d.doc_id NOT IN (SELECT rowid FROM {index.fts} WHERE {index.fts} MATCH :excluded)", match)
