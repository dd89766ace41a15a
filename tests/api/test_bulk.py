"""Bulk export and import (Mattermost's JSONL format): a server exported by Kafana imports into a fresh Kafana
with every team, channel, user, membership, post, reply, reaction, file, flag and emoji intact, compared object
by object (by names and times: ids are new on the other side); importing twice changes nothing."""

from __future__ import annotations

import hashlib
import json
import uuid
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from kafana.actions import job_runs
from kafana.actions.bulk_export import export_bulk
from kafana.actions.bulk_import import ImportFailed, import_bulk
from kafana.actions.context import Services
from kafana.db import Database
from kafana.db.migrate import upgrade
from kafana.models import Channel, ChannelMember, Emoji, FileInfo, FileSearch, Post, Preference, Reaction, Team, TeamMember, User
from kafana.models.actor import SYSTEM
from tests.conftest import PG_ADMIN_URL, Template, _pg_admin
from tests.conftest import test_settings as settings_for
from tests.files import images
from tests.files.test_emoji import create as create_emoji
from tests.files.test_uploads import upload
from tests.helpers import Api, run_kafana


@pytest.fixture
async def empty_server(db_template: Template, tmp_path: Path) -> AsyncIterator[Services]:
    """Another Kafana with an empty database and its own files: where the export goes."""
    if db_template.kind == "postgres":
        name = "kafana_test_" + uuid.uuid4().hex[:12]
        await _pg_admin(f'CREATE DATABASE "{name}"')
        url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
        await upgrade(url)
    else:
        assert db_template.path is not None
        target = tmp_path / "other.db"
        target.write_bytes(db_template.path.read_bytes())
        url = f"sqlite+aiosqlite:///{target}"
    settings = settings_for(tmp_path / "other", url)
    settings.data_dir.mkdir(parents=True)
    svc = Services(settings=settings, db=Database(settings.effective_database_url))
    yield svc
    await svc.db.dispose()
    if db_template.kind == "postgres":
        await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def build_world(admin: Api, anon: Api) -> None:
    bob, eve, ann = await anon.signup("bob"), await anon.signup("eve"), await anon.signup("ann")
    core = await admin.create_team("core", [bob, eve, ann])
    other = await admin.create_team("other", [eve])
    await admin.put(f"/teams/{core['id']}/members/{bob.id}/schemeRoles", {"scheme_admin": True, "scheme_user": True})
    public = await admin.create_channel(core, "plans", "O", [bob, eve])
    private = await admin.create_channel(core, "secret", "P", [bob])
    await admin.put(f"/channels/{public['id']}/patch", {"header": "Plans for **2027**", "purpose": "planning"})
    archived = await admin.create_channel(other, "old", "O", [eve])
    await admin.post("/posts", {"channel_id": archived["id"], "message": "before archiving"}, expect=201)
    await admin.delete(f"/channels/{archived['id']}")
    parrot = await create_emoji(admin, "parrot", images.png(64, 64))
    assert parrot["name"] == "parrot"

    [info] = (await upload(bob, public["id"], "map.png", images.png(120, 80)))["file_infos"]
    root = await bob.post("/posts", {"channel_id": public["id"], "message": "The map, #plans :parrot:", "file_ids": [info["id"]]}, expect=201)
    await eve.post("/posts", {"channel_id": public["id"], "message": "Looks good", "root_id": root["id"]}, expect=201)
    await bob.post("/posts", {"channel_id": public["id"], "message": "Thanks @eve", "root_id": root["id"]}, expect=201)
    await eve.post("/reactions", {"user_id": eve.id, "post_id": root["id"], "emoji_name": "parrot"}, expect=201)
    await admin.post("/reactions", {"user_id": admin.id, "post_id": root["id"], "emoji_name": "+1"}, expect=201)
    await bob.post(f"/posts/{root['id']}/pin")
    await eve.put(f"/users/{eve.id}/preferences", [{"user_id": eve.id, "category": "flagged_post", "name": root["id"], "value": "true"}])
    edited = await bob.post("/posts", {"channel_id": private["id"], "message": "first draft"}, expect=201)
    await bob.put(f"/posts/{edited['id']}/patch", {"message": "second draft"})
    gone = await bob.post("/posts", {"channel_id": private["id"], "message": "deleted, not exported"}, expect=201)
    await bob.delete(f"/posts/{gone['id']}")

    dm = await bob.post("/channels/direct", [bob.id, eve.id], expect=201)
    await bob.post("/posts", {"channel_id": dm["id"], "message": "psst"}, expect=201)
    gm = await ann.post("/channels/group", [ann.id, bob.id, eve.id], expect=201)
    await ann.post("/posts", {"channel_id": gm["id"], "message": "group hello"}, expect=201)
    await admin.put(f"/users/{ann.id}/active", {"active": False})


