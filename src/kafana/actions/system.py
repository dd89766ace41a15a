"""Server-wide facts kept in the database: the diagnostic id clients use as the server's identity."""

from __future__ import annotations

from kafana.db import Database
from kafana.lib.ids import new_id
from kafana.models import SystemValue


async def ensure_diagnostic_id(db: Database) -> str:
    """A stable, non-empty id (the mobile app refuses a server without one)."""
    async with db.write() as uow:
        row = await uow.session.get(SystemValue, "diagnostic_id")
        if row is None:
            row = SystemValue(name="diagnostic_id", value=new_id())
            uow.session.add(row)
        return row.value
