"""Faults get the right message (issue 9): a full disk is a full disk on every
path, SQLCipher's own log never reaches the user, ``verify-document`` reads
only regular files of bounded size, and the application log is owner-only."""

from __future__ import annotations

import errno
import logging
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import pytest
import sqlcipher3
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from trefas_app import paths
from trefas_app.cli import documents as cli_documents
from trefas_app.domain.errors import DatabaseDamaged, DiskFull
from trefas_app.services import admin, persons, users
from trefas_app.services.admin import restores as admin_restores
from trefas_app.store import engine as engine_mod
from trefas_app.store.engine import connect_raw, translate_os_error
from trefas_app.store.store import unlock

from stores import ADMIN_PASSWORD
from stores import CASEWORK_PASSWORD as PW
from stores import build_casework_supervised

FULL = "database or disk is full"


def _sql_full() -> OperationalError:
    return OperationalError("COMMIT", {}, sqlcipher3.OperationalError(FULL))


@pytest.fixture
def world(store_templates, tmp_path):
    """admin + social worker sara + supervisor stina, logged out; returns the store folder."""
    root = tmp_path / "store"
    store_templates.copy(build_casework_supervised, root)
    return root


# --- a full disk ----------------------------------------------------------------------


def test_one_translation_sees_through_wrappers_and_causes():
    assert isinstance(translate_os_error(OSError(errno.ENOSPC, "No space")), DiskFull)
    assert isinstance(translate_os_error(_sql_full()), DiskFull)
    try:
        try:
            raise sqlcipher3.OperationalError(FULL)
        except sqlcipher3.OperationalError as inner:
            raise RuntimeError("wrapped") from inner
    except RuntimeError as outer:
        assert isinstance(translate_os_error(outer), DiskFull)
    assert translate_os_error(ValueError("x")) is None


def test_unlock_on_a_full_disk_says_so_and_not_damaged(world, monkeypatch):
    def full(self):
        raise _sql_full()

    monkeypatch.setattr(Session, "commit", full)
    with pytest.raises(DiskFull) as caught:
        unlock(world, "sara", PW)
    assert not isinstance(caught.value, DatabaseDamaged)
    assert "Disken är full" in caught.value.sv and "säkerhetskopia" not in caught.value.sv


def test_opening_the_database_on_a_full_disk_is_not_damage(world, monkeypatch):
    real_connect = sqlcipher3.connect

    class FullOnKey:
        def __init__(self, conn):
            self._conn = conn

        def execute(self, sql, *a):
            if sql.startswith("SELECT count(*) FROM sqlite_master"):
                raise sqlcipher3.OperationalError(FULL)
            return self._conn.execute(sql, *a)

        def __getattr__(self, name):
            return getattr(self._conn, name)

    monkeypatch.setattr(engine_mod.sqlcipher3, "connect",
                        lambda *a, **k: FullOnKey(real_connect(*a, **k)))
    with pytest.raises(DiskFull):
        connect_raw(world / "trefas.db", b"\x00" * 32)


def test_a_write_that_fills_the_disk_at_a_flush_says_so(world, monkeypatch):
    store = unlock(world, "sara", PW)
    real_flush = Session.flush

    def full(self, *a, **k):
        if self.new:  # the first INSERT: the disk fills
            raise _sql_full()
        return real_flush(self, *a, **k)

    monkeypatch.setattr(Session, "flush", full)
    try:
        with pytest.raises(DiskFull):
            persons.create_person(store.uow(), store.actor, persons.PersonInput("Amir", "Test"))
    finally:
        monkeypatch.undo()
        store.close()


def test_logging_out_on_a_full_disk_says_so(world, monkeypatch):
    store = unlock(world, "sara", PW)

    def full(self):
        raise _sql_full()

    monkeypatch.setattr(Session, "commit", full)
    with pytest.raises(DiskFull):
        store.close()


def test_restore_on_a_full_disk_says_so_and_changes_nothing(world, monkeypatch):
    a = unlock(world, "stina", PW)  # restore is a key holder's work
    made = admin.backup(a, a.actor)

    def full(src, dst, key):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(admin_restores, "online_copy", full)
    with pytest.raises(DiskFull):
        admin.restore(a, a.actor, made.path)
    monkeypatch.undo()
    assert [u.username for u in users.list_users(a.uow(), a.actor)] == ["admin", "sara",
                                                                        "stina"]
    assert not list(world.glob("*.before-restore-*"))
    a.close()


