"""Signup modes and invitations (A12): invite links, one-time email invitations, who may invite, approval."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from kafana.actions import invites
from kafana.actions.context import Services
from kafana.models import TeamMember, User
from tests.helpers import PASSWORD, Api
from tests.mail import MAIL_WAITS, link_in, outbox_rows

INVITE_ONLY = [{"signup_mode": "invite", **MAIL_WAITS}]
INVITE_NEEDED = "api.user.create_user.no_invite.app_error"
INVALID = "api.user.create_user.signup_link_invalid.app_error"


def account(name: str, email: str = "") -> dict[str, str]:
    return {"username": name, "email": email or f"{name}@example.com", "password": PASSWORD}


async def count(services: Services, model: type[Any]) -> int:
    from sqlalchemy import func, select

    async with services.db.read() as db:
        return int((await db.execute(select(func.count()).select_from(model))).scalar_one())


Sent = Callable[[], Awaitable[list[tuple[str, str, str]]]]


@pytest.fixture
def outbox(services: Services) -> Sent:
    """The invitation emails in the outbox: (address, signup link, subject)."""

    async def sent() -> list[tuple[str, str, str]]:
        return [(m.to_address, link_in(m.text_body, "/signup_user_complete/"), m.subject) for m in await outbox_rows(services)]

    return sent


def token_of(link: str) -> str:
    return link.split("?t=", 1)[1]


async def test_the_default_mode_is_invite_only_after_the_first_account(tmp_path: Any) -> None:
    from kafana.config import load_settings

    assert load_settings(env={}).signup_mode == "invite"


@pytest.mark.parametrize("settings_overrides", INVITE_ONLY)
async def test_invite_only_refuses_signup_without_an_invitation(anon: Api, services: Services) -> None:
    admin = await anon.signup("admin")  # the first account is always allowed
    before = await count(services, User)
    refused = await anon.post("/users", account("bob"), expect=403)
    assert refused["id"] == INVITE_NEEDED
    forged = await anon.post("/users?t=" + "x" * 52, account("bob"), expect=403)
    assert forged["id"] == INVALID
    bad_link = await anon.post("/users?iid=" + "y" * 26, account("bob"), expect=403)
    assert bad_link["id"] == INVALID
    assert await count(services, User) == before
    # Admins still create accounts.
    await admin.post("/users", account("carol"), expect=201)


@pytest.mark.parametrize("settings_overrides", INVITE_ONLY)
async def test_team_invite_link_signs_up_into_the_team_and_can_be_regenerated(anon: Api, services: Services) -> None:
    admin = await anon.signup("admin")
    team = await admin.create_team("core")
    info = await anon.get(f"/teams/invite/{team['invite_id']}")
    assert info == {"id": team["id"], "name": "core", "display_name": "Core", "description": ""}
    bob_user = await anon.post(f"/users?iid={team['invite_id']}", account("bob"), expect=201)
    bob = await anon.login("bob")
    assert [t["id"] for t in await bob.get("/users/me/teams")] == [team["id"]]
    assert bob_user["id"] == bob.id
    regenerated = await admin.post(f"/teams/{team['id']}/regenerate_invite_id")
    assert regenerated["invite_id"] and regenerated["invite_id"] != team["invite_id"]
    refused = await anon.post(f"/users?iid={team['invite_id']}", account("carol"), expect=403)
    assert refused["id"] == INVALID
    await anon.get(f"/teams/invite/{team['invite_id']}", expect=404)
    await anon.post(f"/users?iid={regenerated['invite_id']}", account("carol"), expect=201)
    # Only team managers regenerate.
    await bob.post(f"/teams/{team['id']}/regenerate_invite_id", expect=403)


@pytest.mark.parametrize("settings_overrides", INVITE_ONLY)
async def test_email_invitation_is_one_time_and_bound_to_its_address(anon: Api, services: Services, outbox: Sent) -> None:
    admin = await anon.signup("admin")
    team = await admin.create_team("core")
    await admin.post(f"/teams/{team['id']}/invite/email", ["dana@example.org"])
    [(email, link, subject)] = await outbox()
    assert (email, subject) == ("dana@example.org", "[Kafana] admin invited you to join Core")
    assert link.startswith(services.settings.site_url + "/signup_user_complete/?t=")
    token = token_of(link)
    wrong_email = await anon.post(f"/users?t={token}", account("dana", "someone@else.org"), expect=400)
    assert wrong_email["id"] == "api.user.create_user.invite_email.app_error"
    created = await anon.post(f"/users?t={token}", account("dana", "dana@example.org"), expect=201)
    dana = await anon.login("dana")
    assert [t["id"] for t in await dana.get("/users/me/teams")] == [team["id"]]
    assert (await dana.get("/users/me"))["email_verified"] is True
    # Used once: a second signup with it is refused and creates nothing.
    users_before = await count(services, User)
    again = await anon.post(f"/users?t={token}", account("eve", "dana@example.org"), expect=403)
    assert again["id"] == INVALID and created["id"] == dana.id
    assert await count(services, User) == users_before


@pytest.mark.parametrize("settings_overrides", INVITE_ONLY)
async def test_expired_invitation_is_refused_with_410(anon: Api, services: Services, outbox: Sent, monkeypatch: pytest.MonkeyPatch) -> None:
    admin = await anon.signup("admin")
    team = await admin.create_team("core")
    await admin.post(f"/teams/{team['id']}/invite/email", ["dana@example.org"])
    token = token_of((await outbox())[0][1])
    later = invites.now_ms() + 49 * 3_600_000
    monkeypatch.setattr(invites, "now_ms", lambda: later)
    users_before, members_before = await count(services, User), await count(services, TeamMember)
    expired = await anon.post(f"/users?t={token}", account("dana", "dana@example.org"), expect=410)
    assert expired["id"] == "api.user.create_user.signup_link_expired.app_error"
    assert (await count(services, User), await count(services, TeamMember)) == (users_before, members_before)


@pytest.mark.parametrize("settings_overrides", [{"signup_mode": "invite", "invite_permission": "team_admins", **MAIL_WAITS}])
async def test_invite_permission_setting(anon: Api, outbox: Sent) -> None:
    admin = await anon.signup("admin")
    bob = await admin.signup("bob")
    team = await admin.create_team("core", [bob])
    refused = await bob.post(f"/teams/{team['id']}/invite/email", ["x@example.org"], expect=403)
    assert refused["id"] == "api.context.permissions.app_error" and await outbox() == []
    # A member who may not invite does not see the invite link either.
    assert (await bob.get(f"/teams/{team['id']}"))["invite_id"] == ""
    await admin.post(f"/teams/{team['id']}/invite/email", ["x@example.org"])
    assert len(await outbox()) == 1


@pytest.mark.parametrize("settings_overrides", INVITE_ONLY)
async def test_members_invite_by_default_but_not_into_teams_they_are_not_in(anon: Api, outbox: Sent) -> None:
    admin = await anon.signup("admin")
    bob = await admin.signup("bob")
    team = await admin.create_team("core", [bob])
    other = await admin.create_team("other")
    await bob.post(f"/teams/{team['id']}/invite/email", ["x@example.org"])
    await bob.post(f"/teams/{other['id']}/invite/email", ["y@example.org"], expect=404)
    assert [sent[0] for sent in await outbox()] == ["x@example.org"]


@pytest.mark.parametrize("settings_overrides", INVITE_ONLY)
async def test_existing_account_joins_with_an_invitation(anon: Api, outbox: Sent) -> None:
    admin = await anon.signup("admin")
    bob = await admin.signup("bob")
    team = await admin.create_team("core")
    await admin.post(f"/teams/{team['id']}/invite/email", ["bob@example.com"])
    token = token_of((await outbox())[0][1])
    member = await bob.post(f"/teams/members/invite?token={token}", expect=201)
    assert member["team_id"] == team["id"] and member["user_id"] == bob.id
    await bob.post(f"/teams/members/invite?token={token}", expect=403)
    other = await admin.create_team("other")
    carol = await admin.signup("carol")
    await carol.post(f"/teams/members/invite?invite_id={other['invite_id']}", expect=201)


@pytest.mark.parametrize("settings_overrides", [{"signup_mode": "closed"}])
async def test_closed_mode_refuses_even_invite_links(anon: Api, services: Services) -> None:
    admin = await anon.signup("admin")
    team = await admin.create_team("core")
    refused = await anon.post(f"/users?iid={team['invite_id']}", account("bob"), expect=403)
    assert refused["id"] == "api.user.create_user.signup_email_disabled.app_error"
    await admin.post("/users", account("bob"), expect=201)


@pytest.mark.parametrize("settings_overrides", [{"signup_mode": "open", "signup_approval": True}])
async def test_approval_queue(anon: Api, services: Services) -> None:
    admin = await anon.signup("admin")
    created = await anon.post("/users", account("bob"), expect=201)
    response = await anon.http.post("/api/v4/users/login", json={"login_id": "bob", "password": PASSWORD})
    assert response.status_code == 401 and response.json()["id"] == "api.user.login.approval_pending.app_error"
    pending = await admin.get(f"/users/{created['id']}")
    assert pending["props"]["kafana_approval_pending"] == "true" and pending["delete_at"] > 0
    await admin.put(f"/users/{created['id']}/active", {"active": True})
    bob = await anon.login("bob")
    assert "kafana_approval_pending" not in (await bob.get("/users/me"))["props"]
    # Accounts an admin makes need no approval.
    await admin.post("/users", account("carol"), expect=201)
    await anon.login("carol")
