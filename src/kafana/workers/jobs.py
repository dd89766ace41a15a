"""The jobs every node schedules."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from kafana.actions import custom_status, presence
from kafana.actions.context import Services
from kafana.workers.scheduler import Job

CUSTOM_STATUS_EXPIRY_SECONDS = 30.0


def default_jobs(svc: Services, connected: Callable[[], Sequence[str]]) -> list[Job]:
    """`connected`: the users with sockets open on this node (the hub's view)."""
    beat = svc.settings.presence_heartbeat_seconds

    async def heartbeat(now: int) -> None:
        await presence.do_heartbeat(svc, connected(), now)

    async def sweep(now: int) -> None:
        await presence.do_sweep(svc, now)

    async def expire_custom_statuses(now: int) -> None:
        await custom_status.do_expire_custom_statuses(svc, now)

    return [
        Job("presence_heartbeat", beat, heartbeat),
        Job("presence_sweep", beat, sweep, leased=True),
        Job("custom_status_expiry", CUSTOM_STATUS_EXPIRY_SECONDS, expire_custom_statuses, leased=True),
    ]
