"""People in the web client: choosing a status (and others seeing it), profile cards, typing indicators, group
messages, the composer's autocomplete and ↑ to edit, and Esc closing panels; axe-core on each screen."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import ApiUser, Pages, assert_accessible, composer, login, post_in_list
from tests.compat.conftest import LiveServer

People = dict[str, Any]


@pytest.fixture(scope="module")
def people(server: LiveServer) -> Iterator[People]:
    """Ana (admin; a designer in Tokyo), Bob and Cy in team `crew`; Ana has said hello in town-square."""
    ana, bob, cy = ApiUser(server, "ana"), ApiUser(server, "bob"), ApiUser(server, "cy")
    team = ana.create_team("crew")
    ana.join(team, bob)
    ana.join(team, cy)
    ana.call(
        "PUT",
        "/users/me/patch",
        {"position": "Designer", "timezone": {"useAutomaticTimezone": "false", "manualTimezone": "Asia/Tokyo", "automaticTimezone": ""}},
    )
    town = ana.channel(team, "town-square")
    for user in (bob, cy):
        user.call("POST", f"/channels/{town['id']}/members", {"user_id": user.id})
    ana.post(town["id"], "hello from ana")
    yield {"ana": ana, "bob": bob, "cy": cy, "town": town["id"]}
    for user in (ana, bob, cy):
        user.close()


async def signed_in(pages: Pages, username: str, path: str = "/crew/channels/town-square", *, fake_clock: bool = False) -> Page:
    page = await pages.open(path)
    if fake_clock:  # timers that run once a minute are then moved on by the test, not waited for
        await page.clock.install()
        await page.reload()
    await login(page, username)
    return page


def status_button(page: Page, username: str) -> Any:
    return page.get_by_role("button", name=re.compile(f"^@{username}, Set your status"))


async def test_status_menu_profile_card_and_presence_seen_by_others(pages: Pages, people: People) -> None:
    ana = await signed_in(pages, "ana")
    bob = await signed_in(pages, "bob", fake_clock=True)
    await expect(post_in_list(bob, "hello from ana")).to_be_visible()

    # Ana: do not disturb for 30 minutes, from the menu on her avatar.
    me = status_button(ana, "ana")
    await expect(me).to_have_accessible_name(re.compile(r"now Online\)"))
    await me.click()
    menu = ana.get_by_role("menu", name="Status")
    await expect(menu.get_by_role("menuitemradio", name="Online")).to_have_attribute("aria-checked", "true")
    await menu.get_by_role("menuitemradio", name="Do not disturb").click()
    await assert_accessible(ana, "status menu")
    await menu.get_by_role("group", name="Do not disturb for").get_by_role("menuitem", name="30 minutes").click()
    await expect(menu).to_have_count(0)
    await expect(me).to_have_accessible_name(re.compile(r"now Do not disturb until "))
    await expect(me.locator(".presence-dnd")).to_be_visible()
    status = people["ana"].call("GET", f"/users/{people['ana'].id}/status")
    assert status["status"] == "dnd" and status["manual"] is True
    assert 29 * 60 <= status["dnd_end_time"] - status["last_activity_at"] // 1000 <= 31 * 60

    # A custom status with an expiry.
    await me.click()
    await menu.get_by_role("menuitem", name="Set a custom status…").click()
    dialog = ana.get_by_role("dialog", name="Custom status")
    await dialog.get_by_label("What are you up to?").fill("In a workshop")
    await dialog.get_by_role("button", name="Emoji :speech_balloon: (choose another)").click()
    picker = ana.get_by_role("dialog", name="Choose an emoji")
    await picker.get_by_label("Search emoji").fill("hammer_and_w")
    await picker.get_by_role("option", name=":hammer_and_wrench:").click()
    await expect(dialog.get_by_label("What are you up to?")).to_have_value("In a workshop")  # kept while picking
    await dialog.get_by_label("Clear after").select_option(label="4 hours")
    await assert_accessible(ana, "custom status dialog")
    await dialog.get_by_role("button", name="Save").click()
    await expect(dialog).to_have_count(0)
    await expect(me).to_have_accessible_name(re.compile("In a workshop"))
    custom = people["ana"].call("GET", "/users/me")["props"]["customStatus"]
    assert '"emoji":"hammer_and_wrench"' in custom and '"text":"In a workshop"' in custom and '"duration":"four_hours"' in custom

    # Bob sees it beside her name, live, and clicks her picture: her card, with what she chose (asked afresh), her position and local time.
    await expect(post_in_list(bob, "hello from ana").locator('.custom-status-emoji[title="In a workshop"]')).to_have_text("🛠️")
    await post_in_list(bob, "hello from ana").locator(".avatar-button").click()
    card = bob.get_by_role("dialog", name="Profile of ana")
    await expect(card).to_contain_text("Designer")
    await expect(card).to_contain_text("Do not disturb")
    await expect(card).to_contain_text("In a workshop")
    await expect(card).to_contain_text(re.compile(r"Local time: \d{1,2}:\d\d\s?[AP]M GMT\+9"))
    await assert_accessible(bob, "profile card")
    await card.get_by_role("button", name="Send a message").click()
    await expect(bob).to_have_url(re.compile(r"/crew/messages/@ana$"))
    await expect(composer(bob, "@ana")).to_be_focused()
    heading = bob.get_by_role("heading", level=1)
    await expect(heading.get_by_role("img", name="Do not disturb")).to_be_visible()

    # Do not disturb until a chosen time.
    await me.click()
    await menu.get_by_role("menuitemradio", name="Do not disturb").click()
    await menu.get_by_role("menuitem", name="Choose a date and time…").click()
    until = ana.get_by_role("dialog", name="Do not disturb until a time")
    await until.get_by_label("Ends at").fill("2099-06-01T10:30")
    await assert_accessible(ana, "do not disturb until")
    await until.get_by_role("button", name="Do not disturb").click()
    await expect(me).to_have_accessible_name(re.compile(r"now Do not disturb until .*2099"))
    status = people["ana"].call("GET", f"/users/{people['ana'].id}/status")
    assert status["status"] == "dnd" and status["dnd_end_time"] == await ana.evaluate("Math.floor(new Date('2099-06-01T10:30').getTime() / 1000)")

    # Ana goes away; Bob's dots follow at the next minute's poll (status_change reaches only Ana).
    await me.click()
    await menu.get_by_role("menuitemradio", name="Away").click()
    await expect(me.locator(".presence-away")).to_be_visible()
    await bob.clock.fast_forward(60_000)
    await expect(heading.get_by_role("img", name="Away")).to_be_visible()
    dm_link = bob.get_by_role("navigation", name="Channels").get_by_role("link", name=re.compile("^ana"))
    await expect(dm_link.locator(".presence-away")).to_be_visible()

    # Clearing the custom status; back online.
    await me.click()
    await menu.get_by_role("menuitem", name="Clear the custom status").click()
    await expect(me).not_to_have_accessible_name(re.compile("In a workshop"))
    await me.click()
    await menu.get_by_role("menuitemradio", name="Online").click()
    await expect(me).to_have_accessible_name(re.compile(r"now Online\)"))


async def test_group_message_live_for_all_three_with_typing(pages: Pages, people: People) -> None:
    ana = await signed_in(pages, "ana")
    bob = await signed_in(pages, "bob")
    cy = await signed_in(pages, "cy")
    await expect(post_in_list(ana, "hello from ana")).to_be_visible()

    await ana.get_by_role("button", name="Direct message").click()
    start = ana.get_by_role("dialog", name="Direct message")
    for name in ("bob", "cy"):
        await start.get_by_label("Find people").fill(name)
        await start.get_by_role("button", name=re.compile(f"@{name}$")).click()
        await expect(start.get_by_role("button", name=f"Remove {name}")).to_be_visible()
    await assert_accessible(ana, "group message picker")
    await start.get_by_role("button", name="Start").click()
    await expect(ana).to_have_url(re.compile(r"/crew/messages/[0-9a-z]{40}$"))
    box = ana.get_by_role("combobox", name=re.compile(r"^Write to .*bob"))
    await box.fill("shall we meet at 3?")
    await box.press("Enter")
    await expect(post_in_list(ana, "shall we meet at 3?")).to_be_visible()

    # Bob and Cy: the group appears in their sidebars, unread, live; opening it shows the post.
    for page in (bob, cy):
        link = page.get_by_role("navigation", name="Channels").get_by_role("link", name=re.compile("^ana, bob, cy"))
        await expect(link).to_have_class(re.compile(r"\bunread\b"))
        await link.click()
        await expect(post_in_list(page, "shall we meet at 3?")).to_be_visible()

    # Bob types: the others see it, then it goes once he posts.
    bob_box = bob.get_by_role("combobox", name=re.compile(r"^Write to "))
    await bob_box.press_sequentially("yes, 3 wo")
    await expect(ana.get_by_text("bob is typing…")).to_be_visible()
    await expect(cy.get_by_text("bob is typing…")).to_be_visible()
    await assert_accessible(ana, "group message with typing")
    await bob_box.press_sequentially("rks")
    await bob_box.press("Enter")
    await expect(post_in_list(cy, "yes, 3 works")).to_be_visible()
    await expect(ana.get_by_text("bob is typing…")).to_have_count(0)

    # Bob is on the automatic time zone: signing in gave it his browser's, so his card shows his local time.
    await post_in_list(ana, "yes, 3 works").get_by_role("button", name="bob").click()
    card = ana.get_by_role("dialog", name="Profile of bob")
    await expect(card).to_contain_text(re.compile(r"Local time: \d{1,2}:\d\d"))
    await expect(card.get_by_role("button", name="Send a message")).to_be_visible()
    assert people["bob"].call("GET", "/users/me")["timezone"]["automaticTimezone"] == await bob.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone")


async def test_composer_autocomplete_edit_last_and_escape(pages: Pages, people: People) -> None:
    page = await signed_in(pages, "ana")
    box = composer(page, "Town Square")
    await expect(box).to_be_focused()
    suggestions = page.get_by_role("listbox", name="Suggestions")

    await box.press_sequentially("ping @bo")
    await expect(suggestions.get_by_role("option", name=re.compile("^@bob"))).to_be_visible()
    await assert_accessible(page, "mention suggestions")
    await box.press("Enter")
    await expect(box).to_have_value("ping @bob ")
    await box.press_sequentially("see ~off")
    await expect(suggestions.get_by_role("option", name=re.compile("^Off-Topic"))).to_have_attribute("aria-selected", "true")
    await box.press("Tab")
    await expect(box).to_have_value("ping @bob see ~off-topic ")
    await box.press_sequentially("now :rocke")
    option = suggestions.get_by_role("option", name=re.compile(r":rocket:"))
    await expect(option).to_be_visible()
    while await option.get_attribute("aria-selected") != "true":
        await box.press("ArrowDown")
    await box.press("Enter")
    await expect(box).to_have_value("ping @bob see ~off-topic now :rocket: ")
    await box.press("Enter")
    sent = post_in_list(page, "ping @bob see")
    await expect(sent.get_by_role("img", name=":rocket:")).to_be_visible()
    await expect(sent.get_by_role("link", name="~off-topic")).to_be_visible()

    # ↑ in the empty box edits the last message, in place.
    await expect(box).to_have_value("")
    await expect(sent.get_by_text("Sending…")).to_have_count(0)  # a message still being sent is not the one ↑ edits
    await box.press("ArrowUp")
    edit = page.get_by_role("textbox", name="Edit the message")
    await expect(edit).to_be_focused()
    await edit.fill("ping @bob see ~off-topic now, edited")
    await edit.press("Enter")
    await expect(post_in_list(page, "now, edited")).to_contain_text("(edited)")

    # Esc closes panels: the thread, then the search results.
    await sent.hover()
    await post_in_list(page, "now, edited").get_by_role("button", name="Reply").click()
    thread = page.get_by_role("complementary", name="Thread")
    await expect(thread).to_be_visible()
    await page.keyboard.press("Escape")
    await expect(thread).to_have_count(0)
    search = page.get_by_role("combobox", name="Search messages")
    await search.fill("edited")
    await search.press("Enter")
    results = page.get_by_role("complementary", name="Search results")
    await expect(results).to_be_visible()
    await box.focus()
    await page.keyboard.press("Escape")
    await expect(results).to_have_count(0)
