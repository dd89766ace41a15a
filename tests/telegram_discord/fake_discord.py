"""A local Discord, after https://discord.com/developers/docs: the REST API under `/api/v10` and the Gateway
(a WebSocket of JSON frames) at `/gateway`.

Gateway: HELLO (op 10) with `heartbeat_interval`; IDENTIFY (op 2) starts a session (READY with `session_id`
and `resume_gateway_url`); HEARTBEAT (op 1) is ACKed (op 11); dispatches (op 0) carry increasing sequence
numbers and are kept per session, so RESUME (op 6) replays what the client missed (then RESUMED); an unknown
session gets INVALID_SESSION (op 9, `d: false`); a bad token is closed with 4004. REST: messages are created
(JSON, or multipart with `payload_json` and `files[n]`), edited and deleted in channels, each change also
dispatched to the Gateway as real Discord does (the bot sees its own messages); the next requests can be
answered 429 with `retry_after` and the `X-RateLimit-*` headers.

Tests play the people in the guild (`user_says`, `user_edits`, `user_deletes`), look at what the bot sent
(`sent`, `wait_sent`), drop the socket (`drop`) or ask for a reconnect (`ask_reconnect`).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from tests.local_server import serve

WAIT = 10.0
GUILD_ID = "900000000000000001"


@dataclass
class Sent:
    """A REST call the bot made: method, channel, message id (edits, deletes), JSON payload, uploaded files."""

    method: str
    channel_id: str
    message_id: str
    payload: dict[str, Any]
    files: list[tuple[str, bytes]] = field(default_factory=list)


@dataclass
class Session:
    id: str
    seq: int = 0
    events: list[dict[str, Any]] = field(default_factory=list)  # every dispatch, for resumes
    socket: WebSocket | None = None


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


class FakeDiscord:
    def __init__(self, token: str = "discord-bot-token", heartbeat_interval_ms: int = 41250) -> None:
        self.token = token
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.bot = {"id": "800000000000000001", "username": "kafana", "global_name": None, "bot": True, "discriminator": "0"}
        self.base = ""  # http://127.0.0.1:port while serving
        self.sessions: dict[str, Session] = {}
        self.current: Session | None = None
        self.identifies = 0
        self.resumes: list[int] = []  # the seq of each RESUME
        self.heartbeats: list[int | None] = []  # the seq each HEARTBEAT carried
        self.ack_heartbeats = True
        self.accepting = asyncio.Event()
        self.accepting.set()
        self.history_requests: list[dict[str, str]] = []  # the query of each GET of a channel's messages
        self.sent: list[Sent] = []
        self.messages: dict[str, dict[str, Any]] = {}
        self.attachments: dict[str, tuple[str, bytes]] = {}  # path → (content type, bytes)
        self.rate_limited: list[float] = []  # retry_after of the next REST answers
        self._ids = itertools.count(1_000_000_000_000_000_000)
        self._changed = asyncio.Condition()
        self.app = Starlette(
            routes=[
                WebSocketRoute("/gateway", self._gateway),
                Route("/api/v10/gateway/bot", self._gateway_bot, methods=["GET"]),
                Route("/api/v10/channels/{channel_id}/messages", self._create, methods=["POST"]),
                Route("/api/v10/channels/{channel_id}/messages", self._history, methods=["GET"]),
                Route("/api/v10/channels/{channel_id}/messages/{message_id}", self._change, methods=["PATCH", "DELETE"]),
                Route("/attachments/{path:path}", self._attachment, methods=["GET"]),
            ]
        )

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[FakeDiscord]:
        async with serve(self.app, ws="websockets-sansio") as port:
            self.base = f"http://127.0.0.1:{port}"
            yield self

    @property
    def api_url(self) -> str:
        return self.base + "/api/v10"

    @property
    def gateway_url(self) -> str:
        return self.base.replace("http://", "ws://") + "/gateway"

    def new_id(self) -> str:
        return str(next(self._ids))

    # The test's side -------------------------------------------------------------------------------------

    @staticmethod
    def person(user_id: str, username: str, nick: str = "") -> dict[str, Any]:
        return {"id": user_id, "username": username, "global_name": nick or None, "bot": False, "discriminator": "0"}

    async def user_says(
        self,
        channel_id: str,
        author: dict[str, Any],
        content: str = "",
        *,
        reply_to: dict[str, Any] | None = None,
        files: Sequence[tuple[str, str, bytes]] = (),
    ) -> dict[str, Any]:
        """Someone posts in a guild channel: MESSAGE_CREATE (attachments are served by this fake)."""
        message = self._message(channel_id, author, content, reply_to=reply_to)
        for name, kind, data in files:
            attachment_id = self.new_id()
            path = f"{channel_id}/{attachment_id}/{name}"
            self.attachments[path] = (kind, data)
            url = f"{self.base}/attachments/{path}"
            message["attachments"].append({"id": attachment_id, "filename": name, "size": len(data), "url": url, "proxy_url": url, "content_type": kind})
        await self.dispatch("MESSAGE_CREATE", {**message, "member": {"nick": None, "roles": []}})
        return message

    async def user_edits(self, message: dict[str, Any], content: str) -> None:
        message.update(content=content, edited_timestamp=now_iso())
        await self.dispatch("MESSAGE_UPDATE", dict(message))

    async def user_deletes(self, message: dict[str, Any]) -> None:
        self.messages.pop(message["id"], None)
        await self.dispatch("MESSAGE_DELETE", {"id": message["id"], "channel_id": message["channel_id"], "guild_id": GUILD_ID})

    def rate_limit(self, retry_after: float = 0.5, times: int = 1) -> None:
        self.rate_limited.extend([retry_after] * times)

    async def drop(self, *, session_lost: bool = False) -> None:
        """The connection breaks (closed with 4000, a resumable code): the client must resume. With
        `session_lost`, the session ends instead (4009, session timed out): what is said before the client
        identifies again reaches it only through the channel's history; new sessions wait for `accept()`."""
        session = self.current
        if session_lost:
            self.current = None
            self.accepting.clear()
        if session is not None and session.socket is not None:
            socket, session.socket = session.socket, None
            with contextlib.suppress(Exception):
                await socket.close(4009 if session_lost else 4000)

    def accept(self) -> None:
        self.accepting.set()

    async def ask_reconnect(self) -> None:
        """RECONNECT (op 7): the client must close and resume on a new connection."""
        session = self.current
        if session is not None and session.socket is not None:
            await session.socket.send_json({"op": 7, "d": None})

    async def wait_sent(self, predicate: Callable[[Sent], bool], what: str = "a message") -> Sent:
        async with asyncio.timeout(WAIT), self._changed:
            while True:
                for sent in self.sent:
                    if predicate(sent):
                        return sent
                await self._changed.wait()
        raise AssertionError(f"the bot never sent {what}")

    async def wait_ready(self, identifies: int = 1, resumes: int = 0) -> None:
        """Until the bot has identified `identifies` times and resumed `resumes` times, and is connected."""
        async with asyncio.timeout(WAIT), self._changed:
            await self._changed.wait_for(
                lambda: self.identifies >= identifies and len(self.resumes) >= resumes and self.current is not None and self.current.socket is not None
            )

    async def wait_heartbeats(self, count: int) -> None:
        async with asyncio.timeout(WAIT), self._changed:
            await self._changed.wait_for(lambda: len(self.heartbeats) >= count)

    # Gateway ---------------------------------------------------------------------------------------------

    async def dispatch(self, name: str, data: dict[str, Any]) -> None:
        """Send a dispatch on the current session (kept for a resume if the socket is down)."""
        session = self.current
        if session is None:
            return
        session.seq += 1
        frame = {"op": 0, "t": name, "s": session.seq, "d": data}
        session.events.append(frame)
        if session.socket is not None:
            with contextlib.suppress(Exception):
                await session.socket.send_json(frame)

    async def _gateway(self, ws: WebSocket) -> None:
        await ws.accept()
        await ws.send_json({"op": 10, "d": {"heartbeat_interval": self.heartbeat_interval_ms}, "s": None, "t": None})
        try:
            first = await ws.receive_json()
            session = await self._start(ws, first)
            if session is None:
                return
            while True:
                frame = await ws.receive_json()
                if frame.get("op") == 1:
                    async with self._changed:
                        self.heartbeats.append(frame.get("d"))
                        self._changed.notify_all()
                    if self.ack_heartbeats:
                        await ws.send_json({"op": 11, "d": None})
        except WebSocketDisconnect:
            pass
        finally:
            async with self._changed:
                for session in self.sessions.values():
                    if session.socket is ws:
                        session.socket = None
                self._changed.notify_all()

    async def _start(self, ws: WebSocket, first: dict[str, Any]) -> Session | None:
        op, data = first.get("op"), first.get("d") or {}
        if op not in (2, 6) or data.get("token") != self.token:
            await ws.close(4004 if op in (2, 6) else 4003)
            return None
        if op == 2:
            await self.accepting.wait()
        async with self._changed:
            if op == 2:
                session = Session(id=f"session{len(self.sessions) + 1}")
                self.sessions[session.id] = session
                self.identifies += 1
                self.current, session.socket = session, ws
                session.seq += 1
                ready = {
                    "v": 10, "user": self.bot, "guilds": [{"id": GUILD_ID, "unavailable": True}], "session_id": session.id,
                    "resume_gateway_url": self.gateway_url, "application": {"id": self.bot["id"], "flags": 0},
                }  # fmt: skip
                frame = {"op": 0, "t": "READY", "s": session.seq, "d": ready}
                session.events.append(frame)
                await ws.send_json(frame)
            else:
                found = self.sessions.get(str(data.get("session_id")))
                if found is None or found is not self.current:
                    await ws.send_json({"op": 9, "d": False})
                    return None
                session = found
                self.resumes.append(int(data.get("seq") or 0))
                session.socket = ws
                for frame in session.events:
                    if frame["s"] > int(data.get("seq") or 0):
                        await ws.send_json(frame)
                session.seq += 1
                resumed = {"op": 0, "t": "RESUMED", "s": session.seq, "d": {}}
                session.events.append(resumed)
                await ws.send_json(resumed)
            self._changed.notify_all()
        return session

    # REST ------------------------------------------------------------------------------------------------

    def _refusal(self, request: Request) -> Response | None:
        if request.headers.get("authorization") != f"Bot {self.token}":
            return JSONResponse({"message": "401: Unauthorized", "code": 0}, status_code=401)
        if self.rate_limited:
            retry_after = self.rate_limited.pop(0)
            headers = {
                "Retry-After": str(max(1, round(retry_after))), "X-RateLimit-Limit": "5", "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset-After": str(retry_after), "X-RateLimit-Bucket": "fakebucket", "X-RateLimit-Scope": "user",
            }  # fmt: skip
            body = {"message": "You are being rate limited.", "retry_after": retry_after, "global": False}
            return JSONResponse(body, status_code=429, headers=headers)
        return None

    async def _gateway_bot(self, request: Request) -> Response:
        refused = self._refusal(request)
        if refused is not None:
            return refused
        limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
        return JSONResponse({"url": self.gateway_url, "shards": 1, "session_start_limit": limit})

    def _message(self, channel_id: str, author: dict[str, Any], content: str, *, reply_to: dict[str, Any] | None = None) -> dict[str, Any]:
        message: dict[str, Any] = {
            "id": self.new_id(), "channel_id": channel_id, "guild_id": GUILD_ID, "author": author, "content": content,
            "timestamp": now_iso(), "edited_timestamp": None, "attachments": [], "embeds": [], "mentions": [], "type": 0,
        }  # fmt: skip
        if reply_to is not None:
            message["type"] = 19
            message["message_reference"] = {"message_id": reply_to["id"], "channel_id": reply_to["channel_id"], "guild_id": GUILD_ID}
            message["referenced_message"] = reply_to
        self.messages[message["id"]] = message
        return message

    async def _record(self, sent: Sent) -> None:
        async with self._changed:
            self.sent.append(sent)
            self._changed.notify_all()

    async def _create(self, request: Request) -> Response:
        refused = self._refusal(request)
        if refused is not None:
            return refused
        channel_id = request.path_params["channel_id"]
        files: list[tuple[str, bytes]] = []
        if request.headers.get("content-type", "").startswith("multipart/form-data"):
            async with request.form() as form:
                payload = json.loads(str(form.get("payload_json") or "{}"))
                for key, value in form.multi_items():
                    if key.startswith("files[") and isinstance(value, UploadFile):
                        files.append((value.filename or "file", await value.read()))
        else:
            payload = await request.json()
        if not payload.get("content") and not files:
            return JSONResponse({"message": "Cannot send an empty message", "code": 50006}, status_code=400)
        reference = payload.get("message_reference") or {}
        replied = self.messages.get(str(reference.get("message_id", "")))
        message = self._message(channel_id, self.bot, str(payload.get("content", "")), reply_to=replied)
        for name, data in files:
            path = f"{channel_id}/{self.new_id()}/{name}"
            self.attachments[path] = ("application/octet-stream", data)
            message["attachments"].append({"id": path.split("/")[1], "filename": name, "size": len(data), "url": f"{self.base}/attachments/{path}"})
        await self._record(Sent("POST", channel_id, message["id"], payload, files))
        await self.dispatch("MESSAGE_CREATE", message)
        return JSONResponse(message)

    async def _history(self, request: Request) -> Response:
        """GET /channels/{id}/messages?after=&limit=: the messages right after `after`, newest first."""
        refused = self._refusal(request)
        if refused is not None:
            return refused
        self.history_requests.append(dict(request.query_params))
        after = int(request.query_params.get("after") or 0)
        limit = min(int(request.query_params.get("limit") or 50), 100)
        found = sorted(
            (m for m in self.messages.values() if m["channel_id"] == request.path_params["channel_id"] and int(m["id"]) > after), key=lambda m: int(m["id"])
        )
        return JSONResponse(list(reversed(found[:limit])))

    async def _change(self, request: Request) -> Response:
        refused = self._refusal(request)
        if refused is not None:
            return refused
        channel_id, message_id = request.path_params["channel_id"], request.path_params["message_id"]
        found = self.messages.get(message_id)
        if found is None or found["channel_id"] != channel_id:
            return JSONResponse({"message": "Unknown Message", "code": 10008}, status_code=404)
        if request.method == "DELETE":
            del self.messages[message_id]
            await self._record(Sent("DELETE", channel_id, message_id, {}))
            await self.dispatch("MESSAGE_DELETE", {"id": message_id, "channel_id": channel_id, "guild_id": GUILD_ID})
            return Response(status_code=204)
        if found["author"]["id"] != self.bot["id"]:
            return JSONResponse({"message": "Cannot edit a message authored by another user", "code": 50005}, status_code=403)
        payload = await request.json()
        found.update(content=str(payload.get("content", "")), edited_timestamp=now_iso())
        await self._record(Sent("PATCH", channel_id, message_id, payload))
        await self.dispatch("MESSAGE_UPDATE", dict(found))
        return JSONResponse(found)

    async def _attachment(self, request: Request) -> Response:
        found = self.attachments.get(request.path_params["path"])
        if found is None:
            return Response(status_code=404)
        return Response(found[1], media_type=found[0])
