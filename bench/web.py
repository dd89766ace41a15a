"""`make bench`, web client part: the initial JavaScript the browser must load (gzip), and the time to switch
to a channel of 60 posts in Debian's Chromium (Playwright), cold (history fetched) and warm (already held).

Targets (issue: web client): initial JS ≤ 300 KB gzip; channel switch ≤ 150 ms on this machine. It only
prints (and writes bench/results/web-<UTC timestamp>.json); it never fails a build.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gzip
import json
import re
import shutil
import statistics
import tempfile
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import async_playwright

from bench.run import KAFANA_ENV, RESULTS_DIR, make_kafana
from bench.servers import free_port

WEB_DIST = Path(__file__).resolve().parent.parent / "src" / "kafana" / "web_dist"
CHANNELS = 12  # cold switches: each channel is opened once
POSTS_PER_CHANNEL = 60
WARM_ROUNDS = 12
JS_TARGET_KB = 300.0
SWITCH_TARGET_MS = 150.0
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"]

# Runs in the page: click the channel's sidebar link, then wait (frame by frame) until its heading and all of
# its posts are on screen; returns the milliseconds from the click to the frame that shows them.
SWITCH_JS = """async ([name, count]) => {
  const link = [...document.querySelectorAll('nav a.nav-item')].find(a => a.querySelector('.nav-label')?.textContent === name);
  const t0 = performance.now();
  link.click();
  return await new Promise(resolve => {
    const check = () => {
      const h = document.getElementById('channel-title');
      if (h && h.textContent.includes(name) && document.querySelectorAll('.post-list article.post').length >= count) {
        requestAnimationFrame(() => resolve(performance.now() - t0));
      } else requestAnimationFrame(check);
    };
    check();
  });
}"""


def initial_js(dist: Path = WEB_DIST) -> dict[str, Any]:
    """The scripts index.html loads before the first screen (its module entry and modulepreloads), gzip -9."""
    html = (dist / "index.html").read_text()
    paths = re.findall(r'<script[^>]+src="(/[^"]+\.js)"', html) + re.findall(r'<link[^>]+rel="modulepreload"[^>]+href="(/[^"]+\.js)"', html)
    files = {p: (dist / p.lstrip("/")).read_bytes() for p in dict.fromkeys(paths)}
    raw = sum(len(b) for b in files.values())
    gz = sum(len(gzip.compress(b, compresslevel=9)) for b in files.values())
    css = sum(len(gzip.compress(p.read_bytes(), compresslevel=9)) for p in (dist / "assets").glob("*.css"))
    return {"files": sorted(files), "raw_kb": raw / 1024, "gzip_kb": gz / 1024, "css_gzip_kb": css / 1024}


def prepare(base: str) -> tuple[str, list[str]]:
    """An admin, a team and CHANNELS channels of POSTS_PER_CHANNEL posts each, over the API; returns the team name."""
    with httpx.Client(base_url=base + "/api/v4", timeout=60) as http:
        http.post("/users", json={"email": "bench@example.com", "username": "bench", "password": "bench-pass-1"}).raise_for_status()
        login = http.post("/users/login", json={"login_id": "bench", "password": "bench-pass-1"})
        login.raise_for_status()
        http.headers["Authorization"] = "Bearer " + login.headers["Token"]
        team = http.post("/teams", json={"name": "bench", "display_name": "Bench", "type": "O"}).json()
        names = []
        for i in range(CHANNELS):
            name = f"Channel {i:02d}"
            channel = http.post("/channels", json={"team_id": team["id"], "name": f"c{i:02d}", "display_name": name, "type": "O"}).json()
            for j in range(POSTS_PER_CHANNEL):
                http.post(
                    "/posts", json={"channel_id": channel["id"], "message": f"post {j} in {name}: some **Markdown** with `code` and a :smile:"}
                ).raise_for_status()
            names.append(name)
        return team["name"], names


async def switch_times(base: str, team: str, names: list[str]) -> dict[str, Any]:
    chromium = shutil.which("chromium")
    if not chromium:
        raise RuntimeError("Chromium is not installed (make browser)")
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=chromium, headless=True, args=ARGS)
        page = await (await browser.new_context(base_url=base, viewport={"width": 1280, "height": 800})).new_page()
        await page.goto(f"/{team}/channels/town-square")
        await page.get_by_label("Email or username").fill("bench")
        await page.get_by_label("Password").fill("bench-pass-1")
        await page.get_by_role("button", name="Log in").click()
        await page.get_by_role("heading", name="# Town Square").wait_for()
        cold = [await page.evaluate(SWITCH_JS, [name, POSTS_PER_CHANNEL]) for name in names]
        warm = [await page.evaluate(SWITCH_JS, [names[i % 2], POSTS_PER_CHANNEL]) for i in range(WARM_ROUNDS)]
        await browser.close()
    return {"cold_ms": cold, "warm_ms": warm}


def summary(values: list[float]) -> str:
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    return f"median {statistics.median(values):6.1f} ms, p90 {p90:6.1f} ms, max {max(values):6.1f} ms"


def main() -> int:
    js = initial_js()
    print(f"web: initial JS {js['gzip_kb']:.1f} KB gzip ({js['raw_kb']:.1f} KB raw, {len(js['files'])} files), CSS {js['css_gzip_kb']:.1f} KB gzip")
    with tempfile.TemporaryDirectory(prefix="kafana-bench-web-") as tmp:
        server = make_kafana(Path(tmp) / "kafana", free_port())
        server.env = {**KAFANA_ENV, "KAFANA_PASSWORD_HASH_MEMORY_KIB": "1024", "KAFANA_PASSWORD_HASH_TIME_COST": "1"}
        with server:
            server.wait_ready()
            team, names = prepare(server.base_url)
            times = asyncio.run(switch_times(server.base_url, team, names))
    cold, warm = times["cold_ms"], times["warm_ms"]
    print(f"web: channel switch, {POSTS_PER_CHANNEL} posts, cold (fetched): {summary(cold)}")
    print(f"web: channel switch, {POSTS_PER_CHANNEL} posts, warm (held):    {summary(warm)}")
    js_ok = js["gzip_kb"] <= JS_TARGET_KB
    switch_ok = statistics.median(cold) <= SWITCH_TARGET_MS
    print(
        f"web: targets — initial JS ≤ {JS_TARGET_KB:.0f} KB gzip: {'met' if js_ok else 'MISSED'}; switch ≤ {SWITCH_TARGET_MS:.0f} ms (cold median): {'met' if switch_ok else 'MISSED'}"
    )
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS_DIR / f"web-{stamp}.json").write_text(json.dumps({"initial_js": js, **times}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
