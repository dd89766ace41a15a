"""Real-time phases: post→socket delivery, posting with listeners, memory per idle socket.

Same code for both servers: `websockets` clients on the driver's one event loop against `/api/v4/websocket`
(Kafana: `Authorization: Bearer` on the upgrade; the reference: no auth). Every socket first waits for
`hello`. A `posted` event carries the post as a JSON string; the driver reads its message to know which post
arrived (`delivery <i>` or `saturated message <n>: …`).

1. **Delivery**: 100 sockets listen in the channel; posts are sent open loop at 2/s, each one's send time
   (just before its POST) kept by index; one sample per (post, socket) = receive time − send time. The receive
   time is taken when the listener's coroutine gets the frame, so it includes the driver's own queueing of the
   99 other copies (the same for both servers).
2. **Saturated**: the same 100 listeners while 4 closed-loop posters post; posts/s is acknowledged posts ÷
   wall time; then up to `DRAIN_S` for the listeners to catch up, and a count of those that got every post.
3. **Idle sockets**: RSS of the server with 0, 100 and 5,000 idle (authenticated) sockets that only received
   `hello`; KiB per socket = (RSS at N − RSS at 0) ÷ N. Kafana's sockets reuse a few users' tokens.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import secrets
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson
from websockets.asyncio.client import ClientConnection, connect

from bench.driver import Latencies, Target, expect, post_closed_loop

WS_PATH = "/api/v4/websocket"
LISTENERS = 100
DELIVERY_POSTS = 40
DELIVERY_RATE = 2.0  # posts per second, open loop
SATURATED_POSTS = 1_000
SATURATED_S = 10.0
DRAIN_S = 10.0
IDLE_COUNTS = (100, 5_000)
CONNECT_CONCURRENCY = 50
SETTLE_S = 2.0
EXTRA_USERS = 3  # Kafana: idle sockets rotate over the admin's token and these users' tokens


OPEN_TIMEOUT_S = 30.0


async def wait_for(condition: Callable[[], bool], seconds: float) -> None:
    """Poll `condition` every 50 ms for at most `seconds` (the listeners update plain counters, no events)."""
    for _ in range(max(1, int(seconds / 0.05))):
        if condition():
            return
        await asyncio.sleep(0.05)


async def open_socket(target: Target, token: str | None) -> ClientConnection:
    """One upgrade; returns after `hello` (seq 0) arrived."""
    url = target.base_url.replace("http://", "ws://", 1) + WS_PATH
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    ws = await connect(
        url, additional_headers=headers, ping_interval=None, compression=None, open_timeout=OPEN_TIMEOUT_S, close_timeout=2, max_size=2**20, max_queue=64
    )
    try:
        hello = orjson.loads(await asyncio.wait_for(ws.recv(), OPEN_TIMEOUT_S))
    except BaseException:
        ws.transport.abort()
        raise
    if hello.get("event") != "hello" or hello.get("seq") != 0:
        ws.transport.abort()
        raise RuntimeError(f"websocket: expected hello with seq 0 first, got {str(hello)[:200]}")
    return ws


async def open_many(target: Target, tokens: list[str | None], count: int, into: list[ClientConnection], deadline: float) -> None:
    """Open sockets (tokens used in turn) until `into` holds `count`, at most CONNECT_CONCURRENCY upgrades at once."""
    pending = count - len(into)
    start = len(into)
    sem = asyncio.Semaphore(CONNECT_CONCURRENCY)

    async def one(i: int) -> None:
        async with sem:
            if time.monotonic() > deadline:
                return
            into.append(await open_socket(target, tokens[(start + i) % len(tokens)]))

    await asyncio.gather(*(one(i) for i in range(pending)))


async def close_all(sockets: list[ClientConnection]) -> None:
    """Close politely for up to 10 s, then drop whatever is left."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True), 10)
    for ws in sockets:
        ws.transport.abort()
    sockets.clear()


