"""Email: the outbox that survives SMTP outages, the notifications waiting for their batch, and the one-time
tokens that email links carry (address verification, password reset)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kafana.models.base import Base, id_pk, ms, ref, text


class OutboxMail(Base):
    """One email to send. Written in the transaction that decides it (so it is never lost), claimed by one
    sender at a time (`claimed_by` until `claim_until`), marked `sent_at` once the SMTP server accepted it.
    Its id is the Message-ID's local part, so a retry after an unknown outcome carries the same Message-ID."""

    __tablename__ = "email_outbox"

    id: Mapped[str] = id_pk()
    to_address: Mapped[str] = text(128)
    subject: Mapped[str] = text(512)
    text_body: Mapped[str] = mapped_column(Text, default="")
    html_body: Mapped[str] = mapped_column(Text, default="")
    headers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # extra headers (List-Unsubscribe…)
    create_at: Mapped[int] = ms()
    send_after: Mapped[int] = ms()  # the next attempt, pushed back after each failure
    attempts: Mapped[int] = ms()
    claimed_by: Mapped[str] = text(26)
    claim_until: Mapped[int] = ms()
    sent_at: Mapped[int] = ms()
    failed_at: Mapped[int] = ms()  # refused for good by the server (5xx): no more attempts
    last_error: Mapped[str] = text(512)

    __table_args__ = (Index("ix_email_outbox_sent_at_send_after", "sent_at", "send_after"),)


class PendingEmail(Base):
    """A post that someone should hear about by email, waiting for their batch window. The key is (user, post):
    however often a post is queued for a user, it is emailed to them once (F8)."""

    __tablename__ = "email_notifications"

    user_id: Mapped[str] = mapped_column(String(26), primary_key=True)
    post_id: Mapped[str] = mapped_column(String(26), primary_key=True)
    channel_id: Mapped[str] = ref()
    create_at: Mapped[int] = ms()


class UserToken(Base):
    """A one-time token sent by email: `verify_email` (confirms `email`) or `password_reset`. Only its SHA-256
    is stored."""

    __tablename__ = "user_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = text(32)
    user_id: Mapped[str] = ref(index=True)
    email: Mapped[str] = text(128)
    create_at: Mapped[int] = ms()
    expires_at: Mapped[int] = ms()
