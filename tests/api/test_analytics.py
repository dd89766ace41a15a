"""Server statistics as Mattermost's /analytics/old gives them: name/value rows; posts and posters per day."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from kafana.lib.clock import now_ms
from tests.helpers import Api

DAY = 86_400_000


def as_dict(rows: list[dict[str, Any]]) -> dict[str, Any]:
    assert all(set(row) == {"name", "value"} for row in rows)
    return {row["name"]: row["value"] for row in rows}


def date(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d")


async def test_standard_counts_for_the_server_and_a_team(admin: Api, anon: Api, team: dict[str, Any]) -> None:
    bob = await anon.signup("bob")
    await admin.post(f"/teams/{team['id']}/members", {"team_id": team["id"], "user_id": bob.id}, expect=201)
    await anon.signup("carol")  # in no team
    other = await admin.create_team("other")
    secret = await admin.create_channel(team, "secret", "P", [bob])
    await bob.post("/posts", {"channel_id": secret["id"], "message": "one"}, expect=201)
    gone = await bob.post("/posts", {"channel_id": secret["id"], "message": "two"}, expect=201)
    await bob.delete(f"/posts/{gone['id']}")

    server = as_dict(await admin.get("/analytics/old?name=standard"))
    assert server["team_count"] == 2 and server["unique_user_count"] == 3
    assert server["channel_private_count"] == 1 and server["channel_open_count"] == 4  # two per team
    assert server["post_count"] >= 1  # system messages count too
    assert server["inactive_user_count"] == 0 and server["daily_active_users"] >= 1
    in_team = as_dict(await admin.get(f"/analytics/old?name=standard&team_id={team['id']}"))
    assert in_team["unique_user_count"] == 2 and in_team["channel_open_count"] == 2
    assert as_dict(await admin.get(f"/analytics/old?team_id={other['id']}"))["unique_user_count"] == 1
    await bob.get("/analytics/old", expect=403)
    error = await admin.get("/analytics/old?name=everything", expect=400)
    assert error["id"] == "api.analytics.name.app_error"


async def test_posts_and_posters_per_day_over_thirty_days(admin: Api, anon: Api, team: dict[str, Any]) -> None:
    bob = await anon.signup("bob")
    await admin.post(f"/teams/{team['id']}/members", {"team_id": team["id"], "user_id": bob.id}, expect=201)
    channel = await admin.create_channel(team, "daily", "O", [bob])
    now = now_ms()
    for user_id, age_days in ((admin.id, 3), (admin.id, 3), (bob.id, 3), (admin.id, 10), (admin.id, 45)):
        body = {"channel_id": channel["id"], "message": "hi", "user_id": user_id, "create_at": now - age_days * DAY}
        await admin.post("/posts", body, expect=201)
    posts = await admin.get(f"/analytics/old?name=post_counts_day&team_id={team['id']}")
    days = [row["name"] for row in posts]
    assert days == sorted(days, reverse=True) and date(now - 45 * DAY) not in days
    counts = as_dict(posts)
    assert counts[date(now - 10 * DAY)] == 1
    posters = as_dict(await admin.get(f"/analytics/old?name=user_counts_with_posts_day&team_id={team['id']}"))
    assert posters[date(now - 10 * DAY)] == 1 and posters[date(now - 3 * DAY)] in (1, 2)
    assert counts[date(now - 3 * DAY)] in (2, 3)


async def test_extra_counts(admin: Api) -> None:
    extra = as_dict(await admin.get("/analytics/old?name=extra_counts"))
    assert extra["session_count"] == 1 and extra["file_post_count"] == 0
