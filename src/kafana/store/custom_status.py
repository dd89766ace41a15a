"""When custom statuses run out (the statuses themselves live in the users' props)."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from kafana.models import CustomStatusExpiry
from kafana.store.dialect import upsert


async def set_expiry(session: AsyncSession, user_id: str, expires_at: int) -> None:
    """`expires_at` 0: the status does not expire."""
    if not expires_at:
        await clear_expiry(session, user_id)
        return
    await upsert(session, CustomStatusExpiry.__table__, [{"user_id": user_id, "expires_at": expires_at}], ["user_id"], ["expires_at"])


async def clear_expiry(session: AsyncSession, user_id: str) -> None:
    await session.execute(delete(CustomStatusExpiry).where(CustomStatusExpiry.user_id == user_id))


async def expired(session: AsyncSession, now: int, limit: int) -> list[str]:
    """Users whose custom status ran out by `now`, oldest first."""
    stmt = select(CustomStatusExpiry.user_id).where(CustomStatusExpiry.expires_at <= now).order_by(CustomStatusExpiry.expires_at).limit(limit)
    return list((await session.execute(stmt)).scalars())
