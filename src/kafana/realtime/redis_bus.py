"""Several nodes: committed events travel between nodes over Redis pub/sub (`KAFANA_REDIS_URL`).

Every node subscribes to one channel (`<redis_channel_prefix>:events`). Publishing a batch delivers it to this
node's hub at once, in commit order, and queues it for Redis; a background task publishes the queue in order,
so a slow or unreachable Redis never holds up a writer (the database is the truth: failures are logged, not
raised). Each node skips its own messages when they come back from Redis, so it delivers every batch once.

A message is `{"node", "seq", "kind", "lost", "events": [{"event", "data", "broadcast"}]}`: only the events'
content, the receiving hub serializes each event once per audience as usual. `seq` counts one node's batches,
so a receiver notices a batch it missed. Never a silent gap: whenever batches from another node may have been
lost, the bus calls `gap` and the hub makes every connection start over (clients get a new connection id and
resync). That happens when
- a node's `seq` skips a number (a failed publish, a full outbox);
- a message says `lost`: its sender dropped batches since its last message that reached Redis (a receiver
  that re-subscribed meanwhile cannot see the skipped numbers);
- the subscription is re-established after an interruption (what was published meanwhile is gone);
- a node falls silent without saying goodbye (killed, or cut off from Redis): what it committed just before
  may never have been published. Every node sends a heartbeat (`kind` "beat", carrying the `seq` of its last
  batch, so a lost last batch is noticed too) every `heartbeat_interval`; one not heard for
  `DEAD_AFTER_BEATS` intervals is dead. A node that stops cleanly says "bye" (with its last `seq`) instead.
While the subscription is down, `healthy` is False and the hub reads membership afresh instead of trusting its
cache.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
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
DEAD_AFTER_BEATS = 5  # a node not heard for this many heartbeat intervals is dead: its last batches may be lost

BATCH, BEAT, BYE = "batch", "beat", "bye"


@dataclass(frozen=True)
class Message:
    node: str
    seq: int  # a batch's own number; for a heartbeat or goodbye, the number of the sender's last batch
    kind: str = BATCH
    events: list[Event] = field(default_factory=list)
    lost: bool = False  # the sender dropped batches since its previous message that reached Redis


def encode(node: str, seq: int, events: Sequence[Event], *, kind: str = BATCH, lost: bool = False) -> bytes:
    return orjson.dumps(
        {
            "node": node,
            "seq": seq,
            "kind": kind,
            "lost": lost,
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
                        "admins": e.broadcast.admins,
                    },
                }
                for e in events
            ],
        }
    )


def decode(message: bytes | str) -> Message:
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
            admins=b.get("admins"),
        )
        events.append(Event(str(item["event"]), dict(item["data"]), broadcast))
    kind = str(body.get("kind", BATCH))
    if kind not in (BATCH, BEAT, BYE):
        raise ValueError(f"unknown message kind {kind!r}")
    return Message(str(body["node"]), int(body["seq"]), kind, events, bool(body.get("lost", False)))


class RedisBus:
    def __init__(
        self,
        url: str,
        *,
        channel_prefix: str = "kafana",
        start_timeout: float = 5.0,
        backoff_min: float = 0.1,
        backoff_max: float = 5.0,
        heartbeat_interval: float = 1.0,
    ) -> None:
        self.url = url
        self.channel = f"{channel_prefix}:events"
        self.node_id = new_id()
        self.start_timeout = start_timeout  # how long start() waits for the first subscription
        self.backoff_min = backoff_min
        self.backoff_max = backoff_max
        self.heartbeat_interval = heartbeat_interval
        self.healthy = False
        self.subscriptions = 0  # how many times the subscription was (re-)established
        self._deliver: Deliver | None = None
        self._gap: Gap | None = None
        self._seq = 0
        self._lost = False  # batches were dropped since the last message that reached Redis
        self._last_seq: dict[str, int] = {}  # per other node: the last batch it told us about
        self.peers: dict[str, float] = {}  # the other nodes we hear from: when we last did (monotonic)
        self._outbox: asyncio.Queue[tuple[str, int, Sequence[Event]]] = asyncio.Queue(OUTBOX_LIMIT)
        self._subscribed = asyncio.Event()
        self._started = False  # once start() has returned, any new subscription follows a gap
        self._tasks: list[asyncio.Task[None]] = []

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
            asyncio.create_task(self._beat_forever(), name="kafana-bus-heartbeat"),
        ]
        try:
            await asyncio.wait_for(self._subscribed.wait(), self.start_timeout)
        except TimeoutError:
            log.warning("Redis is not reachable: events from other nodes arrive once it is (clients then resync)")
        self._started = True

    async def stop(self) -> None:
        """Say goodbye (so other nodes do not take this node for dead) and give queued batches a moment to
        reach Redis, then stop."""
        if self.healthy:
            self._enqueue(BYE, self._seq, ())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.flush(), 2.0)
        pending = set(self._tasks)
        while pending:
            # Cancel again until they end: redis-py may turn a cancellation that lands inside its own timeout
            # into a TimeoutError, which the loops take for a Redis failure and carry on.
            for task in pending:
                task.cancel()
            _done, pending = await asyncio.wait(pending, timeout=1.0)
        self._tasks = []
        self._deliver = self._gap = None
        self.healthy = False

    async def wait_subscribed(self) -> None:
        await self._subscribed.wait()

    async def flush(self) -> None:
        """Wait until everything queued so far has been sent to Redis or dropped."""
        await self._outbox.join()

    # Publishing -----------------------------------------------------------------------------------------------

    async def publish(self, events: Sequence[Event]) -> None:
        self._seq += 1
        self._enqueue(BATCH, self._seq, events)
        if self._deliver is not None:
            await self._deliver(events)  # this node's sockets: at once, in commit order, with or without Redis

    def lost(self) -> None:
        """Tell the other nodes at once (a heartbeat marked `lost`) that events of ours may be missing."""
        self._lost = True
        self._enqueue(BEAT, self._seq, ())

    def _enqueue(self, kind: str, seq: int, events: Sequence[Event]) -> None:
        try:
            self._outbox.put_nowait((kind, seq, events))
        except asyncio.QueueFull:
            if kind == BATCH:
                if not self._lost:
                    log.error("the Redis outbox is full: batches are dropped until it drains (other nodes will resync)")
                self._lost = True

    async def _beat_forever(self) -> None:
        while True:
            if self._outbox.empty():  # anything queued tells the others we are alive just as well
                self._enqueue(BEAT, self._seq, ())
            await asyncio.sleep(self.heartbeat_interval)

    async def _publish_forever(self) -> None:
        backoff = self.backoff_min
        client: Redis | None = None
        try:
            while True:
                kind, seq, events = await self._outbox.get()
                try:
                    client = client or self._client("pub")
                    await client.publish(self.channel, encode(self.node_id, seq, events, kind=kind, lost=self._lost))
                    backoff = self.backoff_min
                    self._lost = False
                except Exception as exc:
                    # Other nodes will notice (the gap in our batch numbers, the `lost` mark on our next message,
                    # or their own lost subscription) and resync, so what is queued now is of no use to them.
                    self._lost = True
                    dropped = 1 + self._drain()
                    log.warning("publishing to Redis failed (%s): %d messages are lost to other nodes, which will resync", exc, dropped)
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
        # Whatever was published while we were not subscribed is gone: everyone here starts over, and we
        # follow the other nodes afresh from here.
        self._last_seq.clear()
        self.peers.clear()
        if self._started and self._gap is not None:
            await self._gap()
        self.healthy = True
        self._subscribed.set()

    async def _listen(self, pubsub: PubSub) -> None:
        last_heard = time.monotonic()
        while True:
            message = await pubsub.get_message(timeout=min(PING_INTERVAL, self.heartbeat_interval))
            now = time.monotonic()
            await self._bury_the_silent(now)
            if message is None:
                if now - last_heard > 3 * PING_INTERVAL:
                    raise ConnectionError("Redis stopped answering")
                if now - last_heard > PING_INTERVAL:
                    await pubsub.ping()
                continue
            last_heard = now
            if message.get("type") == "message":
                await self._receive(message["data"], now)

    async def _receive(self, raw: Any, now: float) -> None:
        try:
            message = decode(raw)
        except Exception:
            log.exception("ignoring a malformed message on %s", self.channel)
            return
        node = message.node
        if node == self.node_id:
            return  # delivered when it was published
        last = self._last_seq.get(node)
        previous = message.seq - 1 if message.kind == BATCH else message.seq  # the batch sent just before this
        if message.kind == BYE:
            self._last_seq.pop(node, None)
            self.peers.pop(node, None)
        else:
            self._last_seq[node] = message.seq
            self.peers[node] = now
        if (message.lost or (last is not None and previous != last)) and self._gap is not None:
            log.warning("batches from node %s were lost; connections start over", node)
            await self._gap()
        if message.events and self._deliver is not None:
            try:
                await self._deliver(message.events)
            except Exception:
                log.exception("delivering events from node %s failed", node)
                if self._gap is not None:
                    await self._gap()

    async def _bury_the_silent(self, now: float) -> None:
        """Nodes gone silent without a goodbye may have committed batches that never reached Redis."""
        dead = [node for node, heard in self.peers.items() if now - heard > DEAD_AFTER_BEATS * self.heartbeat_interval]
        for node in dead:
            del self.peers[node]
            self._last_seq.pop(node, None)
        if dead and self._gap is not None:
            log.warning("node(s) %s fell silent without a goodbye; connections start over", ", ".join(dead))
            await self._gap()
