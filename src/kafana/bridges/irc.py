"""The IRC bridge: a small IRC client on asyncio streams (RFC 1459/2812 with IRCv3 CAP and SASL PLAIN).

- Connects to the address the D10 check returned (TLS verifies the configured host name), registers (SASL
  first when configured: a server without it is an error rather than an unauthenticated connection), takes
  `nick_` / `nick_2`… while the nick is taken (433), joins the channel and answers PINGs.
- Outbound lines wait in a queue that survives reconnects; a sender drains it only while the bridge is in the
  channel, through a token bucket (`burst` lines, then `lines_per_second`), so servers' flood limits are never
  hit. A line leaves the queue only once written.
- Reconnects with exponential backoff (1 s doubling to 5 min, reset after a successful join).
- Kafana → IRC: `<name> text`, Markdown as IRC formatting, replies as "↪ reply to name: …", edits as
  "(edited) …", files as links, reactions as /me lines; long text split at word boundaries so that each line
  fits in 512 bytes once the server has relayed it.
- IRC → Kafana: channel PRIVMSGs (and /me actions) posted with the IRC nick as the remote author.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import ssl
import time
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass

from kafana.actions.bridges import Inbound, Outbound
from kafana.bridges.base import BridgeContext, BridgeWorker, raise_if_cancelled
from kafana.bridges.irc_format import irc_to_markdown, markdown_to_irc, split_message, text_budget
from kafana.bridges.registry import register
from kafana.lib.errors import AppError
from kafana.lib.tasks import cancel

log = logging.getLogger(__name__)

RECONNECT_MIN_SECONDS = 1.0
RECONNECT_MAX_SECONDS = 300.0
CONNECT_TIMEOUT_SECONDS = 30.0
IDLE_SECONDS = 120.0  # silence before we PING the server; twice that and the connection is dead
NICK_MAX = 9  # RFC 2812's nick length: suffixed nicks stay within it
SASL_CHUNK = 400
REACTION_SNIPPET = 60
SASL_FAILED = {"902", "904", "905", "906", "908"}


class IrcError(Exception):
    """The server refused us (SASL, an ERROR line); the connection is dropped and retried later."""


@dataclass(frozen=True, slots=True)
class Message:
    prefix: str
    command: str
    params: list[str]

    @property
    def nick(self) -> str:
        return self.prefix.split("!", 1)[0]


def parse(line: str) -> Message:
    """One IRC line (without CR LF): [@tags] [:prefix] COMMAND params [:trailing]."""
    if line.startswith("@"):
        line = line.partition(" ")[2]
    prefix = ""
    if line.startswith(":"):
        prefix, _, line = line[1:].partition(" ")
    head, _, trailing = line.partition(" :")
    words = head.split()
    params = words[1:] + ([trailing] if " :" in line or line.startswith(":") else [])
    return Message(prefix, words[0].upper() if words else "", params)


def decode(raw: bytes) -> str:
    """UTF-8, or Latin-1 for the clients that still send it."""
    try:
        return raw.decode()
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def next_nick(base: str, attempt: int) -> str:
    """`nick_`, then `nick_2`, `nick_3`… cut to fit NICK_MAX."""
    suffix = "_" if attempt == 1 else f"_{attempt}"
    return base[: NICK_MAX - len(suffix)] + suffix


class TokenBucket:
    """`burst` lines at once, then `rate` lines a second."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, float(burst)
        self.tokens = float(burst)
        self.at = time.monotonic()

    async def take(self) -> None:
        while True:
            now = time.monotonic()
            self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
            self.at = now
            if self.tokens >= 1:
                self.tokens -= 1
                return
            await asyncio.sleep((1 - self.tokens) / self.rate)


