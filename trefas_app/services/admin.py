"""The administrator's store operations (DESIGN §5): backup, restore, re-key,
store check and retention (gallring).

None of these read case content on anyone's behalf: they work on whole files
or, for retention, delete whole cases whose retention time has passed. Each
is allowed by a ``system.*`` permission (administrators only) and each leaves
one entry in the access log: ``backup``, ``restore``, ``rekey``,
``retention.delete`` (one per case) and ``retention.run``.

Unlike the case-work services these take the :class:`OpenStore` rather than a
unit of work, because they replace files under the open engine and must then
hand the caller a store that works again.

Files this module writes in the store folder (next to those of store.py)::

    backups/trefas-<UTC stamp>.db        encrypted copy (same data key)
    backups/trefas-<UTC stamp>.keys      the key file as it was, needed to open it
    backups/trefas-<UTC stamp>.witness   the newest checkpoint when it was made
    trefas.db.before-restore-<stamp>     the database as it was before a restore
    trefas.db.restore-new                (only during a restore)
    trefas.db.rekey-new, trefas.keys.rekey-new, trefas.rekey   (only during a re-key)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import secrets
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Collection

from cryptography.exceptions import InvalidTag
import sqlcipher3
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DatabaseError as SADatabaseError
from sqlalchemy.exc import OperationalError as SAOperationalError
from sqlalchemy.orm import Session

from trefas_app.domain import clock
from trefas_app.domain.actor import Actor
from trefas_app.domain.enums import CaseState, Role
from trefas_app.domain.errors import (
    DatabaseDamaged,
    KeyFileDamaged,
    KeyFileMissing,
    NotATrefasStore,
    NotFound,
    StoreError,
    TrefasError,
)
from trefas_app.security import access
from trefas_app.security import audit
from trefas_app.security.audit_chain import (
    GENESIS,
    chain_break,
    checkpoint_line,
    line_digest,
    read_checkpoints,
    sign_checkpoint,
    verify_chain,
    verify_checkpoint,
    write_checkpoints,
)
from trefas_app.store import models as m
from trefas_app.store.engine import connect_raw, open_engine, translate_os_error
from trefas_app.store.files import (
    CHECKPOINTS_LOCK,
    PARTIAL_SUFFIX,
    REKEY_CHECKPOINTS_TMP,
    REKEY_DB_TMP,
    REKEY_DONE,
    REKEY_JOURNAL,
    REKEY_KEYS_TMP,
    backup_lock,
    file_lock,
    finish_rekey_renames,
    fsync_dir,
    fsync_file,
    recover_interrupted_rekey,  # noqa: F401  (re-exported for the CLI and tests)
    remove_backup_leftovers,
    sidecars,
    unlink_quietly,
)
from trefas_app.store.keyslots import NoDataKey, KeyFile, atomic_write
from trefas_app.store.migrate import head_revision, upgrade_to_head
from trefas_app.store.slot_proofs import unproven_slot_problems
from trefas_app.store.witness import (
    backup_witness_path,
    file_alarms,
    last_acknowledgement,
    pending_alarm,
)
from trefas_app.store.store import (
    BACKUPS_KEPT,
    CHECKPOINTS_NAME,
    DB_NAME,
    OpenStore,
    StorePaths,
    actor_of,
    open_database,
)

SQLITE_PLAIN_HEADER = b"SQLite format 3\x00"
#: SQLCipher 4's default page size; Trefas never changes it.
PAGE_SIZE = 4096

BACKUP_PREFIX = "trefas-"
BACKUP_DB_SUFFIX = ".db"
BACKUP_KEYS_SUFFIX = ".keys"


#: What the SQLCipher driver raises on a damaged page: after an HMAC failure
#: SQLCipher reports a deferred error that the driver surfaces as MemoryError.
DB_ERRORS = (sqlcipher3.Error, MemoryError)


class BackupKeyMismatch(StoreError):
    """The backup was made under another data key (before a re-key)."""


# --- results ------------------------------------------------------------------


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    size: int
    created_at: dt.datetime
    key_path: Path | None = None
    #: Files an earlier, interrupted backup left, removed before this one.
    leftovers_removed: tuple[str, ...] = ()


@dataclass(frozen=True)
class CheckReport:
    ok: bool
    problems: list[str]  # Swedish sentences, no case content
    #: What was looked at: key slots in the key file, whole pages of the
    #: database file, signed checkpoints, and (with a user only) the log
    #: entries whose chain was verified and whether pages were decrypted.
    #: Figures only: two reports are equal when their verdicts are.
    key_slots: int = field(default=0, compare=False)
    pages: int = field(default=0, compare=False)
    checkpoints: int = field(default=0, compare=False)
    log_entries: int | None = field(default=None, compare=False)
    decrypted: bool = field(default=False, compare=False)
    #: The user's password was right but their slot holds no data key (an
    #: administrator): the pages and the log chain are a key holder's check.
    keyless: bool = field(default=False, compare=False)
    #: What the check tidied up (Swedish sentences); not problems.
    notes: list[str] = field(default_factory=list, compare=False)


@dataclass(frozen=True)
class RetentionReport:
    cases_deleted: int
    case_ids: tuple[int, ...] = ()


# --- small file helpers -------------------------------------------------------


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")


def _parse_stamp(stamp: str) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(stamp, "%Y%m%dT%H%M%S%fZ").replace(tzinfo=dt.timezone.utc)
    except ValueError:
        return None


def _create_private_file(path: Path) -> None:
    """An empty file readable by its owner only; SQLite's journal files copy
    the database file's permissions."""
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_BINARY", 0), 0o600)
    os.close(fd)


def _disk_error(exc: BaseException, sv: str, en: str) -> TrefasError:
    return translate_os_error(exc) or StoreError(sv, en)


def _online_copy(src_path: Path, dst_path: Path, data_key: bytes) -> None:
    """A consistent copy of a live database through SQLite's online backup
    API; both ends keyed with the same raw key, so pages stay encrypted. The
    copy is left in rollback-journal mode (one self-contained file)."""
    _create_private_file(dst_path)
    src = connect_raw(src_path, data_key)
    try:
        dst = connect_raw(dst_path, data_key)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode = DELETE").fetchone()
        finally:
            dst.close()
    finally:
        src.close()
    fsync_file(dst_path)


def _integrity_problems(conn) -> list[str]:
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


def _read_store_id(conn) -> str | None:
    try:
        has_meta = conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE name='store_meta'").fetchone()[0]
        if not has_meta:
            return None
        row = conn.execute("SELECT value FROM store_meta WHERE key='store_id'").fetchone()
        return row[0] if row else None
    except DB_ERRORS:
        return None


