"""Event frames serialized once per audience.

Every recipient gets the same envelope; only `seq` differs. The envelope is serialized once without `seq`
and kept as a prefix ending in `"seq":`; a connection's frame is that prefix, its seq and `}`.
"""

from __future__ import annotations

from typing import Any

import orjson

from kafana.events import Event


def prefix_of(envelope: dict[str, Any]) -> str:
    """`{…,"seq":` for an envelope without seq (orjson keeps insertion order, so seq comes last)."""
    body = orjson.dumps(envelope).decode()
    return body[:-1] + ("," if len(envelope) else "") + '"seq":'


def event_prefix(event: Event) -> str:
    return prefix_of({"event": event.event, "data": event.data, "broadcast": event.broadcast.to_wire()})


def frame(prefix: str, seq: int) -> str:
    return f"{prefix}{seq}}}"


def reply(seq_reply: int, status: str = "OK", data: Any = None, error: dict[str, Any] | None = None) -> str:
    """A response to a client request: {status, seq_reply[, data][, error]} (no seq: it is not an event)."""
    body: dict[str, Any] = {"status": status, "seq_reply": seq_reply}
    if data is not None:
        body["data"] = data
    if error is not None:
        body["error"] = error
    return orjson.dumps(body).decode()
