"""Backups (DESIGN §5): a verified, encrypted copy in ``backups/`` with the key
file of its time and a witness of the newest checkpoint; the newest
``BACKUPS_KEPT`` are kept.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from trefas_app.domain.actor import Actor
from trefas_app.domain.errors import DatabaseDamaged, StoreError, TrefasError
from trefas_app.security import access
from trefas_app.store.copies import (
    BACKUP_PREFIX,
    BACKUP_DB_SUFFIX,
    BACKUP_KEYS_SUFFIX,
    DB_ERRORS,
    stamp,
    parse_stamp,
    disk_error,
    online_copy,
    integrity_problems,
    read_store_id,
)
from trefas_app.store import models as m
from trefas_app.store.engine import connect_raw
from trefas_app.store.files import (
    PARTIAL_SUFFIX,
    atomic_write,
    backup_lock,
    fsync_dir,
    remove_backup_leftovers,
    sidecars,
    unlink_quietly,
)
from trefas_app.store.store import BACKUPS_KEPT, OpenStore
from trefas_app.store.witness import backup_witness_path


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    size: int
    created_at: dt.datetime
    key_path: Path | None = None
    #: Files an earlier, interrupted backup left, removed before this one.
    leftovers_removed: tuple[str, ...] = ()


# --- backup -------------------------------------------------------------------


def backup_key_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name[:-len(BACKUP_DB_SUFFIX)] + BACKUP_KEYS_SUFFIX)


def list_backups(store: OpenStore) -> list[BackupInfo]:
    """The backups in the store's backup folder, newest first (files only;
    nothing is opened, nothing logged)."""
    return backups_in(store.paths.backups)


def backups_in(folder: Path) -> list[BackupInfo]:
    if not folder.is_dir():
        return []
    found = []
    for p in folder.iterdir():
        name = p.name
        if not (name.startswith(BACKUP_PREFIX) and name.endswith(BACKUP_DB_SUFFIX)):
            continue
        stamp = name[len(BACKUP_PREFIX):-len(BACKUP_DB_SUFFIX)].split("-")[0]
        created = parse_stamp(stamp)
        if created is None:
            continue
        key_path = backup_key_path(p)
        found.append(BackupInfo(path=p, size=p.stat().st_size, created_at=created,
                                key_path=key_path if key_path.exists() else None))
    found.sort(key=lambda b: b.path.name, reverse=True)
    return found


def rotate_backups(folder: Path, keep: int) -> None:
    for old in backups_in(folder)[keep:]:
        unlink_quietly(old.path, backup_key_path(old.path), backup_witness_path(old.path))


def backup(store: OpenStore, actor: Actor) -> BackupInfo:
    """An encrypted, verified copy of the database in ``backups/``.

    The copy is keyed with the same data key, so it is as well protected as
    the store itself, and the key file is copied next to it: after a later
    re-key only that key file opens it. The copy is made with SQLite's online
    backup API (consistent even while others write), fsynced, and reopened
    and checked (``integrity_check`` and ``cipher_integrity_check``) before it
    is given its final name; the newest :data:`BACKUPS_KEPT` are kept. On any
    failure (a full disk included) the partial files are removed and nothing
    is logged; on success the log gets ``backup`` and a fresh checkpoint.
    What an earlier, killed backup left is removed first (under the store's
    backup lock, so never a running backup's files), named in
    ``BackupInfo.leftovers_removed`` and counted in the log entry.
    """
    if not store.has_data_key:
        from trefas_app.services.keyless_backup import backup_without_key

        return backup_without_key(store, actor)
    with store.uow() as uow:
        access.require(actor, "system.backup")
        with backup_lock(store.paths.root):
            leftovers = remove_backup_leftovers(store.paths.backups)
            for name in _unlogged_backups(uow.session, store.paths.backups):
                # Made whole, but killed before its entry was committed.
                uow.log(actor, "backup", subject_kind="backup", subject_id=name,
                        detail={"found": True})
            info = _make_backup(store)
        info = dataclasses.replace(info, leftovers_removed=tuple(leftovers))
        uow.log(actor, "backup", subject_kind="backup", subject_id=info.path.name,
                detail={"size": info.size, **({"leftovers_removed": len(leftovers)}
                                              if leftovers else {})})
        uow.commit()
    store.write_checkpoint(witness_path=backup_witness_path(info.path))
    return info


def _unlogged_backups(session: Session, folder: Path) -> list[str]:
    """Backups in the folder that no ``backup`` entry names."""
    names = {b.path.name for b in backups_in(folder)}
    if not names:
        return []
    logged = set(session.scalars(select(m.AuditEvent.subject_id).where(
        m.AuditEvent.action == "backup", m.AuditEvent.subject_id.in_(names))).all())
    return sorted(names - logged)


def backup_names(store) -> tuple[dt.datetime, Path, Path, Path]:
    folder = store.paths.backups
    created = store.clock().astimezone(dt.timezone.utc)
    base = f"{BACKUP_PREFIX}{stamp(created)}"
    n = 0
    while (folder / f"{base}{BACKUP_DB_SUFFIX}").exists():
        n += 1
        base = f"{BACKUP_PREFIX}{stamp(created)}-{n}"
    return (created, folder / f"{base}{BACKUP_DB_SUFFIX}",
            folder / f"{base}{BACKUP_DB_SUFFIX}{PARTIAL_SUFFIX}",
            folder / f"{base}{BACKUP_KEYS_SUFFIX}")


def _make_backup(store: OpenStore) -> BackupInfo:
    paths = store.paths
    folder = paths.backups
    created, final, partial, key_copy = backup_names(store)
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        online_copy(paths.db, partial, store.data_key)
        conn = connect_raw(partial, store.data_key)
        try:
            problems = integrity_problems(conn)
            if read_store_id(conn) != store.store_id:
                problems.append("Kopian hör inte till lagringsplatsen.")
        finally:
            conn.close()
        if problems:
            raise StoreError(
                "Säkerhetskopian kunde inte verifieras och har tagits bort. " + " ".join(problems),
                "The backup could not be verified and has been removed.")
        atomic_write(key_copy, paths.keys.read_bytes())
        os.replace(partial, final)
        fsync_dir(folder)
    except (TrefasError, OSError) + DB_ERRORS as exc:
        unlink_quietly(partial, *sidecars(partial), key_copy, final)
        if isinstance(exc, TrefasError) and not isinstance(exc, DatabaseDamaged):
            raise
        raise disk_error(exc, "Säkerhetskopieringen misslyckades. Ingen kopia sparades.",
                         "The backup failed. No copy was saved.") from exc
    rotate_backups(folder, BACKUPS_KEPT)
    return BackupInfo(path=final, size=final.stat().st_size, created_at=created,
                      key_path=key_copy)


