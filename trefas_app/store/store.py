"""A store on disk: creating it, unlocking it, and what an unlocked store can do.

A store is a folder::

    trefas.db            SQLCipher database (AES-256, page HMAC)
    trefas.keys          key slots (see keyslots.py)
    trefas.checkpoints   signed heads of the access-log chain
    backups/             encrypted online backups, rotated
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import secrets
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session

from trefas_app.domain import clock
from trefas_app.domain.actor import Actor, recovery_key_actor
from trefas_app.domain.enums import Agency, Role
from trefas_app.domain.errors import (
    AccessDenied,
    DatabaseDamaged,
    NotATrefasStore,
    StoreError,
    StoreExists,
    TrefasError,
)
from trefas_app.store import audit
from trefas_app.store import change_collector
from trefas_app.store import models as m
from trefas_app.store.engine import (
    close_engine,
    is_busy,
    mappers_configured_meanwhile,
    key_engine,
    open_engine,
    store_busy,
    translate_os_error,
)
from trefas_app.store.files import (
    CHECKPOINTS_LOCK,
    CHECKPOINTS_NAME,
    DB_NAME,
    KEYS_NAME,
    REKEY_DONE,
    file_lock,
    recover_interrupted_rekey,
    unlink_quietly,
)
from trefas_app.store.account_sync import (
    REKEY_LEGACY_ADMIN,
    apply_account_list,
    apply_units,
    missing_profiles,
    unit_list,
    move_pending_events,
    strip_admin_data_keys,
    trust_admin_identities,
    trust_identity,
)
from trefas_app.store.keyless import KeylessSession
from trefas_app.store.keyslots import KdfParams, KeyFile
from trefas_app.store.login_entries import after_login, early_alarms, login_entries, tampered
from trefas_app.store.migrate import stored_versions, upgrade_to_head
from trefas_app.store.slot_proofs import PROOFS_SINCE, write_proofs
from trefas_app.store.uow import UnitOfWork, utc_now
from trefas_app.store.warm_up import page_ahead
from trefas_app.store.witness import (
    StoreAlarm,
    witness_of,
    write_user_witness,
    write_witness,
)

log = logging.getLogger(__name__)

BACKUPS_DIR = "backups"
CHECKPOINT_EVERY = 1000
BACKUPS_KEPT = 10


class LoginThrottled(StoreError):
    def __init__(self, seconds: float):
        wait = max(1, int(seconds + 0.999))
        super().__init__(
            f"För många misslyckade inloggningar. Vänta {wait} sekunder och försök igen.",
            f"Too many failed log-ins. Wait {wait} seconds and try again.")
        self.wait_seconds = wait


@dataclass(frozen=True)
class StorePaths:
    root: Path

    @property
    def db(self) -> Path:
        return self.root / DB_NAME

    @property
    def keys(self) -> Path:
        return self.root / KEYS_NAME

    @property
    def checkpoints(self) -> Path:
        return self.root / CHECKPOINTS_NAME

    @property
    def backups(self) -> Path:
        return self.root / BACKUPS_DIR

    def exists(self) -> bool:
        return self.db.exists() or self.keys.exists()


def actor_of(user: m.User) -> Actor:
    return Actor(user_id=user.id, username=user.username, display_name=user.display_name,
                 role=user.role, agency=user.agency, unit_id=user.unit_id,
                 unit_name=user.unit.name if user.unit else "", language=user.language)


def _guard_disk(exc: BaseException) -> TrefasError:
    return translate_os_error(exc) or StoreError(
        "Lagringsplatsen kunde inte skrivas.", "The store could not be written.")


# --- creating -----------------------------------------------------------------


@dataclass(frozen=True)
class NewStore:
    store: "OpenStore"
    recovery_key: str


def create_store(root: Path, *, admin_username: str, admin_display_name: str,
                 admin_password: str, unit_code: str = "ADM", unit_name: str = "Förvaltningen",
                 agency: Agency = Agency.CITY, kdf: KdfParams | None = None,
                 clock: Callable[[], dt.datetime] = utc_now) -> NewStore:
    """A new, empty store with its first administrator; the recovery key is
    returned once and never stored in clear."""
    from trefas_app.domain.passwords import check_password_policy

    paths = StorePaths(Path(root))
    if paths.exists():
        raise StoreExists(
            f"Det finns redan en lagringsplats i {paths.root}. Ingenting har ändrats.",
            f"A store already exists in {paths.root}. Nothing was changed.")
    check_password_policy(admin_password, admin_username)
    try:
        paths.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        data_key = secrets.token_bytes(32)
        keyfile = KeyFile.new(paths.keys)
        keyfile.create_signing_key(data_key)
        identity = _add_founding_admin(keyfile, admin_username, admin_display_name,
                                       admin_password, agency, unit_code, unit_name, kdf)
        recovery_key = keyfile.set_recovery_slot(data_key, kdf)
        engine = open_engine(paths.db, data_key)
        os.chmod(paths.db, 0o600)
        upgrade_to_head(engine)
        now = clock()
        with Session(engine) as session:
            session.add_all([m.StoreMeta(key="store_id", value=keyfile.store_id),
                             m.StoreMeta(key="created_at", value=now.isoformat()),
                             m.StoreMeta(key="lock_minutes", value="10"),
                             m.StoreMeta(key=PROOFS_SINCE, value=now.isoformat())])
            unit = m.Unit(agency=agency, code=unit_code, name=unit_name)
            session.add(unit)
            session.flush()
            admin = m.User(username=admin_username, display_name=admin_display_name,
                           role=Role.ADMINISTRATOR, agency=agency, unit_id=unit.id,
                           active=True, created_at=now)
            session.add(admin)
            session.flush()
            actor = actor_of(admin)
            _finish_founding_profile(keyfile, admin, identity)
            trust_identity(session, admin_username, _raw_public(identity.public_key()))
            audit.append(session, now, actor, "store.create")
            keyfile.units = unit_list(session)
            audit.append(session, now, actor, "user.create", subject_kind="user",
                         subject_id=admin.id, detail={"role": Role.ADMINISTRATOR.value})
            session.commit()
        keyfile.save()
    except TrefasError:
        _remove_partial(paths)
        raise
    except (OSError, OperationalError) as exc:
        _remove_partial(paths)
        raise _guard_disk(exc) from exc
    store = OpenStore(paths, keyfile, engine, data_key, actor, clock)
    store.admin_identity = identity
    store.setup_recovery_key = recovery_key
    store.write_checkpoint()
    return NewStore(store, recovery_key)


def _raw_public(public) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _add_founding_admin(keyfile: KeyFile, username: str, display_name: str, password: str,
                        agency: Agency, unit_code: str, unit_name: str, kdf):
    """The first administrator's slot: their own password, an identity, and no
    copy of the data key. Returns the identity (signs account profiles)."""
    from trefas_app.store.accounts import identity_of
    from trefas_app.store.keyslots import Slot, default_kdf

    slot = Slot.create(keyfile.store_id, "admin", username, password, None, kdf or default_kdf())
    identity = identity_of(slot.open_private(keyfile.store_id, password))
    slot.identity_public = _raw_public(identity.public_key())
    slot.profile = {"display_name": display_name, "role": Role.ADMINISTRATOR.value,
                    "agency": Agency(agency).value, "unit_code": unit_code,
                    "unit_name": unit_name}
    keyfile.slots.append(slot)
    return identity


def _finish_founding_profile(keyfile: KeyFile, admin: m.User, identity) -> None:
    """The first administrator's profile gets their user id, then its signature."""
    from trefas_app.store.accounts import sign_profile

    slot = keyfile.find(admin.username)
    slot.profile.update(user_id=admin.id, unit_id=admin.unit_id)
    sign_profile(keyfile.store_id, slot, admin.username, identity)


