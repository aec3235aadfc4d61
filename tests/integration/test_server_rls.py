"""The access rule enforced by PostgreSQL: the raw-SQL oracle (issue #13).

The access-matrix world (tests/test_access_matrix.py), with one row of every
other kind of case content added, is copied into a real PostgreSQL with the
server's policies installed. Each user then logs in over psycopg as their own
login role — what ``psql`` with their password does — and reads every table.
Every row the role can read must be one the program's rule allows (``visible``
on the same data in the local store, and for cases, persons and notes the
matrix's independent oracle), and every allowed row must be readable.
"""

from __future__ import annotations

import datetime as dt

import psycopg
import pytest
from psycopg import errors
from sqlalchemy import select
from sqlalchemy.orm import Session

from rls_world import (
    AUDIT_CONF,
    build_schema,
    copy_store,
    create_database,
    create_login_roles,
    install_policies,
)
from test_access_matrix import (  # noqa: F401  (world is a fixture)
    oracle_case,
    oracle_display,
    oracle_note,
    oracle_person,
    world,
)
from trefas_app.domain import clock
from trefas_app.domain.enums import Role
from trefas_app.security import access
from trefas_app.store import models as m
from trefas_app.server.rules import KIND_MODELS

LOGIN_PW = "Inloggning-mot-servern-7"


@pytest.fixture(scope="session")
def pg_audit_cluster():
    """A private cluster with pgaudit loaded and object audit on."""
    from pg_cluster import start
    cluster = start(extra_conf=AUDIT_CONF)
    yield cluster
    cluster.stop()


def _filler(column, refs: dict, now: dt.datetime):
    if column.foreign_keys:
        return refs[next(iter(column.foreign_keys)).column.table.name]
    python_type = getattr(column.type, "impl", column.type).python_type
    if hasattr(column.type, "enums") and column.type.enums:
        return column.type.enums[0]
    if python_type is dt.datetime:
        return now
    if python_type is dt.date:
        return now.date()
    if python_type is bool:
        return False
    if python_type is int:
        return 1
    return "x"


def add_row(session, model, refs: dict, now: dt.datetime, **given):
    """A row of ``model`` with ``given`` values and a plain value in every
    other required column."""
    values = dict(given)
    for column in model.__table__.c:
        if (column.key in values or column.primary_key or column.nullable
                or column.default is not None):
            continue
        values[column.key] = _filler(column, refs, now)
    row = model(**values)
    session.add(row)
    session.flush()
    return row


def add_every_kind(engine, w) -> None:
    """Per case: one row of each content kind (categories and owners rotate),
    a relative, a plan goal and action, an issued document and a disclosure;
    a state change per case. Straight into the local store, like the matrix."""
    now = clock.now_utc()
    author = w.users["sw_team"].id
    with Session(engine) as s:
        unit = s.scalars(select(m.Unit.id)).first()
        refs = {"users": author, "units": unit}
        refs["incidents"] = add_row(s, m.Incident, refs, now, number="H-1").id
        refs["meetings"] = add_row(s, m.Meeting, refs, now).id
        owners = ("city", "police", "probation")
        categories = ("identity", "location", "social", "health", "criminal", "threat")
        i = 0
        for c in w.cases:
            refs.update(cases=c.id, persons=c.person.id)
            for kind, spec in access.CASE_CONTENT_KINDS.items():
                if kind == "note":
                    continue
                i += 1
                extra = ({"category": categories[(c.id + i) % 6]} if spec.category is None
                         else {})
                row = add_row(s, spec.model, refs, now, case_id=c.id, person_id=c.person.id,
                              owner_agency=owners[(c.id + i) % 3], **extra)
                if kind == "plan":
                    add_row(s, m.PlanGoal, refs, now, plan_id=row.id)
                    add_row(s, m.PlanAction, refs, now, plan_id=row.id)
            add_row(s, m.Relative, refs, now, person_id=c.person.id,
                    owner_agency=owners[c.id % 3], name=f"Släkting {c.id}")
            doc = add_row(s, m.IssuedDocument, refs, now, number=f"D-{c.id}", case_id=c.id,
                          recipient_agency=owners[c.id % 3],
                          issued_by_id=w.users[("sw_team", "pol_team")[c.id % 2]].id)
            add_row(s, m.Disclosure, refs, now, case_id=c.id if c.id % 2 else None,
                    person_id=c.person.id, document_id=doc.id)
            add_row(s, m.StateChange, refs, now, entity="case", entity_id=c.id, to_state="x")
        s.commit()


