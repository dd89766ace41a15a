"""The bridge framework with a stand-in worker: adding and removing bridges (API, secrets never shown), the
supervisor starting a bridge added while the server runs and stopping a removed one, the lease that runs a
bridge on one node only, outbound relaying without echo, and the A19 rules for inbound messages."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from kafana.actions import bridges as actions
from kafana.actions.bridges import Inbound, Outbound
from kafana.actions.context import Services
from kafana.bridges import registry
from kafana.bridges.base import BridgeContext, BridgeWorker
from kafana.bridges.supervisor import Supervisor
from kafana.models.actor import SYSTEM
from tests.helpers import Api, run_kafana

WAIT = 10.0


class StandIn(BridgeWorker):
    """Records what it is given; `started` announces each instance as the supervisor starts it."""

    kind = "irc"
    started: asyncio.Queue[StandIn]

    def __init__(self, ctx: BridgeContext) -> None:
        super().__init__(ctx)
        self.delivered: asyncio.Queue[Outbound] = asyncio.Queue()
        self.stopped = asyncio.Event()

    async def run(self) -> None:
        StandIn.started.put_nowait(self)
        try:
            await asyncio.Event().wait()
        finally:
            self.stopped.set()

    async def deliver(self, out: Outbound) -> None:
        self.delivered.put_nowait(out)


@pytest.fixture(autouse=True)
def stand_in(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[StandIn]]:
    registry.worker_class("irc")  # the built-in kinds first, so they cannot replace the stand-in later
    StandIn.started = asyncio.Queue()
    monkeypatch.setitem(registry._kinds, "irc", StandIn)
    yield StandIn


IRC = {"server": "127.0.0.1:6667", "nick": "kafana", "channel": "#test", "sasl_user": "bridge", "sasl_password": "hunter2"}


@pytest.fixture
async def channel(admin: Api, team: dict[str, Any]) -> dict[str, Any]:
    return await admin.create_channel(team, "bridged")


async def next_started() -> StandIn:
    return await asyncio.wait_for(StandIn.started.get(), WAIT)


async def next_out(worker: StandIn) -> Outbound:
    return await asyncio.wait_for(worker.delivered.get(), WAIT)


async def test_admin_api_adds_lists_and_removes_without_showing_secrets(admin: Api, anon: Api, team: dict[str, Any], channel: dict[str, Any]) -> None:
    member = await anon.signup("member")
    body = {"kind": "irc", "channel": "core/bridged", "config": IRC}
    await member.post("/kafana/bridges", body, expect=403)
    bridge = await admin.post("/kafana/bridges", body, expect=201)
    assert bridge["channel_id"] == channel["id"] and bridge["kind"] == "irc" and bridge["enabled"]
    assert bridge["config"]["sasl_password"] is True and bridge["config"]["port"] == 6667
    listed = await admin.get("/kafana/bridges")
    assert [b["id"] for b in listed] == [bridge["id"]]
    assert "hunter2" not in str(listed)
    await member.get("/kafana/bridges", expect=403)
    bot = await admin.get(f"/users/{bridge['bot_user_id']}")
    assert bot["is_bot"]
    # The bot is in its channel and nowhere else in the team.
    bot_channels = await admin.get(f"/users/{bot['id']}/teams/{team['id']}/channels")
    assert [c["id"] for c in bot_channels] == [channel["id"]]

    await member.delete(f"/kafana/bridges/{bridge['id']}", expect=403)
    await admin.delete(f"/kafana/bridges/{bridge['id']}")
    await admin.delete(f"/kafana/bridges/{bridge['id']}", expect=404)
    assert await admin.get("/kafana/bridges") == []
    assert (await admin.get(f"/users/{bot['id']}"))["delete_at"] > 0


@pytest.mark.parametrize(
    ("config", "status"),
    [
        ({**IRC, "nick": "bad nick"}, 400),
        ({**IRC, "channel": "test"}, 400),
        ({**IRC, "server": "127.0.0.1:99999"}, 400),
        ({**IRC, "sasl_password": ""}, 400),
        ({**IRC, "server": "169.254.169.254:6667"}, 422),  # D10: not the server's own network
        ({**IRC, "server": "10.0.0.1:6667"}, 422),
    ],
)
async def test_bad_configs_are_refused(admin: Api, channel: dict[str, Any], config: dict[str, Any], status: int) -> None:
    await admin.post("/kafana/bridges", {"kind": "irc", "channel": "core/bridged", "config": config}, expect=status)
    await admin.post("/kafana/bridges", {"kind": "smtp", "channel": "core/bridged", "config": IRC}, expect=400)
    await admin.post("/kafana/bridges", {"kind": "irc", "channel": "core/nope", "config": IRC}, expect=400)
    assert await admin.get("/kafana/bridges") == []


async def test_running_server_starts_a_new_bridge_relays_and_stops_it_when_removed(
    admin: Api, anon: Api, team: dict[str, Any], channel: dict[str, Any], services: Services
) -> None:
    other = await admin.create_channel(team, "unbridged")
    bridge = await admin.post("/kafana/bridges", {"kind": "irc", "channel": channel["id"], "config": IRC}, expect=201)
    worker = await next_started()
    assert worker.ctx.config["sasl_password"] == "hunter2"  # the worker gets its secrets

    await admin.post("/posts", {"channel_id": other["id"], "message": "not bridged"}, expect=201)
    root = await admin.post("/posts", {"channel_id": channel["id"], "message": "hello irc"}, expect=201)
    out = await next_out(worker)
    assert (out.event, out.author, out.message) == ("posted", "admin", "hello irc")
    await admin.post("/posts", {"channel_id": channel["id"], "message": "a reply", "root_id": root["id"]}, expect=201)
    out = await next_out(worker)
    assert (out.message, out.root_author, out.root_message) == ("a reply", "admin", "hello irc")
    await admin.put(f"/posts/{root['id']}/patch", {"message": "hello again"})
    out = await next_out(worker)
    assert (out.event, out.message) == ("post_edited", "hello again")
    await admin.post("/reactions", {"user_id": admin.id, "post_id": root["id"], "emoji_name": "smile"}, expect=201)
    out = await next_out(worker)
    assert (out.event, out.emoji_name, out.author) == ("reaction_added", "smile", "admin")

    # Inbound: posted by the bridge's bot, with the remote name; not relayed back (no echo).
    post_id = await worker.ctx.post(Inbound("alice", "hi from irc", network="libera"))
    posts = await admin.get(f"/channels/{channel['id']}/posts")
    post = posts["posts"][post_id]
    assert post["user_id"] == bridge["bot_user_id"] and post["message"] == "hi from irc"
    assert post["props"] == {"from_bridge": "irc", "from_webhook": "true", "override_username": "alice", "remote_network": "libera"}
    await admin.post("/posts", {"channel_id": channel["id"], "message": "after the echo"}, expect=201)
    assert (await next_out(worker)).message == "after the echo"  # the bot's post came before it and was skipped

    await admin.delete(f"/kafana/bridges/{bridge['id']}")
    await asyncio.wait_for(worker.stopped.wait(), WAIT)
    assert await worker.ctx.post(Inbound("alice", "too late")) == ""  # a removed bridge posts nothing


async def test_a19_inbound_stays_in_its_channel_and_cannot_pass_for_a_local_user(
    admin: Api, anon: Api, team: dict[str, Any], channel: dict[str, Any], services: Services
) -> None:
    alice = await anon.signup("alice")
    await admin.post(f"/teams/{team['id']}/members", {"team_id": team["id"], "user_id": alice.id}, expect=201)
    other = await admin.create_channel(team, "elsewhere", members=[alice])
    await admin.post(f"/channels/{channel['id']}/members", {"user_id": alice.id}, expect=201)
    bridge = await actions.do_add_bridge(services, SYSTEM, "irc", "core/bridged", IRC)
    ctx = BridgeContext(services, bridge)

    # A remote nick equal to a local username: posted by the bot, marked as bridged.
    first = await ctx.post(Inbound("alice", "I am alice", remote_id="m1"))
    post = await admin.get(f"/posts/{first}")
    assert post["user_id"] == bridge.bot_user_id != alice.id and post["props"]["from_bridge"] == "irc"
    # A reply to a known remote message is threaded; redelivery of the same remote id posts nothing new.
    reply = await ctx.post(Inbound("bob", "answer", remote_id="m2", reply_to="m1"))
    assert (await admin.get(f"/posts/{reply}"))["root_id"] == first
    assert await ctx.post(Inbound("bob", "answer", remote_id="m2", reply_to="m1")) == reply
    # Remote edits and deletes reach only the bridge's own posts.
    await ctx.edit("m2", "answer (fixed)")
    assert (await admin.get(f"/posts/{reply}"))["message"] == "answer (fixed)"
    local = await alice.post("/posts", {"channel_id": channel["id"], "message": "mine"}, expect=201)
    await ctx.remember(local["id"], ["m3"])
    await ctx.edit("m3", "hijacked")
    await ctx.delete("m3")
    assert (await admin.get(f"/posts/{local['id']}"))["message"] == "mine"
    await ctx.delete("m2")
    await admin.get(f"/posts/{reply}", expect=404)

    # The bridge's channel comes from its row: nothing it is given reaches another channel, and its bot is in no other.
    other_posts = (await admin.get(f"/channels/{other['id']}/posts"))["posts"].values()
    assert all(p["user_id"] != bridge.bot_user_id for p in other_posts)
    members = await admin.get(f"/channels/{other['id']}/members")
    assert bridge.bot_user_id not in {m["user_id"] for m in members}

    # Clients cannot forge a bridged post: the props are the server's.
    forged = await alice.post(
        "/posts",
        {"channel_id": channel["id"], "message": "fake", "props": {"from_bridge": "irc", "override_username": "root", "from_webhook": "true"}},
        expect=201,
    )
    assert not {"from_bridge", "override_username", "from_webhook"} & set(forged["props"])


@pytest.fixture
async def second_node(services: Services) -> AsyncIterator[Services]:
    """Another node's services on the same database (its own node id, so its own leases)."""
    yield Services(settings=services.settings, db=services.db)


