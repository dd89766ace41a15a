"""Hostile and malformed input (docs: ../shared/reference/reliability.md D1, D4, D11, D13).

Each case must end in a clear 4xx with Mattermost's error JSON (never a 5xx or a traceback), carry the
X-Version-Id and X-Request-Id headers, and leave the stored data as it was.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from sqlalchemy import func, select

from kafana.actions.context import Services
from kafana.lib.ids import new_id
from kafana.lib.validation import REQUEST_BODY_MAX_BYTES
from kafana.models import Post, User
from tests.helpers import PASSWORD, Api, check_error_shape
from tests.openapi import implemented

INVALID_BODY = "api.context.invalid_body_param.app_error"
INVALID_PARAM = "api.context.invalid_param.app_error"
INVALID_URL_PARAM = "api.context.invalid_url_param.app_error"
TOO_LARGE = "api.context.request_body_too_large.app_error"
WRONG_CONTENT_TYPE = "api.context.invalid_content_type.app_error"
HOSTILE_VALUES: list[Any] = [{"$ne": None}, {"$gt": ""}, {"$where": "1==1"}, ["bob"], 7, 1.5, True]


def check_error(response: httpx.Response, status: int, error_id: str | None = None) -> dict[str, Any]:
    """The status, Mattermost's error JSON, and the headers every response carries."""
    assert response.status_code == status, (response.request.method, response.request.url, response.status_code, response.text[:300])
    check_error_shape(response)
    assert response.headers["x-version-id"].startswith("10.11.0."), response.headers
    request_id = response.headers["x-request-id"]
    body: dict[str, Any] = response.json()
    assert len(request_id) == 26 and body["request_id"] == request_id, (body, request_id)
    if error_id is not None:
        assert body["id"] == error_id, body
    return body


@dataclass
class Room:
    admin: Api
    bob: Api
    team: dict[str, Any]
    channel: dict[str, Any]

    @property
    def cid(self) -> str:
        return str(self.channel["id"])

    def auth(self, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.bob.token}", **extra}


@pytest.fixture
async def room(admin: Api, anon: Api, team: dict[str, Any]) -> Room:
    bob = await anon.signup("bob")
    await admin.post(f"/teams/{team['id']}/members", {"team_id": team["id"], "user_id": bob.id}, expect=201)
    channel = await admin.post("/channels", {"team_id": team["id"], "name": "general-talk", "display_name": "General talk", "type": "O"}, expect=201)
    await admin.post(f"/channels/{channel['id']}/members", {"user_id": bob.id}, expect=201)
    return Room(admin, bob, team, channel)


async def post_count(services: Services) -> int:
    async with services.db.read() as db:
        return int((await db.execute(select(func.count()).select_from(Post))).scalar_one())


async def user_row(services: Services, user_id: str) -> User:
    async with services.db.read() as db:
        user = await db.get(User, user_id)
    assert user is not None
    return user


# D1 sizes -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("char", ["x", "é", "😀"])
async def test_post_message_is_limited_to_16383_characters(room: Room, services: Services, char: str) -> None:
    longest = await room.bob.post("/posts", {"channel_id": room.cid, "message": char * 16383}, expect=201)
    assert longest["message"] == char * 16383
    before = await post_count(services)
    response = await room.bob.http.post("/api/v4/posts", json={"channel_id": room.cid, "message": char * 16384}, headers=room.auth())
    check_error(response, 400, "model.post.is_valid.msg.app_error")
    assert await post_count(services) == before
    # Editing is held to the same limit.
    response = await room.bob.http.put(f"/api/v4/posts/{longest['id']}/patch", json={"message": char * 16384}, headers=room.auth())
    check_error(response, 400)
    assert (await room.bob.get(f"/posts/{longest['id']}"))["message"] == char * 16383


def padded(body: dict[str, Any], size: int) -> bytes:
    """Valid JSON of exactly `size` bytes (whitespace after the object)."""
    raw = json.dumps(body).encode()
    assert len(raw) <= size
    return raw + b" " * (size - len(raw))


