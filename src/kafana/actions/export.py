"""Export before expiry: any member writes out a thread, or a channel's messages between two dates, that they
can read (the same 404 as a missing one otherwise), as Markdown, JSON or wikitext. Each export is audited,
so a non-member reading a public channel this way leaves a trace (A18)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kafana.access import access_channel, access_post
from kafana.actions import audit
from kafana.actions.context import Services
from kafana.lib.errors import bad_request
from kafana.lib.export_formats import FORMATS, Conversation, Message
from kafana.models import Channel
from kafana.models.actor import Actor
from kafana.store import export as store
from kafana.store import posts as posts_store
from kafana.store import users as users_store

MAX_POSTS = 10_000


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise bad_request("api.kafana.export.format.app_error", f"format is one of {', '.join(FORMATS)}.")
    return fmt


async def _conversation(db: AsyncSession, channel: Channel, rows: Sequence[Any], since: int, until: int, root_id: str) -> Conversation:
    rows = [r for r in rows if not r.type.startswith("system_")]
    names = {u.id: u.username for u in await users_store.get_users_by_ids(db, list({r.user_id for r in rows}))}
    messages = [Message(r.id, r.create_at, r.edit_at, r.user_id, names.get(r.user_id, "unknown"), r.message, r.root_id) for r in rows]
    info = {"id": channel.id, "name": channel.name, "display_name": channel.display_name, "type": channel.type, "team_id": channel.team_id}
    return Conversation(channel.display_name or channel.name, info, since, until, root_id, messages)


async def export_channel(svc: Services, actor: Actor, channel_id: str, since: int, until: int) -> Conversation:
    if until and until <= since:
        raise bad_request("api.kafana.export.range.app_error", "until must be after since.")
    async with svc.db.read() as db:
        access = await access_channel(db, actor, channel_id)
        rows = await store.channel_range(db, channel_id, since, until, MAX_POSTS + 1)
        if len(rows) > MAX_POSTS:
            raise bad_request("api.kafana.export.too_large.app_error", f"More than {MAX_POSTS} messages: export a shorter range.")
        found = await _conversation(db, access.channel, rows, since, until, "")
    await audit.record(svc, "channel_export", actor=actor, target_id=channel_id, member=access.is_member, since=since, until=until, count=len(rows))
    return found


async def export_thread(svc: Services, actor: Actor, post_id: str) -> Conversation:
    async with svc.db.read() as db:
        post, access = await access_post(db, actor, post_id)
        root_id = post.root_id or post.id
        rows = await posts_store.get_thread_posts(db, root_id)
        found = await _conversation(db, access.channel, rows, 0, 0, root_id)
    await audit.record(svc, "thread_export", actor=actor, target_id=access.channel.id, member=access.is_member, root_id=root_id, count=len(rows))
    return found
