"""Searching people (POST /users/search, GET /users/autocomplete) shows only what the searcher may see (A7):
hidden emails are not searchable, and team or channel filters need access to that team or channel."""

from __future__ import annotations

from typing import Any

from tests.helpers import Api


async def test_email_addresses_are_searched_only_by_those_who_see_them(admin: Api, team: dict[str, Any]) -> None:
    alice = await admin.signup("alice", email="zed.hidden@example.org")
    bob = await admin.signup("bob")
    for user in (alice, bob):
        await admin.post(f"/teams/{team['id']}/members", {"team_id": team["id"], "user_id": user.id}, expect=201)
    assert await bob.post("/users/search", {"term": "zed.hid"}) == []
    assert (await bob.get(f"/users/autocomplete?in_team={team['id']}&name=zed"))["users"] == []
    assert [u["username"] for u in await bob.post("/users/search", {"term": "ali"})] == ["alice"]
    assert [u["username"] for u in await admin.post("/users/search", {"term": "zed.hid"})] == ["alice"]
    assert [u["username"] for u in (await admin.get(f"/users/autocomplete?in_team={team['id']}&name=zed"))["users"]] == ["alice"]
    assert [u["username"] for u in await alice.post("/users/search", {"term": "zed"})] == []  # not even one's own: as for others


async def test_team_and_channel_filters_need_access(admin: Api, team: dict[str, Any]) -> None:
    alice = await admin.signup("alice")
    outsider = await admin.signup("olga")
    await admin.post(f"/teams/{team['id']}/members", {"team_id": team["id"], "user_id": alice.id}, expect=201)
    private = await admin.create_channel(team, "private", "P", members=[alice])
    await outsider.post("/users/search", {"term": "ali", "team_id": team["id"]}, expect=404)
    await outsider.post("/users/search", {"term": "ali", "in_channel_id": private["id"]}, expect=404)
    await outsider.get(f"/users/autocomplete?in_channel={private['id']}&name=a", expect=404)
    await outsider.get(f"/users/autocomplete?in_team={team['id']}&name=a", expect=404)
    found = await alice.get(f"/users/autocomplete?in_channel={private['id']}&in_team={team['id']}&name=a")
    assert [u["username"] for u in found["users"]] == ["admin", "alice"]
