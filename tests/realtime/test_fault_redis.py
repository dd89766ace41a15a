"""Fault F3 of reliability.md on two `kafana serve` nodes: their Redis (a redis-server of this test's own) is
killed and started again while a client posts steadily through node A and reconnecting clients listen on
both nodes. Posting never stops; each listener receives every post in order, or is told to start over (a
new connection id) and resyncs; nobody misses a post silently."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.conftest import USE_POSTGRES
from tests.realtime.clients import Poster, stop_all
from tests.realtime.faults import assert_each_post_once, channel_with_listeners
from tests.realtime.servers import RedisServer, cluster_of

pytestmark = pytest.mark.skipif(not USE_POSTGRES, reason="runs in the PostgreSQL pass (KAFANA_TEST_DATABASE=postgres)")


@pytest.fixture
async def redis_server(tmp_path: Path) -> AsyncIterator[RedisServer]:
    server = RedisServer(tmp_path)
    await server.start()
    try:
        yield server
    finally:
        await server.kill()


async def test_redis_restarted_while_posting(tmp_path: Path, redis_server: RedisServer) -> None:
    async with cluster_of(tmp_path, redis_server.url) as cluster:
        channel, listeners = await channel_with_listeners(cluster)
        poster = Poster(cluster, cluster.admin, channel["id"], [cluster.a])
        try:
            poster.start()
            await poster.posted(10)
            await redis_server.kill()
            await poster.posted(10)  # the database is the truth: posting goes on without Redis
            await redis_server.start()
            await poster.posted(10)
            await poster.stop()
            messages = await assert_each_post_once(cluster, channel, poster)
            for listener in listeners:
                await listener.knows(messages)
                listener.check()
                received = set(itertools.chain.from_iterable(listener.streams))
                assert listener.resyncs or messages <= received, listener
            assert any(listener.resyncs for listener in listeners), "Redis went away unnoticed"
            # Fan-out across nodes comes back: soon a new post reaches every listener through its socket (one
            # posted while a node is still starting over may reach some only through their resync: try again).
            for marker in range(1_000_000, 1_000_010):
                await cluster.admin.post("/posts", {"channel_id": channel["id"], "message": f"m{marker}"}, expect=201)
                for listener in listeners:
                    await listener.knows({f"m{marker}"})
                if all(any(f"m{marker}" in stream for stream in listener.streams) for listener in listeners):
                    break
            else:
                raise AssertionError(f"fan-out did not come back: {listeners}")
        finally:
            await stop_all(poster, *listeners)
