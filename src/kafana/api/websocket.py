"""`/api/v4/websocket`: Mattermost's WebSocket protocol (reference §3) on top of the hub.

Authentication: a Bearer (or `Token`) header or the MMAUTHTOKEN cookie on the upgrade — a cookie only with an
Origin matching the Host, else a cross-site page could ride the user's session (S6) — or, after the upgrade,
a first message `authentication_challenge`. Tokens in the URL are refused (they end up in logs). Bad
credentials on the upgrade get an HTTP error before any upgrade; an unauthenticated socket is closed after
`hub.auth_timeout`.

Then `hello` (seq 0), or, for `?connection_id=…&sequence_number=N` still in the hub's buffer, the missed
events from N without a hello. Client requests are answered with `seq_reply`; frames that are not a JSON
object with the right types close the socket (1008), frames over 64 KiB close it with 1009 (D5).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable
from typing import Any

import orjson
from fastapi import APIRouter, WebSocket
from starlette.websockets import WebSocketDisconnect

from kafana.actions import auth, presence
from kafana.actions import statuses as status_actions
from kafana.actions.context import Actor, Services
from kafana.api.responses import JSON
from kafana.events import to_channel
from kafana.lib.clock import now_ms
from kafana.lib.errors import AppError
from kafana.lib.ids import is_valid_id
from kafana.realtime import Connection, Hub
from kafana.realtime.connection import CLOSE_POLICY, CLOSE_TOO_BIG, Outlet
from kafana.realtime.frames import reply
from kafana.realtime.hub import TokenCheck

router = APIRouter()
log = logging.getLogger(__name__)

MAX_FRAME = 64 * 1024
MAX_FRAMES_PER_SECOND = 200
MAX_STATUS_IDS = 1000
# Requests clients send that need no work: answer OK, not FAIL.
ACCEPTED_NO_OPS = frozenset({"authentication_challenge", "presence", "posted_notify_ack"})


def token_checker(svc: Services) -> TokenCheck:
    """The hub's periodic re-check: does this token still authenticate (session alive, user active)?"""

    async def check(token: str) -> bool:
        try:
            await auth.authenticate(svc, token)
        except AppError:
            return False
        except Exception:  # a database hiccup is not a revocation
            return True
        return True

    return check


def _upgrade_token(ws: WebSocket) -> tuple[str, bool]:
    header = ws.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() in ("bearer", "token") and value.strip():
        return value.strip(), False
    return ws.cookies.get("MMAUTHTOKEN", ""), True


def _same_origin(ws: WebSocket) -> bool:
    origin = ws.headers.get("origin")
    return origin is None or origin.split("://", 1)[-1].rstrip("/") == ws.headers.get("host", "")


async def _deny(ws: WebSocket, hub: Hub, error: AppError) -> None:
    """An HTTP error instead of the upgrade, in Mattermost's error JSON (S6: refused before the upgrade)."""
    body = {"id": error.id, "message": error.message, "detailed_error": "", "request_id": "", "status_code": error.status_code, "is_oauth": False}
    await ws.send_denial_response(JSON(body, status_code=error.status_code, headers={"X-Version-Id": hub.server_version}))


@router.websocket("/websocket")
@router.websocket("/websocket/")
async def websocket(ws: WebSocket) -> None:
    svc: Services = ws.app.state.services
    hub: Hub = ws.app.state.hub
    if "access_token" in ws.query_params or "token" in ws.query_params:
        await _deny(ws, hub, AppError(401, "api.web_socket.connect.token_in_url.app_error", "Tokens are not accepted in the URL."))
        return
    token, from_cookie = _upgrade_token(ws)
    actor: Actor | None = None
    if token:
        if from_cookie and not _same_origin(ws):
            await _deny(ws, hub, AppError(403, "api.web_socket.connect.origin.app_error", "Cross-site WebSocket refused."))
            return
        try:
            actor = await auth.authenticate(svc, token)
        except AppError as exc:
            await _deny(ws, hub, exc)
            return
    await ws.accept()
    if actor is None:
        found = await _challenge(ws, svc, hub.auth_timeout)
        if found is None:
            return
        actor, token = found
    conn, outlet = _attach(ws, hub, actor, token)
    user_id = actor.user_id
    await _presence(presence.do_connect(svc, user_id), user_id)
    await _serve(ws, svc, hub, conn, outlet)
    await _presence(presence.do_disconnect(svc, user_id, lambda: hub.is_connected(user_id)), user_id)


