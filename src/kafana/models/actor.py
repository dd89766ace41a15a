"""Who is acting on a use case: a signed-in user with a session, or the system itself (CLI, jobs)."""

from __future__ import annotations

from dataclasses import dataclass

from kafana.models.users import Session, User


@dataclass(slots=True)
class Actor:
    """Who is acting. `session` is None for the CLI and jobs, which act with the system's authority."""

    user: User | None
    session: Session | None = None

    @property
    def user_id(self) -> str:
        return self.user.id if self.user is not None else ""

    @property
    def is_system(self) -> bool:
        return self.user is None

    @property
    def is_guest(self) -> bool:
        return self.user is not None and self.user.is_guest

    @property
    def is_admin(self) -> bool:
        return self.user is None or self.user.is_system_admin


SYSTEM = Actor(None)
