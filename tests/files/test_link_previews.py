"""Link previews, /opengraph and the image proxy, against a local web server; SSRF refusals (D10)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote

import pytest

from kafana.actions.context import Services
from tests.files import images
from tests.helpers import Api

PAGE = """<!doctype html><html><head><title>Fallback title</title>
<meta property="og:title" content="A &amp; B"><meta property="og:description" content="What it is about">
<meta property="og:site_name" content="Local"><meta property="og:image" content="/pic.png">
<meta property="og:image:width" content="300"><meta property="og:image:height" content="200">
</head><body>ignored</body></html>"""


class Site(BaseHTTPRequestHandler):
    """/page (OpenGraph), /pic.png, /redirect-internal (302 to a link-local address), /moved (302 to /page)."""

    hits: list[str] = []  # noqa: RUF012 - shared by the server's handler instances on purpose

    def do_GET(self) -> None:
        Site.hits.append(self.path)
        if self.path == "/page":
            self._send(200, "text/html; charset=utf-8", PAGE.encode())
        elif self.path == "/pic.png":
            self._send(200, "image/png", images.png(30, 20))
        elif self.path == "/moved":
            self._redirect("/page")
        elif self.path == "/redirect-internal":
            self._redirect("http://169.254.169.254/latest/meta-data/")
        else:
            self._send(404, "text/plain", b"no")

    def _redirect(self, where: str) -> None:
        self.send_response(302)
        self.send_header("Location", where)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return None


@pytest.fixture
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Site.hits = []
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


LOCAL = {"outbound_allowed_networks": "127.0.0.1/32", "site_url": "http://chat.example"}


@pytest.mark.parametrize("settings_overrides", [LOCAL])
async def test_post_gets_a_preview_after_commit(admin: Api, team: dict[str, Any], site: str, services: Services, events: list[Any]) -> None:
    channel = await admin.create_channel(team, "links")
    post = await admin.post("/posts", {"channel_id": channel["id"], "message": f"look at {site}/page."}, expect=201)
    assert post["metadata"]["embeds"] == [], "the post is answered before anything is fetched"
    await services.settle()
    edited = [json.loads(e.data["post"]) for e in events if e.event == "post_edited"]
    assert len(edited) == 1 and edited[0]["id"] == post["id"]
    [embed] = edited[0]["metadata"]["embeds"]
    assert (embed["type"], embed["url"]) == ("opengraph", f"{site}/page")
    og = embed["data"]
    assert (og["title"], og["description"], og["site_name"]) == ("A & B", "What it is about", "Local")
    [image] = og["images"]
    assert image["url"] == "http://chat.example/api/v4/image?url=" + quote(f"{site}/pic.png", safe=""), "readers load it through the proxy"
    assert (image["width"], image["height"]) == (300, 200)
    stored = await admin.get(f"/posts/{post['id']}")
    assert stored["metadata"]["embeds"] == [embed] and stored["edit_at"] == 0 and stored["update_at"] > post["update_at"]
    page = await admin.get(f"/channels/{channel['id']}/posts")
    assert page["posts"][post["id"]]["metadata"]["embeds"] == [embed]

    proxied = await admin.http.get(image["url"].removeprefix("http://chat.example"), headers=admin.headers())
    assert proxied.status_code == 200 and proxied.headers["content-type"] == "image/png"
    assert images.size_of(proxied.content) == (30, 20)
    assert Site.hits == ["/page", "/pic.png"]


@pytest.mark.parametrize("settings_overrides", [LOCAL])
async def test_opengraph_endpoint_follows_checked_redirects(admin: Api, site: str) -> None:
    og = await admin.post("/opengraph", {"url": f"{site}/moved"})
    assert og["title"] == "A & B" and og["url"] == f"{site}/page"
    refused = await admin.post("/opengraph", {"url": f"{site}/redirect-internal"}, expect=422)
    assert refused["id"] == "api.link.refused.app_error"
    assert (await admin.get("/image?url=" + quote(f"{site}/page", safe=""), expect=400))["id"] == "api.image.not_an_image.app_error"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x",
        "http://localhost/x",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/x",
        "http://0x7f.1/x",
        "http://2130706433/x",
        "http://10.0.0.1/x",
        "http://[::ffff:127.0.0.1]/x",
        "http://0.0.0.0/x",
        "file:///etc/passwd",
        "gopher://127.0.0.1:70/x",
        "mailto:someone@example.org",
        "ftp://example.org/x",
        "http:///nohost",
        "http://exa mple.org/",
    ],
)
async def test_d10_internal_and_odd_urls_are_refused(admin: Api, url: str) -> None:
    """With the default settings nothing internal is fetched: 422, never 500, and no request leaves."""
    assert (await admin.post("/opengraph", {"url": url}, expect=422))["id"] == "api.link.refused.app_error"
    assert (await admin.get("/image?url=" + quote(url, safe=""), expect=422))["id"] == "api.link.refused.app_error"


async def test_d10_previews_of_internal_links_are_not_fetched(admin: Api, team: dict[str, Any], site: str, services: Services, events: list[Any]) -> None:
    channel = await admin.create_channel(team, "links")
    post = await admin.post("/posts", {"channel_id": channel["id"], "message": f"{site}/page"}, expect=201)
    await services.settle()
    assert Site.hits == [], "loopback is refused unless an operator allows it"
    assert not [e for e in events if e.event == "post_edited"]
    assert (await admin.get(f"/posts/{post['id']}"))["metadata"]["embeds"] == []


@pytest.mark.parametrize("settings_overrides", [{**LOCAL, "enable_link_previews": False}])
async def test_previews_can_be_turned_off(admin: Api, team: dict[str, Any], site: str, services: Services) -> None:
    channel = await admin.create_channel(team, "links")
    await admin.post("/posts", {"channel_id": channel["id"], "message": f"{site}/page"}, expect=201)
    await services.settle()
    assert Site.hits == []
