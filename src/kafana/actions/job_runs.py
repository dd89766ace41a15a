"""Background jobs with progress and history, as Mattermost's `/jobs`: a system admin asks for a run (`POST
/jobs`, status `pending`); the `job_runner` scheduler job on some node claims it (one conditional update, so
exactly one node runs it), records its progress every `PROGRESS_SECONDS` and how it ended (`success`,
`error`, `canceled`). An admin cancels a pending run at once and a running one at its next progress record.
The scheduler's own periodic runs (data retention) are recorded the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

import orjson

from kafana.access import has_system_permission
from kafana.actions import retention
from kafana.actions.context import Actor, Services
from kafana.lib.clock import now_ms
from kafana.lib.errors import bad_request, forbidden, not_found
from kafana.lib.ids import new_id
from kafana.models import BackgroundJob
from kafana.store import job_runs as store

PROGRESS_SECONDS = 1.0
RUNNER_SECONDS = 2.0  # how often each node looks for pending runs
log = logging.getLogger(__name__)


@dataclass(slots=True)
class Progress:
    """What a running job reports: a percentage and Mattermost's string-valued `data`."""

    percent: int = 0
    data: dict[str, str] = field(default_factory=dict)


Work = Callable[[Services, Progress, "int | None"], Coroutine[Any, Any, None]]  # the run's "now" (tests give one)


async def _data_retention(svc: Services, progress: Progress, now: int | None) -> None:
    def show(run: retention.RetentionRun) -> None:
        progress.percent = run.channels_done * 100 // run.channels if run.channels else 0
        progress.data = {
            "posts_deleted": str(run.posts),
            "files_deleted": str(run.files),
            "channels_done": str(run.channels_done),
            "channels": str(run.channels),
        }

    show(await retention.do_run_retention(svc, now, progress=show))


WORK: dict[str, Work] = {"data_retention": _data_retention}


def _check_admin(actor: Actor) -> None:
    if not has_system_permission(actor, "manage_system"):
        raise forbidden()


async def do_create(svc: Services, actor: Actor, job_type: Any) -> BackgroundJob:
    """POST /jobs: a pending run of `job_type`, started within seconds by one node."""
    _check_admin(actor)
    if job_type not in WORK:
        raise bad_request("api.job.create_job.invalid_type.app_error", f"Job type must be one of: {', '.join(WORK)}.")
    now = now_ms()
    job = BackgroundJob(id=new_id(), type=job_type, status="pending", create_at=now, last_activity_at=now, data="")
    async with svc.db.write() as uow:
        uow.session.add(job)
    return job


async def get_job(svc: Services, actor: Actor, job_id: str) -> BackgroundJob:
    _check_admin(actor)
    async with svc.db.read() as db:
        job = await db.get(BackgroundJob, job_id)
    if job is None:
        raise not_found("job")
    return job


async def list_jobs(svc: Services, actor: Actor, job_type: str, offset: int, limit: int) -> list[BackgroundJob]:
    _check_admin(actor)
    async with svc.db.read() as db:
        return list(await store.list_runs(db, job_type, offset, limit))


async def do_cancel(svc: Services, actor: Actor, job_id: str) -> None:
    """A pending run is canceled at once; a running one is asked to stop (its node stops it within a second)."""
    await get_job(svc, actor, job_id)
    now = now_ms()
    async with svc.db.write() as uow:
        if await store.change_status(uow.session, job_id, ["pending"], "canceled", now):
            return
        if await store.change_status(uow.session, job_id, ["in_progress"], "cancel_requested", now):
            return
    raise bad_request("api.job.cancel_job.not_running.app_error", "Only a pending or running job can be canceled.")


async def do_run_pending(svc: Services) -> int:
    """The `job_runner` scheduler job (every node): claim pending runs one at a time and run them here."""
    ran = 0
    while True:
        async with svc.db.read() as db:
            candidates = await store.pending_ids(db)
        claimed = ""
        for job_id in candidates:
            async with svc.db.write() as uow:
                if await store.change_status(uow.session, job_id, ["pending"], "in_progress", now_ms(), start_at=now_ms()):
                    claimed = job_id
                    break
        if not claimed:
            return ran
        async with svc.db.read() as db:
            job = await db.get(BackgroundJob, claimed)
        assert job is not None
        await _execute(svc, job.id, WORK[job.type])
        ran += 1


async def do_run_now(svc: Services, job_type: str, now: int | None = None) -> str:
    """A scheduled run (the scheduler already chose this node): recorded as a run started at once."""
    started = now_ms()
    job = BackgroundJob(id=new_id(), type=job_type, status="in_progress", create_at=started, start_at=started, last_activity_at=started, data="")
    async with svc.db.write() as uow:
        uow.session.add(job)
    return await _execute(svc, job.id, WORK[job_type], now)


async def do_scheduled_retention(svc: Services, now: int | None = None) -> None:
    """The periodic `data_retention` job: a recorded run when some policy applies."""
    if await retention.applies(svc):
        await do_run_now(svc, "data_retention", now)


async def _save(svc: Services, job_id: str, progress: Progress) -> str:
    async with svc.db.write() as uow:
        return await store.save_progress(uow.session, job_id, now_ms(), progress.percent, orjson.dumps(progress.data).decode())


async def _execute(svc: Services, job_id: str, work: Work, now: int | None = None) -> str:
    """Run `work`, recording progress until it ends; returns the final status."""
    progress = Progress()
    task = asyncio.create_task(work(svc, progress, now))
    while not task.done():
        await asyncio.wait({task}, timeout=PROGRESS_SECONDS)
        if not task.done() and await _save(svc, job_id, progress) == "cancel_requested":
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    if task.cancelled():
        status = "canceled"
    elif task.exception() is not None:
        log.error("job %s failed", job_id, exc_info=task.exception())
        status, progress.data = "error", {**progress.data, "error": str(task.exception())[:500]}
    else:
        status, progress.percent = "success", 100
    await _save(svc, job_id, progress)
    async with svc.db.write() as uow:
        await store.change_status(uow.session, job_id, ["in_progress", "cancel_requested"], status, now_ms())
    return status
