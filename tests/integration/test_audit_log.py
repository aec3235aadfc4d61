"""The access log on a real store: tampering is found with the right first bad
sequence number; the supervisor's log review shows their scope only."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import shutil

from account_setup import enrolled_user
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trefas_app.domain import clock
from trefas_app.domain.enums import Agency, Category, Role
from trefas_app.domain.errors import AccessDenied, ValidationError
from trefas_app.store.audit_chain import (
    append_checkpoint,
    canonical_bytes,
    entry_hash,
    read_checkpoints,
    sign_checkpoint,
)
from trefas_app.services import audit_log, cases, consents, notes, persons, users
from trefas_app.store import models as m
from trefas_app.store.engine import connect_raw
from trefas_app.store.keyslots import KeyFile
from trefas_app.store.store import create_store, unlock
from trefas_app.store.keyslots import TEST_KDF

ADMIN_PW = "Solros-vägen-nio-test"
PW = "Granskog-och-hav-42"
COLUMNS = ("seq", "at", "user_id", "username", "agency", "role", "action", "subject_kind",
           "subject_id", "case_id", "person_id", "reason", "detail", "prev_hash", "hash")


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    """A store with ~400 log entries, written in three sessions (so there are
    checkpoints part-way), closed."""
    root = tmp_path_factory.mktemp("audit") / "store"
    store = create_store(root, admin_username="admin", admin_display_name="Anna Admin",
                         admin_password=ADMIN_PW, kdf=TEST_KDF).store
    unit = users.add_unit(store.uow(), store.actor, Agency.CITY, "RK", "Rinkeby-Kista")
    for name, role in (("sara", Role.SOCIAL_WORKER), ("stina", Role.SUPERVISOR)):
        enrolled_user(store.uow(), store.actor, users.UserInput(
            name, name.title(), role, Agency.CITY, unit.id, PW))
    for _ in range(150):
        users.list_users(store.uow(), store.actor)
    store.close()
    # The log is read and verified by a key holder (the supervisor): the
    # administrator's log-in holds no key.
    for _ in range(2):
        s = unlock(root, "stina", PW)
        for _ in range(120):
            users.list_users(s.uow(), s.actor)
        s.close()
    return root


@pytest.fixture
def copy(pristine, tmp_path):
    root = tmp_path / "store"
    shutil.copytree(pristine, root)
    return root


def _attacker(root):
    """A raw keyed connection with the append-only triggers dropped: an
    attacker who holds the data key."""
    key = KeyFile.load(root / "trefas.keys").unseal("stina", PW)
    conn = connect_raw(root / "trefas.db", key)
    conn.execute("DROP TRIGGER audit_events_no_update")
    conn.execute("DROP TRIGGER audit_events_no_delete")
    return conn


def _row(conn, seq):
    return dict(zip(COLUMNS, conn.execute(
        f"SELECT {', '.join(COLUMNS)} FROM audit_events WHERE seq = ?", (seq,)).fetchone()))


def _last_seq(conn):
    return conn.execute("SELECT max(seq) FROM audit_events").fetchone()[0]


def _verify(root):
    s = unlock(root, "stina", PW)
    try:
        return audit_log.verify_log(s, s.actor)
    finally:
        s.close()


def _checkpoint_seqs(root):
    return sorted(cp.seq for cp in read_checkpoints(root / "trefas.checkpoints"))


def test_untouched_log_verifies(copy):
    report = _verify(copy)
    assert report.ok, report.problem_en
    assert report.entries > 390
    assert report.checkpoints_verified >= 3
    assert report.first_bad_seq is None


def test_one_edited_byte_is_found(copy):
    conn = _attacker(copy)
    row = _row(conn, 137)
    assert row["action"] == "user.list"
    conn.execute("UPDATE audit_events SET action = 'user.lisu' WHERE seq = 137")
    conn.close()
    report = _verify(copy)
    assert not report.ok
    assert report.first_bad_seq == 137
    assert "137" in report.problem_sv


def test_an_edit_in_a_column_outside_the_hash_input_is_still_found(copy):
    # The hash covers the username, not the user id; changing who did it is an
    # edit of the username.
    conn = _attacker(copy)
    conn.execute("UPDATE audit_events SET username = 'bdmin' WHERE seq = 200")
    conn.close()
    assert _verify(copy).first_bad_seq == 200


def test_one_deleted_entry_is_found(copy):
    conn = _attacker(copy)
    conn.execute("DELETE FROM audit_events WHERE seq = 250")
    conn.close()
    report = _verify(copy)
    assert not report.ok and report.first_bad_seq == 250


def test_two_swapped_entries_are_found(copy):
    conn = _attacker(copy)
    a, b = _row(conn, 120), _row(conn, 300)
    cols = [c for c in COLUMNS if c != "seq"]
    for target, source in ((120, b), (300, a)):
        conn.execute(f"UPDATE audit_events SET {', '.join(f'{c} = ?' for c in cols)} "
                     "WHERE seq = ?", [source[c] for c in cols] + [target])
    conn.close()
    report = _verify(copy)
    assert not report.ok and report.first_bad_seq == 120


def test_a_cut_tail_is_found(copy):
    conn = _attacker(copy)
    newest_cp = _checkpoint_seqs(copy)[-1]
    assert newest_cp == _last_seq(conn)
    kept = newest_cp - 60
    conn.execute("DELETE FROM audit_events WHERE seq > ?", (kept,))
    conn.close()
    report = _verify(copy)
    # The log-in of the verifying session notices the cut (an alarm entry,
    # kept + 1) and is appended after it as kept + 2, so the first missing
    # entry is kept + 3.
    assert not report.ok and report.first_bad_seq == kept + 3
    assert "kortats" in report.problem_sv


def test_a_rewritten_chain_is_caught_by_the_checkpoints(copy):
    # The attacker edits entry 10 and recomputes every hash after it: the
    # chain is consistent again, but not with the signed checkpoints.
    conn = _attacker(copy)
    last = _last_seq(conn)
    prev = _row(conn, 9)["hash"]
    for seq in range(10, last + 1):
        row = _row(conn, seq)
        if seq == 10:
            row["reason"] = "efterhandskonstruktion"
        row["prev_hash"] = prev
        fields = {"seq": row["seq"], "at": row["at"], "user": row["username"],
                  "agency": row["agency"], "role": row["role"], "action": row["action"],
                  "subject_kind": row["subject_kind"], "subject_id": row["subject_id"],
                  "case_id": None if row["case_id"] is None else str(row["case_id"]),
                  "person_id": None if row["person_id"] is None else str(row["person_id"]),
                  "reason": row["reason"], "detail": row["detail"], "prev_hash": prev}
        digest = entry_hash(prev, canonical_bytes(fields))
        conn.execute("UPDATE audit_events SET reason = ?, prev_hash = ?, hash = ? "
                     "WHERE seq = ?", (row["reason"], prev, digest, seq))
        prev = digest
    conn.close()
    first_cp_after = min(s for s in _checkpoint_seqs(copy) if s >= 10)
    report = _verify(copy)
    assert not report.ok and report.first_bad_seq == first_cp_after
    assert "kontrollpunkt" in report.problem_sv


def test_a_forged_checkpoint_line_is_found(copy):
    path = copy / "trefas.checkpoints"
    last = json.loads(path.read_bytes().splitlines()[-1])
    # Same store, a later head, a signature copied from another line.
    forged = dict(last, seq=last["seq"] + 500, hash=hashlib.sha256(b"x").hexdigest())
    with open(path, "ab") as fh:
        fh.write(json.dumps(forged).encode() + b"\n")
    report = _verify(copy)
    assert not report.ok and report.first_bad_seq == last["seq"] + 500


def test_a_checkpoint_signed_with_another_key_is_found(copy):
    other = Ed25519PrivateKey.generate()
    store_id = KeyFile.load(copy / "trefas.keys").store_id
    cp = sign_checkpoint(other, store_id, 77, hashlib.sha256(b"y").hexdigest(),
                         "2030-01-01T00:00:00+00:00")
    append_checkpoint(copy / "trefas.checkpoints", cp)
    report = _verify(copy)
    assert not report.ok and report.first_bad_seq == 77
    assert base64.b64decode(cp.signature)  # a well-formed, just wrong, signature


def test_a_removed_checkpoint_file_is_reported(copy):
    (copy / "trefas.checkpoints").unlink()
    report = _verify(copy)
    assert not report.ok and "saknas" in report.problem_sv


def test_verify_is_logged_and_needs_permission(copy):
    a = unlock(copy, "stina", PW)
    audit_log.verify_log(a, a.actor)
    with Session(a.engine) as s:
        last = s.scalars(select(m.AuditEvent).order_by(m.AuditEvent.seq.desc())).first()
        assert last.action == "audit.verify" and '"ok": true' in last.detail
    a.close()
    sara = unlock(copy, "sara", PW)
    with pytest.raises(AccessDenied):
        audit_log.verify_log(sara, sara.actor)
    sara.close()


# --- the supervisor's log review ------------------------------------------------


@pytest.fixture
def agencies(new_store):
    store, _ = new_store
    admin = store.actor
    city = users.add_unit(store.uow(), admin, Agency.CITY, "RK", "Rinkeby-Kista")
    police = users.add_unit(store.uow(), admin, Agency.POLICE, "LPO", "LPO Rinkeby")
    for name, role, agency, unit in (
            ("sara", Role.SOCIAL_WORKER, Agency.CITY, city),
            ("stina", Role.SUPERVISOR, Agency.CITY, city),
            ("petra", Role.POLICE_LIAISON, Agency.POLICE, police),
            ("pelle", Role.POLICE_LIAISON, Agency.POLICE, police),
            ("polly", Role.SUPERVISOR, Agency.POLICE, police)):
        enrolled_user(store.uow(), admin, users.UserInput(name, name.title(), role, agency,
                                                           unit.id, PW))
    root = store.paths.root
    store.close()
    sessions = {n: unlock(root, n, PW) for n in ("sara", "stina", "petra", "pelle", "polly")}
    yield sessions
    for s in sessions.values():
        s.close()


def test_show_log_is_scoped_to_the_supervisors_agency_and_cases(agencies):
    sara, stina, petra, pelle = (agencies[n] for n in ("sara", "stina", "petra", "pelle"))
    p = persons.create_person(sara.uow(), sara.actor, persons.PersonInput("Amir", "Haddad"))
    case = cases.open_case(sara.uow(), sara.actor, p.id, "Risk")
    cases.add_team_member(sara.uow(), sara.actor, case.id, petra.actor.user_id)
    today = clock.today()
    consents.record_consent(sara.uow(), sara.actor, consents.ConsentInput(
        person_id=p.id, purpose="SIG", valid_from=today,
        valid_until=today + dt.timedelta(days=90),
        grants=frozenset({(Agency.POLICE, Category.IDENTITY), (Agency.POLICE, Category.SOCIAL)})))
    cases.get_case(petra.uow(), petra.actor, case.id)  # police read a city case
    # Police work of their own, unrelated to any city case; and a city person
    # no case of which stina can see is not in her scope either.
    cases.list_cases(pelle.uow(), pelle.actor)
    persons.list_persons(pelle.uow(), pelle.actor, "x")

    page = audit_log.show_log(stina.uow(), stina.actor)
    seen = {(r.username, r.action, r.person_id) for r in page.rows}
    assert ("sara", "person.create", p.id) in seen
    assert ("petra", "case.read", p.id) in seen  # about a case stina can see
    assert not any(r.username == "pelle" for r in page.rows)
    assert ("sara", "case.team.add", p.id) in seen
    assert page.total == len(page.rows)
    assert [r.seq for r in page.rows] == sorted((r.seq for r in page.rows), reverse=True)

    only_case = audit_log.show_log(stina.uow(), stina.actor, case_id=case.id)
    assert only_case.rows and all(r.case_id == case.id for r in only_case.rows)
    by_petra = audit_log.show_log(stina.uow(), stina.actor, username="petra")
    assert {r.action for r in by_petra.rows} == {"case.read"}
    prefixed = audit_log.show_log(stina.uow(), stina.actor, action="case.")
    assert prefixed.rows and all(r.action.startswith("case.") for r in prefixed.rows)
    future = audit_log.show_log(stina.uow(), stina.actor, since=today + dt.timedelta(days=1))
    assert future.total == 0
    today_only = audit_log.show_log(stina.uow(), stina.actor, since=today, until=today)
    assert today_only.total >= page.total
    paged = audit_log.show_log(stina.uow(), stina.actor, offset=2, limit=3)
    assert len(paged.rows) == 3 and paged.offset == 2

    # Every review is itself logged, with its filters.
    with Session(stina.engine) as s:
        reads = s.scalars(select(m.AuditEvent).where(
            m.AuditEvent.action == "audit.read").order_by(m.AuditEvent.seq)).all()
    assert len(reads) == 7 and all(e.username == "stina" for e in reads)
    assert '"case_id": %d' % case.id in reads[1].detail and reads[1].case_id == case.id


def test_show_log_is_for_supervisors_only(agencies):
    sara = agencies["sara"]
    with pytest.raises(AccessDenied):
        audit_log.show_log(sara.uow(), sara.actor)
    with pytest.raises(ValidationError):
        audit_log.show_log(agencies["stina"].uow(), agencies["stina"].actor, limit=0)
    with Session(sara.engine) as s:
        assert s.scalar(select(func.count()).select_from(m.AuditEvent).where(
            m.AuditEvent.action == "access.denied", m.AuditEvent.username == "sara")) == 1


def test_log_review_resolves_case_numbers_and_aliases_in_one_transaction(agencies):
    """The review's filters as a supervisor types them (services.audit_log.log_page):
    a case number through the access rule, a person by alias; a supervisor of
    another agency, outside the case's scope, finds neither it nor its entries."""
    from trefas_app.domain.labels import person_code
    from trefas_app.store.uow import UnitOfWork

    sara, stina, polly = agencies["sara"], agencies["stina"], agencies["polly"]
    p = persons.create_person(sara.uow(), sara.actor, persons.PersonInput("Amir", "Haddad"))
    case = cases.open_case(sara.uow(), sara.actor, p.id, "Risk")
    cases.get_case(sara.uow(), sara.actor, case.id)

    by_case = audit_log.log_page(stina.uow(), stina.actor,
                                 audit_log.LogParams(case=case.number.lower()))
    assert by_case.rows and all(r.case_id == case.id for r in by_case.rows)
    assert "case.create" in {r.action for r in by_case.rows}
    by_person = audit_log.log_page(stina.uow(), stina.actor,
                                   audit_log.LogParams(person=person_code(p.id),
                                                       username="sara"))
    assert by_person.rows and all(r.person_id == p.id for r in by_person.rows)

    with pytest.raises(ValidationError) as missing:
        audit_log.log_page(stina.uow(), stina.actor, audit_log.LogParams(case="K-1999-99999"))
    with pytest.raises(ValidationError) as hidden:
        audit_log.log_page(polly.uow(), polly.actor, audit_log.LogParams(case=case.number))
    assert hidden.value.message("sv") == missing.value.message("sv") == (
        "Det finns inget ärende med det numret som du får se.")
    everything = audit_log.log_page(polly.uow(), polly.actor, audit_log.LogParams())
    assert not any(r.case_id == case.id or r.username == "sara" for r in everything.rows)
    with Session(polly.engine) as s:  # the probe is on record
        assert s.scalar(select(func.count()).select_from(m.AuditEvent).where(
            m.AuditEvent.action == "refused", m.AuditEvent.username == "polly")) == 1

    volumes = audit_log.volume_report(stina.uow(), stina.actor, 1)
    assert volumes.until == clock.today() and volumes.since == volumes.until
    assert any(v.username == "sara" and v.reads >= 1 for v in volumes.rows)
    assert not audit_log.volume_report(polly.uow(), polly.actor, 1).rows
    # "the last day" is the unit of work's day, not the wall clock's
    later = clock.now_utc() + dt.timedelta(days=10)
    ahead = audit_log.volume_report(UnitOfWork(stina, clock=lambda: later), stina.actor, 1)
    assert ahead.until == clock.local_date(later) and not ahead.rows
    assert audit_log.recent_reveals(stina.uow(), stina.actor).rows == ()
