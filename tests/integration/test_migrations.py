"""The Alembic migrations in db/ build exactly the schema of models.py, with
the immutability triggers, on a real SQLCipher database."""

from __future__ import annotations

import secrets

import pytest
import sqlcipher3
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, MetaData, String, select, text

from trefas_app.store import models as m
from trefas_app.store.engine import connect_raw, open_engine
from trefas_app.store.migrate import alembic_config, current_revision, head_revision, \
    upgrade_to_head

TRIGGERS = {"audit_events_no_update", "audit_events_no_delete",
            "notes_signed_immutable", "notes_signed_undeletable"}


@pytest.fixture
def migrated(tmp_path):
    key = secrets.token_bytes(32)
    db = tmp_path / "empty.db"
    engine = open_engine(db, key)
    upgrade_to_head(engine)
    yield engine, db, key
    engine.dispose()


def test_empty_store_migrates_to_head(migrated):
    engine, _, _ = migrated
    assert current_revision(engine) == head_revision()


@pytest.mark.filterwarnings("ignore:.*expression-based index")
def test_migrated_schema_equals_the_models(migrated):
    engine, _, _ = migrated
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True,
                                                     "compare_server_default": True,
                                                     "include_name": m.in_models})
        diff = compare_metadata(ctx, m.Base.metadata)
    # Nothing is ignored: every table, column, type, nullability, index,
    # unique constraint and foreign key of models.py must be in the migration.
    # (alembic_version is Alembic's own table and is never reported; the
    # FTS5 tables of the name index are SQLite's, see the test below.)
    assert diff == []


@pytest.mark.filterwarnings("ignore:.*expression-based index")
def test_expression_index_of_the_person_list_matches_the_models(migrated):
    """Alembic cannot compare expression indexes, so this test does: the
    migration's index has the models' expressions, and the person list's
    ORDER BY reads it instead of sorting."""
    engine, _, _ = migrated
    with engine.connect() as conn:
        sql = conn.execute(text("SELECT sql FROM sqlite_master "
                                "WHERE name = 'ix_persons_listing'")).scalar()
        assert sql is not None
        assert f"({m.PERSON_LIST_MASKED})" in sql and m.PERSON_LIST_NAME in sql
        stmt = select(m.Person.id).order_by(*m.Person.list_order()).limit(10)
        plan = " ".join(str(row[-1]) for row in conn.execute(
            text("EXPLAIN QUERY PLAN " + str(stmt.compile(engine,
                                                          compile_kwargs={"literal_binds": True})))))
    assert "ix_persons_listing" in plan and "TEMP B-TREE" not in plan, plan


