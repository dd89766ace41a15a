"""Turn two servers' figures into the table a developer reads and the JSON a later run compares with.

Ratios are always Kafana ÷ reference, measured in the same run on the same machine. The targets are the
ones from shared/reference/perf.md as set for `make bench`; they print PASS/FAIL but never fail the run.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RSS_LIMIT_MB = 150.0
IDLE_SOCKET_KIB = 50.0


@dataclass(frozen=True)
class Row:
    """One table line: how to read the figure from a result, and the target it is judged by (if any)."""

    label: str
    path: tuple[str, ...]
    unit: str
    check: Callable[[float, float], bool] | None = None
    target: str = ""


ROWS = [
    Row("posts/s, 4 posters", ("post", "posts_per_s"), "/s", lambda k, r: k >= 0.1 * r, ">= 0.10x ref"),
    Row("POST p50", ("post", "p50_ms"), "ms"),
    Row("POST p95", ("post", "p95_ms"), "ms"),
    Row("POST p99", ("post", "p99_ms"), "ms"),
    Row("history page 0 p50", ("history_page0", "p50_ms"), "ms"),
    Row("history page 0 p95", ("history_page0", "p95_ms"), "ms", lambda k, r: k <= 5 * r, "<= 5x ref"),
    Row("history page 20 p50", ("history_page20", "p50_ms"), "ms"),
    Row("history page 20 p95", ("history_page20", "p95_ms"), "ms", lambda k, r: k <= 5 * r, "<= 5x ref"),
    Row("peak RSS, HTTP phases", ("peak_rss_mb",), "MB", lambda k, r: k <= RSS_LIMIT_MB, f"<= {RSS_LIMIT_MB:.0f} MB"),
    Row("RSS after start (idle)", ("rss_mb_started",), "MB"),
    Row("RSS after sign-up+login", ("rss_mb_after_setup",), "MB"),
    Row("peak RSS, prefill+measure", ("peak_rss_mb_under_load",), "MB"),
    Row("server CPU per post", ("post", "server_cpu_ms_per_post"), "ms"),
    Row("server CPU, post phase", ("post", "server_cpu_util"), "core"),
    Row("driver CPU, post phase", ("post", "driver_cpu_util"), "core"),
    Row("delivery p50, 100 sockets, 2 posts/s", ("realtime", "delivery", "p50_ms"), "ms"),
    Row("delivery p95", ("realtime", "delivery", "p95_ms"), "ms", lambda k, r: k <= 10 * r, "<= 10x ref"),
    Row("delivery p99", ("realtime", "delivery", "p99_ms"), "ms"),
    Row("delivery samples missing (of 4,000)", ("realtime", "delivery", "missing"), ""),
    Row("posts/s, 4 posters + 100 listeners", ("realtime", "saturated", "posts_per_s"), "/s", lambda k, r: k >= 0.2 * r, ">= 0.20x ref"),
    Row("listeners that got every post (of 100)", ("realtime", "saturated", "listeners_complete"), "", lambda k, r: k >= 100, "all 100"),
    Row("sockets closed by server, saturated", ("realtime", "saturated", "sockets_closed"), ""),
    Row("server CPU per post, 100 listeners", ("realtime", "saturated", "server_cpu_ms_per_post"), "ms"),
    Row("driver CPU, saturated", ("realtime", "saturated", "driver_cpu_util"), "core"),
    Row("RSS, 0 sockets (before idle phase)", ("realtime", "idle_0_rss_mb"), "MB"),
    Row("RSS, 100 idle sockets", ("realtime", "idle_100", "rss_mb"), "MB"),
    Row("RSS, 5,000 idle sockets", ("realtime", "idle_5000", "rss_mb"), "MB"),
    Row("RSS per idle socket, 100", ("realtime", "idle_100", "kib_per_socket"), "KiB"),
    Row("RSS per idle socket, 5,000", ("realtime", "idle_5000", "kib_per_socket"), "KiB", lambda k, r: k <= IDLE_SOCKET_KIB, f"<= {IDLE_SOCKET_KIB:.0f} KiB"),
    Row("peak RSS, whole run (with 5,000 sockets)", ("peak_rss_mb_whole_run",), "MB"),
    Row("open idle sockets 100 -> 5,000", ("realtime", "idle_5000", "open_s"), "s"),
    Row("upload MB/s, 10 parallel 20 MB", ("uploads", "upload_mb_s"), "MB/s"),
    Row("plain file copy MB/s, same disk", ("uploads", "plain_copy_mb_s"), "MB/s"),
    Row("upload / plain copy", ("uploads", "upload_vs_copy"), "x"),
    Row("peak RSS, uploads", ("uploads", "peak_rss_mb"), "MB"),
    Row("prefill posts/s, 8 posters", ("prefill", "posts_per_s"), "/s"),
    Row("startup", ("startup_s",), "s"),
    Row("background CPU (others), worst phase", ("machine_load", "background_cpu_cores"), "core"),
    Row("CPU steal, worst phase", ("machine_load", "steal_cores"), "core"),
]


def lookup(result: dict[str, Any] | None, path: tuple[str, ...]) -> float:
    value: Any = result
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return math.nan
        value = value[key]
    return float(value) if isinstance(value, int | float) else math.nan


def fmt(value: float) -> str:
    if math.isnan(value):
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def verdicts(kafana: dict[str, Any] | None, reference: dict[str, Any] | None) -> dict[str, str]:
    """PASS / FAIL / n/a for each targeted row (n/a when a figure is missing)."""
    out: dict[str, str] = {}
    for row in ROWS:
        if row.check is None:
            continue
        k, r = lookup(kafana, row.path), lookup(reference, row.path)
        needs_ref = "ref" in row.target
        if math.isnan(k) or (needs_ref and math.isnan(r)):
            out[row.label] = "n/a"
        else:
            out[row.label] = "PASS" if row.check(k, r) else "FAIL"
    return out


def table(kafana: dict[str, Any] | None, reference: dict[str, Any] | None) -> str:
    judged = verdicts(kafana, reference)
    header = ("figure", "unit", "kafana", "reference", "ratio k/r", "target", "verdict")
    lines = [header]
    for row in ROWS:
        k, r = lookup(kafana, row.path), lookup(reference, row.path)
        ratio = k / r if r and not math.isnan(k) and not math.isnan(r) else math.nan
        ratio_text = "-" if math.isnan(ratio) else f"{ratio:.2f}x"
        lines.append((row.label, row.unit, fmt(k), fmt(r), ratio_text, row.target, judged.get(row.label, "")))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    rendered = [
        "  ".join(cell.ljust(w) if i in (0, 1, 5, 6) else cell.rjust(w) for i, (cell, w) in enumerate(zip(line, widths, strict=True))) for line in lines
    ]
    rendered.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(rendered)


def write_json(path: Path, payload: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2, sort_keys=True, default=str) + "\n")
