"""What a bridge worker is, and what it may do (its context).

A worker connects to its remote network and relays both ways: inbound messages through its context (which
calls actions as the bridge's own bot, in the bridge's own channel only: A19), outbound ones as the
supervisor hands them over (`deliver`, in commit order). `run` is restarted with a growing delay when it fails.
"""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from typing import Any, ClassVar

from kafana.actions import bridges as actions
from kafana.actions.bridges import Inbound, Outbound
from kafana.actions.context import Services
from kafana.lib.tasks import cancel
from kafana.models import Bridge, FileInfo

log = logging.getLogger(__name__)

RESTART_MIN_SECONDS = 1.0
RESTART_MAX_SECONDS = 60.0


def raise_if_cancelled() -> None:
    """Call where an error is caught and the work goes on: Python 3.11's `wait_for` can turn a cancellation
    into the error of an operation that failed at the same moment, which would otherwise keep a stopped
    worker retrying forever."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


class BridgeContext:
    """One bridge's view of the server: everything a worker does to Kafana goes through here."""

    def __init__(self, svc: Services, bridge: Bridge) -> None:
        self.svc = svc
        self.bridge_id = bridge.id
        self.kind = bridge.kind
        self.channel_id = bridge.channel_id
        self.bot_user_id = bridge.bot_user_id
        self.config: dict[str, Any] = dict(bridge.config)
        self.state: dict[str, Any] = dict(bridge.state)

    async def post(self, inbound: Inbound) -> str:
        """Post a remote message in the bridge's channel; returns the post id ('' when the bridge is gone)."""
        post = await actions.do_relay_inbound(self.svc, self.bridge_id, inbound)
        return post.id if post is not None else ""

    async def edit(self, remote_id: str, message: str) -> None:
        await actions.do_relay_edit(self.svc, self.bridge_id, remote_id, message)

    async def delete(self, remote_id: str) -> None:
        await actions.do_relay_delete(self.svc, self.bridge_id, remote_id)

    async def remember(self, post_id: str, remote_ids: list[str]) -> None:
        """Record the remote messages a local post became."""
        await actions.do_map_outbound(self.svc, self.bridge_id, post_id, remote_ids)

    async def upload(self, name: str, data: bytes) -> str:
        """Store a remote file as the bridge's bot, in its channel: an id for `Inbound.file_ids` ('' when gone)."""
        return await actions.do_relay_upload(self.svc, self.bridge_id, name, data)

    async def read_file(self, file_id: str) -> tuple[FileInfo, bytes] | None:
        """A file of a post in the bridge's channel and its bytes, to send to the remote side."""
        return await actions.read_relayed_file(self.svc, self.bridge_id, file_id)

    async def check_url(self, url: str, official: frozenset[str], schemes: tuple[str, ...]) -> None:
        """D10 again at each connect (DNS may have changed since the bridge was added): raises AppError."""
        await actions.check_service_url(self.svc, url, official, schemes)

    async def check_address(self, host: str, port: int) -> str:
        """The address to connect to for `host` (D10: raises AppError 422 for the server's own networks)."""
        return await actions.check_remote_address(self.svc, host, port)

    async def save_state(self, state: dict[str, Any]) -> None:
        """Keep the worker's cursor (kept across restarts and nodes)."""
        self.state = dict(state)
        await actions.do_save_state(self.svc, self.bridge_id, self.state)


class BridgeWorker(ABC):
    kind: ClassVar[str]

    def __init__(self, ctx: BridgeContext) -> None:
        self.ctx = ctx
        self._task: asyncio.Task[None] | None = None

    @abstractmethod
    async def run(self) -> None:
        """Stay connected and relay inbound messages until cancelled (reconnecting on its own as it sees fit)."""

    @abstractmethod
    async def deliver(self, out: Outbound) -> None:
        """Relay one local change. Called in commit order, one at a time; queue it while disconnected."""

    async def start(self) -> None:
        self._task = asyncio.create_task(self._keep_running(), name=f"kafana-bridge-{self.ctx.bridge_id}")

    async def stop(self) -> None:
        await cancel(self._task)
        self._task = None

    async def _keep_running(self) -> None:
        delay = RESTART_MIN_SECONDS
        while True:
            try:
                await self.run()
                delay = RESTART_MIN_SECONDS
            except asyncio.CancelledError:
                raise
            except Exception:
                raise_if_cancelled()
                log.exception("%s bridge %s failed; restarting in %.0f s", self.kind, self.ctx.bridge_id, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, RESTART_MAX_SECONDS)
