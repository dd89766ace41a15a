"""Accounts: sign-up, login, profiles, passwords, sessions and tokens."""

from __future__ import annotations

from typing import Any

from tests.helpers import PASSWORD, Api


async def test_first_account_becomes_system_admin_later_ones_do_not(anon: Api) -> None:
    first = await anon.signup("alice")
    second = await anon.signup("bob")
    assert first.user["roles"] == "system_admin system_user"
    assert second.user["roles"] == "system_user"


async def test_login_returns_token_header_and_sanitized_user(anon: Api) -> None:
    await anon.signup("alice")
    response = await anon.http.post("/api/v4/users/login", json={"login_id": "alice", "password": PASSWORD})
    assert response.status_code == 200
    assert len(response.headers["Token"]) == 26
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-version-id"].startswith("10.11.0.")
    assert len(response.headers["x-request-id"]) == 26
    body = response.json()
    assert "password" not in body and "mfa_secret" not in body
    assert body["username"] == "alice" and body["email"] == "alice@example.com"
    assert "set-cookie" not in response.headers


async def test_login_with_xhr_sets_mattermost_cookies(anon: Api) -> None:
    await anon.signup("alice")
    response = await anon.http.post("/api/v4/users/login", json={"login_id": "alice", "password": PASSWORD}, headers={"X-Requested-With": "XMLHttpRequest"})
    cookies = response.headers.get_list("set-cookie")
    names = {c.split("=", 1)[0] for c in cookies}
    assert names == {"MMAUTHTOKEN", "MMUSERID", "MMCSRF"}
    assert any(c.startswith("MMAUTHTOKEN=") and "HttpOnly" in c for c in cookies)


async def test_me_and_lookups(admin: Api, anon: Api) -> None:
    bob = await anon.signup("bob")
    me = await bob.get("/users/me")
    assert me["id"] == bob.id and me["notify_props"]["push"] == "mention"
    by_name = await bob.get("/users/username/admin")
    assert by_name["id"] == admin.id and by_name["email"] == ""  # other users' addresses stay private
    ids = await bob.post("/users/ids", [admin.id, bob.id])
    assert sorted(u["id"] for u in ids) == sorted([admin.id, bob.id])
    names = await bob.post("/users/usernames", ["admin", "nobody"])
    assert [u["username"] for u in names] == ["admin"]
    assert await bob.post("/users/ids", []) == []


async def test_logout_without_session_is_ok(anon: Api) -> None:
    assert await anon.post("/users/logout") == {"status": "OK"}


async def test_token_unusable_after_logout(anon: Api) -> None:
    alice = await anon.signup("alice")
    await alice.post("/users/logout")
    error = await alice.get("/users/me", expect=401)
    assert error["id"] == "api.context.session_expired.app_error"


async def test_patch_ignores_roles_mass_assignment(admin: Api, anon: Api) -> None:
    bob = await anon.signup("bob")
    patched: dict[str, Any] = await bob.put("/users/me/patch", {"nickname": "Bobby", "roles": "system_admin system_user"})
    assert patched["nickname"] == "Bobby" and patched["roles"] == "system_user"
    await bob.get("/users/me")
    assert (await admin.get(f"/users/{bob.id}"))["roles"] == "system_user"
