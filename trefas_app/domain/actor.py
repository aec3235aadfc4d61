"""The user on whose behalf a service runs."""

from __future__ import annotations

from dataclasses import dataclass

from trefas_app.domain.enums import Agency, Role
from trefas_app.domain.permissions import role_may


@dataclass(frozen=True)
class Actor:
    user_id: int
    username: str
    display_name: str
    role: Role
    agency: Agency
    unit_id: int
    unit_name: str = ""
    language: str = "sv"

    def may(self, permission: str) -> bool:
        return role_may(self.role, permission)
