"""The store on disk (DESIGN §5): creating, unlocking and every way it can go
wrong, each with its own clear error and nothing overwritten."""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import shutil
import stat

from account_setup import enrolled_user
import pytest
import sqlalchemy.exc
import sqlcipher3
from sqlalchemy import select
from sqlalchemy.orm import Session

from trefas_app.domain import clock as one_clock
from trefas_app.domain.enums import Agency, Role
from trefas_app.domain.errors import (
    AccessDenied,
    DatabaseDamaged,
    KeyFileDamaged,
    KeyFileMissing,
    NotATrefasStore,
    StoreError,
    StoreExists,
    UnknownUser,
    WrongPassword,
)
from trefas_app.domain.passwords import failed_login_delay
from trefas_app.services import accounts, admin, users
from trefas_app.store import models as m
from trefas_app.store.engine import check_temp_store_in_memory, connect_raw
from trefas_app.store.keyslots import TEST_KDF, KeyFile
from trefas_app.store.store import (
    LoginThrottled,
    create_store,
    unlock,
    unlock_with_recovery_key,
)

from stores import ADMIN_PASSWORD

PW = "Granskog-och-hav-42"


class OffsetClock:
    """Real time plus an adjustable offset (failure times are stamped with the
    real clock by the key file)."""

    def __init__(self):
        self.offset = dt.timedelta(0)

    def __call__(self) -> dt.datetime:
        return one_clock.now_utc() + self.offset


@pytest.fixture
def closed(new_store):
    """A store with an administrator and the social worker sara, logged out."""
    store, recovery = new_store
    unit = users.add_unit(store.uow(), store.actor, Agency.CITY, "RK", "Rinkeby-Kista")
    enrolled_user(store.uow(), store.actor, users.UserInput(
        "sara", "Sara", Role.SOCIAL_WORKER, Agency.CITY, unit.id, PW))
    root = store.paths.root
    store.close()
    return root, recovery


def _actions(store, **where) -> list[m.AuditEvent]:
    with Session(store.engine) as s:
        stmt = select(m.AuditEvent).order_by(m.AuditEvent.seq)
        for k, v in where.items():
            stmt = stmt.where(getattr(m.AuditEvent, k) == v)
        rows = s.scalars(stmt).all()
        s.expunge_all()
        return rows


# --- creating and reopening --------------------------------------------------------


def test_create_writes_private_encrypted_files(closed):
    root, recovery = closed
    names = {p.name for p in root.iterdir()}
    assert {"trefas.db", "trefas.keys", "trefas.checkpoints"} <= names
    for name in ("trefas.db", "trefas.keys", "trefas.checkpoints"):
        assert stat.S_IMODE((root / name).stat().st_mode) == 0o600, name
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    assert not (root / "trefas.db").read_bytes().startswith(b"SQLite format 3")
    keys = json.loads((root / "trefas.keys").read_text())
    assert keys["format"] == "trefas-keys"
    # The administrator's slot is of its own kind: it holds no data key.
    assert sorted(s["kind"] for s in keys["slots"]) == ["admin", "recovery", "user"]
    assert not next(s for s in keys["slots"] if s["kind"] == "admin")["sealed_data_key"]
    assert len(recovery.split("-")) == 8
    assert admin.check_store(root).ok


def test_reopen_gives_the_same_user_and_logs_the_login(closed):
    root, _ = closed
    s = unlock(root, "sara", PW)
    assert (s.actor.username, s.actor.role, s.actor.agency) == (
        "sara", Role.SOCIAL_WORKER, Agency.CITY)
    assert _actions(s)[-1].action == "login"
    s.close()
    s = unlock(root, "sara", PW)
    assert [e.action for e in _actions(s, username="sara")][-3:] == ["login", "logout", "login"]
    s.close()


def test_store_exists_is_refused_and_nothing_changes(closed):
    root, _ = closed
    before = {p.name: p.read_bytes() for p in root.iterdir() if p.is_file()}
    with pytest.raises(StoreExists):
        create_store(root, admin_username="other", admin_display_name="O",
                     admin_password=ADMIN_PASSWORD, kdf=TEST_KDF)
    assert {p.name: p.read_bytes() for p in root.iterdir() if p.is_file()} == before


# --- passwords and users ----------------------------------------------------------


