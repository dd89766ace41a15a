"""Posting, editing, deleting and pinning, with the counters and events each one implies.

A post is a handful of statements: the insert, the channel's counters, the sender's read state, the
mentioned members' counters and, for replies, the thread rows. Unread counts are derived (see
docs/architecture.md), never written to every member.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import IntegrityError

from kafana.access import ChannelAccess, access_channel, access_post, channel_permissions
from kafana.actions import webhooks
from kafana.actions.context import Services
from kafana.actions.email_queue import queue_post_emails_txn
from kafana.actions.link_previews import schedule_preview
from kafana.actions.notifications import notify_post_txn
from kafana.actions.threads import notify_thread_updated
from kafana.db import UnitOfWork
from kafana.events import Event, to_channel, to_user
from kafana.lib.clock import now_ms
from kafana.lib.errors import AppError, bad_request, forbidden, invalid_param, not_found
from kafana.lib.ids import is_valid_id, new_id
from kafana.lib.mentions import parse_hashtags
from kafana.lib.validation import POST_MESSAGE_MAX_RUNES, POST_PROPS_MAX_BYTES, clean_text
from kafana.links.opengraph import first_link
from kafana.models import Channel, Emoji, FileInfo, Post, User
from kafana.models.actor import Actor
from kafana.models.posts import emoji_names, post_metadata
from kafana.store import channels as channels_store
from kafana.store import emoji as emoji_store
from kafana.store import files as files_store
from kafana.store import posts as posts_store
from kafana.store import search as search_store

# Props only the server (webhooks, bots, imports) may set; clients' values are dropped (A14).
PROTECTED_PROPS = frozenset(
    {
        "from_bot",
        "from_webhook",
        "from_bridge",
        "remote_network",
        "override_username",
        "override_icon_url",
        "override_icon_emoji",
        "from_plugin",
        "from_oauth_app",
    }
)
MAX_FILES_PER_POST = 10
ARCHIVED = AppError(403, "api.post.create_post.can_not_post_to_deleted.error", "Can not post to a deleted channel.")


@dataclass(slots=True)
class PostDraft:
    channel_id: str
    message: str = ""
    root_id: str = ""
    props: dict[str, Any] = field(default_factory=dict)
    file_ids: list[str] = field(default_factory=list)
    pending_post_id: str = ""
    create_at: int = 0
    type: str = ""  # set by the server only ("me", "slack_attachment"); clients cannot choose one
    # Props the server itself sets (a bridge's remote author, a webhook's marks), kept whatever the actor;
    # `props` are the client's. An `integration` (webhook, slash command) may post in a public channel of
    # its author's team without joining it (create_post_public).
    server_props: dict[str, Any] = field(default_factory=dict)
    integration: bool = False


def check_message(message: str) -> str:
    message = clean_text(message)
    if len(message) > POST_MESSAGE_MAX_RUNES:
        raise bad_request("model.post.is_valid.msg.app_error", f"Message is longer than {POST_MESSAGE_MAX_RUNES} characters.")
    return message


def check_props(actor: Actor, props: dict[str, Any]) -> dict[str, Any]:
    if not actor.is_system:
        props = {k: v for k, v in props.items() if k not in PROTECTED_PROPS}
    if len(json.dumps(props)) > POST_PROPS_MAX_BYTES:
        raise bad_request("model.post.is_valid.props.app_error", "Post props are too large.")
    return props


async def do_create_post(svc: Services, actor: Actor, draft: PostDraft) -> tuple[Post, bool]:
    """Create a post, or return the one already made with the same pending_post_id (second value False)."""
    try:
        async with svc.db.write() as uow:
            post, created = await create_post_txn(uow, svc, actor, draft)
        if created:
            schedule_preview(svc, post)
        return post, created
    except IntegrityError:
        # A concurrent retry won the unique (user_id, pending_post_id) race on PostgreSQL: answer with its post.
        if draft.pending_post_id:
            async with svc.db.read() as db:
                existing = await posts_store.get_post_by_pending_id(db, actor.user_id, draft.pending_post_id)
            if existing is not None:
                return existing, False
        raise


async def create_post_txn(uow: UnitOfWork, svc: Services, actor: Actor, draft: PostDraft) -> tuple[Post, bool]:
    db = uow.session
    if draft.pending_post_id:
        existing = await posts_store.get_post_by_pending_id(db, actor.user_id, draft.pending_post_id)
        if existing is not None:
            return existing, False
    message = check_message(draft.message)
    props = {**check_props(actor, draft.props), **draft.server_props}
    access = await access_channel(db, actor, draft.channel_id)
    channel = access.channel
    permissions = channel_permissions(actor, access)
    as_member = "create_post" in permissions and (access.member is not None or actor.is_admin)
    as_integration = draft.integration and channel.type == "O" and "create_post_public" in permissions
    if not (as_member or as_integration):
        raise forbidden()
    if channel.delete_at:
        raise ARCHIVED
    root: Post | None = None
    if draft.root_id:
        root = await posts_store.get_post(db, draft.root_id) if is_valid_id(draft.root_id) else None
        if root is None or root.channel_id != channel.id or root.delete_at or root.root_id:
            raise bad_request("api.post.create_post.root_id.app_error", "Invalid root_id parameter.")
    now = now_ms()
    create_at = draft.create_at if (draft.create_at and actor.is_admin) else now
    post = new_post(
        channel.id,
        actor.user_id,
        message,
        create_at,
        root_id=root.id if root else "",
        post_type=draft.type,
        props=props,
        pending_post_id=draft.pending_post_id or None,
    )
    files = await attach_files(db, actor, post, draft.file_ids)
    if not message.strip() and not files and not props.get("attachments"):
        raise bad_request("api.post.create_post.message_empty.app_error", "A post needs a message or files.")
    db.add(post)
    await db.flush()
    await search_store.index_post(db, post)
    await search_store.index_files(db, post, files)
    await posts_store.bump_channel_counters(db, channel.id, create_at, is_root=root is None)
    if access.member is not None:
        await channels_store.set_caught_up(db, actor.user_id, [channel.id], max(create_at, now))
    if root is not None:
        post.reply_count = root.reply_count + 1
        await posts_store.add_reply_to_root(db, root.id, create_at)
        thread = await posts_store.upsert_thread(db, root, actor.user_id, create_at)
        # The root's author and the replier follow the thread before notifications are worked out, as in Mattermost.
        await posts_store.follow_thread(db, root.id, [root.user_id, actor.user_id], create_at, viewed_by=actor.user_id)
    notes = await notify_post_txn(uow, svc, channel, post, root, actor.user, channel_mentions="use_channel_mentions" in permissions)
    mentioned = notes.plan.mentioned
    await queue_post_emails_txn(uow, svc, post, notes.plan.email_user_ids)
    if root is not None and mentioned:
        await posts_store.follow_thread(db, root.id, mentioned, create_at)
        await posts_store.bump_thread_mentions(db, root.id, mentioned)
    uow.emit(_posted_event(channel, post, actor.user, mentioned, files, followers=notes.plan.followers))
    uow.on_commit(lambda: webhooks.schedule_outgoing(svc, channel, post, actor.user))
    if notes.not_in_channel:
        uow.emit(_not_in_channel_notice(post, notes.not_in_channel))
    if root is not None:
        await notify_thread_updated(uow, channel, root, thread, post, mentioned)
    return post, True


def _posted_event(
    channel: Channel, post: Post, sender: User | None, mentioned: list[str], files: Sequence[FileInfo] = (), *, followers: Sequence[str] = ()
) -> Any:
    data: dict[str, Any] = {
        "post": json.dumps(post.to_api(metadata=post_metadata(post, files))),
        "channel_display_name": channel.display_name,
        "channel_name": channel.name,
        "channel_type": channel.type,
        "sender_name": "@" + sender.username if sender else "System",
        "team_id": channel.team_id,
        "set_online": True,
    }
    if mentioned:
        data["mentions"] = json.dumps(mentioned)
    if followers:
        data["followers"] = json.dumps(list(followers))
    if files:
        data["otherFile" if any(not f.mime_type.startswith("image/") for f in files) else "image"] = "true"
    return to_channel(channel.id, "posted", data)


def _not_in_channel_notice(post: Post, users: Sequence[User]) -> Event:
    """Mattermost's ephemeral `system_ephemeral_add_to_channel` post, to the poster only: the people they named
    are not in the channel, so were not notified; clients offer to add them."""
    names = [u.username for u in users]
    who = f"@{names[0]}" if len(names) == 1 else ", ".join(f"@{n}" for n in names[:-1]) + f" and @{names[-1]}"
    message = f"{who} did not get notified by this mention because they are not in the channel. Would you like to add them to it? They will have access to all message history."
    props = {
        "add_channel_member": {
            "post_id": post.id,
            "usernames": names,
            "not_in_channel_usernames": names,
            "user_ids": [u.id for u in users],
            "not_in_channel_user_ids": [u.id for u in users],
            "not_in_groups_usernames": [],
            "not_in_groups_user_ids": [],
        }
    }
    return ephemeral_event(
        post.user_id, post.channel_id, message, at=post.create_at + 1, root_id=post.root_id, post_type="system_ephemeral_add_to_channel", props=props
    )


def ephemeral_event(
    user_id: str,
    channel_id: str,
    message: str,
    *,
    sender: str = "",
    at: int = 0,
    root_id: str = "",
    post_type: str = "",
    props: dict[str, Any] | None = None,
) -> Event:
    """Mattermost's `ephemeral_message`: a post shown to one user only and stored nowhere (written by
    `sender`, else by the user themself: their command's answer, a notice about their post)."""
    post = new_post(channel_id, sender or user_id, message, at or now_ms(), root_id=root_id, post_type=post_type or "system_ephemeral", props=props or {})
    return to_user(user_id, "ephemeral_message", {"post": json.dumps(post.to_api())})


