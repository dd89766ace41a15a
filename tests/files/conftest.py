"""A real S3-compatible server for the storage tests: moto's server on loopback, one per session (per worker)."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.compat.conftest import free_port

STARTUP_TIMEOUT = 30.0


def moto_executable() -> str:
    script = Path(sys.executable).parent / "moto_server"
    if not script.is_file():
        pytest.fail("moto_server is not installed (run `make install`: moto[s3] is a dev dependency)")
    return str(script)


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a moto S3 server started for this session; stopped (by its pid) at the end."""
    port = free_port()
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    with log.open("wb") as out:
        process = subprocess.Popen([moto_executable(), "-H", "127.0.0.1", "-p", str(port)], stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_TIMEOUT
    try:
        while True:
            if process.poll() is not None:
                pytest.fail(f"moto_server exited: {log.read_text(errors='replace')[-2000:]}")
            try:
                with urllib.request.urlopen(url + "/moto-api/", timeout=1):
                    break
            except (urllib.error.URLError, OSError):
                if time.monotonic() > deadline:
                    pytest.fail(f"moto_server did not start: {log.read_text(errors='replace')[-2000:]}")
                time.sleep(0.05)  # bounded start-up polling
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
