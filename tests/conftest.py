"""Shared fixtures. Every test store uses cheap key-derivation parameters and
runs Qt without a display."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["TREFAS_KDF_PROFILE"] = "test"

import pytest  # noqa: E402

from trefas_app.store.keyslots import TEST_KDF  # noqa: E402
from trefas_app.store.store import create_store  # noqa: E402

ADMIN_PASSWORD = "Solros-vägen-nio-test"


def pytest_configure(config):
    """Test stores live on a RAM disk where there is one. Every commit fsyncs
    (synchronous=FULL, as shipped); on a slow disk that alone costs minutes.
    The files are the same SQLCipher files either way."""
    shm = "/dev/shm"
    if config.option.basetemp is None and os.path.isdir(shm) and os.access(shm, os.W_OK):
        config.option.basetemp = os.path.join(shm, f"trefas-pytest-{os.getpid()}")
        config._trefas_ram_basetemp = config.option.basetemp


def pytest_unconfigure(config):
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
