"""Applying the Alembic migrations in ``db/`` to an open, keyed engine.

Alembic (with Mako and Pygments, ≈ 11 MiB and 150 modules) is imported only
when a store is not at the newest version: an unlock compares the store's
``alembic_version`` with :data:`SCHEMA_HEAD` and is done when they agree.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from trefas_app.domain.errors import StoreError


def migrations_dir() -> Path:
    """The Alembic script directory (``env.py``, ``versions/``).

    Frozen build: ``<sys._MEIPASS>/db``; installed wheel: ``trefas_app/_migrations``
    (``setup.py`` maps ``db/`` there); source checkout or editable install:
    ``db/`` at the top of the repository. The first that holds ``env.py`` wins.
    """
    package = Path(__file__).resolve().parents[1]
    candidates = [package / "_migrations", package.parent / "db"]
    frozen_base = getattr(sys, "_MEIPASS", None)
    if frozen_base:
        candidates.insert(0, Path(frozen_base) / "db")
    for candidate in candidates:
        if (candidate / "env.py").is_file():
            return candidate
    raise StoreError("Programmets databasmigreringar saknas – installationen är ofullständig.",
                     "The program's database migrations are missing – broken installation.")


def alembic_config():
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    return cfg


def head_revision() -> str:
    """The newest migration: read (and the scripts compiled) once per process
    per migrations folder; every unlock asks (13–40 ms each time before)."""
    return _head_of(str(migrations_dir()))


@functools.cache
def _head_of(location: str) -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", location)
    return ScriptDirectory.from_config(cfg).get_current_head()


#: The newest migration in ``db/versions``, written here so that an unlock
#: compares the store's ``alembic_version`` with a constant and neither reads
#: the version files nor imports Alembic;
#: ``tests/unit/test_schema_head.py`` fails when a migration is added and this
#: is not updated. A store at any other version goes through Alembic, which
#: upgrades an older one and refuses a newer one.
SCHEMA_HEAD = "0010"


def _is_at_head(engine: Engine) -> bool:
    """The store's version is :data:`SCHEMA_HEAD` (one small read, no Alembic)."""
    try:
        with engine.connect() as conn:
            return stored_versions(conn) == [SCHEMA_HEAD]
    except DBAPIError:  # no version table yet: a new store
        return False


def stored_versions(conn) -> list[str]:
    """What the store's ``alembic_version`` table holds."""
    return list(conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars())


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade_to_head(engine: Engine, stored: list[str] | None = None) -> bool:
    """Bring the store to the newest version; True when it was already there.
    ``stored``: its ``alembic_version`` rows when the caller has just read them."""
    if stored == [SCHEMA_HEAD] or (stored is None and _is_at_head(engine)):
        return True
    from alembic import command
    from alembic.script import ScriptDirectory

    cfg = alembic_config()
    current = current_revision(engine)
    if current == head_revision():
        return True
    known = {s.revision for s in ScriptDirectory.from_config(cfg).walk_revisions()}
    if current is not None and current not in known:
        raise StoreError(
            "Lagringsplatsen är skapad av en nyare version av Trefas. Uppdatera programmet.",
            "The store was created by a newer version of Trefas. Please update the program.")
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    return False
