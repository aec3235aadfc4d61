"""The benchmark store generator (benchmarks/bulk.py): a small generated store
has exactly the program's schema, passes the program's own log check, is back
in WAL mode, and the fast paths store what SQLAlchemy would have stored."""

from __future__ import annotations

import datetime as dt
import random
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import bulk  # noqa: E402
import bulk_audit  # noqa: E402
from trefas_app import cli  # noqa: E402
from trefas_app.services import audit_log  # noqa: E402
from trefas_app.store import models as m  # noqa: E402
from trefas_app.store.audit_chain import canonical_bytes, entry_hash  # noqa: E402
from trefas_app.store.engine import connect_raw  # noqa: E402
from trefas_app.store.keyslots import TEST_KDF  # noqa: E402
from trefas_app.store.store import create_store, unlock  # noqa: E402

SMALL = bulk.BulkSpec(persons=300, cases=360, notes=3_000, audit_events=2_500, kdf=TEST_KDF)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    root = tmp_path_factory.mktemp("bulk") / "store"
    return bulk.build_store(root, SMALL)


SCHEMA_SQL = ("SELECT type, name, tbl_name, sql FROM sqlite_master "
              # sqlite_stat*: the statistics PRAGMA optimize keeps, not schema.
              "WHERE name NOT LIKE 'sqlite_stat%' ORDER BY name")


def _constraints_sorted(rows: list[tuple]) -> list[tuple]:
    """The schema rows with each table's constraint lines in a fixed order:
    a table rebuilt by a migration (``batch_alter_table``) gets its foreign
    keys in an order that varies from one store to the next, even in one
    process — the program's stores differ there among themselves."""
    out = []
    for kind, name, table, sql in rows:
        if kind == "table" and sql:
            lines = sql.split("\n")
            body = [line.rstrip(", ") for line in lines[1:-1]]
            columns = [line for line in body if "CONSTRAINT" not in line]
            sql = "\n".join([lines[0], *columns, *sorted(set(body) - set(columns)),
                             lines[-1]])
        out.append((kind, name, table, sql))
    return out


def _read(store, sql: str) -> list[tuple]:
    conn = connect_raw(store.paths.db, store.data_key)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_generated_store_has_the_programs_schema(generated, tmp_path):
    # Made in this process, as the generated one was: the migrations' order
    # of a rebuilt table's constraints follows the process's string hashing.
    founding = create_store(tmp_path / "made", admin_username="admin",
                            admin_display_name="Anna Admin",
                            admin_password=bulk.BENCH_PASSWORD, kdf=TEST_KDF).store
    try:
        theirs = _read(founding, SCHEMA_SQL)
    finally:
        founding.close()
    store = unlock(generated.root, generated.users["supervisor_city"], bulk.BENCH_PASSWORD)
    try:
        ours = _read(store, SCHEMA_SQL)
        mode = _read(store, "PRAGMA journal_mode")
    finally:
        store.close()
    assert _constraints_sorted(ours) == _constraints_sorted(theirs)
    assert len(ours) > 100
    assert {name for kind, name, *_ in ours if kind == "index"} >= {
        "ix_notes_case_created", "ix_audit_events_at", "ix_persons_listing"}
    assert mode == [("wal",)]


def test_generated_store_passes_the_programs_log_check(generated):
    store = unlock(generated.root, generated.users["supervisor_city"], bulk.BENCH_PASSWORD)
    try:
        report = audit_log.verify_log(store, store.actor, full=True)
        counted = _read(store, "SELECT count(*), min(seq), max(seq) FROM audit_events")[0]
    finally:
        store.close()
    assert report.ok, report
    assert report.entries >= SMALL.audit_events
    total, first, last = counted
    assert last - first + 1 == total  # no gap where the log file was copied in


def test_generated_store_passes_audit_verify_on_the_command_line(generated, monkeypatch,
                                                                 tmp_path, capsys):
    monkeypatch.setenv("LANG", "sv_SE.UTF-8")
    monkeypatch.setenv("TREFAS_LOG_DIR", str(tmp_path / "log"))
    monkeypatch.setenv("TREFAS_PASSWORD", bulk.BENCH_PASSWORD)
    user = generated.users["supervisor_city"]
    for extra in (["--full"], []):  # the full check, then the incremental one
        code = cli.main(["audit", "verify", *extra, "--store", str(generated.root),
                         "--user", user])
        out = capsys.readouterr().out
        assert code == 0 and "obruten" in out, out


