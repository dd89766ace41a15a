"""Integrations: incoming and outgoing webhooks and custom slash commands, in Mattermost's shapes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON
from sqlalchemy.orm import Mapped, mapped_column

from kafana.models.base import Base, flag, id_pk, ms, ref, text

FORM = "application/x-www-form-urlencoded"


class IncomingWebhook(Base):
    """`POST /hooks/{id}` posts into `channel_id` as `user_id` (or another channel of the team, unless locked)."""

    __tablename__ = "incoming_webhooks"

    id: Mapped[str] = id_pk()
    create_at: Mapped[int] = ms()
    update_at: Mapped[int] = ms()
    delete_at: Mapped[int] = ms()
    user_id: Mapped[str] = ref(index=True)
    channel_id: Mapped[str] = ref()
    team_id: Mapped[str] = ref(index=True)
    display_name: Mapped[str] = text(64)
    description: Mapped[str] = text(500)
    username: Mapped[str] = text(255)
    icon_url: Mapped[str] = text(1024)
    channel_locked: Mapped[bool] = flag()

    def to_api(self) -> dict[str, Any]:
        return {
            "id": self.id, "create_at": self.create_at, "update_at": self.update_at, "delete_at": self.delete_at,
            "user_id": self.user_id, "channel_id": self.channel_id, "team_id": self.team_id,
            "display_name": self.display_name, "description": self.description, "username": self.username,
            "icon_url": self.icon_url, "channel_locked": self.channel_locked,
        }  # fmt: skip


class OutgoingWebhook(Base):
    """Posts in a team's public channels (or one channel) that match a trigger word are sent to callback_urls."""

    __tablename__ = "outgoing_webhooks"

    id: Mapped[str] = id_pk()
    token: Mapped[str] = text(26)
    create_at: Mapped[int] = ms()
    update_at: Mapped[int] = ms()
    delete_at: Mapped[int] = ms()
    creator_id: Mapped[str] = ref(index=True)
    channel_id: Mapped[str] = ref(default="", server_default="")
    team_id: Mapped[str] = ref(index=True)
    trigger_words: Mapped[list[str]] = mapped_column(JSON, default=list)
    trigger_when: Mapped[int] = mapped_column(default=0, server_default="0")  # 0: the first word is a trigger word; 1: the message starts with one
    callback_urls: Mapped[list[str]] = mapped_column(JSON, default=list)
    display_name: Mapped[str] = text(64)
    description: Mapped[str] = text(500)
    content_type: Mapped[str] = text(128, FORM)
    username: Mapped[str] = text(255)
    icon_url: Mapped[str] = text(1024)

    def to_api(self) -> dict[str, Any]:
        return {
            "id": self.id, "token": self.token, "create_at": self.create_at, "update_at": self.update_at,
            "delete_at": self.delete_at, "creator_id": self.creator_id, "channel_id": self.channel_id,
            "team_id": self.team_id, "trigger_words": list(self.trigger_words or []), "trigger_when": self.trigger_when,
            "callback_urls": list(self.callback_urls or []), "display_name": self.display_name,
            "description": self.description, "content_type": self.content_type, "username": self.username,
            "icon_url": self.icon_url,
        }  # fmt: skip


class Command(Base):
    """A team's custom slash command: `/trigger text` calls `url` (method P: POST form, G: GET query)."""

    __tablename__ = "commands"

    id: Mapped[str] = id_pk()
    token: Mapped[str] = text(26)
    create_at: Mapped[int] = ms()
    update_at: Mapped[int] = ms()
    delete_at: Mapped[int] = ms()
    creator_id: Mapped[str] = ref(index=True)
    team_id: Mapped[str] = ref(index=True)
    trigger: Mapped[str] = text(128)
    method: Mapped[str] = text(1, "P")
    username: Mapped[str] = text(64)
    icon_url: Mapped[str] = text(1024)
    auto_complete: Mapped[bool] = flag()
    auto_complete_desc: Mapped[str] = text(1024)
    auto_complete_hint: Mapped[str] = text(1024)
    display_name: Mapped[str] = text(64)
    description: Mapped[str] = text(128)
    url: Mapped[str] = text(1024)

    def to_api(self, *, with_token: bool = True) -> dict[str, Any]:
        return {
            "id": self.id, "token": self.token if with_token else "", "create_at": self.create_at,
            "update_at": self.update_at, "delete_at": self.delete_at, "creator_id": self.creator_id,
            "team_id": self.team_id, "trigger": self.trigger, "method": self.method, "username": self.username,
            "icon_url": self.icon_url, "auto_complete": self.auto_complete,
            "auto_complete_desc": self.auto_complete_desc, "auto_complete_hint": self.auto_complete_hint,
            "display_name": self.display_name, "description": self.description, "url": self.url,
        }  # fmt: skip
