"""Typed real-time events with Mattermost's names and payloads, and who may receive them.

Actions record events inside their transaction; the database layer hands them to the publisher only after
commit. This package imports nothing but `lib`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Every event name the server emits. An event with another name cannot be built: a new event must be added
# here and get a scenario in tests/realtime/test_verify_action.py (which checks its payload and that clients
# can apply it), as Zulip requires of every event type.
NAMES = frozenset(
    {
        # posts and reactions
        "posted",
        "post_edited",
        "post_deleted",
        "post_unread",
        "ephemeral_message",
        "reaction_added",
        "reaction_removed",
        "typing",
        # channels and their members
        "channel_created",
        "channel_updated",
        "channel_converted",
        "channel_deleted",
        "channel_restored",
        "channel_member_updated",
        "direct_added",
        "group_added",
        "user_added",
        "user_removed",
        "multiple_channels_viewed",
        # teams
        "added_to_team",
        "leave_team",
        "update_team",
        "delete_team",
        "restore_team",
        "memberrole_updated",
        # users and their settings
        "new_user",
        "user_updated",
        "user_role_updated",
        "status_change",
        "preferences_changed",
        "preferences_deleted",
        "sidebar_category_created",
        "sidebar_category_updated",
        "sidebar_category_deleted",
        "sidebar_category_order_updated",
        # custom emoji
        "emoji_added",
        # collapsed reply threads
        "thread_updated",
        "thread_read_changed",
        "thread_follow_changed",
    }
)


@dataclass(frozen=True, slots=True)
class Broadcast:
    """Mattermost's broadcast block. The scope is the user, else the channel, else the team, else everyone;
    a user-scoped event may also name its team (thread and sidebar events: clients file them by team)."""

    user_id: str = ""
    channel_id: str = ""
    team_id: str = ""
    omit_users: frozenset[str] = frozenset()
    connection_id: str = ""
    omit_connection_id: str = ""
    # Mattermost's ContainsSensitiveData / ContainsSanitizedData: True = only system admins' connections,
    # False = only the others'. Not sent on the wire.
    admins: bool | None = None

    def to_wire(self) -> dict[str, Any]:
        return {
            "omit_users": {u: True for u in self.omit_users} or None,
            "user_id": self.user_id,
            "channel_id": self.channel_id,
            "team_id": self.team_id,
            "connection_id": self.connection_id,
            "omit_connection_id": self.omit_connection_id,
        }


@dataclass(frozen=True, slots=True)
class Event:
    """One WebSocket event. `data` values follow the reference: some are JSON strings on purpose."""

    event: str
    data: dict[str, Any]
    broadcast: Broadcast = field(default_factory=Broadcast)

    def __post_init__(self) -> None:
        if self.event not in NAMES:
            raise ValueError(f"unknown event {self.event!r}: add it to kafana.events.NAMES and give it a verify_action scenario")

    def to_wire(self, seq: int) -> dict[str, Any]:
        return {"event": self.event, "data": self.data, "broadcast": self.broadcast.to_wire(), "seq": seq}


def to_user(user_id: str, event: str, data: dict[str, Any], *, team_id: str = "") -> Event:
    return Event(event, data, Broadcast(user_id=user_id, team_id=team_id))


def to_channel(channel_id: str, event: str, data: dict[str, Any], *, omit: frozenset[str] = frozenset()) -> Event:
    return Event(event, data, Broadcast(channel_id=channel_id, omit_users=omit))


def to_team(team_id: str, event: str, data: dict[str, Any]) -> Event:
    return Event(event, data, Broadcast(team_id=team_id))


def to_all(event: str, data: dict[str, Any], *, omit: frozenset[str] = frozenset(), admins: bool | None = None) -> Event:
    return Event(event, data, Broadcast(omit_users=omit, admins=admins))
