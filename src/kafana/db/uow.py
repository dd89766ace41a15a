"""The unit of work: a session inside one transaction, plus what to do once it has committed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from kafana.events import Event


@dataclass(slots=True)
class UnitOfWork:
    session: AsyncSession
    events: list[Event] = field(default_factory=list)
    after_commit: list[Callable[[], Awaitable[None] | None]] = field(default_factory=list)

    def emit(self, event: Event) -> None:
        """Record an event; it is published only if and after the transaction commits."""
        self.events.append(event)

    def on_commit(self, hook: Callable[[], Awaitable[None] | None]) -> None:
        self.after_commit.append(hook)
