"""Marking a channel unread from a post (Mattermost's MarkChannelAsUnreadFromPost).

The member has then seen the posts before that one and nothing after it: their seen counts drop by the live
posts from it on, and the mentions of them among those posts count again. The user's clients learn it from
`post_unread`, which carries the new counts.
"""

from __future__ import annotations

from typing import Any

from kafana.access import access_post
from kafana.actions.context import Actor, Services
from kafana.events import Broadcast, Event
from kafana.lib.clock import now_ms
from kafana.lib.errors import forbidden, not_found
from kafana.lib.mentions import mentions_user
from kafana.store import channels as channels_store
from kafana.store import posts as posts_store
from kafana.store import users as users_store


async def do_set_unread(svc: Services, actor: Actor, user_id: str, post_id: str) -> dict[str, Any]:
    """POST /users/{uid}/posts/{pid}/set_unread: the user themself (or an admin); returns the ChannelUnreadAt."""
    if actor.user_id != user_id and not actor.is_admin:
        raise forbidden()
    async with svc.db.write() as uow:
        db = uow.session
        post, access = await access_post(db, actor, post_id)
        channel = access.channel
        member = access.member if user_id == actor.user_id else await channels_store.get_channel_member(db, channel.id, user_id)
        user = await users_store.get_user(db, user_id)
        if member is None or user is None:
            raise not_found("channel_member")
        total, total_root = await channels_store.get_channel_totals(db, channel.id)
        later = await posts_store.get_posts_from(db, channel.id, post.create_at)
        direct = channel.type == "D"
        mentioned = [p for p in later if p.user_id != user_id and mentions_user(user.username, user.mention_keys, p.message, direct=direct)]
        member.msg_count = max(total - len(later), 0)
        member.msg_count_root = max(total_root - sum(1 for p in later if not p.root_id), 0)
        member.mention_count = len(mentioned)
        member.mention_count_root = sum(1 for p in mentioned if not p.root_id)
        member.urgent_mention_count = 0
        member.last_viewed_at = post.create_at - 1
        member.last_update_at = now_ms()
        counts = {
            "msg_count": member.msg_count,
            "msg_count_root": member.msg_count_root,
            "mention_count": member.mention_count,
            "mention_count_root": member.mention_count_root,
            "urgent_mention_count": 0,
            "last_viewed_at": member.last_viewed_at,
        }
        data = {"team_id": channel.team_id, "channel_id": channel.id, "post_id": post.id, **counts}
        uow.emit(Event("post_unread", data, Broadcast(user_id=user_id, channel_id=channel.id, team_id=channel.team_id)))
    return {"team_id": channel.team_id, "user_id": user_id, "channel_id": channel.id, **counts}
