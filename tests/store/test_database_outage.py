"""A database that cannot be reached is a 503 the client may retry, for reads and writes alike (the
connection terminated mid-transaction is tests/realtime/test_fault_database.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from kafana.db import Database
from kafana.lib.errors import AppError


async def test_a_refused_connection_is_503() -> None:
    db = Database("postgresql+asyncpg://kafana@127.0.0.1:1/kafana")  # nothing listens on port 1
    try:
        with pytest.raises(AppError) as reading:
            async with db.read() as session:
                await session.execute(text("SELECT 1"))
        with pytest.raises(AppError) as writing:
            async with db.write() as uow:
                await uow.session.execute(text("SELECT 1"))
        for caught in (reading, writing):
            assert (caught.value.status_code, caught.value.id) == (503, "app.database.unavailable.app_error")
    finally:
        await db.dispose()
