"""The Telegram and Discord protocol clients against the local fakes: the wire formats, 429 handling, and the
Gateway's resume after a dropped connection or a RECONNECT."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest

from kafana.bridges.chat import split_text
from kafana.bridges.discord import readable
from kafana.bridges.discord_api import DiscordError, DiscordRest, Gateway
from kafana.bridges.net import Upload
from kafana.bridges.telegram_api import BotApi, TelegramError
from tests.telegram_discord.fake_discord import FakeDiscord
from tests.telegram_discord.fake_telegram import FakeTelegram

CHAT = -1001234


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram().running() as fake:
        yield fake


@pytest.fixture
async def discord() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(heartbeat_interval_ms=200).running() as fake:
        yield fake


@pytest.fixture
async def bot(telegram: FakeTelegram) -> AsyncIterator[BotApi]:
    api = BotApi(telegram.token, telegram.url, poll_timeout=5)
    yield api
    await api.aclose()


async def test_long_polling_returns_an_update_posted_while_waiting(telegram: FakeTelegram, bot: BotApi) -> None:
    assert (await bot.get_me())["username"] == "kafana_bot"
    poll = asyncio.create_task(bot.get_updates(0))
    await telegram.wait_polling(-1)
    said = await telegram.user_says(CHAT, telegram.person(7, "Ada"), "hello")
    updates = await poll
    assert [u["message"]["text"] for u in updates] == ["hello"]
    assert updates[0]["message"]["message_id"] == said["message_id"]
    # The next offset confirms it: it is not returned again.
    await telegram.user_says(CHAT, telegram.person(7, "Ada"), "second")
    again = await bot.get_updates(updates[0]["update_id"] + 1)
    assert [u["message"]["text"] for u in again] == ["second"]


async def test_the_token_in_bot_api_urls_stays_out_of_the_logs(telegram: FakeTelegram, bot: BotApi, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="httpx"):
        await bot.get_me()
    assert "getMe" in caplog.text and "/bot<token>/getMe" in caplog.text
    assert telegram.token not in caplog.text


async def test_a_429_is_waited_out_and_the_call_repeated(telegram: FakeTelegram, bot: BotApi) -> None:
    telegram.rate_limit("sendMessage", retry_after=1)
    first = await bot.send_message(str(CHAT), "hello")
    reply = await bot.send_message(str(CHAT), "again", reply_to=first["message_id"])
    assert [s.params["text"] for s in telegram.sent] == ["hello", "again"]
    assert reply["reply_to_message"]["message_id"] == first["message_id"]
    assert not telegram.rate_limited["sendMessage"]


async def test_errors_other_than_429_raise(telegram: FakeTelegram) -> None:
    wrong = BotApi("999:wrong", telegram.url)
    try:
        with pytest.raises(TelegramError) as raised:
            await wrong.get_me()
        assert raised.value.status == 401
    finally:
        await wrong.aclose()


async def test_files_go_up_as_multipart_and_come_down_by_file_path(telegram: FakeTelegram, bot: BotApi) -> None:
    sent = await bot.send_file(str(CHAT), Upload("notes.txt", b"some notes", "text/plain"), caption="read this")
    photo = await bot.send_file(str(CHAT), Upload("cat.png", b"\x89PNG fake", "image/png"))
    assert [s.method for s in telegram.sent] == ["sendDocument", "sendPhoto"]
    assert telegram.sent[0].file_data == b"some notes" and telegram.sent[0].params["caption"] == "read this"
    said = await telegram.user_says(CHAT, telegram.person(7, "Ada"), "look", photo=b"jpeg bytes")
    path, data = await bot.download(said["photo"][-1]["file_id"], limit=1000)
    assert data == b"jpeg bytes" and path.startswith("photos/")
    with pytest.raises(TelegramError):
        await bot.download(sent["document"]["file_id"], limit=3)
    assert photo["photo"]


@contextlib.asynccontextmanager
async def gateway(discord: FakeDiscord) -> AsyncIterator[tuple[Gateway, asyncio.Queue[tuple[str, dict[str, Any]]]]]:
    seen: asyncio.Queue[tuple[str, dict[str, Any]]] = asyncio.Queue()

    async def on_dispatch(name: str, data: dict[str, Any]) -> None:
        await seen.put((name, data))

    rest = DiscordRest(discord.token, discord.api_url)
    gw = Gateway(discord.token, await rest.gateway_url(), on_dispatch)
    await rest.aclose()
    task = asyncio.create_task(gw.run())
    try:
        yield gw, seen
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def next_named(seen: asyncio.Queue[tuple[str, dict[str, Any]]], name: str) -> dict[str, Any]:
    async with asyncio.timeout(10):
        while True:
            got, data = await seen.get()
            if got == name:
                return data


async def test_the_gateway_identifies_then_resumes_and_misses_nothing(discord: FakeDiscord) -> None:
    ada = discord.person("501", "ada")
    async with gateway(discord) as (gw, seen):
        ready = await next_named(seen, "READY")
        assert ready["session_id"] == "session1" and gw.user_id == discord.bot["id"]
        await discord.user_says("42", ada, "one")
        assert (await next_named(seen, "MESSAGE_CREATE"))["content"] == "one"

        await discord.drop()
        await discord.user_says("42", ada, "said while the bot was away")
        await discord.wait_ready(identifies=1, resumes=1)
        assert (await next_named(seen, "MESSAGE_CREATE"))["content"] == "said while the bot was away"
        await next_named(seen, "RESUMED")

        await discord.ask_reconnect()
        await discord.wait_ready(identifies=1, resumes=2)
        await discord.user_says("42", ada, "after the reconnect")
        assert (await next_named(seen, "MESSAGE_CREATE"))["content"] == "after the reconnect"
        assert discord.identifies == 1  # the same session all along
        assert discord.resumes[0] == 2  # READY and "one" were seen


async def test_heartbeats_carry_the_sequence_and_a_missing_ack_means_resume(discord: FakeDiscord) -> None:
    async with gateway(discord) as (_, seen):
        await next_named(seen, "READY")
        await discord.user_says("42", discord.person("501", "ada"), "x")
        await next_named(seen, "MESSAGE_CREATE")
        await discord.wait_heartbeats(len(discord.heartbeats) + 2)
        assert discord.heartbeats[-1] == 2
        assert discord.identifies == 1 and not discord.resumes
        # A zombie connection (beats no longer acknowledged) is replaced, and the session resumed.
        discord.ack_heartbeats = False
        await discord.wait_ready(identifies=1, resumes=1)
        discord.ack_heartbeats = True
        await next_named(seen, "RESUMED")
        assert discord.identifies == 1


async def test_rest_sends_replies_files_edits_deletes_and_waits_out_429(discord: FakeDiscord) -> None:
    rest = DiscordRest(discord.token, discord.api_url)
    try:
        discord.rate_limit(0.3)
        first = await rest.send_message("42", "hello")
        reply = await rest.send_message("42", "with a file", reply_to=first["id"], files=[Upload("a.txt", b"abc", "text/plain")])
        await rest.edit_message("42", first["id"], "hello, edited")
        await rest.delete_message("42", reply["id"])
        assert [(s.method, s.payload.get("content")) for s in discord.sent] == [
            ("POST", "hello"), ("POST", "with a file"), ("PATCH", "hello, edited"), ("DELETE", None),
        ]  # fmt: skip
        assert discord.sent[1].files == [("a.txt", b"abc")]
        assert discord.sent[1].payload["message_reference"]["message_id"] == first["id"]
        assert discord.sent[0].payload["allowed_mentions"] == {"parse": []}
        with pytest.raises(DiscordError) as raised:
            await rest.delete_message("42", reply["id"])
        assert raised.value.status == 404
    finally:
        await rest.aclose()


def test_long_text_is_split_at_spaces_within_the_limit() -> None:
    words = " ".join(f"word{i}" for i in range(500))
    pieces = split_text(words, 100)
    assert all(len(p) <= 100 for p in pieces) and " ".join(pieces) == words
    assert split_text("x" * 250, 100) == ["x" * 100, "x" * 100, "x" * 50]
    assert split_text("", 100) == []


def test_discord_mentions_and_custom_emoji_read_as_people_see_them() -> None:
    message = {
        "content": "hi <@501> and <@!502>, <@999> <:wave:123> <a:party:456>",
        "mentions": [{"id": "501", "username": "ada", "global_name": "Ada L."}, {"id": "502", "username": "bob"}],
    }
    assert readable(message) == "hi @Ada L. and @bob, <@999> :wave: :party:"
