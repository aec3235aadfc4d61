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
    assert len(statements) <= 7, statements


def test_the_log_append_reads_the_head_once_per_transaction(sara, monkeypatch):
    heads = []
    real = audit.head
    monkeypatch.setattr(audit, "head", lambda session: heads.append(1) or real(session))
    with sara.uow() as work:
        work.log(sara.actor, "case.list")
        work.log(sara.actor, "case.list")
        work.commit()
    assert heads == [1]