@dataclass
class Sink:
    """What the listeners saw: delivery samples and, per listener, the saturated posts received."""

    sent_at: dict[int, float] = field(default_factory=dict)
    samples: list[float] = field(default_factory=list)
    saturated: list[set[int]] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)


async def listen(ws: ClientConnection, index: int, sink: Sink) -> None:
    try:
        async for raw in ws:
            now = time.perf_counter()
            event = orjson.loads(raw)
            if event.get("event") != "posted":
                continue
            message = orjson.loads(event["data"]["post"])["message"]
            if message.startswith("delivery "):
                sent = sink.sent_at.get(int(message.split()[1]))
                if sent is not None:
                    sink.samples.append((now - sent) * 1000)
            elif message.startswith("saturated message "):
                sink.saturated[index].add(int(message.split()[2].rstrip(":")))
    except Exception as exc:  # a closed socket is a result, not a crash of the bench
        sink.closed.append(f"{type(exc).__name__}: {exc}")
        return
    sink.closed.append(f"closed by server: {ws.close_code} {ws.close_reason}")


async def kafana_tokens(target: Target) -> list[str]:
    """The admin's token plus EXTRA_USERS new users' tokens (created and logged in over the API)."""
    admin = target.headers["Authorization"].split(" ", 1)[1]
    tokens = [admin]
    async with (
        httpx.AsyncClient(base_url=target.base_url, headers=target.headers, timeout=60.0) as client,
        httpx.AsyncClient(base_url=target.base_url, timeout=60.0) as anonymous,
    ):
        for _ in range(EXTRA_USERS):
            name = f"idle{secrets.token_hex(4)}"
            password = f"Idle-{secrets.token_hex(8)}"
            expect(await client.post("/api/v4/users", json={"username": name, "email": f"{name}@example.com", "password": password}), 201, "create user")
            login = await anonymous.post("/api/v4/users/login", json={"login_id": name, "password": password})
            expect(login, 200, "log in")
            tokens.append(login.headers["Token"])
    return tokens


async def settled_rss(sample: Callable[[], int]) -> float:
    """Server RSS in MB after SETTLE_S, median of three samples 0.3 s apart."""
    await asyncio.sleep(SETTLE_S)
    values = []
    for _ in range(3):
        values.append(sample())
        await asyncio.sleep(0.3)
    return statistics.median(values) / 1e6


