"""The one migration history builds exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from kafana.db.migrate import current_revision, head_revision, schema_drift


async def test_migrated_schema_matches_the_models(fresh_database_url: str) -> None:
    assert await current_revision(fresh_database_url) == head_revision()
    assert await schema_drift(fresh_database_url) == []
