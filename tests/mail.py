"""Email in tests: a real SMTP server (aiosmtpd) on loopback, and a look into the outbox table."""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
import socket
import warnings
from email.message import EmailMessage
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from sqlalchemy import select

from kafana.actions.context import Services
from kafana.models import OutboxMail


def closed_port() -> int:
    """A loopback port nobody listens on (probed free, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# Email set up, to a server that is never there: mail waits in the outbox, the routes that need mail work.
MAIL_WAITS: dict[str, Any] = {"smtp_host": "127.0.0.1", "smtp_port": closed_port()}


class SmtpSink:
    """aiosmtpd in the test's event loop on 127.0.0.1: what it accepted, in order, awaitable. `stop()` and
    `start()` again (same port) stand for an outage. With `credentials`, AUTH is required (over plain text:
    loopback only)."""

    def __init__(self, credentials: tuple[str, str] | None = None) -> None:
        self.port = 0
        self.credentials = credentials
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self._arrived = asyncio.Condition()
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        loop = asyncio.get_running_loop()

        def protocol() -> SMTP:
            if self.credentials is None:
                return SMTP(self, loop=loop, hostname="sink.test")
            with warnings.catch_warnings():  # "AUTH without TLS": on purpose, on loopback
                warnings.simplefilter("ignore", UserWarning)
                return SMTP(self, loop=loop, hostname="sink.test", authenticator=self._authenticate, auth_required=True, auth_require_tls=False)

        self._server = await loop.create_server(protocol, "127.0.0.1", self.port)
        self.port = int(self._server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    def _authenticate(self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login.decode(), auth_data.password.decode()) == self.credentials
        return AuthResult(success=ok, handled=False)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        message = email.message_from_bytes(content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        async with self._arrived:
            self.messages.append(message)
            self.envelopes.append((str(envelope.mail_from), list(envelope.rcpt_tos)))
            self._arrived.notify_all()
        return "250 OK"

    async def wait_for(self, count: int) -> list[EmailMessage]:
        """Until at least `count` messages have arrived (an AssertionError after 15 s)."""
        async with self._arrived:
            try:
                await asyncio.wait_for(self._arrived.wait_for(lambda: len(self.messages) >= count), 15)
            except TimeoutError:
                raise AssertionError(f"{len(self.messages)} email(s) arrived, expected {count}") from None
        return list(self.messages)


def parts(message: EmailMessage) -> tuple[str, str]:
    """(plain text, HTML) of a multipart/alternative message."""
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    return str(text.get_content()), str(html.get_content())


def link_in(text: str, marker: str) -> str:
    """The first URL in `text` that contains `marker`."""
    found = re.search(r"https?://\S*" + re.escape(marker) + r"\S*", text)
    assert found is not None, f"no link with {marker!r} in:\n{text}"
    return found.group(0)


async def outbox_rows(services: Services) -> list[OutboxMail]:
    async with services.db.read() as db:
        return list((await db.execute(select(OutboxMail).order_by(OutboxMail.create_at, OutboxMail.id))).scalars())
