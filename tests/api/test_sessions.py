"""Sessions (S4): users list and revoke their own sessions; admins revoke anyone's."""

from __future__ import annotations

from tests.helpers import PASSWORD, Api


async def login_on(anon: Api, username: str, device_id: str) -> Api:
    response = await anon.http.post("/api/v4/users/login", json={"login_id": username, "password": PASSWORD, "device_id": device_id})
    assert response.status_code == 200, response.text
    return Api(anon.http, response.headers["Token"], response.json())


async def test_list_and_revoke_one_session(anon: Api, admin: Api) -> None:
    await admin.post("/users", {"username": "bob", "email": "bob@example.com", "password": PASSWORD}, expect=201)
    phone = await login_on(anon, "bob", "phone")
    laptop = await login_on(anon, "bob", "laptop")
    sessions = await laptop.get("/users/me/sessions")
    assert sorted(s["device_id"] for s in sessions) == ["laptop", "phone"]
    assert all(s["token"] == "" for s in sessions)
    phone_session = next(s for s in sessions if s["device_id"] == "phone")
    await laptop.post("/users/me/sessions/revoke", {"session_id": phone_session["id"]})
    await phone.get("/users/me", expect=401)
    assert [s["device_id"] for s in await laptop.get("/users/me/sessions")] == ["laptop"]
    await laptop.post("/users/me/sessions/revoke", {"session_id": phone_session["id"]}, expect=404)


async def test_others_cannot_list_or_revoke_my_sessions(anon: Api, admin: Api) -> None:
    bob = await admin.signup("bob")
    carol = await admin.signup("carol")
    session_id = (await bob.get("/users/me/sessions"))[0]["id"]
    await carol.get(f"/users/{bob.id}/sessions", expect=403)
    await carol.post(f"/users/{bob.id}/sessions/revoke", {"session_id": session_id}, expect=403)
    # Naming someone else's session under one's own id finds nothing.
    await carol.post("/users/me/sessions/revoke", {"session_id": session_id}, expect=404)
    await carol.post(f"/users/{bob.id}/sessions/revoke/all", expect=403)
    await carol.post("/users/sessions/revoke/all", expect=403)
    await bob.get("/users/me")


async def test_admin_revokes_anyones_sessions(anon: Api, admin: Api) -> None:
    bob = await admin.signup("bob")
    session_id = (await bob.get("/users/me/sessions"))[0]["id"]
    assert [s["id"] for s in await admin.get(f"/users/{bob.id}/sessions")] == [session_id]
    await admin.post(f"/users/{bob.id}/sessions/revoke", {"session_id": session_id})
    await bob.get("/users/me", expect=401)
    carol = await admin.signup("carol")
    await admin.post("/users/sessions/revoke/all")
    await carol.get("/users/me", expect=401)
    await admin.get("/users/me", expect=401)


async def test_sessions_name_their_device_and_mark_the_current_one(anon: Api, admin: Api) -> None:
    await admin.post("/users", {"username": "bob", "email": "bob@example.com", "password": PASSWORD}, expect=201)
    firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
    response = await anon.http.post("/api/v4/users/login", json={"login_id": "bob", "password": PASSWORD}, headers={"User-Agent": firefox})
    assert response.status_code == 200, response.text
    laptop = Api(anon.http, response.headers["Token"], response.json())
    await login_on(anon, "bob", "phone")
    sessions = await laptop.get("/users/me/sessions")
    mine = next(s for s in sessions if s["props"].get("kafana_current") == "true")
    assert mine["props"]["browser"] == "Firefox/128.0"
    assert mine["props"]["os"] == "Linux"
    assert [s["device_id"] for s in sessions if s["id"] != mine["id"]] == ["phone"]
    assert all("kafana_current" not in s["props"] for s in await admin.get(f"/users/{laptop.id}/sessions"))
