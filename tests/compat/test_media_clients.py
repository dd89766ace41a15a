"""Media through the real clients: mattermostdriver and @mattermost/client (tests/js/media_flow.js) each upload a
file, attach it to a post, fetch its thumbnail and preview, set a profile picture, add a custom emoji and react
with it, against a `kafana serve` of their own."""

from __future__ import annotations

import io
import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from mattermostdriver import Driver
from PIL import Image

from tests.compat.conftest import LiveServer
from tests.compat.test_mattermost_client_js import JS_DIR, PASSWORD, node_or_skip
from tests.compat.test_mattermostdriver import driver_for
from tests.files.images import png

pytestmark = [pytest.mark.xdist_group("live")]


def image_size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as img:
        return img.size


def test_mattermostdriver_media(new_live_server: Callable[[], LiveServer]) -> None:
    server = new_live_server()
    anon = driver_for(server)
    user = anon.users.create_user({"username": "pymedia", "email": "pymedia@example.com", "password": PASSWORD})
    driver: Driver = driver_for(server, login_id="pymedia", password=PASSWORD)
    driver.login()
    team = driver.teams.create_team({"name": "pymedia", "display_name": "Py Media", "type": "O"})
    channel = driver.channels.create_channel({"team_id": team["id"], "name": "media", "display_name": "Media", "type": "O"})
    picture = png(640, 480)

    uploaded = driver.files.upload_file(channel["id"], files={"files": ("picture.png", picture)})
    [info] = uploaded["file_infos"]
    assert (info["name"], info["mime_type"], info["width"], info["height"], info["has_preview_image"]) == ("picture.png", "image/png", 640, 480, True)
    post = driver.posts.create_post({"channel_id": channel["id"], "message": "with a picture", "file_ids": [info["id"]]})
    assert post["file_ids"] == [info["id"]] and post["metadata"]["files"][0]["id"] == info["id"]
    assert driver.files.get_file_metadata(info["id"])["post_id"] == post["id"]
    assert driver.files.get_file(info["id"]).content == picture
    assert image_size(driver.files.get_file_thumbnail(info["id"]).content) == (133, 100)
    assert image_size(driver.files.get_file_preview(info["id"]).content) == (640, 480)

    driver.users.set_user_profile_image(user["id"], files={"image": ("me.png", picture, "image/png")})
    assert image_size(driver.users.get_user_profile_image(user["id"]).content) == (256, 256)
    assert driver.users.get_user(user["id"])["last_picture_update"] > 0

    emoji = driver.emoji.create_custom_emoji("py-media", files={"image": ("e.png", png(64, 64), "image/png")})
    assert (emoji["name"], emoji["creator_id"]) == ("py-media", user["id"])
    assert image_size(driver.emoji.get_custom_emoji_image(emoji["id"]).content) == (64, 64)
    assert driver.emoji.get_custom_emoji_by_name("py-media")["id"] == emoji["id"]
    reaction = driver.reactions.create_reaction({"user_id": user["id"], "post_id": post["id"], "emoji_name": "py-media"})
    assert reaction["emoji_name"] == "py-media"
    assert [r["emoji_name"] for r in driver.reactions.get_reactions_of_post(post["id"])] == ["py-media"]


def test_mattermost_client_js_media(new_live_server: Callable[[], LiveServer], tmp_path: Path) -> None:
    node = node_or_skip()
    server = new_live_server()
    picture = tmp_path / "picture.png"
    picture.write_bytes(png(640, 480))
    proc = subprocess.run(
        [node, str(JS_DIR / "media_flow.js"), server.url, str(picture)],
        cwd=str(JS_DIR),
        env={**os.environ, "KAFANA_TEST_PASSWORD": PASSWORD},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    assert lines, f"media_flow.js printed nothing (exit {proc.returncode}): {proc.stderr[-2000:]}"
    out: dict[str, Any] = json.loads(lines[-1])
    assert "fatal" not in out, f"{out}\nserver log:\n{server.log_tail()}"
    assert out["upload"]["client_ids"] == ["client-1"]
    [info] = out["upload"]["file_infos"]
    assert (info["width"], info["height"], info["has_preview_image"]) == (640, 480, True)
    assert out["post"]["file_ids"] == [info["id"]]
    assert [f["id"] for f in out["post_files"]] == [info["id"]]
    assert out["thumbnail"]["status"] == 200 and out["thumbnail"]["jpeg"]
    assert out["preview"]["status"] == 200 and out["preview"]["jpeg"]
    assert out["original"] == {**out["original"], "status": 200, "content_type": "image/png", "png": True}
    assert out["me"]["last_picture_update"] > 0
    assert out["profile_picture"]["status"] == 200 and out["profile_picture"]["png"]
    assert out["emoji"]["name"] == "js-media" and out["emoji_image"]["png"]
    assert out["reaction"]["emoji_name"] == "js-media"
    assert [r["emoji_name"] for r in out["reactions"]] == ["js-media"]
    assert [e["name"] for e in out["autocomplete"]] == ["js-media"]
