"""The access log survives rollbacks, restores and crashes (issue 9, "The log
survives everything"): the checkpoint chain and its witnesses, alarms that
only a key holder acknowledges, restore carrying the log forward, a re-key
finished by crash recovery, and checked failed log-ins from the key file."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from trefas_app.domain.clock import today
from trefas_app.domain.enums import Agency, Category, Role
from trefas_app.domain.errors import AccessDenied, ValidationError
from trefas_app.store.audit_chain import checkpoint_line, read_checkpoints, sign_checkpoint
from trefas_app.services import accounts, admin, audit_log, consents, persons
from trefas_app.services.admin import backups as admin_backups
from trefas_app.store import rekey as store_rekey
from trefas_app.store import models as m
from trefas_app.store.keyslots import KeyFile
from trefas_app.store.store import unlock, unlock_with_recovery_key
from trefas_app.store.witness import user_witness_path

from stores import ADMIN_PASSWORD, build_sara_stina

PW = "Granskog-och-hav-42"


@pytest.fixture
def world(tmp_path):
    """admin + social worker sara + supervisor stina (city), all logged out.
    Built in the test itself, not copied: test_sessions_closing_at_once_…
    raised a checkpoint alarm on a copied store (to be found out)."""
    root = tmp_path / "store"
    recovery = build_sara_stina(root)
    return root, recovery


def _actions(store) -> list[str]:
    with Session(store.engine) as s:
        return list(s.scalars(select(m.AuditEvent.action).order_by(m.AuditEvent.seq)).all())


def _consent(sara):
    person = persons.create_person(sara.uow(), sara.actor, persons.PersonInput("Amir", "Test"))
    view = consents.record_consent(sara.uow(), sara.actor, consents.ConsentInput(
        person_id=person.id, purpose="Samverkan SIG", valid_from=today(),
        valid_until=today() + dt.timedelta(days=365),
        grants=frozenset({(Agency.POLICE, Category.SOCIAL)})))
    return person.id, view.id


def _status(store, person_id, consent_id) -> str:
    rows = consents.list_consents(store.uow(), store.actor, person_id)
    return next(c.status for c in rows if c.id == consent_id)


def _verify(root, user, password):
    s = unlock(root, user, password)
    try:
        return audit_log.verify_log(s, s.actor)
    finally:
        s.close()


def _rolled_back_with_a_withdrawn_consent(root):
    """sara records a consent; a backup; sara withdraws the consent. Returns
    the backup and the ids."""
    sara = unlock(root, "sara", PW)
    person_id, consent_id = _consent(sara)
    sara.close()
    a = unlock(root, "stina", PW)
    info = admin.backup(a, a.actor)
    a.close()
    sara = unlock(root, "sara", PW)
    consents.withdraw_consent(sara.uow(), sara.actor, consent_id, "Återkallade muntligt")
    assert _status(sara, person_id, consent_id) == "withdrawn"
    sara.close()
    return info, person_id, consent_id


# --- item 1: rollback with the checkpoints cut or deleted -------------------------


def test_rollback_with_the_checkpoint_file_deleted_raises_a_standing_alarm(world):
    root, _ = world
    info, person_id, consent_id = _rolled_back_with_a_withdrawn_consent(root)
    # The attack: the backup's database and key file over the store, and the
    # checkpoints that would give it away deleted.
    shutil.copyfile(info.path, root / "trefas.db")
    shutil.copyfile(info.key_path, root / "trefas.keys")
    (root / "trefas.checkpoints").unlink()

    sara = unlock(root, "sara", PW)
    assert _status(sara, person_id, consent_id) == "active"  # the rollback itself worked …
    assert {a.code for a in sara.alarms} >= {"missing"}  # … but it is noticed
    assert "checkpoints.alarm" in _actions(sara)
    sara.close()

    # The alarm stands at every log-in (the re-created file does not hide it),
    # and check and verify fail, until a key holder acknowledges it.
    for _ in range(2):
        s = unlock(root, "stina", PW)
        assert s.alarms
        s.close()
    report = admin.check_store(root, "stina", PW)
    assert not report.ok and any("kvitterat" in p or "kontrollpunkt" in p.lower()
                                 for p in report.problems)
    assert not _verify(root, "stina", PW).ok

    # An administrator alone cannot acknowledge it; the refusal is logged (the
    # administrator's session has no key: the refusal waits in the key file
    # and enters the log at the next key holder's log-in).
    a = unlock(root, "admin", ADMIN_PASSWORD)
    with pytest.raises(AccessDenied):
        audit_log.acknowledge_alarm(a, a.actor, "Jag har granskat återställningen")
    a.close()

    stina = unlock(root, "stina", PW)
    assert "access.denied" in _actions(stina)[-6:]
    with pytest.raises(ValidationError):
        audit_log.acknowledge_alarm(stina, stina.actor, "ok")  # a reason is required
    audit_log.acknowledge_alarm(stina, stina.actor, "Granskat: kopian lades tillbaka av IT")
    assert _actions(stina)[-1] == "checkpoints.acknowledge"
    stina.close()

    s = unlock(root, "stina", PW)
    assert s.alarms == []
    s.close()
    assert _verify(root, "stina", PW).ok
    assert admin.check_store(root, "stina", PW).ok


def test_rollback_with_the_last_checkpoint_lines_cut_is_caught_by_the_witness(world):
    root, _ = world
    info, person_id, consent_id = _rolled_back_with_a_withdrawn_consent(root)
    # The database and key file of the backup, and the checkpoint file cut to
    # the lines the backup's log can satisfy: consistent in itself.
    shutil.copyfile(info.path, root / "trefas.db")
    shutil.copyfile(info.key_path, root / "trefas.keys")
    with Session_of(root, info) as (head, lines):
        keep = [line for line, cp in lines if cp.seq <= head]
    (root / "trefas.checkpoints").write_bytes(b"".join(line + b"\n" for line in keep))
    # Also the witness beside the backup is removed: the profile's catches it.
    info.path.with_suffix(".witness").unlink()

    sara = unlock(root, "sara", PW)
    assert "shortened" in {a.code for a in sara.alarms}
    sara.close()
    assert not admin.check_store(root, "stina", PW).ok


def test_the_witness_beside_a_backup_catches_a_rollback_on_another_computer(world, tmp_path,
                                                                           monkeypatch):
    root, _ = world
    info, person_id, consent_id = _rolled_back_with_a_withdrawn_consent(root)
    shutil.copyfile(info.path, root / "trefas.db")
    shutil.copyfile(info.key_path, root / "trefas.keys")
    (root / "trefas.checkpoints").unlink()
    monkeypatch.setenv("TREFAS_WITNESS_DIR", str(tmp_path / "another-profile"))
    s = unlock(root, "sara", PW)
    assert s.alarms
    s.close()


def test_a_whole_folder_rolled_back_is_caught_by_the_profile_witness(world, tmp_path,
                                                                     monkeypatch):
    root, _ = world
    saved = tmp_path / "saved"
    shutil.copytree(root, saved)
    sara = unlock(root, "sara", PW)
    _consent(sara)
    sara.close()
    shutil.rmtree(root)
    shutil.copytree(saved, root)
    s = unlock(root, "stina", PW)
    assert {a.code for a in s.alarms} & {"shortened", "replaced"}
    s.close()
    # What no witness saw cannot be noticed (README, security model): a
    # profile that never saw the later state has nothing to hold against it.
    shutil.rmtree(root)
    shutil.copytree(saved, root)
    monkeypatch.setenv("TREFAS_WITNESS_DIR", str(tmp_path / "fresh-profile"))
    s = unlock(root, "stina", PW)
    assert s.alarms == []
    s.close()


def test_the_recovery_key_may_acknowledge(world):
    root, recovery = world
    (root / "trefas.checkpoints").unlink()
    s = unlock(root, "stina", PW)
    assert s.alarms
    s.close()
    r = unlock_with_recovery_key(root, recovery)
    audit_log.acknowledge_alarm(r, r.actor, "Granskat med återställningsnyckeln")
    r.close()
    s = unlock(root, "stina", PW)
    assert s.alarms == []
    s.close()


def test_the_witness_is_owner_only_and_not_renewed_while_an_alarm_stands(world):
    root, _ = world
    s = unlock(root, "sara", PW)
    store_id = s.store_id
    s.close()
    path = user_witness_path(store_id)
    assert oct(path.stat().st_mode & 0o777) == oct(0o600)
    before = path.read_bytes()
    lines = (root / "trefas.checkpoints").read_bytes().splitlines(keepends=True)
    (root / "trefas.checkpoints").write_bytes(b"".join(lines[:-1]))
    s = unlock(root, "sara", PW)
    assert s.alarms
    s.close()
    assert path.read_bytes() == before  # the evidence is kept


def test_checkpoint_lines_are_chained(world):
    root, _ = world
    for _ in range(2):
        unlock(root, "sara", PW).close()
    path = root / "trefas.checkpoints"
    lines = read_checkpoints(path)
    assert len(lines) >= 4 and all(cp.prev for cp in lines)
    assert _verify(root, "stina", PW).ok
    # A line removed in the middle breaks the chain.
    raw = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(raw[:1] + raw[2:]))
    report = _verify(root, "stina", PW)
    assert not report.ok and "hänger inte ihop" in report.problem_sv


def test_an_older_unchained_file_is_accepted_once_and_continued_as_a_chain(world):
    root, _ = world
    s = unlock(root, "stina", PW)
    key, store_id = s.signing_key, s.store_id
    s.close()
    path = root / "trefas.checkpoints"
    legacy = [sign_checkpoint(key, store_id, cp.seq, cp.hash, cp.at)
              for cp in read_checkpoints(path)]
    path.write_bytes(b"".join(checkpoint_line(cp) + b"\n" for cp in legacy))
    assert _verify(root, "stina", PW).ok
    lines = read_checkpoints(path)
    assert [cp.prev for cp in lines[:len(legacy)]] == [None] * len(legacy)
    assert lines[len(legacy)].prev == lines[len(legacy) - 1].line_digest
    assert _verify(root, "stina", PW).ok
    # An unchained line after the chain began is not accepted.
    last = read_checkpoints(path)[-1]
    with open(path, "ab") as fh:
        fh.write(checkpoint_line(sign_checkpoint(key, store_id, last.seq, last.hash,
                                                 last.at)) + b"\n")
    assert not _verify(root, "stina", PW).ok


def test_a_rekey_keeps_the_chain_and_the_witnesses(world):
    root, _ = world
    a = unlock(root, "stina", PW)
    admin.backup(a, a.actor)
    admin.rekey(a, a.actor)
    a.close()
    s = unlock(root, "sara", PW)
    assert s.alarms == []
    s.close()
    assert _verify(root, "stina", PW).ok


# --- item 2: a restore carries the log forward ------------------------------------


def test_a_restore_keeps_the_log_written_since_the_backup(world):
    root, _ = world
    a = unlock(root, "stina", PW)
    info = admin.backup(a, a.actor)
    a.close()
    # A user added after the backup, as issue 11 adds one: the administrator's
    # one-time code, nils's own password, stina's confirmation.
    adm = unlock(root, "admin", ADMIN_PASSWORD)
    view = accounts.create_account(adm, "nils", "Nils", Role.SOCIAL_WORKER, Agency.CITY, "RK")
    adm.close()
    fingerprint = accounts.enrol_account(root, "nils", view.enrolment_code, PW)
    a = unlock(root, "stina", PW)
    accounts.confirm_account(a.uow(), a.actor, "nils", fingerprint)
    a.close()
    nils = unlock(root, "nils", PW)
    persons.create_person(nils.uow(), nils.actor, persons.PersonInput("Bo", "Test"))
    nils.close()
    a = unlock(root, "stina", PW)
    with Session(a.engine) as s:
        before = [(e.seq, e.hash) for e in s.scalars(select(m.AuditEvent)
                                                     .order_by(m.AuditEvent.seq))]
    restored = admin.restore(a, a.actor, info.path)
    restored.close()
    for kept in root.glob("*.before-restore-*"):
        kept.unlink()

    a = unlock(root, "stina", PW)
    with Session(a.engine) as s:
        events = list(s.scalars(select(m.AuditEvent).order_by(m.AuditEvent.seq)))
        assert [(e.seq, e.hash) for e in events[:len(before)]] == before
        nils_entries = [e.action for e in events if e.username == "nils"]
        assert "login" in nils_entries and "person.create" in nils_entries
        assert any(e.action == "user.create" and e.subject_kind == "user" for e in events
                   [len(before) - 10:len(before)])
        restore_entry = events[len(before)]
        assert restore_entry.action == "restore"
        assert json.loads(restore_entry.detail)["backup_log_matches"] is True
        # Since issue 11 the account list lives in the (kept, current) key file:
        # nils's account survives the restore of the data, and his user row is
        # made again, logged, at the next key holder's log-in.
        assert s.scalar(select(m.User.id).where(m.User.username == "nils")) is not None
        assert any(e.action == "user.create" and e.subject_kind == "user"
                   for e in events[len(before) + 1:])
    assert a.alarms == []
    assert audit_log.verify_log(a, a.actor).ok
    a.close()
    assert admin.check_store(root, "stina", PW).ok


# --- item 3: a re-key finished by crash recovery is logged ------------------------


def test_a_rekey_finished_by_recovery_is_logged_once(world, monkeypatch):
    root, _ = world
    a = unlock(root, "stina", PW)

    def killed_after_the_journal(root_dir):
        raise KeyboardInterrupt("kill -9 just after the journal")

    monkeypatch.setattr(store_rekey, "finish_rekey_renames", killed_after_the_journal)
    with pytest.raises(KeyboardInterrupt):
        admin.rekey(a, a.actor)
    monkeypatch.undo()
    a.engine.dispose()
    assert (root / "trefas.rekey").exists()

    s = unlock(root, "sara", PW)  # recovery finishes the re-key, and logs it
    with Session(s.engine) as session:
        rekeys = list(session.scalars(select(m.AuditEvent)
                                      .where(m.AuditEvent.action == "rekey")))
    assert len(rekeys) == 1 and rekeys[0].username == "stina"
    assert json.loads(rekeys[0].detail)["finished_by_recovery"] is True
    s.close()
    assert not (root / "trefas.rekey-done").exists()
    s = unlock(root, "stina", PW)
    assert _actions(s).count("rekey") == 1
    assert audit_log.verify_log(s, s.actor).ok
    s.close()


def test_a_normal_rekey_is_logged_once(world):
    root, _ = world
    a = unlock(root, "stina", PW)
    admin.rekey(a, a.actor)
    a.close()
    assert not (root / "trefas.rekey-done").exists()
    s = unlock(root, "stina", PW)
    assert _actions(s).count("rekey") == 1
    s.close()


# --- item 4: failed log-ins from the key file are checked -------------------------


@pytest.mark.parametrize("bad", [
    {"username": "sara", "at": "x" * 5000},
    {"username": "Robert'); DROP TABLE--", "at": "2026-01-01T10:00:00+00:00"},
    {"username": "sara", "at": "2026-01-01T10:00:00"},  # no time zone
    {"username": "sara", "at": "2026-01-01T10:00:00+00:00", "note": "extra"},
    "sara",
])
def test_tampered_pending_failures_are_reported_not_copied(world, bad):
    root, _ = world
    with pytest.raises(Exception):
        unlock(root, "sara", "fel-lösenord-helt")
    with KeyFile.locked_update(root / "trefas.keys") as kf:
        kf.pending_failures.append(bad)
    s = unlock(root, "sara", PW)
    assert [a.code for a in s.alarms] == ["keyfile"]
    assert "manipulerats" in s.alarms[0].sv
    with Session(s.engine) as session:
        failed = list(session.scalars(select(m.AuditEvent)
                                      .where(m.AuditEvent.action == "login.failed")))
        tampered = list(session.scalars(select(m.AuditEvent)
                                        .where(m.AuditEvent.action == "keyfile.tampered")))
    assert len(failed) == 1 and failed[0].username == "sara"  # the genuine one
    assert len(tampered) == 1 and json.loads(tampered[0].detail)["invalid"] == 1
    assert all(len(e.detail or "") < 200 for e in failed)
    s.close()
    assert KeyFile.load(root / "trefas.keys").pending_failures == []


def test_too_many_pending_failures_are_tampering(world):
    root, _ = world
    at = "2026-01-01T10:00:00+00:00"
    with KeyFile.locked_update(root / "trefas.keys") as kf:
        kf.pending_failures = [{"username": "sara", "at": at}] * 1001
    s = unlock(root, "sara", PW)
    assert [a.code for a in s.alarms] == ["keyfile"]
    assert _actions(s).count("login.failed") == 1000
    s.close()


@pytest.mark.parametrize("bad", [
    {"action": "case.delete", "username": "admin", "at": "2026-01-01T10:00:00+00:00",
     "detail": {}},  # an action no key-less session writes
    {"action": "login", "username": "Robert'); DROP TABLE--",
     "at": "2026-01-01T10:00:00+00:00", "detail": {}},
    {"action": "login", "username": "admin", "at": "2026-01-01T10:00:00", "detail": {}},
    {"action": "login", "username": "admin", "at": "x" * 5000, "detail": {}},
    {"action": "login", "username": "admin", "at": "2026-01-01T10:00:00+00:00",
     "detail": {"note": "x" * 5000}},
    {"action": "login", "username": "admin", "at": "2026-01-01T10:00:00+00:00",
     "detail": {"nested": {"a": 1}}},
    {"action": "login", "username": "admin", "at": "2026-01-01T10:00:00+00:00",
     "extra": "field"},
    "login",
])
def test_tampered_pending_events_are_reported_not_copied(world, bad):
    """Account steps taken without the key wait in the key file (which is not
    signed) and enter the log at a key holder's log-in: checked like the
    failed log-ins, an invalid one is an alarm and a log entry, not copied."""
    root, _ = world
    unlock(root, "admin", ADMIN_PASSWORD).close()  # two genuine events: login, logout
    with KeyFile.locked_update(root / "trefas.keys") as kf:
        kf.pending_events.append(bad)
    s = unlock(root, "stina", PW)
    assert [a.code for a in s.alarms] == ["keyfile"]
    assert "manipulerats" in s.alarms[0].sv and "kontohändelser" in s.alarms[0].sv
    with Session(s.engine) as session:
        admin_events = list(session.scalars(select(m.AuditEvent)
                                            .where(m.AuditEvent.username == "admin")))
        tampered = list(session.scalars(select(m.AuditEvent)
                                        .where(m.AuditEvent.action == "keyfile.tampered")))
    assert [e.action for e in admin_events][-2:] == ["login", "logout"]  # the genuine ones
    assert "case.delete" not in [e.action for e in admin_events]
    assert all(len(e.detail or "") < 400 for e in admin_events)
    assert len(tampered) == 1 and json.loads(tampered[0].detail)["invalid"] == 1
    s.close()
    assert KeyFile.load(root / "trefas.keys").pending_events == []


def test_genuine_pending_events_raise_no_alarm(world):
    root, _ = world
    a = unlock(root, "admin", ADMIN_PASSWORD)
    accounts.create_account(a, "nils", "Nils", Role.SOCIAL_WORKER, Agency.CITY, "RK")
    a.close()
    s = unlock(root, "stina", PW)
    assert s.alarms == []
    assert {"login", "account.create", "logout"} <= set(_actions(s))
    s.close()


class Session_of:
    """(head seq of the store's log, [(raw line, checkpoint)]) of a store
    whose files were just replaced, read with the backup's key file."""

    def __init__(self, root: Path, info):
        self.root, self.info = root, info

    def __enter__(self):
        from trefas_app.store.engine import connect_raw

        key = KeyFile.load(self.root / "trefas.keys").unseal("stina", PW)
        conn = connect_raw(self.root / "trefas.db", key)
        head = conn.execute("SELECT max(seq) FROM audit_events").fetchone()[0]
        conn.close()
        path = self.root / "trefas.checkpoints"
        raw = path.read_bytes().splitlines()
        return head, list(zip(raw, read_checkpoints(path)))

    def __exit__(self, *exc):
        return False


def test_the_command_line_shows_the_alarm_and_only_a_key_holder_acknowledges(
        world, monkeypatch, capsys, tmp_path):
    from trefas_app import cli

    root, recovery = world
    monkeypatch.setenv("LANG", "sv_SE.UTF-8")
    monkeypatch.setenv("TREFAS_LOG_DIR", str(tmp_path / "log"))
    (root / "trefas.checkpoints").unlink()

    def run(*argv, password=PW):
        monkeypatch.setenv("TREFAS_PASSWORD", password)
        capsys.readouterr()
        code = cli.main(["--store", str(root), *argv])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    code, out, err = run("person", "list", "--user", "sara")
    assert code == 0 and "LARM" in err and "saknas" in err
    assert run("audit", "verify", "--user", "stina")[0] == 1
    assert run("check", "--user", "stina")[0] == 1
    code, out, err = run("audit", "acknowledge", "--reason", "Granskat och godtaget",
                         "--user", "sara")
    assert code == 1 and "arbetsledare" in err
    key_file = tmp_path / "recovery.txt"
    key_file.write_text(recovery + "\n", encoding="utf-8")
    code, out, err = run("audit", "acknowledge", "--reason", "Granskat med nyckeln",
                         "--recovery-key-file", str(key_file))
    assert code == 0 and "kvitterat" in out
    code, out, err = run("audit", "verify", "--user", "stina")
    assert code == 0 and "LARM" not in err


# --- item 5: what a killed backup leaves is removed and reported ------------------


def _killed_backup(root, monkeypatch):
    a = unlock(root, "stina", PW)

    def killed(src, dst, key):
        dst.write_bytes(b"\x00" * 8192)  # the first pages, then kill -9
        (dst.parent / f".{dst.name}.x1.tmp").write_bytes(b"half")
        raise KeyboardInterrupt("kill -9")

    monkeypatch.setattr(admin_backups, "online_copy", killed)
    with pytest.raises(KeyboardInterrupt):
        admin.backup(a, a.actor)
    monkeypatch.undo()
    a.close()
    left = sorted(p.name for p in (root / "backups").iterdir())
    assert any(name.endswith(".partial") for name in left)
    return left


def test_the_next_backup_removes_and_reports_what_a_killed_backup_left(world, monkeypatch):
    root, _ = world
    left = _killed_backup(root, monkeypatch)
    a = unlock(root, "stina", PW)
    info = admin.backup(a, a.actor)
    assert sorted(info.leftovers_removed) == left
    with Session(a.engine) as s:
        entry = s.scalars(select(m.AuditEvent).where(m.AuditEvent.action == "backup")).one()
    assert json.loads(entry.detail)["leftovers_removed"] == len(left)
    a.close()
    assert sorted(p.name for p in (root / "backups").iterdir()) == sorted(
        [info.path.name, info.key_path.name, info.path.with_suffix(".witness").name])


def test_check_removes_and_reports_what_a_killed_backup_left(world, monkeypatch):
    root, _ = world
    left = _killed_backup(root, monkeypatch)
    report = admin.check_store(root)
    assert report.ok and len(report.notes) == 1 and all(n in report.notes[0] for n in left)
    assert list((root / "backups").iterdir()) == []
    assert admin.check_store(root).notes == []


def test_a_running_backup_is_not_mistaken_for_leftovers(world):
    from trefas_app.store.files import backup_lock

    root, _ = world
    (root / "backups").mkdir()
    partial = root / "backups" / "trefas-20260101T000000000000Z.db.partial"
    partial.write_bytes(b"in progress")
    with backup_lock(root):
        assert admin.check_store(root).notes == []
    assert partial.exists()


# --- item 6: a document whose --out write fails is not registered -----------------


def _summary_setup(root, monkeypatch, tmp_path):
    from trefas_app.services import cases

    sara = unlock(root, "sara", PW)
    person = persons.create_person(sara.uow(), sara.actor, persons.PersonInput("Amir", "Test"))
    case = cases.open_case(sara.uow(), sara.actor, person.id, "Risk")
    sara.close()
    monkeypatch.setenv("LANG", "sv_SE.UTF-8")
    monkeypatch.setenv("TREFAS_LOG_DIR", str(tmp_path / "log"))
    monkeypatch.setenv("TREFAS_PASSWORD", PW)
    return case


def _documents_on_record(root):
    s = unlock(root, "stina", PW)
    with Session(s.engine) as session:
        docs = session.scalars(select(m.IssuedDocument)).all()
        acts = [a for a in session.scalars(select(m.AuditEvent.action)
                                           .order_by(m.AuditEvent.seq))
                if a in ("document.summary", "disclosure")]
    s.close()
    return len(docs), acts


@pytest.mark.parametrize("fails", ["write", "register"])
def test_a_document_that_is_not_written_is_not_registered(world, monkeypatch, capsys,
                                                          tmp_path, fails):
    from trefas_app import cli
    from trefas_app.domain.errors import DiskFull
    from trefas_app.store.uow import UnitOfWork

    root, _ = world
    case = _summary_setup(root, monkeypatch, tmp_path)
    out = tmp_path / "summary.pdf"
    if fails == "write":
        def no_space(*a, **kw):
            raise OSError(28, "No space left on device")
        monkeypatch.setattr(tempfile, "mkstemp", no_space)  # inside the one atomic write
    else:
        real_commit = UnitOfWork.commit

        def commit_fails_after_delivery(self):
            if self.delivery is not None:
                assert out.exists()  # written first …
                raise DiskFull("Disken är full.", "The disk is full.")
            real_commit(self)
        monkeypatch.setattr(UnitOfWork, "commit", commit_fails_after_delivery)
    code = cli.main(["--store", str(root), "document", "summary", "--case", str(case.id),
                     "--out", str(out), "--user", "stina"])
    err = capsys.readouterr().err
    monkeypatch.undo()
    assert code == 1 and "Traceback" not in err
    if fails == "write":
        assert "inte utfärdats" in err
    assert not out.exists()  # … and removed when it could not be registered
    assert _documents_on_record(root) == (0, [])


def test_a_written_document_is_registered(world, monkeypatch, capsys, tmp_path):
    from trefas_app import cli

    root, _ = world
    case = _summary_setup(root, monkeypatch, tmp_path)
    out = tmp_path / "summary.pdf"
    code = cli.main(["--store", str(root), "document", "summary", "--case", str(case.id),
                     "--out", str(out), "--user", "stina"])
    assert code == 0, capsys.readouterr().err
    assert out.read_bytes().startswith(b"%PDF")
    assert _documents_on_record(root) == (1, ["document.summary", "disclosure"])


def test_a_backup_killed_after_its_copy_was_whole_is_logged_at_the_next(world, monkeypatch):
    root, _ = world
    a = unlock(root, "stina", PW)
    real = admin_backups._make_backup
    made = []

    def killed_before_the_entry(store):
        made.append(real(store))
        raise KeyboardInterrupt("kill -9 before the log entry")

    monkeypatch.setattr(admin_backups, "_make_backup", killed_before_the_entry)
    with pytest.raises(KeyboardInterrupt):
        admin.backup(a, a.actor)
    monkeypatch.undo()
    info = admin.backup(a, a.actor)
    with Session(a.engine) as s:
        logged = [(e.subject_id, json.loads(e.detail).get("found")) for e in s.scalars(
            select(m.AuditEvent).where(m.AuditEvent.action == "backup"))]
    assert logged == [(made[0].path.name, True), (info.path.name, None)]
    a.close()


def test_check_without_a_password_finds_a_broken_checkpoint_chain(world):
    root, _ = world
    unlock(root, "sara", PW).close()
    path = root / "trefas.checkpoints"
    raw = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(raw[:1] + raw[2:]))
    report = admin.check_store(root)
    assert not report.ok and any("hänger inte ihop" in p for p in report.problems)


