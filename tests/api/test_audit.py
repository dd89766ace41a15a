"""The audit log and IP privacy: what is recorded, who may read it (A16), what addresses are kept, and that
no route shows one user's address to another."""

from __future__ import annotations

import json
from typing import Any

import pyotp
import pytest

from kafana.actions import audit
from kafana.actions.context import Services
from tests.helpers import PASSWORD, Api


async def entries(admin: Api, **params: Any) -> list[dict[str, Any]]:
    return list(await admin.get("/audits?per_page=200", params=params))


def actions(found: list[dict[str, Any]]) -> list[str]:
    return [e["action"] for e in found]


async def test_security_events_are_recorded(anon: Api, admin: Api) -> None:
    bob = await admin.signup("bob")
    bad = await anon.http.post("/api/v4/users/login", json={"login_id": "bob", "password": "wrong-password-1"})
    assert bad.status_code == 401
    await anon.http.post("/api/v4/users/login", json={"login_id": "nobody", "password": "wrong-password-1"})
    await admin.put(f"/users/{bob.id}/roles", {"roles": "system_user system_admin"})
    await admin.put(f"/users/{bob.id}/roles", {"roles": "system_user"})
    await admin.put(f"/users/{bob.id}/active", {"active": False})
    await admin.put(f"/users/{bob.id}/active", {"active": True})
    found = await entries(admin)
    assert {"create_user", "login", "login_failed", "update_roles", "deactivate", "activate"} <= set(actions(found))
    failed = [e for e in found if e["action"] == "login_failed"]
    assert {json.loads(e["extra_info"])["reason"] for e in failed} == {"password", "unknown_account"}
    assert any(e["user_id"] == bob.id for e in failed)
    roles = next(e for e in found if e["action"] == "update_roles")
    assert roles["user_id"] == admin.id and json.loads(roles["extra_info"])["target_id"] == bob.id
    # Newest first.
    assert [e["create_at"] for e in found] == sorted((e["create_at"] for e in found), reverse=True)
    mine = await admin.get(f"/users/{bob.id}/audits")
    assert mine and all(bob.id in (e["user_id"], json.loads(e["extra_info"] or "{}").get("target_id")) for e in mine)


async def test_members_cannot_read_or_export_the_audit_log(admin: Api) -> None:
    bob = await admin.signup("bob")
    for path in ("/audits", f"/users/{bob.id}/audits", f"/users/{admin.id}/audits", "/kafana/audits/export"):
        body = await bob.get(path, expect=403)
        assert body["id"] == "api.context.permissions.app_error"


async def test_export_is_json_lines_and_is_audited(admin: Api) -> None:
    await admin.signup("bob")
    response = await admin.http.get("/api/v4/kafana/audits/export", headers=admin.headers())
    assert response.status_code == 200 and response.headers["content-type"] == "application/x-ndjson"
    assert "attachment" in response.headers["content-disposition"]
    lines = [json.loads(line) for line in response.text.splitlines()]
    assert "login" in actions(lines)
    assert actions(await entries(admin))[0] == "audit_export"


async def test_addresses_are_truncated_by_default(anon: Api, admin: Api) -> None:
    found = await entries(admin)
    login = next(e for e in found if e["action"] == "login")
    assert login["ip_address"] == "127.0.0.0/24"
    assert (await admin.get("/users/me/sessions"))[0]["props"].get("ip_address", "") == "127.0.0.0/24"


@pytest.mark.parametrize("settings_overrides", [{"privacy_store_ip": "none"}])
async def test_no_address_stored(admin: Api) -> None:
    assert {e["ip_address"] for e in await entries(admin)} == {""}
    assert (await admin.get("/users/me/sessions"))[0]["props"].get("ip_address", "") == ""


@pytest.mark.parametrize("settings_overrides", [{"privacy_store_ip": "full"}])
async def test_full_addresses_are_never_shown_to_others(anon: Api, admin: Api) -> None:
    bob = await admin.signup("bob")
    assert (await bob.get("/users/me/sessions"))[0]["props"]["ip_address"] == "127.0.0.1"
    # Not to an admin through the sessions list, nor in any user object.
    assert {s["props"].get("ip_address", "") for s in await admin.get(f"/users/{bob.id}/sessions")} == {""}
    for body in (await admin.get(f"/users/{bob.id}"), await bob.get("/users/me"), await anon.get("/system/ping")):
        assert "127.0.0.1" not in json.dumps(body)
    # Admins see addresses in the audit log only.
    assert "127.0.0.1" in {e["ip_address"] for e in await entries(admin)}


@pytest.mark.parametrize("settings_overrides", [{"privacy_store_ip": "full", "privacy_ip_retention_days": 0}])
async def test_addresses_are_erased_after_the_retention(anon: Api, admin: Api, services: Services) -> None:
    before = await entries(admin)
    assert any(e["ip_address"] for e in before)
    services.extra.pop("ip_erased_at", None)
    await anon.http.post("/api/v4/users/login", json={"login_id": "admin", "password": "wrong-password-1"})
    after = await entries(admin)
    old_ids = {e["id"] for e in before}
    assert {e["ip_address"] for e in after if e["id"] in old_ids} == {""}
    assert {s["props"].get("ip_address", "") for s in await admin.get("/users/me/sessions")} == {""}


async def test_setting_changes_are_recorded_at_start(admin: Api, services: Services) -> None:
    services.settings = services.settings.model_copy(update={"signup_mode": "closed", "smtp_password": "s3cret"})
    await audit.record_setting_changes(services)
    change = (await entries(admin))[0]
    assert change["action"] == "settings_changed"
    assert json.loads(change["extra_info"])["changed"] == ["signup_mode", "smtp_password"]
    assert "s3cret" not in change["extra_info"]
    await audit.record_setting_changes(services)
    assert actions(await entries(admin)).count("settings_changed") == 1


async def test_mfa_and_session_changes_are_recorded(admin: Api, anon: Api) -> None:
    bob = await admin.signup("bob")
    await admin.post(f"/users/{bob.id}/sessions/revoke/all")
    await admin.post(f"/teams/{(await admin.create_team('core'))['id']}/regenerate_invite_id")
    again = await anon.login("bob", PASSWORD)
    secret = (await again.post(f"/users/{bob.id}/mfa/generate"))["secret"]
    await again.put(f"/users/{bob.id}/mfa", {"activate": True, "code": pyotp.TOTP(secret).now()})
    await admin.put(f"/users/{bob.id}/mfa", {"activate": False})
    found = await entries(admin)
    assert {"revoke_all_sessions", "regenerate_invite_id", "mfa_activate", "mfa_deactivate"} <= set(actions(found))
    reset = next(e for e in found if e["action"] == "mfa_deactivate")
    assert (reset["user_id"], json.loads(reset["extra_info"])) == (admin.id, {"by_admin": True, "target_id": bob.id})
