"""Slash commands (Mattermost's /commands): the built-in ones and a team's custom ones.

`POST /commands/execute` runs `/trigger text` in a channel. Built-ins call the same actions as the matching
API routes, so they get the same permission checks; their failures come back to the caller as an ephemeral
message in their language. A custom command calls its URL through the outbound address checks with
Mattermost's form fields, and its answer is posted (`in_channel`) or shown to the caller only (`ephemeral`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kafana.access import access_channel, access_team, channel_permissions, team_permissions
from kafana.actions import channels, integrations, posts, search, statuses
from kafana.actions.command_text import say
from kafana.actions.context import Actor, Services
from kafana.actions.system import ensure_secret
from kafana.lib.clock import now_ms
from kafana.lib.errors import AppError, bad_request, forbidden, not_found
from kafana.lib.ids import is_valid_id, new_id
from kafana.lib.validation import check_length, clean_text
from kafana.links import safe_http
from kafana.models import Channel, Command, Team
from kafana.store import integrations as store
from kafana.store import teams as teams_store
from kafana.store import users as users_store

Reply = integrations.Reply
TRIGGER_RE = re.compile(r"^[^\s/][^\s]{0,127}$")
DISABLED = AppError(501, "api.command.disabled.app_error", "Commands have been disabled by the system admin.")
RESPONSE_KEY = "command_response_key"
RESPONSE_URL_MINUTES = 30  # as Mattermost's command webhooks
INVALID_RESPONSE_URL = AppError(400, "web.command_webhook.invalid.app_error", "Invalid webhook.")


@dataclass(slots=True)
class Context:
    """One run of a command: who, where, and the text after the trigger."""

    svc: Services
    actor: Actor
    channel: Channel
    team: Team | None
    root_id: str
    trigger: str
    args: str

    @property
    def locale(self) -> str:
        return self.actor.user.locale if self.actor.user is not None else "en"

    def say(self, key: str, **values: str) -> str:
        return say(self.locale, key, **values)

    def ephemeral(self, key: str, **values: str) -> Reply:
        return Reply(text=self.say(key, **values), response_type="ephemeral")

    def channel_url(self, path: str) -> str:
        team = self.team.name if self.team is not None else ""
        return f"{self.svc.settings.site_url.rstrip('/')}/{team}/{path}"


Handler = Callable[[Context], Awaitable[Reply]]


@dataclass(frozen=True, slots=True)
class Builtin:
    trigger: str
    run: Handler
    hint: bool = False  # whether the command takes text (command_text has "<trigger>.hint")
    alias_of: str = ""


# Built-ins ---------------------------------------------------------------------------------------------


def _words(ctx: Context) -> list[str]:
    return ctx.args.split()


async def _channel_named(ctx: Context, name: str) -> Channel:
    try:
        return await channels.get_channel_by_name(ctx.svc, ctx.actor, ctx.channel.team_id, name.lstrip("~").lower())
    except AppError:
        raise AppError(404, "api.command.channel.app_error", ctx.say("no_channel", name=name)) from None


async def _user_named(ctx: Context, name: str) -> Any:
    async with ctx.svc.db.read() as db:
        user = await users_store.get_user_by_username(db, name.lstrip("@").lower())
    if user is None or user.delete_at:
        raise AppError(404, "api.command.user.app_error", ctx.say("no_user", name=name))
    return user


def _usage(ctx: Context) -> AppError:
    name = BUILTINS[ctx.trigger].alias_of or ctx.trigger
    return AppError(400, "api.command.usage.app_error", ctx.say("usage", trigger=ctx.trigger, hint=ctx.say(f"{name}.hint")))


async def _join(ctx: Context) -> Reply:
    words = _words(ctx)
    if not words:
        raise _usage(ctx)
    channel = await _channel_named(ctx, words[0])
    await channels.do_add_channel_member(ctx.svc, ctx.actor, channel.id, ctx.actor.user_id)
    return Reply(goto_location=ctx.channel_url(f"channels/{channel.name}"))


async def _leave(ctx: Context) -> Reply:
    await channels.do_remove_channel_member(ctx.svc, ctx.actor, ctx.channel.id, ctx.actor.user_id)
    return Reply(goto_location=ctx.channel_url("channels/town-square"))


async def _me(ctx: Context) -> Reply:
    if not ctx.args:
        raise _usage(ctx)
    return Reply(text=f"*{ctx.args}*", response_type="in_channel", type="me")


async def _shrug(ctx: Context) -> Reply:
    shrug = "¯\\\\\\_(ツ)\\_/¯"
    return Reply(text=f"{ctx.args} {shrug}" if ctx.args else shrug, response_type="in_channel")


async def _msg(ctx: Context) -> Reply:
    name, _, text = ctx.args.partition(" ")
    if not name:
        raise _usage(ctx)
    user = await _user_named(ctx, name)
    direct = await channels.do_create_direct(ctx.svc, ctx.actor, [ctx.actor.user_id, user.id])
    if text.strip():
        await posts.do_create_post(ctx.svc, ctx.actor, posts.PostDraft(direct.id, text.strip()))
    return Reply(goto_location=ctx.channel_url(f"messages/@{user.username}"))


async def _invite(ctx: Context) -> Reply:
    words = _words(ctx)
    if not words:
        raise _usage(ctx)
    user = await _user_named(ctx, words[0])
    channel = await _channel_named(ctx, words[1]) if len(words) > 1 else ctx.channel
    await channels.do_add_channel_member(ctx.svc, ctx.actor, channel.id, user.id)
    return ctx.ephemeral("invited", user=f"@{user.username}", channel=f"~{channel.name}")


async def _kick(ctx: Context) -> Reply:
    words = _words(ctx)
    if not words:
        raise _usage(ctx)
    user = await _user_named(ctx, words[0])
    await channels.do_remove_channel_member(ctx.svc, ctx.actor, ctx.channel.id, user.id)
    return Reply()


def _status(status: str) -> Handler:
    async def run(ctx: Context) -> Reply:
        await statuses.do_set_status(ctx.svc, ctx.actor, ctx.actor.user_id, status)
        return ctx.ephemeral(f"status.{status}")

    return run


def _channel_text(field: str) -> Handler:
    async def run(ctx: Context) -> Reply:
        if not ctx.args:
            raise _usage(ctx)
        await channels.do_patch_channel(ctx.svc, ctx.actor, ctx.channel.id, {field: ctx.args})
        return Reply()

    return run


async def _mute(ctx: Context) -> Reply:
    """Toggle: a muted channel (mark_unread "mention") is unmuted, others muted."""
    words = _words(ctx)
    channel = await _channel_named(ctx, words[0]) if words else ctx.channel
    member = await channels.get_channel_member(ctx.svc, ctx.actor, channel.id, ctx.actor.user_id)
    muted = (member.notify_props or {}).get("mark_unread") == "mention"
    await channels.do_update_notify_props(ctx.svc, ctx.actor, channel.id, ctx.actor.user_id, {"mark_unread": "all" if muted else "mention"})
    return ctx.ephemeral("unmuted" if muted else "muted", channel=f"~{channel.name}")


SEARCH_RESULTS = 10


async def _search(ctx: Context) -> Reply:
    """The first results as a list with permalinks, shown to the caller only."""
    if not ctx.args:
        raise _usage(ctx)
    found = await search.search_posts(ctx.svc, ctx.actor, ctx.channel.team_id or None, search.SearchRequest(terms=ctx.args, per_page=SEARCH_RESULTS))
    if not found.page.posts:
        return ctx.ephemeral("search.none", terms=ctx.args)
    lines = [ctx.say("search.found", terms=ctx.args)]
    for post in found.page.posts:
        excerpt = " ".join(post.message.split())[:120]
        lines.append(f"- {excerpt} ([↗]({ctx.channel_url('pl/' + post.id)}))")
    return Reply(text="\n".join(lines), response_type="ephemeral")


async def _help(ctx: Context) -> Reply:
    lines = [ctx.say("help.title")]
    for command in builtin_commands(ctx.locale):
        hint = f" {command.auto_complete_hint}" if command.auto_complete_hint else ""
        lines.append(f"- `/{command.trigger}{hint}`: {command.auto_complete_desc}")
    return Reply(text="\n".join(lines), response_type="ephemeral")


BUILTINS: dict[str, Builtin] = {
    b.trigger: b
    for b in (
        Builtin("away", _status("away")),
        Builtin("dnd", _status("dnd")),
        Builtin("header", _channel_text("header"), hint=True),
        Builtin("help", _help),
        Builtin("invite", _invite, hint=True),
        Builtin("join", _join, hint=True),
        Builtin("kick", _kick, hint=True),
        Builtin("leave", _leave),
        Builtin("me", _me, hint=True),
        Builtin("msg", _msg, hint=True),
        Builtin("mute", _mute, hint=True),
        Builtin("offline", _status("offline")),
        Builtin("online", _status("online")),
        Builtin("purpose", _channel_text("purpose"), hint=True),
        Builtin("remove", _kick, hint=True, alias_of="kick"),
        Builtin("rename", _channel_text("display_name"), hint=True),
        Builtin("search", _search, hint=True),
        Builtin("shrug", _shrug, hint=True),
    )
}


def builtin_commands(locale: str) -> list[Command]:
    """The built-ins in Mattermost's Command shape (no id, no URL), for autocomplete and /help."""
    out = []
    for builtin in BUILTINS.values():
        name = builtin.alias_of or builtin.trigger
        command = Command(id="", token="", create_at=0, update_at=0, delete_at=0, creator_id="", team_id="", method="P", username="", icon_url="")
        command.trigger = command.display_name = builtin.trigger
        command.auto_complete, command.auto_complete_desc = True, say(locale, f"{name}.desc")
        command.auto_complete_hint = say(locale, f"{name}.hint") if builtin.hint else ""
        command.description = command.url = ""
        out.append(command)
    return out


