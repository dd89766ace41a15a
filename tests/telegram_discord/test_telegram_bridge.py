"""The Telegram bridge against the local Bot API server: text both ways with the remote name (A19: only the
mapped chat, never as a local user), replies ↔ threads, photos and files both ways, edits both ways, local
deletes, 429 answers waited out, and polls that fail retried without losing a message."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from kafana.actions.context import Services
from tests.files.images import png
from tests.helpers import Api, run_kafana
from tests.telegram_discord.conftest import bridged, upload, wait_post
from tests.telegram_discord.fake_telegram import FakeTelegram, Sent

CHAT = -1001234567890
ADA = FakeTelegram.person(7, "Ada", "ada_l")


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram().running() as fake:
        yield fake


@pytest.fixture
async def bridge(admin: Api, channel: dict[str, Any], telegram: FakeTelegram) -> dict[str, Any]:
    config = {"token": telegram.token, "chat_id": str(CHAT), "api_url": telegram.url}
    made: dict[str, Any] = await admin.post("/kafana/bridges", {"kind": "telegram", "channel": "core/bridged", "config": config}, expect=201)
    await telegram.wait_polling(-1)  # running, and polling
    return made


def sent_text(text: str) -> Any:
    return lambda s: s.method == "sendMessage" and s.params["text"] == text


async def test_text_both_ways_only_from_the_mapped_chat_and_never_as_a_local_user(
    admin: Api, channel: dict[str, Any], telegram: FakeTelegram, bridge: dict[str, Any]
) -> None:
    assert bridge["config"]["token"] is True  # the token is not shown back
    await telegram.user_says(-100999, ADA, "from a chat that is not bridged")
    await telegram.user_says(CHAT, telegram.person(8, "Admin", "admin"), "I am the admin, honest")
    await telegram.channel_posts(-100998, "Another channel", "from a channel that is not bridged either")
    await telegram.user_says(CHAT, ADA, "hello kafana")

    post = await wait_post(admin, channel["id"], bridged("hello kafana"))
    assert post["user_id"] == bridge["bot_user_id"]
    assert post["props"]["override_username"] == "ada_l" and post["props"]["from_bridge"] == "telegram"
    impostor = await wait_post(admin, channel["id"], bridged("I am the admin, honest"))
    assert impostor["user_id"] == bridge["bot_user_id"] and impostor["user_id"] != admin.id
    posts = (await admin.get(f"/channels/{channel['id']}/posts"))["posts"].values()
    assert not {p["message"] for p in posts} & {"from a chat that is not bridged", "from a channel that is not bridged either"}

    await admin.post("/posts", {"channel_id": channel["id"], "message": "hi telegram"}, expect=201)
    sent = await telegram.wait_sent(sent_text("admin: hi telegram"))
    assert str(sent.params["chat_id"]) == str(CHAT)
    # The bridged messages were not sent back to Telegram.
    assert [s.params["text"] for s in telegram.sent] == ["admin: hi telegram"]


async def test_replies_become_thread_replies_and_back(admin: Api, channel: dict[str, Any], telegram: FakeTelegram, bridge: dict[str, Any]) -> None:
    remote_root = await telegram.user_says(CHAT, ADA, "a question from telegram")
    root = await wait_post(admin, channel["id"], bridged("a question from telegram"))
    await admin.post("/posts", {"channel_id": channel["id"], "message": "an answer", "root_id": root["id"]}, expect=201)
    answer = await telegram.wait_sent(sent_text("admin: an answer"))
    assert answer.params["reply_parameters"]["message_id"] == remote_root["message_id"]

    local_root = await admin.post("/posts", {"channel_id": channel["id"], "message": "a question from kafana"}, expect=201)
    copy = await telegram.wait_sent(sent_text("admin: a question from kafana"))
    # The bridge relays in order and records each copy before the next: once this one is out, it knows the first.
    await admin.post("/posts", {"channel_id": channel["id"], "message": "next"}, expect=201)
    await telegram.wait_sent(sent_text("admin: next"))
    await telegram.user_says(CHAT, ADA, "an answer from telegram", reply_to=copy.result)
    reply = await wait_post(admin, channel["id"], bridged("an answer from telegram"))
    assert reply["root_id"] == local_root["id"]


async def test_photos_and_files_both_ways(admin: Api, channel: dict[str, Any], telegram: FakeTelegram, bridge: dict[str, Any]) -> None:
    picture = png(64, 48)
    await telegram.user_says(CHAT, ADA, "a red square", photo=picture)
    post = await wait_post(admin, channel["id"], bridged("a red square"))
    [info] = post["metadata"]["files"]
    assert info["mime_type"] == "image/png" and info["width"] == 64 and info["user_id"] == bridge["bot_user_id"]
    thumbnail = await admin.http.get(f"/api/v4/files/{info['id']}/thumbnail", headers=admin.headers())
    assert thumbnail.status_code == 200 and thumbnail.headers["content-type"] == "image/jpeg"
    data = await admin.http.get(f"/api/v4/files/{info['id']}", headers=admin.headers())
    assert data.content == picture

    await telegram.user_says(CHAT, ADA, "", document=("minutes.txt", "text/plain", b"the minutes"))
    doc_post = await wait_post(admin, channel["id"], lambda p: bool(p.get("file_ids")) and p["props"].get("override_username") == "ada_l" and not p["message"])
    assert doc_post["metadata"]["files"][0]["name"] == "minutes.txt"

    file_ids = [await upload(admin, channel["id"], "report.pdf", b"%PDF-1.4 a report"), await upload(admin, channel["id"], "chart.png", picture)]
    await admin.post("/posts", {"channel_id": channel["id"], "message": "see attached", "file_ids": file_ids}, expect=201)
    await telegram.wait_sent(sent_text("admin: see attached"))
    document: Sent = await telegram.wait_sent(lambda s: s.method == "sendDocument", "the document")
    photo: Sent = await telegram.wait_sent(lambda s: s.method == "sendPhoto", "the photo")
    assert (document.file_name, document.file_data, document.params["caption"]) == ("report.pdf", b"%PDF-1.4 a report", "admin")
    assert photo.file_data == picture


async def test_edits_both_ways_and_local_deletes(admin: Api, channel: dict[str, Any], telegram: FakeTelegram, bridge: dict[str, Any]) -> None:
    remote = await telegram.user_says(CHAT, ADA, "tpyo")
    post = await wait_post(admin, channel["id"], bridged("tpyo"))
    await telegram.user_edits(remote, "typo fixed")
    edited = await wait_post(admin, channel["id"], bridged("typo fixed"))
    assert edited["id"] == post["id"] and edited["edit_at"] > 0

    local = await admin.post("/posts", {"channel_id": channel["id"], "message": "helo"}, expect=201)
    copy = await telegram.wait_sent(sent_text("admin: helo"))
    await admin.put(f"/posts/{local['id']}/patch", {"message": "hello"})
    edit = await telegram.wait_sent(lambda s: s.method == "editMessageText", "the edit")
    assert (edit.params["message_id"], edit.params["text"]) == (copy.result["message_id"], "admin: hello")
    await admin.delete(f"/posts/{local['id']}")
    removed = await telegram.wait_sent(lambda s: s.method == "deleteMessage", "the delete")
    assert removed.params["message_id"] == copy.result["message_id"]


async def test_a_429_is_waited_out_and_a_failed_poll_loses_nothing(admin: Api, channel: dict[str, Any], telegram: FakeTelegram, bridge: dict[str, Any]) -> None:
    telegram.rate_limit("sendMessage", retry_after=1)
    await admin.post("/posts", {"channel_id": channel["id"], "message": "despite the limit"}, expect=201)
    await telegram.wait_sent(sent_text("admin: despite the limit"))
    assert telegram.rate_limited["sendMessage"] == []  # it was answered 429 first

    telegram.drop_polls(1)  # the next poll to start fails (the one now waiting, if any, is not affected)
    await telegram.user_says(CHAT, ADA, "before the outage")
    await wait_post(admin, channel["id"], bridged("before the outage"))
    await telegram.user_says(CHAT, ADA, "after the outage")  # fetched by the poll after the failed one
    await wait_post(admin, channel["id"], bridged("after the outage"))
    assert telegram.polls_to_drop == 0
    messages = [p["message"] for p in (await admin.get(f"/channels/{channel['id']}/posts"))["posts"].values()]
    assert messages.count("before the outage") == messages.count("after the outage") == 1


async def test_a_telegram_channel_can_be_bridged_too(admin: Api, channel: dict[str, Any], telegram: FakeTelegram, bridge: dict[str, Any]) -> None:
    remote = await telegram.channel_posts(CHAT, "Wikimedia News", "a channel post")
    post = await wait_post(admin, channel["id"], bridged("a channel post"))
    assert post["props"]["override_username"] == "Wikimedia News"
    await telegram.user_edits(remote, "a channel post, edited")
    await wait_post(admin, channel["id"], bridged("a channel post, edited"))


async def test_cli_adds_a_telegram_bridge_that_a_running_server_starts(admin: Api, channel: dict[str, Any], telegram: FakeTelegram, services: Services) -> None:
    args = ["--token", telegram.token, "--chat-id", str(CHAT), "--channel", "core/bridged", "--api-url", telegram.url]
    out, _ = await run_kafana(services, "bridge", "add", "telegram", *args, env={"KAFANA_OUTBOUND_ALLOWED_NETWORKS": "127.0.0.0/8"})
    assert out.startswith("Added telegram bridge")
    await telegram.user_says(CHAT, ADA, "via the cli")
    await wait_post(admin, channel["id"], bridged("via the cli"))
