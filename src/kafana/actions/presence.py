"""Automatic presence across nodes: online while any node has a WebSocket of the user open, away after a
while without activity, offline once no node has one — never overriding a status the user chose (manual).

Each node keeps one `presence` row per user with sockets on it and refreshes the rows' `seen_at` every
heartbeat. A node that dies stops refreshing; the sweep (one node at a time, under a job lease) deletes rows
three heartbeats old and sets their users offline unless another node still has them. Every change sends
`status_change` to the user, as Mattermost does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from kafana.actions.context import Services
from kafana.actions.statuses import effective
from kafana.db import UnitOfWork
from kafana.events import to_user
from kafana.lib.clock import now_ms
from kafana.models import Status
from kafana.store import presence as presence_store
from kafana.store import statuses as statuses_store

ACTIVITY_WRITE_INTERVAL_MS = 60_000  # at most one activity write per user per node per minute
STALE_AFTER_HEARTBEATS = 3
_MAX_ACTIVITY_ENTRIES = 100_000


async def do_connect(svc: Services, user_id: str, now: int | None = None) -> None:
    """A socket of the user opened on this node: record the node, and show the user online (unless manual)."""
    now = now_ms() if now is None else now
    svc.activity_written[user_id] = now
    async with svc.db.write() as uow:
        current = await statuses_store.get_status_for_update(uow.session, user_id)
        await presence_store.mark(uow.session, svc.node_id, [user_id], now)
        if current is not None and current.manual:
            return
        await _set_automatic(uow, current, user_id, "online", now)


async def do_disconnect(svc: Services, user_id: str, still_here: Callable[[], bool], now: int | None = None) -> None:
    """A socket of the user closed on this node. `still_here` is asked once the status row is locked, so a
    socket opening meanwhile is seen (its own do_connect waits for this transaction)."""
    now = now_ms() if now is None else now
    async with svc.db.write() as uow:
        current = await statuses_store.get_status_for_update(uow.session, user_id)
        if still_here():
            return
        await presence_store.unmark(uow.session, svc.node_id, user_id)
        if current is None or current.manual or current.status == "offline":
            return
        if not await presence_store.present(uow.session, [user_id]):
            await _set_automatic(uow, current, user_id, "offline", now)


async def do_note_activity(svc: Services, user_id: str, now: int | None = None) -> None:
    """The user did something (typing, a click reported by the client, an XHR request): remember when, at
    most once a minute per node, and bring an automatic away back to online."""
    now = now_ms() if now is None else now
    if now - svc.activity_written.get(user_id, -ACTIVITY_WRITE_INTERVAL_MS) < ACTIVITY_WRITE_INTERVAL_MS:
        return
    if len(svc.activity_written) >= _MAX_ACTIVITY_ENTRIES:
        svc.activity_written.clear()
    svc.activity_written[user_id] = now
    async with svc.db.write() as uow:
        current = await statuses_store.get_status_for_update(uow.session, user_id)
        if current is None:
            return
        if current.status == "away" and not current.manual:
            await _set_automatic(uow, current, user_id, "online", now)
        else:
            current.last_activity_at = now


async def do_heartbeat(svc: Services, user_ids: Sequence[str], now: int) -> None:
    """This node still has sockets for `user_ids` (refreshes their rows, and restores any lost to a race)."""
    if not user_ids:
        return
    async with svc.db.write() as uow:
        await presence_store.mark(uow.session, svc.node_id, list(user_ids), now)


async def do_sweep(svc: Services, now: int) -> None:
    """Forget dead nodes' rows (their users go offline unless another node has them) and show idle users away."""
    heartbeat_ms = int(svc.settings.presence_heartbeat_seconds * 1000)
    async with svc.db.write() as uow:
        gone = await presence_store.remove_stale(uow.session, now - STALE_AFTER_HEARTBEATS * heartbeat_ms)
        if gone:
            orphans = sorted(gone - await presence_store.present(uow.session, sorted(gone)))
            for current in await statuses_store.get_statuses_for_update(uow.session, orphans):
                if not current.manual and current.status != "offline":
                    await _set_automatic(uow, current, current.user_id, "offline", now, keep_activity=True)
        idle_before = now - svc.settings.presence_away_after_seconds * 1000
        for current in await statuses_store.idle_automatic_online(uow.session, idle_before):
            await _set_automatic(uow, current, current.user_id, "away", now, keep_activity=True)


async def _set_automatic(uow: UnitOfWork, current: Status | None, user_id: str, status: str, now: int, *, keep_activity: bool = False) -> None:
    """Write an automatic status; `status_change` only when what the user is shown changes."""
    shown = effective(current, now // 1000).status if current is not None else "offline"
    activity = current.last_activity_at if keep_activity and current is not None else now
    row = Status(user_id=user_id, status=status, manual=False, last_activity_at=activity, dnd_end_time=0, prev_status="")
    await statuses_store.save_status(uow.session, row)
    if shown != status:
        uow.emit(to_user(user_id, "status_change", {"status": status, "user_id": user_id}))
