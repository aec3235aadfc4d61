"""The access rule, enforced by the PostgreSQL server itself.

``install`` runs once after the migrations, as the schema owner, and again
after any change of the rule (it replaces what it made). Afterwards a user who
logs in with ``psql`` under their own login role reads exactly the rows the
program would show them:

* the tables belong to ``trefas_owner``, a role that cannot log in;
* each domain role is a group role ``trefas_role_<role>`` (NOLOGIN); a user's
  login role is named exactly their Trefas username and is a member of their
  role's group;
* every table with case content has ROW LEVEL SECURITY enabled and forced;
  its policies are generated from ``security.access.visible`` (see
  :mod:`server.rules`): a read policy is the rule itself, reading other
  tables through the owner's views, for a wide scope
  (``rules.rule_through_views``), or tests the row's columns against sets
  the rule's subqueries compute once per statement for a team-scoped role
  (:mod:`server.rule_sets`: SECURITY DEFINER functions with an empty
  ``search_path``); both in a schema no login role may use. A new or changed
  row is decided by one function per table × role × command;
* identity comes from ``session_user`` (``trefas.current_user_id()`` and its
  siblings), never from a setting a client can change;
* the identifying columns of persons, relatives and consents are not granted;
  ``trefas.persons_shown`` (and ``relatives_shown``, ``consents_shown``:
  ``security_invoker`` views) show them as the program does — the alias
  "Skyddad person P-0042" unless revealed and shared;
* the administrator's group holds nothing on case content;
* with pgaudit loaded, every statement on a case table is recorded by the
  server (object audit through the NOLOGIN role ``trefas_auditor``).
"""

from __future__ import annotations

from sqlalchemy import literal_column, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import aliased

from trefas_app.domain import clock
from trefas_app.domain.enums import Role
from trefas_app.domain.permissions import role_may
from trefas_app.security import access
from trefas_app.store import models as m
from trefas_app.server import blanking
from trefas_app.server import case_touch, page_reads
from trefas_app.server import search as person_search
from trefas_app.server.masks import (
    SHOWN_TABLES,
    VIEW_READER_ARGUMENTS,
    VIEW_READER_PARAMETERS,
    masked_select,
)
from trefas_app.server.sql import ROLE_PREFIX
from trefas_app.server.rules import (
    FUNCTION_SCHEMA,
    RLS_TABLES,
    TABLE_SCHEMA,
    compile_sql,
    for_session_role,
    is_everything,
    rule_keys,
    rule_through_views,
    rule_row_check,
    rule_sets,
    rules,
)
from trefas_app.server.rule_sets import RULE_SCHEMA, NotDecomposable

OWNER_ROLE = "trefas_owner"
#: pgaudit's object-audit role: what it may touch, pgaudit records.
AUDIT_ROLE = "trefas_auditor"
#: Tables whose identifying columns are read only through a masked view.
MASKED_TABLES = {shown.table: shown for shown in SHOWN_TABLES}

#: Tables without case content: (table, read permission or None for every
#: role, {privilege: permission that grants it}).
OPEN_TABLES: tuple[tuple[str, str | None, dict[str, str]], ...] = (
    ("units", None, {"INSERT": "user.manage", "UPDATE": "user.manage"}),
    ("users", None, {"INSERT": "user.manage", "UPDATE": "user.manage"}),
    ("store_meta", None, {"INSERT": "system.settings", "UPDATE": "system.settings"}),
    ("incidents", "incident.read", {"INSERT": "incident.write", "UPDATE": "incident.write"}),
    ("routine_steps", "routine.read", {"INSERT": "routine.write", "UPDATE": "routine.write"}),
    ("meetings", "meeting.read", {"INSERT": "meeting.write", "UPDATE": "meeting.write"}),
    ("meeting_participants", "meeting.read",
     {"INSERT": "meeting.write", "UPDATE": "meeting.write", "DELETE": "meeting.write"}),
)


def group_role(role: Role) -> str:
    """The NOLOGIN group of one domain role."""
    return f"{ROLE_PREFIX}{role.value}"


