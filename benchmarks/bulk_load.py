"""Loading rows into a store in bulk, for the benchmark generators.

Nothing here is used by the program. Rows go into the real SQLCipher engine
on one connection, in one transaction, with executemany in chunks:
``load_rows`` takes dicts of Python values (each value converted once by its
column's type, the first row checked against SQLAlchemy's own conversion);
the millions of notes are made as tuples already in the stored form
(``stored_datetime``, ``stored_enum_texts``) instead, where the conversion
cost more than SQLite's own work. ``loading`` sets the connection up for a bulk load and
``indexes_dropped`` builds the secondary indexes after it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from sqlalchemy import bindparam, insert
from sqlalchemy.engine import Connection, Engine

from trefas_app.store import models as m

CHUNK = 20_000
#: The generator's page cache: room for the whole 50k/60k/1M/2M store
#: (1.5 GB), so building each index reads decrypted pages from memory instead
#: of decrypting the table again (at 512 MiB the nine large indexes cost
#: 19 s of CPU, at 2 GiB 11 s). Only what the load touches is allocated.
GENERATOR_CACHE_KIB = 2 * 1024 * 1024


def chunked(rows: Iterable[dict], size: int = CHUNK) -> Iterator[list[dict]]:
    it = iter(rows)
    while True:
        batch = list(itertools.islice(it, size))
        if not batch:
            return
        yield batch


def bulk_insert(engine: Engine | Connection, model, rows: Iterable[dict], size: int = CHUNK,
                per_transaction: int = 200_000,
                progress: Callable[[str], None] | None = None) -> int:
    """Rows into ``model``'s table (see :func:`load_rows`): in one
    transaction of its own when given an engine, in the caller's when given
    a connection. ``per_transaction`` is no longer used (kept for callers)."""
    if isinstance(engine, Connection):  # inside the caller's transaction
        return load_rows(engine, model, rows, size, progress)
    with loading(engine) as conn:
        return load_rows(conn, model, rows, size, progress)


#: For the generator's connection only: no rollback journal and no fsync
#: during the load (a crash loses a benchmark store, nothing else; the store
#: is back in WAL mode afterwards), a large page cache, temp in memory.
LOAD_PRAGMAS = {"journal_mode": "OFF", "synchronous": "OFF",
                "cache_size": f"-{GENERATOR_CACHE_KIB}", "temp_store": "MEMORY"}


@contextlib.contextmanager
def loading(engine: Engine, attach: dict[str, Path] | None = None) -> Iterator[Connection]:
    """One connection and one transaction for a bulk load, with
    :data:`LOAD_PRAGMAS` set before it begins and put back after, and the
    plain SQLite files ``attach`` (schema name -> path) attached meanwhile."""
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        before = {name: raw.execute(f"PRAGMA {name}").fetchone()[0] for name in LOAD_PRAGMAS}
        for name, value in LOAD_PRAGMAS.items():
            raw.execute(f"PRAGMA {name} = {value}")
        for schema, path in (attach or {}).items():
            raw.execute(f"ATTACH DATABASE ? AS {schema} KEY ''", (str(path),))
        try:
            with conn.begin():
                yield conn
        finally:
            for schema in attach or {}:
                raw.execute(f"DETACH DATABASE {schema}")
            for name, value in before.items():
                raw.execute(f"PRAGMA {name} = {value}")
            if raw.execute("PRAGMA journal_mode").fetchone()[0] != before["journal_mode"]:
                raise RuntimeError("the store did not return to its journal mode")


def _storage_converters(table, dialect) -> list[Callable[[object], object] | None]:
    """Per column, the function that turns a Python value into what the
    driver stores — the column type's own bind processing, with a fast path
    for aware datetimes (``UTCDateTime`` → naive UTC text, the same text as
    SQLAlchemy's SQLite ``DateTime`` writes)."""
    out = []
    for col in table.columns:
        if isinstance(col.type, m.UTCDateTime):
            def to_text(v):
                if v is None:
                    return None
                return v.astimezone(dt.timezone.utc).replace(tzinfo=None).isoformat(
                    " ", "microseconds")
            out.append(to_text)
            continue
        out.append(col.type._cached_bind_processor(dialect))  # None: stored as is
    return out


def load_rows(conn, model, rows: Iterable[dict], size: int = CHUNK,
              progress: Callable[[str], None] | None = None) -> int:
    """executemany of ``rows`` (dicts by column name; missing keys are NULL)
    on the caller's connection and transaction, as one compiled Core
    ``insert`` with each value converted once by its column type — the
    per-row parameter handling of ``conn.execute(insert(t), batch)`` cost
    more than SQLite's own work. The first row is checked against
    SQLAlchemy's own conversion."""
    table = model.__table__
    names = [c.name for c in table.columns]
    stmt = insert(table).values({n: bindparam(n) for n in names}).compile(
        dialect=conn.dialect)
    sql = str(stmt)
    order = stmt.positiontup  # the order of the ? in ``sql``
    converters = dict(zip(names, _storage_converters(table, conn.dialect)))
    pick = [(n, converters[n], _scalar_default(table.c[n])) for n in order]
    cursor = conn.connection.driver_connection.cursor()
    done = 0
    checked = False
    for batch in chunked(rows, size):
        # Column by column (a list comprehension per column, then zip) is
        # several times faster than a generator per row.
        columns = []
        for n, conv, default in pick:
            values = [row.get(n, default) for row in batch]
            columns.append(values if conv is None else list(map(conv, values)))
        params = list(zip(*columns))
        if not checked:
            _check_conversion(conn, table, batch[0], dict(zip(order, params[0])))
            checked = True
        cursor.executemany(sql, params)
        done += len(params)
        if progress:
            progress(f"{table.name}: {done:,}")
    return done


def _scalar_default(column):
    default = column.default
    return default.arg if default is not None and default.is_scalar else None


def _check_conversion(conn, table, row: dict, converted: dict) -> None:
    stmt = insert(table).compile(dialect=conn.dialect, column_keys=list(table.columns.keys()))
    expected = stmt.construct_params({c: row.get(c, _scalar_default(table.c[c]))
                                      for c in table.columns.keys()})
    for name, value in expected.items():
        proc = stmt._bind_processors.get(name)
        want = proc(value) if proc else value
        if want != converted[name]:
            raise AssertionError(f"{table.name}.{name}: {converted[name]!r} != {want!r}")


@contextlib.contextmanager
def indexes_dropped(conn, *tables: str):
    """Drop the secondary indexes of ``tables`` for a bulk load and build
    them again afterwards (a sort per index, instead of millions of random
    B-tree inserts). Recreated from their own SQL, so exactly as migrated."""
    saved = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({', '.join('?' * len(tables))})", tables).all()
    for name, _ in saved:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    yield
    for _, sql in saved:
        conn.exec_driver_sql(sql)


def stored_datetime(naive_utc: dt.datetime) -> str:
    """The text a ``UTCDateTime`` column stores for a naive UTC datetime
    (what SQLAlchemy's SQLite ``DateTime`` writes; the tests compare the two)."""
    return naive_utc.isoformat(" ", "microseconds")


def stored_enum_texts(table, dialect) -> dict[str, dict]:
    """Per enum column of ``table``: member -> the text stored for it, from
    the column type's own bind processing."""
    out = {}
    for col in table.columns:
        enum_class = getattr(col.type, "enum_class", None)
        if enum_class is not None:
            proc = col.type._cached_bind_processor(dialect)
            out[col.name] = {e: proc(e) if proc else e for e in enum_class}
    return out
