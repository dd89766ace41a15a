"""Mattermost's /jobs: admins run data retention now and read its history with progress and status; the
scheduler's runs are recorded too. The runner job is called directly (no waiting for the scheduler)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from kafana.actions import job_runs
from kafana.actions.context import Services
from kafana.lib.clock import now_ms
from kafana.store import job_runs as store
from kafana.workers.jobs import default_jobs
from tests.helpers import Api
from tests.openapi import check_shape, load_spec

DAY = 86_400_000


@pytest.fixture(autouse=True)
def runner_called_by_the_tests(monkeypatch: pytest.MonkeyPatch) -> None:
    """The app's scheduler would look for pending runs every 2 s: here only the tests run them."""
    monkeypatch.setattr(job_runs, "RUNNER_SECONDS", 3600.0)


async def keep_90_days(admin: Api) -> None:
    """Set after start-up (a live setting), so the scheduler's first tick has no retention run to record."""
    await admin.put("/kafana/settings", {"retention_message_days": 90})


async def scheduler_job(svc: Services, name: str, now: int = 0) -> None:
    [job] = [job for job in default_jobs(svc, list) if job.name == name]
    await job.run(now or now_ms())


def job_schema() -> Any:
    return load_spec().response_schema("get", "/api/v4/jobs/{job_id}")


async def test_an_admin_runs_retention_now_and_reads_its_history(admin: Api, anon: Api, team: dict[str, Any], services: Services) -> None:
    await keep_90_days(admin)
    channel = await admin.create_channel(team, "history")
    old = await admin.post("/posts", {"channel_id": channel["id"], "message": "long ago", "create_at": now_ms() - 100 * DAY}, expect=201)
    new = await admin.post("/posts", {"channel_id": channel["id"], "message": "today"}, expect=201)

    job = await admin.post("/jobs", {"type": "data_retention"}, expect=201)
    check_shape(job, job_schema())
    assert job["status"] == "pending" and job["type"] == "data_retention" and job["progress"] == 0

    await scheduler_job(services, "job_runner")
    done = await admin.get(f"/jobs/{job['id']}")
    check_shape(done, job_schema())
    assert done["status"] == "success" and done["progress"] == 100 and done["start_at"] >= job["create_at"]
    assert done["data"]["posts_deleted"] == "1" and done["data"]["channels"] == done["data"]["channels_done"]
    await admin.get(f"/posts/{old['id']}", expect=404)
    await admin.get(f"/posts/{new['id']}")

    again = await admin.post("/jobs", {"type": "data_retention"}, expect=201)
    await scheduler_job(services, "job_runner")
    history = await admin.get("/jobs/type/data_retention")
    assert [j["id"] for j in history] == [again["id"], job["id"]]  # newest first
    assert history[0]["data"]["posts_deleted"] == "0"
    assert [j["id"] for j in await admin.get("/jobs?page=0&per_page=1")] == [again["id"]]


async def test_the_scheduled_retention_run_is_recorded(admin: Api, team: dict[str, Any], services: Services) -> None:
    await keep_90_days(admin)
    channel = await admin.create_channel(team, "history")
    await admin.post("/posts", {"channel_id": channel["id"], "message": "soon old"}, expect=201)
    await scheduler_job(services, "data_retention", now=now_ms() + 91 * DAY)
    [run] = await admin.get("/jobs/type/data_retention")
    assert run["status"] == "success" and int(run["data"]["posts_deleted"]) >= 1


async def test_a_pending_run_is_canceled_and_never_runs(admin: Api, team: dict[str, Any], services: Services) -> None:
    job = await admin.post("/jobs", {"type": "data_retention"}, expect=201)
    assert await admin.post(f"/jobs/{job['id']}/cancel") == {"status": "OK"}
    await scheduler_job(services, "job_runner")
    canceled = await admin.get(f"/jobs/{job['id']}")
    assert canceled["status"] == "canceled" and canceled["start_at"] == 0
    error = await admin.post(f"/jobs/{job['id']}/cancel", expect=400)
    assert error["id"] == "api.job.cancel_job.not_running.app_error"


