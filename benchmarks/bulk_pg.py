"""A large server store on PostgreSQL, fast: the rows of ``bulk.py`` written
with ``COPY`` as the table owner, then login roles for the measured users the
way ``server import`` makes them (a SCRAM verifier, member of the role's group).

Nothing here is used by the program. ``bulk.py``'s generators decide the shape
of the data (units, users, persons, cases and teams, consents, notes); only
its executemany is replaced, by ``copy_rows``, for the time of the build.

    world = build_server_store(cluster, BulkSpec(), progress=print)
    connect(world.url, world.users["coordinator"], BENCH_PASSWORD)
"""

from __future__ import annotations

import itertools
import random
import sys
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import bulk  # noqa: E402
from bulk import BENCH_PASSWORD, BulkSpec  # noqa: E402
from server_setup import new_database  # noqa: E402
from trefas_app.domain.enums import Role  # noqa: E402
from trefas_app.store import models as m  # noqa: E402
from trefas_app.server.connection import connect  # noqa: E402
from trefas_app.server.setup import (  # noqa: E402
    acting_as_owner,
    group_role,
    init_server,
    login_role,
    scram_verifier,
)
from trefas_app.store.uow import utc_now  # noqa: E402


@dataclass
class ServerWorld:
    url: str  # without a user: each measured user logs in as their own role
    owner_url: str  # the cluster's superuser (measurements SET ROLE to the owner)
    users: dict[str, str]  # label -> username (password BENCH_PASSWORD)
    counts: dict[str, int]
    seconds: dict[str, float]


def copy_rows(engine: Engine, model, rows: Iterable[dict], progress=None, **_ignored) -> int:
    """``COPY … FROM STDIN`` of ``rows``; each value through its column's own
    bind processing (enums, times), exactly as an ``insert`` would store it."""
    table = model.__table__
    it = iter(rows)
    first = next(it, None)
    if first is None:
        return 0
    columns = list(first)
    processors = [table.c[c].type.bind_processor(engine.dialect) for c in columns]
    return copy_stored(engine, table.name, columns,
                       ([p(r[c]) if p else r[c] for c, p in zip(columns, processors)]
                        for r in itertools.chain((first,), it)), progress)


def copy_stored(engine: Engine, table: str, columns, rows: Iterable, progress=None) -> int:
    """``COPY … FROM STDIN`` of rows already in their stored form, in
    ``columns`` order (e.g. ``bulk.note_rows(..., stored=...)``'s tuples)."""
    names = ", ".join(f'"{c}"' for c in columns)
    done = 0
    raw = engine.raw_connection()
    try:
        # PostgreSQL refuses COPY FROM under row-level security, which is
        # forced on the owner too: the cluster's superuser (no RLS) copies.
        raw.driver_connection.execute("RESET ROLE")
        with raw.driver_connection.cursor() as cur, \
                cur.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
            write = copy.write_row
            for row in rows:
                write(row)
                done += 1
        raw.driver_connection.commit()
    finally:
        raw.close()
    if progress:
        progress(f"{table}: {done:,}")
    return done


@contextmanager
def copy_instead_of_insert():
    """``bulk.py``'s generators, writing with COPY for the time of the build."""
    saved = bulk.bulk_insert
    bulk.bulk_insert = copy_rows
    try:
        yield
    finally:
        bulk.bulk_insert = saved


def owner_engine(superuser_url: str) -> Engine:
    """The cluster's superuser acting as the tables' owner."""
    return acting_as_owner(create_engine(superuser_url.replace("postgresql://",
                                                               "postgresql+psycopg://")))


def _reset_sequences(conn) -> None:
    for table in m.Base.metadata.sorted_tables:
        if "id" in table.c and table.c.id.primary_key:
            top = conn.execute(select(func.max(table.c.id))).scalar()
            if top:
                conn.execute(text("SELECT setval(pg_get_serial_sequence(:t, 'id'), :v)"),
                             {"t": table.name, "v": top})


def _measured_logins(engine: Engine, org, password: str) -> None:
    with Session(engine) as session:
        conn = session.connection()
        conn.execute(text("RESET ROLE"))  # creating roles is the set-up role's work
        for _label, (_uid, username) in org.named.items():
            role = conn.execute(text("SELECT role FROM users WHERE username = :u"),
                                {"u": username}).scalar()
            login_role(conn, username, scram_verifier(conn, username, password), None,
                       group_role(Role(role)))
        session.commit()


def build_server_store(cluster, spec: BulkSpec, password: str = BENCH_PASSWORD,
                       progress: Callable[[str], None] | None = None) -> ServerWorld:
    say = progress or (lambda msg: None)
    rng = random.Random(spec.seed)
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    db = new_database(cluster)
    superuser_url = cluster.dsn(dbname=db)
    init_server(superuser_url, admin_username="admin", admin_display_name="Bänk Admin",
                admin_password=password)
    url = (f"postgresql:///{db}?host={quote(str(cluster.socket_dir), safe='')}"
           f"&port={cluster.port}")
    seconds["init"] = time.perf_counter() - t0
    engine = owner_engine(superuser_url)
    now = utc_now()
    with engine.connect() as conn:
        admin_id = conn.execute(text("SELECT id FROM users WHERE username = 'admin'")).scalar()
    with copy_instead_of_insert():
        t = time.perf_counter()
        org = bulk.insert_org(engine, spec, now, admin_id)
        persons = list(bulk.person_rows(spec, org, now, rng))
        person_units = [p["unit_id"] for p in persons]
        copy_rows(engine, m.Person, persons, progress=say)
        del persons
        seconds["org_persons"] = time.perf_counter() - t
        t = time.perf_counter()
        info = bulk.insert_cases(engine, spec, org, now, rng, person_units, progress=say)
        consent_counts = bulk.insert_consents(engine, spec, org, now, rng, len(person_units),
                                              progress=say)
        seconds["cases_consents"] = time.perf_counter() - t
        t = time.perf_counter()
        # Tuples of the stored values (bulk.NOTE_COLUMNS): no dict and no
        # bind processing per value for a million rows.
        copy_stored(engine, "notes", bulk.NOTE_COLUMNS,
                    bulk.note_rows(spec, info, rng, spec.notes, now, stored=bulk.stored_enum_texts(
                        m.Note.__table__, engine.dialect)), progress=say)
        seconds["notes"] = time.perf_counter() - t
    t = time.perf_counter()
    with engine.begin() as conn:
        _reset_sequences(conn)
    _measured_logins(engine, org, password)
    raw = engine.raw_connection()
    try:
        raw.driver_connection.autocommit = True
        raw.driver_connection.execute("VACUUM ANALYZE")
    finally:
        raw.close()
    engine.dispose()
    with connect(url, "admin", password) as admin, admin.uow() as uow:
        # One access-log entry for the whole bulk, so the chain stays valid.
        uow.log(admin.actor, "bench.seed", detail={"persons": spec.persons,
                                                   "cases": spec.cases, "notes": spec.notes})
        uow.commit()
    seconds["roles_analyze"] = time.perf_counter() - t
    seconds["total"] = time.perf_counter() - t0
    counts = {"persons": spec.persons, "cases": spec.cases, "notes": spec.notes,
              **{f"consents_{k}": v for k, v in consent_counts.items()}}
    return ServerWorld(url=url, owner_url=superuser_url,
                       users={label: username for label, (_, username) in org.named.items()},
                       counts=counts, seconds=seconds)
