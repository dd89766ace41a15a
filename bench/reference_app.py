"""The floor: the least a Python server can do for the calls the bench measures.

A bare Starlette app on uvicorn (uvloop + httptools), one SQLite connection (WAL, synchronous=NORMAL,
autocommit), no auth, no validation. `POST /api/v4/posts` is one INSERT; `GET /api/v4/channels/{id}/posts`
is one indexed query on (channel_id, create_at, id); `/api/v4/websocket` (no auth) sends `hello` and then a
`posted` event for every post, serialized once and queued to each socket's writer task. All answer in Mattermost's JSON shapes, so the bytes on
the wire are comparable with Kafana's. Run it as `python -m bench.reference_app --db PATH --port N`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import secrets
import sqlite3
import time
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
_COLUMNS = "id, create_at, user_id, channel_id, message"
USER_ID = "r" * 26


def new_id() -> str:
    """A 26-character id, as Mattermost's (random here: the floor needs no ordering from it)."""
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(26))


def open_db(path: str) -> sqlite3.Connection:
    """One autocommit connection with the durability Kafana uses by default."""
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute(
        "CREATE TABLE IF NOT EXISTS posts (id TEXT PRIMARY KEY, create_at INTEGER NOT NULL, user_id TEXT NOT NULL, channel_id TEXT NOT NULL, message TEXT NOT NULL)"
    )
    db.execute("CREATE INDEX IF NOT EXISTS ix_posts_channel_create ON posts (channel_id, create_at, id)")
    return db


def post_json(row: tuple[Any, ...]) -> dict[str, Any]:
    """A row in Mattermost's post shape (the same keys Kafana sends)."""
    post_id, create_at, user_id, channel_id, message = row
    return {
        "id": post_id,
        "create_at": create_at,
        "update_at": create_at,
        "edit_at": 0,
        "delete_at": 0,
        "is_pinned": False,
        "user_id": user_id,
        "channel_id": channel_id,
        "root_id": "",
        "original_id": "",
        "message": message,
        "type": "",
        "props": {},
        "hashtags": "",
        "pending_post_id": "",
        "reply_count": 0,
        "last_reply_at": 0,
        "participants": None,
        "metadata": {},
    }


def json_response(body: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")


def posted_frame(post: dict[str, Any]) -> str:
    """Mattermost's `posted` event (post as a JSON string); one global seq stands in for per-socket ones."""
    event = {"event": "posted", "data": {"post": orjson.dumps(post).decode(), "channel_type": "O"}, "broadcast": {"channel_id": post["channel_id"]}}
    return orjson.dumps(event).decode()


def create_app(db_path: str) -> Starlette:
    db = open_db(db_path)
    queues: set[asyncio.Queue[str]] = set()

    async def websocket(ws: WebSocket) -> None:
        """hello, then whatever the queue holds, until the client goes away."""
        await ws.accept()
        queue: asyncio.Queue[str] = asyncio.Queue()
        await ws.send_text(orjson.dumps({"event": "hello", "data": {"server_version": "reference"}, "broadcast": {}, "seq": 0}).decode())
        queues.add(queue)

        async def reader() -> None:
            with contextlib.suppress(WebSocketDisconnect):
                while True:
                    await ws.receive_text()

        listening = asyncio.create_task(reader())
        try:
            while not listening.done():
                getting = asyncio.ensure_future(queue.get())
                await asyncio.wait({getting, listening}, return_when=asyncio.FIRST_COMPLETED)
                if not getting.done():
                    getting.cancel()
                    break
                await ws.send_text(getting.result())
        except (WebSocketDisconnect, RuntimeError, OSError):
            pass
        finally:
            queues.discard(queue)
            listening.cancel()

    async def create_post(request: Request) -> Response:
        body = orjson.loads(await request.body())
        row = (new_id(), int(time.time() * 1000), USER_ID, body["channel_id"], body["message"])
        db.execute(f"INSERT INTO posts ({_COLUMNS}) VALUES (?, ?, ?, ?, ?)", row)
        post = post_json(row)
        if queues:
            frame = posted_frame(post)
            for queue in queues:
                queue.put_nowait(frame)
        return json_response(post, 201)

    async def channel_posts(request: Request) -> Response:
        channel_id = request.path_params["channel_id"]
        per_page = min(int(request.query_params.get("per_page", 60)), 200)
        page = int(request.query_params.get("page", 0))
        rows = db.execute(
            f"SELECT {_COLUMNS} FROM posts WHERE channel_id = ? ORDER BY create_at DESC, id DESC LIMIT ? OFFSET ?",
            (channel_id, per_page + 1, page * per_page),
        ).fetchall()
        has_next = len(rows) > per_page
        rows = rows[:per_page]
        return json_response(
            {
                "order": [row[0] for row in rows],
                "posts": {row[0]: post_json(row) for row in rows},
                "next_post_id": "",
                "prev_post_id": rows[-1][0] if has_next else "",
                "has_next": has_next,
            }
        )

    async def ping(request: Request) -> Response:
        return json_response({"status": "OK"})

    return Starlette(
        routes=[
            Route("/api/v4/posts", create_post, methods=["POST"]),
            Route("/api/v4/channels/{channel_id}/posts", channel_posts, methods=["GET"]),
            Route("/api/v4/system/ping", ping, methods=["GET"]),
            WebSocketRoute("/api/v4/websocket", websocket),
        ]
    )


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--db", required=True, help="SQLite file to create")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(
        create_app(args.db),
        host="127.0.0.1",
        port=args.port,
        loop="uvloop",
        http="httptools",
        log_level="warning",
        access_log=False,
        ws="websockets-sansio",
        ws_max_size=65536,
        ws_ping_interval=30,
        ws_ping_timeout=100,
        ws_per_message_deflate=False,  # as `kafana serve`
    )


if __name__ == "__main__":
    main()