# Running -----------------------------------------------------------------------------------------------


async def do_execute(svc: Services, actor: Actor, data: dict[str, Any]) -> Reply:
    """POST /commands/execute {channel_id, command, root_id?, team_id?}."""
    if not svc.settings.enable_commands:
        raise DISABLED
    text = clean_text(str(data.get("command") or "")).strip()
    if not text.startswith("/") or len(text) < 2:
        raise bad_request("api.command.execute_command.start.app_error", "No command trigger found.")
    trigger, _, args = text[1:].partition(" ")
    trigger = trigger.lower()
    channel_id, root_id = str(data.get("channel_id") or ""), str(data.get("root_id") or "")
    if not is_valid_id(channel_id):
        raise bad_request("api.command.execute_command.channel_id.app_error", "Invalid channel_id.")
    async with svc.db.read() as db:
        access = await access_channel(db, actor, channel_id)
        if "use_slash_commands" not in channel_permissions(actor, access) and not actor.is_admin:
            raise forbidden()
        team_id = access.channel.team_id or str(data.get("team_id") or "")
        team = await teams_store.get_team(db, team_id) if is_valid_id(team_id) else None
        custom = await store.command_by_trigger(db, team.id, trigger) if team is not None and trigger not in BUILTINS else None
    ctx = Context(svc, actor, access.channel, team, root_id if is_valid_id(root_id) else "", trigger, args.strip())
    if trigger in BUILTINS:
        try:
            reply = await BUILTINS[trigger].run(ctx)
        except AppError as exc:
            reply = Reply(text=exc.message, response_type="ephemeral")
        await _deliver(ctx, reply, None)
        return reply
    if custom is None:
        raise AppError(404, "api.command.execute_command.not_found.app_error", ctx.say("unknown", trigger=trigger))
    reply = await _run_custom(ctx, custom)
    await _deliver(ctx, reply, custom)
    for extra in reply.extra_responses:
        await _deliver(ctx, extra, custom)
    return reply