def test_wrong_password_is_refused_and_later_logged_as_failed_login(closed):
    root, _ = closed
    with pytest.raises(WrongPassword) as err:
        unlock(root, "sara", "Fel-lösenord-helt-klart")
    assert err.value.sv == "Fel lösenord."
    s = unlock(root, "sara", PW)
    events = _actions(s)
    failed = [e for e in events if e.action == "login.failed"]
    assert len(failed) == 1
    assert failed[0].username == "sara" and failed[0].user_id is None
    assert events[-1].action == "login" and events[-1].seq == failed[0].seq + 1
    assert "Fel-lösenord" not in (failed[0].detail or "")
    s.close()
    # Moved into the log once, not again at the next log-in.
    s = unlock(root, "sara", PW)
    assert len([e for e in _actions(s) if e.action == "login.failed"]) == 1
    assert KeyFile.load(root / "trefas.keys").pending_failures == []
    s.close()


def test_unknown_user(closed):
    root, _ = closed
    keys_before = (root / "trefas.keys").read_bytes()
    with pytest.raises(UnknownUser) as err:
        unlock(root, "nobody", PW)
    assert "nobody" in err.value.sv
    assert (root / "trefas.keys").read_bytes() == keys_before


def test_repeated_failures_throttle_with_a_wait(closed):
    root, _ = closed
    clock = OffsetClock()
    for _ in range(6):
        clock.offset = dt.timedelta(hours=1)  # long after the previous failure
        with pytest.raises(WrongPassword):
            unlock(root, "sara", "Fel-lösenord-helt-klart", clock=clock)
    clock.offset = dt.timedelta(0)  # right after the sixth failure
    with pytest.raises(LoginThrottled) as err:
        unlock(root, "sara", PW, clock=clock)  # even the right password waits
    assert err.value.wait_seconds == int(failed_login_delay(6))
    assert f"{err.value.wait_seconds} sekunder" in err.value.sv
    assert KeyFile.load(root / "trefas.keys").find("sara").failures == 6
    clock.offset = dt.timedelta(seconds=failed_login_delay(6) + 1)
    s = unlock(root, "sara", PW, clock=clock)
    assert len([e for e in _actions(s) if e.action == "login.failed"]) == 6
    s.close()
    assert KeyFile.load(root / "trefas.keys").find("sara").failures == 0
    # Other users are not slowed down by sara's failures.
    unlock(root, "admin", ADMIN_PASSWORD).close()


def test_password_change_rewraps_one_slot_only(closed):
    root, _ = closed
    before = {s["username"]: s for s in json.loads((root / "trefas.keys").read_text())["slots"]}
    s = unlock(root, "sara", PW)
    users.change_own_password(s.uow(), s.actor, PW, "Nytt-lösenord-i-mars")
    s.close()
    after = {s["username"]: s for s in json.loads((root / "trefas.keys").read_text())["slots"]}
    assert set(before) == set(after)
    for name in before:
        if name != "sara":
            assert after[name] == before[name], name
    changed = {k for k in before["sara"] if before["sara"][k] != after["sara"][k]}
    assert changed == {"salt", "private_nonce", "sealed_private"}
    with pytest.raises(WrongPassword):
        unlock(root, "sara", PW)
    unlock(root, "sara", "Nytt-lösenord-i-mars").close()


def test_recovery_key_opens_and_is_logged(closed):
    root, recovery = closed
    with pytest.raises(WrongPassword):
        unlock_with_recovery_key(root, "AAAAA-" * 7 + "AAAAA")
    r = unlock_with_recovery_key(root, recovery.lower())  # case and dashes do not matter
    assert r.actor.role == Role.ADMINISTRATOR
    assert _actions(r)[-1].action == "login.recovery_key"
    r.close()


def test_disabled_user_cannot_unlock(closed):
    root, _ = closed
    a = unlock(root, "admin", ADMIN_PASSWORD)  # the administrator's key-less session
    accounts.disable_account(a, "sara")
    a.close()
    with pytest.raises(UnknownUser):
        unlock(root, "sara", PW)  # the key slot went with the account


def test_inactive_user_with_a_slot_left_cannot_unlock(closed):
    # E.g. an old copy of the key file put back: the database still says no.
    root, recovery = closed
    a = unlock_with_recovery_key(root, recovery)
    conn = connect_raw(root / "trefas.db", a.data_key)
    conn.execute("UPDATE users SET active = 0 WHERE username = 'sara'")
    conn.close()
    a.close()
    with pytest.raises(AccessDenied):
        unlock(root, "sara", PW)


# --- a damaged or missing key file ------------------------------------------------------


