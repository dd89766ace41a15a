"""Mattermost-style identifiers: 16 random bytes in a 26-character base32 alphabet."""

import base64
import hashlib
import secrets

_STD = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_MM = b"ybndrfg8ejkmcpqxot1uwisza345h769"
_TABLE = bytes.maketrans(_STD, _MM)


def new_id() -> str:
    """A fresh id exactly as Mattermost makes them (clients validate length 26 and the alphabet)."""
    raw = base64.b32encode(secrets.token_bytes(16)).translate(_TABLE)
    return raw[:26].decode("ascii")


_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


def is_valid_id(value: object) -> bool:
    return isinstance(value, str) and len(value) == 26 and _ID_CHARS.issuperset(value)


def hash_token(token: str) -> str:
    """Session and access tokens are stored hashed, so a database leak does not leak sessions."""
    return hashlib.sha256(token.encode()).hexdigest()


def stable_id(seed: str) -> str:
    """An id in the same format, always the same for `seed`: for built-in things with a name but no row (roles)."""
    raw = base64.b32encode(hashlib.sha256(seed.encode()).digest()[:16]).translate(_TABLE)
    return raw[:26].decode("ascii")
