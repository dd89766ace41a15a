"""The app shell: served at Mattermost's URLs, sign-up and login through the UI, the session kept across reloads."""

from __future__ import annotations

import re

from playwright.async_api import expect

from tests.browser.conftest import Pages


async def test_signup_then_reload_keeps_the_session(pages: Pages) -> None:
    page = await pages.open("/some-team/channels/town-square")
    await expect(page).to_have_url(re.compile(r"/login\?redirect_to=%2Fsome-team%2Fchannels%2Ftown-square$"))
    await page.get_by_role("link", name="Create one").click()
    await page.get_by_label("Email").fill("ana@example.com")
    await page.get_by_label("Username").fill("ana")
    await page.get_by_label("Password").fill("secret-pass-1")
    await page.get_by_role("button", name="Create account").click()
    await expect(page.get_by_role("heading", name="Create a team")).to_be_visible()  # no team yet
    cookies = {c["name"] for c in await page.context.cookies()}
    assert {"MMAUTHTOKEN", "MMUSERID", "MMCSRF"} <= cookies
    await page.reload()
    await expect(page.get_by_role("heading", name="Create a team")).to_be_visible()


async def test_wrong_password_is_explained_in_words(pages: Pages) -> None:
    page = await pages.open("/login")
    await page.get_by_label("Email or username").fill("nobody")
    await page.get_by_label("Password").fill("wrong-password")
    await page.get_by_role("button", name="Log in").click()
    await expect(page.get_by_role("alert")).to_have_text("Wrong username, email or password.")
