"""Reporting messages and moderating them: the whole flow, DM reports seen only by moderators, A16 (members
calling moderators' routes), A18 (moderators' reads and actions are audited), suspensions ended by the job,
bad input, and the public anonymised log.

Time is the job's argument: "three hours later" is `job.run(now + 3 h)`, no waiting.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from kafana.actions.context import Services
from kafana.events import Event
from kafana.lib.clock import now_ms
from kafana.workers.jobs import default_jobs
from tests.helpers import Api

HOUR = 3_600_000


@pytest.fixture
def settings_overrides(request: pytest.FixtureRequest) -> dict[str, Any]:
    return dict(getattr(request, "param", {}))


@dataclass
class Cast:
    admin: Api
    mod: Api
    bob: Api  # writes the reported messages
    carol: Api  # reports them
    dave: Api  # someone else
    team: dict[str, Any]
    channel: dict[str, Any]  # public, everyone in it


@pytest.fixture
async def cast(admin: Api, team: dict[str, Any]) -> Cast:
    users = [await admin.signup(name) for name in ("mod", "bob", "carol", "dave")]
    mod, bob, carol, dave = users
    await admin.put(f"/users/{mod.id}/roles", {"roles": "system_user system_moderator"})
    for user in users:
        await admin.post(f"/teams/{team['id']}/members", {"team_id": team["id"], "user_id": user.id}, expect=201)
    channel = await admin.create_channel(team, "lobby", "O", [bob, carol, dave])
    return Cast(admin, mod, bob, carol, dave, team, channel)


async def say(api: Api, channel_id: str, message: str) -> dict[str, Any]:
    return await api.post("/posts", {"channel_id": channel_id, "message": message}, expect=201)


async def report(api: Api, post_id: str, reason: str = "abusive", *, expect: int = 201) -> dict[str, Any]:
    return await api.post("/kafana/reports", {"post_id": post_id, "reason": reason, "consent": True}, expect=expect)


async def audit_actions(admin: Api) -> list[dict[str, Any]]:
    return list(await admin.get("/audits", params={"per_page": 200}))


async def bot_messages(api: Api) -> list[str]:
    """What the system bot told this user (its DM with them)."""
    [bot] = await api.post("/users/usernames", ["system-bot"])
    dm = await api.post("/channels/direct", [api.id, bot["id"]], expect=201)
    page = await api.get(f"/channels/{dm['id']}/posts")
    return [page["posts"][i]["message"] for i in page["order"]]


async def test_the_whole_report_flow(cast: Cast, services: Services, events: list[Event]) -> None:
    post = await say(cast.bob, cast.channel["id"], "you are all idiots")
    created = await report(cast.carol, post["id"], "insults everyone")
    assert created["state"] == "open" and created["reason"] == "insults everyone"
    assert created["post"] == {"id": post["id"], "user_id": cast.bob.id, "username": "bob", "message": "you are all idiots", "create_at": post["create_at"]}
    assert created["channel"]["id"] == cast.channel["id"] and created["channel"]["type"] == "O"
    again = await report(cast.carol, post["id"], "twice", expect=200)  # a retry answers with the first report
    assert again["id"] == created["id"] and again["reason"] == "insults everyone"

    # The snapshot survives an edit: moderators see what was reported.
    await cast.bob.put(f"/posts/{post['id']}/patch", {"message": "hello all"})
    queue = await cast.mod.get("/kafana/reports", params={"state": "open"})
    assert [r["id"] for r in queue] == [created["id"]] and queue[0]["post"]["message"] == "you are all idiots"

    rid = created["id"]
    detail = await cast.mod.patch(f"/kafana/reports/{rid}", {"state": "in_review", "assignee_id": cast.mod.id})
    assert detail["state"] == "in_review" and detail["assignee_id"] == cast.mod.id
    assert await cast.mod.get("/kafana/reports", params={"state": "open"}) == []
    assert [r["id"] for r in await cast.mod.get("/kafana/reports", params={"assignee": "me"})] == [rid]
    note = await cast.mod.post(f"/kafana/reports/{rid}/notes", {"message": "second time this week"}, expect=201)
    assert note["kind"] == "note" and note["text"] == "second time this week"

    await cast.mod.post(f"/kafana/reports/{rid}/actions", {"action": "warn", "reason": "insults", "message": "Please keep it civil."}, expect=201)
    assert any("Please keep it civil." in m for m in await bot_messages(cast.bob))

    await cast.mod.post(f"/kafana/reports/{rid}/actions", {"action": "remove_post", "reason": "insults"}, expect=201)
    await cast.dave.get(f"/posts/{post['id']}", expect=404)
    deleted = [e for e in events if e.event == "post_deleted"]
    assert deleted and json.loads(deleted[-1].data["post"])["id"] == post["id"] and deleted[-1].data["delete_by"] == cast.mod.id
    gone = await cast.mod.post(f"/kafana/reports/{rid}/actions", {"action": "remove_post", "reason": "again"}, expect=400)
    assert gone["id"] == "api.kafana.report.post_gone.app_error"

    await cast.mod.post(f"/kafana/reports/{rid}/actions", {"action": "remove_from_channel", "reason": "insults"}, expect=201)
    await cast.bob.get(f"/channels/{cast.channel['id']}/members/{cast.bob.id}", expect=404)

    await cast.mod.post(f"/kafana/reports/{rid}/actions", {"action": "suspend", "reason": "insults", "hours": 2}, expect=201)
    await cast.bob.get("/users/me", expect=401)
    done = await cast.mod.patch(f"/kafana/reports/{rid}", {"state": "resolved"})
    timeline = [(e["kind"], e["value"]) for e in done["timeline"]]
    assert timeline == [
        ("created", "open"),
        ("assigned", cast.mod.id),
        ("state", "in_review"),
        ("note", ""),
        ("action", "warn"),
        ("action", "remove_post"),
        ("action", "remove_from_channel"),
        ("action", "suspend"),
        ("state", "resolved"),
    ]
    assert {e["user_id"] for e in done["timeline"][1:]} == {cast.mod.id}

    # Every action is in the audit log, by the moderator, naming the user acted on (A18).
    logged = await audit_actions(cast.admin)
    for action in ("moderation_warn", "moderation_remove_post", "moderation_remove_from_channel", "moderation_suspend"):
        entry = next(e for e in logged if e["action"] == action)
        assert entry["user_id"] == cast.mod.id and json.loads(entry["extra_info"])["target_id"] == cast.bob.id
    assert "report_create" in [e["action"] for e in logged]


async def test_a_suspension_ends_with_the_job(cast: Cast, services: Services) -> None:
    post = await say(cast.bob, cast.channel["id"], "spam spam spam")
    rid = (await report(cast.carol, post["id"]))["id"]
    await cast.mod.post(f"/kafana/reports/{rid}/actions", {"action": "suspend", "reason": "spam", "hours": 2}, expect=201)
    assert (await cast.admin.get(f"/users/{cast.bob.id}"))["delete_at"] > 0
    response = await cast.bob.http.post("/api/v4/users/login", json={"login_id": "bob", "password": "correct-horse-battery"})
    assert response.status_code == 401

    [job] = [j for j in default_jobs(services, list) if j.name == "moderation_suspensions"]
    assert job.leased
    await job.run(now_ms() + HOUR)  # not yet
    assert (await cast.admin.get(f"/users/{cast.bob.id}"))["delete_at"] > 0
    await job.run(now_ms() + 3 * HOUR)
    assert (await cast.admin.get(f"/users/{cast.bob.id}"))["delete_at"] == 0
    bob = await cast.admin.login("bob")
    await bob.get("/users/me")
    timeline = (await cast.mod.get(f"/kafana/reports/{rid}"))["timeline"]
    assert [e["value"] for e in timeline if e["kind"] == "action"] == ["suspend", "suspension_ended"]
    assert any(e["action"] == "activate" and json.loads(e["extra_info"]).get("suspension_ended") for e in await audit_actions(cast.admin))

    # Deactivation is for good: the job leaves it alone.
    await cast.mod.post(f"/kafana/reports/{rid}/actions", {"action": "deactivate", "reason": "spam again"}, expect=201)
    await job.run(now_ms() + 1000 * HOUR)
    assert (await cast.admin.get(f"/users/{cast.bob.id}"))["delete_at"] > 0


async def test_a_dm_report_is_seen_only_by_moderators(cast: Cast, events: list[Event]) -> None:
    dm = await cast.bob.post("/channels/direct", [cast.bob.id, cast.carol.id], expect=201)
    group = await cast.bob.post("/channels/group", [cast.bob.id, cast.carol.id, cast.dave.id], expect=201)
    private = await say(cast.bob, dm["id"], "a private threat")
    in_group = await say(cast.bob, group["id"], "a threat in the group")
    seen_before = len(events)
    dm_report = await report(cast.carol, private["id"], "threatened me")
    group_report = await report(cast.carol, in_group["id"], "threatened us")
    assert dm_report["channel"]["type"] == "D" and group_report["channel"]["type"] == "G"

    for someone in (cast.bob, cast.carol, cast.dave):  # the reported, the reporter, another member of the group
        for path in ("/kafana/reports", f"/kafana/reports/{dm_report['id']}", f"/kafana/reports/{group_report['id']}"):
            assert (await someone.get(path, expect=403))["id"] == "api.context.permissions.app_error"
    # Nobody is told over the WebSocket either: reporting sends no event at all.
    assert events[seen_before:] == []

    queue = await cast.mod.get("/kafana/reports")
    assert {r["post"]["message"] for r in queue} == {"a private threat", "a threat in the group"}
    # The moderator is not in the DM, and reading it through the report is audited (A18).
    await cast.mod.get(f"/channels/{dm['id']}/posts", expect=404)
    await cast.mod.get(f"/kafana/reports/{dm_report['id']}")
    read = [e for e in await audit_actions(cast.admin) if e["action"] == "report_read"]
    assert read and read[0]["user_id"] == cast.mod.id and json.loads(read[0]["extra_info"])["channel_id"] == dm["id"]
    assert any(e["action"] == "reports_read" and e["user_id"] == cast.mod.id for e in await audit_actions(cast.admin))

    # Warned about a DM, the author is not told which: the warning names no channel.
    await cast.mod.post(f"/kafana/reports/{dm_report['id']}/actions", {"action": "warn", "reason": "threats"}, expect=201)
    assert any(m.endswith("in a direct message: threats") for m in await bot_messages(cast.bob))


async def test_nobody_reports_what_they_cannot_read(cast: Cast) -> None:
    secret = await cast.admin.create_channel(cast.team, "staff", "P", [cast.bob])
    hidden = await say(cast.bob, secret["id"], "staff only")
    deleted = await say(cast.bob, cast.channel["id"], "oops")
    await cast.bob.delete(f"/posts/{deleted['id']}")
    missing = await report(cast.dave, "x" * 26, expect=404)
    for post_id in (hidden["id"], deleted["id"]):
        body = await report(cast.dave, post_id, expect=404)
        assert (body["id"], body["message"]) == (missing["id"], missing["message"])
    assert await cast.mod.get("/kafana/reports") == []


async def test_members_cannot_moderate(cast: Cast) -> None:
    """A16: every moderators' route is 403 to members, existing report or not, and changes nothing."""
    post = await say(cast.bob, cast.channel["id"], "rude")
    rid = (await report(cast.carol, post["id"]))["id"]
    for rid_or_not in (rid, "y" * 26):
        await cast.dave.get(f"/kafana/reports/{rid_or_not}", expect=403)
        await cast.dave.patch(f"/kafana/reports/{rid_or_not}", {"state": "dismissed"}, expect=403)
        await cast.dave.post(f"/kafana/reports/{rid_or_not}/notes", {"message": "hi"}, expect=403)
        for action in ("deactivate", "suspend", "remove_post", "remove_from_channel", "warn"):
            body = await cast.dave.post(f"/kafana/reports/{rid_or_not}/actions", {"action": action, "reason": "x", "hours": 1}, expect=403)
            assert body["id"] == "api.context.permissions.app_error"
    await cast.dave.get("/kafana/reports", expect=403)
    await cast.bob.get("/users/me")
    await cast.dave.get(f"/posts/{post['id']}")
    assert (await cast.mod.get(f"/kafana/reports/{rid}"))["timeline"][-1]["kind"] == "created"
    # Moderators are not admins: no audit log, no user deactivation, no roles; and no actions against an admin.
    await cast.mod.get("/audits", expect=403)
    await cast.mod.put(f"/users/{cast.bob.id}/active", {"active": False}, expect=403)
    await cast.mod.put(f"/users/{cast.dave.id}/roles", {"roles": "system_user system_moderator"}, expect=403)
    admins_post = await say(cast.admin, cast.channel["id"], "admin speaking")
    arid = (await report(cast.carol, admins_post["id"]))["id"]
    await cast.mod.post(f"/kafana/reports/{arid}/actions", {"action": "deactivate", "reason": "x"}, expect=403)
    await cast.admin.get("/users/me")