async def attach_files(db: Any, actor: Actor, post: Post, file_ids: Sequence[str]) -> list[FileInfo]:
    """Attach the files the author uploaded to this channel and no post holds yet; others are left out, as
    Mattermost does. Sets the post's file_ids."""
    files = await files_store.attachable(db, file_ids[:MAX_FILES_PER_POST], actor.user_id, post.channel_id) if file_ids else []
    for info in files:
        info.post_id = post.id
        info.update_at = post.update_at
    post.file_ids = [f.id for f in files]
    return files


def new_post(
    channel_id: str, user_id: str, message: str, at: int, *, root_id: str = "", post_type: str = "", props: dict[str, Any], pending_post_id: str | None = None
) -> Post:
    return Post(
        id=new_id(), create_at=at, update_at=at, edit_at=0, delete_at=0, is_pinned=False, user_id=user_id, channel_id=channel_id,
        root_id=root_id, original_id="", message=message, type=post_type, props=props, hashtags=parse_hashtags(message), file_ids=[],
        pending_post_id=pending_post_id, reply_count=0, last_reply_at=0, has_reactions=False,
    )  # fmt: skip


async def create_system_post_txn(uow: UnitOfWork, channel: Channel, user_id: str, post_type: str, message: str, props: dict[str, Any] | None = None) -> Post:
    """A `system_*` post (joins, leaves, header changes) written inside the caller's transaction."""
    now = now_ms()
    post = new_post(channel.id, user_id, message, now, post_type=post_type, props=props or {})
    uow.session.add(post)
    await uow.session.flush()
    await posts_store.bump_channel_counters(uow.session, channel.id, now, is_root=True)
    await channels_store.set_caught_up(uow.session, user_id, [channel.id], now)  # one's own notice is read
    uow.emit(_posted_event(channel, post, None, []))
    return post


