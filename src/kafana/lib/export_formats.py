"""Conversations written out for people: Markdown, JSON, and wikitext ready to paste on a wiki talk or archive
page. Times are UTC, grouped under one heading per day. In wikitext every message is inside <nowiki>, with
`&` and `<` escaped so that no message can close it early or carry markup (templates, links, signatures)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

FORMATS = {"md": ("text/markdown; charset=utf-8", "md"), "json": ("application/json", "json"), "wikitext": ("text/plain; charset=utf-8", "wiki")}


@dataclass(frozen=True, slots=True)
class Message:
    id: str
    create_at: int  # ms
    edit_at: int
    user_id: str
    username: str
    message: str
    root_id: str


@dataclass(frozen=True, slots=True)
class Conversation:
    title: str  # the channel's display name (or name)
    channel: dict[str, str]
    since: int
    until: int
    root_id: str  # set for a thread
    messages: Sequence[Message]


def _when(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


def _by_day(messages: Sequence[Message]) -> Iterator[tuple[str, list[Message]]]:
    day, group = "", list[Message]()
    for m in messages:
        this = _when(m.create_at).strftime("%Y-%m-%d")
        if this != day and group:
            yield day, group
            group = []
        day = this
        group.append(m)
    if group:
        yield day, group


def to_markdown(c: Conversation) -> str:
    what = "Thread in" if c.root_id else "Messages in"
    out = [f"# {what} {c.title}", "", "_Exported from Kafana; times are UTC._", ""]
    for day, group in _by_day(c.messages):
        out += [f"## {day}", ""]
        for m in group:
            lines = m.message.split("\n")
            out.append(f"**{m.username}** ({_when(m.create_at):%H:%M}): " + "  \n".join(lines))
            out.append("")
    return "\n".join(out)


def nowiki(text: str) -> str:
    """Text shown literally by MediaWiki: inside <nowiki> entities are still read, so `&` and `<` are escaped
    (the page shows them unchanged) and nothing can end the tag early."""
    return "<nowiki>" + text.replace("&", "&amp;").replace("<", "&lt;") + "</nowiki>"


def to_wikitext(c: Conversation) -> str:
    what = "Thread in" if c.root_id else "Messages in"
    out = [f"''{what} {nowiki(c.title)}, exported from Kafana; times are UTC.''", ""]
    for day, group in _by_day(c.messages):
        out += [f"== {day} ==", ""]
        for m in group:
            text = "<br />".join(nowiki(line) for line in m.message.split("\n") if line.strip())
            out.append(f"* '''{m.username}''' ({_when(m.create_at):%H:%M}): {text}")
        out.append("")
    return "\n".join(out)


def to_json(c: Conversation) -> bytes:
    body: dict[str, Any] = {"channel": c.channel, "root_id": c.root_id, "since": c.since, "until": c.until, "posts": [asdict(m) for m in c.messages]}
    return orjson.dumps(body)


def render(fmt: str, c: Conversation) -> bytes:
    if fmt == "json":
        return to_json(c)
    return (to_markdown(c) if fmt == "md" else to_wikitext(c)).encode()
