"""The installer scripts: shell syntax, and CI runs the tests before the bundle."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHELL_SCRIPTS = ["packaging/linux/build.sh", "packaging/linux/ci_bundle.sh",
                 "packaging/macos/build.sh", "packaging/bootstrap.sh", ".ci/run"]


@pytest.mark.parametrize("script", SHELL_SCRIPTS)
def test_shell_syntax(script):
    result = subprocess.run(["bash", "-n", str(REPO / script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_ci_runs_the_suite_then_the_bundle():
    lines = [line.strip() for line in (REPO / ".ci" / "run").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    tests = next(i for i, line in enumerate(lines) if "bootstrap.sh test" in line)
    bundle = next(i for i, line in enumerate(lines) if "ci_bundle.sh" in line)
    assert tests < bundle
    assert not lines[tests].startswith("exec")  # else the bundle step never runs


def test_spec_is_one_folder_and_bundles_migrations_and_resources():
    spec = (REPO / "packaging" / "trefas.spec").read_text()
    assert "exclude_binaries=True" in spec and "COLLECT(" in spec  # one-folder
    assert 'data_tree("resources")' in spec and 'data_tree("db")' in spec


def test_msi_never_removes_user_data():
    wxs = (REPO / "packaging" / "windows" / "trefas.wxs").read_text()
    assert 'Scope="perMachine"' in wxs
    for forbidden in ("RemoveFolder", "RemoveFile", "CustomAction", "LocalAppDataFolder",
                      "CommonAppDataFolder"):
        assert forbidden not in wxs
