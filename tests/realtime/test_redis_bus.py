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
from kafana.realtime.redis_bus import RedisBus, decode, encode
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
    node, seq, events = decode(encode("n" * 26, 7, [event, to_user(USER, "typing", {})]))
    assert (node, seq) == ("n" * 26, 7) and events == [event, to_user(USER, "typing", {})]


async def test_event_published_on_a_is_delivered_by_b_and_once_by_a(nodes: tuple[Node, Node]) -> None:
    a, b = nodes
    conn, _outlet = b.hub.open(USER, "t")
    sent = Event("x", {"n": 1}, Broadcast(user_id=USER, omit_users=frozenset({"o" * 26})))
    await a.hub.publish([sent])
    assert await b.received("x") == sent
    assert conn.next_seq == 2  # hello, then x
    # B's reply is published after A's own message came back to A: once A has it, A has seen its echo too.
    await b.hub.publish([to_user(USER, "y", {})])
    await a.received("y")
    assert a.count("x") == 1 and b.count("x") == 1 and a.count("y") == 1 and b.count("y") == 1
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
    await a.hub.publish([to_channel(channel["id"], "posted", {"n": 2}), to_user(bob.id, "marker", {})])
    await b.received("marker")
    assert b.count("posted") == 2 and bob.id not in b.hub.membership.channels[channel["id"]]
    # hello, posted 1, marker: the removal applied before routing, so neither it nor posted 2 reached bob
    assert [json.loads(frame(*item))["event"] for item in conn.buffer] == ["hello", "posted", "marker"]


async def test_lost_subscription_makes_every_connection_start_over(nodes: tuple[Node, Node]) -> None:
    a, b = nodes
    conn, outlet = b.hub.open(USER, "t")
    admin_client = Redis.from_url(b.bus.url)
    try:
        clients = await admin_client.client_list()
        (victim,) = [c for c in clients if c.get("name") == f"kafana-{b.bus.node_id}-sub"]
        await admin_client.client_kill_filter(_id=victim["id"])
    finally:
        await admin_client.aclose()
    await b.until(lambda: b.resyncs == 1)
    assert outlet.close_code == CLOSE_INTERNAL and conn.id not in b.hub.connections
    await b.bus.wait_subscribed()
    assert b.bus.subscriptions == 2 and b.bus.healthy
    fresh, _ = b.hub.open(USER, "t")
    await a.hub.publish([to_user(USER, "after", {})])
    await b.received("after")
    assert fresh.next_seq == 2


async def test_a_missed_batch_from_another_node_makes_connections_start_over(nodes: tuple[Node, Node]) -> None:
    a, b = nodes
    await a.hub.publish([to_user(USER, "first", {})])
    await b.received("first")
    conn, outlet = b.hub.open(USER, "t")
    a.bus._seq += 1  # as if a batch never reached Redis (a failed publish, a full outbox)
    await a.hub.publish([to_user(USER, "third", {})])
    await b.received("third")
    assert b.resyncs == 1 and outlet.close_code == CLOSE_INTERNAL and conn.id not in b.hub.connections


async def test_publishing_without_redis_delivers_here_and_never_raises(services: Services) -> None:
    node = await start_node(services, "redis://127.0.0.1:1/0", channel_prefix(), start_timeout=0.2)
    try:
        assert not node.bus.healthy
        conn, _outlet = node.hub.open(USER, "t")
        await node.hub.publish([to_user(USER, "x", {})])
        assert node.count("x") == 1 and conn.next_seq == 2
    finally:
        await node.hub.stop()