async def _presence(change: Awaitable[None], user_id: str) -> None:
    """Presence is best effort: a failure (the server shutting down) must not break the socket's handling;
    the heartbeat and the sweep repair what was missed."""
    try:
        await change
    except Exception:
        log.warning("could not record presence for %s", user_id, exc_info=True)


async def _challenge(ws: WebSocket, svc: Services, wait_s: float) -> tuple[Actor, str] | None:
    """Wait (bounded) for `authentication_challenge`; anything else closes the socket."""
    try:
        text = await asyncio.wait_for(_receive_text(ws), wait_s)
    except (TimeoutError, WebSocketDisconnect):
        await _close(ws, CLOSE_POLICY)
        return None
    message = _parse(text) if text is not None and len(text) <= MAX_FRAME else None
    data = message.get("data") if message is not None else None
    token = data.get("token") if isinstance(data, dict) else None
    if message is None or message.get("action") != "authentication_challenge" or not isinstance(token, str):
        await _close(ws, CLOSE_TOO_BIG if text is not None and len(text) > MAX_FRAME else CLOSE_POLICY)
        return None
    try:
        actor = await auth.authenticate(svc, token)
    except AppError as exc:
        await ws.send_text(reply(message["seq"], "FAIL", error=_error(exc)))
        await _close(ws, CLOSE_POLICY)
        return None
    await ws.send_text(reply(message["seq"]))
    return actor, token


def _attach(ws: WebSocket, hub: Hub, actor: Actor, token: str) -> tuple[Connection, Outlet]:
    user_id = actor.user_id
    connection_id = ws.query_params.get("connection_id", "")
    try:
        sequence_number = int(ws.query_params.get("sequence_number", ""))
    except ValueError:
        sequence_number = -1
    if connection_id and sequence_number >= 0:
        resumed = hub.resume(connection_id, user_id, token, sequence_number, is_admin=actor.is_admin)
        if resumed is not None:
            return resumed
    return hub.open(user_id, token, is_admin=actor.is_admin)


async def _serve(ws: WebSocket, svc: Services, hub: Hub, conn: Connection, outlet: Outlet) -> None:
    """Read client requests here while a writer task drains the outlet; whichever ends first ends both."""
    writer = asyncio.create_task(outlet.pump(ws.send_text))
    code: int | None = None
    try:
        code = await _read_loop(ws, svc, hub, conn, outlet, writer)
    except WebSocketDisconnect:
        pass
    finally:
        hub.detach(conn, outlet)
        if not writer.done():
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await writer
    if code is not None:
        await _close(ws, code)


async def _read_loop(ws: WebSocket, svc: Services, hub: Hub, conn: Connection, outlet: Outlet, writer: asyncio.Task[int]) -> int | None:
    """Returns the close code to send, or None when the peer is gone."""
    window, count = time.monotonic(), 0
    while True:
        receiving = asyncio.ensure_future(_receive_text(ws))
        done, _ = await asyncio.wait((receiving, writer), return_when=asyncio.FIRST_COMPLETED)
        if receiving not in done:
            receiving.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await receiving
            # The hub closed the outlet (full queue, revoked token), or sending failed (the peer is gone).
            return None if writer.cancelled() or writer.exception() is not None else writer.result()
        text = receiving.result()
        if text is None:
            return CLOSE_POLICY
        if len(text) > MAX_FRAME:
            return CLOSE_TOO_BIG
        now = time.monotonic()
        if now - window >= 1.0:
            window, count = now, 0
        count += 1
        if count > MAX_FRAMES_PER_SECOND:
            return CLOSE_POLICY
        message = _parse(text)
        if message is None:
            return CLOSE_POLICY
        outlet.put(await _handle(svc, hub, conn, message))


