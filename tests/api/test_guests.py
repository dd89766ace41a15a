"""Guest accounts (A11): invited into chosen channels, they see and join nothing else; promote and demote."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from kafana.actions.context import Services
from kafana.models import User
from tests.helpers import PASSWORD, Api
from tests.mail import MAIL_WAITS, link_in, outbox_rows

NOT_FOUND = 404


Links = Callable[[], Awaitable[list[str]]]


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return MAIL_WAITS


@pytest.fixture
def outbox(services: Services) -> Links:
    """The signup links of the invitations in the outbox."""

    async def links() -> list[str]:
        return [link_in(m.text_body, "/signup_user_complete/") for m in await outbox_rows(services)]

    return links


async def invite_guest(admin: Api, anon: Api, outbox: Links, team: dict[str, Any], channels: list[str], name: str = "gus") -> Api:
    await admin.post(f"/teams/{team['id']}/invite-guests/email", {"emails": [f"{name}@guest.org"], "channels": channels, "message": "hi"})
    token = (await outbox())[-1].split("?t=", 1)[1]
    await anon.post(f"/users?t={token}", {"username": name, "email": f"{name}@guest.org", "password": PASSWORD}, expect=201)
    return await anon.login(name)


@pytest.fixture
async def world(anon: Api, admin: Api, outbox: Links) -> dict[str, Any]:
    bob = await admin.signup("bob")
    team = await admin.create_team("core", [bob])
    invited = await admin.create_channel(team, "invited", "O", [bob])
    public = await admin.create_channel(team, "public", "O", [bob])
    private = await admin.create_channel(team, "private", "P", [bob])
    guest = await invite_guest(admin, anon, outbox, team, [invited["id"]])
    town = await admin.get(f"/teams/{team['id']}/channels/name/town-square")
    return {"bob": bob, "team": team, "invited": invited, "public": public, "private": private, "guest": guest, "town": town}


async def test_guest_signs_up_into_the_team_and_its_channels_only(world: dict[str, Any]) -> None:
    guest: Api = world["guest"]
    me = await guest.get("/users/me")
    assert me["roles"] == "system_guest"
    member = await guest.get(f"/teams/{world['team']['id']}/members/me")
    assert member["scheme_guest"] is True and member["scheme_user"] is False and "team_guest" in member["roles"]
    mine = await guest.get(f"/users/me/teams/{world['team']['id']}/channels")
    assert [c["id"] for c in mine] == [world["invited"]["id"]]  # not even town-square
    await guest.post("/posts", {"channel_id": world["invited"]["id"], "message": "hello"}, expect=201)


async def test_guest_sees_no_other_channel(world: dict[str, Any]) -> None:
    guest: Api = world["guest"]
    for key in ("public", "private", "town"):
        channel_id = world[key]["id"]
        await guest.get(f"/channels/{channel_id}", expect=NOT_FOUND)
        await guest.get(f"/channels/{channel_id}/posts", expect=NOT_FOUND)
        # Joining a public channel it was not added to: refused (A11).
        await guest.post(f"/channels/{channel_id}/members", {"user_id": guest.id}, expect=NOT_FOUND)
    team_id = world["team"]["id"]
    await guest.get(f"/teams/{team_id}/channels", expect=403)
    await guest.get(f"/teams/{team_id}/channels/deleted", expect=403)
    await guest.post(f"/teams/{team_id}/channels/search", {"term": "pub"}, expect=403)
    await guest.post("/channels", {"team_id": team_id, "name": "mine", "display_name": "Mine", "type": "O"}, expect=403)
    await guest.post("/teams", {"name": "guestteam", "display_name": "G", "type": "O"}, expect=403)


async def test_guest_messages_only_people_sharing_a_channel(world: dict[str, Any], admin: Api) -> None:
    guest: Api = world["guest"]
    bob: Api = world["bob"]
    await guest.post("/channels/direct", [guest.id, bob.id], expect=201)  # both in "invited"
    carol = await admin.signup("carol")
    await guest.post("/channels/direct", [guest.id, carol.id], expect=403)
    await carol.post("/channels/direct", [carol.id, guest.id], expect=403)
    await guest.post("/channels/group", [guest.id, bob.id, carol.id], expect=403)


async def test_only_admins_invite_guests_and_only_into_channels_they_may_fill(world: dict[str, Any], admin: Api, services: Services, outbox: Links) -> None:
    bob: Api = world["bob"]
    team_id = world["team"]["id"]
    sent = len(await outbox())
    await bob.post(f"/teams/{team_id}/invite-guests/email", {"emails": ["x@guest.org"], "channels": [world["invited"]["id"]]}, expect=403)
    other_team = await admin.create_team("other")
    foreign = await admin.create_channel(other_team, "foreign")
    await admin.post(f"/teams/{team_id}/invite-guests/email", {"emails": ["x@guest.org"], "channels": [foreign["id"]]}, expect=400)
    carol = await admin.signup("carol")
    hidden = await carol.create_team("hidden")
    secret = await carol.create_channel(hidden, "secret", "P")
    await admin.post(f"/teams/{team_id}/invite-guests/email", {"emails": ["x@guest.org"], "channels": [secret["id"]]}, expect=400)
    assert len(await outbox()) == sent


async def test_demote_and_promote(world: dict[str, Any], admin: Api, services: Services) -> None:
    bob: Api = world["bob"]
    await bob.post(f"/users/{world['guest'].id}/promote", expect=403)
    await admin.post(f"/users/{bob.id}/demote")
    assert (await bob.get("/users/me"))["roles"] == "system_guest"
    await bob.get(f"/channels/{world['town']['id']}", expect=200)  # still a member there
    await bob.get(f"/channels/{world['public']['id']}", expect=200)
    member = await bob.get(f"/channels/{world['public']['id']}/members/me")
    assert member["scheme_guest"] is True and member["scheme_user"] is False
    await admin.post(f"/users/{bob.id}/demote", expect=400)
    await admin.post(f"/users/{bob.id}/promote")
    assert (await bob.get("/users/me"))["roles"] == "system_user"
    await admin.post(f"/users/{admin.id}/demote", expect=400)
    async with services.db.read() as db:
        row = await db.get(User, admin.id)
    assert row is not None and row.is_system_admin


async def test_guest_sees_only_people_sharing_a_channel(world: dict[str, Any], admin: Api) -> None:
    guest: Api = world["guest"]
    carol = await admin.signup("carol")
    seen = {u["username"] for u in await guest.get("/users?per_page=200")}
    assert "bob" in seen and "gus" in seen and "carol" not in seen
    await guest.get(f"/users/{carol.id}", expect=404)
    await guest.get("/users/username/carol", expect=404)
    assert await guest.post("/users/ids", [carol.id, world["bob"].id]) == [await guest.get(f"/users/{world['bob'].id}")]
    found = await guest.get("/users/autocomplete?name=car")
    assert found["users"] == []
    # Members still see everyone.
    assert "carol" in {u["username"] for u in await world["bob"].get("/users?per_page=200")}
