"""Accounts, their sessions and personal access tokens."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kafana.models.base import Base, flag, id_pk, ms, ref, text

DEFAULT_NOTIFY_PROPS: dict[str, str] = {
    "email": "true",
    "push": "mention",
    "desktop": "mention",
    "desktop_sound": "true",
    "mention_keys": "",
    "channel": "true",
    "first_name": "false",
    "comments": "never",
    "push_status": "online",
    "desktop_threads": "all",
    "push_threads": "all",
    "email_threads": "all",
    "auto_responder_active": "false",
    "auto_responder_message": "",
}

DEFAULT_TIMEZONE: dict[str, str] = {"useAutomaticTimezone": "true", "automaticTimezone": "", "manualTimezone": ""}


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = id_pk()
    create_at: Mapped[int] = ms()
    update_at: Mapped[int] = ms()
    delete_at: Mapped[int] = ms()
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password: Mapped[str] = text(256)
    auth_data: Mapped[str] = text(128)
    auth_service: Mapped[str] = text(32)
    email: Mapped[str] = mapped_column(String(128), unique=True)
    email_verified: Mapped[bool] = flag()
    nickname: Mapped[str] = text(64)
    first_name: Mapped[str] = text(64)
    last_name: Mapped[str] = text(64)
    position: Mapped[str] = text(128)
    roles: Mapped[str] = text(256, "system_user")
    props: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    notify_props: Mapped[dict[str, Any]] = mapped_column(JSON, default=lambda: dict(DEFAULT_NOTIFY_PROPS))
    last_password_update: Mapped[int] = ms()
    last_picture_update: Mapped[int] = ms()
    failed_attempts: Mapped[int] = ms()
    locale: Mapped[str] = text(5, "en")
    timezone: Mapped[dict[str, Any]] = mapped_column(JSON, default=lambda: dict(DEFAULT_TIMEZONE))
    mfa_active: Mapped[bool] = flag()
    mfa_secret: Mapped[str] = text(128)
    # The TOTP step of the last accepted code: a code works once (S2).
    mfa_last_step: Mapped[int] = ms()
    # Hashes of the unused one-time recovery codes, space-separated.
    mfa_recovery: Mapped[str] = text(1024)
    last_activity_at: Mapped[int] = ms()
    is_bot: Mapped[bool] = flag()
    bot_description: Mapped[str] = text(1024)
    # The user's words that mention them without an @ (custom keys, first name if enabled), lower-cased and
    # comma-separated: derived from notify_props so that posting need not read every member's settings.
    mention_keys: Mapped[str] = text(1024)
    # Signed up while admin approval is on: deactivated until an admin activates the account.
    approval_pending: Mapped[bool] = flag()

    # Single sign-on accounts are found by (auth_service, auth_data = the provider's subject id).
    __table_args__ = (Index("ix_users_auth_service_auth_data", "auth_service", "auth_data"),)

    @property
    def is_active(self) -> bool:
        return self.delete_at == 0

    @property
    def role_set(self) -> frozenset[str]:
        return frozenset(self.roles.split())

    @property
    def is_guest(self) -> bool:
        return "system_guest" in self.role_set

    @property
    def is_system_admin(self) -> bool:
        return "system_admin" in self.role_set

    def to_api(self, *, full: bool = False) -> dict[str, Any]:
        """The sanitized Mattermost User; `full` adds what only the user and admins may see."""
        out: dict[str, Any] = {
            "id": self.id,
            "create_at": self.create_at,
            "update_at": self.update_at,
            "delete_at": self.delete_at,
            "username": self.username,
            "auth_data": "",
            "auth_service": self.auth_service,
            "email": self.email,
            "nickname": self.nickname,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "position": self.position,
            "roles": self.roles,
            "props": self.props or {},
            "last_picture_update": self.last_picture_update,
            "locale": self.locale,
            "timezone": self.timezone or dict(DEFAULT_TIMEZONE),
            "is_bot": self.is_bot,
            "disable_welcome_email": False,
        }
        if self.is_bot:
            out["bot_description"] = self.bot_description
        if full:
            out.update(
                email_verified=self.email_verified,
                notify_props=self.notify_props or dict(DEFAULT_NOTIFY_PROPS),
                last_password_update=self.last_password_update,
                mfa_active=self.mfa_active,
                last_activity_at=self.last_activity_at,
                failed_attempts=self.failed_attempts,
            )
            if self.approval_pending:  # Mattermost has no such field: it travels in props
                out["props"] = {**out["props"], "kafana_approval_pending": "true"}
        return out


class Session(Base):
    """A login. The token itself is never stored, only its SHA-256."""

    __tablename__ = "sessions"

    id: Mapped[str] = id_pk()
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[str] = ref(index=True)
    create_at: Mapped[int] = ms()
    expires_at: Mapped[int] = ms()
    last_activity_at: Mapped[int] = ms()
    device_id: Mapped[str] = text(512)
    roles: Mapped[str] = text(256)
    csrf_token: Mapped[str] = text(26)
    # Set for sessions that stand for a personal access token.
    access_token_id: Mapped[str] = text(26)
    props: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The client address at login, as `privacy_store_ip` allows; shown to the session's owner only.
    ip_address: Mapped[str] = text(64)

    def to_api(self, *, own: bool = False, current: bool = False) -> dict[str, Any]:
        """`own`: the owner is looking, so the address (props.ip_address) may be shown; to nobody else, admins
        included. `current`: the session making the request (props.kafana_current), the one not to revoke."""
        props = dict(self.props or {})
        if own and self.ip_address:
            props["ip_address"] = self.ip_address
        if current:
            props["kafana_current"] = "true"
        return {
            "id": self.id,
            "token": "",
            "create_at": self.create_at,
            "expires_at": self.expires_at,
            "last_activity_at": self.last_activity_at,
            "user_id": self.user_id,
            "device_id": self.device_id,
            "roles": self.roles,
            "is_oauth": False,
            "props": props,
            "team_members": [],
            "local": False,
        }


class AccessToken(Base):
    """A personal access token: a long-lived Bearer token for bots and scripts."""

    __tablename__ = "access_tokens"

    id: Mapped[str] = id_pk()
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[str] = ref(index=True)
    description: Mapped[str] = text(512)
    is_active: Mapped[bool] = flag(True)
    create_at: Mapped[int] = ms()

    def to_api(self) -> dict[str, Any]:
        return {"id": self.id, "user_id": self.user_id, "description": self.description, "is_active": self.is_active}


class Status(Base):
    __tablename__ = "statuses"

    user_id: Mapped[str] = mapped_column(String(26), primary_key=True)
    status: Mapped[str] = text(32, "offline")
    manual: Mapped[bool] = flag()
    last_activity_at: Mapped[int] = ms()
    dnd_end_time: Mapped[int] = ms()  # seconds, as Mattermost
    prev_status: Mapped[str] = text(32)

    def to_api(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "status": self.status,
            "manual": self.manual,
            "last_activity_at": self.last_activity_at,
            "active_channel": "",
            "dnd_end_time": self.dnd_end_time,
        }


class Presence(Base):
    """One row per user per node with an open WebSocket; `seen_at` is the node's last heartbeat. Rows whose
    node stopped beating belong to a dead node and are swept."""

    __tablename__ = "presence"

    user_id: Mapped[str] = mapped_column(String(26), primary_key=True)
    node_id: Mapped[str] = mapped_column(String(26), primary_key=True)
    seen_at: Mapped[int] = ms()

    __table_args__ = (Index("ix_presence_node_id", "node_id"), Index("ix_presence_seen_at", "seen_at"))


class CustomStatusExpiry(Base):
    """When a user's custom status runs out (the user's props hold the status itself)."""

    __tablename__ = "custom_status_expiries"

    user_id: Mapped[str] = mapped_column(String(26), primary_key=True)
    expires_at: Mapped[int] = ms(index=True)


class Preference(Base):
    __tablename__ = "preferences"

    user_id: Mapped[str] = mapped_column(String(26), primary_key=True)
    category: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("ix_preferences_category_name", "category", "name"),)

    def to_api(self) -> dict[str, Any]:
        return {"user_id": self.user_id, "category": self.category, "name": self.name, "value": self.value}
