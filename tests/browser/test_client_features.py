"""Scrollback through a long history, a network drop and recovery without reload, and the phone layout."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.async_api import expect

from tests.browser.conftest import ApiUser, Pages, assert_accessible, composer, login, post_in_list
from tests.compat.conftest import LiveServer

HISTORY = 500


@pytest.fixture(scope="module")
def people(server: LiveServer) -> Iterator[tuple[ApiUser, ApiUser, dict[str, str]]]:
    """Ana (admin) and Bob in team `crew`, with 500 messages in town-square."""
    ana, bob = ApiUser(server, "ana"), ApiUser(server, "bob")
    team = ana.create_team("crew")
    ana.join(team, bob)
    town = ana.channel(team, "town-square")
    for i in range(HISTORY):
        ana.post(town["id"], f"message {i:03d}")
    yield ana, bob, {"team": team["name"], "town": town["id"]}
    ana.close()
    bob.close()


async def test_scrolling_back_through_500_messages_keeps_the_position(pages: Pages, people: tuple[ApiUser, ApiUser, dict[str, str]]) -> None:
    page = await pages.open("/crew/channels/town-square")
    await login(page, "bob")
    await expect(post_in_list(page, "message 499")).to_be_visible()
    await expect(post_in_list(page, "message 000")).to_have_count(0)
    log = page.get_by_role("log", name="Messages")
    loads = 0
    while await page.get_by_text("This is the start of the channel.").count() == 0:
        loads += 1
        assert loads <= 15, "older pages never reached the start"
        first = page.locator(".post-list article.post").first
        first_id = await first.get_attribute("data-post-id")
        await log.evaluate("el => { el.scrollTop = 0; }")
        before = await page.locator(f'[data-post-id="{first_id}"]').evaluate("n => n.getBoundingClientRect().top")
        # The next page arrives above: the post that was first stays where it was on screen.
        await expect(page.locator(".post-list article.post").first).not_to_have_attribute("data-post-id", first_id or "", timeout=20_000)
        after = await page.locator(f'[data-post-id="{first_id}"]').evaluate("n => n.getBoundingClientRect().top")
        assert abs(after - before) < 2, (before, after)
    assert loads >= HISTORY // 60
    await expect(post_in_list(page, "message 000")).to_have_count(1)
    assert await page.locator(".post-list article.post").count() == HISTORY


async def test_network_drop_and_recovery_without_reload(pages: Pages, people: tuple[ApiUser, ApiUser, dict[str, str]]) -> None:
    ana, _, ids = people
    page = await pages.open("/crew/channels/town-square")
    await login(page, "bob")
    await expect(post_in_list(page, "message 499")).to_be_visible()
    banner = page.get_by_role("status").filter(has_text=re.compile("offline|Connecting"))
    await expect(banner).to_have_count(0)

    await page.context.set_offline(True)
    await expect(page.get_by_role("status").filter(has_text="You are offline")).to_be_visible()
    ana.post(ids["town"], "posted while Bob was offline")
    await composer(page, "Town Square").fill("sent while offline")
    await composer(page, "Town Square").press("Enter")
    unsent = post_in_list(page, "sent while offline")
    await expect(unsent.get_by_role("alert")).to_contain_text("Not sent.")

    await page.context.set_offline(False)
    await expect(post_in_list(page, "posted while Bob was offline")).to_be_visible()
    await expect(banner).to_have_count(0)
    await unsent.get_by_role("button", name="Retry").click()
    await expect(post_in_list(page, "sent while offline").get_by_role("alert")).to_have_count(0)
    await expect(post_in_list(page, "sent while offline")).to_have_count(1)
    recent = ana.call("GET", f"/channels/{ids['town']}/posts?per_page=10")
    assert [p["message"] for p in recent["posts"].values()].count("sent while offline") == 1


async def test_phone_layout_at_360px(pages: Pages, people: tuple[ApiUser, ApiUser, dict[str, str]]) -> None:
    page = await pages.open("/crew/channels/town-square", viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    await login(page, "ana")
    await expect(post_in_list(page, "message 499")).to_be_visible()
    sidebar = page.get_by_role("navigation", name="Channels")
    await expect(sidebar).to_be_hidden()
    await page.get_by_role("button", name="Open the channel list").click()
    await expect(sidebar).to_be_visible()
    await assert_accessible(page, "phone drawer")
    await sidebar.get_by_role("link", name="Off-Topic", exact=True).click()
    await expect(sidebar).to_be_hidden()
    await expect(page).to_have_url(re.compile(r"/crew/channels/off-topic$"))
    await composer(page, "Off-Topic").fill("from my phone")
    await composer(page, "Off-Topic").press("Enter")
    await expect(post_in_list(page, "from my phone")).to_be_visible()
    await expect(post_in_list(page, "from my phone").get_by_text("Sending…")).to_have_count(0)
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways ({width}px)"
    await assert_accessible(page, "phone channel")


async def test_keyboard_switcher_channel_moves_and_mute(pages: Pages, people: tuple[ApiUser, ApiUser, dict[str, str]]) -> None:
    page = await pages.open("/crew/channels/town-square")
    await login(page, "ana")
    await expect(composer(page, "Town Square")).to_be_focused()
    await page.keyboard.press("Control+k")
    await expect(page.get_by_role("dialog", name="Switch channels")).to_be_visible()
    await page.keyboard.type("off")
    await page.keyboard.press("Enter")
    await expect(page).to_have_url(re.compile(r"/crew/channels/off-topic$"))
    await expect(page.get_by_role("dialog", name="Switch channels")).to_have_count(0)
    await page.keyboard.press("Alt+ArrowDown")
    await expect(page).to_have_url(re.compile(r"/crew/channels/town-square$"))
    await page.keyboard.press("Alt+ArrowUp")
    await expect(page).to_have_url(re.compile(r"/crew/channels/off-topic$"))

    # Muted: new posts no longer make the channel bold.
    await page.get_by_role("button", name="Channel options").click()
    await page.get_by_role("menuitem", name="Mute the channel").click()
    sidebar = page.get_by_role("navigation", name="Channels")
    off_topic = sidebar.get_by_role("link", name="Off-Topic", exact=True)
    await expect(off_topic).to_have_class(re.compile(r"\bmuted-channel\b"))
    await page.keyboard.press("Alt+ArrowDown")
    await expect(page).to_have_url(re.compile(r"/crew/channels/town-square$"))
    ana, bob, _ = people
    off = bob.call("GET", "/teams/name/crew/channels/name/off-topic")
    bob.call("POST", f"/channels/{off['id']}/members", {"user_id": bob.id})
    bob.post(off["id"], "quiet news")
    # A direct message sent after it: once that shows as unread, the muted channel's post has arrived too.
    direct = bob.call("POST", "/channels/direct", [bob.id, ana.id])
    bob.post(direct["id"], "ping")
    await expect(sidebar.get_by_role("link", name=re.compile("^bob"))).to_have_class(re.compile(r"\bunread\b"))
    await expect(sidebar.get_by_role("link", name=re.compile("^Off-Topic"))).not_to_have_class(re.compile(r"\bunread\b"))
