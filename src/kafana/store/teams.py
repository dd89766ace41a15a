"""Teams and team members."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from kafana.models import Channel, ChannelMember, Team, TeamMember, User
from kafana.store.dialect import ilike_contains


async def get_team(session: AsyncSession, team_id: str) -> Team | None:
    return await session.get(Team, team_id)


async def get_team_by_name(session: AsyncSession, name: str) -> Team | None:
    return (await session.execute(select(Team).where(Team.name == name.lower()))).scalar_one_or_none()


async def get_team_member(session: AsyncSession, team_id: str, user_id: str) -> TeamMember | None:
    return await session.get(TeamMember, (team_id, user_id))


async def get_active_team_ids_for_user(session: AsyncSession, user_id: str) -> list[str]:
    stmt = select(TeamMember.team_id).where(TeamMember.user_id == user_id, TeamMember.delete_at == 0)
    return list((await session.execute(stmt)).scalars())


async def get_teams_by_ids(session: AsyncSession, ids: Sequence[str]) -> list[Team]:
    if not ids:
        return []
    stmt = select(Team).where(Team.id.in_(list(ids)), Team.delete_at == 0).order_by(Team.display_name, Team.id)
    return list((await session.execute(stmt)).scalars())


async def get_team_for_update(session: AsyncSession, team_id: str) -> Team | None:
    """Row-locked on PostgreSQL; SQLite's writer already holds the database lock."""
    return (await session.execute(select(Team).where(Team.id == team_id).with_for_update())).scalar_one_or_none()


async def list_teams(
    session: AsyncSession, *, member_of: Sequence[str] | None = None, include_deleted: bool = False, offset: int = 0, limit: int = 60
) -> list[Team]:
    """All teams, or (with `member_of`) the open teams plus those ids: what a non-admin may see."""
    stmt = _visible_teams(select(Team), member_of, include_deleted)
    stmt = stmt.order_by(Team.display_name, Team.id).offset(offset).limit(limit)
    return list((await session.execute(stmt)).scalars())


async def count_teams(session: AsyncSession, *, member_of: Sequence[str] | None = None, include_deleted: bool = False) -> int:
    stmt = _visible_teams(select(func.count()).select_from(Team), member_of, include_deleted)
    return int((await session.execute(stmt)).scalar_one())


def _visible_teams(stmt: Select[Any], member_of: Sequence[str] | None, include_deleted: bool) -> Select[Any]:
    if not include_deleted:
        stmt = stmt.where(Team.delete_at == 0)
    if member_of is not None:
        stmt = stmt.where(or_(Team.allow_open_invite.is_(True), Team.id.in_(list(member_of))))
    return stmt


async def search_teams(session: AsyncSession, term: str, *, member_of: Sequence[str] | None = None, limit: int = 100) -> list[Team]:
    stmt = _visible_teams(select(Team), member_of, False).where(or_(ilike_contains(Team.name, term), ilike_contains(Team.display_name, term)))
    return list((await session.execute(stmt.order_by(Team.display_name, Team.id).limit(limit))).scalars())


async def get_team_members(session: AsyncSession, team_id: str, offset: int, limit: int) -> list[TeamMember]:
    """Active members, in a stable order for paging."""
    stmt = select(TeamMember).where(TeamMember.team_id == team_id, TeamMember.delete_at == 0).order_by(TeamMember.user_id).offset(offset).limit(limit)
    return list((await session.execute(stmt)).scalars())


async def get_team_members_by_ids(session: AsyncSession, team_id: str, user_ids: Sequence[str]) -> list[TeamMember]:
    if not user_ids:
        return []
    stmt = select(TeamMember).where(TeamMember.team_id == team_id, TeamMember.user_id.in_(list(set(user_ids)))).order_by(TeamMember.user_id)
    return list((await session.execute(stmt)).scalars())


async def get_team_members_for_user(session: AsyncSession, user_id: str) -> list[TeamMember]:
    """The user's active memberships, in teams that still exist."""
    stmt = (
        select(TeamMember)
        .join(Team, Team.id == TeamMember.team_id)
        .where(TeamMember.user_id == user_id, TeamMember.delete_at == 0, Team.delete_at == 0)
        .order_by(TeamMember.team_id)
    )
    return list((await session.execute(stmt)).scalars())


async def count_team_members(session: AsyncSession, team_id: str) -> tuple[int, int]:
    """(active memberships, of which the account is active)."""
    stmt = (
        select(func.count(), func.coalesce(func.sum(case((User.delete_at == 0, 1), else_=0)), 0))
        .select_from(TeamMember)
        .join(User, User.id == TeamMember.user_id)
        .where(TeamMember.team_id == team_id, TeamMember.delete_at == 0)
    )
    total, active = (await session.execute(stmt)).one()
    return int(total), int(active)


@dataclass(slots=True)
class ChannelUnreadRow:
    team_id: str
    channel_id: str
    msg_count: int
    msg_count_root: int
    mention_count: int
    mention_count_root: int
    urgent_mention_count: int
    notify_props: dict[str, Any]


async def get_channel_unreads(session: AsyncSession, user_id: str, team_ids: Sequence[str]) -> list[ChannelUnreadRow]:
    """Per live channel of the user in those teams: unread = channel total − what the member has seen."""
    if not team_ids:
        return []
    stmt = (
        select(
            Channel.team_id,
            Channel.id,
            Channel.total_msg_count - ChannelMember.msg_count,
            Channel.total_msg_count_root - ChannelMember.msg_count_root,
            ChannelMember.mention_count,
            ChannelMember.mention_count_root,
            ChannelMember.urgent_mention_count,
            ChannelMember.notify_props,
        )
        .join(ChannelMember, ChannelMember.channel_id == Channel.id)
        .where(ChannelMember.user_id == user_id, Channel.team_id.in_(list(team_ids)), Channel.delete_at == 0)
    )
    return [
        ChannelUnreadRow(r[0], r[1], max(int(r[2]), 0), max(int(r[3]), 0), int(r[4]), int(r[5]), int(r[6]), r[7] or {})
        for r in (await session.execute(stmt)).all()
    ]