async def _run_custom(ctx: Context, command: Command) -> Reply:
    user = ctx.actor.user
    fields = {
        "channel_id": ctx.channel.id, "channel_name": ctx.channel.name, "command": f"/{command.trigger}",
        "response_url": await _response_url(ctx, command), "team_domain": ctx.team.name if ctx.team else "", "team_id": command.team_id,
        "text": ctx.args, "token": command.token, "trigger_id": "", "user_id": ctx.actor.user_id,
        "user_name": user.username if user else "", "root_id": ctx.root_id,
    }  # fmt: skip
    try:
        answer = await integrations.call_out(ctx.svc, command.url, fields, method="GET" if command.method == "G" else "POST", token=command.token)
    except safe_http.Refused:
        answer = None
    reply = integrations.reply_from_http(answer) if answer is not None else None
    if reply is None:
        return ctx.ephemeral("failed", trigger=command.trigger)
    reply.response_type = reply.response_type if reply.response_type in ("in_channel", "ephemeral") else "ephemeral"
    return reply


async def _deliver(ctx: Context, reply: Reply, custom: Command | None) -> None:
    """An `in_channel` reply is posted by the caller; an ephemeral one goes to the caller's clients only."""
    if not (reply.text.strip() or reply.attachments):
        return
    if reply.response_type == "in_channel":
        if custom is None:
            draft = posts.PostDraft(ctx.channel.id, reply.text, root_id=ctx.root_id, type=reply.type)
            await posts.do_create_post(ctx.svc, ctx.actor, draft)
        else:
            await integrations.post_reply(ctx.svc, ctx.actor, ctx.channel.id, reply, root_id=ctx.root_id, username=custom.username, icon_url=custom.icon_url)
        return
    props = integrations.server_props(ctx.svc, reply, username=custom.username, icon_url=custom.icon_url) if custom else {}
    await integrations.send_ephemeral(ctx.svc, posts.ephemeral_event(ctx.actor.user_id, ctx.channel.id, reply.text, root_id=ctx.root_id, props=props))


