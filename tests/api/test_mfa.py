"""Two-factor authentication (S2): set-up, login with a code, a code works once, recovery codes, enforcement."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pyotp
import pytest

from kafana.lib import totp
from tests.helpers import PASSWORD, Api

MFA_REQUIRED = "mfa.validate_token.authenticate.app_error"
BAD_CODE = "api.user.check_user_mfa.bad_code.app_error"
SETUP_NEEDED = "api.context.mfa_required.app_error"
START = 1_900_000_000.0  # a fixed moment, so that steps are predictable


class Clock:
    def __init__(self) -> None:
        self.now = START

    def advance(self, steps: int = 1) -> None:
        self.now += steps * totp.STEP_SECONDS

    def code(self, secret: str, offset: int = 0) -> str:
        return pyotp.TOTP(secret).at(self.now + offset * totp.STEP_SECONDS)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    c = Clock()
    monkeypatch.setattr(totp, "now_s", lambda: c.now)
    yield c


async def login(anon: Api, login_id: str, token: str | None = None, password: str = PASSWORD) -> tuple[int, dict[str, Any], str]:
    body: dict[str, Any] = {"login_id": login_id, "password": password}
    if token is not None:
        body["token"] = token
    response = await anon.http.post("/api/v4/users/login", json=body)
    return response.status_code, response.json(), response.headers.get("token", "")


async def enable_mfa(user: Api, clock: Clock) -> tuple[str, list[str]]:
    generated = await user.post(f"/users/{user.id}/mfa/generate")
    secret = generated["secret"]
    activated = await user.put(f"/users/{user.id}/mfa", {"activate": True, "code": clock.code(secret)})
    return secret, activated["recovery_codes"]


async def test_generate_gives_a_secret_and_a_png_qr_code(admin: Api, clock: Clock) -> None:
    generated = await admin.post(f"/users/{admin.id}/mfa/generate")
    assert len(base64.b32decode(generated["secret"])) == 20
    png = base64.b64decode(generated["qr_code"])
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    me = await admin.get("/users/me")
    assert me["mfa_active"] is False and "mfa_secret" not in me


async def test_activation_needs_a_valid_code(admin: Api, clock: Clock) -> None:
    secret = (await admin.post(f"/users/{admin.id}/mfa/generate"))["secret"]
    wrong = await admin.put(f"/users/{admin.id}/mfa", {"activate": True, "code": "000000"}, expect=401)
    assert wrong["id"] == BAD_CODE
    assert (await admin.get("/users/me"))["mfa_active"] is False
    await admin.put(f"/users/{admin.id}/mfa", {"activate": True, "code": clock.code(secret)})
    assert (await admin.get("/users/me"))["mfa_active"] is True


async def test_login_with_a_code_and_each_code_works_once(anon: Api, admin: Api, clock: Clock) -> None:
    bob = await admin.signup("bob")
    secret, _ = await enable_mfa(bob, clock)
    assert (await anon.post("/users/mfa", {"login_id": "bob"}))["mfa_required"] is True
    status, body, token = await login(anon, "bob")
    assert (status, body["id"], token) == (401, MFA_REQUIRED, "")
    clock.advance()
    code = clock.code(secret)
    status, body, token = await login(anon, "bob", code)
    assert status == 200 and len(token) == 26 and body["mfa_active"] is True
    # The same code again (replay, S2): refused, although still inside its 30 s.
    status, body, token = await login(anon, "bob", code)
    assert (status, body["id"], token) == (401, BAD_CODE, "")
    # An older step than the last used one: refused too.
    status, body, _ = await login(anon, "bob", clock.code(secret, -1))
    assert (status, body["id"]) == (401, BAD_CODE)
    # The next step (clock drift of one step) is accepted once.
    status, _, _ = await login(anon, "bob", clock.code(secret, +1))
    assert status == 200


async def test_codes_two_steps_off_are_refused(anon: Api, admin: Api, clock: Clock) -> None:
    bob = await admin.signup("bob")
    secret, _ = await enable_mfa(bob, clock)
    clock.advance(10)
    for offset in (-2, 2, -5):
        status, body, _ = await login(anon, "bob", clock.code(secret, offset))
        assert (status, body["id"]) == (401, BAD_CODE), offset
    status, _, _ = await login(anon, "bob", clock.code(secret, -1))
    assert status == 200


async def test_a_wrong_code_counts_as_a_failed_attempt(anon: Api, admin: Api, clock: Clock) -> None:
    bob = await admin.signup("bob")
    await enable_mfa(bob, clock)
    for _ in range(10):
        status, body, _ = await login(anon, "bob", "999999")
        assert body["id"] in (BAD_CODE, "api.user.check_user_login_attempts.too_many.app_error")
    status, body, _ = await login(anon, "bob", "999999")
    assert (status, body["id"]) == (401, "api.user.check_user_login_attempts.too_many.app_error")


async def test_recovery_codes_work_once_each(anon: Api, admin: Api, clock: Clock) -> None:
    bob = await admin.signup("bob")
    _, codes = await enable_mfa(bob, clock)
    assert len(codes) == 10 and len(set(codes)) == 10
    status, _, _ = await login(anon, "bob", codes[0].upper())
    assert status == 200
    status, body, _ = await login(anon, "bob", codes[0])
    assert (status, body["id"]) == (401, BAD_CODE)
    status, _, _ = await login(anon, "bob", codes[1].replace("-", ""))
    assert status == 200


async def test_new_recovery_codes_replace_the_old_ones(anon: Api, admin: Api, clock: Clock) -> None:
    bob = await admin.signup("bob")
    secret, old = await enable_mfa(bob, clock)
    clock.advance()
    new = (await bob.post(f"/users/{bob.id}/mfa/recovery_codes", {"code": clock.code(secret)}))["recovery_codes"]
    assert set(new).isdisjoint(old)
    status, _, _ = await login(anon, "bob", old[0])
    assert status == 401
    status, _, _ = await login(anon, "bob", new[0])
    assert status == 200


async def test_turning_mfa_off_needs_reauthentication(anon: Api, admin: Api, clock: Clock) -> None:
    bob = await admin.signup("bob")
    secret, codes = await enable_mfa(bob, clock)
    refused = await bob.put(f"/users/{bob.id}/mfa", {"activate": False}, expect=401)
    assert refused["id"] == "api.user.update_mfa.reauthenticate.app_error"
    await bob.put(f"/users/{bob.id}/mfa", {"activate": False, "password": "wrong-password-x"}, expect=401)
    await bob.put(f"/users/{bob.id}/mfa", {"activate": False, "code": clock.code(secret)}, expect=401)  # already used at activation
    assert (await bob.get("/users/me"))["mfa_active"] is True
    await bob.put(f"/users/{bob.id}/mfa", {"activate": False, "code": codes[3]})
    assert (await bob.get("/users/me"))["mfa_active"] is False
    status, _, _ = await login(anon, "bob")
    assert status == 200


async def test_others_cannot_set_up_mfa_but_an_admin_may_reset_it(admin: Api, clock: Clock) -> None:
    bob = await admin.signup("bob")
    carol = await admin.signup("carol")
    await carol.post(f"/users/{bob.id}/mfa/generate", expect=403)
    await admin.post(f"/users/{bob.id}/mfa/generate", expect=403)
    await enable_mfa(bob, clock)
    await carol.put(f"/users/{bob.id}/mfa", {"activate": False}, expect=403)
    await admin.put(f"/users/{bob.id}/mfa", {"activate": False})
    assert (await admin.get(f"/users/{bob.id}"))["mfa_active"] is False


@pytest.mark.parametrize("settings_overrides", [{"mfa_enforced": True}])
async def test_enforced_mfa_limits_users_to_setting_it_up(anon: Api, admin: Api, clock: Clock) -> None:
    """S2: with MFA enforced, a user without it can log in but must set it up before anything else."""
    bob = await anon.signup("bob")
    refused = await bob.get("/users/me/teams", expect=403)
    assert refused["id"] == SETUP_NEEDED
    await bob.get("/users/me")
    secret, _ = await enable_mfa(bob, clock)
    await bob.get("/users/me/teams")
    # Switching it off is not possible for oneself while enforced.
    clock.advance()
    await bob.put(f"/users/{bob.id}/mfa", {"activate": False, "code": clock.code(secret)}, expect=403)
    # And logging in without a code is refused.
    status, body, _ = await login(anon, "bob")
    assert (status, body["id"]) == (401, MFA_REQUIRED)
    config = await anon.get("/config/client?format=old")
    assert config["EnforceMultifactorAuthentication"] == "true" and config["EnableMultifactorAuthentication"] == "true"


@pytest.mark.parametrize("settings_overrides", [{"mfa_enabled": False}])
async def test_mfa_can_be_switched_off_for_the_server(admin: Api) -> None:
    await admin.post(f"/users/{admin.id}/mfa/generate", expect=501)
