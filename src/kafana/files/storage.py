"""Where file bytes live: one interface, a local directory (default) and S3-compatible object storage.

Keys are made by the server only (`files/<date>/<file id>/original`, never a client's file name), so a key can
never climb out of the store. Writes stream and become visible only once complete; reads stream a byte range.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
from abc import ABC, abstractmethod
from collections.abc import AsyncIterable, AsyncIterator, Callable
from pathlib import Path
from typing import Any, TypeVar

from kafana.lib.ids import new_id

CHUNK = 256 * 1024
T = TypeVar("T")
KEY_RE = re.compile(r"^[A-Za-z0-9_\-]+(/[A-Za-z0-9_\-][A-Za-z0-9_.\-]*)*$")


class StorageError(Exception):
    """The backend failed (disk full, bucket unreachable): the caller answers 5xx and writes nothing."""


def check_key(key: str) -> str:
    if not KEY_RE.match(key) or ".." in key:
        raise ValueError(f"bad storage key {key!r}")
    return key


async def file_chunks(path: Path, start: int = 0, length: int | None = None) -> AsyncIterator[bytes]:
    """A local file's bytes from `start`, `length` of them (all when None), read off the event loop."""
    with path.open("rb") as fh:
        fh.seek(start)
        left = length
        while left is None or left > 0:
            chunk = await asyncio.to_thread(fh.read, CHUNK if left is None else min(CHUNK, left))
            if not chunk:
                return
            if left is not None:
                left -= len(chunk)
            yield chunk


class FileStore(ABC):
    """The storage interface every backend passes (tests/files/test_storage.py runs against each)."""

    @abstractmethod
    async def write(self, key: str, chunks: AsyncIterable[bytes]) -> int:
        """Store the stream under `key`, replacing what was there; returns its size. Atomic: on failure the old
        object (or none) stays, never a partial one."""

    async def write_file(self, key: str, path: Path) -> int:
        """Store a local file (an upload spooled to disk). Backends may move rather than copy."""
        return await self.write(key, file_chunks(path))

    async def write_bytes(self, key: str, data: bytes) -> int:
        async def one() -> AsyncIterator[bytes]:
            yield data

        return await self.write(key, one())

    @abstractmethod
    async def size(self, key: str) -> int | None:
        """The object's size in bytes, or None if there is none."""

    @abstractmethod
    def read(self, key: str, start: int = 0, length: int | None = None) -> AsyncIterator[bytes]:
        """Stream `length` bytes from `start` (to the end when None). Raises FileNotFoundError if missing."""

    async def read_bytes(self, key: str) -> bytes:
        return b"".join([chunk async for chunk in self.read(key)])

    @abstractmethod
    async def delete(self, key: str) -> None:
        """Remove the object; a missing one is not an error."""

    async def close(self) -> None:
        return None


class LocalStore(FileStore):
    """Files under a directory. A write goes to a temporary name beside its target, is fsynced, then renamed:
    readers see the old file or the whole new one, and a 2xx means the bytes are on disk."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        return self.root / check_key(key)

    def _temp_for(self, target: Path) -> Path:
        target.parent.mkdir(parents=True, exist_ok=True)
        return target.with_name(f".{target.name}.{new_id()}.tmp")

    async def write(self, key: str, chunks: AsyncIterable[bytes]) -> int:
        target = self.path(key)
        temp = await _disk(self._temp_for, target)
        size = 0
        try:
            with await _disk(temp.open, "wb") as fh:
                pending: list[bytes] = []
                buffered = 0
                async for chunk in chunks:  # the stream's own errors (a client gone) pass through unchanged
                    pending.append(chunk)
                    buffered += len(chunk)
                    if buffered >= 4 * CHUNK:
                        await _disk(fh.writelines, pending, thread=True)
                        size += buffered
                        pending, buffered = [], 0
                await _disk(_finish, fh, pending, thread=True)
                size += buffered
            await _disk(os.replace, temp, target)
        finally:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
        return size

    async def write_file(self, key: str, path: Path) -> int:
        """Move the spooled file into place when it is on the same file system (no copy), else copy it."""
        target = self.path(key)
        try:
            size = os.stat(path).st_size
            os.makedirs(target.parent, exist_ok=True)
            try:
                await asyncio.to_thread(_fsync_path, path)  # the spooled bytes reach the disk before the 2xx
                os.replace(path, target)
            except OSError:  # another file system: copy to a temporary name, then rename
                temp = self._temp_for(target)
                try:
                    await asyncio.to_thread(_copy_synced, path, temp)
                    os.replace(temp, target)
                finally:
                    with contextlib.suppress(FileNotFoundError):
                        temp.unlink()
        except OSError as exc:
            raise StorageError(str(exc)) from exc
        return size

    async def size(self, key: str) -> int | None:
        try:
            return self.path(key).stat().st_size
        except FileNotFoundError:
            return None

    async def read(self, key: str, start: int = 0, length: int | None = None) -> AsyncIterator[bytes]:
        path = self.path(key)
        if not path.is_file():
            raise FileNotFoundError(key)
        async for chunk in file_chunks(path, start, length):
            yield chunk

    async def delete(self, key: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path(key).unlink()


async def _disk(fn: Callable[..., T], *args: Any, thread: bool = False) -> T:
    """Run a file-system call (in a worker thread if asked); its OSError becomes StorageError."""
    try:
        return await asyncio.to_thread(fn, *args) if thread else fn(*args)
    except OSError as exc:
        raise StorageError(str(exc)) from exc


def _finish(fh: object, pending: list[bytes]) -> None:
    fh.writelines(pending)  # type: ignore[attr-defined]
    fh.flush()  # type: ignore[attr-defined]
    os.fsync(fh.fileno())  # type: ignore[attr-defined]


def _fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _copy_synced(source: Path, target: Path) -> None:
    with source.open("rb") as src, target.open("wb") as dst:
        shutil.copyfileobj(src, dst, CHUNK)
        dst.flush()
        os.fsync(dst.fileno())
