"""Channels (public O, private P, direct D, group G), membership and sidebar categories."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kafana.models.base import Base, flag, id_pk, ms, ref, text

DEFAULT_CHANNEL_NOTIFY_PROPS: dict[str, str] = {
    "desktop": "default",
    "email": "default",
    "push": "default",
    "mark_unread": "all",
    "ignore_channel_mentions": "default",
    "channel_auto_follow_threads": "off",
}


class Channel(Base):
    __tablename__ = "channels"

    id: Mapped[str] = id_pk()
    create_at: Mapped[int] = ms()
    update_at: Mapped[int] = ms()
    delete_at: Mapped[int] = ms()
    team_id: Mapped[str] = mapped_column(String(26), default="", server_default="")
    type: Mapped[str] = mapped_column(String(1))
    display_name: Mapped[str] = text(64)
    name: Mapped[str] = mapped_column(String(64))
    header: Mapped[str] = text(1024)
    purpose: Mapped[str] = text(250)
    last_post_at: Mapped[int] = ms()
    last_root_post_at: Mapped[int] = ms()
    total_msg_count: Mapped[int] = ms()
    total_msg_count_root: Mapped[int] = ms()
    creator_id: Mapped[str] = text(26)

    __table_args__ = (UniqueConstraint("team_id", "name"),)

    @property
    def is_direct(self) -> bool:
        return self.type in ("D", "G")

    def to_api(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "create_at": self.create_at,
            "update_at": self.update_at,
            "delete_at": self.delete_at,
            "team_id": self.team_id,
            "type": self.type,
            "display_name": self.display_name,
            "name": self.name,
            "header": self.header,
            "purpose": self.purpose,
            "last_post_at": self.last_post_at,
            "last_root_post_at": self.last_root_post_at,
            "total_msg_count": self.total_msg_count,
            "total_msg_count_root": self.total_msg_count_root,
            "extra_update_at": 0,
            "creator_id": self.creator_id,
            "scheme_id": None,
            "props": None,
            "group_constrained": None,
            "shared": None,
            "policy_id": None,
        }


class ChannelMember(Base):
    """msg_count is what the member has *seen*; unread = channel total - msg_count (derived, not written per post)."""

    __tablename__ = "channel_members"

    channel_id: Mapped[str] = mapped_column(String(26), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(26), primary_key=True)
    roles: Mapped[str] = text(256)
    last_viewed_at: Mapped[int] = ms()
    msg_count: Mapped[int] = ms()
    msg_count_root: Mapped[int] = ms()
    mention_count: Mapped[int] = ms()
    mention_count_root: Mapped[int] = ms()
    urgent_mention_count: Mapped[int] = ms()
    notify_props: Mapped[dict[str, Any]] = mapped_column(JSON, default=lambda: dict(DEFAULT_CHANNEL_NOTIFY_PROPS))
    last_update_at: Mapped[int] = ms()
    scheme_user: Mapped[bool] = flag(True)
    scheme_admin: Mapped[bool] = flag()
    scheme_guest: Mapped[bool] = flag()

    __table_args__ = (Index("ix_channel_members_user_id", "user_id"),)

    @property
    def role_set(self) -> frozenset[str]:
        roles = set(self.roles.split())
        if self.scheme_user:
            roles.add("channel_user")
        if self.scheme_admin:
            roles.add("channel_admin")
        if self.scheme_guest:
            roles.add("channel_guest")
        return frozenset(roles)

    def to_api(self) -> dict[str, Any]:
        return {
            "channel_id": self.channel_id,
            "user_id": self.user_id,
            "roles": " ".join(sorted(self.role_set, key=lambda r: (0 if r.endswith("_user") else 1, r))),
            "last_viewed_at": self.last_viewed_at,
            "msg_count": self.msg_count,
            "mention_count": self.mention_count,
            "mention_count_root": self.mention_count_root,
            "urgent_mention_count": self.urgent_mention_count,
            "msg_count_root": self.msg_count_root,
            "notify_props": self.notify_props or dict(DEFAULT_CHANNEL_NOTIFY_PROPS),
            "last_update_at": self.last_update_at,
            "scheme_guest": self.scheme_guest,
            "scheme_user": self.scheme_user,
            "scheme_admin": self.scheme_admin,
            "explicit_roles": self.roles,
        }


class SidebarCategory(Base):
    __tablename__ = "sidebar_categories"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    user_id: Mapped[str] = ref()
    team_id: Mapped[str] = ref()
    type: Mapped[str] = text(32, "custom")
    display_name: Mapped[str] = text(64)
    sorting: Mapped[str] = text(16)
    sort_order: Mapped[int] = ms()
    muted: Mapped[bool] = flag()
    collapsed: Mapped[bool] = flag()
    # Channel ids in the user's chosen order; derived categories (channels, DMs) list only pinned moves.
    channel_ids: Mapped[list[str]] = mapped_column(JSON, default=list)

    __table_args__ = (Index("ix_sidebar_categories_user_team", "user_id", "team_id"),)

    def to_api(self, channel_ids: list[str]) -> dict[str, Any]:
        return {
            "id": self.id,
            "user_id": self.user_id,
            "team_id": self.team_id,
            "sort_order": self.sort_order,
            "sorting": self.sorting,
            "type": self.type,
            "display_name": self.display_name,
            "muted": self.muted,
            "collapsed": self.collapsed,
            "channel_ids": channel_ids,
        }
