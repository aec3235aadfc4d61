"""Shared fixtures. Every test store uses cheap key-derivation parameters and
runs Qt without a display."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["TREFAS_KDF_PROFILE"] = "test"
# Checkpoint witnesses (normally in the user's profile) never in the real
# profile; each test gets its own folder (below), so copies of one store in
# different tests do not see each other's witnesses.
os.environ["TREFAS_WITNESS_DIR"] = os.path.join(
    "/dev/shm" if os.path.isdir("/dev/shm") else os.environ.get("TMPDIR", "/tmp"),
    f"trefas-witness-{os.getpid()}")

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


@pytest.fixture(autouse=True)
def _own_witness_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("TREFAS_WITNESS_DIR", str(tmp_path / "witness"))


@pytest.fixture
def new_store(tmp_path):
    """A fresh store with only its administrator; yields (OpenStore, recovery key)."""
    created = create_store(tmp_path / "store", admin_username="admin",
                           admin_display_name="Anna Admin", admin_password=ADMIN_PASSWORD,
                           kdf=TEST_KDF)
    yield created.store, created.recovery_key
    created.store.close()
