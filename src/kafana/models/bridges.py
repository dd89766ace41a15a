"""Bridges to other chat networks (IRC, Telegram, Discord): which remote room maps to which channel, and which
local post is which remote message. The bridge workers (`kafana.bridges`) run from these rows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from kafana.models.base import Base, flag, id_pk, ms, ref, text

# Config keys whose values never leave the server (API, CLI listing): passwords and tokens.
SECRET_MARKERS = ("password", "token", "secret")


def is_secret(key: str) -> bool:
    return any(marker in key.lower() for marker in SECRET_MARKERS)


class Bridge(Base):
    """One remote channel/chat ↔ one Kafana channel. `config` holds the connection settings (secrets
    included); `state` is the worker's cursor (e.g. Telegram's update offset), kept across restarts and nodes.
    `bot_user_id` is the bridge's identity: every inbound message is posted by it."""

    __tablename__ = "bridges"

    id: Mapped[str] = id_pk()
    kind: Mapped[str] = text(16)  # irc, telegram, discord
    channel_id: Mapped[str] = ref(index=True)
    bot_user_id: Mapped[str] = ref()
    config: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    enabled: Mapped[bool] = flag(True)
    create_at: Mapped[int] = ms()
    update_at: Mapped[int] = ms()
    created_by: Mapped[str] = text(26)

    def public_config(self) -> dict[str, Any]:
        """The config without its secrets: a secret shows only whether it is set."""
        return {key: (bool(value) if is_secret(key) else value) for key, value in self.config.items()}

    def to_api(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "channel_id": self.channel_id,
            "bot_user_id": self.bot_user_id,
            "config": self.public_config(),
            "enabled": self.enabled,
            "create_at": self.create_at,
            "update_at": self.update_at,
            "created_by": self.created_by,
        }


class BridgeMessage(Base):
    """A local post and the remote message(s) it is, either way: edits, deletes and replies find each other
    through it. A long post may be several remote messages."""

    __tablename__ = "bridge_messages"

    bridge_id: Mapped[str] = mapped_column(String(26), primary_key=True)
    post_id: Mapped[str] = mapped_column(String(26), primary_key=True)
    remote_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    create_at: Mapped[int] = ms()

    __table_args__ = (Index("ix_bridge_messages_bridge_id_remote_id", "bridge_id", "remote_id"),)
