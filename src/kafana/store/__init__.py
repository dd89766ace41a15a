"""Query functions. They take a session and never commit: the action's unit of work does."""

from typing import Any

# For UPDATE statements: skip the ORM's in-session synchronisation, which costs more than the statement.
# Callers must not rely on already-loaded objects reflecting such an update.
NO_SYNC: dict[str, Any] = {"synchronize_session": False}
