"""Posts: single rows, channel history pages (keyset on channel_id, create_at), threads, counters."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from kafana.models import Channel, ChannelMember, Post, Reaction, Thread, ThreadMembership, User
from kafana.store import NO_SYNC
from kafana.store.dialect import greatest, insert_ignore

# History reads return rows of the posts table, not ORM objects: a page is 60 rows, and building
# instances cost more than the query. Rows have the same attribute names as Post.
POST_COLUMNS = tuple(Post.__table__.c)


async def get_post(session: AsyncSession, post_id: str) -> Post | None:
    return await session.get(Post, post_id)


async def get_posts_by_ids(session: AsyncSession, ids: Sequence[str]) -> list[Post]:
    if not ids:
        return []
    return list((await session.execute(select(Post).where(Post.id.in_(list(set(ids)))))).scalars())


async def get_post_by_pending_id(session: AsyncSession, user_id: str, pending_post_id: str) -> Post | None:
    stmt = select(Post).where(Post.user_id == user_id, Post.pending_post_id == pending_post_id)
    return (await session.execute(stmt)).scalar_one_or_none()


def _live(channel_id: str, roots_only: bool) -> list[object]:
    cond: list[object] = [Post.channel_id == channel_id, Post.delete_at == 0]
    if roots_only:
        cond.append(Post.root_id == "")
    return cond


async def get_channel_page(session: AsyncSession, channel_id: str, offset: int, limit: int, *, roots_only: bool = False) -> list[Any]:
    """Newest first; one row more than asked so callers know whether older posts exist."""
    stmt = select(*POST_COLUMNS).where(*_live(channel_id, roots_only)).order_by(Post.create_at.desc(), Post.id.desc()).offset(offset).limit(limit + 1)  # type: ignore[arg-type]
    return list((await session.execute(stmt)).all())


async def get_posts_before(
    session: AsyncSession, channel_id: str, create_at: int, post_id: str, offset: int, limit: int, *, roots_only: bool = False
) -> list[Any]:
    """Older than the given post (keyset), newest first, limit + 1 rows."""
    older = tuple_(Post.create_at, Post.id) < (create_at, post_id)  # row values: the index serves it
    stmt = select(*POST_COLUMNS).where(*_live(channel_id, roots_only), older).order_by(Post.create_at.desc(), Post.id.desc()).offset(offset).limit(limit + 1)  # type: ignore[arg-type]
    return list((await session.execute(stmt)).all())


async def get_posts_after(
    session: AsyncSession, channel_id: str, create_at: int, post_id: str, offset: int, limit: int, *, roots_only: bool = False
) -> list[Any]:
    """Newer than the given post, oldest first, limit + 1 rows."""
    newer = tuple_(Post.create_at, Post.id) > (create_at, post_id)
    stmt = select(*POST_COLUMNS).where(*_live(channel_id, roots_only), newer).order_by(Post.create_at, Post.id).offset(offset).limit(limit + 1)  # type: ignore[arg-type]
    return list((await session.execute(stmt)).all())


async def get_posts_from(session: AsyncSession, channel_id: str, create_at: int) -> list[Any]:
    """Live posts created at or after `create_at` (user_id, root_id, message): what reads as unread when a
    member marks the channel unread from a post."""
    stmt = select(Post.user_id, Post.root_id, Post.message).where(*_live(channel_id, False), Post.create_at >= create_at)  # type: ignore[arg-type]
    return list((await session.execute(stmt)).all())


async def get_posts_since(session: AsyncSession, channel_id: str, since: int, limit: int = 1000) -> list[Any]:
    """Everything changed after `since`, deleted posts included (clients apply edits and deletions)."""
    stmt = select(*POST_COLUMNS).where(Post.channel_id == channel_id, Post.update_at > since).order_by(Post.create_at.desc()).limit(limit)
    return list((await session.execute(stmt)).all())


async def get_thread_posts(session: AsyncSession, root_id: str) -> list[Any]:
    """The root and its live replies, oldest first."""
    stmt = select(*POST_COLUMNS).where(or_(Post.id == root_id, Post.root_id == root_id), Post.delete_at == 0).order_by(Post.create_at, Post.id)
    return list((await session.execute(stmt)).all())


async def get_pinned_posts(session: AsyncSession, channel_id: str) -> list[Any]:
    stmt = select(*POST_COLUMNS).where(Post.channel_id == channel_id, Post.is_pinned.is_(True), Post.delete_at == 0).order_by(Post.create_at.desc())
    return list((await session.execute(stmt)).all())


async def count_pinned(session: AsyncSession, channel_id: str) -> int:
    stmt = select(func.count()).select_from(Post).where(Post.channel_id == channel_id, Post.is_pinned.is_(True), Post.delete_at == 0)
    return int((await session.execute(stmt)).scalar_one())


async def get_reactions_for_posts(session: AsyncSession, post_ids: Sequence[str]) -> dict[str, list[Reaction]]:
    out: dict[str, list[Reaction]] = {}
    if not post_ids:
        return out
    stmt = select(Reaction).where(Reaction.post_id.in_(list(post_ids))).order_by(Reaction.create_at)
    for reaction in (await session.execute(stmt)).scalars():
        out.setdefault(reaction.post_id, []).append(reaction)
    return out


# Writes that a new post causes -------------------------------------------------------------------------


async def bump_channel_counters(session: AsyncSession, channel_id: str, at: int, *, is_root: bool) -> None:
    values: dict[str, object] = {"total_msg_count": Channel.total_msg_count + 1, "last_post_at": greatest(session, Channel.last_post_at, at)}
    if is_root:
        values["total_msg_count_root"] = Channel.total_msg_count_root + 1
        values["last_root_post_at"] = greatest(session, Channel.last_root_post_at, at)
    await session.execute(update(Channel).where(Channel.id == channel_id).values(values), execution_options=NO_SYNC)


async def bump_mentions(session: AsyncSession, channel_id: str, user_ids: Sequence[str], *, is_root: bool, at: int) -> None:
    if not user_ids:
        return
    values: dict[str, object] = {"mention_count": ChannelMember.mention_count + 1, "last_update_at": at}
    if is_root:
        values["mention_count_root"] = ChannelMember.mention_count_root + 1
    await session.execute(
        update(ChannelMember).where(ChannelMember.channel_id == channel_id, ChannelMember.user_id.in_(list(user_ids))).values(values), execution_options=NO_SYNC
    )


async def get_mention_candidates(
    session: AsyncSession, channel_id: str, usernames: Sequence[str], *, everyone: bool, user_ids: Sequence[str] = ()
) -> list[tuple[str, str, str, dict[str, str], dict[str, str]]]:
    """(user_id, username, mention keys, user notify_props, member notify_props) of the active members who
    could be notified: all of them for channel-wide mentions and DMs, otherwise those named with an @, those
    with mention keys, `user_ids` (group members, thread people) and those who want a push for every post
    (the common post reads next to nothing)."""
    stmt = (
        select(User.id, User.username, User.mention_keys, User.notify_props, ChannelMember.notify_props)
        .join(ChannelMember, ChannelMember.user_id == User.id)
        .where(ChannelMember.channel_id == channel_id, User.delete_at == 0)
    )
    if not everyone:
        stmt = stmt.where(
            or_(
                User.username.in_(list(usernames)),
                User.mention_keys != "",
                User.id.in_(list(user_ids)),
                User.notify_props["push"].as_string() == "all",
                ChannelMember.notify_props["push"].as_string() == "all",
            )
        )
    rows = (await session.execute(stmt)).all()
    return [(r[0], r[1], r[2], r[3] or {}, r[4] or {}) for r in rows]


async def add_reply_to_root(session: AsyncSession, root_id: str, at: int) -> None:
    await session.execute(
        update(Post).where(Post.id == root_id).values(reply_count=Post.reply_count + 1, last_reply_at=at, update_at=at), execution_options=NO_SYNC
    )


async def upsert_thread(session: AsyncSession, root: Post, replier_id: str, at: int) -> Thread:
    thread = await session.get(Thread, root.id)
    if thread is None:
        thread = Thread(post_id=root.id, channel_id=root.channel_id, reply_count=0, last_reply_at=at, participants=[])
        session.add(thread)
    thread.reply_count = (thread.reply_count or 0) + 1
    thread.last_reply_at = max(thread.last_reply_at or 0, at)
    if replier_id not in (thread.participants or []):
        thread.participants = [*(thread.participants or []), replier_id]
    return thread


async def delete_replies(session: AsyncSession, root_id: str, at: int) -> None:
    await session.execute(update(Post).where(Post.root_id == root_id, Post.delete_at == 0).values(delete_at=at, update_at=at), execution_options=NO_SYNC)


async def remove_reply_from_thread(session: AsyncSession, root_id: str, reply_id: str) -> None:
    """Recount a thread after a reply is deleted: its count and latest reply come from the live replies."""
    thread = await session.get(Thread, root_id)
    if thread is None:
        return
    live = select(func.count(), func.max(Post.create_at)).where(Post.root_id == root_id, Post.delete_at == 0, Post.id != reply_id)
    count, last = (await session.execute(live)).one()
    thread.reply_count = int(count)
    thread.last_reply_at = int(last or 0)


async def follow_thread(session: AsyncSession, root_id: str, user_ids: Sequence[str], at: int, *, viewed_by: str = "") -> None:
    """Make users follow a thread unless they unfollowed it explicitly; the replier has seen it."""
    rows = [
        {"post_id": root_id, "user_id": uid, "following": True, "last_viewed": at if uid == viewed_by else 0, "last_updated": at, "unread_mentions": 0}
        for uid in set(user_ids)
    ]
    await insert_ignore(session, ThreadMembership.__table__, rows, ["post_id", "user_id"])
    if viewed_by:
        await session.execute(
            update(ThreadMembership)
            .where(ThreadMembership.post_id == root_id, ThreadMembership.user_id == viewed_by)
            .values(following=True, last_viewed=at, last_updated=at, unread_mentions=0),
            execution_options=NO_SYNC,
        )
    await session.execute(
        update(ThreadMembership).where(ThreadMembership.post_id == root_id, ThreadMembership.user_id != viewed_by).values(last_updated=at),
        execution_options=NO_SYNC,
    )


async def bump_thread_mentions(session: AsyncSession, root_id: str, user_ids: Sequence[str]) -> None:
    if user_ids:
        await session.execute(
            update(ThreadMembership)
            .where(ThreadMembership.post_id == root_id, ThreadMembership.user_id.in_(list(user_ids)))
            .values(unread_mentions=ThreadMembership.unread_mentions + 1),
            execution_options=NO_SYNC,
        )
