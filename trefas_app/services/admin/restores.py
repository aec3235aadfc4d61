"""Restoring a backup (also one made under an earlier data key, with its own
key file). The access log is never rolled back: the current log is carried
into the restored database before it goes in place.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from cryptography.exceptions import InvalidTag
from sqlalchemy import select

from trefas_app.domain.actor import Actor
from trefas_app.domain.enums import Role
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
from trefas_app.store import audit
from trefas_app.store.audit_chain import GENESIS
from trefas_app.services.admin.backups import backup_key_path
from trefas_app.store.copies import (
    stamp,
    BACKUP_DB_SUFFIX,
    DB_ERRORS,
    disk_error,
    online_copy,
    online_copy_from,
    integrity_problems,
    read_store_id,
    read_revision,
    export_encrypted,
)
from trefas_app.store import models as m
from trefas_app.store.engine import connect_raw, open_engine, store_busy
from trefas_app.store.files import fsync_file, sidecars, unlink_quietly
from trefas_app.store.keyslots import KeyFile
from trefas_app.store.migrate import upgrade_to_head
from trefas_app.store.store import DB_NAME, OpenStore, actor_of, open_database
from trefas_app.store.uow import UnitOfWork


class BackupKeyMismatch(StoreError):
    """The backup was made under another data key (before a re-key)."""


# --- restore -------------------------------------------------------------------


def _open_backup(store: OpenStore, backup_path: Path):
    """The backup opened with the current data key, or a clear refusal."""
    try:
        return connect_raw(backup_path, store.data_key)
    except (DatabaseDamaged, StoreError, MemoryError) as exc:
        key_path = backup_key_path(backup_path) \
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


def _inspect_backup(store: OpenStore, actor: Actor, backup_path: Path) -> None:
    """Refuse a backup that is damaged, of another store or a newer schema, or
    without the restoring administrator; touches nothing."""
    conn = _open_backup(store, backup_path)
    try:
        problems = integrity_problems(conn)
        if problems:
            raise DatabaseDamaged(
                "Säkerhetskopian är skadad och återställs inte. Ingenting har ändrats. "
                + " ".join(problems),
                "The backup is damaged and will not be restored. Nothing was changed.")
        if read_store_id(conn) != store.store_id:
            raise NotATrefasStore(
                "Säkerhetskopian hör inte till den här lagringsplatsen. Ingenting har ändrats.",
                "The backup does not belong to this store. Nothing was changed.")
        from trefas_app.store.migrate import alembic_config
        from alembic.script import ScriptDirectory

        revision = read_revision(conn)
        known = {s.revision for s in ScriptDirectory.from_config(alembic_config())
                 .walk_revisions()}
        if revision not in known:
            raise StoreError(
                "Säkerhetskopian är gjord av en nyare version av Trefas. Uppdatera programmet.",
                "The backup was made by a newer version of Trefas. Please update the program.")
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
    * **Nothing another session writes meanwhile is lost.** The final copy
      holds the database's write lock from its first page to its commit, and
      as soon as it holds it, it checks that no other connection has
      committed anything since the before-restore copy was taken (SQLite's
      ``data_version`` on a connection kept open from that copy). If one
      has, the copy is rolled back and the restore refused with a message
      (:class:`StoreChangedDuringRestore`): the database is as the other
      session left it, and the restore can simply be run again. While the
      copy runs, other sessions' writes wait (up to their busy timeout, then
      "the store is in use, try again") and are never overwritten.
      The checkpoint file goes on as it is, and a fresh checkpoint is signed.
    * The key file is not touched: the users who can unlock are those of the
      current key file. A user created after the backup has a key slot but no
      user row and cannot log in; a user without a slot needs a password reset.
    * The ``store`` passed in is retired (connections closed, keys dropped;
      no log-out is logged). Continue with the returned :class:`OpenStore`,
      whose actor is the administrator as recorded in the restored database.
      Other sessions should be logged out (what they write while it runs
      makes the restore refuse, see above).
    """
    with store.uow():
        access.require(actor, "system.restore")
    backup_path = Path(backup_path)
    if not backup_path.is_file():
        raise NotFound("Säkerhetskopian finns inte.", "The backup does not exist.")
    _inspect_backup(store, actor, backup_path)

    paths = store.paths
    data_key = store.data_key
    now = store.clock()
    before_db = paths.root / f"{DB_NAME}.before-restore-{stamp(now)}"
    stage = paths.root / RESTORE_STAGE
    unlink_quietly(stage, *sidecars(stage))
    store.engine.dispose()
    watch, seen = _save_before(paths.db, before_db, data_key)
    try:
        _stage_restore(store, actor, backup_path, before_db, stage, now)
        _copy_into_place(stage, paths.db, data_key, watch, seen)
    except (TrefasError, OSError) + DB_ERRORS as exc:
        # The backup API writes the destination in one transaction: on failure
        # (or refusal) the current database is as it was.
        unlink_quietly(before_db, stage, *sidecars(stage))
        if isinstance(exc, TrefasError) and not isinstance(exc, DatabaseDamaged):
            raise
        raise disk_error(exc, "Återställningen misslyckades; databasen är oförändrad.",
                         "The restore failed; the database is unchanged.") from exc
    finally:
        watch.close()
    fsync_file(paths.db)
    unlink_quietly(stage, *sidecars(stage))

    store.retire()
    engine = open_database(paths, store.keyfile, data_key)
    new_store = OpenStore(paths, store.keyfile, engine, data_key, None, store.clock)
    with new_store.uow() as uow:  # the administrator as the restored database records them
        new_store.actor = actor_of(uow.session.scalars(
            select(m.User).where(m.User.username == actor.username)).one())
    new_store.write_checkpoint()
    return new_store


