"""Packaging: a wheel carries the migrations (db/) and the shipped resources
(resources/), and an installed copy of the program finds and uses them.

setup.py maps the two top-level directories into the package as
``trefas_app/_migrations`` and ``trefas_app/_resources``. These tests build a
real wheel (about ten seconds, once for the module) from a clean copy of the
checkout and look at what is in it, then run the program from the unpacked
wheel in a separate interpreter.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

import trefas_app
from trefas_app import resources
from trefas_app.store import migrate

REPO = Path(__file__).resolve().parents[2]

# What the build reads besides the files at the top of the checkout. The copy
# leaves out everything else (.venv, benchmarks, docs, tests, …).
BUILD_INPUT_DIRS = ("trefas_app", "resources", "db")


def _files(directory: Path) -> set[str]:
    """Relative paths of the files under ``directory``, without byte code."""
    return {p.relative_to(directory).as_posix() for p in directory.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".pyo")}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel built by pip, as a user would build it, from a copy of the checkout.

    A copy, because building in place writes build/ and *.egg-info into the
    checkout and reuses a stale build/lib (a deleted migration would still be
    packed), and because other work may be going on in the checkout.
    """
    base = tmp_path_factory.mktemp("packaging")
    src, out = base / "src", base / "dist"
    src.mkdir()
    for entry in REPO.iterdir():
        if entry.is_file():
            shutil.copy2(entry, src / entry.name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyo", "*.egg-info")
    for name in BUILD_INPUT_DIRS:
        shutil.copytree(REPO / name, src / name, ignore=ignore)
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check",
         "-q", "-w", str(out), str(src)],
        capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"pip wheel failed:\n{result.stdout}\n{result.stderr}"
    wheels = list(out.glob("trefas-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope="module")
def names(wheel) -> set[str]:
    with zipfile.ZipFile(wheel) as zf:
        return set(zf.namelist())


def test_wheel_carries_every_migration(names):
    expected = _files(REPO / "db")
    # Not vacuous: the directory holds what Alembic needs.
    assert {"env.py", "script.py.mako"} <= expected
    assert any(f.startswith("versions/") and f.endswith(".py") for f in expected)
    missing = {f for f in expected if f"trefas_app/_migrations/{f}" not in names}
    assert missing == set()


def test_wheel_carries_every_resource(names):
    # The Linguist sources (.ts) stay out on purpose (see setup.py); their
    # compiled .qm files go in.
    expected = {f for f in _files(REPO / "resources")
                if not (f.startswith("i18n/") and f.endswith(".ts"))}
    assert {"passwords/common-passwords.txt", "i18n/trefas_en.qm"} <= expected
    missing = {f for f in expected if f"trefas_app/_resources/{f}" not in names}
    assert missing == set()


def test_wheel_carries_every_module(names):
    """Every module of the package is in the wheel (a new sub-package without
    __init__.py would be left out by find_packages, yet work from a checkout)."""
    expected = {f for f in _files(REPO / "trefas_app") if f.endswith(".py")}
    missing = {f for f in expected if f"trefas_app/{f}" not in names}
    assert missing == set()


def test_wheel_holds_only_the_package(names):
    top = {n.split("/", 1)[0] for n in names}
    assert {t for t in top if not t.endswith(".dist-info")} == {"trefas_app"}
    assert not [n for n in names if "__pycache__" in n or n.endswith((".pyc", ".pyo"))]


INSTALLED_PROBE = textwrap.dedent("""
    import json, sys, tempfile
    from pathlib import Path
    from PySide6.QtCore import QCoreApplication
    import trefas_app
    from trefas_app.resources import resources_root
    from trefas_app.domain.passwords import WeakPassword, check_password_policy
    from trefas_app.store.keyslots import TEST_KDF
    from trefas_app.store.migrate import current_revision, head_revision, migrations_dir
    from trefas_app.store.store import create_store
    from trefas_app.ui.i18n import load_translator

    app = QCoreApplication(sys.argv)
    translator = load_translator("en")
    try:
        check_password_policy("Password12345")  # on the shipped list
        rejected = None
    except WeakPassword as exc:
        rejected = exc.reason
    created = create_store(Path(tempfile.mkdtemp()) / "store", admin_username="admin",
                           admin_display_name="Anna Admin",
                           admin_password="Solros-vägen-nio-test", kdf=TEST_KDF)
    revision = current_revision(created.store.engine)
    created.store.close()
    print(json.dumps({
        "package": trefas_app.__file__,
        "resources": str(resources_root()),
        "migrations": str(migrations_dir()),
        "head": head_revision(),
        "store_revision": revision,
        "translator": type(translator).__name__,
        "translator_empty": translator.isEmpty(),
        "unlock": translator.translate("UnlockDialog", "Lås upp"),
        "common_password_rejected": rejected,
    }))
""")


def test_installed_wheel_finds_and_uses_its_files(wheel, tmp_path):
    """Run from the unpacked wheel, away from the checkout: the migrations
    create a store, the .qm translates, the password list is there."""
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(site)
    env = {**os.environ, "PYTHONPATH": str(site), "QT_QPA_PLATFORM": "offscreen",
           "TREFAS_LOG_DIR": str(tmp_path / "log")}
    result = subprocess.run([sys.executable, "-c", INSTALLED_PROBE], cwd=tmp_path, env=env,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    got = json.loads(result.stdout.strip().splitlines()[-1])
    package = site / "trefas_app"
    assert Path(got["package"]).parent == package
    assert Path(got["resources"]) == package / "_resources"
    assert Path(got["migrations"]) == package / "_migrations"
    assert got["head"] == migrate.head_revision()  # the checkout's head
    assert got["store_revision"] == got["head"]
    # The compiled .qm, loaded directly (no .ts to compare with).
    assert got["translator"] == "QTranslator" and not got["translator_empty"]
    assert got["unlock"] == "Unlock"
    assert got["common_password_rejected"] == "common"


def test_every_ts_has_a_qm_with_the_same_translations(qapp):
    """The wheel ships only the .qm files, so they must be compiled from the
    current .ts (``python -m trefas_app.ui.i18n --update`` does both)."""
    from PySide6.QtCore import QTranslator

    i18n = REPO / "resources" / "i18n"
    sources = sorted(i18n.glob("*.ts"))
    assert sources
    for ts in sources:
        qm = ts.with_suffix(".qm")
        assert qm.is_file(), f"{qm.name} missing: run python -m trefas_app.ui.i18n --update"
        translator = QTranslator()
        assert translator.load(str(qm))
        stale = []
        for context in ET.parse(ts).getroot().iter("context"):
            name = context.findtext("name") or ""
            for message in context.iter("message"):
                translation = message.find("translation")
                if (message.get("numerus") == "yes" or translation is None
                        or translation.get("type") is not None or not translation.text):
                    continue
                got = translator.translate(name, message.findtext("source"),
                                           message.findtext("comment"))
                if got != translation.text:
                    stale.append((name, message.findtext("source")))
        assert stale == [], f"{qm.name} is older than {ts.name}: run --update"


# --- where the files are looked for ------------------------------------------


@pytest.fixture
def fresh_resources_root():
    resources.resources_root.cache_clear()
    yield
    resources.resources_root.cache_clear()


def _from_checkout() -> bool:
    return Path(trefas_app.__file__).resolve().parent == REPO / "trefas_app"


def test_checkout_uses_the_top_level_directories(fresh_resources_root):
    if not _from_checkout():
        pytest.skip("trefas_app is not imported from this checkout")
    assert resources.resources_root() == REPO / "resources"
    assert migrate.migrations_dir() == REPO / "db"


def test_frozen_build_uses_its_bundle(fresh_resources_root, monkeypatch, tmp_path):
    (tmp_path / "resources").mkdir()
    (tmp_path / "db").mkdir()
    (tmp_path / "db" / "env.py").write_text("")
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resources.resources_root() == tmp_path / "resources"
    assert migrate.migrations_dir() == tmp_path / "db"


def test_frozen_build_without_bundled_migrations_falls_back(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert (migrate.migrations_dir() / "env.py").is_file()
    assert migrate.migrations_dir() != tmp_path / "db"
