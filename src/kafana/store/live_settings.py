"""Live setting overrides: one `system_values` row per overridden setting, named `live_setting:<name>`,
holding the value as JSON."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from kafana.models import SystemValue

PREFIX = "live_setting:"


async def load(session: AsyncSession) -> dict[str, str]:
    """Every override: setting name -> JSON text (a primary-key range read, cheap enough every few seconds)."""
    rows = await session.execute(select(SystemValue.name, SystemValue.value).where(SystemValue.name.startswith(PREFIX, autoescape=True)))
    return {name[len(PREFIX) :]: value for name, value in rows.all()}


async def put(session: AsyncSession, name: str, value: str) -> None:
    row = await session.get(SystemValue, PREFIX + name)
    if row is None:
        session.add(SystemValue(name=PREFIX + name, value=value))
    else:
        row.value = value


async def remove(session: AsyncSession, name: str) -> None:
    await session.execute(delete(SystemValue).where(SystemValue.name == PREFIX + name))
