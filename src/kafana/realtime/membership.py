"""Who is in which channel and team, in memory, for routing events (DESIGN §7: no query per recipient).

An entry is loaded from the store the first time an event for that channel or team needs it (one query for
the whole audience), then kept current by the membership events themselves, applied in commit order before
the event is routed: a removed member stops receiving at once (A8). When an event's effect is unclear the
entry is dropped and reloaded on next use.

Known limit: an entry loaded while routing an older event reflects the database at load time, so a member
who joined just after that event may receive it (they can read the channel's history anyway).
"""

from __future__ import annotations

import json
from typing import Any

from kafana.db import Database
from kafana.events import Event
from kafana.store import channels as channels_store
from kafana.store import teams as teams_store

MAX_ENTRIES = 100_000  # past this many cached channels/teams, start over (entries reload on demand)


class Membership:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.channels: dict[str, set[str]] = {}
        self.teams: dict[str, set[str]] = {}

    def apply(self, event: Event) -> None:
        """Bring the cached entries up to date with one committed event (before it is routed)."""
        name, data, b = event.event, event.data, event.broadcast
        if name == "user_added" and b.channel_id:
            self._add(self.channels, b.channel_id, data.get("user_id"))
        elif name == "user_removed":
            if b.channel_id:
                self._discard(self.channels, b.channel_id, data.get("user_id"))
            elif b.user_id:
                self._discard(self.channels, data.get("channel_id"), b.user_id)
        elif name == "direct_added" and b.channel_id:
            self.channels[b.channel_id] = {str(data.get("creator_id", "")), str(data.get("teammate_id", ""))} - {""}
        elif name == "group_added" and b.channel_id:
            ids = _json_list(data.get("teammate_ids"))
            if ids:
                self.channels[b.channel_id] = set(ids)
            else:
                self.channels.pop(b.channel_id, None)
        elif name in ("channel_created", "channel_deleted", "channel_restored", "channel_converted"):
            self.channels.pop(str(data.get("channel_id", "")), None)
        elif name == "added_to_team":
            self._add(self.teams, data.get("team_id"), data.get("user_id"))
        elif name == "leave_team":
            self._discard(self.teams, data.get("team_id"), data.get("user_id"))
        elif name in ("delete_team", "restore_team"):
            self.teams.pop(b.team_id, None)

    async def channel(self, channel_id: str) -> set[str]:
        members = self.channels.get(channel_id)
        if members is None:
            async with self.db.read() as session:
                members = set(await channels_store.get_channel_member_ids(session, channel_id))
            self._store(self.channels, channel_id, members)
        return members

    async def team(self, team_id: str) -> set[str]:
        """Active members only (a member who left keeps a row with delete_at set)."""
        members = self.teams.get(team_id)
        if members is None:
            async with self.db.read() as session:
                rows = await teams_store.get_team_members(session, team_id, 0, 2**31 - 1)
            members = {m.user_id for m in rows}
            self._store(self.teams, team_id, members)
        return members

    def clear(self) -> None:
        self.channels.clear()
        self.teams.clear()

    @staticmethod
    def _store(cache: dict[str, set[str]], key: str, members: set[str]) -> None:
        if len(cache) >= MAX_ENTRIES:
            cache.clear()
        cache[key] = members

    @staticmethod
    def _add(cache: dict[str, set[str]], key: Any, user_id: Any) -> None:
        members = cache.get(str(key))
        if members is not None and isinstance(user_id, str):
            members.add(user_id)

    @staticmethod
    def _discard(cache: dict[str, set[str]], key: Any, user_id: Any) -> None:
        members = cache.get(str(key))
        if members is not None:
            members.discard(str(user_id))


def _json_list(value: Any) -> list[str]:
    try:
        parsed = json.loads(value) if isinstance(value, str) else value
    except ValueError:
        return []
    return [str(v) for v in parsed] if isinstance(parsed, list) else []
