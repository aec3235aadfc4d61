"""Shared fixtures. Every test store uses cheap key-derivation parameters and
runs Qt without a display.

The clock: ``TREFAS_TEST_NOW=2026-12-04T23:30:00+00:00`` runs the whole session
from that instant (time-machine, ticking), so CI can prove the suite at the
hour when UTC and Stockholm disagree about the date. It starts before
collection, so module-level constants such as ``TODAY = clock.today()`` see it
too. Each test starts with the default office zone.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["TREFAS_KDF_PROFILE"] = "test"
# Checkpoint witnesses (normally in the user's profile) never in the real
# profile; each test gets its own folder (below), so copies of one store in
# different tests do not see each other's witnesses.
os.environ["TREFAS_WITNESS_DIR"] = os.path.join(
    "/dev/shm" if os.path.isdir("/dev/shm") else os.environ.get("TMPDIR", "/tmp"),
    f"trefas-witness-{os.getpid()}")
# No deployment settings file of this machine or user may steer a test
# (trefas_app.settings); tests that need one point these at their own files.
os.environ["TREFAS_MACHINE_CONFIG"] = os.devnull
os.environ["TREFAS_USER_CONFIG"] = os.devnull
# The program's PySide6 settings, made before pytest-qt imports PySide6 at
# configure time, as the program makes them before its first Qt import
# (trefas_app/ui/_pyside_fix.py): without them some orders of test files died
# in shiboken (lazy type creation inside an event filter).
import trefas_app.ui  # noqa: E402,F401

import pytest  # noqa: E402

from trefas_app.domain import clock  # noqa: E402
from trefas_app.store.keyslots import TEST_KDF  # noqa: E402
from trefas_app.store.store import create_store  # noqa: E402

from stores import ADMIN_PASSWORD, CASEWORK_PASSWORD, build_casework_store  # noqa: E402,F401
from passes import CLOCK_FREE  # noqa: E402
#: An ISO 8601 instant with offset; the whole test run travels there.
TEST_NOW_ENV = "TREFAS_TEST_NOW"


def travel_instant_from_environment() -> dt.datetime | None:
    """The instant TREFAS_TEST_NOW names, or None; refuses one without offset."""
    text = os.environ.get(TEST_NOW_ENV, "").strip()
    if not text:
        return None
    instant = dt.datetime.fromisoformat(text)
    if instant.tzinfo is None:
        raise pytest.UsageError(f"{TEST_NOW_ENV}={text} needs an offset, e.g. +00:00")
    return instant


def _start_session_travel(config) -> None:
    instant = travel_instant_from_environment()
    if instant is None or getattr(config, "_trefas_traveller", None) is not None:
        return
    import time_machine

    traveller = time_machine.travel(instant, tick=True)
    traveller.start()
    config._trefas_traveller = traveller


def pytest_report_header(config):
    instant = travel_instant_from_environment()
    if instant is not None:
        return (f"trefas: clock travelled to {instant.isoformat()} ({TEST_NOW_ENV}), "
                f"TZ={os.environ.get('TZ', '')}")
    return None


@pytest.fixture(scope="session", autouse=True)
def session_clock(pytestconfig):
    """The whole session on TREFAS_TEST_NOW's instant (started already at
    configure time, before collection; started here if it was not)."""
    _start_session_travel(pytestconfig)
    yield getattr(pytestconfig, "_trefas_traveller", None)


@pytest.fixture(autouse=True)
def default_office_zone():
    """A test that changes the office zone (a store setting) leaves it as it found it."""
    zone = clock.office_zone()
    yield
    clock.set_office_zone(zone.key)


def pytest_configure(config):
    """Test stores live on a RAM disk where there is one. Every commit fsyncs
    (synchronous=FULL, as shipped); on a slow disk that alone costs minutes.
    The files are the same SQLCipher files either way. The clock travels
    before collection (see the module's docstring)."""
    _start_session_travel(config)
    shm = "/dev/shm"
    if config.option.basetemp is None and os.path.isdir(shm) and os.access(shm, os.W_OK):
        config.option.basetemp = os.path.join(shm, f"trefas-pytest-{os.getpid()}")
        config._trefas_ram_basetemp = config.option.basetemp


#: Each folder under tests/ is a marker (registered in pyproject.toml).
FOLDER_MARKERS = ("unit", "integration", "ui")


def _clock_free(relative: str, name: str) -> bool:
    return relative in CLOCK_FREE or f"{relative}::{name.split('[')[0]}" in CLOCK_FREE


def pytest_collection_modifyitems(config, items):
    """Mark every test by its folder, so that ``pytest -m unit`` works, and
    the tests of :data:`CLOCK_FREE` as ``clock_free``."""
    here = Path(__file__).resolve().parent
    for item in items:
        try:
            parts = Path(str(item.path)).resolve().relative_to(here).parts
        except ValueError:
            continue
        if parts[0] in FOLDER_MARKERS:
            item.add_marker(getattr(pytest.mark, parts[0]))
        if _clock_free("/".join(parts), item.name):
            item.add_marker(pytest.mark.clock_free)


@pytest.fixture(autouse=True)
def _clock_free_guard(request, monkeypatch):
    """A ``clock_free`` test that reads the program's one clock fails."""
    if request.node.get_closest_marker("clock_free") is None:
        return

    def refused():
        raise AssertionError("a test in tests/passes.py's CLOCK_FREE read the clock: "
                             "take it out of CLOCK_FREE (the second pass must run it)")

    monkeypatch.setattr(clock, "now_utc", refused)


def pytest_unconfigure(config):
    traveller = getattr(config, "_trefas_traveller", None)
    if traveller is not None:
        traveller.stop()
        config._trefas_traveller = None
    # After the last test: collect once, then freeze what is left, so that the
    # interpreter's final garbage collection does not walk it. Some runs ended
    # "Fatal Python error: none_dealloc" in that last collection (after every
    # test had passed; exit 134) — a reference-count fault in a C extension,
    # most likely at the destruction of the session's QApplication. The
    # process is ending; nothing is left to collect that matters.
    import gc

    gc.collect()
    gc.freeze()
    path = getattr(config, "_trefas_ram_basetemp", None)
    if path:
        import shutil

        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(autouse=True)
def _own_witness_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("TREFAS_WITNESS_DIR", str(tmp_path / "witness"))


@pytest.fixture
def machine_in_utc(monkeypatch):
    """The machine of issue 14: its own time zone is UTC, not the office's."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture(scope="session")
def store_templates(tmp_path_factory):
    """Stores built once per session (per xdist worker) and copied for each
    test that asks: ``store_templates.copy(build, dest) -> info`` (tests/stores.py)."""
    from stores import StoreTemplates

    return StoreTemplates(tmp_path_factory.mktemp("templates"))


@pytest.fixture
def new_store(tmp_path):
    """A fresh store with only its administrator; yields (OpenStore, recovery key)."""
    created = create_store(tmp_path / "store", admin_username="admin",
                           admin_display_name="Anna Admin", admin_password=ADMIN_PASSWORD,
                           kdf=TEST_KDF)
    yield created.store, created.recovery_key
    created.store.close()


@pytest.fixture
def cli_logging(tmp_path, monkeypatch):
    """For tests that call ``cli.main``: its application log goes to tmp_path,
    and the handler it adds is removed afterwards."""
    import logging

    from trefas_app import paths

    monkeypatch.setenv(paths.LOG_DIR_ENV, str(tmp_path / "cli-log"))
    yield
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, paths._HANDLER_MARK, None) is not None:
            root.removeHandler(handler)
            handler.close()


@pytest.fixture(scope="session")
def pg_cluster():
    """A private PostgreSQL cluster for this test process (one per xdist
    worker), stopped at the end. Fails, never skips, when PostgreSQL is
    missing: CI installs it."""
    from pg_cluster import start
    cluster = start()
    yield cluster
    cluster.stop()


#: Modules that work against a PostgreSQL server. Its now() — what the row
#: rules and the log function compare with — cannot travel, so under a frozen
#: session clock (TREFAS_TEST_NOW) these modules run on the real clock,
#: ticking; the instant's own tests (tests/integration/test_clock_instants.py
#: and the rest of the suite) keep the frozen one.
SERVER_CLOCK_MODULES = ("test_server_", "test_services_both_stores", "test_access_matrix_both_stores", "test_live_changes",
                        "test_cli_server", "test_ui_server", "test_pg_cluster")


@pytest.fixture(scope="module", autouse=True)
def server_clock_for_server_modules(request):
    name = request.module.__name__.rsplit(".", 1)[-1]
    if getattr(request.config, "_trefas_traveller", None) is None \
            or not name.startswith(SERVER_CLOCK_MODULES):
        yield
        return
    import time_machine

    with time_machine.travel(time_machine.escape_hatch.time.time(), tick=True):
        yield