async def measure(
    target: Target, authenticated: bool, rss: Callable[[], int], cpu: Callable[[], float], budget: Callable[[float, float], float]
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    tokens: list[str | None] = list(await kafana_tokens(target)) if authenticated else [None]
    own = tokens[0]

    # 1 + 2: listeners
    sink = Sink(saturated=[set() for _ in range(LISTENERS)])
    listeners: list[ClientConnection] = []
    tasks: list[asyncio.Task[None]] = []
    try:
        t0 = time.perf_counter()
        await open_many(target, [own], LISTENERS, listeners, time.monotonic() + budget(30, 60))
        out["listeners_open_s"] = time.perf_counter() - t0
        if len(listeners) < LISTENERS:
            raise RuntimeError(f"only {len(listeners)} of {LISTENERS} listeners opened in time")
        tasks = [asyncio.create_task(listen(ws, i, sink)) for i, ws in enumerate(listeners)]
        out["delivery"] = await delivery(target, sink, budget(DELIVERY_POSTS / DELIVERY_RATE + 10, 50))
        print(
            f"  delivery to {LISTENERS} sockets at {DELIVERY_RATE:g} posts/s: p50 {out['delivery']['p50_ms']:.2f} ms, "
            f"p95 {out['delivery']['p95_ms']:.2f} ms, p99 {out['delivery']['p99_ms']:.2f} ms ({out['delivery']['missing']} missing)",
            flush=True,
        )
        out["saturated"] = await saturated(target, sink, cpu, budget(SATURATED_S, 40))
        print(
            f"  saturated with {LISTENERS} listeners: {out['saturated']['posts']} posts, {out['saturated']['posts_per_s']:.0f}/s; "
            f"{out['saturated']['listeners_complete']}/{LISTENERS} listeners got every post",
            flush=True,
        )
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await close_all(listeners)

    # 3: idle sockets
    idle: list[ClientConnection] = []
    rss_mb = {0: await settled_rss(rss)}
    try:
        for count in IDLE_COUNTS:
            t0 = time.perf_counter()
            await open_many(target, tokens, count, idle, time.monotonic() + budget(60, 10))
            opened_s = time.perf_counter() - t0
            if len(idle) < count:
                out["idle_error"] = f"only {len(idle)} of {count} idle sockets opened in time"
                break
            rss_mb[count] = await settled_rss(rss)
            out[f"idle_{count}"] = {
                "open_s": opened_s,
                "rss_mb": rss_mb[count],
                "kib_per_socket": (rss_mb[count] - rss_mb[0]) * 1e6 / 1024 / count,
            }
            print(f"  {count} idle sockets: RSS {rss_mb[count]:.1f} MB, {out[f'idle_{count}']['kib_per_socket']:.1f} KiB per socket", flush=True)
    finally:
        await close_all(idle)
    out["idle_0_rss_mb"] = rss_mb[0]
    out["idle_tokens"] = len(tokens)
    return out


async def delivery(target: Target, sink: Sink, max_seconds: float) -> dict[str, Any]:
    """Open loop: post i leaves at t0 + i/rate whatever happened to the others; then wait for the stragglers."""
    posts = min(DELIVERY_POSTS, max(1, int((max_seconds - 5) * DELIVERY_RATE)))
    post_ms = Latencies()
    limits = httpx.Limits(max_connections=8, max_keepalive_connections=8)
    async with httpx.AsyncClient(base_url=target.base_url, headers=target.headers, limits=limits, timeout=30.0) as client:

        async def one(i: int) -> None:
            sink.sent_at[i] = t = time.perf_counter()
            response = await client.post("/api/v4/posts", json={"channel_id": target.channel_id, "message": f"delivery {i}"})
            expect(response, 201, "post (delivery)")
            post_ms.ms.append((time.perf_counter() - t) * 1000)

        started = time.perf_counter()
        running = []
        for i in range(posts):
            await asyncio.sleep(max(0.0, started + i / DELIVERY_RATE - time.perf_counter()))
            running.append(asyncio.create_task(one(i)))
        await asyncio.gather(*running)
    expected = posts * LISTENERS
    await wait_for(lambda: len(sink.samples) >= expected, 5)
    result = Latencies(ms=list(sink.samples)).summary()
    return {**result, "posts": posts, "expected": expected, "missing": expected - len(sink.samples), "post_p95_ms": post_ms.summary()["p95_ms"]}


async def saturated(target: Target, sink: Sink, cpu: Callable[[], float], max_seconds: float) -> dict[str, Any]:
    cpu0, wall0, proc0 = cpu(), time.perf_counter(), time.process_time()
    run = await post_closed_loop(target, workers=4, total=SATURATED_POSTS, max_seconds=max_seconds, prefix="saturated")
    cpu1, wall1, proc1 = cpu(), time.perf_counter(), time.process_time()
    await wait_for(lambda: all(len(got) >= run.sent for got in sink.saturated), DRAIN_S)
    drained_s = time.perf_counter() - wall1
    complete = sum(1 for got in sink.saturated if len(got) == run.sent)
    return {
        "posts": run.sent,
        "posts_per_s": run.posts_per_s,
        "p95_ms": run.latencies.summary()["p95_ms"],
        "listeners_complete": complete,
        "all_delivered": complete == LISTENERS,
        "received_min": min((len(got) for got in sink.saturated), default=0),
        "catch_up_s": drained_s,
        "sockets_closed": len(sink.closed),
        "first_close": sink.closed[0] if sink.closed else "",
        "server_cpu_ms_per_post": (cpu1 - cpu0) * 1000 / run.sent if run.sent else math.nan,
        "driver_cpu_util": (proc1 - proc0) / (wall1 - wall0),
    }
