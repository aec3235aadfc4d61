"""What the server's row rules hide, counted (DESIGN §3: "a user is told that
N entries exist that are not shared with their agency").

On a local store a list counts the rows in the user's scope that the rule
hides (``access.hidden_by_category``, ``cases._count_cases``). On a server
the row rules remove those rows before the service sees them, so the same
count would always be nothing. These SECURITY DEFINER functions count them
as the owner — counts per category only, never a row — with the rule
compiled exactly as the policies compile it (``server.rules``: the session's
user, the server's clock, the role still in the users row), narrowed by the
same terms as the service's list (``hidden_counts.NARROWINGS``: NULL, not
narrowed). One function per role and list; each role's group may run only
its own. They count only rows in the caller's own scope, of cases whose
person the caller may know (``access.in_scope``): a case, meeting or
incident outside it gives nothing, as the service's list would.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import and_, literal_column, select

from trefas_app.domain.enums import Role
from trefas_app.domain.permissions import role_may
from trefas_app.security import access
from trefas_app.services.hidden_counts import NARROWINGS, function_name, table_of
from trefas_app.store import models as m
from trefas_app.server.rules import (
    TABLE_SCHEMA,
    ActorTerms,
    Rule,
    SqlClock,
    compile_sql,
    rule_keys,
    rule_sets,
)
from trefas_app.server.policies import make_set_functions
from trefas_app.server.sql import ROLE_PREFIX


@dataclass(frozen=True)
class HiddenCount:
    """One family of functions: what it counts, its arguments and result,
    the permission a role needs to have it, and its body for a role."""

    listed: str
    arguments: str
    returns: str
    permission: str
    body: Callable[[Role, SqlClock, object], str]  # the connection makes sets
    planner: Callable[[Role], str] = lambda role: ""


def _hidden_keys(rule: Rule) -> str:
    """The hidden rows' keys, computed once before they are joined and
    narrowed. A SQL function's plan is generic: with its parameters unknown,
    PostgreSQL guessed a few dozen rows for a narrowed table and ran the rule
    once per row of it (115 ms for a social worker's 116 cases at 12,000
    cases); the rule driven from the user's own teams first takes 3 ms.
    For the case count only, whose narrowing is outside the rule."""
    return f"WITH hidden AS MATERIALIZED ({rule_keys(rule)})"


def _keys_first_planner(role: Role) -> str:
    """A wide scope's hidden keys by hash joins. The rule's NOT (…) misleads
    the estimate to one case in scope, and PostgreSQL then probed the scope's
    set once per case without a hash (a police supervisor's keys: 2.5 s at
    12,000 cases, 21 ms by hash; her count now goes by sets, below, as at
    60,000 cases the hash plan's consent test took half a minute). The
    city's supervisor and a coordinator: the same either way (10–14 ms at
    60,000). A team-scoped user's few cases are found faster by index
    lookups (2 ms; 17 ms by hash), so theirs stays."""
    return "" if access.team_scoped(role) else " SET enable_nestloop = off"


def _cases_body(role: Role, now: SqlClock, connection) -> str:
    """Cases in the user's scope whose person's identity is not shared with
    them, narrowed as the list is (states, one person).

    The hidden keys first (:func:`_hidden_keys`) — except for a supervisor of
    an agency that opens no cases, whose scope is the cases its officers are
    on: there, the cases in scope less those the rule shows, each counted
    with the rule's sets computed once per statement as the policies test
    it (``rules.rule_sets``; a negated rule is not decomposed). Per case,
    the consent test of her agency's thousands of grants took a police
    supervisor 2.5 s at 12,000 cases and half a minute at 60,000 (125 ms
    now). The agency's own supervisor (nearly every case in scope, all
    shared) keeps the keys: 10 ms, 150 ms as sets."""
    actor = ActorTerms.of_session(role)
    table = f"{TABLE_SCHEMA}.cases"
    narrowed = ("(p_states IS NULL OR {c}.state::text = ANY (p_states)) "
                "AND (p_person_id IS NULL OR {c}.person_id = p_person_id)")
    hidden = Rule("cases", role, "hidden", m.Case, lambda case: and_(
        access.scope_clause(actor, case.id, "read", now),
        ~access.visible(actor, "case", now, alias=case)))
    keys_first = (f"{_hidden_keys(hidden)} SELECT count(*) FROM {table} c "
                  f"JOIN hidden ON hidden.id = c.id WHERE {narrowed.format(c='c')}")
    if role != Role.SUPERVISOR:
        return keys_first
    in_scope = Rule("cases", role, "hidden", m.Case, lambda case: access.scope_clause(
        actor, case.id, "read", now))
    shown = Rule("cases", role, "hidden", m.Case, lambda case: and_(
        access.scope_clause(actor, case.id, "read", now),
        access.visible(actor, "case", now, alias=case)))
    in_scope_less_shown = " - ".join(
        f"(SELECT count(*) FROM {table} WHERE {_as_sets(connection, rule)} "
        f"AND {narrowed.format(c=table)})" for rule in (in_scope, shown))
    owning = ", ".join(f"'{agency.value}'" for agency in sorted(access.CASE_OWNING_AGENCIES))
    return (f"SELECT CASE WHEN {compile_sql(actor.agency)} IN ({owning}) "
            f"THEN ({keys_first}) ELSE {in_scope_less_shown} END")


def _as_sets(connection, rule: Rule) -> str:
    """The rule as a test of the row's columns against its sets, the sets'
    functions made (the owner's, in the schema no login role may use)."""
    decomposed = rule_sets(rule)
    make_set_functions(connection, decomposed.functions, set())
    return compile_sql(decomposed.using)


#: The content function's case parameter (``hidden_counts``' case narrowing).
_CASE_PARAMETER = "p_case_id"


def _content_body(kind: str) -> Callable[[Role, SqlClock, object], str]:
    """Rows of ``kind`` in the user's scope, narrowed by the parameters, that
    the rule hides, per category (a draft note is hidden from nobody's
    figure: the rule's drafts_gate keeps it out of everyone's scope but its
    writer's, who sees it).

    Narrowed to one case (a case tab, the usual call), the rule is the one
    the local store counts with, ``access``'s ``within_case`` form: the
    case-level conditions (scope, the case's shared identity, the person's
    consents and protection) decided once for the case, then each of its
    rows tested on its own columns. Decided per row, as in the form for
    any rows, a busy case's 1,099 hidden notes took a city supervisor 1.1 s
    at 1,000,000 notes (1.8–2.7 s on a loaded machine, where this form takes
    0.23–0.44 s: about what reading that case's 115,097 notes once costs).
    The other form stays for calls without a case; the
    parameter chooses one branch when the statement starts (a one-time
    filter), so only that one runs."""
    spec = access.CASE_CONTENT_KINDS[kind]
    narrowings = NARROWINGS[kind]
    case_id = literal_column(_CASE_PARAMETER)
    assert _CASE_PARAMETER in (n.parameter for n in narrowings)

    def body(role: Role, now: SqlClock, _connection) -> str:
        actor = ActorTerms.of_session(role)
        known = (case_id, select(m.Case.person_id).where(m.Case.id == case_id)
                 .scalar_subquery())
        branches = []
        for one_case, within in ((True, known), (False, None)):
            rule = Rule(table_of(kind), role, "hidden", spec.model, lambda row, within=within: and_(
                *(narrowing.server(row) for narrowing in narrowings),
                access.in_scope(actor, kind, now, within_case=within),
                ~access.visible(actor, kind, now, within_case=within)))
            # Not _hidden_keys: the narrowing is inside the rule here, and the
            # whole scope's keys first cost twice as much (a busy case's notes
            # for a city supervisor at 1,000,000 notes: 2.0 s against 1.1 s).
            branches.append(
                f"SELECT t.category::text, count(*) FROM {TABLE_SCHEMA}.{table_of(kind)} t "
                f"WHERE {_CASE_PARAMETER} IS {'NOT ' if one_case else ''}NULL "
                f"AND t.id IN ({rule_keys(rule)}) GROUP BY t.category")
        return "\nUNION ALL\n".join(branches)
    return body


COUNTS = (
    HiddenCount("cases", "p_states text[], p_person_id integer", "bigint", "case.read",
                _cases_body, _keys_first_planner),
    *(HiddenCount(table_of(kind),
                  ", ".join(f"{n.parameter} {n.sql_type}" for n in narrowings),
                  "TABLE(category text, n bigint)", f"{kind}.read", _content_body(kind))
      for kind, narrowings in NARROWINGS.items()),
)


def install(connection, *, office_timezone: str, naive_utc: bool, owner: str) -> None:
    """Create (or replace) every role's counting functions, owned by ``owner``."""
    now = SqlClock(office_timezone, naive_utc)
    for count in COUNTS:
        for role in Role:
            if not role_may(role, count.permission):
                continue
            signature = f"{function_name(count.listed, role)}({count.arguments})"
            for statement in (
                    f"CREATE OR REPLACE FUNCTION {signature} RETURNS {count.returns} "
                    "LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' SET jit = off"
                    f"{count.planner(role)} "
                    f"AS $trefas_fn$\n{count.body(role, now, connection)}\n$trefas_fn$",
                    f"ALTER FUNCTION {signature} OWNER TO {owner}",
                    f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC",
                    f"GRANT EXECUTE ON FUNCTION {signature} TO {ROLE_PREFIX}{role.value}"):
                connection.exec_driver_sql(statement.replace("%", "%%"))  # no placeholders
