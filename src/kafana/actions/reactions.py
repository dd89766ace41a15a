"""Emoji reactions: add, remove, list. Reacting needs read access to the post and channel membership with
`add_reaction`; archived channels are read-only. A post holds at most MAX_REACTIONS_PER_POST distinct emoji.

Adding or removing a reaction sets the post's `has_reactions` and bumps its `update_at`, so clients syncing a
channel with `?since=` see the change.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from kafana.access import ChannelAccess, access_post, channel_permissions
from kafana.actions.context import Actor, Services
from kafana.actions.posts import get_posts_by_ids
from kafana.events import Event, to_channel
from kafana.lib.clock import now_ms
from kafana.lib.errors import AppError, bad_request, forbidden
from kafana.lib.validation import EMOJI_NAME_RE, MAX_REACTIONS_PER_POST
from kafana.models import Reaction
from kafana.store import posts as posts_store
from kafana.store import reactions as reactions_store

TOO_MANY = AppError(400, "app.reaction.save.save.too_many_reactions", f"A post can have at most {MAX_REACTIONS_PER_POST} different emoji reactions.")
ARCHIVED_SAVE = AppError(403, "api.reaction.save.archived_channel.app_error", "You cannot react in an archived channel.")
ARCHIVED_DELETE = AppError(403, "api.reaction.delete.archived_channel.app_error", "You cannot remove a reaction in an archived channel.")
NOT_YOURS = AppError(403, "api.reaction.save_reaction.user_id.app_error", "You cannot save a reaction for another user.")


def check_emoji_name(emoji_name: str) -> str:
    if not EMOJI_NAME_RE.fullmatch(emoji_name):  # not .match: `$` also matches before a final newline
        raise bad_request("model.reaction.is_valid.emoji_name.app_error", "Invalid emoji name.")
    return emoji_name


def _check_member_permission(actor: Actor, access: ChannelAccess, permission: str) -> None:
    """Reading a public channel is not enough: reacting needs membership (or admin) and the permission."""
    if permission not in channel_permissions(actor, access) or (access.member is None and not actor.is_admin):
        raise forbidden()


def _event(name: str, reaction: Reaction, *, removed_at: int = 0) -> Event:
    """A removal carries its time in `update_at`/`delete_at` (as Mattermost's), which clients need: the post's
    `update_at` moves to it."""
    payload = reaction.to_api()
    if removed_at:
        payload.update(update_at=removed_at, delete_at=removed_at)
    return to_channel(reaction.channel_id, name, {"reaction": json.dumps(payload)})


async def do_add_reaction(svc: Services, actor: Actor, user_id: str, post_id: str, emoji_name: str) -> Reaction:
    """POST /reactions. Idempotent: reacting again with the same emoji returns the first reaction."""
    if user_id != actor.user_id:
        raise NOT_YOURS
    check_emoji_name(emoji_name)
    async with svc.db.write() as uow:
        db = uow.session
        await reactions_store.lock_post(db, post_id)  # serialises the distinct-emoji count on PostgreSQL
        post, access = await access_post(db, actor, post_id)
        _check_member_permission(actor, access, "add_reaction")
        if access.channel.delete_at:
            raise ARCHIVED_SAVE
        existing = await reactions_store.get_reaction(db, post.id, user_id, emoji_name)
        if existing is not None:
            return existing
        if (
            not await reactions_store.emoji_on_post(db, post.id, emoji_name)
            and await reactions_store.count_distinct_emoji(db, post.id) >= MAX_REACTIONS_PER_POST
        ):
            raise TOO_MANY
        now = now_ms()
        reaction = Reaction(post_id=post.id, user_id=user_id, emoji_name=emoji_name, channel_id=post.channel_id, create_at=now)
        await reactions_store.add_reaction(db, reaction)
        post.has_reactions = True
        post.update_at = max(post.update_at, now)
        uow.emit(_event("reaction_added", reaction))
    return reaction


async def do_remove_reaction(svc: Services, actor: Actor, user_id: str, post_id: str, emoji_name: str) -> None:
    """DELETE /users/{uid}/posts/{pid}/reactions/{emoji}: one's own, or anyone's with remove_others_reactions."""
    check_emoji_name(emoji_name)
    async with svc.db.write() as uow:
        db = uow.session
        await reactions_store.lock_post(db, post_id)
        post, access = await access_post(db, actor, post_id)
        _check_member_permission(actor, access, "remove_reaction")
        if user_id != actor.user_id and "remove_others_reactions" not in channel_permissions(actor, access):
            raise forbidden()
        if access.channel.delete_at:
            raise ARCHIVED_DELETE
        reaction = await reactions_store.get_reaction(db, post.id, user_id, emoji_name)
        if reaction is None:
            return
        await reactions_store.remove_reaction(db, post.id, user_id, emoji_name)
        post.has_reactions = await reactions_store.has_reactions(db, post.id)
        now = now_ms()
        post.update_at = max(post.update_at, now)
        uow.emit(_event("reaction_removed", reaction, removed_at=now))


async def get_reactions(svc: Services, actor: Actor, post_id: str) -> list[Reaction]:
    async with svc.db.read() as db:
        post, _ = await access_post(db, actor, post_id)
        return await reactions_store.get_reactions_for_post(db, post.id)


async def get_reactions_for_posts(svc: Services, actor: Actor, post_ids: Sequence[str]) -> dict[str, list[Reaction]]:
    """POST /posts/ids/reactions: every readable post among `post_ids` maps to its reactions ([] when none)."""
    readable = {p.id for p in await get_posts_by_ids(svc, actor, list(post_ids))}
    async with svc.db.read() as db:
        found = await posts_store.get_reactions_for_posts(db, list(readable))
    return {pid: found.get(pid, []) for pid in post_ids if pid in readable}