async def test_bad_input_is_refused_with_stable_ids(cast: Cast) -> None:
    post = await say(cast.bob, cast.channel["id"], "meh")
    cases: list[tuple[str, dict[str, Any], str]] = [
        ("/kafana/reports", {"post_id": post["id"], "reason": "x"}, "api.kafana.report.consent.app_error"),
        ("/kafana/reports", {"post_id": post["id"], "reason": "x", "consent": False}, "api.kafana.report.consent.app_error"),
        ("/kafana/reports", {"post_id": post["id"], "reason": "   ", "consent": True}, "api.kafana.report.reason.app_error"),
        ("/kafana/reports", {"post_id": post["id"], "reason": "r" * 1001, "consent": True}, "api.kafana.report.reason.app_error"),
        ("/kafana/reports", {"post_id": "short", "reason": "x", "consent": True}, "api.context.invalid_url_param.app_error"),
        ("/kafana/reports", {"post_id": post["id"], "reason": 5, "consent": True}, "api.context.invalid_param.app_error"),
        ("/kafana/reports", {"post_id": post["id"], "reason": "x", "consent": "yes"}, "api.context.invalid_param.app_error"),
    ]
    for path, body, error in cases:
        assert (await cast.carol.post(path, body, expect=400))["id"] == error, body
    response = await cast.carol.http.post("/api/v4/kafana/reports", content=b"{", headers={**cast.carol.headers(), "Content-Type": "application/json"})
    assert response.status_code == 400 and response.json()["id"] == "api.context.invalid_body_param.app_error"
    assert await cast.mod.get("/kafana/reports") == []  # nothing was written

    rid = (await report(cast.carol, post["id"]))["id"]
    actions: list[tuple[dict[str, Any], str]] = [
        ({"action": "ban", "reason": "x"}, "api.kafana.report.action.app_error"),
        ({"action": "warn"}, "api.kafana.report.reason.app_error"),
        ({"action": "suspend", "reason": "x"}, "api.kafana.report.hours.app_error"),
        ({"action": "suspend", "reason": "x", "hours": 100_000}, "api.kafana.report.hours.app_error"),
        ({"action": "suspend", "reason": "x", "hours": "2"}, "api.context.invalid_param.app_error"),
        ({"action": "remove_from_channel", "reason": "x", "channel_id": cast.channel["id"][:20]}, "api.context.invalid_url_param.app_error"),
    ]
    for body, error in actions:
        assert (await cast.mod.post(f"/kafana/reports/{rid}/actions", body, expect=400))["id"] == error, body
    town = await cast.admin.get(f"/teams/{cast.team['id']}/channels/name/town-square")
    body = await cast.mod.post(f"/kafana/reports/{rid}/actions", {"action": "remove_from_channel", "reason": "x", "channel_id": town["id"]}, expect=400)
    assert body["id"] == "api.kafana.report.not_a_member.app_error"
    assert (await cast.mod.patch(f"/kafana/reports/{rid}", {"state": "closed"}, expect=400))["id"] == "api.kafana.report.state.app_error"
    assert (await cast.mod.patch(f"/kafana/reports/{rid}", {"assignee_id": cast.dave.id}, expect=400))["id"] == "api.kafana.report.assignee.app_error"
    assert (await cast.mod.get("/kafana/reports", params={"state": "nope"}, expect=400))["id"] == "api.kafana.report.state.app_error"
    assert (await cast.mod.post(f"/kafana/reports/{rid}/notes", {"message": ""}, expect=400))["id"] == "api.context.invalid_param.app_error"
    await cast.mod.get(f"/kafana/reports/{'z' * 26}", expect=404)
    detail = await cast.mod.get(f"/kafana/reports/{rid}")
    assert detail["state"] == "open" and [e["kind"] for e in detail["timeline"]] == ["created"]
    await cast.bob.get("/users/me")


