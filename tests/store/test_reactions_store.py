"""Reaction queries on both engines: idempotent insert, distinct emoji count, removal."""

from __future__ import annotations

from kafana.actions.context import Services
from kafana.lib.ids import new_id
from kafana.models import Post, Reaction
from kafana.store import reactions as reactions_store


async def test_add_count_and_remove(services: Services) -> None:
    post = Post(id=new_id(), channel_id=new_id(), user_id=new_id(), message="m")
    alice, bob = new_id(), new_id()

    def reaction(user_id: str, emoji: str, at: int) -> Reaction:
        return Reaction(post_id=post.id, user_id=user_id, emoji_name=emoji, channel_id=post.channel_id, create_at=at)

    async with services.db.write() as uow:
        uow.session.add(post)
        await uow.session.flush()
        assert await reactions_store.lock_post(uow.session, post.id) is post
        assert await reactions_store.lock_post(uow.session, new_id()) is None
        assert await reactions_store.add_reaction(uow.session, reaction(alice, "smile", 1)) is True
        assert await reactions_store.add_reaction(uow.session, reaction(alice, "smile", 2)) is False
        assert await reactions_store.add_reaction(uow.session, reaction(bob, "smile", 3)) is True
        assert await reactions_store.add_reaction(uow.session, reaction(bob, "tada", 4)) is True
    async with services.db.read() as db:
        assert await reactions_store.count_distinct_emoji(db, post.id) == 2
        assert await reactions_store.emoji_on_post(db, post.id, "tada") and not await reactions_store.emoji_on_post(db, post.id, "fire")
        listed = await reactions_store.get_reactions_for_post(db, post.id)
        assert [(r.user_id, r.emoji_name, r.create_at) for r in listed] == [(alice, "smile", 1), (bob, "smile", 3), (bob, "tada", 4)]
        assert await reactions_store.get_reaction(db, post.id, bob, "tada") is not None
        assert await reactions_store.has_reactions(db, post.id) and await reactions_store.count_distinct_emoji(db, new_id()) == 0
    async with services.db.write() as uow:
        for user_id, emoji in ((alice, "smile"), (bob, "smile"), (bob, "tada"), (bob, "tada")):
            await reactions_store.remove_reaction(uow.session, post.id, user_id, emoji)
    async with services.db.read() as db:
        assert not await reactions_store.has_reactions(db, post.id) and await reactions_store.get_reactions_for_post(db, post.id) == []