async def test_body_at_the_limit_is_accepted(room: Room) -> None:
    raw = padded({"channel_id": room.cid, "message": "just fits"}, REQUEST_BODY_MAX_BYTES)
    response = await room.bob.http.post("/api/v4/posts", content=raw, headers=room.auth(**{"Content-Type": "application/json"}))
    assert response.status_code == 201, response.text


async def test_body_over_the_limit_is_refused_before_parsing(room: Room, services: Services) -> None:
    before = await post_count(services)
    valid = padded({"channel_id": room.cid, "message": "one byte too many"}, REQUEST_BODY_MAX_BYTES + 1)
    garbage = b"{" * (REQUEST_BODY_MAX_BYTES + 1)  # a parser would answer 400; the size check comes first
    for raw in (valid, garbage):
        response = await room.bob.http.post("/api/v4/posts", content=raw, headers=room.auth(**{"Content-Type": "application/json"}))
        assert response.request.headers["content-length"] == str(REQUEST_BODY_MAX_BYTES + 1)
        check_error(response, 413, TOO_LARGE)
    # Anonymous endpoints too (login, sign-up): the limit does not wait for authentication.
    response = await room.bob.http.post("/api/v4/users/login", content=garbage, headers={"Content-Type": "application/json"})
    check_error(response, 413, TOO_LARGE)
    assert await post_count(services) == before


async def chunks(raw: bytes, size: int = 16_384) -> AsyncIterator[bytes]:
    for start in range(0, len(raw), size):
        yield raw[start : start + size]


async def test_chunked_body_over_the_limit_is_refused(room: Room, services: Services) -> None:
    before = await post_count(services)
    for raw in (padded({"channel_id": room.cid, "message": "streamed"}, REQUEST_BODY_MAX_BYTES + 1), b"[" * 1_000_000):
        response = await room.bob.http.post("/api/v4/posts", content=chunks(raw), headers=room.auth(**{"Content-Type": "application/json"}))
        assert "content-length" not in response.request.headers and response.request.headers["transfer-encoding"] == "chunked"
        check_error(response, 413, TOO_LARGE)
    assert await post_count(services) == before
    # A chunked body within the limit is fine.
    small = padded({"channel_id": room.cid, "message": "streamed"}, 50_000)
    response = await room.bob.http.post("/api/v4/posts", content=chunks(small), headers=room.auth(**{"Content-Type": "application/json"}))
    assert response.status_code == 201, response.text


# D13 content types and JSON -------------------------------------------------------------------------------


async def test_json_endpoints_refuse_other_content_types(room: Room, services: Services) -> None:
    before = await post_count(services)
    raw = json.dumps({"channel_id": room.cid, "message": "hello"}).encode()
    for content_type in ("text/plain", "text/plain; charset=utf-8", "application/x-www-form-urlencoded", "application/xml", "text/json"):
        response = await room.bob.http.post("/api/v4/posts", content=raw, headers=room.auth(**{"Content-Type": content_type}))
        check_error(response, 415, WRONG_CONTENT_TYPE)
    multipart = await room.bob.http.post("/api/v4/posts", data={"channel_id": room.cid, "message": "hello"}, files={"f": ("a.txt", b"x")}, headers=room.auth())
    check_error(multipart, 415, WRONG_CONTENT_TYPE)
    login = await room.bob.http.post("/api/v4/users/login", data={"login_id": "bob", "password": PASSWORD})
    check_error(login, 415, WRONG_CONTENT_TYPE)
    assert await post_count(services) == before
    # A charset parameter, or no Content-Type at all (some scripts omit it), is still JSON.
    ok = await room.bob.http.post("/api/v4/posts", content=raw, headers=room.auth(**{"Content-Type": "application/json; charset=utf-8"}))
    assert ok.status_code == 201
    bare = httpx.Request("POST", "http://testserver/api/v4/posts", content=raw, headers=room.auth())
    assert "content-type" not in bare.headers
    assert (await room.bob.http.send(bare)).status_code == 201