def _read_revision(conn) -> str | None:
    try:
        has = conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE name='alembic_version'").fetchone()[0]
        if not has:
            return None
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        return row[0] if row else None
    except DB_ERRORS:
        return None


# --- backup -------------------------------------------------------------------


def _backup_key_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name[:-len(BACKUP_DB_SUFFIX)] + BACKUP_KEYS_SUFFIX)


def list_backups(store: OpenStore) -> list[BackupInfo]:
    """The backups in the store's backup folder, newest first (files only;
    nothing is opened, nothing logged)."""
    return _list_backups(store.paths.backups)


def _list_backups(folder: Path) -> list[BackupInfo]:
    if not folder.is_dir():
        return []
    found = []
    for p in folder.iterdir():
        name = p.name
        if not (name.startswith(BACKUP_PREFIX) and name.endswith(BACKUP_DB_SUFFIX)):
            continue
        stamp = name[len(BACKUP_PREFIX):-len(BACKUP_DB_SUFFIX)].split("-")[0]
        created = _parse_stamp(stamp)
        if created is None:
            continue
        key_path = _backup_key_path(p)
        found.append(BackupInfo(path=p, size=p.stat().st_size, created_at=created,
                                key_path=key_path if key_path.exists() else None))
    found.sort(key=lambda b: b.path.name, reverse=True)
    return found


def _rotate(folder: Path, keep: int) -> None:
    for old in _list_backups(folder)[keep:]:
        unlink_quietly(old.path, _backup_key_path(old.path), backup_witness_path(old.path))


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
    names = {b.path.name for b in _list_backups(folder)}
    if not names:
        return []
    logged = set(session.scalars(select(m.AuditEvent.subject_id).where(
        m.AuditEvent.action == "backup", m.AuditEvent.subject_id.in_(names))).all())
    return sorted(names - logged)


def _backup_names(store) -> tuple[dt.datetime, Path, Path, Path]:
    folder = store.paths.backups
    created = store.clock().astimezone(dt.timezone.utc)
    base = f"{BACKUP_PREFIX}{_stamp(created)}"
    n = 0
    while (folder / f"{base}{BACKUP_DB_SUFFIX}").exists():
        n += 1
        base = f"{BACKUP_PREFIX}{_stamp(created)}-{n}"
    return (created, folder / f"{base}{BACKUP_DB_SUFFIX}",
            folder / f"{base}{BACKUP_DB_SUFFIX}{PARTIAL_SUFFIX}",
            folder / f"{base}{BACKUP_KEYS_SUFFIX}")


def _make_backup(store: OpenStore) -> BackupInfo:
    paths = store.paths
    folder = paths.backups
    created, final, partial, key_copy = _backup_names(store)
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        _online_copy(paths.db, partial, store.data_key)
        conn = connect_raw(partial, store.data_key)
        try:
            problems = _integrity_problems(conn)
            if _read_store_id(conn) != store.store_id:
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
        raise _disk_error(exc, "Säkerhetskopieringen misslyckades. Ingen kopia sparades.",
                          "The backup failed. No copy was saved.") from exc
    _rotate(folder, BACKUPS_KEPT)
    return BackupInfo(path=final, size=final.stat().st_size, created_at=created,
                      key_path=key_copy)


# --- restore -------------------------------------------------------------------


@dataclass(frozen=True)
class _BackupFacts:
    head_seq: int
    actor: Actor


def _open_backup(store: OpenStore, backup_path: Path):
    """The backup opened with the current data key, or a clear refusal."""
    try:
        return connect_raw(backup_path, store.data_key)
    except (DatabaseDamaged, StoreError, MemoryError) as exc:
        key_path = _backup_key_path(backup_path) \
            if backup_path.name.endswith(BACKUP_DB_SUFFIX) else None
        other = None
        if key_path is not None and key_path.exists():
            try:
                other = KeyFile.load(key_path)
            except (KeyFileDamaged, KeyFileMissing, StoreError):
                other = None
        if other is not None and other.store_id != store.store_id:
            raise NotATrefasStore(
                "Säkerhetskopian hör till en annan lagringsplats. Ingenting har ändrats.",
                "The backup belongs to another store. Nothing was changed.") from exc
        if other is not None:
            try:
                other.signing_key(store.data_key)
                same_key = True
            except KeyFileDamaged:
                same_key = False
            if same_key:
                raise DatabaseDamaged(
                    "Säkerhetskopian är skadad och kan inte återställas. Ingenting har ändrats.",
                    "The backup is damaged and cannot be restored. Nothing was changed.") \
                    from exc
        raise BackupKeyMismatch(
            "Säkerhetskopian går inte att öppna med lagringsplatsens nuvarande nyckel. "
            "Den är antingen skadad eller gjord med en annan datanyckel (före ett "
            "nyckelbyte); i så fall måste den återställas tillsammans med sin egen "
            f"nyckelfil ({key_path.name if key_path else 'nyckelfilen från samma tillfälle'}). "
            "Ingenting har ändrats.",
            "The backup cannot be opened with the store's current key. It is either damaged "
            "or was made with another data key (before a re-key); then it must be restored "
            "together with its own key file. Nothing was changed.") from exc


def _inspect_backup(store: OpenStore, actor: Actor, backup_path: Path) -> _BackupFacts:
    conn = _open_backup(store, backup_path)
    try:
        problems = _integrity_problems(conn)
        if problems:
            raise DatabaseDamaged(
                "Säkerhetskopian är skadad och återställs inte. Ingenting har ändrats. "
                + " ".join(problems),
                "The backup is damaged and will not be restored. Nothing was changed.")
        if _read_store_id(conn) != store.store_id:
            raise NotATrefasStore(
                "Säkerhetskopian hör inte till den här lagringsplatsen. Ingenting har ändrats.",
                "The backup does not belong to this store. Nothing was changed.")
        from trefas_app.store.migrate import alembic_config
        from alembic.script import ScriptDirectory

        revision = _read_revision(conn)
        known = {s.revision for s in ScriptDirectory.from_config(alembic_config())
                 .walk_revisions()}
        if revision not in known:
            raise StoreError(
                "Säkerhetskopian är gjord av en nyare version av Trefas. Uppdatera programmet.",
                "The backup was made by a newer version of Trefas. Please update the program.")
        head = conn.execute("SELECT max(seq) FROM audit_events").fetchone()[0] or 0
        row = conn.execute(
            "SELECT id FROM users WHERE username = ? AND role = ? AND active = 1",
            (actor.username, Role(actor.role).value)).fetchone()
        if row is None:
            raise StoreError(
                "Ditt konto finns inte (eller är avstängt) i säkerhetskopian, "
                "så du skulle inte kunna logga in efter återställningen. Låt en arbetsledare "
                "som finns i kopian återställa den. Ingenting har ändrats.",
                "Your account does not exist (or is disabled) in the backup, so "
                "you could not log in after the restore. Let a supervisor who exists in "
                "the backup restore it. Nothing was changed.")
    except DB_ERRORS as exc:
        raise DatabaseDamaged(
            "Säkerhetskopian är skadad och återställs inte. Ingenting har ändrats.",
            "The backup is damaged and will not be restored. Nothing was changed.") from exc
    finally:
        conn.close()
    return _BackupFacts(head_seq=head, actor=actor)


