"""The jobs every node schedules."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from kafana.actions import presence
from kafana.actions.context import Services
from kafana.workers.scheduler import Job


def default_jobs(svc: Services, connected: Callable[[], Sequence[str]]) -> list[Job]:
    """`connected`: the users with sockets open on this node (the hub's view)."""
    beat = svc.settings.presence_heartbeat_seconds

    async def heartbeat(now: int) -> None:
        await presence.do_heartbeat(svc, connected(), now)

    async def sweep(now: int) -> None:
        await presence.do_sweep(svc, now)

    return [
        Job("presence_heartbeat", beat, heartbeat),
        Job("presence_sweep", beat, sweep, leased=True),
    ]
