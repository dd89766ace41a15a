"""Kafana's JSON responses against Mattermost's OpenAPI document (tests/openapi.py).

Each case calls one endpoint in a small world (a team, a channel, a thread with a reaction, preferences and a
status), then checks the body against the documented 2xx schema *and* that every documented property is there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.helpers import Api
from tests.openapi import SANITIZED_USER_FIELDS, Spec, check_shape, implemented, load_spec


@pytest.fixture(scope="session")
def spec() -> Spec:
    return load_spec()


@dataclass
class World:
    admin: Api
    bob: Api
    team: dict[str, Any]
    channel: dict[str, Any]
    root: dict[str, Any]
    reply: dict[str, Any]


async def build_world(admin: Api, anon: Api) -> World:
    bob = await anon.signup("bob")
    team = await admin.post("/teams", {"name": "shapes", "display_name": "Shapes", "type": "O"}, expect=201)
    await admin.post(f"/teams/{team['id']}/members", {"team_id": team["id"], "user_id": bob.id}, expect=201)
    channel = await admin.post("/channels", {"team_id": team["id"], "name": "town", "display_name": "Town", "type": "O", "purpose": "p"}, expect=201)
    await admin.post(f"/channels/{channel['id']}/members", {"user_id": bob.id}, expect=201)
    root = await admin.post("/posts", {"channel_id": channel["id"], "message": "root #tag @bob"}, expect=201)
    reply = await bob.post("/posts", {"channel_id": channel["id"], "message": "reply", "root_id": root["id"]}, expect=201)
    return World(admin, bob, team, channel, root, reply)


@dataclass
class Case:
    """`path` is the document's template; `url` fills it in from the world; `setup` runs first."""

    method: str
    path: str
    url: Callable[[World], str]
    body: Callable[[World], Any] | None = None
    component: str | None = None  # validate against this component instead of the documented response
    optional: frozenset[str] = frozenset()
    setup: Callable[[World], Any] | None = None
    as_bob: bool = True
    needs: tuple[tuple[str, str], ...] = ()  # other routes the setup uses
    nonempty: str = ""  # a list in the body that must have items (else nothing inside it was checked)

    @property
    def routes(self) -> tuple[tuple[str, str], ...]:
        return ((self.method, self.path), *self.needs)

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}"


async def add_reaction(w: World) -> None:
    await w.bob.post("/reactions", {"user_id": w.bob.id, "post_id": w.root["id"], "emoji_name": "tada"}, expect=201)


async def add_preference(w: World) -> None:
    await w.bob.put(f"/users/{w.bob.id}/preferences", [{"user_id": w.bob.id, "category": "display_settings", "name": "use_military_time", "value": "true"}])


async def share_file(w: World) -> None:
    body = await w.bob.post("/files", expect=201, data={"channel_id": w.channel["id"]}, files={"files": ("plan_2024.pdf", b"%PDF-1.4", "application/pdf")})
    await w.bob.post("/posts", {"channel_id": w.channel["id"], "message": "", "file_ids": [body["file_infos"][0]["id"]]}, expect=201)


async def set_status(w: World) -> None:
    await w.bob.put(f"/users/{w.bob.id}/status", {"user_id": w.bob.id, "status": "dnd"})


REACTIONS = (("POST", "/api/v4/reactions"),)