def restore(store: OpenStore, actor: Actor, backup_path: Path) -> OpenStore:
    """Put a backup in place of the database; returns the store to go on with.

    Semantics:

    * The backup must open with the current data key (a backup from before a
      re-key is refused with a message telling that it must be restored
      together with its own key file), belong to this store, pass
      ``integrity_check`` and ``cipher_integrity_check``, be of a known schema
      version, and contain the restoring administrator as an active
      administrator. Until all of that holds nothing is touched.
    * The current database is kept as ``trefas.db.before-restore-<stamp>``
      (a consistent online copy).
    * **The access log is never rolled back.** The backup is staged as
      ``trefas.db.restore-new``, brought to the current schema, and its log
      replaced by the whole current log (the entries made since the backup
      included, still chained); ``restore`` is appended to that, with the old
      and restored heads. Only then is the staged database copied into
      ``trefas.db`` with the online backup API, in one transaction: a crash
      leaves either the old store or the restored one with the whole log.
      The checkpoint file goes on as it is, and a fresh checkpoint is signed.
    * The key file is not touched: the users who can unlock are those of the
      current key file. A user created after the backup has a key slot but no
      user row and cannot log in; a user without a slot needs a password reset.
    * The ``store`` passed in is retired (connections closed, keys dropped;
      no log-out is logged). Continue with the returned :class:`OpenStore`,
      whose actor is the administrator as recorded in the restored database.
      Other sessions must be logged out: what they write while the restore
      runs is not carried over.
    """
    with store.uow() as uow:
        access.require(actor, "system.restore")
    backup_path = Path(backup_path)
    if not backup_path.is_file():
        raise NotFound("Säkerhetskopian finns inte.", "The backup does not exist.")
    _inspect_backup(store, actor, backup_path)

    paths = store.paths
    data_key = store.data_key
    now = store.clock()
    before_db = paths.root / f"{DB_NAME}.before-restore-{_stamp(now)}"
    stage = paths.root / RESTORE_STAGE
    unlink_quietly(stage, *sidecars(stage))
    store.engine.dispose()
    try:
        _online_copy(paths.db, before_db, data_key)
    except (TrefasError, OSError) + DB_ERRORS as exc:
        unlink_quietly(before_db, *sidecars(before_db))
        if isinstance(exc, TrefasError) and not isinstance(exc, DatabaseDamaged):
            raise
        raise _disk_error(exc, "Den nuvarande databasen kunde inte sparas undan; ingenting "
                          "har återställts.",
                          "The current database could not be saved aside; nothing was "
                          "restored.") from exc
    try:
        _stage_restore(store, actor, backup_path, before_db, stage, now)
        src = connect_raw(stage, data_key)
        try:
            dst = connect_raw(paths.db, data_key)
            try:
                src.backup(dst)
            finally:
                dst.close()
        finally:
            src.close()
    except (TrefasError, OSError) + DB_ERRORS as exc:
        # The backup API writes the destination in one transaction: on failure
        # the current database is as it was.
        unlink_quietly(before_db, stage, *sidecars(stage))
        if isinstance(exc, TrefasError) and not isinstance(exc, DatabaseDamaged):
            raise
        raise _disk_error(exc, "Återställningen misslyckades; databasen är oförändrad.",
                          "The restore failed; the database is unchanged.") from exc
    fsync_file(paths.db)
    unlink_quietly(stage, *sidecars(stage))

    store.retire()
    engine = open_database(paths, store.keyfile, data_key)
    with Session(engine) as session:
        user = session.scalars(select(m.User).where(m.User.username == actor.username)).one()
        new_actor = actor_of(user)
    new_store = OpenStore(paths, store.keyfile, engine, data_key, new_actor, store.clock)
    new_store.write_checkpoint()
    return new_store


def _export_encrypted(src, target: Path, key: bytes) -> None:
    """A whole copy of the open database ``src`` in a new owner-only file,
    encrypted under ``key`` (``sqlcipher_export``)."""
    _create_private_file(target)
    src.execute(f"ATTACH DATABASE ? AS export_target KEY \"x'{key.hex()}'\"", (str(target),))
    try:
        src.execute("SELECT sqlcipher_export('export_target')").fetchall()
    finally:
        src.execute("DETACH DATABASE export_target")


def restore_with_key_file(store: OpenStore, actor: Actor, backup_path: Path, password: str,
                          key_path: Path | None = None) -> OpenStore:
    """Restore a backup made under an earlier data key (before a re-key).

    The backup's own key file (``key_path``, by default the one kept beside
    the backup) is used only to open the backup, with the restoring
    administrator's password in it; the backup is copied, encrypted under the
    store's current data key, to a private file in the store folder, and that
    copy is restored with :func:`restore`. The current key file stays: users
    who were removed since the backup do not get their keys back. The copy is
    removed afterwards, whatever happens.
    """
    with store.uow():
        access.require(actor, "system.restore")
    backup_path = Path(backup_path)
    key_path = Path(key_path) if key_path else _backup_key_path(backup_path)
    if not backup_path.is_file():
        raise NotFound("Säkerhetskopian finns inte.", "The backup does not exist.")
    try:
        old_keys = KeyFile.load(key_path)
    except (KeyFileMissing, KeyFileDamaged, StoreError) as exc:
        raise NotFound(
            f"Säkerhetskopians nyckelfil {key_path} finns inte eller kan inte läsas. "
            "Ingenting har ändrats.",
            f"The backup's key file {key_path} is missing or cannot be read. Nothing was "
            "changed.") from exc
    if old_keys.store_id != store.store_id:
        raise NotATrefasStore(
            "Nyckelfilen hör till en annan lagringsplats. Ingenting har ändrats.",
            "The key file belongs to another store. Nothing was changed.")
    try:
        old_key = old_keys._open(old_keys.find(actor.username), password)
    except (TrefasError, InvalidTag) as exc:
        raise BackupKeyMismatch(
            "Säkerhetskopians nyckelfil öppnas inte med ditt lösenord (du fanns kanske inte "
            "då, eller har bytt lösenord sedan). Låt en administratör som fanns när kopian "
            "gjordes återställa den. Ingenting har ändrats.",
            "The backup's key file does not open with your password (perhaps you did not "
            "exist then, or have changed your password since). Let an administrator who "
            "existed when the backup was made restore it. Nothing was changed.") from exc
    copy = store.paths.root / f".restore-{_stamp(store.clock())}{BACKUP_DB_SUFFIX}"
    try:
        src = connect_raw(backup_path, old_key)
        try:
            _export_encrypted(src, copy, store.data_key)
        finally:
            src.close()
        return restore(store, actor, copy)
    except DB_ERRORS + (OSError,) as exc:
        raise _disk_error(exc, "Säkerhetskopian kunde inte öppnas med sin nyckelfil; "
                          "ingenting har ändrats.",
                          "The backup could not be opened with its key file; nothing was "
                          "changed.") from exc
    finally:
        unlink_quietly(copy, *sidecars(copy))


