"""Sending stored bytes to a browser safely: type from the bytes, attachment unless plainly inert media,
`nosniff`, `Content-Security-Policy: sandbox`, and single byte ranges (206) so audio and video can seek.

Markup (HTML, SVG, XML) is never shown inline, whatever its name or type says (D9).
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from kafana.files.sniff import INLINE_TYPES
from kafana.files.storage import FileStore

RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")
SAFE_HEADERS = {"Content-Security-Policy": "sandbox", "Accept-Ranges": "bytes"}  # nosniff: on every response (middleware)


def content_disposition(name: str, *, inline: bool) -> str:
    """A header value no file name can break out of: an ASCII fallback plus the RFC 5987 UTF-8 form."""
    cleaned = "".join(c for c in name if unicodedata.category(c) not in ("Cc", "Cf", "Zl", "Zp"))
    fallback = "".join(c if (c.isascii() and c.isprintable() and c not in '"\\;') else "_" for c in cleaned)[:200] or "file"
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(cleaned[:255], safe='')}"


def parse_range(header: str, size: int) -> tuple[int, int] | bool | None:
    """(start, length) for one satisfiable range; None for no (or an unusable multi-) range, i.e. send all;
    False when the range cannot be satisfied (416)."""
    match = RANGE_RE.match(header.strip().replace(" ", ""))
    if not match or (not match.group(1) and not match.group(2)):
        return None
    first, last = match.group(1), match.group(2)
    if not first:  # the last N bytes
        length = min(int(last), size)
        return (size - length, length) if length > 0 else False
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or end < start:
        return False
    return start, end - start + 1


async def serve_stored(
    request: Request, store: FileStore, key: str, *, mime_type: str, name: str, size: int | None = None, download: bool = False, cache: str = ""
) -> Response:
    """Stream `key` from the store with the safe headers; honours one Range."""
    if size is None:
        size = await store.size(key)
        if size is None:
            raise FileNotFoundError(key)
    inline = mime_type in INLINE_TYPES and not download
    headers = {
        **SAFE_HEADERS,
        "Content-Disposition": content_disposition(name, inline=inline),
        "Cache-Control": cache or "max-age=2592000, private",
    }
    served_type = "application/octet-stream" if any(m in mime_type for m in ("svg", "html", "xml")) else mime_type
    wanted = parse_range(request.headers.get("range", ""), size) if request.headers.get("range") else None
    if wanted is False:
        return Response(status_code=416, headers={**headers, "Content-Range": f"bytes */{size}"})
    if isinstance(wanted, tuple):
        start, length = wanted
        headers["Content-Range"] = f"bytes {start}-{start + length - 1}/{size}"
        headers["Content-Length"] = str(length)
        return StreamingResponse(store.read(key, start, length), status_code=206, media_type=served_type, headers=headers)
    headers["Content-Length"] = str(size)
    if request.method == "HEAD":
        return Response(status_code=200, media_type=served_type, headers=headers)
    return StreamingResponse(store.read(key), media_type=served_type, headers=headers)
