"""Teams: create, read, patch, archive; membership with default channels and system posts; roles, stats, unread."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from kafana.events import Event
from tests.helpers import Api

TEAM_KEYS = {
    "id", "create_at", "update_at", "delete_at", "display_name", "name", "description", "email", "type", "company_name",
    "allowed_domains", "invite_id", "allow_open_invite", "scheme_id", "group_constrained",
}  # fmt: skip
MEMBER_KEYS = {"team_id", "user_id", "roles", "delete_at", "scheme_user", "scheme_admin", "scheme_guest"}


@dataclass
class Crew:
    team: dict[str, Any]
    admin: Api  # system admin, team creator
    bob: Api  # team member
    carol: Api  # not in the team


@pytest.fixture
async def crew(admin: Api, anon: Api, team: dict[str, Any]) -> Crew:
    bob = await anon.signup("bob")
    carol = await anon.signup("carol")
    await admin.post(f"/teams/{team['id']}/members", {"team_id": team["id"], "user_id": bob.id}, expect=201)
    return Crew(team, admin, bob, carol)


async def channel_by_name(api: Api, team_id: str, name: str) -> dict[str, Any]:
    found: dict[str, Any] = await api.get(f"/teams/{team_id}/channels/name/{name}")
    return found


async def system_posts(api: Api, channel_id: str) -> list[dict[str, Any]]:
    page = await api.get(f"/channels/{channel_id}/posts")
    return [page["posts"][pid] for pid in reversed(page["order"]) if page["posts"][pid]["type"].startswith("system_")]


def is_id(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 26 and value.isalnum() and value.islower()


def is_ms(value: Any) -> bool:
    return isinstance(value, int) and value > 1_600_000_000_000


# Creating -------------------------------------------------------------------------------------------------


async def test_create_team_shape_creator_and_default_channels(admin: Api, events: list[Event]) -> None:
    team = await admin.post("/teams", {"name": "core", "display_name": "Core", "type": "O", "description": "The core crew"}, expect=201)
    assert set(team) >= TEAM_KEYS
    assert is_id(team["id"]) and is_ms(team["create_at"]) and team["update_at"] == team["create_at"] and team["delete_at"] == 0
    assert team["name"] == "core" and team["display_name"] == "Core" and team["description"] == "The core crew" and team["type"] == "O"
    assert team["email"] == "admin@example.com" and is_id(team["invite_id"]) and team["allow_open_invite"] is False
    assert team["scheme_id"] is None and team["company_name"] == "" and team["allowed_domains"] == ""
    member = await admin.get(f"/teams/{team['id']}/members/{admin.id}")
    assert set(member) >= MEMBER_KEYS
    assert member == {**member, "team_id": team["id"], "user_id": admin.id, "roles": "team_user team_admin", "delete_at": 0, "scheme_admin": True}
    channels = await admin.get(f"/teams/{team['id']}/channels")
    assert sorted((c["name"], c["display_name"], c["type"]) for c in channels) == [("off-topic", "Off-Topic", "O"), ("town-square", "Town Square", "O")]
    mine = await admin.get(f"/users/me/teams/{team['id']}/channels")
    assert {c["name"] for c in mine} == {"town-square", "off-topic"}
    town = next(c for c in channels if c["name"] == "town-square")
    joined = await system_posts(admin, town["id"])
    assert [(p["type"], p["user_id"], p["props"]) for p in joined] == [("system_join_team", admin.id, {"username": "admin"})]
    # The creator has read the channel they joined themself.
    unread = await admin.get(f"/users/me/channels/{town['id']}/unread")
    assert unread["msg_count"] == 0 and unread["mention_count"] == 0
    added = [e for e in events if e.event == "added_to_team"]
    assert [(e.broadcast.user_id, e.data) for e in added] == [(admin.id, {"team_id": team["id"], "user_id": admin.id})]


async def test_create_team_validation_writes_nothing(admin: Api, team: dict[str, Any]) -> None:
    exists = await admin.post("/teams", {"name": "core", "display_name": "Again", "type": "O"}, expect=400)
    assert exists["id"] == "store.sql_team.save_team.existing.app_error"
    bad_bodies: list[dict[str, Any]] = [
        {"name": "Core2", "display_name": "x"},
        {"name": "a", "display_name": "x"},
        {"name": "has space", "display_name": "x"},
        {"name": "-dash", "display_name": "x"},
        {"name": "api", "display_name": "x"},
        {"name": "n" * 65, "display_name": "x"},
        {"name": "fine", "display_name": ""},
        {"name": "fine", "display_name": "   "},
        {"name": "fine", "display_name": "x" * 65},
        {"name": "fine", "display_name": "x", "type": "X"},
        {"name": "fine", "display_name": "x", "description": "d" * 256},
        {"name": "fine", "display_name": "x", "company_name": "c" * 65},
        {"name": "fine", "display_name": "x", "allowed_domains": "a" * 1001},
        {"name": 5, "display_name": "x"},
        {"name": "fine", "display_name": ["x"]},
        {"name": "fine", "display_name": "x", "allow_open_invite": "yes"},
        {"display_name": "x"},
    ]
    for body in bad_bodies:
        error = await admin.post("/teams", body, expect=400)
        assert error["id"].startswith(("model.team.is_valid.", "api.context.")), (body, error)
    await admin.post("/teams", [1, 2], expect=400)
    assert [t["name"] for t in await admin.get("/teams")] == ["core"]
    reserved = await admin.post("/teams", {"name": "signup", "display_name": "x"}, expect=400)
    assert reserved["id"] == "model.team.is_valid.reserved.app_error"
    limits = await admin.post("/teams", {"name": "fine", "display_name": "x" * 65}, expect=400)
    assert limits["id"] == "model.team.is_valid.display_name.app_error"
    longest = {"name": "n" * 64, "display_name": "x" * 64, "description": "d" * 255, "company_name": "c" * 64, "allowed_domains": "a" * 1000}
    made = await admin.post("/teams", longest, expect=201)
    assert {k: made[k] for k in longest} == longest


async def test_create_team_ignores_mass_assignment(admin: Api) -> None:
    """A14: ids, timestamps, invite ids, emails and schemes come from the server, never from the body."""
    body = {
        "name": "forged", "display_name": "Forged", "type": "O", "id": "a" * 26, "create_at": 1, "update_at": 1, "delete_at": 5,
        "invite_id": "chosen", "email": "evil@example.com", "scheme_id": "s" * 26, "group_constrained": True,
    }  # fmt: skip
    team = await admin.post("/teams", body, expect=201)
    assert team["id"] != "a" * 26 and is_ms(team["create_at"]) and team["delete_at"] == 0
    assert team["invite_id"] != "chosen" and team["email"] == "admin@example.com" and team["scheme_id"] is None


# Reading --------------------------------------------------------------------------------------------------


async def test_team_visibility_for_non_members(crew: Crew) -> None:
    tid = crew.team["id"]
    # Invite-only (not open): outsiders get the same 404 as for a team that does not exist.
    missing = await crew.carol.get("/teams/" + "a" * 26, expect=404)
    for path in (f"/teams/{tid}", "/teams/name/core", f"/teams/{tid}/members", f"/teams/{tid}/members/{crew.bob.id}", f"/teams/{tid}/stats"):
        error = await crew.carol.get(path, expect=404)
        assert error["id"] == missing["id"] == "app.team.get.app_error"
    assert await crew.carol.get("/teams") == []
    # Members see it, sanitized: no email for those who cannot manage it; the invite id, since members may invite.
    seen = await crew.bob.get(f"/teams/{tid}")
    assert seen["name"] == "core" and seen["email"] == "" and seen["invite_id"] == crew.team["invite_id"] != ""
    assert (await crew.bob.get("/teams/name/CORE"))["id"] == tid
    assert (await crew.admin.get(f"/teams/{tid}"))["invite_id"] != ""
    # Open teams are visible (and listed) to anyone, still sanitized.
    await crew.admin.put(f"/teams/{tid}/patch", {"allow_open_invite": True})
    opened = await crew.carol.get(f"/teams/{tid}")
    assert opened["allow_open_invite"] is True and opened["email"] == "" and opened["invite_id"] == ""
    assert [t["id"] for t in await crew.carol.get("/teams")] == [tid]
    # Member lists still need membership.
    await crew.carol.get(f"/teams/{tid}/members", expect=404)


async def test_list_teams_paging_and_admin_view(crew: Crew) -> None:
    for i in range(3):
        await crew.admin.post("/teams", {"name": f"extra{i}", "display_name": f"Extra {i}"}, expect=201)
    everything = await crew.admin.get("/teams?per_page=200")
    assert len(everything) == 4
    first = await crew.admin.get("/teams?page=0&per_page=2")
    second = await crew.admin.get("/teams?page=1&per_page=2")
    assert [t["id"] for t in first + second] == [t["id"] for t in everything]
    assert await crew.admin.get("/teams?page=9&per_page=2") == []
    counted = await crew.admin.get("/teams?include_total_count=true&per_page=1")
    assert counted["total_count"] == 4 and len(counted["teams"]) == 1
    # bob sees only his team.
    assert [t["name"] for t in await crew.bob.get("/teams")] == ["core"]
    assert (await crew.bob.get("/teams?include_total_count=true"))["total_count"] == 1


async def test_user_teams_and_members(crew: Crew) -> None:
    tid = crew.team["id"]
    teams = await crew.bob.get("/users/me/teams")
    assert [t["id"] for t in teams] == [tid] and teams[0]["email"] == ""
    members = await crew.bob.get(f"/users/{crew.bob.id}/teams/members")
    assert len(members) == 1 and members[0]["roles"] == "team_user" and members[0]["scheme_admin"] is False
    # A16: other people's teams and memberships are for admins.
    await crew.bob.get(f"/users/{crew.admin.id}/teams", expect=403)
    await crew.bob.get(f"/users/{crew.admin.id}/teams/members", expect=403)
    assert [t["id"] for t in await crew.admin.get(f"/users/{crew.bob.id}/teams")] == [tid]
    assert await crew.carol.get("/users/me/teams") == [] and await crew.carol.get("/users/me/teams/members") == []
    listed = await crew.bob.get(f"/teams/{tid}/members")
    assert sorted(m["user_id"] for m in listed) == sorted([crew.admin.id, crew.bob.id])
    paged = [await crew.bob.get(f"/teams/{tid}/members?page={p}&per_page=1") for p in range(3)]
    assert [len(p) for p in paged] == [1, 1, 0]
    by_ids = await crew.bob.post(f"/teams/{tid}/members/ids", [crew.admin.id, crew.carol.id])
    assert [m["user_id"] for m in by_ids] == [crew.admin.id]
    await crew.bob.get(f"/teams/{tid}/members/{crew.carol.id}", expect=404)
    await crew.bob.get(f"/teams/{tid}/members/not-an-id", expect=400)


async def test_team_stats(crew: Crew) -> None:
    tid = crew.team["id"]
    assert await crew.bob.get(f"/teams/{tid}/stats") == {"team_id": tid, "total_member_count": 2, "active_member_count": 2}
    await crew.admin.post(f"/teams/{tid}/members", {"team_id": tid, "user_id": crew.carol.id}, expect=201)
    await crew.admin.delete(f"/users/{crew.carol.id}")
    assert await crew.bob.get(f"/teams/{tid}/stats") == {"team_id": tid, "total_member_count": 3, "active_member_count": 2}


async def test_search_teams(crew: Crew) -> None:
    await crew.admin.post("/teams", {"name": "corals", "display_name": "Reef", "allow_open_invite": True}, expect=201)
    await crew.admin.post("/teams", {"name": "secret", "display_name": "Core secret"}, expect=201)
    assert sorted(t["name"] for t in await crew.admin.post("/teams/search", {"term": "cor"})) == ["corals", "core", "secret"]
    assert sorted(t["name"] for t in await crew.bob.post("/teams/search", {"term": "cor"})) == ["corals", "core"]
    assert [t["name"] for t in await crew.carol.post("/teams/search", {"term": "REEF"})] == ["corals"]
    assert await crew.carol.post("/teams/search", {"term": "%"}) == []
    await crew.bob.post("/teams/search", {"term": 5}, expect=400)


# Changing -------------------------------------------------------------------------------------------------


async def test_patch_team_permissions_fields_and_event(crew: Crew, events: list[Event]) -> None:
    tid = crew.team["id"]
    await crew.bob.put(f"/teams/{tid}/patch", {"display_name": "Mine"}, expect=403)
    await crew.carol.put(f"/teams/{tid}/patch", {"display_name": "Mine"}, expect=404)
    before = await crew.admin.get(f"/teams/{tid}")
    patch = {
        "display_name": "Core Crew", "description": "We run things", "company_name": "WMF", "allowed_domains": "example.com",
        "allow_open_invite": True,
        # A14: none of these may change.
        "name": "renamed", "id": "a" * 26, "invite_id": "x", "email": "evil@example.com", "type": "I", "scheme_id": "s" * 26, "delete_at": 1,
    }  # fmt: skip
    patched = await crew.admin.put(f"/teams/{tid}/patch", patch)
    assert patched["display_name"] == "Core Crew" and patched["description"] == "We run things" and patched["company_name"] == "WMF"
    assert patched["allowed_domains"] == "example.com" and patched["allow_open_invite"] is True
    assert {k: patched[k] for k in ("id", "name", "invite_id", "email", "type", "scheme_id", "delete_at", "create_at")} == {
        k: before[k] for k in ("id", "name", "invite_id", "email", "type", "scheme_id", "delete_at", "create_at")
    }
    assert patched["update_at"] >= before["update_at"]
    update = next(e for e in events if e.event == "update_team")
    assert update.broadcast.team_id == tid and json.loads(update.data["team"])["display_name"] == "Core Crew"
    assert json.loads(update.data["team"])["invite_id"] == ""
    # A team admin (not a system admin) may patch too.
    await crew.admin.put(f"/teams/{tid}/members/{crew.bob.id}/schemeRoles", {"scheme_admin": True, "scheme_user": True})
    assert (await crew.bob.put(f"/teams/{tid}/patch", {"description": "bob was here"}))["description"] == "bob was here"
    # Bad input changes nothing.
    await crew.admin.put(f"/teams/{tid}/patch", {"display_name": ""}, expect=400)
    await crew.admin.put(f"/teams/{tid}/patch", {"description": "d" * 256}, expect=400)
    await crew.admin.put(f"/teams/{tid}/patch", {"allow_open_invite": "true"}, expect=400)
    await crew.admin.put(f"/teams/{tid}/patch", {"display_name": 7}, expect=400)
    assert (await crew.admin.get(f"/teams/{tid}"))["display_name"] == "Core Crew"


async def test_full_update_and_privacy(crew: Crew) -> None:
    tid = crew.team["id"]
    await crew.admin.put(f"/teams/{tid}", {"id": "b" * 26, "display_name": "X"}, expect=400)
    updated = await crew.admin.put(f"/teams/{tid}", {"id": tid, "display_name": "Updated", "name": "nope"})
    assert updated["display_name"] == "Updated" and updated["name"] == "core"
    await crew.bob.put(f"/teams/{tid}/privacy", {"privacy": "O"}, expect=403)
    opened = await crew.admin.put(f"/teams/{tid}/privacy", {"privacy": "O"})
    assert opened["type"] == "O" and opened["allow_open_invite"] is True
    closed = await crew.admin.put(f"/teams/{tid}/privacy", {"privacy": "I"})
    assert closed["type"] == "I" and closed["allow_open_invite"] is False
    await crew.admin.put(f"/teams/{tid}/privacy", {"privacy": "X"}, expect=400)


async def test_archive_and_restore_team(crew: Crew, events: list[Event]) -> None:
    tid = crew.team["id"]
    await crew.bob.delete(f"/teams/{tid}", expect=403)
    await crew.carol.delete(f"/teams/{tid}", expect=404)
    assert await crew.admin.delete(f"/teams/{tid}") == {"status": "OK"}
    archived = await crew.admin.get(f"/teams/{tid}")
    assert is_ms(archived["delete_at"])
    assert await crew.bob.get("/users/me/teams") == [] and await crew.admin.get("/teams") == []
    assert [e.broadcast.team_id for e in events if e.event == "delete_team"] == [tid]
    # Nothing joins an archived team.
    await crew.admin.post(f"/teams/{tid}/members", {"team_id": tid, "user_id": crew.carol.id}, expect=404)
    await crew.admin.delete(f"/teams/{tid}", expect=400)
    restored = await crew.admin.post(f"/teams/{tid}/restore")
    assert restored["delete_at"] == 0
    assert [t["id"] for t in await crew.bob.get("/users/me/teams")] == [tid]


# Membership -----------------------------------------------------------------------------------------------


async def test_add_member_joins_default_channels_with_system_posts(crew: Crew, events: list[Event]) -> None:
    tid = crew.team["id"]
    member = await crew.admin.post(f"/teams/{tid}/members", {"team_id": tid, "user_id": crew.carol.id}, expect=201)
    assert member == {**member, "team_id": tid, "user_id": crew.carol.id, "roles": "team_user", "delete_at": 0, "scheme_user": True, "scheme_admin": False}
    town = await channel_by_name(crew.carol, tid, "town-square")
    off = await channel_by_name(crew.carol, tid, "off-topic")
    added = (await system_posts(crew.carol, town["id"]))[-1]
    assert added["type"] == "system_add_to_team" and added["user_id"] == crew.admin.id
    assert added["props"] == {"userId": crew.admin.id, "username": "admin", "addedUserId": crew.carol.id, "addedUsername": "carol"}
    assert (await system_posts(crew.carol, off["id"]))[-1]["type"] == "system_add_to_channel"
    # Being added by someone else leaves the "added" post unread.
    assert (await crew.carol.get(f"/users/me/channels/{town['id']}/unread"))["msg_count"] == 1
    assert [e.data for e in events if e.event == "added_to_team"] == [{"team_id": tid, "user_id": crew.carol.id}]
    assert {e.broadcast.channel_id for e in events if e.event == "user_added"} == {town["id"], off["id"]}
    # Adding again is idempotent.
    again = await crew.admin.post(f"/teams/{tid}/members", {"team_id": tid, "user_id": crew.carol.id}, expect=201)
    assert again == member
    assert len(await system_posts(crew.carol, town["id"])) == len(await system_posts(crew.admin, town["id"]))
    # "me" works in the body; team_id must match the URL.
    await crew.carol.post(f"/teams/{tid}/members", {"team_id": "a" * 26, "user_id": "me"}, expect=400)


async def test_who_may_add_members(crew: Crew, anon: Api) -> None:
    tid = crew.team["id"]
    dave = await anon.signup("dave")
    # Invite-only: outsiders cannot join themselves, or even see the team.
    await crew.carol.post(f"/teams/{tid}/members", {"team_id": tid, "user_id": crew.carol.id}, expect=404)
    # A team member may add people (add_user_to_team is in team_user).
    await crew.bob.post(f"/teams/{tid}/members", {"team_id": tid, "user_id": dave.id}, expect=201)
    # Unknown and deactivated users.
    await crew.bob.post(f"/teams/{tid}/members", {"team_id": tid, "user_id": "a" * 26}, expect=404)
    await crew.admin.delete(f"/users/{crew.carol.id}")
    await crew.admin.post(f"/teams/{tid}/members", {"team_id": tid, "user_id": crew.carol.id}, expect=400)
    await crew.admin.post(f"/teams/{tid}/members", {"team_id": tid, "user_id": 5}, expect=400)
    await crew.admin.post(f"/teams/{tid}/members", {"team_id": tid}, expect=400)


async def test_self_join_open_team(crew: Crew) -> None:
    tid = crew.team["id"]
    await crew.admin.put(f"/teams/{tid}/patch", {"allow_open_invite": True})
    # A non-member cannot add others to an open team.
    await crew.carol.post(f"/teams/{tid}/members", {"team_id": tid, "user_id": crew.admin.id}, expect=403)
    joined = await crew.carol.post(f"/teams/{tid}/members", {"team_id": tid, "user_id": "me"}, expect=201)
    assert joined["user_id"] == crew.carol.id and joined["roles"] == "team_user"
    town = await channel_by_name(crew.carol, tid, "town-square")
    mine = (await system_posts(crew.carol, town["id"]))[-1]
    assert mine["type"] == "system_join_team" and mine["user_id"] == crew.carol.id and mine["props"] == {"username": "carol"}
    assert (await crew.carol.get(f"/users/me/channels/{town['id']}/unread"))["msg_count"] == 0


async def test_allowed_domains(crew: Crew, anon: Api) -> None:
    tid = crew.team["id"]
    await crew.admin.put(f"/teams/{tid}/patch", {"allowed_domains": "wikimedia.org", "allow_open_invite": True})
    error = await crew.carol.post(f"/teams/{tid}/members", {"team_id": tid, "user_id": crew.carol.id}, expect=400)
    assert error["id"] == "api.team.join_user_to_team.allowed_domains.app_error"
    wm = await anon.signup("wm", email="wm@wikimedia.org")
    await wm.post(f"/teams/{tid}/members", {"team_id": tid, "user_id": wm.id}, expect=201)


async def test_batch_add_is_all_or_nothing(crew: Crew, anon: Api) -> None:
    tid = crew.team["id"]
    dave = await anon.signup("dave")
    body = [{"team_id": tid, "user_id": crew.carol.id}, {"team_id": tid, "user_id": "a" * 26}]
    await crew.admin.post(f"/teams/{tid}/members/batch", body, expect=404)
    await crew.admin.get(f"/teams/{tid}/members/{crew.carol.id}", expect=404)
    added = await crew.admin.post(f"/teams/{tid}/members/batch", [{"team_id": tid, "user_id": u} for u in (crew.carol.id, dave.id)], expect=201)
    assert sorted(m["user_id"] for m in added) == sorted([crew.carol.id, dave.id])
    await crew.admin.post(f"/teams/{tid}/members/batch", {"team_id": tid}, expect=400)
    await crew.admin.post(f"/teams/{tid}/members/batch", [{"team_id": tid, "user_id": 1}], expect=400)


async def test_leave_team_removes_channel_memberships(crew: Crew, events: list[Event]) -> None:
    """A9: once out of the team, its channels (private ones included) are closed to the former member."""
    tid = crew.team["id"]
    private = await crew.bob.post("/channels", {"team_id": tid, "name": "plans", "display_name": "Plans", "type": "P"}, expect=201)
    town = await channel_by_name(crew.bob, tid, "town-square")
    assert await crew.bob.delete(f"/teams/{tid}/members/me") == {"status": "OK"}
    left = await crew.admin.get(f"/teams/{tid}/members/{crew.bob.id}")
    assert is_ms(left["delete_at"])
    assert [m["user_id"] for m in await crew.admin.get(f"/teams/{tid}/members")] == [crew.admin.id]
    await crew.admin.get(f"/channels/{town['id']}/members/{crew.bob.id}", expect=404)
    await crew.admin.get(f"/channels/{private['id']}/members/{crew.bob.id}", expect=404)
    for path in (f"/teams/{tid}/channels", f"/channels/{private['id']}", f"/channels/{town['id']}", f"/users/me/teams/{tid}/channels", f"/teams/{tid}"):
        await crew.bob.get(path, expect=404)
    assert await crew.bob.get("/users/me/teams") == [] and await crew.bob.get("/users/me/teams/members") == []
    posted = (await system_posts(crew.admin, town["id"]))[-1]
    assert posted["type"] == "system_leave_team" and posted["user_id"] == crew.bob.id and posted["props"] == {"username": "bob"}
    leave = [e for e in events if e.event == "leave_team"]
    assert {(e.broadcast.team_id, e.broadcast.user_id) for e in leave} == {(tid, ""), ("", crew.bob.id)}
    assert all(e.data == {"team_id": tid, "user_id": crew.bob.id} for e in leave)
    assert crew.bob.id in next(e for e in leave if e.broadcast.team_id).broadcast.omit_users
    assert {e.data.get("channel_id") for e in events if e.event == "user_removed" and e.broadcast.user_id == crew.bob.id} >= {town["id"], private["id"]}
    await crew.bob.delete(f"/teams/{tid}/members/me", expect=404)
    # Added back, they are in the default channels again (not in the private one).
    await crew.admin.post(f"/teams/{tid}/members", {"team_id": tid, "user_id": crew.bob.id}, expect=201)
    assert {c["name"] for c in await crew.bob.get(f"/users/me/teams/{tid}/channels")} == {"town-square", "off-topic"}


async def test_remove_member_needs_permission(crew: Crew) -> None:
    tid = crew.team["id"]
    await crew.admin.post(f"/teams/{tid}/members", {"team_id": tid, "user_id": crew.carol.id}, expect=201)
    await crew.bob.delete(f"/teams/{tid}/members/{crew.carol.id}", expect=403)
    await crew.admin.delete(f"/teams/{tid}/members/{crew.carol.id}")
    town = await channel_by_name(crew.admin, tid, "town-square")
    posted = (await system_posts(crew.admin, town["id"]))[-1]
    assert posted["type"] == "system_remove_from_team" and posted["user_id"] == crew.admin.id
    assert posted["props"] == {"userId": crew.admin.id, "username": "admin", "removedUserId": crew.carol.id, "removedUsername": "carol"}
    await crew.admin.delete(f"/teams/{tid}/members/{crew.carol.id}", expect=404)
    await crew.admin.delete(f"/teams/{tid}/members/" + "a" * 26, expect=404)


async def test_member_roles(crew: Crew, events: list[Event]) -> None:
    tid = crew.team["id"]
    await crew.bob.put(f"/teams/{tid}/members/{crew.bob.id}/roles", {"roles": "team_user team_admin"}, expect=403)
    await crew.bob.put(f"/teams/{tid}/members/{crew.bob.id}/schemeRoles", {"scheme_admin": True, "scheme_user": True}, expect=403)
    assert await crew.admin.put(f"/teams/{tid}/members/{crew.bob.id}/roles", {"roles": "team_user team_admin"}) == {"status": "OK"}
    promoted = await crew.bob.get(f"/teams/{tid}/members/me")
    assert promoted["roles"] == "team_user team_admin" and promoted["scheme_admin"] is True
    assert json.loads(next(e for e in events if e.event == "memberrole_updated").data["member"])["scheme_admin"] is True
    # A team admin sees the team's invite id.
    assert (await crew.bob.get(f"/teams/{tid}"))["invite_id"] != ""
    await crew.bob.put(f"/teams/{tid}/members/{crew.bob.id}/schemeRoles", {"scheme_admin": False, "scheme_user": True})
    assert (await crew.bob.get(f"/teams/{tid}/members/me"))["roles"] == "team_user"
    for body in ({"roles": "system_admin team_user"}, {"roles": "team_admin"}, {"roles": ""}, {"roles": 3}):
        await crew.admin.put(f"/teams/{tid}/members/{crew.bob.id}/roles", body, expect=400)
    for body in ({"scheme_admin": True}, {"scheme_admin": "yes", "scheme_user": True}, {"scheme_admin": False, "scheme_user": False}):
        await crew.admin.put(f"/teams/{tid}/members/{crew.bob.id}/schemeRoles", body, expect=400)
    await crew.admin.put(f"/teams/{tid}/members/{crew.carol.id}/roles", {"roles": "team_user"}, expect=404)


# Unread counts --------------------------------------------------------------------------------------------


async def test_team_unread_counts(crew: Crew) -> None:
    tid = crew.team["id"]
    town = await channel_by_name(crew.bob, tid, "town-square")
    off = await channel_by_name(crew.bob, tid, "off-topic")
    await crew.bob.post(f"/channels/members/{crew.bob.id}/view", {"channel_id": town["id"], "prev_channel_id": off["id"]})
    zero = {"team_id": tid, "msg_count": 0, "mention_count": 0, "msg_count_root": 0, "mention_count_root": 0}
    unread = await crew.bob.get("/users/me/teams/unread")
    assert len(unread) == 1 and unread[0] == {**unread[0], **zero}
    await crew.admin.post("/posts", {"channel_id": town["id"], "message": "hello all"}, expect=201)
    root = await crew.admin.post("/posts", {"channel_id": town["id"], "message": "@bob can you help?"}, expect=201)
    await crew.admin.post("/posts", {"channel_id": off["id"], "message": "reply @bob", "root_id": ""}, expect=201)
    await crew.admin.post("/posts", {"channel_id": town["id"], "message": "thread @bob", "root_id": root["id"]}, expect=201)
    expected = {"team_id": tid, "msg_count": 4, "mention_count": 3, "msg_count_root": 3, "mention_count_root": 2}
    unread = await crew.bob.get("/users/me/teams/unread")
    assert unread[0] == {**unread[0], **expected}
    single = await crew.bob.get(f"/users/{crew.bob.id}/teams/{tid}/unread")
    assert single == {**single, **expected}
    assert await crew.bob.get(f"/users/me/teams/unread?exclude_team={tid}") == []
    # Muting a channel to mentions keeps its mentions but not its message count.
    await crew.bob.put(f"/channels/{off['id']}/members/me/notify_props", {"mark_unread": "mention"})
    muted = (await crew.bob.get("/users/me/teams/unread"))[0]
    assert muted["msg_count"] == 3 and muted["mention_count"] == 3
    viewed = await crew.bob.post(f"/channels/members/{crew.bob.id}/view", {"channel_id": town["id"], "prev_channel_id": off["id"]})
    assert set(viewed["last_viewed_at_times"]) == {town["id"], off["id"]}
    after = (await crew.bob.get("/users/me/teams/unread"))[0]
    assert after == {**after, **zero}
    # Only yourself (or an admin); only your teams.
    await crew.bob.get(f"/users/{crew.admin.id}/teams/unread", expect=403)
    await crew.carol.get(f"/users/me/teams/{tid}/unread", expect=404)
    assert (await crew.admin.get(f"/users/{crew.bob.id}/teams/{tid}/unread"))["msg_count"] == 0
