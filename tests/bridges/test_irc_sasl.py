"""SASL PLAIN, which ngircd does not offer: a scripted server speaks IRCv3's documented exchange
(https://ircv3.net/specs/extensions/sasl-3.1: CAP LS/REQ/ACK, AUTHENTICATE, 903/904, CAP END) to the bridge."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
from typing import Any

import pytest

from kafana.actions import bridges as actions
from kafana.actions.bridges import Outbound
from kafana.actions.context import Services
from kafana.bridges.irc import IrcBridge
from kafana.models.actor import SYSTEM
from tests.bridges.ircd import started_worker
from tests.helpers import Api

WAIT = 10.0


class ScriptedServer:
    """Accepts one client at a time and answers its registration as a SASL-capable network would."""

    def __init__(self, *, caps: str = "multi-prefix sasl=PLAIN,EXTERNAL", password: str = "hunter2") -> None:
        self.caps, self.password = caps, password
        self.received: asyncio.Queue[str] = asyncio.Queue()
        self.closed = asyncio.Event()
        self.writer: asyncio.StreamWriter | None = None
        self.writers: list[asyncio.StreamWriter] = []

    async def start(self) -> int:
        self.server = await asyncio.start_server(self.serve, "127.0.0.1", 0)
        return int(self.server.sockets[0].getsockname()[1])

    def send(self, line: str) -> None:
        assert self.writer is not None
        self.writer.write(line.encode() + b"\r\n")

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.writer = writer
        self.writers.append(writer)
        while raw := await reader.readline():
            line = raw.decode().rstrip("\r\n")
            self.received.put_nowait(line)
            if line.startswith("CAP LS"):
                self.send(f":srv CAP * LS :{self.caps}")
            elif line == "CAP REQ :sasl":
                self.send(":srv CAP kafana ACK :sasl")
            elif line == "AUTHENTICATE PLAIN":
                self.send("AUTHENTICATE +")
            elif line.startswith("AUTHENTICATE "):
                user, _, password = base64.b64decode(line.split()[1]).decode().partition("\0")[2].partition("\0")
                if password == self.password:
                    self.send(f":srv 900 kafana kafana!k@h {user} :You are now logged in as {user}")
                    self.send(":srv 903 kafana :SASL authentication successful")
                else:
                    self.send(":srv 904 kafana :SASL authentication failed")
            elif line == "CAP END":
                self.send(":srv 001 kafana :Welcome")
            elif line.startswith("JOIN "):
                self.send(f":kafana!k@h {line}")
                self.send(":srv 366 kafana #test :End of /NAMES list.")
        self.closed.set()
        writer.close()

    async def lines_until(self, last: str) -> list[str]:
        lines = []
        while not lines or lines[-1] != last:
            lines.append(await asyncio.wait_for(self.received.get(), WAIT))
        return lines

    async def stop(self) -> None:
        self.server.close()
        for writer in self.writers:
            writer.close()
        await self.server.wait_closed()


@pytest.fixture
async def scripted(request: pytest.FixtureRequest) -> AsyncIterator[ScriptedServer]:
    server = ScriptedServer(**getattr(request, "param", {}))
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def worker(app: Any, services: Services, admin: Api, team: dict[str, Any], scripted: ScriptedServer) -> IrcBridge:
    """The bridge, as the app's supervisor runs it."""
    await admin.create_channel(team, "bridged")
    port = scripted.server.sockets[0].getsockname()[1]
    config = {"server": f"127.0.0.1:{port}", "nick": "kafana", "channel": "#test", "sasl_user": "bridge", "sasl_password": "hunter2"}
    bridge = await actions.do_add_bridge(services, SYSTEM, "irc", "core/bridged", config)
    return await started_worker(app, bridge.id)


async def test_sasl_plain_authenticates_before_registration_ends(scripted: ScriptedServer, worker: IrcBridge) -> None:
    lines = await scripted.lines_until("JOIN #test")
    assert lines[0] == "CAP LS 302"
    assert lines.index("CAP REQ :sasl") < lines.index("AUTHENTICATE PLAIN") < lines.index("CAP END") < lines.index("JOIN #test")
    [auth] = [line for line in lines if line.startswith("AUTHENTICATE ") and line != "AUTHENTICATE PLAIN"]
    assert base64.b64decode(auth.split()[1]) == b"bridge\0bridge\0hunter2"
    await asyncio.wait_for(worker.joined.wait(), WAIT)
    await worker.deliver(Outbound("posted", {"id": "p", "message": "hello"}, author="admin"))
    assert await scripted.lines_until("PRIVMSG #test :<admin> hello")


@pytest.mark.parametrize("scripted", [{"password": "other"}, {"caps": "multi-prefix"}], indirect=True, ids=["wrong-password", "no-sasl"])
async def test_no_registration_without_sasl_success(scripted: ScriptedServer, worker: IrcBridge) -> None:
    """A refused login, or a server without SASL, ends the connection: the bridge never joins unauthenticated."""
    await asyncio.wait_for(scripted.closed.wait(), WAIT)
    seen = []
    while not scripted.received.empty():
        seen.append(scripted.received.get_nowait())
    assert "CAP END" not in seen and not any(line.startswith("JOIN") for line in seen)
    assert not worker.joined.is_set()
