"""Periodic jobs. Every node runs a scheduler; a leased job runs only on the node holding its lease (a row in
`job_leases`, taken or renewed with one conditional upsert, for two periods). The holder renews it at each
run, so it keeps the job; if it stops (crash, shutdown) another node takes the job over once the lease
expires — at once after a clean shutdown, which releases its leases.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from kafana.actions import jobs
from kafana.actions.context import Services
from kafana.lib.clock import now_ms
from kafana.lib.tasks import cancel

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Job:
    name: str
    period: float  # seconds between runs
    run: Callable[[int], Awaitable[None]]  # given the tick's time (ms)
    leased: bool = False  # once across the cluster, rather than on every node


class Scheduler:
    def __init__(self, svc: Services, jobs: Sequence[Job], *, clock: Callable[[], int] = now_ms) -> None:
        self.svc = svc
        self.jobs = list(jobs)
        self.clock = clock
        self.poll_seconds = min([1.0, *(job.period for job in self.jobs)])
        self._due: dict[str, int] = {}
        self._held: set[str] = set()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def tick(self, now: int | None = None) -> list[str]:
        """Run the jobs that are due (leased ones only if this node holds or takes the lease); returns the
        names of those that ran."""
        now = self.clock() if now is None else now
        ran = []
        for job in self.jobs:
            if now < self._due.get(job.name, now):
                continue
            period_ms = int(job.period * 1000)
            self._due[job.name] = now + period_ms
            try:
                if job.leased and not await self._lease(job.name, now, 2 * period_ms):
                    continue
                await job.run(now)
            except Exception:
                log.exception("job %s failed", job.name)
                continue
            ran.append(job.name)
        return ran

    async def _lease(self, name: str, now: int, ttl_ms: int) -> bool:
        held = await jobs.do_take_lease(self.svc, name, now, ttl_ms)
        if held:
            self._held.add(name)
        else:
            self._held.discard(name)
        return held

    async def start(self) -> None:
        self._stopping.clear()
        self._task = asyncio.create_task(self._loop(), name="kafana-scheduler")

    async def stop(self) -> None:
        self._stopping.set()
        await cancel(self._task)
        self._task = None
        for name in sorted(self._held):
            with contextlib.suppress(Exception):
                await jobs.do_release_lease(self.svc, name)
        self._held.clear()

    async def _loop(self) -> None:
        while not self._stopping.is_set():
            await self.tick()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.poll_seconds)
