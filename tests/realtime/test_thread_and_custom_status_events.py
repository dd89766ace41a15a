"""thread_updated and user_updated (custom status) as a real WebSocket client receives them."""

from __future__ import annotations

import json

from tests.helpers import Api
from tests.realtime.conftest import OpenSocket


async def test_a_reply_reaches_the_followers_socket_as_thread_updated(admin: Api, anon: Api, open_socket: OpenSocket) -> None:
    bob = await anon.signup("bob")
    team = await admin.create_team("core", [bob])
    talk = await admin.create_channel(team, "talk", "O", [bob])
    root = await admin.post("/posts", {"channel_id": talk["id"], "message": "root"}, expect=201)
    sock = await open_socket(admin)
    await bob.post("/posts", {"channel_id": talk["id"], "message": "reply", "root_id": root["id"]}, expect=201)
    frames = await sock.until("thread_updated")
    assert [f["event"] for f in frames if f.get("event") in ("posted", "thread_updated")] == ["posted", "thread_updated"]
    update = frames[-1]
    assert update["broadcast"]["user_id"] == admin.id and update["broadcast"]["team_id"] == team["id"]
    thread = json.loads(update["data"]["thread"])
    assert thread == await admin.get(f"/users/me/teams/{team['id']}/threads/{root['id']}")
    assert (thread["unread_replies"], update["data"]["previous_unread_replies"], update["data"]["previous_unread_mentions"]) == (1, 0, 0)


async def test_a_custom_status_reaches_everyone_as_user_updated(admin: Api, anon: Api, open_socket: OpenSocket) -> None:
    bob, carol = await anon.signup("bob"), await anon.signup("carol")
    sock = await open_socket(carol)
    await bob.put("/users/me/status/custom", {"emoji": "palm_tree", "text": "On holiday"})
    user = (await sock.until("user_updated"))[-1]["data"]["user"]
    assert user["id"] == bob.id and json.loads(user["props"]["customStatus"])["text"] == "On holiday"
    assert user["email"] == ""  # others (but system admins) are not shown the email
