"""The fast reading of the access log and the incremental check.

* ``audit.iter_chain`` (driver cursor, no ORM object per row) gives exactly
  the values the ORM reading gives, on a chain with every field type, and
  ``verify_chain`` reports the same thing from either reading for every kind
  of tampering;
* the incremental check (``verify_log(full=False)``) starts from the signed
  verified mark, catches a rewritten chain and a cut tail, catches an entry
  edited in place when its random window covers it, ignores a forged mark,
  and the full check catches what the window missed.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import shutil

import pytest
from account_setup import enrolled_user
from test_audit_log import _attacker  # a keyed connection with the append-only triggers gone
from sqlalchemy import select
from sqlalchemy.orm import Session

from trefas_app.domain.enums import Agency, Role
from trefas_app.store import audit, audit_verify
from trefas_app.store.audit_chain import (
    ChainEntry,
    canonical_bytes,
    entry_hash,
    read_checkpoints,
    verify_chain,
)
from trefas_app.services import audit_log, users
from trefas_app.store import models as m
from trefas_app.store.engine import connect_raw, open_engine
from trefas_app.store.keyslots import TEST_KDF, KeyFile
from trefas_app.store.store import create_store, unlock

PW = "Granskog-och-hav-42"
WHEN = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.timezone.utc)

# Entries with every kind of field value the log holds: nulls, ids, big ids,
# text with quotes, backslashes, non-ASCII and control characters, JSON detail.
VARIED = [
    dict(subject_kind="case", subject_id=7, case_id=7, person_id=3),
    dict(username="okänd-användare", detail={"attempted": "login"}),
    dict(reason='Uppföljning "akut" \\ åäö – möte', case_id=2 ** 62, person_id=0),
    dict(subject_kind="note", subject_id="n-19", detail={"ä": ["ö", 1, 2.5, None, True]}),
    dict(detail={"text": "tab\tnewline\nend", "emoji": "\U0001f600"}),
    dict(case_id=-4, subject_id="-4"),
]


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    """A store whose log holds the varied entries among ~300 ordinary ones,
    written over four sessions (checkpoints part-way); closed."""
    root = tmp_path_factory.mktemp("verify") / "store"
    store = create_store(root, admin_username="admin", admin_display_name="Anna Admin",
                         admin_password=PW, kdf=TEST_KDF).store
    unit = users.add_unit(store.uow(), store.actor, Agency.CITY, "RK", "Rinkeby-Kista")
    enrolled_user(store.uow(), store.actor, users.UserInput(
        "stina", "Stina Ek", Role.SUPERVISOR, Agency.CITY, unit.id, PW))
    with Session(store.engine) as session:
        for fields in VARIED * 20:
            username = fields.get("username")
            rest = {k: v for k, v in fields.items() if k != "username"}
            audit.append(session, WHEN, None if username else store.actor, "test.varied",
                         username=username, **rest)
        session.commit()
    store.close()
    for _ in range(3):
        s = unlock(root, "stina", PW)
        for _ in range(40):
            users.list_users(s.uow(), s.actor)
        s.close()
    return root


@pytest.fixture
def copy(pristine, tmp_path):
    root = tmp_path / "store"
    shutil.copytree(pristine, root)
    return root


def _key(root):
    return KeyFile.load(root / "trefas.keys").unseal("stina", PW)


def _reference_reading(session):
    """The chain as the ORM reads it: one AuditEvent per row."""
    rows = session.scalars(select(m.AuditEvent).order_by(m.AuditEvent.seq)).all()
    return [audit.to_chain_entry(e) for e in rows]


def _both_reports(root):
    keyfile = KeyFile.load(root / "trefas.keys")
    checkpoints = read_checkpoints(root / "trefas.checkpoints")
    engine = open_engine(root / "trefas.db", _key(root))
    try:
        with Session(engine) as session:
            fast = verify_chain(audit.iter_chain(session, batch=7), checkpoints,
                                keyfile.public_key(), store_id=keyfile.store_id)
            reference = verify_chain(_reference_reading(session), checkpoints,
                                     keyfile.public_key(), store_id=keyfile.store_id)
    finally:
        engine.dispose()
    return fast, reference


def test_the_fast_reading_gives_what_the_orm_reading_gives(copy):
    engine = open_engine(copy / "trefas.db", _key(copy))
    try:
        with Session(engine) as session:
            fast = [ChainEntry(*row) for row in audit.iter_chain(session, batch=50)]
            reference = _reference_reading(session)
            window = [ChainEntry(*row) for row in audit.iter_chain(session, after=10, upto=20)]
    finally:
        engine.dispose()
    assert fast == reference and len(fast) > 250
    assert window == reference[10:20]
    assert {e.action for e in fast} >= {"test.varied", "user.list", "login", "logout"}
    # The same canonical bytes, so the same hashes.
    assert all(canonical_bytes(a) == canonical_bytes(b) for a, b in zip(fast, reference))
    varied = [e for e in fast if e.action == "test.varied"]
    assert any(e.case_id == str(2 ** 62) for e in varied)
    assert any(e.case_id == "-4" for e in varied) and any(e.person_id == "0" for e in varied)
    assert any(e.agency is None for e in varied)
    assert any(e.detail and "\\n" in e.detail for e in varied)


def _rewrite_from(conn, first):
    """Edit entry ``first`` and recompute every hash after it."""
    cols = ("seq", "at", "username", "agency", "role", "action", "subject_kind", "subject_id",
            "case_id", "person_id", "reason", "detail", "prev_hash")
    prev = conn.execute("SELECT hash FROM audit_events WHERE seq = ?", (first - 1,)).fetchone()[0]
    rows = conn.execute(f"SELECT {', '.join(cols)} FROM audit_events WHERE seq >= ? "
                        "ORDER BY seq", (first,)).fetchall()
    for values in rows:
        row = dict(zip(cols, values))
        if row["seq"] == first:
            row["reason"] = "efterhandskonstruktion"
        fields = {k: row[k] for k in cols if k != "username"} | {"user": row["username"]}
        for name in ("case_id", "person_id"):
            fields[name] = None if row[name] is None else str(row[name])
        fields["prev_hash"] = prev
        digest = entry_hash(prev, canonical_bytes(fields))
        conn.execute("UPDATE audit_events SET reason = ?, prev_hash = ?, hash = ? "
                     "WHERE seq = ?", (row["reason"], prev, digest, row["seq"]))
        prev = digest


def _swap(conn, a, b):
    cols = ("at", "username", "agency", "role", "action", "subject_kind", "subject_id",
            "case_id", "person_id", "reason", "detail", "prev_hash", "hash")
    rows = {s: conn.execute(f"SELECT {', '.join(cols)} FROM audit_events WHERE seq = ?",
                            (s,)).fetchone() for s in (a, b)}
    for target, source in ((a, rows[b]), (b, rows[a])):
        conn.execute(f"UPDATE audit_events SET {', '.join(f'{c} = ?' for c in cols)} "
                     "WHERE seq = ?", (*source, target))


TAMPERING = {
    "edited action": lambda c: c.execute("UPDATE audit_events SET action = 'user.lisu' "
                                         "WHERE seq = 90"),
    "edited user name": lambda c: c.execute("UPDATE audit_events SET username = 'bdmin' "
                                            "WHERE seq = 40"),
    "edited detail": lambda c: c.execute("UPDATE audit_events SET detail = '{}' "
                                         "WHERE detail IS NOT NULL AND seq > 30"),
    "deleted entry": lambda c: c.execute("DELETE FROM audit_events WHERE seq = 60"),
    "swapped entries": lambda c: _swap(c, 50, 150),
    "cut tail": lambda c: c.execute("DELETE FROM audit_events WHERE seq > "
                                    "(SELECT max(seq) - 5 FROM audit_events)"),
    "rewritten chain": lambda c: _rewrite_from(c, 45),
    "case id as text": lambda c: c.execute("UPDATE audit_events SET case_id = 'sju' "
                                           "WHERE case_id = 7 AND seq < 200"),
    "case id as a fraction": lambda c: c.execute("UPDATE audit_events SET case_id = 7.5 "
                                                 "WHERE case_id = 7 AND seq < 200"),
    "time as bytes": lambda c: c.execute("UPDATE audit_events SET at = X'00ff' WHERE seq = 33"),
    "person id removed": lambda c: c.execute("UPDATE audit_events SET person_id = NULL "
                                             "WHERE person_id = 0"),
    "damaged prev_hash": lambda c: c.execute("UPDATE audit_events SET prev_hash = 'zz' "
                                             "WHERE seq = 70"),
    "damaged hash": lambda c: c.execute("UPDATE audit_events SET hash = upper(hash) "
                                        "WHERE seq = 71"),
    "inserted entry": lambda c: c.execute(
        "INSERT INTO audit_events (seq, at, action, prev_hash, hash) SELECT max(seq) + 1, "
        "'2026-01-01T00:00:00.000000Z', 'login', hash, hash FROM audit_events"),
}


@pytest.mark.parametrize("kind", sorted(TAMPERING))
def test_both_readings_report_every_kind_of_tampering_alike(copy, kind):
    conn = _attacker(copy)
    TAMPERING[kind](conn)
    conn.close()
    fast, reference = _both_reports(copy)
    assert fast == reference
    assert not fast.ok, kind


# --- the incremental check -----------------------------------------------------------------


def _verify(root, full=False):
    s = unlock(root, "stina", PW)
    try:
        return audit_log.verify_log(s, s.actor, full=full)
    finally:
        s.close()


def _mark(root):
    conn = connect_raw(root / "trefas.db", _key(root))
    try:
        value = conn.execute("SELECT value FROM store_meta WHERE key = ?",
                             (audit_verify.MARK_KEY,)).fetchone()
    finally:
        conn.close()
    return json.loads(value[0]) if value else None


def test_the_first_check_is_full_and_the_next_one_incremental(copy):
    first = _verify(copy)
    assert first.ok and not first.incremental and first.entries > 250
    mark = _mark(copy)
    assert mark["seq"] == first.last_seq and mark["hash"] == first.last_hash
    second = _verify(copy)
    assert second.ok and second.incremental
    # The log-out, log-in and verify entries since the mark, and the window.
    assert second.last_seq > first.last_seq
    assert _mark(copy)["seq"] == second.last_seq
    full = _verify(copy, full=True)
    assert full.ok and not full.incremental and full.entries > second.last_seq - 1


def test_a_rewritten_old_entry_is_caught_by_the_incremental_check(copy):
    _verify(copy)
    conn = _attacker(copy)
    _rewrite_from(conn, 20)
    conn.close()
    report = _verify(copy)
    # Handed over to the full check, which names the first checkpoint that
    # no longer matches.
    assert not report.ok and not report.incremental
    assert "kontrollpunkt" in report.problem_sv


def test_a_cut_tail_after_the_mark_is_caught(copy):
    _verify(copy)
    conn = _attacker(copy)
    conn.execute("DELETE FROM audit_events WHERE seq > "
                 "(SELECT max(seq) - 3 FROM audit_events)")
    conn.close()
    assert not _verify(copy).ok


def _edit_in_place(root, seq):
    conn = _attacker(root)
    conn.execute("UPDATE audit_events SET action = 'user.lisu' WHERE seq = ?", (seq,))
    conn.close()


def test_an_old_entry_edited_in_place_is_caught_when_the_window_covers_it(copy, monkeypatch):
    _verify(copy)
    _edit_in_place(copy, 90)
    monkeypatch.setattr(audit_verify.secrets, "randbelow", lambda n: 0)
    monkeypatch.setattr(audit_verify, "spot_check", _window_of(100, audit_verify.spot_check))
    report = _verify(copy)
    assert not report.ok and report.first_bad_seq == 90 and not report.incremental


def _window_of(size, check):
    return lambda session, key, upto, start=None: check(session, key, upto, size, start)


def test_what_the_window_missed_the_full_check_finds(copy, monkeypatch):
    _verify(copy)
    _edit_in_place(copy, 30)
    monkeypatch.setattr(audit_verify, "spot_check", _window_of(50, audit_verify.spot_check))
    monkeypatch.setattr(audit_verify.secrets, "randbelow", lambda n: n - 1)  # the newest 50
    missed = _verify(copy)
    assert missed.ok and missed.incremental
    full = _verify(copy, full=True)
    assert not full.ok and full.first_bad_seq == 30


def test_a_forged_or_moved_mark_is_ignored(copy):
    _verify(copy)
    conn = _attacker(copy)
    mark = json.loads(conn.execute("SELECT value FROM store_meta WHERE key = ?",
                                   (audit_verify.MARK_KEY,)).fetchone()[0])
    last = conn.execute("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1"
                        ).fetchone()
    conn.execute("UPDATE store_meta SET value = ? WHERE key = ?",
                 (json.dumps(dict(mark, seq=last[0], hash=last[1])), audit_verify.MARK_KEY))
    conn.execute("UPDATE audit_events SET action = 'user.lisu' WHERE seq = 25")
    conn.close()
    report = _verify(copy)
    assert not report.ok and report.first_bad_seq == 25 and not report.incremental


def test_a_mark_signature_is_not_a_checkpoint_signature(copy):
    cp = read_checkpoints(copy / "trefas.checkpoints")[-1]
    keyfile = KeyFile.load(copy / "trefas.keys")
    engine = open_engine(copy / "trefas.db", _key(copy))
    try:
        with Session(engine) as session:
            session.add(m.StoreMeta(key=audit_verify.MARK_KEY, value=json.dumps(
                {"seq": cp.seq, "hash": cp.hash, "lines": 0, "lines_digest": cp.hash,
                 "signature": base64.b64decode(cp.signature).hex()})))
            session.flush()
            assert audit_verify.read_mark(session, keyfile.public_key(),
                                          keyfile.store_id) is None
    finally:
        engine.dispose()


def test_old_checkpoint_lines_are_not_rechecked_unless_they_changed(copy, monkeypatch):
    from trefas_app.store import audit_chain

    _verify(copy)
    checked = []
    real = audit_chain.verify_checkpoint
    monkeypatch.setattr(audit_chain, "verify_checkpoint",
                        lambda cp, key: checked.append(cp.seq) or real(cp, key))
    lines = len(read_checkpoints(copy / "trefas.checkpoints"))
    s = unlock(copy, "stina", PW)
    checked.clear()
    assert audit_log.verify_log(s, s.actor, full=False).incremental
    s.close()
    # Only the line written since the mark (the last log-out), not all of them.
    assert len(checked) == 1 and lines > 3

    # An old line edited: the mark's digest of the lines no longer fits, so
    # every signature is checked and the edit is found.
    path = copy / "trefas.checkpoints"
    raw = path.read_bytes().split(b"\n")
    first = json.loads(raw[0])
    raw[0] = json.dumps(dict(first, at="2020-01-01T00:00:00+00:00"),
                        separators=(",", ":")).encode()
    path.write_bytes(b"\n".join(raw))
    report = _verify(copy)
    assert not report.ok and "Kontrollpunkt nr 1" in report.problem_sv
