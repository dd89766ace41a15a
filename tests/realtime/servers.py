"""Real servers for the several-nodes tests: this machine's Redis and PostgreSQL (skipped with a reason when
missing, a failure under CI=true, as tests/conftest.py does for PostgreSQL), a redis-server of a test's own
(to kill and restart), and clusters of `kafana serve` processes on a fresh PostgreSQL database."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from redis.asyncio import Redis
from websockets.asyncio.client import connect

from tests.compat.conftest import STARTUP_TIMEOUT, LiveServer, _ping, free_port, kafana_executable, server_env
from tests.conftest import PG_ADMIN_URL, _pg_admin, _pg_available
from tests.helpers import Api
from tests.realtime.conftest import WAIT, Socket

REDIS_URL = os.environ.get("KAFANA_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def missing(what: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is required under CI=true")
    pytest.skip(what)


async def require_redis() -> str:
    client = Redis.from_url(REDIS_URL, socket_connect_timeout=2.0)
    try:
        await client.ping()
    except Exception as exc:
        missing(f"Redis not reachable at {REDIS_URL} ({exc}); start it or set KAFANA_TEST_REDIS_URL")
    finally:
        await client.aclose()
    return REDIS_URL


def channel_prefix() -> str:
    """Unique per test: parallel runs on one Redis never hear each other."""
    return f"kafana-test-{uuid.uuid4().hex}"


class RedisServer:
    """A redis-server of the test's own on a free loopback port (never the machine's 6379), so that the test
    may kill it and start it again on the same port. Nothing is persisted: a restart loses everything, as a
    crash of a pub/sub-only Redis does."""

    def __init__(self, workdir: Path) -> None:
        executable = shutil.which("redis-server")
        if executable is None:
            missing("redis-server is not installed (apt-get install redis-server)")
        assert executable is not None
        self.executable = executable
        self.workdir = workdir
        self.port = free_port()
        self.process: asyncio.subprocess.Process | None = None
        self._drain: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    async def start(self) -> None:
        """Start it and return once it logs that it accepts connections (an event, not a poll)."""
        args = ["--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(self.workdir)]
        self.process = await asyncio.create_subprocess_exec(self.executable, *args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        assert self.process.stdout is not None
        log: list[bytes] = []
        async with asyncio.timeout(WAIT):
            while b"Ready to accept connections" not in (line := await self.process.stdout.readline()):
                log.append(line)
                if not line:
                    raise RuntimeError(f"redis-server exited: {b''.join(log).decode(errors='replace')}")
        self._drain = asyncio.create_task(self._read_rest(self.process.stdout))

    @staticmethod
    async def _read_rest(stream: asyncio.StreamReader) -> None:
        while await stream.readline():
            pass

    async def kill(self) -> None:
        """SIGKILL: connections drop at once, queued messages are gone."""
        if self.process is None or self.process.returncode is not None:
            return
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()
        if self._drain is not None:
            await self._drain
        self.process = self._drain = None


def start_node(data_dir: Path, env: dict[str, str], attempts: int = 3) -> LiveServer:
    """`kafana serve` with `env` on a free port, once GET /system/ping answers (bounded start-up polling)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    last_log = ""
    for attempt in range(attempts):
        port = free_port()
        log_path = data_dir / f"server-{attempt}.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [str(kafana_executable()), "serve", "--data-dir", str(data_dir), "--port", str(port), "--host", "127.0.0.1"],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=str(data_dir),
            )
        server = LiveServer("127.0.0.1", port, data_dir, log_path, process)
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline and process.poll() is None:
            if _ping(server.url):
                return server
            time.sleep(0.05)  # start-up polling, not synchronization between test steps
        last_log = server.log_tail()
        server.stop()
    raise RuntimeError(f"kafana serve did not start; last log:\n{last_log}")


@dataclass
class Cluster:
    """Kafana nodes sharing one PostgreSQL database and one Redis; `admin` signed up first, through node A."""

    nodes: list[LiveServer]
    http: list[httpx.AsyncClient]  # one per node
    admin: Api
    database_url: str
    env: dict[str, str]  # what the nodes run with (to start another with start_node)

    @property
    def a(self) -> LiveServer:
        return self.nodes[0]

    @property
    def b(self) -> LiveServer:
        return self.nodes[1]

    @property
    def http_a(self) -> httpx.AsyncClient:
        return self.http[0]

    def on(self, user: Api, node: LiveServer) -> Api:
        """The same session, talking to `node`."""
        return Api(self.http[self.nodes.index(node)], user.token, user.user)

    async def socket(self, user: Api, node: LiveServer) -> Socket:
        ws = await connect(
            f"ws://{node.host}:{node.port}/api/v4/websocket",
            additional_headers={"Authorization": f"Bearer {user.token}"},
            ping_interval=None,
            open_timeout=WAIT,
        )
        sock = Socket(ws)
        hello = await sock.next()
        assert hello["event"] == "hello" and hello["seq"] == 0
        return sock


@contextlib.asynccontextmanager
async def cluster_of(base: Path, redis_url: str, count: int = 2, settings: dict[str, str] | None = None) -> AsyncIterator[Cluster]:
    """`count` nodes on a new PostgreSQL database (dropped afterwards) and `redis_url` with a channel prefix of
    their own; `settings`: more KAFANA_* variables for them."""
    if not await _pg_available():
        missing(f"PostgreSQL not reachable at {PG_ADMIN_URL}")
    name = "kafana_nodes_" + uuid.uuid4().hex[:12]
    await _pg_admin(f'CREATE DATABASE "{name}"')
    servers: list[LiveServer] = []
    database_url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    try:
        env = server_env()
        env.update(KAFANA_DATABASE_URL=database_url, KAFANA_REDIS_URL=redis_url, KAFANA_REDIS_CHANNEL_PREFIX=channel_prefix(), **(settings or {}))
        for index in range(count):
            servers.append(start_node(base / f"node-{index}", env))
        async with contextlib.AsyncExitStack() as stack:
            http = [await stack.enter_async_context(httpx.AsyncClient(base_url=s.url, timeout=WAIT)) for s in servers]
            admin = await Api(http[0]).signup("admin")
            yield Cluster(servers, http, admin, database_url, env)
    finally:
        for server in servers:
            server.stop()
        await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