MALFORMED = [
    b"",
    b"   ",
    b"{",
    b'{"channel_id": ',
    b"{'message': 'single quotes'}",
    b'{"message": "a",}',
    b"not json",
    b"\xff\xfe{}",
    b'{"message": "\xc3\x28"}',  # invalid UTF-8
    b'{"message": NaN}',
    b'{"message": Infinity}',
    b'{"message": "x"} {"message": "y"}',
    b"[" * 50_000 + b"]" * 50_000,  # deep nesting
    b'{"a":' * 10_000 + b"1" + b"}" * 10_000,
]


async def test_malformed_json_is_a_400(room: Room, services: Services) -> None:
    before = await post_count(services)
    for raw in MALFORMED:
        response = await room.bob.http.post("/api/v4/posts", content=raw, headers=room.auth(**{"Content-Type": "application/json"}))
        check_error(response, 400)
        response = await room.bob.http.put("/api/v4/users/me/patch", content=raw, headers=room.auth(**{"Content-Type": "application/json"}))
        check_error(response, 400)
        response = await room.bob.http.post("/api/v4/users/login", content=raw, headers={"Content-Type": "application/json"})
        check_error(response, 400)
    assert await post_count(services) == before


async def test_duplicate_keys_are_refused(room: Room, services: Services) -> None:
    before = await post_count(services)
    cases = [
        ("POST", "/api/v4/posts", f'{{"channel_id": "{room.cid}", "message": "harmless", "message": "smuggled"}}'),
        ("POST", "/api/v4/posts", f'{{"channel_id": "{room.cid}", "message": "x", "props": {{"a": 1, "a": 2}}}}'),
        ("PUT", "/api/v4/users/me/patch", '{"nickname": "a", "nickname": "b"}'),
        ("POST", "/api/v4/users/login", f'{{"login_id": "bob", "password": "{PASSWORD}", "login_id": "admin"}}'),
    ]
    for method, path, raw in cases:
        response = await room.bob.http.request(method, path, content=raw.encode(), headers=room.auth(**{"Content-Type": "application/json"}))
        body = check_error(response, 400, INVALID_BODY)
        assert "Duplicate" in body["message"]
    assert await post_count(services) == before
    assert (await user_row(services, room.bob.id)).nickname == ""


async def test_wrong_json_shapes_are_a_400(room: Room, services: Services) -> None:
    before = await post_count(services)
    object_expected = [
        ("POST", "/api/v4/posts"),
        ("PUT", "/api/v4/users/me/patch"),
        ("POST", "/api/v4/users/login"),
        ("POST", "/api/v4/users"),
        ("PUT", "/api/v4/users/me/password"),
        ("POST", "/api/v4/users/search"),
        ("POST", "/api/v4/users/me/tokens"),
        ("POST", "/api/v4/channels"),
        ("POST", "/api/v4/teams"),
    ]
    for method, path in object_expected:
        for value in ([{"channel_id": room.cid, "message": "x"}], "a string", 42, None, True):
            response = await room.bob.http.request(method, path, json=value, headers=room.auth())
            check_error(response, 400)
    assert await post_count(services) == before


@pytest.mark.parametrize("path", ["/api/v4/users/ids", "/api/v4/users/usernames", "/api/v4/users/status/ids", "/api/v4/roles/names", "/api/v4/posts/ids"])
async def test_wrong_shapes_where_a_list_of_strings_belongs(room: Room, app: Any, path: str) -> None:
    if not implemented(app, "POST", path):
        pytest.skip(f"not implemented in Kafana yet: POST {path}")
    for value in ({"ids": [room.bob.id]}, "abc", 1, [1, 2], [{"$ne": None}], [None], [["nested"]]):
        response = await room.bob.http.post(path, json=value, headers=room.auth())
        check_error(response, 400)


