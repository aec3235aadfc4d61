"""Server mode on a real PostgreSQL: set-up, log-in as one's own login role,
the access log's one way in (and its chain under concurrency), accounts, TLS."""

from __future__ import annotations

import multiprocessing

import psycopg
import pytest
from sqlalchemy import text

from server_world import ADMIN_PW, PW, build_server_world
from trefas_app.domain.enums import Role
from trefas_app.domain.errors import AccessDenied, StoreError
from trefas_app.store.audit_chain import canonical_bytes, entry_hash
from trefas_app.services import audit_log, cases, persons
from trefas_app.server import accounts as server_accounts
from trefas_app.server.connection import ServerRefused, connect, connection_info


@pytest.fixture(scope="module")
def world(pg_cluster):
    return build_server_world(pg_cluster)


def test_users_log_in_as_their_own_role_and_the_log_says_who(world):
    with world.login("sara") as s:
        assert s.actor.username == "sara" and s.actor.role is Role.SOCIAL_WORKER
        with s.engine.connect() as conn:
            assert conn.execute(text("SELECT session_user")).scalar() == "sara"
            rolsuper = conn.execute(text(
                "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = 'sara'")).scalar()
    assert rolsuper is False
    with pytest.raises(StoreError):
        world.login("sara", "not-the-password")


def test_the_store_database_runs_without_jit(world):
    """JIT compiling the access rule's queries cost ≈ 0.5 s per list page."""
    with world.login("sara") as s, s.engine.connect() as conn:
        assert conn.execute(text("SHOW jit")).scalar() == "off"


def test_chain_written_by_the_server_verifies_with_the_desktop_verifier(world):
    with world.login("sara") as s:
        p = persons.create_person(s.uow(), s.actor, persons.PersonInput("Åsa", "Öberg"))
        cases.open_case(s.uow(), s.actor, p.id, "Hot mot familjen")
    with world.login("stina") as boss:
        report = audit_log.verify_log(boss, boss.actor)
    assert report.ok, report.problem_en
    assert report.checkpoints_verified >= 1


def test_log_function_hashes_exactly_as_audit_chain(world):
    """Quotes, backslashes, control characters, non-ASCII: the server's
    canonical JSON is the verifier's, byte for byte."""
    tricky = 'Skäl: "akut" \\ ny rad\n tab\t\u0001 ☃ 𝄞 \u2028'
    with world.login("sara") as s, s.engine.begin() as conn:
        row = conn.execute(text(
            "SELECT * FROM trefas.log_append('2026-01-01T00:00:00.000000Z', 'case.read', "
            "'case', '7', 7, NULL, :r, :d, 'mallory', 'police', 'supervisor')"),
            {"r": tricky, "d": '{"x":"ö"}'}).one()
        stored = conn.execute(text("SELECT * FROM trefas.log_chain(:a, 1)"),
                              {"a": row.seq - 1}).one()
    fields = {"seq": stored.seq, "at": stored.at, "user": stored.username,
              "agency": stored.agency, "role": stored.role, "action": stored.action,
              "subject_kind": stored.subject_kind, "subject_id": stored.subject_id,
              "case_id": "7", "person_id": None, "reason": tricky, "detail": '{"x":"ö"}',
              "prev_hash": stored.prev_hash}
    assert stored.hash == entry_hash(stored.prev_hash, canonical_bytes(fields))
    # Who wrote it comes from the login role, not from the arguments.
    assert (stored.username, stored.agency, stored.role) == ("sara", "city", "social_worker")


def test_log_rows_cannot_be_written_changed_or_deleted_directly(world):
    with world.login("stina") as s:
        for statement in (
                "INSERT INTO audit_events (seq, at, action, prev_hash, hash) VALUES "
                "(99999, 'x', 'x', repeat('0', 64), repeat('0', 64))",
                "UPDATE audit_events SET action = 'x'", "DELETE FROM audit_events",
                "TRUNCATE audit_events"):
            with pytest.raises(Exception, match="permission denied|append-only"):
                with s.engine.begin() as conn:
                    conn.execute(text(statement))


def _append_many(url: str, name: str, count: int) -> None:
    with connect(url, name, PW) as s:
        for _ in range(count):
            with s.uow() as uow:
                uow.log(s.actor, "dashboard.read")
                uow.commit()


