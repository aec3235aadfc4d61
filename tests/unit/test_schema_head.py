"""The unlock compares a store's version with ``migrate.SCHEMA_HEAD``, a
constant, instead of reading the version files (issue 12): it must be the
head Alembic finds in db/versions, and a store at any other version still goes
through Alembic (an older one is upgraded, a newer one refused)."""

from __future__ import annotations

from trefas_app.store import migrate


def test_the_constant_is_alembics_head():
    assert migrate.SCHEMA_HEAD == migrate.head_revision(), (
        "a migration was added: set migrate.SCHEMA_HEAD to its revision")
