"""Background job runs (the `jobs` table): history pages and the conditional updates that hand a pending run
to exactly one node."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kafana.models import BackgroundJob


async def list_runs(session: AsyncSession, job_type: str, offset: int, limit: int) -> Sequence[BackgroundJob]:
    """Newest first; all types when `job_type` is empty."""
    query = select(BackgroundJob).order_by(BackgroundJob.create_at.desc(), BackgroundJob.id.desc()).offset(offset).limit(limit)
    if job_type:
        query = query.where(BackgroundJob.type == job_type)
    return (await session.scalars(query)).all()


async def pending_ids(session: AsyncSession, limit: int = 10) -> list[str]:
    query = select(BackgroundJob.id).where(BackgroundJob.status == "pending").order_by(BackgroundJob.create_at).limit(limit)
    return list((await session.scalars(query)).all())


async def change_status(session: AsyncSession, job_id: str, was: Sequence[str], to: str, now: int, **values: object) -> bool:
    """Move a run from one of the statuses `was` to `to`; False if it was in none of them (another node took it,
    or it finished meanwhile)."""
    result = await session.execute(
        update(BackgroundJob).where(BackgroundJob.id == job_id, BackgroundJob.status.in_(was)).values(status=to, last_activity_at=now, **values)
    )
    return bool(getattr(result, "rowcount", 0))


async def save_progress(session: AsyncSession, job_id: str, now: int, progress: int, data: str) -> str:
    """Record how far a run got; returns its status (an admin may have asked to cancel it)."""
    await session.execute(update(BackgroundJob).where(BackgroundJob.id == job_id).values(progress=progress, data=data, last_activity_at=now))
    status = await session.scalar(select(BackgroundJob.status).where(BackgroundJob.id == job_id))
    return status or ""
