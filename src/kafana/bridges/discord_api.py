"""A small client for Discord (https://discord.com/developers/docs): the REST API for sending, editing and
deleting messages, and the Gateway (a WebSocket of JSON frames) for receiving them.

REST: `Authorization: Bot <token>`; a 429 carries `retry_after` (seconds) in its JSON body and the
`Retry-After` / `X-RateLimit-*` headers: the request waits that long and is sent again. A route whose
`X-RateLimit-Remaining` reached 0 waits `X-RateLimit-Reset-After` before its next request.

Gateway: HELLO (op 10) gives the heartbeat interval; the client IDENTIFYs (op 2) or, with a session from an
earlier connection, RESUMEs (op 6) at READY's `resume_gateway_url` with the last sequence number, so events
sent while it was away are replayed. RECONNECT (op 7), a dropped socket or a missed heartbeat ACK (op 11)
mean reconnect and resume; INVALID_SESSION (op 9) with `d: false` means identify afresh. A dispatch's
sequence number counts as seen only once its handler returned, so an event whose handling failed comes back.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from kafana.bridges.net import Backoff, Upload

log = logging.getLogger(__name__)

API_URL = "https://discord.com/api/v10"
TEXT_LIMIT = 2000
RATE_LIMIT_RETRIES = 5
USER_AGENT = "DiscordBot (https://github.com/kafana, 0.1)"

# Gateway opcodes and the intents the bridge needs (guild messages with their content).
DISPATCH, HEARTBEAT, IDENTIFY, RESUME, RECONNECT, INVALID_SESSION, HELLO, HEARTBEAT_ACK = 0, 1, 2, 6, 7, 9, 10, 11
INTENTS = (1 << 0) | (1 << 9) | (1 << 15)  # GUILDS, GUILD_MESSAGES, MESSAGE_CONTENT
PROPERTIES = {"os": "linux", "browser": "kafana", "device": "kafana"}
FATAL_CLOSE_CODES = frozenset({4004, 4010, 4011, 4012, 4013, 4014})  # bad token, shards, intents: retrying cannot help
FRESH_SESSION_CLOSE_CODES = frozenset({4007, 4009})  # bad sequence, session timed out: identify again
RESUMABLE_CLOSE = 4000  # closing with 1000/1001 would end the session; any other code keeps it resumable
FRAME_LIMIT = 4 * 1024 * 1024


class DiscordError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status} {message}")
        self.status = status


class GatewayFatal(Exception):
    """The Gateway refused the bot for a reason reconnecting cannot fix (bad token, disallowed intents)."""


class DiscordRest:
    def __init__(self, token: str, api_url: str = API_URL) -> None:
        self.api_url = (api_url or API_URL).rstrip("/")
        headers = {"Authorization": f"Bot {token}", "User-Agent": USER_AGENT}
        self.client = httpx.AsyncClient(timeout=30.0, headers=headers, trust_env=False, follow_redirects=False)
        self._not_before: dict[str, float] = {}  # route → monotonic time its bucket refills

    async def aclose(self) -> None:
        await self.client.aclose()

    async def request(self, method: str, path: str, *, body: dict[str, Any] | None = None, files: Sequence[Upload] = ()) -> Any:
        route = f"{method} {'/'.join(path.split('/')[:3])}"  # the major parameter (channel) decides the bucket
        for attempt in range(RATE_LIMIT_RETRIES + 1):
            wait = self._not_before.get(route, 0.0) - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            if files:
                parts = [(f"files[{i}]", (f.name, f.data, f.content_type)) for i, f in enumerate(files)]
                response = await self.client.request(method, self.api_url + path, data={"payload_json": json.dumps(body or {})}, files=parts)
            else:
                response = await self.client.request(method, self.api_url + path, json=body)
            if response.headers.get("x-ratelimit-remaining") == "0":
                self._not_before[route] = time.monotonic() + _seconds(response.headers.get("x-ratelimit-reset-after"))
            if response.status_code == 429 and attempt < RATE_LIMIT_RETRIES:
                retry_after = _seconds(_json(response).get("retry_after") or response.headers.get("retry-after"))
                log.info("discord %s: rate limited, retrying in %.2f s", route, retry_after)
                await asyncio.sleep(retry_after)
                continue
            if response.status_code >= 400:
                raise DiscordError(response.status_code, str(_json(response).get("message", response.reason_phrase)))
            return response.json() if response.status_code != 204 else None
        raise AssertionError("unreachable")

    async def gateway_url(self) -> str:
        found = await self.request("GET", "/gateway/bot")
        return str(found["url"])

    async def send_message(self, channel_id: str, content: str, *, reply_to: str = "", files: Sequence[Upload] = ()) -> dict[str, Any]:
        """Post as the bot. Nobody is pinged by relayed text (`allowed_mentions` empty)."""
        body: dict[str, Any] = {"content": content, "allowed_mentions": {"parse": []}}
        if reply_to:
            body["message_reference"] = {"message_id": reply_to, "fail_if_not_exists": False}
        if files:
            body["attachments"] = [{"id": i, "filename": f.name} for i, f in enumerate(files)]
        sent: dict[str, Any] = await self.request("POST", f"/channels/{channel_id}/messages", body=body, files=files)
        return sent

    async def messages_after(self, channel_id: str, after: str, limit: int = 100) -> list[dict[str, Any]]:
        """Up to `limit` messages right after the message `after`, oldest first (Discord answers newest first)."""
        found: list[dict[str, Any]] = await self.request("GET", f"/channels/{channel_id}/messages?after={after}&limit={limit}")
        return sorted(found, key=lambda m: int(m["id"]))

    async def edit_message(self, channel_id: str, message_id: str, content: str) -> None:
        await self.request("PATCH", f"/channels/{channel_id}/messages/{message_id}", body={"content": content, "allowed_mentions": {"parse": []}})

    async def delete_message(self, channel_id: str, message_id: str) -> None:
        await self.request("DELETE", f"/channels/{channel_id}/messages/{message_id}")

    async def download(self, url: str, limit: int) -> bytes:
        """An attachment's bytes (attachment URLs need no token)."""
        data = bytearray()
        async with httpx.AsyncClient(timeout=30.0, trust_env=False) as plain, plain.stream("GET", url) as response:
            if response.status_code != 200:
                raise DiscordError(response.status_code, "attachment download failed")
            async for chunk in response.aiter_bytes():
                data += chunk
                if len(data) > limit:
                    raise DiscordError(413, f"the attachment is larger than {limit} bytes")
        return bytes(data)


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        found = response.json()
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def _seconds(value: Any) -> float:
    try:
        return max(0.0, float(value))
    except (TypeError, ValueError):
        return 1.0


