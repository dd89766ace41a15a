"""The email outbox: claiming due messages for one sender, and recording what became of each attempt."""

from __future__ import annotations

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kafana.models import OutboxMail


async def claim_due(session: AsyncSession, claimer: str, now: int, claim_until: int, limit: int) -> list[OutboxMail]:
    """Mark up to `limit` due, unclaimed messages as `claimer`'s and return them. The UPDATE re-checks the
    claim, so of two senders racing for a row (PostgreSQL re-evaluates the condition after the row lock) only
    one gets it; SQLite serialises writers anyway."""
    due = (
        select(OutboxMail.id)
        .where(OutboxMail.sent_at == 0, OutboxMail.failed_at == 0, OutboxMail.send_after <= now, OutboxMail.claim_until <= now)
        .order_by(OutboxMail.send_after, OutboxMail.id)
        .limit(limit)
    )
    ids = list((await session.execute(due)).scalars())
    if not ids:
        return []
    await session.execute(
        update(OutboxMail)
        .where(OutboxMail.id.in_(ids), OutboxMail.sent_at == 0, OutboxMail.claim_until <= now)
        .values(claimed_by=claimer, claim_until=claim_until)
    )
    stmt = select(OutboxMail).where(OutboxMail.id.in_(ids), OutboxMail.claimed_by == claimer).order_by(OutboxMail.send_after, OutboxMail.id)
    return list((await session.execute(stmt)).scalars())


async def mark_sent(session: AsyncSession, mail_id: str, claimer: str, now: int) -> None:
    await session.execute(
        update(OutboxMail).where(OutboxMail.id == mail_id, OutboxMail.claimed_by == claimer).values(sent_at=now, claimed_by="", claim_until=0, last_error="")
    )


async def mark_failed(session: AsyncSession, mail_id: str, claimer: str, now: int, error: str) -> None:
    await session.execute(
        update(OutboxMail)
        .where(OutboxMail.id == mail_id, OutboxMail.claimed_by == claimer)
        .values(failed_at=now, claimed_by="", claim_until=0, last_error=error[:512])
    )


async def postpone(session: AsyncSession, mail_id: str, claimer: str, send_after: int, error: str) -> None:
    """A failed attempt: counted, and the message waits until `send_after`."""
    await session.execute(
        update(OutboxMail)
        .where(OutboxMail.id == mail_id, OutboxMail.claimed_by == claimer)
        .values(attempts=OutboxMail.attempts + 1, send_after=send_after, claimed_by="", claim_until=0, last_error=error[:512])
    )


async def prune(session: AsyncSession, before: int) -> None:
    """Forget messages sent or refused before `before` (their bodies hold what users wrote)."""
    await session.execute(delete(OutboxMail).where(or_(OutboxMail.sent_at.between(1, before), OutboxMail.failed_at.between(1, before))))
