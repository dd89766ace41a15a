"""Webhooks and custom slash commands."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kafana.models import Command, IncomingWebhook, OutgoingWebhook

Row = TypeVar("Row", IncomingWebhook, OutgoingWebhook, Command)


async def get_live(session: AsyncSession, kind: type[Row], row_id: str) -> Row | None:
    """A webhook or command that has not been deleted."""
    row = await session.get(kind, row_id)
    return row if row is not None and row.delete_at == 0 else None


async def list_live(
    session: AsyncSession, kind: type[Row], *, team_id: str = "", channel_id: str = "", creator_id: str = "", offset: int = 0, limit: int = 200
) -> list[Row]:
    """Live rows, oldest first, filtered by team, channel and creator (`user_id` for incoming webhooks)."""
    stmt = select(kind).where(kind.delete_at == 0)
    if team_id:
        stmt = stmt.where(kind.team_id == team_id)
    columns = kind.__table__.c
    if channel_id:
        stmt = stmt.where(columns.channel_id == channel_id)
    if creator_id:
        stmt = stmt.where((columns.user_id if kind is IncomingWebhook else columns.creator_id) == creator_id)
    stmt = stmt.order_by(kind.create_at, kind.id).offset(offset).limit(limit)
    return list((await session.scalars(stmt)).all())


async def outgoing_for_channel(session: AsyncSession, team_id: str, channel_id: str) -> list[OutgoingWebhook]:
    """The team's outgoing webhooks that listen to this channel (or to every public channel)."""
    stmt = select(OutgoingWebhook).where(OutgoingWebhook.team_id == team_id, OutgoingWebhook.delete_at == 0, OutgoingWebhook.channel_id.in_(["", channel_id]))
    return list((await session.scalars(stmt)).all())


async def command_by_trigger(session: AsyncSession, team_id: str, trigger: str) -> Command | None:
    stmt = select(Command).where(Command.team_id == team_id, Command.trigger == trigger, Command.delete_at == 0).limit(1)
    return (await session.scalars(stmt)).first()


async def count_live(session: AsyncSession, kind: type[Row], team_id: str = "") -> int:
    stmt = select(func.count()).select_from(kind).where(kind.delete_at == 0)
    if team_id:
        stmt = stmt.where(kind.team_id == team_id)
    return int(await session.scalar(stmt) or 0)
