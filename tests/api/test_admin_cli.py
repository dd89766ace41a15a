"""`kafana admin user|team|channel|job`: the console's work from a shell, through the actions (the same
checks, events and audit entries as the API's), on the database the running server uses."""

from __future__ import annotations

import json
from typing import Any

import pyotp

from kafana.actions.context import Services
from kafana.lib.clock import now_ms
from tests.helpers import Api, run_kafana

DAY = 86_400_000


async def kafana_fails(services: Services, *args: str) -> str:
    """The command's last line on stderr; it must exit with an error."""
    try:
        await run_kafana(services, *args)
    except AssertionError as exc:
        return str(exc).strip().splitlines()[-1]
    raise AssertionError(f"kafana {' '.join(args)} succeeded")


async def audit_actions(admin: Api) -> list[str]:
    return [e["action"] for e in await admin.get("/audits")]


async def test_user_search_role_deactivate_activate(admin: Api, anon: Api, services: Services) -> None:
    bob = await anon.signup("bob")
    await anon.signup("bobby")
    out, _ = await run_kafana(services, "admin", "user", "search", "bob")
    assert [line.split("\t")[0] for line in out.splitlines()] == ["bob", "bobby"]
    assert out.splitlines()[0].split("\t")[1:] == ["bob@example.com", "system_user", "active"]

    out, _ = await run_kafana(services, "admin", "user", "role", "@bob", "moderator")
    assert set(out.split("\t")[2].split()) == {"system_moderator", "system_user"}
    assert set((await bob.get("/users/me"))["roles"].split()) == {"system_moderator", "system_user"}

    out, _ = await run_kafana(services, "admin", "user", "deactivate", "bob")
    assert out.split("\t")[3].strip() == "deactivated"
    # The CLI is another process: this server stops trusting its cached sessions once the entries' lifetime
    # has passed (as for a change made on another node). Age them by that lifetime instead of waiting it out.
    cache = services.auth_cache
    cache.entries = {token: (user, session, at - cache.ttl_ms - 1) for token, (user, session, at) in cache.entries.items()}
    await bob.get("/users/me", expect=401)  # its sessions ended
    out, _ = await run_kafana(services, "admin", "user", "search", "bob")
    assert [line.split("\t")[0] for line in out.splitlines()] == ["bobby"]
    out, _ = await run_kafana(services, "admin", "user", "search", "bob", "--inactive")
    assert "bob\t" in out

    await run_kafana(services, "admin", "user", "activate", "bob")
    await anon.login("bob")
    assert {"activate", "deactivate", "update_roles"} <= set(await audit_actions(admin))


async def test_reset_mfa(admin: Api, anon: Api, services: Services) -> None:
    bob = await anon.signup("bob")
    secret = (await bob.post(f"/users/{bob.id}/mfa/generate"))["secret"]
    await bob.put(f"/users/{bob.id}/mfa", {"activate": True, "code": pyotp.TOTP(secret).now()})
    assert (await admin.get(f"/users/{bob.id}"))["mfa_active"] is True
    out, _ = await run_kafana(services, "admin", "user", "reset-mfa", "bob")
    assert not out.strip().endswith("mfa")
    assert (await admin.get(f"/users/{bob.id}"))["mfa_active"] is False
    await anon.login("bob")  # no code needed any more
    [entry] = [e for e in await admin.get("/audits") if e["action"] == "mfa_deactivate"]
    assert json.loads(entry["extra_info"])["by_admin"] is True


async def test_an_unknown_user_fails_with_the_api_error(services: Services) -> None:
    error = await kafana_fails(services, "admin", "user", "deactivate", "nobody")
    assert error.startswith("error: ") and error.endswith("(app.user.get.app_error)")


async def test_team_list_and_archive(admin: Api, team: dict[str, Any], services: Services) -> None:
    await admin.create_team("garden")
    out, _ = await run_kafana(services, "admin", "team", "list")
    assert [line.split("\t")[:3] for line in out.splitlines()] == [["core", "Core", "O"], ["garden", "Garden", "O"]]
    await run_kafana(services, "admin", "team", "archive", "garden")
    assert (await admin.get("/teams/name/garden"))["delete_at"] > 0
    out, _ = await run_kafana(services, "admin", "team", "list")
    assert "garden" not in out
    await run_kafana(services, "admin", "team", "archive", "garden", "--restore")
    assert (await admin.get("/teams/name/garden"))["delete_at"] == 0


