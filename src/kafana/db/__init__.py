"""Engines, sessions and the unit of work (one transaction per use case, events after commit)."""

from kafana.db.engine import Database, EventPublisher
from kafana.db.uow import UnitOfWork

__all__ = ["Database", "EventPublisher", "UnitOfWork"]
