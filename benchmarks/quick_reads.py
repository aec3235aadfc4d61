"""Quick re-measure of the everyday reads on the large store made by
``bench_store.py --keep --out benchmarks/out/full``: first page of the case list and
the notes of the busiest case on it, for a police liaison, a coordinator and the city
supervisor. Run: .venv/bin/python benchmarks/quick_reads.py"""
import statistics
import sys
import time
sys.path.insert(0, "benchmarks")
from bulk import BENCH_PASSWORD
from sqlalchemy import func, select
from trefas_app.services import cases, notes
from trefas_app.store import models as m
from trefas_app.store.store import unlock
root = "benchmarks/out/full/store"
for user in ("pol00-00", "coord00", "chef-city"):
    st = unlock(root, user, BENCH_PASSWORD)
    try:
        t = []
        for _ in range(3):
            a = time.perf_counter(); page = cases.list_cases(st.uow(), st.actor); t.append(time.perf_counter() - a)
        ids = [r.id for r in page.rows]
        with st.engine.connect() as c:
            busiest = c.execute(select(m.Note.case_id, func.count()).where(m.Note.case_id.in_(ids))
                                .group_by(m.Note.case_id).order_by(func.count().desc()).limit(1)).first()
        n = []
        for _ in range(3):
            a = time.perf_counter(); np_ = notes.list_notes(st.uow(), st.actor, busiest[0]); n.append(time.perf_counter() - a)
        print(f"{user}: case list first page median {statistics.median(t)*1000:.0f} ms (visible {page.total}); "
              f"notes of busiest case ({busiest[1]} notes, {np_.total} shown) median {statistics.median(n)*1000:.0f} ms")
    finally:
        st.close()