async def snapshot(svc: Services) -> dict[str, Any]:
    """Everything an import must carry, keyed by names and times instead of ids."""
    async with svc.db.read() as db:

        async def rows(model: Any) -> list[Any]:
            return list((await db.execute(select(model))).scalars())

        users = {u.id: u.username for u in await rows(User) if not u.is_bot}
        teams = {t.id: t.name for t in await rows(Team)}
        members: dict[str, list[str]] = {}
        for m in await rows(ChannelMember):
            members.setdefault(m.channel_id, []).append(users.get(m.user_id, "?"))
        channels = {c.id: f"{teams[c.team_id]}/{c.name}" if c.team_id else "@" + ",".join(sorted(members.get(c.id, []))) for c in await rows(Channel)}
        posts = {p.id: p for p in await rows(Post) if not p.delete_at}

        def post_key(pid: str) -> tuple[str, int, str]:
            p = posts[pid]
            return channels[p.channel_id], p.create_at, p.message

        storage = svc.storage
        files = set()
        for f in await rows(FileInfo):
            if f.post_id in posts:
                files.add((post_key(f.post_id), f.name, f.mime_type, f.width, f.height, hashlib.sha256(await storage.read_bytes(f.path)).hexdigest()))
        indexed = {d.file_id for d in await rows(FileSearch)}
        return {
            "teams": {(t.name, t.display_name, t.type, t.description, t.allow_open_invite, t.delete_at) for t in await rows(Team)},
            "channels": {(channels[c.id], c.display_name if c.team_id else "", c.type, c.header, c.purpose, bool(c.delete_at)) for c in await rows(Channel)},
            "users": {
                (u.username, u.email, u.nickname, u.first_name, u.last_name, u.position, u.roles, u.locale, bool(u.delete_at))
                for u in await rows(User)
                if not u.is_bot
            },
            "team_members": {
                (teams[m.team_id], users[m.user_id], m.scheme_admin, m.scheme_guest) for m in await rows(TeamMember) if not m.delete_at and m.user_id in users
            },
            "channel_members": {
                (channels[m.channel_id], users[m.user_id], m.scheme_admin, json.dumps(m.notify_props, sort_keys=True))
                for m in await rows(ChannelMember)
                if m.user_id in users
            },
            "posts": {
                (
                    *post_key(p.id),
                    users[p.user_id],
                    p.type,
                    p.edit_at,
                    p.is_pinned,
                    p.reply_count,
                    post_key(p.root_id) if p.root_id else None,
                    json.dumps(p.props, sort_keys=True),
                    p.hashtags,
                )
                for p in posts.values()
            },
            "reactions": {(post_key(r.post_id), users[r.user_id], r.emoji_name) for r in await rows(Reaction) if r.post_id in posts},
            "files": files,
            "searchable_files": {(*post_key(f.post_id), f.name) for f in await rows(FileInfo) if f.id in indexed},
            "flagged": {(users[p.user_id], post_key(p.name)) for p in await rows(Preference) if p.category == "flagged_post" and p.name in posts},
            "emoji": {(e.name, hashlib.sha256(await storage.read_bytes(e.path)).hexdigest()) for e in await rows(Emoji) if not e.delete_at},
        }


