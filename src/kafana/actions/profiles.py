"""How a user's profile is shown to whom: the viewer-dependent JSON and the `user_updated` event.

Kept apart from actions/users.py so that threads, bots and sign-on can show profiles without importing the
account actions (which import them)."""

from __future__ import annotations

from typing import Any

from kafana.actions.context import Actor
from kafana.db import UnitOfWork
from kafana.events import to_all, to_user
from kafana.models import User


def notify_user_updated(uow: UnitOfWork, user: User) -> None:
    """`user_updated` as each viewer may see the user (Mattermost's sendUpdatedUserEvent): the whole profile to
    the user and to system admins, without email or settings to everyone else."""
    full = user.to_api(full=True)
    uow.emit(to_user(user.id, "user_updated", {"user": full}))
    uow.emit(to_all("user_updated", {"user": full}, omit=frozenset({user.id}), admins=True))
    uow.emit(to_all("user_updated", {"user": {**user.to_api(), "email": ""}}, omit=frozenset({user.id}), admins=False))


def sanitize(viewer: Actor, user: User) -> dict[str, Any]:
    """What `viewer` may see of `user`: everything of themselves (admins too), no email of others."""
    if viewer.is_admin or viewer.user_id == user.id:
        return user.to_api(full=True)
    out = user.to_api()
    out["email"] = ""
    return out