CASES = [
    # Users
    Case("GET", "/api/v4/users/{user_id}", lambda w: "/users/me"),
    Case("GET", "/api/v4/users/{user_id}", lambda w: f"/users/{w.admin.id}", optional=SANITIZED_USER_FIELDS),
    Case("GET", "/api/v4/users", lambda w: "/users?per_page=10", optional=SANITIZED_USER_FIELDS),
    Case("POST", "/api/v4/users/ids", lambda w: "/users/ids", body=lambda w: [w.admin.id, w.bob.id], optional=SANITIZED_USER_FIELDS),
    Case("PUT", "/api/v4/users/{user_id}/patch", lambda w: "/users/me/patch", body=lambda w: {"nickname": "Bobby"}),
    Case("GET", "/api/v4/users/{user_id}/sessions", lambda w: "/users/me/sessions"),
    Case("POST", "/api/v4/users/{user_id}/tokens", lambda w: "/users/me/tokens", body=lambda w: {"description": "bot"}),
    Case(
        "GET",
        "/api/v4/users/{user_id}/tokens",
        lambda w: "/users/me/tokens",
        setup=lambda w: w.bob.post("/users/me/tokens", {"description": "bot"}),
    ),
    # Teams
    Case("GET", "/api/v4/teams/{team_id}", lambda w: f"/teams/{w.team['id']}"),
    Case("GET", "/api/v4/users/{user_id}/teams", lambda w: "/users/me/teams"),
    Case("GET", "/api/v4/users/{user_id}/teams/members", lambda w: "/users/me/teams/members"),
    Case("GET", "/api/v4/teams/{team_id}/members", lambda w: f"/teams/{w.team['id']}/members"),
    # Channels
    Case("GET", "/api/v4/channels/{channel_id}", lambda w: f"/channels/{w.channel['id']}"),
    Case("GET", "/api/v4/users/{user_id}/teams/{team_id}/channels", lambda w: f"/users/me/teams/{w.team['id']}/channels"),
    Case("GET", "/api/v4/channels/{channel_id}/members/{user_id}", lambda w: f"/channels/{w.channel['id']}/members/me"),
    Case("GET", "/api/v4/channels/{channel_id}/members", lambda w: f"/channels/{w.channel['id']}/members"),
    # Posts
    Case("POST", "/api/v4/posts", lambda w: "/posts", body=lambda w: {"channel_id": w.channel["id"], "message": "new"}),
    Case("GET", "/api/v4/posts/{post_id}", lambda w: f"/posts/{w.root['id']}"),
    Case("GET", "/api/v4/posts/{post_id}", lambda w: f"/posts/{w.root['id']}", setup=add_reaction, needs=REACTIONS),
    Case("PUT", "/api/v4/posts/{post_id}/patch", lambda w: f"/posts/{w.reply['id']}/patch", body=lambda w: {"message": "edited"}),
    Case("GET", "/api/v4/channels/{channel_id}/posts", lambda w: f"/channels/{w.channel['id']}/posts"),
    Case("GET", "/api/v4/channels/{channel_id}/posts", lambda w: f"/channels/{w.channel['id']}/posts", setup=add_reaction, needs=REACTIONS),
    Case("GET", "/api/v4/posts/{post_id}/thread", lambda w: f"/posts/{w.root['id']}/thread"),
    Case("DELETE", "/api/v4/posts/{post_id}", lambda w: f"/posts/{w.reply['id']}"),
    Case("POST", "/api/v4/teams/{team_id}/posts/search", lambda w: f"/teams/{w.team['id']}/posts/search", body=lambda w: {"terms": "root"}, nonempty="order"),
    Case(
        "POST",
        "/api/v4/teams/{team_id}/files/search",
        lambda w: f"/teams/{w.team['id']}/files/search",
        body=lambda w: {"terms": "plan ext:pdf", "is_or_search": False},
        setup=share_file,
        needs=(("POST", "/api/v4/files"),),
        nonempty="order",
    ),
    # Reactions
    Case("POST", "/api/v4/reactions", lambda w: "/reactions", body=lambda w: {"user_id": w.bob.id, "post_id": w.root["id"], "emoji_name": "smile"}),
    Case("GET", "/api/v4/posts/{post_id}/reactions", lambda w: f"/posts/{w.root['id']}/reactions", setup=add_reaction, needs=REACTIONS),
    # Preferences
    Case(
        "GET",
        "/api/v4/users/{user_id}/preferences",
        lambda w: "/users/me/preferences",
        setup=add_preference,
        needs=(("PUT", "/api/v4/users/{user_id}/preferences"),),
    ),
    Case(
        "PUT",
        "/api/v4/users/{user_id}/preferences",
        lambda w: "/users/me/preferences",
        body=lambda w: [{"user_id": w.bob.id, "category": "theme", "name": "", "value": "{}"}],
    ),
    # Statuses
    Case("GET", "/api/v4/users/{user_id}/status", lambda w: "/users/me/status", setup=set_status, needs=(("PUT", "/api/v4/users/{user_id}/status"),)),
    Case("PUT", "/api/v4/users/{user_id}/status", lambda w: "/users/me/status", body=lambda w: {"user_id": w.bob.id, "status": "away"}),
    Case("POST", "/api/v4/users/status/ids", lambda w: "/users/status/ids", body=lambda w: [w.bob.id, w.admin.id]),
    # Threads (collapsed reply threads)
    Case("GET", "/api/v4/users/{user_id}/teams/{team_id}/threads", lambda w: f"/users/me/teams/{w.team['id']}/threads", nonempty="threads"),
    Case(
        "GET",
        "/api/v4/users/{user_id}/teams/{team_id}/threads/{thread_id}",
        lambda w: f"/users/me/teams/{w.team['id']}/threads/{w.root['id']}",
        component="UserThread",
    ),
    # System and roles
    Case("GET", "/api/v4/system/ping", lambda w: "/system/ping"),
    Case("POST", "/api/v4/roles/names", lambda w: "/roles/names", body=lambda w: ["system_user", "team_user", "channel_user", "system_admin"]),
    Case("GET", "/api/v4/roles/name/{role_name}", lambda w: "/roles/name/channel_user"),
]


