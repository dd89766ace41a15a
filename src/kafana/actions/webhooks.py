"""Incoming and outgoing webhooks (Mattermost's /hooks).

An incoming webhook posts what an outside service sends to `POST /hooks/{id}` as its creator, marked
`from_webhook`. An outgoing webhook sends the posts of a team's public channels that start with a trigger
word to its callback URLs, after the post commits and in the background, and posts their answers back.
Who may manage them follows Mattermost's team permissions (manage_[others_]incoming/outgoing_webhooks).
"""

from __future__ import annotations

import logging
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from kafana.access import access_channel, access_team, channel_permissions, has_system_permission, team_permissions
from kafana.actions import channels, integrations, posts
from kafana.actions.context import Actor, Services
from kafana.actions.link_previews import schedule_preview
from kafana.lib.clock import now_ms
from kafana.lib.errors import AppError, bad_request, forbidden, not_found
from kafana.lib.ids import is_valid_id, new_id
from kafana.lib.validation import check_length, clean_text
from kafana.links import safe_http
from kafana.models import Channel, IncomingWebhook, OutgoingWebhook, Post, User
from kafana.models.integrations import FORM
from kafana.store import channels as channels_store
from kafana.store import integrations as store
from kafana.store import teams as teams_store
from kafana.store import users as users_store

log = logging.getLogger(__name__)
Hook = TypeVar("Hook", IncomingWebhook, OutgoingWebhook)
CONTENT_TYPES = (FORM, "application/json")

INVALID_HOOK = AppError(400, "web.incoming_webhook.invalid.app_error", "Invalid webhook.")
NO_TEXT = AppError(400, "web.incoming_webhook.text.app_error", "No text specified.")
NO_CHANNEL = AppError(404, "web.incoming_webhook.channel.app_error", "Couldn't find the channel.")
CHANNEL_LOCKED = AppError(403, "web.incoming_webhook.channel_locked.app_error", "This webhook is not permitted to post to the requested channel.")
NO_USER = AppError(404, "web.incoming_webhook.user.app_error", "Couldn't find the user.")
PARSE_ERROR = AppError(400, "web.incoming_webhook.parse.app_error", "Unable to parse incoming data.")


def _check_enabled(enabled: bool, kind: str) -> None:
    if not enabled:
        raise AppError(501, f"api.{kind}_webhook.disabled.app_error", f"{kind.title()} webhooks have been disabled by the system admin.")


def _text(data: dict[str, Any], key: str, limit: int, entity: str) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        raise bad_request(f"model.{entity}.is_valid.{key}.app_error", f"Invalid {key}.")
    return check_length(key, clean_text(value), limit, entity=entity)


async def _managed(db: AsyncSession, actor: Actor, kind: type[Hook], hook_id: str) -> Hook:
    """A live hook the actor may manage: its own with manage_*_webhooks in its team, anyone's with
    manage_others_*; anything else is the same 404 as no hook."""
    hook = await store.get_live(db, kind, hook_id) if is_valid_id(hook_id) else None
    if hook is None:
        raise not_found("webhook")
    what = "incoming" if kind is IncomingWebhook else "outgoing"
    owner = hook.user_id if isinstance(hook, IncomingWebhook) else hook.creator_id
    try:
        perms = team_permissions(actor, (await access_team(db, actor, hook.team_id)).member)
    except AppError:
        raise not_found("webhook") from None
    if f"manage_{what}_webhooks" not in perms or (owner != actor.user_id and f"manage_others_{what}_webhooks" not in perms):
        raise not_found("webhook")
    return hook


