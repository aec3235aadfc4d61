"""Attacks on the server's access rule from a user's own login role (issue #13).

A small store straight in PostgreSQL: Sara (social worker) is on case A's
team, not on case B's; Pelle (police liaison) is on no team; the
administrator. Each test tries, from ``psql``'s position, what a user must not
be able to do: take another identity, read past the rule through a view or a
function of their own, write or erase the access log, keep reading once
disabled, smuggle SQL through a search, or write content outside their scope.
"""

from __future__ import annotations

import psycopg
import pytest
from psycopg import errors
from sqlalchemy.orm import Session

from rls_world import build_schema, create_database, create_login_roles, install_policies
from trefas_app.domain import clock
from trefas_app.domain.enums import Agency, CaseState, Category, NoteState, Role
from trefas_app.store import models as m

PW = "Attack-test-password-3"
DB = "rls_attacks"
ROLE_AGENCY = {"sara": (Role.SOCIAL_WORKER, Agency.CITY),
               "sara2": (Role.SOCIAL_WORKER, Agency.CITY),
               "pelle": (Role.POLICE_LIAISON, Agency.POLICE),
               "stina": (Role.SUPERVISOR, Agency.CITY),
               "admin": (Role.ADMINISTRATOR, Agency.CITY)}


#: Until the server store's migrations make the real one: a log function of
#: the same name and kind (SECURITY DEFINER, empty search_path, a lock).
STAND_IN_APPENDER = """
CREATE SCHEMA IF NOT EXISTS trefas;
CREATE FUNCTION trefas.append_log(p_action text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $fn$
DECLARE next_seq bigint;
BEGIN
  PERFORM pg_advisory_xact_lock(4711);
  SELECT coalesce(max(seq), 0) + 1 INTO next_seq FROM public.audit_events;
  INSERT INTO public.audit_events (seq, at, user_id, username, action, prev_hash, hash)
  VALUES (next_seq, now()::text, trefas.current_user_id(), session_user, p_action, 'x', 'y');
  RETURN next_seq;
END $fn$
"""


@pytest.fixture(scope="module")
def attack_server(pg_cluster):
    engine = build_schema(create_database(pg_cluster, DB))
    now = clock.now_utc()
    with Session(engine) as s:
        unit = m.Unit(agency=Agency.CITY, code="U1", name="Enhet")
        s.add(unit)
        s.flush()
        users = {}
        for name, (role, agency) in ROLE_AGENCY.items():
            users[name] = m.User(username=name, display_name=name.title(), role=role,
                                 agency=agency, unit_id=unit.id, active=True, created_at=now)
            s.add(users[name])
        s.flush()
        ids = {"users": {n: u.id for n, u in users.items()}, "cases": {}, "notes": {}}
        for label in ("A", "B"):
            person = m.Person(first_name="Förnamn" + label, last_name="Efternamn",
                              search_name=f"förnamn{label.lower()} efternamn",
                              owner_agency=Agency.CITY, unit_id=unit.id, created_at=now,
                              created_by_id=users["stina"].id)
            s.add(person)
            s.flush()
            case = m.Case(number=f"K-{label}", person_id=person.id, unit_id=unit.id,
                          owner_agency=Agency.CITY, state=CaseState.ACTIVE, title=label,
                          opened_at=now, last_entry_at=now, created_at=now)
            s.add(case)
            s.flush()
            if label == "A":
                s.add(m.TeamMember(case_id=case.id, user_id=users["sara"].id, added_at=now))
            note = m.Note(case_id=case.id, person_id=person.id, owner_agency=Agency.CITY,
                          category=Category.SOCIAL, title="t", body="Anteckning " + label,
                          # Sara's drafts: a draft is its author's alone (on her
                          # case A she reads and edits it; on B the rule still hides it).
                          state=NoteState.DRAFT, author_id=users["sara"].id,
                          created_at=now)
            s.add(note)
            s.flush()
            ids["cases"][label], ids["notes"][label] = case.id, note.id
            ids.setdefault("persons", {})[label] = person.id
        s.add(m.AuditEvent(seq=1, at=now.isoformat(), action="login", prev_hash="0" * 64,
                           hash="1" * 64))
        s.commit()
    with engine.begin() as conn:
        conn.exec_driver_sql(STAND_IN_APPENDER)
    install_policies(engine)
    create_login_roles(engine, PW)
    yield engine, ids
    engine.dispose()