# Reading -----------------------------------------------------------------------------------------------


@dataclass(slots=True)
class PostPage:
    posts: list[Any]  # Post objects or rows of the posts table (same attribute names)
    order: list[str]
    next_post_id: str = ""
    prev_post_id: str = ""
    has_next: bool | None = None
    reactions: dict[str, list[Any]] = field(default_factory=dict)
    files: dict[str, list[FileInfo]] = field(default_factory=dict)
    emojis: dict[str, Emoji] = field(default_factory=dict)

    def metadata(self, post: Any) -> dict[str, Any]:
        reactions = self.reactions.get(post.id, ())
        used = [self.emojis[n] for n in sorted(emoji_names(post, reactions)) if n in self.emojis] if self.emojis else []
        return post_metadata(post, self.files.get(post.id, ()), reactions, used)


async def with_metadata(db: Any, page: PostPage) -> PostPage:
    """Fill in what the posts' metadata needs: reactions, files and custom emoji (one query each, and only
    when some post on the page has any)."""
    page.reactions = await posts_store.get_reactions_for_posts(db, [p.id for p in page.posts if p.has_reactions])
    page.files = await files_store.get_files_for_posts(db, [p.id for p in page.posts if p.file_ids])
    names = set().union(*(emoji_names(p, page.reactions.get(p.id, ())) for p in page.posts)) if page.posts else set()
    page.emojis = {e.name: e for e in await emoji_store.get_emoji_by_names(db, sorted(names)[:500])}
    return page


