"""Server mode: the same store interface on PostgreSQL (docs/server.md).

A desktop connects as the user's own login role: PostgreSQL checks the
password (SCRAM) and the server's row-level security applies the access rule
to everything the role reads. Identity is ``session_user``; the program's
actor is the users row of that name. The services get an :class:`ServerStore`
with the same ``uow()`` / ``actor`` / ``after_commit()`` as a local
:class:`~trefas_app.store.store.OpenStore`.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Callable

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from trefas_app.domain.errors import AccessDenied, StoreError
from trefas_app.store import audit
from trefas_app.store import models as m
from trefas_app.store.dialect import refused_by_server
from trefas_app.store.files import file_lock
from trefas_app.store.uow import UnitOfWork, utc_now

log = logging.getLogger(__name__)

SERVER_ENV = "TREFAS_SERVER"
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


from trefas_app.domain.errors import ServerRefused  # noqa: E402,F401 (raised here; defined with the errors)


def connection_info(url: str) -> dict:
    """The libpq parameters of ``url``, refused unless the server is on this
    machine (Unix socket, localhost) or TLS verifies its certificate and name."""
    try:
        params = conninfo_to_dict(url)
    except psycopg.ProgrammingError as exc:
        raise ServerRefused("Serveradressen går inte att läsa.",
                            "The server address cannot be read.") from exc
    hosts = [h for h in str(params.get("host") or "").split(",") if h] or [""]
    remote = [h for h in hosts if h and not h.startswith("/") and h not in LOCAL_HOSTS]
    if params.get("hostaddr"):
        remote += [a for a in str(params["hostaddr"]).split(",") if a not in LOCAL_HOSTS]
    if remote and params.get("sslmode") != "verify-full":
        raise ServerRefused(
            f"Anslutningen till {remote[0]} måste vara krypterad med verifierat "
            "servercertifikat (sslmode=verify-full). Trefas ansluter inte utan.",
            f"The connection to {remote[0]} must use TLS with the server certificate "
            "verified (sslmode=verify-full). Trefas will not connect without it.")
    return params


def _connect(params: dict, username: str | None, password: str | None):
    extra = {"user": username} if username else {}
    if password is not None:
        extra["password"] = password
    try:
        return psycopg.connect(make_conninfo(**{**params, **extra}))
    except psycopg.OperationalError as exc:
        raise translate_connect_error(exc) from exc


def translate_connect_error(exc: BaseException) -> StoreError:
    """What a failed connection means to the user, in one sentence."""
    text_ = str(exc).lower()
    if "password authentication failed" in text_ or "not permitted to log in" in text_ \
            or "role" in text_ and "does not exist" in text_:
        return AccessDeniedAtLogin(
            "Fel användarnamn eller lösenord, eller kontot är avstängt.",
            "Wrong user name or password, or the account is disabled.")
    return ServerRefused(
        "Servern svarar inte eller vägrade anslutningen. Försök igen om en stund.",
        "The server does not answer or refused the connection. Try again in a moment.")


class AccessDeniedAtLogin(StoreError):
    pass


def server_engine(url: str, username: str | None = None,
                  password: str | None = None) -> Engine:
    """One engine per process and user: every pooled connection is that
    user's login role (the password stays in this closure, not in a URL)."""
    params = connection_info(url)
    _connect(params, username, password).close()  # a wrong password stops here
    from trefas_app.server.reads import read_as_login_role

    return read_as_login_role(create_engine(
        "postgresql+psycopg://", creator=lambda: _connect(params, username, password),
        pool_size=2, max_overflow=4, pool_pre_ping=True))


def server_url() -> str | None:
    """``TREFAS_SERVER``, else the settings file's ``server``."""
    from trefas_app import settings

    return os.environ.get(SERVER_ENV, "").strip() or settings.load().server or None


# --- the store's keys on the server -----------------------------------------


