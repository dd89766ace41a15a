"""A small client for the Telegram Bot API (https://core.telegram.org/bots/api): JSON over HTTPS to
`<api_url>/bot<token>/<method>`, files as multipart, downloads from `<api_url>/file/bot<token>/<file_path>`.

Every answer is `{"ok": true, "result": …}` or `{"ok": false, "error_code": …, "description": …,
"parameters": {"retry_after": N}}`. A 429 with `retry_after` is waited out and the call repeated (a few
times); other errors raise `TelegramError`. Network failures raise httpx's errors: the bridge worker decides
whether to reconnect.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from typing import Any

import httpx

from kafana.bridges.net import Upload

log = logging.getLogger(__name__)

API_URL = "https://api.telegram.org"
TEXT_LIMIT = 4096  # characters of one message's text
CAPTION_LIMIT = 1024
PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})  # sent with sendPhoto; the rest as documents
RATE_LIMIT_RETRIES = 5
# The updates a bridge reads: a group's messages, or a channel's posts (the bot an admin there), and their edits.
UPDATES = ("message", "edited_message", "channel_post", "edited_channel_post")


class _HideTokens(logging.Filter):
    """The token is part of every Bot API URL, and httpx logs each request's URL (at INFO): shown as
    `bot<token>` instead, so logs never hold a bot's credentials."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(TOKEN_IN_URL.sub("/bot<token>/", str(a)) if isinstance(a, httpx.URL | str) else a for a in record.args)
        return True


TOKEN_IN_URL = re.compile(r"/bot[0-9]+:[A-Za-z0-9_-]+/")
logging.getLogger("httpx").addFilter(_HideTokens())


class TelegramError(Exception):
    def __init__(self, method: str, status: int, description: str) -> None:
        super().__init__(f"{method}: {status} {description}")
        self.status = status
        self.description = description


class BotApi:
    """One bot's calls. `poll_timeout` is getUpdates' long-polling wait, so reads allow a little more."""

    def __init__(self, token: str, api_url: str = API_URL, *, poll_timeout: int = 25) -> None:
        self.token = token
        self.api_url = (api_url or API_URL).rstrip("/")
        self.poll_timeout = poll_timeout
        self.client = httpx.AsyncClient(timeout=httpx.Timeout(30.0, read=poll_timeout + 15.0), trust_env=False, follow_redirects=False)

    async def aclose(self) -> None:
        await self.client.aclose()

    async def call(self, method: str, params: dict[str, Any] | None = None, *, upload: tuple[str, Upload] | None = None) -> Any:
        url = f"{self.api_url}/bot{self.token}/{method}"
        params = {k: v for k, v in (params or {}).items() if v is not None}
        for attempt in range(RATE_LIMIT_RETRIES + 1):
            if upload is not None:
                field, file = upload
                form = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
                response = await self.client.post(url, data=form, files={field: (file.name, file.data, file.content_type)})
            else:
                response = await self.client.post(url, json=params)
            try:
                body = response.json()
            except ValueError:
                raise TelegramError(method, response.status_code, "the answer is not JSON") from None
            if body.get("ok"):
                return body.get("result")
            code = int(body.get("error_code") or response.status_code)
            retry_after = float((body.get("parameters") or {}).get("retry_after") or 0)
            if code == 429 and attempt < RATE_LIMIT_RETRIES:
                log.info("telegram %s: rate limited, retrying in %.0f s", method, retry_after)
                await asyncio.sleep(retry_after or 1.0)
                continue
            raise TelegramError(method, code, str(body.get("description", "")))
        raise AssertionError("unreachable")

    async def get_me(self) -> dict[str, Any]:
        result: dict[str, Any] = await self.call("getMe")
        return result

    async def delete_webhook(self) -> None:
        """getUpdates answers 409 while a webhook is set."""
        await self.call("deleteWebhook")

    async def get_updates(self, offset: int) -> list[dict[str, Any]]:
        """The updates from `offset` on (confirming the earlier ones), waiting up to `poll_timeout` for one."""
        params = {"offset": offset, "timeout": self.poll_timeout, "allowed_updates": list(UPDATES)}
        result: list[dict[str, Any]] = await self.call("getUpdates", params)
        return result

    async def send_message(self, chat_id: str, text: str, *, reply_to: int | None = None) -> dict[str, Any]:
        params = {"chat_id": chat_id, "text": text, "reply_parameters": _reply(reply_to), "link_preview_options": {"is_disabled": True}}
        result: dict[str, Any] = await self.call("sendMessage", params)
        return result

    async def send_file(self, chat_id: str, file: Upload, *, caption: str = "", reply_to: int | None = None) -> dict[str, Any]:
        """A photo (shown inline) for the image types Telegram displays, else a document."""
        method, field = ("sendPhoto", "photo") if file.content_type in PHOTO_TYPES else ("sendDocument", "document")
        params = {"chat_id": chat_id, "caption": caption[:CAPTION_LIMIT] or None, "reply_parameters": _reply(reply_to)}
        result: dict[str, Any] = await self.call(method, params, upload=(field, file))
        return result

    async def edit_message_text(self, chat_id: str, message_id: int, text: str) -> None:
        await self.call("editMessageText", {"chat_id": chat_id, "message_id": message_id, "text": text})

    async def delete_message(self, chat_id: str, message_id: int) -> None:
        await self.call("deleteMessage", {"chat_id": chat_id, "message_id": message_id})

    async def download(self, file_id: str, limit: int) -> tuple[str, bytes]:
        """getFile, then the bytes from the file endpoint: (file_path, data). Refuses files over `limit` bytes."""
        info = await self.call("getFile", {"file_id": file_id})
        path = str(info.get("file_path") or "")
        if not path:
            raise TelegramError("getFile", 400, "no file_path (the file is too big for bots to download)")
        if int(info.get("file_size") or 0) > limit:
            raise TelegramError("getFile", 413, f"the file is larger than {limit} bytes")
        data = bytearray()
        async with self.client.stream("GET", f"{self.api_url}/file/bot{self.token}/{path}") as response:
            if response.status_code != 200:
                raise TelegramError("file", response.status_code, "download failed")
            async for chunk in response.aiter_bytes():
                data += chunk
                if len(data) > limit:
                    raise TelegramError("file", 413, f"the file is larger than {limit} bytes")
        return path, bytes(data)


def _reply(message_id: int | None) -> dict[str, Any] | None:
    """Answer a message; still send if it was deleted meanwhile."""
    return {"message_id": message_id, "allow_sending_without_reply": True} if message_id else None
