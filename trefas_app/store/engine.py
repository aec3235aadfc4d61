"""Opening the SQLCipher database with a raw data key (DESIGN §5)."""

from __future__ import annotations

import errno
import logging
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Callable

import sqlcipher3
from sqlalchemy import create_engine, event
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.pysqlcipher import SQLiteDialect_pysqlcipher
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.engine import Engine
from sqlalchemy.pool import QueuePool

from trefas_app.domain import collation
from trefas_app.domain.errors import DatabaseDamaged, DiskFull, StoreError, TrefasError

log = logging.getLogger(__name__)

#: Pragmas applied to every connection after the key.
CONNECTION_PRAGMAS = (
    "PRAGMA foreign_keys = ON",
    "PRAGMA secure_delete = ON",
    "PRAGMA temp_store = MEMORY",
    "PRAGMA synchronous = FULL",
    "PRAGMA busy_timeout = 10000",
    # 64 MiB of decrypted pages per connection (default 2 MiB): searches scan
    # the persons table, and re-decrypting it on every keystroke doubles their time.
    "PRAGMA cache_size = -65536",
)


#: SQLCipher writes its own log ("ERROR CORE … hmac check failed") to stderr
#: by default: a wrong key or a damaged page is reported to the user by us, in
#: one sentence, so the library's log is switched off before the key is given.
QUIET_LIBRARY_PRAGMAS = (
    "PRAGMA cipher_log = off",
    "PRAGMA cipher_log_level = NONE",
)


class KeyedByCreatorDialect(SQLiteDialect_pysqlcipher):
    """SQLAlchemy's SQLCipher dialect, minus its passphrase handling.

    Our connections arrive already keyed with a raw 256-bit key; the stock
    dialect would send a second ``PRAGMA key`` built from the URL password.
    """

    supports_statement_cache = True

    def on_connect_url(self, url):
        return SQLiteDialect_pysqlite.on_connect_url(self, url)


registry.register("sqlite.trefascipher", __name__, "KeyedByCreatorDialect")


def _key_pragma(data_key: bytes) -> str:
    if len(data_key) != 32:
        raise ValueError("data key must be 256 bits")
    return f"PRAGMA key = \"x'{data_key.hex()}'\""


def connect_raw(db_path: Path, data_key: bytes) -> sqlcipher3.Connection:
    """A keyed DB-API connection, verified to decrypt; translates failures."""
    try:
        conn = sqlcipher3.connect(str(db_path), check_same_thread=False,
                                  isolation_level=None)
    except sqlcipher3.OperationalError as exc:
        raise translate_os_error(exc) or StoreError(
            "Databasfilen kunde inte öppnas.",
            "The database file could not be opened.") from exc
    # The person list's index is ordered by it: every connection needs it.
    conn.create_collation(collation.COLLATION, collation.compare)
    try:
        for pragma in QUIET_LIBRARY_PRAGMAS:
            conn.execute(pragma)
        conn.execute(_key_pragma(data_key))
        # Reading the schema is the first moment SQLCipher checks the key/HMAC.
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        for pragma in CONNECTION_PRAGMAS:
            conn.execute(pragma)
    except sqlcipher3.DatabaseError as exc:
        conn.close()
        if is_busy(exc):
            raise store_busy() from exc
        disk = translate_os_error(exc)
        if disk is not None:  # a full disk is not a damaged database
            raise disk from exc
        raise DatabaseDamaged(
            "Databasfilen är skadad eller hör inte till den här nyckelfilen. "
            "Ingenting har ändrats; återställ från en säkerhetskopia.",
            "The database file is damaged or does not belong to this key file. "
            "Nothing was changed; restore from a backup.") from exc
    return conn


def is_busy(exc: BaseException) -> bool:
    """Another process holds the database's lock: not damage."""
    text = str(getattr(exc, "orig", None) or exc).lower()
    return "database is locked" in text or "database is busy" in text


def store_busy() -> StoreError:
    return StoreError(
        "Lagringsplatsen används just nu av ett annat program (databasen är låst). "
        "Försök igen om en stund.",
        "The store is in use by another program right now (the database is locked). "
        "Try again in a moment.")