#: The backup being made ready (schema, the current log) before it goes in place.
RESTORE_STAGE = DB_NAME + ".restore-new"


def _stage_restore(store: OpenStore, actor: Actor, backup_path: Path, before_db: Path,
                   stage: Path, now: dt.datetime) -> None:
    """The backup as ``stage``, at the current schema, carrying the whole
    current log (from ``before_db``) and a ``restore`` entry after it."""
    data_key = store.data_key
    _online_copy(backup_path, stage, data_key)
    engine = open_engine(stage, data_key)
    try:
        upgrade_to_head(engine)
    finally:
        engine.dispose()
    conn = connect_raw(stage, data_key)
    try:
        restored_head = conn.execute(
            "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1").fetchone() \
            or (0, GENESIS)
        _carry_log_forward(conn, before_db, data_key)
    finally:
        conn.close()
    engine = open_engine(stage, data_key)
    try:
        with Session(engine) as session:
            before_head = audit.head(session)
            kept = session.scalar(select(m.AuditEvent.hash).where(
                m.AuditEvent.seq == restored_head[0])) if restored_head[0] else GENESIS
            user = session.scalars(select(m.User).where(
                m.User.username == actor.username)).one()
            audit.append(session, now, actor_of(user), "restore", subject_kind="backup",
                         subject_id=backup_path.name,
                         detail={"before_seq": before_head[0], "before_hash": before_head[1],
                                 "restored_seq": restored_head[0],
                                 "restored_hash": restored_head[1],
                                 "backup_log_matches": kept == restored_head[1],
                                 "kept_db": before_db.name})
            session.commit()
    finally:
        engine.dispose()
    conn = connect_raw(stage, data_key)
    try:
        conn.execute("PRAGMA journal_mode = DELETE").fetchone()  # one self-contained file
    finally:
        conn.close()
    fsync_file(stage)


def _carry_log_forward(conn, source_db: Path, data_key: bytes) -> None:
    """Replace the log in ``conn`` with the whole log of ``source_db``, in one
    transaction (the append-only trigger is lifted for it and put back)."""
    columns = ", ".join(c.name for c in m.AuditEvent.__table__.columns)
    conn.execute(f"ATTACH DATABASE ? AS prior KEY \"x'{data_key.hex()}'\"", (str(source_db),))
    try:
        trigger = conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' "
            "AND name = 'audit_events_no_delete'").fetchone()
        conn.execute("BEGIN IMMEDIATE")
        try:
            if trigger:
                conn.execute("DROP TRIGGER audit_events_no_delete")
            conn.execute("DELETE FROM main.audit_events")
            conn.execute(f"INSERT INTO main.audit_events ({columns}) "
                         f"SELECT {columns} FROM prior.audit_events ORDER BY seq")
            if trigger:
                conn.execute(trigger[0])
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    finally:
        conn.execute("DETACH DATABASE prior")


# --- re-key ----------------------------------------------------------------------