def test_ten_processes_appending_at_once_never_fork_the_chain(world):
    ctx = multiprocessing.get_context("fork")  # no re-import: the children start at once
    names = ["sara", "olle", "kalle", "stina", "petra"] * 2
    with world.login("stina") as boss:
        before = audit_log.verify_log(boss, boss.actor).last_seq
    procs = [ctx.Process(target=_append_many, args=(world.url, n, 50)) for n in names]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    with world.login("stina") as boss:
        report = audit_log.verify_log(boss, boss.actor)
    assert report.ok, report.problem_en
    # 500 appends, 10 log-ins and 10 log-outs, and the checker's verify,
    # log-out and log-in: no entry lost.
    assert report.last_seq - before == 500 + 20 + 3


def test_disabling_ends_open_connections_and_log_ins(world, pg_cluster):
    with world.login("admin") as admin:
        units = world.ids
        code = server_accounts.open_account(admin, username="gunnar",
                                            display_name="Gunnar Gammal",
                                            role=Role.POLICE_LIAISON, unit_id=units["lpo"])
    fingerprint = server_accounts.enrol(world.url, "gunnar", code, PW)
    with world.login("pia") as boss:
        server_accounts.confirm(boss, "gunnar", fingerprint)
    victim = psycopg.connect(world.url, user="gunnar", password=PW)
    with world.login("admin") as admin:
        assert server_accounts.disable(admin, "gunnar") == 1
    with pytest.raises(psycopg.OperationalError):
        victim.execute("SELECT 1")
    with pytest.raises(StoreError):
        world.login("gunnar")


def test_one_time_code_only_enrols_and_an_unconfirmed_account_sees_nothing(world):
    with world.login("admin") as admin:
        code = server_accounts.open_account(admin, username="nils", display_name="Nils N",
                                            role=Role.SOCIAL_WORKER, unit_id=world.ids["rk"])
    fingerprint = server_accounts.enrol(world.url, "nils", code, PW)
    with pytest.raises(StoreError):
        world.login("nils", code)  # the code is spent
    with psycopg.connect(world.url, user="nils", password=PW) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT count(*) FROM persons")
    with pytest.raises(AccessDenied, match="waiting for confirmation"):
        world.login("nils")
    with world.login("pia") as other_agency, pytest.raises(AccessDenied):
        server_accounts.confirm(other_agency, "nils", fingerprint)


def test_only_the_administrator_opens_and_disables_accounts(world):
    with world.login("stina") as s:
        with pytest.raises(AccessDenied):
            server_accounts.disable(s, "sara")
        with pytest.raises(Exception, match="permission denied|only an administrator"):
            with s.engine.begin() as conn:
                conn.execute(text("SELECT trefas.account_disable('sara')"))


@pytest.mark.parametrize("url", [
    "postgresql://db.example.se/trefas",
    "postgresql://db.example.se/trefas?sslmode=require",
    "postgresql://db.example.se/trefas?sslmode=verify-ca",
    "host=10.0.0.5 dbname=trefas sslmode=prefer",
])
def test_a_remote_server_without_verified_tls_is_refused(url):
    with pytest.raises(ServerRefused) as refused:
        connection_info(url)
    assert "verify-full" in refused.value.sv and "verify-full" in refused.value.en


@pytest.mark.parametrize("url", [
    "postgresql:///trefas?host=/run/postgresql",
    "postgresql://localhost/trefas",
    "postgresql://db.example.se/trefas?sslmode=verify-full&sslrootcert=ca.pem",
])
def test_local_or_verified_connections_are_allowed(url):
    assert connection_info(url)["dbname"] == "trefas"


def test_init_refuses_a_database_that_holds_a_store(world):
    from trefas_app.server.setup import init_server

    with pytest.raises(StoreError, match="already holds"):
        init_server(world.superuser_url, admin_username="admin2",
                    admin_display_name="A", admin_password=ADMIN_PW)