def login(cluster, user: str, password: str = PW):
    return psycopg.connect(cluster.dsn(user, password, DB), autocommit=True)


def note_ids(conn) -> set[int]:
    return {r[0] for r in conn.execute("SELECT id FROM public.notes")}


def test_sara_reads_her_case_only(attack_server, pg_cluster):
    _engine, ids = attack_server
    with login(pg_cluster, "sara") as conn:
        assert note_ids(conn) == {ids["notes"]["A"]}
    with login(pg_cluster, "pelle") as conn:
        assert note_ids(conn) == set()


def test_identity_cannot_be_spoofed_with_settings_or_roles(attack_server, pg_cluster):
    _engine, ids = attack_server
    stina_id = ids["users"]["stina"]
    with login(pg_cluster, "pelle") as conn:
        for setting in ("trefas.user_id", "trefas.current_user", "application_name",
                        "session.user_id", "request.jwt.claim.sub"):
            conn.execute("SELECT set_config(%s, %s, false)", (setting, str(stina_id)))
        assert note_ids(conn) == set()
        for target in ("stina", "sara", "trefas_role_supervisor", "trefas_owner", "postgres"):
            with pytest.raises(errors.InsufficientPrivilege):
                conn.execute(f'SET ROLE "{target}"')
        with pytest.raises(errors.InsufficientPrivilege):
            conn.execute('SET SESSION AUTHORIZATION "stina"')
        # Its own group it may become; identity stays session_user's.
        conn.execute("SET ROLE trefas_role_police_liaison")
        assert note_ids(conn) == set()
        assert conn.execute("SELECT trefas.current_user_id()").fetchone()[0] \
            == ids["users"]["pelle"]


def test_own_views_functions_and_temp_tables_read_no_more(attack_server, pg_cluster):
    _engine, ids = attack_server
    with login(pg_cluster, "sara") as conn:
        for ddl in ("CREATE VIEW public.all_notes AS SELECT * FROM public.notes",
                    "CREATE FUNCTION trefas.steal() RETURNS SETOF public.notes "
                    "LANGUAGE sql AS 'SELECT * FROM public.notes'"):
            with pytest.raises(errors.InsufficientPrivilege):
                conn.execute(ddl)
        conn.execute("CREATE TEMP VIEW mine AS SELECT * FROM public.notes")
        assert {r[0] for r in conn.execute("SELECT id FROM mine")} == {ids["notes"]["A"]}
        conn.execute("CREATE FUNCTION pg_temp.steal() RETURNS SETOF public.notes "
                     "LANGUAGE sql SECURITY DEFINER AS 'SELECT * FROM public.notes'")
        assert {r[0] for r in conn.execute("SELECT id FROM pg_temp.steal()")} \
            == {ids["notes"]["A"]}
        # A temporary "users" table does not capture the identity functions
        # (their search_path is empty and every name is qualified).
        conn.execute("CREATE TEMP TABLE users AS SELECT * FROM public.users")
        conn.execute("UPDATE pg_temp.users SET role = 'supervisor'")
        assert note_ids(conn) == {ids["notes"]["A"]}
        # The read policies' set functions (parts of the rule: every consent
        # naming the agency, every protected person) cannot be named by a
        # login role at all, not even those its own policies call.
        own = {r[0] for r in conn.execute(
            "SELECT p.proname FROM pg_proc p WHERE p.pronamespace = 'trefas_rule'::regnamespace"
            " AND has_function_privilege(p.oid, 'EXECUTE')")}
        assert own
        for name in sorted(own):
            with pytest.raises(errors.InsufficientPrivilege, match="schema trefas_rule"):
                conn.execute(f"SELECT * FROM trefas_rule.{name}()")
            with pytest.raises(errors.InsufficientPrivilege):
                conn.execute(f"SELECT 'trefas_rule.{name}'::regproc")
        # The rule's own functions, called by hand, tell no more than the table.
        fabricated = ("SELECT trefas.rls_notes_insert_social_worker(jsonb_populate_record("
                      "NULL::public.notes, jsonb_build_object('id', %s::int, 'case_id', %s::int,"
                      " 'person_id', %s::int, 'owner_agency', 'city', 'category', 'social',"
                      " 'state', 'draft', 'author_id', %s::int)))")
        sara = ids["users"]["sara"]
        for label, author, expected in (("B", sara, False), ("A", sara, True),
                                        ("A", ids["users"]["stina"], False)):  # another's draft
            answer = conn.execute(fabricated, (ids["notes"][label], ids["cases"][label],
                                               ids["persons"][label], author)).fetchone()[0]
            assert answer is expected, label
        assert conn.execute("SELECT count(*) FROM trefas.persons_masked(%s)",
                            (ids["persons"]["B"],)).fetchone()[0] == 0


