"""With MFA enforced (KAFANA_MFA_ENFORCED), a person without it is sent to set it up at login, and then in."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.async_api import expect

from kafana.lib import totp
from tests.browser.conftest import ApiUser, Pages, assert_accessible, login
from tests.compat.conftest import LiveServer, start_server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    started = start_server(tmp_path_factory.mktemp("browser-mfa-server"), env={"KAFANA_MFA_ENFORCED": "true"})
    try:
        yield started
    finally:
        started.stop()


def turn_on_mfa(user: ApiUser) -> None:
    secret = user.call("POST", f"/users/{user.id}/mfa/generate")["secret"]
    user.call("PUT", f"/users/{user.id}/mfa", {"activate": True, "code": totp.code_at(secret, totp.current_step())})


async def test_a_member_without_mfa_sets_it_up_at_login(pages: Pages, server: LiveServer) -> None:
    root, mia = ApiUser(server, "root"), ApiUser(server, "mia")
    try:
        turn_on_mfa(root)  # until then even the admin may do nothing else
        team = root.create_team("vault")
        root.join(team, mia)
    finally:
        root.close()
        mia.close()
    page = await pages.open("/vault/channels/town-square")
    await login(page, "mia")
    await expect(page.get_by_text("This server requires two-factor authentication. Set it up to continue.")).to_be_visible()
    await page.get_by_role("button", name="Set up two-factor authentication").click()
    secret = (await page.locator(".mfa-secret").text_content() or "").strip()
    await assert_accessible(page, "enforced two-factor set-up")
    await page.get_by_label("Authentication code").fill(totp.code_at(secret, totp.current_step()))
    await page.get_by_role("button", name="Turn on").click()
    await page.get_by_role("button", name="I have saved my recovery codes").click()
    await expect(page.get_by_role("heading", name="Town Square")).to_be_visible()
    await expect(page).to_have_url(f"{pages.base_url}/vault/channels/town-square")
