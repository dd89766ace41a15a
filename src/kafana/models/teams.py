"""Teams and team membership."""

from __future__ import annotations

from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from kafana.models.base import Base, flag, id_pk, ms, text


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[str] = id_pk()
    create_at: Mapped[int] = ms()
    update_at: Mapped[int] = ms()
    delete_at: Mapped[int] = ms()
    display_name: Mapped[str] = text(64)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    description: Mapped[str] = text(255)
    email: Mapped[str] = text(128)
    type: Mapped[str] = text(1, "O")
    company_name: Mapped[str] = text(64)
    allowed_domains: Mapped[str] = text(1000)
    invite_id: Mapped[str] = text(32)
    allow_open_invite: Mapped[bool] = flag()
    last_team_icon_update: Mapped[int] = ms()

    def to_api(self, *, email: bool = True, invite_id: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "create_at": self.create_at,
            "update_at": self.update_at,
            "delete_at": self.delete_at,
            "display_name": self.display_name,
            "name": self.name,
            "description": self.description,
            "email": self.email if email else "",
            "type": self.type,
            "company_name": self.company_name,
            "allowed_domains": self.allowed_domains,
            "invite_id": self.invite_id if invite_id else "",
            "allow_open_invite": self.allow_open_invite,
            "last_team_icon_update": self.last_team_icon_update,
            "scheme_id": None,
            "group_constrained": None,
            "policy_id": None,
            "cloud_limits_archived": False,
        }
        return out


class TeamMember(Base):
    __tablename__ = "team_members"

    team_id: Mapped[str] = mapped_column(String(26), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(26), primary_key=True, index=True)
    roles: Mapped[str] = text(256)
    delete_at: Mapped[int] = ms()
    create_at: Mapped[int] = ms()
    scheme_user: Mapped[bool] = flag(True)
    scheme_admin: Mapped[bool] = flag()
    scheme_guest: Mapped[bool] = flag()

    @property
    def role_set(self) -> frozenset[str]:
        roles = set(self.roles.split())
        if self.scheme_user:
            roles.add("team_user")
        if self.scheme_admin:
            roles.add("team_admin")
        if self.scheme_guest:
            roles.add("team_guest")
        return frozenset(roles)

    def to_api(self) -> dict[str, Any]:
        return {
            "team_id": self.team_id,
            "user_id": self.user_id,
            "roles": " ".join(sorted(self.role_set, key=_role_order)),
            "delete_at": self.delete_at,
            "scheme_user": self.scheme_user,
            "scheme_admin": self.scheme_admin,
            "scheme_guest": self.scheme_guest,
            "explicit_roles": self.roles,
        }


def _role_order(role: str) -> tuple[int, str]:
    return (0 if role.endswith("_user") else 1, role)
