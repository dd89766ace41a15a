"""`make bench`, bridge part: the IRC bridge's throughput and latency against a real ngircd, beside plain IRC.

One process runs Kafana's services with the bridge supervisor (on SQLite, then PostgreSQL when reachable, as
bench/search.py finds it), an ngircd with its flood throttling off (MaxPenaltyTime 0: the bridge is measured,
not the throttle) and the bridge's own flood control set out of the way (1000 lines/s), and two IRC users
(the `irc` library). For each path it measures
- the rate of a burst of KAFANA_BENCH_BRIDGE_MESSAGES messages (default 500), first sent to last received,
  beside the rate of the same posts made with no bridge (both bridged paths post or read one post per message);
- the end-to-end latency of 100 messages sent one at a time (p50/p99): posting → heard on IRC, said on IRC →
  the post committed;
and prints each as a ratio to plain IRC (one IRC user to another through the same ngircd) and the rates as a
ratio to posting alone.
Results go to bench/results/bridge-<UTC>.json.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from tests.bridges.ircd import IrcUser, Ngircd

from bench.search import RESULTS_DIR, on_each_engine, summary
from kafana.actions import bridges, channels, posts, teams, users
from kafana.actions.context import Services
from kafana.bridges.irc import IrcBridge
from kafana.bridges.supervisor import Supervisor
from kafana.config import load_settings
from kafana.db import Database
from kafana.db.migrate import upgrade
from kafana.events import Event
from kafana.models.actor import SYSTEM, Actor

MESSAGES = int(os.environ.get("KAFANA_BENCH_BRIDGE_MESSAGES", "500"))
ONE_AT_A_TIME = 100
WAIT = 120.0


class Arrivals:
    """Arrival times of numbered messages ("m<n> …"), wherever they arrive."""

    def __init__(self) -> None:
        self.at: dict[int, float] = {}
        self.changed = asyncio.Event()

    def saw(self, text: str) -> None:
        head = text.rsplit(" ", 1)[-1]
        if head.startswith("m") and head[1:].isdigit():
            self.at[int(head[1:])] = time.perf_counter()
            self.changed.set()

    async def wait(self, count: int) -> None:
        async with asyncio.timeout(WAIT):
            while len(self.at) < count:
                self.changed.clear()
                await self.changed.wait()


async def measure(send: Callable[[str], Awaitable[None]], arrivals: Arrivals) -> dict[str, Any]:
    """A burst, then one at a time: the burst's rate and the single messages' latencies."""
    arrivals.at.clear()
    began = time.perf_counter()
    for i in range(MESSAGES):
        await send(f"burst m{i}")
    await arrivals.wait(MESSAGES)
    rate = MESSAGES / (max(arrivals.at.values()) - began)
    latencies = []
    for i in range(ONE_AT_A_TIME):
        arrivals.at.clear()
        sent = time.perf_counter()
        await send(f"single m{i}")
        await arrivals.wait(1)
        latencies.append((arrivals.at[i] - sent) * 1000)
    return {"messages_per_s": rate, **summary(latencies)}


def listen(user: IrcUser, arrivals: Arrivals) -> None:
    user.connection.add_global_handler("pubmsg", lambda c, e: arrivals.saw(e.arguments[0]), -1)


async def bench_engine(name: str, url: str, data_dir: Path) -> dict[str, Any]:
    print(f"== {name}: {MESSAGES} messages a burst, {ONE_AT_A_TIME} one at a time", flush=True)
    await upgrade(url)
    settings = load_settings(
        env={}, data_dir=data_dir, database_url=url, password_hash_memory_kib=1024, password_hash_time_cost=1,
        outbound_allowed_networks="127.0.0.0/8", site_url="http://kafana.bench",
    )  # fmt: skip
    svc = Services(settings=settings, db=Database(settings.effective_database_url))
    supervisor = Supervisor(svc)
    posted = Arrivals()

    def publish(events: Sequence[Event]) -> None:
        supervisor.observe(events)
        for event in events:
            if event.event == "posted" and '"from_bridge"' in event.data["post"]:
                posted.saw(json.loads(event.data["post"])["message"])

    svc.db.publisher = publish
    with tempfile.TemporaryDirectory(prefix="kafana-bench-ircd-") as ircd_dir:
        ircd = Ngircd(Path(ircd_dir), max_penalty=0)
        ircd.start()
        try:
            admin = await users.do_create_user(svc, SYSTEM, {"username": "admin", "email": "admin@example.com", "password": "Bench-pass-123"})
            team = (await teams.do_create_team(svc, SYSTEM, teams.TeamDraft(name="bench", display_name="Bench"))).team
            await teams.do_add_team_members(svc, SYSTEM, team.id, [admin.id])
            channel = await channels.do_create_channel(svc, Actor(admin), channels.ChannelDraft(team_id=team.id, name="irc", display_name="IRC", type="O"))
            alice, bob = await IrcUser(ircd.port, "alice").connect(), await IrcUser(ircd.port, "bob").connect()
            heard = Arrivals()
            listen(bob, heard)

            async def alice_says(text: str) -> None:
                alice.say(text)

            async def kafana_posts(text: str) -> None:
                await posts.do_create_post(svc, Actor(admin), posts.PostDraft(channel.id, text))

            result: dict[str, Any] = {"plain_irc": await measure(alice_says, heard)}
            began = time.perf_counter()
            for i in range(MESSAGES):  # the same posts with no bridge: what posting alone costs
                await kafana_posts(f"alone m{i}")
            result["posting_alone"] = {"messages_per_s": MESSAGES / (time.perf_counter() - began)}
            config = {"server": f"127.0.0.1:{ircd.port}", "nick": "kafana", "channel": "#test", "lines_per_second": 1000, "burst": 100}
            bridge = await bridges.do_add_bridge(svc, SYSTEM, "irc", "bench/irc", config)
            await supervisor.tick()  # takes the bridge's lease and starts it
            worker = supervisor.running[bridge.id].worker
            assert isinstance(worker, IrcBridge)
            async with asyncio.timeout(WAIT):
                await worker.joined.wait()
            result["kafana_to_irc"] = await measure(kafana_posts, heard)
            result["irc_to_kafana"] = await measure(alice_says, posted)
            plain, alone = result["plain_irc"], result["posting_alone"]["messages_per_s"]
            print(f"    posting alone  {alone:8,.0f} posts/s (the same posts with no bridge)", flush=True)
            for path in ("plain_irc", "kafana_to_irc", "irc_to_kafana"):
                r = result[path]
                print(
                    f"    {path:14} {r['messages_per_s']:8,.0f} msg/s (× {r['messages_per_s'] / plain['messages_per_s']:.2f} of plain IRC)   "
                    f"latency p50 {r['p50_ms']:6.1f} ms p99 {r['p99_ms']:6.1f} ms (× {r['p99_ms'] / plain['p99_ms']:.1f})"
                    + ("" if path == "plain_irc" else f"; × {r['messages_per_s'] / alone:.2f} of posting alone"),
                    flush=True,
                )
            alice.close()
            bob.close()
            return result
        finally:
            await supervisor.stop()
            ircd.stop()
            await svc.db.dispose()


async def main() -> int:
    results: dict[str, Any] = {"messages": MESSAGES, "one_at_a_time": ONE_AT_A_TIME, "load_average": os.getloadavg()[0]}
    await on_each_engine(bench_engine, results)
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"bridge-{dt.datetime.now(dt.UTC).strftime('%Y%m%dT%H%M%SZ')}.json"
    path.write_text(json.dumps(results, indent=2))
    print(f"results: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
