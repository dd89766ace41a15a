"""A file's type from its bytes, never from its name or the client's Content-Type (D9)."""

from __future__ import annotations

import filetype

SNIFF_BYTES = 8192
# Markup a browser would run if it were shown inline: such files are only ever served as attachments.
MARKUP_SIGNS = (b"<!doctype html", b"<html", b"<script", b"<svg", b"<?xml", b"<body", b"<iframe", b"<head")
# Types a browser may show inline without running anything (with CSP sandbox and nosniff besides).
INLINE_TYPES = frozenset(
    {
        "image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp",
        "video/mp4", "video/webm", "video/ogg", "video/quicktime",
        "audio/mpeg", "audio/ogg", "audio/wav", "audio/x-wav", "audio/webm", "audio/mp4", "audio/x-flac", "audio/flac", "audio/aac",
    }
)  # fmt: skip
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp", "image/tiff"})


def sniff(head: bytes) -> str:
    """The MIME type of a file starting with `head` (its first SNIFF_BYTES)."""
    kind = filetype.guess_mime(head) if head else None
    if kind:
        return str(kind)
    lowered = head[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if lowered.startswith(b"<svg") or (lowered.startswith(b"<?xml") and b"<svg" in head.lower()):
        return "image/svg+xml"
    if any(sign in head.lower() for sign in MARKUP_SIGNS):
        return "text/html"
    if _is_text(head):
        return "text/plain"
    return "application/octet-stream"


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(head) - 4  # a character cut by the sniffing window
    return True


def extension_of(name: str) -> str:
    """Mattermost's `extension`: what follows the last dot, lower-cased, without the dot."""
    stem, dot, ext = name.rpartition(".")
    return ext.lower()[:64] if dot and stem else ""
