"""Reading upload bodies: multipart or raw, streamed to temporary files, the size limit checked as bytes arrive.

Nothing is held whole in memory: each file part is written to a temporary file under `<data_dir>/tmp` as it
arrives, and the request fails with 413 the moment a file passes `max_file_size` (D6). The temporary
directory is removed when the request ends, whatever happened.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect, Request

from kafana.actions.files import Incoming
from kafana.config import Settings
from kafana.files.sniff import SNIFF_BYTES
from kafana.lib.errors import AppError, bad_request

FIELD_MAX_BYTES = 4096
MAX_PARTS = 64


def too_large(limit: int) -> AppError:
    return AppError(413, "api.file.upload_file.too_large_detailed.app_error", f"The file is larger than the limit of {limit} bytes.")


@dataclass
class Spool:
    """What an upload request carried: its text fields and its files (spooled to `directory`)."""

    directory: Path
    limit: int
    file_fields: frozenset[str]
    fields: dict[str, list[str]] = field(default_factory=dict)
    files: list[Incoming] = field(default_factory=list)
    file_field_names: list[str] = field(default_factory=list)

    def value(self, name: str) -> str:
        values = self.fields.get(name)
        return values[0] if values else ""

    def new_file(self, name: str) -> tuple[Incoming, IO[bytes]]:
        path = self.directory / f"{len(self.files)}.upload"
        incoming = Incoming(name=name, path=path, size=0, head=b"")
        self.files.append(incoming)
        return incoming, path.open("wb")

    def add(self, incoming: Incoming, fh: IO[bytes], data: bytes) -> None:
        incoming.size += len(data)
        if incoming.size > self.limit:
            raise too_large(self.limit)
        if len(incoming.head) < SNIFF_BYTES:
            incoming.head += data[: SNIFF_BYTES - len(incoming.head)]
        fh.write(data)


@asynccontextmanager
async def spool_upload(
    request: Request,
    settings: Settings,
    *,
    file_fields: frozenset[str] = frozenset({"files"}),
    raw_name: str = "",
    limit: int = 0,
    multipart_only: bool = False,
) -> AsyncIterator[Spool]:
    """Spool the request's files (each at most `limit` bytes, default `max_file_size`); with a non-multipart
    body (unless `multipart_only`), the whole body is one file called `raw_name`."""
    limit = min(limit or settings.max_file_size, settings.max_file_size)
    tmp_root = settings.data_dir / "tmp"
    tmp_root.mkdir(parents=True, exist_ok=True)
    spool = Spool(Path(tempfile.mkdtemp(prefix="upload-", dir=tmp_root)), limit, file_fields)
    try:
        content_type, options = parse_options_header(request.headers.get("content-type", ""))
        declared = request.headers.get("content-length", "")
        if content_type == b"multipart/form-data":
            if declared.isdigit() and int(declared) > limit + 1024 * 1024:
                raise too_large(limit)
            await _read_multipart(request, spool, options.get(b"boundary", b""))
        elif multipart_only:
            raise AppError(415, "api.context.invalid_content_type.app_error", "The request body must be multipart/form-data.")
        else:
            if declared.isdigit() and int(declared) > limit:
                raise too_large(limit)
            await _read_raw(request, spool, raw_name)
        yield spool
    finally:
        shutil.rmtree(spool.directory, ignore_errors=True)


async def _read_raw(request: Request, spool: Spool, name: str) -> None:
    incoming, fh = spool.new_file(name)
    with fh:
        try:
            async for chunk in request.stream():
                spool.add(incoming, fh, chunk)
        except ClientDisconnect:
            raise bad_request("api.file.upload_file.incomplete.app_error", "The upload was interrupted.") from None


class _PartState:
    def __init__(self) -> None:
        self.header_name = b""
        self.header_value = b""
        self.headers: dict[bytes, bytes] = {}
        self.field_name = ""
        self.text: bytearray | None = None
        self.incoming: Incoming | None = None
        self.fh: IO[bytes] | None = None
        self.parts = 0


async def _read_multipart(request: Request, spool: Spool, boundary: bytes) -> None:
    if not boundary:
        raise bad_request("api.file.upload_file.no_boundary.app_error", "Multipart body without a boundary.")
    state = _PartState()

    def on_part_begin() -> None:
        state.parts += 1
        if state.parts > MAX_PARTS:
            raise bad_request("api.file.upload_file.too_many_parts.app_error", "Too many parts in the upload.")
        state.headers = {}

    def on_header_field(data: bytes, start: int, end: int) -> None:
        state.header_name += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        state.header_value += data[start:end]

    def on_header_end() -> None:
        state.headers[state.header_name.lower()] = state.header_value
        state.header_name = state.header_value = b""

    def on_headers_finished() -> None:
        _, disposition = parse_options_header(state.headers.get(b"content-disposition", b""))
        state.field_name = disposition.get(b"name", b"").decode("utf-8", "replace")
        filename = disposition.get(b"filename")
        if filename is not None and state.field_name in spool.file_fields:
            spool.file_field_names.append(state.field_name)
            state.incoming, state.fh = spool.new_file(filename.decode("utf-8", "replace"))
            state.text = None
        else:
            state.text = bytearray()

    def on_part_data(data: bytes, start: int, end: int) -> None:
        if state.incoming is not None and state.fh is not None:
            spool.add(state.incoming, state.fh, data[start:end])
        elif state.text is not None:
            state.text += data[start:end]
            if len(state.text) > FIELD_MAX_BYTES:
                raise bad_request("api.file.upload_file.field_too_long.app_error", f"Form field {state.field_name!r} is too long.")

    def on_part_end() -> None:
        if state.fh is not None:
            state.fh.close()
            state.fh, state.incoming = None, None
        elif state.text is not None:
            spool.fields.setdefault(state.field_name, []).append(state.text.decode("utf-8", "replace"))
            state.text = None

    callbacks: Any = {
        "on_part_begin": on_part_begin,
        "on_header_field": on_header_field,
        "on_header_value": on_header_value,
        "on_header_end": on_header_end,
        "on_headers_finished": on_headers_finished,
        "on_part_data": on_part_data,
        "on_part_end": on_part_end,
    }
    parser = MultipartParser(boundary, callbacks)
    try:
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
    except ClientDisconnect:
        raise bad_request("api.file.upload_file.incomplete.app_error", "The upload was interrupted.") from None
    except MultipartParseError:
        raise bad_request("api.file.upload_file.bad_multipart.app_error", "The multipart body could not be parsed.") from None
    finally:
        if state.fh is not None:
            state.fh.close()