Dispatch = Callable[[str, dict[str, Any]], Awaitable[None]]


class Gateway:
    """Keeps one Gateway session alive and hands every dispatch (event name, data) to `on_dispatch`."""

    def __init__(self, token: str, url: str, on_dispatch: Dispatch, *, intents: int = INTENTS) -> None:
        self.token = token
        self.url = url
        self.on_dispatch = on_dispatch
        self.intents = intents
        self.session_id = ""
        self.resume_url = ""
        self.seq: int | None = None
        self.user_id = ""  # the bot's own user (READY), whose messages come back as MESSAGE_CREATE

    async def run(self) -> None:
        """Connect, and reconnect (resuming) with backoff, until cancelled or refused for good."""
        backoff = Backoff()
        while True:
            try:
                if await self._connection():
                    backoff.reset()
                    continue  # asked to reconnect (op 7 or 9): at once
            except GatewayFatal:
                raise
            except (OSError, TimeoutError, ConnectionClosed, InvalidHandshake, InvalidURI) as exc:
                log.info("discord gateway: connection lost (%s); reconnecting", exc)
            except Exception:
                log.exception("discord gateway: an event could not be handled; resuming, to have it again")
            await backoff.wait()

    def _connect_url(self) -> str:
        parts = urlsplit(self.resume_url if self.session_id and self.resume_url else self.url)
        return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", "v=10&encoding=json", ""))

    async def _connection(self) -> bool:
        """One socket's life. True when the Gateway asked to reconnect; raises when the socket broke."""
        async with connect(self._connect_url(), max_size=FRAME_LIMIT, ping_interval=None, open_timeout=30, close_timeout=5) as ws:
            hello = json.loads(await asyncio.wait_for(ws.recv(), 30))
            if hello.get("op") != HELLO:
                raise ValueError("the Gateway did not say HELLO")
            acked = asyncio.Event()
            acked.set()
            beat = asyncio.create_task(self._heartbeat(ws, float(hello["d"]["heartbeat_interval"]) / 1000, acked))
            try:
                if self.session_id and self.seq is not None:
                    await self._send(ws, RESUME, {"token": self.token, "session_id": self.session_id, "seq": self.seq})
                else:
                    await self._send(ws, IDENTIFY, {"token": self.token, "intents": self.intents, "properties": PROPERTIES})
                return await self._read(ws, acked)
            except ConnectionClosed as closed:
                self._closed(closed)
                raise
            except BaseException:
                # A failed handler or a cancel: leave the session resumable (closing with 1000 would end it).
                with contextlib.suppress(Exception):
                    await asyncio.shield(ws.close(RESUMABLE_CLOSE, "going away"))
                raise
            finally:
                beat.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await beat

    def _closed(self, closed: ConnectionClosed) -> None:
        code = closed.rcvd.code if closed.rcvd is not None else 0
        if code in FATAL_CLOSE_CODES:
            raise GatewayFatal(f"the Gateway closed with {code}: {closed.rcvd.reason if closed.rcvd else ''}") from closed
        if code in FRESH_SESSION_CLOSE_CODES:
            self._forget_session()

    def _forget_session(self) -> None:
        self.session_id, self.resume_url, self.seq = "", "", None

    async def _read(self, ws: ClientConnection, acked: asyncio.Event) -> bool:
        async for raw in ws:
            frame = json.loads(raw)
            op = frame.get("op")
            if op == DISPATCH:
                await self._dispatch(str(frame.get("t") or ""), frame.get("d") or {})
                if frame.get("s") is not None:
                    self.seq = int(frame["s"])
            elif op == HEARTBEAT:
                await self._send(ws, HEARTBEAT, self.seq)
            elif op == HEARTBEAT_ACK:
                acked.set()
            elif op == RECONNECT:
                await ws.close(RESUMABLE_CLOSE, "reconnect requested")
                return True
            elif op == INVALID_SESSION:
                if not frame.get("d"):
                    self._forget_session()
                await ws.close(RESUMABLE_CLOSE, "invalid session")
                await asyncio.sleep(random.uniform(1, 5))  # as the Gateway asks, before identifying again
                return True
        raise ConnectionClosed(ws.protocol.close_rcvd, ws.protocol.close_sent)  # closed normally: still reconnect

    async def _dispatch(self, name: str, data: dict[str, Any]) -> None:
        if name == "READY":
            self.session_id = str(data["session_id"])
            self.resume_url = str(data.get("resume_gateway_url") or "")
            self.user_id = str((data.get("user") or {}).get("id", ""))
        await self.on_dispatch(name, data)

    async def _heartbeat(self, ws: ClientConnection, interval: float, acked: asyncio.Event) -> None:
        """Beat every `interval` (the first after a random part of it); a beat not ACKed by the next one
        means the connection is a zombie: close it so that the client resumes on a fresh one."""
        await asyncio.sleep(interval * random.random())
        while True:
            if not acked.is_set():
                log.info("discord gateway: heartbeat not acknowledged; reconnecting")
                await ws.close(RESUMABLE_CLOSE, "heartbeat not acknowledged")
                return
            acked.clear()
            await self._send(ws, HEARTBEAT, self.seq)
            await asyncio.sleep(interval)

    @staticmethod
    async def _send(ws: ClientConnection, op: int, data: Any) -> None:
        await ws.send(json.dumps({"op": op, "d": data}))


def same_origin(url: str, base: str) -> bool:
    a, b = urlsplit(url), urlsplit(base)
    return (a.scheme, a.hostname, a.port) == (b.scheme, b.hostname, b.port)
