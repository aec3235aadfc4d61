"""Shared fixtures. Every test store uses cheap key-derivation parameters and
runs Qt without a display."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["TREFAS_KDF_PROFILE"] = "test"
# No deployment settings file of this machine or user may steer a test
# (trefas_app.settings); tests that need one point these at their own files.
os.environ["TREFAS_MACHINE_CONFIG"] = os.devnull
os.environ["TREFAS_USER_CONFIG"] = os.devnull

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
