"""What every command shares: the settings options and running actions against the configured database."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from kafana.actions.context import Services
from kafana.actions.live_settings import do_reload
from kafana.config import Settings, load_settings
from kafana.db import Database
from kafana.db.migrate import upgrade
from kafana.lib.errors import AppError

T = TypeVar("T")
DataDir = Annotated[Path | None, typer.Option("--data-dir", help="Where the SQLite database and files live.")]
ConfigFile = Annotated[Path | None, typer.Option("--config", help="A TOML settings file.")]


def settings_for(data_dir: Path | None, config: Path | None, **overrides: Any) -> Settings:
    return load_settings(config, data_dir=data_dir, **overrides)


async def prepare(settings: Settings) -> None:
    """Create the data directory and bring the schema up to date."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    typer.echo("Migrating the database…", err=True)
    await upgrade(settings.effective_database_url)


def run_with_services(settings: Settings, fn: Callable[[Services], Awaitable[T]]) -> T:
    async def runner() -> T:
        await prepare(settings)
        db = Database(settings.effective_database_url, sqlite_synchronous=settings.sqlite_synchronous, search_timeout_ms=settings.search_timeout_ms)
        try:
            svc = Services(settings=settings, db=db)
            await do_reload(svc)  # the live settings' overrides, as the server applies them
            return await fn(svc)
        finally:
            await db.dispose()

    try:
        return asyncio.run(runner())
    except AppError as exc:
        typer.echo(f"error: {exc.message} ({exc.id})", err=True)
        raise typer.Exit(1) from None
