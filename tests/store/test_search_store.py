"""The search index on both engines: the migration backfills posts written before it, doc ids keep time order
within one millisecond, and the index is written in the post's own transaction (a rollback leaves nothing)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import create_async_engine

from kafana.actions.context import Services
from kafana.db.migrate import upgrade
from kafana.lib.errors import AppError
from kafana.lib.ids import new_id
from kafana.models import Channel, ChannelMember, Post, PostSearch
from kafana.models.search import DOC_ID_SHIFT
from kafana.search.query import parse
from kafana.store import dialect
from kafana.store import search as search_store
from tests.conftest import PG_ADMIN_URL, Template, _pg_admin


def _post(channel_id: str, message: str, at: int, **kw: object) -> Post:
    return Post(id=new_id(), channel_id=channel_id, user_id=new_id(), create_at=at, update_at=at, message=message, **kw)


async def _found(services: Services, me: str, terms: str) -> list[str]:
    async with services.db.search() as db:
        return await search_store.search_ids(db, dialect.POSTS, parse(terms), search_store.Scope(me, None), offset=0, limit=50)


async def _member(services: Services, channel_id: str, user_id: str) -> None:
    """A membership row is all the search scope needs (a DM-like channel: no team)."""
    async with services.db.write() as uow:
        uow.session.add_all(
            [
                Channel(id=channel_id, team_id="", type="D", name=channel_id, display_name=""),
                ChannelMember(channel_id=channel_id, user_id=user_id, notify_props={}),
            ]
        )


async def test_posts_in_one_millisecond_get_ordered_doc_ids(services: Services) -> None:
    me, channel = new_id(), new_id()
    await _member(services, channel, me)
    at = 1_700_000_000_000
    posts = [_post(channel, f"same moment {i}", at) for i in range(3)]
    async with services.db.write() as uow:
        for post in posts:
            uow.session.add(post)
            await uow.session.flush()
            await search_store.index_post(uow.session, post)
    async with services.db.read() as db:
        docs = (await db.execute(select(PostSearch.post_id, PostSearch.doc_id).order_by(PostSearch.doc_id))).all()
    assert [d.post_id for d in docs] == [p.id for p in posts]
    assert [d.doc_id >> DOC_ID_SHIFT for d in docs] == [at] * 3 and len({d.doc_id for d in docs}) == 3
    assert await _found(services, me, "moment") == [p.id for p in reversed(posts)]


async def test_a_rolled_back_post_leaves_no_index_entry(services: Services) -> None:
    me, channel = new_id(), new_id()
    await _member(services, channel, me)
    with pytest.raises(RuntimeError):
        async with services.db.write() as uow:
            post = _post(channel, "never committed", 1_700_000_000_000)
            uow.session.add(post)
            await uow.session.flush()
            await search_store.index_post(uow.session, post)
            raise RuntimeError("the use case fails after indexing")
    assert await _found(services, me, "committed") == []
    async with services.db.read() as db:
        assert (await db.execute(select(PostSearch))).first() is None


async def _old_database(db_template: Template, tmp_path: Path, revision: str) -> str:
    """A new database on the engine under test, migrated up to `revision` only."""
    if db_template.kind == "postgres":
        name = "kafana_backfill_" + uuid.uuid4().hex[:10]
        await _pg_admin(f'CREATE DATABASE "{name}"')
        url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    else:
        url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    await upgrade(url, revision)
    return url


async def _drop_old_database(db_template: Template, url: str) -> None:
    if db_template.kind == "postgres":
        await _pg_admin(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


async def test_the_migration_backfills_existing_posts(db_template: Template, tmp_path: Path) -> None:
    url = await _old_database(db_template, tmp_path, "0001")
    try:
        engine = create_async_engine(url)
        insert = text(
            "INSERT INTO posts (id, create_at, update_at, delete_at, user_id, channel_id, root_id, original_id, message, type, props, hashtags, file_ids)"
            " VALUES (:id, :at, :at, :deleted, 'u', 'c', '', '', :message, :type, '{}', :tags, '[]')"
        )
        rows = [
            {"id": "a" * 26, "at": 1000, "deleted": 0, "message": "Old café news #Launch", "type": "", "tags": "#Launch"},
            {"id": "b" * 26, "at": 1000, "deleted": 0, "message": "more old news", "type": "", "tags": ""},
            {"id": "c" * 26, "at": 2000, "deleted": 5, "message": "deleted news", "type": "", "tags": ""},
            {"id": "d" * 26, "at": 3000, "deleted": 0, "message": "news: alice joined", "type": "system_join_channel", "tags": ""},
        ]
        async with engine.begin() as conn:
            await conn.execute(insert, rows)
        await engine.dispose()
        await upgrade(url)
        engine = create_async_engine(url)
        async with engine.connect() as conn:
            docs = (await conn.execute(text("SELECT post_id, doc_id FROM post_search ORDER BY doc_id"))).all()
            assert [(d.post_id, d.doc_id) for d in docs] == [("a" * 26, 1000 << DOC_ID_SHIFT), ("b" * 26, (1000 << DOC_ID_SHIFT) + 1)]
            if db_template.kind == "postgres":
                match = "SELECT d.post_id FROM post_search d WHERE d.terms @@ to_tsquery('simple', :q)"
                assert (await conn.execute(text(match), {"q": "'cafe':D"})).scalars().all() == ["a" * 26]
            else:
                match = "SELECT d.post_id FROM posts_fts f JOIN post_search d ON d.doc_id = f.rowid WHERE posts_fts MATCH :q"
                assert (await conn.execute(text(match), {"q": 'body : "cafe"'})).scalars().all() == ["a" * 26]
        await engine.dispose()
    finally:
        await _drop_old_database(db_template, url)


async def test_a_search_past_its_time_limit_is_stopped_with_a_503(services: Services) -> None:
    """A statement that would run for minutes (a billion-row count, or pg_sleep) is cut off at the limit."""
    services.db.search_timeout_ms = 50
    endless = "SELECT pg_sleep(600)" if not services.db.is_sqlite else "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n"
    with pytest.raises(AppError) as caught:
        async with services.db.search() as db:
            await db.execute(text(endless))
    assert (caught.value.status_code, caught.value.id) == (503, "app.search.timeout.app_error")
    async with services.db.search() as db:  # the connection serves the next search normally
        assert (await db.execute(text("SELECT 1"))).scalar_one() == 1


async def test_the_migration_backfills_attached_files(db_template: Template, tmp_path: Path) -> None:
    url = await _old_database(db_template, tmp_path, "admin_console")
    try:
        engine = create_async_engine(url)
        post = text(
            "INSERT INTO posts (id, create_at, update_at, delete_at, user_id, channel_id, root_id, original_id, message, type, props, hashtags, file_ids)"
            " VALUES (:id, 1000, 1000, :deleted, 'u', 'c', '', '', '', '', '{}', '', '[]')"
        )
        info = text(
            "INSERT INTO file_infos (id, creator_id, post_id, channel_id, create_at, update_at, delete_at, path, thumbnail_path, preview_path,"
            " name, extension, size, mime_type, width, height, has_preview_image) VALUES (:id, 'u', :post, 'c', :at, :at, :deleted, 'p', '', '',"
            " :name, 'pdf', 1, 'application/pdf', 0, 0, false)"
        )
        async with engine.begin() as conn:
            await conn.execute(post, [{"id": "a" * 26, "deleted": 0}, {"id": "b" * 26, "deleted": 5}])
            await conn.execute(
                info,
                [
                    {"id": "f" * 26, "post": "a" * 26, "at": 900, "deleted": 0, "name": "Café_report.pdf"},
                    {"id": "g" * 26, "post": "a" * 26, "at": 900, "deleted": 0, "name": "second.pdf"},
                    {"id": "h" * 26, "post": "a" * 26, "at": 950, "deleted": 7, "name": "removed.pdf"},
                    {"id": "i" * 26, "post": "b" * 26, "at": 950, "deleted": 0, "name": "of-a-deleted-post.pdf"},
                    {"id": "j" * 26, "post": "", "at": 950, "deleted": 0, "name": "never-attached.pdf"},
                ],
            )
        await engine.dispose()
        await upgrade(url)
        engine = create_async_engine(url)
        async with engine.connect() as conn:
            docs = (await conn.execute(text("SELECT file_id, doc_id, extension FROM file_search ORDER BY doc_id"))).all()
            assert [tuple(d) for d in docs] == [("f" * 26, 900 << DOC_ID_SHIFT, "pdf"), ("g" * 26, (900 << DOC_ID_SHIFT) + 1, "pdf")]
            if db_template.kind == "postgres":
                match = "SELECT d.file_id FROM file_search d WHERE d.terms @@ to_tsquery('simple', :q)"
                assert (await conn.execute(text(match), {"q": "'cafe':D & 'report':D"})).scalars().all() == ["f" * 26]
            else:
                match = "SELECT d.file_id FROM files_fts f JOIN file_search d ON d.doc_id = f.rowid WHERE files_fts MATCH :q"
                assert (await conn.execute(text(match), {"q": 'body : "cafe" AND body : "report"'})).scalars().all() == ["f" * 26]
        await engine.dispose()
    finally:
        await _drop_old_database(db_template, url)
