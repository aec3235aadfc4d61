"""Applying the Alembic migrations in ``db/`` to an open, keyed engine."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

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


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    return cfg


def head_revision() -> str:
    """The newest migration: read (and the scripts compiled) once per process
    per migrations folder; every unlock asks (13–40 ms each time before)."""
    return _head_of(str(migrations_dir()))


@functools.cache
def _head_of(location: str) -> str:
    cfg = Config()
    cfg.set_main_option("script_location", location)
    return ScriptDirectory.from_config(cfg).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade_to_head(engine: Engine) -> None:
    cfg = alembic_config()
    current = current_revision(engine)
    if current == head_revision():
        return
    known = {s.revision for s in ScriptDirectory.from_config(cfg).walk_revisions()}
    if current is not None and current not in known:
        raise StoreError(
            "Lagringsplatsen är skapad av en nyare version av Trefas. Uppdatera programmet.",
            "The store was created by a newer version of Trefas. Please update the program.")
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