@register
class IrcBridge(BridgeWorker):
    kind = "irc"

    def __init__(self, ctx: BridgeContext) -> None:
        super().__init__(ctx)
        config = ctx.config
        self.host, self.port, self.channel = str(config["server"]), int(config["port"]), str(config["channel"])
        self.nick = str(config["nick"])
        self.outbox: deque[str] = deque()  # PRIVMSG lines, kept across reconnects
        self.bucket = TokenBucket(float(config.get("lines_per_second", 1.0)), int(config.get("burst", 5)))
        self.joined = asyncio.Event()  # registered and in the channel: the sender may send
        self._queued = asyncio.Event()
        self.connections = 0  # sessions that reached the channel (tests and logs)

    # Kafana → IRC ------------------------------------------------------------------------------------------

    async def deliver(self, out: Outbound) -> None:
        for line in self.render(out):
            self.outbox.append(f"PRIVMSG {self.channel} :{line}")
        self._queued.set()

    def render(self, out: Outbound) -> list[str]:
        """The IRC lines for one Kafana change (none for deletes: IRC cannot take a message back)."""
        budget = text_budget(self.nick + "___", self.channel)  # room for a suffixed nick
        if out.event == "reaction_added":
            if not self.ctx.config.get("relay_reactions", True):
                return []
            about = " ".join(out.message.split())
            about = about if len(about) <= REACTION_SNIPPET else about[: REACTION_SNIPPET - 1] + "…"
            return [f"\x01ACTION {line}\x01" for line in split_message("", f"{out.author} reacted with :{out.emoji_name}: to “{about}”", budget - 9)]
        if out.event not in ("posted", "post_edited"):
            return []
        text = "\n".join([markdown_to_irc(out.message), *out.file_urls]).strip("\n")
        if out.event == "post_edited":
            text = "(edited) " + text
        elif out.root_author:
            text = f"↪ reply to {out.root_author}: " + text
        return split_message(f"<{out.author}> ", text, budget)

    async def _send_queued(self, writer: asyncio.StreamWriter) -> None:
        while True:
            while not self.outbox:
                self._queued.clear()
                await self._queued.wait()
            await self.bucket.take()
            await _write(writer, self.outbox[0])
            self.outbox.popleft()

    # The connection ----------------------------------------------------------------------------------------

    async def run(self) -> None:
        delay = RECONNECT_MIN_SECONDS
        while True:
            before = self.connections
            try:
                await self._session()
            except (OSError, TimeoutError, IrcError, AppError, ssl.SSLError) as exc:
                raise_if_cancelled()
                log.warning("IRC bridge %s: %s:%d: %s", self.ctx.bridge_id, self.host, self.port, getattr(exc, "message", exc))
            if self.connections > before:
                delay = RECONNECT_MIN_SECONDS
            await asyncio.sleep(delay)
            delay = min(delay * 2, RECONNECT_MAX_SECONDS)

    async def _session(self) -> None:
        address = await self.ctx.check_address(self.host, self.port)
        tls = None
        if self.ctx.config.get("tls"):
            tls = ssl.create_default_context(cafile=str(self.ctx.config.get("tls_ca_file") or "") or None)
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(address, self.port, ssl=tls, server_hostname=self.host if tls else None), CONNECT_TIMEOUT_SECONDS
        )
        sender: asyncio.Task[None] | None = None
        try:
            await self._register(reader, writer)
            await _write(writer, f"JOIN {self.channel}")
            sender = asyncio.create_task(self._send_when_joined(writer))
            await self._read(reader, writer)
        finally:
            self.joined.clear()
            writer.close()  # first: the awaits below may be cut short by a cancellation
            if sender is not None:
                await cancel(sender)

    async def _send_when_joined(self, writer: asyncio.StreamWriter) -> None:
        await self.joined.wait()
        try:
            await self._send_queued(writer)
        except (OSError, ConnectionError) as exc:  # the reader notices too and ends the session
            log.info("IRC bridge %s: sending stopped: %s", self.ctx.bridge_id, exc)

    async def _lines(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> AsyncIterator[Message]:
        """The server's lines as Messages; PINGs it when quiet, and ends when it goes away."""
        pinged = False
        while True:
            try:
                raw = await asyncio.wait_for(reader.readline(), IDLE_SECONDS)
            except TimeoutError:
                if pinged:
                    raise IrcError("the server stopped answering") from None
                await _write(writer, f"PING :{self.host}")
                pinged = True
                continue
            if not raw:
                return
            pinged = False
            message = parse(decode(raw).rstrip("\r\n"))
            if message.command == "PING":
                await _write(writer, "PONG :" + (message.params[-1] if message.params else ""))
            elif message.command == "ERROR":
                raise IrcError(f"the server closed the connection: {' '.join(message.params)}")
            else:
                yield message

    async def _register(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        config = self.ctx.config
        sasl_user, sasl_password = str(config.get("sasl_user") or ""), str(config.get("sasl_password") or "")
        base, attempt = str(config["nick"]), 0
        self.nick = base
        if sasl_user:
            await _write(writer, "CAP LS 302")
        await _write(writer, f"NICK {self.nick}")
        await _write(writer, f"USER {base[:NICK_MAX].lower()} 0 * :Kafana bridge")
        offered: list[str] = []
        async for message in self._lines(reader, writer):
            command, params = message.command, message.params
            if command == "CAP" and len(params) >= 3 and params[1] == "LS":
                offered += params[-1].split()
                if params[2] != "*":  # the last line of a multi-line LS
                    if not any(cap.split("=", 1)[0] == "sasl" for cap in offered):
                        raise IrcError("the server does not offer SASL")
                    await _write(writer, "CAP REQ :sasl")
            elif command == "CAP" and len(params) >= 3 and params[1] == "ACK":
                await _write(writer, "AUTHENTICATE PLAIN")
            elif command == "CAP" and len(params) >= 3 and params[1] == "NAK":
                raise IrcError("the server refused the sasl capability")
            elif command == "AUTHENTICATE" and params == ["+"]:
                payload = base64.b64encode(f"{sasl_user}\0{sasl_user}\0{sasl_password}".encode()).decode()
                chunks = [payload[i : i + SASL_CHUNK] for i in range(0, len(payload), SASL_CHUNK)]
                for chunk in chunks + (["+"] if len(payload) % SASL_CHUNK == 0 else []):
                    await _write(writer, f"AUTHENTICATE {chunk}")
            elif command == "903":
                await _write(writer, "CAP END")
            elif command in SASL_FAILED:
                raise IrcError(f"SASL authentication failed ({command})")
            elif command in ("433", "432", "437"):  # taken, refused (too long), temporarily unavailable
                attempt += 1
                self.nick = next_nick(base, attempt)
                await _write(writer, f"NICK {self.nick}")
            elif command == "001":
                self.nick = params[0] if params else self.nick
                return
        raise IrcError("the server closed the connection during registration")

    async def _read(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        channel = self.channel.lower()
        async for message in self._lines(reader, writer):
            command, params = message.command, message.params
            if command == "366" and len(params) >= 2 and params[1].lower() == channel:  # end of NAMES: we are in
                self.connections += 1
                self.joined.set()
                log.info("IRC bridge %s: in %s on %s as %s", self.ctx.bridge_id, self.channel, self.host, self.nick)
            elif command == "KICK" and len(params) >= 2 and params[0].lower() == channel and params[1] == self.nick:
                self.joined.clear()
                await asyncio.sleep(RECONNECT_MIN_SECONDS)
                await _write(writer, f"JOIN {self.channel}")
            elif command == "NICK" and message.nick == self.nick and params:
                self.nick = params[0]
            elif command == "PRIVMSG" and len(params) == 2 and params[0].lower() == channel and message.nick != self.nick:
                await self._relay_in(message.nick, params[1])

    async def _relay_in(self, nick: str, text: str) -> None:
        if text.startswith("\x01"):
            body = text.strip("\x01")
            if not body.upper().startswith("ACTION "):
                return  # other CTCP (VERSION, PING…) is not conversation
            text = "_" + irc_to_markdown(body[7:]).strip() + "_"
        else:
            text = irc_to_markdown(text)
        if text.strip():
            await self.ctx.post(Inbound(nick, text, network=str(self.ctx.config.get("network") or self.host)))


async def _write(writer: asyncio.StreamWriter, line: str) -> None:
    writer.write(line.encode() + b"\r\n")
    await writer.drain()