async def _with_roots(db: Any, posts: list[Post]) -> list[Post]:
    """Add the root of every reply on the page, so clients can show what a reply answers."""
    have = {p.id for p in posts}
    missing = {p.root_id for p in posts if p.root_id and p.root_id not in have}
    roots = await posts_store.get_posts_by_ids(db, list(missing))
    return posts + [r for r in roots if r.delete_at == 0]


async def get_channel_posts(
    svc: Services, actor: Actor, channel_id: str, *, offset: int, limit: int, since: int = 0, before: str = "", after: str = "", roots_only: bool = False
) -> PostPage:
    async with svc.db.read() as db:
        await access_channel(db, actor, channel_id)
        if since:
            posts = await posts_store.get_posts_since(db, channel_id, since)
            return await with_metadata(db, PostPage(await _with_roots(db, posts), [p.id for p in posts]))
        anchor_id = before or after
        if anchor_id:
            anchor = await posts_store.get_post(db, anchor_id) if is_valid_id(anchor_id) else None
            if anchor is None or anchor.channel_id != channel_id:
                raise invalid_param("before" if before else "after")
            if before:
                rows = await posts_store.get_posts_before(db, channel_id, anchor.create_at, anchor.id, offset, limit, roots_only=roots_only)
                page_posts, more = rows[:limit], len(rows) > limit
                page = PostPage(
                    page_posts, [p.id for p in page_posts], next_post_id=anchor.id if offset == 0 else "", prev_post_id=rows[limit].id if more else ""
                )
                if offset and page_posts:
                    newer = await posts_store.get_posts_after(db, channel_id, page_posts[0].create_at, page_posts[0].id, 0, 0, roots_only=roots_only)
                    page.next_post_id = newer[0].id if newer else ""
            else:
                rows = await posts_store.get_posts_after(db, channel_id, anchor.create_at, anchor.id, offset, limit, roots_only=roots_only)
                page_posts, more = rows[:limit], len(rows) > limit
                page_posts.reverse()
                page = PostPage(
                    page_posts, [p.id for p in page_posts], next_post_id=rows[limit].id if more else "", prev_post_id=anchor.id if offset == 0 else ""
                )
                if offset and page_posts:
                    older = await posts_store.get_posts_before(db, channel_id, page_posts[-1].create_at, page_posts[-1].id, 0, 0, roots_only=roots_only)
                    page.prev_post_id = older[0].id if older else ""
        else:
            rows = await posts_store.get_channel_page(db, channel_id, offset, limit, roots_only=roots_only)
            page_posts = rows[:limit]
            page = PostPage(page_posts, [p.id for p in page_posts], prev_post_id=rows[limit].id if len(rows) > limit else "")
            if offset and page_posts:
                newer = await posts_store.get_posts_after(db, channel_id, page_posts[0].create_at, page_posts[0].id, 0, 0, roots_only=roots_only)
                page.next_post_id = newer[0].id if newer else ""
        page.posts = await _with_roots(db, page.posts)
        return await with_metadata(db, page)


async def get_post(svc: Services, actor: Actor, post_id: str) -> PostPage:
    async with svc.db.read() as db:
        post, _ = await access_post(db, actor, post_id)
        return await with_metadata(db, PostPage([post], [post.id]))


