"""Moving a local store onto a new server store (``trefas server import``).

Everything moves as it is: every row with its id, the whole access log with
its hashes (verified against the signed checkpoints first — a damaged chain
is not moved), the store id and its signing key, so the old checkpoints and
issued documents still verify. Each active user gets a login role with a
one-time code (to choose a password with ``trefas user enrol``) and the group
of their role: they were confirmed on the desktop already.
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from trefas_app.domain import clock
from trefas_app.domain.enums import Role
from trefas_app.domain.errors import StoreError
from trefas_app.store import audit
from trefas_app.store.audit_chain import read_checkpoints, verify_chain
from trefas_app.store import models as m
from trefas_app.server.connection import ServerPaths
from trefas_app.server.setup import (
    CODE_VALID,
    InitReport,
    group_role,
    login_role,
    one_time_code,
    prepare_database,
    scram_verifier,
    store_signing_key,
)

BATCH = 5_000


@dataclass
class ImportReport:
    setup: InitReport
    entries: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    #: user name -> one-time code, for the administrator to hand over.
    codes: dict[str, str] = field(default_factory=dict)


def _verified_chain(store) -> int:
    """Verify the local chain and its checkpoints; refuse to move a bad one."""
    path = store.paths.checkpoints
    checkpoints = read_checkpoints(path) if path.exists() else []
    with Session(store.engine) as session:
        report = verify_chain(audit.iter_chain(session), checkpoints,
                              store.keyfile.public_key(), store_id=store.store_id)
    if not report.ok:
        raise StoreError("Åtkomstloggen på skrivbordet håller inte ihop: ingenting har "
                         f"flyttats. {report.problem_sv or ''}".strip(),
                         "The desktop's access log does not verify: nothing was moved. "
                         f"{report.problem_en or ''}".strip())
    return report.entries


def _copy_tables(local_engine, conn, rows: dict[str, int]) -> None:
    """Every table in foreign-key order, ids kept, then the id sequences."""
    with local_engine.connect() as src:
        for table in m.Base.metadata.sorted_tables:
            result = src.execute(select(table)).mappings()
            count = 0
            while chunk := result.fetchmany(BATCH):
                conn.execute(insert(table), [dict(r) for r in chunk])
                count += len(chunk)
            rows[table.name] = count
    for table in m.Base.metadata.sorted_tables:
        if "id" in table.c and table.c.id.autoincrement is not False \
                and table.c.id.primary_key:
            top = conn.execute(select(func.max(table.c.id))).scalar()
            if top:
                conn.execute(text("SELECT setval(pg_get_serial_sequence(:t, 'id'), :v)"),
                             {"t": table.name, "v": top})


def _login_roles(conn, report: ImportReport, now: dt.datetime) -> None:
    for user in conn.execute(select(m.User).where(m.User.active.is_(True))).all():
        code = one_time_code()
        login_role(conn, user.username, scram_verifier(conn, user.username, code),
                   now + CODE_VALID, group_role(Role(user.role)))
        report.codes[user.username] = code


def import_store(url: str, store, office_timezone: str | None = None) -> ImportReport:
    """Move the unlocked local ``store`` (a key holder's session) into the new
    database at ``url`` (as the set-up role of ``server init``)."""
    entries = _verified_chain(store)
    now = clock.now_utc()
    setup = InitReport(database="", store_id=store.store_id, admin="")
    report = ImportReport(setup=setup, entries=entries)
    engine = prepare_database(url, setup, office_timezone or clock.office_zone().key)
    try:
        with engine.begin() as conn:
            _copy_tables(store.engine, conn, report.rows)
            store_signing_key(conn, store.signing_key, store.note_seal_key)
            _login_roles(conn, report, now)
            with Session(bind=conn) as session:
                who = conn.execute(text("SELECT session_user")).scalar()
                audit.append(session, now, None, "store.import", username=who,
                             detail={"entries": entries,
                                     "rows": sum(report.rows.values())})
        _copy_checkpoints(store)
    finally:
        engine.dispose()
    return report


def _copy_checkpoints(store) -> None:
    """This desktop keeps the local store's signed checkpoints as the first
    of the server's (same store id, same key)."""
    source = store.paths.checkpoints
    if source.exists():
        target = ServerPaths(store.store_id).checkpoints
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        Path(target).chmod(0o600)
