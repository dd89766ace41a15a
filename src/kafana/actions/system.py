"""Server-wide facts kept in the database: the diagnostic id clients use as the server's identity, and
generated secrets."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from kafana.db import Database
from kafana.lib.ids import new_id
from kafana.models import SystemValue


async def ensure_value(db: Database, name: str, make: Callable[[], str]) -> str:
    """The stored value `name`, made and stored when missing."""
    async with db.write() as uow:
        row = await uow.session.get(SystemValue, name)
        if row is None:
            row = SystemValue(name=name, value=make())
            uow.session.add(row)
        return row.value


async def ensure_diagnostic_id(db: Database) -> str:
    """A stable, non-empty id (the mobile app refuses a server without one)."""
    return await ensure_value(db, "diagnostic_id", new_id)


async def ensure_secret(db: Database, name: str) -> bytes:
    """A random 256-bit key kept in the database, the same on every node (e.g. for signing links)."""
    return bytes.fromhex(await ensure_value(db, name, lambda: secrets.token_hex(32)))