async def test_operators_and_wrong_types_where_strings_belong(room: Room, app: Any, services: Services) -> None:
    target = await room.bob.post("/posts", {"channel_id": room.cid, "message": "react to me"}, expect=201)
    preferences = await room.bob.get("/users/me/preferences") if implemented(app, "GET", "/api/v4/users/{user_id}/preferences") else None
    before = await post_count(services)
    for value in HOSTILE_VALUES:
        # Logging in with a query operator must not log anybody in.
        for body in ({"login_id": value, "password": PASSWORD}, {"login_id": "bob", "password": value}, {"id": value, "password": PASSWORD}):
            response = await room.bob.http.post("/api/v4/users/login", json=body)
            check_error(response, 400)
            assert "token" not in response.headers
        response = await room.bob.http.post("/api/v4/users/mfa", json={"login_id": value})
        check_error(response, 400)
        for field in ("channel_id", "message", "root_id", "pending_post_id"):
            body = {"channel_id": room.cid, "message": "hi", field: value}
            check_error(await room.bob.http.post("/api/v4/posts", json=body, headers=room.auth()), 400)
        for field in ("nickname", "first_name", "last_name", "position", "username", "email", "locale"):
            check_error(await room.bob.http.put("/api/v4/users/me/patch", json={field: value}, headers=room.auth()), 400)
        check_error(await room.bob.http.post("/api/v4/users/search", json={"term": value}, headers=room.auth()), 400)
        check_error(await room.bob.http.put("/api/v4/users/me/password", json={"current_password": PASSWORD, "new_password": value}, headers=room.auth()), 400)
        check_error(await room.bob.http.post("/api/v4/users/me/tokens", json={"description": value}, headers=room.auth()), 400)
        await check_newer_endpoints(room, app, target["id"], value)
    for field, value in (("file_ids", "abc"), ("file_ids", [1]), ("props", ["a"]), ("props", "a"), ("create_at", "yesterday"), ("create_at", 2**80)):
        check_error(await room.bob.http.post("/api/v4/posts", json={"channel_id": room.cid, "message": "hi", field: value}, headers=room.auth()), 400)
    check_error(await room.bob.http.put(f"/api/v4/users/{room.bob.id}/active", json={"active": "false"}, headers=room.auth()), 400)
    assert await post_count(services) == before
    row = await user_row(services, room.bob.id)
    assert (row.nickname, row.first_name, row.username, row.email, row.locale, row.delete_at) == ("", "", "bob", "bob@example.com", "en", 0)
    assert (await room.bob.http.post("/api/v4/users/login", json={"login_id": "bob", "password": PASSWORD})).status_code == 200
    assert not (await room.bob.get(f"/posts/{target['id']}"))["metadata"].get("reactions")
    if preferences is not None:
        assert await room.bob.get("/users/me/preferences") == preferences


async def check_newer_endpoints(room: Room, app: Any, post_id: str, value: Any) -> None:
    """Reactions, preferences and statuses: the same rule (skipped where a route does not exist yet)."""
    bob = room.bob
    cases = [
        ("POST", "/api/v4/reactions", {"user_id": bob.id, "post_id": post_id, "emoji_name": value}),
        ("POST", "/api/v4/reactions", {"user_id": bob.id, "post_id": value, "emoji_name": "smile"}),
        ("PUT", "/api/v4/users/me/preferences", [{"user_id": bob.id, "category": value, "name": "n", "value": "v"}]),
        ("PUT", "/api/v4/users/me/preferences", [{"user_id": bob.id, "category": "display_settings", "name": "n", "value": value}]),
        ("PUT", "/api/v4/users/me/preferences", {"user_id": bob.id, "category": "display_settings", "name": "n", "value": "v"}),
        ("PUT", "/api/v4/users/me/status", {"user_id": bob.id, "status": value}),
    ]
    for method, path, body in cases:
        if implemented(app, method, path.replace("/me/", "/{user_id}/")):
            check_error(await bob.http.request(method, path, json=body, headers=room.auth()), 400)


async def test_signup_with_wrong_types_creates_nobody(admin: Api, anon: Api, services: Services) -> None:
    async with services.db.read() as db:
        before = int((await db.execute(select(func.count()).select_from(User))).scalar_one())
    base = {"username": "carol", "email": "carol@example.com", "password": PASSWORD}
    for field in ("username", "email", "password", "nickname", "first_name", "last_name", "position", "locale"):
        for value in HOSTILE_VALUES:
            response = await anon.http.post("/api/v4/users", json={**base, field: value})
            check_error(response, 400)
    async with services.db.read() as db:
        assert int((await db.execute(select(func.count()).select_from(User))).scalar_one()) == before


