"""Desktop notifications in the web client: a user turns them on in Settings, and a mention that arrives while
the tab is hidden shows a notification (with the sender, the channel and the text); a plain message does not.
The page's Notification API is a recording stand-in (headless Chromium shows none) and the tab is made to
report itself hidden; everything else is the real client against a real server."""

from __future__ import annotations

from typing import Any

from playwright.async_api import expect

from tests.browser.conftest import ApiUser, Pages, login, post_in_list
from tests.compat.conftest import LiveServer

RECORDING_NOTIFICATIONS = """
window.__notes = [];
class RecordingNotification {
    static permission = 'default';
    static async requestPermission() { RecordingNotification.permission = 'granted'; return 'granted'; }
    constructor(title, options) { window.__notes.push({title, body: options.body, tag: options.tag}); }
    close() {}
}
window.Notification = RecordingNotification;
Object.defineProperty(document, 'visibilityState', {get: () => window.__hidden ? 'hidden' : 'visible'});
"""


async def test_a_mention_in_a_hidden_tab_shows_a_desktop_notification(pages: Pages, server: LiveServer) -> None:
    ana, bob = ApiUser(server, "ana"), ApiUser(server, "bob")
    try:
        await notified_of_mentions(pages, ana, bob)
    finally:
        ana.close()
        bob.close()


async def notified_of_mentions(pages: Pages, ana: ApiUser, bob: ApiUser) -> None:
    team = ana.create_team("crew")
    ana.join(team, bob)
    town = ana.channel(team, "town-square")
    page = await pages.open("/crew/channels/town-square")
    await page.add_init_script(RECORDING_NOTIFICATIONS)
    await page.reload()
    await login(page, "bob")
    await page.get_by_role("button", name="Settings").click()
    dialog = page.get_by_role("dialog", name="Settings")
    await dialog.get_by_label("Desktop notifications in this browser").click()  # checked once the permission is granted
    await expect(dialog.get_by_label("Desktop notifications in this browser")).to_be_checked()
    await dialog.get_by_role("button", name="Save").click()
    await expect(dialog).to_have_count(0)

    await page.evaluate("window.__hidden = true")
    ana.post(town["id"], "nothing for anyone in particular")
    mention: dict[str, Any] = ana.post(town["id"], "@bob the banner is ready")
    await expect(post_in_list(page, "the banner is ready")).to_be_visible()
    notes = await page.evaluate("window.__notes")
    assert notes == [{"title": "Town Square", "body": "ana: @bob the banner is ready", "tag": mention["id"]}]
