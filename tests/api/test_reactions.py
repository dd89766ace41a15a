"""Reactions: add (idempotent, at most 50 distinct emoji), remove, list, bulk list; who may react; events."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from kafana.events import Event
from tests.helpers import Api

REACTION_KEYS = {"user_id", "post_id", "emoji_name", "create_at", "update_at", "delete_at", "remote_id", "channel_id"}


@dataclass
class Room:
    team: dict[str, Any]
    private: dict[str, Any]  # alice and bob
    public: dict[str, Any]  # alice and bob; carol may read it
    root: dict[str, Any]  # alice's post in the private channel
    notice: dict[str, Any]  # alice's post in the public channel
    alice: Api  # system admin
    bob: Api
    carol: Api  # in the team, in neither channel


@pytest.fixture
async def room(anon: Api) -> Room:
    alice, bob, carol = [await anon.signup(n) for n in ("alice", "bob", "carol")]
    team = await alice.create_team("volunteers", [bob, carol])
    private = await alice.create_channel(team, "plans", "P")
    public = await alice.create_channel(team, "news", "O")
    for channel in (private, public):
        await alice.post(f"/channels/{channel['id']}/members", {"user_id": bob.id}, expect=201)
    root = await alice.post("/posts", {"channel_id": private["id"], "message": "meet on friday"}, expect=201)
    notice = await alice.post("/posts", {"channel_id": public["id"], "message": "we moved"}, expect=201)
    return Room(team, private, public, root, notice, alice, bob, carol)


async def react(api: Api, post_id: str, emoji: str, *, expect: int = 201, user_id: str = "") -> Any:
    return await api.post("/reactions", {"user_id": user_id or api.id, "post_id": post_id, "emoji_name": emoji}, expect=expect)


async def test_add_reaction_shape_post_flags_and_event(room: Room, events: list[Event]) -> None:
    before = await room.bob.get(f"/posts/{room.root['id']}")
    assert "has_reactions" not in before
    made = await react(room.bob, room.root["id"], "thumbsup")
    assert set(made) == REACTION_KEYS
    assert made == {
        **made,
        "user_id": room.bob.id, "post_id": room.root["id"], "emoji_name": "thumbsup", "delete_at": 0, "remote_id": "",
        "channel_id": room.private["id"], "update_at": made["create_at"],
    }  # fmt: skip
    assert isinstance(made["create_at"], int) and made["create_at"] >= before["create_at"]
    assert await room.alice.get(f"/posts/{room.root['id']}/reactions") == [made]
    post = await room.alice.get(f"/posts/{room.root['id']}")
    assert post["has_reactions"] is True and post["update_at"] >= made["create_at"] > 0
    assert post["metadata"]["reactions"] == [made]
    # ?since= sync sees the post again because its update_at moved.
    since = await room.alice.get(f"/channels/{room.private['id']}/posts?since={before['update_at']}")
    assert room.root["id"] in since["order"]
    added = [e for e in events if e.event == "reaction_added"]
    assert len(added) == 1 and added[0].broadcast.channel_id == room.private["id"] and not added[0].broadcast.user_id
    assert isinstance(added[0].data["reaction"], str) and json.loads(added[0].data["reaction"]) == made


async def test_adding_again_is_idempotent(room: Room, events: list[Event]) -> None:
    first = await react(room.bob, room.root["id"], "tada")
    again = await react(room.bob, room.root["id"], "tada")
    assert again == first
    assert len(await room.bob.get(f"/posts/{room.root['id']}/reactions")) == 1
    assert len([e for e in events if e.event == "reaction_added"]) == 1
    # The same emoji from someone else is a second reaction.
    await react(room.alice, room.root["id"], "tada")
    listed = await room.bob.get(f"/posts/{room.root['id']}/reactions")
    assert sorted((r["user_id"], r["emoji_name"]) for r in listed) == sorted([(room.bob.id, "tada"), (room.alice.id, "tada")])


async def test_bad_input_is_400(room: Room) -> None:
    pid = room.root["id"]
    for emoji in ("", "e" * 65, "thumbs up", "smile!", ":smile:", "ü", "a/b", "smile\n"):
        error = await react(room.bob, pid, emoji, expect=400)
        assert error["id"] in ("api.reaction.save_reaction.invalid.app_error", "model.reaction.is_valid.emoji_name.app_error"), (emoji, error)
    assert (await react(room.bob, pid, "+1"))["emoji_name"] == "+1"
    assert (await react(room.bob, pid, "flag-de_2"))["emoji_name"] == "flag-de_2"
    assert (await react(room.bob, pid, "e" * 64))["emoji_name"] == "e" * 64
    await room.bob.post("/reactions", {"user_id": "me", "post_id": pid, "emoji_name": "smile"}, expect=400)  # `me` only in URLs
    await room.bob.post("/reactions", {"user_id": room.bob.id, "post_id": "nope", "emoji_name": "smile"}, expect=400)
    await room.bob.post("/reactions", {"user_id": room.bob.id, "post_id": pid}, expect=400)
    await room.bob.post("/reactions", {"user_id": room.bob.id, "post_id": pid, "emoji_name": 5}, expect=400)
    await room.bob.post("/reactions", [room.bob.id, pid, "smile"], expect=400)
    await room.bob.post("/reactions", content=b"{", headers={"Content-Type": "application/json"}, expect=400)
    await room.bob.get("/posts/nope/reactions", expect=400)
    await room.bob.delete(f"/users/me/posts/{pid}/reactions/bad%20name", expect=400)
    await room.bob.post("/posts/ids/reactions", {"ids": [pid]}, expect=400)
    await room.bob.post("/posts/ids/reactions", [pid, "nope"], expect=400)
    await room.bob.post("/posts/ids/reactions", [pid, 5], expect=400)
    await react(room.bob, "a" * 26, "smile", expect=404)  # a well-formed id of no post


async def test_reacting_for_someone_else_is_refused(room: Room) -> None:
    error = await react(room.bob, room.root["id"], "smile", user_id=room.alice.id, expect=403)
    assert error["id"] == "api.reaction.save_reaction.user_id.app_error"
    assert await room.alice.get(f"/posts/{room.root['id']}/reactions") == []


async def test_non_members_cannot_react_to_or_read_private_posts(room: Room, events: list[Event]) -> None:
    pid = room.root["id"]
    await react(room.bob, pid, "eyes")
    for error in (
        await react(room.carol, pid, "smile", expect=404),
        await room.carol.get(f"/posts/{pid}/reactions", expect=404),
        await room.carol.delete(f"/users/me/posts/{pid}/reactions/eyes", expect=404),
        await room.carol.delete(f"/users/{room.bob.id}/posts/{pid}/reactions/eyes", expect=404),
    ):
        assert error["id"] == "app.post.get.app_error"
    # A post that does not exist looks the same.
    missing = await room.carol.get(f"/posts/{'b' * 26}/reactions", expect=404)
    assert missing["id"] == "app.post.get.app_error"
    assert await room.carol.post("/posts/ids/reactions", [pid]) == {}
    assert [e.event for e in events if e.event.startswith("reaction")] == ["reaction_added"]


async def test_public_channel_readers_see_reactions_but_members_react(room: Room) -> None:
    pid = room.notice["id"]
    made = await react(room.bob, pid, "wave")
    assert await room.carol.get(f"/posts/{pid}/reactions") == [made]
    assert await room.carol.post("/posts/ids/reactions", [pid]) == {pid: [made]}
    await react(room.carol, pid, "wave", expect=403)
    # After joining, carol may react.
    await room.carol.post(f"/channels/{room.public['id']}/members", {"user_id": room.carol.id}, expect=201)
    await react(room.carol, pid, "wave")


async def test_archived_channel_is_read_only(room: Room) -> None:
    pid = room.notice["id"]
    await react(room.bob, pid, "wave")
    await room.alice.delete(f"/channels/{room.public['id']}")
    assert (await react(room.bob, pid, "smile", expect=403))["id"] == "api.reaction.save.archived_channel.app_error"
    assert (await room.bob.delete(f"/users/me/posts/{pid}/reactions/wave", expect=403))["id"] == "api.reaction.delete.archived_channel.app_error"
    assert len(await room.bob.get(f"/posts/{pid}/reactions")) == 1


async def test_at_most_50_distinct_emoji(room: Room) -> None:
    """D3: the 51st distinct emoji is refused (a flood of reactions meets the rate limiter, see D15)."""
    pid = room.root["id"]
    for i in range(50):
        await react(room.bob, pid, f"emoji_{i}")
    error = await react(room.bob, pid, "one_too_many", expect=400)
    assert error["id"] == "app.reaction.save.save.too_many_reactions"
    error = await react(room.alice, pid, "one_too_many", expect=400)
    assert error["id"] == "app.reaction.save.save.too_many_reactions"
    # Joining an emoji already on the post is fine, and so is repeating one's own.
    await react(room.alice, pid, "emoji_7")
    await react(room.bob, pid, "emoji_7")
    listed = await room.alice.get(f"/posts/{pid}/reactions")
    assert len(listed) == 51 and len({r["emoji_name"] for r in listed}) == 50
    # Removing one frees a slot.
    await room.bob.delete(f"/users/me/posts/{pid}/reactions/emoji_0")
    await react(room.alice, pid, "one_too_many")


async def test_remove_reaction(room: Room, events: list[Event]) -> None:
    pid = room.root["id"]
    mine = await react(room.bob, pid, "heart")
    await react(room.alice, pid, "heart")
    updated_before = (await room.bob.get(f"/posts/{pid}"))["update_at"]
    assert await room.bob.delete(f"/users/me/posts/{pid}/reactions/heart") == {"status": "OK"}
    removed = [e for e in events if e.event == "reaction_removed"]
    assert len(removed) == 1 and removed[0].broadcast.channel_id == room.private["id"]
    gone = json.loads(removed[0].data["reaction"])
    # The removal carries its time (update_at = delete_at), which is the post's new update_at.
    assert gone == {**mine, "update_at": gone["delete_at"], "delete_at": gone["delete_at"]} and gone["delete_at"] >= mine["create_at"]
    post = await room.bob.get(f"/posts/{pid}")
    assert post["has_reactions"] is True and post["update_at"] == max(updated_before, gone["delete_at"])
    # Nobody else's reaction but your own, unless you are an admin.
    error = await room.bob.delete(f"/users/{room.alice.id}/posts/{pid}/reactions/heart", expect=403)
    assert error["id"] == "api.context.permissions.app_error"
    # Removing what is not there is fine and says nothing.
    await room.bob.delete(f"/users/me/posts/{pid}/reactions/heart")
    assert len([e for e in events if e.event == "reaction_removed"]) == 1
    # An admin may remove anyone's; the last one clears has_reactions.
    await react(room.bob, pid, "fire")
    await room.alice.delete(f"/users/{room.bob.id}/posts/{pid}/reactions/fire")
    await room.alice.delete(f"/users/me/posts/{pid}/reactions/heart")
    assert await room.bob.get(f"/posts/{pid}/reactions") == []
    post = await room.bob.get(f"/posts/{pid}")
    assert "has_reactions" not in post and "reactions" not in post["metadata"]


async def test_bulk_reactions(room: Room) -> None:
    reply = await room.bob.post("/posts", {"channel_id": room.private["id"], "message": "ok", "root_id": room.root["id"]}, expect=201)
    made = await react(room.bob, room.root["id"], "ok_hand")
    found = await room.bob.post("/posts/ids/reactions", [room.root["id"], reply["id"], room.notice["id"], "c" * 26])
    assert found == {room.root["id"]: [made], reply["id"]: [], room.notice["id"]: []}
    assert await room.bob.post("/posts/ids/reactions", []) == {}
    # Deleted posts are gone.
    await room.bob.delete(f"/posts/{reply['id']}")
    assert set(await room.bob.post("/posts/ids/reactions", [room.root["id"], reply["id"]])) == {room.root["id"]}


async def test_reactions_on_deleted_post_are_gone(room: Room) -> None:
    await react(room.bob, room.root["id"], "smile")
    await room.alice.delete(f"/posts/{room.root['id']}")
    await room.bob.get(f"/posts/{room.root['id']}/reactions", expect=404)
    await react(room.bob, room.root["id"], "wave", expect=404)
