"""A case found by its number (``cases.find_by_number``), and the one key
derivation of a handover from the command line (issue 12: the command line's
own password entry, verified by the unlock, is the re-authentication).

A handover from the command line ran Argon2id three times: twice in the
unlock (the slot was opened once to check the password and once more for the
data key) and once more for the re-check. The login proof that replaces the
re-check is honoured only once, only by the store whose unlock verified the
password, only for that user, and only while that store is open."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from account_setup import enrolled_user
from trefas_app import cli
from trefas_app.domain import clock
from trefas_app.domain.enums import Agency, Category, Role
from trefas_app.domain.errors import NoSuchRecord, WrongPassword
from trefas_app.services import cases, consents, documents, persons, users
from trefas_app.store import keyslots
from trefas_app.store import models as m
from trefas_app.store.keyslots import TEST_KDF
from trefas_app.store.store import LoginProof, create_store, open_database, unlock

PW = "Granskog-och-hav-42"
NO_SUCH_CASE = "K-1999-99999"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """Sara owns a case whose person lets the police have identity details;
    Yusuf works in the same unit but is not on its team."""
    root = tmp_path_factory.mktemp("lookup") / "store"
    created = create_store(root, admin_username="admin", admin_display_name="Anna Admin",
                           admin_password=PW, kdf=TEST_KDF)
    a = created.store
    unit = users.add_unit(a.uow(), a.actor, Agency.CITY, "RK", "Rinkeby-Kista")
    for name, display in (("sara", "Sara Sund"), ("yusuf", "Yusuf Abdi")):
        enrolled_user(a.uow(), a.actor, users.UserInput(
            name, display, Role.SOCIAL_WORKER, Agency.CITY, unit.id, PW))
    data_key = a.data_key
    a.close()
    sara = unlock(root, "sara", PW)
    person = persons.create_person(sara.uow(), sara.actor, persons.PersonInput("Amir", "Haddad"))
    case = cases.open_case(sara.uow(), sara.actor, person.id, "Risk för våld")
    today = clock.today()
    consents.record_consent(sara.uow(), sara.actor, consents.ConsentInput(
        person_id=person.id, purpose="Samverkan SIG", valid_from=today,
        valid_until=today + dt.timedelta(days=300),
        grants=frozenset({(Agency.POLICE, Category.IDENTITY),
                          (Agency.POLICE, Category.SOCIAL)})))
    sara.close()
    return {"root": root, "case": case, "data_key": data_key}


def _last_entries(world, n: int = 3):
    keyfile = keyslots.KeyFile.load(world["root"] / "trefas.keys")
    from trefas_app.store.store import StorePaths

    engine = open_database(StorePaths(world["root"]), keyfile, world["data_key"])
    try:
        with Session(engine) as s:
            return s.scalars(select(m.AuditEvent).order_by(m.AuditEvent.seq.desc())
                             .limit(n)).all()[::-1]
    finally:
        engine.dispose()


# --- cases.find_by_number ------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["{n}", "{lower}", "  {n} "])
def test_find_by_number_finds_the_case_and_logs_the_find(world, typed):
    case = world["case"]
    with unlock(world["root"], "sara", PW) as sara:
        found = cases.find_by_number(sara.uow(), sara.actor,
                                     typed.format(n=case.number, lower=case.number.lower()))
    assert found == case.id
    entry = next(e for e in _last_entries(world) if e.action == "case.search")
    assert entry.case_id == case.id and entry.username == "sara"


def test_a_case_outside_ones_scope_answers_like_a_number_that_does_not_exist(world):
    with unlock(world["root"], "yusuf", PW) as yusuf:
        with pytest.raises(NoSuchRecord) as outside:
            cases.find_by_number(yusuf.uow(), yusuf.actor, world["case"].number)
        with pytest.raises(NoSuchRecord) as missing:
            cases.find_by_number(yusuf.uow(), yusuf.actor, NO_SUCH_CASE)
    assert (outside.value.sv, outside.value.en) == (missing.value.sv, missing.value.en)
    refusals = [e for e in _last_entries(world, 4) if e.action == "access.denied"]
    assert len(refusals) == 2  # both probes are on record
    assert all(e.username == "yusuf" and e.case_id is None for e in refusals)


def test_the_command_line_answers_alike_for_outside_and_missing(world, capsys, monkeypatch,
                                                               cli_logging):
    monkeypatch.setenv("TREFAS_PASSWORD", PW)
    answers = []
    for number in (world["case"].number, NO_SUCH_CASE):
        code = cli.main(["case", "show", number, "--store", str(world["root"]),
                         "--user", "yusuf"])
        answers.append((code, capsys.readouterr()))
    assert answers[0] == answers[1]
    assert answers[0][0] == 1 and "finns inte" in answers[0][1].err
    assert cli.main(["case", "show", world["case"].number, "--store", str(world["root"]),
                     "--user", "sara"]) == 0
    assert "Risk för våld" in capsys.readouterr().out


# --- one key derivation per handover from the command line ------------------------------------


@pytest.fixture
def derivations(monkeypatch):
    """Counts every Argon2id key derivation (keyslots.derive_kek)."""
    calls = []
    real = keyslots.derive_kek

    def counting(secret, salt, params):
        calls.append(params)
        return real(secret, salt, params)

    monkeypatch.setattr(keyslots, "derive_kek", counting)
    return calls


def test_a_handover_from_the_command_line_derives_the_key_once(world, tmp_path, capsys,
                                                               monkeypatch, derivations,
                                                               cli_logging):
    monkeypatch.setenv("TREFAS_PASSWORD", PW)
    target = tmp_path / "handover.pdf"
    code = cli.main(["document", "handover", "--store", str(world["root"]), "--user", "sara",
                     "--case", world["case"].number, "--to", "police", "--out", str(target)])
    assert code == 0, capsys.readouterr().err
    assert target.exists()
    assert len(derivations) == 1


def test_a_wrong_password_still_stops_the_command_line_handover(world, tmp_path, capsys,
                                                                monkeypatch, cli_logging):
    monkeypatch.setenv("TREFAS_PASSWORD", PW + "x")
    target = tmp_path / "handover.pdf"
    code = cli.main(["document", "handover", "--store", str(world["root"]), "--user", "sara",
                     "--case", world["case"].number, "--to", "police", "--out", str(target)])
    assert code == 1 and "Fel lösenord" in capsys.readouterr().err
    assert not target.exists()


def _handover(store, confirmation):
    return documents.issue_handover(store.uow(), store.actor, world_case_id(store),
                                    Agency.POLICE, None, confirmation)


def world_case_id(store) -> int:
    return cases.list_cases(store.uow(), store.actor).rows[0].id


def test_the_window_keeps_its_password_check(world, derivations):
    """Without a proof (the window unlocks without one) the password is checked."""
    with unlock(world["root"], "sara", PW) as sara:
        assert sara.login_proof is None
        with pytest.raises(WrongPassword):
            _handover(sara, sara.login_proof)
        derivations.clear()
        assert _handover(sara, PW).number
        assert len(derivations) == 1  # the re-check derives the key again


def test_a_login_proof_counts_once(world):
    with unlock(world["root"], "sara", PW, keep_login_proof=True) as sara:
        proof = sara.login_proof
        assert _handover(sara, proof).number
        with pytest.raises(WrongPassword):
            _handover(sara, proof)
    refused = [e for e in _last_entries(world, 4) if e.action == "document.handover.refused"]
    assert refused and refused[-1].username == "sara"


def test_no_proof_but_the_stores_own_for_its_own_user_while_open(world):
    with unlock(world["root"], "sara", PW, keep_login_proof=True) as sara, \
            unlock(world["root"], "sara", PW, keep_login_proof=True) as other:
        with pytest.raises(WrongPassword):  # made by hand, not by an unlock
            _handover(sara, LoginProof("sara"))
        with pytest.raises(WrongPassword):  # another unlock's proof
            _handover(sara, other.login_proof)
    with unlock(world["root"], "sara", PW, keep_login_proof=True) as sara:
        assert not sara.redeem_login_proof(sara.login_proof, "yusuf")
    with unlock(world["root"], "sara", PW, keep_login_proof=True) as sara:
        proof = sara.login_proof
        sara.close()
        assert not sara.redeem_login_proof(proof, "sara")
