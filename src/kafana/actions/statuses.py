"""User statuses: online, away, do-not-disturb (optionally until a time) and offline.

Statuses set through PUT /users/{id}/status are manual. Presence (actions/presence.py) is automatic and
never overrides a manual status (as in Mattermost). A user without a row is offline. An expired do-not-disturb is shown as
the status it replaced, worked out when read rather than by a job.
"""

from __future__ import annotations

from collections.abc import Sequence

from kafana.actions.context import Actor, Services
from kafana.events import to_user
from kafana.lib.clock import now_ms
from kafana.lib.errors import forbidden, invalid_param, not_found
from kafana.models import Status
from kafana.store import statuses as statuses_store
from kafana.store import users as users_store

STATUSES = ("online", "away", "dnd", "offline")
MAX_DND_END_TIME = 2**40  # seconds: far past any real date, far below the databases' 64-bit integers


def offline(user_id: str) -> Status:
    return Status(user_id=user_id, status="offline", manual=False, last_activity_at=0, dnd_end_time=0, prev_status="")


def effective(status: Status, now_seconds: int) -> Status:
    """A timed do-not-disturb that has run out reads as the status it replaced."""
    if status.status == "dnd" and status.dnd_end_time and status.dnd_end_time <= now_seconds:
        return Status(
            user_id=status.user_id,
            status=status.prev_status or "online",
            manual=status.manual,
            last_activity_at=status.last_activity_at,
            dnd_end_time=0,
            prev_status="",
        )
    return status


async def get_statuses(svc: Services, actor: Actor, user_ids: Sequence[str]) -> list[Status]:
    """One status per requested id, in the order asked; offline for users without a row (or no account)."""
    async with svc.db.read() as db:
        found = await users_store.get_statuses(db, user_ids)
    now_seconds = now_ms() // 1000
    return [effective(found[uid], now_seconds) if uid in found else offline(uid) for uid in user_ids]


async def get_shown_statuses(svc: Services) -> list[Status]:
    """Everyone not offline, whichever node their sockets are on (the WebSocket's get_statuses)."""
    async with svc.db.read() as db:
        found = await statuses_store.not_offline(db)
    now_seconds = now_ms() // 1000
    return [effective(s, now_seconds) for s in found]


async def do_set_status(svc: Services, actor: Actor, user_id: str, status: str, *, dnd_end_time: int = 0) -> Status:
    """PUT /users/{id}/status: the user themself or an admin; emits status_change to that user."""
    if actor.user_id != user_id and not actor.is_admin:
        raise forbidden()
    if status not in STATUSES:
        raise invalid_param("status")
    if not 0 <= dnd_end_time <= MAX_DND_END_TIME:
        raise invalid_param("dnd_end_time")
    now = now_ms()
    async with svc.db.write() as uow:
        if await users_store.get_user(uow.session, user_id) is None:
            raise not_found("user")
        current = await statuses_store.get_status_for_update(uow.session, user_id)
        before = effective(current, now // 1000) if current is not None else offline(user_id)
        row = Status(
            user_id=user_id,
            status=status,
            manual=True,
            last_activity_at=before.last_activity_at if status == "offline" else now,
            dnd_end_time=dnd_end_time if status == "dnd" else 0,
            # What a do-not-disturb replaced (kept when one dnd follows another), to return to when it ends.
            prev_status=(before.prev_status if before.status == "dnd" else before.status) if status == "dnd" else "",
        )
        await statuses_store.save_status(uow.session, row)
        uow.emit(to_user(user_id, "status_change", {"status": status, "user_id": user_id}))
    return row
