"""Mentions as the `posted` event carries them, through the API on a real database: @username, @channel/@all,
@here, ignore-channel-mentions, keywords, thread followers, DMs and group messages, and the notice about people
named who are not in the channel."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from kafana.events import Event
from tests.helpers import Api


@dataclass
class Room:
    team: dict[str, Any]
    channel: dict[str, Any]
    ann: Api  # admin, posts
    ben: Api
    cy: Api
    dee: Api  # in the team, not in the channel


@pytest.fixture
async def room(anon: Api) -> Room:
    ann, ben, cy, dee = [await anon.signup(n) for n in ("ann", "ben", "cy", "dee")]
    team = await ann.create_team("core", [ben, cy, dee])
    channel = await ann.create_channel(team, "town", "O", [ben, cy])
    return Room(team, channel, ann, ben, cy, dee)


async def say(api: Api, channel_id: str, message: str, events: list[Event], **extra: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """Post and return the post and its `posted` event's data."""
    start = len(events)
    post = await api.post("/posts", {"channel_id": channel_id, "message": message, **extra}, expect=201)
    posted = [e for e in events[start:] if e.event == "posted" and json.loads(e.data["post"])["id"] == post["id"]]
    return post, posted[0].data


def mentions(data: dict[str, Any]) -> list[str]:
    return sorted(json.loads(data.get("mentions", "[]")))


async def test_username_channel_all(room: Room, events: list[Event]) -> None:
    cid = room.channel["id"]
    _, data = await say(room.ann, cid, "hi @ben", events)
    assert mentions(data) == [room.ben.id]
    for word in ("@channel", "@all"):
        _, data = await say(room.ann, cid, f"{word}: meeting", events)
        assert mentions(data) == sorted([room.ben.id, room.cy.id])
    _, data = await say(room.ann, cid, "no mention at all", events)
    assert "mentions" not in data


async def test_here_only_online(room: Room, events: list[Event]) -> None:
    await room.ben.put(f"/users/{room.ben.id}/status", {"user_id": room.ben.id, "status": "online"})
    await room.cy.put(f"/users/{room.cy.id}/status", {"user_id": room.cy.id, "status": "away"})
    _, data = await say(room.ann, room.channel["id"], "@here anyone?", events)
    assert mentions(data) == [room.ben.id]


async def test_ignore_channel_mentions(room: Room, events: list[Event]) -> None:
    cid = room.channel["id"]
    await room.ben.put(f"/channels/{cid}/members/{room.ben.id}/notify_props", {"channel_id": cid, "user_id": room.ben.id, "ignore_channel_mentions": "on"})
    props = (await room.cy.get("/users/me"))["notify_props"]
    await room.cy.put("/users/me/patch", {"notify_props": {**props, "channel": "false"}})
    _, data = await say(room.ann, cid, "@channel hello", events)
    assert "mentions" not in data
    _, data = await say(room.ann, cid, "@ben and @channel", events)
    assert mentions(data) == [room.ben.id]


async def test_keywords_and_first_name(room: Room, events: list[Event]) -> None:
    props = (await room.ben.get("/users/me"))["notify_props"]
    await room.ben.put("/users/me/patch", {"first_name": "Benedikt", "notify_props": {**props, "mention_keys": "banner", "first_name": "true"}})
    cid = room.channel["id"]
    assert mentions((await say(room.ann, cid, "The Banner is ready", events))[1]) == [room.ben.id]
    assert mentions((await say(room.ann, cid, "benedikt: look", events))[1]) == [room.ben.id]
    assert "mentions" not in (await say(room.ann, cid, "bannerless", events))[1]


async def test_thread_followers(room: Room, events: list[Event]) -> None:
    cid = room.channel["id"]
    root, _ = await say(room.ben, cid, "a question", events)
    _, data = await say(room.cy, cid, "an answer", events, root_id=root["id"])
    assert "mentions" not in data and json.loads(data["followers"]) == [room.ben.id]  # the root's author follows
    _, data = await say(room.ann, cid, "me too", events, root_id=root["id"])
    assert json.loads(data["followers"]) == sorted([room.ben.id, room.cy.id])
    # an unfollowed thread is quiet; with comments=any a participant is mentioned instead
    await room.ben.delete(f"/users/{room.ben.id}/teams/{room.team['id']}/threads/{root['id']}/following")
    props = (await room.cy.get("/users/me"))["notify_props"]
    await room.cy.put("/users/me/patch", {"notify_props": {**props, "comments": "any"}})
    _, data = await say(room.ann, cid, "again", events, root_id=root["id"])
    assert mentions(data) == [room.cy.id] and "followers" not in data


async def test_direct_and_group_messages(room: Room, events: list[Event]) -> None:
    dm = await room.ann.post("/channels/direct", [room.ann.id, room.ben.id], expect=201)
    assert mentions((await say(room.ann, dm["id"], "psst", events))[1]) == [room.ben.id]
    gm = await room.ann.post("/channels/group", [room.ann.id, room.ben.id, room.cy.id], expect=201)
    assert mentions((await say(room.ann, gm["id"], "all three", events))[1]) == sorted([room.ben.id, room.cy.id])
    unread = await room.cy.get(f"/users/{room.cy.id}/channels/{gm['id']}/unread")
    assert unread["mention_count"] == 1


async def test_naming_someone_outside_the_channel_tells_the_poster(room: Room, events: list[Event]) -> None:
    start = len(events)
    post, data = await say(room.ann, room.channel["id"], "ask @dee and @nobody", events)
    assert "mentions" not in data
    notices = [e for e in events[start:] if e.event == "ephemeral_message"]
    assert len(notices) == 1 and notices[0].broadcast.user_id == room.ann.id
    notice = json.loads(notices[0].data["post"])
    assert notice["type"] == "system_ephemeral_add_to_channel" and notice["channel_id"] == room.channel["id"]
    assert notice["props"]["add_channel_member"]["not_in_channel_user_ids"] == [room.dee.id]
    assert notice["props"]["add_channel_member"]["post_id"] == post["id"]
    assert notice["message"].startswith("@dee did not get notified")
