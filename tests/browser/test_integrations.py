"""The Integrations page and the console's Bridges page in the web client: an incoming webhook made in the UI
posts what is sent to its address; a slash command made in the UI calls a local HTTP server when run from the
composer and its answer is posted; the command and an outgoing webhook are edited in their prefilled forms; a
Telegram bridge is added, listed without its token, and removed through the confirm dialog. axe-core on each
page, and the Integrations page at a phone's width (360 px)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from playwright.async_api import Page, expect
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.browser.conftest import ApiUser, Pages, assert_accessible, composer, login, post_in_list
from tests.compat.conftest import LiveServer, start_server
from tests.local_server import serve

TELEGRAM_TOKEN = "123456789:AAFakeTokenForTheBrowserTest_xyz"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """An empty server that may call loopback (the command's local server, the bridge's fake API address)."""
    started = start_server(tmp_path_factory.mktemp("browser-server"), env={"KAFANA_OUTBOUND_ALLOWED_NETWORKS": "127.0.0.1/32"})
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture(scope="module")
def ana(server: LiveServer) -> Iterator[ApiUser]:
    """The first account (system admin), in her team `ops`."""
    admin = ApiUser(server, "ana")
    admin.create_team("ops")
    yield admin
    admin.close()


@pytest.fixture
async def weather() -> AsyncIterator[tuple[str, list[dict[str, Any]]]]:
    """A slash command's service on loopback: answers `/weather CITY` in the channel, records each call."""
    calls: list[dict[str, Any]] = []

    async def answer(request: Request) -> JSONResponse:
        form = dict(await request.form())
        calls.append(form)
        return JSONResponse({"response_type": "in_channel", "text": f"Sunny in {form.get('text', '')}"})

    async with serve(Starlette(routes=[Route("/weather", answer, methods=["POST"])])) as port:
        yield f"http://127.0.0.1:{port}/weather", calls


async def open_integrations(pages: Pages, **context: Any) -> Page:
    page = await pages.open("/ops/channels/town-square", **context)
    await login(page, "ana")  # and back to where it was going
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Town Square")
    if context.get("viewport", {}).get("width", 1280) < 760:  # a phone: the sidebar is a drawer
        await page.get_by_role("button", name="Open the channel list").click()
    await page.get_by_role("link", name="Integrations").click()
    await expect(page.get_by_role("heading", level=1, name="Integrations")).to_be_visible()
    return page


