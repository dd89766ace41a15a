"""Reports of messages and what moderators did about them (Kafana's own; Mattermost has no such API).

A report keeps a snapshot of the message (text, author, channel, time) that the reporter agreed to share, so
moderators can act on it after the message is edited or deleted. Its timeline (`ReportEvent`) records every
state change, assignment, note and action; the public, anonymised moderation log is read from the actions.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Index, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kafana.models.base import Base, id_pk, ms, ref, text

STATES = ("open", "in_review", "resolved", "dismissed")


class Report(Base):
    __tablename__ = "reports"

    id: Mapped[str] = id_pk()
    create_at: Mapped[int] = ms()
    update_at: Mapped[int] = ms()
    reporter_id: Mapped[str] = ref()
    reason: Mapped[str] = text(1024)
    state: Mapped[str] = text(16, "open")
    assignee_id: Mapped[str] = text(26)
    # The snapshot the reporter consented to share.
    post_id: Mapped[str] = ref()
    post_user_id: Mapped[str] = ref()
    post_username: Mapped[str] = text(64)
    post_message: Mapped[str] = mapped_column(Text, default="")
    post_create_at: Mapped[int] = ms()
    channel_id: Mapped[str] = ref()
    channel_name: Mapped[str] = text(64)
    channel_display_name: Mapped[str] = text(64)
    channel_type: Mapped[str] = text(1)
    team_id: Mapped[str] = text(26)

    __table_args__ = (
        UniqueConstraint("reporter_id", "post_id"),  # reporting again is a retry: the first report answers
        Index("ix_reports_state_create_at", "state", "create_at"),
    )

    def to_api(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "create_at": self.create_at,
            "update_at": self.update_at,
            "reporter_id": self.reporter_id,
            "reason": self.reason,
            "state": self.state,
            "assignee_id": self.assignee_id,
            "post": {
                "id": self.post_id,
                "user_id": self.post_user_id,
                "username": self.post_username,
                "message": self.post_message,
                "create_at": self.post_create_at,
            },
            "channel": {
                "id": self.channel_id,
                "name": self.channel_name,
                "display_name": self.channel_display_name,
                "type": self.channel_type,
                "team_id": self.team_id,
            },
        }


class ReportEvent(Base):
    """One line of a report's timeline: `created`, `state`, `assigned`, `note` or `action`."""

    __tablename__ = "report_events"

    id: Mapped[str] = id_pk()
    report_id: Mapped[str] = ref()
    create_at: Mapped[int] = ms()
    user_id: Mapped[str] = text(26)  # who; "" for the system (a suspension ending)
    kind: Mapped[str] = text(16)
    value: Mapped[str] = text(64)  # the new state, the assignee, or the action's name
    body: Mapped[str] = text(4096)  # the note, or the action's reason

    __table_args__ = (Index("ix_report_events_report_id_create_at", "report_id", "create_at"), Index("ix_report_events_kind_create_at", "kind", "create_at"))

    def to_api(self) -> dict[str, Any]:
        return {"id": self.id, "create_at": self.create_at, "user_id": self.user_id, "kind": self.kind, "value": self.value, "text": self.body}


class Suspension(Base):
    """A user deactivated until `until`; the `moderation_suspensions` job reactivates them then."""

    __tablename__ = "suspensions"

    user_id: Mapped[str] = id_pk()
    until: Mapped[int] = ms(index=True)
    create_at: Mapped[int] = ms()
    by_id: Mapped[str] = text(26)
    report_id: Mapped[str] = text(26)