def _remove_partial(paths: StorePaths) -> None:
    for p in (paths.db, paths.keys, paths.db.with_name(DB_NAME + "-wal"),
              paths.db.with_name(DB_NAME + "-shm")):
        try:
            p.unlink()
        except OSError:
            pass


# --- unlocking ------------------------------------------------------------------


def check_throttle(keyfile: KeyFile, username: str, clock) -> None:
    from trefas_app.domain.passwords import failed_login_delay

    slot = keyfile.find(username)
    if not slot.failures or not slot.last_failure_at:
        return
    delay = failed_login_delay(slot.failures)
    if delay <= 0:
        return
    waited = (clock() - dt.datetime.fromisoformat(slot.last_failure_at)).total_seconds()
    if waited < delay:
        raise LoginThrottled(delay - waited)


def _damaged(exc: BaseException | None = None) -> StoreError:
    """What a database error at unlock means to the user: busy, full disk, or damage."""
    if exc is not None and is_busy(exc):
        return store_busy()
    disk = translate_os_error(exc) if exc is not None else None
    if disk is not None:  # "database or disk is full" is not damage
        return disk
    return DatabaseDamaged(
        "Databasfilen är skadad. Ingenting har ändrats; återställ från en säkerhetskopia.",
        "The database file is damaged. Nothing was changed; restore from a backup.")


