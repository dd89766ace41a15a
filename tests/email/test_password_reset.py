"""Password reset by email, end to end through a real SMTP server: the same answer for unknown addresses, the
link in the user's language, one use, one hour, every session ended, a refused password keeps the link."""

from __future__ import annotations

import pytest

from kafana.actions import account_email
from kafana.actions.context import Services
from kafana.lib.clock import now_ms
from tests.email.conftest import Jobs
from tests.helpers import PASSWORD, Api
from tests.mail import SmtpSink, link_in, outbox_rows, parts

NEW_PASSWORD = "a-new-and-longer-secret"


async def reset_link(anon: Api, smtp_sink: SmtpSink, jobs: Jobs, email: str, count: int = 1, at: int = 0) -> str:
    await anon.post("/users/password/reset/send", {"email": email})
    await jobs.tick(at or now_ms())
    message = (await smtp_sink.wait_for(count))[-1]
    text, html = parts(message)
    link = link_in(text, "/reset_password_complete?token=")
    assert link.startswith("https://chat.example.org/reset_password_complete?token=") and link in html
    return link.split("token=", 1)[1]


async def test_a_reset_link_sets_the_password_once_and_ends_every_session(admin: Api, anon: Api, services: Services, smtp_sink: SmtpSink, jobs: Jobs) -> None:
    bob = await admin.signup("bob")
    other_device = await anon.login("bob")
    await bob.put("/users/me/patch", {"locale": "de"})
    code = await reset_link(anon, smtp_sink, jobs, "bob@example.com")
    [message] = smtp_sink.messages
    assert message["To"] == "bob@example.com" and message["Subject"] == "[Kafana] Passwort zurücksetzen"
    assert "bob" in parts(message)[0]
    # A password the rules refuse leaves the code usable.
    await anon.post("/users/password/reset", {"code": code, "new_password": "short"}, expect=400)
    await anon.post("/users/password/reset", {"code": code, "new_password": NEW_PASSWORD})
    for session in (bob, other_device):
        assert (await session.get("/users/me", expect=401))["id"]
    response = await anon.http.post("/api/v4/users/login", json={"login_id": "bob", "password": PASSWORD})
    assert response.status_code == 401
    await anon.login("bob", NEW_PASSWORD)
    again = await anon.post("/users/password/reset", {"code": code, "new_password": "yet-another-secret"}, expect=400)
    assert again["id"] == "api.user.reset_password.invalid_link.app_error"


async def test_unknown_addresses_get_the_same_answer_and_no_mail(admin: Api, anon: Api, services: Services, jobs: Jobs) -> None:
    await admin.signup("bob")
    known = await anon.http.post("/api/v4/users/password/reset/send", json={"email": "bob@example.com"})
    unknown = await anon.http.post("/api/v4/users/password/reset/send", json={"email": "nobody@example.com"})
    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json()) == (200, {"status": "OK"})
    assert [m.to_address for m in await outbox_rows(services)] == ["bob@example.com"]
    # At most one message a minute per account: asking again at once sends nothing more.
    await anon.post("/users/password/reset/send", {"email": "bob@example.com"})
    assert len(await outbox_rows(services)) == 1


async def test_a_reset_link_expires_after_an_hour(admin: Api, anon: Api, smtp_sink: SmtpSink, jobs: Jobs, monkeypatch: pytest.MonkeyPatch) -> None:
    await admin.signup("bob")
    code = await reset_link(anon, smtp_sink, jobs, "bob@example.com")
    later = now_ms() + 61 * 60_000
    monkeypatch.setattr(account_email, "now_ms", lambda: later)
    expired = await anon.post("/users/password/reset", {"code": code, "new_password": NEW_PASSWORD}, expect=400)
    assert expired["id"] == "api.user.reset_password.link_expired.app_error"
    await anon.login("bob")  # the password is unchanged


async def test_a_reset_lifts_a_lockout_and_a_newer_link_voids_the_older(
    admin: Api, anon: Api, smtp_sink: SmtpSink, jobs: Jobs, monkeypatch: pytest.MonkeyPatch
) -> None:
    await admin.signup("bob")
    for _ in range(10):
        await anon.http.post("/api/v4/users/login", json={"login_id": "bob", "password": "wrong-password"})
    locked = await anon.http.post("/api/v4/users/login", json={"login_id": "bob", "password": PASSWORD})
    assert locked.json()["id"] == "api.user.check_user_login_attempts.too_many.app_error"
    first = await reset_link(anon, smtp_sink, jobs, "bob@example.com")
    later = now_ms() + 2 * 60_000
    monkeypatch.setattr(account_email, "now_ms", lambda: later)
    second = await reset_link(anon, smtp_sink, jobs, "bob@example.com", count=2, at=later)
    await anon.post("/users/password/reset", {"code": first, "new_password": NEW_PASSWORD}, expect=400)
    await anon.post("/users/password/reset", {"code": second, "new_password": NEW_PASSWORD})
    await anon.login("bob", NEW_PASSWORD)


@pytest.mark.parametrize("settings_overrides", [{}])
async def test_without_smtp_the_send_routes_answer_501(admin: Api, anon: Api) -> None:
    for path in ("/users/password/reset/send", "/users/email/verify/send"):
        refused = await anon.post(path, {"email": "admin@example.com"}, expect=501)
        assert refused["id"] == "api.kafana.email.not_configured"
