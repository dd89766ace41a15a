"""The outbox against a real SMTP server: invitations arrive and work; an outage delays mail but neither loses
nor doubles it (F8); two senders never send one message twice; 5xx refusals stop; AUTH; 501 without SMTP."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from kafana.actions import outbox
from kafana.actions.context import Services
from kafana.lib.clock import now_ms
from tests.email.conftest import Jobs
from tests.helpers import PASSWORD, Api
from tests.mail import SmtpSink, link_in, outbox_rows, parts

MINUTE = 60_000


async def invite(admin: Api, *emails: str) -> dict[str, Any]:
    team = await admin.create_team("core")
    await admin.post(f"/teams/{team['id']}/invite/email", list(emails))
    return team


async def test_an_invitation_arrives_by_smtp_and_its_link_signs_up(admin: Api, anon: Api, smtp_sink: SmtpSink, jobs: Jobs) -> None:
    team = await invite(admin, "dana@example.org")
    assert "email_outbox" in await jobs.tick(now_ms())
    [message] = await smtp_sink.wait_for(1)
    assert smtp_sink.envelopes == [("chat@kafana.test", ["dana@example.org"])]
    assert message["To"] == "dana@example.org" and message["From"] == "Kafana <chat@kafana.test>"
    assert message["Subject"] == "[Kafana] admin invited you to join Core"
    text, html = parts(message)
    link = link_in(text, "/signup_user_complete/")
    assert link.startswith("https://chat.example.org/signup_user_complete/?t=") and link.replace("&", "&amp;") in html
    token = link.split("?t=", 1)[1]
    await anon.post(f"/users?t={token}", {"username": "dana", "email": "dana@example.org", "password": PASSWORD}, expect=201)
    dana = await anon.login("dana")
    assert [t["id"] for t in await dana.get("/users/me/teams")] == [team["id"]]


async def test_an_smtp_outage_delays_mail_but_neither_loses_nor_doubles_it(admin: Api, services: Services, smtp_sink: SmtpSink, jobs: Jobs) -> None:
    await smtp_sink.stop()
    addresses = ["a@example.org", "b@example.org", "c@example.org"]
    await invite(admin, *addresses)
    t0 = now_ms()
    await jobs.tick(t0)  # the server is down: every message waits, none is lost
    rows = await outbox_rows(services)
    assert [(r.sent_at, r.attempts) for r in rows] == [(0, 1)] * 3 and all(r.last_error for r in rows)
    await jobs.tick(t0 + 10_000)  # backing off: no new attempt yet
    assert [r.attempts for r in await outbox_rows(services)] == [1, 1, 1]
    await jobs.tick(t0 + MINUTE)
    assert [r.attempts for r in await outbox_rows(services)] == [2, 2, 2]
    await smtp_sink.start()  # back, on the same port, ten minutes later
    await jobs.tick(t0 + 10 * MINUTE)
    await smtp_sink.wait_for(3)
    for later in (11, 12, 30):
        await jobs.tick(t0 + later * MINUTE)
    assert sorted(m["To"] for m in smtp_sink.messages) == addresses  # each once
    rows = await outbox_rows(services)
    assert all(r.sent_at == t0 + 10 * MINUTE for r in rows)
    by_address = {r.to_address: r for r in rows}
    for message in smtp_sink.messages:  # the Message-ID is the outbox row's: a resend would carry the same one
        assert message["Message-ID"] == f"<{by_address[message['To']].id}@kafana.test>"


async def test_two_senders_at_once_send_each_message_once(admin: Api, services: Services, smtp_sink: SmtpSink, jobs: Jobs) -> None:
    addresses = [f"p{i}@example.org" for i in range(8)]
    await invite(admin, *addresses)
    now = now_ms()
    sent = await asyncio.gather(outbox.do_send_outbox(services, now), outbox.do_send_outbox(services, now))
    assert sum(sent) == len(addresses)
    await smtp_sink.wait_for(len(addresses))
    assert sorted(m["To"] for m in smtp_sink.messages) == sorted(addresses)


async def test_a_refused_recipient_stops_its_attempts_but_not_the_others(admin: Api, services: Services, smtp_sink: SmtpSink, jobs: Jobs) -> None:
    async def refuse_some(server: Any, session: Any, envelope: Any, address: str, options: list[str]) -> str:
        if address.startswith("nobody@"):
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    smtp_sink.handle_RCPT = refuse_some  # type: ignore[attr-defined]
    await invite(admin, "nobody@example.org", "somebody@example.org")
    now = now_ms()
    await jobs.tick(now)
    await smtp_sink.wait_for(1)
    rows = {r.to_address: r for r in await outbox_rows(services)}
    assert rows["nobody@example.org"].failed_at == now and "No such user" in rows["nobody@example.org"].last_error
    assert rows["somebody@example.org"].sent_at == now
    await jobs.tick(now + 60 * MINUTE)
    assert [m["To"] for m in smtp_sink.messages] == ["somebody@example.org"]


@pytest.fixture
async def auth_sink() -> Any:
    sink = SmtpSink(credentials=("mailer", "s3cret"))
    await sink.start()
    yield sink
    await sink.stop()


@pytest.mark.parametrize("password", ["s3cret", "wrong"])
async def test_smtp_auth_uses_the_configured_credentials(auth_sink: SmtpSink, services: Services, admin: Api, password: str, jobs: Jobs) -> None:
    settings = services.settings.model_copy(update={"smtp_port": auth_sink.port, "smtp_username": "mailer", "smtp_password": password})
    node = Services(settings=settings, db=services.db)
    await invite(admin, "dana@example.org")
    now = now_ms()
    accepted = await outbox.do_send_outbox(node, now)
    [row] = await outbox_rows(services)
    if password == "s3cret":
        assert accepted == 1 and row.sent_at == now
        await auth_sink.wait_for(1)
    else:  # bad credentials are the settings' fault, not the message's: it waits for a fix
        assert accepted == 0 and row.sent_at == 0 and row.failed_at == 0 and row.attempts == 1
        assert auth_sink.messages == []


@pytest.mark.parametrize("settings_overrides", [{}])
async def test_without_smtp_the_routes_that_send_mail_answer_501(admin: Api, services: Services) -> None:
    team = await admin.create_team("core")
    for path, body in [
        (f"/teams/{team['id']}/invite/email", ["dana@example.org"]),
        (f"/teams/{team['id']}/invite-guests/email", {"emails": ["gus@example.org"], "channels": ["x" * 26]}),
    ]:
        refused = await admin.post(path, body, expect=501)
        assert refused["id"] == "api.kafana.email.not_configured"
    assert await outbox_rows(services) == []
