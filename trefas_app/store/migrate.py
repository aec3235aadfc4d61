"""Applying the Alembic migrations in ``db/`` to an open, keyed engine.

Alembic (with Mako and Pygments, ≈ 11 MiB and 150 modules) is imported only
when a store is not at the newest version: an unlock compares the store's
``alembic_version`` with the one head the version files declare, read once
per process (:func:`_declared_head`), and is done when they agree.
"""

from __future__ import annotations

import functools
import re
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


_DECLARATION = re.compile(
    r"""^(revision|down_revision)\s*(?::[^=\n]*)?=\s*(?:["']([^"'\n]+)["']|None)\s*$""",
    re.MULTILINE)


@functools.cache
def _declared_head(location: str) -> str | None:
    """The head of the version files when they form one line (each names one
    ``revision`` and at most one ``down_revision``, read as text); None when
    they do not, or are not there as source: then Alembic decides."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in sorted((Path(location) / "versions").glob("*.py")):
        declared = dict(m.group(1, 2) for m in _DECLARATION.finditer(
            path.read_text(encoding="utf-8")))
        if not declared.get("revision") or "down_revision" not in declared:
            return None
        revisions.add(declared["revision"])
        if declared["down_revision"]:
            parents.add(declared["down_revision"])
    heads = revisions - parents
    if len(heads) != 1 or not parents <= revisions or len(parents) != len(revisions) - 1:
        return None
    return heads.pop()


def _is_at_head(engine: Engine) -> bool:
    """The store's version is the declared head (one small read, no Alembic)."""
    head = _declared_head(str(migrations_dir()))
    if head is None:
        return False
    try:
        with engine.connect() as conn:
            stored = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except DBAPIError:  # no version table yet: a new store
        return False
    return stored == [head]


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade_to_head(engine: Engine) -> None:
    if _is_at_head(engine):
        return
    from alembic import command
    from alembic.script import ScriptDirectory

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