async def _receive_text(ws: WebSocket) -> str | None:
    """The next text frame; None for a binary frame; raises WebSocketDisconnect when the peer is gone."""
    message = await ws.receive()
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000))
    text = message.get("text")
    return text if isinstance(text, str) else None


def _parse(text: str) -> dict[str, Any] | None:
    """A client request: a JSON object with a string `action`, an integer `seq` and an optional object `data`."""
    try:
        message = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(message, dict) or not isinstance(message.get("action"), str):
        return None
    seq, data = message.get("seq"), message.get("data", {})
    if not isinstance(seq, int) or isinstance(seq, bool) or not isinstance(data, dict | None):
        return None
    message["data"] = data or {}
    return message


async def _handle(svc: Services, hub: Hub, conn: Connection, message: dict[str, Any]) -> str:
    seq, action, data = message["seq"], message["action"], message["data"]
    try:
        if action == "ping":
            return reply(seq, data={"text": "pong", "version": hub.server_version, "server_time": now_ms(), "node_id": svc.node_id})
        if action in ACCEPTED_NO_OPS:
            return reply(seq)
        if action == "user_typing":
            await _typing(hub, conn, data)
            await presence.do_note_activity(svc, conn.user_id)
            return reply(seq)
        if action == "user_update_active_status":
            if data.get("user_is_active") is not False:
                await presence.do_note_activity(svc, conn.user_id)
            return reply(seq)
        if action == "get_statuses":
            return reply(seq, data={s.user_id: s.status for s in await status_actions.get_shown_statuses(svc)})
        if action == "get_statuses_by_ids":
            ids = data.get("user_ids")
            if not isinstance(ids, list) or len(ids) > MAX_STATUS_IDS or not all(is_valid_id(u) for u in ids):
                raise AppError(400, "api.websocket_handler.invalid_param.app_error", "Invalid user_ids.")
            return reply(seq, data=await _statuses(svc, conn, ids))
        raise AppError(400, "api.web_socket_router.bad_action.app_error", "Unknown action.")
    except AppError as exc:
        return reply(seq, "FAIL", error=_error(exc))
    except Exception:  # a failing request must not take the socket down
        log.exception("WebSocket action %r failed", action)
        return reply(seq, "FAIL", error=_error(AppError(500, "api.websocket_handler.server_error.app_error", "The request failed.")))


async def _typing(hub: Hub, conn: Connection, data: dict[str, Any]) -> None:
    """Typing goes to the channel's other members, and only from a member (no database write)."""
    channel_id, parent_id = data.get("channel_id"), data.get("parent_id", "")
    if not is_valid_id(channel_id) or not isinstance(parent_id, str) or (parent_id and not is_valid_id(parent_id)):
        raise AppError(400, "api.websocket_handler.invalid_param.app_error", "Invalid channel_id or parent_id.")
    assert isinstance(channel_id, str)
    if not await hub.is_member(channel_id, conn.user_id):
        raise AppError(404, "app.channel.get.app_error", "Unable to find the channel.")
    await hub.publish([to_channel(channel_id, "typing", {"user_id": conn.user_id, "parent_id": parent_id}, omit=frozenset({conn.user_id}))])


async def _statuses(svc: Services, conn: Connection, user_ids: list[str]) -> dict[str, str]:
    rows = await status_actions.get_statuses(svc, Actor(None), list(dict.fromkeys(user_ids)))
    return {s.user_id: s.status for s in rows}


def _error(exc: AppError) -> dict[str, Any]:
    return {"id": exc.id, "message": exc.message, "detailed_error": exc.detailed_error, "status_code": exc.status_code}


async def _close(ws: WebSocket, code: int) -> None:
    with contextlib.suppress(Exception):
        await ws.close(code)
