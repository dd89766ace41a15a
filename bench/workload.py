"""The workload both servers get: one channel, pre-filled over HTTP, then measured the same way.

Kafana is prepared only through its public API (Mattermost v4), as a client would: sign up the first
account (it becomes the admin), log in, create a team and a channel. The reference app needs none of that.
"""

from __future__ import annotations

import secrets

import httpx

from bench.driver import Target, expect

REFERENCE_CHANNEL_ID = "c" * 26


def prepare_kafana(base_url: str) -> Target:
    """Admin account, bearer token, team and public channel; returns where to post."""
    suffix = secrets.token_hex(4)
    username = f"bench{suffix}"
    password = f"Bench-{secrets.token_hex(8)}"
    with httpx.Client(base_url=base_url, timeout=60.0) as client:
        expect(client.post("/api/v4/users", json={"username": username, "email": f"{username}@example.com", "password": password}), 201, "sign up")
        login = client.post("/api/v4/users/login", json={"login_id": username, "password": password})
        expect(login, 200, "log in")
        token = login.headers.get("Token", "")
        if not token:
            raise RuntimeError("log in: no Token header in the response")
        client.headers["Authorization"] = f"Bearer {token}"
        team = expect(client.post("/api/v4/teams", json={"name": f"bench-{suffix}", "display_name": "Bench", "type": "O"}), 201, "create team")
        channel = expect(
            client.post("/api/v4/channels", json={"team_id": team["id"], "name": f"bench-{suffix}", "display_name": "Bench", "type": "O"}),
            201,
            "create channel",
        )
    return Target(base_url=base_url, channel_id=channel["id"], headers={"Authorization": f"Bearer {token}"})


def prepare_reference(base_url: str) -> Target:
    """The floor has no accounts or channels: any channel id works."""
    return Target(base_url=base_url, channel_id=REFERENCE_CHANNEL_ID)
