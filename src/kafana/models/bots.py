"""Bot accounts: a user row (is_bot) plus who owns it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Mapped

from kafana.models.base import Base, id_pk, ms, ref
from kafana.models.users import User


class Bot(Base):
    __tablename__ = "bots"

    user_id: Mapped[str] = id_pk()
    owner_id: Mapped[str] = ref(index=True)
    create_at: Mapped[int] = ms()
    update_at: Mapped[int] = ms()
    delete_at: Mapped[int] = ms()

    def to_api(self, user: User) -> dict[str, Any]:
        """Mattermost's Bot: display_name is the bot user's first name, as there."""
        return {
            "user_id": self.user_id,
            "username": user.username,
            "display_name": user.first_name,
            "description": user.bot_description,
            "owner_id": self.owner_id,
            "create_at": self.create_at,
            "update_at": self.update_at,
            "delete_at": self.delete_at,
        }
