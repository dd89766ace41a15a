"""Security and authorization (docs: ../shared/reference/reliability.md S1, S3-S5, A14-A16, D15).

Every refusal is checked for Mattermost's error JSON (`check_error_shape`), and for what it must not do:
the stored rows stay as they were. Time is simulated (a patched clock), never waited for.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from kafana.actions import auth as auth_actions
from kafana.actions import users as users_actions
from kafana.actions.context import Services
from kafana.api.middleware import RateLimiter, RateLimitMiddleware
from kafana.lib.ids import new_id
from kafana.models import AccessToken, Session, User
from kafana.models.actor import SYSTEM
from tests.helpers import PASSWORD, Api, check_error_shape

LOCKED = "api.user.check_user_login_attempts.too_many.app_error"
BAD_CREDENTIALS = "api.user.login.invalid_credentials_email_username"
SESSION_EXPIRED = "api.context.session_expired.app_error"
FORBIDDEN = "api.context.permissions.app_error"
DAY_MS = 86_400_000


async def login_raw(http: httpx.AsyncClient, login_id: str, password: str, **headers: str) -> httpx.Response:
    return await http.post("/api/v4/users/login", json={"login_id": login_id, "password": password}, headers=headers)


def error_of(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.text)
    check_error_shape(response)
    body: dict[str, Any] = response.json()
    return body


async def user_row(services: Services, user_id: str) -> User:
    async with services.db.read() as db:
        user = await db.get(User, user_id)
    assert user is not None
    return user


async def count_rows(services: Services, model: Any, **where: Any) -> int:
    async with services.db.read() as db:
        stmt = select(func.count()).select_from(model)
        for key, value in where.items():
            stmt = stmt.where(getattr(model, key) == value)
        return int((await db.execute(stmt)).scalar_one())


def snapshot(user: User) -> dict[str, Any]:
    """The columns no client request may change behind the server's back."""
    return {
        k: getattr(user, k)
        for k in (
            "id",
            "create_at",
            "delete_at",
            "username",
            "email",
            "email_verified",
            "password",
            "roles",
            "mfa_active",
            "mfa_secret",
            "auth_service",
            "auth_data",
            "is_bot",
            "failed_attempts",
            "last_password_update",
        )
    }


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[int], None]:
    """Move the authentication clock forward by `ms` (sessions, idle timeout, the auth cache all read it)."""
    offset = [0]
    real = auth_actions.now_ms
    monkeypatch.setattr(auth_actions, "now_ms", lambda: real() + offset[0])

    def advance(ms: int) -> None:
        offset[0] += ms

    return advance