class StoreChangedDuringRestore(StoreError):
    """Another session committed while the restore was being prepared."""

    def __init__(self):
        super().__init__(
            "Återställningen avbröts: en annan session skrev i databasen medan den pågick. "
            "Ingenting har ändrats och inget har gått förlorat. Be alla andra att logga ut "
            "och försök sedan igen.",
            "The restore was stopped: another session wrote to the database while it ran. "
            "Nothing was changed and nothing was lost. Ask everyone else to log out, then "
            "try again.")


#: SQLite's result codes as the online backup's progress callback sees them.
_SQLITE_OK, _SQLITE_DONE = 0, 101
#: How long the final copy waits for another session's write to end (as the
#: busy timeout every connection has), and how often it looks.
_COPY_WAIT_SECONDS, _COPY_RETRY_SECONDS = 10.0, 0.25


def _data_version(conn) -> int:
    """Changes whenever another connection commits to the database."""
    return conn.execute("PRAGMA data_version").fetchone()[0]


def _save_before(live: Path, before_db: Path, data_key: bytes):
    """The current database copied aside from a connection that stays open;
    returns it and its ``data_version`` read before the copy (a commit
    between the two makes the restore refuse, never lose it)."""
    watch = None
    try:
        watch = connect_raw(live, data_key)
        seen = _data_version(watch)
        online_copy_from(watch, before_db, data_key)
        return watch, seen
    except (TrefasError, OSError) + DB_ERRORS as exc:
        if watch is not None:
            watch.close()
        unlink_quietly(before_db, *sidecars(before_db))
        if isinstance(exc, TrefasError) and not isinstance(exc, DatabaseDamaged):
            raise
        raise disk_error(exc, "Den nuvarande databasen kunde inte sparas undan; ingenting "
                         "har återställts.",
                         "The current database could not be saved aside; nothing was "
                         "restored.") from exc


def _copy_into_place(stage: Path, live: Path, data_key: bytes, watch, seen: int) -> None:
    """The staged database into ``live`` in one transaction, one page per
    step: after the first step the copy holds the write lock until it
    commits, so the check made then (no other commit since ``seen``) holds
    for the rest of the copy. A failed check rolls the copy back."""
    waited = {"tries": 0, "checked": False}

    def progress(status: int, remaining: int, total: int) -> None:
        if waited["checked"]:
            return
        if status not in (_SQLITE_OK, _SQLITE_DONE):  # another session is writing
            waited["tries"] += 1
            if waited["tries"] * _COPY_RETRY_SECONDS > _COPY_WAIT_SECONDS:
                raise store_busy()
            return
        waited["checked"] = True
        if _data_version(watch) != seen:
            raise StoreChangedDuringRestore()

    src = connect_raw(stage, data_key)
    try:
        if src.execute("PRAGMA page_count").fetchone()[0] < 2:  # a first step would commit
            raise DatabaseDamaged("Den förberedda databasen är tom; ingenting har återställts.",
                                  "The prepared database is empty; nothing was restored.")
        dst = connect_raw(live, data_key)
        try:
            src.backup(dst, pages=1, progress=progress, sleep=_COPY_RETRY_SECONDS)
        finally:
            dst.close()
    finally:
        src.close()


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
    key_path = Path(key_path) if key_path else backup_key_path(backup_path)
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
    copy = store.paths.root / f".restore-{stamp(store.clock())}{BACKUP_DB_SUFFIX}"
    try:
        src = connect_raw(backup_path, old_key)
        try:
            export_encrypted(src, copy, store.data_key)
        finally:
            src.close()
        return restore(store, actor, copy)
    except DB_ERRORS + (OSError,) as exc:
        raise disk_error(exc, "Säkerhetskopian kunde inte öppnas med sin nyckelfil; "
                         "ingenting har ändrats.",
                         "The backup could not be opened with its key file; nothing was "
                         "changed.") from exc
    finally:
        unlink_quietly(copy, *sidecars(copy))


#: The backup being made ready (schema, the current log) before it goes in place.
RESTORE_STAGE = DB_NAME + ".restore-new"


class _StagedDatabase:
    """The staged copy as a unit of work sees a store. No checkpoint is signed
    after its commit: the file is not the store yet, and :func:`restore`
    signs one once it is in place (a checkpoint of a copy that then failed
    to go in would report the live log as cut)."""

    actor = None

    def __init__(self, engine):
        self.engine = engine

    def after_commit(self, seq: int | None = None) -> None:
        pass


def _stage_restore(store: OpenStore, actor: Actor, backup_path: Path, before_db: Path,
                   stage: Path, now: dt.datetime) -> None:
    """The backup as ``stage``, at the current schema, carrying the whole
    current log (from ``before_db``) and a ``restore`` entry after it."""
    data_key = store.data_key
    online_copy(backup_path, stage, data_key)
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
        with UnitOfWork(_StagedDatabase(engine), clock=lambda: now) as uow:
            session = uow.session
            before_head = audit.head(session)
            kept = session.scalar(select(m.AuditEvent.hash).where(
                m.AuditEvent.seq == restored_head[0])) if restored_head[0] else GENESIS
            user = session.scalars(select(m.User).where(
                m.User.username == actor.username)).one()
            uow.log(actor_of(user), "restore", subject_kind="backup",
                    subject_id=backup_path.name,
                    detail={"before_seq": before_head[0], "before_hash": before_head[1],
                            "restored_seq": restored_head[0],
                            "restored_hash": restored_head[1],
                            "backup_log_matches": kept == restored_head[1],
                            "kept_db": before_db.name})
            uow.commit()
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