def test_missing_key_file(closed):
    root, _ = closed
    (root / "trefas.keys").unlink()
    db_before = (root / "trefas.db").read_bytes()
    with pytest.raises(KeyFileMissing) as err:
        unlock(root, "sara", PW)
    assert "Nyckelfilen saknas" in err.value.sv
    assert not (root / "trefas.keys").exists()
    assert (root / "trefas.db").read_bytes() == db_before


@pytest.mark.parametrize("damage", ["garbage", "truncated", "not_ours", "bad_base64"])
def test_damaged_key_file_is_reported_and_left_alone(closed, damage):
    root, _ = closed
    path = root / "trefas.keys"
    good = path.read_bytes()
    bad = {"garbage": os.urandom(600),
           "truncated": good[: len(good) // 2],
           "not_ours": b'{"format": "something-else", "slots": []}',
           "bad_base64": good.replace(b'"salt": "', b'"salt": "!!', 1)}[damage]
    path.write_bytes(bad)
    with pytest.raises(KeyFileDamaged) as err:
        unlock(root, "sara", PW)
    assert "skadad" in err.value.sv
    assert path.read_bytes() == bad  # nothing was "repaired" or overwritten


def _flip_in_slot(path, username, field):
    data = json.loads(path.read_text())
    slot = next(s for s in data["slots"] if s["username"] == username)
    raw = bytearray(base64.b64decode(slot[field]))
    raw[len(raw) // 2] ^= 0x01
    slot[field] = base64.b64encode(bytes(raw)).decode()
    path.write_text(json.dumps(data, indent=1))


def test_flipped_byte_in_a_sealed_data_key(closed):
    root, _ = closed
    path = root / "trefas.keys"
    _flip_in_slot(path, "sara", "sealed_data_key")
    damaged = path.read_bytes()
    with pytest.raises(KeyFileDamaged):
        unlock(root, "sara", PW)
    assert path.read_bytes() == damaged
    unlock(root, "admin", ADMIN_PASSWORD).close()  # other slots are unaffected


def test_flipped_byte_in_a_sealed_private_key_looks_like_a_wrong_password(closed):
    # AES-GCM under a password-derived key cannot tell a damaged ciphertext
    # from a wrong password; the failure is counted like one.
    root, _ = closed
    _flip_in_slot(root / "trefas.keys", "sara", "sealed_private")
    with pytest.raises(WrongPassword):
        unlock(root, "sara", PW)
    assert KeyFile.load(root / "trefas.keys").find("sara").failures == 1


def test_slot_moved_to_another_user_does_not_open(closed):
    root, _ = closed
    path = root / "trefas.keys"
    data = json.loads(path.read_text())
    sara = next(s for s in data["slots"] if s["username"] == "sara")
    adm = next(s for s in data["slots"] if s["username"] == "admin")
    adm.update({k: v for k, v in sara.items() if k not in ("username",)})
    path.write_text(json.dumps(data))
    with pytest.raises((WrongPassword, KeyFileDamaged)):
        unlock(root, "admin", PW)  # sara's password on a slot relabelled "admin"


# --- a damaged, foreign or plain database -------------------------------------------------


def _overwrite_middle(path, length=256):
    data = bytearray(path.read_bytes())
    start = len(data) // 2
    data[start:start + length] = os.urandom(length)
    path.write_bytes(bytes(data))


def test_damaged_database_is_found_on_open_or_by_the_check(closed):
    root, _ = closed
    # The page check needs the key: a key holder (here sara) runs it.
    a = unlock(root, "sara", PW)
    for _ in range(200):  # some pages of log entries, so the middle is real data
        users.user_directory(a.uow(), a.actor)
    a.close()
    db = root / "trefas.db"
    _overwrite_middle(db)
    try:
        unlock(root, "sara", PW).close()
    except DatabaseDamaged as exc:
        assert "skadad" in exc.sv
    keys_before = (root / "trefas.keys").read_bytes()
    report = admin.check_store(root, "sara", PW)
    assert not report.ok
    assert any("skadade sidor" in p or "integritetskontroll" in p or "skadad" in p
               for p in report.problems), report.problems
    assert (root / "trefas.keys").read_bytes() == keys_before


def test_damaged_first_page_is_database_damaged(closed):
    root, _ = closed
    db = root / "trefas.db"
    data = bytearray(db.read_bytes())
    data[100:164] = os.urandom(64)
    db.write_bytes(bytes(data))
    with pytest.raises(DatabaseDamaged) as err:
        unlock(root, "sara", PW)
    assert "Ingenting har ändrats" in err.value.sv
    assert db.read_bytes() == bytes(data)


def test_damaged_users_page_is_database_damaged(closed):
    root, _ = closed
    a = unlock(root, "sara", PW)
    conn = connect_raw(root / "trefas.db", a.data_key)
    page = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'users'").fetchone()[0]
    conn.close()
    a.close()
    db = root / "trefas.db"
    data = bytearray(db.read_bytes())
    start = (page - 1) * 4096 + 1000  # the page log-in reads the user from
    data[start:start + 100] = os.urandom(100)
    db.write_bytes(bytes(data))
    with pytest.raises(DatabaseDamaged):
        unlock(root, "sara", PW)


def test_database_of_another_store_is_refused(closed, tmp_path):
    root, _ = closed
    other = create_store(tmp_path / "other", admin_username="admin",
                         admin_display_name="B", admin_password=ADMIN_PASSWORD,
                         kdf=TEST_KDF).store
    other.close()
    shutil.copyfile(tmp_path / "other" / "trefas.db", root / "trefas.db")
    # Another store has another data key: it does not even decrypt.
    with pytest.raises(DatabaseDamaged) as err:
        unlock(root, "sara", PW)
    assert "hör inte till den här nyckelfilen" in err.value.sv


def test_database_with_this_key_but_another_store_id_is_not_a_trefas_store(closed):
    root, _ = closed
    a = unlock(root, "sara", PW)
    key = a.data_key
    a.close()
    db = root / "trefas.db"
    db.unlink()
    conn = connect_raw(db, key)  # a new, empty database under the same key
    conn.execute("CREATE TABLE store_meta (key TEXT PRIMARY KEY, value TEXT)")
    conn.execute("INSERT INTO store_meta VALUES ('store_id', 'someone-else')")
    conn.close()
    with pytest.raises(NotATrefasStore):
        unlock(root, "sara", PW)


def test_plain_sqlite_file_is_refused(closed):
    root, _ = closed
    db = root / "trefas.db"
    db.unlink()
    conn = sqlcipher3.connect(str(db))  # no key: an ordinary SQLite file
    conn.execute("CREATE TABLE store_meta (key TEXT PRIMARY KEY, value TEXT)")
    conn.commit()
    conn.close()
    assert db.read_bytes().startswith(b"SQLite format 3")
    with pytest.raises((NotATrefasStore, DatabaseDamaged)):
        unlock(root, "sara", PW)
    assert any("inte krypterad" in p for p in admin.check_store(root).problems)


def test_missing_database(closed):
    root, _ = closed
    (root / "trefas.db").unlink()
    with pytest.raises(DatabaseDamaged) as err:
        unlock(root, "sara", PW)
    assert "saknas" in err.value.sv
    assert not (root / "trefas.db").exists()


def test_empty_folder_is_no_store(tmp_path):
    with pytest.raises(StoreError) as err:
        unlock(tmp_path, "admin", ADMIN_PASSWORD)
    assert "ingen lagringsplats" in err.value.sv


# --- temporary data stays in memory ----------------------------------------------------


def test_temp_store_is_memory_on_every_connection(closed):
    root, _ = closed
    s = unlock(root, "sara", PW)
    with s.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA temp_store").scalar() == 2
        assert conn.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        check_temp_store_in_memory(conn.connection.dbapi_connection)
    s.close()


class _FakeConn:
    def __init__(self, options, effective):
        self.options, self.effective = options, effective

    def execute(self, sql):
        class R:
            def __init__(self, rows):
                self.rows = rows

            def fetchall(self):
                return self.rows

            def fetchone(self):
                return self.rows[0]

        if "compile_options" in sql:
            return R([(o,) for o in self.options])
        return R([(self.effective,)])


@pytest.mark.parametrize("options,effective,ok", [
    (["TEMP_STORE=0"], 2, False),   # forced to files whatever the pragma says
    (["TEMP_STORE=1"], 1, False),   # pragma not applied
    (["TEMP_STORE=1"], 2, True),
    (["TEMP_STORE=2"], 2, True),
    (["TEMP_STORE=3"], 0, True),    # forced to memory
])
def test_temp_store_check_refuses_builds_that_spill_to_disk(options, effective, ok):
    conn = _FakeConn(options, effective)
    if ok:
        check_temp_store_in_memory(conn)
    else:
        with pytest.raises(StoreError):
            check_temp_store_in_memory(conn)
