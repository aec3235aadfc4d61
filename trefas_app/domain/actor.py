"""The user on whose behalf a service runs."""

from __future__ import annotations

from dataclasses import dataclass

from trefas_app.domain.enums import Agency, Role
from trefas_app.domain.permissions import role_may


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str
    display_name: str
    role: Role
    agency: Agency
    unit_id: int | None
    unit_name: str = ""
    language: str = "sv"
    #: A server's session user: the login role's row policies, which are the
    #: access rule compiled (``server/rules.py``), filter every row this
    #: actor reads, so ``access.visible`` leaves reads to them.
    rows_by_server: bool = False

    def may(self, permission: str) -> bool:
        return role_may(self.role, permission)

    @property
    def is_person(self) -> bool:
        """False for the recovery key's pseudo-actor, which has no user row."""
        return self.user_id is not None


#: Who a session opened with the recovery key is in the access log: not a
#: person (no user row, agency or role is logged), so that nothing done with
#: the key is ever put down to an administrator (or anyone else).
RECOVERY_ACTOR = "återställningsnyckeln"


def recovery_key_actor() -> Actor:
    """The actor of a recovery-key session. It may what the administrator may
    (the session's services check ``via_recovery_key`` where it matters), but
    is logged as :data:`RECOVERY_ACTOR`."""
    return Actor(user_id=None, username=RECOVERY_ACTOR, display_name="Återställningsnyckeln",
                 role=Role.ADMINISTRATOR, agency=Agency.CITY, unit_id=None)
