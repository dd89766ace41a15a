"""One logical WebSocket connection: its id, its `seq`, its replay buffer, and the socket attached to it now.

A `Connection` outlives its socket: after a disconnect it keeps numbering and buffering the events meant for
it, so a client that reconnects with `connection_id` + `sequence_number` gets exactly what it missed. The
socket's side is an `Outlet`: a bounded queue drained by one writer task; when the queue is full the outlet
is closed (the client reconnects and resumes or resyncs) so a slow reader never holds anyone else up.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable

from kafana.realtime.frames import frame

QUEUE_LIMIT = 256
BUFFER_SIZE = 128
CLOSE_NORMAL = 1000
CLOSE_GOING_AWAY = 1001
CLOSE_POLICY = 1008  # malformed frames, failed or revoked authentication
CLOSE_TOO_BIG = 1009
CLOSE_INTERNAL = 1011  # routing failed: the connection is forgotten, so the client resyncs
# A full send queue: "try again later" (RFC 6455 registry). Clients reconnect, then resume or resync.
CLOSE_TRY_AGAIN = 1013

# A queued item: an event (prefix, seq), or a finished text (a reply to a client request; not buffered).
Item = tuple[str, int] | str


class Outlet:
    """The live socket's side: what is waiting to be written, and whether it must close."""

    __slots__ = ("_wake", "close_code", "items")

    def __init__(self) -> None:
        self.items: deque[Item] = deque()
        self._wake = asyncio.Event()
        self.close_code: int | None = None

    def put(self, item: Item) -> bool:
        """Queue without waiting; False (and the outlet closes) when the queue is full."""
        if self.close_code is not None:
            return False
        if len(self.items) >= QUEUE_LIMIT:
            self.close(CLOSE_TRY_AGAIN)
            return False
        self.items.append(item)
        self._wake.set()
        return True

    def close(self, code: int) -> None:
        if self.close_code is None:
            self.close_code = code
            self.items.clear()
            self._wake.set()

    async def pump(self, send: Callable[[str], Awaitable[None]]) -> int:
        """Write queued items in order until the outlet is closed; returns the close code."""
        while True:
            while self.items and self.close_code is None:
                item = self.items.popleft()
                await send(item if isinstance(item, str) else frame(*item))
            if self.close_code is not None:
                return self.close_code
            self._wake.clear()
            await self._wake.wait()


class Connection:
    """Numbering, replay buffer and current outlet of one client connection."""

    __slots__ = ("buffer", "detached_at", "id", "is_admin", "next_seq", "outlet", "token", "user_id")

    def __init__(self, connection_id: str, user_id: str, token: str, *, is_admin: bool = False) -> None:
        self.id = connection_id
        self.user_id = user_id
        self.is_admin = is_admin  # as authenticated when the connection opened (or last resumed)
        self.token = token  # re-checked periodically: revocation and deactivation close the socket
        self.next_seq = 0
        self.buffer: deque[tuple[str, int]] = deque(maxlen=BUFFER_SIZE)
        self.outlet: Outlet | None = None
        self.detached_at = time.monotonic()

    def push(self, prefix: str) -> None:
        """Number an event for this connection, keep it for replay, and send it if a socket is attached."""
        item = (prefix, self.next_seq)
        self.next_seq += 1
        self.buffer.append(item)
        if self.outlet is not None and not self.outlet.put(item):
            self.detach(self.outlet)

    def can_resume_from(self, seq: int) -> bool:
        """True when every event from `seq` on is still in the buffer (nothing would be skipped)."""
        first = self.buffer[0][1] if self.buffer else self.next_seq
        return first <= seq <= self.next_seq

    def attach(self, replay_from: int | None = None) -> Outlet:
        """A new socket takes over (an old one still attached is closed); replays the buffer from `replay_from`."""
        if self.outlet is not None:
            self.outlet.close(CLOSE_NORMAL)
        outlet = Outlet()
        if replay_from is not None:
            for item in self.buffer:
                if item[1] >= replay_from:
                    outlet.put(item)
        self.outlet = outlet
        return outlet

    def detach(self, outlet: Outlet) -> None:
        if self.outlet is outlet:
            self.outlet = None
            self.detached_at = time.monotonic()

    @property
    def attached(self) -> bool:
        return self.outlet is not None
