"""A real IRC server (Debian's ngircd) and a real IRC client (the `irc` library) for the bridge tests and bench."""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

from irc.client_aio import AioReactor

from kafana.bridges.irc import IrcBridge

CONFIG = """[Global]
\tName = irc.test.local
\tInfo = Kafana test ircd
\tListen = 127.0.0.1
\tPorts = {port}
\tMotdPhrase = "test"
\tAdminInfo1 = test
\tAdminInfo2 = test
\tAdminEMail = admin@test.local
\tPidFile = {dir}/ngircd.pid
[Limits]
\tMaxConnectionsIP = 0
\tMaxPenaltyTime = {max_penalty}
[Options]
\tPAM = no
\tIdent = no
\tDNS = no
{ssl}"""

SSL = """[SSL]
\tCertFile = {cert}
\tKeyFile = {key}
\tPorts = {ssl_port}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def available() -> bool:
    return shutil.which("ngircd") is not None or Path("/usr/sbin/ngircd").exists()


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 (openssl), which the bridge is told to trust."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    key.chmod(0o644)
    return cert, key


class Ngircd:
    """ngircd on a free port, started and stopped by the test. `max_penalty=-1` keeps its flood throttling
    (about ten lines a second per client), 0 turns it off (the bench measures the bridge, not the throttle)."""

    def __init__(self, directory: Path, *, tls: bool = False, max_penalty: int = -1) -> None:
        self.dir = directory
        self.port = free_port()
        self.ssl_port = free_port() if tls else 0
        ssl = ""
        if tls:
            cert, key = self_signed(directory)
            self.cert = cert
            ssl = SSL.format(cert=cert, key=key, ssl_port=self.ssl_port)
        self.conf = directory / "ngircd.conf"
        self.conf.write_text(CONFIG.format(port=self.port, dir=directory, max_penalty=max_penalty, ssl=ssl))
        subprocess.run([self.binary, "--configtest", "--config", str(self.conf)], check=True, capture_output=True)
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def binary(self) -> str:
        return shutil.which("ngircd") or "/usr/sbin/ngircd"

    def start(self) -> None:
        self.process = subprocess.Popen([self.binary, "--nodaemon", "--config", str(self.conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None


class IrcUser:
    """Someone on IRC, with the `irc` library on the test's event loop: what they hear in the channel."""

    def __init__(self, port: int, nick: str, channel: str = "#test") -> None:
        self.port, self.nick, self.channel = port, nick, channel
        self.heard: asyncio.Queue[tuple[str, str]] = asyncio.Queue()  # (nick, text); /me as "* text"
        self.joins: asyncio.Queue[str] = asyncio.Queue()
        self._joined = asyncio.Event()
        self.reactor = AioReactor(loop=asyncio.get_running_loop())

    async def connect(self) -> IrcUser:
        self.connection = await self.reactor.server().connect("127.0.0.1", self.port, self.nick)
        self.connection.add_global_handler("welcome", lambda c, e: c.join(self.channel))
        self.connection.add_global_handler("join", self._on_join)
        self.connection.add_global_handler("pubmsg", lambda c, e: self.heard.put_nowait((e.source.nick, e.arguments[0])))
        self.connection.add_global_handler("action", lambda c, e: self.heard.put_nowait((e.source.nick, "* " + e.arguments[0])))
        await asyncio.wait_for(self._joined.wait(), 30)
        return self

    def _on_join(self, connection: Any, event: Any) -> None:
        if event.source.nick == self.connection.get_nickname():
            self._joined.set()
        else:
            self.joins.put_nowait(event.source.nick)

    def say(self, text: str, target: str = "") -> None:
        self.connection.privmsg(target or self.channel, text)

    async def hear(self) -> tuple[str, str]:
        """The next line heard (within 30 s: ngircd's throttling makes bursts take seconds)."""
        async with asyncio.timeout(30):
            return await self.heard.get()

    def close(self) -> None:
        self.connection.disconnect()


async def started_worker(app: Any, bridge_id: str) -> IrcBridge:
    """The bridge's worker once the app's supervisor has started it."""
    deadline = time.monotonic() + 30
    while bridge_id not in app.state.bridges.running:
        assert time.monotonic() < deadline, "the supervisor did not start the bridge"
        await asyncio.sleep(0.05)
    worker = app.state.bridges.running[bridge_id].worker
    assert isinstance(worker, IrcBridge)
    return worker
