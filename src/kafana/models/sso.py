"""Single sign-on: a login in progress, between the redirect to the provider and its callback."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from kafana.models.base import Base, ms, text


class SsoState(Base):
    """One `state` (stored as its SHA-256), usable once and for ten minutes."""

    __tablename__ = "sso_states"

    state_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    service: Mapped[str] = text(32)
    redirect_to: Mapped[str] = text(512)
    mobile: Mapped[bool] = mapped_column(default=False, server_default="0")
    code_verifier: Mapped[str] = text(128)
    invite_token: Mapped[str] = text(128)
    invite_id: Mapped[str] = text(64)
    expires_at: Mapped[int] = ms()