def rekey(store: OpenStore, actor: Actor) -> None:
    """A new random data key for the whole store; every slot gets it sealed.

    Steps, and what a crash at each point leaves:

    1. ``sqlcipher_export`` of the (checkpointed) database into
       ``trefas.db.rekey-new`` under the new key, then checked; the new key
       file (every slot resealed, a new checkpoint signing key) is written
       to ``trefas.keys.rekey-new``, and every checkpoint the old signing
       key proves genuine re-signed with the new one and re-linked to the
       line before it (others copied as they are, still invalid) into
       ``trefas.checkpoints.rekey-new``. A crash here leaves the store as it
       was (the leftovers are removed by :func:`recover_interrupted_rekey`).
    2. The journal ``trefas.rekey`` is written (fsynced): from here on the
       re-key is complete on disk and only needs its two renames. Its facts
       are kept as ``trefas.rekey-done`` until the ``rekey`` entry is
       committed, so that a crash before that is logged at the next log-in.
    3. ``trefas.keys.rekey-new`` → ``trefas.keys``, the checkpoints, then
       ``trefas.db.rekey-new`` → ``trefas.db``, then the journal is removed.
       A crash between the two renames leaves a store that does not open
       until :func:`recover_interrupted_rekey` finishes the renames (it
       decides by which temporary files still exist, never by guessing);
       :func:`check_store` reports the situation.

    Afterwards the old data key opens nothing and the old signing key signs
    nothing this store accepts (a removed user who kept an old key file
    cannot forge checkpoints); backups made before keep their own key file.
    The ``store`` continues with the new engine and key. Other sessions on the
    same store (other processes) must log in again.
    """
    with store.uow() as uow:
        access.require(actor, "system.rekey")
    paths = store.paths
    root = paths.root
    old_key = store.data_key
    new_key = secrets.token_bytes(32)
    tmp_db = root / REKEY_DB_TMP
    tmp_keys = root / REKEY_KEYS_TMP
    tmp_checkpoints = root / REKEY_CHECKPOINTS_TMP
    journal = root / REKEY_JOURNAL
    if journal.exists():
        raise StoreError("Ett tidigare nyckelbyte är inte avslutat. Kontrollera lagringsplatsen.",
                         "An earlier re-key did not finish. Check the store.")
    unlink_quietly(tmp_db, *sidecars(tmp_db), tmp_keys, tmp_checkpoints)
    rekey_id = secrets.token_hex(8)

    with Session(store.engine) as session:
        seq_before = audit.head(session)[0]
    store.engine.dispose()
    new_keyfile = KeyFile.load(paths.keys)  # from disk: this session's copy may be stale
    held = ExitStack()  # the checkpoint lock, from reading the lines to the renames
    try:
        try:
            src = connect_raw(paths.db, old_key)
            try:
                src.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
                _export_encrypted(src, tmp_db, new_key)
            finally:
                src.close()
            problems = _rekeyed_copy_problems(tmp_db, new_key, store.store_id)
            if problems:
                raise StoreError("Nyckelbytet avbröts: den omkrypterade databasen kunde inte "
                                 "verifieras. Ingenting har ändrats. " + " ".join(problems),
                                 "The re-key was stopped: the re-encrypted database could not be "
                                 "verified. Nothing was changed.")
            fsync_file(tmp_db)
            refused = new_keyfile.reseal_all(new_key, old_key)
            new_keyfile.rekey_due = ""
            new_keyfile.seal_note_seal_key(store.note_seal_key, new_key)
            new_keyfile.retire_signing_key(store.clock().astimezone(dt.timezone.utc).isoformat())
            new_signing_key = new_keyfile.create_signing_key(new_key)
            new_keyfile.signing_key(new_key)  # proves the new seal opens
            new_keyfile.path = tmp_keys
            new_keyfile.save()
            # No checkpoint line is appended between this read and the renames.
            held.enter_context(file_lock(root / CHECKPOINTS_LOCK))
            checkpoints = _checkpoints_to_resign(store)
            write_checkpoints(tmp_checkpoints, _resigned_chain(checkpoints, new_signing_key))
            wal = sidecars(paths.db)[0]
            if wal.exists() and wal.stat().st_size > 0:
                raise StoreError("Nyckelbytet avbröts: databasen används av en annan session. "
                                 "Logga ut alla andra och försök igen. Ingenting har ändrats.",
                                 "The re-key was stopped: the database is in use by another "
                                 "session. Log everyone else out and try again. Nothing was "
                                 "changed.")
            atomic_write(journal, json.dumps({"rekey": 1, "db": REKEY_DB_TMP,
                                              "keys": REKEY_KEYS_TMP,
                                              "checkpoints": REKEY_CHECKPOINTS_TMP,
                                              "id": rekey_id, "by": actor.username,
                                              "seq_before": seq_before})
                         .encode("utf-8"))
        except (TrefasError, OSError) + DB_ERRORS as exc:
            unlink_quietly(journal, tmp_db, *sidecars(tmp_db), tmp_keys, tmp_checkpoints)
            if isinstance(exc, TrefasError) and not isinstance(exc, DatabaseDamaged):
                raise
            raise _disk_error(exc, "Nyckelbytet misslyckades. Ingenting har ändrats.",
                              "The re-key failed. Nothing was changed.") from exc

        # Commit point: the journal says "finish the renames".
        finish_rekey_renames(root)
    finally:
        held.close()

    for f in dataclasses.fields(KeyFile):
        if f.name != "path":
            setattr(store.keyfile, f.name, getattr(new_keyfile, f.name))
    store.replace_engine(open_database(paths, store.keyfile, new_key), new_key)
    with store.uow() as uow:
        uow.log(actor, "rekey", detail={"id": rekey_id, "seq_before": seq_before,
                                        "checkpoints_resigned": sum(g for _, g in checkpoints),
                                        "checkpoints_invalid": sum(not g for _, g in checkpoints),
                                        "slots_refused": [f"{s.kind}:{s.username}"
                                                          for s in refused]})
        uow.commit()
    unlink_quietly(root / REKEY_DONE)
    store.write_checkpoint()


def _rekeyed_copy_problems(tmp_db: Path, new_key: bytes, store_id: str) -> list[str]:
    check = connect_raw(tmp_db, new_key)
    try:
        problems = _integrity_problems(check)
        if _read_store_id(check) != store_id:
            problems.append("Den nya databasen saknar lagringsplatsens id.")
        if _read_revision(check) is None:
            problems.append("Den nya databasen saknar schemaversion.")
    finally:
        check.close()
    return problems


def _resigned_chain(checkpoints: list[tuple[object, bool]], signing_key) -> list:
    """The checkpoint file under the new signing key: genuine lines re-signed
    (chained lines re-linked to the new line before them), others as they are."""
    lines = []
    prev = GENESIS
    for cp, genuine in checkpoints:
        if genuine:
            cp = sign_checkpoint(signing_key, cp.store_id, cp.seq, cp.hash, cp.at,
                                 None if cp.prev is None else prev)
        lines.append(cp)
        prev = line_digest(checkpoint_line(cp))
    return lines


def _checkpoints_to_resign(store: OpenStore) -> list[tuple[object, bool]]:
    """Every checkpoint, with whether the current signing key proves it
    genuine. Only those are re-signed: a re-key must not turn a forged or
    damaged line into a validly signed one — it stays as it is, and ``trefas
    check`` goes on reporting it (a torn line must not block a re-key, which
    is what follows removing a user)."""
    path = store.paths.checkpoints
    if not path.exists():
        return []
    public = store.keyfile.public_key()
    return [(cp, cp.store_id == store.store_id and verify_checkpoint(cp, public))
            for cp in read_checkpoints(path)]


# --- check -------------------------------------------------------------------------


def _slot_sizes_ok(s) -> bool:
    """Field sizes of a slot in its state: an enrolment slot has only its code
    check; an administrator's or an unconfirmed one has keys but no data key."""
    if s.state == "disabled":
        return True
    if s.state == "enrolment":
        return len(s.salt) >= 16 and len(s.enrol_check) == 32
    keys_ok = (len(s.salt) >= 16 and len(s.private_nonce) == 12
               and len(s.sealed_private) == 32 + 16 and len(s.public) == 32)
    if not s.sealed_data_key and (s.kind == "admin" or s.state == "awaiting"):
        return keys_ok
    return keys_ok and (len(s.ephemeral_public) == 32 and len(s.key_nonce) == 12
                        and len(s.sealed_data_key) == 32 + 16)


