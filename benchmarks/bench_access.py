"""Benchmark: what the access log and the access rule cost, and `audit verify`
on a long log.

Three measurements, printed as a table and written as JSON to ``benchmarks/out/``:

a) logging per read: ``services.cases.get_case`` (reads the case through the
   access rule, appends one ``case.read`` entry, commits) against the same
   read path without the append — ``access.get_visible`` plus the case
   projection in a unit of work that never calls ``audit.append``. 200
   different cases, the two variants interleaved (ABBA) so that cache warmth
   and machine load fall on both alike.
b) the access rule on the largest lists: ``list_persons`` / ``list_cases``
   (first page of 200 plus the count) for a supervisor who sees every person,
   against the same SELECT and count with the access predicate but no
   projection or log, and against plain SELECTs with no access predicate.
   Medians of 10 runs.
c) ``audit verify`` on 2,000,000 events: a fresh small store, 2,000,000
   correctly chained entries inserted in bulk (hashes computed exactly as
   ``store.audit.append`` does), a signed checkpoint for the head, then
   ``services.audit_log.verify_log`` end to end in a child process (so its
   peak RSS is that of the verification alone).

(a) and (b) read an existing benchmark store made by ``bench_store.py
--keep`` (its ``world.json`` names the users); every service call appends to
that store's access log, nothing else is changed.

    .venv/bin/python benchmarks/bench_access.py --store benchmarks/out/full
    .venv/bin/python benchmarks/bench_access.py --audit-events 2000000   # part c only
    .venv/bin/python benchmarks/bench_access.py --store benchmarks/out/full --audit-events 2000000

The load average (1 min) is recorded next to every figure: the benchmark
machine may be running other work.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from sqlalchemy import case as sql_case, func, insert, or_, select  # noqa: E402
from sqlalchemy.orm import contains_eager  # noqa: E402

import bulk  # noqa: E402
from trefas_app.domain.enums import ProtectionLevel  # noqa: E402
from trefas_app.security import access  # noqa: E402
from trefas_app.services import audit_log, cases, persons  # noqa: E402
from trefas_app.store import models as m  # noqa: E402
from trefas_app.store.keyslots import TEST_KDF  # noqa: E402
from trefas_app.store.store import create_store, unlock  # noqa: E402

OUT = HERE / "out"
AUDIT_PASSWORD = bulk.BENCH_PASSWORD


def load1() -> float:
    return round(os.getloadavg()[0], 2)


def peak_rss_mib() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def ms(samples: list[float]) -> dict:
    s = sorted(samples)
    return {"median_ms": round(statistics.median(s) * 1000, 2),
            "p90_ms": round(s[int(len(s) * 0.9) - 1 if len(s) >= 10 else -1] * 1000, 2),
            "min_ms": round(s[0] * 1000, 2), "n": len(s)}


def timed(fn, *args, **kwargs) -> tuple[float, object]:
    t = time.perf_counter()
    r = fn(*args, **kwargs)
    return time.perf_counter() - t, r


# --- (a) logging per read ---------------------------------------------------------------


def read_without_log(store, case_id: int):
    """The query path of ``cases.get_case`` without ``uow.log``: the bench's own
    copy of the three lines, so the product keeps exactly one read path."""
    uow = store.uow()
    with uow:
        case = access.get_visible(uow.session, store.actor, "case", case_id, uow.now())
        view = cases._case_view(uow, store.actor, case)
        uow.commit()  # nothing to write: no INSERT, no WAL sync
        return view


def unlock_when_free(root: Path, username: str, tries: int = 60):
    """Unlock, waiting while another process holds the write lock (unlock
    reports 'database is locked' as DatabaseDamaged; see the README)."""
    from trefas_app.domain.errors import DatabaseDamaged

    for _ in range(tries - 1):
        try:
            return unlock(root, username, AUDIT_PASSWORD)
        except DatabaseDamaged as exc:
            if "locked" not in str(exc.__cause__):
                raise
            time.sleep(5)
    return unlock(root, username, AUDIT_PASSWORD)


def bench_logging(root: Path, username: str, n: int = 200) -> dict:
    store = unlock_when_free(root, username)
    try:
        with store.uow() as uow:
            now = uow.now()
            ids = uow.session.scalars(
                select(m.Case.id).where(access.visible(store.actor, "case", now))
                .order_by(m.Case.id)).all()
        rng = random.Random(7)
        pick = rng.sample(list(ids), n)
        # warm-up: code paths and the first pages of the indexes
        for cid in pick[:5]:
            cases.get_case(store.uow(), store.actor, cid)
            read_without_log(store, cid)
        logged, unlogged = [], []
        loads = [load1()]
        for i, cid in enumerate(pick):
            order = ((logged, lambda c=cid: cases.get_case(store.uow(), store.actor, c)),
                     (unlogged, lambda c=cid: read_without_log(store, c)))
            if i % 2:
                order = order[::-1]
            for bucket, fn in order:
                t, view = timed(fn)
                assert view.id == cid
                bucket.append(t)
        loads.append(load1())
        with_log, without = ms(logged), ms(unlogged)
        return {"user": username, "role": store.actor.role.value,
                "visible_cases": len(ids), "reads": n,
                "get_case_with_log": with_log, "same_path_without_log": without,
                "log_cost_median_ms": round(with_log["median_ms"] - without["median_ms"], 2),
                "load1": loads}
    finally:
        store.close()


# --- (b) the access rule on the largest lists --------------------------------------------


def bench_rule(root: Path, username: str, runs: int = 10) -> dict:
    store = unlock_when_free(root, username)
    actor = store.actor
    res: dict = {"user": username, "role": actor.role.value, "runs": runs}
    try:
        def svc_persons():
            return persons.list_persons(store.uow(), actor)

        def svc_cases():
            return cases.list_cases(store.uow(), actor)

        def ruled_persons():
            with store.uow() as uow:
                s, now = uow.session, uow.now()
                vis = access.visible(actor, "person", now)
                total = s.scalar(select(func.count()).select_from(m.Person).where(vis))
                unmasked = or_(m.Person.protection_level == ProtectionLevel.NONE,
                               access.revealed_clause(actor, m.Person.id, now))
                rows = s.scalars(select(m.Person).where(vis)
                                 .order_by(sql_case((unmasked, 0), else_=1),
                                           sql_case((unmasked, m.Person.search_name),
                                                    else_=""), m.Person.id)
                                 .limit(200)).all()
                return total, len(rows)

        def plain_persons():
            with store.uow() as uow:
                s = uow.session
                total = s.scalar(select(func.count()).select_from(m.Person))
                rows = s.scalars(select(m.Person).order_by(m.Person.search_name)
                                 .limit(200)).all()
                return total, len(rows)

        def ruled_cases():
            with store.uow() as uow:
                s, now = uow.session, uow.now()
                vis = access.visible(actor, "case", now)
                total = s.scalar(select(func.count()).select_from(m.Case)
                                 .join(m.Person, m.Person.id == m.Case.person_id).where(vis))
                rows = s.scalars(select(m.Case).join(m.Person, m.Person.id == m.Case.person_id)
                                 .options(contains_eager(m.Case.person)).where(vis)
                                 .order_by(m.Case.last_entry_at.desc(), m.Case.id.desc())
                                 .limit(200)).all()
                return total, len(rows)

        def plain_cases():
            with store.uow() as uow:
                s = uow.session
                total = s.scalar(select(func.count()).select_from(m.Case)
                                 .join(m.Person, m.Person.id == m.Case.person_id))
                rows = s.scalars(select(m.Case).join(m.Person, m.Person.id == m.Case.person_id)
                                 .options(contains_eager(m.Case.person))
                                 .order_by(m.Case.last_entry_at.desc(), m.Case.id.desc())
                                 .limit(200)).all()
                return total, len(rows)

        variants = {
            "persons": {"service": svc_persons, "same_select_with_rule": ruled_persons,
                        "plain_select_no_rule": plain_persons},
            "cases": {"service": svc_cases, "same_select_with_rule": ruled_cases,
                      "plain_select_no_rule": plain_cases},
        }
        for what, fns in variants.items():
            for fn in fns.values():  # warm-up
                fn()
            samples = {k: [] for k in fns}
            load_before = load1()
            for i in range(runs):  # interleaved, rotating start
                keys = list(fns)
                keys = keys[i % len(keys):] + keys[:i % len(keys)]
                for k in keys:
                    t, r = timed(fns[k])
                    samples[k].append(t)
            entry = {k: ms(v) for k, v in samples.items()}
            svc = fns["service"]()
            entry["service_total"] = svc.total
            entry["ruled_total"], _ = fns["same_select_with_rule"]()
            entry["plain_total"], _ = fns["plain_select_no_rule"]()
            entry["load1"] = [load_before, load1()]
            res[what] = entry
    finally:
        store.close()
    return res


# --- (c) audit verify on millions of entries ----------------------------------------------

def event_rows(first_seq: int, prev: str, count: int, start: dt.datetime, seed: int = 11):
    """``count`` chained entries after (first_seq - 1, prev), as table rows:
    the bulk generator's (``bulk.audit_rows``), hashed as ``audit.append`` does."""
    return (dict(zip(bulk.AUDIT_COLUMNS, row))
            for row in bulk.audit_rows(first_seq, prev, count, start, seed))


