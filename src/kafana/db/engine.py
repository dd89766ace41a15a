"""Database access for both engines.

SQLite has one writer connection (SQLite serialises writers anyway; one connection avoids lock errors) that
opens transactions with BEGIN IMMEDIATE, plus a small pool of readers in WAL mode; both run SQLite calls on
the event loop thread (db/sqlite_inline.py says why). PostgreSQL uses one pool
for both. Callers use `db.write()` for a use case that changes data and `db.read()` otherwise.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import aiosqlite
import orjson
from sqlalchemy import event, make_url, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from kafana.db.sqlite_inline import InlineConnection
from kafana.db.uow import UnitOfWork
from kafana.events import Event
from kafana.lib.errors import AppError

log = logging.getLogger(__name__)

EventPublisher = Callable[[Sequence[Event]], Any]
LostEvents = Callable[[], Awaitable[None]]

SEARCH_CONNECTIONS = 2  # concurrent full-text searches on SQLite (each holds a thread while it scans)
SEARCH_TIMEOUT_MS = 10_000  # default time limit of a statement inside Database.search() (setting search_timeout_ms)
PROGRESS_STEPS = 10_000  # SQLite virtual machine steps between two looks at the clock (tens of microseconds)

# JSON columns (props, notify_props…) are decoded for every row read: orjson is several times faster.
JSON_CODEC: dict[str, Any] = {"json_serializer": lambda value: orjson.dumps(value).decode(), "json_deserializer": orjson.loads}


def is_outage(exc: BaseException) -> bool:
    """The connection to the database was refused, reset or terminated (as opposed to a failed statement)."""
    return isinstance(exc, ConnectionError) or (isinstance(exc, DBAPIError) and exc.connection_invalidated)


@contextmanager
def outage_is_unavailable() -> Iterator[None]:
    """A database that went away is a 503 the client may retry (with the same `pending_post_id` for posts),
    not an unexpected 500. Other database errors pass through."""
    try:
        yield
    except (ConnectionError, DBAPIError) as exc:
        if not is_outage(exc):
            raise
        log.warning("the database is unreachable: %s", exc)
        raise AppError(503, "app.database.unavailable.app_error", "The database is unavailable; please try again.") from exc


def search_timed_out() -> AppError:
    return AppError(503, "app.search.timeout.app_error", "The search took too long. Try more specific words, a channel or a date range.")


def _is_timeout(exc: DBAPIError) -> bool:
    """SQLite's answer to a progress handler that stopped it, or PostgreSQL's to statement_timeout (57014)."""
    orig = exc.orig
    return "interrupted" in str(orig) or getattr(orig, "sqlstate", None) == "57014" or "statement timeout" in str(orig)


async def _threaded_connection(path: str, pragmas: Sequence[str]) -> aiosqlite.Connection:
    conn = await aiosqlite.connect(path, isolation_level=None, check_same_thread=False)
    for pragma in pragmas:
        await conn.execute(pragma)
    return conn


def _sqlite_engine(url: str, *, writer: bool, synchronous: str, pool_size: int, threaded: bool = False) -> AsyncEngine:
    """`threaded`: each connection runs its calls in its own thread (aiosqlite), for scans too long to run on
    the event loop; the others run inline (db/sqlite_inline.py)."""
    path = make_url(url).database or ""
    pragmas = ("PRAGMA journal_mode=WAL", f"PRAGMA synchronous={synchronous.upper()}", "PRAGMA busy_timeout=10000", "PRAGMA foreign_keys=ON")
    opener = _threaded_connection if threaded else InlineConnection.open
    engine = create_async_engine(url, pool_size=pool_size, max_overflow=0, pool_timeout=60, async_creator=lambda: opener(path, pragmas), **JSON_CODEC)
    begin = "BEGIN IMMEDIATE" if writer else "BEGIN"

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql(begin)

    return engine


class Database:
    def __init__(
        self, url: str, *, sqlite_synchronous: str = "normal", publisher: EventPublisher | None = None, search_timeout_ms: int = SEARCH_TIMEOUT_MS
    ) -> None:
        self.url = url
        self.search_timeout_ms = search_timeout_ms
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            self.writer = _sqlite_engine(url, writer=True, synchronous=sqlite_synchronous, pool_size=1)
            self.reader = _sqlite_engine(url, writer=False, synchronous=sqlite_synchronous, pool_size=4)
            self.searcher = _sqlite_engine(url, writer=False, synchronous=sqlite_synchronous, pool_size=SEARCH_CONNECTIONS, threaded=True)
        else:
            self.writer = create_async_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True, **JSON_CODEC)
            self.reader = self.searcher = self.writer
        self._write_sessions = async_sessionmaker(self.writer, expire_on_commit=False, autoflush=False)
        self._read_sessions = async_sessionmaker(self.reader, expire_on_commit=False, autoflush=False)
        self._search_sessions = async_sessionmaker(self.searcher, expire_on_commit=False, autoflush=False)
        self.publisher = publisher
        # Called when a commit with events fails with a lost connection: it may have committed, unannounced.
        self.on_lost_events: LostEvents | None = None
        self._commit_order = asyncio.Lock()

    @asynccontextmanager
    async def write(self) -> AsyncIterator[UnitOfWork]:
        """One durable transaction. Events recorded on the unit of work are published after commit, and in
        commit order: commit and publish happen under one lock, so a post committed after a member's removal
        can never be routed before that removal (on PostgreSQL, commits would otherwise race)."""
        with outage_is_unavailable():
            async with self._write_sessions() as session:
                uow = UnitOfWork(session)
                transaction = await session.begin()
                try:
                    yield uow
                except BaseException:
                    await transaction.rollback()
                    raise
                async with self._commit_order:
                    try:
                        await transaction.commit()
                    except BaseException as exc:
                        if uow.events and self.on_lost_events is not None and is_outage(exc):
                            await self.on_lost_events()
                        raise
                    await self._publish(uow)
        for hook in uow.after_commit:
            result = hook()
            if inspect.isawaitable(result):
                await result

    async def _publish(self, uow: UnitOfWork) -> None:
        if not uow.events or self.publisher is None:
            return
        try:
            result = self.publisher(uow.events)
            if inspect.isawaitable(result):
                await result
        except Exception:  # the write is committed; a failed publish must not turn it into an error
            log.exception("publishing %d events failed", len(uow.events))

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        with outage_is_unavailable():
            async with self._read_sessions() as session, session.begin():
                yield session

    @asynccontextmanager
    async def search(self) -> AsyncIterator[AsyncSession]:
        """A read transaction for full-text search, whose scans may be long: on SQLite its connections run
        in threads of their own (SQLite releases the GIL while it works), so the event loop keeps serving;
        there are SEARCH_CONNECTIONS of them, so searches queue rather than pile up. Each statement is cut
        off after `search_timeout_ms` (a progress handler on SQLite, statement_timeout on PostgreSQL), which
        the client gets as a 503 `app.search.timeout.app_error` rather than a connection held for minutes."""
        with outage_is_unavailable():
            async with self._search_sessions() as session, session.begin():
                connection = await session.connection()
                if self.is_sqlite:
                    driver: Any = (await connection.get_raw_connection()).driver_connection
                    deadline = time.monotonic() + self.search_timeout_ms / 1000
                    await driver.set_progress_handler(lambda: time.monotonic() >= deadline, PROGRESS_STEPS)
                else:  # a plan per query: how common the words are decides between GIN and a scan
                    settings = "set_config('statement_timeout', :timeout, true), set_config('plan_cache_mode', 'force_custom_plan', true)"
                    await session.execute(text(f"SELECT {settings}"), {"timeout": str(int(self.search_timeout_ms))})  # one round trip
                try:
                    yield session
                except DBAPIError as exc:
                    if _is_timeout(exc):
                        raise search_timed_out() from exc
                    raise
                finally:
                    if self.is_sqlite:
                        await driver.set_progress_handler(None, 0)

    async def dispose(self) -> None:
        await self.writer.dispose()
        if self.reader is not self.writer:
            await self.reader.dispose()
            await self.searcher.dispose()