@pytest.fixture(scope="module")
def server(world, pg_audit_cluster):  # noqa: F811
    w, sessions = world
    engine = next(iter(sessions.values())).engine
    add_every_kind(engine, w)
    url = create_database(pg_audit_cluster, "rls_matrix")
    pg = build_schema(url)
    copy_store(engine, pg)
    install_policies(pg)
    roles = create_login_roles(pg, LOGIN_PW)
    yield w, sessions, pg, roles
    pg.dispose()


def login(cluster, username: str, password: str = LOGIN_PW, dbname: str = "rls_matrix"):
    return psycopg.connect(cluster.dsn(username, password, dbname), autocommit=True)


def read_ids(conn, table) -> set | None:
    """The keys of every row the login role reads; None when it holds no
    privilege on the table at all."""
    key = table.primary_key.columns.values()[0].name
    try:
        return {r[0] for r in conn.execute(f"SELECT {key} FROM public.{table.name}")}
    except errors.InsufficientPrivilege:
        return None


def _visible_ids(s: Session, actor, kind: str, now) -> set:
    model = KIND_MODELS[kind]
    return set(s.scalars(select(model.id).where(access.visible(actor, kind, now))))


def program_ids(actor, engine, table_name: str) -> set:
    """What the program lets ``actor`` read in ``table_name``: the access
    rule on the local store (``visible``), the parent's rule for rows that are
    part of another record."""
    now = clock.now_utc()
    with Session(engine) as s:
        by_table = {model.__tablename__: kind for kind, model in KIND_MODELS.items()}
        if table_name in by_table:
            return _visible_ids(s, actor, by_table[table_name], now)
        children = {"consent_grants": (m.ConsentGrant.consent_id, "consent"),
                    "plan_goals": (m.PlanGoal.plan_id, "plan"),
                    "plan_actions": (m.PlanAction.plan_id, "plan"),
                    "team_members": (m.TeamMember.case_id, "case")}
        if table_name in children:
            fk, kind = children[table_name]
            parents = _visible_ids(s, actor, kind, now)
            return set(s.scalars(select(fk.class_.id).where(fk.in_(parents))))
        if table_name == "disclosures":
            cases_ = _visible_ids(s, actor, "case", now)
            persons_ = _visible_ids(s, actor, "person", now)
            return {d.id for d in s.scalars(select(m.Disclosure))
                    if (d.case_id in cases_ if d.case_id else d.person_id in persons_)}
        if table_name == "state_changes":
            cases_ = _visible_ids(s, actor, "case", now)
            return {c.id for c in s.scalars(select(m.StateChange)) if c.entity_id in cases_}
        if table_name in ("emergency_accesses", "identity_reveals"):
            model = m.EmergencyAccess if table_name == "emergency_accesses" else m.IdentityReveal
            own = set(s.scalars(select(model.id).where(model.user_id == actor.user_id)))
            if model is m.EmergencyAccess:  # what a reviewer's list shows
                own |= set(s.scalars(select(model.id).where(
                    access.emergency_reviewable(actor, model))))
            return own
        if table_name == "audit_events":
            return set(s.scalars(select(m.AuditEvent.seq))) if actor.may("audit.verify") \
                else set()
    raise AssertionError(table_name)


CONTENT_TABLES = ["persons", "relatives", "cases", "consents", "consent_grants", "referrals",
                  "plans", "plan_goals", "plan_actions", "exit_programmes",
                  "threat_assessments", "protective_measures", "support_components",
                  "incident_involvements", "meeting_items", "tasks", "notes",
                  "issued_documents", "disclosures", "team_members", "state_changes",
                  "emergency_accesses", "identity_reveals", "audit_events"]


@pytest.mark.parametrize("user", ["sw_team", "sw_out", "sw_u2", "coord_u1", "coord_u2",
                                  "sup_city", "sup_police", "pol_team", "pol_out",
                                  "pol_emerg", "prob_team", "admin2"])
