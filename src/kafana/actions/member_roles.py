"""Role changes for team and channel members, which follow the same rules at both levels."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from kafana.lib.errors import bad_request


class Membership(Protocol):
    roles: str
    scheme_user: bool
    scheme_admin: bool


@dataclass(frozen=True, slots=True)
class RoleChange:
    """PUT …/members/{uid}/roles sets `roles`; PUT …/schemeRoles sets the two flags."""

    roles: str | None = None
    scheme_admin: bool | None = None
    scheme_user: bool | None = None


def apply_role_change(member: Membership, change: RoleChange, *, scope: str) -> None:
    """`scope` is "team" or "channel": the roles are `<scope>_user` (required) and `<scope>_admin`."""
    error_id = f"api.{scope}.update_{scope}_member_roles.scheme_role.app_error"
    user_role, admin_role = f"{scope}_user", f"{scope}_admin"
    if change.roles is not None:
        wanted = set(change.roles.split())
        if not wanted <= {user_role, admin_role} or user_role not in wanted:
            raise bad_request(error_id, f"Invalid {scope} roles.")
        member.roles, member.scheme_user, member.scheme_admin = "", True, admin_role in wanted
    if change.scheme_user is not None:
        if not change.scheme_user:
            raise bad_request(error_id, f"Members need the {user_role} role.")
        member.scheme_user = True
    if change.scheme_admin is not None:
        member.scheme_admin = change.scheme_admin