async def _list(svc: Services, actor: Actor, kind: type[Hook], *, team_id: str, channel_id: str = "", offset: int, limit: int) -> list[Hook]:
    """A team's hooks (everyone's for those who manage others', else one's own), or across teams for admins."""
    what = "incoming" if kind is IncomingWebhook else "outgoing"
    async with svc.db.read() as db:
        if team_id:
            perms = team_permissions(actor, (await access_team(db, actor, team_id)).member)
        else:
            perms = frozenset() if not has_system_permission(actor, f"manage_others_{what}_webhooks") else frozenset({f"manage_others_{what}_webhooks"})
        if team_id and f"manage_{what}_webhooks" not in perms:
            raise forbidden()
        creator = "" if f"manage_others_{what}_webhooks" in perms else actor.user_id
        return await store.list_live(db, kind, team_id=team_id, channel_id=channel_id, creator_id=creator, offset=offset, limit=limit)


# Incoming ----------------------------------------------------------------------------------------------


async def _incoming_channel(db: AsyncSession, actor: Actor, channel_id: str) -> Channel:
    """A team channel the actor can read and manage incoming webhooks in."""
    if not is_valid_id(channel_id):
        raise bad_request("model.incoming_hook.channel_id.app_error", "Invalid channel id.")
    access = await access_channel(db, actor, channel_id)
    if not access.channel.team_id or (access.channel.type == "P" and access.member is None and not actor.is_admin):
        raise not_found("channel")
    if "manage_incoming_webhooks" not in channel_permissions(actor, access):
        raise forbidden()
    return access.channel


async def do_create_incoming(svc: Services, actor: Actor, data: dict[str, Any]) -> IncomingWebhook:
    _check_enabled(svc.settings.enable_incoming_webhooks, "incoming")
    now = now_ms()
    async with svc.db.write() as uow:
        channel = await _incoming_channel(uow.session, actor, str(data.get("channel_id") or ""))
        user_id = str(data.get("user_id") or actor.user_id)
        if user_id != actor.user_id:
            # Admins may create hooks that post as someone else (Mattermost's user_id field).
            team_member = await teams_store.get_team_member(uow.session, channel.team_id, actor.user_id)
            if "manage_others_incoming_webhooks" not in team_permissions(actor, team_member if team_member and not team_member.delete_at else None):
                raise forbidden()
            owner = await users_store.get_user(uow.session, user_id) if is_valid_id(user_id) else None
            if owner is None or owner.delete_at:
                raise not_found("user")
        hook = IncomingWebhook(id=new_id(), create_at=now, update_at=now, delete_at=0, user_id=user_id, channel_id=channel.id, team_id=channel.team_id)
        _apply_incoming(hook, data)
        uow.session.add(hook)
    return hook


def _apply_incoming(hook: IncomingWebhook, data: dict[str, Any]) -> None:
    for key, limit in (("display_name", 64), ("description", 500), ("username", 255), ("icon_url", 1024)):
        if key in data:
            setattr(hook, key, _text(data, key, limit, "incoming_hook"))
    if isinstance(data.get("channel_locked"), bool):
        hook.channel_locked = data["channel_locked"]


async def list_incoming(svc: Services, actor: Actor, *, team_id: str, offset: int, limit: int) -> list[IncomingWebhook]:
    _check_enabled(svc.settings.enable_incoming_webhooks, "incoming")
    return await _list(svc, actor, IncomingWebhook, team_id=team_id, offset=offset, limit=limit)


async def get_incoming(svc: Services, actor: Actor, hook_id: str) -> IncomingWebhook:
    _check_enabled(svc.settings.enable_incoming_webhooks, "incoming")
    async with svc.db.read() as db:
        return await _managed(db, actor, IncomingWebhook, hook_id)


async def do_update_incoming(svc: Services, actor: Actor, hook_id: str, data: dict[str, Any]) -> IncomingWebhook:
    """PUT /hooks/incoming/{id}: the texts, the lock and (to another channel of the same team) the channel."""
    _check_enabled(svc.settings.enable_incoming_webhooks, "incoming")
    async with svc.db.write() as uow:
        hook = await _managed(uow.session, actor, IncomingWebhook, hook_id)
        channel_id = data.get("channel_id")
        if isinstance(channel_id, str) and channel_id and channel_id != hook.channel_id:
            channel = await _incoming_channel(uow.session, actor, channel_id)
            if channel.team_id != hook.team_id:
                raise bad_request("api.webhook.team_mismatch.app_error", "Unable to update a webhook across teams.")
            hook.channel_id = channel.id
        _apply_incoming(hook, data)
        hook.update_at = now_ms()
    return hook


