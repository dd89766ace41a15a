"""Collapsed reply threads (CRT): the threads a user follows in a team, their unread state, follow/unfollow.

Only the user themself sees or changes their threads. A thread lives in a team's channel or in a DM/GM (those
appear under every team, as in Mattermost) and is invisible while its channel is not readable. Events go to
the user with the team in the broadcast: clients file thread state per team from `broadcast.team_id`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kafana.access import ChannelAccess, access_post, access_team
from kafana.actions.context import Actor, Services
from kafana.actions.profiles import sanitize
from kafana.db import UnitOfWork
from kafana.events import Event, to_user
from kafana.lib.clock import now_ms
from kafana.lib.errors import AppError, bad_request, forbidden, invalid_param, not_found
from kafana.lib.ids import is_valid_id
from kafana.lib.mentions import parse_mentions
from kafana.models import Channel, FileInfo, Post, Reaction, Thread, ThreadMembership, User
from kafana.models.posts import post_metadata
from kafana.store import files as files_store
from kafana.store import posts as posts_store
from kafana.store import threads as threads_store
from kafana.store import users as users_store
from kafana.store.threads import ThreadTotals, UserThreadRow

NOT_IN_THREAD = AppError(400, "app.user.update_thread_read_for_user_by_post.app_error", "The post is not part of this thread.")


@dataclass(slots=True)
class ThreadQuery:
    since: int = 0
    deleted: bool = False
    unread: bool = False
    threads_only: bool = False
    totals_only: bool = False
    extended: bool = False
    before: str = ""
    after: str = ""
    limit: int = 30


@dataclass(slots=True)
class UserThreadView:
    """One thread as its follower sees it; `participants` are users when extended, else only their ids."""

    thread: Thread
    membership: ThreadMembership
    root: Post
    unread_replies: int
    participant_ids: list[str]
    participants: list[User] | None = None
    reactions: list[Reaction] = field(default_factory=list)
    files: list[FileInfo] = field(default_factory=list)


@dataclass(slots=True)
class ThreadList:
    totals: ThreadTotals
    threads: list[UserThreadView]


def user_thread(actor: Actor, view: UserThreadView) -> dict[str, Any]:
    """Mattermost's ThreadResponse, plus is_following as @mattermost/types has it."""
    root = view.root
    if view.participants is not None:
        participants: list[dict[str, Any]] = [sanitize(actor, u) for u in view.participants]
    else:
        participants = [{"id": uid} for uid in view.participant_ids]
    return {
        "id": root.id,
        "reply_count": root.reply_count,
        "last_reply_at": view.thread.last_reply_at,
        "last_viewed_at": view.membership.last_viewed,
        "participants": participants,
        "post": root.to_api(metadata=post_metadata(root, view.files, view.reactions)),
        "unread_replies": view.unread_replies,
        "unread_mentions": view.membership.unread_mentions,
        "is_following": view.membership.following,
        "is_urgent": False,
        "delete_at": root.delete_at,
    }


def check_self(actor: Actor, user_id: str) -> None:
    """A user's threads are theirs alone (not even admins read another user's reading state)."""
    if actor.user_id != user_id:
        raise forbidden()


def _event(user_id: str, team_id: str, name: str, data: dict[str, Any]) -> Event:
    return to_user(user_id, name, data, team_id=team_id)


async def _views(db: AsyncSession, user_id: str, rows: list[UserThreadRow], *, extended: bool) -> list[UserThreadView]:
    unread = await threads_store.get_unread_replies(db, user_id, {r.root.id: r.membership.last_viewed for r in rows})
    reactions = await posts_store.get_reactions_for_posts(db, [r.root.id for r in rows if r.root.has_reactions])
    files = await files_store.get_files_for_posts(db, [r.root.id for r in rows if r.root.file_ids])
    users: dict[str, User] = {}
    if extended:
        wanted = {uid for r in rows for uid in (r.thread.participants or [])}
        users = {u.id: u for u in await users_store.get_users_by_ids(db, list(wanted))}
    views = []
    for r in rows:
        ids = list(r.thread.participants or [])
        view = UserThreadView(
            r.thread, r.membership, r.root, unread.get(r.root.id, 0), ids, reactions=reactions.get(r.root.id, []), files=files.get(r.root.id, [])
        )
        if extended:
            view.participants = [users[uid] for uid in ids if uid in users]
        views.append(view)
    return views


