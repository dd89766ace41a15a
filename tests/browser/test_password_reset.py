"""Forgotten password, from the login page to the emailed link and back in, against a real SMTP server."""

from __future__ import annotations

import asyncio
from pathlib import Path

from playwright.async_api import Browser, expect

from tests.browser.conftest import ApiUser, Pages, assert_accessible, login
from tests.compat.conftest import start_server
from tests.mail import SmtpSink, link_in, parts

SITE = "https://chat.example.org"


async def test_reset_a_forgotten_password_from_the_email_link(browser: Browser, tmp_path: Path) -> None:
    sink = SmtpSink()
    await sink.start()
    env = {"KAFANA_SMTP_HOST": "127.0.0.1", "KAFANA_SMTP_PORT": str(sink.port), "KAFANA_SITE_URL": SITE}
    server = await asyncio.to_thread(start_server, tmp_path / "server", env=env)
    pages = Pages(browser, server.url)
    ann = await asyncio.to_thread(ApiUser, server, "ann")
    try:
        page = await pages.open("/login")
        await page.get_by_role("link", name="Forgot your password?").click()
        await page.get_by_label("Email").fill("ann@example.com")
        await assert_accessible(page, "reset request")
        await page.get_by_role("button", name="Send the link").click()
        await expect(page.get_by_role("status")).to_contain_text("ann@example.com")

        [message] = await sink.wait_for(1)
        link = link_in(parts(message)[0], "/reset_password_complete?token=")
        await page.goto(server.url + link[len(SITE) :])
        await page.get_by_label("New password", exact=True).fill("brand-new-pass-7")
        await page.get_by_label("Repeat the new password").fill("brand-new-pass-7")
        await assert_accessible(page, "new password")
        await page.get_by_role("button", name="Change password").click()
        await expect(page.get_by_role("status")).to_contain_text("Your password is changed")

        await page.get_by_role("link", name="Back to log in").click()
        await login(page, "ann", "brand-new-pass-7")
        await expect(page.get_by_role("heading", name="Create a team")).to_be_visible()  # signed in (ann has no team yet)
        assert not pages.errors, pages.errors
    finally:
        ann.close()
        await pages.close()
        await asyncio.to_thread(server.stop)
        await sink.stop()
