"""The logged read's fixed statements (issue 12): the unit of work's
active-user check, the log's head read and insert, and the case's team are
built once and run on the Session's connection — the same objects at every
call, so neither the statement nor its cache key is built again — and a
``get_case`` runs no more statements than before."""

from __future__ import annotations

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Connection

from stores import CASEWORK_PASSWORD, build_casework_store
from trefas_app.services import cases
from trefas_app.store import audit, uow
from trefas_app.store.store import unlock


@pytest.fixture
def sara(tmp_path):
    root = tmp_path / "store"
    build_casework_store(root)
    s = unlock(root, "sara", CASEWORK_PASSWORD)
    yield s
    s.close()


def test_get_case_runs_the_prebuilt_statements(sara, monkeypatch):
    cases.get_case(sara.uow(), sara.actor, 1)
    executed = []
    real = Connection.execute

    def spy(self, statement, *args, **kwargs):
        executed.append(statement)
        return real(self, statement, *args, **kwargs)

    monkeypatch.setattr(Connection, "execute", spy)
    sql = []

    def record(conn, cursor, statement, *rest):
        sql.append(statement)

    event.listen(sara.engine, "before_cursor_execute", record)
    try:
        view = cases.get_case(sara.uow(), sara.actor, 1)
    finally:
        event.remove(sara.engine, "before_cursor_execute", record)
    assert view.id == 1
    for prebuilt in (uow._ACTIVE, audit._HEAD_SQLITE, audit._INSERT, cases._TEAM):
        assert any(statement is prebuilt for statement in executed), prebuilt
    statements = [s for s in sql if s.split()[0].upper() not in ("BEGIN", "COMMIT")]
    # 7 before: the emergency access and write scope are columns of the case read
    assert len(statements) <= 6, statements


def test_the_log_append_reads_the_head_once_per_transaction(sara, monkeypatch):
    heads = []
    real = audit.head
    monkeypatch.setattr(audit, "head", lambda session: heads.append(1) or real(session))
    with sara.uow() as work:
        work.log(sara.actor, "case.list")
        work.log(sara.actor, "case.list")
        work.commit()
    assert heads == [1]


def test_get_case_builds_its_statements_once_per_session_and_the_lock_drops_them(sara):
    built = []
    real = cases._case_read
    try:
        cases._case_read = lambda actor: built.append(actor) or real(actor)
        for _ in range(3):
            cases.get_case(sara.uow(), sara.actor, 1)
    finally:
        cases._case_read = real
    assert built == [sara.actor]
    assert {name for name, _ in sara.prepared_statements} == {"case.read"}
    sara.close("lock")
    assert sara.prepared_statements == {}


@pytest.fixture
def glass_breaker(tmp_path):
    """sara's case 1 and siv, a social worker of another unit outside it."""
    from account_setup import enrolled_user
    from stores import ADMIN_PASSWORD
    from trefas_app.domain.enums import Agency, Role
    from trefas_app.services import persons, users
    from trefas_app.store.keyslots import TEST_KDF
    from trefas_app.store.store import create_store

    root = tmp_path / "store"
    a = create_store(root, admin_username="admin", admin_display_name="Anna Admin",
                     admin_password=ADMIN_PASSWORD, kdf=TEST_KDF).store
    for code, name, who in (("RK", "Rinkeby-Kista", "sara"), ("SK", "Skärholmen", "siv")):
        unit = users.add_unit(a.uow(), a.actor, Agency.CITY, code, name)
        enrolled_user(a.uow(), a.actor, users.UserInput(
            who, who.title(), Role.SOCIAL_WORKER, Agency.CITY, unit.id, CASEWORK_PASSWORD))
    a.close()
    s = unlock(root, "sara", CASEWORK_PASSWORD)
    person = persons.create_person(s.uow(), s.actor, persons.PersonInput("Amir", "Haddad"))
    case = cases.open_case(s.uow(), s.actor, person.id, "Risk för våld")
    s.close()
    siv = unlock(root, "siv", CASEWORK_PASSWORD)
    yield siv, case.id
    siv.close()


def test_the_built_statement_reads_at_each_units_own_instant(glass_breaker):
    """The rule's "now" is a bound parameter: the same statement sees an
    emergency access while it lasts and refuses the case after it expired."""
    import datetime as dt

    from trefas_app.domain import clock
    from trefas_app.domain.errors import AccessDenied
    from trefas_app.store.uow import UnitOfWork

    siv, case_id = glass_breaker
    start = clock.now_utc()

    def at(hours: float) -> UnitOfWork:
        return UnitOfWork(siv, clock=lambda: start + dt.timedelta(hours=hours))

    with pytest.raises(AccessDenied):
        cases.get_case(at(0), siv.actor, case_id)
    cases.request_emergency_access(at(0), siv.actor, case_id, "Akut hot mot personen i kväll",
                                   hours=4)
    view = cases.get_case(at(1), siv.actor, case_id)
    assert view.read_only and view.emergency_until == start + dt.timedelta(hours=4)
    with pytest.raises(AccessDenied):
        cases.get_case(at(5), siv.actor, case_id)
    # the same statements throughout: the read's, and the emergency access's
    # own view of the case (case.access)
    assert {name for name, _ in siv.prepared_statements} == {"case.read", "case.access"}
