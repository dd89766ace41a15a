"""Alembic environment: one history for SQLite and PostgreSQL; the connection is handed in by kafana.db.migrate."""

from __future__ import annotations

from alembic import context

from kafana.db.migrate import include_object
from kafana.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    include_object=include_object,
)
with context.begin_transaction():
    context.run_migrations()
