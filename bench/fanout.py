"""`make bench`, notification fan-out: posting throughput in a 1,000-member channel, plain posts against
@channel posts (which mention every member: all 1,000 members' settings and statuses are read and their
mention counters bumped), printed as a ratio.

In process through the posting use case (no HTTP), one poster, alternating blocks of each kind, on SQLite and,
when reachable (KAFANA_BENCH_POSTGRES_URL), on PostgreSQL. KAFANA_BENCH_FANOUT_MEMBERS changes the channel's
size. Results go to bench/results/fanout-<UTC>.json.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from bench.search import on_each_engine
from kafana.actions import channels, posts, teams, users
from kafana.actions.channels import add_member_txn
from kafana.actions.context import Services
from kafana.config import load_settings
from kafana.db import Database
from kafana.db.migrate import upgrade
from kafana.models import User
from kafana.models.actor import SYSTEM, Actor

RESULTS_DIR = Path(__file__).resolve().parent / "results"
MEMBERS = int(os.environ.get("KAFANA_BENCH_FANOUT_MEMBERS", "1000"))
BLOCKS, BLOCK = 6, 100  # alternating plain / @channel blocks of this many posts


async def build_channel(svc: Services) -> tuple[Actor, str]:
    """A team and a public channel of MEMBERS people; returns the poster and the channel id."""
    people = [
        await users.do_create_user(svc, SYSTEM, {"username": f"member{i}", "email": f"member{i}@example.com", "password": "Bench-pass-123"})
        for i in range(MEMBERS)
    ]
    team = (await teams.do_create_team(svc, SYSTEM, teams.TeamDraft(name="fanout", display_name="Fan-out"))).team
    await teams.do_add_team_members(svc, SYSTEM, team.id, [u.id for u in people])
    channel = await channels.do_create_channel(svc, SYSTEM, channels.ChannelDraft(team_id=team.id, name="everyone", display_name="Everyone", type="O"))
    async with svc.db.write() as uow:
        for person in people:
            await add_member_txn(uow, channel, person, by=None, post=False)
    async with svc.db.read() as session:
        poster = await session.get(User, people[0].id)
    assert poster is not None
    return Actor(poster), channel.id


async def measure(svc: Services, actor: Actor, channel_id: str) -> dict[str, float]:
    rates: dict[str, list[float]] = {"plain": [], "channel": []}
    for block in range(BLOCKS):
        kind = "plain" if block % 2 == 0 else "channel"
        began = time.perf_counter()
        for n in range(BLOCK):
            message = f"update number {n}: the banner is ready" if kind == "plain" else f"@channel update number {n}: the banner is ready"
            await posts.do_create_post(svc, actor, posts.PostDraft(channel_id=channel_id, message=message))
        rates[kind].append(BLOCK / (time.perf_counter() - began))
    plain, wide = statistics.fmean(rates["plain"]), statistics.fmean(rates["channel"])
    return {"members": MEMBERS, "plain_posts_per_s": plain, "channel_posts_per_s": wide, "ratio_channel_to_plain": wide / plain}


async def bench_engine(name: str, url: str, data_dir: Path) -> dict[str, float]:
    await upgrade(url)
    settings = load_settings(env={}, data_dir=data_dir, database_url=url, password_hash_memory_kib=1024, password_hash_time_cost=1)
    svc = Services(settings=settings, db=Database(settings.effective_database_url))
    try:
        actor, channel_id = await build_channel(svc)
        result = await measure(svc, actor, channel_id)
    finally:
        await svc.db.dispose()
    print(
        f"== {name}: {MEMBERS:,} members, one poster: plain {result['plain_posts_per_s']:.0f} posts/s, "
        f"@channel {result['channel_posts_per_s']:.0f} posts/s, ratio {result['ratio_channel_to_plain']:.2f} (load average {os.getloadavg()[0]:.1f})",
        flush=True,
    )
    return result


async def main() -> int:
    results: dict[str, Any] = {}
    await on_each_engine(bench_engine, results)
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"fanout-{dt.datetime.now(dt.UTC).strftime('%Y%m%dT%H%M%SZ')}.json"
    path.write_text(json.dumps(results, indent=2))
    print(f"results: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
