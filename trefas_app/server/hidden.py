"""What the server's row rules hide, counted (DESIGN §3: "a user is told that
N entries exist that are not shared with their agency").

On a local store a list counts the rows in the user's scope that the rule
hides (``access.hidden_by_category``, ``cases._count_cases``). On a server
the row rules remove those rows before the service sees them, so the same
count would always be nothing. These SECURITY DEFINER functions count them
as the owner — counts per category only, never a row — with the rule
compiled exactly as the policies compile it (``server.rules``: the session's
user, the server's clock, the role still in the users row). One function per
role and list; each role's group may run only its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, literal_column

from trefas_app.domain.enums import NoteState, Role
from trefas_app.domain.permissions import role_may
from trefas_app.security import access
from trefas_app.services.hidden_counts import function_name
from trefas_app.store import models as m
from trefas_app.server.rules import (
    TABLE_SCHEMA,
    ActorTerms,
    Rule,
    SqlClock,
    rule_keys,
)
from trefas_app.server.sql import ROLE_PREFIX



@dataclass(frozen=True)
class HiddenCount:
    """One function: what it counts, its arguments and result, and the
    permission a role needs to have it."""

    listed: str
    arguments: str
    returns: str
    permission: str


CASES = HiddenCount("cases", "p_states text[], p_person_id integer", "bigint", "case.read")
NOTES = HiddenCount("notes", "p_case_id integer", "TABLE(category text, n bigint)",
                    "note.read")


def _cases_body(role: Role, now: SqlClock) -> str:
    """Cases in the user's scope whose person's identity is not shared with
    them, narrowed as the list is (states, one person)."""
    actor = ActorTerms.of_session(role)
    rule = Rule("cases", role, "hidden", m.Case, lambda case: and_(
        access.scope_clause(actor, case.id, "read", now),
        ~access.visible(actor, "case", now, alias=case)))
    return (f"SELECT count(*) FROM {TABLE_SCHEMA}.cases c WHERE c.id IN ({rule_keys(rule)}) "
            "AND (p_states IS NULL OR c.state::text = ANY (p_states)) "
            "AND (p_person_id IS NULL OR c.person_id = p_person_id)")


def _notes_body(role: Role, now: SqlClock) -> str:
    """Signed notes of one case in the user's scope that the rule hides."""
    actor = ActorTerms.of_session(role)
    case_id = literal_column("p_case_id")
    rule = Rule("notes", role, "hidden", m.Note, lambda note: and_(
        note.case_id == case_id, note.state == NoteState.SIGNED,
        access.in_scope(actor, "note", now), ~access.visible(actor, "note", now)))
    return (f"SELECT n.category::text, count(*) FROM {TABLE_SCHEMA}.notes n "
            f"WHERE n.id IN ({rule_keys(rule)}) GROUP BY n.category")


_BODIES = {CASES: _cases_body, NOTES: _notes_body}


def install(connection, *, office_timezone: str, naive_utc: bool, owner: str) -> None:
    """Create (or replace) every role's counting functions, owned by ``owner``."""
    now = SqlClock(office_timezone, naive_utc)
    for count, body in _BODIES.items():
        for role in Role:
            if not role_may(role, count.permission):
                continue
            signature = f"{function_name(count.listed, role)}({count.arguments})"
            for statement in (
                    f"CREATE OR REPLACE FUNCTION {signature} RETURNS {count.returns} "
                    "LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' SET jit = off "
                    f"AS $trefas_fn$\n{body(role, now)}\n$trefas_fn$",
                    f"ALTER FUNCTION {signature} OWNER TO {owner}",
                    f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC",
                    f"GRANT EXECUTE ON FUNCTION {signature} TO {ROLE_PREFIX}{role.value}"):
                connection.exec_driver_sql(statement.replace("%", "%%"))  # no placeholders
