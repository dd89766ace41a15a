"""Start, watch and stop the servers under test, so a bench run never leaves one behind.

Each server runs in its own process group, pinned to one CPU (the driver takes the other), and dies with
the bench even if the bench is killed (`setpriv --pdeathsig`). A background thread polls the whole process
tree's RSS, so the peak covers the prefill as well as the measured phases.
"""

from __future__ import annotations

import functools
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import httpx
import psutil

SERVER_CPU = 1
DRIVER_CPU = 0
RSS_POLL_S = 0.05
NOFILE = 20_000  # file descriptors wanted by the driver and each server: 5,000 idle sockets each, and some room


def raise_nofile(wanted: int = NOFILE) -> int:
    """Raise this process's soft RLIMIT_NOFILE towards `wanted` (never above the hard limit); return the soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def _server_preexec() -> None:
    """Runs in the server's child process before exec: the same raised fd limit as the driver."""
    raise_nofile()


def free_port() -> int:
    """A TCP port nobody listens on at this moment (127.0.0.1 only)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@functools.cache
def can_pin() -> bool:
    """Pinning needs two CPUs that this process may use; asked once, before the driver pins itself."""
    try:
        return {SERVER_CPU, DRIVER_CPU} <= os.sched_getaffinity(0)
    except (AttributeError, OSError):
        return False


def pin_driver() -> str:
    """Pin this process (the load driver) to its CPU; say what was done, for the report."""
    if not can_pin():
        return "not pinned (fewer than 2 usable CPUs or no sched_setaffinity)"
    os.sched_setaffinity(0, {DRIVER_CPU})
    return f"driver pinned to CPU {DRIVER_CPU}"


def kafana_command(data_dir: Path, port: int) -> list[str]:
    """The installed `kafana` script beside this interpreter (the project's .venv)."""
    script = Path(sys.executable).parent / "kafana"
    exe = str(script) if script.exists() else shutil.which("kafana") or "kafana"
    return [exe, "serve", "--data-dir", str(data_dir), "--host", "127.0.0.1", "--port", str(port)]


def reference_command(db_path: Path, port: int) -> list[str]:
    return [sys.executable, "-m", "bench.reference_app", "--db", str(db_path), "--port", str(port)]


class RssMonitor(threading.Thread):
    """Poll a process tree's resident set size and keep the peak; psutil only, no server cooperation."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True, name=f"rss-{pid}")
        self.pid = pid
        self.peak_bytes = 0
        self.phase_peak_bytes = 0
        self.last_bytes = 0
        self._stop_event = threading.Event()

    def sample(self) -> int:
        try:
            root = psutil.Process(self.pid)
            procs = [root, *root.children(recursive=True)]
        except psutil.Error:
            return 0
        total = 0
        for proc in procs:
            try:
                total += proc.memory_info().rss
            except psutil.Error:
                pass
        return total

    def run(self) -> None:
        while not self._stop_event.is_set():
            rss = self.sample()
            if rss:
                self.last_bytes = rss
                self.peak_bytes = max(self.peak_bytes, rss)
                self.phase_peak_bytes = max(self.phase_peak_bytes, rss)
            self._stop_event.wait(RSS_POLL_S)

    def new_phase(self) -> float:
        """Start a new phase peak; return the current RSS in MB (to show where memory goes)."""
        self.last_bytes = self.sample() or self.last_bytes
        self.phase_peak_bytes = self.last_bytes
        return self.last_bytes / 1e6

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=2)


@dataclass
class Server:
    """One server process: started by `with Server(...)`, always stopped on leaving the block."""

    name: str
    command: Sequence[str]
    port: int
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None
    monitor: RssMonitor | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        prefix: list[str] = []
        if setpriv := shutil.which("setpriv"):
            prefix += [setpriv, "--pdeathsig", "KILL", "--"]
        taskset = shutil.which("taskset")
        if can_pin() and taskset:
            prefix += [taskset, "-c", str(SERVER_CPU)]
        # Inherited KAFANA_* settings (a developer's Postgres URL, a config file) would change what is measured.
        env = {k: v for k, v in os.environ.items() if not k.startswith("KAFANA_")} | self.env
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [*prefix, *self.command], stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True, preexec_fn=_server_preexec
            )
        if can_pin() and not taskset:
            self._pin_all_threads()
        self.monitor = RssMonitor(self.process.pid)
        self.monitor.start()

    def _pin_all_threads(self) -> None:
        assert self.process is not None
        try:
            for thread in psutil.Process(self.process.pid).threads():
                os.sched_setaffinity(thread.id, {SERVER_CPU})
        except (psutil.Error, OSError):
            pass

    def wait_ready(self, timeout_s: float = 60.0) -> float:
        """Poll the ping endpoint until it answers; return the seconds it took to start."""
        assert self.process is not None
        started = time.monotonic()
        with httpx.Client(timeout=2.0) as client:
            while time.monotonic() - started < timeout_s:
                if self.process.poll() is not None:
                    raise RuntimeError(f"{self.name} exited with code {self.process.returncode} before it was ready:\n{self.log_tail()}")
                try:
                    if client.get(f"{self.base_url}/api/v4/system/ping").status_code == 200:
                        return time.monotonic() - started
                except httpx.TransportError:
                    pass
                time.sleep(0.1)
        raise RuntimeError(f"{self.name} not ready after {timeout_s:.0f} s:\n{self.log_tail()}")

    def affinity(self) -> str:
        """Where the server may actually run, read back from the kernel (not what was asked for)."""
        if self.process is None:
            return "?"
        try:
            cpus = psutil.Process(self.process.pid).cpu_affinity() or []
        except (psutil.Error, AttributeError):
            return "?"
        return ",".join(map(str, cpus))

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server so far (for CPU-ms per request)."""
        if self.process is None:
            return 0.0
        try:
            times = psutil.Process(self.process.pid).cpu_times()
        except psutil.Error:
            return 0.0
        return float(times.user + times.system)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        """SIGTERM the process group, then SIGKILL whatever is left after 5 s."""
        if self.monitor is not None:
            self.monitor.stop()
        proc = self.process
        if proc is None or proc.poll() is not None:
            return
        for sig, wait_s in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                return
            try:
                proc.wait(timeout=wait_s)
                return
            except subprocess.TimeoutExpired:
                continue

    @property
    def peak_rss_mb(self) -> float:
        return (self.monitor.peak_bytes if self.monitor else 0) / 1e6

    def __enter__(self) -> Server:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()