async def test_an_incoming_webhook_and_a_slash_command_made_in_the_ui_work(
    pages: Pages, server: LiveServer, ana: ApiUser, weather: tuple[str, list[dict[str, Any]]]
) -> None:
    page = await open_integrations(pages)
    await expect(page.get_by_role("tab", name="Incoming webhooks")).to_have_attribute("aria-selected", "true")
    await page.get_by_role("button", name="Add incoming webhook").click()
    form = page.get_by_role("form", name="Add incoming webhook")
    await form.get_by_label("Display name").fill("Monitoring")
    await form.get_by_role("combobox", name=re.compile("^Channel")).select_option(label="Town Square")
    await assert_accessible(page, "incoming webhook form")
    await form.get_by_role("button", name="Save").click()
    address = page.get_by_role("textbox", name="Address of Monitoring")
    await expect(address).to_have_value(f"{server.url}/hooks/" + ana.call("GET", "/hooks/incoming")[0]["id"])
    await expect(page.get_by_text("Posts to Town Square")).to_be_visible()
    await assert_accessible(page, "incoming webhooks")
    await page.get_by_role("button", name="Edit Monitoring").click()
    form = page.get_by_role("form", name="Edit incoming webhook")
    await expect(form.get_by_label("Display name")).to_have_value("Monitoring")
    await form.get_by_label("Description").fill("Nagios alerts")
    await form.get_by_role("button", name="Save").click()
    await expect(page.get_by_text("Posts to Town Square · Nagios alerts")).to_be_visible()

    # What is posted to the address shown appears in the channel.
    async with httpx.AsyncClient() as http:
        (await http.post(await address.input_value(), json={"text": "disk at 91% on db1"})).raise_for_status()

    # A slash command pointing at the local service.
    await page.get_by_role("tab", name="Slash commands").click()
    await page.get_by_role("button", name="Add slash command").click()
    form = page.get_by_role("form", name="Add slash command")
    await form.get_by_label("Display name").fill("Weather")
    await form.get_by_label("Trigger word (without /)").fill("/weather")
    await form.get_by_label("Request URL").fill(weather[0])
    await form.get_by_label("Show in the command list").check()
    await form.get_by_label("Autocomplete hint").fill("[city]")
    await form.get_by_role("button", name="Save").press("Enter")
    await expect(page.get_by_role("heading", name="/weather [city]")).to_be_visible()
    team_id = ana.call("GET", "/teams/name/ops")["id"]
    [command] = ana.call("GET", "/commands?custom_only=true&team_id=" + team_id)
    token = command["token"]
    await expect(page.get_by_role("textbox", name="Token of /weather")).to_have_value(token)
    await assert_accessible(page, "slash commands")

    # Edited with the keyboard in the same form, prefilled; a URL the server may not call is refused in words.
    await page.get_by_role("button", name="Edit /weather").press("Enter")
    form = page.get_by_role("form", name="Edit slash command")
    await expect(form.get_by_label("Display name")).to_be_focused()
    url = form.get_by_label("Request URL")
    await expect(url).to_have_value(weather[0])
    await url.fill("http://10.1.2.3/weather")
    await url.press("Enter")
    await expect(form.get_by_role("alert")).to_have_text("The server will not call this URL.")
    await url.fill(weather[0] + "?units=metric")
    await url.press("Enter")
    await expect(page.get_by_text("POST " + weather[0] + "?units=metric")).to_be_visible()
    [edited] = ana.call("GET", "/commands?custom_only=true&team_id=" + team_id)
    assert (edited["id"], edited["url"], edited["trigger"], edited["token"]) == (command["id"], weather[0] + "?units=metric", "weather", token)

    # An outgoing webhook: made, then its trigger words edited.
    await page.get_by_role("tab", name="Outgoing webhooks").click()
    await page.get_by_role("button", name="Add outgoing webhook").click()
    form = page.get_by_role("form", name="Add outgoing webhook")
    await form.get_by_label("Display name").fill("Deployer")
    await form.get_by_label("Trigger words (separated by commas)").fill("deploy, ship")
    await form.get_by_label("Callback URLs (one a line)").fill(weather[0])
    await form.get_by_role("button", name="Save").click()
    await page.get_by_role("button", name="Edit Deployer").click()
    form = page.get_by_role("form", name="Edit outgoing webhook")
    words = form.get_by_label("Trigger words (separated by commas)")
    await expect(words).to_have_value("deploy, ship")
    await expect(form.get_by_label("Callback URLs (one a line)")).to_have_value(weather[0])
    await assert_accessible(page, "outgoing webhook edit form")
    await words.fill("release, ship")
    await form.get_by_role("button", name="Save").click()
    await expect(page.get_by_role("form", name="Edit outgoing webhook")).to_have_count(0)
    [hook] = ana.call("GET", "/hooks/outgoing?team_id=" + team_id)
    assert (hook["display_name"], hook["trigger_words"], hook["callback_urls"]) == ("Deployer", ["release", "ship"], [weather[0]])

    await page.goto("/ops/channels/town-square")
    await expect(post_in_list(page, "disk at 91% on db1")).to_be_visible()
    box = composer(page, "Town Square")
    await box.fill("/weather Zagreb")
    await box.press("Enter")
    await expect(post_in_list(page, "Sunny in Zagreb")).to_be_visible()
    assert [(c["command"], c["text"], c["token"]) for c in weather[1]] == [("/weather", "Zagreb", token)]


async def test_a_bot_with_a_token_and_a_refused_webhook_on_a_phone(pages: Pages, server: LiveServer, ana: ApiUser) -> None:
    page = await open_integrations(pages, viewport={"width": 360, "height": 740})
    # A bot account and its access token, shown once; the token works until it is revoked.
    await page.get_by_role("tab", name="Bot accounts").click()
    await page.get_by_role("button", name="Add bot account").click()
    form = page.get_by_role("form", name="Add bot account")
    await form.get_by_label("Username").fill("deploybot")
    await form.get_by_label("Display name").fill("Deploy Bot")
    await form.get_by_role("button", name="Save").click()
    tokens = page.get_by_role("region", name="Access tokens of @deploybot")
    await tokens.get_by_label("New token for @deploybot: description").fill("CI")
    await tokens.get_by_role("button", name="Create token").click()
    secret = await tokens.get_by_role("textbox", name="New token: CI").input_value()
    bearer = {"Authorization": "Bearer " + secret}
    async with httpx.AsyncClient(base_url=server.api) as http:
        assert (await http.get("/users/me", headers=bearer)).json()["username"] == "deploybot"
    await assert_accessible(page, "bot accounts")
    await tokens.get_by_role("button", name="Revoke the token CI").click()
    await page.get_by_role("alertdialog").get_by_role("button", name="Revoke").click()
    await expect(tokens.get_by_role("button", name="Revoke the token CI")).to_have_count(0)
    async with httpx.AsyncClient(base_url=server.api) as http:
        assert (await http.get("/users/me", headers=bearer)).status_code == 401
    await page.get_by_role("button", name="Disable @deploybot").click()
    await expect(page.get_by_role("button", name="Enable @deploybot")).to_be_visible()
    await expect(page.get_by_role("heading", name="@deploybot")).to_contain_text("Disabled")

    # A callback the server may not call is refused, in words.
    await page.get_by_role("tab", name="Outgoing webhooks").click()
    await page.get_by_role("button", name="Add outgoing webhook").click()
    form = page.get_by_role("form", name="Add outgoing webhook")
    await form.get_by_label("Trigger words (separated by commas)").fill("deploy, ship")
    await form.get_by_label("Callback URLs (one a line)").fill("http://10.1.2.3/hook")  # not an allowed network
    await form.get_by_role("button", name="Save").click()
    await expect(form.get_by_role("alert")).to_have_text("The server will not call this URL.")
    for tab in ("Incoming webhooks", "Outgoing webhooks", "Slash commands", "Bot accounts"):
        await page.get_by_role("tab", name=tab).click()
        overflow = await page.locator(".integrations").evaluate("e => e.scrollWidth - e.clientWidth")
        assert overflow <= 0, f"{tab}: {overflow}px wider than the screen"
    await assert_accessible(page, "integrations at 360 px")
    # The channel list opens from the page, as from a channel.
    await page.get_by_role("button", name="Open the channel list").click()
    await page.get_by_role("link", name="Town Square").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Town Square")


