"""The Redis bus without sockets: two hubs in one process on one database, each with its own RedisBus on a
channel prefix of its own (so parallel runs never collide). Waits are bounded; nothing sleeps."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

import pytest
from redis.asyncio import Redis

from kafana.actions.context import Services
from kafana.events import Broadcast, Event, to_channel, to_user
from kafana.realtime import Hub
from kafana.realtime.connection import CLOSE_INTERNAL
from kafana.realtime.frames import frame
from kafana.realtime.redis_bus import BATCH, BEAT, BYE, DEAD_AFTER_BEATS, Message, RedisBus, decode, encode
from tests.helpers import Api
from tests.realtime.servers import channel_prefix, require_redis

WAIT = 10.0
USER = "u" * 26


class Node:
    """A hub on a RedisBus, recording every batch it delivers and every resync it is asked for."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        assert isinstance(hub.bus, RedisBus)
        self.bus: RedisBus = hub.bus
        self.delivered: list[Event] = []
        self.resyncs = 0
        self._changed = asyncio.Condition()
        deliver, resync = hub.deliver, hub.resync

        async def recording_deliver(events: Sequence[Event]) -> None:
            await deliver(events)
            async with self._changed:
                self.delivered.extend(events)
                self._changed.notify_all()

        async def recording_resync() -> None:
            await resync()
            async with self._changed:
                self.resyncs += 1
                self._changed.notify_all()

        hub.deliver = recording_deliver  # type: ignore[method-assign]
        hub.resync = recording_resync  # type: ignore[method-assign]

    async def until(self, check: Callable[[], bool]) -> None:
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(check), WAIT)

    async def received(self, name: str) -> Event:
        await self.until(lambda: any(e.event == name for e in self.delivered))
        return next(e for e in self.delivered if e.event == name)

    def count(self, name: str) -> int:
        return sum(e.event == name for e in self.delivered)


async def start_node(services: Services, url: str, prefix: str, **bus_options: Any) -> Node:
    node = Node(Hub(services.db, bus=RedisBus(url, channel_prefix=prefix, **bus_options), check_interval=3600))
    await node.hub.start()
    return node


@pytest.fixture
async def nodes(services: Services) -> AsyncIterator[tuple[Node, Node]]:
    url, prefix = await require_redis(), channel_prefix()
    a = await start_node(services, url, prefix)
    b = await start_node(services, url, prefix)
    assert a.bus.healthy and b.bus.healthy
    try:
        yield a, b
    finally:
        await a.hub.stop()
        await b.hub.stop()


def test_wire_format_round_trip() -> None:
    event = Event("posted", {"post": '{"id":"x"}', "n": [1, None]}, Broadcast(channel_id="c" * 26, omit_users=frozenset({"a", "b"}), omit_connection_id="k"))
    assert decode(encode("n" * 26, 7, [event, to_user(USER, "typing", {})])) == Message("n" * 26, 7, BATCH, [event, to_user(USER, "typing", {})])
    assert decode(encode("n" * 26, 7, [], kind=BEAT, lost=True)) == Message("n" * 26, 7, BEAT, [], lost=True)


async def test_event_published_on_a_is_delivered_by_b_and_once_by_a(nodes: tuple[Node, Node]) -> None:
    a, b = nodes
    conn, _outlet = b.hub.open(USER, "t")
    sent = Event("status_change", {"n": 1}, Broadcast(user_id=USER, omit_users=frozenset({"o" * 26})))
    await a.hub.publish([sent])
    assert await b.received("status_change") == sent
    assert conn.next_seq == 2  # hello, then status_change
    # B's reply is published after A's own message came back to A: once A has it, A has seen its echo too.
    await b.hub.publish([to_user(USER, "new_user", {})])
    await a.received("new_user")
    assert a.count("status_change") == 1 and b.count("status_change") == 1 and a.count("new_user") == 1 and b.count("new_user") == 1
    assert a.resyncs == b.resyncs == 0


