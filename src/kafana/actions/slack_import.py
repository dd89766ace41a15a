"""Slack export → Mattermost bulk lines, then the bulk importer (`actions/bulk_import.py`) writes them.

A Slack export is a zip: `users.json`, `channels.json` (public), `groups.json` (private), `dms.json`,
`mpims.json`, and one folder per conversation (named after the channel, or the DM's id) of `YYYY-MM-DD.json`
message lists. Messages become posts (threads by `thread_ts`, reactions, edits); Slack's markup becomes
Markdown (`<@U1>` → `@name`, `<#C1|x>` → `~x`, `<url|label>` → `[label](url)`, `*bold*` → `**bold**`).
Joins, leaves and other system subtypes are dropped. File bytes are not in Slack exports, so an attachment
becomes a line naming the file.
"""

from __future__ import annotations

import html
import re
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson

from kafana.actions.bulk_import import ImportProgress, import_lines
from kafana.actions.context import Services

KEPT_SUBTYPES = frozenset({"", "thread_broadcast", "me_message", "file_share"})
_USER = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")
_CHANNEL = re.compile(r"<#[A-Z0-9]+\|([^>]*)>")
_SPECIAL = re.compile(r"<!(channel|here|everyone)(?:\|[^>]*)?>")
_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>")
_BOLD = re.compile(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])")
_STRIKE = re.compile(r"(?<![\w~])~([^~\n]+)~(?![\w~])")
_BAD_NAME = re.compile(r"[^a-z0-9.\-_]")


def username_for(slack_name: str, slack_id: str) -> str:
    """A Kafana username from a Slack handle: lower case, other characters as '-', starting with a letter."""
    name = _BAD_NAME.sub("-", slack_name.lower())[:64].strip("-") or slack_id.lower()
    return name if name[0].isalpha() else ("u" + name)[:64]


def channel_name_for(slack_name: str, slack_id: str) -> str:
    """A Kafana channel name: lower-case letters, digits, '-' and '_', starting and ending with a letter or digit."""
    name = re.sub(r"[^a-z0-9\-_]", "-", slack_name.lower())[:64].strip("-_")
    return name or slack_id.lower()


def markdown(text: str, names: dict[str, str]) -> str:
    """Slack's mrkdwn as Mattermost Markdown."""
    text = _USER.sub(lambda m: "@" + names.get(m.group(1), m.group(1).lower()), text)
    text = _CHANNEL.sub(lambda m: "~" + m.group(1), text)
    text = _SPECIAL.sub(lambda m: "@all" if m.group(1) == "everyone" else "@" + m.group(1), text)
    text = _LINK.sub(lambda m: f"[{m.group(2)}]({m.group(1)})" if m.group(2) else m.group(1), text)
    text = _BOLD.sub(r"**\1**", text)
    text = _STRIKE.sub(r"~~\1~~", text)
    return html.unescape(text)


def _ms(ts: str) -> int:
    return round(float(ts) * 1000)


