"""Single sign-on states and the accounts they lead to."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from kafana.models import SsoState, User


async def take_state(session: AsyncSession, state_hash: str) -> SsoState | None:
    """The state, removed in the same transaction (a state works once)."""
    found = await session.get(SsoState, state_hash, with_for_update=True)
    if found is not None:
        await session.delete(found)
    return found


async def delete_expired_states(session: AsyncSession, now: int) -> None:
    await session.execute(delete(SsoState).where(SsoState.expires_at < now))


async def get_user_by_auth(session: AsyncSession, service: str, subject: str) -> User | None:
    stmt = select(User).where(User.auth_service == service, User.auth_data == subject).with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()
