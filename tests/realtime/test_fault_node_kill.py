"""Faults F4 and F7 of reliability.md on two `kafana serve` nodes, while a client posts through node B and
reconnecting clients listen on both nodes. First every socket drops (no closing handshake): each client
resumes with `connection_id` + `sequence_number` and the server replays what it missed, with no resync. Then
node B is killed with SIGKILL. The poster retries what failed on node A with the same `pending_post_id`; B's
listeners reconnect to A, which does not know their connection ids, so they get new ones and resync.
Afterwards every acknowledged post is in the channel exactly once and every listener knows every post, with
no gap the server did not announce."""

from __future__ import annotations

import pytest

from tests.conftest import USE_POSTGRES
from tests.realtime.clients import Poster, stop_all
from tests.realtime.faults import assert_each_post_once, channel_with_listeners
from tests.realtime.servers import cluster_of, require_redis

pytestmark = pytest.mark.skipif(not USE_POSTGRES, reason="runs in the PostgreSQL pass (KAFANA_TEST_DATABASE=postgres)")


async def test_sockets_dropped_then_node_killed_while_posting(tmp_path_factory: pytest.TempPathFactory) -> None:
    async with cluster_of(tmp_path_factory.mktemp("nodes"), await require_redis()) as cluster:
        a, b = cluster.a, cluster.b
        channel, listeners = await channel_with_listeners(cluster)
        moved = [listener for listener in listeners if listener.node is b]
        poster = Poster(cluster, cluster.admin, channel["id"], [b, a])
        try:
            poster.start()
            await poster.posted(5)
            for listener in listeners:
                listener.drop()
            await poster.posted(10)
            for listener in listeners:
                await listener.knows(set(poster.acked_messages))
                listener.check()
                # reconnected, and resumed: no new hello, no resync
                assert listener.connects >= 2 and listener.resyncs == 0 and len(listener.streams) == 1, listener
            assert not poster.failures
            last_pending, last_id = list(poster.acked.items())[-1]  # acknowledged by B
            b.process.kill()  # SIGKILL: no goodbye, sockets reset, a request may be cut mid-way
            b.process.wait()
            for listener in moved:
                listener.node = a  # the load balancer now sends everyone to A
            await poster.posted(15)
            await poster.stop()
            assert poster.failures and poster.retried, "no request was ever sent to the dead node"
            # A client that never saw the 201 of a post to B retries it on A: the same post comes back.
            body = {"channel_id": channel["id"], "message": "retried", "pending_post_id": last_pending}
            assert (await cluster.on(cluster.admin, a).post("/posts", body, expect=201))["id"] == last_id
            messages = await assert_each_post_once(cluster, channel, poster)
            for listener in listeners:
                await listener.knows(messages)
                listener.check()
            for listener in moved:
                assert listener.resyncs >= 1, listener
        finally:
            await stop_all(poster, *listeners)
