"""`make bench`, retention part: how fast the retention job deletes, and what it costs the people posting.

SQLite (and PostgreSQL when reachable, as bench/search.py finds it): the search bench's world (40 users, 40
channels) with KAFANA_BENCH_RETENTION_POSTS old posts (default 100,000, from 2024: all past a 90-day
policy), bulk-inserted with their index documents. Then, in one process as the server runs them:
1. 10 posters (the posting use case, closed loop) for 8 s: their latency p50/p99 without the job;
2. the same 10 posters while the retention job deletes every old post: the job's rate (posts/s) and the
   posters' p50/p99 meanwhile, printed as a ratio to step 1.
Results go to bench/results/retention-<UTC>.json.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

from bench.search import RESULTS_DIR, Words, build_world, generate, on_each_engine, summary
from kafana.actions import posts, retention
from kafana.actions.context import Services
from kafana.config import load_settings
from kafana.db import Database
from kafana.db.migrate import upgrade
from kafana.models import User
from kafana.models.actor import Actor

POSTS = int(os.environ.get("KAFANA_BENCH_RETENTION_POSTS", "100000"))
POSTERS = 10
BASELINE_SECONDS = 8.0


async def posters(svc: Services, actors: list[Actor], channel_ids: list[str], words: Words, stop: asyncio.Event) -> list[float]:
    """Closed-loop posters until `stop`; each post's latency (ms)."""
    samples: list[float] = []

    async def one(actor: Actor, channel_id: str) -> None:
        while not stop.is_set():
            began = time.perf_counter()
            await posts.do_create_post(svc, actor, posts.PostDraft(channel_id=channel_id, message=words.message()))
            samples.append((time.perf_counter() - began) * 1000)

    await asyncio.gather(*(one(a, c) for a, c in zip(actors, channel_ids, strict=True)))
    return samples


async def bench_engine(name: str, url: str, data_dir: Path) -> dict[str, Any]:
    print(f"== {name}: {POSTS:,} expired posts, {POSTERS} posters", flush=True)
    await upgrade(url)
    settings = load_settings(env={}, data_dir=data_dir, database_url=url, password_hash_memory_kib=1024, password_hash_time_cost=1, retention_message_days=90)
    svc = Services(settings=settings, db=Database(settings.effective_database_url))
    try:
        words = Words(random.Random(90))
        world = await build_world(svc)
        await generate(svc, world, words, POSTS)
        async with svc.db.read() as db:
            actors = [Actor(await db.get(User, p.id)) for p in world["people"][:POSTERS]]
        channel_ids = [c.id for c in world["channels"][:POSTERS]]

        stop = asyncio.Event()
        asyncio.get_running_loop().call_later(BASELINE_SECONDS, stop.set)
        began = time.perf_counter()
        alone = await posters(svc, actors, channel_ids, words, stop)
        alone_rate = len(alone) / (time.perf_counter() - began)

        stop = asyncio.Event()
        posting = asyncio.create_task(posters(svc, actors, channel_ids, words, stop))
        began = time.perf_counter()
        done = await retention.do_run_retention(svc)
        job_seconds = time.perf_counter() - began
        stop.set()
        during = await posting
        result = {
            "expired_posts": POSTS,
            "deleted_posts": done.posts,
            "job_seconds": job_seconds,
            "deleted_posts_per_s": done.posts / job_seconds,
            "posting_alone": {**summary(alone), "posts_per_s": alone_rate},
            "posting_during_job": {**summary(during), "posts_per_s": len(during) / job_seconds},
        }
        a, d = result["posting_alone"], result["posting_during_job"]
        print(
            f"    job: {done.posts:,} posts deleted in {job_seconds:.1f} s = {result['deleted_posts_per_s']:,.0f} posts/s\n"
            f"    posters' p50 {a['p50_ms']:.1f} → {d['p50_ms']:.1f} ms, p99 {a['p99_ms']:.1f} → {d['p99_ms']:.1f} ms "
            f"(× {d['p99_ms'] / a['p99_ms']:.2f} while the job runs); {a['posts_per_s']:.0f} → {d['posts_per_s']:.0f} posts/s "
            f"(load average {os.getloadavg()[0]:.1f})",
            flush=True,
        )
        return result
    finally:
        await svc.db.dispose()


async def main() -> int:
    results: dict[str, Any] = {"posts": POSTS}
    await on_each_engine(bench_engine, results)
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"retention-{dt.datetime.now(dt.UTC).strftime('%Y%m%dT%H%M%SZ')}.json"
    path.write_text(json.dumps(results, indent=2))
    print(f"results: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