def test_identity_cannot_be_spoofed_with_set_role_or_settings(world):
    """The log's user is session_user: neither SET ROLE, SET SESSION
    AUTHORIZATION nor a setting changes it."""
    with psycopg.connect(world.url, user="sara", password=PW) as conn:
        for attempt in ("SET ROLE stina", "SET SESSION AUTHORIZATION stina",
                        "SET ROLE trefas_owner", "SET ROLE trefas_account_manager"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(attempt)
            conn.rollback()
        conn.execute("SELECT set_config('trefas.user', 'stina', false)")
        conn.execute("SELECT set_config('application_name', 'stina', false)")
        row = conn.execute(
            "SELECT * FROM trefas.log_append('2026-01-01T00:00:00.000000Z', 'case.read', "
            "NULL, NULL, NULL, NULL, NULL, NULL, 'stina', 'city', 'supervisor')").fetchone()
        stored = conn.execute("SELECT username, role FROM trefas.log_chain(%s, 1)",
                              (row[0] - 1,)).fetchone()
        conn.rollback()
    assert stored == ("sara", "social_worker")


def test_no_login_role_reads_the_store_keys_or_runs_account_steps_it_may_not(world):
    with psycopg.connect(world.url, user="sara", password=PW) as conn:
        for statement in ("SELECT * FROM trefas_private.store_keys",
                          "SELECT trefas.account_confirm('olle', 'AAAA-BBBB-CCCC-DDDD')",
                          "SELECT trefas.account_open('eve', 'x', now())"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
            conn.rollback()
    with psycopg.connect(world.url, user="admin", password=ADMIN_PW) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT trefas.store_key('signing')")
        conn.rollback()
        with pytest.raises(psycopg.errors.RaiseException, match="not a user name"):
            conn.execute("SELECT trefas.account_open('postgres', 'x', now())")


def test_a_connection_lost_mid_call_is_one_calm_sentence_and_the_next_call_works(world):
    from trefas_app.services import cases as case_service

    with world.login("sara") as s:
        with pytest.raises(StoreError, match="connection to the server was lost"):
            with s.uow() as uow:
                uow.session.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))
        # The pool notices the broken connection and opens a new one.
        assert case_service.list_cases(s.uow(), s.actor).total is not None


def test_a_rewrite_by_the_database_administrator_is_reported(pg_cluster):
    """A superuser can drop the triggers and rewrite the log; the chain and
    the checkpoints this desktop signed outside the database show it."""
    world = build_server_world(pg_cluster)
    with world.login("sara") as s:
        persons.create_person(s.uow(), s.actor, persons.PersonInput("Bo", "Ek"))
    with psycopg.connect(world.superuser_url, autocommit=True) as dba:
        dba.execute("ALTER TABLE audit_events DISABLE TRIGGER USER")
        dba.execute("UPDATE audit_events SET reason = 'ändrat i efterhand' WHERE seq = 3")
    with world.login("stina") as boss:
        report = audit_log.verify_log(boss, boss.actor)
    assert not report.ok and report.first_bad_seq == 3
    # Recomputing every hash after the change does not help: the tail the
    # desktop's checkpoints name is gone or different.
    with psycopg.connect(world.superuser_url, autocommit=True) as dba:
        top = dba.execute("SELECT max(seq) FROM audit_events").fetchone()[0]
        dba.execute("DELETE FROM audit_events WHERE seq > %s", (top - 5,))
        dba.execute("UPDATE audit_events SET reason = NULL WHERE seq = 3")
    with world.login("stina") as boss:
        report = audit_log.verify_log(boss, boss.actor)
    assert not report.ok


def test_a_password_reset_takes_the_content_grants_at_once(world):
    with world.login("admin") as admin:
        code = server_accounts.open_account(admin, username="rut", display_name="Rut R",
                                            role=Role.SOCIAL_WORKER, unit_id=world.ids["rk"])
    fingerprint = server_accounts.enrol(world.url, "rut", code, PW)
    with world.login("stina") as boss:
        server_accounts.confirm(boss, "rut", fingerprint)
        with boss.engine.connect() as conn:
            confirmed = conn.execute(text(
                "SELECT username FROM trefas.log_chain(0, 100000) "
                "WHERE action = 'account.confirm' AND subject_id = "
                "(SELECT id::text FROM users WHERE username = 'rut')")).scalars().all()
    assert confirmed == ["stina"]  # logged by the function, as the caller
    with world.login("rut") as rut:
        assert cases.list_cases(rut.uow(), rut.actor).total == 0
    with psycopg.connect(world.url, user="admin", password=ADMIN_PW) as conn:
        conn.execute("SELECT trefas.account_open('rut', 'SCRAM-ny', now() + interval '1 day')")
        conn.commit()
        groups = conn.execute(
            "SELECT count(*) FROM pg_auth_members am JOIN pg_roles u ON u.oid = am.member "
            "WHERE u.rolname = 'rut'").fetchone()[0]
    assert groups == 0


