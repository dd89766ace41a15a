"""Switching the language in Settings stores it as the user's `locale`; Arabic lays the app out right to left."""

from __future__ import annotations

import re

from playwright.async_api import expect

from tests.browser.conftest import ApiUser, Pages, assert_accessible, login, post_in_list
from tests.compat.conftest import LiveServer


async def test_switching_to_arabic_gives_a_right_to_left_layout(pages: Pages, server: LiveServer) -> None:
    lina = ApiUser(server, "lina")
    souk = lina.create_team("souk")
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
    # System messages are written from their props in the reader's language, the header's Markdown rendered.
    lina.call("PUT", f"/channels/{lina.channel(souk, 'town-square')['id']}/patch", {"header": "الموعد **الجمعة**"})
    notice = page.locator(".post.system", has_text="عيّن @lina ترويسة القناة إلى:")
    await expect(notice.locator("strong", has_text="الجمعة")).to_be_visible()
    await assert_accessible(page, "Arabic layout")

    # The status menu and a question before deleting, in Arabic and mirrored: the confirming button sits at the
    # inline end (the left), after Cancel.
    await page.get_by_role("button", name=re.compile("^@lina, ")).click()
    menu = page.get_by_role("menu", name="الحالة")
    await expect(menu.get_by_role("menuitemradio", name="متصل", exact=True)).to_be_focused()
    menu_box = await menu.bounding_box()
    assert menu_box is not None and menu_box["x"] + menu_box["width"] <= (page.viewport_size or {"width": 0})["width"]
    await assert_accessible(page, "Arabic status menu")
    await page.keyboard.press("Escape")
    await expect(menu).to_have_count(0)
    box = page.get_by_role("combobox", name="اكتب في Town Square")
    await box.fill("مرحبا")
    await box.press("Enter")
    post = post_in_list(page, "مرحبا")
    await expect(post.get_by_text("جارٍ الإرسال…")).to_have_count(0)
    await post.hover()
    await post.get_by_role("button", name="إجراءات أخرى").click()
    await post.get_by_role("menuitem", name="حذف").click()
    question = page.get_by_role("alertdialog", name="حذف هذه الرسالة؟")
    confirm, cancel = question.get_by_role("button", name="حذف"), question.get_by_role("button", name="إلغاء")
    await expect(confirm).to_be_focused()
    confirm_box, cancel_box = await confirm.bounding_box(), await cancel.bounding_box()
    assert confirm_box is not None and cancel_box is not None and confirm_box["x"] < cancel_box["x"], "not mirrored"
    await assert_accessible(page, "Arabic delete question")
    await page.keyboard.press("Escape")
    await expect(question).to_have_count(0)
    await expect(post).to_have_count(1)

    assert lina.call("GET", "/users/me")["locale"] == "ar"
    await page.reload()
    await expect(html).to_have_attribute("dir", "rtl")
    lina.close()
