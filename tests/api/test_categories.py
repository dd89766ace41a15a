"""Sidebar categories: lazy defaults, derived channel lists, custom categories, moves, order, favorites
kept in step with the `favorite_channel` preference; only one's own."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from kafana.events import Event
from tests.helpers import Api

CATEGORY_KEYS = {"id", "user_id", "team_id", "sort_order", "sorting", "type", "display_name", "muted", "collapsed", "channel_ids"}


@dataclass
class Room:
    team: dict[str, Any]
    news: dict[str, Any]  # public, alice and bob
    plans: dict[str, Any]  # private, alice and bob
    secret: dict[str, Any]  # private, alice only
    dm: dict[str, Any]  # alice and bob
    alice: Api  # system admin
    bob: Api
    carol: Api  # in the team
    dave: Api  # not in the team

    @property
    def tid(self) -> str:
        return str(self.team["id"])

    def base(self, api: Api) -> str:
        return f"/users/{api.id}/teams/{self.tid}/channels/categories"

    async def town_square(self, api: Api) -> str:
        return str((await api.get(f"/teams/{self.tid}/channels/name/town-square"))["id"])

    async def categories(self, api: Api) -> dict[str, dict[str, Any]]:
        """By type (custom ones by display name)."""
        found = await api.get(self.base(api))
        return {c["display_name"] if c["type"] == "custom" else c["type"]: c for c in found["categories"]}


@pytest.fixture
async def room(anon: Api) -> Room:
    alice, bob, carol, dave = [await anon.signup(n) for n in ("alice", "bob", "carol", "dave")]
    team = await alice.create_team("volunteers", [bob, carol])
    news = await alice.create_channel(team, "news", "O")
    plans = await alice.create_channel(team, "plans", "P")
    secret = await alice.create_channel(team, "secret", "P")
    for channel in (news, plans):
        await alice.post(f"/channels/{channel['id']}/members", {"user_id": bob.id}, expect=201)
    dm = await bob.post("/channels/direct", [bob.id, alice.id], expect=201)
    return Room(team, news, plans, secret, dm, alice, bob, carol, dave)


async def test_defaults_are_created_once_with_derived_channels(room: Room) -> None:
    bob = room.bob
    found = await bob.get(f"/users/me/teams/{room.tid}/channels/categories")
    assert set(found) == {"categories", "order"}
    favorites, channels, direct = found["categories"]
    assert all(set(c) == CATEGORY_KEYS for c in found["categories"])
    uid, tid = bob.id, room.tid
    assert found["order"] == [f"favorites_{uid}_{tid}", f"channels_{uid}_{tid}", f"direct_messages_{uid}_{tid}"]
    assert favorites == {
        "id": f"favorites_{uid}_{tid}", "user_id": uid, "team_id": tid, "sort_order": 0, "sorting": "", "type": "favorites",
        "display_name": "Favorites", "muted": False, "collapsed": False, "channel_ids": [],
    }  # fmt: skip
    assert (channels["type"], channels["display_name"], channels["sort_order"]) == ("channels", "Channels", 10)
    assert (direct["type"], direct["display_name"], direct["sort_order"], direct["sorting"]) == ("direct_messages", "Direct Messages", 20, "recent")
    town = await room.town_square(bob)
    off_topic = (await bob.get(f"/teams/{tid}/channels/name/off-topic"))["id"]
    # Unplaced channels by display name; nothing of channels bob is not in.
    assert channels["channel_ids"] == [room.news["id"], off_topic, room.plans["id"], town]
    assert direct["channel_ids"] == [room.dm["id"]]
    again = await bob.get(f"/users/{uid}/teams/{tid}/channels/categories")
    assert again == found
    assert await bob.get(f"/users/me/teams/{tid}/channels/categories/order") == found["order"]
    assert await bob.get(f"/users/me/teams/{tid}/channels/categories/{favorites['id']}") == favorites
    # New memberships show up without any write to the categories.
    group = await room.alice.post("/channels/group", [room.alice.id, bob.id, room.carol.id], expect=201)
    await room.alice.post(f"/channels/{room.secret['id']}/members", {"user_id": bob.id}, expect=201)
    now = await room.categories(bob)
    assert room.secret["id"] in now["channels"]["channel_ids"] and set(now["direct_messages"]["channel_ids"]) == {room.dm["id"], group["id"]}


async def test_create_custom_category(room: Room, events: list[Event]) -> None:
    bob = room.bob
    made = await bob.post(room.base(bob), {"display_name": "  Work  ", "channel_ids": [room.plans["id"], room.dm["id"], room.secret["id"]]}, expect=201)
    assert set(made) == CATEGORY_KEYS
    assert len(made["id"]) == 26 and made["type"] == "custom" and made["display_name"] == "Work" and made["sort_order"] == 10
    # The secret channel bob is not in is dropped silently; the rest moved out of their default categories.
    assert made["channel_ids"] == [room.plans["id"], room.dm["id"]]
    found = await bob.get(room.base(bob))
    assert found["order"][1] == made["id"] and [c["sort_order"] for c in found["categories"]] == [0, 10, 20, 30]
    by = {c["id"]: c for c in found["categories"]}
    assert room.plans["id"] not in by[f"channels_{bob.id}_{room.tid}"]["channel_ids"] and by[f"direct_messages_{bob.id}_{room.tid}"]["channel_ids"] == []
    assert by[made["id"]] == made
    [created] = [e for e in events if e.event == "sidebar_category_created"]
    assert (created.broadcast.user_id, created.broadcast.team_id, created.data) == (bob.id, room.tid, {"category_id": made["id"]})
    # When Favorites is not first, a new category goes first.
    await bob.put(f"{room.base(bob)}/order", [found["order"][1], found["order"][0], *found["order"][2:]])
    second = await bob.post(room.base(bob), {"display_name": "Later"}, expect=201)
    assert (await bob.get(f"{room.base(bob)}/order"))[0] == second["id"]


async def test_move_channels_between_categories(room: Room, events: list[Event]) -> None:
    bob = room.bob
    cats = await room.categories(bob)
    favorites = cats["favorites"]
    moved = await bob.put(f"{room.base(bob)}/{favorites['id']}", {**favorites, "channel_ids": [room.news["id"], room.dm["id"]]})
    assert moved["channel_ids"] == [room.news["id"], room.dm["id"]] and moved["id"] == favorites["id"]
    cats = await room.categories(bob)
    assert room.news["id"] not in cats["channels"]["channel_ids"] and cats["direct_messages"]["channel_ids"] == []
    [updated] = [e for e in events if e.event == "sidebar_category_updated"]
    assert (updated.broadcast.user_id, updated.broadcast.team_id) == (bob.id, room.tid)
    listed = json.loads(updated.data["updatedCategories"])
    assert {c["type"] for c in listed} == {"favorites", "channels", "direct_messages"}  # every category whose channels changed
    # Favoriting shows in the preferences, as older clients expect.
    prefs = {(p["name"], p["value"]) for p in await bob.get("/users/me/preferences/favorite_channel")}
    assert prefs == {(room.news["id"], "true"), (room.dm["id"], "true")}
    # Moving out of Favorites (a bulk update) drops the preference; an emptied channel list puts channels back.
    custom = await bob.post(room.base(bob), {"display_name": "Mine"}, expect=201)
    result = await bob.put(room.base(bob), [{"id": favorites["id"], "channel_ids": [room.dm["id"]]}, {"id": custom["id"], "channel_ids": [room.news["id"]]}])
    assert [(c["id"], c["channel_ids"]) for c in result] == [(favorites["id"], [room.dm["id"]]), (custom["id"], [room.news["id"]])]
    assert {p["name"] for p in await bob.get("/users/me/preferences/favorite_channel")} == {room.dm["id"]}
    await bob.put(f"{room.base(bob)}/{favorites['id']}", {"id": favorites["id"], "channel_ids": []})
    cats = await room.categories(bob)
    assert cats["direct_messages"]["channel_ids"] == [room.dm["id"]] and cats["favorites"]["channel_ids"] == []
    # A DM cannot go into Channels, nor a team channel into Direct Messages: dropped, and they stay where they were.
    await bob.put(f"{room.base(bob)}/{cats['channels']['id']}", {"id": cats["channels"]["id"], "channel_ids": [room.dm["id"]]})
    await bob.put(f"{room.base(bob)}/{cats['direct_messages']['id']}", {"id": cats["direct_messages"]["id"], "channel_ids": [room.news["id"]]})
    cats = await room.categories(bob)
    assert cats["Mine"]["channel_ids"] == [room.news["id"]] and cats["direct_messages"]["channel_ids"] == [room.dm["id"]]
    # Each channel is in exactly one category.
    everywhere = [cid for c in cats.values() for cid in c["channel_ids"]]
    assert len(everywhere) == len(set(everywhere))


async def test_update_fields(room: Room) -> None:
    bob = room.bob
    cats = await room.categories(bob)
    custom = await bob.post(room.base(bob), {"display_name": "Mine"}, expect=201)
    changed = await bob.put(
        f"{room.base(bob)}/{custom['id']}", {"id": custom["id"], "display_name": "Renamed", "sorting": "alpha", "muted": True, "collapsed": True}
    )
    assert (changed["display_name"], changed["sorting"], changed["muted"], changed["collapsed"]) == ("Renamed", "alpha", True, True)
    # Default categories keep their names; Direct Messages cannot be muted.
    channels = await bob.put(f"{room.base(bob)}/{cats['channels']['id']}", {"id": cats["channels"]["id"], "display_name": "Mine now", "collapsed": True})
    assert (channels["display_name"], channels["collapsed"]) == ("Channels", True)
    direct = await bob.put(f"{room.base(bob)}/{cats['direct_messages']['id']}", {"id": cats["direct_messages"]["id"], "muted": True})
    assert direct["muted"] is False
    assert (await room.categories(bob))["Renamed"]["sorting"] == "alpha"


async def test_order(room: Room, events: list[Event]) -> None:
    bob = room.bob
    order = await bob.get(f"{room.base(bob)}/order")
    reversed_order = list(reversed(order))
    assert await bob.put(f"{room.base(bob)}/order", reversed_order) == reversed_order
    found = await bob.get(room.base(bob))
    assert found["order"] == reversed_order and [c["id"] for c in found["categories"]] == reversed_order
    [event] = [e for e in events if e.event == "sidebar_category_order_updated"]
    assert (event.broadcast.user_id, event.broadcast.team_id, event.data) == (bob.id, room.tid, {"order": reversed_order})
    for bad in (order[:2], [*order, order[0]], [*order[:2], "x" * 26], [], {"order": order}, [1, 2, 3]):
        await bob.put(f"{room.base(bob)}/order", bad, expect=400)
    assert await bob.get(f"{room.base(bob)}/order") == reversed_order


async def test_delete_category(room: Room, events: list[Event]) -> None:
    bob = room.bob
    custom = await bob.post(room.base(bob), {"display_name": "Soon gone", "channel_ids": [room.news["id"], room.dm["id"]]}, expect=201)
    assert await bob.delete(f"{room.base(bob)}/{custom['id']}") == {"status": "OK"}
    cats = await room.categories(bob)
    assert "Soon gone" not in cats and room.news["id"] in cats["channels"]["channel_ids"] and cats["direct_messages"]["channel_ids"] == [room.dm["id"]]
    [deleted] = [e for e in events if e.event == "sidebar_category_deleted"]
    assert (deleted.broadcast.user_id, deleted.broadcast.team_id, deleted.data) == (bob.id, room.tid, {"category_id": custom["id"]})
    for kind in ("favorites", "channels", "direct_messages"):
        error = await bob.delete(f"{room.base(bob)}/{cats[kind]['id']}", expect=400)
        assert error["id"] == "api.channel.delete_channel_category.invalid_type.app_error"
    await bob.delete(f"{room.base(bob)}/{custom['id']}", expect=404)


async def test_leaving_a_channel_removes_it(room: Room) -> None:
    bob = room.bob
    custom = await bob.post(room.base(bob), {"display_name": "Work", "channel_ids": [room.plans["id"], room.news["id"]]}, expect=201)
    await bob.delete(f"/channels/{room.plans['id']}/members/{bob.id}")
    cats = await room.categories(bob)
    assert cats["Work"]["channel_ids"] == [room.news["id"]] and room.plans["id"] not in cats["channels"]["channel_ids"]
    # Archived channels stay where they are, as in Mattermost (clients hide them): archiving moves nothing.
    await room.alice.delete(f"/channels/{room.news['id']}")
    assert (await bob.get(f"{room.base(bob)}/{custom['id']}"))["channel_ids"] == [room.news["id"]]


async def test_favorite_channel_preference_moves_the_channel(room: Room) -> None:
    bob = room.bob
    # Before any categories exist: the defaults start with the favorites.
    await bob.put("/users/me/preferences", [{"user_id": bob.id, "category": "favorite_channel", "name": room.news["id"], "value": "true"}])
    cats = await room.categories(bob)
    assert cats["favorites"]["channel_ids"] == [room.news["id"]] and room.news["id"] not in cats["channels"]["channel_ids"]
    # Afterwards: the channel moves in, first.
    await bob.put("/users/me/preferences", [{"user_id": bob.id, "category": "favorite_channel", "name": room.dm["id"], "value": "true"}])
    cats = await room.categories(bob)
    assert cats["favorites"]["channel_ids"] == [room.dm["id"], room.news["id"]] and cats["direct_messages"]["channel_ids"] == []
    # "false", or deleting the preference, moves it back.
    await bob.put("/users/me/preferences", [{"user_id": bob.id, "category": "favorite_channel", "name": room.news["id"], "value": "false"}])
    await bob.post("/users/me/preferences/delete", [{"user_id": bob.id, "category": "favorite_channel", "name": room.dm["id"]}])
    cats = await room.categories(bob)
    assert (
        cats["favorites"]["channel_ids"] == []
        and room.news["id"] in cats["channels"]["channel_ids"]
        and cats["direct_messages"]["channel_ids"] == [room.dm["id"]]
    )
    # A favorite of a channel one is not in changes nothing.
    await bob.put("/users/me/preferences", [{"user_id": bob.id, "category": "favorite_channel", "name": room.secret["id"], "value": "true"}])
    assert (await room.categories(bob))["favorites"]["channel_ids"] == []


async def test_only_ones_own(room: Room) -> None:
    bob, carol = room.bob, room.carol
    cats = await room.categories(bob)
    favorites = cats["favorites"]
    path = room.base(bob)
    await carol.get(path, expect=403)
    await carol.get(f"{path}/order", expect=403)
    await carol.get(f"{path}/{favorites['id']}", expect=403)
    await carol.post(path, {"display_name": "Mine"}, expect=403)
    await carol.put(f"{path}/{favorites['id']}", {"id": favorites["id"], "channel_ids": []}, expect=403)
    await carol.put(path, [{"id": favorites["id"], "channel_ids": []}], expect=403)
    await carol.put(f"{path}/order", list(reversed([c["id"] for c in cats.values()])), expect=403)
    # Someone else's category through one's own URL is not found.
    mine = room.base(carol)
    await carol.get(f"{mine}/{favorites['id']}", expect=404)
    await carol.put(f"{mine}/{favorites['id']}", {"id": favorites["id"], "channel_ids": []}, expect=404)
    await carol.put(mine, [{"id": favorites["id"], "channel_ids": []}], expect=404)
    custom = await bob.post(path, {"display_name": "Mine"}, expect=201)
    await carol.delete(f"{mine}/{custom['id']}", expect=404)
    after = await room.categories(bob)
    assert set(after) == {"favorites", "channels", "direct_messages", "Mine"}
    assert {k: c["channel_ids"] for k, c in after.items()} == {**{k: c["channel_ids"] for k, c in cats.items()}, "Mine": []}
    # Outside the team: nothing.
    await room.dave.get(f"/users/me/teams/{room.tid}/channels/categories", expect=404)
    # An admin may look at (and arrange) a member's sidebar, not at a non-member's.
    assert [c["id"] for c in (await room.alice.get(path))["categories"]] == (await bob.get(f"{path}/order"))
    await room.alice.get(f"/users/{room.dave.id}/teams/{room.tid}/channels/categories", expect=404)


async def test_bad_input(room: Room) -> None:
    bob = room.bob
    path = room.base(bob)
    cats = await room.categories(bob)
    favorites = cats["favorites"]
    for body in ({"display_name": ""}, {"display_name": "   "}, {"display_name": "x" * 65}, {}, {"display_name": 5}, ["x"]):
        await bob.post(path, body, expect=400)
    await bob.post(path, {"display_name": "ok", "sorting": "sideways"}, expect=400)
    await bob.post(path, {"display_name": "ok", "channel_ids": "all"}, expect=400)
    await bob.post(path, {"display_name": "ok", "team_id": "b" * 26}, expect=400)
    await bob.put(f"{path}/{favorites['id']}", {"id": "other", "channel_ids": []}, expect=400)
    await bob.put(f"{path}/{favorites['id']}", {"sorting": "sideways"}, expect=400)
    await bob.put(f"{path}/{favorites['id']}", {"muted": "yes"}, expect=400)
    await bob.put(f"{path}/{favorites['id']}", {"channel_ids": [1]}, expect=400)
    await bob.put(f"{path}/{favorites['id']}", {"user_id": room.carol.id}, expect=400)
    await bob.put(f"{path}/NOT%20AN%20ID", {}, expect=400)
    await bob.get(f"{path}/{'z' * 200}", expect=400)
    await bob.put(path, {"id": favorites["id"]}, expect=400)
    await bob.put(path, [{"id": favorites["id"]}, "x"], expect=400)
    await bob.put(path, [{"channel_ids": []}], expect=400)
    await bob.get("/users/me/teams/nope/channels/categories", expect=400)
    assert await room.categories(bob) == cats
