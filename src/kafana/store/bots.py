"""Bot accounts and their owners."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kafana.models import Bot, User


async def get_bot(session: AsyncSession, user_id: str) -> tuple[Bot, User] | None:
    row = (await session.execute(select(Bot, User).join(User, User.id == Bot.user_id).where(Bot.user_id == user_id))).first()
    return (row[0], row[1]) if row is not None else None


async def list_bots(
    session: AsyncSession, *, owner_id: str = "", include_deleted: bool = False, only_orphaned: bool = False, offset: int = 0, limit: int = 60
) -> list[tuple[Bot, User]]:
    stmt = select(Bot, User).join(User, User.id == Bot.user_id)
    if owner_id:
        stmt = stmt.where(Bot.owner_id == owner_id)
    if not include_deleted:
        stmt = stmt.where(Bot.delete_at == 0)
    if only_orphaned:
        owner = User.__table__.alias("owner")
        stmt = stmt.join(owner, owner.c.id == Bot.owner_id).where(owner.c.delete_at != 0)
    stmt = stmt.order_by(Bot.create_at, Bot.user_id).offset(offset).limit(limit)
    return [(bot, user) for bot, user in (await session.execute(stmt)).all()]


async def active_bots_of(session: AsyncSession, owner_id: str) -> list[tuple[Bot, User]]:
    stmt = select(Bot, User).join(User, User.id == Bot.user_id).where(Bot.owner_id == owner_id, Bot.delete_at == 0).with_for_update()
    return [(bot, user) for bot, user in (await session.execute(stmt)).all()]
