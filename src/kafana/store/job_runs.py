"""Background job runs (the `jobs` table): history pages and the conditional updates that hand a pending run
to exactly one node."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kafana.models import BackgroundJob


async def list_runs(session: AsyncSession, job_type: str, offset: int, limit: int) -> Sequence[BackgroundJob]:
    """Newest first; all types when `job_type` is empty."""
    query = select(BackgroundJob).order_by(BackgroundJob.create_at.desc(), BackgroundJob.id.desc()).offset(offset).limit(limit)
    if job_type:
        query = query.where(BackgroundJob.type == job_type)
    return (await session.scalars(query)).all()


async def claimable(session: AsyncSession, stale_before: int, limit: int = 10) -> Sequence[BackgroundJob]:
    """Pending runs, and running ones (or ones asked to cancel) with no progress since `stale_before`: their
    node died. Oldest first."""
    dead = and_(BackgroundJob.status.in_(["in_progress", "cancel_requested"]), BackgroundJob.last_activity_at < stale_before)
    query = select(BackgroundJob).where(or_(BackgroundJob.status == "pending", dead)).order_by(BackgroundJob.create_at).limit(limit)
    return (await session.scalars(query)).all()


async def take_over(session: AsyncSession, job_id: str, stale_before: int, now: int, to: str) -> bool:
    """Move a dead node's run to `to` (running here, or canceled); False if its node recorded progress
    meanwhile or another node took it first (that node's update made it fresh)."""
    result = await session.execute(
        update(BackgroundJob)
        .where(BackgroundJob.id == job_id, BackgroundJob.status.in_(["in_progress", "cancel_requested"]), BackgroundJob.last_activity_at < stale_before)
        .values(status=to, last_activity_at=now)
    )
    return bool(getattr(result, "rowcount", 0))


async def change_status(session: AsyncSession, job_id: str, was: Sequence[str], to: str, now: int, **values: object) -> bool:
    """Move a run from one of the statuses `was` to `to`; False if it was in none of them (another node took it,
    or it finished meanwhile)."""
    result = await session.execute(
        update(BackgroundJob).where(BackgroundJob.id == job_id, BackgroundJob.status.in_(was)).values(status=to, last_activity_at=now, **values)
    )
    return bool(getattr(result, "rowcount", 0))


async def save_progress(session: AsyncSession, job_id: str, now: int, progress: int, data: str) -> BackgroundJob:
    """Record how far a run got; returns the row (its status says whether an admin asked to cancel it)."""
    await session.execute(update(BackgroundJob).where(BackgroundJob.id == job_id).values(progress=progress, data=data, last_activity_at=now))
    job = await session.get(BackgroundJob, job_id, populate_existing=True)
    assert job is not None
    return job