async def do_delete_incoming(svc: Services, actor: Actor, hook_id: str) -> None:
    _check_enabled(svc.settings.enable_incoming_webhooks, "incoming")
    async with svc.db.write() as uow:
        hook = await _managed(uow.session, actor, IncomingWebhook, hook_id)
        hook.delete_at = hook.update_at = now_ms()


def check_payload(payload: Any) -> integrations.Reply:
    """Mattermost's IncomingWebhookRequest: wrong types are a parse error, nothing to show a text error."""
    if not isinstance(payload, dict):
        raise PARSE_ERROR
    for key in ("text", "channel", "username", "icon_url", "type", "icon_emoji"):
        if payload.get(key) is not None and not isinstance(payload[key], str):
            raise PARSE_ERROR
    for key, kind in (("props", dict), ("attachments", list)):
        if payload.get(key) is not None and not isinstance(payload[key], kind):
            raise PARSE_ERROR
    reply = integrations.parse_reply(payload)
    if not reply.text.strip() and not reply.attachments:
        raise NO_TEXT
    return reply


async def do_run_incoming(svc: Services, hook_id: str, payload: Any) -> Post:
    """POST /hooks/{id}: post the payload as the hook's creator, in its channel or (unless locked) the
    `channel` it names (`name`, `~name` or `@username` for a direct message)."""
    _check_enabled(svc.settings.enable_incoming_webhooks, "incoming")
    reply = check_payload(payload)
    target = str(payload.get("channel") or "").strip()
    async with svc.db.write() as uow:
        db = uow.session
        hook = await store.get_live(db, IncomingWebhook, hook_id) if is_valid_id(hook_id) else None
        creator = await users_store.get_user(db, hook.user_id) if hook is not None else None
        if hook is None or creator is None or creator.delete_at:
            raise INVALID_HOOK
        channel_id = await _target_channel(uow, hook, creator, target) if target else hook.channel_id
        draft = integrations.reply_draft(svc, reply, channel_id, username=hook.username, icon_url=hook.icon_url)
        post, _ = await posts.create_post_txn(uow, svc, Actor(creator), draft)
    schedule_preview(svc, post)
    return post


async def _target_channel(uow: Any, hook: IncomingWebhook, creator: User, target: str) -> str:
    db = uow.session
    if target.startswith("@"):
        user = await users_store.get_user_by_username(db, target[1:].lower())
        if user is None or user.delete_at:
            raise NO_USER
        if hook.channel_locked:
            raise CHANNEL_LOCKED
        return (await channels.direct_channel_txn(uow, creator, user)).id
    channel = await channels_store.get_channel_by_name(db, hook.team_id, target.lstrip("~#").lower())
    if channel is None or channel.delete_at:
        raise NO_CHANNEL
    if hook.channel_locked and channel.id != hook.channel_id:
        raise CHANNEL_LOCKED
    return channel.id


# Outgoing ----------------------------------------------------------------------------------------------


