"""Collapsed reply threads: the followed-thread list with totals and filters, one thread, read and unread
state, following, mark-all-read; only one's own, and only threads one can read."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from kafana.events import Event
from tests.helpers import Api

THREAD_KEYS = {
    "id", "reply_count", "last_reply_at", "last_viewed_at", "participants", "post", "unread_replies", "unread_mentions",
    "is_following", "is_urgent", "delete_at",
}  # fmt: skip
LIST_KEYS = {"total", "total_unread_threads", "total_unread_mentions", "total_unread_urgent_mentions", "threads"}


@dataclass
class Room:
    team: dict[str, Any]
    public: dict[str, Any]  # alice, bob and carol
    private: dict[str, Any]  # alice and bob
    alice: Api  # system admin
    bob: Api
    carol: Api
    dave: Api  # not in the team

    @property
    def tid(self) -> str:
        return str(self.team["id"])

    def threads(self, api: Api, query: str = "") -> Any:
        return api.get(f"/users/me/teams/{self.tid}/threads{query}")


@pytest.fixture
async def room(anon: Api) -> Room:
    alice, bob, carol, dave = [await anon.signup(n) for n in ("alice", "bob", "carol", "dave")]
    team = await alice.create_team("volunteers", [bob, carol])
    public = await alice.create_channel(team, "events", "O")
    private = await alice.create_channel(team, "plans", "P")
    for user in (bob, carol):
        await alice.post(f"/channels/{public['id']}/members", {"user_id": user.id}, expect=201)
    await alice.post(f"/channels/{private['id']}/members", {"user_id": bob.id}, expect=201)
    return Room(team, public, private, alice, bob, carol, dave)


async def post(api: Api, channel_id: str, message: str, root_id: str = "") -> dict[str, Any]:
    made: dict[str, Any] = await api.post("/posts", {"channel_id": channel_id, "message": message, "root_id": root_id}, expect=201)
    return made


async def test_thread_list_shape(room: Room) -> None:
    root = await post(room.alice, room.public["id"], "who brings the projector?")
    first = await post(room.bob, room.public["id"], "I can", root["id"])
    second = await post(room.carol, room.public["id"], "@alice I have a spare one", root["id"])
    listed = await room.threads(room.alice)
    assert set(listed) == LIST_KEYS
    assert (listed["total"], listed["total_unread_threads"], listed["total_unread_mentions"], listed["total_unread_urgent_mentions"]) == (1, 1, 1, 0)
    [thread] = listed["threads"]
    assert set(thread) == THREAD_KEYS
    assert thread == {
        **thread,
        "id": root["id"], "reply_count": 2, "last_reply_at": second["create_at"], "last_viewed_at": 0, "unread_replies": 2,
        "unread_mentions": 1, "is_following": True, "is_urgent": False, "delete_at": 0,
    }  # fmt: skip
    assert thread["participants"] == [{"id": room.bob.id}, {"id": room.carol.id}]
    assert thread["post"]["id"] == root["id"] and thread["post"]["message"] == root["message"] and thread["post"]["reply_count"] == 2
    assert thread["post"]["metadata"]["embeds"] == []
    # Repliers follow and have read up to their own reply.
    [bobs] = (await room.threads(room.bob))["threads"]
    assert (bobs["last_viewed_at"], bobs["unread_replies"], bobs["unread_mentions"]) == (first["create_at"], 1, 0)
    [carols] = (await room.threads(room.carol))["threads"]
    assert (carols["unread_replies"], carols["unread_mentions"]) == (0, 0)
    # extended=true gives the participants as (sanitized) users.
    extended = (await room.threads(room.alice, "?extended=true"))["threads"][0]["participants"]
    assert [u["username"] for u in extended] == ["bob", "carol"] and all("password" not in u for u in extended)
    one = await room.alice.get(f"/users/me/teams/{room.tid}/threads/{root['id']}")
    assert one == thread
    assert (await room.alice.get(f"/users/{room.alice.id}/teams/{room.tid}/threads/{root['id']}?extended=true"))["participants"] == extended


async def test_read_and_set_unread(room: Room, events: list[Event]) -> None:
    root = await post(room.alice, room.public["id"], "agenda")
    await post(room.bob, room.public["id"], "item one", root["id"])
    mention = await post(room.carol, room.public["id"], "@alice item two", root["id"])
    path = f"/users/me/teams/{room.tid}/threads/{root['id']}"
    read = await room.alice.put(f"{path}/read/{mention['create_at']}")
    assert set(read) == THREAD_KEYS
    assert (read["last_viewed_at"], read["unread_replies"], read["unread_mentions"]) == (mention["create_at"], 0, 0)
    [changed] = [e for e in events if e.event == "thread_read_changed"]
    assert (changed.broadcast.user_id, changed.broadcast.team_id, changed.broadcast.channel_id) == (room.alice.id, room.tid, "")
    assert changed.data == {
        "thread_id": root["id"], "timestamp": mention["create_at"], "unread_mentions": 0, "unread_replies": 0,
        "previous_unread_mentions": 1, "previous_unread_replies": 2, "channel_id": room.public["id"],
    }  # fmt: skip
    totals = await room.threads(room.alice, "?totalsOnly=true")
    assert (totals["total"], totals["total_unread_threads"], totals["total_unread_mentions"], totals["threads"]) == (1, 0, 0, [])
    # Reading up to before the mention leaves it (and the replies after) unread.
    earlier = await room.alice.put(f"{path}/read/{mention['create_at'] - 1}")
    assert (earlier["unread_replies"], earlier["unread_mentions"]) == (1, 1)
    # set_unread: unread from that post on.
    [first_reply] = [r for r in (await room.alice.get(f"/posts/{root['id']}/thread"))["posts"].values() if r["message"] == "item one"]
    unread = await room.alice.post(f"{path}/set_unread/{first_reply['id']}")
    assert (unread["last_viewed_at"], unread["unread_replies"], unread["unread_mentions"]) == (first_reply["create_at"] - 1, 2, 1)
    assert len([e for e in events if e.event == "thread_read_changed"]) == 3
    other = await post(room.alice, room.public["id"], "another root")
    error = await room.alice.post(f"{path}/set_unread/{other['id']}", expect=400)
    assert error["id"] == "app.user.update_thread_read_for_user_by_post.app_error"
    for bad in (f"{path}/read/soon", f"{path}/read/0", f"{path}/read/-5", f"{path}/read/{2**70}"):
        await room.alice.put(bad, expect=400)
    await room.alice.post(f"{path}/set_unread/nope", expect=400)


async def test_follow_and_unfollow(room: Room, events: list[Event]) -> None:
    root = await post(room.alice, room.public["id"], "lunch?")
    reply = await post(room.bob, room.public["id"], "yes", root["id"])
    path = f"/users/me/teams/{room.tid}/threads/{root['id']}/following"
    assert await room.alice.delete(path) == {"status": "OK"}
    assert (await room.threads(room.alice))["threads"] == []
    assert (await room.threads(room.alice))["total"] == 0
    one = await room.alice.get(f"/users/me/teams/{room.tid}/threads/{root['id']}")
    assert one["is_following"] is False
    # New replies do not make an unfollower follow again.
    await post(room.bob, room.public["id"], "still yes", root["id"])
    assert (await room.threads(room.alice))["threads"] == []
    # Following again marks the thread read.
    assert await room.alice.put(path) == {"status": "OK"}
    [thread] = (await room.threads(room.alice))["threads"]
    assert thread["is_following"] is True and thread["unread_replies"] == 0 and thread["last_viewed_at"] > reply["create_at"]
    follow = [e for e in events if e.event == "thread_follow_changed"]
    assert [(e.broadcast.user_id, e.broadcast.team_id, e.data) for e in follow] == [
        (room.alice.id, room.tid, {"thread_id": root["id"], "state": False, "reply_count": 1}),
        (room.alice.id, room.tid, {"thread_id": root["id"], "state": True, "reply_count": 2}),
    ]
    # Carol has never been in the thread: she may follow it (she can read the channel) but not read what she lacks.
    await room.carol.get(f"/users/me/teams/{room.tid}/threads/{root['id']}", expect=404)
    await room.carol.put(f"/users/me/teams/{room.tid}/threads/{root['id']}/following")
    assert [t["id"] for t in (await room.threads(room.carol))["threads"]] == [root["id"]]
    # A reply is not a thread.
    await room.carol.put(f"/users/me/teams/{room.tid}/threads/{reply['id']}/following", expect=404)


async def test_mark_all_read(room: Room, events: list[Event]) -> None:
    roots = [await post(room.alice, room.public["id"], f"root {i}") for i in range(3)]
    for root in roots:
        await post(room.bob, room.public["id"], f"@alice about {root['message']}", root["id"])
    dm = await room.alice.post("/channels/direct", [room.alice.id, room.bob.id], expect=201)
    dm_root = await post(room.alice, dm["id"], "psst")
    await post(room.bob, dm["id"], "hm?", dm_root["id"])
    before = await room.threads(room.alice)
    assert (before["total"], before["total_unread_threads"], before["total_unread_mentions"]) == (4, 4, 4)
    assert await room.alice.get(f"/users/me/teams/{room.tid}/threads/mention_counts") == {room.public["id"]: 3, dm["id"]: 1}
    assert await room.alice.put(f"/users/me/teams/{room.tid}/threads/read") == {"status": "OK"}
    after = await room.threads(room.alice)
    assert (after["total"], after["total_unread_threads"], after["total_unread_mentions"]) == (4, 0, 0)
    assert all(t["unread_replies"] == 0 and t["unread_mentions"] == 0 for t in after["threads"])
    assert await room.alice.get(f"/users/me/teams/{room.tid}/threads/mention_counts") == {}
    [event] = [e for e in events if e.event == "thread_read_changed"]
    assert (event.broadcast.user_id, event.broadcast.team_id) == (room.alice.id, room.tid)
    assert event.data == {"timestamp": max(t["last_viewed_at"] for t in after["threads"])}  # the time they were read


async def test_paging_and_filters(room: Room) -> None:
    roots = [await post(room.alice, room.public["id"], f"root {i}") for i in range(5)]
    replies = [await post(room.bob, room.public["id"], f"reply {i}", root["id"]) for i, root in enumerate(roots)]
    newest_first = [r["id"] for r in reversed(roots)]
    everything = await room.threads(room.alice)
    assert [t["id"] for t in everything["threads"]] == newest_first and everything["total"] == 5
    page = await room.threads(room.alice, "?per_page=2")
    assert [t["id"] for t in page["threads"]] == newest_first[:2] and page["total"] == 5
    page = await room.threads(room.alice, f"?per_page=2&before={newest_first[1]}")
    assert [t["id"] for t in page["threads"]] == newest_first[2:4]
    page = await room.threads(room.alice, f"?pageSize=2&after={newest_first[4]}")
    assert [t["id"] for t in page["threads"]] == newest_first[2:4]
    # threadsOnly skips the totals.
    only = await room.threads(room.alice, "?threadsOnly=true&per_page=1")
    assert (only["total"], len(only["threads"])) == (0, 1)
    # unread and since.
    await room.alice.put(f"/users/me/teams/{room.tid}/threads/{roots[0]['id']}/read/{replies[0]['create_at']}")
    unread = await room.threads(room.alice, "?unread=true")
    assert [t["id"] for t in unread["threads"]] == newest_first[:4] and unread["total"] == 4
    since = await room.threads(room.alice, f"?since={replies[3]['create_at']}")
    assert set(t["id"] for t in since["threads"]) >= {roots[3]["id"], roots[4]["id"]} and roots[1]["id"] not in {t["id"] for t in since["threads"]}
    # Bad paging input is a 400.
    for query in (f"?before={roots[0]['id']}&after={roots[1]['id']}", "?before=nope", f"?after={'e' * 26}", "?since=x", "?unread=maybe"):
        await room.alice.get(f"/users/me/teams/{room.tid}/threads{query}", expect=400)
    assert len((await room.threads(room.alice, "?per_page=100000"))["threads"]) == 5


async def test_deleted_roots(room: Room) -> None:
    root = await post(room.alice, room.public["id"], "soon gone")
    await post(room.bob, room.public["id"], "ok", root["id"])
    await room.alice.delete(f"/posts/{root['id']}")
    assert (await room.threads(room.bob))["threads"] == []
    kept = await room.threads(room.bob, "?deleted=true")
    assert [t["id"] for t in kept["threads"]] == [root["id"]] and kept["threads"][0]["delete_at"] > 0
    await room.bob.get(f"/users/me/teams/{room.tid}/threads/{root['id']}", expect=404)


async def test_only_ones_own_and_only_readable(room: Room) -> None:
    secret = await post(room.alice, room.private["id"], "surprise party")
    await post(room.bob, room.private["id"], "shh", secret["id"])
    open_root = await post(room.alice, room.public["id"], "hello")
    await post(room.bob, room.public["id"], "hi", open_root["id"])
    tid = room.tid
    # Another user's threads are not yours to read or change, whoever you are.
    for api in (room.carol, room.alice):
        await api.get(f"/users/{room.bob.id}/teams/{tid}/threads", expect=403)
        await api.get(f"/users/{room.bob.id}/teams/{tid}/threads/{secret['id']}", expect=403)
        await api.put(f"/users/{room.bob.id}/teams/{tid}/threads/{secret['id']}/read/1", expect=403)
        await api.put(f"/users/{room.bob.id}/teams/{tid}/threads/{secret['id']}/following", expect=403)
        await api.put(f"/users/{room.bob.id}/teams/{tid}/threads/read", expect=403)
    # Carol cannot see or touch a thread in a channel she cannot read: 404, as for a missing one.
    for method, path in (
        ("GET", f"/users/me/teams/{tid}/threads/{secret['id']}"),
        ("PUT", f"/users/me/teams/{tid}/threads/{secret['id']}/read/1"),
        ("PUT", f"/users/me/teams/{tid}/threads/{secret['id']}/following"),
        ("POST", f"/users/me/teams/{tid}/threads/{secret['id']}/set_unread/{secret['id']}"),
        ("GET", f"/users/me/teams/{tid}/threads/{'f' * 26}"),
    ):
        error = await room.carol.request(method, path, expect=404)
        assert error["id"] in ("app.post.get.app_error", "app.thread.get.app_error")
    # Someone outside the team sees nothing of it.
    await room.dave.get(f"/users/me/teams/{tid}/threads", expect=404)
    await room.dave.get(f"/users/me/teams/{tid}/threads/{open_root['id']}", expect=404)
    # Leaving the private channel hides its threads at once.
    assert len((await room.threads(room.bob))["threads"]) == 2
    await room.bob.delete(f"/channels/{room.private['id']}/members/{room.bob.id}")
    listed = await room.threads(room.bob)
    assert [t["id"] for t in listed["threads"]] == [open_root["id"]] and listed["total"] == 1
    await room.bob.get(f"/users/me/teams/{tid}/threads/{secret['id']}", expect=404)
    # A thread of another team is not found through this one.
    other = await room.alice.post("/teams", {"name": "other", "display_name": "Other", "type": "O"}, expect=201)
    await room.alice.get(f"/users/me/teams/{other['id']}/threads/{open_root['id']}", expect=404)
    await room.alice.get("/users/me/teams/nope/threads", expect=400)


def thread_updates(events: list[Event]) -> dict[str, dict[str, Any]]:
    """The thread_updated events by recipient, with the thread decoded (it travels as a JSON string)."""
    out = {}
    for e in events:
        if e.event == "thread_updated":
            assert isinstance(e.data["thread"], str)
            out[e.broadcast.user_id] = {**e.data, "thread": json.loads(e.data["thread"]), "team_id": e.broadcast.team_id}
    return out


async def test_a_reply_updates_each_following_member_but_the_replier(room: Room, events: list[Event]) -> None:
    root = await post(room.alice, room.public["id"], "plans for saturday?")
    await post(room.bob, room.public["id"], "count me in", root["id"])
    first = thread_updates(events)
    assert set(first) == {room.alice.id}  # bob replied; carol does not follow
    assert first[room.alice.id]["team_id"] == room.tid
    assert (first[room.alice.id]["previous_unread_replies"], first[room.alice.id]["previous_unread_mentions"]) == (0, 0)
    assert first[room.alice.id]["thread"] == await room.alice.get(f"/users/me/teams/{room.tid}/threads/{root['id']}")
    events.clear()
    await post(room.carol, room.public["id"], "me too @alice", root["id"])
    second = thread_updates(events)
    assert set(second) == {room.alice.id, room.bob.id}
    alice = second[room.alice.id]
    assert (alice["thread"]["unread_replies"], alice["thread"]["unread_mentions"], alice["thread"]["reply_count"]) == (2, 1, 2)
    assert (alice["previous_unread_replies"], alice["previous_unread_mentions"]) == (1, 0)
    assert alice["thread"] == await room.alice.get(f"/users/me/teams/{room.tid}/threads/{root['id']}")
    bob = second[room.bob.id]
    assert (bob["thread"]["unread_replies"], bob["previous_unread_replies"]) == (1, 0)
    assert bob["thread"] == await room.bob.get(f"/users/me/teams/{room.tid}/threads/{root['id']}")


async def test_no_thread_updated_for_unfollowers_or_former_members(room: Room, events: list[Event]) -> None:
    root = await post(room.alice, room.public["id"], "root")
    await post(room.bob, room.public["id"], "reply", root["id"])
    await post(room.carol, room.public["id"], "reply", root["id"])
    await room.bob.delete(f"/users/me/teams/{room.tid}/threads/{root['id']}/following")
    await room.alice.delete(f"/channels/{room.public['id']}/members/{room.carol.id}")
    events.clear()
    await post(room.alice, room.public["id"], "anyone?", root["id"])
    assert thread_updates(events) == {}
