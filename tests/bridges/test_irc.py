"""The IRC bridge against a real ngircd (started per test) with a real IRC client (`irc`) as the person on IRC.

Waiting is for events: what the IRC user hears, the worker being in the channel; a post made from IRC is an
external effect, so the test polls the channel for it with a deadline.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from kafana.actions import bridges as actions
from kafana.actions.context import Services
from kafana.bridges.irc import IrcBridge
from kafana.models.actor import SYSTEM
from tests.bridges.ircd import IrcUser, Ngircd, available, started_worker
from tests.helpers import Api, run_kafana

if not available():
    if os.environ.get("CI") == "true":
        raise RuntimeError("ngircd is required under CI=true (make test installs it)")
    pytest.skip("ngircd is not installed (apt-get install ngircd; make test does it)", allow_module_level=True)

WAIT = 30.0  # ngircd throttles: registering and joining takes about a second, ten lines take about a second


@pytest.fixture
def ircd(tmp_path: Path) -> Iterator[Ngircd]:
    server = Ngircd(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
async def bob(ircd: Ngircd) -> AsyncIterator[IrcUser]:
    user = await IrcUser(ircd.port, "bob").connect()
    yield user
    user.close()


@pytest.fixture
async def channel(admin: Api, team: dict[str, Any]) -> dict[str, Any]:
    return await admin.create_channel(team, "bridged")


def irc_config(port: int, **extra: Any) -> dict[str, Any]:
    return {"server": f"127.0.0.1:{port}", "nick": "kafana", "channel": "#test", "network": "testnet", "lines_per_second": 10, "burst": 10, **extra}


async def running_worker(app: Any, bridge_id: str) -> IrcBridge:
    """The bridge's worker once it is in the IRC channel."""
    worker = await started_worker(app, bridge_id)
    await asyncio.wait_for(worker.joined.wait(), WAIT)
    return worker


@pytest.fixture
async def bridge(app: Any, services: Services, channel: dict[str, Any], ircd: Ngircd, bob: IrcUser) -> IrcBridge:
    added = await actions.do_add_bridge(services, SYSTEM, "irc", "core/bridged", irc_config(ircd.port))
    return await running_worker(app, added.id)


async def posts_from_irc(admin: Api, channel: dict[str, Any], count: int) -> list[dict[str, Any]]:
    """The channel's bridged posts, oldest first, once there are `count` of them."""
    deadline = time.monotonic() + WAIT
    while True:
        page = await admin.get(f"/channels/{channel['id']}/posts")
        found = [page["posts"][i] for i in reversed(page["order"]) if page["posts"][i]["props"].get("from_bridge")]
        if len(found) >= count:
            return found
        assert time.monotonic() < deadline, f"{len(found)} of {count} IRC messages arrived: {[p['message'] for p in found]}"
        await asyncio.sleep(0.05)


async def test_kafana_posts_reach_irc_as_name_and_text_with_formatting(admin: Api, channel: dict[str, Any], bridge: IrcBridge, bob: IrcUser) -> None:
    await admin.post("/posts", {"channel_id": channel["id"], "message": "hello **IRC** with `code`"}, expect=201)
    assert await bob.hear() == ("kafana", "<admin> hello \x02IRC\x02 with \x11code\x11")


async def test_irc_messages_are_posted_with_the_nick(admin: Api, channel: dict[str, Any], bridge: IrcBridge, bob: IrcUser) -> None:
    bob.say("hi from \x02IRC\x02 \x0304red\x03")
    bob.connection.action("#test", "waves")
    first, action = await posts_from_irc(admin, channel, 2)
    assert first["message"] == "hi from **IRC** red" and action["message"] == "_waves_"
    assert first["props"] == {"from_bridge": "irc", "from_webhook": "true", "override_username": "bob", "remote_network": "testnet"}
    assert first["user_id"] == bridge.ctx.bot_user_id


