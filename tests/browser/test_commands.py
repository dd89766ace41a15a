"""Slash commands in the web client: typing / lists the commands (built-in and the team's custom ones), Enter
runs one, /me posts for everyone, an ephemeral answer shows to its caller only, marked so; a webhook's post
shows its own name; axe-core checks the open list."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.async_api import expect

from tests.browser.conftest import ApiUser, Pages, assert_accessible, composer, login, post_in_list
from tests.compat.conftest import LiveServer, start_server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """An empty server that may call loopback, where the custom command's (never called) URL points, and shows
    integrations' own names."""
    started = start_server(
        tmp_path_factory.mktemp("browser-server"), env={"KAFANA_OUTBOUND_ALLOWED_NETWORKS": "127.0.0.1/32", "KAFANA_ENABLE_POST_USERNAME_OVERRIDE": "true"}
    )
    try:
        yield started
    finally:
        started.stop()


async def test_command_autocomplete_me_and_ephemeral_answers(pages: Pages, server: LiveServer) -> None:
    ana = ApiUser(server, "ana")  # the first account: system admin
    bob = ApiUser(server, "bob")
    team = ana.create_team("ops")
    ana.join(team, bob)
    town = ana.channel(team, "town-square")
    # A custom command with autocomplete shows up with the built-ins (its URL is never called here).
    ana.call(
        "POST",
        "/commands",
        {"team_id": team["id"], "trigger": "deploy", "url": "http://127.0.0.1:9/deploy", "auto_complete": True, "auto_complete_desc": "Ship it"},
    )

    ana_page = await pages.open("/login")
    await login(ana_page, "ana")
    bob_page = await pages.open("/login")
    await login(bob_page, "bob")
    for page in (ana_page, bob_page):
        await page.goto("/ops/channels/town-square")
        await expect(page.get_by_role("heading", level=1)).to_contain_text("Town Square")

    box = composer(ana_page, "Town Square")
    await box.fill("/")
    await box.press("End")  # the list follows what is typed before the caret
    await box.type("d")
    options = ana_page.get_by_role("listbox", name=re.compile(".")).get_by_role("option")
    await expect(options.filter(has_text="/deploy")).to_be_visible()
    await expect(options.filter(has_text="/deploy")).to_contain_text("Ship it")
    await expect(options.filter(has_text="/dnd")).to_be_visible()
    await assert_accessible(ana_page, "command suggestions")
    await box.fill("")
    await box.type("/shr")
    await expect(options).to_have_count(1)
    await box.press("Enter")  # takes the suggestion
    await expect(box).to_have_value("/shrug ")

    # /me posts an action everyone sees, in italics.
    await box.fill("/me waves at everyone")
    await box.press("Enter")
    await expect(post_in_list(bob_page, "waves at everyone").locator("em")).to_have_text("waves at everyone")
    await expect(box).to_have_value("")

    # An ephemeral answer: only Ana sees it, marked as such.
    await box.fill("/away")
    await box.press("Enter")
    answer = post_in_list(ana_page, "You are now away.")
    await expect(answer).to_be_visible()
    await expect(answer).to_contain_text("(Only visible to you)")
    await expect(answer.get_by_role("toolbar")).to_have_count(0)
    await assert_accessible(ana_page, "ephemeral answer")
    assert bob.call("GET", f"/users/{ana.id}/status")["status"] == "away"
    await expect(post_in_list(bob_page, "waves at everyone")).to_be_visible()
    await expect(post_in_list(bob_page, "You are now away.")).to_have_count(0)

    # An unknown command is refused: the text stays, with the server's reason.
    await box.fill("/nosuchcommand now")
    await box.press("Enter")
    await expect(ana_page.get_by_role("alert")).to_contain_text("/nosuchcommand")
    await expect(box).to_have_value("/nosuchcommand now")
    assert [p["message"] for p in ana.call("GET", f"/channels/{town['id']}/posts")["posts"].values() if p["type"] == "me"] == ["*waves at everyone*"]

    # An incoming webhook's post shows the name it gives, marked as a bot's.
    hook = ana.call("POST", "/hooks/incoming", {"channel_id": town["id"], "display_name": "Monitoring"})
    ana.http.post(f"{server.url}/hooks/{hook['id']}", json={"text": "disk at 91%", "username": "Nagios"}).raise_for_status()
    alert = post_in_list(bob_page, "disk at 91%")
    await expect(alert.locator(".post-author")).to_have_text("Nagios")
    await expect(alert).to_contain_text("BOT")
    await assert_accessible(bob_page, "webhook post")
    ana.close()
    bob.close()
