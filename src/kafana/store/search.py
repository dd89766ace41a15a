"""The search indexes of posts and of their files (written in the post's own transaction) and the search
query over them.

What a search may see is decided here, inside the query, in the same snapshot: the channels the searcher is
a member of right now, in teams they still belong to (plus their DMs and GMs), archived ones only on request.
Channels they left, private channels they are not in and other people's DMs never match (A7).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, delete, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from kafana.models import Channel, ChannelMember, FileInfo, FileSearch, Post, PostSearch, User
from kafana.models.search import DOC_ID_SHIFT
from kafana.search.query import SearchQuery
from kafana.search.text import hashtags_text, index_text
from kafana.store import dialect


def is_searchable(post: Post) -> bool:
    return not post.delete_at and not post.type.startswith("system_")


async def index_post(session: AsyncSession, post: Post) -> None:
    """Add a new post to the index (system messages and deleted posts are not searchable)."""
    if not is_searchable(post):
        return
    doc_id = await dialect.next_search_doc_id(session, dialect.POSTS, post.create_at, DOC_ID_SHIFT)
    doc = {"doc_id": doc_id, "post_id": post.id, "channel_id": post.channel_id, "user_id": post.user_id}
    await dialect.insert_search_docs(session, dialect.POSTS, [{**doc, "body": index_text(post.message), "tags": hashtags_text(post.hashtags)}])


async def reindex_post(session: AsyncSession, post: Post) -> None:
    """After an edit: the post's document gets its new text (keeping its place in time)."""
    doc_id = (await session.execute(select(PostSearch.doc_id).where(PostSearch.post_id == post.id))).scalar_one_or_none()
    if doc_id is None:
        await index_post(session, post)
    elif not is_searchable(post):
        await unindex_posts(session, [post.id])
    else:
        await dialect.put_search_text(session, dialect.POSTS, doc_id, index_text(post.message), hashtags_text(post.hashtags))


async def index_files(session: AsyncSession, post: Post, files: Sequence[FileInfo]) -> None:
    """Add files as they attach to a post, in that post's transaction; their names are their text. One at a
    time: files uploaded together share a millisecond, and each takes the next free doc id."""
    if not is_searchable(post):
        return
    for info in files:
        doc_id = await dialect.next_search_doc_id(session, dialect.FILES, info.create_at, DOC_ID_SHIFT)
        doc = {"doc_id": doc_id, "file_id": info.id, "post_id": post.id, "channel_id": post.channel_id, "user_id": info.creator_id}
        await dialect.insert_search_docs(session, dialect.FILES, [{**doc, "extension": info.extension.lower(), "body": index_text(info.name), "tags": ""}])


async def unindex_files(session: AsyncSession, file_ids: Sequence[str]) -> None:
    await _unindex(session, dialect.FILES, FileSearch.doc_id, FileSearch.file_id.in_(list(file_ids)))


async def unindex_posts(session: AsyncSession, post_ids: Sequence[str]) -> None:
    """Remove posts and the files attached to them."""
    if not post_ids:
        return
    await _unindex(session, dialect.POSTS, PostSearch.doc_id, PostSearch.post_id.in_(list(post_ids)))
    await _unindex(session, dialect.FILES, FileSearch.doc_id, FileSearch.post_id.in_(list(post_ids)))


async def _unindex(session: AsyncSession, index: dialect.TextIndex, doc_id: Any, where: Any) -> None:
    doc_ids = list((await session.execute(select(doc_id).where(where))).scalars())
    if not doc_ids:
        return
    await dialect.drop_search_text(session, index, doc_ids)
    await session.execute(delete(doc_id.class_).where(doc_id.in_(doc_ids)))


async def unindex_replies(session: AsyncSession, root_id: str) -> None:
    reply_ids = list((await session.execute(select(Post.id).where(Post.root_id == root_id))).scalars())
    await unindex_posts(session, reply_ids)


# Searching ---------------------------------------------------------------------------------------------

_READABLE = """
SELECT cm.channel_id FROM channel_members cm JOIN channels c ON c.id = cm.channel_id
WHERE cm.user_id = :searcher {archived}
  AND (c.team_id = '' OR ({team} EXISTS (
        SELECT 1 FROM team_members tm WHERE tm.team_id = c.team_id AND tm.user_id = :searcher AND tm.delete_at = 0)))
"""


