"""What the access rule hides, counted on a server (DESIGN §3: "a user is told
that N entries exist that are not shared with their agency").

The row rules remove hidden rows before a service sees them, so a server
counts them itself, in SECURITY DEFINER functions that return counts only
(made by ``server/hidden.py``, one per role and list: each role's group runs
only its own). The local store counts them in the service's own query.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text
from sqlalchemy.orm import Session

from trefas_app.domain.actor import Actor
from trefas_app.domain.enums import Category, Role
from trefas_app.security import access

#: The server's schema of its own functions (server.rules.FUNCTION_SCHEMA).
SCHEMA = "trefas"


def function_name(listed: str, role: Role) -> str:
    """The server function that counts rows of the table ``listed`` hidden from ``role``."""
    return f"{SCHEMA}.hidden_{listed}_{role.value}"


def on_server(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def hidden_cases(session: Session, actor: Actor, states, person_id: int | None) -> int:
    """How many cases in ``actor``'s scope (narrowed as the list is) the rule hides."""
    return session.scalar(
        text(f"SELECT {function_name('cases', actor.role)}(:states, :person)"),
        {"states": [s.value for s in states] or None, "person": person_id})


def hidden_in_case(session: Session, actor: Actor, kind: str, now: dt.datetime, case_id: int,
                   *where, within_case: tuple[int, int] | None = None) -> dict[Category, int]:
    """How many rows of ``kind`` in case ``case_id`` the rule hides, per
    category: ``access.hidden_by_category`` with ``where`` (the case and any
    further filter) on a local store; the server's function for the kind
    (which holds the same filter, server/hidden.py) on a server."""
    if not on_server(session):
        return access.hidden_by_category(session, actor, kind, now, *where,
                                         within_case=within_case)
    table = access.CASE_CONTENT_KINDS[kind].model.__tablename__
    rows = session.execute(
        text(f"SELECT category, n FROM {function_name(table, actor.role)}(:case_id)"),
        {"case_id": case_id}).all()
    return {Category(category): n for category, n in rows if n}
