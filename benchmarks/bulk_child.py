"""Rows generated in a second process, handed over through a plain SQLite file.

Nothing here is used by the program. Generating millions of rows in Python
and binding them one by one costs more than SQLite's own work; so the bulk
generator runs a row generator in a child process (``start``: this file run
as a script with the pickled call on its standard input, so the caller's
main module is not imported again), which writes the rows into a plain
SQLite file (``write_rows``). The store's loading connection attaches the
file (made beforehand by ``create_file``: a table made after the attach could
be missed by that connection's schema cache) and copies the rows with one
``INSERT … SELECT`` (``copy_rows``) inside its own transaction — no Python per
row on the loading side. The files hold generated test rows only and are
deleted with their folder afterwards.
"""

from __future__ import annotations

import importlib
import pickle
import sqlite3
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path


def create_file(path: Path, table: str, columns: tuple[str, ...]) -> None:
    """A plain SQLite file with an empty ``table`` of ``columns``."""
    conn = sqlite3.connect(path)
    try:
        conn.execute(f"CREATE TABLE {table} ({', '.join(columns)})")
        conn.commit()
    finally:
        conn.close()


def write_rows(path: Path, table: str, columns: tuple[str, ...],
               rows: Iterable[tuple]) -> int:
    """``rows`` into ``create_file``'s table, in one transaction, no journal."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("BEGIN")
        conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) "
                         f"VALUES ({', '.join('?' * len(columns))})", rows)
        conn.execute("COMMIT")
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


def copy_rows(conn, schema: str, table: str, columns: tuple[str, ...]) -> int:
    """The attached file's rows (schema name ``schema``) into the store's
    ``table``, in their order, on the caller's SQLAlchemy connection."""
    cols = ", ".join(columns)
    return conn.exec_driver_sql(f"INSERT INTO main.{table} ({cols}) "
                                f"SELECT {cols} FROM {schema}.{table} ORDER BY rowid").rowcount


def start(function, *args) -> subprocess.Popen:
    """``function(*args)`` in a new Python process; see ``result``.
    ``function`` must be a module-level function of a benchmarks module."""
    proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve())],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    proc.stdin.write(pickle.dumps((function.__module__, function.__qualname__, args)))
    proc.stdin.close()
    return proc


def result(proc: subprocess.Popen):
    """What ``start``'s function returned; raises when the process failed."""
    out = proc.stdout.read()
    proc.stdout.close()
    if proc.wait() != 0:
        raise RuntimeError(f"a bulk generator's process failed ({proc.returncode})")
    return pickle.loads(out)


def stop(proc: subprocess.Popen) -> None:
    """End the process if it still runs (the load failed before needing it)."""
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    if proc.stdout and not proc.stdout.closed:
        proc.stdout.close()


def main() -> None:
    module, name, args = pickle.loads(sys.stdin.buffer.read())
    value = getattr(importlib.import_module(module), name)(*args)
    sys.stdout.buffer.write(pickle.dumps(value))


if __name__ == "__main__":
    main()
