"""Accounts in the web client: an admin makes sign-up invite-only in the system console; an invited person
signs up through the team's invite link, turns on two-factor authentication, logs out and back in with a code."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.async_api import Page, expect

from kafana.lib import totp
from tests.browser.conftest import ApiUser, Pages, assert_accessible, login
from tests.compat.conftest import LiveServer


@pytest.fixture(scope="module")
def boss(server: LiveServer) -> Iterator[tuple[ApiUser, dict[str, Any]]]:
    """The first account (system admin) and its team `guild`."""
    admin = ApiUser(server, "boss")
    team = admin.create_team("guild")
    yield admin, team
    admin.close()


def live(admin: ApiUser) -> dict[str, Any]:
    """The sign-up settings in force, as the server's live settings say."""
    return {s["name"]: s["value"] for s in admin.call("GET", "/kafana/settings") if s["name"] in ("signup_mode", "invite_permission")}


async def open_console(page: Page) -> Any:
    await page.get_by_role("button", name="System console").click()
    return page.get_by_role("dialog", name="System console")


async def test_admin_makes_signup_invite_only(pages: Pages, boss: tuple[ApiUser, dict[str, Any]]) -> None:
    admin, team = boss
    assert live(admin) == {"signup_mode": "open", "invite_permission": "members"}  # as the test servers start
    page = await pages.open("/guild/channels/town-square")
    await login(page, "boss")
    console = await open_console(page)
    await expect(console.get_by_role("radio", name="Anyone")).to_be_checked()
    await console.get_by_role("radio", name="Only people with an invitation").check()
    await console.get_by_label("Who may invite people").select_option(label="Team administrators")
    await console.get_by_role("button", name="Save").click()
    await expect(console.get_by_role("status")).to_have_text("Saved.")
    assert live(admin) == {"signup_mode": "invite", "invite_permission": "team_admins"}
    # The team's invite link is shown, and regenerating it replaces it.
    link = console.get_by_role("textbox", name="Guild", exact=True)
    await expect(link).to_have_value(f"{pages.base_url}/signup_user_complete/?id={team['invite_id']}")
    await assert_accessible(page, "system console: sign-up")
    await console.get_by_role("button", name="Regenerate the invite link of Guild").click()
    await expect(link).not_to_have_value(f"{pages.base_url}/signup_user_complete/?id={team['invite_id']}")
    await console.get_by_role("tab", name="Users").click()
    await expect(console.get_by_text("@boss")).to_be_visible()
    await console.get_by_role("tab", name="Audit log").click()
    await expect(console.get_by_role("cell", name="setting_changed").first).to_be_visible()
    await assert_accessible(page, "system console: audit log")


async def test_invited_person_signs_up_turns_on_2fa_and_logs_in_with_a_code(pages: Pages, boss: tuple[ApiUser, dict[str, Any]]) -> None:
    admin, team = boss
    invite_id = admin.call("GET", f"/teams/{team['id']}")["invite_id"]
    page = await pages.open(f"/signup_user_complete/?id={invite_id}")
    await expect(page.get_by_text("Create your account to join Guild")).to_be_visible()
    await assert_accessible(page, "sign-up from an invite link")
    await page.get_by_label("Email").fill("dana@example.com")
    await page.get_by_label("Username").fill("dana")
    await page.get_by_label("Password").fill("dana-secret-pass")
    await page.get_by_role("button", name="Create account").click()
    # Signed in, in the team the link leads to.
    await expect(page).to_have_url(f"{pages.base_url}/guild/channels/town-square")
    await expect(page.get_by_role("heading", name="Town Square")).to_be_visible()

    await page.get_by_role("button", name="Settings").click()
    settings = page.get_by_role("dialog", name="Settings")
    await settings.get_by_role("button", name="Set up two-factor authentication").click()
    await expect(settings.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    secret = (await settings.locator(".mfa-secret").text_content() or "").strip()
    # The previous step's code turns it on; the current one (newer, so not yet used) logs in below.
    await settings.get_by_label("Authentication code").fill(totp.code_at(secret, totp.current_step() - 1))
    await settings.get_by_role("button", name="Turn on").click()
    codes = settings.get_by_role("list", name="Recovery codes").get_by_role("listitem")
    await expect(codes).to_have_count(totp.RECOVERY_CODE_COUNT)
    await assert_accessible(page, "two-factor set-up: recovery codes")
    await settings.get_by_role("button", name="I have saved my recovery codes").click()
    await expect(settings.get_by_text("Two-factor authentication is on. To turn it off, confirm with a code.")).to_be_visible()
    await expect(settings.get_by_text("this session")).to_be_visible()
    await settings.get_by_role("button", name="Close").click()

    await page.get_by_role("button", name="Log out").click()
    await login(page, "dana", "dana-secret-pass")
    await page.get_by_label("Authentication code").fill("000000")
    await page.get_by_role("button", name="Log in").click()
    await expect(page.get_by_role("alert")).to_contain_text("That code is not valid")
    await assert_accessible(page, "two-factor login prompt")
    await page.get_by_label("Authentication code").fill(totp.code_at(secret, totp.current_step()))
    await page.get_by_role("button", name="Log in").click()
    await expect(page.get_by_role("heading", name="Town Square")).to_be_visible()
