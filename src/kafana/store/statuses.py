"""Writing user statuses (online, away, dnd, offline); reads are `store.users.get_statuses`. No row = offline."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kafana.models import Status
from kafana.store.dialect import upsert


async def get_status_for_update(session: AsyncSession, user_id: str) -> Status | None:
    """Row-locked on PostgreSQL; SQLite's writer already holds the database lock."""
    return (await session.execute(select(Status).where(Status.user_id == user_id).with_for_update())).scalar_one_or_none()


async def save_status(session: AsyncSession, status: Status) -> None:
    """Insert or replace the user's status row."""
    row = {
        "user_id": status.user_id,
        "status": status.status,
        "manual": status.manual,
        "last_activity_at": status.last_activity_at,
        "dnd_end_time": status.dnd_end_time,
        "prev_status": status.prev_status,
    }
    await upsert(session, Status.__table__, [row], ["user_id"], [k for k in row if k != "user_id"])


async def get_statuses_for_update(session: AsyncSession, user_ids: Sequence[str]) -> list[Status]:
    if not user_ids:
        return []
    stmt = select(Status).where(Status.user_id.in_(list(set(user_ids)))).order_by(Status.user_id).with_for_update()
    return list((await session.execute(stmt)).scalars())


async def idle_automatic_online(session: AsyncSession, active_before: int) -> list[Status]:
    """Users shown online by presence (not by their own choice) with no activity since `active_before`."""
    stmt = (
        select(Status)
        .where(Status.status == "online", Status.manual.is_(False), Status.last_activity_at < active_before)
        .order_by(Status.user_id)
        .with_for_update()
    )
    return list((await session.execute(stmt)).scalars())


async def not_offline(session: AsyncSession) -> list[Status]:
    """Everyone shown as anything but offline (what the WebSocket's get_statuses answers)."""
    return list((await session.execute(select(Status).where(Status.status != "offline"))).scalars())
