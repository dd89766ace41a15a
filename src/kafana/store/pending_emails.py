"""Notifications waiting for their user's email batch: one row per (user, post)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kafana.models import PendingEmail
from kafana.store.dialect import insert_ignore


async def add(session: AsyncSession, post_id: str, channel_id: str, user_ids: Sequence[str], at: int) -> None:
    """Queue a post for these users; a (user, post) already queued stays as it is."""
    rows = [{"user_id": u, "post_id": post_id, "channel_id": channel_id, "create_at": at} for u in user_ids]
    await insert_ignore(session, PendingEmail.__table__, rows, ["user_id", "post_id"])


async def oldest_per_user(session: AsyncSession) -> dict[str, int]:
    """When each user's oldest waiting notification was queued: it opens their batch window."""
    stmt = select(PendingEmail.user_id, func.min(PendingEmail.create_at)).group_by(PendingEmail.user_id)
    return {user_id: int(oldest) for user_id, oldest in (await session.execute(stmt)).all()}


async def take(session: AsyncSession, user_id: str) -> list[PendingEmail]:
    """Remove and return a user's waiting notifications, oldest first, in the transaction that queues their
    email. DELETE … RETURNING: of two batchers racing (PostgreSQL), the second gets nothing, so each
    notification ends up in exactly one email."""
    stmt = delete(PendingEmail).where(PendingEmail.user_id == user_id).returning(PendingEmail.post_id, PendingEmail.channel_id, PendingEmail.create_at)
    rows = [PendingEmail(user_id=user_id, post_id=p, channel_id=c, create_at=a) for p, c, a in (await session.execute(stmt)).all()]
    return sorted(rows, key=lambda r: (r.create_at, r.post_id))
