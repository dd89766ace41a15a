"""Default profile pictures: a small solid PNG whose colour comes from the user id (no image library needed)."""

from __future__ import annotations

import hashlib
import struct
import zlib

SIZE = 64


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def default_avatar_png(seed: str) -> bytes:
    """A 64×64 PNG in a stable, readable colour for `seed`: the same user always gets the same picture."""
    digest = hashlib.sha256(seed.encode()).digest()
    r, g, b = (64 + digest[0] % 160, 64 + digest[1] % 160, 64 + digest[2] % 160)
    row = b"\x00" + bytes((r, g, b)) * SIZE
    raw = zlib.compress(row * SIZE, 9)
    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", raw) + _chunk(b"IEND", b"")