def test_triggers_exist(migrated):
    engine, _, _ = migrated
    with engine.connect() as conn:
        names = set(conn.execute(text(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars())
    assert TRIGGERS <= names


def _fill(conn):
    conn.execute("INSERT INTO units (id, agency, code, name) VALUES (1, 'city', 'U', 'U')")
    conn.execute("INSERT INTO users (id, username, display_name, role, agency, unit_id, active,"
                 " language, created_at) VALUES (1, 'u', 'U', 'social_worker', 'city', 1, 1,"
                 " 'sv', '2024-01-01 00:00:00')")
    conn.execute("INSERT INTO persons (id, first_name, last_name, protection_level, risk_level,"
                 " owner_agency, unit_id, search_name, created_at) VALUES (1, 'A', 'B', 'none',"
                 " 'green', 'city', 1, 'a b', '2024-01-01 00:00:00')")
    conn.execute("INSERT INTO cases (id, number, person_id, unit_id, owner_agency, state, title,"
                 " opened_at, last_entry_at, created_at) VALUES (1, 'K-1', 1, 1, 'city', 'open',"
                 " 'T', '2024-01-01 00:00:00', '2024-01-01 00:00:00', '2024-01-01 00:00:00')")
    conn.execute("INSERT INTO notes (id, case_id, person_id, owner_agency, category, title, body,"
                 " state, author_id, created_at) VALUES (1, 1, 1, 'city', 'social', 'T', 'B',"
                 " 'signed', 1, '2024-01-01 00:00:00')")
    conn.execute("INSERT INTO notes (id, case_id, person_id, owner_agency, category, title, body,"
                 " state, author_id, created_at) VALUES (2, 1, 1, 'city', 'social', 'T', 'B',"
                 " 'draft', 1, '2024-01-01 00:00:00')")
    conn.execute("INSERT INTO audit_events (seq, at, action, prev_hash, hash) VALUES "
                 "(1, '2024-01-01T00:00:00.000000Z', 'x', '0', '1')")


def test_triggers_do_what_they_say(migrated):
    _, db, key = migrated
    conn = connect_raw(db, key)
    _fill(conn)
    for sql in ("UPDATE audit_events SET action = 'y'", "DELETE FROM audit_events"):
        with pytest.raises(sqlcipher3.IntegrityError, match="append-only"):
            conn.execute(sql)
    with pytest.raises(sqlcipher3.IntegrityError, match="signed note cannot be changed"):
        conn.execute("UPDATE notes SET body = 'ändrad' WHERE id = 1")
    with pytest.raises(sqlcipher3.IntegrityError, match="signed note cannot be deleted"):
        conn.execute("DELETE FROM notes WHERE id = 1")
    # Drafts change and go freely; a signed note goes only in a retention purge.
    conn.execute("UPDATE notes SET body = 'ny' WHERE id = 2")
    conn.execute("DELETE FROM notes WHERE id = 2")
    conn.execute("INSERT INTO retention_purges (case_id) VALUES (1)")
    conn.execute("DELETE FROM notes WHERE id = 1")
    assert conn.execute("SELECT count(*) FROM notes").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM audit_events").fetchone()[0] == 1
    conn.close()


def test_downgrade_to_base_and_up_again(migrated):
    engine, _, _ = migrated
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
    with engine.connect() as conn:
        left = set(conn.execute(text(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') "
            "AND name NOT LIKE 'sqlite_%'")).scalars())
    assert left <= {"alembic_version"}
    upgrade_to_head(engine)
    assert current_revision(engine) == head_revision()


@pytest.mark.filterwarnings("ignore:.*expression-based index")
def test_the_comparison_does_see_a_difference(migrated):
    # Guards the test above against comparing nothing.
    engine, _, _ = migrated
    changed = MetaData(naming_convention=m.NAMING_CONVENTION)
    for table in m.Base.metadata.tables.values():
        table.to_metadata(changed)
    changed.tables["persons"].append_column(Column("shoe_size", String(5)))
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(
            conn, opts={"include_name": m.in_models}), changed)
    assert [d[0] for d in diff] == ["add_column"]


def test_0005_backfills_the_sort_key_and_the_name_index(tmp_path):
    """A store at 0004 with persons gets their Swedish sort keys and a
    trigram index that finds them; the index follows later writes."""
    key = secrets.token_bytes(32)
    db = tmp_path / "old.db"
    engine = open_engine(db, key)
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0004")
    conn = connect_raw(db, key)
    _fill(conn)
    conn.execute("UPDATE persons SET search_name = 'östen åberg'")
    conn.commit()
    conn.close()
    upgrade_to_head(engine)
    with engine.begin() as conn:
        assert conn.execute(text("SELECT sort_name FROM persons")).scalar() == \
            "}sten {berg\x01östen åberg"
        found = "SELECT rowid FROM persons_fts WHERE search_name LIKE :q"
        assert conn.execute(text(found), {"q": "%åbe%"}).scalars().all() == [1]
        conn.execute(text("UPDATE persons SET search_name = 'anna lind'"))
        assert conn.execute(text(found), {"q": "%åbe%"}).scalars().all() == []
        assert conn.execute(text(found), {"q": "%a li%"}).scalars().all() == [1]
        plan = " ".join(str(r[-1]) for r in conn.execute(text("EXPLAIN QUERY PLAN " + found),
                                                         {"q": "%a li%"}))
        assert "VIRTUAL TABLE INDEX" in plan and ":L" in plan, plan  # LIKE by the index
        conn.execute(text("INSERT INTO persons (id, first_name, last_name, protection_level, "
                          "risk_level, owner_agency, unit_id, search_name, created_at) VALUES "
                          "(2, 'C', 'D', 'none', 'green', 'city', 1, 'cecilia lind', "
                          "'2024-01-01 00:00:00')"))
        assert conn.execute(text(found), {"q": "%lind%"}).scalars().all() == [1, 2]
        conn.execute(text("DELETE FROM persons WHERE id = 2"))
        assert conn.execute(text(found), {"q": "%lind%"}).scalars().all() == [1]
        tables = set(conn.execute(text(
            "SELECT name FROM sqlite_master WHERE name LIKE 'persons_fts%' "
            "AND type = 'table'")).scalars())
    assert tables == m.PERSON_NAME_INDEX_TABLES
    engine.dispose()
