"""The unlock dialog: a clear sentence for each failure, slowed retries with a
countdown, and success handing the store to the context."""

from __future__ import annotations

import pytest

from trefas_app.ui.unlock import UnlockDialog

PW = "Granskog-och-hav-42"


@pytest.fixture
def dialog(qtbot, world, ctx_factory):
    ctx = ctx_factory(world.root)
    dlg = UnlockDialog(ctx, None, username="sara")
    qtbot.addWidget(dlg)
    dlg.show()
    return dlg


def attempt(qtbot, dlg, password: str, username: str | None = None) -> None:
    if username is not None:
        dlg.user_edit.setText(username)
    dlg.password_edit.setText(password)
    assert dlg.unlock_button.isEnabled()
    dlg.unlock_button.click()
    qtbot.waitUntil(lambda: not dlg._busy, timeout=10_000)


def test_shows_which_store(dialog, world):
    assert world.root.name in dialog.store_label.text()
    assert str(world.root) in dialog.store_label.text()


def test_wrong_password_says_so_in_swedish(qtbot, dialog):
    attempt(qtbot, dialog, "Fel-lösenord-helt-klart")
    assert dialog.message.text().startswith("Fel lösenord.")
    assert dialog.password_edit.text() == ""  # typed password not kept
    assert dialog.isVisible() and not dialog.ctx.is_unlocked


def test_unknown_user(qtbot, dialog):
    attempt(qtbot, dialog, PW, username="nisse")
    assert "ingen användare med det användarnamnet" in dialog.message.text()


def test_missing_key_file(qtbot, dialog, world):
    (world.root / "trefas.keys").rename(world.root / "elsewhere.keys")
    attempt(qtbot, dialog, PW)
    assert "Nyckelfilen saknas" in dialog.message.text()
    assert "systemadministratören" in dialog.message.text()


def test_damaged_database(qtbot, dialog, world):
    db = world.root / "trefas.db"
    for suffix in ("-wal", "-shm"):
        extra = world.root / f"trefas.db{suffix}"
        if extra.exists():
            extra.unlink()
    data = bytearray(db.read_bytes())
    data[0:4096] = b"\x00" * 4096
    db.write_bytes(bytes(data))
    attempt(qtbot, dialog, PW)
    assert "skadad" in dialog.message.text()


def test_retries_are_slowed_with_a_countdown(qtbot, dialog):
    for _ in range(4):  # three free failures, then the delay starts
        attempt(qtbot, dialog, "Fel-lösenord-helt-klart")
    dialog.password_edit.setText(PW)
    dialog.unlock_button.click()
    qtbot.waitUntil(lambda: not dialog._busy, timeout=10_000)
    assert "Vänta" in dialog.message.text()
    dialog.password_edit.setText(PW)
    assert not dialog.unlock_button.isEnabled()  # disabled while counting down
    qtbot.waitUntil(lambda: dialog.unlock_button.isEnabled(), timeout=5_000)
    assert "försöka igen" in dialog.message.text()


def test_success_hands_over_the_store(qtbot, dialog):
    stores = []
    dialog.unlockedStore.connect(stores.append)
    dialog.password_edit.setText(PW)
    dialog.unlock_button.click()
    qtbot.waitUntil(lambda: bool(stores), timeout=10_000)
    assert stores[0].actor.username == "sara"
    assert not dialog.isVisible()
    stores[0].close()
