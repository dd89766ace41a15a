"""Runs the bridges. Every node has a supervisor; each bridge runs on the node holding its lease (a `job_leases`
row named `bridge:<id>`, as the scheduler's jobs), renewed at every poll, so each bridge runs once across the
cluster and another node takes it over when its node stops. The poll (every `bridge_poll_seconds`) also picks
up bridges added, removed, disabled or reconfigured meanwhile, from the CLI or another node.

Outbound: the hub hands every committed batch (from any node, through the bus) to `observe`; the events of a
bridged channel go, in order, to that bridge's queue, whose pump describes each (actions.describe_outbound:
no echo of the bridge's own posts) and gives it to the worker. The bridge's state keeps the last post handed
over (`outbound_after`); a node that takes a bridge over first relays what was posted after it, so a post made
while no node ran the bridge is not lost (up to actions.bridges.CATCH_UP_POSTS of the last hour).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from kafana.actions import jobs
from kafana.actions.bridges import OUTBOUND_EVENTS, describe_outbound, enabled_bridges, missed_posts
from kafana.actions.context import Services
from kafana.bridges.base import BridgeContext, BridgeWorker
from kafana.bridges.registry import worker_class
from kafana.events import Event
from kafana.lib.clock import now_ms
from kafana.lib.tasks import cancel
from kafana.models import Bridge

log = logging.getLogger(__name__)

CURSOR = "outbound_after"  # the bridge's state key: [create_at, id] of the last local post handed to its worker
QUEUE_LIMIT = 10_000  # outbound events waiting for one bridge; beyond it they are dropped (and logged)


def lease_name(bridge_id: str) -> str:
    return f"bridge:{bridge_id}"


@dataclass(slots=True)
class Running:
    bridge: Bridge
    worker: BridgeWorker
    queue: asyncio.Queue[tuple[str, dict[str, Any]]] = field(default_factory=lambda: asyncio.Queue(QUEUE_LIMIT))
    pump: asyncio.Task[None] | None = None


class Supervisor:
    def __init__(self, svc: Services, *, poll_seconds: float = 2.0) -> None:
        self.svc = svc
        self.poll_seconds = poll_seconds
        self.running: dict[str, Running] = {}
        self._by_channel: dict[str, list[Running]] = {}
        self._unknown: set[str] = set()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    # Outbound ------------------------------------------------------------------------------------------------

    def observe(self, events: Sequence[Event]) -> None:
        """The hub's observer: queue the bridged channels' events for their bridges (never blocks)."""
        for event in events:
            if event.event not in OUTBOUND_EVENTS:
                continue
            for run in self._by_channel.get(event.broadcast.channel_id, ()):
                try:
                    run.queue.put_nowait((event.event, event.data))
                except asyncio.QueueFull:
                    log.error("bridge %s is %d events behind: dropping %s", run.bridge.id, QUEUE_LIMIT, event.event)

    async def _pump(self, run: Running) -> None:
        """Catch up on the posts written while no node ran the bridge, then relay live events in commit order."""
        ctx = run.worker.ctx
        for data in await missed_posts(self.svc, run.bridge, tuple(ctx.state[CURSOR])):
            await self._relay(run, "posted", data)
        while True:
            name, data = await run.queue.get()
            await self._relay(run, name, data)

    async def _relay(self, run: Running, name: str, data: dict[str, Any]) -> None:
        ctx = run.worker.ctx
        try:
            post = json.loads(data["post"]) if name == "posted" else None
            after = (int(post["create_at"]), str(post["id"])) if post is not None else None
            if after is not None and after <= tuple(ctx.state[CURSOR]):
                return  # the catch-up relayed it already
            out = await describe_outbound(self.svc, run.bridge, name, data)
            if out is not None:
                await run.worker.deliver(out)
            if after is not None:
                ctx.state[CURSOR] = list(after)
                if run.queue.empty():  # written once a burst is handed over, not once a post
                    await ctx.save_state(ctx.state)
        except Exception:
            log.exception("bridge %s could not relay %s", run.bridge.id, name)

    # Which bridges run here ----------------------------------------------------------------------------------

    async def tick(self) -> None:
        """Start the enabled bridges whose lease this node holds or takes; stop the others."""
        bridges = {b.id: b for b in await enabled_bridges(self.svc)}
        for bridge_id, run in list(self.running.items()):
            current = bridges.get(bridge_id)
            if current is None or current.update_at != run.bridge.update_at:
                await self._stop(bridge_id, release=True)
        now = now_ms()
        ttl_ms = int(self.poll_seconds * 3000)
        for bridge in bridges.values():
            if worker_class(bridge.kind) is None:
                if bridge.id not in self._unknown:
                    log.warning("bridge %s: this node has no worker for kind %r", bridge.id, bridge.kind)
                    self._unknown.add(bridge.id)
                continue
            if not await jobs.do_take_lease(self.svc, lease_name(bridge.id), now, ttl_ms):
                if bridge.id in self.running:
                    await self._stop(bridge.id, release=False)  # another node took it over (we were stalled)
                continue
            if bridge.id not in self.running:
                await self._start(bridge)

    async def _start(self, bridge: Bridge) -> None:
        cls = worker_class(bridge.kind)
        assert cls is not None  # tick() checked
        ctx = BridgeContext(self.svc, bridge)
        if CURSOR not in ctx.state:  # its first start: nothing written before now is owed to the remote side
            await ctx.save_state({**ctx.state, CURSOR: [now_ms(), ""]})
        run = Running(bridge, cls(ctx))
        self.running[bridge.id] = run
        self._by_channel.setdefault(bridge.channel_id, []).append(run)
        run.pump = asyncio.create_task(self._pump(run), name=f"kafana-bridge-pump-{bridge.id}")
        await run.worker.start()
        log.info("%s bridge %s started", bridge.kind, bridge.id)

    async def _stop(self, bridge_id: str, *, release: bool) -> None:
        run = self.running.pop(bridge_id)
        peers = self._by_channel.get(run.bridge.channel_id, [])
        peers.remove(run)
        if not peers:
            self._by_channel.pop(run.bridge.channel_id, None)
        await cancel(run.pump)
        await run.worker.stop()
        if release:
            with contextlib.suppress(Exception):
                await jobs.do_release_lease(self.svc, lease_name(bridge_id))
        log.info("%s bridge %s stopped", run.bridge.kind, bridge_id)

    # Life cycle ----------------------------------------------------------------------------------------------

    async def start(self) -> None:
        self._stopping.clear()
        self._task = asyncio.create_task(self._loop(), name="kafana-bridges")

    async def stop(self) -> None:
        self._stopping.set()
        await cancel(self._task)
        self._task = None
        for bridge_id in list(self.running):
            await self._stop(bridge_id, release=True)

    async def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                await self.tick()
            except Exception:
                log.exception("the bridge supervisor's poll failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.poll_seconds)
