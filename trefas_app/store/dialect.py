"""The few SQL expressions that SQLite and PostgreSQL spell differently.

The services build their queries once, with these elements; SQLAlchemy's
compiler writes each in the dialect of the connection it runs on (the local
SQLCipher store or the PostgreSQL server, see docs/server.md). Everything else
the services write is SQL both understand.
"""

from __future__ import annotations

import json

from sqlalchemy import String, literal, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement, GenericFunction


class likely(GenericFunction):  # noqa: N801  (SQL's own name)
    """SQLite's planner hint ``likely(x)``; PostgreSQL has none: just ``x``."""

    inherit_cache = True
    name = "likely"


@compiles(likely, "postgresql")
def _likely_pg(element, compiler, **kw):
    return compiler.process(list(element.clauses)[0], **kw)


class no_index(FunctionElement):  # noqa: N801
    """A column that SQLite must not read through its index here: written
    ``+column`` (the value unchanged). A term on it then never turns its OR
    into an index walk over every row it matches (a MULTI-INDEX OR), where
    a list read in its sort order and stopped after a page is far cheaper.
    PostgreSQL: just the column."""

    inherit_cache = True
    name = "no_index"

    def __init__(self, column):
        super().__init__(column)
        self.type = column.type


@compiles(no_index)
def _no_index_sqlite(element, compiler, **kw):
    return "+" + compiler.process(list(element.clauses)[0], **kw)


@compiles(no_index, "postgresql")
def _no_index_pg(element, compiler, **kw):
    return compiler.process(list(element.clauses)[0], **kw)


class id_values(FunctionElement):  # noqa: N801
    """A list of ids as ONE bound value (JSON text), as a table with a column
    ``value``: a long list needs no bound variable per id."""

    inherit_cache = True
    name = "json_each"

    def __init__(self, ids: list[int]):
        super().__init__(literal(json.dumps([int(i) for i in ids]), String))


@compiles(id_values)
def _id_values_sqlite(element, compiler, **kw):
    return f"json_each({compiler.process(element.clauses, **kw)})"


@compiles(id_values, "postgresql")
def _id_values_pg(element, compiler, **kw):
    arg = compiler.process(element.clauses, **kw)
    # A sub-select, so that "AS anon_1" and "anon_1.value" work as for json_each.
    return ("(SELECT CAST(value AS bigint) AS value "
            f"FROM jsonb_array_elements_text(CAST({arg} AS jsonb)))")


def id_set(ids: list[int]):
    """``SELECT value FROM <ids>`` for ``column.in_(...)``."""
    return select(id_values(ids).table_valued("value").c.value)


class local_date(FunctionElement):  # noqa: N801
    """The calendar day (``YYYY-MM-DD`` text) of a stored UTC ``at`` text
    (``2026-05-01T12:00:00.000000Z``) shifted by a modifier such as
    ``'+120 minutes'`` (text, may be a CASE)."""

    inherit_cache = True
    type = String()
    name = "date"

    def __init__(self, at_text, modifier):
        super().__init__(at_text, modifier)


@compiles(local_date)
def _local_date_sqlite(element, compiler, **kw):
    at, modifier = list(element.clauses)
    return (f"date(substr({compiler.process(at, **kw)}, 1, 19), "
            f"{compiler.process(modifier, **kw)})")


@compiles(local_date, "postgresql")
def _local_date_pg(element, compiler, **kw):
    at, modifier = list(element.clauses)
    return (f"to_char(CAST(substr({compiler.process(at, **kw)}, 1, 19) AS timestamp) "
            f"+ CAST({compiler.process(modifier, **kw)} AS interval), 'YYYY-MM-DD')")





#: PostgreSQL's SQLSTATE for a privilege or row-security refusal.
INSUFFICIENT_PRIVILEGE = "42501"


def refused_by_server(exc: BaseException) -> bool:
    """The server's own rules (grants, row-level security) refused a
    statement: for the user that is an access refusal like the program's."""
    orig = getattr(exc, "orig", None)
    return getattr(orig, "sqlstate", None) == INSUFFICIENT_PRIVILEGE


def server_unreachable(exc: BaseException) -> bool:
    """The connection to a server broke (network, restart, an ended
    connection): SQLSTATE class 08 / 57P0x, or psycopg's "connection" errors."""
    orig = getattr(exc, "orig", None)
    state = getattr(orig, "sqlstate", None) or ""
    if state.startswith("08") or state.startswith("57P0"):
        return True
    return getattr(exc, "connection_invalidated", False) and \
        type(orig).__module__.startswith("psycopg")


def lock_for_change(session, kind: str, record_id: int) -> None:
    """Hold one record for the rest of the transaction before it is read to
    be changed, so that a second desktop changing it waits and then reads the
    first one's result. On a server an advisory lock on (kind, id): a row
    lock (FOR UPDATE) cannot be taken through the masked views that persons,
    relatives and consents are read by. SQLite has one writer anyway."""
    from sqlalchemy import func

    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(func.hashtext(kind), record_id)))