def test_pdf_output_on_a_full_disk_says_so(tmp_path, monkeypatch):
    def full(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(tempfile, "mkstemp", full)  # inside the one atomic write
    with pytest.raises(DiskFull) as caught:
        cli_documents._write_private(tmp_path / "x.pdf", b"%PDF")
    assert "Disken är full" in caught.value.sv


def test_an_unexpected_place_for_a_full_disk_is_still_one_sentence(tmp_path, monkeypatch,
                                                                  capsys):
    from trefas_app import cli
    from trefas_app.cli import store_setup

    monkeypatch.setenv("TREFAS_LOG_DIR", str(tmp_path / "log"))

    def full(args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store_setup, "cmd_paths", full)
    assert cli.main(["paths"]) == 1
    assert capsys.readouterr().err.strip().startswith("Disken är full.")


def _can_mount_tmpfs(where: Path) -> bool:
    if not sys.platform.startswith("linux") or os.geteuid() != 0 or not shutil.which("mount"):
        return False
    where.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(where)],
                          capture_output=True)
    return done.returncode == 0


def _cli(args, tmp_path, password=ADMIN_PASSWORD, extra=None):
    environment = dict(os.environ, LANG="C.UTF-8", TREFAS_KDF_PROFILE="test",
                       TREFAS_PASSWORD=password, TREFAS_LOG_DIR=str(tmp_path / "log"),
                       PYTHONIOENCODING="utf-8", **(extra or {}))
    return subprocess.run([sys.executable, "-m", "trefas_app", *map(str, args)],
                          env=environment, capture_output=True, text=True, timeout=120)


def _cli_store_with_supervisor(root: Path, tmp_path: Path) -> None:
    """``init`` and a supervisor ``stina`` (password PW) the way the README makes
    one: one-time code, enrolment, confirmation with the recovery key."""
    import re

    done = _cli(["init", "--store", root, "--admin", "admin"], tmp_path)
    assert done.returncode == 0, done.stderr
    recovery = re.findall(r"^\s+([A-Z2-7]{5}(?:-[A-Z2-7]{5}){3,})\s*$", done.stdout, re.M)[0]
    assert _cli(["unit", "add", "RK", "--name", "Rinkeby-Kista", "--agency", "city",
                 "--store", root, "--user", "admin"], tmp_path).returncode == 0
    done = _cli(["user", "add", "stina", "--role", "supervisor", "--unit", "RK",
                 "--display-name", "Stina Ek", "--store", root, "--user", "admin"], tmp_path)
    assert done.returncode == 0, done.stderr
    code = re.findall(r"^\s+([A-Z2-9]{4}(?:-[A-Z2-9]{4}){3})\s*$", done.stdout, re.M)[0]
    done = _cli(["user", "enrol", "stina", "--store", root], tmp_path,
                extra={"TREFAS_ENROLMENT_CODE": code, "TREFAS_NEW_PASSWORD": PW})
    assert done.returncode == 0, done.stderr
    fingerprint = re.findall(r"^\s+([A-Z2-9]{4}(?:-[A-Z2-9]{4}){3})\s*$", done.stdout, re.M)[0]
    done = _cli(["recover", "--confirm", "stina", "--fingerprint", fingerprint, "--store", root],
                tmp_path, extra={"TREFAS_RECOVERY_KEY": recovery})
    assert done.returncode == 0, done.stderr


def test_a_real_full_disk_is_reported_as_full_on_every_command(tmp_path):
    """A 3 MB tmpfs filled to the last 40 KiB, as the attacker's experiment did."""
    mount = Path("/tmp") / f"trefas-full-{uuid.uuid4().hex[:8]}"
    if not _can_mount_tmpfs(mount):
        shutil.rmtree(mount, ignore_errors=True)
        pytest.skip("needs root and mount -t tmpfs")
    try:
        root = mount / "store"
        _cli_store_with_supervisor(root, tmp_path)  # the commands below are a key holder's
        free = shutil.disk_usage(mount).free
        with open(mount / "fill", "wb") as fh:
            fh.write(b"\0" * max(0, free - 40 * 1024))
        for command in (["user", "list"], ["backup"], ["rekey"]):
            done = _cli([*command, "--store", root, "--user", "stina"], tmp_path, PW)
            assert done.returncode == 1, (command, done.stderr)
            assert done.stderr.strip() == ("Disken är full. Ingenting sparades; frigör "
                                           "utrymme och försök igen."), (command, done.stderr)
        (mount / "fill").unlink()
        done = _cli(["audit", "verify", "--store", root, "--user", "stina"], tmp_path, PW)
        assert done.returncode == 0, done.stderr
    finally:
        subprocess.run(["umount", str(mount)], capture_output=True)
        shutil.rmtree(mount, ignore_errors=True)


# --- SQLCipher's own log --------------------------------------------------------------


