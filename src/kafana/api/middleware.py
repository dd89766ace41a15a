"""Pure ASGI middleware: headers every response carries, the body size cap, and rate limiting."""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kafana.lib.client_ip import current_ip
from kafana.lib.ids import hash_token, new_id
from kafana.lib.validation import REQUEST_BODY_MAX_BYTES


def _error_json(scope: Scope, status: int, error_id: str, message: str) -> bytes:
    """Mattermost's error JSON for answers given before the app runs (the request id comes from HeadersMiddleware)."""
    request_id = scope.get("state", {}).get("request_id", "")
    return orjson.dumps({"id": error_id, "message": message, "detailed_error": "", "request_id": request_id, "status_code": status, "is_oauth": False})


class HeadersMiddleware:
    """X-Version-Id and X-Request-Id on every response (clients read them on errors too), plus safe defaults."""

    def __init__(self, app: ASGIApp, version_id: str) -> None:
        self.app = app
        self.version_id = version_id.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = new_id()
        scope.setdefault("state", {})["request_id"] = request_id
        client = scope.get("client")
        current_ip.set(client[0] if client else "")  # for the audit log and sessions (lib/client_ip.py)
        extra = [
            (b"x-version-id", self.version_id),
            (b"x-request-id", request_id.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"SAMEORIGIN"),
        ]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, send_with_headers)


class CleanPathMiddleware:
    """Collapse repeated slashes (mattermostdriver asks for `/posts/{id}//reactions`; Mattermost's router
    cleans such paths too), so every route matches without aliases."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and "//" in scope["path"]:
            scope = dict(scope)
            scope["path"] = re.sub(r"/{2,}", "/", scope["path"])
            scope["raw_path"] = scope["path"].encode()
        await self.app(scope, receive, send)


# Routes that take files: their bodies stream to disk (api/uploads.py checks each file against the file size
# limit as it arrives), so they get the upload limit instead of the JSON one.
UPLOAD_ROUTES = re.compile(r"^/api/v4/(files|emoji|users/[a-z0-9]{26}/image|users/me/image|teams/[a-z0-9]{26}/image|kafana/imports)/?$")
MULTIPART_OVERHEAD = 1024 * 1024


class BodyLimitMiddleware:
    """Refuse bodies over the limit with 413 before they are read into memory (D1), and NUL characters in the
    URL with 400 (no database stores them: PostgreSQL fails on them, D11). POSTs to upload routes may carry
    up to `upload_limit` bytes (plus multipart framing)."""

    def __init__(self, app: ASGIApp, limit: int = REQUEST_BODY_MAX_BYTES, upload_limit: Callable[[], int] | None = None) -> None:
        self.app = app
        self.default_limit = limit
        self.upload_limit = upload_limit  # read per request: max_file_size is a live setting

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in scope["path"] or b"%00" in scope.get("query_string", b"") or b"\x00" in scope.get("query_string", b""):
            await _send_raw(send, 400, _error_json(scope, 400, "api.context.invalid_url_param.app_error", "Invalid character in the request URL."))
            return
        too_large = _error_json(scope, 413, "api.context.request_body_too_large.app_error", "The request body is too large.")
        limit = self.default_limit
        if self.upload_limit is not None and scope["method"] == "POST" and UPLOAD_ROUTES.match(scope["path"]):
            limit = self.upload_limit() + MULTIPART_OVERHEAD
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                await _send_raw(send, 413, too_large)
                return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge()
            return message

        try:
            await self.app(scope, limited_receive, send)
        except BodyTooLarge:
            await _send_raw(send, 413, too_large)


class BodyTooLarge(Exception):
    pass


async def _send_raw(send: Send, status: int, body: bytes, content_type: bytes = b"application/json", headers: list[tuple[bytes, bytes]] | None = None) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", content_type), (b"content-length", str(len(body)).encode())] + (headers or []),
        }
    )
    await send({"type": "http.response.body", "body": body})


class TokenBucket:
    __slots__ = ("tokens", "updated")

    def __init__(self, tokens: float, updated: float) -> None:
        self.tokens = tokens
        self.updated = updated


class RateLimiter:
    """Token buckets keyed by user token (authenticated) or client address (anonymous).

    Keying authenticated requests by their token means neighbours behind one NAT address do not starve
    each other (reliability D15), while anonymous floods are bounded per address.
    """

    def __init__(self, per_sec: float, burst: int, clock: Callable[[], float] = time.monotonic, max_keys: int = 10_000) -> None:
        self.per_sec = per_sec
        self.burst = burst
        self.clock = clock
        self.max_keys = max_keys
        self.buckets: dict[str, TokenBucket] = {}

    def take(self, key: str) -> tuple[bool, int, float]:
        """Returns (allowed, remaining, seconds until a token is available)."""
        now = self.clock()
        bucket = self.buckets.get(key)
        if bucket is None:
            if len(self.buckets) >= self.max_keys:
                self.buckets.clear()
            bucket = self.buckets[key] = TokenBucket(float(self.burst), now)
        else:
            bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.updated) * self.per_sec)
            bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return True, int(bucket.tokens), 0.0
        return False, 0, (1.0 - bucket.tokens) / self.per_sec

    def available(self, key: str) -> bool:
        """Whether `key` could spend a token now (without spending it)."""
        bucket = self.buckets.get(key)
        if bucket is None:
            return True
        return min(float(self.burst), bucket.tokens + (self.clock() - bucket.updated) * self.per_sec) >= 1.0


def _rate_key(scope: Scope) -> tuple[str, str]:
    """(bucket key, client address key): the token's hash when one is sent, else the address."""
    auth = b""
    cookie = b""
    for name, value in scope["headers"]:
        if name == b"authorization":
            auth = value
        elif name == b"cookie":
            cookie = value
    client = scope.get("client")
    address = "ip:" + (client[0] if client else "")
    if auth:
        return "t:" + hash_token(auth.decode("latin-1").split(" ")[-1]), address
    if b"MMAUTHTOKEN=" in cookie:
        token = cookie.split(b"MMAUTHTOKEN=", 1)[1].split(b";", 1)[0]
        return "t:" + hash_token(token.decode("latin-1")), address
    return address, address


class RateLimitMiddleware:
    """Requests carrying a token that does not authenticate are also charged to the client address, and once
    that address has spent its allowance its *new* tokens are refused: made-up tokens buy no fresh buckets."""

    def __init__(self, app: ASGIApp, limiter: RateLimiter) -> None:
        self.app = app
        self.limiter = limiter
        self.limit_header = str(limiter.burst).encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        key, address = _rate_key(scope)
        unauthenticated = "unauth:" + address
        if key != address and key not in self.limiter.buckets and not self.limiter.available(unauthenticated):
            allowed, remaining, wait = self.limiter.take(unauthenticated)
        else:
            allowed, remaining, wait = self.limiter.take(key)
        reset = str(max(1, math.ceil(wait))).encode()
        headers: list[tuple[bytes, bytes]] = [
            (b"x-ratelimit-limit", self.limit_header),
            (b"x-ratelimit-remaining", str(remaining).encode()),
            (b"x-ratelimit-reset", reset if not allowed else b"1"),
        ]
        if not allowed:
            await _send_raw(send, 429, b"limit exceeded", b"text/plain; charset=utf-8", [*headers, (b"retry-after", reset)])
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            if key != address and "actor" not in scope.get("state", {}):
                self.limiter.take(unauthenticated)  # the token did not authenticate (or was not needed)
