"""One-time signup tokens sent by email invitation (the token itself is never stored, only its SHA-256)."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from kafana.models.base import Base, ms, ref, text


class Invitation(Base):
    __tablename__ = "invitations"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    team_id: Mapped[str] = ref(index=True)
    email: Mapped[str] = text(128)
    # Space-separated channel ids the invited person joins too (guest invitations name them).
    channel_ids: Mapped[str] = text(2048)
    guest: Mapped[bool] = mapped_column(default=False, server_default="0")
    creator_id: Mapped[str] = ref()
    create_at: Mapped[int] = ms()
    expires_at: Mapped[int] = ms()
