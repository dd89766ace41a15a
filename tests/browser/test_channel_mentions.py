"""@channel in a channel of more than five people: the composer asks first; declining keeps the draft unsent."""

from __future__ import annotations

from playwright.async_api import expect

from tests.browser.conftest import ApiUser, Pages, assert_accessible, composer, login, post_in_list
from tests.compat.conftest import LiveServer


async def test_channel_wide_mention_asks_first_in_a_large_channel(pages: Pages, server: LiveServer) -> None:
    people = [ApiUser(server, name) for name in ("ana", "bo", "cy", "di", "ed", "flo")]
    try:
        team = people[0].create_team("big")
        for person in people[1:]:
            people[0].join(team, person)
        page = await pages.open("/big/channels/town-square")
        await login(page, "ana")
        box = composer(page, "Town Square")
        question = page.get_by_role("alertdialog", name="@channel will notify 5 people in this channel. Send it?")
        await box.fill("@channel the banner is ready")
        await box.press("Enter")
        await expect(question).to_be_visible()
        await expect(question.get_by_role("button", name="Send")).to_be_focused()
        await page.keyboard.press("Tab")  # the focus stays in the question: Send is last, Cancel first
        await expect(question.get_by_role("button", name="Cancel")).to_be_focused()
        await page.keyboard.press("Shift+Tab")
        await expect(question.get_by_role("button", name="Send")).to_be_focused()
        await assert_accessible(page, "channel-wide question")
        await page.keyboard.press("Escape")  # declined: nothing sent, nothing lost, and the box has the focus back
        await expect(question).to_have_count(0)
        await expect(box).to_be_focused()
        await expect(box).to_have_value("@channel the banner is ready")
        await expect(post_in_list(page, "the banner is ready")).to_have_count(0)

        await box.press("Enter")
        await expect(question).to_be_visible()
        await page.keyboard.press("Enter")  # Enter confirms
        await expect(post_in_list(page, "the banner is ready")).to_be_visible()
        await expect(question).to_have_count(0)
        await box.fill("no one in particular")
        await box.press("Enter")  # no question without a channel-wide mention
        await expect(post_in_list(page, "no one in particular")).to_be_visible()
        await assert_accessible(page, "large channel")
        assert not pages.errors, pages.errors
    finally:
        for person in people:
            person.close()
