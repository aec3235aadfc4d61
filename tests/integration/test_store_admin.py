"""The administrator's store operations on real SQLCipher files: backup,
restore, re-key, retention (gallring), store check."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
import sqlcipher3
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trefas_app.domain import clock as one_clock
from trefas_app.domain.enums import Agency, CaseState, Category
from trefas_app.domain.errors import (
    AccessDenied,
    DatabaseDamaged,
    DiskFull,
    StoreError,
    WrongPassword,
)
from trefas_app.services import admin, audit_log, cases, consents, notes, persons, users
from trefas_app.services.admin import backups as admin_backups
from trefas_app.store import rekey as store_rekey
from trefas_app.store import models as m
from trefas_app.store.engine import connect_raw
from trefas_app.store.store import BACKUPS_KEPT, unlock

from stores import ADMIN_PASSWORD, build_sara_stina

PW = "Granskog-och-hav-42"


class Clock:
    """A settable clock shared by the sessions of one test."""

    def __init__(self, now: dt.datetime | None = None):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now or one_clock.now_utc()


@pytest.fixture
def world(store_templates, tmp_path):
    """admin + social worker sara + supervisor stina (city), all logged out."""
    root = tmp_path / "store"
    recovery = store_templates.copy(build_sara_stina, root)
    return root, recovery


def _person_case_note(session, first: str, note_body: str = "Samtal om skolan"):
    p = persons.create_person(session.uow(), session.actor, persons.PersonInput(first, "Test"))
    c = cases.open_case(session.uow(), session.actor, p.id, f"Ärende {first}")
    n = notes.write_note(session.uow(), session.actor, c.id, "Samtal", note_body)
    notes.sign_note(session.uow(), session.actor, n.id)
    return p, c


def _count(store, model) -> int:
    with Session(store.engine) as s:
        return s.scalar(select(func.count()).select_from(model))


def _actions(store) -> list[str]:
    with Session(store.engine) as s:
        return list(s.scalars(select(m.AuditEvent.action).order_by(m.AuditEvent.seq)).all())


# --- backup --------------------------------------------------------------------


def test_backup_is_encrypted_verified_and_logged(world):
    root, _ = world
    a = unlock(root, "stina", PW)
    info = admin.backup(a, a.actor)
    assert info.path.exists() and info.path.parent == a.paths.backups
    assert info.key_path.read_bytes() == a.paths.keys.read_bytes()
    assert info.size == info.path.stat().st_size > 0
    assert not info.path.read_bytes().startswith(b"SQLite format 3")
    assert oct(info.path.stat().st_mode & 0o777) == oct(0o600)
    # No journal or temp files are left behind; beside the copy, its key file
    # and the witness of the newest checkpoint (owner-only).
    witness = info.path.with_suffix(".witness")
    assert sorted(p.name for p in a.paths.backups.iterdir()) == sorted(
        [info.path.name, info.key_path.name, witness.name])
    assert oct(witness.stat().st_mode & 0o777) == oct(0o600)
    conn = connect_raw(info.path, a.data_key)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT count(*) FROM users").fetchone()[0] == 3
    conn.close()
    assert _actions(a)[-1] == "backup"
    assert [b.path for b in admin.list_backups(a)] == [info.path]
    a.close()


def test_backups_rotate_to_the_newest_ten(world):
    root, _ = world
    a = unlock(root, "stina", PW)
    made = [admin.backup(a, a.actor).path for _ in range(BACKUPS_KEPT + 2)]
    kept = admin.list_backups(a)
    assert [b.path for b in kept] == list(reversed(made[2:]))
    assert all(b.key_path is not None for b in kept)
    assert not made[0].exists() and not made[1].exists()
    assert len(list(a.paths.backups.glob("*.keys"))) == BACKUPS_KEPT
    a.close()


def test_backup_on_a_full_disk_leaves_no_partial_file(world, monkeypatch):
    root, _ = world
    a = unlock(root, "stina", PW)
    before = _actions(a)

    def full_disk(src, dst, key):
        dst.write_bytes(b"\x00" * 8192)  # what had been written when the disk filled
        raise sqlcipher3.OperationalError("database or disk is full")

    monkeypatch.setattr(admin_backups, "online_copy", full_disk)
    with pytest.raises(DiskFull) as err:
        admin.backup(a, a.actor)
    assert "Disken är full" in err.value.sv
    assert list(a.paths.backups.iterdir()) == []
    assert _actions(a) == before  # nothing logged for a backup that does not exist
    a.close()


def test_only_the_administrator_may_back_up(world):
    root, _ = world
    sara = unlock(root, "sara", PW)
    with pytest.raises(AccessDenied):
        admin.backup(sara, sara.actor)
    assert not sara.paths.backups.exists() or list(sara.paths.backups.iterdir()) == []
    assert _actions(sara)[-1] == "access.denied"
    sara.close()


# --- restore -------------------------------------------------------------------


def test_backup_and_restore_round_trip(world):
    root, _ = world
    sara = unlock(root, "sara", PW)
    p1, c1 = _person_case_note(sara, "Före")
    sara.close()

    a = unlock(root, "stina", PW)
    info = admin.backup(a, a.actor)
    a.close()

    sara = unlock(root, "sara", PW)
    p2, c2 = _person_case_note(sara, "Efter")
    assert persons.list_persons(sara.uow(), sara.actor).total == 2
    sara.close()

    a = unlock(root, "stina", PW)
    with Session(a.engine) as s:
        seq_before = s.scalar(select(func.max(m.AuditEvent.seq)))
    restored = admin.restore(a, a.actor, info.path)
    # The old session is retired; the new one works.
    with pytest.raises(StoreError):
        a.uow()
    assert restored.actor.username == "stina"  # a key holder restores (not the administrator)
    assert sorted(p.name for p in root.glob("trefas.db.before-restore-*")) != []
    # The log is never rolled back, so the checkpoints stay valid and in place.
    assert sorted(p.name for p in root.glob("trefas.checkpoints.before-restore-*")) == []
    assert audit_log.verify_log(restored, restored.actor).ok
    acts = _actions(restored)
    assert acts[-2:] == ["restore", "audit.verify"]
    with Session(restored.engine) as s:
        entry = s.scalars(select(m.AuditEvent).where(m.AuditEvent.action == "restore")).one()
        assert entry.subject_id == info.path.name
        assert f'"before_seq": {seq_before}' in entry.detail
        # The whole log is carried into the restored database: the chain goes
        # on from the head before the restore, not from the backup's.
        assert entry.seq == seq_before + 1
    restored.close()

    sara = unlock(root, "sara", PW)
    listed = persons.list_persons(sara.uow(), sara.actor)
    assert [r.id for r in listed.rows] == [p1.id]
    assert cases.get_case(sara.uow(), sara.actor, c1.id).number == c1.number
    sara.close()
    a = unlock(root, "stina", PW)
    report = admin.check_store(root)
    assert report.ok, report.problems
    a.close()

    # The database from before the restore is kept, whole and readable.
    kept = next(root.glob("trefas.db.before-restore-*"))
    a = unlock(root, "stina", PW)
    conn = connect_raw(kept, a.data_key)
    assert conn.execute("SELECT count(*) FROM persons").fetchone()[0] == 2
    conn.close()
    a.close()


def _person_ids_and_log(root) -> tuple[list[int], list[str]]:
    s = unlock(root, "stina", PW)
    try:
        ids = [r.id for r in persons.list_persons(s.uow(), s.actor).rows]
        with Session(s.engine) as session:
            log = list(session.scalars(select(m.AuditEvent.hash)).all())
        return ids, log
    finally:
        s.close()


def test_a_restore_refuses_rather_than_drop_what_another_session_wrote_meanwhile(
        world, monkeypatch):
    """Review finding 7: another session commits after the before-restore copy
    was taken; the restore must not overwrite it (the old code did, silently)."""
    from trefas_app.services.admin import restores

    root, _ = world
    a = unlock(root, "stina", PW)
    info = admin.backup(a, a.actor)
    a.close()
    sara = unlock(root, "sara", PW)  # another session, open during the restore
    written = {}
    stage = restores._stage_restore

    def stage_while_sara_writes(*args):
        stage(*args)
        written["person"] = persons.create_person(sara.uow(), sara.actor,
                                                  persons.PersonInput("Under", "Tiden")).id

    monkeypatch.setattr(restores, "_stage_restore", stage_while_sara_writes)
    a = unlock(root, "stina", PW)
    with pytest.raises(StoreError) as refused:  # StoreChangedDuringRestore
        admin.restore(a, a.actor, info.path)
    assert "inget har gått förlorat" in refused.value.sv and "nothing was lost" in refused.value.en
    a.close()
    assert list(root.glob("*before-restore*")) == [] and list(root.glob("*restore-new*")) == []
    ids, log_before = _person_ids_and_log(root)
    assert written["person"] in ids  # what sara wrote is there, and so is its log entry
    monkeypatch.setattr(restores, "_stage_restore", stage)
    a = unlock(root, "stina", PW)  # with no one writing meanwhile, the same restore runs
    restored = admin.restore(a, a.actor, info.path)
    restored.close()
    sara.close()
    ids, log_after = _person_ids_and_log(root)
    assert written["person"] not in ids  # the backup is in place…
    assert log_after[:len(log_before)] == log_before  # …and the log kept every entry


def _damage(path: Path, offset_fraction: float = 0.5, length: int = 64) -> None:
    data = bytearray(path.read_bytes())
    start = int(len(data) * offset_fraction)
    for i in range(start, start + length):
        data[i] ^= 0xA5
    path.write_bytes(bytes(data))


def test_restore_refuses_a_damaged_backup_without_touching_the_store(world):
    root, _ = world
    sara = unlock(root, "sara", PW)
    for i in range(30):
        _person_case_note(sara, f"P{i}", "x" * 2000)
    sara.close()
    a = unlock(root, "stina", PW)
    info = admin.backup(a, a.actor)
    _damage(info.path)
    cp_before = a.paths.checkpoints.read_bytes()
    events_before = _count(a, m.AuditEvent)
    with pytest.raises(DatabaseDamaged) as err:
        admin.restore(a, a.actor, info.path)
    assert "Ingenting har ändrats" in err.value.sv
    assert list(root.glob("*before-restore*")) == []
    assert a.paths.checkpoints.read_bytes() == cp_before
    # The session goes on as before: nothing was replaced.
    assert _count(a, m.Person) == 30
    assert _count(a, m.AuditEvent) == events_before
    assert audit_log.verify_log(a, a.actor).ok
    a.close()


def test_restore_refuses_a_backup_with_a_damaged_first_page(world):
    root, _ = world
    a = unlock(root, "stina", PW)
    info = admin.backup(a, a.actor)
    data = bytearray(info.path.read_bytes())
    data[100:164] = bytes(64)
    info.path.write_bytes(bytes(data))
    # The backup's own key file shows it was made with the current key, so
    # the message is "damaged", not "another key".
    with pytest.raises(DatabaseDamaged) as err:
        admin.restore(a, a.actor, info.path)
    assert "skadad" in err.value.sv
    assert not isinstance(err.value, admin.BackupKeyMismatch)
    assert list(root.glob("*before-restore*")) == []
    a.close()


def test_restore_refuses_a_backup_from_before_a_rekey(world):
    root, _ = world
    a = unlock(root, "stina", PW)
    info = admin.backup(a, a.actor)
    admin.rekey(a, a.actor)
    with pytest.raises(admin.BackupKeyMismatch) as err:
        admin.restore(a, a.actor, info.path)
    assert "nyckelfil" in err.value.sv and info.key_path.name in err.value.sv
    assert list(root.glob("*before-restore*")) == []
    a.close()
    # Together with its own key file the backup is a whole store again.
    old = root.parent / "old-store"
    old.mkdir()
    shutil.copyfile(info.path, old / "trefas.db")
    shutil.copyfile(info.key_path, old / "trefas.keys")
    s = unlock(old, "sara", PW)
    assert s.actor.username == "sara"
    s.close()


def test_restore_needs_permission(world):
    root, _ = world
    a = unlock(root, "stina", PW)
    info = admin.backup(a, a.actor)
    a.close()
    # A supervisor restores now (the key holder's half); a social worker may not.
    sara = unlock(root, "sara", PW)
    with pytest.raises(AccessDenied):
        admin.restore(sara, sara.actor, info.path)
    sara.close()


# --- re-key ---------------------------------------------------------------------


def test_rekey_old_key_opens_nothing_and_everyone_still_logs_in(world):
    root, recovery = world
    sara = unlock(root, "sara", PW)
    p, c = _person_case_note(sara, "Rekey")
    sara.close()

    a = unlock(root, "stina", PW)
    old_key = a.data_key
    old_keyfile = a.paths.keys.read_bytes()
    admin.rekey(a, a.actor)
    assert a.data_key != old_key
    assert a.paths.keys.read_bytes() != old_keyfile
    assert not any(p.name.startswith(("trefas.db.rekey", "trefas.keys.rekey", "trefas.rekey"))
                   for p in root.iterdir())
    # The same session goes on working, with the new key.
    users.list_users(a.uow(), a.actor)
    assert "rekey" in _actions(a)
    report = audit_log.verify_log(a, a.actor)
    assert report.ok, report
    a.close()

    with pytest.raises(DatabaseDamaged):
        connect_raw(root / "trefas.db", old_key)

    for name, pw in (("sara", PW), ("stina", PW)):
        s = unlock(root, name, pw)
        assert s.data_key != old_key
        s.close()
    a = unlock(root, "admin", ADMIN_PASSWORD)  # still logs in, to a session without the key
    assert not a.has_data_key
    a.close()
    sara = unlock(root, "sara", PW)
    assert notes.list_notes(sara.uow(), sara.actor, c.id).total == 1
    sara.close()
    from trefas_app.store.store import unlock_with_recovery_key
    r = unlock_with_recovery_key(root, recovery)
    r.close()
    assert admin.check_store(root).ok


def test_interrupted_rekey_between_the_renames_is_finished(world, monkeypatch):
    root, _ = world
    a = unlock(root, "stina", PW)
    real_replace = os.replace
    calls = []

    def crash_after_keys(src, dst):
        calls.append(Path(src).name)
        real_replace(src, dst)
        if Path(dst).name == "trefas.keys" and Path(src).name.endswith("rekey-new"):
            raise KeyboardInterrupt("power cut")

    monkeypatch.setattr(os, "replace", crash_after_keys)
    with pytest.raises(KeyboardInterrupt):
        admin.rekey(a, a.actor)
    monkeypatch.setattr(os, "replace", real_replace)
    a.engine.dispose()

    report = admin.check_store(root)
    assert not report.ok and any("nyckelbyte" in p for p in report.problems)
    # Log-in finishes the interrupted re-key before it reads the key file.
    s = unlock(root, "stina", PW)
    s.close()
    assert admin.recover_interrupted_rekey(root) is None
    assert admin.check_store(root).ok


def test_notes_signed_before_two_rekeys_still_verify(world):
    """The signing key rotates at every re-key; the key of the note seals in
    the access log must not, or every earlier signed note reads as changed."""
    root, _ = world
    sara = unlock(root, "sara", PW)
    _person_case_note(sara, "Sigill")
    sara.close()
    a = unlock(root, "stina", PW)
    seal_key, public_keys = a.note_seal_key, {a.keyfile.signing_public_key}
    for _ in range(2):
        admin.rekey(a, a.actor)
        public_keys.add(a.keyfile.signing_public_key)
        assert a.note_seal_key == seal_key
        report = audit_log.verify_log(a, a.actor)
        assert report.ok, report
    assert len(public_keys) == 3
    a.close()
    again = unlock(root, "sara", PW)
    assert again.note_seal_key == seal_key
    again.close()
    assert admin.check_store(root).ok


def test_rekey_never_launders_a_forged_or_torn_checkpoint(world):
    """Re-signing the checkpoints with the new key must not make one valid that
    the old key never signed; a torn line must not block the re-key either."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from trefas_app.store.audit_chain import (
        append_checkpoint,
        read_checkpoints,
        sign_checkpoint,
        verify_checkpoint,
    )
    from trefas_app.store.keyslots import KeyFile

    root, _ = world
    a = unlock(root, "stina", PW)
    append_checkpoint(a.paths.checkpoints, sign_checkpoint(
        Ed25519PrivateKey.generate(), a.store_id, 10_000, "a" * 64, "2026-01-01T00:00:00+00:00"))
    with open(a.paths.checkpoints, "ab") as f:
        f.write(b'{"store_id": "torn')  # a write cut off by a power failure
    admin.rekey(a, a.actor)
    new_public = KeyFile.load(a.paths.keys).signing_public_key
    checkpoints = read_checkpoints(a.paths.checkpoints)
    forged = [cp for cp in checkpoints if cp.seq in (10_000, -1)]
    genuine = [cp for cp in checkpoints if cp not in forged]
    assert len(forged) == 2 and genuine
    assert all(verify_checkpoint(cp, new_public) for cp in genuine)
    assert not any(verify_checkpoint(cp, new_public) for cp in forged)
    a.close()
    assert not admin.check_store(root).ok  # still reported


