"""One migration history for both stores: db/ builds the schema of models.py on
a real PostgreSQL too, with the immutability rules as PL/pgSQL triggers."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from server_setup import fresh_database
from trefas_app.store import models as m
from trefas_app.store.migrate import current_revision, head_revision, upgrade_to_head


@pytest.fixture
def migrated(pg_cluster):
    with fresh_database(pg_cluster) as engine:
        upgrade_to_head(engine)
        yield engine


def test_empty_server_database_migrates_to_head(migrated):
    assert current_revision(migrated) == head_revision()


def test_migrated_server_schema_equals_the_models(migrated):
    with migrated.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, m.Base.metadata)
    # Alembic compares expression indexes as text, which PostgreSQL rewrites:
    # the person list's index is checked by the test below instead.
    rest = [d for d in diff if not (d[0] in ("add_index", "remove_index")
                                    and d[1].name == "ix_persons_listing")]
    assert rest == []


def test_person_list_index_uses_the_stored_swedish_key(migrated):
    """0004 made the index Swedish by collation; 0005 replaced that with the
    stored sort key (persons.sort_name, compared as bytes: COLLATE "C"). The
    collation stays for the few ORDER BYs on other names."""
    with migrated.connect() as conn:
        sql = conn.execute(text("SELECT indexdef FROM pg_indexes "
                                "WHERE indexname = 'ix_persons_listing'")).scalar()
        assert "sort_name" in sql
        collation = conn.execute(text(
            "SELECT collation_name FROM information_schema.columns "
            "WHERE table_name = 'persons' AND column_name = 'sort_name'")).scalar()
        assert collation == "C"
        order = conn.execute(text(
            "SELECT w FROM (VALUES ('ö'), ('a'), ('z'), ('å'), ('ä')) AS t(w) "
            "ORDER BY w COLLATE trefas_sv")).scalars().all()
    assert order == ["a", "z", "å", "ä", "ö"]


def _insert_log_row(conn) -> None:
    conn.execute(text(
        "INSERT INTO audit_events (seq, at, action, prev_hash, hash) "
        "VALUES (1, '2026-01-01T00:00:00.000000Z', 'x', repeat('0', 64), repeat('1', 64))"))


def test_log_rows_cannot_be_changed_deleted_or_truncated(migrated):
    with migrated.begin() as conn:
        _insert_log_row(conn)
    for statement in ("UPDATE audit_events SET action = 'y'", "DELETE FROM audit_events",
                      "TRUNCATE audit_events"):
        with pytest.raises(Exception, match="append-only"):
            with migrated.begin() as conn:
                conn.execute(text(statement))
    with migrated.connect() as conn:
        assert conn.execute(text("SELECT action FROM audit_events")).scalar() == "x"


def test_signed_note_trigger_exists_on_the_server(migrated):
    with migrated.connect() as conn:
        names = set(conn.execute(text(
            "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")).scalars())
    assert {"notes_signed_immutable", "notes_signed_undeletable", "audit_events_no_update",
            "audit_events_no_delete", "audit_events_no_truncate"} <= names


def test_the_dialect_elements_run_on_the_server(migrated):
    from sqlalchemy import select

    from trefas_app.store.dialect import id_set, likely, local_date
    with migrated.connect() as conn:
        assert sorted(conn.execute(id_set([3, 1, 2])).scalars()) == [1, 2, 3]
        assert conn.execute(select(likely(text("1 = 1")))).scalar() is True
        day = conn.execute(select(local_date(text("'2026-03-29T23:30:00.000000Z'"),
                                             text("'+120 minutes'")))).scalar()
    assert day == "2026-03-30"


def test_server_history_goes_down_and_up_again(migrated):
    from alembic import command

    from trefas_app.store.migrate import alembic_config
    cfg = alembic_config()
    with migrated.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
    with migrated.connect() as conn:
        assert conn.execute(text("SELECT to_regclass('public.notes')")).scalar() is None
        assert conn.execute(text("SELECT count(*) FROM pg_proc "
                                 "WHERE proname LIKE 'trefas_%'")).scalar() == 0
    upgrade_to_head(migrated)
    assert current_revision(migrated) == head_revision()
