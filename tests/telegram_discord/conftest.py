"""Telegram and Discord bridge tests: the bridges reach the local fakes (loopback, allowed past the D10 guard
by `outbound_allowed_networks`, as an operator would allow a self-hosted server) and are polled quickly."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from tests.helpers import Api

WAIT = 10.0


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"outbound_allowed_networks": "127.0.0.0/8", "bridge_poll_seconds": 0.2, "site_url": "http://kafana.test"}


@pytest.fixture
async def channel(admin: Api, team: dict[str, Any]) -> dict[str, Any]:
    return await admin.create_channel(team, "bridged")


async def wait_post(api: Api, channel_id: str, predicate: Callable[[dict[str, Any]], bool], what: str = "the post") -> dict[str, Any]:
    """The newest post of the channel that satisfies `predicate`, polling the API until WAIT passes."""
    async with asyncio.timeout(WAIT):
        while True:
            page = await api.get(f"/channels/{channel_id}/posts")
            for post_id in page["order"]:
                post: dict[str, Any] = page["posts"][post_id]
                if predicate(post):
                    return post
            await asyncio.sleep(0.05)
    raise AssertionError(f"{what} never appeared")


async def wait_gone(api: Api, post_id: str) -> None:
    """Until the post is deleted (404), polling the API until WAIT passes."""
    async with asyncio.timeout(WAIT):
        while True:
            if (await api.http.get(f"/api/v4/posts/{post_id}", headers=api.headers())).status_code == 404:
                return
            await asyncio.sleep(0.05)


def bridged(text: str) -> Callable[[dict[str, Any]], bool]:
    return lambda post: post["message"] == text and bool(post.get("props", {}).get("from_bridge"))


async def upload(api: Api, channel_id: str, name: str, data: bytes) -> str:
    infos = await api.post("/files", expect=201, data={"channel_id": channel_id}, files={"files": (name, data, "application/octet-stream")})
    return str(infos["file_infos"][0]["id"])
