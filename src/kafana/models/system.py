"""Server-wide key/value facts (the diagnostic id, generated secrets)."""

from __future__ import annotations

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kafana.models.base import Base


class SystemValue(Base):
    __tablename__ = "system_values"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")
