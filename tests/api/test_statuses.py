"""Statuses: offline by default, manual changes by the user or an admin, lookups by ids, timed do-not-disturb."""

from __future__ import annotations

import time
from typing import Any

from kafana.actions import presence
from kafana.actions.context import Services
from kafana.events import Event
from kafana.lib.clock import now_ms
from tests.helpers import Api

STATUS_KEYS = {"user_id", "status", "manual", "last_activity_at", "active_channel", "dnd_end_time"}


async def test_offline_until_set(admin: Api, anon: Api) -> None:
    bob = await anon.signup("bob")
    status = await admin.get(f"/users/{bob.id}/status")
    assert status == {"user_id": bob.id, "status": "offline", "manual": False, "last_activity_at": 0, "active_channel": "", "dnd_end_time": 0}
    assert await bob.get("/users/me/status") == status


async def test_set_status_and_event(admin: Api, anon: Api, events: list[Event]) -> None:
    bob = await anon.signup("bob")
    before = int(time.time() * 1000)
    away = await bob.put("/users/me/status", {"user_id": bob.id, "status": "away"})
    assert set(away) == STATUS_KEYS
    assert away["user_id"] == bob.id and away["status"] == "away" and away["manual"] is True and away["dnd_end_time"] == 0
    assert away["last_activity_at"] >= before
    assert await admin.get(f"/users/{bob.id}/status") == away
    changed = [e for e in events if e.event == "status_change"]
    assert [(e.broadcast.user_id, e.data) for e in changed] == [(bob.id, {"status": "away", "user_id": bob.id})]
    for value in ("online", "dnd", "offline"):
        assert (await bob.put(f"/users/{bob.id}/status", {"user_id": bob.id, "status": value}))["status"] == value
    assert (await bob.get("/users/me/status"))["status"] == "offline"
    assert len([e for e in events if e.event == "status_change"]) == 4


async def test_statuses_by_ids(admin: Api, anon: Api) -> None:
    bob, carol = await anon.signup("bob"), await anon.signup("carol")
    await bob.put("/users/me/status", {"user_id": bob.id, "status": "online"})
    nobody = "a" * 26
    found = await carol.post("/users/status/ids", [carol.id, bob.id, nobody])
    assert [(s["user_id"], s["status"]) for s in found] == [(carol.id, "offline"), (bob.id, "online"), (nobody, "offline")]
    assert all(set(s) == STATUS_KEYS for s in found)
    assert await carol.post("/users/status/ids", []) == []
    await carol.post("/users/status/ids", ["me"], expect=400)
    await carol.post("/users/status/ids", [bob.id, 5], expect=400)
    await carol.post("/users/status/ids", {"ids": [bob.id]}, expect=400)


async def test_only_the_user_or_an_admin_sets_it(admin: Api, anon: Api, events: list[Event]) -> None:
    bob, carol = await anon.signup("bob"), await anon.signup("carol")
    error = await carol.put(f"/users/{bob.id}/status", {"user_id": bob.id, "status": "dnd"}, expect=403)
    assert error["id"] == "api.context.permissions.app_error"
    assert (await bob.get("/users/me/status"))["status"] == "offline"
    assert (await admin.put(f"/users/{bob.id}/status", {"user_id": bob.id, "status": "dnd"}))["status"] == "dnd"
    assert [e.broadcast.user_id for e in events if e.event == "status_change"] == [bob.id]
    await admin.put(f"/users/{'a' * 26}/status", {"user_id": "a" * 26, "status": "dnd"}, expect=404)


async def test_bad_input(anon: Api) -> None:
    bob = await anon.signup("bob")
    cases: list[dict[str, Any]] = [
        {"user_id": bob.id, "status": "busy"},
        {"user_id": bob.id, "status": ""},
        {"user_id": bob.id},
        {"user_id": bob.id, "status": 1},
        {"status": "online"},  # the body names the user
        {"user_id": "a" * 26, "status": "online"},
        {"user_id": "me", "status": "online"},
        {"user_id": bob.id, "status": "dnd", "dnd_end_time": -1},
        {"user_id": bob.id, "status": "dnd", "dnd_end_time": 2**62},
        {"user_id": bob.id, "status": "dnd", "dnd_end_time": "soon"},
    ]
    for body in cases:
        error = await bob.put("/users/me/status", body, expect=400)
        assert error["id"] == "api.context.invalid_param.app_error", (body, error)
    await bob.put("/users/me/status", ["online"], expect=400)
    await bob.get("/users/nope/status", expect=400)
    assert (await bob.get("/users/me/status"))["status"] == "offline"


async def test_timed_do_not_disturb(anon: Api) -> None:
    bob = await anon.signup("bob")
    await bob.put("/users/me/status", {"user_id": bob.id, "status": "away"})
    until = int(time.time()) + 3600
    dnd = await bob.put("/users/me/status", {"user_id": bob.id, "status": "dnd", "dnd_end_time": until})
    assert (dnd["status"], dnd["dnd_end_time"]) == ("dnd", until)
    assert (await bob.get("/users/me/status"))["dnd_end_time"] == until
    # One that has already ended reads as the status it replaced.
    await bob.put("/users/me/status", {"user_id": bob.id, "status": "dnd", "dnd_end_time": int(time.time()) - 1})
    after = await bob.get("/users/me/status")
    assert (after["status"], after["dnd_end_time"]) == ("away", 0)
    # Leaving do-not-disturb clears its end time.
    assert (await bob.put("/users/me/status", {"user_id": bob.id, "status": "online"}))["dnd_end_time"] == 0


async def test_requests_a_person_made_count_as_activity(admin: Api, anon: Api, services: Services) -> None:
    """Mattermost's apps mark such requests with X-Requested-With: XMLHttpRequest; others (polling) are not activity."""
    bob = await anon.signup("bob")
    await presence.do_connect(services, bob.id)
    later = now_ms() + services.settings.presence_away_after_seconds * 1000 + 1
    await presence.do_heartbeat(services, [bob.id], later)
    await presence.do_sweep(services, later)
    services.activity_written.clear()
    await bob.get("/users/me")
    assert (await admin.get(f"/users/{bob.id}/status"))["status"] == "away"
    await bob.get("/users/me", headers={"X-Requested-With": "XMLHttpRequest"})
    assert (await admin.get(f"/users/{bob.id}/status"))["status"] == "online"
