"""The Discord bridge: one guild text channel ↔ one channel, through a bot (Gateway for events, REST to send).

Inbound, only events of the configured Discord channel are relayed (A19: the bot's other channels and guilds
are ignored), and not the bot's own messages (echo): text, attachments (downloaded and uploaded as the
bridge's bot, so images get thumbnails), replies as thread replies, edits and deletes. The Gateway session is
resumed after a dropped connection, a RECONNECT or a failed event — the Gateway replays what was missed;
a new session (a restart, or a session the Gateway would not resume) catches up from the channel's history
after the last message seen — and inbound posts are idempotent per message id, so nothing is posted twice.

Outbound: "**name**: text" (split at 2000 characters; nobody is pinged), files attached, thread replies as
replies to the root's copy, edits and deletes of the copies.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any, ClassVar
from urllib.parse import urlsplit

import httpx

from kafana.actions.bridges import DISCORD_HOSTS, Inbound
from kafana.bridges.base import BridgeContext
from kafana.bridges.chat import ChatWorker, split_text
from kafana.bridges.discord_api import API_URL, TEXT_LIMIT, DiscordError, DiscordRest, Gateway, same_origin
from kafana.bridges.net import Upload
from kafana.bridges.registry import register

log = logging.getLogger(__name__)

ATTACHMENT_HOSTS = frozenset({"cdn.discordapp.com", "media.discordapp.net"})
CATCH_UP_PAGE, CATCH_UP_PAGES = 100, 10  # at most 1,000 messages missed while no session was up
REPLY = 19  # the message type of a reply (message_reference is also used by forwards)
USER_MENTION = re.compile(r"<@!?([0-9]+)>")
CUSTOM_EMOJI = re.compile(r"<a?:([A-Za-z0-9_]+):[0-9]+>")
MARKDOWN = str.maketrans({c: "\\" + c for c in "\\*_~`|>#-[]()"})


@register
class DiscordWorker(ChatWorker):
    kind = "discord"
    text_limit = TEXT_LIMIT
    Unavailable: ClassVar[type[Exception]] = DiscordError

    def __init__(self, ctx: BridgeContext) -> None:
        super().__init__(ctx)
        self.channel_id = str(ctx.config["channel_id"])
        self.api_url = str(ctx.config.get("api_url") or "")
        self.token = str(ctx.config["token"])
        self.rest = DiscordRest(self.token, self.api_url)
        self.gateway: Gateway | None = None  # kept across restarts of `run`, so its session is resumed

    async def stop(self) -> None:
        await super().stop()
        await self.rest.aclose()

    async def run(self) -> None:
        await self.ctx.check_url(self.api_url, DISCORD_HOSTS, ("https", "http"))
        if self.gateway is None:
            url = str(self.ctx.config.get("gateway_url") or "") or await self.rest.gateway_url()
            self.gateway = Gateway(self.token, url, self._on_dispatch)
        await self.ctx.check_url(self.gateway.resume_url or self.gateway.url, DISCORD_HOSTS, ("wss", "ws"))
        await self.gateway.run()

    async def _on_dispatch(self, name: str, data: dict[str, Any]) -> None:
        if name == "READY":
            await self._catch_up()
        if str(data.get("channel_id", "")) != self.channel_id:
            return  # another channel, another guild, or not a message event
        remote_id = str(data.get("id", ""))
        author = data.get("author") or {}
        own = self.gateway is not None and str(author.get("id", "")) == self.gateway.user_id
        if name == "MESSAGE_CREATE":
            await self._seen(remote_id)
        if name == "MESSAGE_CREATE" and not own:
            file_ids = await self._files_in(data.get("attachments") or [])
            content = readable(data)
            if not content and not file_ids:
                return
            reference = (data.get("message_reference") or {}) if data.get("type") == REPLY else {}
            inbound = Inbound(
                author=author_name(data), message=content, remote_id=remote_id, network="discord", file_ids=file_ids,
                reply_to=str(reference.get("message_id", "")),
            )  # fmt: skip
            await self.inbound(self.ctx.post(inbound))
        elif name == "MESSAGE_UPDATE" and not own and "content" in data and data.get("edited_timestamp"):
            await self.inbound(self.ctx.edit(remote_id, readable(data)))
        elif name == "MESSAGE_DELETE":
            await self.inbound(self.ctx.delete(remote_id))

    async def _seen(self, message_id: str) -> None:
        """Keep the newest message id of the channel (in the bridge's state): where a catch-up starts."""
        if message_id.isdigit() and int(message_id) > int(self.ctx.state.get("last_message_id") or 0):
            await self.ctx.save_state({**self.ctx.state, "last_message_id": message_id})

    async def _catch_up(self) -> None:
        """A new session (first start, restart, or a session the Gateway would not resume) does not replay
        what was said meanwhile: read it from the channel's history, after the last message seen. Posting is
        idempotent per message id, so what was relayed already is not posted twice. (Edits and deletes made
        meanwhile are not caught up.)"""
        for _ in range(CATCH_UP_PAGES):
            after = str(self.ctx.state.get("last_message_id") or "")
            if not after:
                return
            try:
                page = await self.rest.messages_after(self.channel_id, after)
            except (httpx.HTTPError, DiscordError) as exc:
                log.warning("discord bridge %s: could not catch up after message %s: %s", self.ctx.bridge_id, after, exc)
                return
            for message in page:
                await self._on_dispatch("MESSAGE_CREATE", {**message, "channel_id": self.channel_id})
            if len(page) < CATCH_UP_PAGE:
                return

    async def _files_in(self, attachments: Sequence[dict[str, Any]]) -> list[str]:
        file_ids = []
        for attachment in attachments:
            url = str(attachment.get("url") or "")
            if urlsplit(url).hostname not in ATTACHMENT_HOSTS and not same_origin(url, self.api_url or API_URL):
                log.warning("discord bridge %s: attachment not on Discord's CDN, skipped: %s", self.ctx.bridge_id, url[:200])
                continue
            name = str(attachment.get("filename") or "file")

            async def download(url: str = url, name: str = name) -> tuple[str, bytes]:
                return name, await self.rest.download(url, self.ctx.svc.settings.max_file_size)

            file_ids += await self.fetch_in(name, int(attachment.get("size") or 0), download)
        return file_ids

    # Outbound ----------------------------------------------------------------------------------------------

    @staticmethod
    def line(author: str, message: str) -> str:
        name = f"**{author.translate(MARKDOWN)}**"
        return f"{name}: {message}" if message else name

    async def send(self, text: str, reply_to: str, author: str, files: list[Upload]) -> list[str]:
        pieces = split_text(text, TEXT_LIMIT) or [self.line(author, "")]
        sent = []
        for i, piece in enumerate(pieces):
            attached = files if i == len(pieces) - 1 else []  # the files come with the last piece
            sent.append(await self.rest.send_message(self.channel_id, piece, reply_to=reply_to if i == 0 else "", files=attached))
        return [str(message["id"]) for message in sent]

    async def edit(self, remote_id: str, text: str) -> None:
        await self.rest.edit_message(self.channel_id, remote_id, text)

    async def remove(self, remote_id: str) -> None:
        await self.rest.delete_message(self.channel_id, remote_id)


def readable(message: dict[str, Any]) -> str:
    """The content with Discord's markup for mentions and custom emoji as people read it: `<@id>` as
    @name (from the message's `mentions`), `<:name:id>` as :name:."""
    names = {str(u.get("id")): str(u.get("global_name") or u.get("username") or "") for u in message.get("mentions") or []}
    content = USER_MENTION.sub(lambda m: "@" + names[m[1]] if names.get(m[1]) else m[0], str(message.get("content") or ""))
    return CUSTOM_EMOJI.sub(r":\1:", content)


def author_name(message: dict[str, Any]) -> str:
    """The server nickname, else the display name, else the username."""
    author = message.get("author") or {}
    nick = (message.get("member") or {}).get("nick")
    return str(nick or author.get("global_name") or author.get("username") or "")
