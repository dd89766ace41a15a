"""Where posting hands notification emails over: (user, post) rows waiting for the user's batch (sent by
actions/email_notifications.py). Apart from that module so that posting need not import channels' actions."""

from __future__ import annotations

from collections.abc import Sequence

from kafana.actions.context import Services
from kafana.db import UnitOfWork
from kafana.models import Post
from kafana.store import pending_emails as pending_store


async def queue_post_emails_txn(uow: UnitOfWork, svc: Services, post: Post, user_ids: Sequence[str]) -> None:
    """Called in the post's transaction with the notification plan's `email_user_ids`; nothing at all while
    email is not set up."""
    if svc.settings.email_enabled and user_ids:
        await pending_store.add(uow.session, post.id, post.channel_id, user_ids, post.create_at)
