"""Preferences: upsert, read, delete, limits, who may see them; saved (flagged) posts as a post list."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from kafana.events import Event
from tests.helpers import Api


def pref(user: Api, category: str, name: str, value: str = "true") -> dict[str, str]:
    return {"user_id": user.id, "category": category, "name": name, "value": value}


@dataclass
class Room:
    team: dict[str, Any]
    private: dict[str, Any]  # alice and bob
    public: dict[str, Any]  # alice only; anyone in the team may read it
    alice: Api  # system admin
    bob: Api
    carol: Api  # in the team, in neither channel


@pytest.fixture
async def room(anon: Api) -> Room:
    alice, bob, carol = [await anon.signup(n) for n in ("alice", "bob", "carol")]
    team = await alice.create_team("volunteers", [bob, carol])
    private = await alice.create_channel(team, "plans", "P")
    await alice.post(f"/channels/{private['id']}/members", {"user_id": bob.id}, expect=201)
    public = await alice.create_channel(team, "news", "O")
    return Room(team, private, public, alice, bob, carol)


async def test_save_read_update_and_events(room: Room, events: list[Event]) -> None:
    bob = room.bob
    assert await bob.get("/users/me/preferences") == []
    saved = [pref(bob, "display_settings", "use_military_time", "true"), pref(bob, "theme", "", '{"sidebarBg":"#145dbf"}')]
    assert await bob.put("/users/me/preferences", saved) == {"status": "OK"}
    everything = await bob.get(f"/users/{bob.id}/preferences")
    assert sorted(everything, key=lambda p: p["category"]) == saved
    assert all(set(p) == {"user_id", "category", "name", "value"} for p in everything)
    changed = [e for e in events if e.event == "preferences_changed"]
    assert [e.broadcast.user_id for e in changed] == [bob.id] and not changed[0].broadcast.channel_id
    assert isinstance(changed[0].data["preferences"], str) and json.loads(changed[0].data["preferences"]) == saved
    # Saving again updates in place (an upsert), and later duplicates in one call win.
    again = [pref(bob, "display_settings", "use_military_time", "false"), pref(bob, "display_settings", "use_military_time", "true"), pref(bob, "a", "b", "")]
    await bob.put("/users/me/preferences", again)
    everything = await bob.get("/users/me/preferences")
    assert len(everything) == 3 and pref(bob, "display_settings", "use_military_time", "true") in everything and pref(bob, "a", "b", "") in everything
    assert await bob.get("/users/me/preferences/display_settings") == [pref(bob, "display_settings", "use_military_time", "true")]
    assert await bob.get("/users/me/preferences/display_settings/name/use_military_time") == pref(bob, "display_settings", "use_military_time", "true")
    # Missing category or name: 404, as Mattermost answers.
    assert (await bob.get("/users/me/preferences/nothing_here", expect=404))["id"] == "app.preference.get.app_error"
    await bob.get("/users/me/preferences/display_settings/name/nothing", expect=404)


async def test_delete(room: Room, events: list[Event]) -> None:
    bob = room.bob
    await bob.put("/users/me/preferences", [pref(bob, "c", "one"), pref(bob, "c", "two"), pref(bob, "d", "one")])
    gone = [{"user_id": bob.id, "category": "c", "name": "one"}, {"user_id": bob.id, "category": "d", "name": "one", "value": "ignored"}]
    assert await bob.post("/users/me/preferences/delete", gone) == {"status": "OK"}
    assert await bob.get("/users/me/preferences") == [pref(bob, "c", "two")]
    deleted = [e for e in events if e.event == "preferences_deleted"]
    assert len(deleted) == 1 and deleted[0].broadcast.user_id == bob.id
    assert [(p["category"], p["name"]) for p in json.loads(deleted[0].data["preferences"])] == [("c", "one"), ("d", "one")]
    # Deleting what is not there is fine.
    await bob.post("/users/me/preferences/delete", gone)


async def test_only_the_user_or_an_admin(room: Room) -> None:
    bob, carol = room.bob, room.carol
    await bob.put("/users/me/preferences", [pref(bob, "secret", "x", "1")])
    for path in (f"/users/{bob.id}/preferences", f"/users/{bob.id}/preferences/secret", f"/users/{bob.id}/preferences/secret/name/x"):
        await carol.get(path, expect=403)
    await carol.put(f"/users/{bob.id}/preferences", [pref(bob, "secret", "x", "2")], expect=403)
    await carol.post(f"/users/{bob.id}/preferences/delete", [pref(bob, "secret", "x")], expect=403)
    # Speaking for someone else in the body of one's own URL is refused too.
    error = await carol.put("/users/me/preferences", [pref(bob, "secret", "x", "3")], expect=403)
    assert error["id"] == "api.preference.update_preferences.set.app_error"
    await carol.post("/users/me/preferences/delete", [pref(bob, "secret", "x")], expect=403)
    assert await bob.get("/users/me/preferences") == [pref(bob, "secret", "x", "1")]
    # A system admin may read and change them.
    assert await room.alice.get(f"/users/{bob.id}/preferences") == [pref(bob, "secret", "x", "1")]
    await room.alice.put(f"/users/{bob.id}/preferences", [pref(bob, "secret", "x", "4")])
    assert (await bob.get("/users/me/preferences/secret/name/x"))["value"] == "4"


async def test_limits_and_bad_input(room: Room) -> None:
    bob = room.bob
    cases: list[tuple[dict[str, Any], str]] = [
        ({"category": ""}, "model.preference.is_valid.category.app_error"),
        ({"category": "c" * 33}, "model.preference.is_valid.category.app_error"),
        ({"name": "n" * 33}, "model.preference.is_valid.name.app_error"),
        ({"value": "v" * 2001}, "model.preference.is_valid.value.app_error"),
        ({"category": "theme", "value": "not json"}, "model.preference.is_valid.theme.app_error"),
        ({"category": "theme", "value": "[1]"}, "model.preference.is_valid.theme.app_error"),
        ({"value": 5}, "api.context.invalid_param.app_error"),
        ({"name": None, "category": ["x"]}, "api.context.invalid_param.app_error"),
    ]
    for change, error_id in cases:
        error = await bob.put("/users/me/preferences", [{**pref(bob, "c", "n"), **change}], expect=400)
        assert error["id"] == error_id, (change, error)
    fits = pref(bob, "c" * 32, "n" * 32, "v" * 2000)
    await bob.put("/users/me/preferences", [fits])
    many = [pref(bob, "bulk", f"n{i}") for i in range(101)]
    error = await bob.put("/users/me/preferences", many, expect=400)
    assert error["id"] == "api.preference.update_preferences.too_many.app_error"
    await bob.put("/users/me/preferences", many[:100])
    for body in ({"category": "c"}, ["c"], [[1]], "x"):
        await bob.put("/users/me/preferences", body, expect=400)
    await bob.put("/users/me/preferences", expect=400)  # no body
    await bob.post("/users/me/preferences/delete", {"x": 1}, expect=400)
    await bob.get("/users/not-an-id/preferences", expect=400)
    # Control characters are dropped rather than stored (or turned into a 500 by PostgreSQL).
    await bob.put("/users/me/preferences", [pref(bob, "ctl", "nul", "a\x00b")])
    assert (await bob.get("/users/me/preferences/ctl/name/nul"))["value"] == "ab"
    assert len(await bob.get("/users/me/preferences")) == 102


async def flag(api: Api, post_id: str, *, expect: int = 200) -> Any:
    return await api.put("/users/me/preferences", [pref(api, "flagged_post", post_id)], expect=expect)


async def test_saved_posts(room: Room) -> None:
    alice, bob = room.alice, room.bob
    first = await alice.post("/posts", {"channel_id": room.private["id"], "message": "first"}, expect=201)
    second = await alice.post("/posts", {"channel_id": room.public["id"], "message": "second"}, expect=201)
    third = await alice.post("/posts", {"channel_id": room.private["id"], "message": "third"}, expect=201)
    assert (await bob.get("/users/me/posts/flagged"))["order"] == []
    for post in (first, second, third):
        await flag(bob, post["id"])
    saved = await bob.get(f"/users/{bob.id}/posts/flagged")
    assert set(saved) >= {"order", "posts", "next_post_id", "prev_post_id"}
    assert saved["order"] == [third["id"], second["id"], first["id"]] and set(saved["posts"]) == set(saved["order"])
    assert saved["posts"][first["id"]]["message"] == "first" and saved["posts"][first["id"]]["metadata"]["embeds"] == []
    # Filters and pages.
    assert (await bob.get(f"/users/me/posts/flagged?channel_id={room.private['id']}"))["order"] == [third["id"], first["id"]]
    assert (await bob.get(f"/users/me/posts/flagged?team_id={room.team['id']}"))["order"] == saved["order"]
    assert (await bob.get("/users/me/posts/flagged?page=1&per_page=2"))["order"] == [first["id"]]
    assert (await bob.get("/users/me/posts/flagged?page=5&per_page=2"))["order"] == []
    await bob.get("/users/me/posts/flagged?channel_id=nope", expect=400)
    # Saved posts are per user, and only the user (or an admin) sees the list.
    assert (await alice.get("/users/me/posts/flagged"))["order"] == []
    await room.carol.get(f"/users/{bob.id}/posts/flagged", expect=403)
    assert (await alice.get(f"/users/{bob.id}/posts/flagged"))["order"] == saved["order"]
    # Unsaving removes it; a deleted post disappears.
    await bob.post("/users/me/preferences/delete", [pref(bob, "flagged_post", second["id"])])
    await alice.delete(f"/posts/{first['id']}")
    assert (await bob.get("/users/me/posts/flagged"))["order"] == [third["id"]]
    # Leaving the channel hides what was saved there (the preference stays).
    await bob.delete(f"/channels/{room.private['id']}/members/{bob.id}")
    assert (await bob.get("/users/me/posts/flagged"))["order"] == []
    assert {p["name"] for p in await bob.get("/users/me/preferences/flagged_post")} == {first["id"], third["id"]}


async def test_saving_a_post_needs_read_access(room: Room) -> None:
    secret = await room.alice.post("/posts", {"channel_id": room.private["id"], "message": "secret"}, expect=201)
    error = await flag(room.carol, secret["id"], expect=404)
    assert error["id"] == "app.post.get.app_error"
    await flag(room.carol, "d" * 26, expect=404)
    await flag(room.carol, "not-a-post-id", expect=400)
    assert await room.carol.get("/users/me/preferences") == []
    # Public channel posts may be saved by anyone in the team.
    notice = await room.alice.post("/posts", {"channel_id": room.public["id"], "message": "notice"}, expect=201)
    await flag(room.carol, notice["id"])
    assert (await room.carol.get("/users/me/posts/flagged"))["order"] == [notice["id"]]
