"""What the network clients share: the wait between reconnects, and a file to send."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Upload:
    name: str
    data: bytes
    content_type: str


class Backoff:
    """A delay that doubles up to a ceiling, with jitter so that many bridges cut off by one outage do not
    all come back in the same second."""

    def __init__(self, first: float = 1.0, ceiling: float = 60.0) -> None:
        self.first = first
        self.ceiling = ceiling
        self.delay = first

    def reset(self) -> None:
        """After a success: the next failure waits only `first` again."""
        self.delay = self.first

    async def wait(self) -> None:
        await asyncio.sleep(self.delay * random.uniform(0.8, 1.2))
        self.delay = min(self.delay * 2, self.ceiling)
