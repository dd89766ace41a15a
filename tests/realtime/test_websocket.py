"""/api/v4/websocket in process (a real uvicorn in the test's loop): handshake, events, client requests."""

from __future__ import annotations

import json
from typing import Any

from kafana.lib.ids import is_valid_id
from kafana.main import version_id
from kafana.realtime import Hub
from tests.helpers import Api
from tests.realtime.conftest import OpenSocket


async def test_hello_after_bearer_upgrade(admin: Api, open_socket: OpenSocket) -> None:
    sock = await open_socket(admin)
    hello = sock.hello
    assert hello["data"]["server_version"] == version_id()
    assert is_valid_id(hello["data"]["connection_id"])
    assert hello["data"]["server_hostname"]
    assert hello["broadcast"] == {"omit_users": None, "user_id": admin.id, "channel_id": "", "team_id": ""}


async def test_trailing_slash_and_challenge(admin: Api, ws_base: str, open_socket: OpenSocket) -> None:
    sock = await open_socket(query="/", hello=False)
    await sock.send({"seq": 1, "action": "authentication_challenge", "data": {"token": admin.token}})
    assert await sock.next() == {"status": "OK", "seq_reply": 1}
    hello = await sock.next()
    assert hello["event"] == "hello" and hello["seq"] == 0 and hello["broadcast"]["user_id"] == admin.id


async def test_ping_statuses_and_unknown_action(admin: Api, open_socket: OpenSocket) -> None:
    sock = await open_socket(admin)
    pong = await sock.request(1, "ping")
    assert pong["status"] == "OK" and pong["data"]["text"] == "pong" and pong["data"]["version"] == version_id()
    assert is_valid_id(pong["data"]["node_id"]) and isinstance(pong["data"]["server_time"], int)  # this node's id
    await admin.put("/users/me/status", {"user_id": admin.id, "status": "dnd"})
    by_ids = await sock.request(2, "get_statuses_by_ids", {"user_ids": [admin.id]})
    assert by_ids == {"status": "OK", "seq_reply": 2, "data": {admin.id: "dnd"}}
    everyone = await sock.request(3, "get_statuses")
    assert everyone["data"] == {admin.id: "dnd"}
    bad = await sock.request(4, "get_statuses_by_ids", {"user_ids": "nope"})
    assert bad["status"] == "FAIL" and bad["error"]["id"]
    unknown = await sock.request(5, "no_such_action")
    assert unknown["status"] == "FAIL" and unknown["seq_reply"] == 5 and unknown["error"]["id"]
    assert (await sock.request(6, "ping"))["status"] == "OK"  # the socket stays open
    for seq, action in enumerate(("presence", "user_update_active_status", "posted_notify_ack"), start=7):
        assert await sock.request(seq, action, {"channel_id": "x"}) == {"status": "OK", "seq_reply": seq}


async def test_post_events_reach_members_with_monotonic_seq(admin: Api, anon: Api, open_socket: OpenSocket) -> None:
    bob = await anon.signup("bob")
    team = await admin.create_team("rt", [bob])
    channel = await admin.create_channel(team, "talk", "P", [bob])
    sock = await open_socket(bob)
    post = await admin.post("/posts", {"channel_id": channel["id"], "message": "hello @bob"}, expect=201)
    await admin.put(f"/posts/{post['id']}/patch", {"message": "edited"})
    await admin.post("/reactions", {"user_id": admin.id, "post_id": post["id"], "emoji_name": "smile"}, expect=201)
    await admin.delete(f"/users/me/posts/{post['id']}/reactions/smile")
    await admin.delete(f"/posts/{post['id']}")
    frames = await sock.until("post_deleted")
    assert [f["seq"] for f in frames] == list(range(1, len(frames) + 1))
    by_name = {f["event"]: f for f in frames}
    posted = by_name["posted"]
    assert isinstance(posted["data"]["post"], str) and json.loads(posted["data"]["post"])["id"] == post["id"]
    assert posted["broadcast"]["channel_id"] == channel["id"]
    assert json.loads(by_name["post_edited"]["data"]["post"])["message"] == "edited"
    assert json.loads(by_name["reaction_added"]["data"]["reaction"])["emoji_name"] == "smile"
    assert json.loads(by_name["reaction_removed"]["data"]["reaction"])["emoji_name"] == "smile"
    assert json.loads(by_name["post_deleted"]["data"]["post"])["id"] == post["id"]


async def test_typing_reaches_other_members_only_from_a_member(admin: Api, anon: Api, open_socket: OpenSocket) -> None:
    bob, eve = await anon.signup("bob"), await anon.signup("eve")
    team = await admin.create_team("rt", [bob, eve])
    channel = await admin.create_channel(team, "talk", "P", [bob])
    admin_sock, bob_sock, eve_sock = await open_socket(admin), await open_socket(bob), await open_socket(eve)
    assert (await bob_sock.request(1, "user_typing", {"channel_id": channel["id"], "parent_id": ""}))["status"] == "OK"
    typing = (await admin_sock.until("typing"))[-1]
    assert typing["data"] == {"user_id": bob.id, "parent_id": ""}
    assert typing["broadcast"]["channel_id"] == channel["id"] and typing["broadcast"]["omit_users"] == {bob.id: True}
    refused = await eve_sock.request(1, "user_typing", {"channel_id": channel["id"]})
    assert refused["status"] == "FAIL"
    # The sender does not get its own typing event: its next event is the marker.
    await bob.put("/users/me/status", {"user_id": bob.id, "status": "away"})
    assert [f["event"] for f in await bob_sock.until("status_change")] == ["status_change"]


