"""Screenshots of the main screens (desktop and phone, light and dark) for the README, and the PWA pieces: a
manifest with icons and a service worker that controls the page."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from playwright.async_api import expect

from tests.browser.conftest import SCREENSHOTS, ApiUser, Pages, assert_accessible, login, post_in_list
from tests.compat.conftest import LiveServer

CONVERSATION = [
    ("ana", "Morning! The **release checklist** for 0.2 is ready:\n1. Migrations reviewed\n2. `make test` green on PostgreSQL\n3. Screenshots in the README"),
    (
        "bob",
        "Nice. I changed the retry loop, can you have a look?\n```python\nasync def deliver(post):\n    for attempt in range(5):\n        if await send(post):\n            return True\n        await asyncio.sleep(2 ** attempt)\n```",
    ),
    ("ana", "Looks right to me :+1: one question in the thread"),
    ("bob", "> Migrations reviewed\n\nDone, and @ana the docs are updated too :tada:"),
]


@pytest.fixture(scope="module")
def seeded(server: LiveServer) -> Iterator[None]:
    people = {name: ApiUser(server, name) for name in ("ana", "bob")}
    ana, bob = people["ana"], people["bob"]
    team = ana.create_team("kafana")
    ana.join(team, bob)
    channel = ana.call("POST", "/channels", {"team_id": team["id"], "name": "release", "display_name": "Release", "type": "O", "purpose": "Shipping 0.2"})
    bob.call("POST", f"/channels/{channel['id']}/members", {"user_id": bob.id})
    ana.call("PUT", f"/channels/{channel['id']}/patch", {"header": "Release 0.2 — due **Friday**"})
    posts = [people[who].post(channel["id"], text) for who, text in CONVERSATION]
    bob.post(channel["id"], "The sleep is capped by the server's Retry-After anyway.", root_id=posts[2]["id"])
    for who, emoji in (("bob", "+1"), ("ana", "rocket"), ("bob", "rocket")):
        people[who].call("POST", "/reactions", {"user_id": people[who].id, "post_id": posts[1]["id"], "emoji_name": emoji})
    yield
    for person in people.values():
        person.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("device", ["desktop", "phone"])
async def test_main_screens(pages: Pages, seeded: None, device: str, scheme: str) -> None:
    viewport = {"width": 1280, "height": 800} if device == "desktop" else {"width": 360, "height": 740}
    page = await pages.open("/kafana/channels/release", viewport=viewport, color_scheme=scheme, is_mobile=device == "phone")
    await login(page, "ana")
    await expect(post_in_list(page, "retry loop")).to_be_visible()
    await expect(post_in_list(page, "retry loop").locator("code.hljs")).to_be_visible()  # highlighted
    assert await page.evaluate("document.documentElement.dataset.theme") == scheme
    if device == "desktop":
        await post_in_list(page, "one question in the thread").get_by_role("button", name="1 reply").click()
        await expect(page.get_by_role("complementary", name="Thread")).to_contain_text("Retry-After")
    elif scheme == "dark":
        await page.get_by_role("button", name="Open the channel list").click()
        await expect(page.get_by_role("navigation", name="Channels")).to_be_visible()
    await page.mouse.move(0, 0)
    await assert_accessible(page, f"{device} {scheme}")
    shot = await page.screenshot()
    assert shot.startswith(b"\x89PNG")
    # Written when missing or asked for (`make screenshots`): times in the picture change every run, and a
    # test run should not leave the work tree modified.
    path = SCREENSHOTS / f"{device}-{scheme}.png"
    if os.environ.get("KAFANA_UPDATE_SCREENSHOTS") == "1" or not path.exists():
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path.write_bytes(shot)


async def test_installable_as_a_pwa(pages: Pages, seeded: None) -> None:
    page = await pages.open("/login")
    manifest = await page.evaluate("fetch('/manifest.webmanifest').then(r => r.json())")
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/"
    assert {"192x192", "512x512"} <= {icon["sizes"] for icon in manifest["icons"]}
    # The service worker installs, caches the app shell and takes control.
    await page.evaluate("navigator.serviceWorker.ready")
    cached = await page.evaluate(
        "caches.keys().then(keys => Promise.all(keys.map(k => caches.open(k).then(c => c.keys())))).then(all => all.flat().map(r => new URL(r.url).pathname))"
    )
    assert "/" in cached