async def test_channel_list_archive_privacy_move(admin: Api, anon: Api, team: dict[str, Any], services: Services) -> None:
    bob = await anon.signup("bob")
    await admin.post(f"/teams/{team['id']}/members", {"team_id": team["id"], "user_id": bob.id}, expect=201)
    plans = await admin.create_channel(team, "plans", members=[bob])
    other = await admin.create_team("garden")

    out, _ = await run_kafana(services, "admin", "channel", "list", "--team", "core")
    assert [line.split("\t")[:2] for line in out.splitlines()] == [["core/off-topic", "O"], ["core/plans", "O"], ["core/town-square", "O"]]

    out, _ = await run_kafana(services, "admin", "channel", "privacy", "core/plans", "private")
    assert out.startswith("core/plans: now private")
    assert (await admin.get(f"/channels/{plans['id']}"))["type"] == "P"

    await run_kafana(services, "admin", "channel", "archive", "core/plans")
    out, _ = await run_kafana(services, "admin", "channel", "list", "plans", "--archived")
    assert out.split("\t")[0] == "core/plans" and out.strip().endswith("archived")
    await run_kafana(services, "admin", "channel", "unarchive", "core/plans")
    assert (await admin.get(f"/channels/{plans['id']}"))["delete_at"] == 0

    # bob is not in garden: the move is refused, then forced (bob leaves the channel).
    error = await kafana_fails(services, "admin", "channel", "move", "core/plans", "garden")
    assert "(app.channel.move_channel.members_do_not_match.error)" in error
    await run_kafana(services, "admin", "channel", "move", "core/plans", "garden", "--force")
    moved = await admin.get(f"/channels/{plans['id']}")
    assert moved["team_id"] == other["id"]
    await bob.get(f"/channels/{plans['id']}", expect=404)
    assert "move_channel" in await audit_actions(admin)


async def test_job_run_shows_progress_and_is_recorded(admin: Api, team: dict[str, Any], services: Services) -> None:
    await admin.put("/kafana/settings", {"retention_message_days": 90})
    channel = await admin.create_channel(team, "history")
    old = await admin.post("/posts", {"channel_id": channel["id"], "message": "long ago", "create_at": now_ms() - 100 * DAY}, expect=201)
    out, err = await run_kafana(services, "admin", "job", "run", "data_retention")
    assert out.startswith("data_retention success (")
    assert "data_retention success 100%" in err and "posts deleted 1" in err
    await admin.get(f"/posts/{old['id']}", expect=404)
    [job] = await admin.get("/jobs/type/data_retention")
    assert job["status"] == "success" and job["id"] in out and job["data"]["posts_deleted"] == "1"
    out, _ = await run_kafana(services, "admin", "job", "list")
    assert out.startswith(f"{job['id']}\tdata_retention\tsuccess\t100%")


async def test_move_channel_api(admin: Api, anon: Api, team: dict[str, Any]) -> None:
    bob = await anon.signup("bob")
    await admin.post(f"/teams/{team['id']}/members", {"team_id": team["id"], "user_id": bob.id}, expect=201)
    channel = await admin.create_channel(team, "plans", members=[bob])
    garden = await admin.create_team("garden", members=[bob])
    await admin.create_channel(garden, "clash")
    await bob.post(f"/channels/{channel['id']}/move", {"team_id": garden["id"]}, expect=403)
    town = await admin.get(f"/teams/{team['id']}/channels/name/town-square")
    error = await admin.post(f"/channels/{town['id']}/move", {"team_id": garden["id"]}, expect=400)
    assert error["id"] == "api.channel.move_channel.type.invalid"
    moved = await admin.post(f"/channels/{channel['id']}/move", {"team_id": garden["id"]})
    assert moved["team_id"] == garden["id"]
    assert (await bob.get(f"/channels/{channel['id']}"))["team_id"] == garden["id"]  # bob was in both: stays
    assert [c["name"] for c in await bob.get(f"/users/me/teams/{garden['id']}/channels")].count("plans") == 1
    clash = await admin.create_channel(team, "clash")
    error = await admin.post(f"/channels/{clash['id']}/move", {"team_id": garden["id"]}, expect=400)
    assert error["id"] == "store.sql_channel.save_channel.exists.app_error"


async def test_console_channel_search_is_for_admins(admin: Api, anon: Api, team: dict[str, Any]) -> None:
    bob = await anon.signup("bob")
    await admin.create_channel(team, "secret-plans", "P")
    found = await admin.post("/channels/search", {"term": "plans"})
    assert [(c["name"], c["type"], c["team_name"]) for c in found] == [("secret-plans", "P", "core")]
    assert [c["name"] for c in await admin.get("/channels")] == ["off-topic", "secret-plans", "town-square"]
    with_archived = await admin.post("/channels/search", {"term": "", "deleted": True})
    assert with_archived == []
    await bob.post("/channels/search", {"term": "plans"}, expect=403)
    await bob.get("/channels", expect=403)


async def test_admins_list_archived_teams_on_request(admin: Api, anon: Api, team: dict[str, Any]) -> None:
    garden = await admin.create_team("garden")
    await admin.delete(f"/teams/{garden['id']}")
    assert [t["name"] for t in await admin.get("/teams")] == ["core"]
    assert [t["name"] for t in await admin.get("/teams?include_deleted=true")] == ["core", "garden"]
    bob = await anon.signup("bob")
    assert "garden" not in [t["name"] for t in await bob.get("/teams?include_deleted=true")]