def test_sessions_closing_at_once_keep_the_checkpoint_chain(world, monkeypatch):
    import threading
    import time

    from trefas_app.store import audit_chain
    from trefas_app.store.audit_chain import chain_break

    root, _ = world
    real_read = audit_chain.read_checkpoints

    def slow_read(path):  # widen the moment between reading the last line and appending
        lines = real_read(path)
        time.sleep(0.05)
        return lines

    monkeypatch.setattr(audit_chain, "read_checkpoints", slow_read)
    sessions = [unlock(root, "sara", PW) for _ in range(6)]
    start = threading.Barrier(len(sessions))

    def close(s):
        start.wait()
        s.write_checkpoint()
        s.close()

    threads = [threading.Thread(target=close, args=(s,)) for s in sessions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    monkeypatch.undo()
    assert chain_break(read_checkpoints(root / "trefas.checkpoints")) is None
    assert _verify(root, "stina", PW).ok


def test_a_rekey_holds_the_checkpoint_lock_from_reading_the_lines_to_the_renames(
        world, monkeypatch):
    from trefas_app.store import files
    from trefas_app.store.files import file_lock

    root, _ = world
    a = unlock(root, "stina", PW)
    seen = []
    real_finish = store_rekey.finish_rekey_renames

    def finish(root_dir):
        with file_lock(root_dir / files.CHECKPOINTS_LOCK, wait=False) as free:
            seen.append(free)
        real_finish(root_dir)

    monkeypatch.setattr(store_rekey, "finish_rekey_renames", finish)
    admin.rekey(a, a.actor)
    assert seen == [False]  # nobody could append a line the re-signed file would lose
    with file_lock(root / files.CHECKPOINTS_LOCK, wait=False) as free:
        assert free
    a.close()
    assert _verify(root, "stina", PW).ok