def test_each_login_role_reads_exactly_what_the_rule_allows(server, pg_audit_cluster, user):
    w, sessions, _pg, _roles = server
    st, u = sessions[user], w.users[user]
    engine = next(s.engine for s in sessions.values() if hasattr(s, "engine"))
    with login(pg_audit_cluster, st.actor.username) as conn:
        read = {t: read_ids(conn, m.Base.metadata.tables[t]) for t in CONTENT_TABLES}
    for table in CONTENT_TABLES:
        expected = program_ids(st.actor, engine, table)
        got = read[table] if read[table] is not None else set()
        assert got == expected, (user, table, sorted(got ^ expected)[:10])
        if read[table] is None:  # no privilege: the role may read none of it
            assert not expected
    # The matrix's own oracle, written from DESIGN §3 and sharing no code.
    assert (read["cases"] or set()) == {c.id for c in w.cases if oracle_case(w, u, c)}
    assert (read["notes"] or set()) == {n.id for n in w.notes if oracle_note(w, u, n)}
    assert (read["persons"] or set()) == {p.id for p in w.persons if oracle_person(w, u, p)}
    if u.role == Role.ADMINISTRATOR:
        assert not any(read[t] for t in CONTENT_TABLES if t != "audit_events")
    if user in ("sw_team", "sup_city", "pol_team"):  # the comparison is not vacuous
        empty = {t for t in CONTENT_TABLES if not read[t]}
        assert empty <= {"audit_events", "emergency_accesses", "identity_reveals"}, user


def test_the_administrator_reads_no_case_content(server, pg_audit_cluster):
    w, sessions, _pg, _roles = server
    for name in ("admin", "admin2"):
        with login(pg_audit_cluster, name) as conn:
            for table in CONTENT_TABLES:
                got = read_ids(conn, m.Base.metadata.tables[table])
                if table == "audit_events":
                    assert got, "the administrator verifies the log's chain"
                else:
                    assert not got, (name, table)


@pytest.mark.parametrize("user", ["sw_team", "pol_team", "sup_police", "coord_u2"])
def test_masked_views_show_identities_as_the_program_does(server, pg_audit_cluster, user):
    """Through psql a protected person is "Skyddad person P-0042" unless this
    user revealed them, and a name — the person's, a relative's, a guardian's
    who gave consent — is shown only where identity is shared."""
    from trefas_app.services.views import MASKED_GIVER

    w, sessions, _pg, _roles = server
    st, u = sessions[user], w.users[user]
    with login(pg_audit_cluster, st.actor.username) as conn:
        rows = {r[0]: r[1:] for r in conn.execute(
            "SELECT id, display_name, address, first_name FROM trefas.persons_shown")}
        relatives = {r[0]: r[1] for r in conn.execute(
            "SELECT person_id, name FROM trefas.relatives_shown")}
        givers = {r[0]: r[1] for r in conn.execute(
            "SELECT person_id, given_by FROM trefas.consents_shown")}
        for column, table in (("first_name", "persons"), ("name", "relatives"),
                              ("given_by", "consents")):
            with pytest.raises(errors.InsufficientPrivilege):
                conn.execute(f"SELECT {column} FROM public.{table}")
    assert set(rows) == {p.id for p in w.persons if oracle_person(w, u, p)}
    for p in w.persons:
        if p.id not in rows:
            assert p.id not in relatives and p.id not in givers
            continue
        name_shown, address_shown = oracle_display(w, u, p)
        display, address, first = rows[p.id]
        assert (display == p.name) is name_shown, (user, p.id)
        if not name_shown:
            assert display == access.person_alias(p.id) and first is None
        assert (address is not None) is address_shown, (user, p.id)
        assert relatives[p.id] == (f"Släkting {_case_of(w, p).id}" if name_shown else None)
        if p.id in givers:
            assert (givers[p.id] == "Personen") is name_shown
            assert name_shown or givers[p.id] == MASKED_GIVER


def _case_of(w, person):
    return next(c for c in w.cases if c.person is person)


#: The functions of a page's per-row reads (server/page_reads.py).
PAGE_READS = ("consented_categories", "open_case_counts")


