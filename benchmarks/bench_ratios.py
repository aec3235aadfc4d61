"""Issue 12's list, search and dashboard targets, each as a ratio measured in
one run with its baseline interleaved (project call, baseline, project call …):

* **search** — ``persons.list_persons`` / ``cases.list_cases`` with a name
  fragment of 1, 2, 3 and 4 letters (page without count, and the count), against
  raw SQL on the same SQLCipher connection: the names matched with LIKE (or
  the trigram index when the store has one), ordered, 201 rows; the count the
  same. Target ≤ 2×.
* **rule** — the case, person and task list pages and their counts through
  the services, against the same service calls with the access rule replaced
  by ``true`` (``access.visible``/``visible_parts``/``scope_clause``/
  ``in_scope``/``hidden_by_category`` patched in this process only). Target ≤ 2×.
* **deep** — page 25 (rows 4,800–4,999) against page 1 of the same list: by
  keyset (``after=`` the last row's id) when the services take it, else by
  OFFSET. Target ≤ 1.5×.
* **dashboard** — ``dashboard.dashboard`` (target ≤ 300 ms), with the plain
  counts of cases by state and overdue tasks as the baseline.

    .venv/bin/python benchmarks/bench_ratios.py --store benchmarks/out/full-lists/store \\
        [--users chef-city,chef-police,coord00,sw00-00,pol00-00,kv00-00] [--runs 5] \\
        [--parts search,rule,deep,dashboard] [--json FILE]

Run it against another checkout's code with ``PYTHONPATH=that/checkout`` (the
"before" figures); the store is then not migrated if that code is older.
"""

from __future__ import annotations

import argparse
import inspect
import json
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bulk import BENCH_PASSWORD  # noqa: E402
from sqlalchemy import true  # noqa: E402

from trefas_app.domain.enums import CaseState  # noqa: E402
from trefas_app.security import access  # noqa: E402
from trefas_app.services import cases, dashboard, persons, tasks  # noqa: E402
from trefas_app.store.store import unlock  # noqa: E402

ONGOING = (CaseState.OPEN, CaseState.ACTIVE, CaseState.CLOSURE_REQUESTED)
USERS = "chef-city,chef-police,coord00,sw00-00,pol00-00,kv00-00"


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def interleaved(project, baseline, runs: int) -> dict:
    """Medians (ms) of ``project`` and ``baseline`` called in turn, and their ratio."""
    project(), baseline()  # warm both
    a, b = [], []
    for _ in range(runs):
        a.append(timed(project))
        b.append(timed(baseline))
    pa, pb = statistics.median(a), statistics.median(b)
    return {"project_ms": round(pa, 1), "baseline_ms": round(pb, 1),
            "ratio": round(pa / pb, 2) if pb else None}


def keyset_supported(service) -> bool:
    return "after" in inspect.signature(service).parameters


# --- raw SQL baselines --------------------------------------------------------------


def raw(store):
    return store.engine.raw_connection()


def raw_match(conn, fragment: str) -> tuple[str, tuple]:
    """The persons whose name contains ``fragment``, as plain SQL."""
    has_fts = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'persons_fts'").fetchone()
    if has_fts and len(fragment) >= 3:
        return ("id IN (SELECT rowid FROM persons_fts WHERE search_name LIKE ?)",
                (f"%{fragment}%",))
    return "search_name LIKE ?", (f"%{fragment}%",)


def raw_person_search(conn, fragment: str, count: bool):
    where, args = raw_match(conn, fragment)
    cols = {r[1] for r in conn.execute("PRAGMA table_info(persons)")}
    key = "sort_name" if "sort_name" in cols else "search_name"
    if count:
        return conn.execute(f"SELECT count(*) FROM persons WHERE {where}", args).fetchall()
    return conn.execute(
        f"SELECT id, first_name, last_name, personal_number, protection_level, risk_level "
        f"FROM persons WHERE {where} ORDER BY {key}, id LIMIT 201", args).fetchall()


def raw_case_search(conn, fragment: str, count: bool):
    where, args = raw_match(conn, fragment)
    states = ",".join(f"'{s.value}'" for s in ONGOING)
    base = (f"FROM cases c JOIN persons p ON p.id = c.person_id "
            f"WHERE c.person_id IN (SELECT id FROM persons WHERE {where}) "
            f"AND c.state IN ({states})")
    if count:
        return conn.execute(f"SELECT count(*) {base}", args).fetchall()
    return conn.execute(
        f"SELECT c.id, c.number, c.title, c.state, c.person_id, p.first_name, p.last_name, "
        f"c.unit_id, c.opened_at, c.last_entry_at {base} "
        f"ORDER BY c.last_entry_at DESC, c.id DESC LIMIT 201", args).fetchall()


def fragments(store) -> dict[int, str]:
    conn = raw(store)
    try:
        names = [r[0] for r in conn.execute(
            "SELECT search_name FROM persons WHERE protection_level = 'none' "
            "ORDER BY id LIMIT 50")]
    finally:
        conn.close()
    first = names[7]
    return {1: first[0], 2: first[:2], 3: first[:3], 4: first[:4]}


# --- the parts ---------------------------------------------------------------------


