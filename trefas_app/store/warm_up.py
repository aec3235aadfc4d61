"""The first page's statements compiled before the key is known (issue 12:
the window's first page after unlock).

A fresh process compiles every statement at its first use: the start page's
≈ 30 statements cost more than their own run. The page's service runs once
through the store's own engine against an empty in-memory copy of the
schema (no file, no key, no row but the user's own, made up from the key
file's profile); its compiled statements stay in the engine's cache, which
the lock empties like the rest (``close_engine``). The page's real run after
the unlock finds them compiled. When: while the unlock dialog waits for the
password (:func:`prepare_page`, the window), or else while Argon2id runs
where a processor core is free (:func:`page_ahead`).
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Callable

from sqlalchemy import insert
from sqlalchemy.engine import Engine

from trefas_app.domain.actor import Actor
from trefas_app.domain.enums import Agency, Role
from trefas_app.domain.errors import TrefasError
from trefas_app.store.engine import unkeyed_engine, warming
from trefas_app.store.files import DB_NAME, KEYS_NAME
from trefas_app.store.uow import UnitOfWork, utc_now

log = logging.getLogger(__name__)

#: Run ahead only behind a key derivation at least this heavy (KiB of
#: Argon2id memory; production 256 MiB): behind a cheap one (the test
#: suite's) the unlock would wait for it.
AHEAD_MIN_KDF_KIB = 64 * 1024


def worth_running_ahead(kdf) -> bool:
    """Whether running the page ahead costs the user nothing: a derivation
    long enough to hide it, and a processor core that Argon2id's lanes leave
    free (each lane is a thread: on a 2-core machine the run ahead would only
    slow the derivation down — measured: +300 ms to it for −60 ms after it)."""
    return kdf.memory_cost >= AHEAD_MIN_KDF_KIB and (os.cpu_count() or 1) > kdf.lanes


#: A page's service: called as ``page(uow, actor)``.
Page = Callable[[UnitOfWork, Actor], object]


class _NoStore:
    """What a unit of work needs of a store, for the in-memory run."""

    prepared_statements = None

    def __init__(self, engine: Engine, actor: Actor):
        self.engine, self.actor = engine, actor

    def after_commit(self, seq: int | None = None) -> None:
        """No checkpoints for a database that is thrown away."""


def actor_from_profile(username: str, profile: dict) -> Actor | None:
    """The actor the key file's profile describes, or None when it says too
    little (then nothing is run ahead: the log-in decides who the user is)."""
    try:
        return Actor(user_id=int(profile["user_id"]), username=username, display_name="",
                     role=Role(profile["role"]), agency=Agency(profile["agency"]),
                     unit_id=int(profile["unit_id"]))
    except (KeyError, TypeError, ValueError):
        return None


#: The engine :func:`prepare_page` compiled the page on, by (database, user
#: name): one at most, taken by the next unlock of that user.
_prepared: dict[tuple[Path, str], Engine] = {}
_prepared_lock = threading.Lock()


def prepare_page(root: Path, username: str, page: Page) -> bool:
    """Compile ``page`` for ``username`` now, on a new engine of the store in
    ``root`` that this user's next unlock (:func:`page_ahead`) takes. For a
    window whose unlock dialog waits for the password: then it costs the
    user nothing, and nothing runs beside Argon2id. Returns whether there
    was a page to compile (an account holding the data key)."""
    from trefas_app.store.keyslots import KeyFile

    root = Path(root)
    try:
        slot = KeyFile.load(root / KEYS_NAME).find(username)
    except (TrefasError, OSError, ValueError):
        return False
    if not slot.holds_data_key or not (root / DB_NAME).exists():
        return False
    engine = unkeyed_engine(root / DB_NAME)
    compile_page_ahead(engine, username, dict(slot.profile or {}), page)
    with _prepared_lock:
        _prepared.clear()
        _prepared[(root / DB_NAME, username)] = engine
    return True


def take_prepared(db_path: Path, username: str) -> Engine | None:
    """The engine :func:`prepare_page` made for this database and user, once;
    any other is dropped (its cache holds no row of the store)."""
    with _prepared_lock:
        engine = _prepared.pop((Path(db_path), username), None)
        _prepared.clear()
    return engine


def page_ahead(db_path: Path, keyfile, username: str, page: Page | None):
    """For an unlock that will show ``page`` first: (the engine to unlock
    with, what to run while the key is derived), or (None, None) when not
    worth it (see :func:`worth_running_ahead`) or there is no such account.
    An engine :func:`prepare_page` made for this user is taken as it is."""
    if page is None:
        return None, None
    prepared = take_prepared(db_path, username)
    if prepared is not None:
        return prepared, None
    try:
        slot = keyfile.find(username)
    except TrefasError:  # no such account: open_account says so
        return None, None
    if not worth_running_ahead(slot.kdf):
        return None, None
    profile = dict(slot.profile or {})
    engine = unkeyed_engine(db_path)
    return engine, lambda: compile_page_ahead(engine, username, profile, page)


def compile_page_ahead(engine: Engine, username: str, profile: dict, page: Page) -> None:
    """Run ``page`` for the user of ``profile`` on the engine's in-memory
    stand-in; anything that fails there is left to the real run."""
    from trefas_app.store.models import Base, User

    actor = actor_from_profile(username, profile)
    if actor is None:
        return
    try:
        _compile_each_model_once()
        with warming(engine):
            with engine.begin() as conn:
                Base.metadata.create_all(conn)
                conn.execute(insert(User.__table__).values(
                    id=actor.user_id, username=username, display_name="", role=actor.role,
                    agency=actor.agency, unit_id=actor.unit_id, active=True,
                    created_at=utc_now()))
            page(UnitOfWork(_NoStore(engine, actor)), actor)
    except Exception:  # noqa: BLE001 — only speed is at stake; the real run reports
        log.debug("running the first page ahead failed", exc_info=True)


def _compile_each_model_once() -> None:
    """The first statement about a mapped model in a process pays for the
    model's own set-up (its loaders and columns, ≈ 1–5 ms each; the log-in's
    statements too): a SELECT of every model compiled once, with no engine,
    no key and no values."""
    from sqlalchemy import select

    from trefas_app.store.engine import KeyedByCreatorDialect
    from trefas_app.store.models import Base

    dialect = KeyedByCreatorDialect()
    for mapper in list(Base.registry.mappers):
        select(mapper.class_).compile(dialect=dialect)