async def get_posts_by_ids(svc: Services, actor: Actor, ids: list[str]) -> list[Post]:
    """Only the posts the actor may read; the rest are left out silently."""
    out: list[Post] = []
    async with svc.db.read() as db:
        readable: dict[str, bool] = {}
        for post in await posts_store.get_posts_by_ids(db, ids):
            if post.delete_at:
                continue
            if post.channel_id not in readable:
                try:
                    await access_channel(db, actor, post.channel_id)
                    readable[post.channel_id] = True
                except AppError:
                    readable[post.channel_id] = False
            if readable[post.channel_id]:
                out.append(post)
    return out


async def get_thread(svc: Services, actor: Actor, post_id: str, *, per_page: int = 0, from_post: str = "", direction: str = "down") -> PostPage:
    """The root and its replies. With per_page, replies are paged from `from_post` in `direction`."""
    async with svc.db.read() as db:
        post, _ = await access_post(db, actor, post_id)
        root_id = post.root_id or post.id
        posts = await posts_store.get_thread_posts(db, root_id)
        if not posts or posts[0].id != root_id:
            raise not_found("post")
        root, replies = posts[0], posts[1:]
        has_next: bool | None = None
        if per_page > 0:
            if direction == "up":
                replies.reverse()
            if from_post:
                ids = [r.id for r in replies]
                replies = replies[ids.index(from_post) + 1 :] if from_post in ids else []
            has_next = len(replies) > per_page
            replies = replies[:per_page]
        ordered = sorted([root, *replies], key=lambda p: (p.create_at, p.id), reverse=True)
        page = PostPage(ordered, [p.id for p in ordered], has_next=has_next)
        return await with_metadata(db, page)


async def get_posts_around_unread(svc: Services, actor: Actor, user_id: str, channel_id: str, limit_before: int, limit_after: int) -> PostPage:
    """GET …/posts/unread: the posts just before and after the member's last view."""
    if actor.user_id != user_id and not actor.is_admin:
        raise forbidden()
    async with svc.db.read() as db:
        access = await access_channel(db, actor, channel_id)
        last_viewed = access.member.last_viewed_at if access.member else 0
        older = await posts_store.get_posts_before(db, channel_id, last_viewed + 1, "", 0, limit_before)
        newer = await posts_store.get_posts_after(db, channel_id, last_viewed, "~", 0, limit_after)
        older_page, newer_page = older[:limit_before], newer[:limit_after]
        newer_page.reverse()
        posts = newer_page + older_page
        page = PostPage(posts, [p.id for p in posts])
        page.prev_post_id = older[limit_before].id if len(older) > limit_before else ""
        page.next_post_id = newer[limit_after].id if len(newer) > limit_after else ""
        page.posts = await _with_roots(db, posts)
        return await with_metadata(db, page)


async def get_pinned_posts(svc: Services, actor: Actor, channel_id: str) -> PostPage:
    async with svc.db.read() as db:
        await access_channel(db, actor, channel_id)
        posts = await posts_store.get_pinned_posts(db, channel_id)
        return await with_metadata(db, PostPage(posts, [p.id for p in posts]))


# Changing ----------------------------------------------------------------------------------------------


def _check_can_change(actor: Actor, access: ChannelAccess, post: Post, own: str, others: str) -> None:
    perms = channel_permissions(actor, access)
    if post.user_id == actor.user_id:
        if own not in perms:
            raise forbidden()
    elif others not in perms:
        raise forbidden()
    if access.channel.delete_at:
        raise ARCHIVED