async def test_thread_replies_edits_files_and_reactions_are_rendered_as_text(
    admin: Api, channel: dict[str, Any], bridge: IrcBridge, bob: IrcUser, http: Any
) -> None:
    root = await admin.post("/posts", {"channel_id": channel["id"], "message": "the plan"}, expect=201)
    assert await bob.hear() == ("kafana", "<admin> the plan")
    await admin.post("/posts", {"channel_id": channel["id"], "message": "sounds good", "root_id": root["id"]}, expect=201)
    assert await bob.hear() == ("kafana", "<admin> ↪ reply to admin: sounds good")
    await admin.put(f"/posts/{root['id']}/patch", {"message": "the new plan"})
    assert await bob.hear() == ("kafana", "<admin> (edited) the new plan")
    await admin.post("/reactions", {"user_id": admin.id, "post_id": root["id"], "emoji_name": "tada"}, expect=201)
    assert await bob.hear() == ("kafana", "* admin reacted with :tada: to “the new plan”")

    upload = await http.post(
        "/api/v4/files", params={"channel_id": channel["id"]}, files={"files": ("notes.txt", b"notes", "text/plain")}, headers=admin.headers()
    )
    file_id = upload.json()["file_infos"][0]["id"]
    await admin.post("/posts", {"channel_id": channel["id"], "message": "see the file", "file_ids": [file_id]}, expect=201)
    assert await bob.hear() == ("kafana", "<admin> see the file")
    assert await bob.hear() == ("kafana", f"<admin> notes.txt: http://kafana.test/api/v4/files/{file_id}")
    # IRC's own messages come back to IRC only once: the bridge does not echo what it posted.
    bob.say("no echo please")
    await posts_from_irc(admin, channel, 1)
    await admin.post("/posts", {"channel_id": channel["id"], "message": "next"}, expect=201)
    assert await bob.hear() == ("kafana", "<admin> next")


async def test_a_long_message_is_split_at_word_boundaries_within_the_line_limit(admin: Api, channel: dict[str, Any], bridge: IrcBridge, bob: IrcUser) -> None:
    words = [f"wörd{i:03d}" for i in range(126)]  # 1,000 characters with the spaces, multi-byte too
    message = " ".join(words)[:999] + "!"
    assert len(message) == 1000
    await admin.post("/posts", {"channel_id": channel["id"], "message": message}, expect=201)
    lines = [await bob.hear() for _ in range(3)]
    assert all(nick == "kafana" and text.startswith("<admin> ") for nick, text in lines)
    texts = [text.removeprefix("<admin> ") for _, text in lines]
    assert " ".join(texts) == message  # cut between words only, nothing lost
    # Each line as the server relays it (":kafana!user@host PRIVMSG #test :…\r\n") fits in 512 bytes.
    assert all(len(f":kafana!~kafana@127.0.0.1 PRIVMSG #test :{text}\r\n".encode()) <= 512 for _, text in lines)


async def test_fifty_messages_in_a_burst_all_arrive_in_order(admin: Api, channel: dict[str, Any], bridge: IrcBridge, bob: IrcUser) -> None:
    for i in range(50):  # far faster than IRC takes them: they wait in the bridge's queue
        await admin.post("/posts", {"channel_id": channel["id"], "message": f"burst {i}"}, expect=201)
    heard = [await bob.hear() for _ in range(50)]
    assert heard == [("kafana", f"<admin> burst {i}") for i in range(50)]


async def test_irc_to_kafana_burst_keeps_order(admin: Api, channel: dict[str, Any], bridge: IrcBridge, bob: IrcUser) -> None:
    for i in range(20):
        bob.say(f"line {i}")
    posts = await posts_from_irc(admin, channel, 20)
    assert [p["message"] for p in posts] == [f"line {i}" for i in range(20)]