@pytest.fixture
async def other_address(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A client on another address than the `http` fixture's 127.0.0.1."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=("10.9.8.7", 4444))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


# S1 brute force -------------------------------------------------------------------------------------------


async def test_account_locks_after_ten_wrong_passwords(admin: Api, anon: Api, services: Services) -> None:
    bob = await anon.signup("bob")
    for attempt in range(10):
        wrong = error_of(await login_raw(anon.http, "bob", f"wrong-password-{attempt}"), 401)
        assert wrong["id"] == BAD_CREDENTIALS
    assert (await user_row(services, bob.id)).failed_attempts == 10
    # The 11th attempt is refused as locked, and so is the right password from now on.
    assert error_of(await login_raw(anon.http, "bob", "wrong-again"), 401)["id"] == LOCKED
    assert error_of(await login_raw(anon.http, "bob", PASSWORD), 401)["id"] == LOCKED
    assert error_of(await login_raw(anon.http, "bob@example.com", PASSWORD), 401)["id"] == LOCKED
    assert (await user_row(services, bob.id)).failed_attempts == 10
    # Sessions opened before the lockout keep working; an admin resetting the password unlocks the account.
    await bob.get("/users/me")
    await admin.put(f"/users/{bob.id}/password", {"new_password": "a-brand-new-secret"})
    assert (await login_raw(anon.http, "bob", "a-brand-new-secret")).status_code == 200
    assert (await user_row(services, bob.id)).failed_attempts == 0


async def test_unknown_user_gets_the_same_answer_as_a_wrong_password(anon: Api) -> None:
    await anon.signup("bob")
    wrong = error_of(await login_raw(anon.http, "bob", "not-his-password"), 401)
    unknown = error_of(await login_raw(anon.http, "nobody", "not-his-password"), 401)
    unknown_email = error_of(await login_raw(anon.http, "nobody@example.com", "not-his-password"), 401)
    unknown_id = error_of(await anon.http.post("/api/v4/users/login", json={"id": new_id(), "password": "x" * 10}), 401)
    for other in (unknown, unknown_email, unknown_id):
        assert {k: v for k, v in other.items() if k != "request_id"} == {k: v for k, v in wrong.items() if k != "request_id"}


async def test_successful_login_resets_the_failure_counter(anon: Api, services: Services) -> None:
    bob = await anon.signup("bob")
    for _ in range(9):
        await login_raw(anon.http, "bob", "wrong-password")
    assert (await login_raw(anon.http, "bob", PASSWORD)).status_code == 200
    assert (await user_row(services, bob.id)).failed_attempts == 0
    for _ in range(9):
        await login_raw(anon.http, "bob", "wrong-password")
    assert (await login_raw(anon.http, "bob", PASSWORD)).status_code == 200


async def test_one_address_guessing_across_many_accounts_is_throttled(anon: Api, services: Services, other_address: httpx.AsyncClient) -> None:
    names = [f"user{i}" for i in range(10)]
    for name in names:
        await anon.post("/users", {"username": name, "email": f"{name}@example.com", "password": PASSWORD}, expect=201)
    statuses = []
    for attempt in range(100):
        response = await login_raw(anon.http, names[attempt % len(names)], f"guess-{attempt}")
        statuses.append(response.status_code)
        if response.status_code == 429:
            body = response.json()
            assert response.headers["content-type"] == "application/json"
            assert body["id"] == "api.user.login.throttled.app_error" and body["status_code"] == 429
    assert set(statuses) == {401, 429}
    first_throttled = statuses.index(429)
    assert 10 < first_throttled <= 50 and set(statuses[first_throttled:]) == {429}
    # No single account reached its own lockout, and the throttled guesses never reached the database.
    async with services.db.read() as db:
        counts = list((await db.execute(select(User.failed_attempts).where(User.username.in_(names)))).scalars())
    assert sum(counts) == first_throttled and max(counts) < 10
    # Even the right password is refused from that address; the account owner elsewhere is not affected.
    assert (await login_raw(anon.http, "user0", PASSWORD)).status_code == 429
    assert (await login_raw(other_address, "user0", PASSWORD)).status_code == 200


# S3 passwords -------------------------------------------------------------------------------------------

WEAK_PASSWORDS = [
    ("seven77", "model.user.is_valid.pwd_length.app_error"),
    ("x" * 257, "model.user.is_valid.pwd_max_length.app_error"),
    ("é" * 257, "model.user.is_valid.pwd_max_length.app_error"),
    ("password", "model.user.is_valid.pwd_common.app_error"),
    ("PassWord1", "model.user.is_valid.pwd_common.app_error"),
    # From the shipped top-10k list (not in any earlier hand-made list):
    ("corvette", "model.user.is_valid.pwd_common.app_error"),
    ("q1w2e3r4t5", "model.user.is_valid.pwd_common.app_error"),
]


async def test_signup_refuses_weak_passwords_with_a_reason(admin: Api, anon: Api, services: Services) -> None:
    before = await count_rows(services, User)
    messages = set()
    for password, error_id in WEAK_PASSWORDS:
        response = await anon.http.post("/api/v4/users", json={"username": "carol", "email": "carol@example.com", "password": password})
        body = error_of(response, 400)
        assert body["id"] == error_id, (password, body)
        messages.add(body["message"])
    assert len(messages) == 3  # too short, too long, too common: three explicit reasons
    assert await count_rows(services, User) == before
    # The limits themselves are accepted: 8 characters, and 256 (512 bytes here), with no silent truncation:
    # the last character counts (bcrypt would have ignored everything after byte 72).
    await anon.signup("carol", password="8chars!x")
    longest = "é" * 256
    dave = await anon.signup("dave", password=longest)
    assert (await login_raw(anon.http, "dave", longest[:-1] + "e")).status_code == 401
    await dave.get("/users/me")


async def test_password_change_refuses_weak_passwords_and_keeps_the_old_one(anon: Api, services: Services) -> None:
    bob = await anon.signup("bob")
    stored = (await user_row(services, bob.id)).password
    for password, error_id in WEAK_PASSWORDS:
        body = await bob.put("/users/me/password", {"current_password": PASSWORD, "new_password": password}, expect=400)
        assert body["id"] == error_id
    assert (await user_row(services, bob.id)).password == stored
    wrong_current = await bob.put("/users/me/password", {"current_password": "not-it-at-all", "new_password": "fine-new-secret"}, expect=400)
    assert wrong_current["id"] == "api.user.check_user_password.invalid.app_error"
    assert (await user_row(services, bob.id)).password == stored
    assert (await login_raw(anon.http, "bob", PASSWORD)).status_code == 200


# S4 sessions --------------------------------------------------------------------------------------------


async def test_token_is_dead_after_logout(anon: Api, services: Services) -> None:
    bob = await anon.signup("bob")
    other = await anon.login("bob")
    assert await count_rows(services, Session, user_id=bob.id) == 2
    await bob.post("/users/logout")
    assert (await bob.get("/users/me", expect=401))["id"] == SESSION_EXPIRED
    assert await count_rows(services, Session, user_id=bob.id) == 1
    await other.get("/users/me")  # logging out ends only that session


async def test_password_change_ends_the_other_sessions(anon: Api, services: Services) -> None:
    phone = await anon.signup("bob")
    laptop = await anon.login("bob")
    tablet = await anon.login("bob")
    await phone.put("/users/me/password", {"current_password": PASSWORD, "new_password": "a-brand-new-secret"})
    for stale in (laptop, tablet):
        assert (await stale.get("/users/me", expect=401))["id"] == SESSION_EXPIRED
    assert (await phone.get("/users/me"))["id"] == phone.id
    assert await count_rows(services, Session, user_id=phone.id) == 1
    assert (await login_raw(anon.http, "bob", PASSWORD)).status_code == 401
    assert (await login_raw(anon.http, "bob", "a-brand-new-secret")).status_code == 200


async def test_admin_password_reset_ends_all_of_the_users_sessions(admin: Api, anon: Api) -> None:
    bob = await anon.signup("bob")
    await admin.put(f"/users/{bob.id}/password", {"new_password": "a-brand-new-secret"})
    await bob.get("/users/me", expect=401)
    await admin.get("/users/me")


async def test_session_expires_after_its_length(anon: Api, clock: Callable[[int], None]) -> None:
    bob = await anon.signup("bob")
    clock(29 * DAY_MS)
    await bob.get("/users/me")
    clock(2 * DAY_MS)  # 31 days after login: activity does not extend past the session length
    assert (await bob.get("/users/me", expect=401))["id"] == SESSION_EXPIRED
    fresh = await anon.login("bob")
    await fresh.get("/users/me")


@pytest.mark.parametrize("settings_overrides", [{"session_length_days": 1}])
async def test_session_length_setting(anon: Api, clock: Callable[[int], None]) -> None:
    bob = await anon.signup("bob")
    clock(23 * 3_600_000)
    await bob.get("/users/me")
    clock(2 * 3_600_000)
    await bob.get("/users/me", expect=401)


async def test_session_expired_in_the_database_is_refused(anon: Api, services: Services, clock: Callable[[int], None]) -> None:
    bob = await anon.signup("bob")
    await bob.get("/users/me")
    async with services.db.write() as uow:
        row = (await uow.session.execute(select(Session).where(Session.user_id == bob.id))).scalar_one()
        row.expires_at = auth_actions.now_ms() - 1
    clock(60_000)  # past the 30-second authentication cache
    assert (await bob.get("/users/me", expect=401))["id"] == SESSION_EXPIRED


@pytest.mark.parametrize("settings_overrides", [{"session_idle_timeout_minutes": 60}])
async def test_idle_session_times_out_but_activity_keeps_it_alive(anon: Api, clock: Callable[[int], None]) -> None:
    bob = await anon.signup("bob")
    busy = await anon.login("bob")
    for _ in range(4):  # used every 50 minutes for over three hours: still alive
        clock(50 * 60_000)
        await busy.get("/users/me")
    # `bob` has not been used since login, over three hours ago.
    assert (await bob.get("/users/me", expect=401))["id"] == SESSION_EXPIRED
    clock(61 * 60_000)
    await busy.get("/users/me", expect=401)


async def test_each_login_gets_a_new_token(anon: Api) -> None:
    await anon.signup("bob")
    tokens = {(await anon.login("bob")).token for _ in range(5)}
    assert len(tokens) == 5 and all(len(t) == 26 for t in tokens)
    # Logging in while holding a session cookie does not reuse it (no session fixation).
    cookies = await cookie_login(anon.http, "bob")
    again = await anon.http.post(
        "/api/v4/users/login", json={"login_id": "bob", "password": PASSWORD}, headers={"Cookie": cookie_header(cookies), "X-Requested-With": "XMLHttpRequest"}
    )
    anon.http.cookies.clear()
    assert again.status_code == 200 and again.headers["Token"] not in tokens | {cookies["MMAUTHTOKEN"]}


# S5 CSRF ------------------------------------------------------------------------------------------------


async def cookie_login(http: httpx.AsyncClient, login_id: str, password: str = PASSWORD) -> dict[str, str]:
    """Log in as the web app does (X-Requested-With) and return the cookies, keeping none in the client."""
    response = await login_raw(http, login_id, password, **{"X-Requested-With": "XMLHttpRequest"})
    assert response.status_code == 200, response.text
    cookies = {name: response.cookies[name] for name in ("MMAUTHTOKEN", "MMUSERID", "MMCSRF")}
    http.cookies.clear()
    assert cookies["MMAUTHTOKEN"] == response.headers["Token"] and len(cookies["MMCSRF"]) == 26
    return cookies


def cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


async def test_cookie_requests_need_the_csrf_token(anon: Api, services: Services) -> None:
    bob = await anon.signup("bob")
    cookies = await cookie_login(anon.http, "bob")
    jar = {"Cookie": cookie_header(cookies)}
    before = snapshot(await user_row(services, bob.id))
    attempts = [
        ("PUT", "/api/v4/users/me/patch", {"nickname": "pwned"}),
        ("PUT", "/api/v4/users/me/password", {"current_password": PASSWORD, "new_password": "attacker-chosen-1"}),
        ("POST", f"/api/v4/users/{bob.id}/tokens", {"description": "backdoor"}),
        ("DELETE", "/api/v4/users/me", None),
        ("PUT", f"/api/v4/users/{bob.id}/active", {"active": False}),
    ]
    forged = [
        {},  # a plain cross-site form post carries no custom header at all
        {"X-CSRF-Token": "x" * 26},
        {"X-CSRF-Token": ""},
        {"X-Requested-With": "XMLHttpRequest", "Origin": "https://evil.example"},
        {"Origin": "https://evil.example", "Referer": "http://testserver/"},
        {"Origin": "null"},
    ]
    for method, path, body in attempts:
        for headers in forged:
            response = await anon.http.request(method, path, json=body, headers={**jar, **headers})
            assert error_of(response, 401)["id"] == SESSION_EXPIRED, (method, path, headers)
    assert snapshot(await user_row(services, bob.id)) == before
    assert (await user_row(services, bob.id)).nickname == ""
    assert await count_rows(services, AccessToken) == 0
    # Reading needs no CSRF token; the session survived all of the above.
    me = await anon.http.get("/api/v4/users/me", headers=jar)
    assert me.status_code == 200 and me.json()["id"] == bob.id


async def test_cookie_requests_with_the_csrf_token_or_xhr_header_pass(anon: Api, services: Services) -> None:
    bob = await anon.signup("bob")
    cookies = await cookie_login(anon.http, "bob")
    jar = {"Cookie": cookie_header(cookies)}
    with_token = await anon.http.put("/api/v4/users/me/patch", json={"nickname": "Bobby"}, headers={**jar, "X-CSRF-Token": cookies["MMCSRF"]})
    assert with_token.status_code == 200 and with_token.json()["nickname"] == "Bobby"
    same_origin = await anon.http.put(
        "/api/v4/users/me/patch", json={"nickname": "Robert"}, headers={**jar, "X-CSRF-Token": cookies["MMCSRF"], "Origin": "http://testserver"}
    )
    assert same_origin.status_code == 200
    # Mattermost's non-strict mode: X-Requested-With alone is accepted from the same origin.
    xhr = await anon.http.put("/api/v4/users/me/patch", json={"nickname": "Rob"}, headers={**jar, "X-Requested-With": "XMLHttpRequest"})
    assert xhr.status_code == 200
    assert (await user_row(services, bob.id)).nickname == "Rob"
    # Another session's CSRF token is not this session's.
    other = await cookie_login(anon.http, "bob")
    crossed = await anon.http.put("/api/v4/users/me/patch", json={"nickname": "x"}, headers={**jar, "X-CSRF-Token": other["MMCSRF"]})
    assert error_of(crossed, 401)["id"] == SESSION_EXPIRED


async def test_bearer_requests_are_exempt_from_csrf(anon: Api, services: Services) -> None:
    bob = await anon.signup("bob")
    response = await anon.http.put("/api/v4/users/me/patch", json={"nickname": "Bobby"}, headers={"Authorization": f"Bearer {bob.token}"})
    assert response.status_code == 200
    # A Bearer token is not ambient: a foreign Origin cannot have put it there.
    response = await anon.http.put(
        "/api/v4/users/me/patch", json={"nickname": "Bob"}, headers={"Authorization": f"BEARER {bob.token}", "Origin": "https://app.example"}
    )
    assert response.status_code == 200
    assert (await user_row(services, bob.id)).nickname == "Bob"


async def test_cookie_takes_precedence_over_the_header_so_csrf_cannot_be_skipped(anon: Api, services: Services) -> None:
    """A forged request carrying the victim's cookie plus an attacker's own Bearer token still needs the CSRF token."""
    victim = await anon.signup("bob")
    attacker = await anon.signup("mallory")
    cookies = await cookie_login(anon.http, "bob")
    response = await anon.http.put(
        "/api/v4/users/me/patch", json={"nickname": "pwned"}, headers={"Cookie": cookie_header(cookies), "Authorization": f"Bearer {attacker.token}"}
    )
    assert error_of(response, 401)["id"] == SESSION_EXPIRED
    assert (await user_row(services, victim.id)).nickname == ""
    assert (await user_row(services, attacker.id)).nickname == ""


# A14 mass assignment --------------------------------------------------------------------------------------

FORBIDDEN_FIELDS: dict[str, Any] = {
    "roles": "system_admin system_user",
    "id": "aaaaaaaaaaaaaaaaaaaaaaaaaa",
    "create_at": 1,
    "delete_at": 5,
    "update_at": 1,
    "password": "attacker-chosen-1",
    "mfa_active": True,
    "mfa_secret": "JBSWY3DPEHPK3PXP",
    "email_verified": True,
    "auth_service": "gitlab",
    "auth_data": "mallory",
    "is_bot": True,
    "failed_attempts": 0,
    "last_password_update": 1,
    "last_activity_at": 1,
}


async def test_profile_updates_ignore_protected_fields(admin: Api, anon: Api, services: Services) -> None:
    bob = await anon.signup("bob")
    before = snapshot(await user_row(services, bob.id))
    patched = await bob.put("/users/me/patch", {"nickname": "Bobby", **FORBIDDEN_FIELDS})
    assert patched["nickname"] == "Bobby" and patched["roles"] == "system_user" and patched["id"] == bob.id
    full = await bob.put(f"/users/{bob.id}", {"username": "bob", "email": "bob@example.com", "first_name": "Bob", **FORBIDDEN_FIELDS, "id": bob.id})
    assert full["first_name"] == "Bob" and full["roles"] == "system_user" and full["mfa_active"] is False
    after = await user_row(services, bob.id)
    assert snapshot(after) == before
    assert (after.nickname, after.first_name) == ("Bobby", "Bob")
    assert (await login_raw(anon.http, "bob", "attacker-chosen-1")).status_code == 401
    assert (await login_raw(anon.http, "bob", PASSWORD)).status_code == 200
    # Still an ordinary user where it matters.
    await bob.put(f"/users/{admin.id}/roles", {"roles": "system_user"}, expect=403)
    assert (await admin.get(f"/users/{bob.id}"))["roles"] == "system_user"


async def test_signup_ignores_protected_fields(admin: Api, anon: Api, services: Services) -> None:
    created = await anon.post("/users", {**FORBIDDEN_FIELDS, "username": "bob", "email": "bob@example.com", "password": PASSWORD}, expect=201)
    assert created["roles"] == "system_user" and created["id"] != FORBIDDEN_FIELDS["id"] and created["create_at"] > 1
    row = await user_row(services, created["id"])
    assert (row.roles, row.mfa_active, row.mfa_secret, row.email_verified, row.auth_service, row.is_bot, row.delete_at) == (
        "system_user",
        False,
        "",
        False,
        "",
        False,
        0,
    )
    assert (await login_raw(anon.http, "bob", PASSWORD)).status_code == 200


async def test_email_change_needs_the_current_password(admin: Api, anon: Api, services: Services) -> None:
    bob = await anon.signup("bob")
    body = await bob.put("/users/me/patch", {"email": "mallory@example.com"}, expect=400)
    assert body["id"] == "api.user.check_user_password.invalid.app_error"
    await bob.put("/users/me/patch", {"email": "mallory@example.com", "password": "wrong-password"}, expect=400)
    assert (await user_row(services, bob.id)).email == "bob@example.com"
    changed = await bob.put("/users/me/patch", {"email": "robert@example.com", "password": PASSWORD})
    assert changed["email"] == "robert@example.com"


# A16 admin-only endpoints ---------------------------------------------------------------------------------


async def test_member_cannot_use_admin_endpoints_on_others(admin: Api, anon: Api, services: Services) -> None:
    carol = await anon.signup("carol")
    bob = await anon.signup("bob")
    before = {uid: snapshot(await user_row(services, uid)) for uid in (admin.id, carol.id, bob.id)}
    calls: list[tuple[str, str, Any]] = []
    for target in (carol.id, admin.id):
        calls += [
            ("PUT", f"/users/{target}/roles", {"roles": "system_admin system_user"}),
            ("PUT", f"/users/{target}/active", {"active": False}),
            ("PUT", f"/users/{target}/active", {"active": True}),
            ("GET", f"/users/{target}/sessions", None),
            ("POST", f"/users/{target}/sessions/revoke/all", None),
            ("POST", f"/users/{target}/tokens", {"description": "mine now"}),
            ("GET", f"/users/{target}/tokens", None),
            ("DELETE", f"/users/{target}", None),
            ("PUT", f"/users/{target}/patch", {"nickname": "pwned"}),
            ("PUT", f"/users/{target}", {"id": target, "nickname": "pwned"}),
            ("PUT", f"/users/{target}/password", {"new_password": "attacker-chosen-1"}),
        ]
    calls.append(("PUT", f"/users/{bob.id}/roles", {"roles": "system_admin system_user"}))  # promoting oneself
    calls.append(("PUT", "/users/me/roles", {"roles": "system_admin system_user"}))
    for method, path, body in calls:
        refused = await bob.request(method, path, body, expect=403)
        assert refused["id"] == FORBIDDEN, (method, path)
    after = {uid: snapshot(await user_row(services, uid)) for uid in (admin.id, carol.id, bob.id)}
    assert after == before
    assert await count_rows(services, AccessToken) == 0
    for api in (admin, carol, bob):
        await api.get("/users/me")  # nobody was logged out


async def test_admin_endpoints_work_for_an_admin(admin: Api, anon: Api, services: Services) -> None:
    """The counterpart of the test above, so that the 403s are not simply broken routes."""
    bob = await anon.signup("bob")
    assert len(await admin.get(f"/users/{bob.id}/sessions")) == 1
    await admin.put(f"/users/{bob.id}/roles", {"roles": "system_admin system_user"})
    assert (await user_row(services, bob.id)).roles == "system_admin system_user"
    await admin.put(f"/users/{bob.id}/roles", {"roles": "system_user"})
    await admin.post(f"/users/{bob.id}/sessions/revoke/all")
    await bob.get("/users/me", expect=401)
    await admin.delete(f"/users/{bob.id}")
    assert (await user_row(services, bob.id)).delete_at > 0
    await admin.put(f"/users/{bob.id}/active", {"active": True})
    assert (await user_row(services, bob.id)).delete_at == 0


# Personal access tokens and deactivation (A15) ------------------------------------------------------------


async def test_personal_access_token_lifecycle(anon: Api, services: Services) -> None:
    bob = await anon.signup("bob")
    created = await bob.post(f"/users/{bob.id}/tokens", {"description": "deploy bot"})
    assert set(created) >= {"id", "token", "user_id", "description", "is_active"}
    assert created["user_id"] == bob.id and created["is_active"] is True and len(created["token"]) == 26
    pat = Api(anon.http, created["token"])
    assert (await pat.get("/users/me"))["id"] == bob.id
    # The token is stored hashed, and listing never shows it again.
    async with services.db.read() as db:
        row = await db.get(AccessToken, created["id"])
    assert row is not None and created["token"] not in row.token_hash
    listed = await bob.get("/users/me/tokens")
    assert [t["id"] for t in listed] == [created["id"]] and "token" not in listed[0]
    # A token cannot mint more tokens.
    await pat.post(f"/users/{bob.id}/tokens", {"description": "child"}, expect=403)

    await bob.post("/users/tokens/disable", {"token_id": created["id"]})
    assert (await pat.get("/users/me", expect=401))["id"] == SESSION_EXPIRED
    await bob.post("/users/tokens/enable", {"token_id": created["id"]})
    await pat.get("/users/me")
    await bob.post("/users/tokens/revoke", {"token_id": created["id"]})
    await pat.get("/users/me", expect=401)
    assert await count_rows(services, AccessToken) == 0


async def test_others_cannot_manage_my_tokens(anon: Api) -> None:
    bob = await anon.signup("bob")
    mallory = await anon.signup("mallory")
    created = await bob.post("/users/me/tokens", {"description": "deploy bot"})
    for action in ("disable", "revoke"):
        await mallory.post(f"/users/tokens/{action}", {"token_id": created["id"]}, expect=404)
    await mallory.get(f"/users/tokens/{created['id']}", expect=404)
    await Api(anon.http, created["token"]).get("/users/me")


async def test_deactivation_ends_sessions_and_tokens_at_once(admin: Api, anon: Api, services: Services) -> None:
    bob = await anon.signup("bob")
    created = await bob.post("/users/me/tokens", {"description": "bot"})
    pat = Api(anon.http, created["token"])
    await pat.get("/users/me")  # both are now in the authentication cache
    await bob.get("/users/me")
    await admin.delete(f"/users/{bob.id}")
    assert (await bob.get("/users/me", expect=401))["id"] == SESSION_EXPIRED
    assert (await pat.get("/users/me", expect=401))["id"] == SESSION_EXPIRED
    assert (await login_raw(anon.http, "bob", PASSWORD)).json()["id"] == "api.user.login.inactive.app_error"
    assert await count_rows(services, Session, user_id=bob.id) == 0


async def test_self_deactivation_ends_own_sessions(anon: Api) -> None:
    bob = await anon.signup("bob")
    other = await anon.login("bob")
    await bob.delete("/users/me")
    await bob.get("/users/me", expect=401)
    await other.get("/users/me", expect=401)
    await bob.put(f"/users/{bob.id}/active", {"active": True}, expect=401)


# D15 rate limiting ----------------------------------------------------------------------------------------

RATE_LIMITED = [{"rate_limit_enabled": True}]


def frozen_limiter(app: Any) -> tuple[RateLimiter, Callable[[float], None]]:
    """The app's rate limiter with a clock that moves only when told to."""
    limiter = next(m.kwargs["limiter"] for m in app.user_middleware if m.cls is RateLimitMiddleware)
    now = [1000.0]
    limiter.clock = lambda: now[0]
    limiter.buckets.clear()

    def advance(seconds: float) -> None:
        now[0] += seconds

    return limiter, advance


async def make_users(services: Services, http: httpx.AsyncClient, count: int) -> list[Api]:
    """Accounts and sessions made through the actions, so that no HTTP request spends rate-limit tokens."""
    made = []
    for i in range(count):
        user = await users_actions.do_create_user(services, SYSTEM, {"username": f"u{i:03d}", "email": f"u{i}@example.com", "password": PASSWORD})
        result = await auth_actions.do_login(services, user.username, PASSWORD)
        made.append(Api(http, result.token, result.user.to_api()))
    return made


@pytest.mark.parametrize("settings_overrides", RATE_LIMITED)
async def test_one_user_is_limited_after_the_burst(app: Any, anon: Api, services: Services) -> None:
    (bob,) = await make_users(services, anon.http, 1)
    _, advance = frozen_limiter(app)
    statuses = []
    last_ok: httpx.Response | None = None
    refused: httpx.Response | None = None
    for _ in range(200):
        response = await anon.http.get("/api/v4/users/me", headers={"Authorization": f"Bearer {bob.token}"})
        statuses.append(response.status_code)
        if response.status_code == 200:
            last_ok = response
        elif refused is None:
            refused = response
    assert statuses == [200] * 100 + [429] * 100
    assert last_ok is not None and refused is not None
    assert last_ok.headers["x-ratelimit-limit"] == "100" and last_ok.headers["x-ratelimit-remaining"] == "0"
    assert refused.text == "limit exceeded" and refused.headers["content-type"].startswith("text/plain")
    assert refused.headers["x-ratelimit-limit"] == "100" and refused.headers["x-ratelimit-remaining"] == "0"
    assert int(refused.headers["retry-after"]) >= 1 and int(refused.headers["x-ratelimit-reset"]) >= 1
    assert refused.headers["x-version-id"] and len(refused.headers["x-request-id"]) == 26
    # Then 10 per second.
    advance(1.0)
    again = [(await anon.http.get("/api/v4/users/me", headers={"Authorization": f"Bearer {bob.token}"})).status_code for _ in range(11)]
    assert again == [200] * 10 + [429]


@pytest.mark.parametrize("settings_overrides", RATE_LIMITED)
async def test_users_behind_one_address_do_not_starve_each_other(app: Any, anon: Api, services: Services) -> None:
    users = await make_users(services, anon.http, 200)
    frozen_limiter(app)
    # Anonymous requests from that address use up its own bucket...
    anonymous = [(await anon.http.get("/api/v4/system/ping")).status_code for _ in range(101)]
    assert anonymous == [200] * 100 + [429]
    # ...and still every one of 200 users behind the same address gets through.
    statuses = [(await anon.http.get("/api/v4/users/me", headers={"Authorization": f"Bearer {u.token}"})).status_code for u in users]
    assert statuses == [200] * 200


@pytest.mark.parametrize("settings_overrides", RATE_LIMITED)
async def test_made_up_tokens_do_not_escape_the_address_limit(app: Any, anon: Api, services: Services) -> None:
    """A new random Bearer token per request must not buy a fresh bucket each time."""
    (bob,) = await make_users(services, anon.http, 1)
    frozen_limiter(app)
    await bob.get("/users/me")
    statuses = [(await anon.http.get("/api/v4/system/ping", headers={"Authorization": f"Bearer {new_id()}"})).status_code for _ in range(200)]
    assert 429 in statuses and statuses.count(200) <= 100
    statuses = [(await anon.http.get("/api/v4/users/me", headers={"Authorization": f"Bearer {new_id()}"})).status_code for _ in range(50)]
    assert set(statuses) == {429}
    # A real user on that address whose token has been seen before keeps working.
    await bob.get("/users/me")


@pytest.mark.parametrize("settings_overrides", RATE_LIMITED)
async def test_rate_limit_headers_on_ordinary_responses(app: Any, anon: Api) -> None:
    frozen_limiter(app)
    first = await anon.http.get("/api/v4/system/ping")
    second = await anon.http.get("/api/v4/system/ping")
    assert first.headers["x-ratelimit-limit"] == "100"
    assert int(first.headers["x-ratelimit-remaining"]) == int(second.headers["x-ratelimit-remaining"]) + 1


# S2 (the part that exists): an MFA account is never let in on the password alone --------------------------


async def test_mfa_account_needs_a_valid_code(anon: Api, services: Services) -> None:
    bob = await anon.signup("bob")
    async with services.db.write() as uow:
        row = await uow.session.get(User, bob.id)
        assert row is not None
        row.mfa_active, row.mfa_secret = True, "JBSWY3DPEHPK3PXP"
    assert (await anon.post("/users/mfa", {"login_id": "bob"}))["mfa_required"] is True
    no_code = await anon.http.post("/api/v4/users/login", json={"login_id": "bob", "password": PASSWORD})
    assert error_of(no_code, 401)["id"] == "mfa.validate_token.authenticate.app_error" and "token" not in no_code.headers
    for code in ("000000", "123456", "x"):
        wrong = await anon.http.post("/api/v4/users/login", json={"login_id": "bob", "password": PASSWORD, "token": code})
        assert error_of(wrong, 401)["id"] == "api.user.check_user_mfa.bad_code.app_error" and "token" not in wrong.headers
    # Wrong password with a code: the usual answer, nothing about MFA.
    wrong_password = await anon.http.post("/api/v4/users/login", json={"login_id": "bob", "password": "nope-nope-nope", "token": "123456"})
    assert error_of(wrong_password, 401)["id"] == BAD_CREDENTIALS


async def test_parallel_guesses_do_not_get_past_the_lockout(anon: Api, services: Services) -> None:
    """Twenty wrong passwords sent at once: at most ten are ever checked, the rest are refused as locked."""
    bob = await anon.signup("bob")
    responses = await asyncio.gather(*(login_raw(anon.http, "bob", f"parallel-guess-{i}") for i in range(20)))
    ids = [error_of(r, 401)["id"] for r in responses]
    assert ids.count(BAD_CREDENTIALS) <= 10 and set(ids) <= {BAD_CREDENTIALS, LOCKED}
    assert (await user_row(services, bob.id)).failed_attempts >= 10
    assert error_of(await login_raw(anon.http, "bob", PASSWORD), 401)["id"] == LOCKED