def quote_ident(name: str) -> str:
    """A SQL identifier, quoted (a username may hold dots and dashes)."""
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _run(connection, sql: str):
    """One statement, on a SQLAlchemy connection or a psycopg one."""
    if hasattr(connection, "exec_driver_sql"):  # passes parameters: % is a placeholder
        return connection.exec_driver_sql(sql.replace("%", "%%"))
    return connection.execute(sql)


def _rows(connection, sql: str) -> list[tuple]:
    return [tuple(r) for r in _run(connection, sql).fetchall()]


def install(connection, *, office_timezone: str) -> None:
    """Roles, ownership, grants, row-level security, policies, the masked
    view and the audit set-up, on a schema the migrations have made.
    Idempotent: an existing installation is replaced."""
    clock.zone_named(office_timezone)  # refuses an unknown zone before any SQL
    _roles(connection)
    _schema(connection)
    tables = _existing_tables(connection)
    for table in tables:
        _run(connection, f"ALTER TABLE {TABLE_SCHEMA}.{table} OWNER TO {OWNER_ROLE}")
        groups = ", ".join(["PUBLIC", *(group_role(r) for r in Role)])
        _run(connection, f"REVOKE ALL ON {TABLE_SCHEMA}.{table} FROM {groups}")
    _identity_functions(connection, tables)
    naive_utc = _naive_utc(connection)
    granted: dict[tuple[str, Role], set[str]] = {}
    for table in RLS_TABLES:
        if table in tables:
            _reset_policies(connection, table)
    _rule_schema(connection, tables)
    made: set[str] = set()
    for rule in rules(office_timezone, naive_utc):
        if rule.table not in tables:
            continue
        _policy(connection, rule, made)
        granted.setdefault((rule.table, rule.role), set()).add(rule.command.upper())
    _grants(connection, granted, tables)
    # Before the masked views: persons_masked blanks names with its helpers.
    blanking.install(connection, _run, _person_readers(), owner=OWNER_ROLE,
                     office_timezone=office_timezone, naive_utc=naive_utc)
    _masked_views(connection, office_timezone, naive_utc)
    person_search.install(connection, _definer, _run, _person_readers(), office_timezone,
                          naive_utc)
    page_reads.install(connection, _definer, _run, _person_readers(), office_timezone,
                       naive_utc)
    _emergency_lookup(connection)
    _retention(connection)
    _numbering(connection)
    case_touch.install(connection, _run, OWNER_ROLE, office_timezone, naive_utc,
                       [group_role(r) for r in Role if r != Role.ADMINISTRATOR])
    _log_appender(connection)
    _audit(connection, tables)


#: The server's one way into the access log (made by the server store's
#: migrations): it appends under a lock, as the owner, for every login role.
#: Tables whose records carry a yearly number (K-2026-00042): the services'
#: next_number, whose max() a login role could only take over the rows its
#: rules show.
NUMBERED_TABLES = (m.Case.__tablename__, m.Incident.__tablename__,
                   m.IssuedDocument.__tablename__)


def _numbering(connection) -> None:
    """``trefas.next_record_number(table, prefix, year)``: the next yearly
    number over all the table's rows, under a lock held to the end of the
    caller's transaction (two desktops never draw the same number). It
    tells a caller how many such records exist this year, nothing else."""
    tables = ", ".join(f"'{t}'" for t in NUMBERED_TABLES)
    signature = "next_record_number(p_table text, p_prefix text, p_year integer)"
    _run(connection, f"""CREATE OR REPLACE FUNCTION {FUNCTION_SCHEMA}.{signature}
RETURNS integer LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = '' AS $fn$
DECLARE last text;
BEGIN
  IF p_table NOT IN ({tables}) THEN
    RAISE EXCEPTION 'no yearly numbers in %', p_table;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('trefas.number.' || p_table), p_year);
  EXECUTE format('SELECT max(number) FROM {TABLE_SCHEMA}.%I WHERE number LIKE $1', p_table)
    INTO last USING p_prefix || '-' || p_year || '-%';
  RETURN COALESCE(substring(last from '[0-9]+$')::integer, 0) + 1;
END $fn$""")
    _run(connection, f"ALTER FUNCTION {FUNCTION_SCHEMA}.{signature} OWNER TO {OWNER_ROLE}")
    _run(connection, f"REVOKE ALL ON FUNCTION {FUNCTION_SCHEMA}.{signature} FROM PUBLIC")
    workers = [group_role(r) for r in Role if r != Role.ADMINISTRATOR]
    _run(connection, f"GRANT EXECUTE ON FUNCTION {FUNCTION_SCHEMA}.{signature} "
                     f"TO {', '.join(workers)}")


