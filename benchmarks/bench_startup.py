"""Start-up time: from launching the program to its unlock dialog painted.

Runs a ``trefas`` command with ``TREFAS_EXIT_WHEN_UNLOCK_SHOWN=1`` (the program
prints ``unlock-dialog-painted`` after the dialog's first paint and quits) on
the offscreen Qt platform, and times the moment that line arrives, from just
before the process is started. A demo store is made first (it is what the
dialog opens on); the first run is a warm-up (page cache) and not counted.

    .venv/bin/python benchmarks/bench_startup.py                       # source checkout
    .venv/bin/python benchmarks/bench_startup.py --program dist/trefas/trefas   # frozen
    ... [--runs 7] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MARK = b"unlock-dialog-painted"
DEMO_PASSWORD = "Bänk-start-lösen-2026"


def time_to_painted(command: list[str], env: dict[str, str], timeout: float = 60.0) -> float:
    start = time.perf_counter()
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.strip() == MARK:
                elapsed = time.perf_counter() - start
                break
        else:
            raise RuntimeError(f"{command[0]} ended without painting its unlock dialog")
        proc.wait(timeout=timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--program", help="the trefas program (default: this Python's "
                                          "-m trefas_app)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    command = [args.program] if args.program else [sys.executable, "-m", "trefas_app"]
    with tempfile.TemporaryDirectory(prefix="trefas-bench-startup-") as tmp:
        store = str(Path(tmp) / "store")
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "TREFAS_LOG_DIR": tmp,
               "TREFAS_PASSWORD": DEMO_PASSWORD, "TREFAS_KDF_PROFILE": "test",
               "XDG_CONFIG_HOME": tmp}
        subprocess.run([*command, "demo", "--store", store], env=env, check=True,
                       stdout=subprocess.DEVNULL)
        env.pop("TREFAS_PASSWORD")
        env["TREFAS_EXIT_WHEN_UNLOCK_SHOWN"] = "1"
        run = [*command, "--store", store]
        time_to_painted(run, env)  # warm-up
        times = [time_to_painted(run, env) for _ in range(args.runs)]
    result = {"program": " ".join(command), "runs": args.runs,
              "median_s": round(statistics.median(times), 3),
              "min_s": round(min(times), 3), "max_s": round(max(times), 3)}
    print(json.dumps(result))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