class ServerKeys:
    """What the services ask a key file for, on the server: the public key
    (anyone may verify) and the private one (roles that work with cases)."""

    def __init__(self, engine: Engine, params: dict):
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        self._params = params
        with engine.connect() as conn:
            raw = conn.execute(text("SELECT trefas.store_public_key()")).scalar()
        if raw is None:
            raise StoreError("Servern saknar lagringsplatsens nycklar (kör trefas server init).",
                             "The server has no store keys (run trefas server init).")
        self._public = Ed25519PublicKey.from_public_bytes(bytes(raw))
        #: What a local store mirrors into its key file (settings, units) lives
        #: only in the database on a server: these copies are not kept.
        self.settings: dict = {}
        self.units: list = []

    def public_key(self):
        return self._public

    def find(self, username: str) -> "_NoSlot":
        """Failed log-ins are PostgreSQL's to count (its log), not a key file's."""
        return _NoSlot()

    def unseal(self, username: str, password: str) -> None:
        """The password once more (a handover): checked by PostgreSQL, by
        opening a connection as the user; a wrong one is WrongPassword."""
        from trefas_app.domain.errors import WrongPassword

        try:
            _connect(self._params, username, password).close()
        except AccessDeniedAtLogin as exc:
            raise WrongPassword("Fel lösenord.", "Wrong password.") from exc


class _NoSlot:
    failures = 0
    last_failure_at = None


def read_signing_key(engine: Engine):
    """The store's Ed25519 key, or None for a role that may not use it."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    try:
        with engine.connect() as conn:
            raw = conn.execute(text("SELECT trefas.store_key('signing')")).scalar()
    except Exception as exc:  # noqa: BLE001  (no EXECUTE: a keyless role)
        if "permission denied" not in str(exc).lower():
            raise
        return None
    return None if raw is None else Ed25519PrivateKey.from_private_bytes(bytes(raw))


def read_note_seal_key(engine: Engine, signing_key) -> bytes | None:
    """The seal key of signed notes: kept on the server for a store moved
    from a desktop after a re-key, else derived from the signing key."""
    from trefas_app.store.note_seal import seal_key

    if signing_key is None:
        return None
    with engine.connect() as conn:
        kept = conn.execute(text("SELECT trefas.store_key('note_seal')")).scalar()
    return bytes(kept) if kept is not None else seal_key(signing_key)


# --- checkpoints kept outside the database --------------------------------------


class ServerPaths:
    """Where this desktop keeps the server's signed checkpoints: a file per
    server store in ``TREFAS_WITNESS_DIR`` (a folder the database
    administrator cannot write), else in the user's data folder."""

    def __init__(self, store_id: str):
        from trefas_app.paths import WITNESS_DIR_ENV, data_dir

        folder = os.environ.get(WITNESS_DIR_ENV, "").strip()
        base = Path(folder).expanduser() if folder else data_dir() / "servers"
        self.root = base
        self.checkpoints = base / f"{store_id}.checkpoints"


# --- a user's open session on the server ---------------------------------------------


