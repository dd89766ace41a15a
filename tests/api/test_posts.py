"""Posts: create, idempotent retries, history pages both ways, threads, edit, delete, pin, unread counts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.helpers import Api

POST_KEYS = {
    "id",
    "create_at",
    "update_at",
    "edit_at",
    "delete_at",
    "is_pinned",
    "user_id",
    "channel_id",
    "root_id",
    "original_id",
    "message",
    "type",
    "props",
    "hashtags",
    "pending_post_id",
    "reply_count",
    "last_reply_at",
    "metadata",
}


@dataclass
class Room:
    team: dict[str, Any]
    channel: dict[str, Any]
    alice: Api  # admin, channel creator
    bob: Api  # member
    carol: Api  # team member, not in the channel


@pytest.fixture
async def room(anon: Api) -> Room:
    alice = await anon.signup("alice")
    bob = await anon.signup("bob")
    carol = await anon.signup("carol")
    team = await alice.create_team("volunteers", [bob, carol])
    channel = await alice.create_channel(team, "events", "P")
    await alice.post(f"/channels/{channel['id']}/members", {"user_id": bob.id}, expect=201)
    return Room(team, channel, alice, bob, carol)


async def post(api: Api, channel_id: str, message: str, **extra: Any) -> dict[str, Any]:
    result: dict[str, Any] = await api.post("/posts", {"channel_id": channel_id, "message": message, **extra}, expect=201)
    return result


async def test_create_post_shape(room: Room) -> None:
    created = await post(room.bob, room.channel["id"], "Hello #wikimania folks")
    assert set(created) >= POST_KEYS
    assert len(created["id"]) == 26 and created["user_id"] == room.bob.id and created["channel_id"] == room.channel["id"]
    assert created["root_id"] == "" and created["type"] == "" and created["delete_at"] == 0 and created["edit_at"] == 0
    assert isinstance(created["create_at"], int) and created["create_at"] > 1_600_000_000_000
    assert created["hashtags"] == "#wikimania" and created["props"] == {} and "file_ids" not in created
    fetched = await room.alice.get(f"/posts/{created['id']}")
    assert fetched["message"] == "Hello #wikimania folks" and fetched["metadata"]["embeds"] == []


async def test_pending_post_id_retry_returns_first_post(room: Room) -> None:
    first = await post(room.bob, room.channel["id"], "once", pending_post_id="bobid:1700000000000")
    again = await post(room.bob, room.channel["id"], "once", pending_post_id="bobid:1700000000000")
    assert again["id"] == first["id"]
    page = await room.alice.get(f"/channels/{room.channel['id']}/posts")
    assert [p["message"] for p in page["posts"].values()].count("once") == 1
    # The key is per user: the same pending id from someone else is a different post.
    other = await post(room.alice, room.channel["id"], "once", pending_post_id="bobid:1700000000000")
    assert other["id"] != first["id"]


async def test_non_member_cannot_post_or_read_private_channel(room: Room) -> None:
    cid = room.channel["id"]
    created = await post(room.bob, cid, "secret plans")
    for path in (f"/channels/{cid}/posts", f"/posts/{created['id']}", f"/posts/{created['id']}/thread", f"/channels/{cid}/pinned"):
        missing = await room.carol.get(path, expect=404)
        assert "secret" not in str(missing)
    await room.carol.post("/posts", {"channel_id": cid, "message": "let me in"}, expect=404)


async def test_history_pages_both_ways(room: Room) -> None:
    cid = room.channel["id"]
    made = [await post(room.bob, cid, f"m{i}") for i in range(25)]
    ids = [p["id"] for p in made]
    everything = await room.alice.get(f"/channels/{cid}/posts?per_page=200")
    real = [i for i in everything["order"] if i in ids]
    assert real == list(reversed(ids))  # newest first
    first = await room.alice.get(f"/channels/{cid}/posts?page=0&per_page=10")
    assert first["order"][:10] == everything["order"][:10] and first["prev_post_id"] == everything["order"][10]
    second = await room.alice.get(f"/channels/{cid}/posts?page=1&per_page=10")
    assert second["order"] == everything["order"][10:20] and second["next_post_id"] == everything["order"][9]
    before = await room.alice.get(f"/channels/{cid}/posts?before={ids[10]}&per_page=5")
    assert before["order"] == list(reversed(ids[5:10])) and before["next_post_id"] == ids[10] and before["prev_post_id"] == ids[4]
    after = await room.alice.get(f"/channels/{cid}/posts?after={ids[10]}&per_page=5")
    assert after["order"] == list(reversed(ids[11:16])) and after["prev_post_id"] == ids[10] and after["next_post_id"] == ids[16]
    past_end = await room.alice.get(f"/channels/{cid}/posts?page=50&per_page=60")
    assert past_end["order"] == [] and past_end["posts"] == {}
    clamped = await room.alice.get(f"/channels/{cid}/posts?per_page=50000")
    assert len(clamped["order"]) <= 200


async def test_since_returns_edits_and_deletions(room: Room) -> None:
    cid = room.channel["id"]
    keep = await post(room.bob, cid, "keep")
    gone = await post(room.bob, cid, "gone")
    mark = max(keep["create_at"], gone["create_at"])
    await room.bob.put(f"/posts/{keep['id']}/patch", {"message": "kept, edited"})
    await room.bob.delete(f"/posts/{gone['id']}")
    changed = await room.alice.get(f"/channels/{cid}/posts?since={mark}")
    assert set(changed["order"]) >= {keep["id"], gone["id"]}
    assert changed["posts"][keep["id"]]["message"] == "kept, edited" and changed["posts"][keep["id"]]["edit_at"] > 0
    assert changed["posts"][gone["id"]]["delete_at"] > 0


async def test_thread_replies_and_counts(room: Room) -> None:
    cid = room.channel["id"]
    root = await post(room.alice, cid, "Who brings the banner?")
    r1 = await post(room.bob, cid, "me", root_id=root["id"])
    r2 = await post(room.alice, cid, "thanks", root_id=root["id"])
    assert r1["root_id"] == root["id"] and r2["reply_count"] == 2
    thread = await room.bob.get(f"/posts/{root['id']}/thread")
    assert thread["order"] == [r2["id"], r1["id"], root["id"]]
    assert thread["posts"][root["id"]]["reply_count"] == 2 and thread["posts"][root["id"]]["last_reply_at"] == r2["create_at"]
    # A reply to a reply, or into another channel, is refused.
    await room.bob.post("/posts", {"channel_id": cid, "message": "x", "root_id": r1["id"]}, expect=400)
    paged = await room.bob.get(f"/posts/{root['id']}/thread?perPage=1")
    assert paged["has_next"] is True and len(paged["order"]) == 2


async def test_edit_and_delete_permissions(room: Room) -> None:
    cid = room.channel["id"]
    mine = await post(room.bob, cid, "typo teh")
    edited = await room.bob.put(f"/posts/{mine['id']}/patch", {"message": "typo the"})
    assert edited["message"] == "typo the" and edited["edit_at"] >= mine["create_at"] and edited["update_at"] >= edited["edit_at"]
    full = await room.bob.put(f"/posts/{mine['id']}", {"id": mine["id"], "message": "rewritten"})
    assert full["message"] == "rewritten"
    alices = await post(room.alice, cid, "admin words")
    await room.bob.put(f"/posts/{alices['id']}/patch", {"message": "hijacked"}, expect=403)
    await room.bob.delete(f"/posts/{alices['id']}", expect=403)
    assert (await room.alice.get(f"/posts/{alices['id']}"))["message"] == "admin words"
    # A system admin may edit and delete anyone's post.
    await room.alice.delete(f"/posts/{mine['id']}")
    await room.bob.get(f"/posts/{mine['id']}", expect=404)


async def test_deleting_root_hides_replies_from_thread_routes(room: Room) -> None:
    """A17: once the root is deleted, neither it nor its replies are reachable by any thread route."""
    cid = room.channel["id"]
    root = await post(room.bob, cid, "root")
    reply = await post(room.alice, cid, "reply", root_id=root["id"])
    await room.bob.delete(f"/posts/{root['id']}")
    await room.alice.get(f"/posts/{root['id']}/thread", expect=404)
    await room.alice.get(f"/posts/{reply['id']}", expect=404)
    await room.alice.get(f"/posts/{reply['id']}/thread", expect=404)


async def test_pin_and_unpin(room: Room) -> None:
    cid = room.channel["id"]
    created = await post(room.bob, cid, "agenda")
    assert await room.bob.post(f"/posts/{created['id']}/pin") == {"status": "OK"}
    pinned = await room.alice.get(f"/channels/{cid}/pinned")
    assert pinned["order"] == [created["id"]] and pinned["posts"][created["id"]]["is_pinned"] is True
    await room.bob.post(f"/posts/{created['id']}/unpin")
    assert (await room.alice.get(f"/channels/{cid}/pinned"))["order"] == []
    await room.carol.post(f"/posts/{created['id']}/pin", expect=404)


async def test_message_limits_and_protected_props(room: Room) -> None:
    cid = room.channel["id"]
    await room.bob.post("/posts", {"channel_id": cid, "message": "x" * 16384}, expect=400)
    longest = await post(room.bob, cid, "é" * 16383)
    assert len(longest["message"]) == 16383
    spoofed = await post(room.bob, cid, "hi", props={"from_bot": "true", "override_username": "admin", "mine": 1})
    assert spoofed["props"] == {"mine": 1}
    await room.bob.post("/posts", {"channel_id": cid, "message": ""}, expect=400)
    await room.bob.post("/posts", {"channel_id": cid, "message": 5}, expect=400)
    await room.bob.post("/posts", {"channel_id": "nope", "message": "hi"}, expect=400)


async def test_unread_and_mention_counts(room: Room) -> None:
    cid = room.channel["id"]
    await room.alice.post(f"/channels/members/{room.alice.id}/view", {"channel_id": cid})
    await post(room.bob, cid, "plain")
    await post(room.bob, cid, "hey @alice look")
    root = await post(room.bob, cid, "@channel meeting at 5")
    await post(room.bob, cid, "reply mentioning @alice", root_id=root["id"])
    unread = await room.alice.get(f"/users/{room.alice.id}/channels/{cid}/unread")
    assert unread["msg_count"] == 4 and unread["mention_count"] == 3 and unread["mention_count_root"] == 2 and unread["msg_count_root"] == 3
    # The sender has read their own posts.
    own = await room.bob.get(f"/users/{room.bob.id}/channels/{cid}/unread")
    assert own["msg_count"] == 0 and own["mention_count"] == 0
    await room.alice.post(f"/channels/members/{room.alice.id}/view", {"channel_id": cid})
    cleared = await room.alice.get(f"/users/{room.alice.id}/channels/{cid}/unread")
    assert cleared["msg_count"] == 0 and cleared["mention_count"] == 0


async def test_posts_around_last_view(room: Room) -> None:
    cid = room.channel["id"]
    old = await post(room.bob, cid, "seen")
    await room.alice.post(f"/channels/members/{room.alice.id}/view", {"channel_id": cid})
    new = await post(room.bob, cid, "unseen")
    around = await room.alice.get(f"/users/{room.alice.id}/channels/{cid}/posts/unread?limit_before=1&limit_after=5")
    assert around["order"][0] == new["id"] and old["id"] in around["order"]


async def test_pending_post_id_survives_restart(room: Room, services: Any) -> None:
    """The key lives in the database (unique per user), not in a cache: a restart does not forget it."""
    import httpx

    from kafana.actions.context import Services
    from kafana.db import Database
    from kafana.main import create_app

    first = await post(room.bob, room.channel["id"], "exactly once", pending_post_id="bob:42")
    await services.db.dispose()
    restarted = Services(settings=services.settings, db=Database(services.settings.effective_database_url))
    app = create_app(services.settings, database=restarted.db)
    app.state.services = restarted
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            bob = Api(http, room.bob.token, room.bob.user)
            again = await post(bob, room.channel["id"], "exactly once", pending_post_id="bob:42")
            page = await bob.get(f"/channels/{room.channel['id']}/posts")
    await restarted.db.dispose()
    assert again["id"] == first["id"]
    assert sum(1 for p in page["posts"].values() if p["message"] == "exactly once") == 1


async def test_mention_keys_here_and_ignored_channel_mentions(room: Room) -> None:
    cid = room.channel["id"]
    await room.alice.put("/users/me/patch", {"notify_props": {"mention_keys": "banner,Wikimania", "first_name": "false"}})
    await room.alice.post(f"/channels/members/{room.alice.id}/view", {"channel_id": cid})
    await post(room.bob, cid, "who has the banner?")  # a custom key, no @
    await post(room.bob, cid, "wikimania planning")  # keys match case-insensitively
    await post(room.bob, cid, "bannerless words")  # a key inside a longer word is no mention
    unread = await room.alice.get(f"/users/{room.alice.id}/channels/{cid}/unread")
    assert unread["mention_count"] == 2
    # @here reaches only members who are online.
    await room.alice.put(f"/users/{room.alice.id}/status", {"user_id": room.alice.id, "status": "offline"})
    await post(room.bob, cid, "@here anyone?")
    assert (await room.alice.get(f"/users/{room.alice.id}/channels/{cid}/unread"))["mention_count"] == 2
    await room.alice.put(f"/users/{room.alice.id}/status", {"user_id": room.alice.id, "status": "online"})
    await post(room.bob, cid, "@here now?")
    assert (await room.alice.get(f"/users/{room.alice.id}/channels/{cid}/unread"))["mention_count"] == 3
    # A member who ignores channel-wide mentions is not counted for @all.
    await room.alice.put(f"/channels/{cid}/members/{room.alice.id}/notify_props", {"ignore_channel_mentions": "on"})
    await post(room.bob, cid, "@all hello")
    assert (await room.alice.get(f"/users/{room.alice.id}/channels/{cid}/unread"))["mention_count"] == 3


async def test_direct_message_counts_as_mention(room: Room) -> None:
    dm = await room.bob.post("/channels/direct", [room.bob.id, room.alice.id], expect=201)
    await post(room.bob, dm["id"], "psst")
    unread = await room.alice.get(f"/users/{room.alice.id}/channels/{dm['id']}/unread")
    assert unread["msg_count"] == 1 and unread["mention_count"] == 1