async def _check_outgoing(svc: Services, db: AsyncSession, actor: Actor, hook: OutgoingWebhook, data: dict[str, Any]) -> None:
    """Apply and check an outgoing webhook's fields (create and update)."""
    for key, limit in (("display_name", 64), ("description", 500), ("username", 255), ("icon_url", 1024)):
        if key in data:
            setattr(hook, key, _text(data, key, limit, "outgoing_hook"))
    if "content_type" in data:
        content_type = data["content_type"] or FORM
        if content_type not in CONTENT_TYPES:
            raise bad_request("model.outgoing_hook.is_valid.content_type.app_error", "Invalid content_type.")
        hook.content_type = content_type
    if "trigger_when" in data:
        if data["trigger_when"] not in (0, 1):
            raise bad_request("model.outgoing_hook.is_valid.trigger_when.app_error", "Invalid trigger_when.")
        hook.trigger_when = data["trigger_when"]
    if "trigger_words" in data:
        words = data["trigger_words"] or []
        if not isinstance(words, list) or not all(isinstance(w, str) for w in words) or len(words) > 50:
            raise bad_request("model.outgoing_hook.is_valid.words.app_error", "Invalid trigger words.")
        hook.trigger_words = list(dict.fromkeys(w.strip() for w in words if w.strip()))
    if "callback_urls" in data:
        urls = data["callback_urls"]
        if not isinstance(urls, list) or not urls or len(urls) > 10 or not all(isinstance(u, str) and u.strip() for u in urls):
            raise bad_request("model.outgoing_hook.is_valid.callback.app_error", "Invalid callback urls.")
        hook.callback_urls = [await integrations.check_callback_url(svc, u.strip()) for u in urls]
    if "channel_id" in data and data["channel_id"] != hook.channel_id:
        channel_id = data["channel_id"] or ""
        if channel_id:
            access = await access_channel(db, actor, str(channel_id))
            if access.channel.team_id != hook.team_id:
                raise bad_request("api.webhook.create_outgoing.intersect.app_error", "The channel is not in the webhook's team.")
            if access.channel.type != "O":
                raise forbidden("Outgoing webhooks can only be created for public channels.")
        hook.channel_id = channel_id
    if not hook.trigger_words and not hook.channel_id:
        raise bad_request("api.webhook.create_outgoing.triggers.app_error", "Either trigger_words or channel_id must be set.")
    if not hook.callback_urls:
        raise bad_request("model.outgoing_hook.is_valid.callback.app_error", "Invalid callback urls.")
    if any(w.startswith("/") for w in hook.trigger_words):
        raise bad_request("model.outgoing_hook.is_valid.words.app_error", "Trigger words cannot start with /.")


async def do_create_outgoing(svc: Services, actor: Actor, data: dict[str, Any]) -> OutgoingWebhook:
    _check_enabled(svc.settings.enable_outgoing_webhooks, "outgoing")
    team_id = str(data.get("team_id") or "")
    if not is_valid_id(team_id):
        raise bad_request("model.outgoing_hook.is_valid.team_id.app_error", "Invalid team id.")
    now = now_ms()
    async with svc.db.write() as uow:
        perms = team_permissions(actor, (await access_team(uow.session, actor, team_id)).member)
        if "manage_outgoing_webhooks" not in perms:
            raise forbidden()
        hook = OutgoingWebhook(
            id=new_id(), token=new_id(), create_at=now, update_at=now, delete_at=0, creator_id=actor.user_id, team_id=team_id, channel_id="",
            trigger_words=[], trigger_when=0, callback_urls=[], content_type=FORM,
        )  # fmt: skip
        await _check_outgoing(svc, uow.session, actor, hook, {"content_type": FORM, **data})
        uow.session.add(hook)
    return hook


async def list_outgoing(svc: Services, actor: Actor, *, team_id: str, channel_id: str, offset: int, limit: int) -> list[OutgoingWebhook]:
    _check_enabled(svc.settings.enable_outgoing_webhooks, "outgoing")
    return await _list(svc, actor, OutgoingWebhook, team_id=team_id, channel_id=channel_id, offset=offset, limit=limit)


async def get_outgoing(svc: Services, actor: Actor, hook_id: str) -> OutgoingWebhook:
    _check_enabled(svc.settings.enable_outgoing_webhooks, "outgoing")
    async with svc.db.read() as db:
        return await _managed(db, actor, OutgoingWebhook, hook_id)


async def do_update_outgoing(svc: Services, actor: Actor, hook_id: str, data: dict[str, Any]) -> OutgoingWebhook:
    _check_enabled(svc.settings.enable_outgoing_webhooks, "outgoing")
    async with svc.db.write() as uow:
        hook = await _managed(uow.session, actor, OutgoingWebhook, hook_id)
        await _check_outgoing(svc, uow.session, actor, hook, {k: v for k, v in data.items() if k not in ("team_id", "token", "creator_id")})
        hook.update_at = now_ms()
    return hook


