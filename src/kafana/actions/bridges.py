"""Bridges to IRC, Telegram and Discord: adding and removing them (system admins, the CLI), and what a running
bridge may do (`kafana.bridges` workers call these; they never touch the store).

A19: a bridge posts only as its own bot user and only to its own channel — every inbound call is given the
bridge's id, and the channel comes from the bridge row, never from the remote side. The remote author's name
travels in the post's props (Mattermost's `override_username` with `from_webhook`, plus `from_bridge` and
`remote_network`), which clients cannot set themselves; the sender stays the bot, so a remote nick equal to a
local username is still shown as bridged. Nothing here changes membership except adding the bridge's own bot
to its channel when the bridge is made.
"""

from __future__ import annotations

import asyncio
import json
import re
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from kafana.access import has_system_permission
from kafana.actions import audit
from kafana.actions.bots import add_bot_txn
from kafana.actions.channels import add_member_txn
from kafana.actions.context import Services
from kafana.actions.files import Incoming, check_file_name, do_upload_files
from kafana.actions.posts import PostDraft, create_post_txn, do_delete_post, do_patch_post
from kafana.actions.teams import join_team_txn
from kafana.files.sniff import SNIFF_BYTES
from kafana.lib.clock import now_ms
from kafana.lib.errors import AppError, bad_request, forbidden, not_found
from kafana.lib.ids import is_valid_id, new_id
from kafana.lib.validation import clean_text
from kafana.links.safe_http import Refused, check_host, parse_networks
from kafana.models import Bridge, FileInfo, Post, User
from kafana.models.actor import Actor
from kafana.models.posts import post_metadata
from kafana.store import bridges as bridges_store
from kafana.store import channels as channels_store
from kafana.store import files as files_store
from kafana.store import posts as posts_store
from kafana.store import teams as teams_store
from kafana.store import users as users_store

KINDS = ("irc", "telegram", "discord")
REMOTE_NAME_MAX = 64
# The events a bridge relays to its remote side.
OUTBOUND_EVENTS = frozenset({"posted", "post_edited", "post_deleted", "reaction_added"})


IRC_NICK = re.compile(r"[A-Za-z\[\]\\`_^{|}][A-Za-z0-9\[\]\\`_^{|}-]{0,29}")
IRC_CHANNEL = re.compile(r"[#&][^\s,\x07:]{1,49}")


def _bad_config(message: str) -> AppError:
    return bad_request("api.kafana.bridge.config.app_error", message)


async def check_remote_address(svc: Services, host: str, port: int) -> str:
    """D10: a bridge may not be pointed at the server's own network (loopback, private, link-local…) unless
    `outbound_allowed_networks` allows it. Checked when it is added, and again at each connect, which then goes
    to the address returned (so a DNS answer that changes in between cannot redirect it)."""
    try:
        return str(await check_host(host, port, parse_networks(svc.settings.outbound_allowed_networks)))
    except Refused as exc:
        raise AppError(422, "api.kafana.bridge.address.app_error", f"The bridge may not connect there: {exc}.") from None


