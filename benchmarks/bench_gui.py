"""Benchmark: the desktop window on a large store (offscreen Qt).

For each measured role (social worker, coordinator, supervisor), in its own
process so that caches and peak RSS are per role:

* unlock → first painted case list: the real ``MainWindow``, the real unlock
  dialog (production Argon2id parameters of the benchmark store's slots),
  ``try_unlock()`` at t=0; as soon as the session is open the cases screen
  is shown (as a user clicking "Ärenden"); the figure is the first paint of
  the table's viewport after the first page of rows is in the model. The
  unlock alone (t=0 → session open) is reported next to it.
* search-as-you-type: name prefixes (4 letters of first names seen in the
  role's own list, so every search has hits) typed into the cases screen's
  search box with ``QTest.keyClicks``; latency from the last keystroke until
  the model holds the rows of that query. This includes the screen's 150 ms
  debounce, as a user feels it; the figure minus the debounce is given too.

    .venv/bin/python benchmarks/bench_gui.py --store benchmarks/out/full

Reads the benchmark store made by ``bench_store.py --keep`` (``world.json``
names the users). Every service call appends to the store's access log.
Results: a table on stdout and JSON in ``benchmarks/out/``.
"""

from __future__ import annotations

import argparse
import gc
import datetime as dt
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
ROLES = ("social_worker", "coordinator", "police_liaison", "probation_officer", "supervisor_city",
         "supervisor_police")
PASSWORD = "Bänkprov-Järvafältet-77"  # bulk.BENCH_PASSWORD (importing bulk is not needed)


def load1() -> float:
    return round(os.getloadavg()[0], 2)


