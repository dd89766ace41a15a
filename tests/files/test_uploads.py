"""Uploading, attaching and serving files through the API (reliability A6, A17, D6–D9)."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from kafana.actions.context import Services
from tests.files import images
from tests.files.s3 import s3_settings
from tests.helpers import Api


@pytest.fixture
async def world(admin: Api, anon: Api, team: dict[str, Any]) -> dict[str, Any]:
    bob = await anon.signup("bob")
    eve = await anon.signup("eve")
    await admin.post(f"/teams/{team['id']}/members", {"team_id": team["id"], "user_id": bob.id}, expect=201)
    await admin.post(f"/teams/{team['id']}/members", {"team_id": team["id"], "user_id": eve.id}, expect=201)
    private = await admin.create_channel(team, "secret", "P", members=[bob])
    return {"admin": admin, "bob": bob, "eve": eve, "channel": private}


async def upload(api: Api, channel_id: str, name: str, data: bytes, *, expect: int = 201, client_id: str = "") -> Any:
    form = {"channel_id": channel_id}
    if client_id:
        form["client_ids"] = client_id
    return await api.post("/files", expect=expect, data=form, files={"files": (name, data, "application/octet-stream")})


async def fetch(api: Api, path: str, *, expect: int = 200, headers: dict[str, str] | None = None) -> httpx.Response:
    response = await api.http.get("/api/v4" + path, headers=api.headers(headers))
    assert response.status_code == expect, (path, response.status_code, response.text[:300])
    return response


def spool_dir(services: Services) -> Path:
    return services.settings.data_dir / "tmp"


async def test_upload_image_and_read_it_back(world: dict[str, Any], services: Services) -> None:
    bob, channel = world["bob"], world["channel"]
    data = images.png(300, 200)
    body = await upload(bob, channel["id"], "red.png", data, client_id="c1")
    assert body["client_ids"] == ["c1"]
    [info] = body["file_infos"]
    assert info["user_id"] == bob.id and info["channel_id"] == channel["id"] and info["post_id"] == ""
    assert (info["name"], info["extension"], info["mime_type"], info["size"]) == ("red.png", "png", "image/png", len(data))
    assert (info["width"], info["height"], info["has_preview_image"]) == (300, 200, True)
    assert images.size_of(base64.b64decode(info["mini_preview"])) == (16, 16)
    assert (await fetch(bob, f"/files/{info['id']}/info")).json() == info

    original = await fetch(bob, f"/files/{info['id']}")
    assert original.content == data
    assert original.headers["content-type"] == "image/png"
    assert original.headers["content-disposition"].startswith("inline;")
    assert original.headers["content-security-policy"] == "sandbox"
    assert original.headers["x-content-type-options"] == "nosniff"
    download = await fetch(bob, f"/files/{info['id']}?download=1")
    assert download.headers["content-disposition"].startswith("attachment;")

    thumb = await fetch(bob, f"/files/{info['id']}/thumbnail")
    assert thumb.headers["content-type"] == "image/jpeg"
    assert images.size_of(thumb.content) == (150, 100), "the thumbnail covers 120×100"
    preview = await fetch(bob, f"/files/{info['id']}/preview")
    assert images.size_of(preview.content) == (300, 200), "small images are previewed at their own size"
    assert list(spool_dir(services).iterdir()) == [], "the upload's temporary files are gone"


async def test_raw_body_upload(world: dict[str, Any]) -> None:
    bob, channel = world["bob"], world["channel"]
    response = await bob.http.post(
        f"/api/v4/files?channel_id={channel['id']}&filename=notes.txt", content=b"plain words\n", headers=bob.headers({"Content-Type": "text/plain"})
    )
    assert response.status_code == 201, response.text
    [info] = response.json()["file_infos"]
    assert (info["name"], info["mime_type"], info["size"], info["has_preview_image"]) == ("notes.txt", "text/plain", 12, False)
    await fetch(bob, f"/files/{info['id']}/thumbnail", expect=400)
    text = await fetch(bob, f"/files/{info['id']}")
    assert text.content == b"plain words\n"
    assert text.headers["content-disposition"].startswith("attachment;"), "only inert media are shown inline"


async def test_large_images_get_a_reduced_preview(world: dict[str, Any]) -> None:
    info = (await upload(world["bob"], world["channel"]["id"], "wide.png", images.png(2400, 600)))["file_infos"][0]
    assert images.size_of((await fetch(world["bob"], f"/files/{info['id']}/preview")).content) == (1920, 480)


async def test_attach_to_post_and_read_through_it(world: dict[str, Any]) -> None:
    admin, bob, eve, channel = world["admin"], world["bob"], world["eve"], world["channel"]
    first = (await upload(bob, channel["id"], "a.png", images.png()))["file_infos"][0]
    second = (await upload(bob, channel["id"], "b.txt", b"hello"))["file_infos"][0]
    # Before a post holds it, a file is its uploader's alone (even a channel member gets 404).
    await fetch(admin, f"/files/{first['id']}/info", expect=404)
    post = await bob.post("/posts", {"channel_id": channel["id"], "message": "", "file_ids": [first["id"], second["id"]]}, expect=201)
    assert post["file_ids"] == [first["id"], second["id"]]
    assert [f["id"] for f in post["metadata"]["files"]] == [first["id"], second["id"]]
    assert post["metadata"]["files"][0]["post_id"] == post["id"]
    fetched = await admin.get(f"/posts/{post['id']}")
    assert [f["id"] for f in fetched["metadata"]["files"]] == [first["id"], second["id"]]
    page = await admin.get(f"/channels/{channel['id']}/posts")
    assert [f["id"] for f in page["posts"][post["id"]]["metadata"]["files"]] == [first["id"], second["id"]]
    assert [f["id"] for f in await admin.get(f"/posts/{post['id']}/files/info")] == [first["id"], second["id"]]
    await fetch(admin, f"/files/{first['id']}/thumbnail")
    listing = await admin.get(f"/channels/{channel['id']}/files")
    assert set(listing["order"]) == {first["id"], second["id"]}
    assert (await admin.get(f"/channels/{channel['id']}/stats"))["files_count"] == 2

    # A6: someone who cannot read the channel gets 404 on every route, like a file that does not exist.
    for path in ("", "/thumbnail", "/preview", "/info"):
        await fetch(eve, f"/files/{first['id']}{path}", expect=404)
        await fetch(eve, f"/files/{'x' * 26}{path}", expect=404)
    await eve.get(f"/posts/{post['id']}/files/info", expect=404)

    # A file already held by a post cannot be attached again (the id is ignored).
    again = await bob.post("/posts", {"channel_id": channel["id"], "message": "again", "file_ids": [first["id"]]}, expect=201)
    assert "file_ids" not in again

    # A17: deleting the post hides its files everywhere.
    await bob.delete(f"/posts/{post['id']}")
    for path in ("", "/thumbnail", "/preview", "/info"):
        await fetch(bob, f"/files/{first['id']}{path}", expect=404)
        await fetch(admin, f"/files/{first['id']}{path}", expect=404)
    assert (await admin.get(f"/channels/{channel['id']}/files"))["order"] == []
    assert (await admin.get(f"/channels/{channel['id']}/stats"))["files_count"] == 0


async def test_only_own_files_from_the_same_channel_attach(world: dict[str, Any], team: dict[str, Any]) -> None:
    admin, bob, channel = world["admin"], world["bob"], world["channel"]
    other_channel = await admin.create_channel(team, "other", "O", members=[bob])
    admins = (await upload(admin, channel["id"], "x.txt", b"x"))["file_infos"][0]
    elsewhere = (await upload(bob, other_channel["id"], "y.txt", b"y"))["file_infos"][0]
    post = await bob.post("/posts", {"channel_id": channel["id"], "message": "m", "file_ids": [admins["id"], elsewhere["id"]]}, expect=201)
    assert "file_ids" not in post and post["metadata"]["files"] == []
    await bob.post("/posts", {"channel_id": channel["id"], "message": "", "file_ids": [admins["id"]]}, expect=400)


async def test_edit_changes_attachments(world: dict[str, Any], events: list[Any]) -> None:
    bob, channel = world["bob"], world["channel"]
    one = (await upload(bob, channel["id"], "1.txt", b"1"))["file_infos"][0]
    two = (await upload(bob, channel["id"], "2.txt", b"2"))["file_infos"][0]
    post = await bob.post("/posts", {"channel_id": channel["id"], "message": "m", "file_ids": [one["id"]]}, expect=201)
    edited = await bob.put(f"/posts/{post['id']}/patch", {"file_ids": [two["id"]]})
    assert edited["file_ids"] == [two["id"]] and [f["id"] for f in edited["metadata"]["files"]] == [two["id"]]
    assert edited["edit_at"] > 0
    await fetch(bob, f"/files/{one['id']}/info", expect=404)
    await fetch(world["admin"], f"/files/{two['id']}/info")
    sent = json.loads(next(e for e in reversed(events) if e.event == "post_edited").data["post"])
    assert [f["id"] for f in sent["metadata"]["files"]] == [two["id"]]


async def test_upload_needs_channel_membership(world: dict[str, Any]) -> None:
    await upload(world["eve"], world["channel"]["id"], "a.txt", b"a", expect=404)
    await upload(world["bob"], "nonexistentchannelid000000", "a.txt", b"a", expect=404)
    await world["bob"].post("/files", expect=400, data={"channel_id": world["channel"]["id"]})


@pytest.mark.parametrize("settings_overrides", [{"max_file_size": 100_000}])
async def test_d6_too_large_is_refused_while_streaming(world: dict[str, Any], services: Services) -> None:
    bob, channel = world["bob"], world["channel"]
    assert (await bob.get("/config/client?format=old"))["MaxFileSize"] == "100000", "clients learn the limit"
    await upload(bob, channel["id"], "ok.bin", b"\x01" * 100_000)
    await upload(bob, channel["id"], "big.bin", b"\x01" * 100_001, expect=413)

    async def endless() -> Any:  # no Content-Length: the server stops it by counting
        for _ in range(1000):
            yield b"\x02" * 65536

    response = await bob.http.post(f"/api/v4/files?channel_id={channel['id']}&filename=stream.bin", content=endless(), headers=bob.headers())
    assert response.status_code == 413, response.text
    assert response.json()["id"] == "api.file.upload_file.too_large_detailed.app_error"
    assert list(spool_dir(services).iterdir()) == [], "the partial upload was deleted"
    assert (await world["admin"].get(f"/channels/{channel['id']}/files"))["order"] == []


async def test_d7_image_bombs_are_refused_before_decoding(world: dict[str, Any]) -> None:
    bob, channel = world["bob"], world["channel"]
    bomb = images.png_bomb()
    assert len(bomb) < 100_000
    refused = await upload(bob, channel["id"], "bomb.png", bomb, expect=400)
    assert refused["id"] == "api.file.upload_file.large_image.app_error"
    await upload(bob, channel["id"], "frames.gif", images.gif(1001), expect=400)
    animated = (await upload(bob, channel["id"], "ok.gif", images.gif(10)))["file_infos"][0]
    assert (animated["mime_type"], animated["has_preview_image"]) == ("image/gif", False), "animated GIFs are shown as they are"
    await fetch(bob, f"/files/{animated['id']}/thumbnail")


@pytest.mark.parametrize(
    ("name", "stored"),
    [("../../x.txt", "x.txt"), ("a\x00b.txt", "ab.txt"), ("evil\u202etxt.exe", "eviltxt.exe"), ("C:\\dir\\w.txt", "w.txt")],
)
async def test_d8_names_are_only_labels(world: dict[str, Any], services: Services, name: str, stored: str) -> None:
    """The multipart body is written by hand: clients would escape some of these bytes themselves."""
    bob, boundary = world["bob"], "b0undary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="channel_id"\r\n\r\n{world["channel"]["id"]}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n\r\ndata\r\n--{boundary}--\r\n'
    ).encode()
    response = await bob.http.post("/api/v4/files", content=body, headers=bob.headers({"Content-Type": f"multipart/form-data; boundary={boundary}"}))
    assert response.status_code == 201, response.text
    info = response.json()["file_infos"][0]
    assert info["name"] == stored
    disposition = (await fetch(bob, f"/files/{info['id']}")).headers["content-disposition"]
    assert disposition.startswith("attachment;") and "/" not in disposition.split("filename*=")[0] and "\u202e" not in disposition
    files_root = services.settings.files_root
    assert all(info["id"] in str(p) for p in files_root.rglob("*") if p.is_file()), "bytes live under server-made keys"


async def test_d8_very_long_names_are_refused(world: dict[str, Any]) -> None:
    await upload(world["bob"], world["channel"]["id"], "n" * 10_000 + ".txt", b"x", expect=400)


@pytest.mark.parametrize(
    ("name", "data", "mime"),
    [
        ("page.html", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "text/html"),
        ("pic.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "image/svg+xml"),
        ("fake.png", b"<html><body onload=alert(1)></body></html>", "text/html"),
    ],
)
async def test_d9_markup_is_never_inline(world: dict[str, Any], name: str, data: bytes, mime: str) -> None:
    bob = world["bob"]
    info = (await upload(bob, world["channel"]["id"], name, data))["file_infos"][0]
    assert info["mime_type"] == mime, "the type comes from the bytes"
    response = await fetch(bob, f"/files/{info['id']}")
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-security-policy"] == "sandbox"
    await fetch(bob, f"/files/{info['id']}/preview", expect=400)


async def test_exif_orientation_applied_and_location_removed(world: dict[str, Any]) -> None:
    bob = world["bob"]
    photo = images.jpeg_with_gps(400, 200, orientation=6)
    assert images.GPS_IFD in images.exif_of(photo)
    info = (await upload(bob, world["channel"]["id"], "photo.jpg", photo))["file_infos"][0]
    assert (info["width"], info["height"]) == (200, 400), "dimensions as shown, after orientation"
    stored = (await fetch(bob, f"/files/{info['id']}")).content
    exif = images.exif_of(stored)
    assert images.GPS_IFD not in exif, "location removed"
    assert exif[0x0112] == 6, "orientation kept for viewers of the original"
    assert info["size"] == len(stored)
    assert images.size_of(stored) == (400, 200), "pixels untouched"
    assert images.size_of((await fetch(bob, f"/files/{info['id']}/preview")).content) == (200, 400), "previews are upright"


@pytest.mark.parametrize(("name", "make"), [("photo.webp", images.webp_with_location), ("scan.tiff", images.tiff_with_location)])
async def test_location_removed_from_webp_and_tiff(world: dict[str, Any], name: str, make: Callable[[], bytes]) -> None:
    original = make()
    assert images.GPS_IFD in images.exif_of(original) and b"48,51" in original
    info = (await upload(world["bob"], world["channel"]["id"], name, original))["file_infos"][0]
    stored = (await fetch(world["bob"], f"/files/{info['id']}")).content
    assert images.GPS_IFD not in images.exif_of(stored), "GPS block gone"
    assert b"48,51" not in stored, "XMP location gone"
    assert images.exif_of(stored)[0x0112] == 6, "orientation kept"
    assert images.pixels_of(stored) == images.pixels_of(original), "pixels untouched"
    assert info["size"] == len(stored) and (info["width"], info["height"]) == (20, 40)


@pytest.mark.parametrize("settings_overrides", [{"user_file_quota": 5000}])
async def test_upload_quota(world: dict[str, Any]) -> None:
    bob, channel = world["bob"], world["channel"]["id"]
    first = (await upload(bob, channel, "a.bin", b"a" * 3000))["file_infos"][0]
    refused = await upload(bob, channel, "b.bin", b"b" * 2001, expect=413)
    assert refused["id"] == "api.file.upload_file.quota.app_error"
    await upload(world["admin"], channel, "c.bin", b"c" * 3000)  # the quota is per user
    await upload(bob, channel, "b.bin", b"b" * 2000)  # exactly the quota
    # Deleting the post that holds a file frees its share.
    post = await bob.post("/posts", {"channel_id": channel, "message": "x", "file_ids": [first["id"]]}, expect=201)
    await upload(bob, channel, "d.bin", b"d" * 10, expect=413)
    await bob.delete(f"/posts/{post['id']}")
    await upload(bob, channel, "d.bin", b"d" * 3000)


async def test_range_requests(world: dict[str, Any]) -> None:
    bob = world["bob"]
    data = bytes(range(256)) * 40
    info = (await upload(bob, world["channel"]["id"], "clip.bin", data))["file_infos"][0]
    part = await fetch(bob, f"/files/{info['id']}", expect=206, headers={"Range": "bytes=100-199"})
    assert part.content == data[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{len(data)}"
    tail = await fetch(bob, f"/files/{info['id']}", expect=206, headers={"Range": "bytes=-10"})
    assert tail.content == data[-10:]
    await fetch(bob, f"/files/{info['id']}", expect=416, headers={"Range": f"bytes={len(data)}-"})
    assert (await fetch(bob, f"/files/{info['id']}", headers={"Range": "bytes=0-1,5-6"})).content == data


async def test_public_links_are_off_by_default(world: dict[str, Any]) -> None:
    info = (await upload(world["bob"], world["channel"]["id"], "a.txt", b"a"))["file_infos"][0]
    assert (await world["bob"].get(f"/files/{info['id']}/link", expect=501))["id"] == "api.file.get_public_link.disabled.app_error"


@pytest.fixture
def settings_overrides(request: pytest.FixtureRequest) -> dict[str, Any]:
    """S3 for the tests marked with it; otherwise what a test's parametrize asks for."""
    if request.node.get_closest_marker("s3"):
        return s3_settings(request.getfixturevalue("s3_endpoint"))
    return getattr(request, "param", {})


