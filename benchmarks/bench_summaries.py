"""Issue 12: case summaries for 100 cases (target ≤ 20 s in all).

A supervisor (``chef-city``) issues ``documents.issue_case_summary`` for each
of the first ``--cases`` cases of their case list (ongoing, newest entry
first: the cases a supervisor looks at), one after the other in one process,
as the window would. Each summary holds everything about the case the
supervisor may see (notes, plans, tasks, consents …), is rendered to PDF,
registered and logged. Prints the total, the median and slowest summary,
pages and notes; every summary is a real issued document in the store.

    .venv/bin/python benchmarks/bench_summaries.py --store benchmarks/out/full-lists/store \\
        [--user chef-city] [--cases 100]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bulk import BENCH_PASSWORD  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from trefas_app.domain.enums import CaseState  # noqa: E402
from trefas_app.services import cases, documents  # noqa: E402
from trefas_app.store import models as m  # noqa: E402
from trefas_app.store.store import unlock  # noqa: E402

ONGOING = (CaseState.OPEN, CaseState.ACTIVE, CaseState.CLOSURE_REQUESTED)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", type=Path, default=Path("benchmarks/out/full-lists/store"))
    ap.add_argument("--user", default="chef-city")
    ap.add_argument("--cases", type=int, default=100)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)
    st = unlock(args.store, args.user, BENCH_PASSWORD)
    try:
        page = cases.list_cases(st.uow(), st.actor, cases.CaseFilter(states=ONGOING),
                                count=False, limit=args.cases)
        ids = [row.id for row in page.rows]
        with st.uow() as uow:
            notes = dict(uow.session.execute(
                select(m.Note.case_id, func.count()).where(m.Note.case_id.in_(ids))
                .group_by(m.Note.case_id)).all())
        runs = []
        t_all = time.perf_counter()
        for case_id in ids:
            t = time.perf_counter()
            doc = documents.issue_case_summary(st.uow(), st.actor, case_id)
            runs.append({"case_id": case_id, "s": time.perf_counter() - t, "pages": doc.pages,
                         "notes": notes.get(case_id, 0)})
        total = time.perf_counter() - t_all
    finally:
        st.close()
    seconds = [r["s"] for r in runs]
    slowest = max(runs, key=lambda r: r["s"])
    print(f"{len(runs)} case summaries by {args.user}: {total:.1f} s in all (target ≤ 20 s); "
          f"median {statistics.median(seconds) * 1000:.0f} ms, slowest "
          f"{slowest['s'] * 1000:.0f} ms ({slowest['notes']} notes, {slowest['pages']} pages); "
          f"{sum(r['pages'] for r in runs)} pages, {sum(r['notes'] for r in runs)} notes")
    if args.json:
        args.json.write_text(json.dumps({"total_s": total, "runs": runs}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
