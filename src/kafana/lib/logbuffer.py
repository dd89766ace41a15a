"""The node's recent log lines in memory, for the console's log view (GET /api/v4/logs): a bounded ring
buffer fed by a logging handler on the `kafana` and `uvicorn.error` loggers. Lines are stored with their
secrets masked (tokens, passwords, secrets in URLs), so that no caller can read one back."""

from __future__ import annotations

import logging
import re
import threading
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime

CAPACITY = 5_000
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
SECRET = re.compile(
    r"(?i)(bearer\s+|authorization[\"']?\s*[:=]\s*[\"']?(?:(?:bearer|basic|token)\s+)?|(?:token|password|passwd|secret|api_key|access_key)[\"']?\s*[:=]\s*[\"']?)[^\s\"'&,;}]+"
)
URL_CREDENTIALS = re.compile(r"(\w+://[^/\s:@]+:)[^@\s/]+@")


def mask(text: str) -> str:
    """Replace what follows `token=`, `password:`, `Bearer ` and the like, and passwords in URLs, with ***."""
    return URL_CREDENTIALS.sub(r"\1***@", SECRET.sub(r"\1***", text))


@dataclass(frozen=True, slots=True)
class LogLine:
    timestamp: int  # UTC ms
    level: str
    logger: str
    message: str

    def to_api(self) -> dict[str, object]:
        """Mattermost's log line fields (`msg`, `caller`), with an ISO time as its lines have."""
        when = datetime.fromtimestamp(self.timestamp / 1000, UTC).isoformat(timespec="milliseconds")
        return {"timestamp": when, "level": self.level.lower(), "msg": self.message, "caller": self.logger}


class RingBufferHandler(logging.Handler):
    def __init__(self, capacity: int = CAPACITY) -> None:
        super().__init__(logging.INFO)
        self.lines: deque[LogLine] = deque(maxlen=capacity)
        self.lock_lines = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
            if record.exc_info and record.exc_info[1] is not None:
                text += f" ({type(record.exc_info[1]).__name__}: {record.exc_info[1]})"
            line = LogLine(int(record.created * 1000), record.levelname, record.name, mask(text)[:4000])
        except Exception:  # a log call must never fail because of this handler
            return
        with self.lock_lines:
            self.lines.append(line)

    def recent(self, *, min_level: str = "DEBUG", offset: int = 0, limit: int = 1000) -> list[LogLine]:
        """Newest first, at `min_level` or above."""
        floor = logging.getLevelName(min_level) if min_level in LEVELS else logging.DEBUG
        with self.lock_lines:
            lines = list(self.lines)
        kept = [line for line in reversed(lines) if logging.getLevelName(line.level) >= floor]
        return kept[offset : offset + limit]


BUFFER = RingBufferHandler()
LOGGERS = ("kafana", "uvicorn.error")


def install() -> None:
    """Attach the buffer once per process (several apps in one process share it, as they share the loggers).
    Where nothing else printed a logger's warnings, Python's last-resort handler did (to stderr); a handler of
    our own would silence it, so a stderr handler for warnings keeps that."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if BUFFER in logger.handlers:
            continue
        if not logging.getLogger().handlers and not logger.handlers:
            stderr = logging.StreamHandler()
            stderr.setLevel(logging.WARNING)
            logger.addHandler(stderr)
        logger.addHandler(BUFFER)
        if logger.level == logging.NOTSET or logger.level > logging.INFO:
            logger.setLevel(logging.INFO)
