"""Custom statuses as Mattermost keeps them: JSON strings in the user's props, five recents, expiry."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from kafana.actions import custom_status
from kafana.actions.context import Services
from kafana.events import Event
from kafana.lib.clock import now_ms
from tests.helpers import Api

INVALID = "api.custom_status.set_custom_statuses.update.app_error"


def iso(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).isoformat().replace("+00:00", "Z")


def props(user: dict[str, Any]) -> tuple[Any, list[Any]]:
    p = user["props"]
    return (json.loads(p["customStatus"]) if "customStatus" in p else None), json.loads(p.get("recentCustomStatuses", "[]"))


async def test_set_shows_in_props_and_emits_user_updated(admin: Api, anon: Api, events: list[Event]) -> None:
    bob = await anon.signup("bob")
    body = {"emoji": "calendar", "text": "In a meeting", "duration": "one_hour", "expires_at": iso(timedelta(hours=1))}
    assert await bob.put("/users/me/status/custom", body) == {"status": "OK"}
    current, recent = props(await admin.get(f"/users/{bob.id}"))
    assert (current["emoji"], current["text"], current["duration"]) == ("calendar", "In a meeting", "one_hour")
    assert datetime.fromisoformat(current["expires_at"]) > datetime.now(UTC) and recent == [current]
    updates = [e for e in events if e.event == "user_updated"]
    to_bob = next(e for e in updates if e.broadcast.user_id == bob.id)
    to_others = next(e for e in updates if e.broadcast.admins is False)  # admins get the whole profile
    assert json.loads(to_others.data["user"]["props"]["customStatus"]) == current == json.loads(to_bob.data["user"]["props"]["customStatus"])
    assert to_others.broadcast.omit_users == {bob.id} and not to_others.broadcast.channel_id and not to_others.broadcast.team_id
    assert to_others.data["user"]["email"] == "" and "notify_props" not in to_others.data["user"]  # others see no email
    assert to_bob.broadcast.user_id == bob.id and to_bob.data["user"]["email"] == "bob@example.com"


async def test_defaults_and_cut_text(anon: Api) -> None:
    bob = await anon.signup("bob")
    await bob.put("/users/me/status/custom", {"text": "x" * 150})
    current, _ = props(await bob.get("/users/me"))
    assert current == {"emoji": "speech_balloon", "text": "x" * 100, "duration": "", "expires_at": "0001-01-01T00:00:00Z"}
    await bob.put("/users/me/status/custom", {"emoji": "palm_tree", "expires_at": iso(timedelta(days=2))})
    assert props(await bob.get("/users/me"))[0]["duration"] == "date_and_time"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"emoji": "", "text": ""},
        {"emoji": "not an emoji!", "text": "hi"},
        {"emoji": "smile", "text": "hi", "duration": "forever", "expires_at": iso(timedelta(hours=1))},
        {"emoji": "smile", "text": "hi", "duration": "one_hour"},
        {"emoji": "smile", "text": "hi", "duration": "one_hour", "expires_at": iso(timedelta(hours=-1))},
        {"emoji": "smile", "text": "hi", "expires_at": "tomorrow"},
        {"emoji": 3, "text": "hi"},
    ],
)
async def test_invalid_custom_status_changes_nothing(anon: Api, body: dict[str, Any]) -> None:
    bob = await anon.signup("bob")
    await bob.put("/users/me/status/custom", {"emoji": "smile", "text": "before"})
    error = await bob.put("/users/me/status/custom", body, expect=400)
    assert error["id"] == INVALID
    assert props(await bob.get("/users/me"))[0]["text"] == "before"


async def test_only_self_or_an_admin(admin: Api, anon: Api) -> None:
    bob, eve = await anon.signup("bob"), await anon.signup("eve")
    await eve.put(f"/users/{bob.id}/status/custom", {"text": "hacked"}, expect=403)
    await eve.delete(f"/users/{bob.id}/status/custom", expect=403)
    await admin.put(f"/users/{bob.id}/status/custom", {"text": "set by admin"})
    assert props(await bob.get("/users/me"))[0]["text"] == "set by admin"
    await eve.post(f"/users/{bob.id}/status/custom/recent/delete", {"text": "set by admin"}, expect=403)
    assert props(await bob.get("/users/me"))[1][0]["text"] == "set by admin"


async def test_clear_keeps_recents(anon: Api, events: list[Event]) -> None:
    bob = await anon.signup("bob")
    await bob.put("/users/me/status/custom", {"emoji": "coffee", "text": "Break"})
    assert await bob.delete("/users/me/status/custom") == {"status": "OK"}
    current, recent = props(await bob.get("/users/me"))
    assert current is None and [r["text"] for r in recent] == ["Break"]
    assert len([e for e in events if e.event == "user_updated" and e.broadcast.admins is False]) == 2


async def test_recents_newest_first_five_at_most_no_repeats(anon: Api) -> None:
    bob = await anon.signup("bob")
    for n in range(7):
        await bob.put("/users/me/status/custom", {"emoji": "smile", "text": f"s{n}"})
    await bob.put("/users/me/status/custom", {"emoji": "smile", "text": "s4"})  # again: moves to the front
    assert [r["text"] for r in props(await bob.get("/users/me"))[1]] == ["s4", "s6", "s5", "s3", "s2"]


@pytest.mark.parametrize("how", ["delete", "post"])
async def test_remove_one_recent(anon: Api, how: str) -> None:
    bob = await anon.signup("bob")
    for text in ("a", "b"):
        await bob.put("/users/me/status/custom", {"emoji": "smile", "text": text})
    target = {"emoji": "smile", "text": "a", "duration": "", "expires_at": "0001-01-01T00:00:00Z"}
    if how == "delete":
        assert await bob.delete("/users/me/status/custom/recent", target) == {"status": "OK"}
    else:
        assert await bob.post("/users/me/status/custom/recent/delete", target) == {"status": "OK"}
    current, recent = props(await bob.get("/users/me"))
    assert [r["text"] for r in recent] == ["b"] and current["text"] == "b"
    missing = await bob.post("/users/me/status/custom/recent/delete", target, expect=400)
    assert missing["id"] == "api.custom_status.recent_custom_statuses.delete.app_error"


async def test_expired_statuses_are_cleared_by_the_job(anon: Api, services: Services, events: list[Event]) -> None:
    bob, ann = await anon.signup("bob"), await anon.signup("ann")
    await bob.put("/users/me/status/custom", {"text": "soon over", "duration": "thirty_minutes", "expires_at": iso(timedelta(minutes=30))})
    await ann.put("/users/me/status/custom", {"text": "for good"})
    events.clear()
    assert await custom_status.do_expire_custom_statuses(services, now_ms()) == 0
    assert await custom_status.do_expire_custom_statuses(services, now_ms() + 31 * 60_000) == 1
    assert props(await bob.get("/users/me"))[0] is None and props(await ann.get("/users/me"))[0]["text"] == "for good"
    assert [e.data["user"]["id"] for e in events if e.event == "user_updated" and e.broadcast.admins is False] == [bob.id]
    assert await custom_status.do_expire_custom_statuses(services, now_ms() + 31 * 60_000) == 0


async def test_a_replaced_status_does_not_expire_with_the_old_time(anon: Api, services: Services) -> None:
    bob = await anon.signup("bob")
    await bob.put("/users/me/status/custom", {"text": "short", "duration": "thirty_minutes", "expires_at": iso(timedelta(minutes=30))})
    await bob.put("/users/me/status/custom", {"text": "long", "duration": "today", "expires_at": iso(timedelta(hours=5))})
    assert await custom_status.do_expire_custom_statuses(services, now_ms() + 31 * 60_000) == 0
    await bob.delete("/users/me/status/custom")
    await bob.put("/users/me/status/custom", {"text": "open-ended"})
    assert await custom_status.do_expire_custom_statuses(services, now_ms() + 10 * 3_600_000) == 0
    assert props(await bob.get("/users/me"))[0]["text"] == "open-ended"
