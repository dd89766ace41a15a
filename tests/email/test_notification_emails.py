"""Notification emails through a real SMTP server: one email per batch window with the mentions and direct
messages of a user who was away, grouped by channel, in their language, with permalinks and an unsubscribe
link; nothing for what they read meanwhile; an SMTP outage delays them but every one arrives exactly once."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from kafana.actions.context import Services
from kafana.lib.clock import now_ms
from kafana.models import PendingEmail
from tests.email.conftest import Jobs
from tests.helpers import Api
from tests.mail import SmtpSink, link_in, outbox_rows, parts

SECOND = 1000
MINUTE = 60 * SECOND
SITE = "https://chat.example.org"


@pytest.fixture
async def world(admin: Api) -> dict[str, Any]:
    bob = await admin.signup("bob")
    carol = await admin.signup("carol")
    dana = await admin.signup("dana")
    team = await admin.create_team("core", [bob, carol, dana])
    dev = await admin.create_channel(team, "dev", "O", [bob, carol, dana])
    return {"bob": bob, "carol": carol, "dana": dana, "team": team, "dev": dev}


async def post(author: Api, channel: dict[str, Any], message: str) -> dict[str, Any]:
    created: dict[str, Any] = await author.post("/posts", {"channel_id": channel["id"], "message": message}, expect=201)
    return created


async def test_a_mention_while_away_yields_one_email_in_the_batch_window(world: dict[str, Any], smtp_sink: SmtpSink, jobs: Jobs, services: Services) -> None:
    bob, carol = world["bob"], world["carol"]
    await bob.put("/users/me/patch", {"locale": "de", "timezone": {"useAutomaticTimezone": "false", "manualTimezone": "Europe/Berlin"}})
    first = await post(carol, world["dev"], "hey @bob, look at <b>this</b> & that")
    await post(carol, world["dev"], "nothing for bob here")
    second = await post(carol, world["dev"], "@bob second one")
    direct = await carol.post("/channels/direct", [carol.id, bob.id], expect=201)
    dm = await post(carol, direct, "psst")
    t0 = now_ms()
    await jobs.tick(t0)  # the window (30 s, "immediately") is still open
    assert await outbox_rows(services) == []
    await jobs.tick(t0 + 31 * SECOND)
    [message] = await smtp_sink.wait_for(1)
    assert message["To"] == "bob@example.com" and message["Subject"] == "[Kafana] Du hast neue Nachrichten"
    text, html = parts(message)
    # Grouped by channel, in the order the messages came; the unmentioned one is not there.
    assert text.index("== Dev ==") < text.index("look at <b>this</b> & that") < text.index("@bob second one")
    assert text.index("@bob second one") < text.index("== Direktnachricht von @carol ==") < text.index("psst")
    assert "nothing for bob" not in text
    for each in (first, second, dm):  # permalinks, the DM's through bob's team
        assert f"{SITE}/core/pl/{each['id']}" in text and f'href="{SITE}/core/pl/{each["id"]}"' in html
    assert "Nachricht ansehen" in text and "E-Mail-Benachrichtigungen" in text
    # What users wrote is escaped in the HTML part.
    assert "look at &lt;b&gt;this&lt;/b&gt; &amp; that" in html and "<b>this</b>" not in html
    assert html.startswith('<!DOCTYPE html><html lang="de" dir="ltr">')
    # Two channels: an unsubscribe link for each in the body, no single List-Unsubscribe header.
    assert text.count(f"{SITE}/api/v4/email/unsubscribe?token=") == 2 and message["List-Unsubscribe"] is None
    for later in (2, 5, 60):
        await jobs.tick(t0 + later * MINUTE)
    assert len(smtp_sink.messages) == 1


async def test_the_email_interval_preference_sets_the_window(world: dict[str, Any], smtp_sink: SmtpSink, jobs: Jobs, services: Services) -> None:
    bob, carol = world["bob"], world["carol"]
    await bob.put(f"/users/{bob.id}/preferences", [{"user_id": bob.id, "category": "notifications", "name": "email_interval", "value": "900"}])
    await post(carol, world["dev"], "@bob one")
    t0 = now_ms()
    await post(carol, world["dev"], "@bob two")
    await jobs.tick(t0 + 5 * MINUTE)
    assert await outbox_rows(services) == []
    await jobs.tick(t0 + 15 * MINUTE + SECOND)
    [message] = await smtp_sink.wait_for(1)
    text = parts(message)[0]
    assert "@bob one" in text and "@bob two" in text


async def test_what_was_read_before_the_batch_is_not_emailed(world: dict[str, Any], smtp_sink: SmtpSink, jobs: Jobs, services: Services) -> None:
    bob, carol = world["bob"], world["carol"]
    await post(carol, world["dev"], "@bob early")
    await bob.post(f"/channels/members/{bob.id}/view", {"channel_id": world["dev"]["id"]})
    await jobs.tick(now_ms() + MINUTE)
    assert await outbox_rows(services) == []
    # What came after the visit is emailed.
    await post(carol, world["dev"], "@bob late")
    await jobs.tick(now_ms() + 2 * MINUTE)
    [message] = await smtp_sink.wait_for(1)
    assert "@bob late" in parts(message)[0] and "@bob early" not in parts(message)[0]


async def test_online_users_and_users_who_turned_email_off_get_none(world: dict[str, Any], jobs: Jobs, services: Services) -> None:
    bob, carol, dana = world["bob"], world["carol"], world["dana"]
    await bob.put(f"/users/{bob.id}/status", {"user_id": bob.id, "status": "online"})
    await dana.put("/users/me/patch", {"notify_props": {"email": "false"}})
    await post(carol, world["dev"], "@bob @dana hello")
    await jobs.tick(now_ms() + 10 * MINUTE)
    assert await outbox_rows(services) == []


async def test_the_unsubscribe_link_turns_that_channel_off(world: dict[str, Any], anon: Api, smtp_sink: SmtpSink, jobs: Jobs, services: Services) -> None:
    bob, carol = world["bob"], world["carol"]
    await bob.put("/users/me/patch", {"locale": "fr"})
    await post(carol, world["dev"], "@bob hello")
    await jobs.tick(now_ms() + MINUTE)
    [message] = await smtp_sink.wait_for(1)
    link = link_in(parts(message)[0], "/api/v4/email/unsubscribe?token=")
    assert message["List-Unsubscribe"] == f"<{link}>" and message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = link.removeprefix(SITE)
    member_path = f"/channels/{world['dev']['id']}/members/{bob.id}"
    # Opening the link only asks (mail scanners open links); the button or the mail client's one-click POST acts.
    page = await anon.http.get(path)
    assert page.status_code == 200 and "Ne plus recevoir de notifications par e-mail de Dev ?" in page.text
    assert (await bob.get(member_path))["notify_props"]["email"] == "default"
    done = await anon.http.post(path, content=b"List-Unsubscribe=One-Click", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert done.status_code == 200 and "Vous ne recevrez plus de notifications par e-mail de Dev." in done.text
    assert (await bob.get(member_path))["notify_props"]["email"] == "none"
    await post(carol, world["dev"], "@bob again")
    await jobs.tick(now_ms() + 2 * MINUTE)
    assert len(await outbox_rows(services)) == 1
    # A tampered token is refused and changes nothing.
    forged = await anon.http.post(path[:-1] + ("B" if path.endswith("A") else "A"))
    assert forged.status_code == 400


async def test_an_smtp_outage_delays_notifications_but_each_arrives_exactly_once(
    world: dict[str, Any], smtp_sink: SmtpSink, jobs: Jobs, services: Services
) -> None:
    carol = world["carol"]
    await smtp_sink.stop()
    await post(carol, world["dev"], "@bob first")
    t0 = now_ms()
    await jobs.tick(t0 + 31 * SECOND)  # bob's batch is queued; the server is down
    await post(carol, world["dev"], "@bob @dana second")
    await jobs.tick(t0 + 62 * SECOND)
    await jobs.tick(t0 + 3 * MINUTE)
    rows = await outbox_rows(services)
    assert len(rows) == 3 and all(r.sent_at == 0 and r.attempts >= 1 for r in rows)
    await smtp_sink.start()
    await jobs.tick(t0 + 10 * MINUTE)
    await smtp_sink.wait_for(3)
    for later in (11, 15, 40):
        await jobs.tick(t0 + later * MINUTE)
    texts = {to: [parts(m)[0] for m in smtp_sink.messages if m["To"] == to] for to in ("bob@example.com", "dana@example.com")}
    assert len(smtp_sink.messages) == 3 and len(texts["bob@example.com"]) == 2
    for words in ("@bob first", "@bob @dana second"):
        assert sum(words in text for text in texts["bob@example.com"]) == 1
    [dana_text] = texts["dana@example.com"]
    assert "@bob @dana second" in dana_text and "@bob first" not in dana_text


@pytest.mark.parametrize("settings_overrides", [{}])
async def test_without_smtp_posting_queues_nothing(world: dict[str, Any], services: Services) -> None:
    await post(world["carol"], world["dev"], "@bob hi")
    async with services.db.read() as db:
        assert (await db.execute(select(func.count()).select_from(PendingEmail))).scalar_one() == 0