def _slot_problems(keyfile: KeyFile) -> list[str]:
    problems = []
    users = [s for s in keyfile.slots if s.kind in ("user", "admin")]
    recovery = [s for s in keyfile.slots if s.kind == "recovery"]
    if not users:
        problems.append("Nyckelfilen har ingen användarnyckel.")
    if any(s.kind == "admin" and s.sealed_data_key for s in keyfile.slots):
        problems.append("En administratörs nyckelplats bär datanyckeln (den tas bort vid nästa "
                        "inloggning av en nyckelinnehavare).")
    if len(recovery) != 1:
        problems.append("Nyckelfilen ska ha exakt en återställningsnyckel "
                        f"men har {len(recovery)}.")
    names = [s.username for s in users]
    if len(names) != len(set(names)):
        problems.append("Nyckelfilen har flera nycklar för samma användare.")
    ids = [s.slot_id for s in keyfile.slots]
    if len(ids) != len(set(ids)):
        problems.append("Nyckelfilen har två nyckelplatser med samma id.")
    for s in keyfile.slots:
        sizes_ok = _slot_sizes_ok(s)
        kdf_ok = s.kdf.iterations >= 1 and s.kdf.lanes >= 1 and s.kdf.memory_cost >= 8 * s.kdf.lanes
        who = "återställningsnyckeln" if s.kind == "recovery" else f"användaren ”{s.username}”"
        if s.kind not in ("user", "admin", "recovery"):
            problems.append("Nyckelfilen har en nyckelplats av okänt slag.")
        elif not sizes_ok:
            problems.append(f"Nyckelplatsen för {who} är skadad.")
        elif not kdf_ok:
            problems.append(f"Nyckelplatsen för {who} har orimliga parametrar.")
    if len(keyfile.signing_public_key) != 32 or len(keyfile.signing_key_nonce) != 12 \
            or len(keyfile.signing_key_sealed) != 32 + 16:
        problems.append("Nyckelfilens signeringsnyckel är skadad.")
    if keyfile.note_seal_sealed and (len(keyfile.note_seal_nonce) != 12
                                     or len(keyfile.note_seal_sealed) != 32 + 16):
        problems.append("Nyckelfilens nyckel för anteckningarnas sigill är skadad.")
    return problems


def check_store(root: Path, username: str | None = None,
                password: str | None = None) -> CheckReport:
    """Check a store on disk and say, in Swedish, what is wrong.

    What an interrupted backup left in ``backups/`` is removed (unless a
    backup is running) and named in ``notes``. Without credentials (nothing
    decrypted, nothing written): the key file is
    present and readable with structurally sound slots, the database file is
    present, not plain SQLite and of whole pages, no re-key was interrupted,
    and every checkpoint is signed by this store's key.

    With a user name and password (which unseals that user's slot; a wrong
    password raises and counts as a failed log-in like any other): also
    ``integrity_check``, ``cipher_integrity_check``, ``foreign_key_check``,
    the schema at the newest migration (nothing is migrated) and the access
    log chain against the checkpoints. Nothing is written to the database
    except, when everything is in order, one ``store.check`` log entry.
    """
    paths = StorePaths(Path(root))
    problems: list[str] = []
    notes = _tidy_backups(paths)
    if (paths.root / REKEY_JOURNAL).exists():
        problems.append("Ett nyckelbyte avbröts mitt i. Lagringsplatsen öppnas inte förrän "
                        "nyckelbytet har slutförts (recover_interrupted_rekey).")
    keyfile = None
    try:
        keyfile = KeyFile.load(paths.keys)
    except (KeyFileMissing, KeyFileDamaged, StoreError) as exc:
        problems.append(exc.sv)
    if keyfile is not None:
        problems += _slot_problems(keyfile)

    if not paths.db.exists():
        problems.append(f"Databasfilen saknas ({DB_NAME}).")
    else:
        with open(paths.db, "rb") as fh:
            header = fh.read(len(SQLITE_PLAIN_HEADER))
        size = paths.db.stat().st_size
        if header == SQLITE_PLAIN_HEADER:
            problems.append("Databasfilen är inte krypterad (en vanlig SQLite-fil). Den är "
                            "inte en Trefas-databas eller har bytts ut.")
        elif size == 0 or size % PAGE_SIZE:
            problems.append("Databasfilen har fel storlek och är troligen avkortad eller skadad.")

    checkpoints = _checkpoint_file_problems(paths, keyfile, problems)

    figures = {"key_slots": len(keyfile.slots) if keyfile is not None else 0,
               "pages": paths.db.stat().st_size // PAGE_SIZE if paths.db.exists() else 0,
               "checkpoints": len(checkpoints)}
    if username is None or keyfile is None or not paths.db.exists() or problems:
        return CheckReport(ok=not problems, problems=problems, notes=notes, **figures)

    from trefas_app.store.store import check_throttle

    check_throttle(keyfile, username, clock.now_utc)
    try:
        data_key = keyfile.unseal(username, password or "")
    except NoDataKey:
        # An administrator: the checks above are all that can be made without
        # the key; the page and log checks need a key holder (a supervisor).
        return CheckReport(ok=not problems, problems=problems, notes=notes, keyless=True,
                           **figures)
    try:
        conn = connect_raw(paths.db, data_key)
    except (DatabaseDamaged, StoreError, MemoryError) as exc:
        problems.append(getattr(exc, "sv", "Databasfilen är skadad."))
        return CheckReport(ok=False, problems=problems, notes=notes, **figures)
    try:
        problems += _integrity_problems(conn)
        if _read_store_id(conn) != keyfile.store_id:
            problems.append("Databasfilen hör inte till den här nyckelfilen.")
        try:
            fk = conn.execute("PRAGMA foreign_key_check").fetchall()
            if fk:
                problems.append(f"{len(fk)} rader hänvisar till poster som inte finns "
                                f"(första i tabellen {fk[0][0]}).")
        except DB_ERRORS:
            problems.append("Hänvisningarna mellan tabellerna kunde inte kontrolleras.")
        revision = _read_revision(conn)
        if revision != head_revision():
            problems.append("Databasens schema är inte i senaste versionen "
                            f"({revision or 'okänd'}); den uppgraderas vid inloggning.")
    finally:
        conn.close()
    if problems:
        return CheckReport(ok=False, problems=problems, notes=notes, decrypted=True, **figures)

    engine = open_engine(paths.db, data_key)
    entries = None
    try:
        with Session(engine) as session:
            report = verify_chain(audit.iter_chain(session), checkpoints,
                                  keyfile.public_key(), store_id=keyfile.store_id)
            entries = report.entries
            if not report.ok:
                problems.append(report.problem_sv or "Åtkomstloggen är inte hel.")
            problems += _alarm_problems(session, paths.root, keyfile, report.last_seq)
            problems += unproven_slot_problems(session, keyfile, data_key)
            user = session.scalars(select(m.User).where(m.User.username == username)).first()
            if not problems and user is not None and user.active:
                audit.append(session, clock.now_utc(), actor_of(user),
                             "store.check", detail={"ok": True})
                session.commit()
    except (SADatabaseError, SAOperationalError):
        problems.append("Databasen kunde inte läsas vid kontrollen av åtkomstloggen.")
    finally:
        engine.dispose()
    return CheckReport(ok=not problems, problems=problems, notes=notes, log_entries=entries,
                       decrypted=True, **figures)


