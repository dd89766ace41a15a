"""One suite, every backend: the local directory and S3 (moto's server on loopback)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from kafana.files import open_store
from kafana.files.storage import FileStore, LocalStore
from tests.conftest import test_settings as make_settings
from tests.files.s3 import s3_settings


@pytest.fixture(params=["local", "s3"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[FileStore]:
    overrides = s3_settings(request.getfixturevalue("s3_endpoint")) if request.param == "s3" else {}
    backend = open_store(make_settings(tmp_path / "data", **overrides))
    yield backend
    await backend.close()


async def chunks_of(data: bytes, size: int) -> AsyncIterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i : i + size]


async def read_all(store: FileStore, key: str, start: int = 0, length: int | None = None) -> bytes:
    return b"".join([c async for c in store.read(key, start, length)])


async def test_write_read_size_delete(store: FileStore) -> None:
    data = os.urandom(300_000)
    assert await store.write("files/20260101/abc/original", chunks_of(data, 7_000)) == len(data)
    assert await store.size("files/20260101/abc/original") == len(data)
    assert await read_all(store, "files/20260101/abc/original") == data
    await store.delete("files/20260101/abc/original")
    assert await store.size("files/20260101/abc/original") is None
    await store.delete("files/20260101/abc/original")  # deleting twice is fine


async def test_range_reads(store: FileStore) -> None:
    data = bytes(range(256)) * 1000
    await store.write_bytes("r/x", data)
    assert await read_all(store, "r/x", 10, 5) == data[10:15]
    assert await read_all(store, "r/x", 255_990) == data[255_990:]
    assert await read_all(store, "r/x", 0, 1) == data[:1]
    assert await read_all(store, "r/x", 1000, 0) == b""


async def test_large_streamed_write_spans_parts(store: FileStore) -> None:
    """More than one S3 part (8 MiB), written in small chunks."""
    data = os.urandom(9 * 1024 * 1024 + 123)
    assert await store.write("big/one", chunks_of(data, 64 * 1024)) == len(data)
    assert await store.size("big/one") == len(data)
    assert await read_all(store, "big/one", 8 * 1024 * 1024 - 5, 10) == data[8 * 1024 * 1024 - 5 : 8 * 1024 * 1024 + 5]


async def test_failed_write_leaves_nothing(store: FileStore) -> None:
    """A stream that breaks (a client gone mid-upload) stores nothing and keeps the previous object."""
    await store.write_bytes("k/v", b"old")

    async def broken() -> AsyncIterator[bytes]:
        yield os.urandom(9 * 1024 * 1024)
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        await store.write("k/v", broken())
    with pytest.raises(ConnectionResetError):
        await store.write("k/new", broken())
    assert await read_all(store, "k/v") == b"old"
    assert await store.size("k/new") is None
    if isinstance(store, LocalStore):
        assert sorted(p.name for p in (store.root / "k").iterdir()) == ["v"], "no temporary file left behind"


async def test_write_file_and_missing_reads(store: FileStore, tmp_path: Path) -> None:
    spooled = tmp_path / "upload.bin"
    data = os.urandom(50_000)
    spooled.write_bytes(data)
    assert await store.write_file("f/spooled", spooled) == len(data)
    assert await store.read_bytes("f/spooled") == data
    with pytest.raises(FileNotFoundError):
        await store.read_bytes("f/missing")


@pytest.mark.parametrize("key", ["../x", "a/../../b", "/abs", "a//b", "a/.hidden/../x", "a\x00b", "a b", ""])
async def test_keys_cannot_escape(store: FileStore, key: str) -> None:
    with pytest.raises(ValueError):
        await store.write_bytes(key, b"x")
