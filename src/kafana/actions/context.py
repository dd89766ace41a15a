"""What every action receives: the server's shared services and the acting user."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from argon2 import PasswordHasher

from kafana.config import Settings
from kafana.db import Database
from kafana.files import FileStore, open_store
from kafana.lib.ids import new_id
from kafana.lib.passwords import make_hasher
from kafana.models import Session, User
from kafana.models.actor import SYSTEM, Actor


@dataclass(slots=True)
class AuthCache:
    """Token hash -> (user, session, cached_at). Invalidated on this node by the writes that make entries
    stale; the short lifetime bounds how long another node trusts a revoked session: with the WebSocket's
    2-second token re-check, a logout or deactivation on one node closes sockets on the others within 5 s."""

    ttl_ms: int = 3_000
    entries: dict[str, tuple[User, Session, int]] = field(default_factory=dict)

    def get(self, token_hash: str, now: int) -> tuple[User, Session] | None:
        hit = self.entries.get(token_hash)
        if hit is None or now - hit[2] > self.ttl_ms:
            return None
        return hit[0], hit[1]

    def put(self, token_hash: str, user: User, session: Session, now: int) -> None:
        if len(self.entries) > 50_000:
            self.entries.clear()
        self.entries[token_hash] = (user, session, now)

    def drop_token(self, token_hash: str) -> None:
        self.entries.pop(token_hash, None)

    def drop_user(self, user_id: str) -> None:
        for key in [k for k, v in self.entries.items() if v[0].id == user_id]:
            del self.entries[key]


@dataclass(slots=True)
class Services:
    settings: Settings
    db: Database
    diagnostic_id: str = ""
    hasher: PasswordHasher = field(init=False)
    auth_cache: AuthCache = field(default_factory=AuthCache)
    extra: dict[str, Any] = field(default_factory=dict)
    storage: FileStore = field(init=False)

    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    # One image decode at a time (uploads, pictures, emoji): decoding is what costs memory.
    image_work: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(1))
    # This process among the cluster's nodes: presence rows and job leases carry it.
    node_id: str = field(default_factory=new_id)
    # The PEM private key that signs mobile pushes (actions/push.py), loaded at start.
    push_signing_key: str = ""
    # user id -> when this node last wrote their activity (ms): at most one write a minute per user and node.
    activity_written: dict[str, int] = field(default_factory=dict)
    # Live settings (actions/live_settings.py): the settings as files and the environment gave them, and the
    # database overrides (name -> JSON text) applied on top of them in `settings`.
    base_settings: Settings = field(init=False)
    live_overrides: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.base_settings = self.settings
        self.hasher = make_hasher(self.settings.password_hash_memory_kib, self.settings.password_hash_time_cost)
        self.storage = open_store(self.settings)

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Run work after a response (link previews); kept referenced until done, awaited by `settle`."""
        task = asyncio.get_running_loop().create_task(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def settle(self) -> None:
        """Wait for the background work started so far (and what it starts in turn)."""
        while self.tasks:
            await asyncio.gather(*list(self.tasks), return_exceptions=True)


__all__ = ["SYSTEM", "Actor", "AuthCache", "Services"]
