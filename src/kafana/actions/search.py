"""Searching posts: parse Mattermost's syntax, resolve from:/in: names, run the query the searcher may see.

Everything runs in one read transaction on `db.search()` (thread-backed on SQLite: a search may scan), so
permissions, index and posts come from one snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kafana.access import access_team
from kafana.actions.context import Services
from kafana.actions.posts import PostPage, with_metadata
from kafana.models.actor import Actor
from kafana.search.matches import matched_words
from kafana.search.query import parse
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


async def search_posts(svc: Services, actor: Actor, team_id: str | None, request: SearchRequest) -> SearchResult:
    """POST /teams/{team_id}/posts/search (team_id None: POST /posts/search, every team of the searcher)."""
    query = parse(request.terms, is_or=request.is_or_search, tz_offset_s=request.time_zone_offset)
    empty = SearchResult(PostPage([], [], has_next=False))
    offset = request.page * request.per_page
    if query.is_empty or offset >= MAX_RESULTS:
        async with svc.db.read() as db:
            if team_id is not None:
                await access_team(db, actor, team_id)
        return empty
    scope = search_store.Scope(actor.user_id, team_id, include_archived=request.include_deleted_channels)
    async with svc.db.search() as db:
        if team_id is not None:
            await access_team(db, actor, team_id)
        if query.in_channels:
            scope.channel_ids = await search_store.readable_channel_ids_by_name(db, scope, query.in_channels)
            if not scope.channel_ids:
                return empty
        if query.from_users:
            scope.user_ids = await search_store.user_ids_by_username(db, query.from_users)
            if not scope.user_ids:
                return empty
        scope.excluded_channel_ids = await search_store.readable_channel_ids_by_name(db, scope, query.excluded_channels)
        scope.excluded_user_ids = await search_store.user_ids_by_username(db, query.excluded_users)
        ids = await search_store.search_post_ids(db, query, scope, offset=offset, limit=request.per_page + 1)
        has_next = len(ids) > request.per_page
        ids = ids[: request.per_page]
        by_id = {p.id: p for p in await posts_store.get_posts_by_ids(db, ids) if not p.delete_at}
        posts = [by_id[i] for i in ids if i in by_id]
        page = await with_metadata(db, PostPage(posts, [p.id for p in posts], has_next=has_next))
    return SearchResult(page, {p.id: matched_words(p.message, query.terms) for p in posts})