async def _check_irc(svc: Services, config: dict[str, Any]) -> dict[str, Any]:
    """server (HOST or HOST:PORT), tls (tls_ca_file: a PEM of CAs to trust instead of the system's), nick,
    channel, optional sasl_user/sasl_password, network (the name shown with bridged messages; default the
    server's), flood control (lines_per_second after a burst of `burst` lines; default 1/s after 5) and
    relay_reactions (as /me lines; default true)."""
    tls = bool(config.get("tls", False))
    server = str(config.get("server", "")).strip()
    host, _, port_text = server.rpartition(":") if server.count(":") == 1 or server.startswith("[") else (server, "", "")
    host = host.strip("[]")
    try:
        port = int(config.get("port") or port_text or (6697 if tls else 6667))
    except ValueError:
        raise _bad_config("The IRC server's port must be a number.") from None
    if not host or not 0 < port < 65536:
        raise _bad_config("Give the IRC server as HOST:PORT.")
    nick, channel = str(config.get("nick", "")), str(config.get("channel", ""))
    if not IRC_NICK.fullmatch(nick):
        raise _bad_config(f"{nick!r} is not a valid IRC nick.")
    if not IRC_CHANNEL.fullmatch(channel):
        raise _bad_config(f"{channel!r} is not an IRC channel name (#name).")
    sasl_user, sasl_password = str(config.get("sasl_user") or ""), str(config.get("sasl_password") or "")
    if bool(sasl_user) != bool(sasl_password):
        raise _bad_config("SASL needs both a user and a password.")
    try:
        rate, burst = float(config.get("lines_per_second") or 1.0), int(config.get("burst") or 5)
    except (TypeError, ValueError):
        raise _bad_config("lines_per_second and burst must be numbers.") from None
    if not (0 < rate <= 1000 and 0 < burst <= 100):
        raise _bad_config("lines_per_second must be in (0, 1000] and burst in 1..100.")
    await check_remote_address(svc, host, port)
    return {
        "server": host, "port": port, "tls": tls, "tls_ca_file": str(config.get("tls_ca_file") or ""), "nick": nick, "channel": channel,
        "sasl_user": sasl_user, "sasl_password": sasl_password, "network": clean_text(str(config.get("network") or host))[:64],
        "lines_per_second": rate, "burst": burst, "relay_reactions": bool(config.get("relay_reactions", True)),
    }  # fmt: skip


# Each kind's config check: the config as stored (normalized), or a 400/422. Kinds without one store it as given.
# Telegram and Discord: the official services by default. Another base URL (tests' local fakes, a
# self-hosted Telegram Bot API server) gets the same D10 check as an IRC server's address.
TELEGRAM_HOSTS = frozenset({"api.telegram.org"})
DISCORD_HOSTS = frozenset({"discord.com", "gateway.discord.gg"})
TELEGRAM_TOKEN = re.compile(r"[0-9]{1,20}:[A-Za-z0-9_-]{20,100}")
TELEGRAM_CHAT = re.compile(r"-?[0-9]{1,20}")
DISCORD_SNOWFLAKE = re.compile(r"[0-9]{15,22}")


async def check_service_url(svc: Services, url: str, official: frozenset[str], schemes: tuple[str, ...]) -> str:
    """'' (the official service), an official host over TLS, or a URL whose host passes the D10 check."""
    url = url.strip().rstrip("/")
    if not url:
        return ""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise _bad_config(f"{url!r} is not a URL.") from None
    if parts.scheme not in schemes or not parts.hostname or parts.username or parts.password:
        raise _bad_config(f"{url!r}: give a {' or '.join(schemes)} URL.")
    if parts.hostname in official and parts.scheme in ("https", "wss"):
        return url
    await check_remote_address(svc, parts.hostname, port or (443 if parts.scheme in ("https", "wss") else 80))
    return url


async def _check_telegram(svc: Services, config: dict[str, Any]) -> dict[str, Any]:
    """token (from @BotFather), chat_id (the group's numeric id, e.g. -1001234567890), optional api_url."""
    token, chat_id = str(config.get("token", "")).strip(), str(config.get("chat_id", "")).strip()
    if not TELEGRAM_TOKEN.fullmatch(token):
        raise _bad_config("Give the bot's token as @BotFather shows it (digits:letters).")
    if not TELEGRAM_CHAT.fullmatch(chat_id):
        raise _bad_config(f"{chat_id!r} is not a Telegram chat id (a number, e.g. -1001234567890).")
    api_url = await check_service_url(svc, str(config.get("api_url") or ""), TELEGRAM_HOSTS, ("https", "http"))
    return {"token": token, "chat_id": chat_id, "api_url": api_url}


