"""The email outbox: every email Kafana sends is first a row written in the transaction that decided it, then
sent by the `email_outbox` job (F8: an SMTP outage delays mail but never loses or doubles it).

A sender claims due rows for a few minutes, hands them to the SMTP server one by one and marks each sent once
the server has accepted it. A failure pushes the row back with a growing delay; a 5xx refusal of the message
itself ends its attempts. The one unavoidable window — the server accepted, then this process died before
recording it — resends the message with the same Message-ID, which receiving systems use to drop the copy.
"""

from __future__ import annotations

import logging

from kafana.actions.context import Services
from kafana.db import UnitOfWork
from kafana.lib.clock import now_ms
from kafana.lib.errors import AppError
from kafana.lib.ids import new_id
from kafana.mail import smtp
from kafana.mail.compose import Rendered, mime_message
from kafana.models import OutboxMail
from kafana.store import outbox as outbox_store

log = logging.getLogger(__name__)

EMAIL_NOT_CONFIGURED = AppError(501, "api.kafana.email.not_configured", "Email is not set up on this server (smtp_host).")
CLAIM_MS = 5 * 60_000  # longer than one run can take (a batch × smtp_timeout_seconds)
BATCH = 20  # messages per run and SMTP session
RETRY_BASE_MS = 30_000
RETRY_MAX_MS = 5 * 60_000  # a server back from an outage gets its mail within five minutes
KEEP_MS = 7 * 24 * 3_600_000  # sent and refused rows are then deleted


def require_email(svc: Services) -> None:
    """Routes that exist to send mail answer 501 while no SMTP server is configured."""
    if not svc.settings.email_enabled:
        raise EMAIL_NOT_CONFIGURED


def queue_mail_txn(uow: UnitOfWork, to: str, mail: Rendered, *, now: int = 0) -> OutboxMail:
    """Put a message in the outbox, inside the caller's transaction: it exists exactly if that commits."""
    at = now or now_ms()
    row = OutboxMail(
        id=new_id(), to_address=to, subject=mail.subject[:512], text_body=mail.text, html_body=mail.html, headers=dict(mail.headers),
        create_at=at, send_after=at, attempts=0, claimed_by="", claim_until=0, sent_at=0, failed_at=0, last_error="",
    )  # fmt: skip
    uow.session.add(row)
    return row


def retry_delay_ms(attempts: int) -> int:
    """30 s, 1 min, 2 min, 4 min, then every 5 min, for as long as it takes."""
    return min(RETRY_BASE_MS << min(attempts, 10), RETRY_MAX_MS)


def message_id(svc: Services, mail: OutboxMail) -> str:
    domain = svc.settings.email_from.rpartition("@")[2] or "localhost"
    return f"<{mail.id}@{domain}>"


async def do_send_outbox(svc: Services, now: int) -> int:
    """One run of the sender: claim due messages, send them over one SMTP session, record each outcome.
    Returns how many the server accepted."""
    claimer = new_id()
    async with svc.db.write() as uow:
        await outbox_store.prune(uow.session, now - KEEP_MS)
        pending = await outbox_store.claim_due(uow.session, claimer, now, now + CLAIM_MS, BATCH)
    if not pending:
        return 0
    settings = svc.settings
    sent = 0
    try:
        async with smtp.connect(settings) as connection:
            while pending:
                mail = pending[0]
                message = mime_message(
                    Rendered(mail.subject, mail.text_body, mail.html_body, mail.headers),
                    to=mail.to_address, message_id=message_id(svc, mail), from_address=settings.email_from,
                    from_name=settings.email_from_name or settings.site_name, created_ms=mail.create_at,
                )  # fmt: skip
                try:
                    await connection.send(message)
                except smtp.PermanentFailure as exc:
                    log.warning("email %s to %s refused for good: %s", mail.id, mail.to_address, exc)
                    async with svc.db.write() as uow:
                        await outbox_store.mark_failed(uow.session, mail.id, claimer, now, str(exc))
                else:
                    async with svc.db.write() as uow:
                        await outbox_store.mark_sent(uow.session, mail.id, claimer, now)
                    sent += 1
                pending.pop(0)
    except smtp.TemporaryFailure as exc:
        # The server is down or refusing for now: everything still in hand waits, each with its own back-off.
        log.warning("SMTP server unavailable, %d email(s) wait: %s", len(pending), exc)
        async with svc.db.write() as uow:
            for mail in pending:
                await outbox_store.postpone(uow.session, mail.id, claimer, now + retry_delay_ms(mail.attempts), str(exc))
    return sent