async def test_reconnects_after_the_server_restarts_without_losing_queued_messages(
    admin: Api, channel: dict[str, Any], bridge: IrcBridge, bob: IrcUser, ircd: Ngircd, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The bridge reaches the network only when the gate opens, so that bob is back in the channel first.
    gate = asyncio.Event()
    check = bridge.ctx.check_address

    async def gated(host: str, port: int) -> str:
        await gate.wait()
        return await check(host, port)

    monkeypatch.setattr(bridge.ctx, "check_address", gated)
    bob.close()
    ircd.stop()
    deadline = time.monotonic() + WAIT
    while bridge.joined.is_set():
        assert time.monotonic() < deadline, "the bridge did not notice the server going away"
        await asyncio.sleep(0.05)
    for i in range(3):
        await admin.post("/posts", {"channel_id": channel["id"], "message": f"while down {i}"}, expect=201)
    ircd.start()
    back = await IrcUser(ircd.port, "bob").connect()
    try:
        gate.set()
        assert [await back.hear() for _ in range(3)] == [("kafana", f"<admin> while down {i}") for i in range(3)]
        back.say("and back")
        assert (await posts_from_irc(admin, channel, 1))[-1]["message"] == "and back"
        assert bridge.connections == 2
    finally:
        back.close()


async def test_a_taken_nick_gets_a_suffix(app: Any, services: Services, admin: Api, channel: dict[str, Any], ircd: Ngircd, bob: IrcUser) -> None:
    squatter = await IrcUser(ircd.port, "kafana").connect()
    try:
        added = await actions.do_add_bridge(services, SYSTEM, "irc", "core/bridged", irc_config(ircd.port))
        worker = await running_worker(app, added.id)
        assert worker.nick == "kafana_"
        await admin.post("/posts", {"channel_id": channel["id"], "message": "still here"}, expect=201)
        assert await bob.hear() == ("kafana_", "<admin> still here")
    finally:
        squatter.close()


async def test_a19_irc_cannot_pass_for_a_local_user_or_reach_other_channels(
    admin: Api, team: dict[str, Any], channel: dict[str, Any], bridge: IrcBridge, ircd: Ngircd
) -> None:
    other = await admin.create_channel(team, "private-talk", "P")
    impostor = await IrcUser(ircd.port, "admin").connect()  # the local admin's username, on IRC
    elsewhere = await IrcUser(ircd.port, "eve", channel="#other").connect()
    try:
        elsewhere.say("posted in another IRC channel")
        impostor.say("posted to the bridge only", target=bridge.nick)
        impostor.say("I am the admin")
        [post] = await posts_from_irc(admin, channel, 1)
    finally:
        impostor.close()
        elsewhere.close()
    assert post["message"] == "I am the admin" and post["user_id"] == bridge.ctx.bot_user_id != admin.id
    assert post["props"]["override_username"] == "admin" and post["props"]["from_bridge"] == "irc"
    for where in (channel, other):
        page = await admin.get(f"/channels/{where['id']}/posts")
        assert not [p for p in page["posts"].values() if "posted" in p["message"]]


async def test_tls(app: Any, services: Services, admin: Api, channel: dict[str, Any], tmp_path: Path) -> None:
    server = Ngircd(tmp_path, tls=True)
    server.start()
    try:
        listener = await IrcUser(server.port, "bob").connect()
        config = irc_config(server.ssl_port, tls=True, tls_ca_file=str(server.cert))
        added = await actions.do_add_bridge(services, SYSTEM, "irc", "core/bridged", config)
        await running_worker(app, added.id)
        await admin.post("/posts", {"channel_id": channel["id"], "message": "over TLS"}, expect=201)
        assert await listener.hear() == ("kafana", "<admin> over TLS")
        listener.close()
    finally:
        server.stop()


async def test_cli_bridge_is_picked_up_by_the_running_server(
    app: Any, services: Services, admin: Api, channel: dict[str, Any], ircd: Ngircd, bob: IrcUser
) -> None:
    irc = ["--server", f"127.0.0.1:{ircd.port}", "--nick", "kafana", "--irc-channel", "#test", "--channel", "core/bridged"]
    out, _ = await run_kafana(services, "bridge", "add", "irc", *irc, env={"KAFANA_OUTBOUND_ALLOWED_NETWORKS": "127.0.0.0/8"})
    assert await asyncio.wait_for(bob.joins.get(), WAIT) == "kafana"
    bob.say("hello CLI bridge")
    [post] = await posts_from_irc(admin, channel, 1)
    assert post["props"]["override_username"] == "bob"
    await run_kafana(services, "bridge", "remove", out.split()[3])
    deadline = time.monotonic() + WAIT
    while app.state.bridges.running:
        assert time.monotonic() < deadline, "the removed bridge kept running"
        await asyncio.sleep(0.05)