async def test_null_where_a_string_is_required(room: Room, services: Services) -> None:
    before = await post_count(services)
    check_error(await room.bob.http.post("/api/v4/posts", json={"channel_id": None, "message": "hi"}, headers=room.auth()), 400)
    response = await room.bob.http.post("/api/v4/users/login", json={"login_id": None, "password": None})
    assert response.status_code in (400, 401) and "token" not in response.headers
    check_error(response, response.status_code)
    check_error(await room.bob.http.put("/api/v4/users/me/password", json={"current_password": PASSWORD, "new_password": None}, headers=room.auth()), 400)
    assert await post_count(services) == before


async def test_text_that_databases_choke_on(room: Room, services: Services) -> None:
    """NUL bytes, lone surrogates and control characters are cleaned or refused, never a 500."""
    json_headers = room.auth(**{"Content-Type": "application/json"})
    for text in ("a\u0000b", "\ud800", "x\udfffy", "\u0007bell\u001b[31m", "\u202eevil"):
        # json.dumps escapes (\\ud800): the bytes on the wire are valid UTF-8, the decoded string is not encodable.
        raw = json.dumps({"channel_id": room.cid, "message": text, "props": {"k": text}}).encode()
        response = await room.bob.http.post("/api/v4/posts", content=raw, headers=json_headers)
        assert response.status_code in (201, 400), (text, response.status_code, response.text[:200])
        if response.status_code == 201:
            stored = (await room.bob.get(f"/posts/{response.json()['id']}"))["message"]
            assert "\u0000" not in stored and "\u0007" not in stored
            stored.encode("utf-8")  # no lone surrogate survived
        else:
            check_error(response, 400)
        raw = json.dumps({"nickname": text, "props": {text: text}}).encode()
        response = await room.bob.http.put("/api/v4/users/me/patch", content=raw, headers=json_headers)
        assert response.status_code in (200, 400), (text, response.status_code, response.text[:200])
        if response.status_code == 400:
            check_error(response, 400)
    (await room.bob.get("/users/me"))["nickname"].encode("utf-8")


async def test_numbers_no_database_can_hold_are_refused_anywhere_in_the_body(room: Room, services: Services) -> None:
    """A 2**80 inside post props used to be stored, then every read of the channel's history was a 500."""
    before = await post_count(services)
    history = (await room.bob.get(f"/channels/{room.cid}/posts"))["order"]
    for number in (b"99999999999999999999999", b"-9223372036854775809", b"1e400", b"-1e400", b"9" * 5000):
        raw = b'{"channel_id": "%s", "message": "x", "props": {"n": %s}}' % (room.cid.encode(), number)
        response = await room.bob.http.post("/api/v4/posts", content=raw, headers=room.auth(**{"Content-Type": "application/json"}))
        check_error(response, 400, INVALID_BODY)
        raw = b'{"props": {"n": %s}, "notify_props": {"push": [%s]}}' % (number, number)
        check_error(await room.bob.http.put("/api/v4/users/me/patch", content=raw, headers=room.auth(**{"Content-Type": "application/json"})), 400)
    assert await post_count(services) == before
    assert (await room.bob.get(f"/channels/{room.cid}/posts"))["order"] == history
    # The largest 64-bit values are fine.
    edge = b'{"channel_id": "%s", "message": "x", "props": {"n": 9223372036854775807, "m": -9223372036854775808, "f": 1e308}}' % room.cid.encode()
    response = await room.bob.http.post("/api/v4/posts", content=edge, headers=room.auth(**{"Content-Type": "application/json"}))
    assert response.status_code == 201, response.text
    assert (await room.bob.get(f"/channels/{room.cid}/posts"))["order"] == [response.json()["id"], *history]


