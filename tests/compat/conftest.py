"""A real Kafana process for the black-box client tests (mattermostdriver, @mattermost/client).

`live_server` is one `kafana serve` per session (per xdist worker) on a free local port; `new_live_server()`
starts another, empty one, for flows that need it (the first account to sign up becomes the system admin). Both run the installed console script exactly as an operator would, with fast password hashing
and no rate limits.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT = 60.0  # seconds: migrations plus uvicorn start-up, on a slow CI machine
STOP_TIMEOUT = 10.0

# Ports that fetch() (undici in node, browsers) refuses to connect to: https://fetch.spec.whatwg.org/#port-blocking
FETCH_BAD_PORTS = frozenset(
    {
        1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110,
        111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532,
        540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061,
        6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
    }
)  # fmt: skip


def kafana_executable() -> Path:
    """The `kafana` console script of the interpreter running the tests (the project's .venv under make)."""
    for candidate in (Path(sys.executable).parent / "kafana", REPO / ".venv" / "bin" / "kafana"):
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which("kafana")
    if found is None:
        pytest.fail("the `kafana` console script is not installed (run `make install`)")
    return Path(found)


def free_port() -> int:
    """A currently free TCP port on 127.0.0.1 that fetch() is willing to use."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        if port not in FETCH_BAD_PORTS:
            return port
    raise RuntimeError("no usable free port")


def server_env() -> dict[str, str]:
    """The caller's environment without any KAFANA_* setting (a developer's database URL must not leak in)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAFANA_")}
    env.update(
        KAFANA_RATE_LIMIT_ENABLED="false",
        KAFANA_SIGNUP_MODE="open",
        KAFANA_PASSWORD_HASH_MEMORY_KIB="1024",
        KAFANA_PASSWORD_HASH_TIME_COST="1",
        PYTHONUNBUFFERED="1",
    )
    return env


@dataclass
class LiveServer:
    """A running `kafana serve`."""

    host: str
    port: int
    data_dir: Path
    log_path: Path
    process: subprocess.Popen[bytes] = field(repr=False)

    @property
    def url(self) -> str:
        """Base URL without a trailing slash, e.g. http://127.0.0.1:43121."""
        return f"http://{self.host}:{self.port}"

    @property
    def api(self) -> str:
        return self.url + "/api/v4"

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=STOP_TIMEOUT)


def _ping(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/api/v4/system/ping", timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def start_server(data_dir: Path, attempts: int = 3, env: dict[str, str] | None = None) -> LiveServer:
    """Start `kafana serve` on a free port and wait (bounded polling) until /system/ping answers.

    The port is probed free and then handed to the server, so another process may grab it in between: if the
    server dies during start-up, try again on another port.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    exe = kafana_executable()
    last_log = ""
    for attempt in range(attempts):
        port = free_port()
        log_path = data_dir / f"server-{attempt}.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [str(exe), "serve", "--data-dir", str(data_dir), "--port", str(port), "--host", "127.0.0.1"],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**server_env(), **(env or {})},
                cwd=str(data_dir),
            )
        server = LiveServer("127.0.0.1", port, data_dir, log_path, process)
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if process.poll() is not None:
                break
            if _ping(server.url):
                return server
            time.sleep(0.05)  # bounded start-up polling, not synchronization between test steps
        last_log = server.log_tail()
        server.stop()
    raise RuntimeError(f"kafana serve did not answer GET /api/v4/system/ping after {attempts} attempts; last log:\n{last_log}")


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One server per session (per xdist worker)."""
    server = start_server(tmp_path_factory.mktemp("live-server"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def new_live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[], LiveServer]]:
    """Start another, empty server (its first sign-up becomes the system admin); all stop at the end of the session.

    Client flows take one each from a session-scoped fixture, so a flow runs once per worker even when xdist
    spreads a module's tests over several workers.
    """
    servers: list[LiveServer] = []

    def start() -> LiveServer:
        server = start_server(tmp_path_factory.mktemp("empty-live-server"))
        servers.append(server)
        return server

    try:
        yield start
    finally:
        for server in servers:
            server.stop()
