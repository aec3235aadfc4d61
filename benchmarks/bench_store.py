"""Benchmark: a large store, and how fast the everyday reads are on it.

Generates a store (default 50,000 persons, 60,000 cases, 1,000,000 notes) with
fast bulk inserts on the real SQLCipher engine, then measures, through the
real services and the access rule:

* unlock (log-in) with the production Argon2id parameters,
* the first page (200 rows) of the case list for a coordinator and a police liaison,
* the count behind that list,
* search of persons by name (median of 20 different queries),
* the first page of notes of the busiest case,

plus file size on disk, generation time and peak memory (RSS). Results are
printed as a table and written as JSON to ``benchmarks/out/``.

    .venv/bin/python benchmarks/bench_store.py                       # full size
    .venv/bin/python benchmarks/bench_store.py --persons 2000 --cases 2400 --notes 40000
    .venv/bin/python benchmarks/bench_store.py --measure-only benchmarks/out/store-x

Measurements run in a child process, so that its peak RSS is that of the
reads, not of the generator. ``--explain`` prints SQLite's query plan and the
time of every statement a first case-list page runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from sqlalchemy import event, func, select, text  # noqa: E402

import bulk  # noqa: E402
from trefas_app.security import access  # noqa: E402
from trefas_app.services import cases, notes, persons  # noqa: E402
from trefas_app.store import models as m  # noqa: E402
from trefas_app.store.keyslots import PRODUCTION_KDF, KdfParams  # noqa: E402
from trefas_app.store.store import unlock  # noqa: E402

OUT = HERE / "out"

SEARCHES = ["lindq", "yusuf", "abdi", "kovač", "sara", "hassan", "mirela", "haddad",
            "warsame", "petrović", "yonas", "rahimi", "castillo", "farah", "demir",
            "emma ek", "omar ali", "zeynep", "begić", "jama"]


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def store_size(root: Path) -> dict[str, int]:
    return {p.name: p.stat().st_size for p in sorted(root.iterdir()) if p.is_file()}


def _timed(fn, *args, **kwargs):
    t = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - t, result


def _stats(samples: list[float]) -> dict[str, float]:
    return {"first_ms": round(samples[0] * 1000, 1),
            "median_ms": round(statistics.median(samples) * 1000, 1),
            "max_ms": round(max(samples) * 1000, 1), "n": len(samples)}


class StatementRecorder:
    """Records every SQL statement (with parameters and time) an engine runs."""

    def __init__(self, engine):
        self.engine = engine
        self.rows: list[dict] = []

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._before)
        event.listen(self.engine, "after_cursor_execute", self._after)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._before)
        event.remove(self.engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        conn.info["t"] = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        self.rows.append({"sql": statement, "params": parameters,
                          "ms": round((time.perf_counter() - conn.info.pop("t")) * 1000, 2)})


def explain_call(store, fn, *args) -> dict:
    """Run one service call, recording every statement; EXPLAIN QUERY PLAN each
    distinct SELECT it ran. Repeated statements (N+1 loads) are grouped."""
    t = time.perf_counter()
    with StatementRecorder(store.engine) as rec:
        fn(store.uow(), store.actor, *args)
    wall_ms = (time.perf_counter() - t) * 1000
    groups: dict[str, dict] = {}
    with store.engine.connect() as conn:
        for row in rec.rows:
            sql = row["sql"]
            g = groups.get(sql)
            if g is None:
                g = groups[sql] = {"sql": sql, "times": 0, "ms": 0.0}
                if sql.lstrip().upper().startswith("SELECT"):
                    plan = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql,
                                                tuple(row["params"])).all()
                    g["plan"] = ["  " * depth(plan, r) + r[3] for r in plan]
            g["times"] += 1
            g["ms"] = round(g["ms"] + row["ms"], 2)
    return {"wall_ms": round(wall_ms, 1), "statements": len(rec.rows),
            "sql_ms": round(sum(r["ms"] for r in rec.rows), 1),
            "groups": sorted(groups.values(), key=lambda g: -g["ms"])}


def depth(plan, row) -> int:
    parents = {r[0]: r[1] for r in plan}
    d, p = 0, row[1]
    while p:
        d, p = d + 1, parents.get(p, 0)
    return d


# --- experiments: candidate fixes in code this benchmark does not own ----------------------
#
# ``--try-fixes`` applies these in the measuring process only (monkeypatches), so
# their effect can be measured before anyone changes the program. They are
# experiments, not the program, and mirror trefas_app/security/access.py as of
# commit a30d246: if the rule's internals change, they must follow.
# (Earlier experiments -- indexes on cases.last_entry_at and notes.corrects_id,
# no lazy load per case row -- are in the program since a30d246 / migration 0002.)

FIXES = ("scope",)


def apply_fixes(which: tuple[str, ...] = FIXES) -> list[str]:
    from sqlalchemy import or_

    from trefas_app.domain.enums import Role

    applied = []

    def scope_in(actor, case_id_col, verb, now):
        """Condition 2 as IN-lists of case ids, each read through an index
        (team_members by user, cases by unit or owner, emergency accesses by
        user), instead of correlated EXISTS evaluated for every case row."""
        parts = [case_id_col.in_(select(m.TeamMember.case_id)
                                 .where(m.TeamMember.user_id == actor.user_id))]
        if actor.role == Role.COORDINATOR:
            parts.append(case_id_col.in_(select(m.Case.id)
                                         .where(m.Case.unit_id == actor.unit_id)))
        if actor.role == Role.SUPERVISOR:
            parts.append(case_id_col.in_(select(m.Case.id)
                                         .where(m.Case.owner_agency == actor.agency)))
            parts.append(case_id_col.in_(
                select(m.TeamMember.case_id).join(m.User, m.User.id == m.TeamMember.user_id)
                .where(m.User.agency == actor.agency)))
        if verb == "read":
            parts.append(case_id_col.in_(
                select(m.EmergencyAccess.case_id)
                .where(m.EmergencyAccess.user_id == actor.user_id,
                       m.EmergencyAccess.expires_at > now)))
        return or_(*parts)

    if "scope" in which:
        access.scope_clause = scope_in
        applied.append("scope_clause: IN-lists of case ids instead of correlated EXISTS")
    return applied


def measure(root: Path, users: dict[str, str], password: str, runs: int = 5,
            explain: bool = False) -> dict:
    result: dict = {}
    # Unlock: Argon2id with the slot's parameters (production), open, log the log-in.
    unlock_times = []
    for _ in range(3):
        t, store = _timed(unlock, root, users["coordinator"], password)
        unlock_times.append(t)
        store.close()
    result["unlock"] = _stats(unlock_times)
    slot = json.loads((root / "trefas.keys").read_text())
    result["unlock"]["kdf"] = next(s["kdf"] for s in slot["slots"]
                                   if s.get("username") == users["coordinator"])

    for label in ("coordinator", "police_liaison", "probation_officer", "supervisor_city",
                  "supervisor_police"):
        store = unlock(root, users[label], password)
        try:
            pages = [_timed(cases.list_cases, store.uow(), store.actor)
                     for _ in range(runs)]
            page = pages[0][1]
            later = [_timed(cases.list_cases, store.uow(), store.actor, offset=200)
                     for _ in range(max(2, runs // 2))]
            with store.uow() as uow:
                now = uow.now()
                counts = [_timed(uow.session.scalar, select(func.count()).select_from(m.Case)
                                 .where(access.visible(store.actor, "case", now)))
                          for _ in range(runs)]
            searches = [_timed(persons.list_persons, store.uow(), store.actor, q)
                        for q in SEARCHES]
            entry = {"visible_cases": page.total, "rows": len(page.rows),
                     "hidden": sum(page.hidden.values()),
                     "list_cases_first_page": _stats([t for t, _ in pages]),
                     "list_cases_second_page": _stats([t for t, _ in later]),
                     "count": _stats([t for t, _ in counts]),
                     "search_persons": _stats([t for t, _ in searches]),
                     "search_hits_median": statistics.median(p.total for _, p in searches)}
            if page.rows:
                with store.uow() as uow:
                    ids = [r.id for r in page.rows]
                    busiest = uow.session.execute(
                        select(m.Note.case_id, func.count()).where(m.Note.case_id.in_(ids))
                        .group_by(m.Note.case_id).order_by(func.count().desc()).limit(1)).first()
                if busiest:
                    note_pages = [_timed(notes.list_notes, store.uow(), store.actor, busiest[0])
                                  for _ in range(runs)]
                    entry["list_notes_busiest_visible_case"] = {
                        **_stats([t for t, _ in note_pages]),
                        "notes_in_case": busiest[1], "shown": note_pages[0][1].total}
            if explain:
                entry["explain_list_cases"] = explain_call(store, cases.list_cases)
                entry["explain_search_persons"] = explain_call(store, persons.list_persons,
                                                               "lindq")
                if "list_notes_busiest_visible_case" in entry:
                    entry["explain_list_notes"] = explain_call(store, notes.list_notes,
                                                               busiest[0])
            result[label] = entry
        finally:
            store.close()
    result["peak_rss_mib_measure"] = round(peak_rss_mib(), 1)
    return result


def table(results: dict) -> str:
    lines = []
    add = lines.append
    gen = results.get("generation", {})
    size = results.get("size_bytes", {})
    add(f"{'what':<58} {'value':>14}")
    add("-" * 73)
    for k, v in results.get("counts", {}).items():
        add(f"{'rows: ' + k:<58} {v:>14,}")
    if gen:
        add(f"{'generation total (s)':<58} {gen.get('total', 0):>14.1f}")
        for k, v in gen.items():
            if k != "total":
                add(f"{'  ' + k + ' (s)':<58} {v:>14.1f}")
    add(f"{'file size trefas.db (MiB)':<58} "
        f"{size.get('trefas.db', 0) / 2**20:>14.1f}")
    add(f"{'files total (MiB)':<58} {sum(size.values()) / 2**20:>14.1f}")
    me = results["measure"]
    u = me["unlock"]
    add(f"{'unlock, production KDF: median (ms)':<58} {u['median_ms']:>14.1f}")
    for label in ("coordinator", "police_liaison", "probation_officer", "supervisor_city",
                  "supervisor_police"):
        e = me.get(label)
        if not e:
            continue
        add(f"[{label}] visible cases {e['visible_cases']:,}, hidden (not shared) "
            f"{e['hidden']:,}")
        for key, name in (("list_cases_first_page", "case list, first 200: first / median (ms)"),
                          ("list_cases_second_page", "case list, rows 200-399: median (ms)"),
                          ("count", "count of visible cases: median (ms)"),
                          ("search_persons", "person search by name, 20 queries: median (ms)"),
                          ("list_notes_busiest_visible_case",
                           "notes of busiest case, first 100: median (ms)")):
            s = e.get(key)
            if not s:
                continue
            value = (f"{s['first_ms']:.0f} / {s['median_ms']:.0f}"
                     if key == "list_cases_first_page" else f"{s['median_ms']:.1f}")
            add(f"{'  ' + name:<58} {value:>14}")
        for key in ("explain_list_cases", "explain_search_persons", "explain_list_notes"):
            x = e.get(key)
            if x:
                add(f"  {key}: {x['wall_ms']:.0f} ms wall, {x['statements']} statements, "
                    f"{x['sql_ms']:.0f} ms in SQLite; slowest:")
                for g in x["groups"][:3]:
                    add(f"    {g['ms']:8.1f} ms x{g['times']:<4} {' '.join(g['sql'].split())[:70]}")
    add(f"{'peak RSS, generator process (MiB)':<58} {results.get('peak_rss_mib_generate', 0):>14.0f}")
    add(f"{'peak RSS, measuring process (MiB)':<58} {me['peak_rss_mib_measure']:>14.0f}")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--persons", type=int, default=50_000)
    ap.add_argument("--cases", type=int, default=60_000)
    ap.add_argument("--notes", type=int, default=1_000_000)
    ap.add_argument("--audit-events", type=int, default=2_000_000,
                    help="chained access-log entries generated besides the bulk's own")
    ap.add_argument("--small", action="store_true",
                    help="the issue-12 small store: 17,000 persons, 20,000 cases, "
                         "250,000 notes, 200,000 log entries")
    ap.add_argument("--generate-only", action="store_true",
                    help="generate the store (and world.json), time it, measure nothing")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--out", type=Path, default=None,
                    help="directory of the generated store (default benchmarks/out/store-<time>)")
    ap.add_argument("--keep", action="store_true", help="keep the generated store")
    ap.add_argument("--runs", type=int, default=5, help="repetitions of each timed read")
    ap.add_argument("--explain", action="store_true",
                    help="record the query plan of the case list's statements")
    ap.add_argument("--test-kdf", action="store_true",
                    help="cheap key derivation (smoke runs only; unlock figure is meaningless)")
    ap.add_argument("--measure-only", type=Path, default=None,
                    help="measure an existing benchmark store (needs its world.json)")
    ap.add_argument("--json", type=Path, default=None, help="where to write the results")
    ap.add_argument("--try-fixes", nargs="?", const=",".join(FIXES), default="",
                    help="with --measure-only: measure with candidate fixes applied, a comma "
                         f"list of {', '.join(FIXES)} (default all)")
    args = ap.parse_args(argv)
    if args.small:
        args.persons, args.cases, args.notes, args.audit_events = (
            17_000, 20_000, 250_000, 200_000)

    if args.measure_only:
        world = json.loads((args.measure_only / "world.json").read_text())
        which = tuple(f for f in args.try_fixes.split(",") if f)
        unknown = set(which) - set(FIXES)
        if unknown:
            ap.error(f"unknown fixes: {', '.join(sorted(unknown))}")
        fixes = apply_fixes(which) if which else []
        res = measure(args.measure_only / "store", world["users"], bulk.BENCH_PASSWORD,
                      runs=args.runs, explain=args.explain)
        res["fixes_applied"] = fixes
        out = args.json or args.measure_only / "measure.json"
        out.write_text(json.dumps(res, indent=2, ensure_ascii=False, default=str))
        print(table({"measure": res}))
        return 0

    OUT.mkdir(exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    workdir = args.out or OUT / f"store-{stamp}"
    if (workdir / "store").exists():
        print(f"{workdir / 'store'} exists; choose another --out", file=sys.stderr)
        return 2
    workdir.mkdir(parents=True, exist_ok=True)
    kdf = KdfParams(1, 1, 8 * 1024) if args.test_kdf else PRODUCTION_KDF
    spec = bulk.BulkSpec(persons=args.persons, cases=args.cases, notes=args.notes,
                         audit_events=args.audit_events, seed=args.seed, kdf=kdf)

    def progress(msg):
        print(f"  {time.strftime('%H:%M:%S')} {msg}", flush=True)

    print(f"generating {args.persons:,} persons, {args.cases:,} cases, {args.notes:,} notes, "
          f"{args.audit_events:,} log entries into {workdir}", flush=True)
    world = bulk.build_store(workdir / "store", spec, progress=progress)
    (workdir / "world.json").write_text(json.dumps(
        {"users": world.users, "counts": world.counts, "now": world.now.isoformat()},
        indent=2))
    results = {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "when": dt.datetime.now().isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "spec": {k: v for k, v in vars(spec).items() if k != "kdf"},
        "kdf": vars(kdf),
        "counts": world.counts,
        "generation": {k: round(v, 1) for k, v in world.seconds.items()},
        "size_bytes": store_size(workdir / "store"),
        "peak_rss_mib_generate": round(peak_rss_mib(), 1),
    }
    with __import__("sqlite3").connect(":memory:") as c:  # for the record: plain SQLite version
        results["machine"]["sqlite_stdlib"] = c.execute("select sqlite_version()").fetchone()[0]
    if args.generate_only:
        print(json.dumps({"generation_s": results["generation"], "counts": world.counts,
                          "size_bytes": results["size_bytes"]}, indent=2))
        if not args.keep:
            shutil.rmtree(workdir)
        return 0
    print("measuring (child process)...", flush=True)
    child = [sys.executable, str(Path(__file__).resolve()), "--measure-only", str(workdir),
             "--runs", str(args.runs)] + (["--explain"] if args.explain else [])
    subprocess.run(child, check=True)
    results["measure"] = json.loads((workdir / "measure.json").read_text())
    out = args.json or OUT / f"bench_store-{stamp}.json"
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str))
    print()
    print(table(results))
    print(f"\nresults: {out}")
    if not args.keep:
        shutil.rmtree(workdir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