def check_temp_store_in_memory(conn) -> None:
    """Refuse a SQLCipher build that would spill decrypted temp data to disk."""
    options = {row[0] for row in conn.execute("PRAGMA compile_options").fetchall()}
    temp_store = next((o for o in options if o.startswith("TEMP_STORE=")), "TEMP_STORE=1")
    level = int(temp_store.split("=", 1)[1])
    effective = conn.execute("PRAGMA temp_store").fetchone()[0]
    # TEMP_STORE=3 forces memory; 1 or 2 honour the pragma; 0 forces files.
    if level == 0 or (level in (1, 2) and effective != 2):
        raise StoreError(
            "Den här SQLCipher-versionen skriver temporära data till disk och "
            "kan inte användas.",
            "This SQLCipher build writes temporary data to disk and cannot be used.")


def open_engine(db_path: Path, data_key: bytes) -> Engine:
    """An engine whose every pooled connection is keyed and configured."""
    engine = unkeyed_engine(db_path)
    key_engine(engine, db_path, data_key)
    return engine


def unkeyed_engine(db_path: Path) -> Engine:
    """The engine of ``db_path`` before its key is known (:func:`key_engine`
    gives it). Meanwhile its connections are an empty in-memory database
    (:func:`warming_connection`): statements run through it before the key
    land in this engine's statement cache, so that the same statements after
    the unlock are not compiled again."""
    holder = _KeyHolder(None)
    warm_db = f"file:trefas-warm-{id(holder)}?mode=memory&cache=shared"

    def creator():
        if holder.spare:
            return holder.spare.pop()
        if holder.key is None and holder.warming:
            return warming_connection(warm_db)
        return connect_raw(db_path, holder.require())

    engine = create_engine("sqlite+trefascipher://", creator=creator, poolclass=QueuePool,
                           pool_size=2, max_overflow=4)
    engine._trefas_key = holder

    # Connections run in autocommit mode at the driver level; we emit BEGIN
    # ourselves (SQLAlchemy's recipe for SQLite). IMMEDIATE because nearly every
    # service call writes: even a read appends to the access log.
    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def warming_connection(name: str) -> sqlcipher3.Connection:
    """A connection to the shared in-memory database ``name``: no file, no key."""
    conn = sqlcipher3.connect(name, uri=True, check_same_thread=False, isolation_level=None)
    conn.create_collation(collation.COLLATION, collation.compare)
    return conn


@contextmanager
def warming(engine: Engine):
    """While the block runs, the engine's connections are its in-memory
    database (kept while one of them is open); they are closed after it, and
    the statement cache stays."""
    holder = engine._trefas_key
    holder.warming = True
    try:
        yield engine
    finally:
        holder.warming = False
        engine.dispose()


def key_engine(engine: Engine, db_path: Path, data_key: bytes) -> None:
    """From now on the engine's connections open ``db_path`` with
    ``data_key``; the connection that checks the key is the pool's first."""
    first = connect_raw(db_path, data_key)
    try:
        check_temp_store_in_memory(first)
        mode = first.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    except BaseException:
        first.close()
        raise
    if str(mode).lower() != "wal":
        log.warning("journal mode is %s, not WAL", mode)
    holder = engine._trefas_key
    holder.warming = False
    engine.dispose()  # anything left of the warming
    holder.key = data_key
    holder.spare.append(first)
    engine.connect().close()  # into the pool: engine.dispose() closes it like any other


class _KeyHolder:
    """The data key an engine's new connections are keyed with, until
    :func:`close_engine` forgets it; the keyed connection waiting to be the
    pool's first; whether the engine is warming (see :func:`unkeyed_engine`)."""

    __slots__ = ("key", "spare", "warming")

    def __init__(self, key: bytes | None):
        self.key: bytes | None = key
        self.spare: list = []
        self.warming = False

    def require(self) -> bytes:
        if self.key is None:
            raise StoreError("Lagringsplatsen är låst.", "The store is locked.")
        return self.key


