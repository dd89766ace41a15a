"""The jobs every node schedules."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from kafana.actions import custom_status, email_notifications, job_runs, live_settings, moderation, outbox, presence, push
from kafana.actions.context import Services
from kafana.workers.scheduler import Job

CUSTOM_STATUS_EXPIRY_SECONDS = 30.0
SUSPENSION_CHECK_SECONDS = 60.0
EMAIL_OUTBOX_SECONDS = 5.0  # how soon a queued email (a password reset, say) leaves
EMAIL_BATCHES_SECONDS = 10.0  # notification emails leave within this of their batch window's end


def default_jobs(svc: Services, connected: Callable[[], Sequence[str]]) -> list[Job]:
    """`connected`: the users with sockets open on this node (the hub's view)."""
    beat = svc.settings.presence_heartbeat_seconds

    async def heartbeat(now: int) -> None:
        await presence.do_heartbeat(svc, connected(), now)

    async def sweep(now: int) -> None:
        await presence.do_sweep(svc, now)

    async def expire_custom_statuses(now: int) -> None:
        await custom_status.do_expire_custom_statuses(svc, now)

    async def purge_expired(now: int) -> None:
        await job_runs.do_scheduled_retention(svc, now)

    async def run_pending_jobs(now: int) -> None:
        await job_runs.do_run_pending(svc, now)

    async def end_suspensions(now: int) -> None:
        await moderation.do_end_suspensions(svc, now)

    async def reload_settings(now: int) -> None:
        await live_settings.do_reload(svc)

    async def send_email(now: int) -> None:
        await outbox.do_send_outbox(svc, now)

    async def email_batches(now: int) -> None:
        await email_notifications.do_send_email_batches(svc, now)

    async def deliver_pushes(now: int) -> None:
        await push.do_deliver_pushes(svc, now)

    jobs = [
        Job("live_settings", live_settings.RELOAD_SECONDS, reload_settings),
        Job("job_runner", job_runs.RUNNER_SECONDS, run_pending_jobs),  # not leased: each pending run is claimed once
        Job("presence_heartbeat", beat, heartbeat),
        Job("presence_sweep", beat, sweep, leased=True),
        Job("custom_status_expiry", CUSTOM_STATUS_EXPIRY_SECONDS, expire_custom_statuses, leased=True),
        Job("moderation_suspensions", SUSPENSION_CHECK_SECONDS, end_suspensions, leased=True),
        Job("data_retention", svc.settings.retention_job_minutes * 60.0, purge_expired, leased=True),
        Job("push_delivery", svc.settings.push_poll_seconds, deliver_pushes, leased=True),
    ]
    if svc.settings.email_enabled:
        jobs.append(Job("email_batches", EMAIL_BATCHES_SECONDS, email_batches, leased=True))
        jobs.append(Job("email_outbox", EMAIL_OUTBOX_SECONDS, send_email, leased=True))
    return jobs