async def test_only_admins_and_known_types(admin: Api, anon: Api) -> None:
    error = await admin.post("/jobs", {"type": "mine_bitcoin"}, expect=400)
    assert error["id"] == "api.job.create_job.invalid_type.app_error"
    await admin.post("/jobs", ["data_retention"], expect=400)
    job = await admin.post("/jobs", {"type": "data_retention"}, expect=201)
    bob = await anon.signup("bob")
    await bob.post("/jobs", {"type": "data_retention"}, expect=403)
    await bob.get("/jobs", expect=403)
    await bob.get(f"/jobs/{job['id']}", expect=403)
    await bob.post(f"/jobs/{job['id']}/cancel", expect=403)
    await admin.get("/jobs/" + "x" * 26, expect=404)
    assert (await admin.get(f"/jobs/{job['id']}"))["status"] == "pending"


async def claimed_by_a_node_that_died(services: Services, job_id: str, at: int) -> None:
    """What a node leaves behind when it is killed right after claiming a run: `in_progress`, no more records."""
    async with services.db.write() as uow:
        assert await store.change_status(uow.session, job_id, ["pending"], "in_progress", at, start_at=at)


async def test_a_run_whose_node_died_is_taken_over_once_its_lease_expires(admin: Api, team: dict[str, Any], services: Services) -> None:
    """F9: the node running retention is killed; another node's runner runs it again once the run has had no
    progress record for STALE_SECONDS, and it finishes what the dead one left (clock given to the runner)."""
    await keep_90_days(admin)
    channel = await admin.create_channel(team, "history")
    old = await admin.post("/posts", {"channel_id": channel["id"], "message": "long ago", "create_at": now_ms() - 100 * DAY}, expect=201)
    job = await admin.post("/jobs", {"type": "data_retention"}, expect=201)
    died_at = now_ms()
    await claimed_by_a_node_that_died(services, job["id"], died_at)

    lease_ms = int(job_runs.STALE_SECONDS * 1000)
    assert await job_runs.do_run_pending(services, died_at + lease_ms - 1) == 0  # its node may still be working
    assert (await admin.get(f"/jobs/{job['id']}"))["status"] == "in_progress"
    await admin.get(f"/posts/{old['id']}")

    assert await job_runs.do_run_pending(services, died_at + lease_ms + 1) == 1
    done = await admin.get(f"/jobs/{job['id']}")
    assert done["status"] == "success" and done["data"]["posts_deleted"] == "1"
    await admin.get(f"/posts/{old['id']}", expect=404)
    assert await job_runs.do_run_pending(services, died_at + 2 * lease_ms) == 0  # finished: nobody runs it again


async def test_a_cancel_asked_of_a_dead_node_ends_the_run(admin: Api, services: Services) -> None:
    job = await admin.post("/jobs", {"type": "data_retention"}, expect=201)
    died_at = now_ms()
    await claimed_by_a_node_that_died(services, job["id"], died_at)
    await admin.post(f"/jobs/{job['id']}/cancel")
    assert (await admin.get(f"/jobs/{job['id']}"))["status"] == "cancel_requested"
    assert await job_runs.do_run_pending(services, now_ms() + int(job_runs.STALE_SECONDS * 1000) + 1) == 0
    assert (await admin.get(f"/jobs/{job['id']}"))["status"] == "canceled"


async def test_two_nodes_take_a_dead_run_over_once(admin: Api, services: Services) -> None:
    job = await admin.post("/jobs", {"type": "data_retention"}, expect=201)
    died_at = now_ms()
    await claimed_by_a_node_that_died(services, job["id"], died_at)
    later = died_at + int(job_runs.STALE_SECONDS * 1000) + 1
    ran = await asyncio.gather(job_runs.do_run_pending(services, later), job_runs.do_run_pending(services, later))
    assert sorted(ran) == [0, 1]
    assert (await admin.get(f"/jobs/{job['id']}"))["status"] == "success"
