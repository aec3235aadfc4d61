"""Test stores built once and copied (the ``store_templates`` fixture).

Building a store costs key derivation and a few dozen transactions; copying
its folder costs a few file copies. A builder is a module-level function
``build(root) -> info`` that creates a *closed* store at ``root`` and returns
what the tests need to know about it (ids, a recovery key …). Each distinct
builder runs once per test session — once per xdist worker — and every test
that asks for it gets its own copy of the folder, so a test may write freely.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Callable


class StoreTemplates:
    def __init__(self, base: Path):
        self.base = Path(base)
        self._built: dict[str, tuple[Path, Any]] = {}

    def copy(self, build: Callable[[Path], Any], dest: Path) -> Any:
        """A copy at ``dest`` of the store ``build`` makes; returns its info."""
        key = f"{build.__module__}.{build.__qualname__}"
        if key not in self._built:
            root = self.base / key.replace("<", "").replace(">", "") / "store"
            self._built[key] = (root, build(root))
        root, info = self._built[key]
        shutil.copytree(root, dest)
        return info


# --- builders shared by several modules ------------------------------------------------

ADMIN_PASSWORD = "Solros-vägen-nio-test"
PASSWORD = "Granskog-och-hav-42"


def _founded(root: Path):
    from trefas_app.store.keyslots import TEST_KDF
    from trefas_app.store.store import create_store

    return create_store(root, admin_username="admin", admin_display_name="Anna Admin",
                        admin_password=ADMIN_PASSWORD, kdf=TEST_KDF)


def _enrol(store, people, units) -> None:
    from account_setup import enrolled_user
    from trefas_app.services import users

    for name, role, unit in people:
        enrolled_user(store.uow(), store.actor, users.UserInput(
            name, name.title(), role, units[unit].agency, units[unit].id, PASSWORD))


def build_sara_stina(root: Path) -> str:
    """admin + social worker sara + supervisor stina (city, RK), all logged
    out; returns the recovery key."""
    from trefas_app.domain.enums import Agency, Role
    from trefas_app.services import users

    created = _founded(root)
    store = created.store
    unit = users.add_unit(store.uow(), store.actor, Agency.CITY, "RK", "Rinkeby-Kista")
    _enrol(store, (("sara", Role.SOCIAL_WORKER, "city"), ("stina", Role.SUPERVISOR, "city")),
           {"city": unit})
    store.close()
    return created.recovery_key


def build_sara_petra_olle(root: Path) -> None:
    """admin; social workers sara and olle (city, RK); police liaison petra
    (LPO-R); all logged out."""
    from trefas_app.domain.enums import Agency, Role
    from trefas_app.services import users

    store = _founded(root).store
    units = {"city": users.add_unit(store.uow(), store.actor, Agency.CITY, "RK",
                                    "Rinkeby-Kista"),
             "police": users.add_unit(store.uow(), store.actor, Agency.POLICE, "LPO-R",
                                      "LPO Rinkeby")}
    _enrol(store, (("sara", Role.SOCIAL_WORKER, "city"), ("petra", Role.POLICE_LIAISON, "police"),
                   ("olle", Role.SOCIAL_WORKER, "city")), units)
    store.close()


CASEWORK_PASSWORD = "Granskog-och-hav-42"


def build_casework_store(root, supervisor: bool = False) -> bytes:
    """A small store for input tests: administrator ``admin``, social worker
    ``sara`` (CASEWORK_PASSWORD) in unit RK, person 1 with case 1 and a draft
    note; with ``supervisor`` also the key holder ``stina`` (same password),
    who does the key work (backup, restore, re-key). Returns the data key (to
    read the store without logging in)."""
    from account_setup import enrolled_user
    from trefas_app.domain.enums import Agency, Category, Role
    from trefas_app.services import cases, notes, persons, users
    from trefas_app.store.keyslots import TEST_KDF
    from trefas_app.store.store import create_store, unlock

    created = create_store(root, admin_username="admin", admin_display_name="Anna Admin",
                           admin_password=ADMIN_PASSWORD, kdf=TEST_KDF)
    a = created.store
    unit = users.add_unit(a.uow(), a.actor, Agency.CITY, "RK", "Rinkeby-Kista")
    enrolled_user(a.uow(), a.actor, users.UserInput(
        "sara", "Sara Sund", Role.SOCIAL_WORKER, Agency.CITY, unit.id, CASEWORK_PASSWORD))
    if supervisor:
        enrolled_user(a.uow(), a.actor, users.UserInput(
            "stina", "Stina Ek", Role.SUPERVISOR, Agency.CITY, unit.id, CASEWORK_PASSWORD))
    key = a.data_key
    a.close()
    s = unlock(root, "sara", CASEWORK_PASSWORD)
    p = persons.create_person(s.uow(), s.actor, persons.PersonInput("Amir", "Haddad"))
    c = cases.open_case(s.uow(), s.actor, p.id, "Risk för våld")
    notes.write_note(s.uow(), s.actor, c.id, "Samtal", "Samtal om skolan.", Category.SOCIAL)
    s.close()
    return key


def build_casework_supervised(root: Path) -> bytes:
    """:func:`build_casework_store` with the supervisor stina."""
    return build_casework_store(root, supervisor=True)


def build_staff(root: Path, units, staff, admin_password: str = ADMIN_PASSWORD
                ) -> dict[str, int]:
    """admin (``admin_password``), then ``units`` — (agency, code, name), in
    order — and ``staff`` — (user name, role, unit code), in order, each with
    PASSWORD and the name capitalised as display name. Returns the unit ids
    by code."""
    from account_setup import enrolled_user
    from trefas_app.services import users
    from trefas_app.store.keyslots import TEST_KDF
    from trefas_app.store.store import create_store

    store = create_store(root, admin_username="admin", admin_display_name="Anna Admin",
                         admin_password=admin_password, kdf=TEST_KDF).store
    made = {code: users.add_unit(store.uow(), store.actor, agency, code, name)
            for agency, code, name in units}
    for name, role, code in staff:
        enrolled_user(store.uow(), store.actor, users.UserInput(
            name, name.title(), role, made[code].agency, made[code].id, PASSWORD))
    store.close()
    return {code: unit.id for code, unit in made.items()}