# Delayed answers: the response_url a custom command is given ---------------------------------------------


async def _response_key(svc: Services) -> bytes:
    key = svc.extra.get(RESPONSE_KEY)
    if not isinstance(key, bytes):
        key = svc.extra[RESPONSE_KEY] = await ensure_secret(svc.db, RESPONSE_KEY)
    return key


def _sign(key: bytes, payload: str) -> str:
    return base64.urlsafe_b64encode(hmac.new(key, b"command-response:" + payload.encode(), hashlib.sha256).digest()[:18]).decode()


async def _response_url(ctx: Context, command: Command) -> str:
    """`{site}/hooks/commands/{token}`: the command, caller, channel and thread, with an expiry, signed; no row
    to keep, so any node answers it (unlike Mattermost, it may be used any number of times until it expires)."""
    claims = {"c": command.id, "u": ctx.actor.user_id, "ch": ctx.channel.id, "r": ctx.root_id, "e": now_ms() + RESPONSE_URL_MINUTES * 60_000}
    payload = base64.urlsafe_b64encode(json.dumps(claims, separators=(",", ":")).encode()).decode().rstrip("=")
    token = f"{payload}.{_sign(await _response_key(ctx.svc), payload)}"
    return f"{ctx.svc.settings.site_url.rstrip('/')}/hooks/commands/{token}"


async def do_delayed_response(svc: Services, token: str, data: Any) -> None:
    """POST /hooks/commands/{token}: a custom command's later answer, delivered as its first one would be."""
    if not svc.settings.enable_commands:
        raise DISABLED
    payload, _, signature = token.partition(".")
    if not signature or not hmac.compare_digest(signature, _sign(await _response_key(svc), payload)):
        raise INVALID_RESPONSE_URL
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except ValueError:
        raise INVALID_RESPONSE_URL from None
    if not isinstance(claims, dict) or int(claims.get("e", 0)) < now_ms():
        raise INVALID_RESPONSE_URL
    async with svc.db.read() as db:
        command = await store.get_live(db, Command, str(claims.get("c")))
        user = await users_store.get_user(db, str(claims.get("u")))
        if command is None or user is None or user.delete_at:
            raise INVALID_RESPONSE_URL
        actor = Actor(user)
        access = await access_channel(db, actor, str(claims.get("ch")))
        team = await teams_store.get_team(db, command.team_id)
    reply = integrations.parse_reply(data)
    reply.response_type = reply.response_type if reply.response_type in ("in_channel", "ephemeral") else "ephemeral"
    ctx = Context(svc, actor, access.channel, team, str(claims.get("r") or ""), command.trigger, "")
    for part in (reply, *reply.extra_responses):
        await _deliver(ctx, part, command)


# Custom commands ---------------------------------------------------------------------------------------


async def _team_perms(db: AsyncSession, actor: Actor, team_id: str) -> frozenset[str]:
    return team_permissions(actor, (await access_team(db, actor, team_id)).member)


async def _managed(db: AsyncSession, actor: Actor, command_id: str) -> Command:
    command = await store.get_live(db, Command, command_id) if is_valid_id(command_id) else None
    if command is None:
        raise not_found("command")
    try:
        perms = await _team_perms(db, actor, command.team_id)
    except AppError:
        raise not_found("command") from None
    if "manage_slash_commands" not in perms or (command.creator_id != actor.user_id and "manage_others_slash_commands" not in perms):
        raise not_found("command")
    return command