async def test_membership_change_published_on_a_applies_on_b(nodes: tuple[Node, Node], admin: Api, anon: Api) -> None:
    a, b = nodes
    bob = await anon.signup("bob")
    team = await admin.create_team("rt", [bob])
    channel = await admin.create_channel(team, "talk", "O", [bob])
    conn, _outlet = b.hub.open(bob.id, bob.token)
    await a.hub.publish([to_channel(channel["id"], "posted", {"n": 1})])
    await b.received("posted")
    assert conn.next_seq == 2
    await a.hub.publish([to_channel(channel["id"], "user_removed", {"user_id": bob.id, "remover_id": admin.id})])
    await a.hub.publish([to_channel(channel["id"], "posted", {"n": 2}), to_user(bob.id, "status_change", {})])
    await b.received("status_change")
    assert b.count("posted") == 2 and bob.id not in b.hub.membership.channels[channel["id"]]
    # hello, posted 1, status_change (a marker): the removal applied before routing, so neither it nor posted 2 reached bob
    assert [json.loads(frame(*item))["event"] for item in conn.buffer] == ["hello", "posted", "status_change"]


async def kill_client(bus: RedisBus, role: str) -> None:
    """Cut one of the bus's Redis connections (`sub` or `pub`) from the server side."""
    admin_client = Redis.from_url(bus.url)
    try:
        clients = await admin_client.client_list()
        (victim,) = [c for c in clients if c.get("name") == f"kafana-{bus.node_id}-{role}"]
        await admin_client.client_kill_filter(_id=victim["id"])
    finally:
        await admin_client.aclose()


async def test_lost_subscription_makes_every_connection_start_over(nodes: tuple[Node, Node]) -> None:
    a, b = nodes
    conn, outlet = b.hub.open(USER, "t")
    await kill_client(b.bus, "sub")
    await b.until(lambda: b.resyncs == 1)
    assert outlet.close_code == CLOSE_INTERNAL and conn.id not in b.hub.connections
    await b.bus.wait_subscribed()
    assert b.bus.subscriptions == 2 and b.bus.healthy
    fresh, _ = b.hub.open(USER, "t")
    await a.hub.publish([to_user(USER, "typing", {})])
    await b.received("typing")
    assert fresh.next_seq == 2


async def test_a_missed_batch_from_another_node_makes_connections_start_over(nodes: tuple[Node, Node]) -> None:
    a, b = nodes
    await a.hub.publish([to_user(USER, "new_user", {})])
    await b.received("new_user")
    conn, outlet = b.hub.open(USER, "t")
    a.bus._seq += 1  # as if a batch never reached Redis (a failed publish, a full outbox)
    await a.hub.publish([to_user(USER, "status_change", {})])
    await b.received("status_change")
    assert b.resyncs == 1 and outlet.close_code == CLOSE_INTERNAL and conn.id not in b.hub.connections


async def test_publishing_without_redis_delivers_here_and_never_raises(services: Services) -> None:
    node = await start_node(services, "redis://127.0.0.1:1/0", channel_prefix(), start_timeout=0.2)
    try:
        assert not node.bus.healthy
        conn, _outlet = node.hub.open(USER, "t")
        await node.hub.publish([to_user(USER, "status_change", {})])
        assert node.count("status_change") == 1 and conn.next_seq == 2
    finally:
        await node.hub.stop()


async def test_a_batch_dropped_after_a_receiver_resubscribed_still_makes_it_start_over(nodes: tuple[Node, Node]) -> None:
    """B re-subscribes (and starts over) first; then A fails to publish a batch. B has forgotten A's numbers, so
    only the `lost` mark on A's next message can tell B that a connection opened in between missed something."""
    a, b = nodes
    await a.hub.publish([to_user(USER, "new_user", {})])  # A's publishing connection exists now
    await b.received("new_user")
    await kill_client(b.bus, "sub")
    await b.until(lambda: b.resyncs == 1)
    await b.bus.wait_subscribed()
    conn, outlet = b.hub.open(USER, "t")
    await kill_client(a.bus, "pub")
    await a.hub.publish([to_user(USER, "typing", {})])
    await a.bus.flush()
    await a.hub.publish([to_user(USER, "status_change", {})])
    await b.received("status_change")
    assert b.count("typing") == 0
    assert b.resyncs == 2 and outlet.close_code == CLOSE_INTERNAL and conn.id not in b.hub.connections