async def test_each_bridge_runs_on_one_node_and_moves_when_that_node_stops(
    app: Any, services: Services, second_node: Services, channel: dict[str, Any]
) -> None:
    await app.state.bridges.stop()  # only the two supervisors below compete
    await actions.do_add_bridge(services, SYSTEM, "irc", "core/bridged", IRC)
    # Ticked by hand; a long poll makes the lease (three polls) outlast any stall of a busy machine between ticks.
    first, second = Supervisor(services, poll_seconds=60), Supervisor(second_node, poll_seconds=60)
    await first.tick()
    await second.tick()
    assert len(first.running) == 1 and not second.running
    await first.stop()  # releases its lease
    await second.tick()
    assert len(second.running) == 1
    await second.stop()


async def test_a_node_taking_a_bridge_over_relays_what_was_posted_while_none_ran_it(app: Any, admin: Api, services: Services, channel: dict[str, Any]) -> None:
    server = app.state.bridges  # the server's supervisor, which the hub feeds live events
    await server.stop()
    bridge = await actions.do_add_bridge(services, SYSTEM, "irc", "core/bridged", IRC)
    first = Supervisor(services, poll_seconds=60)
    await first.tick()
    await next_started()
    await first.stop()  # its node goes away; nobody runs the bridge now
    for text in ("while down 1", "while down 2"):
        await admin.post("/posts", {"channel_id": channel["id"], "message": text}, expect=201)

    await server.tick()  # another node takes the lease
    worker = await next_started()
    assert worker.ctx.bridge_id == bridge.id
    assert [(await next_out(worker)).message for _ in range(2)] == ["while down 1", "while down 2"]
    await admin.post("/posts", {"channel_id": channel["id"], "message": "live again"}, expect=201)
    assert (await next_out(worker)).message == "live again"
    await server.stop()
    assert worker.delivered.empty()  # nothing twice


async def test_cli_adds_lists_and_removes_and_the_running_server_follows(app: Any, services: Services, channel: dict[str, Any]) -> None:
    irc = ["--server", "127.0.0.1:6667", "--nick", "kafana", "--irc-channel", "#test", "--channel", "core/bridged"]
    local = {"KAFANA_OUTBOUND_ALLOWED_NETWORKS": "127.0.0.0/8"}  # D10 holds for the CLI too
    out, _ = await run_kafana(services, "bridge", "add", "irc", *irc, "--sasl-user", "bridge", "--sasl-password", "hunter2", env=local)
    bridge_id = out.split()[3]
    worker = await next_started()
    assert worker.ctx.bridge_id == bridge_id and worker.ctx.config["channel"] == "#test"
    listing, _ = await run_kafana(services, "bridge", "list")
    assert bridge_id in listing and "hunter2" not in listing and "sasl_password=True" in listing
    await run_kafana(services, "bridge", "remove", bridge_id)
    await asyncio.wait_for(worker.stopped.wait(), WAIT)
    listing, _ = await run_kafana(services, "bridge", "list")
    assert bridge_id not in listing
