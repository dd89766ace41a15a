"""The system bot (`system-bot`, Mattermost's name for it): the sender of the welcome message and of
moderators' warnings, so that a warning does not come from a moderator's own account. It is created the first
time it is needed and owns itself, so no owner's deactivation disables it."""

from __future__ import annotations

from kafana.actions.bots import add_bot_txn
from kafana.actions.channels import direct_channel_txn, retry_on_conflict
from kafana.actions.context import Services
from kafana.actions.posts import PostDraft, create_post_txn
from kafana.db import UnitOfWork
from kafana.lib.clock import now_ms
from kafana.models import Post, User
from kafana.models.actor import Actor
from kafana.store import users as users_store

USERNAME = "system-bot"


async def system_bot_txn(uow: UnitOfWork) -> User:
    user = await users_store.get_user_by_username(uow.session, USERNAME)
    if user is None:
        _, user = add_bot_txn(uow, USERNAME, "", "System", "Sends welcome messages and moderators' notices.", now_ms())
        await uow.session.flush()
    return user


async def send_dm_txn(uow: UnitOfWork, svc: Services, user: User, message: str) -> Post:
    """A direct message from the system bot to `user`, inside the caller's transaction."""
    bot = await system_bot_txn(uow)
    channel = await direct_channel_txn(uow, bot, user)
    post, _ = await create_post_txn(uow, svc, Actor(bot), PostDraft(channel.id, message))
    return post


async def do_welcome(svc: Services, user_id: str) -> None:
    """The welcome message to a new account, linking the code of conduct (when the setting names one)."""
    url = svc.settings.code_of_conduct_url
    if not url:
        return

    async def attempt() -> None:
        async with svc.db.write() as uow:
            user = await users_store.get_user(uow.session, user_id)
            if user is not None and not user.is_bot:
                await send_dm_txn(uow, svc, user, f"Welcome to {svc.settings.site_name}, @{user.username}! Please read our code of conduct: {url}")

    await retry_on_conflict(attempt)
