"""Custom emoji: create, list, search, autocomplete, image, delete, reactions, the emoji_added event."""

from __future__ import annotations

import json
from typing import Any

from tests.files import images
from tests.helpers import Api


async def create(api: Api, name: str, data: bytes, *, expect: int = 201, creator_id: str = "") -> Any:
    meta = json.dumps({"name": name, "creator_id": creator_id or api.id})
    return await api.post("/emoji", expect=expect, data={"emoji": meta}, files={"image": ("e.png", data, "image/png")})


async def test_create_list_search_and_react(admin: Api, anon: Api, team: dict[str, Any], events: list[Any]) -> None:
    bob = await anon.signup("bob")
    parrot = await create(bob, "party-parrot", images.gif(8, size=40))
    assert set(parrot) == {"id", "creator_id", "name", "create_at", "update_at", "delete_at"}
    assert (parrot["creator_id"], parrot["name"], parrot["delete_at"]) == (bob.id, "party-parrot", 0)
    added = [e for e in events if e.event == "emoji_added"]
    assert len(added) == 1 and json.loads(added[0].data["emoji"]) == parrot and added[0].broadcast.user_id == ""
    await create(bob, "party_time", images.png(40, 40))
    await create(admin, "zebra", images.png(20, 20))

    assert [e["name"] for e in await bob.get("/emoji?sort=name")] == ["party-parrot", "party_time", "zebra"]
    assert [e["name"] for e in await bob.get("/emoji?per_page=2&page=1&sort=name")] == ["zebra"]
    assert (await bob.get(f"/emoji/{parrot['id']}")) == parrot
    assert (await bob.get("/emoji/name/party-parrot")) == parrot
    await bob.get("/emoji/name/nothing", expect=404)
    assert [e["name"] for e in await bob.post("/emoji/search", {"term": "PARTY"})] == ["party-parrot", "party_time"]
    assert [e["name"] for e in await bob.post("/emoji/search", {"term": "ebr"})] == ["zebra"]
    assert await bob.post("/emoji/search", {"term": "ebr", "prefix_only": True}) == []
    assert [e["name"] for e in await bob.get("/emoji/autocomplete?name=party_")] == ["party_time"], "_ is not a wildcard"
    assert [e["name"] for e in await bob.post("/emoji/names", ["zebra", "nope"])] == ["zebra"]

    image = await bob.http.get(f"/api/v4/emoji/{parrot['id']}/image", headers=bob.headers())
    assert image.status_code == 200 and image.headers["content-type"] == "image/gif"
    assert image.content.startswith(b"GIF8"), "small animated GIFs are kept as they are"

    channel = await admin.create_channel(team, "fun", members=[])
    await admin.post(f"/teams/{team['id']}/members", {"team_id": team["id"], "user_id": bob.id}, expect=201)
    await admin.post(f"/channels/{channel['id']}/members", {"user_id": bob.id}, expect=201)
    post = await admin.post("/posts", {"channel_id": channel["id"], "message": "hello :party-parrot:"}, expect=201)
    reaction = await bob.post("/reactions", {"user_id": bob.id, "post_id": post["id"], "emoji_name": "party-parrot"}, expect=201)
    assert reaction["emoji_name"] == "party-parrot"
    await admin.post("/reactions", {"user_id": admin.id, "post_id": post["id"], "emoji_name": "zebra"}, expect=201)
    await admin.post("/reactions", {"user_id": admin.id, "post_id": post["id"], "emoji_name": "smile"}, expect=201)
    used = (await bob.get(f"/posts/{post['id']}"))["metadata"]["emojis"]
    assert [e["name"] for e in used] == ["party-parrot", "zebra"], "custom emoji of the message and reactions, not system ones"
    page = await bob.get(f"/channels/{channel['id']}/posts")
    assert [e["name"] for e in page["posts"][post["id"]]["metadata"]["emojis"]] == ["party-parrot", "zebra"]


async def test_name_rules_and_limits(admin: Api, anon: Api) -> None:
    bob = await anon.signup("bob")
    await create(bob, "ok-name", images.png(10, 10))
    assert (await create(bob, "ok-name", images.png(10, 10), expect=400))["id"] == "api.emoji.create.duplicate.app_error"
    for bad in ("", "has space", "colon:", "x" * 65, "smile"):
        await create(bob, bad, images.png(10, 10), expect=400)
    await create(bob, "svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>', expect=400)
    await create(bob, "huge", images.png(1100, 20), expect=400)
    await create(bob, "heavy", b"\x89PNG" + b"\x00" * (1024 * 1024), expect=413)
    await create(bob, "forged", images.png(10, 10), creator_id=admin.id, expect=403)
    big = await create(bob, "big", images.png(512, 256))
    scaled = await bob.http.get(f"/api/v4/emoji/{big['id']}/image", headers=bob.headers())
    assert images.size_of(scaled.content) == (128, 64), "larger images are scaled to fit 128×128"


async def test_delete_by_creator_or_admin(admin: Api, anon: Api) -> None:
    bob = await anon.signup("bob")
    carol = await anon.signup("carol")
    mine = await create(bob, "mine", images.png(10, 10))
    theirs = await create(carol, "theirs", images.png(10, 10))
    await bob.delete(f"/emoji/{theirs['id']}", expect=403)
    await bob.delete(f"/emoji/{mine['id']}")
    await admin.delete(f"/emoji/{theirs['id']}")
    await bob.get(f"/emoji/{mine['id']}", expect=404)
    assert (await bob.http.get(f"/api/v4/emoji/{mine['id']}/image", headers=bob.headers())).status_code == 404
    assert await bob.get("/emoji") == []
    await create(bob, "mine", images.png(10, 10))  # a deleted emoji frees its name
