"""Presence across `kafana serve` nodes (PostgreSQL + Redis, heartbeats of 1 s): a user is online
while any node has a socket of theirs, and a node killed with SIGKILL has its users set offline by the sweep
of a surviving node. Status changes are read from the cluster's Redis channel, where every node publishes."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import orjson
import pytest
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.helpers import Api
from tests.realtime.conftest import WAIT
from tests.realtime.servers import REDIS_URL, Cluster, cluster_of, require_redis, start_node

SWEEP_WAIT = 30.0  # seconds: three missed heartbeats (1 s each), the lease of a dead sweeper (2 s), slack for a busy machine


class StatusFeed:
    """`status_change` events for one user as the nodes publish them on Redis: (bus node, status)."""

    def __init__(self, redis: Redis, channel: str, user_id: str) -> None:
        self.pubsub = redis.pubsub()
        self.channel = channel
        self.user_id = user_id

    async def next(self, within: float = WAIT) -> tuple[str, str]:
        deadline = time.monotonic() + within
        while True:
            message = await self.pubsub.get_message(ignore_subscribe_messages=True, timeout=max(deadline - time.monotonic(), 0.01))
            assert message is not None or time.monotonic() < deadline, f"no status_change for {self.user_id} within {within} s"
            if message is None:
                continue
            batch = orjson.loads(message["data"])
            for event in batch["events"]:
                if event["event"] == "status_change" and event["data"]["user_id"] == self.user_id:
                    return batch["node"], event["data"]["status"]


@pytest.fixture(scope="module")
async def cluster(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Cluster]:
    settings = {"KAFANA_PRESENCE_HEARTBEAT_SECONDS": "1"}  # a dead node's rows are stale after 3 s
    async with cluster_of(tmp_path_factory.mktemp("nodes"), await require_redis(), settings=settings) as nodes:
        yield nodes


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    client = Redis.from_url(REDIS_URL)
    yield client
    await client.aclose()


async def feed(redis: Redis, cluster: Cluster, user_id: str) -> StatusFeed:
    f = StatusFeed(redis, cluster.env["KAFANA_REDIS_CHANNEL_PREFIX"] + ":events", user_id)
    await f.pubsub.subscribe(f.channel)
    return f


async def until_no_row(cluster: Cluster, user_id: str, node_id: str) -> None:
    """Until the node has let the user's presence row go. Nothing announces it (the user stays online), so
    this polls the database, bounded."""
    engine = create_async_engine(cluster.database_url)
    try:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            async with engine.connect() as conn:
                query = text("SELECT count(*) FROM presence WHERE user_id = :u AND node_id = :n")
                if (await conn.execute(query, {"u": user_id, "n": node_id})).scalar_one() == 0:
                    return
            await asyncio.sleep(0.05)
        raise AssertionError(f"node {node_id} kept {user_id}'s presence row")
    finally:
        await engine.dispose()


async def test_online_until_the_sockets_on_both_nodes_close(cluster: Cluster, redis: Redis) -> None:
    bob = await Api(cluster.http_a).signup("presbob")
    statuses = await feed(redis, cluster, bob.id)
    on_a = await cluster.socket(bob, cluster.a)
    assert (await statuses.next())[1] == "online"
    on_b = await cluster.socket(bob, cluster.b)
    node_a = (await on_a.request(1, "ping"))["data"]["node_id"]
    await on_a.close()
    await until_no_row(cluster, bob.id, node_a)
    assert (await cluster.admin.get(f"/users/{bob.id}/status"))["status"] == "online"
    await on_b.close()
    assert (await statuses.next())[1] == "offline"
    assert (await cluster.admin.get(f"/users/{bob.id}/status"))["status"] == "offline"


async def test_a_killed_nodes_users_go_offline_after_the_sweep(cluster: Cluster, redis: Redis, tmp_path_factory: pytest.TempPathFactory) -> None:
    kim = await Api(cluster.http_a).signup("preskim")
    statuses = await feed(redis, cluster, kim.id)
    doomed = start_node(tmp_path_factory.mktemp("node-c"), cluster.env)
    try:
        await cluster.socket(kim, doomed)
        assert (await statuses.next())[1] == "online"
        doomed.process.kill()  # no clean shutdown: its presence rows stay until swept
        doomed.process.wait(WAIT)
        assert (await statuses.next(SWEEP_WAIT))[1] == "offline"
        assert (await cluster.admin.get(f"/users/{kim.id}/status"))["status"] == "offline"
    finally:
        doomed.stop()
