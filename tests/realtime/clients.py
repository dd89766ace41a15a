"""Clients that behave as Mattermost's do when servers fail, keeping the ledger of reliability.md §3.

`Poster` posts steadily with a `pending_post_id` per post; a failed request (connection refused or reset, a
5xx) is retried with the same id on the next node, as a client behind a load balancer would, and every 201 is
logged. `Listener` is a reconnecting WebSocket client: it resumes with `connection_id` + `sequence_number`;
a `hello` with a different connection id means "start over", and it resyncs with
`GET /channels/{id}/posts?since=` from the last post it saw. It logs what each connection delivered, in `seq`
order, so a test can tell a resync the server announced from a gap it did not.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException

from tests.compat.conftest import LiveServer
from tests.helpers import Api
from tests.realtime.conftest import WAIT
from tests.realtime.servers import Cluster

CONVERGE = 30.0  # seconds: the bound on waiting for listeners to know every post (Redis back-off, peer timeout)
RECONNECT_DELAY = 0.05  # a client's pause before reconnecting (as Mattermost clients back off), not a sync


class Changes:
    """Something a test can wait on: `await changes.until(predicate)`."""

    def __init__(self) -> None:
        self._changed = asyncio.Condition()

    async def notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def until(self, check: Callable[[], bool], bound: float = WAIT) -> None:
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(check), bound)


class Poster(Changes):
    """Posts `m0`, `m1`, … to one channel until stopped, failing over to the next node on errors."""

    def __init__(self, cluster: Cluster, user: Api, channel_id: str, nodes: list[LiveServer]) -> None:
        super().__init__()
        self.clients = [cluster.on(user, node) for node in nodes]
        self.channel_id = channel_id
        self.acked: dict[str, str] = {}  # pending_post_id -> post id, for every 201
        self.acked_messages: set[str] = set()
        self.failures: list[str] = []  # what each failed attempt got (a test may assert their shape)
        self.retried: set[str] = set()  # pending_post_ids sent more than once
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            await asyncio.wait_for(self._task, WAIT)

    async def posted(self, count: int) -> None:
        """Wait until `count` more posts are acknowledged than now."""
        target = len(self.acked) + count
        await self.until(lambda: len(self.acked) >= target)

    async def _run(self) -> None:
        node = 0
        index = 0
        while not self._stop.is_set():
            pending = uuid.uuid4().hex
            body = {"channel_id": self.channel_id, "message": f"m{index}", "pending_post_id": pending}
            for attempt in range(20):
                api = self.clients[node]
                try:
                    response = await api.http.post("/api/v4/posts", json=body, headers=api.headers())
                except httpx.TransportError as exc:
                    self.failures.append(type(exc).__name__)
                else:
                    if response.status_code == 201:
                        self.acked[pending] = response.json()["id"]
                        self.acked_messages.add(body["message"])
                        break
                    self.failures.append(f"{response.status_code} {response.json().get('id')}")
                    assert response.status_code >= 500, response.text  # 4xx would be a bug in the test
                self.retried.add(pending)
                node = (node + 1) % len(self.clients)
                await asyncio.sleep(RECONNECT_DELAY * attempt)  # a client's back-off, not a sync
            else:
                raise AssertionError(f"post m{index} failed 20 times: {self.failures[-5:]}")
            index += 1
            await self.notify()


class Listener(Changes):
    """A reconnecting WebSocket client listening to one channel; `node` may be changed to move it."""

    def __init__(self, cluster: Cluster, user: Api, channel_id: str, node: LiveServer) -> None:
        super().__init__()
        self.cluster = cluster
        self.user = user
        self.channel_id = channel_id
        self.node = node
        self.connection_id = ""
        self.next_seq = 0
        self.streams: list[list[str]] = []  # per connection id: the messages of `posted` events, in seq order
        self.known: dict[str, str] = {}  # post id -> message, from events and resyncs
        self.resyncs = 0
        self.connects = 0  # WebSocket handshakes completed
        self.problems: list[str] = []  # seq gaps or repeats the server did not announce, hellos out of place
        self._last_seen = int(time.time() * 1000) - 1000  # the newest post's update_at (ms) known here
        self._needs_resync = False
        self._ws: ClientConnection | None = None
        self._stop = asyncio.Event()
        self._ready = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def __repr__(self) -> str:
        return f"Listener({self.user.user['username']}@{self.node.port}, connects={self.connects}, resyncs={self.resyncs})"

    async def start(self) -> None:
        """Connect and return after the first hello."""
        self._task = asyncio.create_task(self._run())
        await asyncio.wait_for(self._ready.wait(), WAIT)

    async def stop(self) -> None:
        self._stop.set()
        if self._ws is not None:
            await self._ws.close()
        if self._task is not None:
            await asyncio.wait_for(self._task, WAIT)

    def drop(self) -> None:
        """Lose the connection without a closing handshake (a network blip); the client will resume."""
        if self._ws is not None:
            self._ws.transport.abort()

    async def knows(self, messages: set[str]) -> None:
        await self.until(lambda: messages <= set(self.known.values()), CONVERGE)

    def check(self) -> None:
        """Rule 4: no unannounced gap or repeat; each connection's posts arrived in posting order."""
        assert self.problems == [], (self, self.problems)
        for stream in self.streams:
            numbers = [int(m[1:]) for m in stream]
            assert numbers == sorted(set(numbers)), (self, "out of order or repeated", numbers)

    async def _run(self) -> None:
        while not self._stop.is_set():
            query = f"?connection_id={self.connection_id}&sequence_number={self.next_seq}" if self.connection_id else ""
            try:
                async with connect(
                    f"ws://{self.node.host}:{self.node.port}/api/v4/websocket{query}",
                    additional_headers=self.user.headers(),
                    ping_interval=None,
                    open_timeout=WAIT,
                ) as ws:
                    self._ws = ws
                    self.connects += 1
                    async for raw in ws:
                        await self._on_frame(json.loads(raw))
            except (OSError, TimeoutError, WebSocketException):
                pass  # the node is gone or the connection dropped: reconnect
            except ResyncFailed:
                self.connection_id = ""  # start over on a fresh connection, then resync again
            self._ws = None
            if not self._stop.is_set():
                await asyncio.sleep(RECONNECT_DELAY)

    async def _on_frame(self, frame: dict[str, Any]) -> None:
        if "seq" not in frame:
            return  # a reply to a request of ours (we send none)
        if frame.get("event") == "hello":
            new_id = frame["data"]["connection_id"]
            if frame["seq"] != 0 or new_id == self.connection_id:
                self.problems.append(f"hello seq {frame['seq']} for connection {new_id} (was {self.connection_id})")
            if self.connection_id:
                self._needs_resync = True
            self.connection_id, self.next_seq = new_id, 1
            self.streams.append([])
            self._ready.set()
            if self._needs_resync:
                await self._resync()
            return
        if frame["seq"] != self.next_seq:
            self.problems.append(f"connection {self.connection_id}: expected seq {self.next_seq}, got {frame['seq']}")
        self.next_seq = frame["seq"] + 1
        if frame.get("event") == "posted" and frame["broadcast"]["channel_id"] == self.channel_id:
            post = json.loads(frame["data"]["post"])
            self.streams[-1].append(post["message"])
            await self._learn([post])

    async def _resync(self) -> None:
        api = self.cluster.on(self.user, self.node)
        try:
            page = await api.get(f"/channels/{self.channel_id}/posts?since={self._last_seen - 1}")
        except (httpx.TransportError, AssertionError) as exc:
            raise ResyncFailed from exc
        self.resyncs += 1
        self._needs_resync = False
        await self._learn(list(page["posts"].values()))

    async def _learn(self, posts: list[dict[str, Any]]) -> None:
        for post in posts:
            self.known[post["id"]] = post["message"]
            self._last_seen = max(self._last_seen, int(post["update_at"]))
        await self.notify()


class ResyncFailed(Exception):
    """The REST fetch after a new connection id failed: the client must start over once more."""


async def stop_all(*clients: Poster | Listener) -> None:
    for client in clients:
        with contextlib.suppress(Exception):
            await client.stop()
