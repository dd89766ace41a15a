"""A 100 MiB upload to a real `kafana serve` raises the server's peak RSS by less than 64 MiB (the bytes stream
to disk; nothing holds the whole file)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.compat.conftest import start_server

MIB = 1024 * 1024
PASSWORD = "correct-horse-battery"


def rss_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"{field} not in /proc/{pid}/status")


def reset_peak(pid: int) -> None:
    """Writing 5 to clear_refs resets VmHWM (the peak RSS) to the current RSS (Linux ≥ 4.0)."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def body(total: int, chunk: bytes) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        piece = chunk[: total - sent]
        sent += len(piece)
        yield piece


@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="needs Linux /proc")
def test_100_mib_upload_keeps_rss_flat(tmp_path: Path) -> None:
    server = start_server(tmp_path / "server")
    try:
        pid = server.process.pid
        with httpx.Client(base_url=server.api, timeout=120) as client:
            client.post("/users", json={"username": "up", "email": "up@example.com", "password": PASSWORD}).raise_for_status()
            login = client.post("/users/login", json={"login_id": "up", "password": PASSWORD})
            client.headers["Authorization"] = "Bearer " + login.headers["Token"]
            team = client.post("/teams", json={"name": "t1", "display_name": "T", "type": "O"}).json()
            channel = client.post("/channels", json={"team_id": team["id"], "name": "c1", "display_name": "C", "type": "O"}).json()
            url = f"/files?channel_id={channel['id']}&filename=big.bin"
            client.post(url.replace("big.bin", "warm.bin"), content=b"warm-up").raise_for_status()
            reset_peak(pid)
            before = rss_kib(pid, "VmRSS")
            chunk = os.urandom(MIB)
            response = client.post(url, content=body(100 * MIB, chunk))
            assert response.status_code == 201, response.text
            peak = rss_kib(pid, "VmHWM")
            info = response.json()["file_infos"][0]
            assert info["size"] == 100 * MIB
            assert client.post(url, content=body(100 * MIB + 1, chunk)).status_code == 413
        grew_mib = (peak - before) / 1024
        print(f"RSS before {before / 1024:.1f} MiB, peak during a 100 MiB upload {peak / 1024:.1f} MiB (+{grew_mib:.1f} MiB)")
        assert grew_mib < 64, f"a 100 MiB upload raised the server's peak RSS by {grew_mib:.1f} MiB"
        stored = list((tmp_path / "server" / "files").rglob("original"))
        assert len(stored) == 2 and sorted(p.stat().st_size for p in stored) == [7, 100 * MIB]
        assert list((tmp_path / "server" / "tmp").iterdir()) == [], "no temporary files left"
    finally:
        server.stop()