async def test_removed_member_stops_receiving_at_once(admin: Api, anon: Api, open_socket: OpenSocket) -> None:
    """A8: after user_removed, not one more event of that channel."""
    bob = await anon.signup("bob")
    team = await admin.create_team("rt", [bob])
    channel = await admin.create_channel(team, "talk", "O", [bob])
    sock = await open_socket(bob)
    await admin.post("/posts", {"channel_id": channel["id"], "message": "before"}, expect=201)
    assert json.loads((await sock.until("posted"))[-1]["data"]["post"])["message"] == "before"
    await admin.delete(f"/channels/{channel['id']}/members/{bob.id}")
    removed = (await sock.until("user_removed"))[-1]
    assert removed["broadcast"]["user_id"] == bob.id and removed["data"]["channel_id"] == channel["id"]
    post = await admin.post("/posts", {"channel_id": channel["id"], "message": "after"}, expect=201)
    await admin.put(f"/posts/{post['id']}/patch", {"message": "after, edited"})
    await bob.put("/users/me/status", {"user_id": bob.id, "status": "away"})  # a marker for bob alone
    later = await sock.until("status_change")
    assert [f for f in later if f["broadcast"].get("channel_id") == channel["id"]] == []


async def test_non_members_never_see_channel_posts(admin: Api, anon: Api, open_socket: OpenSocket) -> None:
    """A10: team members outside a private (or public) channel get none of its posts or edits."""
    eve = await anon.signup("eve")
    team = await admin.create_team("rt", [eve])
    private = await admin.create_channel(team, "secret", "P")
    public = await admin.create_channel(team, "open", "O")
    sock = await open_socket(eve)
    for channel in (private, public):
        post = await admin.post("/posts", {"channel_id": channel["id"], "message": "x"}, expect=201)
        await admin.put(f"/posts/{post['id']}/patch", {"message": "y"})
    await eve.put("/users/me/status", {"user_id": eve.id, "status": "away"})
    frames = await sock.until("status_change")
    assert [f["event"] for f in frames] == ["status_change"], frames


async def test_team_events_go_to_active_members(admin: Api, anon: Api, open_socket: OpenSocket) -> None:
    bob, eve = await anon.signup("bob"), await anon.signup("eve")
    team = await admin.create_team("rt", [bob])
    bob_sock, eve_sock = await open_socket(bob), await open_socket(eve)
    await admin.put(f"/teams/{team['id']}/patch", {"display_name": "Renamed"})
    update = (await bob_sock.until("update_team"))[-1]
    assert json.loads(update["data"]["team"])["display_name"] == "Renamed"
    await admin.delete(f"/teams/{team['id']}/members/{bob.id}")
    await bob_sock.until("leave_team")
    await admin.put(f"/teams/{team['id']}/patch", {"display_name": "Again"})
    for user, sock in ((bob, bob_sock), (eve, eve_sock)):
        await user.put("/users/me/status", {"user_id": user.id, "status": "away"})
        assert [f["event"] for f in await sock.until("status_change")] == ["status_change"]


async def test_everyone_gets_unscoped_events(admin: Api, anon: Api, open_socket: OpenSocket) -> None:
    sock = await open_socket(admin)
    bob = await anon.signup("bob")
    assert (await sock.until("new_user"))[-1]["data"] == {"user_id": bob.id}


def _post_ids(frames: list[dict[str, Any]]) -> list[str]:
    return [json.loads(f["data"]["post"])["message"] for f in frames if f.get("event") == "posted"]


async def test_reconnect_replays_what_was_missed(admin: Api, anon: Api, open_socket: OpenSocket) -> None:
    bob = await anon.signup("bob")
    team = await admin.create_team("rt", [bob])
    channel = await admin.create_channel(team, "talk", "O", [bob])
    sock = await open_socket(bob)
    connection_id = sock.hello["data"]["connection_id"]
    await admin.post("/posts", {"channel_id": channel["id"], "message": "one"}, expect=201)
    first = (await sock.until("posted"))[-1]
    await sock.close()
    for text in ("two", "three"):
        await admin.post("/posts", {"channel_id": channel["id"], "message": text}, expect=201)
    resumed = await open_socket(bob, query=f"?connection_id={connection_id}&sequence_number={first['seq'] + 1}", hello=False)
    frames = await resumed.until("posted")
    frames += await resumed.until("posted")
    assert frames[0]["seq"] == first["seq"] + 1 and all(f.get("event") != "hello" for f in frames)
    assert [f["seq"] for f in frames] == list(range(first["seq"] + 1, first["seq"] + 1 + len(frames)))
    assert _post_ids(frames) == ["two", "three"]


async def test_unknown_or_stale_connection_gets_a_new_id(admin: Api, open_socket: OpenSocket, hub: Hub) -> None:
    sock = await open_socket(admin)
    old_id = sock.hello["data"]["connection_id"]
    await sock.close()
    conn = hub.connections[old_id]
    for _ in range(200):  # more than the buffer keeps
        conn.push('{"event":"x","data":{},"broadcast":{},"seq":')
    stale = await open_socket(admin, query=f"?connection_id={old_id}&sequence_number=1")
    assert stale.hello["data"]["connection_id"] != old_id and stale.hello["seq"] == 0
    unknown = await open_socket(admin, query="?connection_id=" + "a" * 26 + "&sequence_number=3")
    assert unknown.hello["data"]["connection_id"] not in (old_id, "a" * 26)


async def test_another_users_connection_is_not_resumed(admin: Api, anon: Api, open_socket: OpenSocket) -> None:
    sock = await open_socket(admin)
    old_id = sock.hello["data"]["connection_id"]
    await sock.close()
    bob = await anon.signup("bob")
    other = await open_socket(bob, query=f"?connection_id={old_id}&sequence_number=1")
    assert other.hello["data"]["connection_id"] != old_id and other.hello["broadcast"]["user_id"] == bob.id
