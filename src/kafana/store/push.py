"""The push outbox, the devices and Web Push subscriptions pushes go to, and badge counts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kafana.models import ChannelMember, PushDelivery, Session, WebPushSubscription
from kafana.store.dialect import insert_ignore


async def device_sessions(session: AsyncSession, user_ids: Sequence[str], now: int) -> list[tuple[str, str, str]]:
    """(user_id, session_id, device_id) of the users' live sessions that registered a mobile device."""
    if not user_ids:
        return []
    stmt = select(Session.user_id, Session.id, Session.device_id).where(Session.user_id.in_(list(user_ids)), Session.device_id != "", Session.expires_at > now)
    return [(r[0], r[1], r[2]) for r in (await session.execute(stmt)).all()]


async def subscriptions(session: AsyncSession, user_ids: Sequence[str]) -> list[WebPushSubscription]:
    if not user_ids:
        return []
    stmt = select(WebPushSubscription).where(WebPushSubscription.user_id.in_(list(user_ids)))
    return list((await session.execute(stmt)).scalars())


async def enqueue(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Rows of push_outbox; one whose key is already queued is skipped (a retried enqueue)."""
    await insert_ignore(session, PushDelivery.__table__, rows, ["key"])


async def due(session: AsyncSession, now: int, limit: int) -> list[PushDelivery]:
    stmt = select(PushDelivery).where(PushDelivery.next_attempt_at <= now).order_by(PushDelivery.next_attempt_at, PushDelivery.id).limit(limit)
    return list((await session.execute(stmt)).scalars())


async def claim(session: AsyncSession, row_id: str, seen_next: int, until: int) -> bool:
    """Take a due row for one sender: a conditional update, so two senders cannot both take it."""
    stmt = update(PushDelivery).where(PushDelivery.id == row_id, PushDelivery.next_attempt_at == seen_next).values(next_attempt_at=until)
    result = await session.execute(stmt)
    return int(getattr(result, "rowcount", 0) or 0) == 1


async def finish(session: AsyncSession, row_id: str) -> None:
    await session.execute(delete(PushDelivery).where(PushDelivery.id == row_id))


async def retry_later(session: AsyncSession, row_id: str, attempts: int, at: int) -> None:
    await session.execute(update(PushDelivery).where(PushDelivery.id == row_id).values(attempts=attempts, next_attempt_at=at))


async def badge(session: AsyncSession, user_id: str) -> int:
    """The app's badge: the user's unread mentions over all channels."""
    stmt = select(func.coalesce(func.sum(ChannelMember.mention_count), 0)).where(ChannelMember.user_id == user_id)
    return int((await session.execute(stmt)).scalar_one())


async def with_mentions(session: AsyncSession, user_id: str, channel_ids: Sequence[str]) -> list[str]:
    """Which of these channels the user has unread mentions in (viewing them clears the phone's notifications)."""
    if not channel_ids:
        return []
    stmt = select(ChannelMember.channel_id).where(
        ChannelMember.user_id == user_id, ChannelMember.channel_id.in_(list(channel_ids)), ChannelMember.mention_count > 0
    )
    return list((await session.execute(stmt)).scalars())


async def forget_device(session: AsyncSession, session_id: str) -> None:
    """The push service says the device is gone (uninstalled app): stop pushing to it."""
    await session.execute(update(Session).where(Session.id == session_id).values(device_id=""))


async def delete_subscription(session: AsyncSession, *, endpoint: str, user_id: str = "") -> None:
    stmt = delete(WebPushSubscription).where(WebPushSubscription.endpoint == endpoint)
    if user_id:
        stmt = stmt.where(WebPushSubscription.user_id == user_id)
    await session.execute(stmt)