#: What SQLCipher raises for a page that fails its HMAC check, depending on
#: where it is noticed.
DAMAGE_ERRORS = (DatabaseError, MemoryError)


def open_database(paths: StorePaths, keyfile: KeyFile, data_key: bytes, engine=None):
    """The store's engine, keyed and checked (``engine``: one made before the key)."""
    if not paths.db.exists():
        raise DatabaseDamaged(
            f"Databasfilen saknas ({DB_NAME}). Återställ den från en säkerhetskopia.",
            f"The database file is missing ({DB_NAME}). Restore it from a backup.")
    if engine is None:
        engine = open_engine(paths.db, data_key)
    else:
        key_engine(engine, paths.db, data_key)
    try:  # the store's identity, version and zone on one connection
        with engine.connect() as conn:
            tables = set(conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN "
                "('store_meta', 'alembic_version')").scalars())
            meta = dict(conn.execute(text(
                "SELECT key, value FROM store_meta WHERE key IN ('store_id', :zone)"),
                {"zone": f"setting.{clock.ZONE_SETTING}"}).all()) \
                if "store_meta" in tables else {}
            stored = stored_versions(conn) if "alembic_version" in tables else []
    except DAMAGE_ERRORS as exc:
        engine.dispose()
        raise _damaged(exc) from exc
    if meta.get("store_id") != keyfile.store_id:
        engine.dispose()
        raise NotATrefasStore(
            "Databasfilen hör inte till den här nyckelfilen eller är inte en Trefas-databas.",
            "The database file does not belong to this key file or is not a Trefas database.")
    if upgrade_to_head(engine, stored):  # the zone just read is the current one
        _set_office_zone(keyfile.settings.get(clock.ZONE_SETTING)
                         or meta.get(f"setting.{clock.ZONE_SETTING}"))
    else:
        apply_office_zone(engine, keyfile)
    return engine


def apply_office_zone(engine=None, keyfile: KeyFile | None = None) -> None:
    """The store's ``time_zone`` setting, when it has one, becomes the one
    clock's office zone: everyone who opens this store shares its "today".
    An administrator sets it in the key file (no data key needed); older
    stores keep it in the database. Without either, the zone from start-up
    stays (the settings file, TREFAS_TIMEZONE or Stockholm)."""
    name = keyfile.settings.get(clock.ZONE_SETTING) if keyfile is not None else None
    if not name and engine is not None:
        with engine.connect() as conn:
            name = conn.execute(text("SELECT value FROM store_meta WHERE key = :key"),
                                {"key": f"setting.{clock.ZONE_SETTING}"}).scalar()
    _set_office_zone(name)


