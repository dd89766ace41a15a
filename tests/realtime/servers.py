"""This machine's Redis and PostgreSQL for the several-nodes tests: skipped with a reason when missing, a
failure under CI=true (as tests/conftest.py does for PostgreSQL)."""

from __future__ import annotations

import os
import uuid

import pytest
from redis.asyncio import Redis

REDIS_URL = os.environ.get("KAFANA_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def missing(what: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is required under CI=true")
    pytest.skip(what)


async def require_redis() -> str:
    client = Redis.from_url(REDIS_URL, socket_connect_timeout=2.0)
    try:
        await client.ping()
    except Exception as exc:
        missing(f"Redis not reachable at {REDIS_URL} ({exc}); start it or set KAFANA_TEST_REDIS_URL")
    finally:
        await client.aclose()
    return REDIS_URL


def channel_prefix() -> str:
    """Unique per test: parallel runs on one Redis never hear each other."""
    return f"kafana-test-{uuid.uuid4().hex}"
