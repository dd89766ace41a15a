"""Presence across nodes and job leases, on one database shared by several nodes' services. Time is passed in
(ms), never waited for."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from kafana.actions import presence, statuses, users
from kafana.actions.context import SYSTEM, Services
from kafana.events import Event
from kafana.lib.ids import new_id
from kafana.workers.scheduler import Job, Scheduler

T0 = 1_800_000_000_000
BEAT = 30_000  # the default heartbeat, in ms
AWAY = 300_000


def node(services: Services) -> Services:
    """Another node's services on the same database (its own node id and activity memory)."""
    return Services(settings=services.settings, db=services.db)


def changes(services: Services) -> list[tuple[str, str]]:
    """(user id, status) of every status_change published from now on."""
    seen: list[tuple[str, str]] = []

    def publish(batch: Sequence[Event]) -> Any:
        seen.extend((e.data["user_id"], e.data["status"]) for e in batch if e.event == "status_change")

    services.db.publisher = publish
    return seen


async def shown(services: Services, user_id: str) -> str:
    return (await statuses.get_statuses(services, SYSTEM, [user_id]))[0].status


async def test_online_until_the_last_node_lets_go(services: Services) -> None:
    a, b, bob = services, node(services), new_id()
    seen = changes(services)
    await presence.do_connect(a, bob, T0)
    await presence.do_connect(b, bob, T0)
    assert seen == [(bob, "online")]  # the second node changes nothing the user is shown
    await presence.do_disconnect(a, bob, lambda: False, T0 + 1)
    assert await shown(services, bob) == "online" and seen == [(bob, "online")]
    await presence.do_disconnect(b, bob, lambda: False, T0 + 2)
    assert await shown(services, bob) == "offline" and seen == [(bob, "online"), (bob, "offline")]


async def test_a_socket_still_open_on_the_node_keeps_its_row(services: Services) -> None:
    a, bob = services, new_id()
    await presence.do_connect(a, bob, T0)
    await presence.do_disconnect(a, bob, lambda: True, T0 + 1)  # another socket of bob's is open here
    await presence.do_sweep(a, T0 + 2)
    assert await shown(services, bob) == "online"


async def test_manual_status_survives_connect_disconnect_and_sweep(services: Services) -> None:
    bob = (await _user(services)).id
    await statuses.do_set_status(services, SYSTEM, bob, "dnd")
    seen = changes(services)
    await presence.do_connect(services, bob, T0)
    await presence.do_sweep(services, T0 + 10 * AWAY)
    await presence.do_disconnect(services, bob, lambda: False, T0 + 10 * AWAY)
    assert await shown(services, bob) == "dnd" and seen == []


async def test_a_dead_nodes_users_go_offline_after_three_missed_heartbeats(services: Services) -> None:
    a, dead, ann, bob = services, node(services), new_id(), new_id()
    await presence.do_connect(dead, ann, T0)
    await presence.do_connect(dead, bob, T0)
    await presence.do_connect(a, bob, T0)
    seen = changes(services)
    await presence.do_heartbeat(a, [bob], T0 + 3 * BEAT)  # the live node keeps beating; the dead one does not
    await presence.do_sweep(a, T0 + 3 * BEAT)
    assert await shown(services, ann) == "online" and seen == []  # three beats old is not yet stale
    await presence.do_sweep(a, T0 + 3 * BEAT + 1)
    assert seen == [(ann, "offline")]
    assert await shown(services, ann) == "offline" and await shown(services, bob) == "online"


