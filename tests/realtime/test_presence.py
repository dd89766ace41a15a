"""Presence from WebSocket connections: online while a socket is open, offline after the last one closes."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from kafana.actions.context import Services
from kafana.events import Event
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
