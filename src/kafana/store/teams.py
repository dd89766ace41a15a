"""Teams and team members."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kafana.models import Team, TeamMember


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
