"""How committed events travel to every node's hub.

The in-process bus hands them straight to this node's hub; a Redis pub/sub bus (several nodes) will implement
the same two methods, so the hub does not know how many nodes there are.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from kafana.events import Event

Deliver = Callable[[Sequence[Event]], Awaitable[None]]


class Bus(Protocol):
    async def start(self, deliver: Deliver) -> None:
        """Begin handing every published batch (from any node) to `deliver`, in publication order."""

    async def publish(self, events: Sequence[Event]) -> None:
        """Send a batch to every node, this one included."""

    async def stop(self) -> None: ...


class InProcessBus:
    """One node: publishing is delivering. Awaiting delivery keeps batches in commit order."""

    def __init__(self) -> None:
        self._deliver: Deliver | None = None

    async def start(self, deliver: Deliver) -> None:
        self._deliver = deliver

    async def publish(self, events: Sequence[Event]) -> None:
        if self._deliver is not None:
            await self._deliver(events)

    async def stop(self) -> None:
        self._deliver = None