def _checkpoint_file_problems(paths: StorePaths, keyfile: KeyFile | None,
                              problems: list[str]) -> list:
    """The checkpoints (read without a password), adding to ``problems`` a
    missing file, a line without a valid signature or a broken chain."""
    if not paths.checkpoints.exists():
        problems.append(f"Kontrollpunktsfilen saknas ({CHECKPOINTS_NAME}).")
        return []
    if keyfile is None or len(keyfile.signing_public_key) != 32:
        return []
    checkpoints = read_checkpoints(paths.checkpoints)
    public = keyfile.public_key()
    bad = [i for i, cp in enumerate(checkpoints, start=1)
           if not verify_checkpoint(cp, public) or cp.store_id != keyfile.store_id]
    if bad:
        problems.append(f"{len(bad)} kontrollpunkt(er) har ingen giltig signatur "
                        f"(första: nr {bad[0]}).")
    broken = chain_break(checkpoints)
    if broken is not None:
        problems.append(f"Kontrollpunkt nr {broken} hänger inte ihop med den före: en "
                        "kontrollpunkt har tagits bort, ändrats eller lagts till.")
    return checkpoints


def _alarm_problems(session: Session, root: Path, keyfile: KeyFile, head_seq: int) -> list[str]:
    """What the witnesses say against the checkpoint file, and an alarm in the
    log that no key holder has acknowledged (see store/witness.py)."""
    ack = last_acknowledgement(session)
    acknowledged_at = dt.datetime.fromisoformat(ack.at) if ack is not None else None
    problems = [a.sv for a in file_alarms(root, keyfile.store_id, keyfile.public_key(),
                                          head_seq, acknowledged_at)]
    pending = pending_alarm(session)
    if pending is not None:
        problems.append(pending.sv)
    return problems


def _tidy_backups(paths: StorePaths) -> list[str]:
    if not paths.backups.is_dir():
        return []
    try:
        with backup_lock(paths.root, wait=False) as locked:
            removed = remove_backup_leftovers(paths.backups) if locked else []
    except OSError:  # a read-only store folder: nothing to tidy from here
        return []
    if not removed:
        return []
    return [f"Rester av en avbruten säkerhetskopiering har tagits bort ({len(removed)} "
            f"filer: {', '.join(removed)})."]


# --- retention (gallring) ------------------------------------------------------------


def _kind_names(model) -> set[str]:
    """Names a state change may use for rows of ``model`` (services record
    the access-rule kind, e.g. "referral"; table names are accepted too)."""
    names = {model.__tablename__, model.__tablename__.rstrip("s")}
    kind = access.KIND_OF_MODEL.get(model)
    if kind:
        names.add(kind)
    return names


def _content_tables_in_delete_order():
    content = {model.__table__: model for model in m.CASE_CONTENT_MODELS}
    return [content[t] for t in reversed(m.Base.metadata.sorted_tables) if t in content]


class _NoSync:
    """A session whose bulk statements skip ORM synchronisation (the purge
    works on rows, the session holds no objects that matter)."""

    def __init__(self, session: Session):
        self._s = session

    def execute(self, stmt):
        return self._s.execute(stmt, execution_options={"synchronize_session": False})

    def scalar(self, stmt):
        return self._s.scalar(stmt)

    def scalars(self, stmt):
        return self._s.scalars(stmt)


def case_purge_statements(case_id) -> list:
    """The deletes of everything recorded in one case — not its consents, the
    case row or the person. ``case_id`` is a value, or a SQL expression (the
    server's purge function, store/server_retention.py, builds its body from
    these)."""
    content_models = _content_tables_in_delete_order()
    content_tables = {model.__table__ for model in content_models}
    statements = []
    # Rows in non-content tables that hang off content rows (plan goals and
    # actions; found from the schema so that a new child table is covered).
    for table in m.Base.metadata.sorted_tables:
        if table in content_tables:
            continue
        for fk in table.foreign_keys:
            if fk.column.table in content_tables:
                parent = fk.column.table
                statements.append(table.delete().where(fk.parent.in_(
                    select(parent.c.id).where(parent.c.case_id == case_id))))
    for model in content_models:
        ids = select(model.id).where(model.case_id == case_id)
        statements.append(delete(m.StateChange).where(
            m.StateChange.entity.in_(sorted(_kind_names(model))),
            m.StateChange.entity_id.in_(ids)))
        statements.append(delete(model).where(model.case_id == case_id))
    docs = select(m.IssuedDocument.id).where(m.IssuedDocument.case_id == case_id)
    return statements + [
        delete(m.Disclosure).where((m.Disclosure.case_id == case_id)
                                   | m.Disclosure.document_id.in_(docs)),
        delete(m.IssuedDocument).where(m.IssuedDocument.case_id == case_id),
        delete(m.TeamMember).where(m.TeamMember.case_id == case_id),
        delete(m.EmergencyAccess).where(m.EmergencyAccess.case_id == case_id),
        delete(m.StateChange).where(m.StateChange.entity == "case",
                                    m.StateChange.entity_id == case_id)]


def person_purge_statements(person_id) -> list:
    """The deletes of a person nothing else refers to any more, and what only
    they were about (as :func:`case_purge_statements`: a value or SQL)."""
    person_docs = select(m.IssuedDocument.id).where(m.IssuedDocument.person_id == person_id)
    return [delete(m.Disclosure).where((m.Disclosure.person_id == person_id)
                                       | m.Disclosure.document_id.in_(person_docs)),
            delete(m.IssuedDocument).where(m.IssuedDocument.person_id == person_id),
            delete(m.Relative).where(m.Relative.person_id == person_id),
            delete(m.IdentityReveal).where(m.IdentityReveal.person_id == person_id),
            delete(m.Person).where(m.Person.id == person_id)]