def run_role(root: Path, username: str, searches: int) -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import trefas_app.ui  # noqa: F401  (applies the PySide6 workaround first)
    from PySide6.QtCore import QEvent, QObject, QSettings, QTimer

    from bench_first_page import trace_worker, wait_until
    from PySide6.QtTest import QTest

    from trefas_app.ui.app import make_application
    from trefas_app.ui.context import AppContext
    from trefas_app.ui.main_window import MainWindow
    from trefas_app.ui.widgets.list_screen import SEARCH_DEBOUNCE_MS

    app = make_application(["bench_gui"])  # noqa: F841 — kept alive for the run

    def wait(cond, timeout=300.0) -> bool:
        """The event loop runs until ``cond()``: a processEvents() spin would
        hold the GIL and slow the worker thread down by a factor of 2–4."""
        return wait_until(cond, timeout)

    class StallMonitor(QObject):
        """A 10 ms timer on the GUI thread: a late tick means the thread was
        busy (not waiting in the event loop) for that long — the issue's
        "no user action freezes the window for more than 100 ms"."""

        def __init__(self):
            super().__init__()
            self.last = time.perf_counter()
            self.gaps: list[float] = []
            self.slow: list[tuple[float, float]] = []  # (seconds since start, gap)
            self.started = self.last
            self.timer = QTimer()
            self.timer.setInterval(10)
            self.timer.timeout.connect(self._tick)

        def _tick(self):
            now = time.perf_counter()
            self.gaps.append(now - self.last)
            if now - self.last > 0.1:
                self.slow.append((round(self.last - self.started, 3), round(now - self.last, 3)))
            self.last = now

        def start(self):
            self.last = self.started = time.perf_counter()
            self.timer.start()

        def summary(self) -> dict:
            # The first tick waits for the window's first appearance after
            # unlock (widgets built, first layout and paint); reported apart.
            later = self.gaps[1:]
            over = sorted((g for g in later if g > 0.1), reverse=True)
            return {"ticks": len(self.gaps),
                    "first_show_ms": round(self.gaps[0] * 1000) if self.gaps else None,
                    "max_ms": round(max(later, default=0) * 1000),
                    "over_100ms": len(over),
                    "worst_ms": [round(g * 1000) for g in over[:5]],
                    "slow_at_s": self.slow[:10]}

    class PaintSpy(QObject):
        def __init__(self):
            super().__init__()
            self.times: list[float] = []

        def eventFilter(self, obj, ev):  # noqa: N802 — Qt API
            if ev.type() == QEvent.Type.Paint:
                self.times.append(time.perf_counter())
            return False

    kdf = next(s["kdf"] for s in json.loads((root / "trefas.keys").read_text())["slots"]
               if s.get("username") == username)
    settings_file = tempfile.NamedTemporaryFile(suffix=".ini", delete=False).name
    ctx = AppContext(root, settings=QSettings(settings_file, QSettings.Format.IniFormat),
                     language="sv", show_dialogs=False)
    ops: list[tuple[str, float, float]] = []  # (operation, start, end) in the worker
    if os.environ.get("BENCH_GUI_TRACE"):
        ops = trace_worker(ctx)
    w = MainWindow(ctx)
    w.resize(1360, 820)
    w.start(username=username)
    dlg = w.unlock_dialog
    dlg.password_edit.setText(PASSWORD)
    res: dict = {"user": username, "kdf": kdf, "load1": [load1()]}

    gc_pauses: list[tuple[int, float, float]] = []  # (generation, start, seconds)

    def gc_watch(phase, info):
        if phase == "start":
            gc_watch.t = time.perf_counter()
        elif info["generation"] == 2:
            gc_pauses.append((2, round(gc_watch.t - t0, 3),
                              round(time.perf_counter() - gc_watch.t, 3)))

    gc.callbacks.append(gc_watch)
    stalls = StallMonitor()
    t0 = time.perf_counter()
    dlg.try_unlock()
    if not wait(lambda: ctx.is_unlocked or not dlg._busy):
        raise AssertionError("unlock did not finish")
    if not ctx.is_unlocked:
        raise AssertionError(f"unlock failed: {dlg.message.text()!r} "
                             f"(button enabled: {dlg.unlock_button.isEnabled()})")
    t_open = time.perf_counter()
    stalls.start()  # from the open session on: showing the list, searching
    screen = w.show_screen("cases")
    spy = PaintSpy()
    screen.table.viewport().installEventFilter(spy)
    assert wait(lambda: screen.model.has_first_page and not screen.model.is_loading)
    t_rows = time.perf_counter()
    assert wait(lambda: any(t >= t_rows for t in spy.times), 30), "no paint after the rows"
    t_paint = next(t for t in spy.times if t >= t_rows)
    assert wait(lambda: screen.model.total is not None)
    t_count = time.perf_counter()
    res.update(role=ctx.actor.role.value, unlock_s=round(t_open - t0, 3),
               unlock_to_rows_s=round(t_rows - t0, 3),
               unlock_to_painted_list_s=round(t_paint - t0, 3),
               unlock_to_count_s=round(t_count - t0, 3),
               list_total=screen.model.total, list_rows=screen.model.rowCount())
    res["load1"].append(load1())

    # Prefixes from the role's own list (unprotected names only), distinct.
    prefixes: list[str] = []
    for row in screen.model.rows():
        if row.protected or not row.person_name:
            continue
        p = row.person_name.split()[0][:4].lower()
        if len(p) == 4 and p not in prefixes:
            prefixes.append(p)
        if len(prefixes) >= searches:
            break
    samples = []
    for prefix in prefixes:
        screen.search.clear()
        assert wait(lambda: screen.model.filter.query == "" and not screen.model.is_loading
                    and screen.model.total is not None)
        QTest.keyClicks(screen.search, prefix)
        t1 = time.perf_counter()
        done = wait(lambda p=prefix: screen.model.filter.query == p
                    and screen.model.has_first_page and not screen.model.is_loading, 120)
        rows_ms = round((time.perf_counter() - t1) * 1000)
        counted = done and wait(lambda: screen.model.total is not None, 120)
        samples.append({"prefix": prefix, "ms": rows_ms,
                        "count_ms": round((time.perf_counter() - t1) * 1000),
                        "hits": screen.model.total if counted else None,
                        "timed_out": not counted})
    lat = sorted(s["ms"] for s in samples if not s["timed_out"])
    counts = sorted(s["count_ms"] for s in samples if not s["timed_out"])
    res["search"] = {"debounce_ms": SEARCH_DEBOUNCE_MS, "n": len(lat),
                     "median_ms": statistics.median(lat), "max_ms": lat[-1],
                     "median_minus_debounce_ms": statistics.median(lat) - SEARCH_DEBOUNCE_MS,
                     "count_median_ms": statistics.median(counts), "count_max_ms": counts[-1],
                     "samples": samples}
    res["load1"].append(load1())
    if ops:
        res["worker_trace"] = [(name, round((a - t0) * 1000), round((b - a) * 1000))
                               for name, a, b in ops]
    res["gui_thread"] = stalls.summary()
    res["gc_full_collections"] = gc_pauses[:10]
    # A user's first visit to another screen and back: how long the window
    # stands still while the persons screen is built and its rows arrive.
    nav = StallMonitor()
    nav.start()
    persons_screen = w.show_screen("persons")
    wait(lambda: persons_screen.model.has_first_page and not persons_screen.model.is_loading)
    w.show_screen("cases")
    wait(lambda: not ctx.worker.busy)
    nav.gaps.insert(0, 0.0)  # no "first show" here: every tick counts
    res["gui_thread_navigation"] = nav.summary()
    res["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    w.close()
    wait(lambda: not ctx.is_unlocked, 30)
    os.unlink(settings_file)
    return res


def table(results: dict) -> str:
    lines = [f"{'role':<18}{'visible':>9}{'unlock s':>10}{'→rows s':>9}{'→painted s':>12}"
             f"{'→count s':>10}{'search rows med/max ms':>24}{'count med/max ms':>18}"
             f"{'RSS MiB':>9}{'GUI stall first/max/nav ms':>28}  load1"]
    for label, r in results["roles"].items():
        s = r["search"]
        lines.append(f"{label:<18}{r['list_total']:>9,}{r['unlock_s']:>10.2f}"
                     f"{r['unlock_to_rows_s']:>9.2f}{r['unlock_to_painted_list_s']:>12.2f}"
                     f"{r['unlock_to_count_s']:>10.2f}"
                     f"{s['median_ms']:>17.0f} /{s['max_ms']:>5.0f}"
                     f"{s['count_median_ms']:>11.0f} /{s['count_max_ms']:>5.0f}"
                     f"{r['peak_rss_mib']:>9.0f}"
                     f"{r['gui_thread']['first_show_ms']:>14} /{r['gui_thread']['max_ms']:>4} /"
                     f"{r['gui_thread_navigation']['max_ms']:>5}  {r['load1']}")
    lines.append("(case list shows ongoing cases, the screen's default filter; rows first, "
                 "count after; search latency includes the 150 ms debounce)")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", type=Path, required=True,
                    help="benchmark store dir with world.json")
    ap.add_argument("--roles", default=",".join(ROLES))
    ap.add_argument("--searches", type=int, default=8, help="prefixes typed per role")
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)
    world = json.loads((args.store / "world.json").read_text())
    root = args.store / "store"
    if args.child:
        res = run_role(root, world["users"][args.child], args.searches)
        print("RESULT " + json.dumps(res, ensure_ascii=False), flush=True)
        os._exit(0)  # skip Qt's teardown; the session was closed above

    results = {"command": " ".join([".venv/bin/python", *sys.argv]),
               "when": dt.datetime.now().isoformat(timespec="seconds"),
               "cpus": os.cpu_count(), "roles": {}}
    for label in args.roles.split(","):
        proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--store",
                               str(args.store), "--searches", str(args.searches),
                               "--child", label], capture_output=True, text=True)
        line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")), None)
        if line is None:
            print(proc.stdout[-3000:], proc.stderr[-3000:], file=sys.stderr)
            return 1
        results["roles"][label] = json.loads(line[len("RESULT "):])
        print(label, {k: v for k, v in results["roles"][label].items() if k != "search"},
              flush=True)
    OUT.mkdir(exist_ok=True)
    out = args.json or OUT / f"bench_gui-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print()
    print(table(results))
    print(f"\nresults: {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