@pytest.mark.parametrize("user", list(ROLE_AGENCY))
def test_the_views_the_policies_read_cannot_be_read_by_hand(attack_server, pg_cluster, user):
    """A supervisor's policies read other tables through the owner's views
    (``rules.rule_through_views``: every consent, every team, every person).
    Her group holds SELECT on them, as a policy's read is checked as hers, but
    no login role may use their schema: not by name, not by a regclass built
    from the view's number, not through a query run by a function."""
    _engine, ids = attack_server
    with login(pg_cluster, user) as conn:
        views = conn.execute(
            "SELECT c.oid, c.relname, has_table_privilege(c.oid, 'SELECT') FROM pg_class c "
            "WHERE c.relnamespace = 'trefas_rule'::regnamespace AND c.relkind = 'v'").fetchall()
        assert {name for _oid, name, _granted in views} >= {"persons", "cases", "consents"}
        granted = {name for _oid, name, may in views if may}
        if user == "stina":  # her rule reads the teams, consents and cases
            assert {"cases", "consents", "consent_grants", "team_members"} <= granted
        if user == "admin":
            assert granted == set()
        for oid, name, _granted in views:
            for attempt in (f"SELECT * FROM trefas_rule.{name}",
                            f"SELECT table_to_xml({oid}::regclass, true, false, '')",
                            f"SELECT query_to_xml('SELECT * FROM trefas_rule.{name}', "
                            "true, false, '')"):
                with pytest.raises(errors.InsufficientPrivilege, match="schema trefas_rule"):
                    conn.execute(attempt)
        if user == "admin":  # holds nothing on case content
            with pytest.raises(errors.InsufficientPrivilege):
                conn.execute("SELECT id FROM public.cases")
            return
        # The policies still read through them: the user's own cases, no more.
        expected = {"stina": {"A", "B"}, "sara": {"A"}}.get(user, set())
        assert {r[0] for r in conn.execute("SELECT id FROM public.cases")} \
            == {ids["cases"][label] for label in expected}


@pytest.mark.parametrize("user", list(ROLE_AGENCY))
def test_the_access_log_cannot_be_written_or_erased_directly(attack_server, pg_cluster, user):
    with login(pg_cluster, user) as conn:
        for statement in (
                "INSERT INTO public.audit_events (seq, at, action, prev_hash, hash) "
                "VALUES (99, 'x', 'login', 'x', 'x')",
                "UPDATE public.audit_events SET action = 'x'",
                "DELETE FROM public.audit_events",
                "TRUNCATE public.audit_events",
                "ALTER TABLE public.audit_events DISABLE TRIGGER ALL",
                "ALTER TABLE public.audit_events NO FORCE ROW LEVEL SECURITY",
                "DROP TABLE public.audit_events"):
            with pytest.raises((errors.InsufficientPrivilege, errors.UndefinedTable)):
                conn.execute(statement)
        # Appending goes through the server's function, as the owner.
        seq = conn.execute("SELECT trefas.append_log('case.read')").fetchone()[0]
    with attack_server[0].connect() as admin:
        entry = admin.exec_driver_sql(
            f"SELECT username, action FROM audit_events WHERE seq = {seq}").one()
        owner = admin.exec_driver_sql("SELECT pg_get_userbyid(proowner) FROM pg_proc "
                                      "WHERE proname = 'append_log'").scalar()
    assert tuple(entry) == (user, "case.read")
    assert owner == "trefas_owner"  # not the superuser who made it: RLS binds it


def test_truncate_and_ddl_on_case_tables_are_refused(attack_server, pg_cluster):
    with login(pg_cluster, "sara") as conn:
        for statement in ("TRUNCATE public.notes", "TRUNCATE public.persons CASCADE",
                          "ALTER TABLE public.notes DISABLE ROW LEVEL SECURITY",
                          "DROP POLICY social_worker_select ON public.notes"):
            with pytest.raises(errors.InsufficientPrivilege):
                conn.execute(statement)
        # Granting what one holds without the grant option grants nothing
        # (PostgreSQL warns instead of refusing).
        conn.execute("GRANT SELECT ON public.notes TO pelle")
        assert conn.execute("SELECT count(*) FROM pg_class c, aclexplode(c.relacl) a "
                            "WHERE c.oid = 'public.notes'::regclass "
                            "AND a.grantee = 'pelle'::regrole").fetchone()[0] == 0


