"""Argon2id password hashing (argon2-cffi), with the cost taken from settings."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError


def make_hasher(memory_kib: int, time_cost: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=1)


def verify(hasher: PasswordHasher, stored: str, password: str) -> bool:
    if not stored:
        return False
    try:
        return hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


async def verify_in_thread(hasher: PasswordHasher, stored: str, password: str) -> bool:
    """The deliberately slow check in a worker thread: it neither blocks the event loop nor sits inside a
    transaction (on SQLite that would hold the one writer connection for the whole hash)."""
    return await asyncio.to_thread(verify, hasher, stored, password)