@dataclass(slots=True)
class Scope:
    """Who searches where: `team_id` None means every team of the searcher."""

    user_id: str
    team_id: str | None
    include_archived: bool = False
    channel_ids: list[str] | None = None  # in: (already resolved); None = no restriction
    excluded_channel_ids: list[str] = field(default_factory=list)
    user_ids: list[str] | None = None  # from:
    excluded_user_ids: list[str] = field(default_factory=list)


def readable_channels_sql(scope: Scope) -> str:
    return _READABLE.format(archived="" if scope.include_archived else "AND c.delete_at = 0", team="c.team_id = :team_id AND" if scope.team_id else "")


async def search_ids(session: AsyncSession, index: dialect.TextIndex, query: SearchQuery, scope: Scope, *, offset: int, limit: int) -> list[str]:
    """Ids of the matching posts (POSTS) or files (FILES, which also filter on ext:), newest first."""
    params: dict[str, Any] = {"searcher": scope.user_id, "team_id": scope.team_id or "", "offset": offset, "limit": limit}
    expanding: list[str] = []
    full_text = dialect.full_text_match(session, index, query.terms, is_or=query.is_or)
    if full_text is not None:
        source, key = full_text.source, full_text.key
        where = [full_text.condition]
        params["match"] = full_text.value
    else:
        source, key, where = f"{index.table} d", "d.doc_id", []
    where.append(f"d.channel_id IN ({readable_channels_sql(scope)})")
    exclusion = dialect.full_text_exclusion(session, index, query.excluded)
    if exclusion is not None:
        where.append(exclusion[0])
        params["excluded"] = exclusion[1]

    def member_of(column: str, name: str, values: list[str] | None, *, negate: bool = False) -> None:
        if values is None or (negate and not values):
            return
        where.append(f"{column} {'NOT IN' if negate else 'IN'} :{name}")
        params[name] = values
        expanding.append(name)

    member_of("d.channel_id", "in_channels", scope.channel_ids)
    member_of("d.channel_id", "not_in_channels", scope.excluded_channel_ids, negate=True)
    member_of("d.user_id", "from_users", scope.user_ids)
    member_of("d.user_id", "not_from_users", scope.excluded_user_ids, negate=True)
    if "extension" in index.columns:
        member_of("d.extension", "extensions", query.extensions or None)
        member_of("d.extension", "not_extensions", query.excluded_extensions, negate=True)
    if query.since is not None:
        where.append(f"{key} >= :since")
        params["since"] = query.since << DOC_ID_SHIFT
    if query.until is not None:
        where.append(f"{key} < :until")
        params["until"] = (query.until + 1) << DOC_ID_SHIFT
    for i, (lo, hi) in enumerate(query.excluded_ranges):
        where.append(f"NOT ({key} >= :lo{i} AND {key} < :hi{i})")
        params[f"lo{i}"], params[f"hi{i}"] = lo << DOC_ID_SHIFT, (hi + 1) << DOC_ID_SHIFT
    sql = f"SELECT d.{index.columns[0]} FROM {source} WHERE {' AND '.join(where)} ORDER BY {key} DESC LIMIT :limit OFFSET :offset"
    stmt = text(sql).bindparams(*(bindparam(name, expanding=True) for name in expanding))
    return list((await session.execute(stmt, params)).scalars())


async def readable_channel_ids_by_name(session: AsyncSession, scope: Scope, names: Sequence[str]) -> list[str]:
    """in: values → ids of readable channels: a channel name, or @username for the DM with that user."""
    wanted = [n.lower() for n in names if not n.startswith("@")]
    for partner_id in await user_ids_by_username(session, [n[1:] for n in names if n.startswith("@")]):
        wanted.append("__".join(sorted((scope.user_id, partner_id))))  # a DM's name is its two user ids, sorted
    if not wanted:
        return []
    readable = text(readable_channels_sql(scope)).columns(channel_id=ChannelMember.channel_id.type).subquery()
    stmt = select(Channel.id).where(Channel.name.in_(wanted), Channel.id.in_(select(readable.c.channel_id)))
    return list((await session.execute(stmt, {"searcher": scope.user_id, "team_id": scope.team_id or ""})).scalars())


async def user_ids_by_username(session: AsyncSession, names: Sequence[str]) -> list[str]:
    if not names:
        return []
    return list((await session.execute(select(User.id).where(User.username.in_([n.lower() for n in names])))).scalars())