def test_writes_stay_inside_the_rule(attack_server, pg_cluster):
    _engine, ids = attack_server
    insert = ("INSERT INTO public.notes (case_id, person_id, owner_agency, category, title, "
              "body, state, author_id, created_at) VALUES (%s, %s, %s, 'social', 't', 'b', "
              "'draft', %s, now())")
    sara = ids["users"]["sara"]
    with login(pg_cluster, "sara") as conn:
        conn.execute(insert, (ids["cases"]["A"], ids["persons"]["A"], "city", sara))
        for case, person, owner in (("B", "B", "city"),   # not her case
                                    ("A", "B", "city"),   # another person's id
                                    ("A", "A", "police")):  # police's row, no consent
            with pytest.raises(errors.InsufficientPrivilege):
                conn.execute(insert, (ids["cases"][case], ids["persons"][person], owner, sara))
        changed = conn.execute("UPDATE public.notes SET body = 'ändrad' WHERE id = %s",
                               (ids["notes"]["B"],)).rowcount
        removed = conn.execute("DELETE FROM public.notes WHERE id = %s",
                               (ids["notes"]["B"],)).rowcount
        assert (changed, removed) == (0, 0)
        assert conn.execute("UPDATE public.notes SET body = 'ändrad' WHERE id = %s",
                            (ids["notes"]["A"],)).rowcount == 1
        assert conn.execute("DELETE FROM public.notes WHERE body = 'b'").rowcount == 1
        with pytest.raises(errors.InsufficientPrivilege):  # moving her note out of scope
            conn.execute("UPDATE public.notes SET case_id = %s WHERE id = %s",
                         (ids["cases"]["B"], ids["notes"]["A"]))
    with login(pg_cluster, "pelle") as conn:
        with pytest.raises(errors.InsufficientPrivilege):
            conn.execute(insert, (ids["cases"]["A"], ids["persons"]["A"], "police",
                                  ids["users"]["pelle"]))


def test_a_disabled_user_reads_nothing_and_cannot_log_in(attack_server, pg_cluster):
    engine, ids = attack_server
    with login(pg_cluster, "sara2") as conn:
        conn.execute("SELECT 1")
        with engine.begin() as admin:
            admin.exec_driver_sql("UPDATE users SET active = false WHERE username = 'sara2'")
            admin.exec_driver_sql("UPDATE team_members SET user_id = "
                                  f"{ids['users']['sara2']} WHERE user_id = {ids['users']['sara']}")
        try:
            # The open connection: identity is looked up at every statement.
            assert note_ids(conn) == set()
            assert conn.execute("SELECT trefas.current_user_id()").fetchone()[0] is None
        finally:
            with engine.begin() as admin:
                admin.exec_driver_sql("UPDATE team_members SET user_id = "
                                      f"{ids['users']['sara']} WHERE user_id = "
                                      f"{ids['users']['sara2']}")
    with engine.begin() as admin:
        admin.exec_driver_sql('ALTER ROLE "sara2" NOLOGIN')
    with pytest.raises(psycopg.OperationalError):
        login(pg_cluster, "sara2")


def test_a_stale_group_membership_gives_nothing(attack_server, pg_cluster):
    """A login role left in the supervisors' group after the user became a
    social worker gets the supervisors' policies — which check the role in
    the users row, so they give nothing."""
    engine, ids = attack_server
    with engine.begin() as admin:
        admin.exec_driver_sql('GRANT trefas_role_supervisor TO "pelle"')
    try:
        with login(pg_cluster, "pelle") as conn:
            assert note_ids(conn) == set()
            assert conn.execute("SELECT count(*) FROM public.cases").fetchone()[0] == 0
    finally:
        with engine.begin() as admin:
            admin.exec_driver_sql('REVOKE trefas_role_supervisor FROM "pelle"')


@pytest.mark.parametrize("text", ["%' OR 1=1 --", "'; DELETE FROM public.notes; --",
                                  "x') UNION SELECT id, first_name FROM public.persons --",
                                  "\\", "%", "_"])
def test_sql_in_a_search_is_only_text(attack_server, pg_cluster, text):
    _engine, ids = attack_server
    with login(pg_cluster, "sara") as conn:
        found = conn.execute("SELECT id, display_name FROM trefas.persons_shown "
                             "WHERE search_name LIKE '%%' || %s || '%%'", (text,)).fetchall()
        assert {r[0] for r in found} <= {ids["persons"]["A"]}
        assert ids["notes"]["A"] in note_ids(conn)


