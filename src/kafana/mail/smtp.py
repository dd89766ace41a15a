"""Handing messages to the configured SMTP server (aiosmtplib), with failures sorted into temporary (try again
later: the server is down, slow, or refuses for now) and permanent (this message will never be accepted)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from email.message import EmailMessage

import aiosmtplib

from kafana.config import Settings


class TemporaryFailure(Exception):
    """The server could not be reached or answered 4xx: the message waits and is tried again."""


class PermanentFailure(Exception):
    """The server refused this message or its recipient with a 5xx answer: retrying cannot help."""


def _refusal(exc: aiosmtplib.SMTPException) -> Exception:
    codes: list[int] = []
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        codes = [r.code for r in exc.recipients]
    elif isinstance(exc, aiosmtplib.SMTPRecipientRefused | aiosmtplib.SMTPDataError):
        codes = [exc.code]
    if codes and all(code >= 500 for code in codes):
        return PermanentFailure(str(exc))
    # Everything else (connection, TLS, authentication, a refused sender) is the server's or the settings'
    # problem, not this message's: fixing it lets the mail through.
    return TemporaryFailure(str(exc) or type(exc).__name__)


class Connection:
    def __init__(self, client: aiosmtplib.SMTP) -> None:
        self.client = client

    async def send(self, message: EmailMessage) -> None:
        """Returns once the server has accepted the message (250 after DATA)."""
        try:
            await self.client.send_message(message)
        except aiosmtplib.SMTPException as exc:
            raise _refusal(exc) from exc
        except OSError as exc:
            raise TemporaryFailure(str(exc) or type(exc).__name__) from exc


@contextlib.asynccontextmanager
async def connect(settings: Settings) -> AsyncIterator[Connection]:
    """One SMTP session for a run of messages: TLS as `smtp_security` says (`none` never upgrades, even when
    the server offers STARTTLS), then AUTH when a username is set."""
    client = aiosmtplib.SMTP(
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        use_tls=settings.smtp_security == "tls",
        start_tls=settings.smtp_security == "starttls",
        timeout=settings.smtp_timeout_seconds,
    )
    try:
        await client.connect()
        if settings.smtp_username:
            await client.login(settings.smtp_username, settings.smtp_password)
    except (aiosmtplib.SMTPException, OSError) as exc:
        client.close()
        raise TemporaryFailure(str(exc) or type(exc).__name__) from exc
    try:
        yield Connection(client)
    finally:
        with contextlib.suppress(aiosmtplib.SMTPException, OSError):
            await client.quit()
        client.close()