async def test_an_export_imports_into_a_fresh_server_intact(admin: Api, anon: Api, services: Services, empty_server: Services, tmp_path: Path) -> None:
    await build_world(admin, anon)
    before = await snapshot(services)
    assert len(before["posts"]) > 8 and before["files"] and before["reactions"] and before["flagged"] and before["emoji"]
    assert len(before["searchable_files"]) == len(before["files"])  # imported attachments are found by file search too

    archive = tmp_path / "export.zip"
    progress: list[int] = []
    exported = await export_bulk(services, archive, include_private=True, report=lambda p: progress.append(p.posts))
    assert progress and progress[-1] == exported.posts
    with zipfile.ZipFile(archive) as z:
        lines = [json.loads(line) for line in z.read("import.jsonl").splitlines()]
        assert lines[0]["type"] == "version" and lines[0]["version"] == 1
        assert not any("password" in json.dumps(line.get("user", {})) for line in lines)
        assert "deleted, not exported" not in z.read("import.jsonl").decode()

    first = await import_bulk(empty_server, archive)
    assert first.posts == exported.posts and first.skipped == 0
    after = await snapshot(empty_server)
    for key in before:
        assert sorted(map(repr, after[key] - before[key])) == sorted(map(repr, before[key] - after[key])) == [], key

    again = await import_bulk(empty_server, archive)
    assert (again.posts, again.skipped, again.users, again.files) == (0, exported.posts, 0, 0)
    assert await snapshot(empty_server) == before


async def test_a_bad_line_names_its_number_and_keeps_what_came_before(empty_server: Services, tmp_path: Path) -> None:
    source = tmp_path / "data.jsonl"
    lines = [
        {"type": "version", "version": 1},
        {"type": "team", "team": {"name": "imported", "display_name": "Imported", "type": "O"}},
        {"type": "channel", "channel": {"team": "nowhere", "name": "x", "display_name": "X", "type": "O"}},
    ]
    source.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    with pytest.raises(ImportFailed, match="line 3: team 'nowhere' not found"):
        await import_bulk(empty_server, source)
    async with empty_server.db.read() as db:
        assert (await db.execute(select(Team.name))).scalars().all() == ["imported"]

    for bad, why in (
        ([{"type": "team", "team": {}}], "line 1: the first line must be"),
        ([*lines[:2], {"type": "emoji", "emoji": {}}], "line 3: emoji lines must come before team lines"),
        ([lines[0], "not an object"], "line 2: unknown type None"),
        ([*lines[:2], {"type": "channel", "channel": {"team": "imported", "name": 7}}], "line 3: name must be a string"),
        ([lines[0], {"type": "teem"}], "line 2: unknown type 'teem'"),
    ):
        source.write_text("\n".join(json.dumps(line) for line in bad) + "\n")
        with pytest.raises(ImportFailed, match=why):
            await import_bulk(empty_server, source)


async def test_the_commands_show_progress(admin: Api, anon: Api, services: Services, empty_server: Services, tmp_path: Path) -> None:
    bob = await anon.signup("bob")
    team = await admin.create_team("core", [bob])
    channel = await admin.create_channel(team, "talk", "O", [bob])
    for i in range(3):
        await bob.post("/posts", {"channel_id": channel["id"], "message": f"message {i}"}, expect=201)
    archive = tmp_path / "cli.zip"
    out, err = await run_kafana(services, "export", "bulk", str(archive), "--team", "core", "--include-private")
    assert out.startswith("Exported ") and "posts," in err
    out, err = await run_kafana(empty_server, "import", "bulk", str(archive))
    assert "line " in err and "users," in err
    assert "2 users" in out and "(0 posts were already there)" in out
    out, _ = await run_kafana(empty_server, "import", "bulk", str(archive))
    assert " 0 posts," in out
    # Each run is an import_process job, as the console's job list shows it.
    again, first = await job_runs.list_jobs(empty_server, SYSTEM, "import_process", 0, 10)
    assert first.status == again.status == "success" and first.progress == 100
    assert int(first.to_api()["data"]["posts"]) >= 3 and again.to_api()["data"]["skipped"] == first.to_api()["data"]["posts"]
    assert first.to_api()["data"]["import_file"] == str(archive.resolve())


async def test_private_talk_stays_out_unless_asked_for(admin: Api, anon: Api, services: Services, tmp_path: Path) -> None:
    """A16: an admin export leaves out private channels and DMs by default; exports are audited."""
    await build_world(admin, anon)
    archive = tmp_path / "public.zip"
    await export_bulk(services, archive)
    with zipfile.ZipFile(archive) as z:
        text = z.read("import.jsonl").decode()
    kinds = {json.loads(line)["type"] for line in text.splitlines()}
    assert "direct_channel" not in kinds and "direct_post" not in kinds
    assert '"secret"' not in text and "second draft" not in text and "psst" not in text and "group hello" not in text
    assert "The map" in text  # the public channel's posts are there
    exports = [e for e in await admin.get("/audits") if e["action"] == "bulk_export"]
    assert exports and json.loads(exports[0]["extra_info"])["private"] is False
