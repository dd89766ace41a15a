"""Shared fixtures: a migrated database per test (SQLite or PostgreSQL), the app, and HTTP clients.

`KAFANA_TEST_DATABASE=postgres` runs the same tests on this machine's PostgreSQL (a random database per
worker, dropped afterwards). Under CI=true a missing PostgreSQL fails the run instead of skipping it.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from kafana.actions.context import Services
from kafana.config import Settings, load_settings
from kafana.db import Database
from kafana.db.migrate import upgrade
from kafana.events import Event
from kafana.main import create_app
from kafana.models import Base
from tests.helpers import Api

PG_ADMIN_URL = os.environ.get("KAFANA_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
USE_POSTGRES = os.environ.get("KAFANA_TEST_DATABASE", "sqlite") == "postgres"


def test_settings(data_dir: Path, database_url: str = "", **overrides: Any) -> Settings:
    """Fast password hashing, no rate limits and open sign-up (tests sign up freely), unless a test asks otherwise."""
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "database_url": database_url,
        "rate_limit_enabled": False,
        "signup_mode": "open",
        "password_hash_memory_kib": 1024,
        "password_hash_time_cost": 1,
    }
    values.update(overrides)
    return load_settings(env={}, **values)


@dataclass
class Template:
    """How to get a fresh, migrated database for one test."""

    kind: str
    path: Path | None = None  # SQLite template file
    url: str = ""  # PostgreSQL database url


async def _pg_available() -> bool:
    engine = create_async_engine(PG_ADMIN_URL)
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return True
    except Exception:
        return False
    finally:
        await engine.dispose()


async def _pg_admin(sql: str) -> None:
    engine = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(sql))
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def db_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Template]:
    if USE_POSTGRES:
        if not asyncio.run(_pg_available()):
            if os.environ.get("CI") == "true":
                pytest.fail(f"PostgreSQL is required under CI=true but {PG_ADMIN_URL} is not reachable")
            pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL}; start it or unset KAFANA_TEST_DATABASE")
        name = "kafana_test_" + uuid.uuid4().hex[:12]
        asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
        url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
        asyncio.run(upgrade(url))
        yield Template("postgres", url=url)
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    else:
        path = tmp_path_factory.mktemp("template") / "template.db"
        asyncio.run(upgrade(f"sqlite+aiosqlite:///{path}"))
        yield Template("sqlite", path=path)


async def _truncate_all(url: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            await conn.execute(text(f"TRUNCATE {names}"))
    finally:
        await engine.dispose()


@pytest.fixture
async def fresh_database_url(db_template: Template, tmp_path: Path) -> str:
    if db_template.kind == "postgres":
        await _truncate_all(db_template.url)
        return db_template.url
    assert db_template.path is not None
    target = tmp_path / "kafana.db"
    shutil.copyfile(db_template.path, target)
    return f"sqlite+aiosqlite:///{target}"


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    """Override in a test module (or with indirect parametrization) to change settings for its tests."""
    return {}


@pytest.fixture
async def services(fresh_database_url: str, tmp_path: Path, settings_overrides: dict[str, Any]) -> AsyncIterator[Services]:
    settings = test_settings(tmp_path / "data", fresh_database_url, **settings_overrides)
    db = Database(settings.effective_database_url, search_timeout_ms=settings.search_timeout_ms)
    svc = Services(settings=settings, db=db)
    svc.diagnostic_id = "testdiagnosticid"
    yield svc
    await db.dispose()


@pytest.fixture
async def app(services: Services) -> AsyncIterator[Any]:
    application = create_app(services.settings, database=services.db)
    application.state.services = services
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def http(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=("127.0.0.1", 5555))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture
def events(app: Any, services: Services) -> list[Event]:
    """Every event published after commit, in order (wrapping whatever publisher the app installed)."""
    seen: list[Event] = []
    previous = services.db.publisher

    def publish(batch: Sequence[Event]) -> Any:
        seen.extend(batch)
        return previous(batch) if previous is not None else None

    services.db.publisher = publish
    return seen


@pytest.fixture
def anon(http: httpx.AsyncClient) -> Api:
    return Api(http)


@pytest.fixture
async def admin(anon: Api) -> Api:
    """The first account on the server: it becomes system admin."""
    return await anon.signup("admin")


@pytest.fixture
async def team(admin: Api) -> dict[str, Any]:
    return await admin.post("/teams", {"name": "core", "display_name": "Core", "type": "O"}, expect=201)