async def test_huge_numbers_are_refused_not_crashing(room: Room) -> None:
    admin = room.admin
    for value in (2**63, -(2**63) - 1, 10**30):
        response = await admin.http.post(
            "/api/v4/posts", json={"channel_id": room.cid, "message": "x", "create_at": value}, headers={"Authorization": f"Bearer {admin.token}"}
        )
        check_error(response, 400)
    for query in ("page=99999999999999999999", "per_page=99999999999999999999", "page=-99999999999999999999", "page=1e3", "page=abc", "active=maybe"):
        response = await room.bob.http.get(f"/api/v4/users?{query}", headers=room.auth())
        assert response.status_code in (200, 400), (query, response.status_code, response.text[:200])
        if response.status_code == 400:
            check_error(response, 400)
    check_error(await room.bob.http.get("/api/v4/users?page=abc", headers=room.auth()), 400, INVALID_PARAM)


# D11 injection in lookups --------------------------------------------------------------------------------

INJECTIONS = ['" OR 1=1 --', "' OR '1'='1", "%", "_", "%%", "b%", "*", "\\", "bob' --", "admin'/*", "%00", "$ne", "{}", "[]"]


async def test_injection_strings_find_nothing_extra(room: Room, anon: Api) -> None:
    await anon.signup("b_b")
    await anon.signup("bxb")
    bob = room.bob
    for term in INJECTIONS:
        await bob.get(f"/users/username/{quote(term, safe='')}", expect=404)
        assert await bob.post("/users/usernames", [term]) == []
        assert await bob.post("/users/search", {"term": term}) == [], term
        found = await bob.get("/users/autocomplete", params={"name": term})
        assert found == {"users": [], "out_of_channel": []}, term
        response = await bob.http.post("/api/v4/users/login", json={"login_id": term, "password": PASSWORD})
        check_error(response, 401, "api.user.login.invalid_credentials_email_username")
        await room.admin.get(f"/users/email/{quote(term + '@example.com', safe='@')}", expect=404)
    # A NUL character in the URL is refused outright (PostgreSQL cannot even compare with it).
    for path in ("/users/username/%00", "/users/autocomplete?name=%00", "/users/email/a%00@example.com", f"/users/{bob.id}%00"):
        check_error(await bob.http.get("/api/v4" + path, headers={"Authorization": f"Bearer {bob.token}"}), 400, INVALID_URL_PARAM)
    # LIKE wildcards are literal: "b_b" finds b_b only, not bxb.
    assert [u["username"] for u in await bob.post("/users/search", {"term": "b_b"})] == ["b_b"]
    assert [u["username"] for u in await bob.post("/users/search", {"term": "bo"})] == ["bob"]


async def test_injection_in_query_parameters(room: Room) -> None:
    for query in ("since=1%20OR%201=1", "page=0;DROP%20TABLE%20posts", "before=%27%20OR%201=1", "after=%25"):
        response = await room.bob.http.get(f"/api/v4/channels/{room.cid}/posts?{query}", headers=room.auth())
        assert response.status_code in (200, 400), (query, response.status_code, response.text[:200])
        if response.status_code == 400:
            check_error(response, 400)
        else:
            assert response.json()["order"] == []
    for query in ("in_channel=%27%20OR%201=1--", "in_team=%25", "not_in_channel=_"):
        response = await room.bob.http.get(f"/api/v4/users?{query}", headers=room.auth())
        assert response.status_code in (400, 404), (query, response.status_code, response.text[:200])
        check_error(response, response.status_code)
    # Nor may a user list the members of a team they are not in.
    check_error(await room.bob.http.get(f"/api/v4/users?in_team={new_id()}", headers=room.auth()), 404)


# D4 field maximums ---------------------------------------------------------------------------------------

USER_FIELD_MAX = {"nickname": 64, "first_name": 64, "last_name": 64, "position": 128}


