"""Profile pictures and team icons: upload, square crop, resize, delete, permissions."""

from __future__ import annotations

from typing import Any

from kafana.lib.avatar import default_avatar_png
from tests.files import images
from tests.helpers import Api


async def set_image(api: Api, path: str, data: bytes, *, expect: int = 200) -> Any:
    return await api.post(path, expect=expect, files={"image": ("me.png", data, "image/png")})


async def image_bytes(api: Api, path: str, expect: int = 200) -> bytes:
    response = await api.http.get("/api/v4" + path, headers=api.headers())
    assert response.status_code == expect, response.text[:300]
    return response.content


async def test_profile_picture_upload_crop_and_delete(admin: Api, anon: Api, events: list[Any]) -> None:
    bob = await anon.signup("bob")
    assert await image_bytes(bob, f"/users/{bob.id}/image") == default_avatar_png(bob.id)
    await set_image(bob, "/users/me/image", images.png(600, 300))
    picture = await image_bytes(admin, f"/users/{bob.id}/image")
    assert images.size_of(picture) == (256, 256), "centre-cropped square, resized"
    me = await bob.get("/users/me")
    assert me["last_picture_update"] > 0
    updated = [e for e in events if e.event == "user_updated" and e.data["user"]["id"] == bob.id]
    assert updated and updated[-1].data["user"]["last_picture_update"] == me["last_picture_update"]
    assert await image_bytes(bob, f"/users/{bob.id}/image/default") == default_avatar_png(bob.id)

    await set_image(admin, f"/users/{bob.id}/image", images.png(50, 80))  # admins may set anyone's
    await set_image(bob, f"/users/{admin.id}/image", images.png(), expect=403)
    await set_image(bob, "/users/me/image", b"<svg onload=alert(1)></svg>", expect=400)
    await set_image(bob, "/users/me/image", images.png_bomb(), expect=400)

    await bob.delete("/users/me/image")
    assert (await bob.get("/users/me"))["last_picture_update"] < 0
    assert await image_bytes(bob, f"/users/{bob.id}/image") == default_avatar_png(bob.id)


async def test_team_icon(admin: Api, anon: Api, team: dict[str, Any]) -> None:
    bob = await anon.signup("bob")
    await admin.post(f"/teams/{team['id']}/members", {"team_id": team["id"], "user_id": bob.id}, expect=201)
    await image_bytes(bob, f"/teams/{team['id']}/image", expect=404)
    await set_image(bob, f"/teams/{team['id']}/image", images.png(), expect=403)
    await set_image(admin, f"/teams/{team['id']}/image", images.png(300, 500))
    assert images.size_of(await image_bytes(bob, f"/teams/{team['id']}/image")) == (256, 256)
    assert (await bob.get(f"/teams/{team['id']}"))["last_team_icon_update"] > 0
    outsider = await anon.signup("outsider")
    private = await admin.post("/teams", {"name": "closed", "display_name": "Closed", "type": "I"}, expect=201)
    await set_image(admin, f"/teams/{private['id']}/image", images.png())
    await image_bytes(outsider, f"/teams/{private['id']}/image", expect=404)
    await admin.delete(f"/teams/{team['id']}/image")
    await image_bytes(bob, f"/teams/{team['id']}/image", expect=404)
    assert (await bob.get(f"/teams/{team['id']}"))["last_team_icon_update"] == 0
