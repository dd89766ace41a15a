"""`make bench`: Kafana against the bare reference app, one run, one machine, ratios printed.

Order for each server: start it, prefill the channel with 10,000 posts over HTTP (8 posters), time the
newest history page and the page 20 back, then post with 4 closed-loop posters; then the real-time phases
(`bench/realtime.py`: delivery to 100 sockets, posting with 100 listeners, RSS per idle socket). Peak RSS is
polled for the server's whole life. Every phase has a time budget so the whole run stays bounded (alarm at 420 s).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import math
import os
import platform
import signal
import sqlite3
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

from bench import realtime, report, uploads
from bench.driver import Target, history_latency, post_closed_loop
from bench.machine import NOISY_CORES, LoadWatch
from bench.servers import Server, free_port, kafana_command, pin_driver, raise_nofile, reference_command
from bench.workload import prepare_kafana, prepare_reference

RESULTS_DIR = Path(__file__).resolve().parent / "results"
TOTAL_BUDGET_S = 400.0  # hard ceiling for the whole run (about 3 minutes on a quiet machine)
PREFILL_BUDGET_S = 150.0  # per server; a slower server is measured on what it managed to store
HISTORY_BUDGET_S = 20.0  # per page
POST_BUDGET_S = 10.0
HARD_LIMIT_S = 420  # SIGALRM: whatever hangs (a startup, a request timeout, a socket), the run ends before 7 minutes
KAFANA_ENV = {"KAFANA_RATE_LIMIT_ENABLED": "false"}


class OverTime(BaseException):
    """Raised by SIGALRM; a BaseException so no `except Exception` swallows it and every server is stopped."""


def on_alarm(signum: int, frame: FrameType | None) -> None:
    raise OverTime


def loop_factory() -> Callable[[], asyncio.AbstractEventLoop]:
    """uvloop for the driver too: the driver must not be the bottleneck when it can be helped."""
    try:
        import uvloop

        return uvloop.new_event_loop
    except ImportError:
        return asyncio.new_event_loop


async def measure(server: Server, target: Target, args: argparse.Namespace, deadline: float) -> dict[str, Any]:
    """The phases, in order; each budget is also cut to what is left of the run's total.

    Each phase records what other processes did meanwhile, so a disturbed phase can be told from a slow server.
    """

    def budget(wanted: float, reserve: float) -> float:
        return max(1.0, min(wanted, deadline - time.monotonic() - reserve))

    def own_cpu() -> float:
        return server.cpu_seconds() + time.process_time()

    out: dict[str, Any] = {}
    watch = LoadWatch()
    watch.start(own_cpu())
    cpu0 = server.cpu_seconds()
    fill = await post_closed_loop(target, workers=8, total=args.prefill, max_seconds=budget(PREFILL_BUDGET_S, 160), prefix="prefill")
    cpu1 = server.cpu_seconds()
    out["prefill"] = {
        "posts": fill.sent,
        "wanted": args.prefill,
        "complete": fill.sent >= args.prefill,
        "seconds": fill.elapsed_s,
        "posts_per_s": fill.posts_per_s,
        "server_cpu_ms_per_post": (cpu1 - cpu0) * 1000 / fill.sent if fill.sent else math.nan,
        "rss_mb_after": (server.monitor.last_bytes if server.monitor else 0) / 1e6,
        "machine_load": watch.finish(own_cpu()),
    }
    print(f"  prefill: {fill.sent} posts in {fill.elapsed_s:.1f} s ({fill.posts_per_s:.0f}/s)", flush=True)

    for page in (0, 20):
        watch.start(own_cpu())
        lat = await history_latency(target, page=page, per_page=60, requests=args.history_requests, max_seconds=budget(HISTORY_BUDGET_S, 25))
        out[f"history_page{page}"] = {**lat.summary(), "machine_load": watch.finish(own_cpu())}
        print(f"  history page {page}: p50 {lat.summary()['p50_ms']:.2f} ms, p95 {lat.summary()['p95_ms']:.2f} ms ({len(lat.ms)} requests)", flush=True)

    watch.start(own_cpu())
    cpu0, wall0, proc0 = server.cpu_seconds(), time.perf_counter(), time.process_time()
    run = await post_closed_loop(target, workers=4, total=args.posts, max_seconds=budget(POST_BUDGET_S, 5), prefix="measured")
    cpu1, wall1, proc1 = server.cpu_seconds(), time.perf_counter(), time.process_time()
    out["post"] = {
        **run.latencies.summary(),
        "posts_per_s": run.posts_per_s,
        "elapsed_s": run.elapsed_s,
        "server_cpu_ms_per_post": (cpu1 - cpu0) * 1000 / run.sent if run.sent else math.nan,
        "server_cpu_util": (cpu1 - cpu0) / (wall1 - wall0),
        "driver_cpu_util": (proc1 - proc0) / (wall1 - wall0),
        "machine_load": watch.finish(own_cpu()),
    }
    print(f"  post: {run.sent} posts in {run.elapsed_s:.1f} s ({run.posts_per_s:.0f}/s), p95 {out['post']['p95_ms']:.2f} ms", flush=True)
    measured = [out[phase]["machine_load"] for phase in ("history_page0", "history_page20", "post")]

    # The HTTP phases' memory figures (and the 150 MB target) exclude the thousands of sockets opened below.
    assert server.monitor is not None
    out["peak_rss_mb_http"] = server.monitor.peak_bytes / 1e6
    out["peak_rss_mb_under_load_http"] = server.monitor.phase_peak_bytes / 1e6
    if server.name == "kafana":  # the reference app takes no files
        server.monitor.new_phase()
        watch.start(own_cpu())
        try:
            up = await uploads.measure(target, server.log_path.parent / "plain-copy", server.monitor.sample)
            up["peak_rss_mb"] = server.monitor.phase_peak_bytes / 1e6
            up["machine_load"] = watch.finish(own_cpu())
            measured.append(up["machine_load"])
            out["uploads"] = up
            print(
                f"  uploads: {up['uploads']} × {up['bytes_each'] / 1e6:.0f} MB in parallel at {up['upload_mb_s']:.0f} MB/s; "
                f"plain copy on the same disk {up['plain_copy_mb_s']:.0f} MB/s; peak RSS {up['peak_rss_mb']:.0f} MB",
                flush=True,
            )
        except Exception as exc:
            out["uploads"] = {"error": f"{type(exc).__name__}: {exc}"}
            print(f"  uploads FAILED: {out['uploads']['error']}", flush=True)
    watch.start(own_cpu())
    try:
        rt = await realtime.measure(target, server.name == "kafana", server.monitor.sample, server.cpu_seconds, budget)
        rt["machine_load"] = watch.finish(own_cpu())
        measured.append(rt["machine_load"])
        out["realtime"] = rt
    except Exception as exc:  # the HTTP figures above stay valid
        out["realtime"] = {"error": f"{type(exc).__name__}: {exc}"}
        print(f"  realtime FAILED: {out['realtime']['error']}", flush=True)
        if not isinstance(exc, RuntimeError):
            traceback.print_exc()
    out["machine_load"] = {key: max(load[key] for load in measured) for key in ("background_cpu_cores", "steal_cores")}
    return out


def bench_server(
    name: str, make: Callable[[Path, int], Server], prepare: Callable[[str], Target], args: argparse.Namespace, tmp: Path, deadline: float
) -> dict[str, Any]:
    """Start one server, measure it, stop it; an error is recorded in the result instead of aborting the run."""
    print(f"== {name}", flush=True)
    server = make(tmp / name, free_port())
    result: dict[str, Any] = {"name": name, "command": " ".join(server.command)}
    try:
        with server:
            result["startup_s"] = server.wait_ready()
            result["server_cpus"] = server.affinity()
            assert server.monitor is not None
            result["rss_mb_started"] = server.monitor.new_phase()
            target = prepare(server.base_url)
            result["rss_mb_after_setup"] = server.monitor.new_phase()
            with asyncio.Runner(loop_factory=loop_factory()) as runner:
                result.update(runner.run(measure(server, target, args, deadline)))
    except Exception as exc:
        result["error"] = f"{type(exc).__name__}: {exc}"
        print(f"  FAILED: {result['error']}", flush=True)
        if not isinstance(exc, RuntimeError):
            traceback.print_exc()
        tail = server.log_tail(15)
        if tail:
            print("  server log (tail):\n    " + tail.replace("\n", "\n    "), flush=True)
    finally:
        result["peak_rss_mb_whole_run"] = server.peak_rss_mb
        result["peak_rss_mb"] = result.pop("peak_rss_mb_http", server.peak_rss_mb)
        if server.monitor is not None and "rss_mb_after_setup" in result:
            result["peak_rss_mb_under_load"] = result.pop("peak_rss_mb_under_load_http", server.monitor.phase_peak_bytes / 1e6)
        print(f"  peak RSS {result['peak_rss_mb']:.1f} MB before the real-time phases, {server.peak_rss_mb:.1f} MB whole run", flush=True)
    return result


def print_warnings(result: dict[str, Any]) -> None:
    """Say plainly when a server's figures are missing, partial or taken on a busy machine."""
    name = result["name"]
    if result.get("error"):
        print(f"{name} FAILED: {result['error']}")
    if not result.get("prefill", {}).get("complete", True):
        print(f"{name}: prefill stopped at {result['prefill']['posts']} posts (time budget)")
    load = result.get("machine_load", {})
    if result.get("realtime", {}).get("error"):
        print(f"{name} real-time phases FAILED: {result['realtime']['error']}")
    if load and (load["background_cpu_cores"] > NOISY_CORES or load["steal_cores"] > NOISY_CORES):
        print(
            f"WARNING: during {name}'s measured phases, other work used up to {load['background_cpu_cores']:.2f} cores and steal was {load['steal_cores']:.2f} cores; "
            "its figures are unreliable: repeat the run on a quiet machine"
        )


