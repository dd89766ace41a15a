"""The permission matrix (reliability §2): every role × every channel- and post-scoped route of the Mattermost
OpenAPI document that Kafana implements × public, private, archived, direct and other-team channels, checked
against one oracle.

Roles: system admin, team admin, member, guest, non-member, removed (left the team), deactivated, bot.
Reads the oracle allows answer 200; whatever it forbids answers 403 or 404 — one answer for "forbidden" and
"missing" — or, on a channel the role can see, 400 with a reason; never 2xx, on any method. The deactivated
account gets 401 everywhere. Routes about one's own membership (`/members/me`, `/channels/{id}/unread`) need
membership, not only read access. Writes are checked only where
they are forbidden (allowed writes would change the world the other cells rely on; they are tested per route
elsewhere). Team- and user-scoped routes are covered by test_security.py, test_teams.py and test_guests.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest

from kafana.actions.context import Services
from tests.helpers import Api
from tests.openapi import implemented, load_spec

OBJECTS = ("public", "private", "archived", "dm", "other_team")
ROLES = ("system_admin", "team_admin", "member", "guest", "non_member", "removed", "deactivated", "bot")
READABLE: dict[str, set[str]] = {
    "system_admin": set(OBJECTS),
    "team_admin": {"public", "archived"},  # a team member: public channels of the team, archived ones too
    "member": {"public", "private", "archived", "dm"},
    "guest": {"public"},  # only the channel it was added to
    "non_member": set(),
    "removed": set(),
    "deactivated": set(),
    "bot": {"public", "archived"},
}
# Routes about the caller's own membership (`{user_id}` = me) need membership, not just read access.
MEMBERSHIP_ROUTE = re.compile(r"/members/\{user_id\}|/channels/\{channel_id\}/unread$")
MEMBER_OF: dict[str, set[str]] = {**READABLE, "team_admin": set(), "bot": {"public"}}
KNOWN_PARAMS = {"channel_id", "post_id", "user_id", "team_id", "emoji_name"}
# Routes whose channel or post comes in the body (the document's paths carry no id for them).
BODY_ROUTES = [
    ("POST", "/api/v4/posts", lambda w, o, me: {"channel_id": w.channel[o], "message": "matrix"}),
    ("POST", "/api/v4/reactions", lambda w, o, me: {"user_id": me, "post_id": w.post[o], "emoji_name": "smile"}),
]


@dataclass
class World:
    clients: dict[str, Api]
    channel: dict[str, str]
    post: dict[str, str]
    team: dict[str, str]
    ids: dict[str, str]


@pytest.fixture
async def world(admin: Api, services: Services) -> World:
    core = await admin.create_team("core")
    other = await admin.create_team("other")
    users = {name: await admin.signup(name) for name in ("teamadmin", "member", "guest", "nonmember", "removed", "deactivated")}
    for name in ("teamadmin", "member", "guest", "removed", "deactivated"):
        await admin.post(f"/teams/{core['id']}/members", {"team_id": core["id"], "user_id": users[name].id}, expect=201)
    await admin.put(f"/teams/{core['id']}/members/{users['teamadmin'].id}/schemeRoles", {"scheme_admin": True, "scheme_user": True})
    bot = await admin.post("/bots", {"username": "matrixbot"}, expect=201)
    bot_client = Api(admin.http, (await admin.post(f"/users/{bot['user_id']}/tokens", {"description": "matrix"}))["token"])
    await admin.post(f"/teams/{core['id']}/members", {"team_id": core["id"], "user_id": bot["user_id"]}, expect=201)
    public = await admin.create_channel(core, "pub", "O", [users["member"], users["guest"], users["removed"], users["deactivated"]])
    await admin.post(f"/channels/{public['id']}/members", {"user_id": bot["user_id"]}, expect=201)
    private = await admin.create_channel(core, "priv", "P", [users["member"], users["removed"], users["deactivated"]])
    archived = await admin.create_channel(core, "arch", "O", [users["member"]])
    dm = await admin.post("/channels/direct", [admin.id, users["member"].id], expect=201)
    elsewhere = await admin.create_channel(other, "elsewhere", "O")
    channels = {"public": public, "private": private, "archived": archived, "dm": dm, "other_team": elsewhere}
    posts = {key: (await admin.post("/posts", {"channel_id": c["id"], "message": f"in {key}"}, expect=201))["id"] for key, c in channels.items()}
    await admin.delete(f"/channels/{archived['id']}")
    await admin.post(f"/users/{users['guest'].id}/demote")
    await admin.delete(f"/teams/{core['id']}/members/{users['removed'].id}")
    await admin.put(f"/users/{users['deactivated'].id}/active", {"active": False})
    clients = {
        "system_admin": admin,
        "team_admin": users["teamadmin"],
        "member": users["member"],
        "guest": users["guest"],
        "non_member": users["nonmember"],
        "removed": users["removed"],
        "deactivated": users["deactivated"],
        "bot": bot_client,
    }
    teams = {key: (c["team_id"] or core["id"]) for key, c in channels.items()}
    ids = {role: (bot["user_id"] if role == "bot" else c.id) for role, c in clients.items()}
    return World(clients, {k: c["id"] for k, c in channels.items()}, posts, teams, ids)


def channel_routes(app: Any) -> list[tuple[str, str, dict[str, Any]]]:
    """(method, path, operation) for every implemented operation addressed by a channel or post id."""
    found = []
    for path, item in load_spec().document["paths"].items():
        params = set(re.findall(r"\{([^}]*)\}", path))
        if not ({"channel_id", "post_id"} & params) or not params <= KNOWN_PARAMS:
            continue
        for method in ("get", "put", "post", "delete", "patch"):
            if method in item and implemented(app, method, path):
                found.append((method.upper(), path, item[method]))
    return found


def fill(path: str, world: World, obj: str) -> str:
    values = {"channel_id": world.channel[obj], "post_id": world.post[obj], "user_id": "me", "team_id": world.team[obj], "emoji_name": "smile"}
    return re.sub(r"\{([^}]*)\}", lambda m: values[m.group(1)], path)


def body_for(path: str, operation: dict[str, Any], world: World, obj: str) -> Any:
    """A valid body for the route, so that the answer is about authorization, not validation."""
    schema = (((operation.get("requestBody") or {}).get("content") or {}).get("application/json") or {}).get("schema") or {}
    if schema.get("type") == "array":
        return [world.clients["member"].id]
    if path.endswith("/notify_props"):
        return {"desktop": "all"}
    if path.endswith("/roles"):
        return {"roles": "channel_user channel_admin"}
    if path.endswith("/schemeRoles"):
        return {"scheme_admin": True, "scheme_user": True}
    if path.endswith("/privacy"):
        return {"privacy": "P"}
    if "{post_id}" in path:
        return {"id": world.post[obj], "message": "edited", "is_pinned": True}
    return {
        "id": world.channel[obj],
        "channel_id": world.channel[obj],
        "post_id": world.post[obj],
        "user_id": world.clients["member"].id,
        "message": "matrix",
        "name": "renamed",
        "display_name": "Renamed",
        "privacy": "P",
        "roles": "channel_user channel_admin",
        "scheme_admin": True,
        "scheme_user": True,
        "desktop": "all",
        "is_pinned": True,
    }


async def test_permission_matrix(app: Any, world: World) -> None:
    routes = channel_routes(app)
    assert len(routes) >= 25, routes
    problems: list[str] = []
    checked = 0
    for role in ROLES:
        client = world.clients[role]
        for obj in OBJECTS:
            cases = [(m, p, fill(p, world, obj), body_for(p, op, world, obj)) for m, p, op in routes]
            cases += [(m, p, p, make(world, obj, world.ids[role])) for m, p, make in BODY_ROUTES]
            for method, template, path, body in cases:
                allowed = obj in (MEMBER_OF if MEMBERSHIP_ROUTE.search(template) else READABLE)[role]
                if method != "GET" and allowed:
                    continue  # see the module docstring
                url = path.removeprefix("/api/v4")
                response = await client.http.request(method, "/api/v4" + url, headers=client.headers(), json=None if method == "GET" else body)
                status = response.status_code
                checked += 1
                if role == "deactivated":
                    ok = status == 401
                elif allowed:
                    ok = status == 200
                else:
                    # Hidden objects: one answer for "forbidden" and "missing". A visible one may also be refused
                    # with a reason (400, e.g. "the channel is archived").
                    ok = status in (403, 404) or (status == 400 and obj in READABLE[role])
                if not ok:
                    problems.append(f"{role:12} {obj:10} {method:6} {template}: {status} {response.text[:120]}")
    assert not problems, f"{len(problems)} of {checked} cells disagree with the oracle:\n" + "\n".join(problems)
