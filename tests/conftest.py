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


CASEWORK_PASSWORD = "Granskog-och-hav-42"


def build_casework_store(root) -> bytes:
    """A small store for input tests: administrator ``admin``, social worker
    ``sara`` (CASEWORK_PASSWORD) in unit RK, person 1 with case 1 and a draft
    note. Returns the data key (to read the store without logging in)."""
    from trefas_app.domain.enums import Agency, Category, Role
    from trefas_app.services import cases, notes, persons, users
    from trefas_app.store.store import unlock

    created = create_store(root, admin_username="admin", admin_display_name="Anna Admin",
                           admin_password=ADMIN_PASSWORD, kdf=TEST_KDF)
    a = created.store
    unit = users.add_unit(a.uow(), a.actor, Agency.CITY, "RK", "Rinkeby-Kista")
    users.add_user(a.uow(), a.actor, users.UserInput(
        "sara", "Sara Sund", Role.SOCIAL_WORKER, Agency.CITY, unit.id, CASEWORK_PASSWORD))
    key = a.data_key
    a.close()
    s = unlock(root, "sara", CASEWORK_PASSWORD)
    p = persons.create_person(s.uow(), s.actor, persons.PersonInput("Amir", "Haddad"))
    c = cases.open_case(s.uow(), s.actor, p.id, "Risk för våld")
    notes.write_note(s.uow(), s.actor, c.id, "Samtal", "Samtal om skolan.", Category.SOCIAL)
    s.close()
    return key