LOG_APPENDER = "append_log"


def _log_appender(connection) -> None:
    found = _rows(connection, "SELECT p.oid::regprocedure::text FROM pg_proc p "
                  f"WHERE p.pronamespace = {quote_literal(FUNCTION_SCHEMA)}::regnamespace "
                  f"AND p.proname = {quote_literal(LOG_APPENDER)}")
    groups = ", ".join(group_role(r) for r in Role)
    for (signature,) in found:
        _run(connection, f"ALTER FUNCTION {signature} OWNER TO {OWNER_ROLE}")
        _run(connection, f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC")
        _run(connection, f"GRANT EXECUTE ON FUNCTION {signature} TO {groups}")


def _roles(connection) -> None:
    existing = {r[0] for r in _rows(connection, "SELECT rolname FROM pg_roles")}
    for name in (OWNER_ROLE, AUDIT_ROLE, *(group_role(r) for r in Role)):
        if name not in existing:
            _run(connection, f"CREATE ROLE {name} NOLOGIN")
    if not _is_superuser(connection):
        # The schema owner hands its tables to the owner role: it must be a member.
        _run(connection, f"GRANT {OWNER_ROLE} TO CURRENT_USER")


def _is_superuser(connection) -> bool:
    return bool(_rows(connection, "SELECT rolsuper FROM pg_roles "
                      "WHERE rolname = current_user")[0][0])


def _schema(connection) -> None:
    _run(connection, f"CREATE SCHEMA IF NOT EXISTS {FUNCTION_SCHEMA}")
    _run(connection, f"ALTER SCHEMA {FUNCTION_SCHEMA} OWNER TO {OWNER_ROLE}")
    _run(connection, f"REVOKE ALL ON SCHEMA {FUNCTION_SCHEMA} FROM PUBLIC")
    _run(connection, f"REVOKE CREATE ON SCHEMA {TABLE_SCHEMA} FROM PUBLIC")
    # A table's new owner needs CREATE on its schema (ALTER TABLE … OWNER TO).
    _run(connection, f"GRANT USAGE, CREATE ON SCHEMA {TABLE_SCHEMA} TO {OWNER_ROLE}")
    groups = ", ".join(group_role(r) for r in Role)
    _run(connection, f"GRANT USAGE ON SCHEMA {FUNCTION_SCHEMA}, {TABLE_SCHEMA} TO {groups}")


def _existing_tables(connection) -> set[str]:
    names = {t for t in m.Base.metadata.tables}
    found = _rows(connection, "SELECT tablename FROM pg_tables WHERE schemaname = "
                  + quote_literal(TABLE_SCHEMA))
    return {r[0] for r in found if r[0] in names}


def _naive_utc(connection) -> bool:
    """Whether the time columns hold UTC without a zone (see SqlClock)."""
    found = _rows(connection, "SELECT data_type FROM information_schema.columns "
                  f"WHERE table_schema = {quote_literal(TABLE_SCHEMA)} "
                  "AND table_name = 'emergency_accesses' AND column_name = 'expires_at'")
    return not found or found[0][0] == "timestamp without time zone"


#: A rule set's lookups (a user's few hundred cases, persons, consents by
#: key) read pages the server holds in memory: at PostgreSQL's default of 4
#: (a disk seek) the planner reads the whole cases table instead of looking
#: up a few hundred by their key (benchmarks/README.md, branch srvpolice).
SET_LOOKUP_PAGE_COST = 1.1


def _definer(connection, signature: str, returns: str, body: str, *,
             whole_table: bool = False, schema: str = FUNCTION_SCHEMA,
             language: str = "sql", by_key: bool = False,
             custom_plans: bool = False, generic_plans: bool = False,
             rows: int | None = None) -> None:
    """A SECURITY DEFINER function owned by the owner role, with an empty
    search_path (every name in ``body`` is schema-qualified), callable by nobody
    until granted. ``whole_table``: the body reads a whole table, so its
    estimated cost is high enough for PostgreSQL's JIT compiler, which then
    spends a second and a half compiling a query that runs in a tenth of one.
    ``by_key``: a rule set, planned with :data:`SET_LOOKUP_PAGE_COST`.
    ``custom_plans``: a PL/pgSQL body planned at each call with its
    arguments' values (a search pattern: how many rows match decides the
    plan). ``generic_plans``: a PL/pgSQL body planned once per session (its
    plan does not depend on the values: a per-row rule over a page's ids,
    whose planning alone took longer than running it). ``rows``: how many
    rows a set-returning function's callers should expect (PostgreSQL's own
    guess is 1,000)."""
    options = f" ROWS {rows}" if rows else ""
    options += " SET jit = off" if whole_table else ""
    if by_key:
        options += f" SET random_page_cost = {SET_LOOKUP_PAGE_COST}"
    if custom_plans or generic_plans:
        mode = "force_custom_plan" if custom_plans else "force_generic_plan"
        options += f" SET plan_cache_mode = {mode}"
    _run(connection, f"CREATE OR REPLACE FUNCTION {schema}.{signature} "
                     f"RETURNS {returns} LANGUAGE {language} STABLE SECURITY DEFINER "
                     f"SET search_path = ''{options} AS $trefas_fn$\n{body}\n$trefas_fn$")
    _run(connection, f"ALTER FUNCTION {schema}.{signature} OWNER TO {OWNER_ROLE}")
    _run(connection, f"REVOKE ALL ON FUNCTION {schema}.{signature} FROM PUBLIC")


def _identity_functions(connection, tables: set[str]) -> None:
    """session_user → the users row of an active (and, where the schema
    records it, confirmed) user; NULL for anyone else, who then sees nothing."""
    columns = {r[0] for r in _rows(
        connection, "SELECT column_name FROM information_schema.columns "
        f"WHERE table_schema = {quote_literal(TABLE_SCHEMA)} AND table_name = 'users'")}
    confirmed = " AND u.confirmed_at IS NOT NULL" if "confirmed_at" in columns else ""
    groups = ", ".join(group_role(r) for r in Role)
    for name, column, returns in (("current_user_id", "u.id", "integer"),
                                  ("current_agency", "u.agency::text", "text"),
                                  ("current_unit_id", "u.unit_id", "integer"),
                                  ("current_role_name", "u.role::text", "text")):
        # PL/pgSQL keeps its plan for the session: a masked view's function,
        # run once per row, would otherwise plan each lookup again per call.
        _definer(connection, f"{name}()", returns,
                 f"BEGIN RETURN (SELECT {column} FROM {TABLE_SCHEMA}.users u "
                 f"WHERE u.username = session_user::text AND u.active{confirmed}); END",
                 language="plpgsql")
        _run(connection, f"GRANT EXECUTE ON FUNCTION {FUNCTION_SCHEMA}.{name}() TO {groups}")


def _reset_policies(connection, table: str) -> None:
    for (name,) in _rows(connection, "SELECT policyname FROM pg_policies WHERE schemaname = "
                         f"{quote_literal(TABLE_SCHEMA)} AND tablename = {quote_literal(table)}"):
        _run(connection, f"DROP POLICY {quote_ident(name)} ON {TABLE_SCHEMA}.{table}")
    _run(connection, f"ALTER TABLE {TABLE_SCHEMA}.{table} ENABLE ROW LEVEL SECURITY")
    _run(connection, f"ALTER TABLE {TABLE_SCHEMA}.{table} FORCE ROW LEVEL SECURITY")
    # The rule's functions run as the owner and look up teams, consents and
    # reveals; the owner cannot log in and nobody is made a member of it.
    _run(connection, f"CREATE POLICY trefas_owner_lookup ON {TABLE_SCHEMA}.{table} "
                     f"TO {OWNER_ROLE} USING (true) WITH CHECK (true)")


def _rule_schema(connection, tables: set[str]) -> None:
    """The schema of what the policies read with the owner's rights, made
    anew (with the policies reset, nothing else uses the old ones): a view
    of each table (``rules.rule_through_views``) and the functions' sets.
    No login role gets USAGE: a policy reads them, nobody can name them in a
    query. (A policy's SELECT on a view is checked as the reader's: the
    groups whose policies read a view hold it, ``_existing_rows``; the view
    reads its table as the owner.)"""
    _run(connection, f"DROP SCHEMA IF EXISTS {RULE_SCHEMA} CASCADE")
    _run(connection, f"CREATE SCHEMA {RULE_SCHEMA} AUTHORIZATION {OWNER_ROLE}")
    _run(connection, f"REVOKE ALL ON SCHEMA {RULE_SCHEMA} FROM PUBLIC")
    for table in sorted(tables):
        view = f"{RULE_SCHEMA}.{table}"
        _run(connection, f"CREATE VIEW {view} AS SELECT * FROM {TABLE_SCHEMA}.{table}")
        _run(connection, f"ALTER VIEW {view} OWNER TO {OWNER_ROLE}")


def _policy(connection, rule, made: set[str]) -> None:
    """One policy and its functions. Rows that exist (read, change, delete)
    are decided by the rule (``_existing_rows``); a new or changed row on its
    own (WITH CHECK)."""
    group = group_role(rule.role)
    name = f"rls_{rule.table}_{rule.command}_{rule.role.value}"
    target = f"{TABLE_SCHEMA}.{rule.table}"
    clauses = []
    if rule.command != "insert":
        if is_everything(rule):
            clauses.append("USING (true)")
        else:
            clauses.append(f"USING ({_existing_rows(connection, rule, group, made)})")
    if rule.command in ("insert", "update"):
        signature = f"{name}(r {target})"
        _definer(connection, signature, "boolean", rule_row_check(rule))
        _run(connection, f"GRANT EXECUTE ON FUNCTION {FUNCTION_SCHEMA}.{signature} TO {group}")
        clauses.append(f"WITH CHECK ({FUNCTION_SCHEMA}.{name}({rule.table}))")
    _run(connection, f"CREATE POLICY {quote_ident(f'{rule.role.value}_{rule.command}')} "
                     f"ON {target} FOR {rule.command.upper()} TO {group} {' '.join(clauses)}")


def _existing_rows(connection, rule, group: str, made: set[str]) -> str:
    """The policy's condition on rows that exist. A team-scoped user's rows
    are a few hundred, found from their teams: as sets (``_row_sets``),
    which PostgreSQL starts from. A wider scope — a unit, an agency — is a
    share of the store, of which a page tests a few hundred rows: as the rule
    itself, read through the owner's views (``rules.rule_through_views``),
    which PostgreSQL tests row by row for a page and hashes for a count."""
    if access.team_scoped(rule.role):
        return _row_sets(connection, rule, group, made)
    condition, views = rule_through_views(rule)
    for table in sorted(views):
        _run(connection, f"GRANT SELECT ON {RULE_SCHEMA}.{table} TO {group}")
    return condition


def _row_sets(connection, rule, group: str, made: set[str]) -> str:
    """The policy's condition on rows that exist: the rule decorrelated into
    sets (``server.rule_sets``), or — for a rule whose subqueries are not
    sets of the row's columns — the row's key among every key the rule
    allows, computed by one function per statement."""
    keys = f"rls_{rule.table}_{rule.command}_{rule.role.value}_keys()"
    try:
        decomposed = rule_sets(rule)
    except NotDecomposable:
        _definer(connection, keys, f"SETOF {_sql_type(rule.key)}", rule_keys(rule),
                 whole_table=True)
        _run(connection, f"GRANT EXECUTE ON FUNCTION {FUNCTION_SCHEMA}.{keys} TO {group}")
        return f"{rule.key.name} IN (SELECT {FUNCTION_SCHEMA}.{keys})"
    _run(connection, f"DROP FUNCTION IF EXISTS {FUNCTION_SCHEMA}.{keys}")  # an older install's
    make_set_functions(connection, decomposed.functions, made)
    for function in decomposed.functions:
        _run(connection, f"GRANT EXECUTE ON FUNCTION {RULE_SCHEMA}.{function.name}() TO {group}")
    return compile_sql(decomposed.using)


def make_set_functions(connection, functions, made: set[str]) -> None:
    """A decomposed rule's set functions (the owner's, in the schema no login
    role may use), each made once (``made``: the names made already)."""
    for function in functions:
        if function.name not in made:
            _definer(connection, f"{function.name}()", function.returns,
                     compile_sql(function.body), whole_table=True, schema=RULE_SCHEMA,
                     by_key=True)
            made.add(function.name)


def _sql_type(column) -> str:
    return column.type.compile(dialect=postgresql.dialect())


def _grants(connection, granted: dict, tables: set[str]) -> None:
    """Privileges follow the policies: a group may use a command on a table
    where it has a policy for it. Never TRUNCATE; persons only in part."""
    inserting: dict[str, set[Role]] = {}
    for (table, role), commands in granted.items():
        group = group_role(role)
        for command in sorted(commands):
            target = f"{TABLE_SCHEMA}.{table}"
            masked = MASKED_TABLES.get(table)
            if masked is not None and command == "SELECT":
                columns = ", ".join(masked.open_columns)
                _run(connection, f"GRANT SELECT ({columns}) ON {target} TO {group}")
            else:
                _run(connection, f"GRANT {command} ON {target} TO {group}")
            if command == "INSERT":
                inserting.setdefault(table, set()).add(role)
    for table, read, writes in OPEN_TABLES:
        if table not in tables:
            continue
        for role in Role:
            privileges = [p for p, perm in writes.items() if role_may(role, perm)]
            if read is None or role_may(role, read):
                privileges.append("SELECT")
            if privileges:
                _run(connection, f"GRANT {', '.join(privileges)} ON {TABLE_SCHEMA}.{table} "
                                 f"TO {group_role(role)}")
            if "INSERT" in privileges:
                inserting.setdefault(table, set()).add(role)
    for table, roles in inserting.items():
        found = _rows(connection, "SELECT pg_get_serial_sequence("
                      f"{quote_literal(TABLE_SCHEMA + '.' + table)}, 'id')") \
            if table not in ("store_meta", "audit_events", "retention_purges") else [(None,)]
        if found[0][0]:
            groups = ", ".join(group_role(r) for r in sorted(roles))
            _run(connection, f"GRANT USAGE ON SEQUENCE {found[0][0]} TO {groups}")


def _emergency_lookup(connection) -> None:
    """Breaking the glass names a case outside the user's scope, which the
    row rules hide: this function finds its id and person (nothing else) for
    the roles that may break the glass; the service then records the access,
    and the policies show the case through it."""
    _definer(connection, "case_for_emergency(key text)",
             "TABLE(id integer, person_id integer)",
             f"SELECT c.id, c.person_id FROM {TABLE_SCHEMA}.cases c "
             "WHERE c.number = key OR c.id::text = key ORDER BY c.id LIMIT 1")
    groups = ", ".join(group_role(r) for r in Role if role_may(r, "emergency.use"))
    _run(connection, f"GRANT EXECUTE ON FUNCTION {FUNCTION_SCHEMA}.case_for_emergency(text) "
                     f"TO {groups}")
    # A reviewer's list names each access's case by its number, also a case
    # she may not read (``cases.list_emergency_accesses``): the number only,
    # of an access she reviews (``access.emergency_reviewable``).
    emergency, case = m.EmergencyAccess, aliased(m.Case, name="opened_case")
    reviewers = [r for r in Role if role_may(r, "emergency.review")]
    reviewable = for_session_role("emergency.review",
                                  lambda actor: access.emergency_reviewable(actor, emergency))
    _definer(connection, "emergency_case_number(p_access integer)", "text",
             compile_sql(select(case.number).join_from(emergency, case,
                                                       case.id == emergency.case_id)
                         .where(emergency.id == literal_column("p_access"), reviewable)))
    _run(connection, f"GRANT EXECUTE ON FUNCTION {FUNCTION_SCHEMA}.emergency_case_number"
                     f"(integer) TO {', '.join(group_role(r) for r in reviewers)}")


def _retention(connection) -> None:
    """Retention deletes whole cases, which no policy allows a login role:
    the purge runs as the owner (``server.retention``)."""
    from trefas_app.server import retention as retention

    groups = ", ".join(group_role(r) for r in retention.PURGERS)
    for create, signature in ((retention.due_function(), "retention_due(date)"),
                              (retention.purge_function(), "retention_purge(integer, date)")):
        _run(connection, create)
        _run(connection, f"ALTER FUNCTION {FUNCTION_SCHEMA}.{signature} OWNER TO {OWNER_ROLE}")
        _run(connection, f"REVOKE ALL ON FUNCTION {FUNCTION_SCHEMA}.{signature} FROM PUBLIC")
        _run(connection, f"GRANT EXECUTE ON FUNCTION {FUNCTION_SCHEMA}.{signature} TO {groups}")


# --- protected identities: the masked views ------------------------------------


def _person_readers() -> list[str]:
    return [group_role(r) for r in Role if role_may(r, "person.read")]


def _masked_views(connection, office_timezone: str, naive_utc: bool) -> None:
    """Per table with identifying columns: a ``security_invoker`` view that
    joins the table's open columns to a SECURITY DEFINER function returning
    them masked for the caller (see ``server.masks``). The view's function is
    in the schema no login role may use and skips the rule (the view passes
    it only rows the table's policies let through: re-deciding the rule per
    row read whole tables for every row); ``trefas.<table>_masked(id)``,
    which a reader may call with any id, decides the rule itself."""
    for shown in SHOWN_TABLES:
        readers = ", ".join(group_role(r) for r in Role if role_may(r, f"{shown.kind}.read"))
        columns = ", ".join(f"{name} {kind}" for name, kind in shown.shown_columns)
        for schema, guarded in ((FUNCTION_SCHEMA, True), (RULE_SCHEMA, False)):
            parameters = "row_id integer" if guarded else \
                f"row_id integer, {VIEW_READER_PARAMETERS}"
            signature = f"{shown.function}({parameters})"
            _definer(connection, signature, f"TABLE({columns})",
                     compile_sql(masked_select(shown, office_timezone, naive_utc, guarded)),
                     schema=schema)
            _run(connection, f"GRANT EXECUTE ON FUNCTION {schema}.{signature} TO {readers}")
        # The stored sort key compares as bytes, as on the table (COLLATE "C").
        listed = [f"t.{c}" for c in shown.open_columns] + \
            [f's.{name} COLLATE "C" AS {name}' if name == "sort_name" else f"s.{name}"
             for name, _kind in shown.shown_columns]
        _run(connection, f"DROP VIEW IF EXISTS {shown.view}")
        _run(connection, f"CREATE VIEW {shown.view} WITH (security_invoker = true) AS "
                         f"SELECT {', '.join(listed)} FROM {TABLE_SCHEMA}.{shown.table} t "
                         f"CROSS JOIN LATERAL {RULE_SCHEMA}.{shown.function}(t.id, "
                         f"{VIEW_READER_ARGUMENTS}) s")
        _run(connection, f"ALTER VIEW {shown.view} OWNER TO {OWNER_ROLE}")
        _run(connection, f"GRANT SELECT ON {shown.view} TO {readers}")


# --- pgaudit ------------------------------------------------------------------------


def _audit(connection, tables: set[str]) -> None:
    """Object audit: pgaudit records every statement that touches a relation
    the audit role holds a privilege on. The role cannot log in and is
    nobody's group; only a superuser may change ``pgaudit.role``."""
    if _is_superuser(connection):  # only a superuser may read the setting or add it
        preloaded = _rows(connection, "SELECT current_setting('shared_preload_libraries')")
        if "pgaudit" in preloaded[0][0]:
            _run(connection, "CREATE EXTENSION IF NOT EXISTS pgaudit")
    audited = sorted(t for t in RLS_TABLES if t in tables)
    for table in audited:
        _run(connection, f"GRANT SELECT, INSERT, UPDATE, DELETE ON {TABLE_SCHEMA}.{table} "
                         f"TO {AUDIT_ROLE}")
    for shown in SHOWN_TABLES:
        _run(connection, f"GRANT SELECT ON {shown.view} TO {AUDIT_ROLE}")
