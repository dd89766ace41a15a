"""Several nodes: committed events travel between nodes over Redis pub/sub (`KAFANA_REDIS_URL`).

Every node subscribes to one channel (`<redis_channel_prefix>:events`). Publishing a batch delivers it to this
node's hub at once, in commit order, and queues it for Redis; a background task publishes the queue in order,
so a slow or unreachable Redis never holds up a writer (the database is the truth: failures are logged, not
raised). Each node skips its own messages when they come back from Redis, so it delivers every batch once.

A message is `{"node", "seq", "events": [{"event", "data", "broadcast"}]}`: only the events' content, the
receiving hub serializes each event once per audience as usual. `seq` counts one node's batches, so a
receiver notices a batch it missed (a failed publish, a full queue). Never a silent gap: when a batch may have
been lost — a gap in a node's `seq`, or the subscription re-established after an interruption — the bus calls
`gap` and the hub makes every connection start over (clients get a new connection id and resync). While the
subscription is down, `healthy` is False and the hub reads membership afresh instead of trusting its cache.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence
from typing import Any

import orjson
from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from kafana.events import Broadcast, Event
from kafana.lib.ids import new_id
from kafana.realtime.bus import Deliver, Gap

log = logging.getLogger(__name__)

OUTBOX_LIMIT = 10_000  # batches waiting for Redis; past this they are dropped (receivers notice the gap)
PING_INTERVAL = 15.0  # an idle subscription pings Redis this often; no answer for 3 intervals: reconnect


def encode(node: str, seq: int, events: Sequence[Event]) -> bytes:
    return orjson.dumps(
        {
            "node": node,
            "seq": seq,
            "events": [
                {
                    "event": e.event,
                    "data": e.data,
                    "broadcast": {
                        "user_id": e.broadcast.user_id,
                        "channel_id": e.broadcast.channel_id,
                        "team_id": e.broadcast.team_id,
                        "omit_users": sorted(e.broadcast.omit_users),
                        "connection_id": e.broadcast.connection_id,
                        "omit_connection_id": e.broadcast.omit_connection_id,
                    },
                }
                for e in events
            ],
        }
    )


def decode(message: bytes | str) -> tuple[str, int, list[Event]]:
    body = orjson.loads(message)
    events = []
    for item in body["events"]:
        b = item["broadcast"]
        broadcast = Broadcast(
            user_id=str(b["user_id"]),
            channel_id=str(b["channel_id"]),
            team_id=str(b["team_id"]),
            omit_users=frozenset(str(u) for u in b["omit_users"]),
            connection_id=str(b["connection_id"]),
            omit_connection_id=str(b["omit_connection_id"]),
        )
        events.append(Event(str(item["event"]), dict(item["data"]), broadcast))
    return str(body["node"]), int(body["seq"]), events


class RedisBus:
    def __init__(
        self,
        url: str,
        *,
        channel_prefix: str = "kafana",
        start_timeout: float = 5.0,
        backoff_min: float = 0.1,
        backoff_max: float = 5.0,
    ) -> None:
        self.url = url
        self.channel = f"{channel_prefix}:events"
        self.node_id = new_id()
        self.start_timeout = start_timeout  # how long start() waits for the first subscription
        self.backoff_min = backoff_min
        self.backoff_max = backoff_max
        self.healthy = False
        self.subscriptions = 0  # how many times the subscription was (re-)established
        self._deliver: Deliver | None = None
        self._gap: Gap | None = None
        self._seq = 0
        self._last_seq: dict[str, int] = {}  # per publishing node: the last batch seen
        self._outbox: asyncio.Queue[bytes] = asyncio.Queue(OUTBOX_LIMIT)
        self._subscribed = asyncio.Event()
        self._started = False  # once start() has returned, any new subscription follows a gap
        self._tasks: list[asyncio.Task[None]] = []
        self._overflowing = False

    def _client(self, role: str) -> Redis:
        # No retries inside redis-py: a lost connection must surface here, or a silent resubscription
        # would hide lost messages.
        return Redis.from_url(
            self.url,
            retry=Retry(NoBackoff(), 0),
            socket_connect_timeout=2.0,
            socket_timeout=None if role == "sub" else 5.0,
            socket_keepalive=True,
            client_name=f"kafana-{self.node_id}-{role}",
        )

    # Life cycle -----------------------------------------------------------------------------------------------

    async def start(self, deliver: Deliver, gap: Gap) -> None:
        """Subscribe (waiting at most `start_timeout`; without Redis the node serves its own sockets and keeps
        trying in the background)."""
        self._deliver, self._gap = deliver, gap
        self._tasks = [
            asyncio.create_task(self._listen_forever(), name="kafana-bus-listen"),
            asyncio.create_task(self._publish_forever(), name="kafana-bus-publish"),
        ]
        try:
            await asyncio.wait_for(self._subscribed.wait(), self.start_timeout)
        except TimeoutError:
            log.warning("Redis is not reachable: events from other nodes arrive once it is (clients then resync)")
        self._started = True

    async def stop(self) -> None:
        """Give queued batches a moment to reach Redis, then stop."""
        if self.healthy:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._outbox.join(), 2.0)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        self._deliver = self._gap = None
        self.healthy = False

    async def wait_subscribed(self) -> None:
        await self._subscribed.wait()

    # Publishing -----------------------------------------------------------------------------------------------

    async def publish(self, events: Sequence[Event]) -> None:
        self._seq += 1
        try:
            self._outbox.put_nowait(encode(self.node_id, self._seq, events))
        except asyncio.QueueFull:
            if not self._overflowing:
                log.error("the Redis outbox is full: batches are dropped until it drains (other nodes will resync)")
            self._overflowing = True
        if self._deliver is not None:
            await self._deliver(events)  # this node's sockets: at once, in commit order, with or without Redis

    async def _publish_forever(self) -> None:
        backoff = self.backoff_min
        client: Redis | None = None
        try:
            while True:
                message = await self._outbox.get()
                try:
                    client = client or self._client("pub")
                    await client.publish(self.channel, message)
                    backoff = self.backoff_min
                    self._overflowing = False
                except Exception as exc:
                    # Other nodes will notice the gap in our batch numbers (or their own lost subscription) and
                    # resync, so what is queued now is of no use to them either.
                    dropped = 1 + self._drain()
                    log.warning("publishing to Redis failed (%s): %d batches are lost to other nodes, which will resync", exc, dropped)
                    if client is not None:
                        with contextlib.suppress(Exception):
                            await client.aclose()
                    client = None
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, self.backoff_max)
                finally:
                    self._outbox.task_done()
        finally:
            if client is not None:
                with contextlib.suppress(Exception):
                    await client.aclose()

    def _drain(self) -> int:
        count = 0
        while not self._outbox.empty():
            self._outbox.get_nowait()
            self._outbox.task_done()
            count += 1
        return count

    # Receiving ------------------------------------------------------------------------------------------------

    async def _listen_forever(self) -> None:
        backoff = self.backoff_min
        while True:
            client = self._client("sub")
            pubsub = client.pubsub()
            try:
                await self._subscribe(pubsub)
                backoff = self.backoff_min
                await self._listen(pubsub)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if self.healthy:
                    log.warning("lost the Redis subscription (%s); reconnecting", exc)
            finally:
                self.healthy = False
                self._subscribed.clear()
                with contextlib.suppress(Exception):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]
                with contextlib.suppress(Exception):
                    await client.aclose()
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, self.backoff_max)

    async def _subscribe(self, pubsub: PubSub) -> None:
        await pubsub.subscribe(self.channel)
        deadline = time.monotonic() + 10.0
        while True:  # the confirmation: messages published from now on reach us
            message = await pubsub.get_message(timeout=max(0.0, deadline - time.monotonic()))
            if message is not None and message.get("type") == "subscribe":
                break
            if time.monotonic() >= deadline:
                raise TimeoutError("no confirmation of SUBSCRIBE from Redis")
        self.subscriptions += 1
        if self._started and self._gap is not None:
            # Anything published while we were not subscribed is gone: everyone here starts over.
            self._last_seq.clear()
            await self._gap()
        self.healthy = True
        self._subscribed.set()

    async def _listen(self, pubsub: PubSub) -> None:
        last_heard = time.monotonic()
        while True:
            message = await pubsub.get_message(timeout=PING_INTERVAL)
            if message is None:
                if time.monotonic() - last_heard > 3 * PING_INTERVAL:
                    raise ConnectionError("Redis stopped answering")
                await pubsub.ping()
                continue
            last_heard = time.monotonic()
            if message.get("type") == "message":
                await self._receive(message["data"])

    async def _receive(self, raw: Any) -> None:
        try:
            node, seq, events = decode(raw)
        except Exception:
            log.exception("ignoring a malformed message on %s", self.channel)
            return
        if node == self.node_id:
            return  # delivered when it was published
        last = self._last_seq.get(node)
        self._last_seq[node] = seq
        if last is not None and seq != last + 1 and self._gap is not None:
            log.warning("missed %d batches from node %s; connections start over", seq - last - 1, node)
            await self._gap()
        if self._deliver is not None:
            try:
                await self._deliver(events)
            except Exception:
                log.exception("delivering events from node %s failed", node)
                if self._gap is not None:
                    await self._gap()
