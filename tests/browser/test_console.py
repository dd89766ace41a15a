"""The system console's pages in the web client: a setting changed in the console takes effect; a retention
policy set there shows in the channel header; a job run from there shows its progress until it finishes;
the statistics draw their charts; teams and channels are managed; the server log is shown. axe-core on each
page, and the console at a phone's width (360 px)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.async_api import Locator, Page, expect

from tests.browser.conftest import ApiUser, Pages, assert_accessible, login
from tests.compat.conftest import LiveServer
from tests.helpers import bulk_lines

OPEN_SIDEBAR = "Open the channel list"


@pytest.fixture(scope="module")
def boss(server: LiveServer) -> Iterator[tuple[ApiUser, ApiUser, dict[str, Any]]]:
    """The first account (system admin), a member, and their team `guild`."""
    admin, bob = ApiUser(server, "boss"), ApiUser(server, "bob")
    team = admin.create_team("guild")
    admin.join(team, bob)
    yield admin, bob, team
    admin.close()
    bob.close()


async def open_console(pages: Pages, tab: str, **context: Any) -> tuple[Page, Locator]:
    page = await pages.open("/guild/channels/town-square", **context)
    await login(page, "boss")
    if context.get("viewport", {}).get("width", 1280) < 760:  # a phone: the sidebar is a drawer
        await page.get_by_role("button", name=OPEN_SIDEBAR).click()
    await page.get_by_role("button", name="System console").click()
    console = page.get_by_role("dialog", name="System console")
    await console.get_by_role("tab", name=tab).click()
    return page, console


async def test_a_setting_changed_in_the_console_takes_effect(pages: Pages, boss: tuple[ApiUser, ApiUser, dict[str, Any]]) -> None:
    page, console = await open_console(pages, "Settings")
    field = console.get_by_label("Code of conduct link")
    await field.fill("https://example.org/our-conduct")
    await console.get_by_role("button", name="Save 1 change").click()
    await expect(console.get_by_role("status")).to_have_text("Saved.")
    await expect(console.get_by_text('Default: ""')).to_have_count(0)  # a string default shows as it is
    await expect(console.get_by_role("button", name="Reset to default (Code of conduct link)")).to_be_visible()
    await assert_accessible(page, "system console: settings")

    newcomer = await pages.open("/signup")
    await expect(newcomer.get_by_role("link", name="code of conduct")).to_have_attribute("href", "https://example.org/our-conduct")

    # A value the server refuses is explained, and nothing changes.
    hours = console.get_by_label("Invitations expire after (hours)")
    await hours.fill("0")
    await console.get_by_role("button", name="Save 1 change").click()
    await expect(console.get_by_role("alert")).to_contain_text("invite_expiry_hours")
    await hours.fill("")
    await console.get_by_role("button", name="Save 1 change").click()
    await expect(console.get_by_role("alert")).to_have_text("“Invitations expire after (hours)” must be a number.")

    # Booleans are checkboxes, choices are selects with their labels; saved with the keyboard.
    previews = console.get_by_role("checkbox", name="Show link previews")
    await expect(previews).to_be_checked()
    await previews.press("Space")
    await console.get_by_label("Who can create bots").select_option(label="Nobody")
    await hours.fill("72")
    await console.get_by_role("button", name="Save 3 changes").press("Enter")
    await expect(console.get_by_role("status")).to_have_text("Saved.")
    await expect(previews).not_to_be_checked()
    admin, _, _ = boss
    live = {s["name"]: s["value"] for s in admin.call("GET", "/kafana/settings")}
    assert (live["enable_link_previews"], live["bot_creation"], live["invite_expiry_hours"]) == (False, "off", 72)
    await console.get_by_role("button", name="Reset to default (Show link previews)").click()
    await expect(previews).to_be_checked()


async def test_a_retention_policy_shows_in_the_channel_header(pages: Pages, boss: tuple[ApiUser, ApiUser, dict[str, Any]]) -> None:
    page, console = await open_console(pages, "Data retention")
    await expect(console.get_by_text("No custom policies yet.")).to_be_visible()
    await console.get_by_role("button", name="Add a policy").click()
    editor = console.locator("form", has=page.get_by_role("heading", name="Add a policy"))
    await editor.get_by_label("Name").fill("Short-lived")
    await expect(editor.get_by_role("checkbox", name="Keep forever")).not_to_be_checked()  # a new policy starts at 30 days
    await editor.get_by_role("spinbutton", name="Delete messages after (days)").fill("7")
    await editor.get_by_role("searchbox", name="Find a channel to add").fill("town")
    await editor.get_by_role("button", name="Add Town Square").click()
    await expect(editor.get_by_role("button", name="Remove Town Square")).to_be_visible()
    await assert_accessible(page, "system console: retention policy editor")
    await editor.get_by_role("button", name="Save").click()
    policies = console.get_by_role("list", name="Custom policies")
    await expect(policies.get_by_role("listitem")).to_have_text(re.compile(r"Short-lived · 7 days · 0 teams, 1 channel"))

    # The global policy: messages kept 90 days (off-topic follows it; town-square has its own 7).
    await console.get_by_role("checkbox", name="Keep forever").first.uncheck()
    await console.get_by_role("spinbutton", name="Delete messages after (days)").first.fill("90")
    await console.get_by_role("button", name="Save", exact=True).first.click()
    await expect(console.get_by_role("status")).to_have_text("Saved.")
    await assert_accessible(page, "system console: data retention")
    await console.get_by_role("button", name="Close").first.click()

    header = page.locator(".channel-header")
    await expect(header.get_by_text("Messages here are deleted after 7 days.")).to_be_visible()
    member = await pages.open("/guild/channels/off-topic")
    await login(member, "bob")
    await expect(member.locator(".channel-header").get_by_text("Messages here are deleted after 90 days.")).to_be_visible()
    await assert_accessible(member, "channel header with a retention notice")

    # Deleting the policy: town-square follows the global 90 days again.
    console_button = page.get_by_role("button", name="System console")
    await console_button.click()
    console = page.get_by_role("dialog", name="System console")
    await console.get_by_role("tab", name="Data retention").click()
    await console.get_by_role("button", name="Delete the policy Short-lived").click()
    await page.get_by_role("alertdialog").get_by_role("button", name="Delete").click()
    await expect(console.get_by_text("No custom policies yet.")).to_be_visible()
    admin, _, _ = boss
    admin.call("PUT", "/kafana/settings", {"retention_message_days": 0})  # the next tests' channels keep their messages


async def test_a_job_run_from_the_console_shows_progress_and_finishes(pages: Pages, boss: tuple[ApiUser, ApiUser, dict[str, Any]]) -> None:
    page, console = await open_console(pages, "Jobs")
    await expect(console.get_by_role("combobox", name="Job")).to_have_value("data_retention")
    await console.get_by_role("button", name="Run now").click()
    runs = console.get_by_role("list", name="Runs")
    newest = runs.get_by_role("listitem").first
    await expect(newest.get_by_role("progressbar")).to_be_visible()
    await expect(newest.get_by_text("Done", exact=True)).to_be_visible()  # polled until the runner finished it
    await expect(newest.get_by_role("progressbar", name="Progress (Done)")).to_have_attribute("value", "100")
    await expect(newest).to_contain_text("posts deleted: 0")
    await assert_accessible(page, "system console: jobs")
    admin, _, _ = boss
    [run, *_] = admin.call("GET", "/jobs/type/data_retention")
    assert run["status"] == "success" and run["progress"] == 100


async def test_an_export_uploaded_in_the_console_is_imported(pages: Pages, boss: tuple[ApiUser, ApiUser, dict[str, Any]]) -> None:
    page, console = await open_console(pages, "Jobs")
    await console.get_by_role("combobox", name="Job").select_option(label="Import")
    upload = console.get_by_role("form", name="Import a Mattermost export")
    await upload.get_by_label("Export file").set_input_files({"name": "export.jsonl", "mimeType": "application/octet-stream", "buffer": bulk_lines(posts=4)})
    await upload.get_by_role("button", name="Import").click()
    newest = console.get_by_role("list", name="Runs").get_by_role("listitem").first
    await expect(newest.get_by_text("Done", exact=True)).to_be_visible()
    await expect(newest).to_contain_text("posts: 4")
    await assert_accessible(page, "system console: import")
    admin, _, _ = boss
    assert admin.call("GET", "/teams/name/imported")["display_name"] == "Imported"


async def test_statistics_draw_their_charts(pages: Pages, boss: tuple[ApiUser, ApiUser, dict[str, Any]]) -> None:
    admin, bob, team = boss
    town = admin.channel(team, "town-square")
    bob.post(town["id"], "counted in today's bar")
    counts = {row["name"]: row["value"] for row in admin.call("GET", "/analytics/old?name=standard")}
    page, console = await open_console(pages, "Statistics")
    totals = console.locator(".console-totals")
    await expect(totals.locator("div", has_text="Users").locator("dd")).to_have_text(str(counts["unique_user_count"]))
    await expect(totals.locator("div", has_text="Teams").locator("dd")).to_have_text(str(counts["team_count"]))
    posts = console.get_by_role("figure", name=re.compile("^Posts per day"))
    await expect(posts.get_by_role("img", name=re.compile(r"^Posts per day: bar chart of the last 30 days"))).to_be_visible()
    await expect(posts.locator("svg rect")).to_have_count(30)
    last_bar = posts.locator("svg rect").last
    assert float(await last_bar.get_attribute("height") or 0) > 0  # today has posts
    await expect(console.get_by_role("figure", name=re.compile("^People who posted, per day")).locator("svg rect")).to_have_count(30)
    await assert_accessible(page, "system console: statistics")


async def test_teams_and_channels_and_the_log(pages: Pages, boss: tuple[ApiUser, ApiUser, dict[str, Any]]) -> None:
    admin, _, team = boss
    admin.create_team("garden")
    admin.call("POST", "/channels", {"team_id": team["id"], "name": "plans", "display_name": "Plans", "type": "O"})
    page, console = await open_console(pages, "Teams and channels")
    await console.get_by_role("searchbox", name="Search teams").fill("gard")
    await expect(console.get_by_role("list", name="Teams").get_by_role("listitem")).to_have_count(1)
    await expect(console.get_by_role("list", name="Teams")).to_contain_text("Garden")
    await console.get_by_role("searchbox", name="Search channels").fill("plans")
    channels = console.get_by_role("list", name="Channels")
    row = channels.get_by_role("listitem").filter(has_text="Plans")
    await row.get_by_role("button", name="Make private").click()
    await expect(console.get_by_role("status")).to_have_text("Plans has changed.")
    await expect(row.get_by_role("button", name="Make public")).to_be_visible()
    await row.get_by_label("Move Plans to the team").select_option(label="Garden")
    await row.get_by_role("button", name="Move").click()
    await page.get_by_role("alertdialog").get_by_role("button", name="Move").click()
    await expect(console.get_by_role("status")).to_have_text("Plans has moved.")
    await expect(channels.get_by_role("listitem").filter(has_text="Plans")).to_contain_text("Garden")
    await assert_accessible(page, "system console: teams and channels")
    await console.get_by_role("tab", name="Teams and channels").press("ArrowRight")  # the tabs by keyboard
    await expect(console.get_by_role("tab", name="Logs")).to_be_focused()
    await expect(console.get_by_role("tab", name="Logs")).to_have_attribute("aria-selected", "true")
    await expect(console.get_by_label("Lowest level")).to_have_value("info")
    await assert_accessible(page, "system console: logs")


async def test_the_console_fits_a_phone(pages: Pages, boss: tuple[ApiUser, ApiUser, dict[str, Any]]) -> None:
    page, console = await open_console(pages, "Statistics", viewport={"width": 360, "height": 740})
    for tab in ("Settings", "Data retention", "Jobs", "Statistics", "Teams and channels"):
        await console.get_by_role("tab", name=tab).click()
        overflow = await console.evaluate("d => d.scrollWidth - d.clientWidth")
        assert overflow <= 0, f"{tab}: {overflow}px wider than the screen"
    await assert_accessible(page, "system console at 360 px")