def part_search(st, runs: int) -> dict:
    out = {}
    conn = raw(st)
    try:
        for n, q in fragments(st).items():
            filt = cases.CaseFilter(query=q, states=ONGOING)
            calls = {
                f"person search {n} letters ({q!r}), page": (
                    lambda: persons.list_persons(st.uow(), st.actor, q, count=False),
                    lambda: raw_person_search(conn, q, False)),
                f"person search {n} letters, count": (
                    lambda: persons.count_persons(st.uow(), st.actor, q),
                    lambda: raw_person_search(conn, q, True)),
                f"case search {n} letters, page": (
                    lambda: cases.list_cases(st.uow(), st.actor, filt, count=False),
                    lambda: raw_case_search(conn, q, False)),
                f"case search {n} letters, count": (
                    lambda: cases.count_cases(st.uow(), st.actor, filt),
                    lambda: raw_case_search(conn, q, True)),
            }
            for label, (project, baseline) in calls.items():
                out[label] = interleaved(project, baseline, runs)
    finally:
        conn.close()
    return out


@contextmanager
def without_rule():
    """The access rule replaced by ``true`` in this process, for the baseline."""
    names = ("visible", "scope_clause", "in_scope", "hidden_by_category", "visible_parts")
    blank = {"hidden_by_category": lambda *a, **k: {},
             "visible_parts": lambda *a, **k: (true(), true())}
    saved = {name: getattr(access, name) for name in names if hasattr(access, name)}
    for name in saved:
        setattr(access, name, blank.get(name, lambda *a, **k: true()))
    try:
        yield
    finally:
        for name, fn in saved.items():
            setattr(access, name, fn)


def list_calls(st) -> dict:
    ongoing = cases.CaseFilter(states=ONGOING)
    return {
        "case page": lambda: cases.list_cases(st.uow(), st.actor, ongoing, count=False),
        "case count": lambda: cases.count_cases(st.uow(), st.actor, ongoing),
        "person page": lambda: persons.list_persons(st.uow(), st.actor, "", count=False),
        "person count": lambda: persons.count_persons(st.uow(), st.actor, ""),
        "task page": lambda: tasks.list_tasks(st.uow(), st.actor, count=False),
        "task count": lambda: tasks.count_tasks(st.uow(), st.actor),
    }


def part_rule(st, runs: int) -> dict:
    out = {}
    for label, call in list_calls(st).items():
        def bare(call=call):
            with without_rule():
                call()
        out[label] = interleaved(call, bare, runs)
    return out


def deep_page(service, first_call, page: int, limit: int = 200):
    """A function reading page ``page`` (1-based) of a list: by keyset when
    the service takes ``after``, else by OFFSET."""
    if not keyset_supported(service):
        return lambda: first_call(offset=(page - 1) * limit, limit=limit)
    after = None
    for _ in range(page - 1):  # walk to the page before, once
        rows = first_call(offset=0, limit=limit, after=after).rows
        if not rows:
            break  # a shorter list: page 25 is empty (after its last row)
        after = rows[-1].id
    return lambda: first_call(offset=(page - 1) * limit, limit=limit, after=after)


def part_deep(st, runs: int) -> dict:
    out = {}
    ongoing = cases.CaseFilter(states=ONGOING)
    lists = {
        "case list": (cases.list_cases, lambda **k: cases.list_cases(
            st.uow(), st.actor, ongoing, count=False, **k)),
        "person list": (persons.list_persons, lambda **k: persons.list_persons(
            st.uow(), st.actor, "", count=False, **k)),
        "task list": (tasks.list_tasks, lambda **k: tasks.list_tasks(
            st.uow(), st.actor, count=False, **k)),
    }
    for label, (service, call) in lists.items():
        page25 = deep_page(service, call, 25)
        page1 = deep_page(service, call, 1)
        res = interleaved(page25, page1, runs)
        res["keyset"] = keyset_supported(service)
        out[f"{label}: page 25 / page 1"] = res
    return out


def part_dashboard(st, runs: int) -> dict:
    conn = raw(st)

    def plain():
        conn.execute("SELECT state, count(*) FROM cases GROUP BY state").fetchall()
        conn.execute("SELECT count(*) FROM tasks WHERE state = 'open' AND due_on < date('now')"
                     ).fetchall()
    try:
        return {"dashboard": interleaved(lambda: dashboard.dashboard(st.uow(), st.actor),
                                         plain, runs)}
    finally:
        conn.close()


PARTS = {"search": part_search, "rule": part_rule, "deep": part_deep,
         "dashboard": part_dashboard}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", type=Path, default=Path("benchmarks/out/full-lists/store"))
    ap.add_argument("--users", default=USERS)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--parts", default=",".join(PARTS))
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)
    results: dict = {}
    for user in args.users.split(","):
        st = unlock(args.store, user, BENCH_PASSWORD)
        try:
            for part in args.parts.split(","):
                if part == "dashboard" and not user.startswith("chef"):
                    continue
                for label, res in PARTS[part](st, args.runs).items():
                    results.setdefault(user, {})[label] = res
                    print(f"{user:12s} {label:44s} {res['project_ms']:8.1f} ms  "
                          f"baseline {res['baseline_ms']:8.1f} ms  ratio {res['ratio']}",
                          flush=True)
        finally:
            st.close()
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