def test_every_case_table_forces_row_security_and_no_program_role_bypasses_it(server):
    _w, _s, pg, _roles = server
    with pg.connect() as conn:
        flags = dict(((r[0], (r[1], r[2])) for r in conn.exec_driver_sql(
            "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class "
            "WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'")))
        for table in CONTENT_TABLES:
            assert flags[table] == (True, True), table
        owners = {r[0]: r[1] for r in conn.exec_driver_sql(
            "SELECT tablename, tableowner FROM pg_tables WHERE schemaname = 'public'")}
        assert set(owners.values()) == {"trefas_owner"}
        roles = conn.exec_driver_sql(
            "SELECT rolname, rolcanlogin, rolbypassrls, rolsuper FROM pg_roles "
            "WHERE starts_with(rolname, 'trefas') OR rolname IN (SELECT username FROM users)").all()
        for name, can_login, bypass, superuser in roles:
            assert not bypass and not superuser, name
            if name.startswith("trefas_"):
                assert not can_login, name
        views = conn.exec_driver_sql(
            "SELECT c.relname, c.reloptions FROM pg_class c "
            "WHERE c.relkind = 'v' AND c.relnamespace = 'trefas'::regnamespace").all()
        assert views and all("security_invoker=true" in (opts or []) for _n, opts in views)
        functions = conn.exec_driver_sql(
            "SELECT proname, prosecdef, proconfig FROM pg_proc "
            "WHERE pronamespace = 'trefas'::regnamespace").all()
        assert len(functions) > 100
        for name, definer, config in functions:
            assert definer and config[0] == 'search_path=""', (name, config)
            # The blanking functions of each role and a page's per-row reads keep
            # one generic plan (server/blanking.py, server/page_reads.py).
            planner = {"plan_cache_mode=force_generic_plan"} \
                if name.startswith(("blanked_texts_", "masked_document_words_")) \
                or name in PAGE_READS else set()
            # The name search is planned with its pattern (server/search.py).
            if name == "persons_matching":
                planner = {"plan_cache_mode=force_custom_plan"}
            assert set(config[1:]) <= {"jit=off"} | planner, (name, config)
        search = dict((name, config) for name, _definer, config in functions)["persons_matching"]
        assert "plan_cache_mode=force_custom_plan" in search
        for name, _definer, config in functions:
            if name in PAGE_READS:
                assert "plan_cache_mode=force_generic_plan" in config, name
        # The read policies' sets: the same kind of function, in a schema no
        # login role (nor any group of the program) may use.
        sets = conn.exec_driver_sql(
            "SELECT proname, prosecdef, proconfig FROM pg_proc "
            "WHERE pronamespace = 'trefas_rule'::regnamespace").all()
        assert sets
        for name, definer, config in sets:
            assert definer and config[0] == 'search_path=""', (name, config)
            # Planned for lookups by key (policies.SET_LOOKUP_PAGE_COST).
            assert set(config[1:]) <= {"jit=off", "random_page_cost=1.1"}, (name, config)
        users = conn.exec_driver_sql(
            "SELECT rolname FROM pg_roles WHERE rolname IN (SELECT username FROM users) "
            "OR starts_with(rolname, 'trefas_role_')").scalars().all()
        assert users
        for name in users:
            assert not conn.exec_driver_sql(
                f"SELECT has_schema_privilege('{name}', 'trefas_rule', 'USAGE')").scalar(), name


def _audit_lines_since(cluster, start: int, marker: str) -> list[str]:
    """The server log's object-audit lines naming ``marker``, written after
    byte ``start`` (a superuser's statement first, so the log has caught up)."""
    with login(cluster, "postgres", cluster.superuser_password) as conn:
        conn.execute("SELECT pg_sleep(0.2)")
    with open(cluster.base / "server.log", encoding="utf-8", errors="replace") as f:
        f.seek(start)
        return [line for line in f if marker in line and "AUDIT: OBJECT" in line]


def test_a_read_through_psql_is_recorded_by_the_server(server, pg_audit_cluster):
    """pgaudit's object audit (pgaudit.role = trefas_auditor) writes every
    statement on a case table to the server's log, with the login role."""
    w, sessions, _pg, _roles = server
    start = (pg_audit_cluster.base / "server.log").stat().st_size
    marker = "trefas_audit_probe_4711"
    with login(pg_audit_cluster, "pol-out") as conn:
        conn.execute(f"SELECT id AS {marker} FROM public.notes").fetchall()
        conn.execute(f"SELECT display_name AS {marker}_view FROM trefas.persons_shown").fetchall()
    lines = _audit_lines_since(pg_audit_cluster, start, marker)
    assert any("user=pol-out" in line and "public.notes" in line for line in lines), lines
    assert any("persons_shown" in line for line in lines), lines
    assert all(",READ,SELECT," in line for line in lines)


def test_a_plan_asked_of_the_server_is_recorded_as_a_read(server, pg_audit_cluster):
    """``EXPLAIN ANALYZE`` runs the statement, and a wide scope's policies
    test rows one by one: its plan can tell, for a case id the user names,
    which of the rule's lookups ran and what they found (docs/server.md).
    Such a probe is a read like any other, and the server records it."""
    w, sessions, _pg, _roles = server
    start = (pg_audit_cluster.base / "server.log").stat().st_size
    marker = "trefas_plan_probe_4712"
    with login(pg_audit_cluster, "pol-out") as conn:
        plan = conn.execute(f"EXPLAIN (ANALYZE) SELECT id AS {marker} FROM public.cases "
                            "WHERE id = 1").fetchall()
        assert plan
    lines = _audit_lines_since(pg_audit_cluster, start, marker)
    assert any("user=pol-out" in line and "public.cases" in line for line in lines), lines
