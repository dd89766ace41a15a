"""Reporting and moderating through the web client: a member reports a message (consent and reason), a
moderator handles it in the queue (assigns it, writes a note, removes the message, resolves it), and the
sign-up page links the code of conduct; axe-core checks on the dialog, the moderation page and sign-up."""

from __future__ import annotations

import re

from playwright.async_api import expect

from tests.browser.conftest import ApiUser, Pages, assert_accessible, login, post_in_list
from tests.compat.conftest import LiveServer


async def test_report_a_message_and_handle_it_in_the_queue(pages: Pages, server: LiveServer) -> None:
    admin = ApiUser(server, "boss")  # the first account: a system admin, so a moderator
    bob, carol = ApiUser(server, "bob"), ApiUser(server, "carol")
    team = admin.create_team("core")
    for user in (bob, carol):
        admin.join(team, user)
    town = admin.channel(team, "town-square")
    bob.post(town["id"], "buy cheap pills at example.com")

    page = await pages.open("/login")
    await login(page, "carol")
    await expect(page).to_have_url(re.compile(r"/core/channels/town-square$"))
    spam = post_in_list(page, "buy cheap pills")
    await spam.hover()
    await spam.get_by_role("button", name="More actions").click()
    await page.get_by_role("menuitem", name="Report message").click()
    dialog = page.get_by_role("dialog", name="Report this message")
    await expect(dialog.get_by_text("Only moderators see reports")).to_be_visible()
    await dialog.get_by_label("Why are you reporting it?").fill("Spam")
    send = dialog.get_by_role("button", name="Send report")
    await expect(send).to_be_disabled()  # not without consent
    await dialog.get_by_label("I agree to share this message with the moderators").check()
    await assert_accessible(page, "report dialog")
    await send.click()
    await expect(dialog.get_by_role("status")).to_have_text("Thank you. The moderators have received your report.")
    await dialog.get_by_role("button", name="Close").first.click()

    mod = await pages.open("/login")
    await login(mod, "boss")
    await mod.get_by_role("link", name="Moderation").click()
    await expect(mod).to_have_url(re.compile(r"/core/moderation$"))
    queue = mod.get_by_role("list", name="Reports")
    await expect(queue.get_by_role("button", name=re.compile("@bob"))).to_be_visible()
    await assert_accessible(mod, "moderation queue")
    await queue.get_by_role("button", name=re.compile("@bob")).click()
    detail = mod.get_by_role("article", name=re.compile("Message by @bob"))
    await expect(detail.get_by_text("buy cheap pills at example.com")).to_be_visible()
    await detail.get_by_role("button", name="Assign to me").click()
    await expect(detail.get_by_role("status")).to_have_text("Done.")
    await detail.get_by_label("Note for the moderators").fill("Third spam this week")
    await detail.get_by_role("button", name="Add note").click()
    await expect(detail.get_by_role("listitem").filter(has_text="Third spam this week")).to_be_visible()

    await detail.get_by_label("Reason (shown in the public log, without names)").fill("Spam")
    await detail.get_by_role("button", name="Remove the message").click()
    await mod.get_by_role("alertdialog", name="Remove the message: are you sure?").get_by_role("button", name="Remove the message").click()
    await expect(detail.get_by_role("listitem").filter(has_text="took action: Remove the message")).to_be_visible()
    await detail.get_by_label("Move to").select_option("resolved")
    await expect(detail.get_by_role("listitem").filter(has_text="moved it to Resolved")).to_be_visible()
    await assert_accessible(mod, "report detail")
    await expect(queue.get_by_role("button", name=re.compile("@bob"))).to_have_count(0)  # the queue shows open ones

    await expect(post_in_list(page, "buy cheap pills")).to_have_count(0)  # gone for everyone, live

    # The code of conduct, once set, is linked from the sign-up page.
    admin.call("PUT", "/kafana/settings", {"code_of_conduct_url": "https://example.org/conduct"})
    newcomer = await pages.open("/signup")
    link = newcomer.get_by_role("link", name="code of conduct")
    await expect(link).to_have_attribute("href", "https://example.org/conduct")
    await expect(newcomer.get_by_text("By signing up you agree to follow the code of conduct.")).to_be_visible()
    await assert_accessible(newcomer, "sign-up with a code of conduct")
    for user in (admin, bob, carol):
        user.close()
