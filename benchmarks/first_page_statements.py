"""Issue 12: what the first page costs beyond the key derivation, statement
by statement, in a fresh process (no window): the log-in's statements, the
start page's dashboard (cold, then warm), the first case-list page.

    .venv/bin/python benchmarks/first_page_statements.py --store benchmarks/out/small-lists \\
        --user chef-city [--prepared] [--warm 5] [--all]

``--prepared``: the page compiled before the unlock first, as the window
does while its dialog waits for the password (``warm_up.prepare_page``).
``--all``: every statement, not only those over 0.5 ms. Against another
checkout's code: ``benchmarks/run_with_code.py DIR`` before this script.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine

sys.path.insert(0, str(Path(__file__).parent))
from bulk import BENCH_PASSWORD  # noqa: E402

statements: list[tuple[float, str]] = []
_started: dict[int, float] = {}


@event.listens_for(Engine, "before_cursor_execute")
def _before(conn, cursor, statement, params, context, executemany):
    _started[id(cursor)] = time.perf_counter()


@event.listens_for(Engine, "after_cursor_execute")
def _after(conn, cursor, statement, params, context, executemany):
    statements.append((time.perf_counter() - _started.pop(id(cursor)),
                       " ".join(statement.split())[:110]))


def timed(name: str, fn, show: float | None):
    """Run ``fn``; print its time, its statements' time and (over ``show``
    ms) each statement."""
    statements.clear()
    start = time.perf_counter()
    result = fn()
    took = time.perf_counter() - start
    sql = sum(s for s, _ in statements)
    print(f"== {name}: {took * 1000:.1f} ms, {len(statements)} statements, "
          f"SQL {sql * 1000:.1f} ms")
    if show is not None:
        for s, text in statements:
            if s * 1000 >= show:
                print(f"   {s * 1000:7.2f}  {text}")
    return result, took


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", type=Path, required=True, help="benchmark dir with store/")
    ap.add_argument("--user", default="chef-city")
    ap.add_argument("--warm", type=int, default=5, help="warm dashboards after the first")
    ap.add_argument("--prepared", action="store_true")
    ap.add_argument("--all", action="store_true")
    args = ap.parse_args(argv)
    root = args.store / "store"
    show = 0.0 if args.all else 0.5

    from trefas_app.store import keyslots
    kdf: list[float] = []
    derive = keyslots.derive_kek

    def timed_derive(*a, **kw):
        t = time.perf_counter()
        try:
            return derive(*a, **kw)
        finally:
            kdf.append(time.perf_counter() - t)

    keyslots.derive_kek = timed_derive
    from trefas_app.services import cases, dashboard
    from trefas_app.store.store import unlock

    if args.prepared:
        from trefas_app.store.engine import prepare_unlock
        from trefas_app.store.warm_up import prepare_page

        prepare_unlock(("trefas_app.services.dashboard",))
        timed("prepared before the unlock", lambda: prepare_page(root, args.user,
                                                                 dashboard.dashboard), None)
    store, took = timed("unlock", lambda: unlock(root, args.user, BENCH_PASSWORD,
                                                 first_page=dashboard.dashboard), show)
    print(f"   beyond the key derivation: {(took - sum(kdf)) * 1000:.1f} ms")
    try:
        timed("dashboard, first", lambda: dashboard.dashboard(store.uow(), store.actor), show)
        warm = [timed("dashboard, warm", lambda: dashboard.dashboard(store.uow(), store.actor),
                      None)[1] for _ in range(args.warm)]
        if warm:
            print(f"   warm median {statistics.median(warm) * 1000:.1f} ms")
        timed("case list, first page", lambda: cases.list_cases(store.uow(), store.actor), show)
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
