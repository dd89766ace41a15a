"""Run and inspect Alembic migrations from code (the CLI, `serve` and the tests all come through here)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import create_async_engine

from kafana.models import Base
from kafana.models.search import HAND_WRITTEN

MIGRATIONS = Path(__file__).parent / "migrations"


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Leave the hand-written full-text objects out of model comparisons (autogenerate and the drift test)."""
    return not (reflected and compare_to is None and name in HAND_WRITTEN)


def alembic_config(connection: Any = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


async def _with_connection(url: str, fn: Any) -> Any:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            return await conn.run_sync(fn)
    finally:
        await engine.dispose()


# Any constant: nodes starting together on PostgreSQL take this lock, so one migrates and the others wait.
MIGRATION_LOCK = 7_246_130_451


async def upgrade(url: str, revision: str = "head") -> None:
    def run(conn: Any) -> None:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
        command.upgrade(alembic_config(conn), revision)

    await _with_connection(url, run)


async def current_revision(url: str) -> str | None:
    return await _with_connection(url, lambda conn: MigrationContext.configure(conn).get_current_revision())  # type: ignore[no-any-return]


def head_revision() -> str:
    """The newest revision; there is exactly one (two heads mean two features forgot each other)."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


async def schema_drift(url: str) -> list[Any]:
    """Differences between the migrated database and the models; empty when migrations are complete."""

    def diff(conn: Any) -> list[Any]:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": include_object})
        return list(compare_metadata(ctx, Base.metadata))

    return await _with_connection(url, diff)  # type: ignore[no-any-return]


async def autogenerate(url: str, message: str) -> None:
    """Developer helper: write a new revision from the difference between the models and `url`."""
    await upgrade(url)
    await _with_connection(url, lambda conn: command.revision(alembic_config(conn), message=message, autogenerate=True))
