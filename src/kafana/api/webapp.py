"""Serves the built web client (`make web` writes it to kafana/web_dist): its files, and index.html for every
other GET outside /api/, so Mattermost-style URLs (/<team>/channels/<name>, /<team>/pl/<id>, /login) open the
single-page app. Runs before the API app, never touching /api/ paths or public file links (/files/)."""

from __future__ import annotations

from pathlib import Path

from starlette.responses import FileResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from kafana.api.oauth import SERVER_PATHS

WEB_DIST = Path(__file__).resolve().parent.parent / "web_dist"

# No 'unsafe-inline' anywhere (D12): Markdown is rendered to elements, never to HTML strings with handlers.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self'; "
    "connect-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'self'"
)
MEDIA_TYPES = {".webmanifest": "application/manifest+json", ".js": "text/javascript", ".svg": "image/svg+xml"}
# Hashed names under /assets/ never change; everything else is revalidated so a new release shows at once.
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


def has_web_client(dist: Path = WEB_DIST) -> bool:
    return (dist / "index.html").is_file()


class WebAppMiddleware:
    def __init__(self, app: ASGIApp, dist: Path = WEB_DIST) -> None:
        self.app = app
        self.dist = dist.resolve()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if (
            scope["type"] != "http"
            or scope["method"] not in ("GET", "HEAD")
            or path == "/api"
            or path.startswith(("/api/", "/files/"))
            or SERVER_PATHS.match(path)
        ):
            await self.app(scope, receive, send)
            return
        response = self._response(path)
        if response is None:
            await self.app(scope, receive, send)
        else:
            await response(scope, receive, send)

    def _response(self, path: str) -> Response | None:
        file = self._file(path)
        if file is not None:
            cache = IMMUTABLE if path.startswith("/assets/") else REVALIDATE
            return FileResponse(file, media_type=MEDIA_TYPES.get(file.suffix), headers={"Cache-Control": cache, "Content-Security-Policy": CSP})
        if "." in path.rsplit("/", 1)[-1]:
            return None  # a missing file, not an app route: the API's 404
        return FileResponse(self.dist / "index.html", media_type="text/html", headers={"Cache-Control": REVALIDATE, "Content-Security-Policy": CSP})

    def _file(self, path: str) -> Path | None:
        if path in ("", "/"):
            return None
        candidate = (self.dist / path.lstrip("/")).resolve()
        if not candidate.is_relative_to(self.dist) or not candidate.is_file():
            return None
        return candidate