def test_rekey_that_fails_before_the_journal_changes_nothing(world, monkeypatch):
    root, _ = world
    a = unlock(root, "stina", PW)
    key, keyfile = a.data_key, a.paths.keys.read_bytes()

    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store_rekey, "atomic_write", fail)
    with pytest.raises(DiskFull):
        admin.rekey(a, a.actor)
    assert a.paths.keys.read_bytes() == keyfile and a.data_key == key
    assert sorted(p.name for p in root.iterdir() if "rekey" in p.name) == []
    users.list_users(a.uow(), a.actor)  # the session still works
    a.close()
    unlock(root, "sara", PW).close()


# --- retention ------------------------------------------------------------------


def _close_case(sara, stina, case_id):
    cases.move_case(sara.uow(), sara.actor, case_id, CaseState.CLOSURE_REQUESTED,
                    "Insatsen är avslutad")
    cases.move_case(stina.uow(), stina.actor, case_id, CaseState.CLOSED)


def test_retention_deletes_exactly_the_expired_closed_cases(world):
    root, _ = world
    clock = Clock(dt.datetime(2015, 3, 2, 10, 0, tzinfo=dt.timezone.utc))
    sara = unlock(root, "sara", PW, clock=clock)
    stina = unlock(root, "stina", PW, clock=clock)

    # Old and closed in 2015: expired since 2020.
    old_p, old_c = _person_case_note(sara, "Gammal")
    draft = notes.write_note(sara.uow(), sara.actor, old_c.id, "Utkast", "Osignerat")
    fix = notes.write_note(sara.uow(), sara.actor, old_c.id, "Rättelse", "Rätt",
                           corrects_id=notes.list_notes(sara.uow(), sara.actor, old_c.id)
                           .rows[-1].id)
    notes.sign_note(sara.uow(), sara.actor, fix.id)
    consents.record_consent(sara.uow(), sara.actor, consents.ConsentInput(
        person_id=old_p.id, purpose="SIG", valid_from=dt.date(2015, 3, 1),
        valid_until=dt.date(2015, 12, 31), case_id=old_c.id,
        grants=frozenset({(Agency.POLICE, Category.SOCIAL)})))
    _close_case(sara, stina, old_c.id)
    # A person with one expired and one open case: the person stays.
    shared_p, shared_old = _person_case_note(sara, "Delad")
    _close_case(sara, stina, shared_old.id)
    shared_new = cases.open_case(sara.uow(), sara.actor, shared_p.id, "Nytt ärende")
    # Closed long ago but still within retention? No: reopened and closed now.
    clock.now = None
    recent_p, recent_c = _person_case_note(sara, "Nyss")
    _close_case(sara, stina, recent_c.id)
    open_p, open_c = _person_case_note(sara, "Öppen")
    sara.close()
    stina.close()

    a = unlock(root, "stina", PW)
    notes_before = _count(a, m.Note)
    assert notes_before == 6
    report = admin.run_retention(a, a.actor, one_clock.today())
    assert report.cases_deleted == 2
    assert set(report.case_ids) == {old_c.id, shared_old.id}

    with Session(a.engine) as s:
        remaining_cases = set(s.scalars(select(m.Case.id)).all())
        assert remaining_cases == {shared_new.id, recent_c.id, open_c.id}
        assert set(s.scalars(select(m.Person.id)).all()) == {shared_p.id, recent_p.id,
                                                            open_p.id}
        assert set(s.scalars(select(m.Note.case_id)).all()) == {recent_c.id, open_c.id}
        assert s.scalar(select(func.count()).select_from(m.Note)) == 2
        assert s.scalar(select(func.count()).select_from(m.Consent)) == 0
        assert s.scalar(select(func.count()).select_from(m.ConsentGrant)) == 0
        assert s.scalar(select(func.count()).select_from(m.RetentionPurge)) == 0
        assert s.scalar(select(func.count()).select_from(m.TeamMember).where(
            m.TeamMember.case_id.in_([old_c.id, shared_old.id]))) == 0
        assert s.scalar(select(func.count()).select_from(m.StateChange).where(
            m.StateChange.entity == "case",
            m.StateChange.entity_id.in_([old_c.id, shared_old.id]))) == 0
        logged = s.scalars(select(m.AuditEvent).where(
            m.AuditEvent.action == "retention.delete").order_by(m.AuditEvent.seq)).all()
        assert [(e.case_id, e.subject_id) for e in logged] == [
            (old_c.id, str(old_c.id)), (shared_old.id, str(shared_old.id))]
        assert old_c.number in logged[0].detail
        assert '"person_deleted": true' in logged[0].detail
        assert '"person_deleted": false' in logged[1].detail
        assert all(e.person_id is None and e.reason is None for e in logged)
        # The log keeps what it had about the deleted case (identifiers only).
        assert s.scalar(select(func.count()).select_from(m.AuditEvent).where(
            m.AuditEvent.case_id == old_c.id, m.AuditEvent.action == "note.sign")) == 2
        assert s.connection().exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
    assert _actions(a)[-1] == "retention.run"
    assert audit_log.verify_log(a, a.actor).ok
    # A second run finds nothing more.
    assert admin.run_retention(a, a.actor, one_clock.today()).cases_deleted == 0
    a.close()
    assert draft.id  # the draft went with its case (counted above)


