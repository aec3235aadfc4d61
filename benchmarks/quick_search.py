"""Search-as-you-type at the service level on the large store made by
``bench_store.py --keep --out benchmarks/out/full``: ``cases.list_cases`` with a
4-letter name prefix (ongoing cases, as the GUI's default filter) and
``persons.list_persons`` with the same prefix, per role: the page without its
count and ``count_cases`` apart (as the window asks), and page plus count in one
call (as the command line asks); ``--explain`` adds the time each SQL statement
took (execute only: rows fetched later are not in it). Run: .venv/bin/python benchmarks/quick_search.py [--users a,b] [--explain]"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bulk import BENCH_PASSWORD  # noqa: E402
from sqlalchemy import event, select  # noqa: E402

from trefas_app.domain.enums import CaseState  # noqa: E402
from trefas_app.services import cases, persons  # noqa: E402
from trefas_app.store import models as m  # noqa: E402
from trefas_app.store.store import unlock  # noqa: E402

ROOT = Path("benchmarks/out/full")
ONGOING = (CaseState.OPEN, CaseState.ACTIVE, CaseState.CLOSURE_REQUESTED)


def prefixes(store, n: int) -> list[str]:
    with store.engine.connect() as c:
        names = c.execute(select(m.Person.search_name).where(m.Person.protection_level == "none")
                          .order_by(m.Person.id).limit(400)).scalars().all()
    seen: list[str] = []
    for name in names:
        p = name[:4]
        if p not in seen:
            seen.append(p)
    return seen[:: max(1, len(seen) // n)][:n]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--users", default="sw00-00,pol00-00,coord00,chef-city,chef-police")
    ap.add_argument("--n", type=int, default=6)
    ap.add_argument("--explain", action="store_true")
    args = ap.parse_args()
    world = json.loads((ROOT / "world.json").read_text())
    del world
    for user in args.users.split(","):
        st = unlock(ROOT / "store", user, BENCH_PASSWORD)
        stmts: list[tuple[float, str]] = []

        @event.listens_for(st.engine, "before_cursor_execute")
        def _before(conn, cursor, statement, params, context, executemany):
            conn.info["t0"] = time.perf_counter()

        @event.listens_for(st.engine, "after_cursor_execute")
        def _after(conn, cursor, statement, params, context, executemany):
            stmts.append((time.perf_counter() - conn.info["t0"], statement))

        try:
            qs = prefixes(st, args.n)
            results = {}
            for label, call in (
                # The window's way: the page without a count, then the count.
                ("case page", lambda q: cases.list_cases(
                    st.uow(), st.actor, cases.CaseFilter(states=ONGOING), count=False)),
                ("case count", lambda q: cases.count_cases(
                    st.uow(), st.actor, cases.CaseFilter(states=ONGOING))),
                ("case search page", lambda q: cases.list_cases(
                    st.uow(), st.actor, cases.CaseFilter(query=q, states=ONGOING),
                    count=False)),
                ("case search count", lambda q: cases.count_cases(
                    st.uow(), st.actor, cases.CaseFilter(query=q, states=ONGOING))),
                # The command line's way: page and count in one call.
                ("case list, counted", lambda q: cases.list_cases(
                    st.uow(), st.actor, cases.CaseFilter(states=ONGOING))),
                ("person page", lambda q: persons.list_persons(st.uow(), st.actor, "",
                                                                count=False)),
                ("person count", lambda q: persons.count_persons(st.uow(), st.actor, "")),
                ("person search", lambda q: persons.list_persons(st.uow(), st.actor, q)),
            ):
                times, hits, slow = [], [], {}
                for q in qs:
                    stmts.clear()
                    a = time.perf_counter()
                    page = call(q)
                    times.append(time.perf_counter() - a)
                    hits.append(page.total if page.total is not None else len(page.rows))
                    for dt_, sql in stmts:
                        key = " ".join(sql.split())[:90]
                        slow[key] = slow.get(key, 0) + dt_
                results[label] = (statistics.median(times), max(times), statistics.median(hits))
                top = sorted(slow.items(), key=lambda kv: -kv[1])[:3]
                print(f"{user:12s} {label:22s} median {statistics.median(times)*1000:6.0f} ms "
                      f"max {max(times)*1000:6.0f} ms  hits~{statistics.median(hits):.0f}")
                if args.explain:
                    for k, v in top:
                        print(f"      {v/len(qs)*1000:6.0f} ms/call  {k}")
        finally:
            st.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
