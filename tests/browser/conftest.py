"""Browser tests: Playwright (Python) driving Debian's Chromium against a real `kafana serve` that serves the
built web client. `make test` installs Chromium (apt) and builds the client first; Playwright downloads nothing.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, ConsoleMessage, Page, async_playwright, expect

from kafana.api.webapp import has_web_client
from tests.compat.conftest import LiveServer, start_server

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or ""
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 20_000
expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    if not CHROMIUM:
        pytest.fail("Chromium is not installed: run `make browser` (make test does)")
    if not has_web_client():
        pytest.fail("the web client is not built: run `make web` (make test does)")
    async with async_playwright() as p:
        launched = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield launched
        await launched.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """An empty server per module: its first sign-up becomes the system admin."""
    started = start_server(tmp_path_factory.mktemp("browser-server"))
    try:
        yield started
    finally:
        started.stop()


class Pages:
    """Opens pages in fresh browser contexts (one per user) and collects their JavaScript errors."""

    def __init__(self, browser: Browser, base_url: str) -> None:
        self.browser = browser
        self.base_url = base_url
        self.contexts: list[BrowserContext] = []
        self.errors: list[str] = []

    async def open(self, path: str = "/", **context_options: Any) -> Page:
        context = await self.browser.new_context(base_url=self.base_url, **context_options)
        context.set_default_timeout(TIMEOUT_MS)
        self.contexts.append(context)
        page = await context.new_page()
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        page.on("console", self._console)
        await page.goto(path)
        return page

    def _console(self, message: ConsoleMessage) -> None:
        # Failed requests the app handles (a 401 before login, a refused socket while offline) are logged by
        # Chromium as errors too; those are not app errors. Nor is Chromium's notice that its test contexts
        # (incognito) have no Push API: the client catches the refused Web Push subscription.
        browser_notices = ("Failed to load resource", "WebSocket", "does not support the Push API in incognito")
        if message.type == "error" and not any(notice in message.text for notice in browser_notices):
            self.errors.append(f"console: {message.text}")

    async def close(self) -> None:
        for context in self.contexts:
            await context.close()


@pytest.fixture
async def pages(browser: Browser, server: LiveServer) -> AsyncIterator[Pages]:
    opened = Pages(browser, server.url)
    yield opened
    await opened.close()
    assert opened.errors == [], opened.errors


AXE_SOURCE = REPO / "web" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = REPO / "docs" / "screenshots"


async def assert_accessible(page: Page, context: str) -> None:
    """axe-core on the current page: no serious or critical violations (WCAG 2 A/AA rules)."""
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        await page.evaluate(AXE_SOURCE.read_text())
    result = await page.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']})"
    )
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == [], f"{context}: {bad}"


async def signup(page: Page, username: str, password: str = "secret-pass-1") -> None:
    """Sign up through the UI (the page is on /login or /signup)."""
    if not page.url.endswith("/signup"):
        await page.get_by_role("link", name="Create one").click()
    await page.get_by_label("Email").fill(f"{username}@example.com")
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Create account").click()


def composer(page: Page, name: str) -> Any:
    return page.get_by_role("combobox", name=f"Write to {name}")


def post_in_list(page: Page, text: str) -> Any:
    return page.locator(".post-list article.post", has_text=text)


class ApiUser:
    """A user driven over the REST API (bearer token) to set up what a browser test starts from."""

    def __init__(self, server: LiveServer, username: str, password: str = "secret-pass-1") -> None:
        self.server = server
        self.username = username
        self.password = password
        self.http = httpx.Client(base_url=server.api, timeout=30)
        self.http.post("/users", json={"email": f"{username}@example.com", "username": username, "password": password}).raise_for_status()
        login = self.http.post("/users/login", json={"login_id": username, "password": password})
        login.raise_for_status()
        self.id: str = login.json()["id"]
        self.http.headers["Authorization"] = "Bearer " + login.headers["Token"]

    def call(self, method: str, path: str, body: Any = None) -> Any:
        response = self.http.request(method, path, json=body)
        response.raise_for_status()
        return response.json()

    def create_team(self, name: str) -> dict[str, Any]:
        return dict(self.call("POST", "/teams", {"name": name, "display_name": name.title(), "type": "O", "allow_open_invite": True}))

    def join(self, team: dict[str, Any], user: ApiUser) -> None:
        self.call("POST", f"/teams/{team['id']}/members", {"team_id": team["id"], "user_id": user.id})

    def channel(self, team: dict[str, Any], name: str) -> dict[str, Any]:
        return dict(self.call("GET", f"/teams/{team['id']}/channels/name/{name}"))

    def post(self, channel_id: str, message: str, root_id: str = "") -> dict[str, Any]:
        return dict(self.call("POST", "/posts", {"channel_id": channel_id, "message": message, "root_id": root_id}))

    def close(self) -> None:
        self.http.close()


async def login(page: Page, username: str, password: str = "secret-pass-1") -> None:
    await page.get_by_label("Email or username").fill(username)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Log in").click()
