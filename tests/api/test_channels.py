"""Channels: create, read, patch, archive; DMs and GMs; members, roles, notify props; read state and unread."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import pytest

from kafana.events import Event
from tests.helpers import Api

CHANNEL_KEYS = {
    "id", "create_at", "update_at", "delete_at", "team_id", "type", "display_name", "name", "header", "purpose", "last_post_at",
    "last_root_post_at", "total_msg_count", "creator_id", "scheme_id", "group_constrained", "shared",
}  # fmt: skip
MEMBER_KEYS = {
    "channel_id", "user_id", "roles", "last_viewed_at", "msg_count", "msg_count_root", "mention_count", "mention_count_root",
    "urgent_mention_count", "notify_props", "last_update_at", "scheme_user", "scheme_admin",
}  # fmt: skip
UNREAD_KEYS = {"team_id", "channel_id", "msg_count", "mention_count", "mention_count_root", "urgent_mention_count", "msg_count_root"}


@dataclass
class Room:
    team: dict[str, Any]
    public: dict[str, Any]  # created by bob
    private: dict[str, Any]  # created by bob
    admin: Api  # system admin
    bob: Api  # team member, creator (channel admin) of both channels
    carol: Api  # team member, in neither channel
    dave: Api  # not in the team

    @property
    def tid(self) -> str:
        return str(self.team["id"])


@pytest.fixture
async def room(admin: Api, anon: Api, team: dict[str, Any]) -> Room:
    bob, carol, dave = [await anon.signup(n) for n in ("bob", "carol", "dave")]
    for user in (bob, carol):
        await admin.post(f"/teams/{team['id']}/members", {"team_id": team["id"], "user_id": user.id}, expect=201)
    public = await bob.post("/channels", {"team_id": team["id"], "name": "general-talk", "display_name": "General talk", "type": "O"}, expect=201)
    private = await bob.post("/channels", {"team_id": team["id"], "name": "plans", "display_name": "Plans", "type": "P"}, expect=201)
    return Room(team, public, private, admin, bob, carol, dave)


def is_id(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 26 and value.isalnum() and value.islower()


def is_ms(value: Any) -> bool:
    return isinstance(value, int) and value > 1_600_000_000_000


async def posts_of(api: Api, channel_id: str) -> list[dict[str, Any]]:
    """Oldest first."""
    page = await api.get(f"/channels/{channel_id}/posts")
    return [page["posts"][pid] for pid in reversed(page["order"])]


async def last_post(api: Api, channel_id: str) -> dict[str, Any]:
    return (await posts_of(api, channel_id))[-1]


# Creating -------------------------------------------------------------------------------------------------


async def test_create_channel_shape_and_creator_membership(room: Room, events: list[Event]) -> None:
    created = await room.carol.post(
        "/channels",
        {"team_id": room.tid, "name": "wiki-loves", "display_name": "Wiki Loves", "type": "O", "purpose": "Photos", "header": "Deadline: May"},
        expect=201,
    )
    assert set(created) >= CHANNEL_KEYS
    assert is_id(created["id"]) and is_ms(created["create_at"]) and created["update_at"] == created["create_at"] and created["delete_at"] == 0
    assert created == {
        **created,
        "team_id": room.tid, "type": "O", "name": "wiki-loves", "display_name": "Wiki Loves", "purpose": "Photos", "header": "Deadline: May",
        "creator_id": room.carol.id, "total_msg_count": 0, "last_post_at": 0, "scheme_id": None,
    }  # fmt: skip
    member = await room.carol.get(f"/channels/{created['id']}/members/me")
    assert set(member) >= MEMBER_KEYS
    assert member["roles"] == "channel_user channel_admin" and member["scheme_admin"] is True and member["scheme_user"] is True
    assert member["notify_props"]["mark_unread"] == "all" and member["msg_count"] == 0
    made = [e for e in events if e.event == "channel_created"]
    assert [(e.broadcast.user_id, e.data) for e in made] == [(room.carol.id, {"channel_id": created["id"], "team_id": room.tid})]
    assert created["id"] in {c["id"] for c in await room.carol.get(f"/users/me/teams/{room.tid}/channels")}
    # A private one is created the same way.
    secret = await room.carol.post("/channels", {"team_id": room.tid, "name": "secret", "display_name": "Secret", "type": "P"}, expect=201)
    assert secret["type"] == "P"


async def test_create_channel_validation_writes_nothing(room: Room) -> None:
    base = {"team_id": room.tid, "name": "fine", "display_name": "Fine", "type": "O"}
    dm_like = f"{room.bob.id}__{room.carol.id}"
    cases: list[tuple[dict[str, Any], str]] = [
        ({"name": "Upper"}, "model.channel.is_valid.name.app_error"),
        ({"name": "has space"}, "model.channel.is_valid.name.app_error"),
        ({"name": "a__b"}, "model.channel.is_valid.name.app_error"),
        ({"name": dm_like}, "model.channel.is_valid.name.app_error"),  # A3
        ({"name": "n" * 65}, "model.channel.is_valid.name.app_error"),
        ({"name": ""}, "model.channel.is_valid.name.app_error"),
        ({"display_name": ""}, "model.channel.is_valid.display_name.app_error"),
        ({"display_name": "d" * 65}, "model.channel.is_valid.display_name.app_error"),
        ({"purpose": "p" * 251}, "model.channel.is_valid.purpose.app_error"),
        ({"header": "h" * 1025}, "model.channel.is_valid.header.app_error"),
        ({"type": "D"}, "model.channel.is_valid.type.app_error"),
        ({"type": "X"}, "model.channel.is_valid.type.app_error"),
        ({"type": None}, "model.channel.is_valid.type.app_error"),
        ({"team_id": "nope"}, "model.channel.is_valid.team_id.app_error"),
        ({"name": 5}, "api.context.invalid_param.app_error"),
        ({"header": {"x": 1}}, "api.context.invalid_param.app_error"),
        ({"team_id": None}, "api.context.invalid_param.app_error"),
        ({"name": "general-talk"}, "store.sql_channel.save_channel.exists.app_error"),
    ]
    for change, error_id in cases:
        error = await room.bob.post("/channels", {**base, **change}, expect=400)
        assert error["id"] == error_id, (change, error)
    await room.bob.post("/channels", ["not", "an", "object"], expect=400)
    await room.bob.post("/channels", {**base, "team_id": "a" * 26}, expect=404)
    await room.dave.post("/channels", base, expect=404)  # not in the team
    names = {c["name"] for c in await room.bob.get(f"/teams/{room.tid}/channels")}
    assert names == {"town-square", "off-topic", "general-talk"}
    # The longest valid values are accepted.
    longest = {**base, "name": "n" * 64, "display_name": "d" * 64, "purpose": "p" * 250, "header": "h" * 1024}
    made = await room.bob.post("/channels", longest, expect=201)
    assert {k: made[k] for k in ("name", "display_name", "purpose", "header")} == {k: longest[k] for k in ("name", "display_name", "purpose", "header")}
    # An archived channel still holds its name.
    await room.bob.delete(f"/channels/{made['id']}")
    again = await room.bob.post("/channels", longest, expect=400)
    assert again["id"] == "store.sql_channel.save_channel.exists.app_error"


async def test_create_channel_ignores_mass_assignment(room: Room) -> None:
    """A14: the server decides ids, creator, counters, timestamps and schemes."""
    forged = {
        "team_id": room.tid, "name": "forged", "display_name": "Forged", "type": "O", "id": "a" * 26, "creator_id": room.admin.id,
        "total_msg_count": 99, "create_at": 1, "delete_at": 5, "scheme_id": "s" * 26, "last_post_at": 7,
    }  # fmt: skip
    made = await room.bob.post("/channels", forged, expect=201)
    assert made["id"] != "a" * 26 and made["creator_id"] == room.bob.id and made["total_msg_count"] == 0
    assert is_ms(made["create_at"]) and made["delete_at"] == 0 and made["scheme_id"] is None and made["last_post_at"] == 0


# Visibility (A1) ------------------------------------------------------------------------------------------


async def test_private_channel_is_invisible_to_non_members(room: Room) -> None:
    cid = room.private["id"]
    missing = await room.carol.get("/channels/" + "a" * 26, expect=404)
    not_found_paths = [
        f"/channels/{cid}",
        f"/channels/{cid}/members",
        f"/channels/{cid}/members/{room.bob.id}",
        f"/channels/{cid}/stats",
        f"/channels/{cid}/timezones",
        f"/channels/{cid}/posts",
        f"/teams/{room.tid}/channels/name/plans",
        "/teams/name/core/channels/name/plans",
    ]
    for path in not_found_paths:
        error = await room.carol.get(path, expect=404)
        assert error["id"] == missing["id"] == "app.channel.get.app_error", path
    await room.carol.post(f"/channels/{cid}/members", {"user_id": room.carol.id}, expect=404)
    await room.carol.post(f"/channels/{cid}/members/ids", [room.bob.id], expect=404)
    await room.carol.delete(f"/channels/{cid}", expect=404)
    await room.carol.put(f"/channels/{cid}/privacy", {"privacy": "O"}, expect=404)
    await room.carol.delete(f"/channels/{cid}/members/{room.bob.id}", expect=404)
    await room.carol.put(f"/channels/{cid}/members/{room.bob.id}/roles", {"roles": "channel_user"}, expect=404)
    assert "plans" not in {c["name"] for c in await room.carol.get(f"/teams/{room.tid}/channels")}
    assert "plans" not in {c["name"] for c in await room.carol.get(f"/teams/{room.tid}/channels/autocomplete?name=pl")}
    assert await room.carol.post(f"/teams/{room.tid}/channels/search", {"term": "plans"}) == []
    assert "plans" not in {c["name"] for c in await room.carol.get(f"/users/me/teams/{room.tid}/channels")}
    # Members see it everywhere.
    assert (await room.bob.get("/teams/name/core/channels/name/plans"))["id"] == cid
    assert [c["name"] for c in await room.bob.get(f"/teams/{room.tid}/channels/autocomplete?name=pl")] == ["plans"]
    # Public channels are readable by team members, not by outsiders.
    pid = room.public["id"]
    assert (await room.carol.get(f"/channels/{pid}"))["name"] == "general-talk"
    for path in (
        f"/channels/{pid}",
        f"/teams/{room.tid}/channels",
        f"/teams/{room.tid}/channels/name/general-talk",
        "/teams/name/core/channels/name/general-talk",
    ):
        await room.dave.get(path, expect=404)


async def test_non_member_patch_of_private_channel_is_404_and_changes_nothing(room: Room) -> None:
    """A2."""
    cid = room.private["id"]
    await room.carol.put(f"/channels/{cid}/patch", {"header": "pwned", "display_name": "pwned"}, expect=404)
    await room.carol.put(f"/channels/{cid}", {"id": cid, "header": "pwned"}, expect=404)
    seen = await room.bob.get(f"/channels/{cid}")
    assert seen["header"] == "" and seen["display_name"] == "Plans" and seen["update_at"] == room.private["update_at"]
    assert [p["type"] for p in await posts_of(room.bob, cid)] == []
    # A team member outside a public channel has no right to its properties either.
    await room.carol.put(f"/channels/{room.public['id']}/patch", {"header": "pwned"}, expect=403)


async def test_rename_cannot_take_a_direct_message_name(room: Room) -> None:
    """A3."""
    cid = room.public["id"]
    for name in (f"{room.bob.id}__{room.carol.id}", "a__b", "UPPER", "", "x" * 65):
        error = await room.bob.put(f"/channels/{cid}/patch", {"name": name}, expect=400)
        assert error["id"] == "model.channel.is_valid.name.app_error"
    taken = await room.bob.put(f"/channels/{cid}/patch", {"name": "plans"}, expect=400)
    assert taken["id"] == "store.sql_channel.save_channel.exists.app_error"
    assert (await room.bob.put(f"/channels/{cid}/patch", {"name": "renamed"}))["name"] == "renamed"
    town = await room.bob.get(f"/teams/{room.tid}/channels/name/town-square")
    await room.admin.put(f"/channels/{town['id']}/patch", {"name": "square"}, expect=400)


async def test_deleted_channels_listing(room: Room) -> None:
    """A4: archived channels are listed to team members only; private ones only to their members."""
    await room.bob.delete(f"/channels/{room.public['id']}")
    await room.bob.delete(f"/channels/{room.private['id']}")
    assert {c["name"] for c in await room.bob.get(f"/teams/{room.tid}/channels/deleted")} == {"general-talk", "plans"}
    assert [c["name"] for c in await room.carol.get(f"/teams/{room.tid}/channels/deleted")] == ["general-talk"]
    assert {c["name"] for c in await room.admin.get(f"/teams/{room.tid}/channels/deleted")} == {"general-talk", "plans"}
    await room.dave.get(f"/teams/{room.tid}/channels/deleted", expect=404)
    assert await room.bob.get(f"/teams/{room.tid}/channels/deleted?page=1&per_page=2") == []
    # Archived channels leave the public list; by name they need include_deleted.
    assert "general-talk" not in {c["name"] for c in await room.carol.get(f"/teams/{room.tid}/channels")}
    await room.carol.get(f"/teams/{room.tid}/channels/name/general-talk", expect=404)
    found = await room.carol.get(f"/teams/{room.tid}/channels/name/general-talk?include_deleted=true")
    assert is_ms(found["delete_at"])
    await room.carol.get(f"/teams/{room.tid}/channels/name/plans?include_deleted=true", expect=404)


async def test_private_list_is_for_system_admins(room: Room) -> None:
    """A16."""
    await room.bob.get(f"/teams/{room.tid}/channels/private", expect=403)
    await room.dave.get(f"/teams/{room.tid}/channels/private", expect=404)
    assert [c["name"] for c in await room.admin.get(f"/teams/{room.tid}/channels/private")] == ["plans"]


async def test_public_channel_list_paging_search_and_autocomplete(room: Room) -> None:
    for i in range(4):
        await room.carol.post("/channels", {"team_id": room.tid, "name": f"topic-{i}", "display_name": f"Topic {i}", "type": "O"}, expect=201)
    everything = await room.carol.get(f"/teams/{room.tid}/channels?per_page=200")
    assert len(everything) == 7
    pages = [await room.carol.get(f"/teams/{room.tid}/channels?page={p}&per_page=3") for p in range(4)]
    assert [len(p) for p in pages] == [3, 3, 1, 0]
    assert [c["id"] for page in pages for c in page] == [c["id"] for c in everything]
    assert len(await room.carol.get(f"/teams/{room.tid}/channels?per_page=50000")) == 7
    found = await room.carol.post(f"/teams/{room.tid}/channels/search", {"term": "topic"})
    assert sorted(c["name"] for c in found) == ["off-topic", *(f"topic-{i}" for i in range(4))]
    assert [c["name"] for c in await room.carol.post(f"/teams/{room.tid}/channels/search", {"term": "Topic 2"})] == ["topic-2"]
    assert await room.carol.post(f"/teams/{room.tid}/channels/search", {"term": "_"}) == []
    await room.carol.post(f"/teams/{room.tid}/channels/search", {"term": ["x"]}, expect=400)
    assert [c["name"] for c in await room.carol.get(f"/teams/{room.tid}/channels/autocomplete?name=off")] == ["off-topic"]
    await room.dave.post(f"/teams/{room.tid}/channels/search", {"term": "topic"}, expect=404)


# Changing -------------------------------------------------------------------------------------------------


async def test_patch_writes_system_posts_and_events(room: Room, events: list[Event]) -> None:
    cid = room.public["id"]
    patched = await room.bob.put(f"/channels/{cid}/patch", {"header": "Meet on Fridays", "purpose": "Chat", "display_name": "General"})
    assert patched["header"] == "Meet on Fridays" and patched["purpose"] == "Chat" and patched["display_name"] == "General"
    assert patched["total_msg_count"] == 3 and patched["update_at"] >= room.public["update_at"]
    posted = {p["type"]: p for p in await posts_of(room.carol, cid)}
    assert posted["system_header_change"]["props"] == {"old_header": "", "new_header": "Meet on Fridays", "username": "bob"}
    assert posted["system_header_change"]["user_id"] == room.bob.id
    assert posted["system_purpose_change"]["props"] == {"old_purpose": "", "new_purpose": "Chat", "username": "bob"}
    assert posted["system_displayname_change"]["props"] == {"old_displayname": "General talk", "new_displayname": "General", "username": "bob"}
    updated = [e for e in events if e.event == "channel_updated"]
    assert len(updated) == 1 and updated[0].broadcast.channel_id == cid and json.loads(updated[0].data["channel"])["header"] == "Meet on Fridays"
    # The same values again: nothing new to post.
    await room.bob.put(f"/channels/{cid}/patch", {"header": "Meet on Fridays"})
    assert len(await posts_of(room.carol, cid)) == 3
    cleared = await room.bob.put(f"/channels/{cid}/patch", {"header": ""})
    assert cleared["header"] == ""
    removal = await last_post(room.carol, cid)
    assert removal["type"] == "system_header_change" and removal["props"]["old_header"] == "Meet on Fridays" and removal["props"]["new_header"] == ""
    # Limits, types, and A14 (ignored fields).
    for body in ({"header": "h" * 1025}, {"purpose": "p" * 251}, {"display_name": ""}, {"display_name": "d" * 65}, {"header": 1}):
        await room.bob.put(f"/channels/{cid}/patch", body, expect=400)
    ignored = await room.bob.put(f"/channels/{cid}/patch", {"type": "P", "team_id": "a" * 26, "creator_id": room.carol.id, "delete_at": 1, "id": "b" * 26})
    assert ignored["type"] == "O" and ignored["team_id"] == room.tid and ignored["creator_id"] == room.bob.id and ignored["delete_at"] == 0


async def test_full_update(room: Room) -> None:
    cid = room.public["id"]
    await room.bob.put(f"/channels/{cid}/patch", {"purpose": "Old purpose"})
    await room.bob.put(f"/channels/{cid}", {"id": "b" * 26, "header": "x"}, expect=400)
    updated = await room.bob.put(f"/channels/{cid}", {"id": cid, "header": "Matterbridge was here", "name": "", "display_name": ""})
    assert updated["header"] == "Matterbridge was here" and updated["purpose"] == "" and updated["name"] == "general-talk"
    assert updated["display_name"] == "General talk"


async def test_privacy(room: Room, events: list[Event]) -> None:
    cid = room.public["id"]
    await room.bob.put(f"/channels/{cid}/privacy", {"privacy": "P"}, expect=403)  # team_user cannot convert
    made_private = await room.admin.put(f"/channels/{cid}/privacy", {"privacy": "P"})
    assert made_private["type"] == "P"
    assert (await last_post(room.bob, cid))["type"] == "system_change_chan_privacy"
    await room.carol.get(f"/channels/{cid}", expect=404)
    assert (await room.admin.put(f"/channels/{cid}/privacy", {"privacy": "O"}))["type"] == "O"
    assert [e.broadcast.team_id for e in events if e.event == "channel_converted"] == [room.tid]
    await room.admin.put(f"/channels/{cid}/privacy", {"privacy": "X"}, expect=400)
    town = await room.bob.get(f"/teams/{room.tid}/channels/name/town-square")
    await room.admin.put(f"/channels/{town['id']}/privacy", {"privacy": "P"}, expect=400)


async def test_archive_and_restore(room: Room, events: list[Event]) -> None:
    cid = room.public["id"]
    await room.carol.delete(f"/channels/{cid}", expect=403)  # not a member
    assert await room.bob.delete(f"/channels/{cid}") == {"status": "OK"}
    archived = await room.carol.get(f"/channels/{cid}")
    assert is_ms(archived["delete_at"])
    archiving = await last_post(room.carol, cid)
    assert archiving["type"] == "system_channel_deleted" and archiving["props"] == {"username": "bob"}
    deleted = [e for e in events if e.event == "channel_deleted"]
    assert [(e.broadcast.team_id, e.data["channel_id"]) for e in deleted] == [(room.tid, cid)] and is_ms(deleted[0].data["delete_at"])
    # Archived: no new posts, no new members, no changes.
    await room.bob.post("/posts", {"channel_id": cid, "message": "hello?"}, expect=403)
    error = await room.carol.post(f"/channels/{cid}/members", {"user_id": room.carol.id}, expect=400)
    assert error["id"] == "api.channel.add_user_to_channel.deleted.app_error"
    await room.bob.put(f"/channels/{cid}/patch", {"header": "x"}, expect=400)
    await room.bob.delete(f"/channels/{cid}", expect=400)
    # Restoring needs manage_team (team admins).
    await room.bob.post(f"/channels/{cid}/restore", expect=403)
    restored = await room.admin.post(f"/channels/{cid}/restore")
    assert restored["delete_at"] == 0 and (await last_post(room.carol, cid))["type"] == "system_channel_restored"
    await room.admin.post(f"/channels/{cid}/restore", expect=400)
    # Private archiving news goes to the channel only.
    await room.bob.delete(f"/channels/{room.private['id']}")
    private_event = [e for e in events if e.event == "channel_deleted"][-1]
    assert private_event.broadcast.channel_id == room.private["id"] and private_event.broadcast.team_id == ""
    town = await room.bob.get(f"/teams/{room.tid}/channels/name/town-square")
    assert (await room.admin.delete(f"/channels/{town['id']}", expect=400))["id"] == "api.channel.delete_channel.cannot.app_error"


# Direct and group messages --------------------------------------------------------------------------------


async def test_direct_channel_create_is_idempotent(room: Room, events: list[Event]) -> None:
    dm = await room.bob.post("/channels/direct", [room.bob.id, room.dave.id], expect=201)
    assert dm["type"] == "D" and dm["team_id"] == "" and dm["name"] == "__".join(sorted([room.bob.id, room.dave.id])) and dm["display_name"] == ""
    assert is_id(dm["id"]) and is_ms(dm["create_at"]) and dm["creator_id"] == room.bob.id
    again = await room.dave.post("/channels/direct", [room.bob.id, room.dave.id], expect=201)
    reverse = await room.bob.post("/channels/direct", [room.dave.id, room.bob.id], expect=201)
    assert again["id"] == reverse["id"] == dm["id"]
    members = await room.dave.get(f"/channels/{dm['id']}/members")
    assert sorted(m["user_id"] for m in members) == sorted([room.bob.id, room.dave.id])
    added = [e for e in events if e.event == "direct_added"]
    assert [(e.broadcast.channel_id, e.data) for e in added] == [(dm["id"], {"creator_id": room.bob.id, "teammate_id": room.dave.id})]
    # Only its two members see it; others cannot make it for them.
    await room.carol.get(f"/channels/{dm['id']}", expect=404)
    await room.carol.get(f"/channels/{dm['id']}/posts", expect=404)
    await room.carol.post("/channels/direct", [room.bob.id, room.dave.id], expect=403)
    # Admins may.
    assert (await room.admin.post("/channels/direct", [room.bob.id, room.dave.id], expect=201))["id"] == dm["id"]
    # DMs appear in every team's channel list of their members, and cannot be left, renamed or archived.
    assert dm["id"] in {c["id"] for c in await room.bob.get(f"/users/me/teams/{room.tid}/channels")}
    assert dm["id"] in {m["channel_id"] for m in await room.bob.get(f"/users/me/teams/{room.tid}/channels/members")}
    await room.bob.delete(f"/channels/{dm['id']}/members/me", expect=400)
    await room.bob.put(f"/channels/{dm['id']}/patch", {"name": "renamed"}, expect=400)
    await room.bob.delete(f"/channels/{dm['id']}", expect=400)
    await room.bob.post(f"/channels/{dm['id']}/members", {"user_id": room.carol.id}, expect=400)
    headed = await room.bob.put(f"/channels/{dm['id']}/patch", {"header": "our dm"})
    assert headed["header"] == "our dm" and (await last_post(room.dave, dm["id"]))["type"] == "system_header_change"


async def test_direct_channel_with_yourself_and_bad_input(room: Room) -> None:
    me = await room.bob.post("/channels/direct", [room.bob.id, room.bob.id], expect=201)
    assert me["name"] == f"{room.bob.id}__{room.bob.id}"
    assert [m["user_id"] for m in await room.bob.get(f"/channels/{me['id']}/members")] == [room.bob.id]
    assert (await room.bob.post("/channels/direct", [room.bob.id, room.bob.id], expect=201))["id"] == me["id"]
    await room.bob.post("/channels/direct", [room.bob.id, "a" * 26], expect=404)
    for body in ([room.bob.id], [room.bob.id, room.carol.id, room.dave.id], [room.bob.id, 5], {"a": 1}, [room.bob.id, "short"]):
        await room.bob.post("/channels/direct", body, expect=400)


async def test_group_channel(room: Room, events: list[Event]) -> None:
    gm = await room.bob.post("/channels/group", [room.carol.id, room.dave.id], expect=201)
    ids = sorted([room.bob.id, room.carol.id, room.dave.id])
    assert gm["type"] == "G" and gm["team_id"] == "" and gm["display_name"] == "bob, carol, dave"
    assert gm["name"] == hashlib.sha1("".join(ids).encode()).hexdigest() and len(gm["name"]) == 40
    again = await room.dave.post("/channels/group", [room.bob.id, room.carol.id, room.dave.id], expect=201)
    assert again["id"] == gm["id"]
    assert sorted(m["user_id"] for m in await room.carol.get(f"/channels/{gm['id']}/members")) == ids
    added = [e for e in events if e.event == "group_added"]
    assert len(added) == 1 and added[0].broadcast.channel_id == gm["id"] and json.loads(added[0].data["teammate_ids"]) == ids
    await room.admin.get(f"/channels/{gm['id']}")  # admins see everything
    outsider = await room.admin.post("/channels/group", [room.bob.id, room.carol.id], expect=201)
    assert outsider["id"] != gm["id"]
    await room.dave.get(f"/channels/{outsider['id']}", expect=404)
    too_few = await room.bob.post("/channels/group", [room.carol.id], expect=400)
    assert too_few["id"] == "api.channel.create_group.bad_size.app_error"
    await room.bob.post("/channels/group", [room.carol.id, "a" * 26], expect=404)
    await room.bob.post("/channels/group", [room.carol.id, 3], expect=400)
    # Leaving a GM is allowed; removing someone else is not.
    await room.bob.delete(f"/channels/{gm['id']}/members/{room.carol.id}", expect=400)
    await room.dave.delete(f"/channels/{gm['id']}/members/me")
    await room.dave.get(f"/channels/{gm['id']}", expect=404)


# Members --------------------------------------------------------------------------------------------------


async def test_join_and_leave_public_channel(room: Room, events: list[Event]) -> None:
    cid = room.public["id"]
    member = await room.carol.post(f"/channels/{cid}/members", {"user_id": room.carol.id}, expect=201)
    assert set(member) >= MEMBER_KEYS and member["channel_id"] == cid and member["user_id"] == room.carol.id and member["roles"] == "channel_user"
    joined = await last_post(room.bob, cid)
    assert joined["type"] == "system_join_channel" and joined["user_id"] == room.carol.id and joined["props"] == {"username": "carol"}
    # Joining yourself leaves the channel read.
    unread = await room.carol.get(f"/users/me/channels/{cid}/unread")
    assert unread["msg_count"] == 0 and unread["mention_count"] == 0
    assert [e.data for e in events if e.event == "user_added" and e.broadcast.channel_id == cid] == [{"user_id": room.carol.id, "team_id": room.tid}]
    again = await room.carol.post(f"/channels/{cid}/members", {"user_id": "me"}, expect=201)
    assert again["user_id"] == room.carol.id and len(await posts_of(room.bob, cid)) == 1
    assert await room.carol.delete(f"/channels/{cid}/members/me") == {"status": "OK"}
    left = await last_post(room.bob, cid)
    assert left["type"] == "system_leave_channel" and left["user_id"] == room.carol.id and left["props"] == {"username": "carol"}
    removed = [e for e in events if e.event == "user_removed"]
    assert {(e.broadcast.channel_id, e.broadcast.user_id) for e in removed} == {(cid, ""), ("", room.carol.id)}
    assert next(e for e in removed if e.broadcast.channel_id).data == {"user_id": room.carol.id, "remover_id": room.carol.id}
    assert next(e for e in removed if e.broadcast.user_id).data == {"channel_id": cid, "remover_id": room.carol.id}
    await room.carol.delete(f"/channels/{cid}/members/me", expect=404)
    # The channel's posts show joins and leaves in order.
    assert [p["type"] for p in await posts_of(room.carol, cid)] == ["system_join_channel", "system_leave_channel"]


async def test_add_and_remove_others(room: Room) -> None:
    cid = room.private["id"]
    # Outsiders of the private channel cannot add anyone, not even themselves.
    await room.carol.post(f"/channels/{cid}/members", {"user_id": room.carol.id}, expect=404)
    added = await room.bob.post(f"/channels/{cid}/members", {"user_id": room.carol.id}, expect=201)
    assert added["user_id"] == room.carol.id
    post = await last_post(room.carol, cid)
    assert post["type"] == "system_add_to_channel" and post["user_id"] == room.bob.id
    assert post["props"] == {"userId": room.bob.id, "username": "bob", "addedUserId": room.carol.id, "addedUsername": "carol"}
    # Added by someone else: the "added" post is unread for them.
    assert (await room.carol.get(f"/users/me/channels/{cid}/unread"))["msg_count"] == 1
    # People outside the team cannot be added; unknown users are 404.
    assert (await room.bob.post(f"/channels/{cid}/members", {"user_id": room.dave.id}, expect=400))[
        "id"
    ] == "api.channel.add_user.to.channel.failed.deleted.app_error"
    await room.bob.post(f"/channels/{cid}/members", {"user_id": "a" * 26}, expect=404)
    for body in ({}, {"user_id": 4}, {"user_id": "short"}, {"user_ids": "x"}, {"user_ids": []}):
        await room.bob.post(f"/channels/{cid}/members", body, expect=400)
    # A team member outside a public channel cannot add others to it.
    await room.carol.post(f"/channels/{room.public['id']}/members", {"user_id": room.admin.id}, expect=403)
    await room.carol.delete(f"/channels/{room.public['id']}/members/{room.bob.id}", expect=403)
    several = await room.bob.post(f"/channels/{room.public['id']}/members", {"user_ids": [room.carol.id, room.admin.id]}, expect=201)
    assert sorted(m["user_id"] for m in several) == sorted([room.carol.id, room.admin.id])
    # Removing: a channel member (manage_*_members) may; the removed user gets told.
    await room.bob.delete(f"/channels/{cid}/members/{room.carol.id}")
    post = await last_post(room.bob, cid)
    assert post["type"] == "system_remove_from_channel" and post["user_id"] == room.bob.id
    assert post["props"] == {"userId": room.bob.id, "username": "bob", "removedUserId": room.carol.id, "removedUsername": "carol"}
    await room.carol.get(f"/channels/{cid}", expect=404)
    await room.bob.delete(f"/channels/{cid}/members/{room.carol.id}", expect=404)
    # Mattermost's default scheme lets any member of a public channel remove others from it.
    await room.carol.delete(f"/channels/{room.public['id']}/members/{room.admin.id}")
    # Nobody leaves town-square while in the team.
    town = await room.bob.get(f"/teams/{room.tid}/channels/name/town-square")
    assert (await room.bob.delete(f"/channels/{town['id']}/members/me", expect=400))["id"] == "api.channel.remove.default.app_error"


async def test_member_listing_and_stats(room: Room) -> None:
    cid = room.public["id"]
    for user in (room.carol, room.admin):
        await room.bob.post(f"/channels/{cid}/members", {"user_id": user.id}, expect=201)
    members = await room.carol.get(f"/channels/{cid}/members")
    assert sorted(m["user_id"] for m in members) == sorted([room.bob.id, room.carol.id, room.admin.id])
    pages = [await room.carol.get(f"/channels/{cid}/members?page={p}&per_page=2") for p in range(3)]
    assert [len(p) for p in pages] == [2, 1, 0]
    by_ids = await room.carol.post(f"/channels/{cid}/members/ids", [room.bob.id, room.dave.id])
    assert [m["user_id"] for m in by_ids] == [room.bob.id]
    await room.carol.get(f"/channels/{cid}/members/{room.dave.id}", expect=404)
    pinned = await room.bob.post("/posts", {"channel_id": cid, "message": "agenda"}, expect=201)
    await room.bob.post(f"/posts/{pinned['id']}/pin")
    stats = await room.carol.get(f"/channels/{cid}/stats")
    assert stats == {"channel_id": cid, "member_count": 3, "guest_count": 0, "pinnedpost_count": 1, "files_count": 0}
    await room.admin.delete(f"/users/{room.carol.id}")
    assert (await room.bob.get(f"/channels/{cid}/stats"))["member_count"] == 2
    assert await room.bob.get(f"/channels/{cid}/timezones") == []


async def test_member_roles(room: Room, events: list[Event]) -> None:
    cid = room.public["id"]
    await room.bob.post(f"/channels/{cid}/members", {"user_id": room.carol.id}, expect=201)
    await room.carol.put(f"/channels/{cid}/members/{room.carol.id}/roles", {"roles": "channel_user channel_admin"}, expect=403)
    assert await room.bob.put(f"/channels/{cid}/members/{room.carol.id}/roles", {"roles": "channel_user channel_admin"}) == {"status": "OK"}
    promoted = await room.carol.get(f"/channels/{cid}/members/me")
    assert promoted["roles"] == "channel_user channel_admin" and promoted["scheme_admin"] is True
    updated = [e for e in events if e.event == "channel_member_updated"]
    assert updated[-1].broadcast.user_id == room.carol.id and json.loads(updated[-1].data["channelMember"])["scheme_admin"] is True
    await room.bob.put(f"/channels/{cid}/members/{room.carol.id}/schemeRoles", {"scheme_admin": False, "scheme_user": True})
    assert (await room.carol.get(f"/channels/{cid}/members/me"))["roles"] == "channel_user"
    for body in ({"roles": "team_admin channel_user"}, {"roles": "channel_admin"}, {"roles": None}):
        await room.bob.put(f"/channels/{cid}/members/{room.carol.id}/roles", body, expect=400)
    for body in ({"scheme_user": True}, {"scheme_admin": 1, "scheme_user": True}, {"scheme_admin": False, "scheme_user": False}):
        await room.bob.put(f"/channels/{cid}/members/{room.carol.id}/schemeRoles", body, expect=400)
    await room.bob.put(f"/channels/{cid}/members/{room.dave.id}/roles", {"roles": "channel_user"}, expect=404)


async def test_notify_props(room: Room, events: list[Event]) -> None:
    cid = room.public["id"]
    assert await room.bob.put(f"/channels/{cid}/members/me/notify_props", {"desktop": "none", "mark_unread": "mention"}) == {"status": "OK"}
    props = (await room.bob.get(f"/channels/{cid}/members/me"))["notify_props"]
    assert props["desktop"] == "none" and props["mark_unread"] == "mention" and props["push"] == "default"
    assert json.loads([e for e in events if e.event == "channel_member_updated"][-1].data["channelMember"])["notify_props"]["desktop"] == "none"
    for body in ({"desktop": "loud"}, {"mark_unread": "all-of-it"}, {"push": 1}, {"ignore_channel_mentions": "maybe"}, {"custom": "x" * 257}):
        await room.bob.put(f"/channels/{cid}/members/me/notify_props", body, expect=400)
    await room.carol.put(f"/channels/{cid}/members/{room.bob.id}/notify_props", {"desktop": "all"}, expect=403)
    await room.carol.put(f"/channels/{cid}/members/me/notify_props", {"desktop": "all"}, expect=404)
    assert (await room.bob.get(f"/channels/{cid}/members/me"))["notify_props"]["desktop"] == "none"


# Read state and unread counts ---------------------------------------------------------------------------


async def test_view_and_unread_counts(room: Room, events: list[Event]) -> None:
    cid = room.public["id"]
    await room.bob.post(f"/channels/{cid}/members", {"user_id": room.carol.id}, expect=201)
    await room.carol.post(f"/channels/members/{room.carol.id}/view", {"channel_id": cid})
    start = await room.carol.get(f"/users/me/channels/{cid}/unread")
    assert set(start) >= UNREAD_KEYS and start["team_id"] == room.tid and start["channel_id"] == cid
    assert start["msg_count"] == 0 and start["mention_count"] == 0
    await room.bob.post("/posts", {"channel_id": cid, "message": "plain"}, expect=201)
    root = await room.bob.post("/posts", {"channel_id": cid, "message": "@carol look"}, expect=201)
    await room.bob.post("/posts", {"channel_id": cid, "message": "and @carol again", "root_id": root["id"]}, expect=201)
    unread = await room.carol.get(f"/users/{room.carol.id}/channels/{cid}/unread")
    assert unread == {**unread, "msg_count": 3, "msg_count_root": 2, "mention_count": 2, "mention_count_root": 1, "urgent_mention_count": 0}
    # The member row holds what was seen (Mattermost's msg_count), not the unread count.
    seen = await room.carol.get(f"/channels/{cid}/members/me")
    channel = await room.carol.get(f"/channels/{cid}")
    assert channel["total_msg_count"] - seen["msg_count"] == 3 and seen["mention_count"] == 2
    viewed = await room.carol.post("/channels/members/me/view", {"channel_id": cid, "prev_channel_id": "", "collapsed_threads_supported": True})
    assert viewed["status"] == "OK" and list(viewed["last_viewed_at_times"]) == [cid] and is_ms(viewed["last_viewed_at_times"][cid])
    cleared = await room.carol.get(f"/users/me/channels/{cid}/unread")
    assert cleared == {**cleared, "msg_count": 0, "msg_count_root": 0, "mention_count": 0, "mention_count_root": 0}
    member = await room.carol.get(f"/channels/{cid}/members/me")
    assert member["last_viewed_at"] == viewed["last_viewed_at_times"][cid]
    times = [e for e in events if e.event == "multiple_channels_viewed"]
    assert times[-1].broadcast.user_id == room.carol.id and times[-1].data == {"channel_times": viewed["last_viewed_at_times"]}
    # Empty and foreign channel ids are fine (nothing to mark); malformed ones are not; only for yourself.
    assert await room.carol.post("/channels/members/me/view", {"channel_id": ""}) == {"status": "OK", "last_viewed_at_times": {}}
    assert (await room.carol.post("/channels/members/me/view", {"channel_id": room.private["id"]}))["last_viewed_at_times"] == {}
    await room.carol.post("/channels/members/me/view", {"channel_id": "bad"}, expect=400)
    await room.carol.post("/channels/members/me/view", {"channel_id": 5}, expect=400)
    await room.carol.post(f"/channels/members/{room.bob.id}/view", {"channel_id": cid}, expect=403)
    # Unread of someone else, or of a channel you are not in.
    await room.carol.get(f"/users/{room.bob.id}/channels/{cid}/unread", expect=403)
    await room.carol.get(f"/users/me/channels/{room.private['id']}/unread", expect=404)
    assert (await room.admin.get(f"/users/{room.carol.id}/channels/{cid}/unread"))["msg_count"] == 0


async def test_user_channel_lists(room: Room) -> None:
    dm = await room.bob.post("/channels/direct", [room.bob.id, room.carol.id], expect=201)
    other = await room.admin.post("/teams", {"name": "other", "display_name": "Other"}, expect=201)
    await room.admin.post(f"/teams/{other['id']}/members", {"team_id": other["id"], "user_id": room.bob.id}, expect=201)
    in_team = {c["name"] for c in await room.bob.get(f"/users/me/teams/{room.tid}/channels")}
    assert in_team == {"town-square", "off-topic", "general-talk", "plans", dm["name"]}
    in_other = {c["id"] for c in await room.bob.get(f"/users/me/teams/{other['id']}/channels")}
    assert dm["id"] in in_other and len(in_other) == 3
    everywhere = await room.bob.get(f"/users/{room.bob.id}/channels")
    assert len(everywhere) == 7 and dm["id"] in {c["id"] for c in everywhere}
    members = await room.bob.get(f"/users/me/teams/{room.tid}/channels/members")
    assert {m["channel_id"] for m in members} == {c["id"] for c in await room.bob.get(f"/users/me/teams/{room.tid}/channels")}
    assert len(await room.bob.get("/users/me/channel_members")) == 7
    assert len(await room.bob.get("/users/me/channel_members?page=1&per_page=5")) == 2
    # Archived ones only when asked for (and only those archived after last_delete_at).
    await room.bob.delete(f"/channels/{room.public['id']}")
    assert "general-talk" not in {c["name"] for c in await room.bob.get(f"/users/me/teams/{room.tid}/channels")}
    with_deleted = await room.bob.get(f"/users/me/teams/{room.tid}/channels?include_deleted=true&last_delete_at=0")
    assert "general-talk" in {c["name"] for c in with_deleted}
    later = await room.bob.get(f"/users/me/teams/{room.tid}/channels?include_deleted=true&last_delete_at=99999999999999")
    assert "general-talk" not in {c["name"] for c in later}
    # An out-of-range timestamp is a clear 400, not a database overflow.
    await room.bob.get(f"/users/me/teams/{room.tid}/channels?include_deleted=true&last_delete_at={10**30}", expect=400)
    assert await room.bob.get(f"/users/me/channel_members?page={10**30}&per_page=1000") == []
    await room.bob.get(f"/users/me/teams/{room.tid}/channels?include_deleted=maybe", expect=400)
    # Someone else's lists are for admins (A16); a team you are not in is not found.
    await room.carol.get(f"/users/{room.bob.id}/teams/{room.tid}/channels", expect=403)
    await room.carol.get(f"/users/{room.bob.id}/channels", expect=403)
    await room.carol.get(f"/users/{room.bob.id}/teams/{room.tid}/channels/members", expect=403)
    await room.carol.get(f"/users/me/teams/{other['id']}/channels", expect=404)
    assert len(await room.admin.get(f"/users/{room.bob.id}/teams/{room.tid}/channels")) == 4
