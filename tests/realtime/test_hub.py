"""The hub without sockets: routing, one serialization per audience, bounded queues, the replay buffer."""

from __future__ import annotations

import json

from kafana.actions.context import Services
from kafana.events import Broadcast, Event, to_all, to_channel, to_team, to_user
from kafana.realtime import Hub
from kafana.realtime.connection import BUFFER_SIZE, QUEUE_LIMIT, Connection, Outlet
from kafana.realtime.frames import frame
from tests.helpers import Api


def test_full_queue_closes_only_that_outlet() -> None:
    slow, fast = Outlet(), Outlet()
    for i in range(QUEUE_LIMIT):
        assert slow.put(("p", i))
    assert not slow.put(("p", QUEUE_LIMIT))
    assert slow.close_code == 1013 and not slow.items
    assert fast.put(("p", 0)) and fast.close_code is None


def test_overflowing_connection_detaches_but_keeps_numbering() -> None:
    conn = Connection("c" * 26, "u" * 26, "t")
    outlet = conn.attach()
    for _ in range(QUEUE_LIMIT + 1):
        conn.push("p")
    assert outlet.close_code == 1013 and not conn.attached
    conn.push("p")
    assert conn.next_seq == QUEUE_LIMIT + 2 and len(conn.buffer) == BUFFER_SIZE
    assert conn.can_resume_from(conn.next_seq - BUFFER_SIZE) and not conn.can_resume_from(conn.next_seq - BUFFER_SIZE - 1)
    assert not conn.can_resume_from(conn.next_seq + 1)


def test_frame_splices_seq_into_the_shared_prefix() -> None:
    from kafana.realtime.frames import event_prefix

    event = to_channel("c" * 26, "posted", {"post": "{}"}, omit=frozenset({"u" * 26}))
    prefix = event_prefix(event)
    assert json.loads(frame(prefix, 7)) == event.to_wire(7)


async def test_one_serialization_per_audience(app: object, services: Services, admin: Api, anon: Api) -> None:
    hub: Hub = app.state.hub  # type: ignore[attr-defined]
    bob, eve = await anon.signup("bob"), await anon.signup("eve")
    team = await admin.create_team("rt", [bob, eve])
    channel = await admin.create_channel(team, "talk", "O", [bob, eve])
    conns = [hub.open(u.id, u.token)[0] for u in (admin, bob, bob, eve)]
    await hub.deliver([to_channel(channel["id"], "posted", {"post": "{}"}, omit=frozenset({eve.id}))])
    prefixes = {id(c.buffer[-1][0]) for c in conns[:3]}
    assert len(prefixes) == 1 and conns[3].next_seq == 1  # one shared string; eve omitted


async def test_scopes(app: object, admin: Api, anon: Api) -> None:
    hub: Hub = app.state.hub  # type: ignore[attr-defined]
    bob, eve = await anon.signup("bob"), await anon.signup("eve")
    team = await admin.create_team("rt", [bob])
    a, b, e = (hub.open(u.id, u.token)[0] for u in (admin, bob, eve))
    await hub.deliver([to_user(bob.id, "status_change", {})])
    assert (a.next_seq, b.next_seq, e.next_seq) == (1, 2, 1)
    await hub.deliver([to_team(team["id"], "update_team", {})])
    assert (a.next_seq, b.next_seq, e.next_seq) == (2, 3, 1)
    await hub.deliver([to_all("new_user", {})])
    assert (a.next_seq, b.next_seq, e.next_seq) == (3, 4, 2)
    await hub.deliver([Event("status_change", {}, Broadcast(user_id=bob.id, omit_connection_id=b.id))])
    await hub.deliver([Event("status_change", {}, Broadcast(connection_id=a.id))])
    assert (a.next_seq, b.next_seq, e.next_seq) == (4, 4, 2)


async def test_membership_follows_events_without_reloading(app: object, admin: Api, anon: Api) -> None:
    hub: Hub = app.state.hub  # type: ignore[attr-defined]
    bob = await anon.signup("bob")
    team = await admin.create_team("rt", [bob])
    channel = await admin.create_channel(team, "talk", "P")
    hub.open(bob.id, bob.token)
    assert bob.id not in await hub.membership.channel(channel["id"])
    await admin.post(f"/channels/{channel['id']}/members", {"user_id": bob.id}, expect=201)
    assert bob.id in hub.membership.channels[channel["id"]]
    await admin.delete(f"/channels/{channel['id']}/members/{bob.id}")
    assert bob.id not in hub.membership.channels[channel["id"]]
    assert bob.id in await hub.membership.team(team["id"])
    await admin.delete(f"/teams/{team['id']}/members/{bob.id}")
    assert bob.id not in hub.membership.teams[team["id"]]


async def test_sweep_forgets_long_detached_connections(app: object, admin: Api) -> None:
    hub: Hub = app.state.hub  # type: ignore[attr-defined]
    conn, outlet = hub.open(admin.id, admin.token)
    hub.detach(conn, outlet)
    hub.resume_window = 0.0
    conn.detached_at -= 1.0
    await hub.sweep()
    assert conn.id not in hub.connections and admin.id not in hub.by_user


async def test_a_routing_failure_forces_a_resync_not_a_gap(app: object, admin: Api) -> None:
    hub: Hub = app.state.hub  # type: ignore[attr-defined]
    conn, outlet = hub.open(admin.id, admin.token)

    async def broken(channel_id: str) -> set[str]:
        raise RuntimeError("database down")

    hub.membership.channel = broken  # type: ignore[method-assign]
    await hub.deliver([to_channel("c" * 26, "posted", {}), to_user(admin.id, "status_change", {})])
    assert outlet.close_code == 1011 and conn.id not in hub.connections
    assert hub.resume(conn.id, admin.id, admin.token, 1) is None  # the client gets a new connection id


async def test_a_role_change_moves_open_connections_between_audiences(app: object, admin: Api, anon: Api) -> None:
    hub: Hub = app.state.hub  # type: ignore[attr-defined]
    eve = await anon.signup("eve")
    conn = hub.open(eve.id, eve.token)[0]
    admins_only = to_all("user_updated", {"user": "{}"}, admins=True)

    async def reaches_eve() -> bool:
        before = conn.next_seq
        await hub.deliver([admins_only])
        return conn.next_seq == before + 1

    assert not await reaches_eve()
    await admin.put(f"/users/{eve.id}/roles", {"roles": "system_user system_admin"})
    assert conn.is_admin and await reaches_eve()
    await admin.put(f"/users/{eve.id}/roles", {"roles": "system_user"})
    assert not conn.is_admin and not await reaches_eve()
