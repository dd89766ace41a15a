"""A15: a bot's open WebSocket closes once its owner is deactivated (the hub's token re-check)."""

from __future__ import annotations

import pytest

from tests.helpers import Api
from tests.realtime.conftest import OpenSocket


@pytest.mark.parametrize("settings_overrides", [{"bot_creation": "members"}])
async def test_bot_socket_closes_when_its_owner_is_deactivated(admin: Api, open_socket: OpenSocket) -> None:
    bob = await admin.signup("bob")
    bot = await bob.post("/bots", {"username": "helper"}, expect=201)
    token = await bob.post(f"/users/{bot['user_id']}/tokens", {"description": "ws"})
    sock = await open_socket(Api(admin.http, token["token"]))
    await admin.delete(f"/users/{bob.id}")
    assert await sock.closed() == 1008
