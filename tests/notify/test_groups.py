"""Custom user groups: Mattermost's /groups API and @group mentions."""

from __future__ import annotations

import json

from kafana.events import Event
from tests.helpers import Api


def new_group(name: str, user_ids: list[str], **extra: object) -> dict[str, object]:
    return {"group": {"name": name, "display_name": name.title(), "source": "custom", "allow_reference": True, **extra}, "user_ids": user_ids}


async def test_group_lifecycle(admin: Api, anon: Api) -> None:
    ann, ben = await anon.signup("ann"), await anon.signup("ben")
    group = await ann.post("/groups", new_group("devs", [ann.id, ben.id], description="the coders"), expect=201)
    assert group["name"] == "devs" and group["source"] == "custom" and group["allow_reference"] is True and group["creator_id"] == ann.id
    assert (await ben.get(f"/groups/{group['id']}?include_member_count=true"))["member_count"] == 2
    listed = await ben.get("/groups?q=dev&include_member_count=true")
    assert [g["id"] for g in listed] == [group["id"]] and listed[0]["member_count"] == 2
    assert await ben.get("/groups?q=zzz") == []
    members = await ben.get(f"/groups/{group['id']}/members")
    assert members["total_member_count"] == 2 and sorted(u["id"] for u in members["members"]) == sorted([ann.id, ben.id])
    assert [u["id"] for u in await ben.get(f"/users?in_group={group['id']}")] == [ann.id, ben.id]
    assert [g["id"] for g in await ben.get("/users/me/groups")] == [group["id"]]

    patched = await ben.put(f"/groups/{group['id']}/patch", {"display_name": "Developers", "name": "coders"})
    assert patched["display_name"] == "Developers" and patched["name"] == "coders"
    await ann.delete(f"/groups/{group['id']}/members", {"user_ids": [ben.id]})
    assert (await ann.get(f"/groups/{group['id']}/stats"))["total_member_count"] == 1
    await ann.post(f"/groups/{group['id']}/members", {"user_ids": [ben.id]})
    assert (await ann.get(f"/groups/{group['id']}/stats"))["total_member_count"] == 2

    await ben.delete(f"/groups/{group['id']}")
    assert await ann.get("/groups") == []
    assert (await ann.get(f"/groups/{group['id']}"))["delete_at"] > 0
    restored = await admin.post(f"/groups/{group['id']}/restore")
    assert restored["delete_at"] == 0


async def test_bad_groups_are_refused(admin: Api, anon: Api) -> None:
    ann = await anon.signup("ann")
    for body in (
        new_group("all", []),  # reserved
        new_group("1abc", []),
        new_group("ann", []),  # a username
        new_group("ok", ["x" * 26]),  # no such user
        new_group("ok", [], source="ldap"),
        {"user_ids": []},
    ):
        err = await ann.post("/groups", body, expect=400)
        assert err["id"] and err["status_code"] == 400
    await ann.post("/groups", new_group("ok", []), expect=201)
    assert (await ann.post("/groups", new_group("ok", []), expect=400))["id"] == "app.custom_group.unique_name"
    assert len(await ann.get("/groups")) == 1  # nothing half-written
    await ann.get("/groups/" + "x" * 26, expect=404)


async def test_guests_see_no_groups(admin: Api, anon: Api) -> None:
    ann = await anon.signup("ann")
    group = await ann.post("/groups", new_group("devs", [ann.id]), expect=201)
    guest = await anon.signup("gus")
    await admin.post(f"/users/{guest.id}/demote")
    assert await guest.get("/groups") == []
    await guest.get(f"/groups/{group['id']}", expect=404)
    await guest.post("/groups", new_group("mine", []), expect=403)


async def test_group_mention_notifies_members_in_the_channel(admin: Api, anon: Api, events: list[Event]) -> None:
    ann, ben, cy, dee = [await anon.signup(n) for n in ("ann", "ben", "cy", "dee")]
    team = await ann.create_team("core", [ben, cy, dee])
    channel = await ann.create_channel(team, "town", "O", [ben, cy])
    await ann.post("/groups", new_group("devs", [ben.id, dee.id, ann.id]), expect=201)
    start = len(events)
    post = await ann.post("/posts", {"channel_id": channel["id"], "message": "@devs please review"}, expect=201)
    posted = next(e for e in events[start:] if e.event == "posted")
    assert json.loads(posted.data["mentions"]) == [ben.id]  # dee is not in the channel, ann wrote it
    assert not [e for e in events[start:] if e.event == "ephemeral_message"]  # a group name is not a missing user
    assert (await ben.get(f"/users/{ben.id}/channels/{channel['id']}/unread"))["mention_count"] == 1
    assert post["message"] == "@devs please review"
