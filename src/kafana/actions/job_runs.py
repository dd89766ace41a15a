"""Background jobs with progress and history, as Mattermost's `/jobs`: a system admin asks for a run (`POST
/jobs`, status `pending`); the `job_runner` scheduler job on some node claims it (one conditional update, so
exactly one node runs it), records its progress every `PROGRESS_SECONDS` and how it ended (`success`,
`error`, `canceled`). An admin cancels a pending run at once and a running one at its next progress record.
The scheduler's own periodic runs (data retention) and the command line's (`kafana admin job run`, `kafana
import`) are recorded the same way.

A progress record is also the run's lease: a run whose node has recorded nothing for `STALE_SECONDS` (the node
died: kill -9, power loss) is taken over by the next node's runner, again with one conditional update, and
run again from the start. Every job type is idempotent (retention deletes what is still expired, an import
skips what is already there), so running it again is resuming it (F9).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from kafana.access import has_system_permission
from kafana.actions import bulk_import, retention, slack_import
from kafana.actions.context import Actor, Services
from kafana.lib.clock import now_ms
from kafana.lib.errors import bad_request, forbidden, not_found
from kafana.lib.ids import new_id
from kafana.models import BackgroundJob
from kafana.store import job_runs as store

PROGRESS_SECONDS = 1.0
RUNNER_SECONDS = 2.0  # how often each node looks for pending runs
STALE_SECONDS = 30.0  # a running run with no progress record for this long has lost its node
log = logging.getLogger(__name__)


@dataclass(slots=True)
class Progress:
    """What a running job reports: a percentage and Mattermost's string-valued `data`, which starts as what the
    run was asked to do (an import's file)."""

    percent: int = 0
    data: dict[str, str] = field(default_factory=dict)


Work = Callable[[Services, Progress, "int | None"], Coroutine[Any, Any, None]]  # the run's "now" (tests give one)
Report = Callable[[BackgroundJob], None]


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


async def _import_process(svc: Services, progress: Progress, now: int | None) -> None:
    """A Mattermost bulk file (`data["import_file"]`, a path on this node; the percentage counts its lines), or
    with `data["format"] == "slack"` a Slack export into the team `data["team"]`."""
    path = Path(progress.data.get("import_file", ""))
    if not await asyncio.to_thread(path.is_file):
        raise ValueError(f"the import file {path.name or '(none)'} is not on this node")
    slack = progress.data.get("format") == "slack"
    total = 0 if slack else await asyncio.to_thread(bulk_import.count_lines, path)

    def show(p: bulk_import.ImportProgress) -> None:
        progress.percent = min(99, p.lines * 100 // total) if total else 0
        progress.data.update(line_number=str(p.lines), **{k: str(getattr(p, k)) for k in IMPORT_COUNTS})

    if slack:
        team, name = progress.data.get("team", ""), progress.data.get("display_name", "")
        show(await slack_import.import_slack(svc, path, team, display_name=name, report=show))
    else:
        show(await bulk_import.import_bulk(svc, path, report=show))


IMPORT_COUNTS = ("teams", "channels", "users", "posts", "reactions", "files", "skipped")
WORK: dict[str, Work] = {"data_retention": _data_retention, "import_process": _import_process}
CREATABLE = ("data_retention",)  # import_process runs come from an upload (actions/imports.py) or the CLI


def _check_admin(actor: Actor) -> None:
    if not has_system_permission(actor, "manage_system"):
        raise forbidden()


def _check_type(job_type: Any, allowed: Sequence[str]) -> str:
    if job_type not in allowed:
        raise bad_request("api.job.create_job.invalid_type.app_error", f"Job type must be one of: {', '.join(allowed)}.")
    return str(job_type)


async def _add(svc: Services, job_type: str, status: str, data: dict[str, str]) -> BackgroundJob:
    now = now_ms()
    started = now if status == "in_progress" else 0
    job = BackgroundJob(
        id=new_id(), type=job_type, status=status, create_at=now, start_at=started, last_activity_at=now, progress=0, data=orjson.dumps(data).decode()
    )
    async with svc.db.write() as uow:
        uow.session.add(job)
    return job


async def do_create(svc: Services, actor: Actor, job_type: Any) -> BackgroundJob:
    """POST /jobs: a pending run of `job_type`, started within seconds by one node."""
    _check_admin(actor)
    return await _add(svc, _check_type(job_type, CREATABLE), "pending", {})


async def do_run_job(svc: Services, actor: Actor, job_type: str, data: dict[str, str] | None = None, *, report: Report | None = None) -> BackgroundJob:
    """Run a job here and now (`kafana admin job run`, `kafana import bulk`), recorded like any other run so
    the console shows it; `report` sees the row at each progress record."""
    _check_admin(actor)
    job = await _add(svc, _check_type(job_type, tuple(WORK)), "in_progress", data or {})
    await _execute(svc, job.id, WORK[job.type], report=report)
    async with svc.db.read() as db:
        done = await db.get(BackgroundJob, job.id)
    assert done is not None
    return done


async def do_start_job(svc: Services, actor: Actor, job_type: str, data: dict[str, str]) -> BackgroundJob:
    """Start a run on this node at once, in the background (an uploaded import: its file is on this node)."""
    _check_admin(actor)
    job = await _add(svc, _check_type(job_type, tuple(WORK)), "in_progress", data)
    svc.spawn(_run_started(svc, job.id, WORK[job.type]))
    return job


async def _run_started(svc: Services, job_id: str, work: Work) -> None:
    await _execute(svc, job_id, work)


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


async def do_run_pending(svc: Services, now: int | None = None) -> int:
    """The `job_runner` scheduler job (every node): claim pending runs, and runs whose node died, one at a time
    and run them here."""
    now = now_ms() if now is None else now
    ran = 0
    while claimed := await _claim(svc, now):
        await _execute(svc, claimed.id, WORK[claimed.type], now)
        ran += 1
    return ran


async def _claim(svc: Services, now: int) -> BackgroundJob | None:
    """Take one pending run, or one left running by a dead node (a cancel asked of a dead node just ends it)."""
    stale_before = now - int(STALE_SECONDS * 1000)
    async with svc.db.read() as db:
        candidates = await store.claimable(db, stale_before)
    for job in candidates:
        async with svc.db.write() as uow:
            if job.status == "pending":
                won = await store.change_status(uow.session, job.id, ["pending"], "in_progress", now, start_at=now)
            elif job.status == "cancel_requested":
                await store.take_over(uow.session, job.id, stale_before, now, "canceled")
                continue
            else:
                log.warning("job %s (%s) lost its node; running it again", job.id, job.type)
                won = await store.take_over(uow.session, job.id, stale_before, now, "in_progress")
        if won:
            return job
    return None


async def do_run_now(svc: Services, job_type: str, now: int | None = None) -> str:
    """A scheduled run (the scheduler already chose this node): recorded as a run started at once."""
    job = await _add(svc, job_type, "in_progress", {})
    return await _execute(svc, job.id, WORK[job_type], now)


async def do_scheduled_retention(svc: Services, now: int | None = None) -> None:
    """The periodic `data_retention` job: a recorded run when some policy applies."""
    if await retention.applies(svc):
        await do_run_now(svc, "data_retention", now)


async def _save(svc: Services, job_id: str, progress: Progress, report: Report | None = None) -> str:
    async with svc.db.write() as uow:
        job = await store.save_progress(uow.session, job_id, now_ms(), progress.percent, orjson.dumps(progress.data).decode())
    if report is not None:
        report(job)
    return job.status


async def _execute(svc: Services, job_id: str, work: Work, now: int | None = None, *, report: Report | None = None) -> str:
    """Run `work`, recording progress until it ends; returns the final status."""
    async with svc.db.read() as db:
        job = await db.get(BackgroundJob, job_id)
    progress = Progress(data=job.to_api()["data"] if job is not None else {})
    task = asyncio.create_task(work(svc, progress, now))
    while not task.done():
        await asyncio.wait({task}, timeout=PROGRESS_SECONDS)
        if not task.done() and await _save(svc, job_id, progress, report) == "cancel_requested":
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
    if report is not None:
        async with svc.db.read() as db:
            ended = await db.get(BackgroundJob, job_id)
        if ended is not None:
            report(ended)
    return status
