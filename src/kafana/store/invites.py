"""Email invitations and team invite ids."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from kafana.models import Invitation, Team


async def get_invitation(session: AsyncSession, token_hash: str) -> Invitation | None:
    return await session.get(Invitation, token_hash, with_for_update=True)


async def delete_expired_invitations(session: AsyncSession, now: int) -> None:
    await session.execute(delete(Invitation).where(Invitation.expires_at < now))


async def get_team_by_invite_id(session: AsyncSession, invite_id: str) -> Team | None:
    if not invite_id:
        return None
    return (await session.execute(select(Team).where(Team.invite_id == invite_id))).scalar_one_or_none()
