"""Granular data retention policies (Mattermost's `/data_retention/policies`): a policy names how many days
messages (and, a Kafana extension, files) are kept, and applies to the teams and channels assigned to it. A
team or channel belongs to at most one policy; a channel's policy wins over its team's, which wins over the
global settings."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from kafana.models.base import Base, id_pk, ms, ref, text


class RetentionPolicy(Base):
    __tablename__ = "retention_policies"

    id: Mapped[str] = id_pk()
    display_name: Mapped[str] = text(64)
    post_duration: Mapped[int] = ms(-1)  # days; below 1: kept forever
    # days for files; NULL: the same as post_duration (files go with their post in any case)
    file_duration: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    create_at: Mapped[int] = ms()

    def to_api(self, *, team_count: int, channel_count: int) -> dict[str, Any]:
        return {
            "id": self.id,
            "display_name": self.display_name,
            "post_duration": self.post_duration,
            "file_duration": self.post_duration if self.file_duration is None else self.file_duration,
            "team_count": team_count,
            "channel_count": channel_count,
        }


class RetentionPolicyTeam(Base):
    __tablename__ = "retention_policy_teams"

    team_id: Mapped[str] = mapped_column(String(26), primary_key=True)
    policy_id: Mapped[str] = ref(index=True)


class RetentionPolicyChannel(Base):
    __tablename__ = "retention_policy_channels"

    channel_id: Mapped[str] = mapped_column(String(26), primary_key=True)
    policy_id: Mapped[str] = ref(index=True)
