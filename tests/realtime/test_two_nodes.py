"""Two `kafana serve` processes on one PostgreSQL database (a random one, dropped afterwards) and one Redis
(a channel prefix of this run's own): what is posted through node A reaches sockets on node B, and a member
removed through node A stops receiving the channel's events on node B. Waits are bounded; nothing sleeps."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.helpers import Api
from tests.realtime.servers import Cluster, cluster_of, require_redis


@pytest.fixture(scope="module")
async def cluster(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Cluster]:
    async with cluster_of(tmp_path_factory.mktemp("nodes"), await require_redis()) as nodes:
        yield nodes


async def _member(cluster: Cluster, name: str) -> tuple[Api, dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A new user in a new team with two channels `talk` and `other`, all made through node A."""
    user = await Api(cluster.http_a).signup(name)
    team = await cluster.admin.create_team(f"team{name}", [user])
    talk = await cluster.admin.create_channel(team, "talk", "O", [user])
    other = await cluster.admin.create_channel(team, "other", "O", [user])
    return user, team, talk, other


async def _post(cluster: Cluster, channel: dict[str, Any], message: str) -> None:
    await cluster.admin.post("/posts", {"channel_id": channel["id"], "message": message}, expect=201)


def _posted(frame: dict[str, Any]) -> tuple[str, str] | None:
    if frame.get("event") != "posted":
        return None
    return frame["broadcast"]["channel_id"], json.loads(frame["data"]["post"])["message"]


async def test_a_post_through_node_a_reaches_a_socket_on_node_b(cluster: Cluster) -> None:
    bob, _team, talk, _other = await _member(cluster, "bob")
    sock = await cluster.socket(bob, cluster.b)
    try:
        await _post(cluster, talk, "hello from A")
        frames = await sock.until("posted")
        assert _posted(frames[-1]) == (talk["id"], "hello from A")
        assert frames[-1]["data"]["sender_name"] == "@admin"
    finally:
        await sock.close()


async def test_a_member_removed_through_node_a_stops_receiving_on_node_b(cluster: Cluster) -> None:
    eve, _team, talk, other = await _member(cluster, "eve")
    sock = await cluster.socket(eve, cluster.b)
    try:
        await _post(cluster, talk, "before")  # node B now holds talk's membership in its cache
        assert _posted((await sock.until("posted"))[-1]) == (talk["id"], "before")
        await cluster.admin.delete(f"/channels/{talk['id']}/members/{eve.id}")
        await _post(cluster, talk, "after")
        await _post(cluster, other, "marker")
        removed = await sock.until("user_removed", channel_id=talk["id"])  # to eve herself, after the system post
        assert removed[-1]["broadcast"]["user_id"] == eve.id
        frames = await sock.until("posted")
        assert [_posted(f) for f in frames if f.get("event") == "posted"] == [(other["id"], "marker")]
    finally:
        await sock.close()


async def test_typing_on_node_a_reaches_a_member_on_node_b(cluster: Cluster) -> None:
    ann, _team, talk, _other = await _member(cluster, "ann")
    sock_a = await cluster.socket(cluster.admin, cluster.a)
    sock_b = await cluster.socket(ann, cluster.b)
    try:
        reply = await sock_a.request(1, "user_typing", {"channel_id": talk["id"]})
        assert reply["status"] == "OK", reply
        frames = await sock_b.until("typing")
        assert frames[-1]["data"]["user_id"] == cluster.admin.id and frames[-1]["broadcast"]["channel_id"] == talk["id"]
    finally:
        await sock_a.close()
        await sock_b.close()


async def test_a_logout_through_node_a_closes_the_socket_on_node_b(cluster: Cluster) -> None:
    """A15 across nodes: node B trusts its auth cache for 3 s at most, and sockets re-check their token every 2 s."""
    kim, _team, _talk, _other = await _member(cluster, "kim")
    sock = await cluster.socket(kim, cluster.b)
    await kim.post("/users/logout")  # kim's client talks to node A
    assert await sock.closed() == 1008
