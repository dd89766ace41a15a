"""Upload throughput: 10 parallel 20 MB uploads to Kafana, next to a plain copy of the same bytes on the same disk.

The copy is what the disk allows (10 threads, each copying a 20 MB file and fsyncing it, as Kafana fsyncs
what it stores); the upload adds HTTP, spooling, the type check and the move into the store. MB = 10^6 bytes.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from bench.driver import BenchError, Target

UPLOADS = 10
UPLOAD_BYTES = 20_000_000
CHUNK = 1024 * 1024


async def _body(chunk: bytes, total: int) -> AsyncIterator[bytes]:
    sent = 0
    while sent < total:
        piece = chunk[: total - sent]
        sent += len(piece)
        yield piece


async def _upload(target: Target, chunk: bytes, n: int) -> None:
    url = f"/api/v4/files?channel_id={target.channel_id}&filename=bench-{n}.bin"
    async with httpx.AsyncClient(base_url=target.base_url, headers=target.headers, timeout=120.0) as client:
        response = await client.post(url, content=_body(chunk, UPLOAD_BYTES))
    if response.status_code != 201:
        raise BenchError(f"upload: expected HTTP 201, got {response.status_code}: {response.text[:300]}")


def _copy(source: Path, target: Path) -> None:
    with source.open("rb") as src, target.open("wb") as dst:
        shutil.copyfileobj(src, dst, CHUNK)
        dst.flush()
        os.fsync(dst.fileno())


def plain_copy_mb_s(workdir: Path, chunk: bytes) -> float:
    """10 parallel copies of 20 MB files on the disk Kafana stores to (sources written first, not timed)."""
    workdir.mkdir(parents=True, exist_ok=True)
    sources = []
    for n in range(UPLOADS):
        path = workdir / f"source-{n}.bin"
        with path.open("wb") as fh:
            for _ in range(UPLOAD_BYTES // len(chunk)):
                fh.write(chunk)
            fh.write(chunk[: UPLOAD_BYTES % len(chunk)])
        sources.append(path)
    started = time.perf_counter()
    with ThreadPoolExecutor(UPLOADS) as pool:
        list(pool.map(lambda s: _copy(s, s.with_name(s.name.replace("source", "copy"))), sources))
    elapsed = time.perf_counter() - started
    shutil.rmtree(workdir, ignore_errors=True)
    return UPLOADS * UPLOAD_BYTES / 1e6 / elapsed


async def measure(target: Target, workdir: Path, rss_sample: Callable[[], int]) -> dict[str, Any]:
    chunk = os.urandom(CHUNK)
    rss_before = rss_sample() / 1e6
    started = time.perf_counter()
    await asyncio.gather(*(_upload(target, chunk, n) for n in range(UPLOADS)))
    elapsed = time.perf_counter() - started
    upload = UPLOADS * UPLOAD_BYTES / 1e6 / elapsed
    copy = await asyncio.to_thread(plain_copy_mb_s, workdir, chunk)
    return {
        "uploads": UPLOADS,
        "bytes_each": UPLOAD_BYTES,
        "seconds": elapsed,
        "upload_mb_s": upload,
        "plain_copy_mb_s": copy,
        "upload_vs_copy": upload / copy if copy else float("nan"),
        "rss_mb_before": rss_before,
        "rss_mb_after": rss_sample() / 1e6,
    }
