"""How committed events travel to every node's hub.

The in-process bus hands them straight to this node's hub; the Redis pub/sub bus (`redis_bus.py`, several
nodes) implements the same methods, so the hub does not know how many nodes there are.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from kafana.events import Event

Deliver = Callable[[Sequence[Event]], Awaitable[None]]
# Called when this node may have missed events from other nodes: its connections must start over (resync).
Gap = Callable[[], Awaitable[None]]


class Bus(Protocol):
    # False while events from other nodes cannot arrive (the hub then stops trusting its membership cache).
    healthy: bool

    async def start(self, deliver: Deliver, gap: Gap) -> None:
        """Begin handing every published batch (from any node) to `deliver`, in publication order; call `gap`
        whenever batches from other nodes may have been lost."""

    async def publish(self, events: Sequence[Event]) -> None:
        """Send a batch to every node, this one included. Never raises because another node is unreachable."""

    def lost(self) -> None:
        """Events that may have been committed were never published: make the other nodes start over too."""

    async def stop(self) -> None: ...


class InProcessBus:
    """One node: publishing is delivering. Awaiting delivery keeps batches in commit order."""

    healthy = True

    def __init__(self) -> None:
        self._deliver: Deliver | None = None

    async def start(self, deliver: Deliver, gap: Gap) -> None:
        self._deliver = deliver

    async def publish(self, events: Sequence[Event]) -> None:
        if self._deliver is not None:
            await self._deliver(events)

    def lost(self) -> None:
        """There are no other nodes."""

    async def stop(self) -> None:
        self._deliver = None