def _set_office_zone(name) -> None:
    if name:
        try:
            clock.set_office_zone(str(name))
        except ValueError:
            log.warning("the store names an unknown time zone; keeping %s", clock.office_zone())


class LoginProof:
    """Stands, once, for the password an :func:`unlock` has just verified.

    A command-line process asks for the password once and unlocks with it;
    a step that wants the password again (a handover) may take this proof
    instead of deriving the key a second time. Only ``unlock`` makes one,
    after the password opened the user's slot; it is honoured once, by the
    store that made it, for the user who unlocked it, while that store is
    open (see :meth:`OpenStore.redeem_login_proof`). The window never asks
    for one, so its re-check stays a fresh password entry."""

    __slots__ = ("username",)

    def __init__(self, username: str):
        self.username = username


def unlock(root: Path, username: str, password: str,
           clock: Callable[[], dt.datetime] = utc_now, *,
           keep_login_proof: bool = False, first_page=None) -> "OpenStore | KeylessSession":
    """Log in: unseal the user's slot, open the database, record it.

    An administrator, or an account still waiting for confirmation, gets a
    :class:`KeylessSession`: their slot holds no data key. The password is
    run through the key derivation once. ``keep_login_proof``: the store
    keeps a :class:`LoginProof` of this password (for a command-line
    process that re-checks it once). ``first_page``: the service
    ``page(uow, actor)`` the caller will show first, compiled during the key
    derivation (see warm_up.py)."""
    paths = StorePaths(Path(root))
    if not paths.exists():
        raise StoreError(
            f"Det finns ingen lagringsplats i {paths.root}.",
            f"There is no store in {paths.root}.")
    recover_interrupted_rekey(paths.root)
    keyfile = KeyFile.load(paths.keys)
    check_throttle(keyfile, username, clock)
    engine, ahead = page_ahead(paths.db, keyfile, username, first_page)
    with mappers_configured_meanwhile(then=ahead):
        slot, private = keyfile.open_account(username, password)
    if not slot.holds_data_key:
        apply_office_zone(keyfile=keyfile)
        session = KeylessSession(paths, keyfile, slot, private, clock)
        session.log("login", keyless=True)
        return session
    data_key = keyfile.data_key_of(slot, private)  # the private key just opened: no second KDF
    keyfile.signing_key(data_key)  # a damaged signing key stops us before anything is logged
    engine = open_database(paths, keyfile, data_key, engine)
    try:
        actor, keyfile, alarms, head = _log_in_with_key(paths, keyfile, engine, username,
                                                       clock, data_key)
    except DAMAGE_ERRORS as exc:
        engine.dispose()
        raise _damaged(exc) from exc
    except BaseException:
        engine.dispose()
        raise
    unlink_quietly(paths.root / REKEY_DONE)  # the log-in logged it (login_entries)
    store = OpenStore(paths, keyfile, engine, data_key, actor, clock)
    store.alarms = alarms
    store.after_commit(head)  # the log-in's own entry: no second read of the head
    if actor.role == Role.ADMINISTRATOR:
        store.retire()  # a store from before this version: the slot was just converted
        return unlock(root, username, password, clock, keep_login_proof=keep_login_proof)
    if keep_login_proof:
        store.login_proof = LoginProof(username)
    if store.keyfile.rekey_due and actor.role == Role.SUPERVISOR:
        _run_due_rekey(store)
    return store


def _run_due_rekey(store: "OpenStore") -> None:
    """A slot was removed or an administrator's data-key copy destroyed: the
    first supervisor to log in changes the data key, so that an old copy of the
    key file opens nothing new. Deferred (to the next supervisor's log-in)
    while someone else has the database open."""
    from trefas_app.store.rekey import rekey_store

    try:
        rekey_store(store, store.actor)
    except StoreError as exc:
        log.warning("due re-key deferred: %s", exc.en)


