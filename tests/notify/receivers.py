"""Real HTTP servers on loopback standing in for internet push services, built from their wire formats."""

from __future__ import annotations

import asyncio
import json
import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    answered: int

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Records every request (POST or GET); answers `status` (a test flips it to 503 for an outage) with
    `reply`: JSON, or plain text when it is a string; `headers` are added to the answer (a redirect's Location)."""

    url: str = ""
    status: int = 200
    reply: dict[str, Any] | str = field(default_factory=lambda: {"status": "OK"})
    headers: dict[str, str] = field(default_factory=dict)
    received: queue.Queue[Received] = field(default_factory=queue.Queue)

    async def next(self, seconds: float = 10.0) -> Received:
        """The next request, awaited (it arrives from the server's outbox worker)."""
        return await asyncio.to_thread(self.received.get, True, seconds)

    def nothing_more(self) -> bool:
        return self.received.empty()


@contextmanager
def serve(receiver: Receiver) -> Iterator[Receiver]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            status = receiver.status
            reply = receiver.reply if status < 400 else {"status": "FAIL", "error": "down"}
            text = isinstance(reply, str)
            payload = reply.encode() if isinstance(reply, str) else json.dumps(reply).encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain" if text else "application/json")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in receiver.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)
            receiver.received.put(Received(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body, status))

        do_GET = do_POST

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
