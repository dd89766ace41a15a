"""Fault F2 of reliability.md, cut down to one request: the PostgreSQL connection serving a post is terminated
mid-transaction. The client gets a clear 503 (Mattermost's error JSON), nothing is written and nothing is
sent to sockets; the retry with the same `pending_post_id` makes the post, once, and its one `posted` event."""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from tests.conftest import USE_POSTGRES
from tests.helpers import Api
from tests.realtime.conftest import WAIT, OpenSocket

pytestmark = pytest.mark.skipif(not USE_POSTGRES, reason="PostgreSQL only: runs in the PostgreSQL pass (KAFANA_TEST_DATABASE=postgres)")


async def blocked_backend(conn: AsyncConnection) -> int:
    """The server backend waiting for a lock we hold (bounded polling: PostgreSQL has no event for it)."""
    query = text("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()")
    async with asyncio.timeout(WAIT):
        while (pid := (await conn.execute(query)).scalar()) is None:  # noqa: ASYNC110 (lock waits show only in a view)
            await asyncio.sleep(0.02)
    return int(pid)


async def test_a_post_whose_connection_is_terminated_gets_503_and_its_retry_posts_once(
    admin: Api, team: dict[str, object], fresh_database_url: str, open_socket: OpenSocket
) -> None:
    channel = await admin.create_channel(team, "talk")
    sock = await open_socket(admin)
    body = {"channel_id": channel["id"], "message": "survives", "pending_post_id": "retry-me"}
    engine = create_async_engine(fresh_database_url)
    try:
        async with engine.connect() as blocker:
            # Hold the channel's row: the post inserts, then waits to update the channel's counters.
            await blocker.execute(text("SELECT id FROM channels WHERE id = :id FOR UPDATE"), {"id": channel["id"]})
            attempt = asyncio.create_task(admin.post("/posts", body, expect=503))
            await blocker.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": await blocked_backend(blocker)})
            await blocker.rollback()
        error = await attempt
    finally:
        await engine.dispose()
    assert error["id"] == "app.database.unavailable.app_error" and error["status_code"] == 503
    post = await admin.post("/posts", body, expect=201)
    again = await admin.post("/posts", body, expect=201)
    assert again["id"] == post["id"]
    marker = await admin.post("/posts", {"channel_id": channel["id"], "message": "marker"}, expect=201)
    # The first posted event is the retry's post (the failed attempt sent none), the next the marker's (the
    # repeated retry sent none).
    assert json.loads((await sock.until("posted"))[-1]["data"]["post"])["id"] == post["id"]
    assert json.loads((await sock.until("posted"))[-1]["data"]["post"])["id"] == marker["id"]
    page = await admin.get(f"/channels/{channel['id']}/posts")
    assert [p["id"] for p in page["posts"].values() if p["message"] == "survives"] == [post["id"]]


WAIT_AT_COMMIT = (
    "CREATE FUNCTION kafana_test_wait_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_advisory_xact_lock(4242); RETURN NULL; END $$",
    "CREATE CONSTRAINT TRIGGER kafana_test_wait_at_commit AFTER INSERT ON posts DEFERRABLE INITIALLY DEFERRED "
    "FOR EACH ROW EXECUTE FUNCTION kafana_test_wait_at_commit()",
)
NO_WAIT_AT_COMMIT = ("DROP TRIGGER IF EXISTS kafana_test_wait_at_commit ON posts", "DROP FUNCTION IF EXISTS kafana_test_wait_at_commit()")


async def test_a_connection_lost_during_commit_makes_sockets_start_over(
    admin: Api, team: dict[str, object], fresh_database_url: str, open_socket: OpenSocket
) -> None:
    """The server cannot tell whether a commit whose connection dropped went through, so it cannot tell whether
    its events happened: never a silent gap, the sockets start over (here the commit did not happen)."""
    channel = await admin.create_channel(team, "talk")
    sock = await open_socket(admin)
    body = {"channel_id": channel["id"], "message": "unsure", "pending_post_id": "unsure"}
    engine = create_async_engine(fresh_database_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as blocker:
            for statement in WAIT_AT_COMMIT:
                await blocker.exec_driver_sql(statement)
            try:
                # A deferred trigger makes COMMIT wait for a lock we hold; we terminate the backend meanwhile.
                await blocker.execute(text("SELECT pg_advisory_lock(4242)"))
                attempt = asyncio.create_task(admin.post("/posts", body, expect=503))
                await blocker.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": await blocked_backend(blocker)})
                await blocker.execute(text("SELECT pg_advisory_unlock(4242)"))
                assert (await attempt)["id"] == "app.database.unavailable.app_error"
            finally:
                for statement in NO_WAIT_AT_COMMIT:
                    await blocker.exec_driver_sql(statement)
    finally:
        await engine.dispose()
    assert await sock.closed() == 1011
    post = await admin.post("/posts", body, expect=201)
    page = await admin.get(f"/channels/{channel['id']}/posts")
    assert [p["id"] for p in page["posts"].values() if p["message"] == "unsure"] == [post["id"]]