def close_engine(engine: Engine) -> None:
    """At log-out or lock: close the connections, forget the data key, and
    empty the statement cache — SQLAlchemy keeps the first bound values of
    every cached statement (a searched name, an id) with it."""
    holder = getattr(engine, "_trefas_key", None)
    if holder is not None:
        holder.key = None
    engine.dispose()
    engine.clear_compiled_cache()


def _causes(exc: BaseException):
    """The exception, the driver error SQLAlchemy wraps, and their causes."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        current = todo.pop(0)
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo += [getattr(current, "orig", None), current.__cause__, current.__context__]


_NO_SPACE = (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))


def disk_full() -> DiskFull:
    return DiskFull(
        "Disken är full. Ingenting sparades; frigör utrymme och försök igen.",
        "The disk is full. Nothing was saved; free some space and try again.")


def translate_os_error(exc: BaseException) -> StoreError | None:
    """Map disk-level failures (full disk, read-only) to one clear sentence.

    The one translation for every path that touches the disk (unlock, every
    write, backup, re-key, restore, PDF output): it looks through SQLAlchemy's
    wrapper and the exception's causes, because a full disk reaches us as an
    OSError, as SQLite's "database or disk is full", or wrapped in either."""
    if isinstance(exc, DiskFull):
        return exc
    for current in _causes(exc):
        text = str(current).lower() if not isinstance(current, TrefasError) else ""
        if isinstance(current, OSError) and current.errno in _NO_SPACE \
                or "disk is full" in text:
            return disk_full()
    for current in _causes(exc):
        text = str(current).lower() if not isinstance(current, TrefasError) else ""
        if isinstance(current, OSError) and current.errno in (errno.EROFS, errno.EACCES) \
                or "readonly" in text or "read-only" in text:
            return StoreError(
                "Lagringsplatsen går inte att skriva till (skrivskyddad eller saknar "
                "behörighet).",
                "The store cannot be written to (read-only or no permission).")
        if "disk i/o error" in text:
            return StoreError(
                "Ett fel uppstod vid skrivning till disken. Ingenting sparades.",
                "A disk error occurred. Nothing was saved.")
    return None


#: Modules the unlock needs only after the key derivation (the private key's
#: backend, the witness folder, the note seal): imported on the worker thread
#: while Argon2id runs instead of after it.
UNLOCK_IMPORTS = ("cryptography.hazmat.backends.openssl.backend", "trefas_app.paths",
                  "trefas_app.store.note_seal")


def prepare_unlock(imports: tuple[str, ...] = ()) -> None:
    """What an unlock and the page after it need that no key is needed for:
    the mapped models configured and the modules imported (``imports`` and
    :data:`UNLOCK_IMPORTS`). A window runs it while its unlock dialog waits
    for the password: then neither competes with Argon2id's lanes for the
    processor nor delays the first page (issue 12); the unlock finds it done
    (see :func:`mappers_configured_meanwhile`)."""
    _configure_and_import((*UNLOCK_IMPORTS, *imports))


def _configure_and_import(imports: tuple[str, ...]) -> None:
    import importlib

    from sqlalchemy.orm import configure_mappers

    configure_mappers()
    for name in imports:
        importlib.import_module(name)


@contextmanager
def mappers_configured_meanwhile(imports: tuple[str, ...] = UNLOCK_IMPORTS,
                                 then: Callable[[], None] | None = None):
    """SQLAlchemy configures the mapped models at their first query (≈ 100 ms
    in a fresh process) and the unlock imports a few modules after the key
    derivation: both done on another thread while the block runs (the key
    derivation, which leaves the interpreter free), not after it; then
    ``then`` (see warm_up.py) on the same thread."""

    def configure() -> None:
        try:
            _configure_and_import(imports)
            if then is not None:
                then()
        except Exception:  # noqa: BLE001 — the first query (or import) raises it again
            log.debug("preparing the unlock ahead failed", exc_info=True)

    worker = threading.Thread(target=configure, name="configure-mappers", daemon=True)
    worker.start()
    try:
        yield
    finally:
        worker.join()