def test_a_wrong_key_file_gives_one_sentence_and_no_library_noise(tmp_path):
    """SQLCipher logs to the process's stderr (fd 2, not sys.stderr): only a
    subprocess sees it."""
    first, second = tmp_path / "a", tmp_path / "b"
    for root in (first, second):  # a key holder opens the database; the administrator can't
        _cli_store_with_supervisor(root, tmp_path)
    shutil.copy(second / "trefas.keys", first / "trefas.keys")
    done = _cli(["user", "list", "--store", first, "--user", "stina"], tmp_path, PW)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "hmac" not in done.stderr.lower() and "ERROR CORE" not in done.stderr
    assert lines[0].startswith("Databasfilen")


# --- verify-document reads regular files of bounded size -----------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("kind", ["fifo", "device", "folder", "huge"])
def test_verify_document_refuses_what_is_not_a_bounded_regular_file(kind, tmp_path):
    from trefas_app.documents.verification import MAX_DOCUMENT_BYTES, read_document_file
    from trefas_app.domain.errors import ValidationError

    if kind == "fifo":
        target = tmp_path / "pipe.pdf"
        os.mkfifo(target)
    elif kind == "device":
        target = Path("/dev/zero")
    elif kind == "folder":
        target = tmp_path
    else:
        target = tmp_path / "huge.pdf"
        with open(target, "wb") as fh:
            fh.truncate(MAX_DOCUMENT_BYTES + 1)  # sparse: no real disk used
    with pytest.raises(ValidationError) as caught:
        read_document_file(target)
    assert ("ingen vanlig fil" in caught.value.sv) == (kind != "huge")
    assert ("50 MiB" in caught.value.sv) == (kind == "huge")


@pytest.mark.parametrize("option", ["password", "note"])
def test_a_password_or_note_file_of_endless_bytes_is_one_sentence(option, world, tmp_path,
                                                                  monkeypatch, capsys):
    """/dev/zero as --password-file or note --file: refused, not MemoryError."""
    from trefas_app import cli

    if not Path("/dev/zero").exists():
        pytest.skip("needs /dev/zero")
    monkeypatch.setenv("TREFAS_LOG_DIR", str(tmp_path / "log"))
    monkeypatch.setenv("TREFAS_PASSWORD", PW)
    argv = (["user", "list", "--password-file", "/dev/zero"] if option == "password" else
            ["note", "add", "--case", "1", "--title", "x", "--category", "social",
             "--file", "/dev/zero"])
    code = cli.main([*argv, "--store", str(world), "--user", "sara"])
    err = capsys.readouterr().err.strip()
    logging.getLogger().handlers[:] = [h for h in logging.getLogger().handlers
                                       if getattr(h, paths._HANDLER_MARK, None) is None]
    assert code == 1 and "för stor" in err and len(err.splitlines()) == 1, err


def test_verify_document_on_a_fifo_answers_at_once(tmp_path):
    if not hasattr(os, "mkfifo"):
        pytest.skip("needs FIFOs")
    assert _cli(["init", "--store", tmp_path / "s", "--admin", "admin"],
                tmp_path).returncode == 0
    fifo = tmp_path / "pipe.pdf"
    os.mkfifo(fifo)
    environment = dict(os.environ, LANG="C.UTF-8", TREFAS_KDF_PROFILE="test",
                       TREFAS_PASSWORD=ADMIN_PASSWORD, TREFAS_LOG_DIR=str(tmp_path / "log"))
    done = subprocess.run([sys.executable, "-m", "trefas_app", "verify-document", str(fifo),
                           "--store", str(tmp_path / "s"), "--user", "admin"],
                          env=environment, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.strip() == f"{fifo} är ingen vanlig fil; ange en fil."


# --- the application log is owner-only ----------------------------------------------


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
def test_the_log_folder_and_every_log_file_are_owner_only(tmp_path, monkeypatch):
    import logging

    folder = tmp_path / "log"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    monkeypatch.setenv("TREFAS_LOG_DIR", str(folder))
    old_umask = os.umask(0o022)
    try:
        log_path = paths.configure_logging()
        handler = next(h for h in logging.getLogger().handlers
                       if getattr(h, paths._HANDLER_MARK, None) == str(log_path))
        try:
            assert stat.S_IMODE(folder.stat().st_mode) == 0o700
            handler.maxBytes = 200
            for i in range(30):
                logging.getLogger("trefas.test").warning("line %d of the rotation test", i)
            files = sorted(folder.iterdir())
            assert len(files) >= 2  # rotated at least once
            assert {f.name: oct(stat.S_IMODE(f.stat().st_mode)) for f in files} == \
                {f.name: oct(0o600) for f in files}
        finally:
            logging.getLogger().removeHandler(handler)
            handler.close()
    finally:
        os.umask(old_umask)