def test_signed_notes_cannot_be_deleted_outside_retention(world):
    root, _ = world
    sara = unlock(root, "sara", PW)
    _, c = _person_case_note(sara, "Skyddad")
    sara.close()
    a = unlock(root, "stina", PW)
    conn = connect_raw(root / "trefas.db", a.data_key)
    with pytest.raises(sqlcipher3.IntegrityError, match="signed note"):
        conn.execute("DELETE FROM notes WHERE case_id = ?", (c.id,))
    conn.close()
    a.close()


def test_retention_needs_permission(world):
    root, _ = world
    sara = unlock(root, "sara", PW)  # supervisors run retention now; social workers never
    with pytest.raises(AccessDenied):
        admin.run_retention(sara, sara.actor, one_clock.today())
    sara.close()


# --- check ----------------------------------------------------------------------


def test_check_store_healthy_and_with_credentials(world):
    root, _ = world
    assert admin.check_store(root) == admin.CheckReport(ok=True, problems=[])
    report = admin.check_store(root, "stina", PW)
    assert report.ok, report.problems
    a = unlock(root, "stina", PW)
    assert "store.check" in _actions(a)
    a.close()
    with pytest.raises(WrongPassword):
        admin.check_store(root, "stina", "Inte-rätt-lösenord-alls")