class ServerStore:
    """A logged-in user on the server: what a local OpenStore offers the
    services, without a data key (the server holds the data)."""

    has_data_key = True
    via_recovery_key = False
    is_server = True

    def __init__(self, engine: Engine, actor, params: dict,
                 clock: Callable[[], dt.datetime] = utc_now):
        self.engine = engine
        self.actor = actor
        self.clock = clock
        self.alarms: list = []
        with engine.connect() as conn:
            self.store_id = conn.execute(text(
                "SELECT value FROM store_meta WHERE key = 'store_id'")).scalar()
        self.keyfile = ServerKeys(engine, params)
        self.paths = ServerPaths(self.store_id)
        self._signing_key = read_signing_key(engine)
        self._note_seal_key = read_note_seal_key(engine, self._signing_key)
        self._open = True

    @property
    def signing_key(self):
        return self._signing_key

    @property
    def note_seal_key(self) -> bytes | None:
        return self._note_seal_key

    @property
    def data_key(self) -> bytes:
        raise StoreError("En serverlagringsplats har ingen datanyckel på skrivbordet.",
                         "A server store has no data key on the desktop.")

    def uow(self) -> UnitOfWork:
        if not self._open:
            raise StoreError("Lagringsplatsen är låst.", "The store is locked.")
        return UnitOfWork(self, self.clock)

    def confirm_account(self, username: str, fingerprint: str) -> None:
        """The server's confirmation, for ``services.accounts.confirm_account``
        (the services layer does not import the server's modules)."""
        from trefas_app.server.accounts import confirm

        confirm(self, username, fingerprint)

    def unconfirmed_accounts(self, uow, actor) -> list:
        """For ``services.accounts.pending_confirmations`` on a server."""
        from trefas_app.server.accounts import unconfirmed

        return unconfirmed(uow, actor)

    def after_commit(self, seq: int | None = None) -> None:
        """Nothing to do per commit: checkpoints are written at log-out."""

    def write_checkpoint(self) -> None:
        """Sign the log's head into this desktop's checkpoint file: a copy of
        the chain's state that the database administrator cannot rewrite."""
        from trefas_app.store.audit_chain import (
            append_checkpoint,
            read_checkpoints,
            sign_checkpoint,
        )

        if self._signing_key is None:
            return
        with Session(self.engine) as session:
            seq, digest = audit.head(session)
        path = self.paths.checkpoints
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with file_lock(path.with_name(path.name + ".lock")):  # desktops may share it
            lines = read_checkpoints(path) if path.exists() else []
            if lines and lines[-1].seq == seq and lines[-1].hash == digest:
                return
            prev = lines[-1].line_digest if lines else "0" * 64
            append_checkpoint(path, sign_checkpoint(
                self._signing_key, self.store_id, seq, digest,
                self.clock().astimezone(dt.timezone.utc).isoformat(), prev))

    @contextmanager
    def edit_keyfile(self):
        """A server store has no key file: what a service would mirror into
        one stays in the database alone."""
        yield self.keyfile

    def write_witness(self) -> None:
        """The checkpoint file is the witness on a server store."""

    def close(self, action: str = "logout") -> None:
        if not self._open:
            return
        try:
            audit.append_alone(self.engine, self.clock(), self.actor, action)
            self.write_checkpoint()
        finally:
            self._open = False
            self.engine.dispose()

    def __enter__(self) -> "ServerStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def connect(url: str, username: str, password: str,
            clock: Callable[[], dt.datetime] = utc_now) -> ServerStore:
    """Log in to a server store as ``username`` (logged as ``login``)."""
    engine = server_engine(url, username, password)
    try:
        return _log_in(engine, connection_info(url), clock)
    except SQLAlchemyError as exc:
        engine.dispose()
        if refused_by_server(exc):  # a login role of no group: not confirmed yet
            from trefas_app.store.keyless import AwaitingConfirmation

            raise AwaitingConfirmation([], _own_fingerprint(url, username, password)) from exc
        raise
    except BaseException:
        engine.dispose()
        raise


def _own_fingerprint(url: str, username: str, password: str) -> str:
    """The fingerprint of this login role's enrolment ("" if none), to read out."""
    engine = server_engine(url, username, password)
    try:
        with engine.connect() as conn:
            return str(conn.execute(text("SELECT trefas.account_fingerprint()")).scalar() or "")
    except SQLAlchemyError:
        return ""
    finally:
        engine.dispose()


def _log_in(engine: Engine, params: dict, clock: Callable[[], dt.datetime]) -> ServerStore:
    """The users row of session_user becomes the actor; the log-in is logged.
    A server whose installation is not this program's is refused first."""
    from trefas_app.store.store import actor_of

    from trefas_app.server.installed import check_server

    with engine.connect() as conn:  # before anything the program reads by name
        check_server(conn)
    with Session(engine) as session:
        me = session.scalar(text("SELECT session_user"))
        user = session.scalars(select(m.User).where(m.User.username == me)).first()
        if user is None or not user.active:
            raise AccessDenied("Kontot är avstängt eller saknas på servern.",
                               "The account is disabled or missing on the server.")
        actor = replace(actor_of(user), rows_by_server=True)
        audit.append(session, clock(), actor, "login")
        session.commit()
    store = ServerStore(engine, actor, params, clock)
    store.write_checkpoint()
    return store
