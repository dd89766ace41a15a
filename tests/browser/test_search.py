"""Search in the web client: the header's box with hints and from: autocomplete, results with their words
highlighted, a result opening its message in the channel (scrolled to and highlighted), file results, and
the recent mentions, saved and pinned lists following WebSocket events; axe-core on each panel."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import ApiUser, Pages, assert_accessible, login, post_in_list
from tests.compat.conftest import LiveServer

FILLER = 90  # after the target: more than a page, so the target is not loaded when the channel opens


@pytest.fixture(scope="module")
def people(server: LiveServer) -> Iterator[dict[str, Any]]:
    """Ana (admin) and Bob in team `crew`; the decision Bob will look for lies 90 messages back in town-square."""
    ana, bob = ApiUser(server, "ana"), ApiUser(server, "bob")
    team = ana.create_team("crew")
    ana.join(team, bob)
    town = ana.channel(team, "town-square")
    ana.post(town["id"], "Old news about the garden")
    decision = ana.post(town["id"], "The budget decision is final: we buy the blue boat")
    for i in range(FILLER):
        ana.post(town["id"], f"chatter {i:03d}")
    upload = ana.http.post("/files", data={"channel_id": town["id"]}, files={"files": ("boat_budget-2026.pdf", b"%PDF-1.4 boat", "application/pdf")})
    upload.raise_for_status()
    ana.call("POST", "/posts", {"channel_id": town["id"], "message": "the quote", "file_ids": [upload.json()["file_infos"][0]["id"]]})
    pinned = ana.post(town["id"], "Meeting every Tuesday at noon")
    ana.call("POST", f"/posts/{pinned['id']}/pin")
    ana.post(town["id"], "@bob can you check the boat budget?")
    yield {"ana": ana, "bob": bob, "town": town, "decision": decision}
    ana.close()
    bob.close()


def search_box(page: Page) -> Any:
    return page.get_by_role("combobox", name="Search messages")


def panel(page: Page, title: str) -> Any:
    return page.get_by_role("complementary", name=title)


async def test_search_then_open_the_result_in_its_channel(pages: Pages, people: dict[str, Any]) -> None:
    page = await pages.open("/crew/channels/town-square")
    await login(page, "bob")
    await expect(post_in_list(page, "can you check the boat budget")).to_be_visible()
    await expect(post_in_list(page, "budget decision")).to_have_count(0)  # not in the loaded page

    box = search_box(page)
    await box.focus()
    hints = page.get_by_role("listbox", name="Search suggestions")
    await expect(hints.get_by_role("option", name="from: Messages from a person")).to_be_visible()
    await box.fill("boat budget")
    await box.press("Enter")

    results = panel(page, "Search results")
    hit = results.get_by_role("button", name="The budget decision is final")
    await expect(hit).to_be_visible()
    await expect(hit.locator("mark")).to_have_text(["budget", "boat"])
    await expect(results.get_by_role("heading", name="# Town Square")).to_be_visible()
    await assert_accessible(page, "search results")

    await results.get_by_role("tab", name="Files").click()
    file_hit = results.locator(".file-result", has_text="boat_budget-2026.pdf")
    await expect(file_hit).to_be_visible()
    await expect(file_hit.locator("mark")).to_have_text(["boat", "budget"])
    await assert_accessible(page, "file results")
    await results.get_by_role("tab", name="Messages").click()

    await results.get_by_role("button", name="The budget decision is final").click()
    target = page.locator(f'.post-list article.post[data-post-id="{people["decision"]["id"]}"]')
    await expect(target).to_have_class(re.compile(r"\bhighlight\b"))
    await expect(target).to_be_in_viewport()
    await expect(page).to_have_url(f"{page.url.split('/crew/')[0]}/crew/channels/town-square")


async def test_from_autocomplete_by_keyboard(pages: Pages, people: dict[str, Any]) -> None:
    page = await pages.open("/crew/channels/town-square")
    await login(page, "bob")
    box = search_box(page)
    await box.focus()
    await box.type("boat from:an")
    option = page.get_by_role("option", name="@ana")
    await expect(option).to_be_visible()
    await box.press("ArrowDown")
    await expect(option).to_have_attribute("aria-selected", "true")
    await box.press("Enter")
    await expect(box).to_have_value("boat from:ana ")
    await box.press("Enter")
    results = panel(page, "Search results")
    await expect(results.locator(".search-result")).to_have_count(2)
    await page.keyboard.press("Escape")
    await expect(results).to_have_count(0)


async def test_mentions_saved_and_pinned_follow_events(pages: Pages, people: dict[str, Any]) -> None:
    ana, bob, town = people["ana"], people["bob"], people["town"]
    page = await pages.open("/crew/channels/town-square")
    await login(page, "bob")
    await expect(post_in_list(page, "can you check the boat budget")).to_be_visible()

    await page.get_by_role("button", name="Recent mentions").click()
    mentions = panel(page, "Recent mentions")
    await expect(mentions.get_by_role("button", name="can you check the boat budget")).to_be_visible()
    ana.post(town["id"], "@bob lunch at one?")
    await expect(mentions.get_by_role("button", name="lunch at one")).to_be_visible()
    await assert_accessible(page, "recent mentions")

    await page.get_by_role("button", name="Saved messages").click()
    saved = panel(page, "Saved messages")
    await expect(saved.get_by_text("You have no saved messages")).to_be_visible()
    message = post_in_list(page, "lunch at one")
    await message.hover()
    await message.get_by_role("button", name="More actions").click()
    await message.get_by_role("menuitem", name="Save").click()
    await expect(saved.get_by_role("button", name="lunch at one")).to_be_visible()
    bob.call(
        "POST",
        f"/users/{bob.id}/preferences/delete",
        [{"user_id": bob.id, "category": "flagged_post", "name": _id_of(ana, town, "lunch at one"), "value": "true"}],
    )
    await expect(saved.get_by_role("button", name="lunch at one")).to_have_count(0)

    await page.get_by_role("button", name="Pinned messages").click()
    pins = panel(page, "Pinned in Town Square")
    await expect(pins.get_by_role("button", name="Meeting every Tuesday at noon")).to_be_visible()
    newer = ana.post(town["id"], "Pin me too")
    ana.call("POST", f"/posts/{newer['id']}/pin")
    await expect(pins.get_by_role("button", name="Pin me too")).to_be_visible()
    await assert_accessible(page, "pinned messages")
    await pins.get_by_role("button", name="Meeting every Tuesday at noon").click()
    await expect(page.locator(".post-list article.post.highlight", has_text="Meeting every Tuesday")).to_be_in_viewport()


def _id_of(user: ApiUser, channel: dict[str, Any], text: str) -> str:
    posts = user.call("GET", f"/channels/{channel['id']}/posts?per_page=20")
    return next(p["id"] for p in posts["posts"].values() if text in p["message"])