def _active_user(session: Session, username: str) -> m.User:
    user = session.scalars(select(m.User).where(m.User.username == username)).first()
    if user is None or not user.active:
        raise AccessDenied("Kontot är avstängt.", "The account is disabled.")
    return user


def _log_in_with_key(paths: StorePaths, keyfile: KeyFile, engine, username: str, clock,
                     data_key: bytes):
    """The log-in's transaction: failures and account steps noted in the key
    file go into the access log (failures checked: login_entries.py), the
    users table follows the key file, old administrator slots lose their data
    key. Returns (actor, key file, alarms to show, the log's head seq after it)."""
    with Session(engine) as session:
        now = clock()
        known = session.scalars(select(m.User).where(m.User.username == username)).first()
        actor = actor_of(known) if known is not None and known.active else None
        alarms, proofs = early_alarms(session, paths, keyfile, data_key, actor, now, username)
        moved, invalid_events = move_pending_events(session, keyfile, now)
        units = apply_units(session, keyfile, now)
        trust_admin_identities(session, keyfile)  # a reset administrator's new identity first
        apply_account_list(session, keyfile, now)
        trust_admin_identities(session, keyfile)  # and administrators added just now
        legacy = strip_admin_data_keys(session, keyfile)
        profiles = missing_profiles(session, keyfile)
        actor = actor_of(_active_user(session, username))
        for name in legacy:
            audit.append(session, now, None, "key.admin_slot_converted", username=name)
        alarms += login_entries(session, paths, keyfile, actor, now)
        if invalid_events:
            alarms.append(tampered(session, now, actor, "pending_events", moved,
                                    invalid_events))
        audit.append(session, now, actor, "login")
        head = audit.appended_head(session)
        session.commit()
    failures = len(keyfile.pending_failures)
    if failures or moved or legacy or profiles or proofs or units != keyfile.units:
        with KeyFile.locked_update(paths.keys) as fresh:
            fresh.units = units
            write_proofs(fresh, proofs)
            for slot in fresh.account_slots():
                if not slot.profile and slot.username in profiles:
                    slot.profile = profiles[slot.username]
            fresh.pending_failures = fresh.pending_failures[failures:]
            fresh.pending_events = fresh.pending_events[moved:]
            for name in legacy:
                fresh.find(name).drop_data_key()
                fresh.rekey_due = fresh.rekey_due or REKEY_LEGACY_ADMIN
        keyfile = fresh
    return actor, keyfile, alarms, head[0]


def unlock_with_recovery_key(root: Path, recovery_key: str,
                             clock: Callable[[], dt.datetime] = utc_now) -> "OpenStore":
    """For when every administrator has forgotten their password (or every
    supervisor is gone): opens the store with the data key. The whole session
    is logged as the pseudo-actor ``återställningsnyckeln``, never as a person."""
    paths = StorePaths(Path(root))
    recover_interrupted_rekey(paths.root)
    keyfile = KeyFile.load(paths.keys)
    data_key = keyfile.unseal_recovery(recovery_key)
    keyfile.signing_key(data_key)
    engine = open_database(paths, keyfile, data_key)
    try:
        with Session(engine) as session:
            actor = recovery_key_actor()
            now = clock()
            alarms, proofs = early_alarms(session, paths, keyfile, data_key, actor, now)
            alarms += login_entries(session, paths, keyfile, actor, now)
            audit.append(session, now, actor, "login.recovery_key")
            session.commit()
    except DAMAGE_ERRORS as exc:
        engine.dispose()
        raise _damaged(exc) from exc
    except BaseException:
        engine.dispose()
        raise
    keyfile = after_login(paths, keyfile, proofs)
    store = OpenStore(paths, keyfile, engine, data_key, actor, clock)
    store.alarms = alarms
    store.via_recovery_key = True
    return store


