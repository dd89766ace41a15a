"""Custom statuses (emoji + text, optionally until a time), stored as Mattermost does: JSON strings in the
user's props, `customStatus` for the current one and `recentCustomStatuses` for the last five set. Clients
compute `expires_at` from the duration they offer; the server checks it is not past and clears the status
once it is (the custom_status_expiry job). Every change emits `user_updated`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from kafana.actions.context import Actor, Services
from kafana.actions.profiles import notify_user_updated
from kafana.actions.users import check_can_edit_user
from kafana.db import UnitOfWork
from kafana.lib.clock import now_ms
from kafana.lib.errors import AppError, bad_request, not_found
from kafana.lib.validation import EMOJI_NAME_RE
from kafana.models import User
from kafana.store import custom_status as custom_status_store
from kafana.store import users as users_store

CURRENT, RECENT = "customStatus", "recentCustomStatuses"
DURATIONS = frozenset({"thirty_minutes", "one_hour", "four_hours", "today", "this_week", "date_and_time"})
MAX_TEXT = 100  # characters; longer text is cut, as Mattermost does
MAX_RECENT = 5
DEFAULT_EMOJI = "speech_balloon"
ZERO_TIME = "0001-01-01T00:00:00Z"  # Go's zero time: no expiry
EXPIRED_PER_RUN = 500


def _invalid(message: str) -> AppError:
    return bad_request("api.custom_status.set_custom_statuses.update.app_error", message)


@dataclass(frozen=True, slots=True)
class CustomStatus:
    emoji: str
    text: str
    duration: str
    expires_at: int  # ms; 0 = never

    def to_json(self) -> dict[str, str]:
        when = datetime.fromtimestamp(self.expires_at / 1000, UTC).isoformat(timespec="milliseconds") if self.expires_at else ZERO_TIME
        return {"emoji": self.emoji, "text": self.text, "duration": self.duration, "expires_at": when.replace("+00:00", "Z")}

    def same_as(self, other: CustomStatus) -> bool:
        """Recents are one entry per emoji, text and duration (the expiry time differs each time)."""
        return (self.emoji, self.text, self.duration) == (other.emoji, other.text, other.duration)


def _expires_at(value: Any) -> int:
    if value in (None, "", ZERO_TIME):
        return 0
    if not isinstance(value, str):
        raise _invalid("expires_at must be an ISO 8601 time.")
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise _invalid("expires_at must be an ISO 8601 time.") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return 0 if when.year <= 1 else int(when.timestamp() * 1000)


def parse(data: dict[str, Any], now: int) -> CustomStatus:
    """A custom status from a request body, checked as Mattermost checks it (and completed: default emoji,
    `date_and_time` for an expiry without a duration)."""
    emoji, text, duration = data.get("emoji", ""), data.get("text", ""), data.get("duration", "")
    if not isinstance(emoji, str) or not isinstance(text, str) or not isinstance(duration, str):
        raise _invalid("emoji, text and duration must be strings.")
    if not emoji and not text:
        raise _invalid("A custom status needs an emoji or a text.")
    if emoji and not EMOJI_NAME_RE.fullmatch(emoji):
        raise _invalid("Invalid emoji name.")
    if duration and duration not in DURATIONS:
        raise _invalid("Invalid duration.")
    expires_at = _expires_at(data.get("expires_at"))
    if expires_at and expires_at < now:
        raise _invalid("expires_at is in the past.")
    if duration and not expires_at:
        raise _invalid("A duration needs expires_at.")
    return CustomStatus(emoji or DEFAULT_EMOJI, text[:MAX_TEXT], duration or ("date_and_time" if expires_at else ""), expires_at)


def _stored(value: Any) -> CustomStatus | None:
    if not isinstance(value, dict):
        return None
    try:
        return CustomStatus(str(value.get("emoji", "")), str(value.get("text", "")), str(value.get("duration", "")), _expires_at(value.get("expires_at")))
    except AppError:
        return None


def recents(user: User) -> list[CustomStatus]:
    try:
        raw = orjson.loads((user.props or {}).get(RECENT, "[]"))
    except orjson.JSONDecodeError:
        return []
    return [cs for cs in map(_stored, raw if isinstance(raw, list) else []) if cs is not None]


def current(user: User) -> CustomStatus | None:
    try:
        return _stored(orjson.loads((user.props or {}).get(CURRENT, "null")))
    except orjson.JSONDecodeError:
        return None


def _with_props(user: User, **changes: str | None) -> None:
    """Replace some props (None removes one); a new dict, so the JSON column is written."""
    props = dict(user.props or {})
    for key, value in changes.items():
        if value is None:
            props.pop(key, None)
        else:
            props[key] = value
    user.props = props


def _dump(value: Any) -> str:
    return orjson.dumps(value).decode()


async def _editable_user(uow: UnitOfWork, actor: Actor, user_id: str) -> User:
    check_can_edit_user(actor, user_id)
    user = await users_store.get_user(uow.session, user_id)
    if user is None or (user.delete_at and not actor.is_admin):
        raise not_found("user")
    return user


def _updated(uow: UnitOfWork, user: User, now: int) -> None:
    user.update_at = now
    notify_user_updated(uow, user)


async def do_set_custom_status(svc: Services, actor: Actor, user_id: str, data: dict[str, Any]) -> CustomStatus:
    """PUT /users/{id}/status/custom: set it and put it first among the recents."""
    now = now_ms()
    status = parse(data, now)
    async with svc.db.write() as uow:
        user = await _editable_user(uow, actor, user_id)
        recent = [status, *(cs for cs in recents(user) if not cs.same_as(status))][:MAX_RECENT]
        _with_props(user, **{CURRENT: _dump(status.to_json()), RECENT: _dump([cs.to_json() for cs in recent])})
        await custom_status_store.set_expiry(uow.session, user_id, status.expires_at)
        _updated(uow, user, now)
    svc.auth_cache.drop_user(user_id)
    return status


async def do_clear_custom_status(svc: Services, actor: Actor, user_id: str) -> None:
    """DELETE /users/{id}/status/custom."""
    async with svc.db.write() as uow:
        user = await _editable_user(uow, actor, user_id)
        await custom_status_store.clear_expiry(uow.session, user_id)
        if CURRENT in (user.props or {}):
            _with_props(user, **{CURRENT: None})
            _updated(uow, user, now_ms())
    svc.auth_cache.drop_user(user_id)


async def do_remove_recent_custom_status(svc: Services, actor: Actor, user_id: str, data: dict[str, Any]) -> None:
    """DELETE /users/{id}/status/custom/recent (and POST …/recent/delete): drop one entry from the recents."""
    emoji, text, duration = data.get("emoji", ""), data.get("text", ""), data.get("duration", "")
    if not isinstance(emoji, str) or not isinstance(text, str) or not isinstance(duration, str):
        raise _invalid("emoji, text and duration must be strings.")
    target = CustomStatus(emoji or DEFAULT_EMOJI, text[:MAX_TEXT], duration, 0)
    async with svc.db.write() as uow:
        user = await _editable_user(uow, actor, user_id)
        recent = recents(user)
        kept = [cs for cs in recent if not cs.same_as(target)]
        if len(kept) == len(recent):
            raise bad_request("api.custom_status.recent_custom_statuses.delete.app_error", "That custom status is not among the recent ones.")
        _with_props(user, **{RECENT: _dump([cs.to_json() for cs in kept])})
        _updated(uow, user, now_ms())
    svc.auth_cache.drop_user(user_id)


async def do_expire_custom_statuses(svc: Services, now: int) -> int:
    """The custom_status_expiry job: clear the statuses that ran out; returns how many were cleared."""
    cleared = 0
    async with svc.db.write() as uow:
        for user_id in await custom_status_store.expired(uow.session, now, EXPIRED_PER_RUN):
            await custom_status_store.clear_expiry(uow.session, user_id)
            user = await users_store.get_user(uow.session, user_id)
            status = current(user) if user is not None else None
            if user is None or status is None or not status.expires_at or status.expires_at > now:
                continue
            _with_props(user, **{CURRENT: None})
            _updated(uow, user, now)
            cleared += 1
    for user_id in {e.data["user"]["id"] for e in uow.events}:
        svc.auth_cache.drop_user(user_id)
    return cleared
