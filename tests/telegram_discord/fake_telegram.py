"""A local Telegram Bot API server, after https://core.telegram.org/bots/api.

It answers `/bot<token>/<method>` (parameters as JSON, form, multipart or query string) with `{"ok": true,
"result": …}` or `{"ok": false, "error_code": …, "description": …}`, long-polls `getUpdates` (offset confirms
earlier updates, `timeout` waits), refuses `getUpdates` while a webhook is set (409) and then POSTs each Update
to the webhook instead, and serves files at `/file/bot<token>/<file_path>`.

Tests play the people in the chat (`user_says`, `user_edits`), look at what the bot sent (`sent`, `wait_sent`),
answer the next calls of a method with 429 `retry_after` (`rate_limit`), and cut long polls (`drop_polls`).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.local_server import serve

WAIT = 10.0


@dataclass(frozen=True)
class File:
    name: str
    data: bytes


@dataclass
class Sent:
    """A call the bot made that changed the chat: the method, its parameters, and an uploaded file."""

    method: str
    params: dict[str, Any]
    file_name: str = ""
    file_data: bytes = b""
    result: dict[str, Any] = field(default_factory=dict)


class FakeTelegram:
    def __init__(self, token: str = "123456:AAF-fakeTokenForTheLocalBotApi_0123") -> None:
        self.token = token
        self.bot = {"id": 123456, "is_bot": True, "first_name": "Kafana", "username": "kafana_bot"}
        self.url = ""  # set while serving: the API base URL
        self.updates: list[dict[str, Any]] = []
        self.confirmed = 0  # updates below this id are gone
        self.sent: list[Sent] = []
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.files: dict[str, tuple[str, bytes]] = {}  # file_id → (file_path, bytes)
        self.webhook: dict[str, str] = {}
        self.rate_limited: dict[str, list[int]] = {}  # method → retry_after of its next answers
        self.polls_to_drop = 0
        self.closing = False
        self.poll_offsets: list[int] = []
        self._ids = itertools.count(1000)
        self._update_ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self._webhook_task: asyncio.Task[None] | None = None
        self.app = Starlette(
            routes=[
                Route("/bot{token}/{method}", self._method, methods=["GET", "POST"]),
                Route("/file/bot{token}/{path:path}", self._file, methods=["GET"]),
            ]
        )

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[FakeTelegram]:
        async with serve(self.app) as port:
            self.url = f"http://127.0.0.1:{port}"
            try:
                yield self
            finally:
                if self._webhook_task is not None:
                    self._webhook_task.cancel()
                async with self._changed:  # end the long polls, so that the server can stop at once
                    self.closing = True
                    self._changed.notify_all()

    # The test's side -------------------------------------------------------------------------------------

    def chat(self, chat_id: int, title: str = "Wikimedia") -> dict[str, Any]:
        return {"id": chat_id, "type": "supergroup", "title": title}

    @staticmethod
    def person(user_id: int, first_name: str, username: str = "") -> dict[str, Any]:
        found: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if username:
            found["username"] = username
        return found

    async def user_says(
        self,
        chat_id: int,
        sender: dict[str, Any],
        text: str = "",
        *,
        reply_to: dict[str, Any] | None = None,
        photo: bytes = b"",
        document: tuple[str, str, bytes] | None = None,
    ) -> dict[str, Any]:
        """Someone writes in a chat the bot is in: a message update (a photo or document with `text` as caption)."""
        message = self._message(chat_id, sender, text, photo=photo, document=document)
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        await self._update("message", message)
        return message

    async def channel_posts(self, chat_id: int, title: str, text: str) -> dict[str, Any]:
        """A post in a Telegram channel the bot administers: a channel_post update, sent on behalf of the chat."""
        message = {"message_id": next(self._ids), "sender_chat": {"id": chat_id, "type": "channel", "title": title}, "date": int(time.time()), "text": text}
        message["chat"] = {"id": chat_id, "type": "channel", "title": title}
        self.messages[(chat_id, message["message_id"])] = message
        await self._update("channel_post", message)
        return message

    async def user_edits(self, message: dict[str, Any], text: str) -> dict[str, Any]:
        edited = {**message, "edit_date": int(time.time())}
        edited["caption" if "caption" in message else "text"] = text
        self.messages[(message["chat"]["id"], message["message_id"])] = edited
        await self._update("edited_channel_post" if message["chat"]["type"] == "channel" else "edited_message", edited)
        return edited

    def rate_limit(self, method: str, retry_after: int = 1, times: int = 1) -> None:
        self.rate_limited.setdefault(method, []).extend([retry_after] * times)

    def drop_polls(self, count: int = 1) -> None:
        """The next `count` getUpdates calls lose their connection (the bot must poll again)."""
        self.polls_to_drop += count

    async def wait_sent(self, predicate: Callable[[Sent], bool], what: str = "a call") -> Sent:
        async with asyncio.timeout(WAIT):
            async with self._changed:
                while True:
                    for sent in self.sent:
                        if predicate(sent):
                            return sent
                    await self._changed.wait()
        raise AssertionError(f"the bot never sent {what}")

    async def wait_polling(self, offset_above: int = 0) -> None:
        """Until the bot is in a getUpdates call with an offset above `offset_above` (it has confirmed those)."""
        async with asyncio.timeout(WAIT), self._changed:
            await self._changed.wait_for(lambda: any(o > offset_above for o in self.poll_offsets))

    # Building objects ------------------------------------------------------------------------------------

    def _message(
        self, chat_id: int, sender: dict[str, Any], text: str, *, photo: bytes = b"", document: tuple[str, str, bytes] | None = None
    ) -> dict[str, Any]:
        message: dict[str, Any] = {"message_id": next(self._ids), "from": sender, "chat": self.chat(chat_id), "date": int(time.time())}
        if photo:
            file_id = self._keep_file("photos/file_1.jpg", photo)
            message["photo"] = [{"file_id": file_id, "file_unique_id": file_id + "u", "width": 1, "height": 1, "file_size": len(photo)}]
        elif document is not None:
            name, mime, data = document
            file_id = self._keep_file(f"documents/{name}", data)
            message["document"] = {"file_id": file_id, "file_unique_id": file_id + "u", "file_name": name, "mime_type": mime, "file_size": len(data)}
        if text:
            message["caption" if photo or document else "text"] = text
        self.messages[(chat_id, message["message_id"])] = message
        return message

    def _keep_file(self, path: str, data: bytes) -> str:
        file_id = f"F{next(self._ids)}"
        self.files[file_id] = (path, data)
        return file_id

    async def _update(self, kind: str, payload: dict[str, Any]) -> None:
        async with self._changed:
            self.updates.append({"update_id": next(self._update_ids), kind: payload})
            self._changed.notify_all()

    # The Bot API -----------------------------------------------------------------------------------------

    @staticmethod
    def _error(code: int, description: str, retry_after: int = 0) -> JSONResponse:
        body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
        if retry_after:
            body["parameters"] = {"retry_after": retry_after}
        return JSONResponse(body, status_code=code)

    async def _params(self, request: Request) -> tuple[dict[str, Any], File | None]:
        params: dict[str, Any] = dict(request.query_params)
        upload = None
        kind = request.headers.get("content-type", "")
        if kind.startswith("application/json"):
            params.update(json.loads(await request.body() or b"{}"))
        elif kind.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
            async with request.form() as form:
                for key, value in form.multi_items():
                    if isinstance(value, UploadFile):
                        upload = File(value.filename or "file", await value.read())
                    else:
                        params[key] = value
        return params, upload

    async def _method(self, request: Request) -> Response:
        if request.path_params["token"] != self.token:
            return self._error(401, "Unauthorized")
        method = request.path_params["method"]
        params, upload = await self._params(request)
        pending = self.rate_limited.get(method)
        if pending:
            return self._error(429, f"Too Many Requests: retry after {pending[0]}", pending.pop(0))
        handler = getattr(self, "_m_" + method, None)
        if handler is None:
            return self._error(404, "Not Found")
        try:
            result = await handler(params, upload)
        except LookupError as exc:
            return self._error(400, f"Bad Request: {exc}")
        except _Drop:
            return Response("<html><body>502 Bad Gateway</body></html>", status_code=502, media_type="text/html")
        return JSONResponse({"ok": True, "result": result})

    async def _m_getMe(self, params: dict[str, Any], upload: File | None) -> Any:
        return self.bot

    async def _m_getUpdates(self, params: dict[str, Any], upload: File | None) -> Any:
        if self.webhook:
            raise LookupError("Conflict: can't use getUpdates method while webhook is active")
        offset = int(params.get("offset") or 0)
        timeout = min(float(params.get("timeout") or 0), 50.0)
        async with self._changed:
            self.confirmed = max(self.confirmed, offset)
            self.poll_offsets.append(offset)
            self._changed.notify_all()
            if self.polls_to_drop:
                self.polls_to_drop -= 1
                raise _Drop
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout):
                    await self._changed.wait_for(lambda: self.closing or any(u["update_id"] >= self.confirmed for u in self.updates))
            return [u for u in self.updates if u["update_id"] >= self.confirmed][:100]

    async def _m_setWebhook(self, params: dict[str, Any], upload: File | None) -> Any:
        self.webhook = {"url": str(params["url"]), "secret_token": str(params.get("secret_token", ""))}
        if self._webhook_task is None:
            self._webhook_task = asyncio.create_task(self._push_to_webhook())
        return True

    async def _m_deleteWebhook(self, params: dict[str, Any], upload: File | None) -> Any:
        self.webhook = {}
        return True

    async def _push_to_webhook(self) -> None:
        """Webhook mode: each unconfirmed update is POSTed to the webhook until it answers 2xx."""
        async with httpx.AsyncClient(timeout=WAIT) as client:
            while True:
                async with self._changed:
                    await self._changed.wait_for(lambda: bool(self.webhook) and any(u["update_id"] >= self.confirmed for u in self.updates))
                    update = next(u for u in self.updates if u["update_id"] >= self.confirmed)
                    hook = dict(self.webhook)
                headers = {"X-Telegram-Bot-Api-Secret-Token": hook["secret_token"]} if hook["secret_token"] else {}
                with contextlib.suppress(httpx.HTTPError):
                    response = await client.post(hook["url"], json=update, headers=headers)
                    if response.is_success:
                        self.confirmed = update["update_id"] + 1
                        continue
                await asyncio.sleep(0.5)  # a failing webhook is retried, as Telegram does (later)

    def _chat_message(self, params: dict[str, Any]) -> tuple[int, dict[str, Any] | None]:
        chat_id = int(params["chat_id"])
        reply = params.get("reply_parameters")
        if isinstance(reply, str):
            reply = json.loads(reply)
        reply_id = int(reply["message_id"]) if reply else int(params.get("reply_to_message_id") or 0)
        return chat_id, self.messages.get((chat_id, reply_id)) if reply_id else None

    async def _record(self, method: str, params: dict[str, Any], message: dict[str, Any], upload: File | None = None) -> dict[str, Any]:
        async with self._changed:
            self.sent.append(Sent(method, params, upload.name if upload else "", upload.data if upload else b"", message))
            self._changed.notify_all()
        return message

    def _bot_message(self, params: dict[str, Any], **content: Any) -> dict[str, Any]:
        chat_id, replied = self._chat_message(params)
        message = {"message_id": next(self._ids), "from": self.bot, "chat": self.chat(chat_id), "date": int(time.time()), **content}
        if replied is not None:
            message["reply_to_message"] = replied
        self.messages[(chat_id, message["message_id"])] = message
        return message

    async def _m_sendMessage(self, params: dict[str, Any], upload: File | None) -> Any:
        if not str(params.get("text", "")).strip():
            raise LookupError("message text is empty")
        return await self._record("sendMessage", params, self._bot_message(params, text=str(params["text"])))

    async def _send_file(self, method: str, params: dict[str, Any], upload: File | None, kind: str) -> Any:
        if upload is None:
            raise LookupError(f"there is no {kind} in the request")
        data = upload.data
        file_id = self._keep_file(f"{kind}s/{upload.name}", data)
        if kind == "photo":
            content: dict[str, Any] = {"photo": [{"file_id": file_id, "file_unique_id": file_id + "u", "width": 1, "height": 1, "file_size": len(data)}]}
        else:
            content = {"document": {"file_id": file_id, "file_unique_id": file_id + "u", "file_name": upload.name, "file_size": len(data)}}
        if params.get("caption"):
            content["caption"] = str(params["caption"])
        return await self._record(method, params, self._bot_message(params, **content), upload)

    async def _m_sendPhoto(self, params: dict[str, Any], upload: File | None) -> Any:
        return await self._send_file("sendPhoto", params, upload, "photo")

    async def _m_sendDocument(self, params: dict[str, Any], upload: File | None) -> Any:
        return await self._send_file("sendDocument", params, upload, "document")

    async def _edit(self, method: str, params: dict[str, Any], key: str) -> Any:
        found = self.messages.get((int(params["chat_id"]), int(params["message_id"])))
        if found is None or found["from"]["id"] != self.bot["id"]:
            raise LookupError("message to edit not found")
        found.update({key: str(params[key]), "edit_date": int(time.time())})
        return await self._record(method, params, dict(found))

    async def _m_editMessageText(self, params: dict[str, Any], upload: File | None) -> Any:
        return await self._edit("editMessageText", params, "text")

    async def _m_deleteMessage(self, params: dict[str, Any], upload: File | None) -> Any:
        if self.messages.pop((int(params["chat_id"]), int(params["message_id"])), None) is None:
            raise LookupError("message to delete not found")
        await self._record("deleteMessage", params, {})
        return True

    async def _m_getFile(self, params: dict[str, Any], upload: File | None) -> Any:
        file_id = str(params["file_id"])
        if file_id not in self.files:
            raise LookupError("wrong file_id or the file is temporarily unavailable")
        path, data = self.files[file_id]
        return {"file_id": file_id, "file_unique_id": file_id + "u", "file_size": len(data), "file_path": path}

    async def _file(self, request: Request) -> Response:
        if request.path_params["token"] != self.token:
            return self._error(401, "Unauthorized")
        for path, data in self.files.values():
            if path == request.path_params["path"]:
                return Response(data, media_type="application/octet-stream")
        return self._error(404, "Not Found")


class _Drop(Exception):
    """A poll cut off: answered as a proxy in front of the API would (502, not JSON); the bot must poll again."""
