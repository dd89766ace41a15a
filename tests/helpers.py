"""A small HTTP client for tests: status assertions, the Mattermost error shape, sign-up and login."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Sequence
from typing import Any

import httpx

PASSWORD = "correct-horse-battery"


class ApiError(AssertionError):
    pass


class Api:
    """Speaks to the app in process. `expect` is the status a call must return (an AssertionError otherwise)."""

    def __init__(self, http: httpx.AsyncClient, token: str = "", user: dict[str, Any] | None = None) -> None:
        self.http = http
        self.token = token
        self.user: dict[str, Any] = user or {}

    @property
    def id(self) -> str:
        return str(self.user["id"])

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        h = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        h.update(extra or {})
        return h

    async def request(self, method: str, path: str, body: Any = None, *, expect: int = 200, headers: dict[str, str] | None = None, **kw: Any) -> Any:
        if body is not None:
            kw["json"] = body
        response = await self.http.request(method, "/api/v4" + path, headers=self.headers(headers), **kw)
        if response.status_code != expect:
            raise ApiError(f"{method} {path}: expected {expect}, got {response.status_code}: {response.text[:500]}")
        if response.status_code >= 400:
            check_error_shape(response)
        if response.headers.get("content-type") == "application/json":
            return response.json()
        return response.text

    async def get(self, path: str, *, expect: int = 200, **kw: Any) -> Any:
        return await self.request("GET", path, expect=expect, **kw)

    async def post(self, path: str, body: Any = None, *, expect: int = 200, **kw: Any) -> Any:
        return await self.request("POST", path, body, expect=expect, **kw)

    async def put(self, path: str, body: Any = None, *, expect: int = 200, **kw: Any) -> Any:
        return await self.request("PUT", path, body, expect=expect, **kw)

    async def patch(self, path: str, body: Any = None, *, expect: int = 200, **kw: Any) -> Any:
        return await self.request("PATCH", path, body, expect=expect, **kw)

    async def delete(self, path: str, body: Any = None, *, expect: int = 200, **kw: Any) -> Any:
        return await self.request("DELETE", path, body, expect=expect, **kw)

    async def signup(self, username: str, *, password: str = PASSWORD, email: str = "") -> Api:
        """Create an account (as this client, so an admin may create it) and return a client logged in as it."""
        await self.post("/users", {"username": username, "email": email or f"{username}@example.com", "password": password}, expect=201)
        return await self.login(username, password)

    async def create_team(self, name: str, members: Sequence[Api] = ()) -> dict[str, Any]:
        """An open team named `name` (display name capitalised) with `members` added to it."""
        team: dict[str, Any] = await self.post("/teams", {"name": name, "display_name": name.title(), "type": "O"}, expect=201)
        for user in members:
            await self.post(f"/teams/{team['id']}/members", {"team_id": team["id"], "user_id": user.id}, expect=201)
        return team

    async def create_channel(self, team: dict[str, Any], name: str, kind: str = "O", members: Sequence[Api] = ()) -> dict[str, Any]:
        """A channel of `kind` (O public, P private) in `team`, with `members` added besides its creator."""
        body = {"team_id": team["id"], "name": name, "display_name": name.title(), "type": kind}
        channel: dict[str, Any] = await self.post("/channels", body, expect=201)
        for user in members:
            await self.post(f"/channels/{channel['id']}/members", {"user_id": user.id}, expect=201)
        return channel

    async def login(self, login_id: str, password: str = PASSWORD) -> Api:
        response = await self.http.post("/api/v4/users/login", json={"login_id": login_id, "password": password})
        assert response.status_code == 200, response.text
        return Api(self.http, response.headers["Token"], response.json())


def check_error_shape(response: httpx.Response) -> None:
    """Every error is Mattermost's JSON with a stable id (429 is plain text, as Mattermost sends it)."""
    if response.status_code == 429:
        return
    assert response.headers["content-type"] == "application/json", response.headers
    body = response.json()
    assert set(body) >= {"id", "message", "detailed_error", "request_id", "status_code", "is_oauth"}, body
    assert body["status_code"] == response.status_code
    assert body["id"] and "Traceback" not in response.text


async def run_kafana(svc: Any, *args: str, env: dict[str, str] | None = None) -> tuple[str, str]:
    """Run the `kafana` command on `svc`'s database and files (a Services); its stdout and stderr."""
    from tests.compat.conftest import kafana_executable

    settings = svc.settings
    full_env = {**os.environ, "KAFANA_DATABASE_URL": settings.effective_database_url, "KAFANA_DATA_DIR": str(settings.data_dir), **(env or {})}
    process = await asyncio.create_subprocess_exec(
        str(kafana_executable()), *args, env=full_env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    return out.decode(), err.decode()


def bulk_lines(team: str = "imported", posts: int = 3) -> bytes:
    """A small Mattermost bulk export: one team, one channel, one user and `posts` posts."""
    lines: list[dict[str, Any]] = [
        {"type": "version", "version": 1},
        {"type": "team", "team": {"name": team, "display_name": team.title(), "type": "O"}},
        {"type": "channel", "channel": {"team": team, "name": "archive", "display_name": "Archive", "type": "O"}},
        {"type": "user", "user": {"username": "ada", "email": "ada@example.com", "teams": [{"name": team, "channels": [{"name": "archive"}]}]}},
        *(
            {"type": "post", "post": {"team": team, "channel": "archive", "user": "ada", "message": f"old message {i}", "create_at": 1_600_000_000_000 + i}}
            for i in range(posts)
        ),
    ]
    return "".join(json.dumps(line) + "\n" for line in lines).encode()
