"""The administrator's backup, made without the data key.

An administrator's log-in holds no key, so SQLite's online backup (which reads
pages through SQLCipher) is out of reach. What can be done, and is done here:

* the copy is taken only when the write-ahead log is empty (nobody has the
  store open: the last connection to close folds the log into the file), so
  the database file alone is the whole store;
* the file is read, copied, fsynced and read again; the copy's SHA-256 must
  equal the source's before AND after, so no writer changed it in between;
* the copy must not be plain SQLite (``SQLite format 3``) and its size must be
  a whole number of 4,096-byte pages;
* the key file is copied next to it, as for every backup.

What that proves: the copy is a byte-for-byte, encrypted image of the store
as it was at one moment. What it cannot prove without the key: that each page's
HMAC is intact and the database is internally consistent. A key holder's
``check_store`` or restore checks that (restore refuses a damaged copy).
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from trefas_app.domain.errors import AccessDenied, StoreError
from trefas_app.store.copies import PAGE_SIZE
from trefas_app.store.copies import SQLITE_PLAIN_HEADER as PLAIN_HEADER
from trefas_app.store.files import DB_NAME, atomic_write, fsync_dir, fsync_file, unlink_quietly


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _busy() -> StoreError:
    return StoreError(
        "Någon arbetar i lagringsplatsen just nu. En säkerhetskopia utan nyckel går bara att "
        "göra när ingen är inloggad; försök igen senare eller be en arbetsledare göra den.",
        "Someone is working in the store right now. A backup without the key can only be "
        "made while nobody is logged in; try again later or ask a supervisor to make it.")


def copy_without_key(session, final: Path, partial: Path, key_copy: Path) -> int:
    """Copy the database file as described above; returns its size."""
    if not getattr(session, "is_admin", False):
        raise AccessDenied("Bara en administratör gör säkerhetskopior utan nyckel.",
                           "Only an administrator makes backups without the key.")
    db = session.paths.db
    wal = db.with_name(DB_NAME + "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise _busy()
    before = _sha256(db)
    try:
        final.parent.mkdir(mode=0o700, exist_ok=True)
        fd = os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(fd)
        shutil.copyfile(db, partial)
        fsync_file(partial)
        copied, after = _sha256(partial), _sha256(db)
        if not (before == copied == after) or (wal.exists() and wal.stat().st_size > 0):
            raise _busy()
        with open(partial, "rb") as fh:
            header = fh.read(len(PLAIN_HEADER))
        size = partial.stat().st_size
        if header == PLAIN_HEADER or size == 0 or size % PAGE_SIZE:
            raise StoreError("Databasfilen ser inte ut som en krypterad Trefas-databas; ingen "
                             "kopia sparades.", "The database file does not look like an "
                             "encrypted Trefas database; no copy was saved.")
        atomic_write(key_copy, session.paths.keys.read_bytes())
        os.replace(partial, final)
        fsync_dir(final.parent)
    except BaseException:
        unlink_quietly(partial, key_copy)
        raise
    return size


def backup_without_key(session, actor):
    """The administrator's backup: named and rotated like every backup, the
    copy made by :func:`copy_without_key`, logged through the key file."""
    from trefas_app.security import access
    from trefas_app.services.admin.backups import BackupInfo, backup_names, rotate_backups
    from trefas_app.store.store import BACKUPS_KEPT

    access.require(actor, "system.backup")
    created, final, partial, key_copy = backup_names(session)
    size = copy_without_key(session, final, partial, key_copy)
    rotate_backups(session.paths.backups, BACKUPS_KEPT)
    session.log("backup", file=final.name, size=size, verified_with_key=False)
    return BackupInfo(path=final, size=size, created_at=created, key_path=key_copy)