async def _check_discord(svc: Services, config: dict[str, Any]) -> dict[str, Any]:
    """token (the bot's), channel_id (the Discord channel's id), optional api_url and gateway_url."""
    token, channel_id = str(config.get("token", "")).strip(), str(config.get("channel_id", "")).strip()
    if not token or len(token) > 200 or any(c.isspace() for c in token):
        raise _bad_config("Give the Discord bot's token.")
    if not DISCORD_SNOWFLAKE.fullmatch(channel_id):
        raise _bad_config(f"{channel_id!r} is not a Discord channel id (a long number).")
    api_url = await check_service_url(svc, str(config.get("api_url") or ""), DISCORD_HOSTS, ("https", "http"))
    gateway_url = await check_service_url(svc, str(config.get("gateway_url") or ""), DISCORD_HOSTS, ("wss", "ws"))
    return {"token": token, "channel_id": channel_id, "api_url": api_url, "gateway_url": gateway_url}


CONFIG_CHECKS: dict[str, Callable[[Services, dict[str, Any]], Awaitable[dict[str, Any]]]] = {
    "irc": _check_irc,
    "telegram": _check_telegram,
    "discord": _check_discord,
}


def _check_admin(actor: Actor) -> None:
    if not has_system_permission(actor, "manage_system"):
        raise forbidden()


async def _resolve_channel(db: Any, where: str) -> tuple[Any, Any]:
    """`TEAM/CHANNEL` (URL names) or a channel id → (team, channel)."""
    team_name, _, channel_name = where.strip().partition("/")
    channel = None
    if channel_name:
        team = await teams_store.get_team_by_name(db, team_name.lower())
        channel = await channels_store.get_channel_by_name(db, team.id, channel_name.lower()) if team is not None else None
    elif is_valid_id(where.strip()):
        channel = await channels_store.get_channel(db, where.strip())
    if channel is None or channel.delete_at or channel.is_direct:
        raise bad_request("api.kafana.bridge.channel.app_error", f"No such channel {where!r}: give TEAM/CHANNEL (URL names) of a team channel.")
    team = await teams_store.get_team(db, channel.team_id)
    return team, channel


async def do_add_bridge(svc: Services, actor: Actor, kind: str, channel: str, config: dict[str, Any], *, label: str = "") -> Bridge:
    """Map a remote room to a channel. Makes the bridge's bot (`<kind>-bridge-…`, its own owner so nobody's
    deactivation stops it) and puts it in the team and the channel."""
    _check_admin(actor)
    if kind not in KINDS:
        raise bad_request("api.kafana.bridge.kind.app_error", f"Unknown bridge kind {kind!r}: one of {', '.join(KINDS)}.")
    if not isinstance(config, dict):
        raise _bad_config("The bridge's config must be an object.")
    check = CONFIG_CHECKS.get(kind)
    if check is not None:
        config = await check(svc, config)
    now = now_ms()
    bridge_id = new_id()
    async with svc.db.write() as uow:
        team, target = await _resolve_channel(uow.session, channel)
        display = clean_text(label or kind.upper())[:64]
        _, bot = add_bot_txn(uow, f"{kind}-bridge-{bridge_id[:8]}", "", display, f"Relays {display} to ~{target.name}.", now)
        await uow.session.flush()
        await join_team_txn(uow, team, bot, by=None, default_channels=False)
        await add_member_txn(uow, target, bot, by=None)
        bridge = Bridge(
            id=bridge_id, kind=kind, channel_id=target.id, bot_user_id=bot.id, config=config, state={}, enabled=True,
            create_at=now, update_at=now, created_by=actor.user_id,
        )  # fmt: skip
        uow.session.add(bridge)
        audit.record_txn(uow, svc, "add_bridge", actor=actor, target_id=bridge_id)
    return bridge


async def list_bridges(svc: Services, actor: Actor) -> list[Bridge]:
    _check_admin(actor)
    async with svc.db.read() as db:
        return await bridges_store.list_bridges(db)


