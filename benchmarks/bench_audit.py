"""Benchmark: the access log — verification, a logged read, the append — each
against the raw equivalent measured in the same run, interleaved.

Nothing here is part of the program. Needs a store from ``bulk_log.py``
(``--log-store``, default ``benchmarks/out/log2m``, the supervisor ``chef``)::

    .venv/bin/python benchmarks/bulk_log.py --events 2000000 --out benchmarks/out/log2m
    .venv/bin/python benchmarks/bench_audit.py [--log-store DIR] [--runs N] [--json FILE]

Each figure is printed as: project, raw baseline, ratio.

* **verify, full**: ``audit_verify.verify(full=True)`` (what ``trefas audit
  verify --full`` and ``trefas check --user`` run) against a raw loop:
  sqlcipher3 cursor over the same rows, the same canonical bytes
  (``_canonical_text``) and SHA-256, comparing each hash and link.
* **verify, incremental**: ``services.audit_log.verify_log(full=False)`` end
  to end (mark, new entries, the random window, the signed notes, the
  alarm, its own log entry and commit). No raw equivalent: the target is
  an absolute ≤ 1 s.
* **append**: one ``uow.log`` + commit (a unit of work as every service
  call has) against a raw chained append (SELECT head, hash, INSERT, COMMIT
  on a sqlcipher3 connection), and the number of SQL statements of each;
  and the append alone inside an open transaction (no commit).
* **logged read**: ``services.cases.get_case`` by the social worker ``sara``
  (the access rule, the projection, the log entry, the commit) against a raw
  ``SELECT`` of the case row plus the raw chained append, and the statements
  ``get_case`` runs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import time
from pathlib import Path

# Appended, not first: for ``benchmarks.bulk_log``; ``trefas_app`` must still
# come from where run_with_code.py puts another checkout's code.
sys.path.append(str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from benchmarks.bulk_log import LOG_PASSWORD, SOCIAL_WORKER, SUPERVISOR  # noqa: E402
from trefas_app.store import audit, audit_verify  # noqa: E402
from trefas_app.store.audit_chain import (  # noqa: E402
    _canonical_text,
    canonical_bytes,
    entry_hash,
    format_at,
    read_checkpoints,
)
from trefas_app.services import audit_log, cases  # noqa: E402
from trefas_app.store.engine import connect_raw  # noqa: E402
from trefas_app.store.store import unlock  # noqa: E402

OUT = Path(__file__).parent / "out"
RAW_SELECT = ("SELECT seq, at, username, agency, role, action, subject_kind, subject_id, "
              "CAST(case_id AS TEXT), CAST(person_id AS TEXT), reason, detail, prev_hash, hash "
              "FROM audit_events ORDER BY seq")


def raw_verify(conn) -> int:
    """The baseline: read every row with the driver, hash as the chain does."""
    cur = conn.execute(RAW_SELECT)
    prev = bytes(32)
    count = 0
    sha256 = hashlib.sha256
    text = _canonical_text
    while rows := cur.fetchmany(20_000):
        for r in rows:
            h = sha256(prev)
            h.update(text(*r[:13]).encode())
            prev = h.digest()
            if prev.hex() != r[13]:
                raise SystemExit(f"raw verify: entry {r[0]} differs")
            count += 1
    return count


def project_verify(store) -> int:
    cps = read_checkpoints(store.paths.checkpoints)
    with Session(store.engine) as session:
        report = audit_verify.verify(session, cps, store.keyfile.public_key(), store.store_id,
                                     full=True)
    assert report.ok, report.problem_en
    return report.entries


def raw_append(conn) -> None:
    conn.execute("BEGIN IMMEDIATE")
    seq, prev = conn.execute("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1"
                             ).fetchone()
    fields = {"seq": seq + 1, "at": format_at(), "user": "chef", "agency": "city",
              "role": "supervisor", "action": "bench.raw", "subject_kind": "case",
              "subject_id": "7", "case_id": "7", "person_id": "3", "reason": None,
              "detail": None, "prev_hash": prev}
    digest = entry_hash(prev, canonical_bytes(fields))
    conn.execute("INSERT INTO audit_events (seq, at, user_id, username, agency, role, action, "
                 "subject_kind, subject_id, case_id, person_id, reason, detail, prev_hash, "
                 "hash) VALUES (?, ?, NULL, ?, ?, ?, ?, ?, ?, 7, 3, NULL, NULL, ?, ?)",
                 (seq + 1, fields["at"], "chef", "city", "supervisor", "bench.raw", "case",
                  "7", prev, digest))
    conn.execute("COMMIT")


def project_append(store) -> None:
    with store.uow() as uow:
        uow.log(store.actor, "bench.project", subject_kind="case", subject_id=7, case_id=7,
                person_id=3)
        uow.commit()


def append_in_transaction(store) -> float:
    """Seconds of one ``uow.log`` in a transaction already begun."""
    with store.uow() as uow:
        uow.session.connection()
        t = time.perf_counter()
        uow.log(store.actor, "bench.project", subject_kind="case", subject_id=7, case_id=7)
        elapsed = time.perf_counter() - t
        uow.commit()
    return elapsed


def raw_logged_read(conn, case_id: int) -> None:
    conn.execute("SELECT * FROM cases WHERE id = ?", (case_id,)).fetchone()
    raw_append(conn)


def logged_read(store, case_id: int, runs: int) -> dict:
    """get_case against a raw SELECT + chained append, interleaved."""
    conn = connect_raw(store.paths.db, store.data_key)
    try:
        counter = StatementCounter(store.engine)
        cases.get_case(store.uow(), store.actor, case_id)
        statements = counter.count
        times = interleaved([("project", lambda: cases.get_case(store.uow(), store.actor,
                                                                case_id)),
                             ("raw", lambda: raw_logged_read(conn, case_id))], runs)
    finally:
        conn.close()
    return dict(times, statements=statements)


class StatementCounter:
    def __init__(self, engine):
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *args) -> None:
        self.count += 1


def timed(fn, *args) -> float:
    t = time.perf_counter()
    fn(*args)
    return time.perf_counter() - t


def interleaved(pairs, runs: int) -> dict:
    """Median seconds of each of (name, fn) pairs, run alternately."""
    times: dict[str, list[float]] = {name: [] for name, _ in pairs}
    for _ in range(runs):
        for name, fn in pairs:
            times[name].append(timed(fn))
    return {name: statistics.median(v) for name, v in times.items()}


def row(label: str, project: float, raw: float | None, unit: str = "ms") -> str:
    scale = 1000 if unit == "ms" else 1
    if raw is None:
        return f"{label:<38} {project * scale:>10.2f} {unit}"
    return (f"{label:<38} {project * scale:>10.2f} {unit}   raw {raw * scale:>10.2f} {unit}"
            f"   ratio {project / raw:5.2f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--log-store", type=Path, default=OUT / "log2m")
    ap.add_argument("--runs", type=int, default=3, help="runs of the full verify (each way)")
    ap.add_argument("--appends", type=int, default=200)
    ap.add_argument("--case-id", type=int, default=1, help="the case sara reads")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--read-only", action="store_true",
                    help="only the logged read (a smaller log store does for it)")
    args = ap.parse_args()

    results: dict = {}
    if not args.read_only:
        log_part(args, results)
    reader = unlock(args.log_store, SOCIAL_WORKER, LOG_PASSWORD)
    try:
        read = results["logged_read"] = logged_read(reader, args.case_id, args.appends)
        print(row(f"logged read get_case ({read['statements']} statements; raw 5)",
                  read["project"], read["raw"]))
    finally:
        reader.close()
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


def log_part(args, results: dict) -> None:
    """verify (full and incremental) and the log append, each against raw."""
    store = unlock(args.log_store, SUPERVISOR, LOG_PASSWORD)
    conn = connect_raw(store.paths.db, store.data_key)
    try:
        entries = project_verify(store)  # warms the page cache for both
        full = interleaved([("project", lambda: project_verify(store)),
                            ("raw", lambda: raw_verify(conn))], args.runs)
        results["verify_full"] = dict(full, entries=entries,
                                      project_per_s=round(entries / full["project"]),
                                      raw_per_s=round(entries / full["raw"]))
        print(row(f"verify, full ({entries:,} entries)", full["project"], full["raw"], "s"))

        audit_log.verify_log(store, store.actor, full=True)  # sets the verified mark
        incremental = []
        for _ in range(args.runs):
            project_append(store)
            t = time.perf_counter()
            report = audit_log.verify_log(store, store.actor, full=False)
            incremental.append(time.perf_counter() - t)
            assert report.ok and report.incremental, report
        results["verify_incremental_s"] = statistics.median(incremental)
        print(row("verify, incremental (end to end)", results["verify_incremental_s"], None,
                  "s"))

        counter = StatementCounter(store.engine)
        project_append(store)
        statements = results["append_statements"] = counter.count
        appends = interleaved([("project", lambda: project_append(store)),
                               ("raw", lambda: raw_append(conn))], args.appends)
        results["append"] = appends
        print(row(f"log append + commit ({statements} statements; raw 4)",
                  appends["project"], appends["raw"]))
        alone = statistics.median(append_in_transaction(store) for _ in range(args.appends))
        results["append_alone_s"] = alone
        print(row("log append alone (in a transaction)", alone, None))
    finally:
        conn.close()
        store.close()


if __name__ == "__main__":
    main()