async def _cursor(db: AsyncSession, thread_id: str, name: str) -> tuple[int, str]:
    thread = await threads_store.get_thread(db, thread_id) if is_valid_id(thread_id) else None
    if thread is None:
        raise invalid_param(name)
    return thread.last_reply_at, thread.post_id


async def get_user_threads(svc: Services, actor: Actor, user_id: str, team_id: str, query: ThreadQuery) -> ThreadList:
    """GET /users/{uid}/teams/{tid}/threads: followed threads, most recent reply first, with totals."""
    check_self(actor, user_id)
    if query.before and query.after:
        raise bad_request("api.getThreadsForUser.bad_params", "before and after cannot be used together.")
    async with svc.db.read() as db:
        await access_team(db, actor, team_id)
        totals = ThreadTotals()
        if not query.threads_only:
            totals = await threads_store.count_user_threads(db, user_id, team_id, deleted=query.deleted)
            if query.unread:
                totals.total = totals.unread_threads
        if query.totals_only:
            return ThreadList(totals, [])
        before = await _cursor(db, query.before, "before") if query.before else None
        after = await _cursor(db, query.after, "after") if query.after else None
        rows = await threads_store.get_user_threads(
            db, user_id, team_id, since=query.since, deleted=query.deleted, unread=query.unread, before=before, after=after, limit=query.limit
        )
        return ThreadList(totals, await _views(db, user_id, rows, extended=query.extended))


async def get_mention_counts(svc: Services, actor: Actor, user_id: str, team_id: str) -> dict[str, int]:
    """GET …/threads/mention_counts: unread thread mentions per channel."""
    check_self(actor, user_id)
    async with svc.db.read() as db:
        await access_team(db, actor, team_id)
        return await threads_store.get_mention_counts_by_channel(db, user_id, team_id)


async def _access_root(db: AsyncSession, actor: Actor, team_id: str, thread_id: str) -> tuple[Post, ChannelAccess]:
    """The thread's root, readable by the actor, in that team or a DM/GM; 404 otherwise."""
    await access_team(db, actor, team_id)
    post, access = await access_post(db, actor, thread_id)
    if post.root_id or access.channel.team_id not in (team_id, ""):
        raise not_found("thread")
    return post, access


async def _view(db: AsyncSession, user_id: str, root: Post, membership: ThreadMembership, *, extended: bool) -> UserThreadView:
    thread = await threads_store.get_thread(db, root.id)
    if thread is None:
        raise not_found("thread")
    return (await _views(db, user_id, [UserThreadRow(thread, membership, root)], extended=extended))[0]


async def get_user_thread(svc: Services, actor: Actor, user_id: str, team_id: str, thread_id: str, *, extended: bool = False) -> UserThreadView:
    """GET …/threads/{id}: 404 unless the user has a membership (followed, or once followed) and can read it."""
    check_self(actor, user_id)
    async with svc.db.read() as db:
        root, _ = await _access_root(db, actor, team_id, thread_id)
        membership = await threads_store.get_membership(db, root.id, user_id)
        if membership is None:
            raise not_found("thread")
        return await _view(db, user_id, root, membership, extended=extended)


def _mentions_in(user: User, channel: Channel, replies: list[Post]) -> int:
    """How many replies mention the user: any reply in a DM, @username, or @channel/@all/@here elsewhere."""
    if channel.type == "D":
        return len(replies)
    count = 0
    for reply in replies:
        words = parse_mentions(reply.message)
        if user.username in words.usernames or words.channel_wide or words.here:
            count += 1
    return count


async def _mark_read_txn(uow: UnitOfWork, actor: Actor, team_id: str, root: Post, access: ChannelAccess, timestamp: int) -> UserThreadView:
    """The user has read the thread up to `timestamp`; mentions after it stay unread."""
    db = uow.session
    assert actor.user is not None
    now = now_ms()
    membership = await threads_store.ensure_membership(db, root.id, actor.user_id, now, following=True)
    before = await _view(db, actor.user_id, root, membership, extended=False)
    previous_mentions, previous_replies = membership.unread_mentions, before.unread_replies
    later = await threads_store.get_replies_after(db, root.id, timestamp, exclude_user=actor.user_id)
    membership.last_viewed = timestamp
    membership.unread_mentions = _mentions_in(actor.user, access.channel, later)
    membership.last_updated = now
    await db.flush()
    view = await _view(db, actor.user_id, root, membership, extended=False)
    data = {
        "thread_id": root.id,
        "timestamp": timestamp,
        "unread_mentions": membership.unread_mentions,
        "unread_replies": view.unread_replies,
        "previous_unread_mentions": previous_mentions,
        "previous_unread_replies": previous_replies,
        "channel_id": root.channel_id,
    }
    uow.emit(_event(actor.user_id, team_id, "thread_read_changed", data))
    return view


