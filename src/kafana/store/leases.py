"""Job leases: one row per cluster-wide job naming the node that runs it until the lease expires."""

from __future__ import annotations

from sqlalchemy import delete, or_
from sqlalchemy.ext.asyncio import AsyncSession

from kafana.models import JobLease
from kafana.store.dialect import upsert


async def take(session: AsyncSession, name: str, holder: str, now: int, ttl_ms: int) -> bool:
    """Take or renew the lease: granted when free, expired, or already `holder`'s (one conditional upsert,
    so two nodes racing for it cannot both win)."""
    table = JobLease.__table__
    row = {"name": name, "holder": holder, "expires_at": now + ttl_ms}
    written = await upsert(
        session,
        table,
        [row],
        ["name"],
        ["holder", "expires_at"],
        where=lambda proposed: or_(table.c.holder == proposed.holder, table.c.expires_at <= now),
    )
    return written == 1


async def release(session: AsyncSession, name: str, holder: str) -> None:
    await session.execute(delete(JobLease).where(JobLease.name == name, JobLease.holder == holder))