async def _apply(svc: Services, db: AsyncSession, command: Command, data: dict[str, Any]) -> None:
    for key, limit in (
        ("display_name", 64), ("description", 128), ("username", 64), ("icon_url", 1024), ("auto_complete_desc", 1024), ("auto_complete_hint", 1024),
    ):  # fmt: skip
        if key in data:
            value = data[key] if data[key] is not None else ""
            if not isinstance(value, str):
                raise bad_request(f"model.command.is_valid.{key}.app_error", f"Invalid {key}.")
            setattr(command, key, check_length(key, clean_text(value), limit, entity="command"))
    if isinstance(data.get("auto_complete"), bool):
        command.auto_complete = data["auto_complete"]
    if "method" in data:
        if data["method"] not in ("P", "G"):
            raise bad_request("model.command.is_valid.method.app_error", "Invalid method: P (POST) or G (GET).")
        command.method = data["method"]
    if "url" in data:
        url = data["url"]
        if not isinstance(url, str) or not url.strip() or len(url) > 1024:
            raise bad_request("model.command.is_valid.url.app_error", "Invalid URL.")
        command.url = await integrations.check_callback_url(svc, url.strip())
    if "trigger" in data:
        trigger = data["trigger"]
        if not isinstance(trigger, str) or not TRIGGER_RE.match(trigger.strip()):
            raise bad_request("model.command.is_valid.trigger.app_error", "Invalid trigger: no spaces, not starting with /.")
        trigger = trigger.strip().lower()
        existing = await store.command_by_trigger(db, command.team_id, trigger)
        if trigger in BUILTINS or (existing is not None and existing.id != command.id):
            raise bad_request("api.command.duplicate_trigger.app_error", "This trigger word is already in use.")
        command.trigger = trigger
    if not command.url:
        raise bad_request("model.command.is_valid.url.app_error", "Invalid URL.")


async def do_create_command(svc: Services, actor: Actor, data: dict[str, Any]) -> Command:
    if not svc.settings.enable_commands:
        raise DISABLED
    team_id = str(data.get("team_id") or "")
    if not is_valid_id(team_id):
        raise bad_request("model.command.is_valid.team_id.app_error", "Invalid team id.")
    if not isinstance(data.get("trigger"), str):
        raise bad_request("model.command.is_valid.trigger.app_error", "Invalid trigger.")
    now = now_ms()
    async with svc.db.write() as uow:
        if "manage_slash_commands" not in await _team_perms(uow.session, actor, team_id):
            raise forbidden()
        command = Command(
            id=new_id(), token=new_id(), create_at=now, update_at=now, delete_at=0, creator_id=actor.user_id, team_id=team_id, trigger="",
            method="P", username="", icon_url="", auto_complete=False, auto_complete_desc="", auto_complete_hint="", display_name="",
            description="", url="",
        )  # fmt: skip
        await _apply(svc, uow.session, command, {"method": "P", **data})
        uow.session.add(command)
    return command


async def list_commands(svc: Services, actor: Actor, team_id: str, *, custom_only: bool) -> list[Command]:
    """GET /commands?team_id: the built-ins (unless custom_only) and the custom commands one may manage."""
    if not svc.settings.enable_commands:
        raise DISABLED
    async with svc.db.read() as db:
        perms = await _team_perms(db, actor, team_id)
        custom: list[Command] = []
        if "manage_slash_commands" in perms:
            creator = "" if "manage_others_slash_commands" in perms else actor.user_id
            custom = await store.list_live(db, Command, team_id=team_id, creator_id=creator)
        elif custom_only:
            raise forbidden()
    return custom if custom_only else builtin_commands(_locale(actor)) + custom


async def autocomplete_commands(svc: Services, actor: Actor, team_id: str) -> list[Command]:
    """GET /teams/{id}/commands/autocomplete: what a team member may run and see suggested (no tokens)."""
    if not svc.settings.enable_commands:
        return []
    async with svc.db.read() as db:
        await access_team(db, actor, team_id)
        custom = [c for c in await store.list_live(db, Command, team_id=team_id) if c.auto_complete]
    return builtin_commands(_locale(actor)) + custom


def _locale(actor: Actor) -> str:
    return actor.user.locale if actor.user is not None else "en"


async def get_command(svc: Services, actor: Actor, command_id: str) -> Command:
    async with svc.db.read() as db:
        return await _managed(db, actor, command_id)


async def do_update_command(svc: Services, actor: Actor, command_id: str, data: dict[str, Any]) -> Command:
    async with svc.db.write() as uow:
        command = await _managed(uow.session, actor, command_id)
        await _apply(svc, uow.session, command, {k: v for k, v in data.items() if k not in ("id", "token", "team_id", "creator_id")})
        command.update_at = now_ms()
    return command


async def do_regen_command_token(svc: Services, actor: Actor, command_id: str) -> str:
    async with svc.db.write() as uow:
        command = await _managed(uow.session, actor, command_id)
        command.token, command.update_at = new_id(), now_ms()
    return command.token


async def do_delete_command(svc: Services, actor: Actor, command_id: str) -> None:
    async with svc.db.write() as uow:
        command = await _managed(uow.session, actor, command_id)
        command.delete_at = command.update_at = now_ms()
