"""The app served by a real uvicorn (websockets-sansio, as `kafana serve` runs it) inside the test's event loop.

REST calls still go through the in-process `http` client; sockets connect to the uvicorn port with the
`websockets` client. The listening socket is bound and listening before uvicorn starts, so clients can
connect at once (the kernel queues them): no polling for readiness.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from kafana.main import WEBSOCKET_SERVER_OPTIONS
from kafana.realtime import Hub
from tests.helpers import Api
from tests.local_server import serve

WAIT = 10.0  # seconds: the bound on every wait for a frame or a close


@pytest.fixture
async def ws_base(app: Any) -> AsyncIterator[str]:
    async with serve(app, **WEBSOCKET_SERVER_OPTIONS) as port:
        yield f"ws://127.0.0.1:{port}/api/v4/websocket"


@pytest.fixture
def hub(app: Any) -> Hub:
    h: Hub = app.state.hub
    return h


class Socket:
    """A client socket with bounded waits; `events` keeps what arrived, in order."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws

    async def send(self, message: Any) -> None:
        await self.ws.send(message if isinstance(message, str | bytes) else json.dumps(message))

    async def next(self) -> dict[str, Any]:
        raw = await asyncio.wait_for(self.ws.recv(), WAIT)
        assert isinstance(raw, str), "Mattermost clients expect text frames"
        parsed: dict[str, Any] = json.loads(raw)
        return parsed

    async def until(self, name: str, **data: Any) -> list[dict[str, Any]]:
        """Frames up to and including the first event `name` whose data contains `data`."""
        seen = []
        while True:
            frame = await self.next()
            seen.append(frame)
            if frame.get("event") == name and all(frame["data"].get(k) == v for k, v in data.items()):
                return seen

    async def request(self, seq: int, action: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
        """Send a request and return its reply (events arriving meanwhile are skipped)."""
        await self.send({"seq": seq, "action": action, "data": data or {}})
        while True:
            frame = await self.next()
            if frame.get("seq_reply") == seq:
                return frame

    async def closed(self) -> int:
        """Wait for the server to close the socket; its close code (1006 when the connection was reset)."""
        with contextlib.suppress(ConnectionClosed, ConnectionError):
            while True:
                await asyncio.wait_for(self.ws.recv(), WAIT)
        assert self.ws.close_code is not None
        return self.ws.close_code

    async def close(self) -> None:
        await self.ws.close()


OpenSocket = Callable[..., Any]


@pytest.fixture
async def open_socket(ws_base: str) -> AsyncIterator[OpenSocket]:
    """`await open_socket(api)` connects as that user with a Bearer header and returns it after `hello`."""
    opened: list[ClientConnection] = []

    async def open_(api: Api | None = None, *, query: str = "", headers: dict[str, str] | None = None, hello: bool = True) -> Socket:
        h = dict(headers or {})
        if api is not None:
            h["Authorization"] = f"Bearer {api.token}"
        ws = await asyncio.wait_for(connect(ws_base + query, additional_headers=h, max_size=None, ping_interval=None), WAIT)
        opened.append(ws)
        sock = Socket(ws)
        if hello:
            first = await sock.next()
            assert first["event"] == "hello" and first["seq"] == 0, first
            sock.hello = first  # type: ignore[attr-defined]
        return sock

    yield open_
    for ws in opened:
        with contextlib.suppress(Exception):
            await ws.close()
