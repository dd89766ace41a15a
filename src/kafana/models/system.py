"""Server-wide key/value facts (the diagnostic id, generated secrets)."""

from __future__ import annotations

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kafana.models.base import Base, ms


class SystemValue(Base):
    __tablename__ = "system_values"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")


class JobLease(Base):
    """Who runs a cluster-wide job (`holder`, a node id) until `expires_at`; see workers/scheduler.py."""

    __tablename__ = "job_leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(26), default="")
    expires_at: Mapped[int] = ms()
