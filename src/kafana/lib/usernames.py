"""Turning a provider's user name (a MediaWiki user name such as "Zoë Example") into a Kafana username."""

from __future__ import annotations

import re
import unicodedata

from kafana.lib.validation import RESERVED_USERNAMES, USERNAME_RE

_NOT_ALLOWED = re.compile(r"[^a-z0-9.\-_]+")


def from_external(name: str, subject: str) -> str:
    """Lower case, spaces to `_`, accents dropped, other characters removed; a name that is left empty, does
    not start with a letter, or is reserved becomes `u<subject>` (still stable: it follows the account)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    out = _NOT_ALLOWED.sub("", ascii_name.strip().lower().replace(" ", "_"))[:64]
    if not out or not out[0].isalpha() or out in RESERVED_USERNAMES or not USERNAME_RE.match(out):
        fallback = "u" + _NOT_ALLOWED.sub("", subject.lower())
        return fallback[:64]
    return out
