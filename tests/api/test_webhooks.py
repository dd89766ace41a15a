"""Incoming and outgoing webhooks (Mattermost's /hooks), with a real HTTP server on loopback as the outside
service; outgoing calls go through the outbound address checks (D10), which these tests open to 127.0.0.1
only where they say so."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs

import pytest

from kafana.actions.context import Services
from tests.helpers import Api
from tests.notify.receivers import Receiver, serve

LOOPBACK = {"outbound_allowed_networks": "127.0.0.1/32"}
OVERRIDES = {**LOOPBACK, "enable_post_username_override": True, "enable_post_icon_override": True}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with serve(Receiver(reply={})) as running:
        yield running


async def last_post(api: Api, channel_id: str) -> dict[str, Any]:
    page = await api.get(f"/channels/{channel_id}/posts")
    return dict(page["posts"][page["order"][0]])


async def incoming(admin: Api, channel: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return dict(await admin.post("/hooks/incoming", {"channel_id": channel["id"], "display_name": "CI", **fields}, expect=201))


# Incoming ----------------------------------------------------------------------------------------------


async def test_incoming_webhook_posts_json_and_form_payloads(admin: Api, team: dict[str, Any]) -> None:
    channel = await admin.create_channel(team, "alerts")
    hook = await incoming(admin, channel, description="from CI", username="ci-bot")
    assert set(hook) == {
        "id", "create_at", "update_at", "delete_at", "user_id", "channel_id", "team_id", "display_name", "description", "username", "icon_url", "channel_locked",
    }  # fmt: skip
    assert (hook["user_id"], hook["team_id"], hook["channel_locked"]) == (admin.id, team["id"], False)
    response = await admin.http.post(f"/hooks/{hook['id']}", json={"text": "build **green**", "username": "ci", "props": {"build": 7}})
    assert (response.status_code, response.text, response.headers["content-type"].split(";")[0]) == (200, "ok", "text/plain")
    post = await last_post(admin, channel["id"])
    assert (post["message"], post["user_id"], post["props"]["from_webhook"], post["props"]["build"]) == ("build **green**", admin.id, "true", 7)
    # Overrides are off by default: the creator's name shows.
    assert "override_username" not in post["props"]
    form = await admin.http.post(f"/hooks/{hook['id']}", data={"payload": json.dumps({"text": "from a form"})})
    assert form.status_code == 200
    assert (await last_post(admin, channel["id"]))["message"] == "from a form"
    attachments = [{"fallback": "deploy", "title": "Deploy", "text": "done", "color": "#00ff00"}]
    await admin.http.post(f"/hooks/{hook['id']}", json={"attachments": attachments})
    post = await last_post(admin, channel["id"])
    assert (post["type"], post["props"]["attachments"]) == ("slack_attachment", attachments)


@pytest.mark.parametrize("settings_overrides", [OVERRIDES])
async def test_incoming_webhook_overrides_name_and_icon_when_allowed(admin: Api, team: dict[str, Any]) -> None:
    channel = await admin.create_channel(team, "alerts")
    hook = await incoming(admin, channel, username="default-name", icon_url="https://example.org/default.png")
    await admin.http.post(f"/hooks/{hook['id']}", json={"text": "one"})
    props = (await last_post(admin, channel["id"]))["props"]
    assert (props["override_username"], props["override_icon_url"]) == ("default-name", "https://example.org/default.png")
    await admin.http.post(f"/hooks/{hook['id']}", json={"text": "two", "username": "Nagios", "icon_url": "https://example.org/n.png"})
    props = (await last_post(admin, channel["id"]))["props"]
    assert (props["override_username"], props["override_icon_url"], props["from_webhook"]) == ("Nagios", "https://example.org/n.png", "true")
    # Slack tools also send multipart forms, and an emoji for the picture.
    payload = json.dumps({"text": "three", "icon_emoji": ":ghost:"})
    sent = await admin.http.post(f"/hooks/{hook['id']}", files={"payload": (None, payload)})
    assert sent.status_code == 200
    post = await last_post(admin, channel["id"])
    assert (post["message"], post["props"]["override_icon_emoji"]) == ("three", ":ghost:")


async def test_incoming_webhook_channel_override_lock_and_direct_messages(admin: Api, team: dict[str, Any]) -> None:
    bob = await admin.signup("bob")
    main = await admin.create_channel(team, "alerts")
    other = await admin.create_channel(team, "other")
    hook = await incoming(admin, main)
    assert (await admin.http.post(f"/hooks/{hook['id']}", json={"text": "moved", "channel": "other"})).status_code == 200
    assert (await last_post(admin, other["id"]))["message"] == "moved"
    assert (await admin.http.post(f"/hooks/{hook['id']}", json={"text": "hi bob", "channel": "@bob"})).status_code == 200
    direct = await admin.post("/channels/direct", [admin.id, bob.id], expect=201)
    assert (await last_post(bob, direct["id"]))["message"] == "hi bob"
    missing = await admin.http.post(f"/hooks/{hook['id']}", json={"text": "x", "channel": "nowhere"})
    assert (missing.status_code, missing.json()["id"]) == (404, "web.incoming_webhook.channel.app_error")
    await admin.put(f"/hooks/incoming/{hook['id']}", {"channel_locked": True})
    locked = await admin.http.post(f"/hooks/{hook['id']}", json={"text": "x", "channel": "other"})
    assert (locked.status_code, locked.json()["id"]) == (403, "web.incoming_webhook.channel_locked.app_error")
    assert (await admin.http.post(f"/hooks/{hook['id']}", json={"text": "same channel", "channel": "alerts"})).status_code == 200


@pytest.mark.parametrize(
    ("body", "content_type", "error"),
    [
        (b"{not json", "application/json", "web.incoming_webhook.parse.app_error"),
        (b'{"text": 5}', "application/json", "web.incoming_webhook.parse.app_error"),
        (b'["text"]', "application/json", "web.incoming_webhook.parse.app_error"),
        (b"payload=%7Bbroken", "application/x-www-form-urlencoded", "web.incoming_webhook.parse.app_error"),
        (b'{"text": "  "}', "application/json", "web.incoming_webhook.text.app_error"),
        (b'{"username": "x"}', "application/json", "web.incoming_webhook.text.app_error"),
    ],
)
async def test_incoming_webhook_bad_payloads_are_400(admin: Api, team: dict[str, Any], body: bytes, content_type: str, error: str) -> None:
    channel = await admin.create_channel(team, "alerts")
    hook = await incoming(admin, channel)
    response = await admin.http.post(f"/hooks/{hook['id']}", content=body, headers={"Content-Type": content_type})
    assert (response.status_code, response.json()["id"]) == (400, error)


async def test_incoming_webhook_management_permissions(admin: Api, team: dict[str, Any]) -> None:
    bob = await admin.signup("bob")
    await admin.post(f"/teams/{team['id']}/members", {"team_id": team["id"], "user_id": bob.id}, expect=201)
    channel = await admin.create_channel(team, "alerts", members=[bob])
    hook = await incoming(admin, channel)
    # Members do not manage integrations by default (team admins and system admins do), and do not see others' hooks.
    await bob.post("/hooks/incoming", {"channel_id": channel["id"]}, expect=403)
    await bob.get(f"/hooks/incoming/{hook['id']}", expect=404)
    await bob.put(f"/hooks/incoming/{hook['id']}", {"display_name": "mine"}, expect=404)
    await bob.get(f"/hooks/incoming?team_id={team['id']}", expect=403)
    assert [h["id"] for h in await admin.get(f"/hooks/incoming?team_id={team['id']}")] == [hook["id"]]
    updated = await admin.put(f"/hooks/incoming/{hook['id']}", {"display_name": "Renamed", "description": "d"})
    assert (updated["display_name"], updated["description"]) == ("Renamed", "d")
    await admin.delete(f"/hooks/incoming/{hook['id']}")
    gone = await admin.http.post(f"/hooks/{hook['id']}", json={"text": "x"})
    assert (gone.status_code, gone.json()["id"]) == (400, "web.incoming_webhook.invalid.app_error")
    await admin.get(f"/hooks/incoming/{hook['id']}", expect=404)


@pytest.mark.parametrize("settings_overrides", [{"enable_incoming_webhooks": False}])
async def test_incoming_webhooks_can_be_turned_off(admin: Api, team: dict[str, Any]) -> None:
    channel = await admin.create_channel(team, "alerts")
    await admin.post("/hooks/incoming", {"channel_id": channel["id"]}, expect=501)
    assert (await admin.http.post("/hooks/" + "a" * 26, json={"text": "x"})).status_code == 501


# Outgoing ----------------------------------------------------------------------------------------------


async def outgoing(admin: Api, team: dict[str, Any], url: str, **fields: Any) -> dict[str, Any]:
    body = {"team_id": team["id"], "trigger_words": ["!deploy"], "callback_urls": [url], "display_name": "Deployer", **fields}
    return dict(await admin.post("/hooks/outgoing", body, expect=201))


@pytest.mark.parametrize("settings_overrides", [OVERRIDES])
async def test_outgoing_webhook_calls_back_and_posts_the_answer_in_the_thread(admin: Api, team: dict[str, Any], receiver: Receiver, services: Services) -> None:
    channel = await admin.create_channel(team, "ops")
    hook = await outgoing(admin, team, receiver.url + "/hook", username="deployer")
    assert hook["content_type"] == "application/x-www-form-urlencoded" and len(hook["token"]) == 26
    receiver.reply = {"text": "deploying", "response_type": "comment", "props": {"job": 1}}
    trigger = await admin.post("/posts", {"channel_id": channel["id"], "message": "!deploy web now"}, expect=201)
    await services.settle()
    call = await receiver.next()
    assert call.headers["content-type"] == "application/x-www-form-urlencoded"
    fields = {k: v[0] for k, v in parse_qs(call.body.decode()).items()}
    assert fields == {
        "token": hook["token"], "team_id": team["id"], "team_domain": "core", "channel_id": channel["id"], "channel_name": "ops",
        "timestamp": str(trigger["create_at"]), "user_id": admin.id, "user_name": "admin", "post_id": trigger["id"],
        "text": "!deploy web now", "trigger_word": "!deploy",
    }  # fmt: skip
    answer = await last_post(admin, channel["id"])
    assert (answer["message"], answer["root_id"], answer["user_id"]) == ("deploying", trigger["id"], admin.id)
    assert (answer["props"]["from_webhook"], answer["props"]["override_username"], answer["props"]["job"]) == ("true", "deployer", 1)
    # The answer came from a webhook: it does not trigger the hook again.
    assert receiver.nothing_more()


@pytest.mark.parametrize("settings_overrides", [LOOPBACK])
async def test_outgoing_webhook_trigger_rules_and_json(admin: Api, team: dict[str, Any], receiver: Receiver, services: Services) -> None:
    public = await admin.create_channel(team, "ops")
    private = await admin.create_channel(team, "secret", "P")
    hook = await outgoing(admin, team, receiver.url, trigger_when=1, content_type="application/json")
    receiver.reply = {"text": "new root"}
    for message in ("deploy !deploy", "!deplo", "nothing"):
        await admin.post("/posts", {"channel_id": public["id"], "message": message}, expect=201)
    await admin.post("/posts", {"channel_id": private["id"], "message": "!deploy secret"}, expect=201)
    await services.settle()
    assert receiver.nothing_more()  # not the first word, too short, no trigger; private channels never
    await admin.post("/posts", {"channel_id": public["id"], "message": "!deploying soon"}, expect=201)  # starts with the trigger
    await services.settle()
    call = await receiver.next()
    assert call.headers["content-type"] == "application/json"
    assert call.json()["trigger_word"] == "!deploy" and call.json()["token"] == hook["token"]
    answer = await last_post(admin, public["id"])
    assert (answer["message"], answer["root_id"]) == ("new root", "")
    regenerated = await admin.post(f"/hooks/outgoing/{hook['id']}/regen_token")
    assert regenerated["token"] != hook["token"]
    await admin.post("/posts", {"channel_id": public["id"], "message": "!deploy again"}, expect=201)
    await services.settle()
    assert (await receiver.next()).json()["token"] == regenerated["token"]


@pytest.mark.parametrize("settings_overrides", [LOOPBACK])
async def test_outgoing_webhook_crud_and_validation(admin: Api, team: dict[str, Any], receiver: Receiver) -> None:
    channel = await admin.create_channel(team, "ops")
    private = await admin.create_channel(team, "secret", "P")
    bad = {"team_id": team["id"], "callback_urls": [receiver.url]}
    assert (await admin.post("/hooks/outgoing", bad, expect=400))["id"] == "api.webhook.create_outgoing.triggers.app_error"
    await admin.post("/hooks/outgoing", {**bad, "channel_id": private["id"]}, expect=403)
    await admin.post("/hooks/outgoing", {**bad, "trigger_words": ["x"], "callback_urls": []}, expect=400)
    await admin.post("/hooks/outgoing", {**bad, "trigger_words": ["x"], "content_type": "text/xml"}, expect=400)
    hook = await outgoing(admin, team, receiver.url, channel_id=channel["id"], trigger_words=[])
    assert (hook["channel_id"], hook["trigger_words"]) == (channel["id"], [])
    assert [h["id"] for h in await admin.get(f"/hooks/outgoing?team_id={team['id']}&channel_id={channel['id']}")] == [hook["id"]]
    extra = {row["name"]: row["value"] for row in await admin.get(f"/analytics/old?name=extra_counts&team_id={team['id']}")}
    assert (extra["outgoing_webhook_count"], extra["incoming_webhook_count"], extra["command_count"]) == (1, 0, 0)
    updated = await admin.put(f"/hooks/outgoing/{hook['id']}", {"trigger_words": ["hello"], "description": "greets"})
    assert (updated["trigger_words"], updated["description"], updated["token"]) == (["hello"], "greets", hook["token"])
    bob = await admin.signup("bob")
    await bob.get(f"/hooks/outgoing/{hook['id']}", expect=404)
    await bob.post(f"/hooks/outgoing/{hook['id']}/regen_token", expect=404)
    await admin.delete(f"/hooks/outgoing/{hook['id']}")
    await admin.get(f"/hooks/outgoing/{hook['id']}", expect=404)


INTERNAL_URLS = [
    "http://127.0.0.1/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/hook",
    "http://0x7f.1/hook",
    "http://localhost/hook",
    "http://10.0.0.1/hook",
    "file:///etc/passwd",
    "gopher://127.0.0.1:70/x",
    "mailto:someone@example.org",
]


@pytest.mark.parametrize("url", INTERNAL_URLS)
async def test_d10_callbacks_to_internal_addresses_are_refused(admin: Api, team: dict[str, Any], url: str) -> None:
    """Without outbound_allowed_networks nothing internal is ever called: 422, never 500."""
    body = {"team_id": team["id"], "trigger_words": ["go"], "callback_urls": [url]}
    assert (await admin.post("/hooks/outgoing", body, expect=422))["id"] == "api.integration.url_refused.app_error"
    command = {"team_id": team["id"], "trigger": "go", "url": url, "method": "P"}
    assert (await admin.post("/commands", command, expect=422))["id"] == "api.integration.url_refused.app_error"


@pytest.mark.parametrize("settings_overrides", [LOOPBACK])
async def test_d10_addresses_are_checked_again_at_each_call_and_redirects_not_followed(
    admin: Api, team: dict[str, Any], receiver: Receiver, services: Services
) -> None:
    channel = await admin.create_channel(team, "ops")
    with serve(Receiver(reply={"text": "from the redirect"})) as target:
        receiver.status, receiver.headers = 302, {"Location": target.url + "/internal"}
        await outgoing(admin, team, receiver.url)
        await admin.post("/posts", {"channel_id": channel["id"], "message": "!deploy"}, expect=201)
        await services.settle()
        assert (await receiver.next()).answered == 302
        assert target.nothing_more()
        assert (await last_post(admin, channel["id"]))["message"] == "!deploy"
        # The operator closes loopback again: the hook, made while it was open, is not called.
        services.settings = services.settings.model_copy(update={"outbound_allowed_networks": ""})
        await admin.post("/posts", {"channel_id": channel["id"], "message": "!deploy again"}, expect=201)
        await services.settle()
        assert receiver.nothing_more()


@pytest.mark.parametrize("settings_overrides", [LOOPBACK])
async def test_outgoing_answers_in_public_channels_its_creator_has_not_joined(admin: Api, team: dict[str, Any], receiver: Receiver, services: Services) -> None:
    """A team admin's hook listens to every public channel of the team; its answer is posted there by the
    admin, who need not be a member (create_post_public), and not into private channels at all."""
    bob = await admin.signup("bob")
    carol = await admin.signup("carol")
    for user in (bob, carol):
        await admin.post(f"/teams/{team['id']}/members", {"team_id": team["id"], "user_id": user.id}, expect=201)
    await admin.put(f"/teams/{team['id']}/members/{bob.id}/roles", {"roles": "team_user team_admin"})
    await outgoing(bob, team, receiver.url)
    channel = await carol.create_channel(team, "carols")
    receiver.reply = {"text": "on it"}
    await carol.post("/posts", {"channel_id": channel["id"], "message": "!deploy"}, expect=201)
    await services.settle()
    await receiver.next()
    answer = await last_post(carol, channel["id"])
    assert (answer["message"], answer["user_id"]) == ("on it", bob.id)
    await bob.get(f"/channels/{channel['id']}/members/{bob.id}", expect=404)  # still not a member