def _purge_case(s: Session, case: m.Case) -> bool:
    """Delete one case and everything about it; the person too when nothing
    else refers to them. Returns whether the person was deleted."""
    case_id, person_id = case.id, case.person_id
    for statement in case_purge_statements(case_id):
        s.execute(statement)

    other_cases = s.scalar(select(m.Case.id).where(m.Case.person_id == person_id,
                                                   m.Case.id != case_id).limit(1))
    other_content = any(
        s.scalar(select(model.id).where(model.person_id == person_id).limit(1))
        for model in m.CASE_CONTENT_MODELS)
    delete_person = other_cases is None and not other_content

    if delete_person:
        consent_ids = select(m.Consent.id).where(m.Consent.person_id == person_id)
    else:
        consent_ids = select(m.Consent.id).where(m.Consent.case_id == case_id)
    consent_list = list(s.scalars(consent_ids).all())
    # A consent still relied on by a disclosure that stays is kept, without
    # its link to the deleted case.
    kept = set(s.scalars(select(m.Disclosure.consent_id)
                         .where(m.Disclosure.consent_id.in_(consent_list))).all())
    if delete_person and kept:
        delete_person = False
    to_delete = [c for c in consent_list if c not in kept]
    # Versions point at their predecessors: a version that stays must not
    # point at one that goes.
    s.execute(update(m.Consent).where(m.Consent.previous_id.in_(to_delete),
                                      m.Consent.id.not_in(to_delete))
              .values(previous_id=None))
    s.execute(update(m.Consent).where(m.Consent.case_id == case_id)
              .values(case_id=None))
    s.execute(delete(m.ConsentGrant).where(m.ConsentGrant.consent_id.in_(to_delete)))
    s.execute(delete(m.Consent).where(m.Consent.id.in_(to_delete)))

    s.execute(delete(m.Case).where(m.Case.id == case_id))
    if delete_person:
        for statement in person_purge_statements(person_id):
            s.execute(statement)
    return delete_person


@dataclass(frozen=True)
class RetentionCandidate:
    """A closed case whose retention time has run out: what a run would delete
    (number and dates only; no content)."""
    case_id: int
    number: str
    closed_at: dt.datetime | None
    retain_until: dt.date


def _due_cases(session, today: dt.date):
    return select(m.Case).where(m.Case.state == CaseState.CLOSED,
                                m.Case.retain_until.is_not(None),
                                m.Case.retain_until < today).order_by(m.Case.id)


def _on_server(store: OpenStore) -> bool:
    return bool(getattr(store, "is_server", False))


def _due(session, today: dt.date) -> list[RetentionCandidate]:
    """The due cases. On a server the row rules hide cases outside the
    reader's scope: ``trefas.retention_due`` (store/server_retention.py)
    lists them, number and dates only."""
    if session.get_bind().dialect.name != "postgresql":
        return [RetentionCandidate(c.id, c.number, c.closed_at, c.retain_until)
                for c in session.scalars(_due_cases(session, today))]
    rows = session.execute(text("SELECT id, number, closed_at, retain_until "
                                "FROM trefas.retention_due(:today)"), {"today": today}).all()
    return [RetentionCandidate(r.id, r.number, r.closed_at and r.closed_at.replace(
        tzinfo=dt.timezone.utc), r.retain_until) for r in rows]


def _purge_on_server(store: OpenStore, actor: Actor, candidate: RetentionCandidate,
                     today: dt.date) -> bool:
    """One case, by the server's purge function (login roles may not delete
    cases), logged in the same transaction. False when it is no longer due."""
    with store.uow() as uow:
        person_deleted = uow.session.scalar(
            text("SELECT trefas.retention_purge(:case_id, :today)"),
            {"case_id": candidate.case_id, "today": today})
        if person_deleted is None:
            return False
        uow.log(actor, "retention.delete", subject_kind="case", subject_id=candidate.case_id,
                case_id=candidate.case_id, detail={"number": candidate.number,
                                                   "person_deleted": person_deleted})
        uow.commit()
    return True


def retention_due(store: OpenStore, actor: Actor, today: dt.date) -> list[RetentionCandidate]:
    """The cases :func:`run_retention` would delete on ``today``, so that they
    can be shown (and confirmed) first. Logged as ``retention.list``."""
    with store.uow() as uow:
        access.require(actor, "system.retention")
        due = _due(uow.session, today)
        uow.log(actor, "retention.list", detail={"today": today.isoformat(),
                                                 "cases": len(due)})
        uow.commit()
        return due


def run_retention(store: OpenStore, actor: Actor, today: dt.date,
                  only: Collection[int] | None = None) -> RetentionReport:
    """Delete (gallra) every closed case whose retention time has run out
    (``retain_until`` before ``today``), with everything recorded in it:
    notes (signed ones too), plans, referrals, exit support, tasks, the team,
    consents and disclosures tied to it, and the person when no other case or
    record refers to them.

    This deliberately bypasses the access rule: it is a system action of the
    administrator (``system.retention``), sees no content, and returns only
    counts. Each case is deleted in its own transaction together with its
    ``retention.delete`` log entry (case id and number only), so a run that
    stops half-way leaves whole cases either deleted and logged or untouched.
    The access log itself is never touched. The signed-note trigger lets a
    signed note go only while a ``retention_purges`` row names its case; the
    row is removed again in the same transaction.

    ``only`` limits the run to those case ids (the ones shown and confirmed
    with :func:`retention_due`): a case that fell due in between waits for
    the next run.
    """
    with store.uow() as uow:
        access.require(actor, "system.retention")
        due = [c for c in _due(uow.session, today) if only is None or c.case_id in only]
    deleted: list[int] = []
    for candidate in due:
        case_id = candidate.case_id
        if _on_server(store):
            if _purge_on_server(store, actor, candidate, today):
                deleted.append(case_id)
            continue
        with store.uow() as uow:
            s = uow.session
            case = s.get(m.Case, case_id)
            if case is None or case.state != CaseState.CLOSED or case.retain_until is None \
                    or case.retain_until >= today:
                continue
            number = case.number
            s.add(m.RetentionPurge(case_id=case_id))
            s.flush()
            person_deleted = _purge_case(s, case)
            s.expunge_all()
            uow.log(actor, "retention.delete", subject_kind="case", subject_id=case_id,
                    case_id=case_id, detail={"number": number,
                                             "person_deleted": person_deleted})
            s.execute(delete(m.RetentionPurge).where(m.RetentionPurge.case_id == case_id))
            uow.commit()
        deleted.append(case_id)
    with store.uow() as uow:
        uow.log(actor, "retention.run", detail={"today": today.isoformat(),
                                                "cases": len(deleted)})
        uow.commit()
    return RetentionReport(cases_deleted=len(deleted), case_ids=tuple(deleted))
