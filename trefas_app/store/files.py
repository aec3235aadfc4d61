"""File-level care for the store's folder: fsync, quiet removal, SQLite's
side files, and finishing a re-key that a crash interrupted.

A re-key writes the new database, key file and re-signed checkpoints next to
the old ones, then a journal, then renames them into place. The journal marks the point of no
return: with it, recovery finishes the renames; without it, the old files are
untouched and the leftovers are removed. ``unlock`` runs recovery first, and
logs a re-key whose own log entry a crash prevented (``trefas.rekey-done``).

Also the backup folder's lock, and removing what a killed backup left.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

DB_NAME = "trefas.db"
KEYS_NAME = "trefas.keys"
CHECKPOINTS_NAME = "trefas.checkpoints"
REKEY_DB_TMP = DB_NAME + ".rekey-new"
REKEY_KEYS_TMP = KEYS_NAME + ".rekey-new"
REKEY_CHECKPOINTS_TMP = CHECKPOINTS_NAME + ".rekey-new"
REKEY_JOURNAL = "trefas.rekey"
#: Left by a re-key once its files are in place, until the re-key is in the
#: access log: the journal's facts (id, who, log head before).
REKEY_DONE = "trefas.rekey-done"


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes) -> None:
    """Write a private (owner-only) file so that a crash leaves either the old
    or the new content: a temporary file in the same folder, fsynced, renamed
    over ``path``, and the folder fsynced. The one way Trefas writes a whole
    file it must not half-write (key file, journals, witnesses, key copies of
    backups, PDFs and recovery kits the user saves)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        unlink_quietly(Path(tmp))
        raise
    fsync_dir(path.parent)


def unlink_quietly(*paths: Path) -> None:
    for p in paths:
        try:
            Path(p).unlink()
        except FileNotFoundError:
            pass
        except OSError:
            pass


def sidecars(db: Path) -> tuple[Path, Path, Path]:
    return (db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm"),
            db.with_name(db.name + "-journal"))


def finish_rekey_renames(root: Path) -> None:
    tmp_db, tmp_keys, journal = root / REKEY_DB_TMP, root / REKEY_KEYS_TMP, root / REKEY_JOURNAL
    db = root / DB_NAME
    if journal.exists() and not (root / REKEY_DONE).exists():
        # Until the re-key's log entry is written (by rekey(), or at the next
        # log-in when a crash came first), this says that it happened.
        atomic_write(root / REKEY_DONE, journal.read_bytes())
    if tmp_keys.exists():
        os.replace(tmp_keys, root / KEYS_NAME)
        fsync_dir(root)
    if (root / REKEY_CHECKPOINTS_TMP).exists():
        # Signed with the new key in the file just renamed.
        os.replace(root / REKEY_CHECKPOINTS_TMP, root / CHECKPOINTS_NAME)
        fsync_dir(root)
    if tmp_db.exists():
        wal, shm, _ = sidecars(db)
        # After a checkpoint(TRUNCATE) and close the old WAL is empty or gone;
        # an empty one must not be paired with the new file either.
        if wal.exists() and wal.stat().st_size == 0:
            unlink_quietly(wal)
        unlink_quietly(shm)
        os.replace(tmp_db, db)
        fsync_dir(root)
    unlink_quietly(journal)
    fsync_dir(root)


def recover_interrupted_rekey(root: Path) -> str | None:
    """Finish (or undo) a re-key that a crash interrupted; returns what was
    done (Swedish) or None when there was nothing to do.

    With the journal present, both new files were complete before the first
    rename: finish the renames. Without it, the old files were never touched:
    remove the leftovers."""
    root = Path(root)
    journal = root / REKEY_JOURNAL
    tmp_db, tmp_keys = root / REKEY_DB_TMP, root / REKEY_KEYS_TMP
    tmp_checkpoints = root / REKEY_CHECKPOINTS_TMP
    if journal.exists():
        finish_rekey_renames(root)
        return "Ett avbrutet nyckelbyte har slutförts."
    if tmp_db.exists() or tmp_keys.exists() or tmp_checkpoints.exists():
        unlink_quietly(tmp_db, *sidecars(tmp_db), tmp_keys, tmp_checkpoints)
        return "Rester av ett avbrutet nyckelbyte har tagits bort; inget var ändrat."
    return None


# --- the backup folder: one backup at a time, and what a killed one left ----------

BACKUP_LOCK = "trefas.backups.lock"  # in the store folder, beside backups/
#: What a backup writes before its copy gets its final name (see admin.backup).
PARTIAL_SUFFIX = ".partial"


#: Held while a checkpoint line is appended: each line names the one before.
CHECKPOINTS_LOCK = CHECKPOINTS_NAME + ".lock"


def backup_lock(root: Path, wait: bool = True):
    """Hold the store's backup lock (see :func:`file_lock`)."""
    return file_lock(Path(root) / BACKUP_LOCK, wait)


@contextmanager
def file_lock(path: Path, wait: bool = True):
    """Hold an exclusive lock on ``path`` (created owner-only); yields whether
    it was obtained (with ``wait=False`` it is not waited for). The operating
    system drops the lock of a process that dies, so a killed process never
    leaves it held."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            _lock_fd(fd, wait)
        except OSError:
            yield False
            return
        try:
            yield True
        finally:
            _unlock_fd(fd)
    finally:
        os.close(fd)


def _lock_fd(fd: int, wait: bool) -> None:
    if os.name == "nt":
        import msvcrt

        msvcrt.locking(fd, msvcrt.LK_LOCK if wait else msvcrt.LK_NBLCK, 1)
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))


def _unlock_fd(fd: int) -> None:
    if os.name == "nt":
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_UN)


def remove_backup_leftovers(folder: Path) -> list[str]:
    """Remove what an interrupted backup left (its ``.partial`` copy and
    SQLite's side files of it, half-written temporary files, a key file or
    witness without its copy); returns the names removed. Call it holding
    :func:`backup_lock`, so that a running backup is never mistaken for one."""
    if not folder.is_dir():
        return []
    removed = []
    for path in sorted(folder.iterdir()):
        name = path.name
        orphan = (name.endswith((".keys", ".witness")) and name.startswith("trefas-")
                  and not path.with_suffix(".db").exists())
        if PARTIAL_SUFFIX in name or (name.startswith(".") and name.endswith(".tmp")) \
                or orphan:
            unlink_quietly(path)
            if not path.exists():
                removed.append(name)
    if removed:
        fsync_dir(folder)
    return removed