def test_server_time_zone_setting_does_not_move_expiry(attack_server, pg_cluster):
    """Expiry compares UTC wall-clock time; a session TimeZone far ahead or
    behind changes nothing."""
    _engine, ids = attack_server
    with login(pg_cluster, "sara") as conn:
        before = note_ids(conn)
        conn.execute("SET TimeZone = 'Pacific/Kiritimati'")
        assert note_ids(conn) == before
        conn.execute("SET TimeZone = 'Etc/GMT+12'")
        assert note_ids(conn) == before


def test_the_program_creates_a_person_and_case_without_returning(attack_server, pg_cluster,
                                                                 monkeypatch):
    """A contract for the server store: a new person or case is not yet
    visible to its creator (no team yet), so PostgreSQL refuses
    ``INSERT … RETURNING`` on it (RETURNING needs the row to pass the read
    policy). Inserted without RETURNING — SQLAlchemy takes the id from the
    sequence first — the whole opening of a case passes the insert policies."""
    from sqlalchemy import create_engine, select
    from sqlalchemy.orm import Session

    from rls_world import sqlalchemy_url
    from trefas_app.domain.enums import Agency, CaseState

    engine, ids = attack_server
    sara = ids["users"]["sara"]
    with login(pg_cluster, "sara") as conn:
        with pytest.raises(errors.InsufficientPrivilege):
            conn.execute("INSERT INTO public.persons (first_name, last_name, search_name, "
                         "owner_agency, unit_id, protection_level, risk_level, created_at, "
                         "created_by_id) VALUES ('N', 'Y', 'n y', 'city', 1, 'none', 'green', "
                         "now(), %s) RETURNING id", (sara,))
    for table in m.Base.metadata.tables.values():
        monkeypatch.setattr(table, "implicit_returning", False)
    as_sara = create_engine(sqlalchemy_url(pg_cluster.dsn("sara", PW, DB)))
    now = clock.now_utc()
    try:
        with Session(as_sara) as s:
            person = m.Person(first_name="N", last_name="Y", search_name="n y",
                              owner_agency=Agency.CITY, unit_id=1, created_at=now,
                              created_by_id=sara)
            s.add(person)
            s.flush()
            case = m.Case(number="K-NY", person_id=person.id, unit_id=1,
                          owner_agency=Agency.CITY, state=CaseState.OPEN, title="t",
                          opened_at=now, last_entry_at=now, created_at=now, created_by_id=sara)
            s.add(case)
            s.flush()
            s.add(m.TeamMember(case_id=case.id, user_id=sara, added_at=now))
            s.flush()
            assert case.id in s.scalars(select(m.Case.id)).all()
            s.rollback()
    finally:
        as_sara.dispose()


def test_install_runs_as_a_schema_owner_that_is_not_superuser(pg_cluster):
    """``trefas server init`` connects as an ordinary role with CREATEROLE
    that owns the database; install then hands the tables to trefas_owner."""
    from sqlalchemy import create_engine

    from rls_world import sqlalchemy_url

    setup_pw = "Schema-owner-pass-5"
    with psycopg.connect(pg_cluster.dsn(), autocommit=True) as su:
        su.execute("DROP DATABASE IF EXISTS rls_owned")
        su.execute("DROP ROLE IF EXISTS trefas_setup")
        su.execute(f"CREATE ROLE trefas_setup LOGIN CREATEROLE PASSWORD '{setup_pw}'")
        su.execute("CREATE DATABASE rls_owned OWNER trefas_setup")
    url = sqlalchemy_url(pg_cluster.dsn("trefas_setup", setup_pw, "rls_owned"))
    engine = build_schema(url)
    try:
        install_policies(engine)
        with engine.connect() as conn:
            owners = {r[0] for r in conn.exec_driver_sql(
                "SELECT tableowner FROM pg_tables WHERE schemaname = 'public'")}
            forced = conn.exec_driver_sql(
                "SELECT relforcerowsecurity FROM pg_class WHERE oid = 'public.notes'::regclass"
            ).scalar()
            superuser = conn.exec_driver_sql(
                "SELECT rolsuper FROM pg_roles WHERE rolname = current_user").scalar()
        assert owners == {"trefas_owner"} and forced and not superuser
    finally:
        engine.dispose()
