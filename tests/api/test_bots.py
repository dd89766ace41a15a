"""Bots (Mattermost's /bots): who may create them (A13), their tokens, and that they stop working when their
owner is deactivated (A15)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import PASSWORD, Api

MEMBERS_MAY = [{"bot_creation": "members"}]


async def bot_with_token(owner: Api, name: str = "helper") -> tuple[dict[str, Any], Api]:
    bot = await owner.post("/bots", {"username": name, "display_name": "Helper", "description": "does things"}, expect=201)
    token = await owner.post(f"/users/{bot['user_id']}/tokens", {"description": "ci"})
    return bot, Api(owner.http, token["token"])


async def test_admin_creates_a_bot_with_mattermosts_shape(admin: Api) -> None:
    bot, as_bot = await bot_with_token(admin)
    assert set(bot) == {"user_id", "username", "display_name", "description", "owner_id", "create_at", "update_at", "delete_at"}
    assert (bot["username"], bot["display_name"], bot["owner_id"]) == ("helper", "Helper", admin.id)
    me = await as_bot.get("/users/me")
    assert me["is_bot"] is True and me["bot_description"] == "does things" and me["roles"] == "system_user"
    assert [b["user_id"] for b in await admin.get("/bots")] == [bot["user_id"]]
    # A bot never logs in with a password.
    response = await admin.http.post("/api/v4/users/login", json={"login_id": "helper", "password": PASSWORD})
    assert response.status_code == 401


async def test_members_cannot_create_bots_by_default(admin: Api) -> None:
    bob = await admin.signup("bob")
    refused = await bob.post("/bots", {"username": "mine"}, expect=403)
    assert refused["id"] == "api.context.permissions.app_error"
    await bob.get("/users/username/mine", expect=404)


@pytest.mark.parametrize("settings_overrides", MEMBERS_MAY)
async def test_a_member_cannot_make_their_bot_an_admin(admin: Api) -> None:
    """A13: the owner manages the bot, but never its roles."""
    bob = await admin.signup("bob")
    bot, as_bot = await bot_with_token(bob)
    await bob.put(f"/users/{bot['user_id']}/roles", {"roles": "system_user system_admin"}, expect=403)
    await bob.put(f"/users/{bot['user_id']}/patch", {"roles": "system_admin"}, expect=403)
    patched = await bob.put(f"/bots/{bot['user_id']}", {"display_name": "Renamed", "roles": "system_admin", "owner_id": admin.id})
    assert patched["display_name"] == "Renamed" and patched["owner_id"] == bob.id
    await as_bot.put("/users/me/roles", {"roles": "system_user system_admin"}, expect=403)
    assert (await as_bot.get("/users/me"))["roles"] == "system_user"
    # Others do not see it; a bot's token cannot make more tokens.
    carol = await admin.signup("carol")
    await carol.get(f"/bots/{bot['user_id']}", expect=404)
    await carol.post(f"/users/{bot['user_id']}/tokens", {"description": "x"}, expect=403)
    assert await carol.get("/bots") == []
    await as_bot.post("/users/me/tokens", {"description": "more"}, expect=403)


@pytest.mark.parametrize("settings_overrides", MEMBERS_MAY)
async def test_bots_stop_when_their_owner_is_deactivated(admin: Api) -> None:
    """A15: the bot's token answers 401 at once; reactivating the owner does not wake the bot, an admin may."""
    bob = await admin.signup("bob")
    bot, as_bot = await bot_with_token(bob)
    team = await bob.create_team("botteam")
    await bob.post(f"/teams/{team['id']}/members", {"team_id": team["id"], "user_id": bot["user_id"]}, expect=201)
    channel = await bob.create_channel(team, "alerts")
    await bob.post(f"/channels/{channel['id']}/members", {"user_id": bot["user_id"]}, expect=201)
    posted = await as_bot.post("/posts", {"channel_id": channel["id"], "message": "beep"}, expect=201)  # the token is cached now
    assert posted["user_id"] == bot["user_id"]
    await admin.put(f"/users/{bob.id}/active", {"active": False})
    await as_bot.get("/users/me", expect=401)
    await as_bot.post("/posts", {"channel_id": channel["id"], "message": "still here?"}, expect=401)
    disabled = await admin.get(f"/bots/{bot['user_id']}?include_deleted=true")
    assert disabled["delete_at"] > 0
    assert [b["user_id"] for b in await admin.get("/bots?include_deleted=true&only_orphaned=true")] == [bot["user_id"]]
    await admin.put(f"/users/{bob.id}/active", {"active": True})
    await as_bot.get("/users/me", expect=401)
    await bob.post(f"/bots/{bot['user_id']}/enable", expect=401)  # bob's sessions ended with the deactivation
    bob = await admin.login("bob")
    await bob.post(f"/bots/{bot['user_id']}/enable")
    await as_bot.get("/users/me")


@pytest.mark.parametrize("settings_overrides", MEMBERS_MAY)
async def test_owner_disables_and_admin_reassigns(admin: Api) -> None:
    bob = await admin.signup("bob")
    carol = await admin.signup("carol")
    bot, as_bot = await bot_with_token(bob)
    await bob.post(f"/bots/{bot['user_id']}/disable")
    await as_bot.get("/users/me", expect=401)
    await carol.post(f"/bots/{bot['user_id']}/enable", expect=404)
    await bob.post(f"/bots/{bot['user_id']}/assign/{carol.id}", expect=403)
    moved = await admin.post(f"/bots/{bot['user_id']}/assign/{carol.id}")
    assert moved["owner_id"] == carol.id
    await carol.post(f"/bots/{bot['user_id']}/enable")
    await as_bot.get("/users/me")


@pytest.mark.parametrize("settings_overrides", [{"bot_creation": "off"}])
async def test_bot_creation_can_be_switched_off(admin: Api) -> None:
    await admin.post("/bots", {"username": "nope"}, expect=501)
