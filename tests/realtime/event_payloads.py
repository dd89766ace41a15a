"""What each WebSocket event must carry, after the reference (shared/reference/mattermost-api-v4.md §3).

`PAYLOADS[name]` lists the accepted shapes of `data` (some events have two: `user_removed` to the channel and
to the removed user) and the broadcast scope. Values are checked by type; JSON strings are decoded and the
objects inside are checked against Mattermost's OpenAPI document (tests/openapi.py), so a `posted` whose post
lacks a documented field fails here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from tests.openapi import SANITIZED_USER_FIELDS, Spec, check_shape


@dataclass(frozen=True)
class Json:
    """A JSON-encoded string holding a `component` object, a list of them (`many`), or a list of strings."""

    component: str = ""
    many: bool = False


@dataclass(frozen=True)
class Obj:
    """A JSON object (not a string) shaped like `component`."""

    component: str
    optional: frozenset[str] = frozenset()


Check = type | Json | Obj | tuple[str, type]  # ("map", int): an object whose values are of that type


@dataclass(frozen=True)
class Shape:
    required: dict[str, Check]
    optional: dict[str, Check] = field(default_factory=dict)


@dataclass(frozen=True)
class Payload:
    scope: str  # user, channel, team or all: which broadcast field addresses the event
    shapes: tuple[Shape, ...]


def one(scope: str, required: dict[str, Check], optional: dict[str, Check] | None = None) -> Payload:
    return Payload(scope, (Shape(required, optional or {}),))


POST = Json("Post")
UNREAD_COUNTS: dict[str, Check] = {k: int for k in ("msg_count", "msg_count_root", "mention_count", "mention_count_root", "urgent_mention_count")}
THREAD_READ = {"thread_id": str, "timestamp": int, "unread_mentions": int, "unread_replies": int}
THREAD_READ_EXTRA: dict[str, Check] = {"previous_unread_mentions": int, "previous_unread_replies": int, "channel_id": str}

PAYLOADS: dict[str, Payload] = {
    "posted": one(
        "channel",
        {"post": POST, "channel_display_name": str, "channel_name": str, "channel_type": str, "sender_name": str, "team_id": str, "set_online": bool},
        {"mentions": Json(many=True), "followers": Json(many=True), "otherFile": str, "image": str},
    ),
    "ephemeral_message": one("user", {"post": POST}),
    "post_edited": one("channel", {"post": POST}),
    "post_deleted": one("channel", {"post": POST, "delete_by": str}),
    "post_unread": one("user", {"channel_id": str, "team_id": str, "post_id": str, "last_viewed_at": int, **UNREAD_COUNTS}),
    "reaction_added": one("channel", {"reaction": Json("Reaction")}),
    "reaction_removed": one("channel", {"reaction": Json("Reaction")}),
    "typing": one("channel", {"user_id": str, "parent_id": str}),
    "channel_created": one("user", {"channel_id": str, "team_id": str}),
    "channel_updated": one("channel", {"channel": Json("Channel")}),
    "channel_converted": one("team", {"channel_id": str}),
    "channel_deleted": Payload("team|channel", (Shape({"channel_id": str, "delete_at": int}),)),
    "channel_restored": Payload("team|channel", (Shape({"channel_id": str, "delete_at": int}),)),
    "channel_member_updated": one("user", {"channelMember": Json("ChannelMember")}),
    "direct_added": one("channel", {"creator_id": str, "teammate_id": str}),
    "group_added": one("channel", {"teammate_ids": Json(many=True)}),
    "user_added": one("channel", {"user_id": str, "team_id": str}),
    "user_removed": Payload("channel|user", (Shape({"user_id": str, "remover_id": str}), Shape({"channel_id": str, "remover_id": str}))),
    "multiple_channels_viewed": one("user", {"channel_times": ("map", int)}),
    "added_to_team": one("user", {"team_id": str, "user_id": str}),
    "leave_team": Payload("team|user", (Shape({"team_id": str, "user_id": str}),)),
    "update_team": one("team", {"team": Json("Team")}),
    "delete_team": one("team", {"team": Json("Team")}),
    "restore_team": one("team", {"team": Json("Team")}),
    "memberrole_updated": one("user", {"member": Json("TeamMember")}),
    "new_user": one("all", {"user_id": str}),
    "user_updated": Payload("all|user", (Shape({"user": Obj("User", SANITIZED_USER_FIELDS)}),)),
    "status_change": one("user", {"status": str, "user_id": str}),
    "preferences_changed": one("user", {"preferences": Json("Preference", many=True)}),
    "preferences_deleted": one("user", {"preferences": Json("Preference", many=True)}),
    "sidebar_category_created": one("user", {"category_id": str}),
    "sidebar_category_updated": one("user", {"updatedCategories": Json("SidebarCategoryWithChannels", many=True)}),
    "sidebar_category_deleted": one("user", {"category_id": str}),
    "sidebar_category_order_updated": one("user", {"order": list}),
    "emoji_added": one("all", {"emoji": Json("Emoji")}),
    "user_role_updated": one("user", {"user_id": str, "roles": str}),
    "thread_updated": one("user", {"thread": Json("UserThread"), "previous_unread_replies": int, "previous_unread_mentions": int}),
    "thread_read_changed": Payload("user", (Shape(THREAD_READ, THREAD_READ_EXTRA), Shape({"timestamp": int}))),
    "thread_follow_changed": one("user", {"thread_id": str, "state": bool, "reply_count": int}),
}


def _problems(value: Any, check: Check, spec: Spec, where: str) -> list[str]:
    if isinstance(check, type):
        ok = isinstance(value, check) and not (check is int and isinstance(value, bool))
        return [] if ok else [f"{where}: {value!r} is not {check.__name__}"]
    if isinstance(check, tuple):
        if not isinstance(value, dict):
            return [f"{where}: {value!r} is not an object"]
        return [p for k, v in value.items() for p in _problems(v, check[1], spec, f"{where}.{k}")]
    if isinstance(check, Obj):
        if not isinstance(value, dict):
            return [f"{where}: {value!r} is not an object"]
        return _shape(value, check.component, spec, where, check.optional)
    if not isinstance(value, str):
        return [f"{where}: {value!r} is not a JSON string"]
    try:
        decoded = json.loads(value)
    except ValueError:
        return [f"{where}: {value!r} is not JSON"]
    if check.many:
        if not isinstance(decoded, list):
            return [f"{where}: {decoded!r} is not a list"]
        if not check.component:
            return [f"{where}[{i}]: {v!r} is not a string" for i, v in enumerate(decoded) if not isinstance(v, str)]
        return [p for i, item in enumerate(decoded) for p in _shape(item, check.component, spec, f"{where}[{i}]")]
    return _shape(decoded, check.component, spec, where)


def _shape(value: Any, component: str, spec: Spec, where: str, optional: frozenset[str] = frozenset()) -> list[str]:
    try:
        check_shape(value, spec.component(component), optional=optional, what=f"{where} ({component})")
    except AssertionError as exc:
        return [str(exc)]
    return []


def payload_problems(frame: dict[str, Any], spec: Spec) -> list[str]:
    """Everything wrong with one event frame: unknown name, wrong scope, missing, extra or mistyped data."""
    name = frame.get("event")
    payload = PAYLOADS.get(str(name))
    if payload is None:
        return [f"{name}: no payload in the reference"]
    broadcast, data = frame["broadcast"], frame["data"]
    scopes = payload.scope.split("|")
    addressed = "user" if broadcast["user_id"] else "channel" if broadcast["channel_id"] else "team" if broadcast["team_id"] else "all"
    problems = [] if addressed in scopes else [f"{name}: addressed to {addressed}, the reference says {payload.scope}"]
    best: list[str] | None = None
    for shape in payload.shapes:
        found = [f"{name}: missing data.{k}" for k in shape.required if k not in data]
        found += [f"{name}: unexpected data.{k}" for k in data if k not in shape.required and k not in shape.optional]
        for key, check in {**shape.required, **shape.optional}.items():
            if key in data:
                found += _problems(data[key], check, spec, f"{name}.data.{key}")
        if best is None or len(found) < len(best):
            best = found
    return problems + (best or [])
