"""Server statistics for the admin console (Mattermost's `/analytics/old`): counts, and posts and posting
users per day over a recent window, read through the `create_at` index (a range, never a full scan)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kafana.models import Channel, FileInfo, Post, Session, Team, TeamMember, User

DAY_MS = 86_400_000


def _in_team(query: Any, team_id: str) -> Any:
    return query.join(Channel, Channel.id == Post.channel_id).where(Channel.team_id == team_id) if team_id else query


async def channel_counts(session: AsyncSession, team_id: str) -> dict[str, int]:
    query = select(Channel.type, func.count()).where(Channel.delete_at == 0, Channel.type.in_(("O", "P"))).group_by(Channel.type)
    if team_id:
        query = query.where(Channel.team_id == team_id)
    return {kind: n for kind, n in (await session.execute(query)).all()}


async def post_count(session: AsyncSession, team_id: str) -> int:
    return int(await session.scalar(_in_team(select(func.count()).select_from(Post).where(Post.delete_at == 0), team_id)) or 0)


async def user_count(session: AsyncSession, team_id: str, *, active_since: int = 0, deactivated: bool = False) -> int:
    """People (not bots): active accounts, or deactivated ones; with `active_since`, those seen since then."""
    query = select(func.count()).select_from(User).where(User.is_bot.is_(False), (User.delete_at != 0) if deactivated else (User.delete_at == 0))
    if active_since:  # a session used since then (kept at most a minute stale), or activity of a closed one
        used = select(Session.id).where(Session.user_id == User.id, Session.last_activity_at >= active_since).exists()
        query = query.where((User.last_activity_at >= active_since) | used)
    if team_id:
        query = query.join(TeamMember, TeamMember.user_id == User.id).where(TeamMember.team_id == team_id, TeamMember.delete_at == 0)
    return int(await session.scalar(query) or 0)


async def team_count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Team).where(Team.delete_at == 0)) or 0)


async def session_count(session: AsyncSession, now: int) -> int:
    query = select(func.count()).select_from(Session).where((Session.expires_at == 0) | (Session.expires_at > now))
    return int(await session.scalar(query) or 0)


async def file_post_count(session: AsyncSession, team_id: str) -> int:
    """Posts with files attached."""
    query = select(func.count(distinct(FileInfo.post_id))).where(FileInfo.post_id != "", FileInfo.delete_at == 0)
    if team_id:
        query = query.join(Channel, Channel.id == FileInfo.channel_id).where(Channel.team_id == team_id)
    return int(await session.scalar(query) or 0)


async def per_day(session: AsyncSession, team_id: str, since: int, *, distinct_users: bool) -> list[tuple[int, int]]:
    """(day number since the epoch, posts or distinct posters) for days since `since`, newest first."""
    day = (Post.create_at // DAY_MS).label("day")
    counted = func.count(distinct(Post.user_id)) if distinct_users else func.count()
    query = select(day, counted).where(Post.create_at >= since, Post.delete_at == 0).group_by(day).order_by(day.desc())
    rows = (await session.execute(_in_team(query, team_id))).all()
    return [(int(d), int(n)) for d, n in rows]