async def do_regen_outgoing_token(svc: Services, actor: Actor, hook_id: str) -> OutgoingWebhook:
    _check_enabled(svc.settings.enable_outgoing_webhooks, "outgoing")
    async with svc.db.write() as uow:
        hook = await _managed(uow.session, actor, OutgoingWebhook, hook_id)
        hook.token, hook.update_at = new_id(), now_ms()
    return hook


async def do_delete_outgoing(svc: Services, actor: Actor, hook_id: str) -> None:
    _check_enabled(svc.settings.enable_outgoing_webhooks, "outgoing")
    async with svc.db.write() as uow:
        hook = await _managed(uow.session, actor, OutgoingWebhook, hook_id)
        hook.delete_at = hook.update_at = now_ms()


def trigger_word(hook: OutgoingWebhook, message: str) -> str | None:
    """The trigger word a message fires the hook with ("" for a channel hook without words), or None.
    trigger_when 0: the first word is a trigger word; 1: the first word starts with one."""
    if not hook.trigger_words:
        return "" if hook.channel_id else None
    words = message.split(maxsplit=1)
    first = words[0] if words else ""
    for word in hook.trigger_words:
        if first == word or (hook.trigger_when == 1 and first.startswith(word)):
            return word
    return None


def schedule_outgoing(svc: Services, channel: Channel, post: Post, author: User | None) -> None:
    """After a post commits: if it is a person's or bot's message in a public team channel, check the team's
    outgoing webhooks in the background (webhooks' own posts never trigger them: no loops)."""
    if not svc.settings.enable_outgoing_webhooks or channel.type != "O" or not channel.team_id or author is None or post.type:
        return
    if (post.props or {}).get("from_webhook") == "true":
        return
    svc.spawn(_run_outgoing(svc, channel, post, author))


async def _run_outgoing(svc: Services, channel: Channel, post: Post, author: User) -> None:
    async with svc.db.read() as db:
        hooks = [(h, w) for h in await store.outgoing_for_channel(db, channel.team_id, channel.id) if (w := trigger_word(h, post.message)) is not None]
        team = await teams_store.get_team(db, channel.team_id) if hooks else None
    for hook, word in hooks:
        fields = {
            "token": hook.token, "team_id": channel.team_id, "team_domain": team.name if team else "", "channel_id": channel.id,
            "channel_name": channel.name, "timestamp": post.create_at, "user_id": author.id, "user_name": author.username,
            "post_id": post.id, "text": post.message, "trigger_word": word, "file_ids": ",".join(post.file_ids or []),
        }  # fmt: skip
        for url in hook.callback_urls:
            try:
                answer = await integrations.call_out(svc, url, fields, as_json=hook.content_type == "application/json")
                reply = integrations.reply_from_http(answer)
                if reply is not None and (reply.text.strip() or reply.attachments):
                    await _post_outgoing_reply(svc, hook, post, reply)
            except safe_http.Refused as exc:
                log.info("outgoing webhook %s: %s not called: %s", hook.id, url, exc)
            except AppError as exc:
                log.info("outgoing webhook %s: the answer from %s was not posted: %s", hook.id, url, exc.message)


async def _post_outgoing_reply(svc: Services, hook: OutgoingWebhook, post: Post, reply: integrations.Reply) -> None:
    """The answer is posted by the hook's creator, as a new post or (response_type "comment") in the thread."""
    async with svc.db.read() as db:
        creator = await users_store.get_user(db, hook.creator_id)
        live = await store.get_live(db, OutgoingWebhook, hook.id)
    if creator is None or creator.delete_at or live is None:
        return
    root_id = (post.root_id or post.id) if reply.response_type == "comment" else ""
    await integrations.post_reply(svc, Actor(creator), post.channel_id, reply, root_id=root_id, username=hook.username, icon_url=hook.icon_url)