class SlackExport:
    def __init__(self, path: Path, team: str, display_name: str = "") -> None:
        self.zip = zipfile.ZipFile(path)
        self.team, self.display_name = team, display_name or team
        self.users = [u for u in self._json("users.json") if not u.get("is_bot") and u.get("id") != "USLACKBOT"]
        self.names = {u["id"]: username_for(u.get("name", ""), u["id"]) for u in self.users}

    def _json(self, name: str) -> list[dict[str, Any]]:
        if name not in self.zip.namelist():
            return []
        data = orjson.loads(self.zip.read(name))
        if not isinstance(data, list):
            raise ValueError(f"{name} is not a list")
        return [d for d in data if isinstance(d, dict)]

    def _messages(self, folder: str) -> list[dict[str, Any]]:
        days = sorted(n for n in self.zip.namelist() if n.startswith(folder + "/") and n.endswith(".json"))
        return [
            m for day in days for m in self._json(day) if m.get("type") == "message" and m.get("subtype", "") in KEPT_SUBTYPES and m.get("user") in self.names
        ]

    def lines(self) -> Iterator[dict[str, Any]]:
        yield {"type": "version", "version": 1}
        yield {"type": "team", "team": {"name": self.team, "display_name": self.display_name, "type": "I"}}
        channels = [(c, "O") for c in self._json("channels.json")] + [(c, "P") for c in self._json("groups.json")]
        memberships: dict[str, list[dict[str, Any]]] = {}
        for channel, kind in channels:
            name = channel_name_for(channel["name"], channel["id"])
            header = (channel.get("topic") or {}).get("value", "")[:1024]
            purpose = (channel.get("purpose") or {}).get("value", "")[:250]
            deleted = _ms(str(channel.get("created", 1))) if channel.get("is_archived") else 0
            yield {
                "type": "channel",
                "channel": {
                    "team": self.team,
                    "name": name,
                    "display_name": channel["name"][:64],
                    "type": kind,
                    "header": header,
                    "purpose": purpose,
                    "deleted_at": deleted,
                },
            }
            for member in channel.get("members") or []:
                memberships.setdefault(member, []).append({"name": name, "roles": "channel_user"})
        for user in self.users:
            profile = user.get("profile") or {}
            yield {
                "type": "user",
                "user": {
                    "username": self.names[user["id"]],
                    "email": profile.get("email") or f"{self.names[user['id']]}@slack-import.invalid",
                    "nickname": profile.get("display_name", "")[:64],
                    "first_name": profile.get("first_name", "")[:64],
                    "last_name": profile.get("last_name", "")[:64],
                    "position": profile.get("title", "")[:128],
                    "roles": "system_user",
                    "delete_at": 1 if user.get("deleted") else 0,
                    "teams": [{"name": self.team, "roles": "team_user", "channels": memberships.get(user["id"], [])}],
                },
            }
        for channel, _ in channels:
            for post in self._threads(self._messages(channel["name"])):
                yield {"type": "post", "post": {"team": self.team, "channel": channel_name_for(channel["name"], channel["id"]), **post}}
        conversations = [c for c in self._json("dms.json") + self._json("mpims.json") if all(m in self.names for m in c.get("members") or [])]
        for conversation in conversations:
            yield {"type": "direct_channel", "direct_channel": {"members": [self.names[m] for m in conversation["members"]]}}
        for conversation in conversations:
            members = [self.names[m] for m in conversation["members"]]
            folder = conversation.get("name") or conversation["id"]
            for post in self._threads(self._messages(folder)):
                yield {"type": "direct_post", "direct_post": {"channel_members": members, **post}}

    def _threads(self, messages: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        """Top-level messages with their replies (a reply's `thread_ts` is its root's `ts`)."""
        replies: dict[str, list[dict[str, Any]]] = {}
        roots = []
        for m in messages:
            if m.get("thread_ts") and m["thread_ts"] != m.get("ts"):
                replies.setdefault(m["thread_ts"], []).append(m)
            else:
                roots.append(m)
        for root in sorted(roots, key=lambda m: float(m["ts"])):
            yield {**self._post(root), "replies": [self._post(r) for r in sorted(replies.get(root["ts"], []), key=lambda m: float(m["ts"]))]}

    def _post(self, m: dict[str, Any]) -> dict[str, Any]:
        text = markdown(str(m.get("text", "")), self.names)
        files = [f.get("name") or f.get("title") or "file" for f in m.get("files") or [] if isinstance(f, dict)]
        if files:
            text = "\n".join([text, *(f"📎 {name} (not in the Slack export)" for name in files)]).strip()
        if m.get("subtype") == "me_message":
            text = f"*{text}*"
        reactions = [
            {"user": self.names[u], "emoji_name": r["name"].split("::")[0], "create_at": _ms(m["ts"])}
            for r in m.get("reactions") or []
            for u in r.get("users") or []
            if u in self.names and r.get("name")
        ]
        edited = m.get("edited") or {}
        return {
            "user": self.names[m["user"]],
            "message": text[:16383],
            "create_at": _ms(m["ts"]),
            "edit_at": _ms(edited["ts"]) if edited.get("ts") else 0,
            "reactions": reactions,
        }


async def import_slack(
    svc: Services, path: Path, team: str, *, display_name: str = "", report: Callable[[ImportProgress], None] | None = None
) -> ImportProgress:
    return await import_lines(svc, None, SlackExport(path, team, display_name).lines(), report=report)
