"""A local store moves onto a server whole: rows with their ids, the access
log with its hashes (verified first), users as login roles with one-time codes."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from server_setup import new_database
from server_world import PW, _no_user
from test_services_both_stores import build_local_world
from trefas_app.domain.enums import Category
from trefas_app.domain.errors import StoreError
from trefas_app.services import audit_log, cases, notes, persons
from trefas_app.server import accounts as server_accounts
from trefas_app.server.connection import connect
from trefas_app.server.import_store import import_store


@pytest.fixture
def local_world(tmp_path):
    world = build_local_world(tmp_path / "store")
    with world.login("sara") as s:
        p = persons.create_person(s.uow(), s.actor, persons.PersonInput("Amir", "Haddad"))
        k = cases.open_case(s.uow(), s.actor, p.id, "Risk för våld")
        n = notes.write_note(s.uow(), s.actor, k.id, "Samtal", "Om skolan.", Category.SOCIAL)
        notes.sign_note(s.uow(), s.actor, n.id)
    world.ids.update(person=p.id, case=k.id, note=n.id)
    return world


def test_import_moves_everything_and_the_chain_still_verifies(local_world, pg_cluster):
    db = new_database(pg_cluster)
    with local_world.login("stina") as key_holder:
        report = import_store(pg_cluster.dsn(dbname=db), key_holder)
        local_entries = report.entries
    assert report.rows["persons"] == 1 and report.rows["cases"] == 1
    assert report.rows["notes"] == 1 and report.rows["audit_events"] == local_entries
    assert set(report.codes) >= {"admin", "stina", "sara", "petra"}
    url = _no_user(pg_cluster, db)
    server_accounts.enrol(url, "sara", report.codes["sara"], PW)
    server_accounts.enrol(url, "stina", report.codes["stina"], PW)
    with connect(url, "sara", PW) as s:
        view = cases.get_case(s.uow(), s.actor, local_world.ids["case"])
        assert view.person.display_name == "Amir Haddad"
        signed = notes.get_note(s.uow(), s.actor, local_world.ids["note"])
        assert signed.body == "Om skolan."
        # New ids continue after the moved ones.
        p2 = persons.create_person(s.uow(), s.actor, persons.PersonInput("Bo", "Ek"))
        assert p2.id > local_world.ids["person"]
    with connect(url, "stina", PW) as boss:
        verified = audit_log.verify_log(boss, boss.actor)
        with boss.engine.connect() as conn:
            imported = conn.execute(text(
                "SELECT count(*) FROM audit_events WHERE action = 'store.import'")).scalar()
    assert verified.ok, verified.problem_en
    assert verified.checkpoints_verified >= 1  # the desktop's old checkpoints too
    assert imported == 1


def test_a_broken_local_chain_is_not_moved(local_world, pg_cluster):
    from trefas_app.store.engine import connect_raw

    db = new_database(pg_cluster)
    with local_world.login("stina") as key_holder:
        raw = connect_raw(key_holder.paths.db, key_holder.data_key)
        raw.execute("DROP TRIGGER audit_events_no_update")
        raw.execute("UPDATE audit_events SET reason = 'ändrad' WHERE seq = 2")
        raw.close()
        with pytest.raises(StoreError, match="does not verify"):
            import_store(pg_cluster.dsn(dbname=db), key_holder)
        key_holder.retire()
