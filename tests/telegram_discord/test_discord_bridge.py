"""The Discord bridge against the local Discord (Gateway + REST): text both ways with the remote name (A19: only
the mapped channel, never as a local user, no echo of its own messages), replies ↔ threads, attachments both
ways, edits and deletes both ways, a dropped Gateway connection and a RECONNECT resumed without losing a
message, and a REST 429 waited out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from kafana.actions.context import Services
from tests.files.images import png
from tests.helpers import Api, run_kafana
from tests.telegram_discord.conftest import bridged, upload, wait_gone, wait_post
from tests.telegram_discord.fake_discord import FakeDiscord, Sent

CHANNEL = "700000000000000042"
ADA = FakeDiscord.person("501000000000000001", "ada", "Ada L.")


@pytest.fixture
async def discord() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord().running() as fake:
        yield fake


@pytest.fixture
async def bridge(admin: Api, channel: dict[str, Any], discord: FakeDiscord) -> dict[str, Any]:
    config = {"token": discord.token, "channel_id": CHANNEL, "api_url": discord.api_url}
    made: dict[str, Any] = await admin.post("/kafana/bridges", {"kind": "discord", "channel": "core/bridged", "config": config}, expect=201)
    await discord.wait_ready()
    return made


def posted(content: str) -> Any:
    return lambda s: s.method == "POST" and s.payload.get("content") == content


async def test_text_both_ways_only_from_the_mapped_channel_without_echo(
    admin: Api, channel: dict[str, Any], discord: FakeDiscord, bridge: dict[str, Any]
) -> None:
    assert bridge["config"]["token"] is True
    await discord.user_says("700000000000000099", ADA, "from a channel that is not bridged")
    await discord.user_says(CHANNEL, discord.person("502000000000000002", "admin"), "I am the admin, honest")
    await discord.user_says(CHANNEL, ADA, "hello kafana")

    post = await wait_post(admin, channel["id"], bridged("hello kafana"))
    assert post["user_id"] == bridge["bot_user_id"]
    assert post["props"]["override_username"] == "Ada L." and post["props"]["from_bridge"] == "discord"
    impostor = await wait_post(admin, channel["id"], bridged("I am the admin, honest"))
    assert impostor["user_id"] == bridge["bot_user_id"]

    await admin.post("/posts", {"channel_id": channel["id"], "message": "hi discord"}, expect=201)
    sent = await discord.wait_sent(posted("**admin**: hi discord"))
    assert sent.channel_id == CHANNEL and sent.payload["allowed_mentions"] == {"parse": []}
    # Discord dispatches the bot's own message back (MESSAGE_CREATE); it is not posted again. A later message
    # arriving proves that the echo before it was dropped.
    await discord.user_says(CHANNEL, ADA, "after the echo")
    await wait_post(admin, channel["id"], bridged("after the echo"))
    messages = [p["message"] for p in (await admin.get(f"/channels/{channel['id']}/posts"))["posts"].values()]
    assert messages.count("hi discord") == 1 and "**admin**: hi discord" not in messages
    assert "from a channel that is not bridged" not in messages
    assert [s.payload.get("content") for s in discord.sent] == ["**admin**: hi discord"]


async def test_replies_become_thread_replies_and_back(admin: Api, channel: dict[str, Any], discord: FakeDiscord, bridge: dict[str, Any]) -> None:
    remote_root = await discord.user_says(CHANNEL, ADA, "a question from discord")
    root = await wait_post(admin, channel["id"], bridged("a question from discord"))
    await admin.post("/posts", {"channel_id": channel["id"], "message": "an answer", "root_id": root["id"]}, expect=201)
    answer = await discord.wait_sent(posted("**admin**: an answer"))
    assert answer.payload["message_reference"]["message_id"] == remote_root["id"]

    local_root = await admin.post("/posts", {"channel_id": channel["id"], "message": "a question from kafana"}, expect=201)
    copy = await discord.wait_sent(posted("**admin**: a question from kafana"))
    await admin.post("/posts", {"channel_id": channel["id"], "message": "next"}, expect=201)
    await discord.wait_sent(posted("**admin**: next"))  # relayed in order: the copy above is recorded by now
    await discord.user_says(CHANNEL, ADA, "an answer from discord", reply_to=discord.messages[copy.message_id])
    reply = await wait_post(admin, channel["id"], bridged("an answer from discord"))
    assert reply["root_id"] == local_root["id"]


async def test_attachments_both_ways(admin: Api, channel: dict[str, Any], discord: FakeDiscord, bridge: dict[str, Any]) -> None:
    picture = png(40, 30)
    await discord.user_says(CHANNEL, ADA, "a red square", files=[("square.png", "image/png", picture), ("notes.txt", "text/plain", b"notes")])
    post = await wait_post(admin, channel["id"], bridged("a red square"))
    files = {f["name"]: f for f in post["metadata"]["files"]}
    assert set(files) == {"square.png", "notes.txt"} and files["square.png"]["width"] == 40
    thumbnail = await admin.http.get(f"/api/v4/files/{files['square.png']['id']}/thumbnail", headers=admin.headers())
    assert thumbnail.status_code == 200
    assert (await admin.http.get(f"/api/v4/files/{files['notes.txt']['id']}", headers=admin.headers())).content == b"notes"

    file_id = await upload(admin, channel["id"], "report.pdf", b"%PDF-1.4 a report")
    await admin.post("/posts", {"channel_id": channel["id"], "message": "see attached", "file_ids": [file_id]}, expect=201)
    sent: Sent = await discord.wait_sent(posted("**admin**: see attached"))
    assert sent.files == [("report.pdf", b"%PDF-1.4 a report")]
    assert sent.payload["attachments"] == [{"id": 0, "filename": "report.pdf"}]


async def test_edits_and_deletes_both_ways(admin: Api, channel: dict[str, Any], discord: FakeDiscord, bridge: dict[str, Any]) -> None:
    remote = await discord.user_says(CHANNEL, ADA, "tpyo")
    post = await wait_post(admin, channel["id"], bridged("tpyo"))
    await discord.user_edits(remote, "typo fixed")
    edited = await wait_post(admin, channel["id"], bridged("typo fixed"))
    assert edited["id"] == post["id"] and edited["edit_at"] > 0
    await discord.user_deletes(remote)
    await wait_gone(admin, post["id"])

    local = await admin.post("/posts", {"channel_id": channel["id"], "message": "helo"}, expect=201)
    copy = await discord.wait_sent(posted("**admin**: helo"))
    await admin.put(f"/posts/{local['id']}/patch", {"message": "hello"})
    edit = await discord.wait_sent(lambda s: s.method == "PATCH", "the edit")
    assert (edit.message_id, edit.payload["content"]) == (copy.message_id, "**admin**: hello")
    await admin.delete(f"/posts/{local['id']}")
    removed = await discord.wait_sent(lambda s: s.method == "DELETE", "the delete")
    assert removed.message_id == copy.message_id
    # The Gateway tells the bot about its own deletion too; nothing else is deleted for it.
    await discord.user_says(CHANNEL, ADA, "still here")
    await wait_post(admin, channel["id"], bridged("still here"))
    assert len(discord.sent) == 3


async def test_a_dropped_gateway_and_a_reconnect_are_resumed_without_loss(
    admin: Api, channel: dict[str, Any], discord: FakeDiscord, bridge: dict[str, Any]
) -> None:
    await discord.user_says(CHANNEL, ADA, "before")
    await wait_post(admin, channel["id"], bridged("before"))
    await discord.drop()
    await discord.user_says(CHANNEL, ADA, "while the bridge was away")  # kept by the session, replayed on RESUME
    await wait_post(admin, channel["id"], bridged("while the bridge was away"))
    await discord.wait_ready(identifies=1, resumes=1)

    await discord.ask_reconnect()
    await discord.wait_ready(identifies=1, resumes=2)
    await discord.user_says(CHANNEL, ADA, "after the reconnect")
    await wait_post(admin, channel["id"], bridged("after the reconnect"))
    assert discord.identifies == 1
    messages = [p["message"] for p in (await admin.get(f"/channels/{channel['id']}/posts"))["posts"].values()]
    assert sorted(m for m in messages if m in ("before", "while the bridge was away", "after the reconnect")) == [
        "after the reconnect", "before", "while the bridge was away",
    ]  # fmt: skip


async def test_a_session_that_cannot_be_resumed_is_caught_up_from_the_history(
    admin: Api, channel: dict[str, Any], discord: FakeDiscord, bridge: dict[str, Any]
) -> None:
    await discord.user_says(CHANNEL, ADA, "before")
    await wait_post(admin, channel["id"], bridged("before"))
    await discord.drop(session_lost=True)
    await discord.user_says(CHANNEL, ADA, "said while no session was up")  # dispatched to nobody
    await discord.user_says("700000000000000099", ADA, "elsewhere, meanwhile")
    discord.accept()
    await wait_post(admin, channel["id"], bridged("said while no session was up"))
    assert discord.identifies == 2 and not discord.resumes
    assert discord.history_requests and discord.history_requests[0]["limit"] == "100"
    messages = [p["message"] for p in (await admin.get(f"/channels/{channel['id']}/posts"))["posts"].values()]
    assert messages.count("before") == 1 and "elsewhere, meanwhile" not in messages


async def test_a_rest_429_is_waited_out(admin: Api, channel: dict[str, Any], discord: FakeDiscord, bridge: dict[str, Any]) -> None:
    discord.rate_limit(retry_after=0.3)
    await admin.post("/posts", {"channel_id": channel["id"], "message": "despite the limit"}, expect=201)
    await admin.post("/posts", {"channel_id": channel["id"], "message": "and in order"}, expect=201)
    await discord.wait_sent(posted("**admin**: and in order"))
    assert [s.payload["content"] for s in discord.sent] == ["**admin**: despite the limit", "**admin**: and in order"]
    assert discord.rate_limited == []


async def test_cli_adds_a_discord_bridge_that_a_running_server_starts(admin: Api, channel: dict[str, Any], discord: FakeDiscord, services: Services) -> None:
    args = [
        "--token",
        discord.token,
        "--discord-channel",
        CHANNEL,
        "--channel",
        "core/bridged",
        "--api-url",
        discord.api_url,
        "--gateway-url",
        discord.gateway_url,
    ]
    out, _ = await run_kafana(services, "bridge", "add", "discord", *args, env={"KAFANA_OUTBOUND_ALLOWED_NETWORKS": "127.0.0.0/8"})
    assert out.startswith("Added discord bridge")
    await discord.wait_ready()
    await discord.user_says(CHANNEL, ADA, "via the cli")
    await wait_post(admin, channel["id"], bridged("via the cli"))
