"""Audit log rows, and erasing stored client addresses once they are older than the retention."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kafana.models import AuditEntry, Session


async def list_entries(session: AsyncSession, *, user_id: str = "", since: int = 0, until: int = 0, offset: int = 0, limit: int = 200) -> list[AuditEntry]:
    """Newest first; `user_id` matches the actor or the target."""
    stmt = select(AuditEntry)
    if user_id:
        stmt = stmt.where((AuditEntry.user_id == user_id) | (AuditEntry.target_id == user_id))
    if since:
        stmt = stmt.where(AuditEntry.create_at >= since)
    if until:
        stmt = stmt.where(AuditEntry.create_at < until)
    stmt = stmt.order_by(AuditEntry.create_at.desc(), AuditEntry.id.desc()).offset(offset).limit(limit)
    return list((await session.execute(stmt)).scalars())


async def erase_old_addresses(session: AsyncSession, before: int) -> None:
    await session.execute(update(AuditEntry).where(AuditEntry.create_at < before, AuditEntry.ip_address != "").values(ip_address=""))
    await session.execute(update(Session).where(Session.create_at < before, Session.ip_address != "").values(ip_address=""))
