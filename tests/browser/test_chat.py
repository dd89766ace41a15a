"""Two people chatting through the web client, each in their own browser context: sign-up, team, channel,
live posts both ways, a thread reply, a reaction, an edit, a delete, unread state and the new-messages line,
with axe-core checks on the screens they pass through."""

from __future__ import annotations

import re

from playwright.async_api import Page, expect

from tests.browser.conftest import Pages, assert_accessible, composer, post_in_list, signup


async def open_channel(page: Page, name: str) -> None:
    await page.get_by_role("navigation", name="Channels").get_by_role("link", name=name, exact=True).click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text(name)


async def test_two_people_chat_live(pages: Pages) -> None:
    ana = await pages.open("/")
    await signup(ana, "ana")
    await assert_accessible(ana, "team picker")
    await ana.get_by_label("Team name").fill("Core")
    await ana.get_by_role("button", name="Create team").click()
    await expect(ana).to_have_url(re.compile(r"/core/channels/town-square$"))

    bob = await pages.open("/signup")
    await signup(bob, "bob")
    await bob.get_by_role("button", name="Join Core").click()
    await expect(bob).to_have_url(re.compile(r"/core/channels/town-square$"))

    # Ana creates a channel; Bob finds it in Browse channels and joins.
    await ana.get_by_role("button", name="Create a channel").click()
    await assert_accessible(ana, "create channel dialog")
    await ana.get_by_label("Name").fill("Planning")
    await ana.get_by_role("button", name="Create channel").click()
    await expect(ana).to_have_url(re.compile(r"/core/channels/planning$"))
    await bob.get_by_role("button", name="Browse channels").click()
    await bob.get_by_role("button", name="Join Planning").click()
    await expect(bob).to_have_url(re.compile(r"/core/channels/planning$"))

    # Posts appear live on the other side, both ways.
    await composer(ana, "Planning").fill("Hello **Bob**, agenda at 10")
    await composer(ana, "Planning").press("Enter")
    await expect(post_in_list(bob, "Hello Bob, agenda at 10")).to_be_visible()
    await expect(post_in_list(bob, "Hello Bob").locator("strong")).to_have_text("Bob")
    await composer(bob, "Planning").fill("Sounds good\nsee you there")  # Shift+Enter is a newline; fill keeps it
    await composer(bob, "Planning").press("Enter")
    await expect(post_in_list(ana, "Sounds good")).to_be_visible()
    await assert_accessible(ana, "channel view")

    # A thread reply: Bob replies in the side panel; Ana sees the reply count and the reply.
    first = post_in_list(bob, "agenda at 10")
    await first.hover()
    await first.get_by_role("button", name="Reply").click()
    thread = bob.get_by_role("complementary", name="Thread")
    await thread.get_by_role("combobox", name="Reply").fill("I'll bring coffee")
    await thread.get_by_role("combobox", name="Reply").press("Enter")
    await expect(thread.get_by_text("I'll bring coffee")).to_be_visible()
    await expect(post_in_list(ana, "agenda at 10").get_by_role("button", name="1 reply")).to_be_visible()
    await post_in_list(ana, "agenda at 10").get_by_role("button", name="1 reply").click()
    await expect(ana.get_by_role("complementary", name="Thread").get_by_text("I'll bring coffee")).to_be_visible()
    await assert_accessible(ana, "thread panel")
    await ana.keyboard.press("Escape")
    await expect(ana.get_by_role("complementary", name="Thread")).to_have_count(0)

    # A reaction from the searchable picker shows up for Bob.
    target = post_in_list(ana, "Sounds good")
    await target.hover()
    await target.get_by_role("button", name="Add a reaction").click()
    await ana.get_by_role("searchbox", name="Search emoji").fill("thumbsup")
    await assert_accessible(ana, "emoji picker")
    await ana.get_by_role("option", name=":+1:").click()
    await expect(post_in_list(bob, "Sounds good").get_by_role("button", name="1 reaction with :+1:")).to_be_visible()

    # ↑ in the empty composer edits Ana's last message; Bob sees the edit.
    await composer(ana, "Planning").press("ArrowUp")
    edit = ana.get_by_role("textbox", name="Edit the message")
    await edit.fill("Agenda moved to 11")
    await edit.press("Enter")
    await expect(post_in_list(bob, "Agenda moved to 11")).to_contain_text("(edited)")

    # Ana deletes it; it disappears for Bob.
    await composer(ana, "Planning").fill("typo message")
    await composer(ana, "Planning").press("Enter")
    await expect(post_in_list(bob, "typo message")).to_be_visible()
    mistake = post_in_list(ana, "typo message")
    await mistake.hover()
    await mistake.get_by_role("button", name="More actions").click()
    await mistake.get_by_role("menuitem", name="Delete").click()
    question = ana.get_by_role("alertdialog", name="Delete this message?")
    await question.get_by_role("button", name="Delete").click()
    await expect(post_in_list(bob, "typo message")).to_have_count(0)

    # Unread: Bob is elsewhere; Ana's mention makes Planning bold with a badge, and opening it shows the
    # new-messages line above the first unread post.
    await open_channel(bob, "Town Square")
    await composer(ana, "Planning").fill("@bob can you check the budget?")
    await composer(ana, "Planning").press("Enter")
    planning = bob.get_by_role("navigation", name="Channels").get_by_role("link", name=re.compile("^Planning"))
    await expect(planning).to_have_class(re.compile(r"\bunread\b"))
    await expect(planning.get_by_label("1 mention")).to_be_visible()
    await planning.click()
    line = bob.get_by_role("separator").filter(has_text="New messages")
    await expect(line).to_be_visible()
    await expect(post_in_list(bob, "can you check the budget").locator(".mention-me")).to_have_text("@bob")
    await expect(planning.get_by_label("1 mention")).to_have_count(0)
    await assert_accessible(bob, "channel with new messages")

    # Logging out ends the session: back to the login page, the session cookie gone.
    await bob.get_by_role("button", name="Log out").click()
    await expect(bob).to_have_url(re.compile(r"/login$"))
    assert "MMAUTHTOKEN" not in {c["name"] for c in await bob.context.cookies()}
    await bob.reload()
    await expect(bob.get_by_role("button", name="Log in")).to_be_visible()
