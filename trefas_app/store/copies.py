"""What the store-maintenance modules share: a consistent encrypted copy of a
live database (SQLite's online backup API), an encrypted export under another
key, the integrity checks run on every copy, and the names of backup files.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import sqlcipher3

from trefas_app.domain.errors import StoreError, TrefasError
from trefas_app.store.engine import connect_raw, translate_os_error
from trefas_app.store.files import fsync_file


SQLITE_PLAIN_HEADER = b"SQLite format 3\x00"
#: SQLCipher 4's default page size; Trefas never changes it.
PAGE_SIZE = 4096

BACKUP_PREFIX = "trefas-"
BACKUP_DB_SUFFIX = ".db"
BACKUP_KEYS_SUFFIX = ".keys"


#: What the SQLCipher driver raises on a damaged page: after an HMAC failure
#: SQLCipher reports a deferred error that the driver surfaces as MemoryError.
DB_ERRORS = (sqlcipher3.Error, MemoryError)

# --- small file helpers -------------------------------------------------------


def stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")


def parse_stamp(stamp: str) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(stamp, "%Y%m%dT%H%M%S%fZ").replace(tzinfo=dt.timezone.utc)
    except ValueError:
        return None


def create_private_file(path: Path) -> None:
    """An empty file readable by its owner only; SQLite's journal files copy
    the database file's permissions."""
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_BINARY", 0), 0o600)
    os.close(fd)


def disk_error(exc: BaseException, sv: str, en: str) -> TrefasError:
    return translate_os_error(exc) or StoreError(sv, en)


def online_copy(src_path: Path, dst_path: Path, data_key: bytes) -> None:
    """A consistent copy of a live database through SQLite's online backup
    API; both ends keyed with the same raw key, so pages stay encrypted. The
    copy is left in rollback-journal mode (one self-contained file)."""
    src = connect_raw(src_path, data_key)
    try:
        online_copy_from(src, dst_path, data_key)
    finally:
        src.close()


def online_copy_from(src, dst_path: Path, data_key: bytes) -> None:
    """:func:`online_copy` from a connection the caller holds open."""
    create_private_file(dst_path)
    dst = connect_raw(dst_path, data_key)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode = DELETE").fetchone()
    finally:
        dst.close()
    fsync_file(dst_path)


def integrity_problems(conn) -> list[str]:
    """Problems found by SQLite's and SQLCipher's own checks (Swedish)."""
    problems: list[str] = []
    try:
        rows = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
        if rows != ["ok"]:
            problems.append(f"Databasens integritetskontroll hittade {len(rows)} fel.")
        bad_pages = conn.execute("PRAGMA cipher_integrity_check").fetchall()
        if bad_pages:
            problems.append(f"Krypteringskontrollen hittade {len(bad_pages)} skadade sidor.")
    except DB_ERRORS:
        problems.append("Databasen är skadad och kunde inte kontrolleras.")
    return problems


def read_store_id(conn) -> str | None:
    try:
        has_meta = conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE name='store_meta'").fetchone()[0]
        if not has_meta:
            return None
        row = conn.execute("SELECT value FROM store_meta WHERE key='store_id'").fetchone()
        return row[0] if row else None
    except DB_ERRORS:
        return None


def read_revision(conn) -> str | None:
    try:
        has = conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE name='alembic_version'").fetchone()[0]
        if not has:
            return None
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        return row[0] if row else None
    except DB_ERRORS:
        return None


def export_encrypted(src, target: Path, key: bytes) -> None:
    """A whole copy of the open database ``src`` in a new owner-only file,
    encrypted under ``key`` (``sqlcipher_export``)."""
    create_private_file(target)
    src.execute(f"ATTACH DATABASE ? AS export_target KEY \"x'{key.hex()}'\"", (str(target),))
    try:
        src.execute("SELECT sqlcipher_export('export_target')").fetchall()
    finally:
        src.execute("DETACH DATABASE export_target")


