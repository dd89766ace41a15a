"""Bridge kinds: `kind` → worker class. The built-in kinds register themselves when their module loads."""

from __future__ import annotations

import importlib

from kafana.bridges.base import BridgeWorker

BUILT_IN: tuple[str, ...] = ("irc", "telegram", "discord")  # modules under kafana.bridges
_kinds: dict[str, type[BridgeWorker]] = {}
_loaded = False


def register(worker: type[BridgeWorker]) -> type[BridgeWorker]:
    """Class decorator: make `worker` the implementation of its `kind`."""
    _kinds[worker.kind] = worker
    return worker


def worker_class(kind: str) -> type[BridgeWorker] | None:
    global _loaded
    if not _loaded:
        for module in BUILT_IN:
            importlib.import_module(f"kafana.bridges.{module}")
        _loaded = True
    return _kinds.get(kind)
