"""Searching posts and files: parse Mattermost's syntax, resolve from:/in: names, run the query the searcher may see.

Everything runs in one read transaction on `db.search()` (thread-backed on SQLite: a search may scan), so
permissions, index and posts come from one snapshot.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace

from sqlalchemy.ext.asyncio import AsyncSession

from kafana.access import access_team
from kafana.actions.context import Services
from kafana.actions.posts import PostPage, with_metadata
from kafana.models import FileInfo
from kafana.models.actor import Actor
from kafana.search.matches import matched_words
from kafana.search.query import SearchQuery, parse
from kafana.store import dialect
from kafana.store import files as files_store
from kafana.store import posts as posts_store
from kafana.store import search as search_store

MAX_PER_PAGE = 200
MAX_RESULTS = 10_000  # page * per_page beyond this answers nothing: deep pages are scans


@dataclass(slots=True)
class SearchRequest:
    terms: str
    is_or_search: bool = False
    time_zone_offset: int = 0  # seconds east of UTC
    include_deleted_channels: bool = False
    page: int = 0
    per_page: int = 60


@dataclass(slots=True)
class SearchResult:
    page: PostPage
    matches: dict[str, list[str]] = field(default_factory=dict)


@dataclass(slots=True)
class FileResult:
    files: list[FileInfo]
    has_next: bool


async def search_posts(svc: Services, actor: Actor, team_id: str | None, request: SearchRequest) -> SearchResult:
    """POST /teams/{team_id}/posts/search (team_id None: POST /posts/search, every team of the searcher)."""
    query = parse(request.terms, is_or=request.is_or_search, tz_offset_s=request.time_zone_offset)
    async with _searching(svc, actor, team_id, request, query) as db:
        if db is None:
            return SearchResult(PostPage([], [], has_next=False))
        scope = await _scope(db, actor, team_id, request, query)
        ids = [] if scope is None else await search_store.search_ids(db, dialect.POSTS, query, scope, offset=_offset(request), limit=request.per_page + 1)
        has_next = len(ids) > request.per_page
        ids = ids[: request.per_page]
        by_id = {p.id: p for p in await posts_store.get_posts_by_ids(db, ids) if not p.delete_at}
        posts = [by_id[i] for i in ids if i in by_id]
        page = await with_metadata(db, PostPage(posts, [p.id for p in posts], has_next=has_next))
    return SearchResult(page, {p.id: matched_words(p.message, query.terms) for p in posts})


async def search_files(svc: Services, actor: Actor, team_id: str | None, request: SearchRequest) -> FileResult:
    """POST /teams/{team_id}/files/search (team_id None: POST /files/search). Words match file names (a
    #hashtag is just its word here); ext:, from:, in: and dates as for posts, dates on the upload time."""
    query = parse(request.terms, is_or=request.is_or_search, tz_offset_s=request.time_zone_offset)
    query.terms = [replace(t, hashtag=False) for t in query.terms]
    query.excluded = [replace(t, hashtag=False) for t in query.excluded]
    async with _searching(svc, actor, team_id, request, query) as db:
        if db is None:
            return FileResult([], has_next=False)
        scope = await _scope(db, actor, team_id, request, query)
        ids = [] if scope is None else await search_store.search_ids(db, dialect.FILES, query, scope, offset=_offset(request), limit=request.per_page + 1)
        has_next = len(ids) > request.per_page
        ids = ids[: request.per_page]
        by_id = {f.id: f for f in await files_store.get_files_by_ids(db, ids) if not f.delete_at}
    return FileResult([by_id[i] for i in ids if i in by_id], has_next=has_next)


def _offset(request: SearchRequest) -> int:
    return request.page * request.per_page


@asynccontextmanager
async def _searching(svc: Services, actor: Actor, team_id: str | None, request: SearchRequest, query: SearchQuery) -> AsyncIterator[AsyncSession | None]:
    """A search transaction in which the team is checked first; None (after the check) when there is
    nothing to search for or the page is beyond MAX_RESULTS."""
    if query.is_empty or _offset(request) >= MAX_RESULTS:
        async with svc.db.read() as db:
            if team_id is not None:
                await access_team(db, actor, team_id)
        yield None
        return
    async with svc.db.search() as db:
        if team_id is not None:
            await access_team(db, actor, team_id)
        yield db


async def _scope(db: AsyncSession, actor: Actor, team_id: str | None, request: SearchRequest, query: SearchQuery) -> search_store.Scope | None:
    """from:/in: names resolved to ids; None when they name no user or no readable channel (nothing matches)."""
    scope = search_store.Scope(actor.user_id, team_id, include_archived=request.include_deleted_channels)
    if query.in_channels:
        scope.channel_ids = await search_store.readable_channel_ids_by_name(db, scope, query.in_channels)
        if not scope.channel_ids:
            return None
    if query.from_users:
        scope.user_ids = await search_store.user_ids_by_username(db, query.from_users)
        if not scope.user_ids:
            return None
    scope.excluded_channel_ids = await search_store.readable_channel_ids_by_name(db, scope, query.excluded_channels)
    scope.excluded_user_ids = await search_store.user_ids_by_username(db, query.excluded_users)
    return scope