async def test_the_public_log_is_off_by_default(cast: Cast) -> None:
    body = await cast.dave.get("/kafana/moderation/log", expect=501)
    assert body["id"] == "api.kafana.moderation_log.disabled.app_error"


@pytest.mark.parametrize("settings_overrides", [{"moderation_public_log": True}], indirect=True)
async def test_the_public_log_names_nobody(cast: Cast) -> None:
    post = await say(cast.bob, cast.channel["id"], "buy cheap pills")
    rid = (await report(cast.carol, post["id"]))["id"]
    await cast.mod.post(f"/kafana/reports/{rid}/actions", {"action": "remove_post", "reason": "Spam"}, expect=201)
    await cast.mod.post(f"/kafana/reports/{rid}/actions", {"action": "warn", "reason": "Advertising", "message": "No ads, bob."}, expect=201)
    await cast.mod.post(f"/kafana/reports/{rid}/notes", {"message": "internal: bob again"}, expect=201)
    response = await cast.dave.http.get("/api/v4/kafana/moderation/log", headers=cast.dave.headers())
    log = response.json()
    assert [(e["action"], e["reason"]) for e in log] == [("warn", "Advertising"), ("remove_post", "Spam")]
    assert all(set(e) == {"create_at", "action", "reason"} for e in log)
    for secret in ("bob", "carol", "mod", cast.bob.id, cast.mod.id, cast.channel["id"], "lobby", rid, "pills", "internal"):
        assert secret not in response.text
    older = await cast.dave.get("/kafana/moderation/log", params={"before": log[0]["create_at"]})
    assert [e["action"] for e in older] == [e["action"] for e in log if e["create_at"] < log[0]["create_at"]]


@pytest.mark.parametrize("settings_overrides", [{"code_of_conduct_url": "https://example.org/conduct"}], indirect=True)
async def test_new_users_are_welcomed_with_the_code_of_conduct(admin: Api, anon: Api) -> None:
    config = await anon.get("/config/client", params={"format": "old"})
    assert config["KafanaCodeOfConductLink"] == "https://example.org/conduct"
    erin = await anon.signup("erin")
    [welcome] = await bot_messages(erin)
    assert "https://example.org/conduct" in welcome and "@erin" in welcome
    [bot] = await erin.post("/users/usernames", ["system-bot"])
    assert bot["is_bot"]
    await anon.post("/users", {"username": "system-bot", "email": "sb@example.com", "password": "correct-horse-battery"}, expect=400)


async def test_no_welcome_without_a_code_of_conduct(admin: Api, anon: Api) -> None:
    await anon.signup("erin")
    assert await admin.post("/users/usernames", ["system-bot"]) == []
