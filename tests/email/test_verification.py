"""Email verification with `require_email_verification`: signing up sends the link, logging in waits for it,
the link verifies once; a changed address must be verified again."""

from __future__ import annotations

from typing import Any

import pytest

from kafana.lib.clock import now_ms
from tests.email.conftest import Jobs
from tests.helpers import PASSWORD, Api
from tests.mail import SmtpSink, link_in, outbox_rows, parts


@pytest.fixture
def settings_overrides(smtp_sink: SmtpSink) -> dict[str, Any]:
    return {"smtp_host": "127.0.0.1", "smtp_port": smtp_sink.port, "site_url": "https://chat.example.org", "require_email_verification": True}


def token_in(message: Any) -> str:
    text, html = parts(message)
    link = link_in(text, "/do_verify_email?token=")
    assert link.replace("&", "&amp;") in html
    return link.split("token=", 1)[1].split("&", 1)[0]


async def test_signup_sends_the_link_and_login_waits_for_it(admin: Api, anon: Api, smtp_sink: SmtpSink, jobs: Jobs) -> None:
    await anon.post("/users", {"username": "bob", "email": "bob@example.com", "password": PASSWORD, "locale": "fr"}, expect=201)
    refused = await anon.http.post("/api/v4/users/login", json={"login_id": "bob", "password": PASSWORD})
    assert (refused.status_code, refused.json()["id"]) == (401, "api.user.login.not_verified.app_error")
    await jobs.tick(now_ms())
    [message] = await smtp_sink.wait_for(1)
    assert message["To"] == "bob@example.com" and message["Subject"] == "[Kafana] Vérifiez votre adresse e-mail"
    token = token_in(message)
    await anon.post("/users/email/verify", {"token": token})
    bob = await anon.login("bob")
    assert (await bob.get("/users/me"))["email_verified"] is True
    again = await anon.post("/users/email/verify", {"token": token}, expect=400)
    assert again["id"] == "api.user.verify_email.bad_link.app_error"
    # Verified accounts get no more links; the first account (the admin) was never asked.
    await anon.post("/users/email/verify/send", {"email": "bob@example.com"})
    await anon.post("/users/email/verify/send", {"email": "admin@example.com"})
    assert len(await outbox_rows(admin_services(anon))) == 1


def admin_services(api: Api) -> Any:
    return api.http._transport.app.state.services  # type: ignore[attr-defined]


async def test_a_changed_address_is_verified_again(admin: Api, anon: Api, smtp_sink: SmtpSink, jobs: Jobs) -> None:
    bob = await admin.signup("bob")  # made by an admin: verified
    await bob.put("/users/me/patch", {"email": "robert@example.org", "password": PASSWORD})
    assert (await bob.get("/users/me"))["email_verified"] is False
    await jobs.tick(now_ms())
    [message] = await smtp_sink.wait_for(1)
    assert message["To"] == "robert@example.org"
    await anon.post("/users/email/verify", {"token": token_in(message)})
    assert (await bob.get("/users/me"))["email_verified"] is True


async def test_asking_again_sends_a_fresh_link(admin: Api, anon: Api, smtp_sink: SmtpSink, jobs: Jobs) -> None:
    await anon.post("/users", {"username": "bob", "email": "bob@example.com", "password": PASSWORD}, expect=201)
    await jobs.tick(now_ms())
    await smtp_sink.wait_for(1)
    await anon.post("/users/email/verify/send", {"email": "bob@example.com"})  # within the minute: nothing more
    await anon.post("/users/email/verify/send", {"email": "nobody@example.com"})
    await jobs.tick(now_ms())
    assert len(smtp_sink.messages) == 1
    await anon.post("/users/email/verify", {"token": token_in(smtp_sink.messages[0])})
    await anon.login("bob")


def test_requiring_verification_needs_smtp() -> None:
    from kafana.config import load_settings

    with pytest.raises(SystemExit, match="require_email_verification needs smtp_host"):
        load_settings(env={"KAFANA_REQUIRE_EMAIL_VERIFICATION": "true"})
