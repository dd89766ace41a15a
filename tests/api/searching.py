"""The people, channels and calls the search tests share: alice and bob in a team with a public channel
everyone is in (`town`) and one of alice's (`dev`), posting, uploading and searching as any of them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.helpers import Api


@dataclass
class World:
    admin: Api
    alice: Api
    bob: Api
    team: dict[str, Any]
    town: dict[str, Any]  # public, everyone in it
    dev: dict[str, Any]  # public, alice and bob

    async def member(self, username: str) -> Api:
        """A new account that is a member of the team (and of no channel)."""
        user = await self.admin.signup(username)
        await self.admin.post(f"/teams/{self.team['id']}/members", {"team_id": self.team["id"], "user_id": user.id}, expect=201)
        return user

    async def say(self, who: Api, channel: dict[str, Any], message: str, **extra: Any) -> dict[str, Any]:
        post: dict[str, Any] = await who.post("/posts", {"channel_id": channel["id"], "message": message, **extra}, expect=201)
        return post

    async def upload(self, who: Api, channel: dict[str, Any], name: str, data: bytes = b"content") -> str:
        body = await who.post("/files", expect=201, data={"channel_id": channel["id"]}, files={"files": (name, data, "application/octet-stream")})
        return str(body["file_infos"][0]["id"])

    async def share(self, who: Api, channel: dict[str, Any], *names: str, message: str = "", **extra: Any) -> dict[str, Any]:
        """Upload files and post them together."""
        file_ids = [await self.upload(who, channel, name) for name in names]
        return await self.say(who, channel, message, file_ids=file_ids, **extra)

    async def search(self, who: Api, terms: str, *, team: bool = True, files: bool = False, expect: int = 200, **extra: Any) -> Any:
        kind = "files" if files else "posts"
        path = f"/teams/{self.team['id']}/{kind}/search" if team else f"/{kind}/search"
        return await who.post(path, {"terms": terms, **extra}, expect=expect)

    async def found(self, who: Api, terms: str, **extra: Any) -> list[str]:
        """Messages found, newest first."""
        result = await self.search(who, terms, **extra)
        return [result["posts"][i]["message"] for i in result["order"]]

    async def found_files(self, who: Api, terms: str, **extra: Any) -> list[str]:
        """Names of the files found, newest first."""
        result = await self.search(who, terms, files=True, **extra)
        assert set(result["file_infos"]) == set(result["order"])
        return [result["file_infos"][i]["name"] for i in result["order"]]

    async def error_id(self, who: Api, terms: str, *, status: int, files: bool = False) -> str:
        """The error id of a search that must fail with `status`."""
        kind = "files" if files else "posts"
        result = await who.http.post(f"/api/v4/teams/{self.team['id']}/{kind}/search", json={"terms": terms}, headers=who.headers())
        assert result.status_code == status, result.text
        return str(result.json()["id"])


async def make_world(admin: Api, team: dict[str, Any]) -> World:
    alice = await admin.signup("alice")
    bob = await admin.signup("bob")
    for user in (alice, bob):
        await admin.post(f"/teams/{team['id']}/members", {"team_id": team["id"], "user_id": user.id}, expect=201)
    town = await admin.create_channel(team, "town", members=[alice, bob])
    dev = await alice.create_channel(team, "dev", members=[bob])
    return World(admin, alice, bob, team, town, dev)
