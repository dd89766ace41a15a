"""Load generation and latency statistics, identical for Kafana and the reference app.

Closed loop: each worker owns one httpx.AsyncClient (one HTTP/1.1 keep-alive connection) and sends its next
request only after the previous answer, so the rate measured is what the server sustains at that
concurrency. Latency is wall time around one request, measured in the driver process.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

REQUEST_TIMEOUT_S = 30.0


class BenchError(RuntimeError):
    """A request the bench needs answered the way the API documents was answered otherwise."""


def percentile(samples: list[float], pct: float) -> float:
    """Nearest-rank percentile (no interpolation: with 200 samples p99 is the 2nd worst, a real sample)."""
    if not samples:
        return math.nan
    ordered = sorted(samples)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Latencies:
    """Per-request wall times in milliseconds, plus the failures seen."""

    ms: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str = ""

    def summary(self) -> dict[str, float]:
        return {
            "count": len(self.ms),
            "errors": self.errors,
            "p50_ms": percentile(self.ms, 50),
            "p95_ms": percentile(self.ms, 95),
            "p99_ms": percentile(self.ms, 99),
            "mean_ms": sum(self.ms) / len(self.ms) if self.ms else math.nan,
        }


@dataclass(frozen=True)
class Target:
    """Where to send requests: the server, the channel, and the headers (auth for Kafana, none for the floor)."""

    base_url: str
    channel_id: str
    headers: dict[str, str] = field(default_factory=dict)

    def client(self) -> httpx.AsyncClient:
        """One client = one keep-alive connection (each worker has its own)."""
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        return httpx.AsyncClient(base_url=self.base_url, headers=self.headers, limits=limits, timeout=REQUEST_TIMEOUT_S)


def expect(response: httpx.Response, status: int, what: str) -> Any:
    """The JSON body of a response with the expected status, or a BenchError that says what came back."""
    if response.status_code != status:
        raise BenchError(
            f"{what}: expected HTTP {status}, got {response.status_code} from {response.request.method} {response.request.url.path}: {response.text[:300]}"
        )
    return response.json() if response.content else None


def messages(prefix: str) -> Iterator[str]:
    """Plain messages of a realistic length, no mentions, hashtags or links (nothing optional to process)."""
    for n in itertools.count():
        yield f"{prefix} message {n}: the quick brown fox jumps over the lazy dog"


@dataclass
class PostRun:
    """The outcome of a posting phase."""

    sent: int
    elapsed_s: float
    latencies: Latencies

    @property
    def posts_per_s(self) -> float:
        return self.sent / self.elapsed_s if self.elapsed_s > 0 else 0.0


async def post_closed_loop(target: Target, *, workers: int, total: int, max_seconds: float, prefix: str, fail_fast: bool = True) -> PostRun:
    """`workers` concurrent posters share a budget of `total` posts and stop at `max_seconds` at the latest.

    With fail_fast, the first non-201 answer aborts the phase (a broken endpoint must not look slow).
    """
    counter = itertools.count()
    texts = messages(prefix)
    latencies = Latencies()
    deadline = time.perf_counter() + max_seconds

    async def worker() -> None:
        async with target.client() as client:
            while next(counter) < total and time.perf_counter() < deadline:
                body = {"channel_id": target.channel_id, "message": next(texts)}
                error = ""
                t0 = time.perf_counter()
                try:
                    response = await client.post("/api/v4/posts", json=body)
                except httpx.HTTPError as exc:
                    response = None
                    error = f"{type(exc).__name__}: {exc}"
                elapsed_ms = (time.perf_counter() - t0) * 1000
                if response is not None and response.status_code == 201:
                    latencies.ms.append(elapsed_ms)
                    continue
                if response is not None:
                    error = f"HTTP {response.status_code}: {response.text[:300]}"
                latencies.errors += 1
                latencies.first_error = latencies.first_error or error
                if fail_fast:
                    raise BenchError(f"POST /api/v4/posts failed: {error}")

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(workers)))
    return PostRun(sent=len(latencies.ms), elapsed_s=time.perf_counter() - started, latencies=latencies)


async def history_latency(target: Target, *, page: int, per_page: int, requests: int, max_seconds: float, warmup: int = 5) -> Latencies:
    """Sequential GETs of one history page on one connection: the latency a client scrolling back sees.

    Stops early at `max_seconds` (fewer samples, reported as such) so a slow server cannot stall the bench.
    """
    latencies = Latencies()
    deadline = time.perf_counter() + max_seconds
    path = f"/api/v4/channels/{target.channel_id}/posts"
    params = {"page": page, "per_page": per_page}
    async with target.client() as client:
        for i in range(warmup + requests):
            t0 = time.perf_counter()
            response = await client.get(path, params=params)
            elapsed_ms = (time.perf_counter() - t0) * 1000
            body = expect(response, 200, f"history page {page}")
            if i == 0:
                got = len(body.get("order", []))
                if got != per_page:
                    raise BenchError(f"history page {page} returned {got} posts, expected {per_page} (is the channel filled?)")
            if i >= warmup:
                latencies.ms.append(elapsed_ms)
            if time.perf_counter() > deadline:
                break
    return latencies