async def test_profile_fields_have_maximums(room: Room, services: Services) -> None:
    bob = room.bob
    for field, limit in USER_FIELD_MAX.items():
        for char in ("a", "😀"):
            ok = await bob.put("/users/me/patch", {field: char * limit})
            assert ok[field] == char * limit
            response = await bob.http.put("/api/v4/users/me/patch", json={field: char * (limit + 1)}, headers=room.auth())
            check_error(response, 400, f"model.user.is_valid.{field}.app_error")
            assert getattr(await user_row(services, bob.id), field) == char * limit
    for field, value in (("username", "b" * 65), ("email", "b" * 120 + "@example.com"), ("locale", "en-US-x")):
        check_error(await bob.http.put("/api/v4/users/me/patch", json={field: value}, headers=room.auth()), 400)
    assert await bob.put("/users/me/patch", {"username": "b" * 64}) is not None
    too_many = {f"k{i}": "v" for i in range(65)}
    check_error(await bob.http.put("/api/v4/users/me/patch", json={"props": too_many}, headers=room.auth()), 400)
    huge_notify = {f"k{i}": "v" for i in range(5000)}
    check_error(await bob.http.put("/api/v4/users/me/patch", json={"notify_props": huge_notify}, headers=room.auth()), 400)
    assert len((await user_row(services, bob.id)).notify_props) < 100


async def test_signup_fields_have_maximums(admin: Api, anon: Api) -> None:
    for field, limit in USER_FIELD_MAX.items():
        response = await anon.http.post(
            "/api/v4/users", json={"username": "carol", "email": "carol@example.com", "password": PASSWORD, field: "a" * (limit + 1)}
        )
        check_error(response, 400, f"model.user.is_valid.{field}.app_error")
    response = await anon.http.post("/api/v4/users", json={"username": "carol", "email": "carol@example.com", "password": PASSWORD, "locale": "de-DE-x"})
    check_error(response, 400)
    await anon.post(
        "/users", {"username": "carol", "email": "carol@example.com", "password": PASSWORD, **{k: "a" * v for k, v in USER_FIELD_MAX.items()}}, expect=201
    )


async def test_team_and_channel_fields_have_maximums(room: Room) -> None:
    admin = room.admin
    tid = room.team["id"]
    for field, limit in (("display_name", 64), ("purpose", 250), ("header", 1024)):
        body = {"team_id": tid, "name": f"c-{field.replace('_', '-')}", "display_name": "Fine", "type": "O", field: "x" * (limit + 1)}
        check_error(await admin.http.post("/api/v4/channels", json=body, headers={"Authorization": f"Bearer {admin.token}"}), 400)
        patched = await admin.put(f"/channels/{room.cid}/patch", {field: "y" * limit})
        assert patched[field] == "y" * limit
        response = await admin.http.put(
            f"/api/v4/channels/{room.cid}/patch", json={field: "z" * (limit + 1)}, headers={"Authorization": f"Bearer {admin.token}"}
        )
        check_error(response, 400)
        assert (await admin.get(f"/channels/{room.cid}"))[field] == "y" * limit
    check_error(
        await admin.http.post(
            "/api/v4/channels", json={"team_id": tid, "name": "n" * 65, "display_name": "x", "type": "O"}, headers={"Authorization": f"Bearer {admin.token}"}
        ),
        400,
    )
    for field, limit in (("display_name", 64), ("description", 255)):
        body = {"name": "other-team", "display_name": "Fine", "type": "O", field: "x" * (limit + 1)}
        check_error(await admin.http.post("/api/v4/teams", json=body, headers={"Authorization": f"Bearer {admin.token}"}), 400)
        response = await admin.http.put(f"/api/v4/teams/{tid}/patch", json={field: "x" * (limit + 1)}, headers={"Authorization": f"Bearer {admin.token}"})
        check_error(response, 400)


# Unknown and malformed ids, routes and methods ---------------------------------------------------------------

BAD_IDS = ["not-an-id", "a" * 25, "a" * 27, "A" * 26, "é" * 26, "a" * 25 + "!", "%00", "a" * 5000, "..%2F..%2Fetc%2Fpasswd"]


