"""What the access rule hides, counted on a server (DESIGN §3: "a user is told
that N entries exist that are not shared with their agency").

The row rules remove hidden rows before a service sees them, so a server
counts them itself, in SECURITY DEFINER functions that return counts only
(made by ``server/hidden.py``, one per role and list: each role's group runs
only its own). The local store counts them in the service's own query.

How a list narrows what it counts (one case, some states, one meeting …) is
said once, in :data:`NARROWINGS`: the local query and the server's function
are both built from it, so the two stores cannot count different rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import String, any_, cast, false, literal_column, or_, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from trefas_app.domain.actor import Actor
from trefas_app.domain.enums import Category, Role
from trefas_app.security import access

#: The server's schema of its own functions (server.rules.FUNCTION_SCHEMA).
SCHEMA = "trefas"


@dataclass(frozen=True)
class Narrowing:
    """One way a list narrows the rows it counts, by one column: ``equals`` a
    value, is ``among`` some values (an empty set: no row), is ``unset``
    (True: NULL, False: not NULL), or is a date ``before`` one. A list that
    does not narrow by it passes nothing (the server's parameter is NULL)."""

    column: str
    test: str  # "equals" | "among" | "unset" | "before"

    @property
    def parameter(self) -> str:
        return f"p_{self.column}"

    @property
    def sql_type(self) -> str:
        return {"equals": "integer", "among": "text[]", "unset": "boolean",
                "before": "date"}[self.test]

    def value(self, given):
        """The value as the server's parameter takes it."""
        if self.test == "among":
            return [getattr(v, "value", v) for v in given]
        return given

    def local(self, model, given) -> ColumnElement[bool]:
        column = getattr(model, self.column)
        if self.test == "equals":
            return column == given
        if self.test == "among":
            return column.in_(list(given)) if given else false()
        if self.test == "before":
            return column < given
        return column.is_(None) if given else column.is_not(None)

    def server(self, row) -> ColumnElement[bool]:
        """The same test on the function's parameter, true when it is NULL."""
        column = getattr(row, self.column)
        parameter = literal_column(self.parameter)
        if self.test == "equals":
            test = column == parameter
        elif self.test == "among":
            test = cast(column, String) == any_(parameter)
        elif self.test == "before":
            test = column < parameter
        else:
            test = column.is_(None) == parameter
        return or_(parameter.is_(None), test)


_CASE = Narrowing("case_id", "equals")
_STATES = Narrowing("state", "among")
_MEETING = Narrowing("meeting_id", "equals")
_EXIT = Narrowing("exit_programme_id", "equals")

#: Per kind of case content, every way a list or document narrows its hidden
#: figure (keyword = the column's name).
NARROWINGS: dict[str, tuple[Narrowing, ...]] = {
    "note": (_CASE, _STATES),
    "referral": (_CASE, _STATES),
    "plan": (_CASE, _STATES),
    "exit": (_CASE, _STATES, Narrowing("first_contact_at", "unset")),
    "threat": (_CASE, _EXIT),
    "measure": (_CASE, _EXIT),
    "support": (_CASE, _EXIT),
    "involvement": (_CASE, Narrowing("incident_id", "equals")),
    "meeting_item": (_CASE, _MEETING),
    "task": (_CASE, _MEETING, _STATES, Narrowing("assignee_id", "equals"),
             Narrowing("due_on", "before")),
}


def function_name(listed: str, role: Role) -> str:
    """The server function that counts rows of the table ``listed`` hidden from ``role``."""
    return f"{SCHEMA}.hidden_{listed}_{role.value}"


def table_of(kind: str) -> str:
    return access.CASE_CONTENT_KINDS[kind].model.__tablename__


def on_server(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _given(kind: str, narrowed: dict) -> list[tuple[Narrowing, object]]:
    known = {n.column: n for n in NARROWINGS[kind]}
    unknown = set(narrowed) - set(known)
    if unknown:
        raise TypeError(f"{kind} is not narrowed by {sorted(unknown)}")
    return [(known[column], value) for column, value in narrowed.items()
            if value is not None]


def narrowed(kind: str, **narrowed) -> list[ColumnElement[bool]]:
    """The SQL filters of ``narrowed`` (column=value; None: not narrowed) on
    the rows of ``kind``: what a list shows is filtered by the same terms."""
    model = access.CASE_CONTENT_KINDS[kind].model
    return [narrowing.local(model, value) for narrowing, value in _given(kind, narrowed)]


def hidden(session: Session, actor: Actor, kind: str, now: dt.datetime, *,
           within_case: tuple[int, int] | None = None, **narrowing) -> dict[Category, int]:
    """How many rows of ``kind`` in ``actor``'s scope, narrowed as the list
    is (column=value, see :data:`NARROWINGS`), the rule hides, per category:
    ``access.hidden_by_category`` on a local store (``within_case``: its
    shortcut for the rows of one known case); the server's function for the
    kind and the actor's role on a server."""
    given = _given(kind, narrowing)
    if not on_server(session):
        model = access.CASE_CONTENT_KINDS[kind].model
        return access.hidden_by_category(session, actor, kind, now,
                                         *(n.local(model, v) for n, v in given),
                                         within_case=within_case)
    if not actor.may(f"{kind}.read"):
        return {}
    values = {n.column: n.value(v) for n, v in given}
    arguments, params = [], {}
    for n in NARROWINGS[kind]:
        arguments.append(f"CAST(:{n.column} AS {n.sql_type})")
        params[n.column] = values.get(n.column)
    rows = session.execute(
        text(f"SELECT category, n FROM {function_name(table_of(kind), actor.role)}"
             f"({', '.join(arguments)})"), params).all()
    return {Category(category): n for category, n in rows if n}


def hidden_cases(session: Session, actor: Actor, states: Iterable, person_id: int | None) -> int:
    """How many cases in ``actor``'s scope (narrowed as the list is) the rule
    hides, on a server."""
    return session.scalar(
        text(f"SELECT {function_name('cases', actor.role)}(:states, :person)"),
        {"states": _STATES.value(states) or None, "person": person_id})
