"""NOTIFY on commit (server mode, issue 13): a committed write is announced
once, with kinds and case ids only; a refused or rolled-back one never is."""

from __future__ import annotations

import json

import psycopg
import pytest

from server_world import PW, build_server_world
from trefas_app.domain.enums import Category
from trefas_app.domain.errors import AccessDenied
from trefas_app.services import cases, notes, persons
from trefas_app.store import live_changes
from trefas_app.server.connection import connection_info


@pytest.fixture(scope="module")
def world(pg_cluster):
    return build_server_world(pg_cluster)


def _listen(world, user: str) -> psycopg.Connection:
    params = connection_info(world.url)
    conn = psycopg.connect(**params, user=user, password=PW, autocommit=True)
    conn.execute(f"LISTEN {live_changes.CHANNEL}")
    return conn


def _heard(conn) -> list[dict]:
    return [json.loads(n.payload) for n in conn.notifies(timeout=0.5)]


def test_a_commit_is_announced_with_kinds_and_case_ids_and_no_content(world):
    ear = _listen(world, "olle")
    try:
        with world.login("sara") as s:
            p = persons.create_person(s.uow(), s.actor, persons.PersonInput("Amir", "Haddad"))
            assert [m["kinds"] for m in _heard(ear)] == [{"persons": []}]  # no person id
            k = cases.open_case(s.uow(), s.actor, p.id, "Risk för våld")
            assert [m["kinds"].get("cases") for m in _heard(ear)] == [[k.id]]
            note = notes.write_note(s.uow(), s.actor, k.id, "Hemligt samtal",
                                    "Amir berättade om Farsta.", Category.SOCIAL)
            heard = _heard(ear)
            assert [m["kinds"] for m in heard] == [{"cases": [k.id], "notes": [k.id]}]
            raw = json.dumps(heard)
            assert "Hemligt" not in raw and "Farsta" not in raw and "Amir" not in raw
            with pytest.raises(AccessDenied):  # refused: rolled back, never announced
                notes.sign_note(s.uow(), s.actor, note.id + 1000)
            cases.get_case(s.uow(), s.actor, k.id)  # a read announces nothing
            assert _heard(ear) == []
    finally:
        ear.close()


def test_a_refusal_by_another_agency_is_not_announced(world):
    with world.login("sara") as s:
        p = persons.create_person(s.uow(), s.actor, persons.PersonInput("Lina", "Berg"))
        k = cases.open_case(s.uow(), s.actor, p.id, "Oro")
    ear = _listen(world, "stina")
    try:
        with world.login("petra") as police, pytest.raises(Exception):
            notes.write_note(police.uow(), police.actor, k.id, "Försök", "Text.",
                             Category.CRIMINAL)
        assert _heard(ear) == []
    finally:
        ear.close()
