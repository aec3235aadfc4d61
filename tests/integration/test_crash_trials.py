"""The crash, concurrency and disk-full trials (benchmarks/crash_trials.py),
three of each kind, so that CI keeps the script and the store honest."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "crash_trials.py"


def test_three_kills_of_each_kind_leave_nothing_corrupt_lost_or_unlogged(tmp_path):
    env = dict(os.environ, TREFAS_KDF_PROFILE="test")
    result = subprocess.run([sys.executable, str(SCRIPT), "--trials", "3", "--notes", "30",
                             "--json", "--workdir", str(tmp_path)],
                            capture_output=True, text=True, timeout=240, env=env)
    assert result.returncode in (0, 1), result.stderr[-2000:]
    report = json.loads(result.stdout)
    kinds = {t["kind"]: t for t in report["tallies"]}
    assert {"note", "backup", "rekey", "restore", "two writers"} <= set(kinds)
    assert all(t["trials"] >= 1 for t in kinds.values())
    assert kinds["note"]["trials"] == 3 and kinds["two writers"]["completed"] == 80
    assert report["totals"] == {"corrupt": 0, "lost": 0, "unlogged": 0}, report
