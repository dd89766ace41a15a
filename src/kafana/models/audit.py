"""The audit log: admin actions and security events, with the client address as the privacy setting allows."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import Index
from sqlalchemy.orm import Mapped

from kafana.models.base import Base, id_pk, ms, text


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[str] = id_pk()
    create_at: Mapped[int] = ms()
    user_id: Mapped[str] = text(26)  # who acted ("" for the system or an unknown account)
    action: Mapped[str] = text(64)
    target_id: Mapped[str] = text(26)  # the user (or team, session…) acted on
    extra_info: Mapped[str] = text(1024)
    ip_address: Mapped[str] = text(64)
    session_id: Mapped[str] = text(26)

    __table_args__ = (Index("ix_audit_log_create_at", "create_at"), Index("ix_audit_log_user_id_create_at", "user_id", "create_at"))

    def to_api(self) -> dict[str, Any]:
        """Mattermost's Audit shape; `extra_info` is a JSON object (as a string) that also names the target."""
        extra = orjson.loads(self.extra_info) if self.extra_info else {}
        if self.target_id:
            extra["target_id"] = self.target_id
        return {
            "id": self.id,
            "create_at": self.create_at,
            "user_id": self.user_id,
            "action": self.action,
            "extra_info": orjson.dumps(extra).decode() if extra else "",
            "ip_address": self.ip_address,
            "session_id": self.session_id,
        }