async def do_patch_post(svc: Services, actor: Actor, post_id: str, patch: dict[str, Any], *, replace: bool = False) -> Post:
    """PUT /posts/{id}/patch (and PUT /posts/{id} with replace=True). Only message, props and pinning change."""
    async with svc.db.write() as uow:
        post, access = await access_post(uow.session, actor, post_id)
        if post.type.startswith("system_"):
            raise forbidden()
        _check_can_change(actor, access, post, "edit_post", "edit_others_posts")
        now = now_ms()
        if "message" in patch or replace:
            message = check_message(str(patch.get("message") or ""))
            if message != post.message:
                if first_link(message) != first_link(post.message):
                    post.embeds = None
                    uow.on_commit(lambda: schedule_preview(svc, post))
                post.message = message
                post.hashtags = parse_hashtags(message)
                post.edit_at = now
                await search_store.reindex_post(uow.session, post)
        if "props" in patch or replace:
            props = patch.get("props") or {}
            if not isinstance(props, dict):
                raise invalid_param("props")
            kept = {k: v for k, v in (post.props or {}).items() if k in PROTECTED_PROPS}
            post.props = {**check_props(actor, props), **kept}
        if "is_pinned" in patch and isinstance(patch["is_pinned"], bool):
            post.is_pinned = patch["is_pinned"]
        post.update_at = now
        if isinstance(patch.get("file_ids"), list):
            await _change_files(uow.session, post, [str(i) for i in patch["file_ids"]], now)
            await uow.session.flush()  # the session does not autoflush: the read below must see the change
        files = (await files_store.get_files_for_posts(uow.session, [post.id])).get(post.id, []) if post.file_ids else []
        uow.emit(to_channel(post.channel_id, "post_edited", {"post": json.dumps(post.to_api(metadata=post_metadata(post, files)))}))
    return post


async def _change_files(db: Any, post: Post, wanted: list[str], now: int) -> None:
    """An edit's new attachment list: files left out are deleted, new ones must be the author's own uploads
    to this channel that no post holds yet (the others are ignored)."""
    wanted = list(dict.fromkeys(wanted))[:MAX_FILES_PER_POST]
    before = list(post.file_ids or [])
    current = set(before)
    removed = [info for info in await files_store.get_files_by_ids(db, [i for i in current if i not in wanted]) if info.post_id == post.id]
    for info in removed:
        info.delete_at = info.update_at = now
    await search_store.unindex_files(db, [info.id for info in removed])
    added = {f.id: f for f in await files_store.attachable(db, [i for i in wanted if i not in current], post.user_id, post.channel_id)}
    for info in added.values():
        info.post_id = post.id
        info.update_at = now
    await search_store.index_files(db, post, list(added.values()))
    post.file_ids = [i for i in wanted if i in current or i in added]
    if post.file_ids != before:
        post.edit_at = now


async def do_set_pinned(svc: Services, actor: Actor, post_id: str, pinned: bool) -> Post:
    async with svc.db.write() as uow:
        post, access = await access_post(uow.session, actor, post_id)
        if access.member is None and not actor.is_admin:
            raise forbidden()
        if access.channel.delete_at:
            raise ARCHIVED
        if post.is_pinned != pinned:
            post.is_pinned = pinned
            post.update_at = now_ms()
            uow.emit(to_channel(post.channel_id, "post_edited", {"post": json.dumps(post.to_api())}))
    return post


async def do_delete_post(svc: Services, actor: Actor, post_id: str) -> Post:
    """Soft delete (delete_at); deleting a root removes its replies too, as Mattermost does."""
    async with svc.db.write() as uow:
        post, access = await access_post(uow.session, actor, post_id)
        _check_can_change(actor, access, post, "delete_post", "delete_others_posts")
        await delete_post_txn(uow, post, actor.user_id)
    return post


async def delete_post_txn(uow: UnitOfWork, post: Post, deleted_by: str) -> None:
    """The delete itself, for callers that authorized it their own way (moderators)."""
    db = uow.session
    now = now_ms()
    post.delete_at = post.update_at = now
    await search_store.unindex_posts(db, [post.id])
    if post.root_id:
        root = await posts_store.get_post(db, post.root_id)
        if root is not None and root.reply_count > 0:
            root.reply_count -= 1
            root.update_at = now
            await posts_store.remove_reply_from_thread(db, root.id, post.id)
    else:
        await search_store.unindex_replies(db, post.id)
        await posts_store.delete_replies(db, post.id, now)
    await files_store.hide_files_of_posts(db, post.id, now)
    uow.emit(to_channel(post.channel_id, "post_deleted", {"post": json.dumps(post.to_api()), "delete_by": deleted_by}))