# --- an unlocked store --------------------------------------------------------


class OpenStore:
    """Holds the data key while the user is logged in; :meth:`close` drops it."""

    has_data_key = True

    def __init__(self, paths: StorePaths, keyfile: KeyFile, engine, data_key: bytes,
                 actor: Actor, clock: Callable[[], dt.datetime] = utc_now):
        self.paths = paths
        self.keyfile = keyfile
        self.engine = engine
        self._data_key: bytes | None = data_key
        self.actor = actor
        #: Only on the session create_store returns: the founding administrator's
        #: identity and the recovery key it just made (see create_store).
        self.admin_identity = None
        self.setup_recovery_key: str | None = None
        self.clock = clock
        self._signing_key = keyfile.signing_key(data_key)
        #: Alarms found at log-in (see witness.py), shown to the user.
        self.alarms: list[StoreAlarm] = []
        #: Unlocked with the recovery key: a key holder, like a supervisor.
        self.via_recovery_key = False
        #: Set by unlock(keep_login_proof=True) only; see LoginProof.
        self.login_proof: LoginProof | None = None
        self._note_seal_key = self._read_note_seal_key()
        self._last_checkpoint_block = self._read_last_checkpoint_seq() // CHECKPOINT_EVERY
        #: Statements built once per user while unlocked (UnitOfWork.prepared).
        self.prepared_statements: dict = {}

    @property
    def store_id(self) -> str:
        return self.keyfile.store_id

    @property
    def data_key(self) -> bytes:
        if self._data_key is None:
            raise StoreError("Lagringsplatsen är låst.", "The store is locked.")
        return self._data_key

    @property
    def signing_key(self):
        return self._signing_key

    @property
    def note_seal_key(self) -> bytes:
        """The HMAC key of signed-note seals: derived from the signing key the
        store was created with, and kept in the key file once a re-key has
        replaced that signing key."""
        return self._note_seal_key

    def _read_note_seal_key(self) -> bytes:
        from trefas_app.store.note_seal import seal_key

        return self.keyfile.note_seal_key(self.data_key) or seal_key(self._signing_key)

    def uow(self) -> UnitOfWork:
        if self._data_key is None:
            raise StoreError("Lagringsplatsen är låst.", "The store is locked.")
        return UnitOfWork(self, self.clock)

    # -- checkpoints -----------------------------------------------------------

    def _read_last_checkpoint_seq(self) -> int:
        """The newest checkpoint's seq, from the file's last line (its tail
        read, not the thousands of lines before it); every line only when
        that one cannot be read."""
        from trefas_app.store.audit_chain import read_checkpoints

        path = self.paths.checkpoints
        if not path.exists():
            return 0
        with open(path, "rb") as fh:
            fh.seek(max(fh.seek(0, os.SEEK_END) - 4096, 0))
            lines = fh.read().split(b"\n")
        try:
            seq = json.loads(next(line for line in reversed(lines) if line.strip()))["seq"]
            if type(seq) is int and seq >= 0:
                return seq
        except (StopIteration, ValueError, TypeError, KeyError):
            pass
        return max((cp.seq for cp in read_checkpoints(path)), default=0)

    def after_commit(self, seq: int | None = None) -> None:
        """Write a signed checkpoint each time the log passes a multiple of 1,000.
        ``seq``: the head the committed transaction wrote (a unit of work
        knows it); without it the head is read."""
        if seq is None:
            with Session(self.engine) as session:
                seq, _ = audit.head(session)
        if seq // CHECKPOINT_EVERY > self._last_checkpoint_block:
            self.write_checkpoint()

    def write_checkpoint(self, witness_path: Path | None = None) -> None:
        """Sign the log's head as the next line of the checkpoint chain; with
        ``witness_path``, also record it there (a backup's witness)."""
        from trefas_app.store.audit_chain import (
            append_checkpoint,
            read_checkpoints,
            sign_checkpoint,
        )

        with Session(self.engine) as session:
            seq, digest = audit.head(session)
        path = self.paths.checkpoints
        with file_lock(path.with_name(CHECKPOINTS_LOCK)):  # one line after the other
            lines = read_checkpoints(path) if path.exists() else []
            prev = lines[-1].line_digest if lines else "0" * 64
            cp = sign_checkpoint(self._signing_key, self.store_id, seq, digest,
                                 self.clock().astimezone(dt.timezone.utc).isoformat(), prev)
            append_checkpoint(path, cp)
        self._last_checkpoint_block = seq // CHECKPOINT_EVERY
        self._newest_witness = witness_of(cp, len(lines) + 1)
        if witness_path is not None:
            write_witness(witness_path, self._newest_witness)

    def write_witness(self) -> None:
        """Record the newest checkpoint in this computer account's profile —
        unless an alarm stands: then the older witness is the evidence."""
        witness = getattr(self, "_newest_witness", None)
        if witness is None or any(a.code != "keyfile" for a in self.alarms):
            return
        write_user_witness(self.store_id, witness)

    # -- the key file ----------------------------------------------------------

    @contextmanager
    def edit_keyfile(self):
        """Change the key file starting from what is on disk (see
        KeyFile.locked_update); this session's copy follows."""
        with KeyFile.locked_update(self.paths.keys) as fresh:
            before = change_collector.keyfile_before(self, fresh)
            yield fresh
        self.keyfile = fresh
        change_collector.record_keyfile_edit(self, before, fresh)

    # -- swapping the database underneath (restore, re-key) ----------------------

    def replace_engine(self, engine, data_key: bytes) -> None:
        """Continue on a new engine and data key (and the signing key sealed
        under it in the current key file); the old engine is closed."""
        old = self.engine
        self.engine, self._data_key = engine, data_key
        self._signing_key = self.keyfile.signing_key(data_key)
        self._note_seal_key = self._read_note_seal_key()
        self.prepared_statements.clear()
        if old is not engine:
            close_engine(old)

    def retire(self) -> None:
        """Stop this session without logging out (its database was replaced)."""
        close_engine(self.engine)
        self._data_key = None
        self._signing_key = self._note_seal_key = None
        self.prepared_statements.clear()

    def redeem_login_proof(self, proof: object, username: str) -> bool:
        """Whether ``proof`` is this store's own login proof, for ``username``
        who unlocked it, while it is open. Honoured once: the proof is gone
        afterwards, whatever the answer."""
        kept, self.login_proof = self.login_proof, None
        return (kept is not None and proof is kept and self._data_key is not None
                and not self.via_recovery_key
                and kept.username == username == self.actor.username)

    # -- ending a session ------------------------------------------------------

    def close(self, action: str = "logout") -> None:
        """Log out (or lock): record it, checkpoint, drop the key and connections."""
        if self._data_key is None:
            return
        try:
            audit.append_alone(self.engine, self.clock(), self.actor, action)
            self.write_checkpoint()
            self.write_witness()
            self._refresh_statistics()
        except (OSError, DatabaseError) as exc:
            raise translate_os_error(exc) or exc
        finally:
            close_engine(self.engine)
            self._data_key = None
            self._signing_key = self._note_seal_key = None
            self.login_proof = None
            self.prepared_statements.clear()

    def _refresh_statistics(self) -> None:
        """Bounded ANALYZE where SQLite thinks it is due, so the query planner
        knows which indexes are selective as the store grows."""
        try:
            with self.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA analysis_limit = 400")
                conn.exec_driver_sql("PRAGMA optimize")
        except DAMAGE_ERRORS + (OperationalError,):
            log.warning("PRAGMA optimize failed at close")

    def __enter__(self) -> "OpenStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
