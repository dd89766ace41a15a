"""Notifications: user groups (for @group mentions), the push outbox, and browsers' Web Push subscriptions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from kafana.models.base import Base, flag, id_pk, ms, ref, text


class UserGroup(Base):
    """A custom group (Mattermost's `source: custom`): `@name` mentions its members who are in the channel."""

    __tablename__ = "user_groups"

    id: Mapped[str] = id_pk()
    name: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = text(128)
    description: Mapped[str] = text(1024)
    source: Mapped[str] = text(32, "custom")
    allow_reference: Mapped[bool] = flag(True)
    creator_id: Mapped[str] = text(26)
    create_at: Mapped[int] = ms()
    update_at: Mapped[int] = ms()
    delete_at: Mapped[int] = ms()

    def to_api(self, member_count: int | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "display_name": self.display_name,
            "description": self.description,
            "source": self.source,
            "remote_id": None,
            "create_at": self.create_at,
            "update_at": self.update_at,
            "delete_at": self.delete_at,
            "has_syncables": False,
            "allow_reference": self.allow_reference,
            "creator_id": self.creator_id,
        }
        if member_count is not None:
            out["member_count"] = member_count
        return out


class GroupMember(Base):
    __tablename__ = "group_members"

    group_id: Mapped[str] = mapped_column(String(26), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(26), primary_key=True)
    create_at: Mapped[int] = ms()

    __table_args__ = (Index("ix_group_members_user_id", "user_id"),)


class PushDelivery(Base):
    """One notification waiting for a push service: the Mattermost push proxy (`proxy`, target = the session's
    device_id) or a browser's Web Push service (`webpush`, target = the subscription id). Written in the
    transaction that causes it, deleted once delivered; `key` makes a retried enqueue a no-op."""

    __tablename__ = "push_outbox"

    id: Mapped[str] = id_pk()
    key: Mapped[str] = mapped_column(String(160), unique=True)
    kind: Mapped[str] = text(16)
    user_id: Mapped[str] = ref()
    target: Mapped[str] = text(512)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    attempts: Mapped[int] = ms()
    next_attempt_at: Mapped[int] = ms(index=True)
    create_at: Mapped[int] = ms()


class WebPushSubscription(Base):
    """A browser's PushSubscription (endpoint plus its P-256 public key and auth secret, base64url)."""

    __tablename__ = "webpush_subscriptions"

    id: Mapped[str] = id_pk()
    user_id: Mapped[str] = ref(index=True)
    session_id: Mapped[str] = text(26)
    endpoint: Mapped[str] = mapped_column(String(1024), unique=True)
    p256dh: Mapped[str] = text(128)
    auth: Mapped[str] = text(64)
    create_at: Mapped[int] = ms()
