"""The web client's files and SPA routes are served beside the API without shadowing any of it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from kafana.api.webapp import WebAppMiddleware


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>Kafana</title>")
    (tmp_path / "assets" / "index-abc.js").write_text("console.log(1)")
    (tmp_path / "manifest.webmanifest").write_text("{}")
    return tmp_path


@pytest.fixture
async def web(app: Any, dist: Path) -> AsyncIterator[httpx.AsyncClient]:
    """The real API app behind the middleware, serving a small dist of its own."""
    transport = httpx.ASGITransport(app=WebAppMiddleware(app, dist), raise_app_exceptions=False, client=("127.0.0.1", 5555))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.mark.parametrize("path", ["/", "/login", "/signup", "/core/channels/town-square", "/core/messages/@alice", "/core/pl/abcdefghijklmnopqrstuvwxyz"])
async def test_app_routes_get_index_html_with_a_strict_csp(web: httpx.AsyncClient, path: str) -> None:
    response = await web.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "<title>Kafana</title>" in response.text
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["cache-control"] == "no-cache"


async def test_files_are_served_with_their_types_and_hashed_assets_cached_forever(web: httpx.AsyncClient) -> None:
    asset = await web.get("/assets/index-abc.js")
    assert asset.status_code == 200 and asset.text == "console.log(1)"
    assert asset.headers["content-type"].startswith("text/javascript")
    assert "immutable" in asset.headers["cache-control"]
    manifest = await web.get("/manifest.webmanifest")
    assert manifest.headers["content-type"].startswith("application/manifest+json")
    head = await web.head("/core/channels/town-square")
    assert head.status_code == 200 and head.content == b""


async def test_api_paths_are_untouched(web: httpx.AsyncClient) -> None:
    missing = await web.get("/api/v4/no/such/route")
    assert missing.status_code == 404 and missing.json()["id"] == "api.context.404.app_error"
    wrong_method = await web.get("/api/v4/posts")
    assert wrong_method.status_code == 405
    ping = await web.get("/api/v4/system/ping")
    assert ping.status_code == 200 and ping.json()["status"] == "OK"


async def test_missing_files_and_escapes_do_not_fall_back_to_the_app(web: httpx.AsyncClient, dist: Path) -> None:
    (dist.parent / "secret.txt").write_text("no")
    assert (await web.get("/assets/missing.js")).status_code == 404
    escaped = await web.get("/%2e%2e/secret.txt")
    assert escaped.status_code == 404 and escaped.text != "no"


@pytest.mark.parametrize(
    "path", ["/oauth/openid/login", "/oauth/mediawiki/mobile_login", "/oauth/openid/signup", "/signup/openid/complete", "/login/openid/complete"]
)
async def test_single_sign_on_routes_reach_the_server(web: httpx.AsyncClient, path: str) -> None:
    """No provider is configured here: the server's own 404 JSON, not the single-page app's index.html."""
    response = await web.get(path)
    assert response.headers["content-type"] == "application/json", (path, response.status_code)