@pytest.mark.parametrize("case", CASES, ids=[f"{c.id} [{i}]" for i, c in enumerate(CASES)])
async def test_response_matches_the_mattermost_document(case: Case, app: Any, admin: Api, anon: Api, spec: Spec) -> None:
    missing = [f"{m} {p}" for m, p in case.routes if not implemented(app, m, p)]
    if missing:
        pytest.skip(f"not implemented in Kafana yet: {', '.join(missing)}")
    world = await build_world(admin, anon)
    if case.setup is not None:
        await case.setup(world)
    api = world.bob if case.as_bob else world.admin
    response = await api.http.request(
        case.method, "/api/v4" + case.url(world), json=case.body(world) if case.body else None, headers={"Authorization": f"Bearer {api.token}"}
    )
    assert 200 <= response.status_code < 300, f"{case.id}: {response.status_code} {response.text[:300]}"
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    schema = spec.component(case.component) if case.component else spec.response_schema(case.method, case.path)
    check_shape(body, schema, optional=case.optional, what=case.id)
    if isinstance(body, list):
        assert body, f"{case.id} returned an empty list: nothing was checked"
    if case.nonempty:
        assert body[case.nonempty], f"{case.id} returned no {case.nonempty}: nothing inside was checked"


async def test_login_response_is_a_user(anon: Api, spec: Spec) -> None:
    await anon.signup("bob")
    response = await anon.http.post("/api/v4/users/login", json={"login_id": "bob", "password": "correct-horse-battery"})
    assert response.status_code == 200  # the document says 201; Mattermost (and every client) uses 200
    check_shape(response.json(), spec.response_schema("POST", "/api/v4/users/login"), what="POST /users/login")


async def test_create_responses_match(admin: Api, anon: Api, spec: Spec) -> None:
    """Created objects (201) have the same shape as fetched ones."""
    world = await build_world(admin, anon)
    team = await world.admin.post("/teams", {"name": "second", "display_name": "Second", "type": "I"}, expect=201)
    check_shape(team, spec.response_schema("POST", "/api/v4/teams"), what="POST /teams")
    channel = await world.admin.post("/channels", {"team_id": world.team["id"], "name": "priv", "display_name": "Priv", "type": "P"}, expect=201)
    check_shape(channel, spec.response_schema("POST", "/api/v4/channels"), what="POST /channels")
    member = await world.admin.post(f"/channels/{channel['id']}/members", {"user_id": world.bob.id}, expect=201)
    check_shape(member, spec.response_schema("POST", "/api/v4/channels/{channel_id}/members"), what="POST /channels/{id}/members")
    user = await world.admin.post("/users", {"username": "carol", "email": "carol@example.com", "password": "correct-horse-battery"}, expect=201)
    check_shape(user, spec.response_schema("POST", "/api/v4/users"), what="POST /users")


