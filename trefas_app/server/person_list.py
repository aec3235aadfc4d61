"""A page of the person list on a server, without every person in scope
passing through the masked view's row function.

The list is sorted by ``Person.list_order`` over ``trefas.persons_shown``:
(protected?, name key, id), the name key being the masked ``sort_name`` —
the stored Swedish sort key where the reader is shown the identity, NULL
(sorted last) where not, '' for every protected person. Sorting by the
masked key made PostgreSQL run the row function (0.1–0.4 ms) for every
person the reader may read before the LIMIT: a city supervisor's first page
took 4 s at 50,000 persons.

The order falls into three runs, each readable from an index:

* **shown**: not protected, identity shown, a sort key: by the real sort key
  and id (``ix_persons_listing``, the key being exactly what the view shows);
* **unnamed**: not protected, key NULL (identity not shared): by id;
* **protected**: by id (their key is '' whoever reads them).

``trefas.person_list_<role>(p_protected, p_name, p_id, p_limit)`` (PL/pgSQL,
SECURITY DEFINER, empty ``search_path``; each role's group runs only its
own) returns the ids of the first ``p_limit`` persons of the list after the
anchor (the previous page's last row's list key; NULLs: from the start), the
runs read one after the other and each only as far as the page needs. Only
persons the reader may read (the persons table's read policy's own
condition, generated from ``access.visible``, with its sets computed once),
and in name order only those whose name the view shows them (the masked
view's own identity decision, ``masks._Reader``): nothing the view would
not tell. The service reads the view for those ids only, with its
own rule, anchor and ORDER BY unchanged, so the page is the same rows in
the same order as before; the function only spares the other rows.
"""

from __future__ import annotations

from sqlalchemy import and_, case, func, literal, literal_column, not_, select, text, tuple_

from trefas_app.domain.enums import Role
from trefas_app.services.persons import person_list_function
from trefas_app.store import models as m
from trefas_app.server import policies
from trefas_app.server.masks import _Reader
from trefas_app.server.rules import FUNCTION_SCHEMA, SqlClock, compile_sql, rules
from trefas_app.server.sql import ROLE_PREFIX

PARAMETERS = "p_protected boolean, p_name text, p_id integer, p_limit integer"

_PROTECTED = literal_column(f"({m.PERSON_LIST_MASKED})")
_NAME = literal_column(m.PERSON_LIST_NAME)


def _runs(readable: str, now: SqlClock) -> dict[str, str]:
    """The three runs' SELECTs (without LIMIT), of the persons ``readable``
    (SQL on the table's columns) lets the reader read."""
    p = m.Person
    readable = text(f"({readable})")
    named = and_(func.coalesce(_Reader(p, now).identity, False), p.sort_name.is_not(None))
    after_id = literal_column("p_id")
    shown = (select(p.id)
             .where(not_(_PROTECTED), named, readable,
                    tuple_(_NAME, p.id) > tuple_(func.coalesce(literal_column("p_name"), ""),
                                                 func.coalesce(after_id, 0)))
             .order_by(_PROTECTED, _NAME, p.id))
    # After an anchor in the shown run every unnamed person follows.
    unnamed_from = case((literal_column("p_name").is_(None), func.coalesce(after_id, 0)),
                        else_=literal(0))
    unnamed = (select(p.id)
               .where(not_(_PROTECTED), not_(named), readable, p.id > unnamed_from)
               .order_by(p.id))
    protected_from = case((literal_column("p_protected"), after_id), else_=literal(0))
    protected = (select(p.id)
                 .where(_PROTECTED, readable, p.id > protected_from)
                 .order_by(_PROTECTED, _NAME, p.id))
    return {name: compile_sql(q) for name, q in
            (("shown", shown), ("unnamed", unnamed), ("protected", protected))}


def body(role: Role, now: SqlClock, readable: str) -> str:
    """The PL/pgSQL body: the runs in list order, each read only while the
    page is not full (an anchor in a later run skips the earlier ones)."""
    runs = _runs(readable, now)
    role_name = f"{FUNCTION_SCHEMA}.current_role_name()"
    return f"""DECLARE
  got integer := 0;
  more integer;
BEGIN
  -- The policy's role is still the role in the user's users row.
  IF {role_name} IS DISTINCT FROM '{role.value}' OR p_limit IS NULL OR p_limit < 1 THEN
    RETURN;
  END IF;
  IF p_protected IS NOT TRUE AND (p_id IS NULL OR p_name IS NOT NULL) THEN
    RETURN QUERY {runs['shown']} LIMIT p_limit;
    GET DIAGNOSTICS got = ROW_COUNT;
  END IF;
  IF got < p_limit AND p_protected IS NOT TRUE THEN
    RETURN QUERY {runs['unnamed']} LIMIT p_limit - got;
    GET DIAGNOSTICS more = ROW_COUNT;
    got := got + more;
  END IF;
  IF got < p_limit THEN
    RETURN QUERY {runs['protected']} LIMIT p_limit - got;
  END IF;
END"""


def install(connection, *, office_timezone: str, naive_utc: bool, owner: str) -> None:
    """Create (or replace) each person-reading role's list function, owned by ``owner``."""
    now = SqlClock(office_timezone, naive_utc)
    reading = {rule.role: rule for rule in rules(office_timezone, naive_utc)
               if rule.table == m.Person.__tablename__ and rule.command == "select"}
    for role, rule in reading.items():
        # The persons policy's own condition (its sets made once per
        # statement): the rule per row, with its correlated lookups, took a
        # police supervisor 4.5 s and a social worker a minute at 50,000.
        readable = policies._row_sets(connection, rule, policies.group_role(role), set())
        signature = f"{person_list_function(role)}({PARAMETERS})"
        for statement in (
                f"CREATE OR REPLACE FUNCTION {signature} RETURNS SETOF integer "
                "LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = '' SET jit = off "
                f"ROWS 200 AS $trefas_fn$\n{body(role, now, readable)}\n$trefas_fn$",
                f"ALTER FUNCTION {signature} OWNER TO {owner}",
                f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC",
                f"GRANT EXECUTE ON FUNCTION {signature} TO {ROLE_PREFIX}{role.value}"):
            connection.exec_driver_sql(statement.replace("%", "%%"))  # no placeholders