def make_reference(workdir: Path, port: int) -> Server:
    workdir.mkdir(parents=True, exist_ok=True)
    return Server("reference", reference_command(workdir / "reference.db", port), port, workdir.parent / "reference.log")


def make_kafana(workdir: Path, port: int) -> Server:
    return Server("kafana", kafana_command(workdir, port), port, workdir.parent / "kafana.log", env=KAFANA_ENV)


def on_sigterm(signum: int, frame: FrameType | None) -> None:
    """Turn SIGTERM into an exception so every `with Server` block stops its server."""
    raise KeyboardInterrupt


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description="Kafana vs the bare reference app.")
    parser.add_argument("--prefill", type=int, default=10_000, help="posts stored before measuring (default 10000)")
    parser.add_argument("--posts", type=int, default=2_000, help="posts in the measured phase, 4 posters (default 2000, at most 10 s)")
    parser.add_argument("--history-requests", type=int, default=200, help="GETs per history page (default 200)")
    parser.add_argument("--only", choices=("kafana", "reference"), help="measure one server only")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="keep the servers' data and logs in DIR (default: a temporary directory, removed)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.keep and args.keep.exists() and any(args.keep.iterdir()):
        print(f"bench: --keep {args.keep} is not empty; give a new directory (a fresh server needs a fresh database)", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, on_sigterm)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started with SIGINT ignored (nohup, &)
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(HARD_LIMIT_S)
    started = time.monotonic()
    deadline = started + TOTAL_BUDGET_S
    pinning = pin_driver()
    nofile = raise_nofile()
    print(f"bench: {pinning}; servers pinned to CPU 1 where possible; 127.0.0.1 only; fd limit {nofile}", flush=True)
    results: dict[str, dict[str, Any] | None] = {"reference": None, "kafana": None}
    try:
        with contextlib.ExitStack() as stack:
            tmp = args.keep.resolve() if args.keep else Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="kafana-bench-")))
            tmp.mkdir(parents=True, exist_ok=True)
            if args.only in (None, "reference"):
                results["reference"] = bench_server("reference", make_reference, prepare_reference, args, tmp, deadline)
            if args.only in (None, "kafana"):
                results["kafana"] = bench_server("kafana", make_kafana, prepare_kafana, args, tmp, deadline)
    except KeyboardInterrupt:
        print("\nbench: interrupted; servers stopped", file=sys.stderr)
        return 130
    except OverTime:
        print(f"\nbench: still running after {HARD_LIMIT_S} s; servers stopped, no results", file=sys.stderr)
        return 1
    finally:
        signal.alarm(0)

    kafana, reference = results["kafana"], results["reference"]
    print()
    print(report.table(kafana, reference))
    print()
    cpus = ", ".join(f"{r['name']} on CPU {r.get('server_cpus', '?')}" for r in (kafana, reference) if r)
    print(f"{pinning}; {cpus}. Ratios are kafana / reference. MB = 10^6 bytes.")
    for result in (kafana, reference):
        if result is not None:
            print_warnings(result)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS_DIR / f"{stamp}.json"
    payload = {
        "started_at": stamp,
        "duration_s": time.monotonic() - started,
        "machine": {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version, "platform": platform.platform(), "cpus": os.cpu_count()},
        "pinning": pinning,
        "nofile": nofile,
        "settings": vars(args),
        "targets": report.verdicts(kafana, reference),
        "kafana": kafana,
        "reference": reference,
    }
    report.write_json(path, payload)
    print(f"results: {path} ({payload['duration_s']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