def build_audit_store(root: Path, events: int, chunk: int = 50_000) -> dict:
    if root.exists():
        shutil.rmtree(root)
    root.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    created = create_store(root, admin_username="admin", admin_display_name="Bänk Admin",
                           admin_password=AUDIT_PASSWORD, kdf=TEST_KDF)
    store = created.store
    engine = store.engine
    with engine.connect() as conn:
        triggers = [r[0] for r in conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type='trigger' AND tbl_name='audit_events'")]
        seq, prev = conn.execute(select(m.AuditEvent.seq, m.AuditEvent.hash)
                                 .order_by(m.AuditEvent.seq.desc()).limit(1)).first()
    rows = event_rows(seq + 1, prev, events, store.clock() - dt.timedelta(days=365 * 3))
    hash_s = insert_s = 0.0
    done = 0
    while done < events:
        t = time.perf_counter()
        batch = [next(rows) for _ in range(min(chunk, events - done))]
        hash_s += time.perf_counter() - t
        t = time.perf_counter()
        with engine.begin() as conn:
            conn.execute(insert(m.AuditEvent.__table__), batch)
        insert_s += time.perf_counter() - t
        done += len(batch)
        if done % 500_000 == 0:
            print(f"  {time.strftime('%H:%M:%S')} audit_events +{done:,}", flush=True)
    store.write_checkpoint()
    store.close()  # logs the log-out and checkpoints that too
    raw = sum(p.stat().st_size for p in root.iterdir() if p.is_file())
    return {"events_inserted": events, "append_only_triggers": triggers,
            "hash_s": round(hash_s, 1), "insert_s": round(insert_s, 1),
            "build_total_s": round(time.perf_counter() - t0, 1),
            "store_bytes": raw, "load1_after_build": load1()}


def verify_child(root: Path) -> dict:
    """Run in a separate process: unlock, time verify_log end to end."""
    store = unlock(root, "admin", AUDIT_PASSWORD)
    try:
        rss_before = peak_rss_mib()
        load_before = load1()
        t, report = timed(audit_log.verify_log, store, store.actor)
        return {"verify_s": round(t, 2), "ok": report.ok, "entries": report.entries,
                "checkpoints_verified": report.checkpoints_verified,
                "problem_en": report.problem_en,
                "events_per_s": round(report.entries / t),
                "peak_rss_mib": peak_rss_mib(), "peak_rss_mib_before_verify": rss_before,
                "load1": [load_before, load1()]}
    finally:
        store.close()


# --- report -----------------------------------------------------------------------------


def table(res: dict) -> str:
    out = []
    add = out.append
    a = res.get("logging")
    if a:
        add(f"(a) logging per read — {a['reads']} get_case, user {a['user']} ({a['role']}), "
            f"load1 {a['load1']}")
        add(f"    {'variant':<34}{'median ms':>10}{'p90 ms':>10}{'min ms':>10}")
        for k in ("get_case_with_log", "same_path_without_log"):
            s = a[k]
            add(f"    {k:<34}{s['median_ms']:>10.2f}{s['p90_ms']:>10.2f}{s['min_ms']:>10.2f}")
        add(f"    cost of the log append (median difference): {a['log_cost_median_ms']:.2f} ms")
    b = res.get("rule")
    if b:
        add(f"(b) access rule, first page of 200 + count — user {b['user']} ({b['role']}), "
            f"median of {b['runs']}")
        for what in ("persons", "cases"):
            e = b[what]
            add(f"    {what}: service total {e['service_total']:,}, ruled {e['ruled_total']:,}, "
                f"plain {e['plain_total']:,}; load1 {e['load1']}")
            for k in ("service", "same_select_with_rule", "plain_select_no_rule"):
                add(f"      {k:<32}{e[k]['median_ms']:>10.1f} ms")
    c = res.get("verify")
    if c:
        add(f"(c) audit verify — {c['entries']:,} entries, ok={c['ok']}, "
            f"checkpoints matched {c['checkpoints_verified']}")
        add(f"    verify_log end to end: {c['verify_s']:.1f} s = {c['events_per_s']:,} events/s; "
            f"peak RSS {c['peak_rss_mib']:.0f} MiB (after unlock {c['peak_rss_mib_before_verify']:.0f}); "
            f"load1 {c['load1']}")
        bld = res.get("audit_build", {})
        if bld:
            add(f"    build: hashing {bld['hash_s']} s, inserting {bld['insert_s']} s, "
                f"total {bld['build_total_s']} s, triggers {bld['append_only_triggers']}")
    return "\n".join(out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", type=Path, help="benchmark store dir with world.json (a, b)")
    ap.add_argument("--reads", type=int, default=200)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--audit-events", type=int, default=0, help="part c: events to insert")
    ap.add_argument("--audit-dir", type=Path, default=OUT / "audit2m")
    ap.add_argument("--reuse-audit", action="store_true",
                    help="part c: verify an audit store built by an earlier run")
    ap.add_argument("--verify-child", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)

    if args.verify_child:
        print(json.dumps(verify_child(args.verify_child)))
        return 0

    res: dict = {"command": " ".join([".venv/bin/python", *sys.argv]),
                 "when": dt.datetime.now().isoformat(timespec="seconds"),
                 "cpus": os.cpu_count()}
    if args.store:
        world = json.loads((args.store / "world.json").read_text())
        root = args.store / "store"
        res["logging"] = bench_logging(root, world["users"]["coordinator"], args.reads)
        print(table({"logging": res["logging"]}), flush=True)
        res["rule"] = bench_rule(root, world["users"]["supervisor_city"], args.runs)
        print(table({"rule": res["rule"]}), flush=True)
        res["peak_rss_mib_a_b"] = peak_rss_mib()
    if args.audit_events:
        if not args.reuse_audit:
            print(f"building {args.audit_events:,} audit events in {args.audit_dir}", flush=True)
            res["audit_build"] = build_audit_store(args.audit_dir, args.audit_events)
        child = subprocess.run([sys.executable, str(Path(__file__).resolve()),
                                "--verify-child", str(args.audit_dir)],
                               check=True, capture_output=True, text=True)
        res["verify"] = json.loads(child.stdout.strip().splitlines()[-1])
    OUT.mkdir(exist_ok=True)
    out = args.json or OUT / f"bench_access-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(res, indent=2, ensure_ascii=False, default=str))
    print()
    print(table(res))
    print(f"\nresults: {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
