"""Uploaded files (Mattermost's FileInfo) and custom emoji."""

from __future__ import annotations

import base64
from typing import Any

from sqlalchemy import Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from kafana.models.base import Base, flag, id_pk, ms, ref, text


class FileInfo(Base):
    """One uploaded file. `path` and the derived images' paths are storage keys the server made; `name` is
    what the client called the file, used only for display and Content-Disposition."""

    __tablename__ = "file_infos"

    id: Mapped[str] = id_pk()
    creator_id: Mapped[str] = ref()
    post_id: Mapped[str] = text(26)  # "" until a post attaches it
    channel_id: Mapped[str] = ref()
    create_at: Mapped[int] = ms()
    update_at: Mapped[int] = ms()
    delete_at: Mapped[int] = ms()
    path: Mapped[str] = text(512)
    thumbnail_path: Mapped[str] = text(512)
    preview_path: Mapped[str] = text(512)
    name: Mapped[str] = text(256)
    extension: Mapped[str] = text(64)
    size: Mapped[int] = ms()
    mime_type: Mapped[str] = text(128)
    width: Mapped[int] = ms()
    height: Mapped[int] = ms()
    has_preview_image: Mapped[bool] = flag()
    mini_preview: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)

    __table_args__ = (
        Index("ix_file_infos_post", "post_id"),
        Index("ix_file_infos_channel_create", "channel_id", "create_at"),
        Index("ix_file_infos_creator", "creator_id"),
    )

    def to_api(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "user_id": self.creator_id,
            "post_id": self.post_id,
            "channel_id": self.channel_id,
            "create_at": self.create_at,
            "update_at": self.update_at,
            "delete_at": self.delete_at,
            "name": self.name,
            "extension": self.extension,
            "size": self.size,
            "mime_type": self.mime_type,
            "width": self.width,
            "height": self.height,
            "has_preview_image": self.has_preview_image,
            "mini_preview": base64.b64encode(self.mini_preview).decode() if self.mini_preview else None,
            "archived": False,
        }


class Emoji(Base):
    """A custom emoji. Names are unique among live emoji; a deleted one frees its name."""

    __tablename__ = "emoji"

    id: Mapped[str] = id_pk()
    creator_id: Mapped[str] = ref()
    name: Mapped[str] = mapped_column(String(64))
    create_at: Mapped[int] = ms()
    update_at: Mapped[int] = ms()
    delete_at: Mapped[int] = ms()
    path: Mapped[str] = text(512)

    __table_args__ = (Index("ix_emoji_name_delete_at", "name", "delete_at", unique=True),)

    def to_api(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "creator_id": self.creator_id,
            "name": self.name,
            "create_at": self.create_at,
            "update_at": self.update_at,
            "delete_at": self.delete_at,
        }