async def do_remove_bridge(svc: Services, actor: Actor, bridge_id: str) -> None:
    """Delete the bridge and its message map and deactivate its bot (its posts stay). Running workers stop
    within a supervisor poll."""
    _check_admin(actor)
    async with svc.db.write() as uow:
        bridge = await bridges_store.get_bridge(uow.session, bridge_id) if is_valid_id(bridge_id) else None
        if bridge is None:
            raise not_found("bridge")
        bot = await users_store.get_user(uow.session, bridge.bot_user_id)
        if bot is not None and not bot.delete_at:
            bot.delete_at = bot.update_at = now_ms()
        await bridges_store.delete_bridge(uow.session, bridge.id)
        audit.record_txn(uow, svc, "remove_bridge", actor=actor, target_id=bridge.id)
    svc.auth_cache.drop_user(bridge.bot_user_id)


# What running bridges do (the supervisor and workers; system authority, scoped to one bridge) --------------


async def enabled_bridges(svc: Services) -> list[Bridge]:
    async with svc.db.read() as db:
        return await bridges_store.list_bridges(db, enabled_only=True)


CATCH_UP_POSTS = 200
CATCH_UP_MS = 3_600_000


async def missed_posts(svc: Services, bridge: Bridge, after: tuple[int, str]) -> list[dict[str, Any]]:
    """`posted` event data for the channel's posts after `after` (create_at, id): what was written while no
    node ran the bridge (its node stopped before another took the lease over). Oldest first, from the last
    hour and at most CATCH_UP_POSTS, so a long outage does not flood the remote side with old news."""
    since = max(after[0], now_ms() - CATCH_UP_MS)
    async with svc.db.read() as db:
        rows = await posts_store.get_posts_after(db, bridge.channel_id, since, after[1] if since == after[0] else "", 0, CATCH_UP_POSTS - 1)
        posts = {p.id: p for p in await posts_store.get_posts_by_ids(db, [r.id for r in rows])}
        files = await files_store.get_files_for_posts(db, [p.id for p in posts.values() if p.file_ids])
    return [{"post": json.dumps(posts[r.id].to_api(metadata=post_metadata(posts[r.id], files.get(r.id, ()))))} for r in rows if r.id in posts]


@dataclass(frozen=True, slots=True)
class Inbound:
    """A message from the remote side: who wrote it there, its text, and its remote id (for later edits,
    deletes and replies; empty when the network has none, as IRC)."""

    author: str
    message: str
    remote_id: str = ""
    reply_to: str = ""  # the remote id of the message it answers
    network: str = ""
    file_ids: list[str] = field(default_factory=list)


async def _bridge_and_bot(db: Any, bridge_id: str) -> tuple[Bridge, User] | None:
    """The bridge and its identity, or None once either is gone: a removed bridge's late messages are dropped."""
    bridge = await bridges_store.get_bridge(db, bridge_id)
    if bridge is None or not bridge.enabled:
        return None
    bot = await users_store.get_user(db, bridge.bot_user_id)
    return (bridge, bot) if bot is not None and not bot.delete_at else None


def bridged_props(bridge: Bridge, author: str, network: str) -> dict[str, Any]:
    name = clean_text(author).strip()[:REMOTE_NAME_MAX] or "unknown"
    return {"from_bridge": bridge.kind, "from_webhook": "true", "override_username": name, "remote_network": network or bridge.kind}


