"""run_gui on an existing store: the unlock dialog comes first, the window
after it, and closing the window logs out and returns 0."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

DRIVER = Path(__file__).with_name("run_gui_driver.py")


PW = "Granskog-och-hav-42"


def test_run_gui_unlocks_and_quits(world, tmp_path):
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "config"),
               XDG_STATE_HOME=str(tmp_path / "state"), HOME=str(tmp_path / "home"),
               QT_QPA_PLATFORM="offscreen")
    env.pop("TREFAS_SERVER", None)
    done = subprocess.run([sys.executable, str(DRIVER), str(world.root), PW], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert "stuck" not in seen, seen
    assert seen["status"] == 0
    assert str(world.root) in seen["store_label"]
    assert seen["user"] == "Sara Lind (sara)"
    assert "cases" in seen["nav"]
    assert seen["logged_out"] is True
