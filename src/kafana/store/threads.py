"""Collapsed reply threads as one user sees them: the threads they follow, read state, unread replies.

`store.posts` writes Thread and ThreadMembership rows when replies arrive; this module reads them per user and
changes the user's own read/follow state. A thread is visible only while its channel is readable: the user is
a member, or it is a public channel of the team (the caller checks team membership first).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVarTuple

from sqlalchemy import ColumnElement, Select, and_, case, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kafana.models import Channel, ChannelMember, Post, Thread, ThreadMembership
from kafana.store import NO_SYNC
from kafana.store.dialect import insert_ignore

Ts = TypeVarTuple("Ts")


@dataclass(slots=True)
class UserThreadRow:
    thread: Thread
    membership: ThreadMembership
    root: Post


@dataclass(slots=True)
class ThreadTotals:
    total: int = 0
    unread_threads: int = 0
    unread_mentions: int = 0


def _readable(user_id: str, team_id: str) -> ColumnElement[bool]:
    """The thread's channel is in `team_id` (or a DM/GM) and the user may read it."""
    member = exists().where(and_(ChannelMember.channel_id == Channel.id, ChannelMember.user_id == user_id))
    return or_(and_(Channel.team_id == team_id, or_(Channel.type == "O", member)), and_(Channel.team_id == "", member))


def _followed(stmt: Select[*Ts], user_id: str, team_id: str, *, deleted: bool) -> Select[*Ts]:
    stmt = (
        stmt.join(Thread, Thread.post_id == ThreadMembership.post_id)
        .join(Channel, Channel.id == Thread.channel_id)
        .join(Post, Post.id == Thread.post_id)
        .where(ThreadMembership.user_id == user_id, ThreadMembership.following.is_(True), _readable(user_id, team_id))
    )
    if not deleted:
        stmt = stmt.where(Post.delete_at == 0)
    return stmt


def _unread() -> ColumnElement[bool]:
    return Thread.last_reply_at > ThreadMembership.last_viewed


async def get_user_threads(
    session: AsyncSession,
    user_id: str,
    team_id: str,
    *,
    since: int = 0,
    deleted: bool = False,
    unread: bool = False,
    before: tuple[int, str] | None = None,
    after: tuple[int, str] | None = None,
    limit: int = 30,
) -> list[UserThreadRow]:
    """Followed threads, most recent reply first. `before`/`after` are (last_reply_at, id) cursors."""
    stmt = _followed(select(Thread, ThreadMembership, Post).select_from(ThreadMembership), user_id, team_id, deleted=deleted)
    if since:
        stmt = stmt.where(or_(ThreadMembership.last_updated >= since, Thread.last_reply_at >= since))
    if unread:
        stmt = stmt.where(_unread())
    key = (Thread.last_reply_at, Thread.post_id)
    if before is not None:
        stmt = stmt.where(or_(key[0] < before[0], and_(key[0] == before[0], key[1] < before[1])))
    if after is not None:
        # The `limit` threads just newer than the cursor, then newest first like every page.
        stmt = stmt.where(or_(key[0] > after[0], and_(key[0] == after[0], key[1] > after[1]))).order_by(key[0], key[1]).limit(limit)
        rows = [UserThreadRow(r[0], r[1], r[2]) for r in (await session.execute(stmt)).all()]
        rows.reverse()
        return rows
    stmt = stmt.order_by(key[0].desc(), key[1].desc()).limit(limit)
    return [UserThreadRow(r[0], r[1], r[2]) for r in (await session.execute(stmt)).all()]


async def count_user_threads(session: AsyncSession, user_id: str, team_id: str, *, deleted: bool = False) -> ThreadTotals:
    stmt = _followed(
        select(
            func.count(),
            func.coalesce(func.sum(case((_unread(), 1), else_=0)), 0),
            func.coalesce(func.sum(ThreadMembership.unread_mentions), 0),
        ).select_from(ThreadMembership),
        user_id,
        team_id,
        deleted=deleted,
    )
    total, unread_threads, mentions = (await session.execute(stmt)).one()
    return ThreadTotals(int(total), int(unread_threads), int(mentions))


async def get_mention_counts_by_channel(session: AsyncSession, user_id: str, team_id: str) -> dict[str, int]:
    stmt = _followed(
        select(Thread.channel_id, func.sum(ThreadMembership.unread_mentions)).select_from(ThreadMembership), user_id, team_id, deleted=False
    ).group_by(Thread.channel_id)
    return {r[0]: int(r[1]) for r in (await session.execute(stmt)).all() if r[1]}