def test_the_store_check_entry_is_followed_by_its_due_checkpoint(world, monkeypatch):
    """``store.check`` is logged through the unit of work, so a checkpoint falls
    due after it like after any other entry (it used to be committed on a
    session of its own, with no checkpoint ever following)."""
    from trefas_app.store.audit_chain import read_checkpoints
    from trefas_app.store import store as store_module

    root, _ = world
    monkeypatch.setattr(store_module, "CHECKPOINT_EVERY", 1)  # every entry is "a thousand"
    before = len(read_checkpoints(root / "trefas.checkpoints"))
    assert admin.check_store(root, "stina", PW).ok
    lines = read_checkpoints(root / "trefas.checkpoints")
    assert len(lines) == before + 1
    a = unlock(root, "stina", PW)
    with Session(a.engine) as s:
        check_seq = s.scalar(select(func.max(m.AuditEvent.seq))
                             .where(m.AuditEvent.action == "store.check"))
    a.close()
    assert lines[-1].seq == check_seq


def test_check_store_finds_each_problem(world):
    root, _ = world
    db, keys, cps = root / "trefas.db", root / "trefas.keys", root / "trefas.checkpoints"

    saved = cps.read_bytes()
    cps.write_bytes(saved.replace(b'"seq":', b'"seq":1', 1))
    report = admin.check_store(root)
    assert not report.ok and any("signatur" in p for p in report.problems)
    cps.write_bytes(saved)

    original = db.read_bytes()
    _damage(db, 0.5, 32)
    report = admin.check_store(root)  # without a password the damage is invisible
    assert report.ok
    report = admin.check_store(root, "stina", PW)
    assert not report.ok and report.problems
    db.write_bytes(original)

    db.write_bytes(original[:-100])
    assert any("storlek" in p for p in admin.check_store(root).problems)
    db.write_bytes(original)

    conn = sqlcipher3.connect(str(root / "plain.db"))
    conn.execute("CREATE TABLE t(x)")
    conn.commit()
    conn.close()
    os.replace(root / "plain.db", db)
    assert any("inte krypterad" in p for p in admin.check_store(root).problems)
    db.write_bytes(original)

    key_bytes = keys.read_bytes()
    keys.unlink()
    assert any("Nyckelfilen saknas" in p for p in admin.check_store(root).problems)
    keys.write_bytes(key_bytes[: len(key_bytes) // 2])
    assert any("skadad" in p for p in admin.check_store(root).problems)
    keys.write_bytes(key_bytes)
    assert admin.check_store(root).ok


def test_documents_issued_before_a_rekey_still_verify_and_the_old_key_forges_nothing(world):
    """A re-key replaces the signing key; a document issued earlier is still
    genuine (the exact file is in the register), while a new file signed with
    the retired key — which a removed user may hold — is not accepted."""
    import io

    import pikepdf

    from trefas_app.documents.model import document_from_json
    from trefas_app.documents.render import render_pdf
    from trefas_app.documents.verification import ATTACHMENT_NAME, DocumentSigner
    from trefas_app.services import documents

    root, _ = world
    sara = unlock(root, "sara", PW)
    _, case = _person_case_note(sara, "Dokument", "QZGENUINE Samtal om skolan")
    sara.close()
    stina = unlock(root, "stina", PW)
    summary = documents.issue_case_summary(stina.uow(), stina.actor, case.id)
    retired_key = stina.signing_key
    stina.close()
    a = unlock(root, "stina", PW)
    admin.rekey(a, a.actor)
    a.close()

    stina = unlock(root, "stina", PW)
    try:
        check = documents.verify_document(stina, summary.pdf_bytes)
        assert check.ok and check.known and check.number == summary.number
        assert "tidigare nyckel" in check.reason_sv
        with pikepdf.open(io.BytesIO(summary.pdf_bytes)) as pdf:
            canonical = pdf.attachments[ATTACHMENT_NAME].get_file().read_bytes()
        assert b"QZGENUINE" in canonical
        doc = document_from_json(canonical.replace(b"QZGENUINE", b"QZFORGED"))
        forged = render_pdf(doc, DocumentSigner(retired_key, stina.store_id))
        check = documents.verify_document(stina, forged)
        assert not check.ok and check.code == "other_key" and not check.known
    finally:
        stina.close()
