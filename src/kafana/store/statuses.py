"""Writing user statuses (online, away, dnd, offline); reads are `store.users.get_statuses`. No row = offline."""

from __future__ import annotations

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
