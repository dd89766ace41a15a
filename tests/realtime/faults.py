"""What the fault tests share: a channel with listeners on every node, and the end-of-run check of the
poster's ledger against the database (reliability.md §3, rules 1 and 2)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from tests.helpers import Api
from tests.realtime.clients import Listener, Poster
from tests.realtime.servers import Cluster


async def channel_with_listeners(cluster: Cluster, users: int = 2) -> tuple[dict[str, Any], list[Listener]]:
    """A channel with `users` members besides the admin, each listening on every node (connected on return)."""
    members = [await Api(cluster.http_a).signup(f"listener{i}") for i in range(users)]
    team = await cluster.admin.create_team("faults", members)
    channel = await cluster.admin.create_channel(team, "steady", "O", members)
    listeners = [Listener(cluster, user, channel["id"], node) for user in members for node in cluster.nodes]
    for listener in listeners:
        await listener.start()
    return channel, listeners


async def assert_each_post_once(cluster: Cluster, channel: dict[str, Any], poster: Poster) -> set[str]:
    """Every acknowledged post is in the channel exactly once, under the id its 201 gave; so is every retried
    one (at most once). Returns the messages of all the poster's posts in the channel."""
    page = await cluster.admin.get(f"/channels/{channel['id']}/posts?per_page=200")
    assert len(page["order"]) < 200, "the test made more posts than one page holds"
    mine = [p for p in page["posts"].values() if p["user_id"] == cluster.admin.id and p["message"].startswith("m")]
    counts = Counter(p["pending_post_id"] for p in mine)
    assert [k for k, n in counts.items() if n > 1] == []
    by_pending = {p["pending_post_id"]: p["id"] for p in mine}
    assert {k: by_pending.get(k) for k in poster.acked} == poster.acked
    return {p["message"] for p in mine}