def test_generated_counts_follow_the_spec(generated):
    store = unlock(generated.root, generated.users["supervisor_city"], bulk.BENCH_PASSWORD)
    try:
        counts = {t: _read(store, f"SELECT count(*) FROM {t}")[0][0]
                  for t in ("persons", "cases", "notes", "team_members")}
        drafts = _read(store, "SELECT count(*) FROM notes WHERE state = 'draft'")[0][0]
    finally:
        store.close()
    assert counts == {"persons": 300, "cases": 360, "notes": 3_000,
                      "team_members": generated.counts["team_members"]}
    assert 0 < drafts < 3_000 * 0.1


# --- the fast paths store what the slow ones did ------------------------------------------


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32), bounds=st.lists(st.integers(1, 5_000_000), min_size=1,
                                                  max_size=20))
def test_fast_below_draws_what_randint_and_choice_draw(seed, bounds):
    ours, theirs = random.Random(seed), random.Random(seed)
    below = bulk_audit.fast_below(ours)
    for n in bounds:
        assert 7 + below(n) == theirs.randint(7, 7 + n - 1)
        assert below(n) == theirs.choice(range(n))
    assert ours.random() == theirs.random()


@settings(max_examples=60, deadline=None)
@given(moment=st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2100, 1, 1)))
def test_stored_datetime_is_what_sqlalchemy_stores(moment):
    column = m.Note.__table__.c.created_at
    process = column.type._cached_bind_processor(_dialect())  # as the engine does
    assert bulk.stored_datetime(moment) == process(moment.replace(tzinfo=dt.timezone.utc))


def _dialect():
    from sqlalchemy.dialects import sqlite

    return sqlite.dialect()


def test_note_tuples_are_the_note_dicts_as_stored():
    spec = bulk.BulkSpec(notes=500)
    now = dt.datetime(2026, 12, 5, 12, tzinfo=dt.timezone.utc)
    rng = random.Random(5)
    opened = [now - dt.timedelta(days=rng.uniform(1, 900)) for _ in range(40)]
    info = bulk.CaseInfo(
        ids=list(range(1, 41)), person=[(i % 30) + 1 for i in range(40)], opened=opened,
        last=[o + (now - o) * rng.random() for o in opened],
        city_author=[100 + i for i in range(40)],
        police_member=[200 + i if i % 3 == 0 else None for i in range(40)],
        probation_member=[300 + i if i % 5 == 0 else None for i in range(40)])
    table, dialect = m.Note.__table__, _dialect()
    stored = bulk.stored_enum_texts(table, dialect)
    dicts = bulk.note_rows(spec, info, random.Random(9), 500, now)
    tuples = bulk.note_rows(spec, info, random.Random(9), 500, now, stored=stored)
    processors = {c: table.c[c].type._cached_bind_processor(dialect) for c in bulk.NOTE_COLUMNS}
    for as_dict, as_tuple in zip(dicts, tuples, strict=True):
        expected = []
        for column in bulk.NOTE_COLUMNS:
            value = as_dict.get(column, bulk._scalar_default(table.c[column]))
            process = processors[column]
            expected.append(process(value) if process and value is not None else value)
        assert as_tuple == tuple(expected)


def test_audit_rows_are_chained_over_the_programs_canonical_bytes():
    start = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
    prev = "ab" * 32
    rows = list(bulk_audit.audit_rows(8, prev, 3_000, start, seed=3, persons=50, cases=60))
    assert [r[0] for r in rows] == list(range(8, 3_008))
    for row in rows:
        fields = dict(zip(bulk_audit.AUDIT_COLUMNS, row))
        digest = fields.pop("hash")
        fields |= {"user": fields.pop("username"), "reason": None,
                   "case_id": None if row[8] is None else str(row[8]),
                   "person_id": None if row[9] is None else str(row[9])}
        assert fields["prev_hash"] == prev
        assert digest == entry_hash(prev, canonical_bytes(fields))
        prev = digest


def test_every_measured_user_unlocks_though_their_slots_share_one_kdf_run(generated):
    for username in generated.users.values():
        store = unlock(generated.root, username, bulk.BENCH_PASSWORD)
        try:
            assert store.actor.username == username
            salts = {slot.salt for slot in store.keyfile.slots
                     if slot.username in generated.users.values()}
        finally:
            store.close()
    assert len(salts) == 1


def test_one_kdf_per_password_ends_with_its_block():
    from trefas_app.store import keyslots

    real = keyslots.derive_kek
    with bulk.one_kdf_per_password():
        assert keyslots.derive_kek is not real
    assert keyslots.derive_kek is real