async def test_malformed_ids_in_urls_are_400_and_unknown_ones_404(room: Room) -> None:
    bob = room.bob
    templates = [
        ("GET", "/users/{}", "app.user.get.app_error"),
        ("GET", "/posts/{}", "app.post.get.app_error"),
        ("GET", "/posts/{}/thread", "app.post.get.app_error"),
        ("GET", "/channels/{}/posts", "app.channel.get.app_error"),
        ("GET", "/channels/{}", "app.channel.get.app_error"),
        ("GET", "/teams/{}", "app.team.get.app_error"),
        ("PUT", "/posts/{}/patch", "app.post.get.app_error"),
        ("DELETE", "/posts/{}", "app.post.get.app_error"),
    ]
    for method, template, missing_id in templates:
        for bad in BAD_IDS:
            response = await bob.http.request(method, "/api/v4" + template.format(bad), json={"message": "x"} if method == "PUT" else None, headers=room.auth())
            assert response.status_code in (400, 404), (method, template, bad, response.status_code)
            check_error(response, response.status_code)
        response = await bob.http.request(
            method, "/api/v4" + template.format(new_id()), json={"message": "x"} if method == "PUT" else None, headers=room.auth()
        )
        check_error(response, 404, missing_id)
        response = await bob.http.request(
            method, "/api/v4" + template.format("not-an-id"), json={"message": "x"} if method == "PUT" else None, headers=room.auth()
        )
        check_error(response, 400, INVALID_URL_PARAM)


async def test_unknown_routes_are_404_json(room: Room) -> None:
    for method, path in (
        ("GET", "/api/v4/nope"),
        ("POST", "/api/v4/nope"),
        ("GET", "/api/v4/users/me/nope/deeper"),
        ("GET", "/api/v5/users/me"),
        ("GET", "/api/v4/"),
        ("DELETE", "/api/v4/users/me/preferences/nope/deeper/still"),
    ):
        for headers in ({}, room.auth()):
            body = check_error(await room.bob.http.request(method, path, headers=headers), 404, "api.context.404.app_error")
            assert "Traceback" not in body["message"]


async def test_wrong_method_is_405_json(room: Room) -> None:
    for method, path in (
        ("DELETE", "/api/v4/system/ping"),
        ("PATCH", "/api/v4/users/me"),
        ("GET", "/api/v4/posts"),
        ("PATCH", "/api/v4/users/login"),
        ("PUT", "/api/v4/posts"),
        ("POST", "/api/v4/users/me"),
    ):
        response = await room.bob.http.request(method, path, headers=room.auth())
        check_error(response, 405, "api.context.405.app_error")
        assert response.headers.get("allow"), response.headers


async def test_errors_without_authentication_carry_the_headers(anon: Api) -> None:
    for headers in (
        {},
        {"Authorization": "Bearer " + new_id()},
        {"Authorization": "Bearer"},
        {"Authorization": "Basic YWRtaW46YWRtaW4="},
        {"Authorization": "Bearer " + "x" * 10_000},
    ):
        check_error(await anon.http.get("/api/v4/users/me", headers=headers), 401, "api.context.session_expired.app_error")


async def test_out_of_range_timestamps_are_a_400(anon: Api) -> None:
    alice = await anon.signup("alice")
    team = await alice.post("/teams", {"name": "tsteam", "display_name": "TS", "type": "O"}, expect=201)
    channel = await alice.get(f"/teams/{team['id']}/channels/name/town-square")
    for path in (f"/channels/{channel['id']}/posts?since={10**20}", f"/channels/{channel['id']}/posts?since=-1"):
        error = await alice.get(path, expect=400)
        assert error["id"] == "api.context.invalid_param.app_error"
    assert (await alice.get(f"/channels/{channel['id']}/posts?since={2**62}"))["order"] == []


async def test_wrong_types_in_team_and_channel_fields_are_a_400(anon: Api) -> None:
    alice = await anon.signup("alice")
    await alice.post("/teams", {"name": "wt", "display_name": "WT", "type": "O", "email": {"$ne": None}}, expect=400)
    await alice.post("/teams", {"name": "wt", "display_name": "WT", "type": "O", "invite_id": ["x"]}, expect=400)
    team = await alice.post("/teams", {"name": "wt", "display_name": "WT", "type": "O"}, expect=201)
    await alice.put(f"/teams/{team['id']}/patch", {"name": 7}, expect=400)
    channel = await alice.get(f"/teams/{team['id']}/channels/name/off-topic")
    await alice.put(f"/channels/{channel['id']}/patch", {"type": 7}, expect=400)
    assert (await alice.get(f"/teams/{team['id']}"))["name"] == "wt"
    assert (await alice.get(f"/channels/{channel['id']}"))["type"] == "O"