def test_a_server_confirmation_needs_the_fingerprint_of_the_persons_own_enrolment(world):
    """Review finding 8 on a server: the administrator saw the one-time code and
    enrols in the person's place; the person's fingerprint (from their own
    enrolment after a reset) is the only one a supervisor's confirmation takes."""
    with world.login("admin") as admin:
        code = server_accounts.open_account(admin, username="vera", display_name="Vera V",
                                            role=Role.SOCIAL_WORKER, unit_id=world.ids["rk"])
    admins = server_accounts.enrol(world.url, "vera", code, "Administratorns-eget-lösen-1")
    with world.login("stina") as boss:
        for typed in ("", "AAAA-BBBB-CCCC-DDDD"):  # what the real person cannot read out
            with pytest.raises(AccessDenied, match="fingerprint does not match"):
                server_accounts.confirm(boss, "vera", typed)
    from trefas_app.server.setup import one_time_code, scram_verifier

    code = one_time_code()  # the person's code did not work: the administrator resets
    with world.login("admin") as admin, admin.engine.begin() as conn:
        conn.execute(text("SELECT trefas.account_open(:u, :v, now() + interval '1 day')"),
                     {"u": "vera", "v": scram_verifier(conn, "vera", code)})
    with pytest.raises(AccessDenied, match="waiting for confirmation") as waiting:
        world.login("vera", code)  # before enrolling: no fingerprint yet
    theirs = server_accounts.enrol(world.url, "vera", code, PW)
    assert theirs != admins and len(theirs) == 19
    with pytest.raises(AccessDenied) as waiting:  # shown to the person at log-in
        world.login("vera")
    assert theirs in waiting.value.sv
    with world.login("stina") as boss:
        with pytest.raises(AccessDenied):
            server_accounts.confirm(boss, "vera", admins)  # the old enrolment's: gone
        from trefas_app.services import accounts as account_services  # as the window does

        assert "vera" in [p.username for p in account_services.pending_confirmations(
            boss.uow(), boss.actor)]
        account_services.confirm_account(boss.uow(), boss.actor, "vera",
                                         theirs.lower().replace("-", " "))
        assert "vera" not in [p.username for p in account_services.pending_confirmations(
            boss.uow(), boss.actor)]
        with boss.engine.connect() as conn:
            refused = conn.execute(text(
                "SELECT count(*) FROM trefas.log_chain(0, 100000) WHERE action = "
                "'access.denied' AND username = 'stina' AND detail LIKE '%account.confirm%'"
            )).scalar()
    assert refused == 3
    with world.login("vera") as vera:
        assert cases.list_cases(vera.uow(), vera.actor).total == 0


def test_two_saves_at_the_same_instant_on_the_server_one_is_refused(world):
    """Two transactions read the same plan version; the first commits, the
    second's UPDATE … WHERE version = old matches nothing: refused."""
    import datetime as dt
    import threading

    from trefas_app.domain import clock
    from trefas_app.domain.enums import Agency
    from trefas_app.services import plans
    from trefas_app.store.versions import ChangedMeanwhile

    with world.login("sara") as s:
        p = persons.create_person(s.uow(), s.actor, persons.PersonInput("Ida", "Ek"))
        k = cases.open_case(s.uow(), s.actor, p.id, "Oro")
        plan = plans.create_plan(s.uow(), s.actor, k.id, False, Agency.CITY)
    both_read = threading.Barrier(2)
    outcomes = []

    def save(days: int) -> None:
        with world.login("sara") as me:
            try:
                with me.uow() as uow:
                    from trefas_app.store import models as m
                    row = uow.session.get(m.Plan, plan.id)
                    both_read.wait(10)
                    row.next_follow_up = clock.today() + dt.timedelta(days=days)
                    uow.commit()
                outcomes.append("saved")
            except ChangedMeanwhile:
                outcomes.append("refused")

    threads = [threading.Thread(target=save, args=(d,)) for d in (10, 20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcomes) == ["refused", "saved"]