async def do_relay_inbound(svc: Services, bridge_id: str, inbound: Inbound) -> Post | None:
    """Post a remote message in the bridge's channel as the bridge's bot. A reply to a known remote message
    becomes a reply in its thread. Idempotent per remote id (a redelivered message is posted once)."""
    async with svc.db.write() as uow:
        found = await _bridge_and_bot(uow.session, bridge_id)
        if found is None:
            return None
        bridge, bot = found
        root_id = ""
        if inbound.reply_to:
            replied = await bridges_store.post_id_for(uow.session, bridge.id, inbound.reply_to)
            root = await posts_store.get_post(uow.session, replied) if replied else None
            if root is not None and root.channel_id == bridge.channel_id and not root.delete_at:
                root_id = root.root_id or root.id
        draft = PostDraft(
            bridge.channel_id, inbound.message, root_id=root_id, file_ids=list(inbound.file_ids),
            server_props=bridged_props(bridge, inbound.author, inbound.network),
            pending_post_id=f"bridge:{bridge.id}:{inbound.remote_id}"[:100] if inbound.remote_id else "",
        )  # fmt: skip
        post, created = await create_post_txn(uow, svc, Actor(bot), draft)
        if created and inbound.remote_id:
            await bridges_store.map_messages(uow.session, bridge.id, post.id, [inbound.remote_id], post.create_at)
    return post


async def _mapped_post(svc: Services, bridge_id: str, remote_id: str) -> tuple[User, str] | None:
    async with svc.db.read() as db:
        found = await _bridge_and_bot(db, bridge_id)
        post_id = await bridges_store.post_id_for(db, bridge_id, remote_id) if found is not None else None
    return (found[1], post_id) if found is not None and post_id else None


async def do_relay_edit(svc: Services, bridge_id: str, remote_id: str, message: str) -> Post | None:
    """An edit on the remote side: changes the bot's post for that remote message (none: nothing to do)."""
    mapped = await _mapped_post(svc, bridge_id, remote_id)
    if mapped is None:
        return None
    try:
        return await do_patch_post(svc, Actor(mapped[0]), mapped[1], {"message": message})
    except AppError:  # deleted meanwhile, or the post is not the bot's (an outbound post's remote copy was edited)
        return None


async def do_relay_delete(svc: Services, bridge_id: str, remote_id: str) -> None:
    mapped = await _mapped_post(svc, bridge_id, remote_id)
    if mapped is not None:
        try:
            await do_delete_post(svc, Actor(mapped[0]), mapped[1])
        except AppError:
            return


async def do_map_outbound(svc: Services, bridge_id: str, post_id: str, remote_ids: list[str]) -> None:
    """Remember which remote messages a relayed local post became (for its later edits and deletes)."""
    async with svc.db.write() as uow:
        await bridges_store.map_messages(uow.session, bridge_id, post_id, remote_ids, now_ms())


async def do_save_state(svc: Services, bridge_id: str, state: dict[str, Any]) -> None:
    async with svc.db.write() as uow:
        await bridges_store.set_state(uow.session, bridge_id, state)


async def do_relay_upload(svc: Services, bridge_id: str, name: str, data: bytes) -> str:
    """A file from the remote side, uploaded by the bridge's bot to its channel as any client's upload (type
    sniffed, thumbnails and previews made, the size limit and quota applied); its id, for `Inbound.file_ids`.
    '' when the bridge is gone."""
    async with svc.db.read() as db:
        found = await _bridge_and_bot(db, bridge_id)
    if found is None:
        return ""
    bridge, bot = found
    tmp_root = svc.settings.data_dir / "tmp"
    tmp_root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bridge-", dir=tmp_root) as directory:
        path = Path(directory) / "upload"
        await asyncio.to_thread(path.write_bytes, data)
        upload = Incoming(check_file_name(name or "file"), path, len(data), data[:SNIFF_BYTES])
        infos = await do_upload_files(svc, Actor(bot), bridge.channel_id, [upload])
    return infos[0].id


async def read_relayed_file(svc: Services, bridge_id: str, file_id: str) -> tuple[FileInfo, bytes] | None:
    """A file of a post in the bridge's own channel, with its bytes (up to `max_file_size`), to send to the
    remote side; None for any other file."""
    async with svc.db.read() as db:
        bridge = await bridges_store.get_bridge(db, bridge_id)
        info = await files_store.get_file(db, file_id) if is_valid_id(file_id) else None
    if bridge is None or info is None or info.delete_at or not info.post_id or info.channel_id != bridge.channel_id:
        return None
    if info.size > svc.settings.max_file_size:
        return None
    return info, await svc.storage.read_bytes(info.path)


