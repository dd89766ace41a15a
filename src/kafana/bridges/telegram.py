"""The Telegram bridge: one group (or channel) chat ↔ one Kafana channel, through a bot (Bot API, long polling).

Inbound, only updates of the configured chat are relayed (A19: other chats the bot is in are ignored): text
and captions, photos and files (downloaded and uploaded as the bridge's bot, so they get thumbnails),
replies as thread replies (when the answered message is known), edits. The update offset is kept in the
bridge's state, so a restart (or another node taking over) neither loses nor repeats updates — and a repeat
would be harmless, as inbound posts are idempotent per message id.

Outbound: "name: text" (split at 4096 characters), files as photos or documents captioned with the name,
thread replies as replies to the root's copy, edits (editMessageText) and deletes (deleteMessage). Telegram
does not tell bots about deletions, so deletes go one way only. Bots do not receive their own messages: no
echo to filter.
"""

from __future__ import annotations

import logging
from posixpath import basename
from typing import Any, ClassVar

import httpx

from kafana.actions.bridges import TELEGRAM_HOSTS, Inbound
from kafana.bridges.base import BridgeContext
from kafana.bridges.chat import ChatWorker, split_text
from kafana.bridges.net import Backoff, Upload
from kafana.bridges.registry import register
from kafana.bridges.telegram_api import TEXT_LIMIT, UPDATES, BotApi, TelegramError

log = logging.getLogger(__name__)

FILE_KINDS = ("document", "video", "audio", "voice", "animation", "video_note")
NO_TOKEN = frozenset({401, 404})  # the token was revoked: polling again cannot help


@register
class TelegramWorker(ChatWorker):
    kind = "telegram"
    text_limit = TEXT_LIMIT
    Unavailable: ClassVar[type[Exception]] = TelegramError

    def __init__(self, ctx: BridgeContext) -> None:
        super().__init__(ctx)
        self.chat_id = str(ctx.config["chat_id"])
        self.api_url = str(ctx.config.get("api_url") or "")
        self.api = BotApi(str(ctx.config["token"]), self.api_url)

    async def stop(self) -> None:
        await super().stop()
        await self.api.aclose()

    async def run(self) -> None:
        await self.ctx.check_url(self.api_url, TELEGRAM_HOSTS, ("https", "http"))
        me = await self.api.get_me()
        await self.api.delete_webhook()  # getUpdates is refused while a webhook is set
        log.info("telegram bridge %s: polling as @%s", self.ctx.bridge_id, me.get("username"))
        offset = int(self.ctx.state.get("offset") or 0)
        backoff = Backoff()
        while True:
            try:
                updates = await self.api.get_updates(offset)
            except (httpx.HTTPError, TelegramError) as exc:
                if isinstance(exc, TelegramError) and exc.status in NO_TOKEN:
                    raise
                log.info("telegram bridge %s: polling failed (%s); retrying", self.ctx.bridge_id, exc)
                await backoff.wait()
                continue
            backoff.reset()
            for update in updates:
                await self._handle(update)
                offset = int(update["update_id"]) + 1
            if updates:
                await self.ctx.save_state({**self.ctx.state, "offset": offset})

    async def _handle(self, update: dict[str, Any]) -> None:
        kind = next((k for k in UPDATES if isinstance(update.get(k), dict)), "")
        message = update.get(kind) or {}
        if str((message.get("chat") or {}).get("id")) != self.chat_id:
            return  # another chat (or another kind of update): not this bridge's
        remote_id = str(message["message_id"])
        text = str(message.get("text") or message.get("caption") or "")
        if kind.startswith("edited_"):
            await self.inbound(self.ctx.edit(remote_id, text))
            return
        file_ids = await self._files_in(message)
        if not text and not file_ids:
            return  # stickers, joins, pins: nothing to show
        replied = message.get("reply_to_message") or {}
        inbound = Inbound(
            author=sender_name(message), message=text, remote_id=remote_id, network="telegram", file_ids=file_ids,
            reply_to=str(replied.get("message_id", "")) if replied else "",
        )  # fmt: skip
        await self.inbound(self.ctx.post(inbound))

    async def _files_in(self, message: dict[str, Any]) -> list[str]:
        found: list[tuple[str, dict[str, Any]]] = []
        if message.get("photo"):
            found.append(("", message["photo"][-1]))  # the largest size
        found += [(str(message[kind].get("file_name") or ""), message[kind]) for kind in FILE_KINDS if isinstance(message.get(kind), dict)]
        file_ids = []
        for name, item in found:
            file_id = str(item["file_id"])

            async def download(file_id: str = file_id) -> tuple[str, bytes]:
                path, data = await self.api.download(file_id, self.ctx.svc.settings.max_file_size)
                return basename(path) or "file", data

            file_ids += await self.fetch_in(name, int(item.get("file_size") or 0), download)
        return file_ids

    # Outbound ----------------------------------------------------------------------------------------------

    @staticmethod
    def line(author: str, message: str) -> str:
        return f"{author}: {message}" if message else author

    async def send(self, text: str, reply_to: str, author: str, files: list[Upload]) -> list[str]:
        reply = int(reply_to) if reply_to.isdigit() else None
        sent = [await self.api.send_message(self.chat_id, piece, reply_to=reply) for piece in split_text(text, TEXT_LIMIT)]
        for file in files:
            sent.append(await self.api.send_file(self.chat_id, file, caption=author, reply_to=reply))
        return [str(message["message_id"]) for message in sent]

    async def edit(self, remote_id: str, text: str) -> None:
        await self.api.edit_message_text(self.chat_id, int(remote_id), text)

    async def remove(self, remote_id: str) -> None:
        await self.api.delete_message(self.chat_id, int(remote_id))


def sender_name(message: dict[str, Any]) -> str:
    """The @username, else the person's name; for a message sent on behalf of a chat (anonymous admins,
    linked channels), that chat's title."""
    if isinstance(message.get("sender_chat"), dict):
        return str(message["sender_chat"].get("title") or "")
    sender = message.get("from") or {}
    return str(sender.get("username") or " ".join(p for p in (sender.get("first_name"), sender.get("last_name")) if p))
