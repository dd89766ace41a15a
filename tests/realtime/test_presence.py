"""Presence from WebSocket connections: online while a socket is open, offline after the last one closes."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from kafana.actions import presence
from kafana.actions.context import Services
from kafana.events import Event
from kafana.lib.clock import now_ms
from tests.helpers import Api
from tests.realtime.conftest import OpenSocket


def watch_status(services: Services, user_id: str, status: str) -> asyncio.Event:
    """Set once a status_change to `status` for the user has been published (after commit)."""
    seen = asyncio.Event()
    previous = services.db.publisher

    def publish(batch: Sequence[Event]) -> Any:
        if any(e.event == "status_change" and e.data == {"status": status, "user_id": user_id} for e in batch):
            seen.set()
        return previous(batch) if previous is not None else None

    services.db.publisher = publish
    return seen


async def test_online_while_connected_offline_after_last_socket(admin: Api, anon: Api, open_socket: OpenSocket, services: Services) -> None:
    bob = await anon.signup("bob")
    assert (await admin.get(f"/users/{bob.id}/status"))["status"] == "offline"
    first = await open_socket(bob)
    status = await admin.get(f"/users/{bob.id}/status")
    assert status["status"] == "online" and status["manual"] is False
    second = await open_socket(bob)
    offline = watch_status(services, bob.id, "offline")
    await first.close()
    await second.request(1, "ping")
    # Whenever the server handles the first close, the second socket keeps bob online.
    assert not offline.is_set() and (await admin.get(f"/users/{bob.id}/status"))["status"] == "online"
    await second.close()
    await asyncio.wait_for(offline.wait(), 10)
    assert (await admin.get(f"/users/{bob.id}/status"))["status"] == "offline"


async def test_connecting_keeps_a_manual_status(admin: Api, anon: Api, open_socket: OpenSocket) -> None:
    bob = await anon.signup("bob")
    await bob.put("/users/me/status", {"user_id": bob.id, "status": "dnd"})
    await open_socket(bob)  # presence is recorded before hello is sent
    status = await admin.get(f"/users/{bob.id}/status")
    assert status["status"] == "dnd" and status["manual"] is True


async def test_get_statuses_answers_for_users_on_every_node(admin: Api, anon: Api, open_socket: OpenSocket, services: Services) -> None:
    """Bob's socket is on another node (its presence row and status are in the shared database)."""
    bob = await anon.signup("bob")
    await presence.do_connect(Services(settings=services.settings, db=services.db), bob.id)
    sock = await open_socket(admin)
    reply = await sock.request(1, "get_statuses")
    assert reply["status"] == "OK" and reply["data"] == {admin.id: "online", bob.id: "online"}
    ping = await sock.request(2, "ping")
    assert ping["data"]["node_id"] == services.node_id


async def _away(services: Services, user_id: str) -> None:
    """Time passes without activity: the sweep shows the user away (heartbeats keep the row fresh)."""
    later = now_ms() + services.settings.presence_away_after_seconds * 1000 + 1
    await presence.do_heartbeat(services, [user_id], later)
    await presence.do_sweep(services, later)
    services.activity_written.clear()  # that much time has passed for the activity throttle too


async def test_socket_activity_brings_an_away_user_back_online(admin: Api, anon: Api, open_socket: OpenSocket, services: Services) -> None:
    bob = await anon.signup("bob")
    talk = await admin.create_channel(await admin.create_team("core", [bob]), "talk", "O", [bob])
    sock = await open_socket(bob)
    await _away(services, bob.id)
    assert (await sock.until("status_change", status="away"))[-1]["data"]["user_id"] == bob.id
    assert (await sock.request(1, "user_update_active_status", {"user_is_active": False, "manual": False}))["status"] == "OK"
    assert (await admin.get(f"/users/{bob.id}/status"))["status"] == "away"  # an inactive client is no activity
    assert (await sock.request(2, "user_update_active_status", {"user_is_active": True, "manual": False}))["status"] == "OK"
    assert (await admin.get(f"/users/{bob.id}/status"))["status"] == "online"
    await _away(services, bob.id)
    await sock.until("status_change", status="away")
    assert (await sock.request(3, "user_typing", {"channel_id": talk["id"]}))["status"] == "OK"
    assert (await admin.get(f"/users/{bob.id}/status"))["status"] == "online"
