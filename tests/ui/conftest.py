"""Fixtures for the GUI tests: a store with a few users, and an AppContext on
it whose message boxes are recorded instead of shown."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from account_setup import enrolled_user
import pytest
from PySide6.QtCore import QSettings

from trefas_app.domain.enums import Agency, Role
from trefas_app.services import users
from trefas_app.store.keyslots import TEST_KDF
from trefas_app.store.store import create_store
from trefas_app.ui import common

PW = "Granskog-och-hav-42"
ADMIN_PW = "Solros-vägen-nio-test"


@dataclass
class World:
    root: Path
    user_ids: dict[str, int] = field(default_factory=dict)
    unit_ids: dict[str, int] = field(default_factory=dict)
    recovery_key: str = ""


def build_world(root: Path) -> World:
    """A closed store: admin; sara, olle (social workers, Rinkeby-Kista);
    petra (police liaison); stina (supervisor, city); kalle (coordinator)."""
    created = create_store(root, admin_username="admin",
                           admin_display_name="Anna Admin", admin_password=ADMIN_PW,
                           kdf=TEST_KDF)
    store = created.store
    admin = store.actor
    w = World(root=store.paths.root)
    w.recovery_key = created.recovery_key
    city = users.add_unit(store.uow(), admin, Agency.CITY, "RK", "Rinkeby-Kista")
    police = users.add_unit(store.uow(), admin, Agency.POLICE, "LPO-R", "LPO Rinkeby")
    w.unit_ids = {"city": city.id, "police": police.id, "admin": admin.unit_id}
    w.user_ids["admin"] = admin.user_id
    for name, display, role, agency, unit in (
            ("sara", "Sara Lind", Role.SOCIAL_WORKER, Agency.CITY, city),
            ("olle", "Olle Berg", Role.SOCIAL_WORKER, Agency.CITY, city),
            ("kalle", "Kalle Nyström", Role.COORDINATOR, Agency.CITY, city),
            ("stina", "Stina Ek", Role.SUPERVISOR, Agency.CITY, city),
            ("petra", "Petra Polis", Role.POLICE_LIAISON, Agency.POLICE, police)):
        view = enrolled_user(store.uow(), admin, users.UserInput(name, display, role, agency,
                                                                  unit.id, PW))
        w.user_ids[name] = view.id
    store.close()
    return w


@pytest.fixture
def world(store_templates, tmp_path) -> World:
    """Each test's own copy of the store :func:`build_world` makes (built once)."""
    built = store_templates.copy(build_world, tmp_path / "store")
    return World(root=tmp_path / "store", user_ids=dict(built.user_ids),
                 unit_ids=dict(built.unit_ids), recovery_key=built.recovery_key)


@pytest.fixture
def settings(tmp_path) -> QSettings:
    return QSettings(str(tmp_path / "trefas-test.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def ctx_factory(qapp, settings):
    """``make(store_dir) -> AppContext`` (Swedish, no message boxes on screen)."""
    from trefas_app.ui.context import AppContext

    made = []

    def make(store_dir: Path):
        ctx = AppContext(Path(store_dir), settings=settings, language="sv", show_dialogs=False)
        ctx.messages = []
        ctx.messageShown.connect(ctx.messages.append)
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        ctx.shutdown()


@pytest.fixture(autouse=True)
def questions(monkeypatch) -> list[str]:
    """Never block on a question: every question is recorded (the list this
    fixture returns) and answered "yes". A test that expects no question
    asserts the list is empty; one that wants "no" patches ``common.ask``."""
    asked: list[str] = []

    def ask(_parent, text, *_buttons):
        asked.append(text)
        return True

    monkeypatch.setattr(common, "ask", ask)
    return asked


@pytest.fixture
def unlock_sync(qtbot):
    """``unlock_sync(ctx, username, password=PW)``: unlock through the worker,
    as the unlock dialog does, wait, and hand the store to the context."""
    from trefas_app.store.store import unlock

    def do(ctx, username: str, password: str = PW):
        got = []
        ctx.run_plain(unlock, ctx.store_dir, username, password, on_done=got.append)
        qtbot.waitUntil(lambda: bool(got), timeout=10_000)
        ctx.set_store(got[0])
        return got[0]

    return do


@pytest.fixture
def sara_ctx(qtbot, world, ctx_factory, unlock_sync):
    """An AppContext unlocked as sara (social worker, Rinkeby-Kista) on the world."""
    ctx = ctx_factory(world.root)
    unlock_sync(ctx, "sara")
    return ctx


@pytest.fixture
def run_sync(qtbot):
    """``run_sync(ctx, service, *args)``: a service through the worker, waited for."""
    def do(ctx, service, *args, **kwargs):
        box, errors = [], []
        ctx.run(service, *args, on_done=box.append, on_error=errors.append, **kwargs)
        qtbot.waitUntil(lambda: bool(box or errors), timeout=10_000)
        if errors:
            raise errors[0]
        return box[0]

    return do


@pytest.fixture(autouse=True)
def _unfreeze_heap():
    """A test that unlocks without locking leaves objects frozen (ui/heap.py);
    hand them back so one test's window cannot outlive it."""
    yield
    import gc

    gc.unfreeze()
