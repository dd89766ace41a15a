"""Data retention: the global policy, granular team/channel policies, and the job that deletes for real.

Time is the job's argument: a run "90 days later" is `do_run_retention(svc, now=t + 90 days)`, so posts made
before `t` are old and those made after it are new, without waiting or patching clocks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from kafana.actions import retention
from kafana.actions.context import Services
from kafana.lib.clock import now_ms
from kafana.models import Post
from tests.files import images
from tests.files.test_uploads import upload
from tests.helpers import Api, run_kafana
from tests.openapi import check_shape, load_spec

DAY = retention.DAY_MS


def a_moment_later() -> int:
    """A timestamp strictly after every post made so far and before any made next (ms resolution)."""
    t = now_ms()
    while now_ms() <= t:
        pass
    return t + 1


def stored_files(services: Services) -> set[Path]:
    root = services.settings.files_root
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


async def post(api: Api, channel: dict[str, Any], message: str, **extra: Any) -> dict[str, Any]:
    return await api.post("/posts", {"channel_id": channel["id"], "message": message, **extra}, expect=201)


async def search(api: Api, team: dict[str, Any], terms: str) -> list[str]:
    return list((await api.post(f"/teams/{team['id']}/posts/search", {"terms": terms, "is_or_search": False}))["order"])


@pytest.fixture
def settings_overrides(request: pytest.FixtureRequest) -> dict[str, Any]:
    """A 90-day global policy unless a test parametrizes other settings."""
    return dict(getattr(request, "param", {"retention_message_days": 90}))


async def test_the_global_policy_as_mattermost_shapes_it(admin: Api, anon: Api) -> None:
    bob = await anon.signup("bob")
    before = now_ms()
    policy = await bob.get("/data_retention/policy")
    check_shape(policy, load_spec().response_schema("get", "/api/v4/data_retention/policy"))
    assert policy["message_deletion_enabled"] and policy["file_deletion_enabled"]  # files follow messages
    assert before - 90 * DAY <= policy["message_retention_cutoff"] <= now_ms() - 90 * DAY
    assert policy["file_retention_cutoff"] == policy["message_retention_cutoff"]


async def test_expired_posts_leave_no_trace(admin: Api, anon: Api, team: dict[str, Any], services: Services) -> None:
    bob = await anon.signup("bob")
    await admin.post(f"/teams/{team['id']}/members", {"team_id": team["id"], "user_id": bob.id}, expect=201)
    channel = await admin.create_channel(team, "history", "O", [bob])
    [info] = (await upload(bob, channel["id"], "old.png", images.png()))["file_infos"]
    old = await post(bob, channel, "ancient decision about zebras", file_ids=[info["id"]])
    reply = await post(admin, channel, "zebras agreed", root_id=old["id"])
    await admin.post("/reactions", {"user_id": admin.id, "post_id": old["id"], "emoji_name": "smile"}, expect=201)
    await bob.put(f"/users/{bob.id}/preferences", [{"user_id": bob.id, "category": "flagged_post", "name": old["id"], "value": "true"}])
    await bob.post(f"/posts/{old['id']}/pin")
    files_before = stored_files(services)
    assert len(files_before) >= 2  # the original and its derived images

    t = a_moment_later()
    new = await post(bob, channel, "fresh zebras news")
    [new_info] = (await upload(bob, channel["id"], "new.png", images.png()))["file_infos"]

    done = await retention.do_run_retention(services, now=t + 90 * DAY)
    assert done.files == 1 and done.posts >= 2  # and the join messages, here and in the team's other channels

    for gone in (old, reply):
        await bob.get(f"/posts/{gone['id']}", expect=404)
    await bob.get(f"/files/{info['id']}/info", expect=404)
    page = await bob.get(f"/channels/{channel['id']}/posts")
    assert page["order"] == [new["id"]]
    since = await bob.get(f"/channels/{channel['id']}/posts", params={"since": old["create_at"] - 1})
    assert set(since["posts"]) == {new["id"]}  # a reconnecting client's resync does not bring them back
    assert await search(bob, team, "zebras") == [new["id"]]
    assert (await bob.post(f"/teams/{team['id']}/files/search", {"terms": "old"}))["order"] == []
    assert (await bob.get(f"/channels/{channel['id']}/pinned"))["order"] == []
    assert (await bob.get(f"/users/{bob.id}/posts/flagged"))["order"] == []
    left = stored_files(services)
    assert not (files_before & left) and left  # the old file's bytes are gone; the new upload's remain
    await bob.get(f"/files/{new_info['id']}/info")

    again = await retention.do_run_retention(services, now=t + 90 * DAY)
    assert (again.posts, again.files) == (0, 0)


async def test_a_channel_policy_wins_over_its_team_policy_which_wins_over_the_global(admin: Api, team: dict[str, Any], services: Services) -> None:
    other = await admin.create_team("other")
    short, forever, plain = (
        await admin.create_channel(team, "short", "O"),
        await admin.create_channel(team, "forever", "O"),
        await admin.create_channel(other, "plain", "O"),
    )
    posts = {c["name"]: await post(admin, c, "kept?") for c in (short, forever, plain)}
    await admin.post("/data_retention/policies", {"display_name": "Team: 10 days", "post_duration": 10, "team_ids": [team["id"]]}, expect=201)
    await admin.post("/data_retention/policies", {"display_name": "Keep", "post_duration": -1, "channel_ids": [forever["id"]]}, expect=201)
    t = a_moment_later()

    async def alive() -> set[str]:
        return {name for name, p in posts.items() if (await admin.http.get(f"/api/v4/posts/{p['id']}", headers=admin.headers())).status_code == 200}

    await retention.do_run_retention(services, now=t + 11 * DAY)
    assert await alive() == {"forever", "plain"}
    await retention.do_run_retention(services, now=t + 91 * DAY)
    assert await alive() == {"forever"}


@pytest.mark.parametrize("settings_overrides", [{"retention_file_days": 10}], indirect=True)
async def test_files_expire_on_their_own_schedule(admin: Api, team: dict[str, Any], services: Services) -> None:
    channel = await admin.create_channel(team, "media", "O")
    [info] = (await upload(admin, channel["id"], "photo.png", images.png()))["file_infos"]
    with_file = await post(admin, channel, "look at this", file_ids=[info["id"]])
    t = a_moment_later()
    assert (await admin.post(f"/teams/{team['id']}/files/search", {"terms": "photo"}))["order"] == [info["id"]]

    done = await retention.do_run_retention(services, now=t + 11 * DAY)
    assert (done.posts, done.files) == (0, 1)
    assert (await admin.post(f"/teams/{team['id']}/files/search", {"terms": "photo"}))["order"] == []
    kept = await admin.get(f"/posts/{with_file['id']}")
    assert kept["message"] == "look at this" and not kept.get("file_ids") and not kept["metadata"].get("files")
    await admin.get(f"/files/{info['id']}", expect=404)
    assert not stored_files(services)


@pytest.mark.parametrize("settings_overrides", [{}], indirect=True)
async def test_a_run_killed_between_bytes_and_rows_is_finished_by_the_next(
    admin: Api, team: dict[str, Any], services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """F9: the job's first run dies after deleting a batch's bytes, before its rows; the next run completes."""
    channel = await admin.create_channel(team, "busy", "O")
    await admin.post("/data_retention/policies", {"display_name": "Busy", "post_duration": 1, "channel_ids": [channel["id"]]}, expect=201)
    for i in range(5):
        [info] = (await upload(admin, channel["id"], f"f{i}.png", images.png()))["file_infos"]
        await post(admin, channel, f"message {i}", file_ids=[info["id"]])
    t = a_moment_later()
    files_before = stored_files(services)
    real_purge = retention.store.purge_posts

    async def killed(*args: Any) -> None:
        raise SystemExit("killed")

    monkeypatch.setattr(retention.store, "purge_posts", killed)
    with pytest.raises(SystemExit):
        await retention.do_run_retention(services, now=t + 91 * DAY, batch=2)
    assert stored_files(services) < files_before  # the first batch's bytes went; every row is still there
    old_posts = len((await admin.get(f"/channels/{channel['id']}/posts"))["order"])
    assert old_posts >= 5

    monkeypatch.setattr(retention.store, "purge_posts", real_purge)
    done = await retention.do_run_retention(services, now=t + 91 * DAY, batch=2)
    assert (done.posts, done.files) == (old_posts, 5)
    assert (await admin.get(f"/channels/{channel['id']}/posts"))["order"] == [] and not stored_files(services)


@pytest.mark.parametrize("settings_overrides", [{}], indirect=True)
async def test_nothing_is_deleted_without_a_policy(admin: Api, team: dict[str, Any], services: Services) -> None:
    channel = await admin.create_channel(team, "keep", "O")
    kept = await post(admin, channel, "kept forever")
    assert (await admin.get("/data_retention/policy"))["message_deletion_enabled"] is False
    done = await retention.do_run_retention(services, now=now_ms() + 10_000 * DAY)
    assert (done.posts, done.files, done.channels) == (0, 0, 0)
    await admin.get(f"/posts/{kept['id']}")


async def test_granular_policies_api(admin: Api, anon: Api, team: dict[str, Any]) -> None:
    spec = load_spec()
    bob = await anon.signup("bob")
    await admin.post(f"/teams/{team['id']}/members", {"team_id": team["id"], "user_id": bob.id}, expect=201)
    channel = await admin.create_channel(team, "announce", "O", [bob])
    created = await admin.post("/data_retention/policies", {"display_name": "Announcements", "post_duration": 30, "channel_ids": [channel["id"]]}, expect=201)
    check_shape(created, spec.response_schema("post", "/api/v4/data_retention/policies"), optional=frozenset({"file_duration"}))
    assert (created["team_count"], created["channel_count"], created["post_duration"]) == (0, 1, 30)
    pid = created["id"]

    await admin.post(f"/data_retention/policies/{pid}/teams", [team["id"]])
    assert [t["id"] for t in await admin.get(f"/data_retention/policies/{pid}/teams")] == [team["id"]]
    [listed] = await admin.get(f"/data_retention/policies/{pid}/channels")
    assert (listed["id"], listed["team_name"]) == (channel["id"], team["name"])
    patched = await admin.request("PATCH", f"/data_retention/policies/{pid}", {"post_duration": 7, "file_duration": 2})
    assert (patched["post_duration"], patched["file_duration"], patched["team_count"]) == (7, 2, 1)
    assert [p["id"] for p in await admin.get("/data_retention/policies")] == [pid]
    assert (await admin.get("/data_retention/policies_count"))["total_count"] == 1

    mine = await bob.get(f"/users/{bob.id}/data_retention/channel_policies")
    assert mine == {"policies": [{"channel_id": channel["id"], "post_duration": 7}], "total_count": 1}
    assert (await bob.get("/users/me/data_retention/team_policies"))["policies"] == [{"team_id": team["id"], "post_duration": 7}]
    await bob.get(f"/users/{admin.id}/data_retention/team_policies", expect=403)

    for bad in (
        {"display_name": "", "post_duration": 5},
        {"display_name": "x", "post_duration": "5"},
        {"display_name": "x"},
        {"display_name": "x", "post_duration": 5, "team_ids": ["short"]},
    ):
        error = await admin.post("/data_retention/policies", bad, expect=400)
        assert error["id"].startswith(("model.retention_policy", "api.data_retention"))
    for call in (
        bob.get("/data_retention/policies", expect=403),
        bob.get(f"/data_retention/policies/{pid}", expect=403),
        bob.delete(f"/data_retention/policies/{pid}", expect=403),
    ):
        await call
    await admin.delete(f"/data_retention/policies/{pid}/channels", [channel["id"]])
    assert (await admin.get(f"/data_retention/policies/{pid}"))["channel_count"] == 0
    await admin.delete(f"/data_retention/policies/{pid}")
    await admin.get(f"/data_retention/policies/{pid}", expect=404)
    assert (await bob.get("/users/me/data_retention/team_policies"))["total_count"] == 0


async def test_kafana_retention_run_deletes_and_reports(admin: Api, team: dict[str, Any], services: Services) -> None:
    channel = await admin.create_channel(team, "aged", "O")
    aged = await post(admin, channel, "from last season")
    async with services.db.write() as uow:  # this test's clock: every post so far is 100 days old
        await uow.session.execute(update(Post).values(create_at=Post.create_at - 100 * DAY))
    fresh = await post(admin, channel, "from today")
    out, err = await run_kafana(services, "retention", "run", env={"KAFANA_RETENTION_MESSAGE_DAYS": "90"})
    assert "channels," in err and "posts and 0 files deleted" in err  # the progress line
    assert out.startswith("Deleted ") and " 0 files " in out
    await admin.get(f"/posts/{aged['id']}", expect=404)
    await admin.get(f"/posts/{fresh['id']}")