PEER = "p" * 26


@pytest.fixture
async def listener(services: Services) -> AsyncIterator[tuple[Node, Redis]]:
    """One node with quick heartbeats, and a Redis client that speaks as another node `PEER`."""
    url, prefix = await require_redis(), channel_prefix()
    node = await start_node(services, url, prefix, heartbeat_interval=0.05)
    peer = Redis.from_url(url)
    try:
        yield node, peer
    finally:
        await peer.aclose()
        await node.hub.stop()


async def say(node: Node, peer: Redis, message: bytes) -> None:
    await peer.publish(node.bus.channel, message)


async def test_a_peer_that_falls_silent_makes_connections_start_over(listener: tuple[Node, Redis]) -> None:
    node, peer = listener
    conn, outlet = node.hub.open(USER, "t")
    await say(node, peer, encode(PEER, 1, [to_user(USER, "new_user", {})]))
    await node.received("new_user")
    assert PEER in node.bus.peers and node.resyncs == 0
    # no heartbeat follows: after DEAD_AFTER_BEATS intervals the peer counts as dead (killed, or cut off)
    await node.until(lambda: node.resyncs == 1)
    assert PEER not in node.bus.peers and outlet.close_code == CLOSE_INTERNAL and conn.id not in node.hub.connections
    assert DEAD_AFTER_BEATS * node.bus.heartbeat_interval < WAIT


async def test_a_heartbeat_reveals_a_lost_last_batch(listener: tuple[Node, Redis]) -> None:
    node, peer = listener
    await say(node, peer, encode(PEER, 1, [to_user(USER, "new_user", {})]))
    await node.received("new_user")
    conn, outlet = node.hub.open(USER, "t")
    await say(node, peer, encode(PEER, 2, [], kind=BEAT))  # batch 2 never arrived
    await node.until(lambda: node.resyncs == 1)
    assert outlet.close_code == CLOSE_INTERNAL and conn.id not in node.hub.connections


async def test_a_peer_that_says_goodbye_is_not_mourned(listener: tuple[Node, Redis]) -> None:
    node, peer = listener
    await say(node, peer, encode(PEER, 1, [to_user(USER, "new_user", {})]))
    await say(node, peer, encode(PEER, 1, [], kind=BEAT))
    await say(node, peer, encode(PEER, 1, [], kind=BYE))
    await say(node, peer, encode("q" * 26, 1, [to_user(USER, "status_change", {})]))
    await node.received("status_change")
    assert PEER not in node.bus.peers and node.resyncs == 0


async def test_a_node_that_stops_says_goodbye(services: Services) -> None:
    url, prefix = await require_redis(), channel_prefix()
    a = await start_node(services, url, prefix, heartbeat_interval=0.5)
    b = await start_node(services, url, prefix, heartbeat_interval=0.5)
    peer = Redis.from_url(url)
    try:
        await a.hub.publish([to_user(USER, "typing", {})])
        await b.received("typing")
        assert a.bus.node_id in b.bus.peers
        await a.hub.stop()
        await say(b, peer, encode(PEER, 1, [to_user(USER, "status_change", {})]))
        await b.received("status_change")
        assert a.bus.node_id not in b.bus.peers and b.resyncs == 0
    finally:
        await peer.aclose()
        await b.hub.stop()


async def test_events_lost_on_one_node_make_every_node_start_over(nodes: tuple[Node, Node]) -> None:
    """A commit whose outcome is unknown (the connection dropped during COMMIT) published nothing: the sockets
    of every node must start over, not only those of the node that made it."""
    a, b = nodes
    conn_a, outlet_a = a.hub.open(USER, "t")
    conn_b, outlet_b = b.hub.open(USER, "t")
    await a.hub.lost()
    assert a.resyncs == 1 and outlet_a.close_code == CLOSE_INTERNAL and conn_a.id not in a.hub.connections
    await b.until(lambda: b.resyncs == 1)
    assert outlet_b.close_code == CLOSE_INTERNAL and conn_b.id not in b.hub.connections