async def get_unread_replies(session: AsyncSession, user_id: str, last_viewed: dict[str, int]) -> dict[str, int]:
    """Per root id: live replies by others after the user's last view of that thread."""
    if not last_viewed:
        return {}
    stmt = (
        select(Post.root_id, func.count())
        .join(ThreadMembership, and_(ThreadMembership.post_id == Post.root_id, ThreadMembership.user_id == user_id))
        .where(Post.root_id.in_(list(last_viewed)), Post.delete_at == 0, Post.user_id != user_id, Post.create_at > ThreadMembership.last_viewed)
        .group_by(Post.root_id)
    )
    return {r[0]: int(r[1]) for r in (await session.execute(stmt)).all()}


async def get_member_followers(session: AsyncSession, root_id: str, channel_id: str, *, exclude: str) -> list[ThreadMembership]:
    """The thread's followers who are members of its channel, freshly read (counters are updated in bulk)."""
    member = exists().where(ChannelMember.channel_id == channel_id, ChannelMember.user_id == ThreadMembership.user_id)
    stmt = (
        select(ThreadMembership)
        .where(ThreadMembership.post_id == root_id, ThreadMembership.following.is_(True), ThreadMembership.user_id != exclude, member)
        .order_by(ThreadMembership.user_id)
        .execution_options(populate_existing=True)
    )
    return list((await session.execute(stmt)).scalars())


async def get_unread_replies_by_user(session: AsyncSession, root_id: str, user_ids: Sequence[str]) -> dict[str, int]:
    """Per user: live replies of the thread by others after that user's last view."""
    if not user_ids:
        return {}
    stmt = (
        select(ThreadMembership.user_id, func.count())
        .join(Post, and_(Post.root_id == ThreadMembership.post_id, Post.user_id != ThreadMembership.user_id, Post.create_at > ThreadMembership.last_viewed))
        .where(ThreadMembership.post_id == root_id, ThreadMembership.user_id.in_(list(user_ids)), Post.delete_at == 0)
        .group_by(ThreadMembership.user_id)
    )
    return {r[0]: int(r[1]) for r in (await session.execute(stmt)).all()}


async def get_replies_after(session: AsyncSession, root_id: str, after: int, *, exclude_user: str) -> list[Post]:
    """Live replies by others newer than `after`, oldest first (to recount mentions after a set_unread)."""
    stmt = (
        select(Post)
        .where(Post.root_id == root_id, Post.delete_at == 0, Post.create_at > after, Post.user_id != exclude_user)
        .order_by(Post.create_at, Post.id)
        .limit(1000)
    )
    return list((await session.execute(stmt)).scalars())


async def get_thread(session: AsyncSession, root_id: str) -> Thread | None:
    return await session.get(Thread, root_id)


async def get_membership(session: AsyncSession, root_id: str, user_id: str) -> ThreadMembership | None:
    return await session.get(ThreadMembership, (root_id, user_id))


async def ensure_membership(session: AsyncSession, root_id: str, user_id: str, at: int, *, following: bool) -> ThreadMembership:
    """The user's membership row, created (with `following`) when missing; locked on PostgreSQL."""
    row = {"post_id": root_id, "user_id": user_id, "following": following, "last_viewed": 0, "last_updated": at, "unread_mentions": 0}
    await insert_ignore(session, ThreadMembership.__table__, [row], ["post_id", "user_id"])
    stmt = select(ThreadMembership).where(ThreadMembership.post_id == root_id, ThreadMembership.user_id == user_id).with_for_update()
    membership = (await session.execute(stmt.execution_options(populate_existing=True))).scalar_one()
    return membership


async def mark_all_read(session: AsyncSession, user_id: str, team_id: str, at: int) -> None:
    """Every followed thread of the team (and DMs/GMs) read up to `at`, no unread mentions."""
    visible = _followed(select(ThreadMembership.post_id).select_from(ThreadMembership), user_id, team_id, deleted=True)
    await session.execute(
        update(ThreadMembership)
        .where(ThreadMembership.user_id == user_id, ThreadMembership.post_id.in_(visible.scalar_subquery()))
        .values(last_viewed=at, unread_mentions=0, last_updated=at),
        execution_options=NO_SYNC,
    )


async def get_follower_ids(session: AsyncSession, root_id: str) -> set[str]:
    stmt = select(ThreadMembership.user_id).where(ThreadMembership.post_id == root_id, ThreadMembership.following.is_(True))
    return set((await session.execute(stmt)).scalars())
