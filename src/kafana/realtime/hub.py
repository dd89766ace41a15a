"""The hub: this node's connections, and the routing of committed events to them.

Routing rules (DESIGN §5): a user-scoped event goes to that user's connections; a channel-scoped one to the
channel's members; a team-scoped one to the team's active members; an unscoped one to everyone; `omit_users`
and `(omit_)connection_id` are honoured. Each event is serialized at most once, whatever the audience, and
each connection only numbers it and queues a shared string (connection.py). Batches are routed one at a time
under a lock, so membership changes apply in commit order before the events that follow them.

A background task re-checks every connection's token every few seconds (revoked sessions and deactivated
users lose their sockets within 5 s; the check is served by the auth cache) and forgets connections that have
been detached longer than the resume window.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence

from kafana.db import Database
from kafana.events import Event
from kafana.lib.ids import new_id
from kafana.lib.tasks import cancel
from kafana.realtime.bus import Bus, InProcessBus
from kafana.realtime.connection import CLOSE_GOING_AWAY, CLOSE_INTERNAL, CLOSE_POLICY, Connection, Outlet
from kafana.realtime.frames import event_prefix, prefix_of
from kafana.realtime.membership import Membership

log = logging.getLogger(__name__)

TokenCheck = Callable[[str], Awaitable[bool]]
# Told of every committed batch from any node, in order, after it is routed (the bridges); must not block.
Observer = Callable[[Sequence[Event]], None]
MAX_CONNECTIONS_PER_USER = 64  # detached ones beyond this are forgotten first


async def _always_valid(token: str) -> bool:
    return True


class Hub:
    def __init__(
        self,
        db: Database,
        *,
        bus: Bus | None = None,
        server_version: str = "",
        token_check: TokenCheck = _always_valid,
        check_interval: float = 2.0,
        resume_window: float = 300.0,
        auth_timeout: float = 5.0,
    ) -> None:
        self.db = db
        self.bus: Bus = bus or InProcessBus()
        self.server_version = server_version
        self.server_hostname = socket.gethostname()
        self.token_check = token_check
        self.check_interval = check_interval
        self.resume_window = resume_window
        self.auth_timeout = auth_timeout  # read by the WebSocket adapter: unauthenticated sockets close after it
        self.membership = Membership(db)
        self.connections: dict[str, Connection] = {}
        self.by_user: dict[str, dict[str, Connection]] = {}
        self.observers: list[Observer] = []
        self._lock = asyncio.Lock()
        self._stopping = asyncio.Event()
        self._sweeper: asyncio.Task[None] | None = None

    # Life cycle ---------------------------------------------------------------------------------------------

    async def start(self) -> None:
        await self.bus.start(self.deliver, self.resync)
        self._stopping.clear()
        self._sweeper = asyncio.create_task(self._sweep_forever(), name="kafana-hub-sweeper")

    async def stop(self) -> None:
        self._stopping.set()
        await cancel(self._sweeper)
        self._sweeper = None
        for conn in list(self.connections.values()):
            if conn.outlet is not None:
                conn.outlet.close(CLOSE_GOING_AWAY)
        self.connections.clear()
        self.by_user.clear()
        await self.bus.stop()

    # Publishing and routing -----------------------------------------------------------------------------------

    async def publish(self, events: Sequence[Event]) -> None:
        """Database.publisher: hand committed events to the bus (which brings them back to `deliver`)."""
        await self.bus.publish(events)

    async def deliver(self, events: Sequence[Event]) -> None:
        async with self._lock:
            if not self.bus.healthy:
                # Membership changes made on other nodes cannot reach us now: read membership afresh.
                self.membership.clear()
            for event in events:
                self.membership.apply(event)
                if not self.by_user:
                    continue
                try:
                    await self._route(event)
                except Exception:
                    # Someone may have missed this event and their buffer cannot replay it: never a silent gap.
                    log.exception("routing %s failed; every connection starts over", event.event)
                    self._start_over()
            for observe in self.observers:
                try:
                    observe(events)
                except Exception:
                    log.exception("an observer of %d events failed", len(events))

    async def lost(self) -> None:
        """Database.on_lost_events: a commit's outcome is unknown (the connection dropped during COMMIT), so its
        events may describe real changes that nobody was told about: every connection on every node starts over."""
        self.bus.lost()
        await self.resync()

    async def resync(self) -> None:
        """The bus lost events from other nodes (Redis was unreachable): every connection starts over."""
        async with self._lock:
            if self.connections:
                log.warning("events from other nodes may have been lost; %d connections start over", len(self.connections))
            self._start_over()

    def _start_over(self) -> None:
        """Forget every connection and every cached membership: clients reconnect, get a new id and resync."""
        for conn in list(self.connections.values()):
            if conn.outlet is not None:
                conn.outlet.close(CLOSE_INTERNAL)
            self.forget(conn)
        self.membership.clear()

    async def _route(self, event: Event) -> None:
        b = event.broadcast
        if b.user_id:
            audience: Iterable[str] = (b.user_id,)
        elif b.channel_id:
            audience = self._present(await self.membership.channel(b.channel_id))
        elif b.team_id:
            audience = self._present(await self.membership.team(b.team_id))
        else:
            audience = list(self.by_user)
        if event.event == "user_role_updated":
            # The admin-only audience follows role changes at once, not only at the next connect or resume.
            for conn in self.by_user.get(b.user_id, {}).values():
                conn.is_admin = "system_admin" in str(event.data.get("roles", "")).split()
        prefix = ""
        for user_id in audience:
            if user_id in b.omit_users:
                continue
            for conn in list(self.by_user.get(user_id, {}).values()):
                if (b.connection_id and conn.id != b.connection_id) or conn.id == b.omit_connection_id:
                    continue
                if b.admins is not None and conn.is_admin != b.admins:
                    continue
                prefix = prefix or event_prefix(event)
                conn.push(prefix)

    def _present(self, members: set[str]) -> Iterable[str]:
        """The members that have connections here, walking whichever set is smaller."""
        if len(members) <= len(self.by_user):
            return [u for u in members if u in self.by_user]
        return [u for u in self.by_user if u in members]

    async def is_member(self, channel_id: str, user_id: str) -> bool:
        async with self._lock:
            return user_id in await self.membership.channel(channel_id)

    # Connections ----------------------------------------------------------------------------------------------

    def open(self, user_id: str, token: str, *, is_admin: bool = False) -> tuple[Connection, Outlet]:
        """A new connection whose first event (seq 0) is `hello`. `is_admin` decides whether it gets events
        meant for system admins only (`Broadcast.admins`)."""
        conn = Connection(new_id(), user_id, token, is_admin=is_admin)
        outlet = conn.attach()
        hello = {
            "event": "hello",
            "data": {"server_version": self.server_version, "connection_id": conn.id, "server_hostname": self.server_hostname},
            "broadcast": {"omit_users": None, "user_id": user_id, "channel_id": "", "team_id": ""},
        }
        conn.push(prefix_of(hello))
        self._register(conn)
        return conn, outlet

    def resume(self, connection_id: str, user_id: str, token: str, sequence_number: int, *, is_admin: bool = False) -> tuple[Connection, Outlet] | None:
        """Reattach a known connection of this user and replay from `sequence_number`, or None when any event
        from there on is gone (the caller then opens a new connection: the new id tells the client to resync)."""
        conn = self.connections.get(connection_id)
        if conn is None or conn.user_id != user_id or not conn.can_resume_from(sequence_number):
            return None
        conn.token, conn.is_admin = token, is_admin
        return conn, conn.attach(replay_from=sequence_number)

    def detach(self, conn: Connection, outlet: Outlet) -> None:
        """The socket is gone; the connection keeps buffering for a later resume."""
        conn.detach(outlet)

    def forget(self, conn: Connection) -> None:
        if conn.outlet is not None:
            conn.outlet.close(CLOSE_POLICY)
        self.connections.pop(conn.id, None)
        mine = self.by_user.get(conn.user_id)
        if mine is not None:
            mine.pop(conn.id, None)
            if not mine:
                del self.by_user[conn.user_id]

    def is_connected(self, user_id: str) -> bool:
        """Whether the user has a socket open on this node right now."""
        return any(c.attached for c in self.by_user.get(user_id, {}).values())

    def connected_user_ids(self) -> list[str]:
        return [uid for uid, conns in self.by_user.items() if any(c.attached for c in conns.values())]

    def _register(self, conn: Connection) -> None:
        self.connections[conn.id] = conn
        mine = self.by_user.setdefault(conn.user_id, {})
        mine[conn.id] = conn
        if len(mine) > MAX_CONNECTIONS_PER_USER:
            for old in sorted((c for c in mine.values() if not c.attached), key=lambda c: c.detached_at)[: len(mine) - MAX_CONNECTIONS_PER_USER]:
                self.forget(old)

    # Background checks ----------------------------------------------------------------------------------------

    async def _sweep_forever(self) -> None:
        while not self._stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.check_interval)
            if self._stopping.is_set():
                return
            try:
                await self.sweep()
            except Exception:
                log.exception("checking WebSocket connections failed")

    async def sweep(self) -> None:
        """Close the connections whose token no longer authenticates; forget long-detached ones."""
        now = time.monotonic()
        by_token: dict[str, list[Connection]] = {}
        for conn in list(self.connections.values()):
            if conn.outlet is None and now - conn.detached_at > self.resume_window:
                self.forget(conn)
            else:
                by_token.setdefault(conn.token, []).append(conn)
        for token, conns in by_token.items():
            if not await self.token_check(token):
                for conn in conns:
                    self.forget(conn)
