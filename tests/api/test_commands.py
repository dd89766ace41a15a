"""Slash commands: custom ones calling a real HTTP server on loopback, and every built-in one."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from kafana.actions.context import Services
from kafana.events import Event
from tests.api.test_webhooks import LOOPBACK, OVERRIDES, last_post
from tests.helpers import Api
from tests.notify.receivers import Receiver, serve


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with serve(Receiver(reply={})) as running:
        yield running


async def run(api: Api, channel: dict[str, Any], command: str, **extra: Any) -> dict[str, Any]:
    return dict(await api.post("/commands/execute", {"channel_id": channel["id"], "command": command, **extra}))


def ephemerals(events: list[Event], user_id: str) -> list[dict[str, Any]]:
    return [json.loads(e.data["post"]) for e in events if e.event == "ephemeral_message" and e.broadcast.user_id == user_id]


async def member(admin: Api, team: dict[str, Any], name: str) -> Api:
    user = await admin.signup(name)
    await admin.post(f"/teams/{team['id']}/members", {"team_id": team["id"], "user_id": user.id}, expect=201)
    return user


# Custom commands ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("settings_overrides", [OVERRIDES])
async def test_custom_command_posts_in_channel_answers(admin: Api, team: dict[str, Any], receiver: Receiver, services: Services, events: list[Event]) -> None:
    channel = await admin.create_channel(team, "ops")
    body = {"team_id": team["id"], "trigger": "Weather", "url": receiver.url + "/cmd", "method": "P", "username": "weatherbot", "auto_complete": True}
    command = await admin.post("/commands", body, expect=201)
    assert (command["trigger"], command["method"], len(command["token"])) == ("weather", "P", 26)
    receiver.reply = {"response_type": "in_channel", "text": "Sunny in Paris", "extra_responses": [{"text": "only for you"}]}
    root = await admin.post("/posts", {"channel_id": channel["id"], "message": "root"}, expect=201)
    answer = await run(admin, channel, "/weather Paris tomorrow", root_id=root["id"])
    assert (answer["response_type"], answer["text"]) == ("in_channel", "Sunny in Paris")
    call = await receiver.next()
    assert (call.method, call.path, call.headers["authorization"]) == ("POST", "/cmd", f"Token {command['token']}")
    fields = {k: v[0] for k, v in parse_qs(call.body.decode()).items()}
    assert fields["command"] == "/weather" and fields["text"] == "Paris tomorrow" and fields["token"] == command["token"]
    assert (fields["channel_id"], fields["channel_name"], fields["team_id"], fields["team_domain"]) == (channel["id"], "ops", team["id"], "core")
    assert (fields["user_id"], fields["user_name"], fields["root_id"]) == (admin.id, "admin", root["id"])
    post = await last_post(admin, channel["id"])
    assert (post["message"], post["root_id"], post["props"]["from_webhook"], post["props"]["override_username"]) == (
        "Sunny in Paris", root["id"], "true", "weatherbot",
    )  # fmt: skip
    # The extra response is ephemeral by default: to the caller's clients only, never stored.
    assert [p["message"] for p in ephemerals(events, admin.id)] == ["only for you"]


@pytest.mark.parametrize("settings_overrides", [LOOPBACK])
async def test_custom_command_ephemeral_get_and_failures(admin: Api, team: dict[str, Any], receiver: Receiver, events: list[Event]) -> None:
    channel = await admin.create_channel(team, "ops")
    command = await admin.post("/commands", {"team_id": team["id"], "trigger": "ask", "url": receiver.url + "/q?x=1", "method": "G"}, expect=201)
    receiver.reply = "plain words"
    answer = await run(admin, channel, "/ask who am i")
    call = await receiver.next()
    query = {k: v[0] for k, v in parse_qs(urlsplit(call.path).query).items()}
    assert (call.method, query["x"], query["text"], query["token"]) == ("GET", "1", "who am i", command["token"])
    assert (answer["response_type"], answer["text"]) == ("ephemeral", "plain words")
    assert [p["message"] for p in ephemerals(events, admin.id)] == ["plain words"]
    assert (await admin.get(f"/channels/{channel['id']}/posts"))["order"] == []  # nothing was posted
    receiver.reply = {"goto_location": "https://example.org/docs"}
    assert (await run(admin, channel, "/ask"))["goto_location"] == "https://example.org/docs"
    receiver.status = 500
    failed = await run(admin, channel, "/ask")
    assert failed["response_type"] == "ephemeral" and "/ask" in failed["text"]
    unknown = await admin.post("/commands/execute", {"channel_id": channel["id"], "command": "/nope"}, expect=404)
    assert unknown["id"] == "api.command.execute_command.not_found.app_error"
    await admin.post("/commands/execute", {"channel_id": channel["id"], "command": "no slash"}, expect=400)


@pytest.mark.parametrize("settings_overrides", [LOOPBACK])
async def test_custom_command_answers_later_through_its_response_url(admin: Api, team: dict[str, Any], receiver: Receiver, events: list[Event]) -> None:
    channel = await admin.create_channel(team, "ops")
    await admin.post("/commands", {"team_id": team["id"], "trigger": "build", "url": receiver.url, "method": "P"}, expect=201)
    receiver.reply = {"text": "building…"}
    await run(admin, channel, "/build web")
    fields = {k: v[0] for k, v in parse_qs((await receiver.next()).body.decode()).items()}
    url = urlsplit(fields["response_url"])
    assert (url.scheme, url.netloc) == ("http", "localhost:8065") and url.path.startswith("/hooks/commands/")
    done = await admin.http.post(url.path, json={"response_type": "in_channel", "text": "build 7 passed"})
    assert (done.status_code, done.text) == (200, "ok")
    post = await last_post(admin, channel["id"])
    assert (post["message"], post["user_id"], post["props"]["from_webhook"]) == ("build 7 passed", admin.id, "true")
    await admin.http.post(url.path, json={"text": "only you see this"})
    assert [p["message"] for p in ephemerals(events, admin.id)] == ["building…", "only you see this"]
    forged = url.path[:-3] + ("AAA" if not url.path.endswith("AAA") else "BBB")
    refused = await admin.http.post(forged, json={"text": "x"})
    assert (refused.status_code, refused.json()["id"]) == (400, "web.command_webhook.invalid.app_error")


@pytest.mark.parametrize("settings_overrides", [LOOPBACK])
async def test_command_crud_autocomplete_and_permissions(admin: Api, team: dict[str, Any], receiver: Receiver) -> None:
    base = {"team_id": team["id"], "url": receiver.url, "method": "P"}
    hidden = await admin.post("/commands", {**base, "trigger": "hidden"}, expect=201)
    shown = await admin.post(
        "/commands", {**base, "trigger": "deploy", "auto_complete": True, "auto_complete_desc": "Ship it", "auto_complete_hint": "[env]"}, expect=201
    )
    for trigger, error in (
        ("deploy", "api.command.duplicate_trigger.app_error"),
        ("join", "api.command.duplicate_trigger.app_error"),
        ("/x", "model.command.is_valid.trigger.app_error"),
        ("a b", "model.command.is_valid.trigger.app_error"),
    ):
        assert (await admin.post("/commands", {**base, "trigger": trigger}, expect=400))["id"] == error
    await admin.post("/commands", {**base, "trigger": "m", "method": "PUT"}, expect=400)
    bob = await member(admin, team, "bob")
    await bob.post("/commands", {**base, "trigger": "mine"}, expect=403)
    await bob.get(f"/commands/{shown['id']}", expect=404)
    listed = await bob.get(f"/teams/{team['id']}/commands/autocomplete")
    triggers = [c["trigger"] for c in listed]
    assert "deploy" in triggers and "hidden" not in triggers and {"join", "me", "shrug", "msg", "search", "help"} <= set(triggers)
    assert all(c["token"] == "" for c in listed)
    suggestions = await bob.get(f"/teams/{team['id']}/commands/autocomplete_suggestions?user_input=/de")
    assert suggestions == [{"Complete": "deploy", "Suggestion": "/deploy", "Hint": "[env]", "Description": "Ship it", "IconData": ""}]
    assert {c["id"] for c in await admin.get(f"/commands?team_id={team['id']}&custom_only=true")} == {hidden["id"], shown["id"]}
    await bob.get(f"/commands?team_id={team['id']}&custom_only=true", expect=403)
    updated = await admin.put(f"/commands/{shown['id']}", {"trigger": "ship", "description": "Ships"})
    assert (updated["trigger"], updated["description"], updated["token"]) == ("ship", "Ships", shown["token"])
    token = (await admin.put(f"/commands/{shown['id']}/regen_token"))["token"]
    assert token != shown["token"] and (await admin.get(f"/commands/{shown['id']}"))["token"] == token
    await admin.delete(f"/commands/{shown['id']}")
    await admin.get(f"/commands/{shown['id']}", expect=404)
    # The trigger is free again once deleted.
    await admin.post("/commands", {**base, "trigger": "ship"}, expect=201)


# Built-in commands -------------------------------------------------------------------------------------


async def test_me_and_shrug_post_as_the_caller(admin: Api, team: dict[str, Any]) -> None:
    channel = await admin.create_channel(team, "fun")
    await run(admin, channel, "/me waves")
    post = await last_post(admin, channel["id"])
    assert (post["message"], post["type"], post["user_id"]) == ("*waves*", "me", admin.id)
    assert "from_webhook" not in post["props"]
    await run(admin, channel, "/shrug oh well")
    assert (await last_post(admin, channel["id"]))["message"] == "oh well ¯\\\\\\_(ツ)\\_/¯"


async def test_join_and_leave(admin: Api, team: dict[str, Any]) -> None:
    bob = await member(admin, team, "bob")
    town = await bob.get(f"/teams/{team['id']}/channels/name/town-square")
    news = await admin.create_channel(team, "news")
    joined = await run(bob, town, "/join ~news")
    assert joined["goto_location"] == "http://localhost:8065/core/channels/news"
    await bob.get(f"/channels/{news['id']}/members/{bob.id}")
    left = await run(bob, news, "/leave")
    assert left["goto_location"] == "http://localhost:8065/core/channels/town-square"
    await bob.get(f"/channels/{news['id']}/members/{bob.id}", expect=404)


async def test_errors_come_back_as_ephemeral_text(admin: Api, team: dict[str, Any], events: list[Event]) -> None:
    bob = await member(admin, team, "bob")
    town = await bob.get(f"/teams/{team['id']}/channels/name/town-square")
    secret = await admin.create_channel(team, "secret", "P")
    for command in ("/join ~nowhere", "/join ~secret", "/join", "/msg @ghost hi", "/leave"):
        answer = await run(bob, town, command)
        assert answer["response_type"] == "ephemeral" and answer["text"], command
    texts = [p["message"] for p in ephemerals(events, bob.id)]
    assert texts[0] == "Could not find the channel ~nowhere." and texts[2] == "Usage: /join ~channel"
    await bob.get(f"/channels/{secret['id']}/members/{bob.id}", expect=404)


async def test_errors_in_the_users_language(admin: Api, team: dict[str, Any]) -> None:
    bob = await member(admin, team, "bob")
    await bob.put("/users/me/patch", {"locale": "de"})
    town = await bob.get(f"/teams/{team['id']}/channels/name/town-square")
    assert (await run(bob, town, "/join ~nirgends"))["text"] == "Der Kanal ~nirgends wurde nicht gefunden."
    assert (await run(bob, town, "/away"))["text"] == "Du bist jetzt abwesend."


async def test_msg_opens_a_direct_message(admin: Api, team: dict[str, Any]) -> None:
    bob = await member(admin, team, "bob")
    town = await admin.get(f"/teams/{team['id']}/channels/name/town-square")
    answer = await run(admin, town, "/msg @bob hello there")
    assert answer["goto_location"] == "http://localhost:8065/core/messages/@bob"
    direct = await bob.post("/channels/direct", [bob.id, admin.id], expect=201)
    assert (await last_post(bob, direct["id"]))["message"] == "hello there"


async def test_invite_kick_and_remove(admin: Api, team: dict[str, Any]) -> None:
    bob = await member(admin, team, "bob")
    carol = await member(admin, team, "carol")
    ops = await admin.create_channel(team, "ops")
    other = await admin.create_channel(team, "other")
    assert (await run(admin, ops, "/invite @bob"))["text"] == "@bob added to ~ops."
    await run(admin, ops, "/invite @carol ~other")
    await admin.get(f"/channels/{ops['id']}/members/{bob.id}")
    await admin.get(f"/channels/{other['id']}/members/{carol.id}")
    await run(admin, ops, "/kick @bob")
    await admin.get(f"/channels/{ops['id']}/members/{bob.id}", expect=404)
    await run(admin, other, "/remove @carol")
    await admin.get(f"/channels/{other['id']}/members/{carol.id}", expect=404)
    # Removing others needs the permission the API asks for: someone outside the channel does not have it.
    await run(admin, ops, "/invite @carol")
    denied = await run(bob, ops, "/kick @carol")
    assert (denied["response_type"], denied["text"]) == ("ephemeral", "You do not have the appropriate permissions.")
    await admin.get(f"/channels/{ops['id']}/members/{carol.id}")


@pytest.mark.parametrize("status", ["away", "dnd", "offline", "online"])
async def test_status_commands(admin: Api, team: dict[str, Any], status: str) -> None:
    town = await admin.get(f"/teams/{team['id']}/channels/name/town-square")
    answer = await run(admin, town, f"/{status}")
    assert answer["response_type"] == "ephemeral" and answer["text"]
    assert (await admin.get("/users/me/status"))["status"] == status


async def test_header_purpose_rename(admin: Api, team: dict[str, Any]) -> None:
    channel = await admin.create_channel(team, "ops")
    await run(admin, channel, "/header Deploys at 10:00")
    await run(admin, channel, "/purpose Operations talk")
    await run(admin, channel, "/rename Operations")
    found = await admin.get(f"/channels/{channel['id']}")
    assert (found["header"], found["purpose"], found["display_name"], found["name"]) == ("Deploys at 10:00", "Operations talk", "Operations", "ops")
    assert (await run(admin, channel, "/header"))["text"] == "Usage: /header text"


async def test_mute_toggles(admin: Api, team: dict[str, Any]) -> None:
    channel = await admin.create_channel(team, "noisy")
    town = await admin.get(f"/teams/{team['id']}/channels/name/town-square")
    assert (await run(admin, channel, "/mute"))["text"].startswith("You will not get notifications for ~noisy")
    assert (await admin.get(f"/channels/{channel['id']}/members/me"))["notify_props"]["mark_unread"] == "mention"
    await run(admin, town, "/mute ~noisy")
    assert (await admin.get(f"/channels/{channel['id']}/members/me"))["notify_props"]["mark_unread"] == "all"


async def test_search_and_help(admin: Api, team: dict[str, Any]) -> None:
    channel = await admin.create_channel(team, "ops")
    post = await admin.post("/posts", {"channel_id": channel["id"], "message": "the quokka deploy went fine"}, expect=201)
    found = await run(admin, channel, "/search quokka")
    assert found["response_type"] == "ephemeral"
    assert "the quokka deploy went fine" in found["text"] and f"http://localhost:8065/core/pl/{post['id']}" in found["text"]
    assert "No messages" in (await run(admin, channel, "/search zebra"))["text"]
    help_text = (await run(admin, channel, "/help"))["text"]
    for trigger in (
        "join",
        "leave",
        "me",
        "shrug",
        "msg",
        "invite",
        "kick",
        "remove",
        "away",
        "online",
        "dnd",
        "offline",
        "header",
        "purpose",
        "rename",
        "mute",
        "search",
        "help",
    ):
        assert f"`/{trigger}" in help_text, trigger


@pytest.mark.parametrize("settings_overrides", [{"enable_commands": False}])
async def test_commands_can_be_turned_off(admin: Api, team: dict[str, Any]) -> None:
    town = await admin.get(f"/teams/{team['id']}/channels/name/town-square")
    await admin.post("/commands/execute", {"channel_id": town["id"], "command": "/me hi"}, expect=501)
    assert await admin.get(f"/teams/{team['id']}/commands/autocomplete") == []


async def test_ephemeral_posts_endpoint(admin: Api, team: dict[str, Any], events: list[Event]) -> None:
    bob = await member(admin, team, "bob")
    channel = await admin.create_channel(team, "ops", members=[bob])
    sent = await admin.post("/posts/ephemeral", {"user_id": bob.id, "post": {"channel_id": channel["id"], "message": "psst"}}, expect=201)
    assert (sent["message"], sent["channel_id"], sent["user_id"]) == ("psst", channel["id"], admin.id)
    assert [p["message"] for p in ephemerals(events, bob.id)] == ["psst"]
    await bob.post("/posts/ephemeral", {"user_id": admin.id, "post": {"channel_id": channel["id"], "message": "x"}}, expect=403)
    secret = await admin.create_channel(team, "secret", "P")
    await admin.post("/posts/ephemeral", {"user_id": bob.id, "post": {"channel_id": secret["id"], "message": "x"}}, expect=404)


async def test_integrations_switch_off_live(admin: Api, team: dict[str, Any]) -> None:
    """An admin turns commands and incoming webhooks off in the admin console: they stop at once."""
    town = await admin.get(f"/teams/{team['id']}/channels/name/town-square")
    hook = await admin.post("/hooks/incoming", {"channel_id": town["id"]}, expect=201)
    await admin.put("/kafana/settings", {"enable_commands": False, "enable_incoming_webhooks": False})
    await admin.post("/commands/execute", {"channel_id": town["id"], "command": "/me hi"}, expect=501)
    assert (await admin.http.post(f"/hooks/{hook['id']}", json={"text": "x"})).status_code == 501
    await admin.put("/kafana/settings", {"enable_commands": True})
    await admin.post("/commands/execute", {"channel_id": town["id"], "command": "/me hi"})