async def test_idle_users_go_away_and_activity_brings_them_back(services: Services) -> None:
    a, bob = services, new_id()
    await presence.do_connect(a, bob, T0)
    seen = changes(services)
    await presence.do_heartbeat(a, [bob], T0 + AWAY)
    await presence.do_sweep(a, T0 + AWAY)
    assert seen == []
    await presence.do_note_activity(a, bob, T0 + 30_000)  # within a minute of connecting: not written
    await presence.do_sweep(a, T0 + AWAY + 1)
    assert seen == [(bob, "away")] and await shown(services, bob) == "away"
    await presence.do_note_activity(a, bob, T0 + AWAY + 2)
    assert seen == [(bob, "away"), (bob, "online")]
    await presence.do_heartbeat(a, [bob], T0 + 2 * AWAY)
    await presence.do_sweep(a, T0 + 2 * AWAY)  # activity reset the idle clock
    assert await shown(services, bob) == "online"


async def test_activity_is_written_at_most_once_a_minute_per_node(services: Services) -> None:
    a, b, bob = services, node(services), new_id()
    await presence.do_connect(a, bob, T0)
    await presence.do_note_activity(a, bob, T0 + 59_999)
    assert (await statuses.get_statuses(services, SYSTEM, [bob]))[0].last_activity_at == T0
    await presence.do_note_activity(b, bob, T0 + 59_999)  # another node keeps its own minute
    assert (await statuses.get_statuses(services, SYSTEM, [bob]))[0].last_activity_at == T0 + 59_999
    await presence.do_note_activity(a, bob, T0 + 60_000)
    assert (await statuses.get_statuses(services, SYSTEM, [bob]))[0].last_activity_at == T0 + 60_000


async def test_shown_statuses_include_every_nodes_users(services: Services) -> None:
    a, b, ann, bob, gone = services, node(services), new_id(), new_id(), new_id()
    await presence.do_connect(a, ann, T0)
    await presence.do_connect(b, bob, T0)
    await presence.do_connect(b, gone, T0)
    await presence.do_disconnect(b, gone, lambda: False, T0)
    assert {s.user_id: s.status for s in await statuses.get_shown_statuses(services)} == {ann: "online", bob: "online"}


def _counting(name: str, runs: list[tuple[str, int]], label: str, period: float = 30.0) -> Job:
    async def run(now: int) -> None:
        runs.append((label, now))

    return Job(name, period, run, leased=True)


async def test_a_leased_job_runs_on_one_node_and_moves_when_its_holder_stops(services: Services) -> None:
    runs: list[tuple[str, int]] = []
    a = Scheduler(services, [_counting("job", runs, "a")])
    b = Scheduler(node(services), [_counting("job", runs, "b")])
    for t in (T0, T0 + BEAT):
        assert await a.tick(t) == ["job"]
        assert await b.tick(t) == []
    # a stops renewing: its last lease (taken at T0 + BEAT for two periods) runs to T0 + 3 * BEAT.
    assert await b.tick(T0 + 2 * BEAT) == []
    assert await b.tick(T0 + 3 * BEAT) == ["job"]
    assert await a.tick(T0 + 3 * BEAT) == []
    assert runs == [("a", T0), ("a", T0 + BEAT), ("b", T0 + 3 * BEAT)]


async def test_a_stopped_scheduler_hands_its_leases_over_at_once(services: Services) -> None:
    runs: list[tuple[str, int]] = []
    a = Scheduler(services, [_counting("job", runs, "a")])
    b = Scheduler(node(services), [_counting("job", runs, "b")])
    assert await a.tick(T0) == ["job"]
    await a.stop()
    assert await b.tick(T0 + 1) == ["job"]


async def test_unleased_jobs_run_everywhere_and_a_failing_job_does_not_stop_the_others(services: Services) -> None:
    runs: list[tuple[str, int]] = []

    async def fail(now: int) -> None:
        raise RuntimeError("boom")

    jobs = [Job("fails", 30.0, fail), replace(_counting("each", runs, "x"), leased=False)]
    assert await Scheduler(services, jobs).tick(T0) == ["each"]
    assert await Scheduler(node(services), jobs).tick(T0) == ["each"]
    assert len(runs) == 2


async def _user(services: Services) -> Any:
    return await users.do_create_user(services, None, {"username": "bob" + new_id()[:6], "email": f"{new_id()}@example.com", "password": "correct horse 1"})