# Outbound: a committed event, described for a remote network ------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outbound:
    """A local change to relay. `author` is the username, or a bridged author's remote name (a message from
    another bridge on the same channel); `root_*` describe the post a reply answers; `remote_ids` are the
    remote messages this post already became (edits, deletes); `reply_remote_ids` the root's."""

    event: str
    post: dict[str, Any]
    author: str
    author_network: str = ""
    root_author: str = ""
    root_message: str = ""
    remote_ids: list[str] = field(default_factory=list)
    reply_remote_ids: list[str] = field(default_factory=list)
    file_urls: list[str] = field(default_factory=list)
    emoji_name: str = ""  # reaction_added: the emoji; `author` is then who reacted

    @property
    def post_id(self) -> str:
        return str(self.post.get("id", ""))

    @property
    def message(self) -> str:
        return str(self.post.get("message", ""))


def _display_name(post: dict[str, Any] | Post, user: User | None) -> tuple[str, str]:
    props = (post.get("props") if isinstance(post, dict) else post.props) or {}
    if props.get("from_bridge") and props.get("override_username"):
        return str(props["override_username"]), str(props.get("remote_network", ""))
    return (user.username if user is not None else "someone"), ""


def file_url(svc: Services, file_id: str) -> str:
    return f"{svc.settings.site_url.rstrip('/')}/api/v4/files/{file_id}"


async def describe_outbound(svc: Services, bridge: Bridge, event: str, data: dict[str, Any]) -> Outbound | None:
    """What a bridge needs to relay one committed event of its channel; None for what it must not relay: its
    own bot's posts (no echo), system posts, and reactions on posts it never saw."""
    reaction: dict[str, Any] = json.loads(data["reaction"]) if event == "reaction_added" else {}
    async with svc.db.read() as db:
        if reaction:
            found = await posts_store.get_post(db, str(reaction.get("post_id", "")))
            if found is None or found.channel_id != bridge.channel_id:
                return None
            post: dict[str, Any] = found.to_api()
            actor_id = str(reaction.get("user_id", ""))
        else:
            post = json.loads(data["post"])
            actor_id = str(post.get("user_id", ""))
        if actor_id == bridge.bot_user_id or str(post.get("type", "")).startswith("system_") or post.get("channel_id") != bridge.channel_id:
            return None
        if event == "post_edited" and not (post.get("edit_at") and post.get("edit_at") == post.get("update_at")):
            return None  # pinned, or its props changed: not an edit of the text
        root_id = str(post.get("root_id", ""))
        root = await posts_store.get_post(db, root_id) if root_id else None
        users = {u.id: u for u in await users_store.get_users_by_ids(db, [actor_id, *([root.user_id] if root else [])])}
        remote_ids = await bridges_store.remote_ids(db, bridge.id, str(post["id"])) if event != "posted" else []
        reply_remote_ids = await bridges_store.remote_ids(db, bridge.id, root_id) if root_id else []
    if reaction:
        author, network = (users[actor_id].username if actor_id in users else "someone"), ""
    else:
        author, network = _display_name(post, users.get(actor_id))
    files = ((post.get("metadata") or {}).get("files")) or []
    return Outbound(
        event=event, post=post, author=author, author_network=network,
        root_author=_display_name(root, users.get(root.user_id))[0] if root is not None else "",
        root_message=root.message if root is not None else "", remote_ids=remote_ids, reply_remote_ids=reply_remote_ids,
        file_urls=[f"{f.get('name', 'file')}: {file_url(svc, str(f['id']))}" for f in files if f.get("id")],
        emoji_name=str(reaction.get("emoji_name", "")),
    )  # fmt: skip