async def test_client_config_is_all_strings(anon: Api) -> None:
    """config/client has no schema in the document; Mattermost's clients need every value to be a string."""
    config = await anon.get("/config/client?format=old")
    assert config and all(isinstance(v, str) for v in config.values()), {k: v for k, v in config.items() if not isinstance(v, str)}
    needed = {
        "Version", "BuildNumber", "BuildHash", "BuildEnterpriseReady", "DiagnosticId", "SiteURL", "SiteName", "WebsocketURL",
        "EnableReliableWebSockets", "EnableSignInWithEmail", "EnableSignInWithUsername", "EnableSignUpWithEmail", "EnableLdap",
        "EnableSaml", "EnableSignUpWithGitLab", "EnableSignUpWithGoogle", "EnableSignUpWithOffice365", "EnableSignUpWithOpenId",
        "EnableGuestMagicLink", "PasswordEnableForgotLink", "ForgotPasswordLink", "LdapLoginFieldName", "MobileJailbreakProtection",
        "MobileEnableBiometrics", "CollapsedThreads", "TeammateNameDisplay", "LockTeammateNameDisplay", "EnableCustomEmoji",
        "EnableFileAttachments", "EnableMobileFileUpload", "EnableMobileFileDownload", "MaxFileSize", "MaxPostSize", "AllowEditPost",
        "PostEditTimeLimit", "EnableUserTypingMessages", "TimeBetweenUserTypingUpdatesMilliseconds", "EnableLinkPreviews",
        "EnablePermalinkPreviews", "EnablePublicLink", "EnableCustomUserStatuses", "ExperimentalViewArchivedChannels",
        "ExperimentalTownSquareIsReadOnly", "RestrictDirectMessage", "SendPushNotifications", "ShowFullName", "EnableGuestAccounts",
        "AsymmetricSigningPublicKey", "ScheduledPosts", "PostPriority", "EnableCustomTermsOfService", "TermsOfServiceLink",
        "PrivacyPolicyLink", "HelpLink",
    }  # fmt: skip
    assert needed <= set(config), sorted(needed - set(config))
    assert config["DiagnosticId"] and config["Version"].split(".")[:2] == ["10", "11"]
    assert config["MaxPostSize"] == "16383"
    assert config["KafanaBotCreation"] == "admins"


async def test_errors_match_the_app_error_schema(anon: Api, spec: Spec) -> None:
    response = await anon.http.get("/api/v4/users/me")
    check_shape(response.json(), spec.component("AppError"), what="401 error")
    response = await anon.http.get("/api/v4/nope")
    check_shape(response.json(), spec.component("AppError"), what="404 error")


def test_the_checker_catches_missing_and_mistyped_fields(spec: Spec) -> None:
    """The oracle itself: a missing property, a wrong type and a wrong nested type are all reported."""
    user = {
        "id": "u" * 26, "create_at": 1, "update_at": 1, "delete_at": 0, "username": "bob", "first_name": "", "last_name": "",
        "nickname": "", "email": "", "email_verified": True, "auth_service": "", "roles": "system_user", "locale": "en",
        "notify_props": {"email": "true", "push": "mention", "desktop": "all", "desktop_sound": "true", "mention_keys": "", "channel": "true", "first_name": "false"},
        "props": {}, "last_password_update": 1, "last_picture_update": 0, "failed_attempts": 0, "mfa_active": False,
        "timezone": {"useAutomaticTimezone": "true", "manualTimezone": "", "automaticTimezone": ""},
    }  # fmt: skip
    schema = spec.component("User")
    check_shape(user, schema)
    for broken, expected in (
        ({k: v for k, v in user.items() if k != "locale"}, "missing: locale"),
        ({**user, "create_at": "1"}, "create_at: '1' is not of type 'integer'"),
        ({**user, "notify_props": {**user["notify_props"], "push": 1}}, "notify_props/push"),
        ({**user, "notify_props": {k: v for k, v in user["notify_props"].items() if k != "desktop"}}, "missing: notify_props.desktop"),
        ({**user, "timezone": {**user["timezone"], "useAutomaticTimezone": True}}, "timezone/useAutomaticTimezone"),
    ):
        with pytest.raises(AssertionError, match=expected):
            check_shape(broken, schema)
    post_list = spec.response_schema("GET", "/api/v4/channels/{channel_id}/posts")
    with pytest.raises(AssertionError, match=r"missing: posts\[p1\]\.message"):
        check_shape({"order": ["p1"], "posts": {"p1": {"id": "p1"}}, "next_post_id": "", "prev_post_id": "", "has_next": False}, post_list)


async def test_role_ids_are_mattermost_ids(admin: Api) -> None:
    roles = await admin.post("/roles/names", ["system_user", "channel_user", "nonexistent"])
    assert [r["name"] for r in roles] == ["system_user", "channel_user"]
    for role in roles:
        assert len(role["id"]) == 26 and role["id"].isalnum() and role["id"].islower()
        assert await admin.get(f"/roles/{role['id']}") == role == await admin.get(f"/roles/name/{role['name']}")
    await admin.get("/roles/system_user", expect=404)  # by id only, as Mattermost
    again = await admin.post("/roles/names", ["system_user"])
    assert again[0]["id"] == roles[0]["id"]  # stable across calls (and restarts)
