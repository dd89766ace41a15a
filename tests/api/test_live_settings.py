"""Settings that change without a restart: overrides in the database, seen at once by the node that wrote
them and by every other node after its reload job runs (called here, no waiting)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from kafana.actions.context import Services
from kafana.db import Database
from kafana.workers.jobs import default_jobs
from tests.files.test_uploads import upload
from tests.helpers import Api, run_kafana


@pytest.fixture
async def second_node(services: Services) -> AsyncIterator[Services]:
    """Another node on the same database, started with the same file/environment settings."""
    db = Database(services.settings.effective_database_url)
    yield Services(settings=services.base_settings, db=db)
    await db.dispose()


async def run_reload_job(svc: Services) -> None:
    [job] = [job for job in default_jobs(svc, list) if job.name == "live_settings"]
    assert not job.leased  # every node applies the overrides to itself
    await job.run(0)


def by_name(listing: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["name"]: item for item in listing}


async def test_admins_see_each_live_setting_with_its_type(admin: Api, anon: Api) -> None:
    settings = by_name(await admin.get("/kafana/settings"))
    assert settings["signup_mode"] == {
        "name": "signup_mode",
        "type": "choice",
        "choices": ["open", "invite", "closed"],
        "value": "open",
        "default": "open",
        "overridden": False,
    }
    assert settings["retention_message_days"]["type"] == "integer" and settings["retention_message_days"]["minimum"] == 0
    assert settings["enable_link_previews"]["type"] == "boolean"
    assert settings["site_name"]["max_length"] == 64
    assert "database_url" not in settings and "rate_limit_per_sec" not in settings  # read once at start-up
    bob = await anon.signup("bob")
    await bob.get("/kafana/settings", expect=403)
    await bob.put("/kafana/settings", {"site_name": "Mine"}, expect=403)


async def test_a_change_applies_at_once_here_and_on_other_nodes_after_their_reload(admin: Api, anon: Api, services: Services, second_node: Services) -> None:
    changed = by_name(await admin.put("/kafana/settings", {"signup_mode": "closed", "site_name": "Volunteers"}))
    assert changed["signup_mode"]["value"] == "closed" and changed["signup_mode"]["overridden"]
    assert changed["signup_mode"]["default"] == "open"
    config = await anon.get("/config/client")
    assert config["SiteName"] == "Volunteers" and config["EnableUserCreation"] == "false"
    refused = await anon.post("/users", {"username": "carol", "email": "carol@example.com", "password": "correct-horse-battery"}, expect=403)
    assert refused["id"]

    assert second_node.settings.signup_mode == "open"
    await run_reload_job(second_node)
    assert second_node.settings.signup_mode == "closed" and second_node.settings.site_name == "Volunteers"

    back = by_name(await admin.put("/kafana/settings", {"signup_mode": None}))
    assert back["signup_mode"] == {**changed["signup_mode"], "value": "open", "overridden": False}
    assert back["site_name"]["value"] == "Volunteers"
    await anon.signup("carol")
    await run_reload_job(second_node)
    assert second_node.settings.signup_mode == "open" and second_node.settings.site_name == "Volunteers"


@pytest.mark.parametrize(
    "body",
    [
        {"signup_mode": "sometimes"},
        {"site_name": "Fine", "max_file_size": -1},
        {"site_name": ""},
        {"retention_message_days": "ninety"},
        {"database_url": "postgresql://elsewhere/db"},
        {"no_such_setting": 1},
        {},
        [],
    ],
)
async def test_bad_values_change_nothing(admin: Api, body: Any) -> None:
    before = await admin.get("/kafana/settings")
    error = await admin.put("/kafana/settings", body, expect=400)
    assert error["id"].startswith("api.kafana.settings.") or error["id"] == "api.context.invalid_body_param.app_error"
    assert await admin.get("/kafana/settings") == before


async def test_every_change_is_audited(admin: Api) -> None:
    await admin.put("/kafana/settings", {"retention_message_days": 90, "enable_link_previews": False})
    await admin.put("/kafana/settings", {"retention_message_days": None})
    entries = [e for e in await admin.get("/audits") if e["action"] == "setting_changed"]
    changes = sorted((info["setting"], info["old"], info["new"]) for info in (json.loads(e["extra_info"]) for e in entries))
    assert changes == [("enable_link_previews", True, False), ("retention_message_days", 0, 90), ("retention_message_days", 90, 0)]
    assert {e["user_id"] for e in entries} == {admin.id}


async def test_the_upload_limit_is_live(admin: Api, team: dict[str, Any]) -> None:
    channel = await admin.create_channel(team, "files")
    await upload(admin, channel["id"], "small.txt", b"x" * 5000)
    await admin.put("/kafana/settings", {"max_file_size": 1000})
    await upload(admin, channel["id"], "small.txt", b"x" * 5000, expect=413)


async def test_the_command_line_applies_the_overrides(admin: Api, team: dict[str, Any], services: Services) -> None:
    """`kafana retention run` follows a retention period set in the console, not only the one in the file."""
    await admin.put("/kafana/settings", {"retention_message_days": 30})
    out, err = await run_kafana(services, "retention", "run")
    assert "No retention policy applies" not in err and "in 2 channels" in out  # the team's two channels


async def test_kafana_admin_settings_and_stats(admin: Api, services: Services) -> None:
    out, _ = await run_kafana(services, "admin", "settings", "set", "signup_mode", "closed")
    assert out.strip() == 'signup_mode = "closed"'
    await run_reload_job(services)  # the server running beside the command
    assert (await admin.get("/config/client"))["EnableUserCreation"] == "false"
    out, _ = await run_kafana(services, "admin", "settings", "get", "signup_mode")
    assert out.strip() == 'signup_mode = "closed"  (overridden; default "invite")'  # the command's own environment
    await run_kafana(services, "admin", "settings", "set", "signup_mode", "--reset")
    await run_reload_job(services)
    assert (await admin.get("/config/client"))["EnableUserCreation"] == "true"
    out, _ = await run_kafana(services, "admin", "stats")
    assert "unique_user_count: 1" in out.splitlines()
