"""Runs of background jobs (Mattermost's Job): what ran, when, how far it got and how it ended. Admins start
them (`POST /jobs`) or the scheduler does; `GET /jobs` shows the history."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import Index, Text
from sqlalchemy.orm import Mapped, mapped_column

from kafana.models.base import Base, id_pk, ms, text


class BackgroundJob(Base):
    __tablename__ = "jobs"

    id: Mapped[str] = id_pk()
    type: Mapped[str] = text(32)
    status: Mapped[str] = text(32)  # pending, in_progress, success, error, cancel_requested, canceled
    create_at: Mapped[int] = ms()
    start_at: Mapped[int] = ms()
    last_activity_at: Mapped[int] = ms()
    progress: Mapped[int] = ms()  # percent
    data: Mapped[str] = mapped_column(Text, default="", server_default="")  # JSON object of strings

    __table_args__ = (Index("ix_jobs_type_create", "type", "create_at"), Index("ix_jobs_status", "status"), Index("ix_jobs_create", "create_at"))

    def to_api(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type,
            "priority": 0,
            "create_at": self.create_at,
            "start_at": self.start_at,
            "last_activity_at": self.last_activity_at,
            "status": self.status,
            "progress": self.progress,
            "data": orjson.loads(self.data) if self.data else {},
        }
