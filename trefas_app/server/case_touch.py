"""A new entry moves its case's retention clock on a server, also for those
who may add to a case but not change it.

``cases.touch_case`` sets a case's ``last_entry_at`` (and, for a closed case,
``retain_until``) whenever an entry is added to it. A police liaison or a
probation officer adds notes, tasks and threat assessments to the cases they
work on, but their groups hold no UPDATE on ``cases`` (the case itself is not
theirs to change), so on a server their entries were refused.
``trefas.touch_case(p_case)`` (SECURITY DEFINER, VOLATILE, empty
``search_path``, granted to every group but the administrator's) moves the
clock of one case, to the server's own time — a caller cannot set it — and
only where the caller may add to the case: readable by them and in their
write scope, the access rule's own conditions (``access.visible``,
``access.scope_clause``) compiled for the caller's role. It returns the new
values (no row: nothing moved).
"""

from __future__ import annotations

from sqlalchemy import Date, and_, case, cast, literal_column, update

from trefas_app.domain.enums import CaseState
from trefas_app.security import access
from trefas_app.services.cases import RETENTION_YEARS, TOUCH_CASE
from trefas_app.store import models as m
from trefas_app.server.rules import FUNCTION_SCHEMA, SqlClock, compile_sql, for_session_role

SIGNATURE = TOUCH_CASE.removeprefix(f"{FUNCTION_SCHEMA}.") + "(p_case integer)"


def _may_add_to(now: SqlClock):
    return for_session_role("case.read", lambda actor: and_(
        access.visible(actor, "case", now, alias=m.Case),
        access.scope_clause(actor, m.Case.id, "write", now, m.Case)))


def touch_update(office_timezone: str, naive_utc: bool):
    now = SqlClock(office_timezone, naive_utc)
    years = literal_column(f"interval '{RETENTION_YEARS} years'")
    return (update(m.Case)
            .where(m.Case.id == literal_column("p_case"), _may_add_to(now))
            .values(last_entry_at=now.instant,
                    retain_until=case((m.Case.state == CaseState.CLOSED.value,
                                       cast(now.office_date + years, Date)),
                                      else_=m.Case.retain_until))
            .returning(m.Case.last_entry_at, m.Case.retain_until))


def install(connection, run, owner: str, office_timezone: str, naive_utc: bool,
            groups: list[str]) -> None:
    """Create the function and grant it to ``groups``."""
    name = f"{FUNCTION_SCHEMA}.{SIGNATURE}"
    instant = "timestamp" if naive_utc else "timestamptz"
    run(connection, f"CREATE OR REPLACE FUNCTION {name} "
                    f"RETURNS TABLE(last_entry_at {instant}, retain_until date) "
                    "LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = '' "
                    f"AS $trefas_fn$\n{compile_sql(touch_update(office_timezone, naive_utc))}"
                    "\n$trefas_fn$")
    run(connection, f"ALTER FUNCTION {name} OWNER TO {owner}")
    run(connection, f"REVOKE ALL ON FUNCTION {name} FROM PUBLIC")
    run(connection, f"GRANT EXECUTE ON FUNCTION {name} TO {', '.join(groups)}")
