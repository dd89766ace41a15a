"""Reports, their timelines and suspensions."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from kafana.models import Report, ReportEvent, Suspension


async def get_report(session: AsyncSession, report_id: str) -> Report | None:
    return await session.get(Report, report_id)


async def get_report_by(session: AsyncSession, reporter_id: str, post_id: str) -> Report | None:
    stmt = select(Report).where(Report.reporter_id == reporter_id, Report.post_id == post_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def list_reports(session: AsyncSession, *, states: list[str], assignee_id: str | None, offset: int, limit: int) -> list[Report]:
    """Oldest first: the queue is worked from its front."""
    stmt = select(Report)
    if states:
        stmt = stmt.where(Report.state.in_(states))
    if assignee_id is not None:
        stmt = stmt.where(Report.assignee_id == assignee_id)
    stmt = stmt.order_by(Report.create_at, Report.id).offset(offset).limit(limit)
    return list((await session.execute(stmt)).scalars())


async def timeline(session: AsyncSession, report_id: str) -> list[ReportEvent]:
    stmt = select(ReportEvent).where(ReportEvent.report_id == report_id).order_by(ReportEvent.create_at, ReportEvent.id)
    return list((await session.execute(stmt)).scalars())


async def actions(session: AsyncSession, *, before: int, limit: int) -> list[ReportEvent]:
    """Actions taken, newest first (the public log)."""
    stmt = (
        select(ReportEvent)
        .where(ReportEvent.kind == "action", ReportEvent.create_at < before)
        .order_by(ReportEvent.create_at.desc(), ReportEvent.id.desc())
        .limit(limit)
    )
    return list((await session.execute(stmt)).scalars())


async def set_suspension(session: AsyncSession, suspension: Suspension) -> None:
    await end_suspension(session, suspension.user_id)
    session.add(suspension)


async def end_suspension(session: AsyncSession, user_id: str) -> None:
    await session.execute(delete(Suspension).where(Suspension.user_id == user_id))


async def expired_suspensions(session: AsyncSession, now: int, limit: int = 100) -> list[Suspension]:
    stmt = select(Suspension).where(Suspension.until <= now).order_by(Suspension.until).limit(limit)
    return list((await session.execute(stmt)).scalars())