async def test_a_telegram_bridge_is_added_listed_and_removed_in_the_console(pages: Pages, ana: ApiUser) -> None:
    page = await pages.open("/ops/channels/town-square")
    await login(page, "ana")
    await page.get_by_role("button", name="System console").click()
    console = page.get_by_role("dialog", name="System console")
    await console.get_by_role("tab", name="Bridges").click()
    await expect(console.get_by_text("No bridges yet.")).to_be_visible()
    await console.get_by_role("button", name="Add bridge").click()
    form = console.get_by_role("form", name="Add bridge")
    await form.get_by_role("combobox", name=re.compile("^Network")).select_option(label="Telegram")
    await form.get_by_role("combobox", name=re.compile("^Channel here")).select_option(label="Ops / Town Square")
    await form.get_by_label("Bot token (from @BotFather)").fill(TELEGRAM_TOKEN)
    await form.get_by_label("Chat id (e.g. -1001234567890)").fill("-1001234567890")
    await form.get_by_label("Bot API address (optional; default Telegram’s)").fill("http://127.0.0.1:9")
    await assert_accessible(page, "bridge form")
    await form.get_by_role("button", name="Add", exact=True).click()
    await expect(console.get_by_role("status").filter(has_text="The bridge is added")).to_be_visible()
    row = console.get_by_role("row", name="-1001234567890 @ http://127.0.0.1:9")
    await expect(row).to_contain_text("Telegram")
    await expect(row).to_contain_text("Ops / Town Square")
    assert TELEGRAM_TOKEN not in await page.content()  # the secret is never shown back
    [bridge] = ana.call("GET", "/kafana/bridges")
    assert (bridge["kind"], bridge["config"]["chat_id"], bridge["config"]["token"]) == ("telegram", "-1001234567890", True)
    await assert_accessible(page, "bridges")

    await row.get_by_role("button", name="Remove the bridge to -1001234567890 @ http://127.0.0.1:9").click()
    question = page.get_by_role("alertdialog", name="Remove bridge?")
    await expect(question).to_contain_text("Ops / Town Square")
    await assert_accessible(page, "remove bridge question")
    await question.get_by_role("button", name="Remove").click()
    await expect(console.get_by_text("No bridges yet.")).to_be_visible()
    assert ana.call("GET", "/kafana/bridges") == []


async def test_a_team_admin_in_arabic_sees_webhooks_and_commands_right_to_left(pages: Pages, server: LiveServer, ana: ApiUser) -> None:
    team = ana.call("GET", "/teams/name/ops")
    rana, mo = ApiUser(server, "rana"), ApiUser(server, "mo")
    for user in (rana, mo):
        ana.join(team, user)
    ana.call("PUT", f"/teams/{team['id']}/members/{rana.id}/roles", {"roles": "team_user team_admin"})
    rana.call("PUT", "/users/me/patch", {"locale": "ar"})

    # A plain member is not offered the page.
    member = await pages.open("/ops/channels/town-square")
    await login(member, "mo")
    await expect(member.get_by_role("heading", level=1)).to_contain_text("Town Square")
    await expect(member.get_by_role("link", name="Integrations")).to_have_count(0)

    page = await pages.open("/ops/channels/town-square")
    await login(page, "rana")
    await expect(page.locator("html")).to_have_attribute("dir", "rtl")
    await page.get_by_role("link", name="التكاملات").click()
    tabs = page.get_by_role("tab")
    await expect(tabs).to_have_text(["خطافات الويب الواردة", "خطافات الويب الصادرة", "أوامر الشرطة المائلة"])  # no bots: admins only
    await page.get_by_role("button", name="إضافة خطاف ويب وارد").click()
    await expect(page.get_by_role("form", name="إضافة خطاف ويب وارد").get_by_role("textbox", name="عنوان الصورة")).to_have_attribute("dir", "ltr")
    await assert_accessible(page, "integrations in Arabic")
    rana.close()
    mo.close()
