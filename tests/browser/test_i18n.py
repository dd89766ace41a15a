"""Switching the language in Settings stores it as the user's `locale`; Arabic lays the app out right to left."""

from __future__ import annotations

from playwright.async_api import expect

from tests.browser.conftest import ApiUser, Pages, assert_accessible, login
from tests.compat.conftest import LiveServer


async def test_switching_to_arabic_gives_a_right_to_left_layout(pages: Pages, server: LiveServer) -> None:
    lina = ApiUser(server, "lina")
    lina.create_team("souk")
    page = await pages.open("/souk/channels/town-square")
    await login(page, "lina")
    await page.get_by_role("button", name="Settings").click()
    await page.get_by_label("Language").select_option("ar")
    await page.get_by_role("button", name="Save", exact=True).click()

    html = page.locator("html")
    await expect(html).to_have_attribute("dir", "rtl")
    await expect(html).to_have_attribute("lang", "ar")
    sidebar = page.get_by_role("navigation", name="القنوات")
    await expect(sidebar).to_be_visible()
    main = page.get_by_role("main")
    sidebar_box, main_box = await sidebar.bounding_box(), await main.bounding_box()
    assert sidebar_box is not None and main_box is not None
    assert sidebar_box["x"] > main_box["x"], "the sidebar is not on the right"
    await expect(page.get_by_role("combobox", name="اكتب في Town Square")).to_be_visible()
    await assert_accessible(page, "Arabic layout")

    assert lina.call("GET", "/users/me")["locale"] == "ar"
    await page.reload()
    await expect(html).to_have_attribute("dir", "rtl")
    lina.close()
