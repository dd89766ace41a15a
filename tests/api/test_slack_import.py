"""Importing a Slack export: users, public and private channels, threads, reactions, edits, DMs, and Slack's
markup turned into Markdown."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from kafana.actions import job_runs
from kafana.actions.context import Services
from kafana.actions.slack_import import import_slack, markdown
from kafana.models.actor import SYSTEM
from tests.helpers import Api, run_kafana

USERS = [
    {"id": "U1", "name": "Ana.Lopez", "profile": {"email": "ana@example.org", "first_name": "Ana", "display_name": "ana"}},
    {"id": "U2", "name": "bo", "deleted": True, "profile": {"email": "bo@example.org"}},
    {"id": "U3", "name": "cy", "profile": {}},
    {"id": "B1", "name": "deploybot", "is_bot": True},
]
MESSAGES = [
    {"type": "message", "user": "U1", "text": "Hi <@U2>, see <#C1|general> and <https://example.org|the site> *now* &amp; ~later~", "ts": "1700000000.000100"},
    {"type": "message", "user": "U2", "text": "reply in thread", "ts": "1700000060.000200", "thread_ts": "1700000000.000100"},
    {"type": "message", "subtype": "channel_join", "user": "U3", "text": "<@U3> has joined", "ts": "1700000070.000000"},
    {
        "type": "message",
        "user": "U3",
        "text": "edited <!here>",
        "ts": "1700000100.000000",
        "edited": {"user": "U3", "ts": "1700000200.000000"},
        "reactions": [{"name": "thumbsup", "users": ["U1", "U2"], "count": 2}],
        "files": [{"name": "plan.pdf"}],
    },
    {"type": "message", "bot_id": "B1", "subtype": "bot_message", "text": "deployed", "ts": "1700000300.000000"},
]


def slack_zip(path: Path) -> Path:
    files: dict[str, Any] = {
        "users.json": USERS,
        "channels.json": [{"id": "C1", "name": "General", "members": ["U1", "U2", "U3"], "topic": {"value": "Everything"}, "purpose": {"value": "Talk"}}],
        "groups.json": [{"id": "G1", "name": "secret-plans", "members": ["U1"]}],
        "dms.json": [{"id": "D1", "members": ["U1", "U3"]}],
        "General/2023-11-14.json": MESSAGES,
        "secret-plans/2023-11-14.json": [{"type": "message", "user": "U1", "text": "private note", "ts": "1700000400.000000"}],
        "D1/2023-11-14.json": [{"type": "message", "user": "U3", "text": "a direct word", "ts": "1700000500.000000"}],
    }
    with zipfile.ZipFile(path, "w") as z:
        for name, data in files.items():
            z.writestr(name, json.dumps(data))
    return path


def test_markup_becomes_markdown() -> None:
    names = {"U1": "ana.lopez"}
    assert (
        markdown("<@U1> <!channel> <!everyone> <#C9|dev> <mailto:a@b.c|mail me> <https://x.org>", names)
        == "@ana.lopez @channel @all ~dev [mail me](mailto:a@b.c) https://x.org"
    )
    assert markdown("*bold* and 2*3*4 stay, ~gone~ &lt;b&gt;", names) == "**bold** and 2*3*4 stay, ~~gone~~ <b>"


async def test_a_slack_export_imports(admin: Api, services: Services, tmp_path: Path) -> None:
    done = await import_slack(services, slack_zip(tmp_path / "slack.zip"), "slackers", display_name="From Slack")
    assert (done.users, done.posts, done.reactions, done.skipped) == (3, 5, 2, 0)
    team = await admin.get("/teams/name/slackers")
    assert team["display_name"] == "From Slack"
    await admin.post(f"/teams/{team['id']}/members", {"team_id": team["id"], "user_id": admin.id}, expect=201)
    general = await admin.get(f"/teams/{team['id']}/channels/name/general")
    assert (general["display_name"], general["header"], general["purpose"], general["type"]) == ("General", "Everything", "Talk", "O")
    assert (await admin.get(f"/teams/{team['id']}/channels/name/secret-plans", expect=200))["type"] == "P"

    page = await admin.get(f"/channels/{general['id']}/posts")
    posts = [page["posts"][i] for i in reversed(page["order"])]
    assert [p["message"] for p in posts] == [
        "Hi @bo, see ~general and [the site](https://example.org) **now** & ~~later~~",
        "reply in thread",
        "edited @here\n📎 plan.pdf (not in the Slack export)",
    ]
    first, reply, edited = posts
    assert first["create_at"] == 1700000000000 and reply["root_id"] == first["id"] and first["reply_count"] == 1
    assert edited["edit_at"] == 1700000200000
    assert sorted(r["user_id"] for r in edited["metadata"]["reactions"]) == sorted(
        [(await admin.get("/users/username/ana.lopez"))["id"], (await admin.get("/users/username/bo"))["id"]]
    )
    assert (await admin.get("/users/username/bo"))["delete_at"] > 0
    cy = await admin.get("/users/username/cy")
    assert cy["email"] == "cy@slack-import.invalid"

    again = await import_slack(services, tmp_path / "slack.zip", "slackers")
    assert (again.posts, again.skipped) == (0, 5)


@pytest.mark.parametrize("content", [b"not a zip", None])
async def test_a_broken_export_is_refused(services: Services, tmp_path: Path, content: bytes | None) -> None:
    path = tmp_path / "bad.zip"
    if content is None:
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("users.json", '{"not": "a list"}')
    else:
        path.write_bytes(content)
    with pytest.raises((ValueError, zipfile.BadZipFile)):
        await import_slack(services, path, "slackers")


async def test_kafana_import_slack(services: Services, tmp_path: Path) -> None:
    out, err = await run_kafana(services, "import", "slack", str(slack_zip(tmp_path / "slack.zip")), "--team", "slackers")
    assert "line " in err and out.startswith("Imported 1 teams") and "5 posts" in out
    [job] = await job_runs.list_jobs(services, SYSTEM, "import_process", 0, 10)  # shown in the console's job list
    assert job.status == "success" and job.to_api()["data"]["format"] == "slack" and job.to_api()["data"]["posts"] == "5"