@pytest.mark.s3
async def test_uploads_on_s3(world: dict[str, Any], services: Services) -> None:
    assert services.settings.files_backend == "s3"
    bob = world["bob"]
    info = (await upload(bob, world["channel"]["id"], "red.png", images.png()))["file_infos"][0]
    assert (await fetch(bob, f"/files/{info['id']}")).content == images.png()
    assert images.size_of((await fetch(bob, f"/files/{info['id']}/thumbnail")).content) == (150, 100)
    assert (await fetch(bob, f"/files/{info['id']}", expect=206, headers={"Range": "bytes=1-3"})).content == b"PNG"
    assert not services.settings.files_root.exists(), "nothing was written to the local directory"


@pytest.mark.parametrize("settings_overrides", [{"enable_public_links": True, "site_url": "http://chat.example"}])
async def test_public_links_when_enabled(world: dict[str, Any]) -> None:
    bob, channel = world["bob"], world["channel"]
    info = (await upload(bob, channel["id"], "a.txt", b"public bytes"))["file_infos"][0]
    await bob.get(f"/files/{info['id']}/link", expect=400)  # not yet attached to a post
    post = await bob.post("/posts", {"channel_id": channel["id"], "message": "m", "file_ids": [info["id"]]}, expect=201)
    link = (await bob.get(f"/files/{info['id']}/link"))["link"]
    assert link.startswith(f"http://chat.example/files/{info['id']}/public?h=")
    path = link.removeprefix("http://chat.example")
    anonymous = await bob.http.get(path)
    assert anonymous.status_code == 200 and anonymous.content == b"public bytes"
    assert (await bob.http.get(path[:-3] + "xyz")).status_code == 404
    await bob.delete(f"/posts/{post['id']}")
    assert (await bob.http.get(path)).status_code == 404