async def do_read_thread(svc: Services, actor: Actor, user_id: str, team_id: str, thread_id: str, timestamp: int) -> UserThreadView:
    """PUT …/threads/{id}/read/{timestamp}."""
    check_self(actor, user_id)
    async with svc.db.write() as uow:
        root, access = await _access_root(uow.session, actor, team_id, thread_id)
        return await _mark_read_txn(uow, actor, team_id, root, access, timestamp)


async def do_set_thread_unread(svc: Services, actor: Actor, user_id: str, team_id: str, thread_id: str, post_id: str) -> UserThreadView:
    """POST …/threads/{id}/set_unread/{post_id}: read up to just before that post of the thread."""
    check_self(actor, user_id)
    async with svc.db.write() as uow:
        root, access = await _access_root(uow.session, actor, team_id, thread_id)
        post = await posts_store.get_post(uow.session, post_id)
        if post is None or post.delete_at or (post.id != root.id and post.root_id != root.id):
            raise NOT_IN_THREAD
        return await _mark_read_txn(uow, actor, team_id, root, access, post.create_at - 1)


async def do_set_following(svc: Services, actor: Actor, user_id: str, team_id: str, thread_id: str, following: bool) -> None:
    """PUT/DELETE …/threads/{id}/following. Following (again) marks the thread read, as Mattermost does."""
    check_self(actor, user_id)
    async with svc.db.write() as uow:
        db = uow.session
        root, _ = await _access_root(db, actor, team_id, thread_id)
        now = now_ms()
        membership = await threads_store.ensure_membership(db, root.id, user_id, now, following=following)
        membership.following = following
        membership.last_updated = now
        if following:
            membership.last_viewed = now
            membership.unread_mentions = 0
        uow.emit(_event(user_id, team_id, "thread_follow_changed", {"thread_id": root.id, "state": following, "reply_count": root.reply_count}))


async def do_mark_all_read(svc: Services, actor: Actor, user_id: str, team_id: str) -> None:
    """PUT …/threads/read: every followed thread of the team (and the user's DMs/GMs) read now."""
    check_self(actor, user_id)
    async with svc.db.write() as uow:
        await access_team(uow.session, actor, team_id)
        now = now_ms()
        await threads_store.mark_all_read(uow.session, user_id, team_id, now)
        uow.emit(_event(user_id, team_id, "thread_read_changed", {"timestamp": now}))


async def notify_thread_updated(uow: UnitOfWork, channel: Channel, root: Post, thread: Thread, reply: Post, mentioned: Sequence[str]) -> None:
    """After a reply: `thread_updated` to each follower who is a member of the channel, except the replier,
    with the thread as GET …/threads/{id} shows it to them and their unread counts before this reply."""
    db = uow.session
    memberships = await threads_store.get_member_followers(db, root.id, channel.id, exclude=reply.user_id)
    if not memberships:
        return
    await db.refresh(root)  # the reply's counters were written with UPDATE statements
    unread = await threads_store.get_unread_replies_by_user(db, root.id, [m.user_id for m in memberships])
    reactions = (await posts_store.get_reactions_for_posts(db, [root.id])).get(root.id, []) if root.has_reactions else []
    files = (await files_store.get_files_for_posts(db, [root.id])).get(root.id, []) if root.file_ids else []
    for membership in memberships:
        uid = membership.user_id
        view = UserThreadView(thread, membership, root, unread.get(uid, 0), list(thread.participants or []), reactions=reactions, files=files)
        counted = reply.create_at > membership.last_viewed
        data = {
            "thread": json.dumps(user_thread(Actor(None), view)),
            "previous_unread_replies": max(view.unread_replies - 1, 0) if counted else view.unread_replies,
            "previous_unread_mentions": max(membership.unread_mentions - 1, 0) if uid in mentioned else membership.unread_mentions,
        }
        uow.emit(_event(uid, channel.team_id, "thread_updated", data))
