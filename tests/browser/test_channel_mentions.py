"""@channel in a channel of more than five people: the composer asks first; declining keeps the draft unsent."""

from __future__ import annotations

import asyncio

from playwright.async_api import Dialog, expect

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
        questions: list[str] = []
        asked = asyncio.Event()

        async def decline(dialog: Dialog) -> None:
            questions.append(dialog.message)
            await dialog.dismiss()
            asked.set()

        page.once("dialog", decline)
        await box.fill("@channel the banner is ready")
        await box.press("Enter")
        await asyncio.wait_for(asked.wait(), 20)
        assert questions == ["@channel will notify 5 people in this channel. Send it?"]
        await expect(box).to_have_value("@channel the banner is ready")  # declined: nothing sent, nothing lost
        await expect(post_in_list(page, "the banner is ready")).to_have_count(0)

        page.once("dialog", lambda dialog: dialog.accept())
        await box.press("Enter")
        await expect(post_in_list(page, "the banner is ready")).to_be_visible()
        await box.fill("no one in particular")
        await box.press("Enter")  # no question without a channel-wide mention
        await expect(post_in_list(page, "no one in particular")).to_be_visible()
        await assert_accessible(page, "large channel")
        assert not pages.errors, pages.errors
    finally:
        for person in people:
            person.close()
