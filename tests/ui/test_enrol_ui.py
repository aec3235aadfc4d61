"""The unlock dialog's other two ways in: the first log-in with a one-time
code, and the recovery key (confirm an account, or give it a new code)."""

from __future__ import annotations

import re

import pytest
from PySide6.QtWidgets import QLabel

from trefas_app.domain.enums import Agency, Role
from trefas_app.services import accounts
from trefas_app.store.keyslots import KeyFile
from trefas_app.store.store import unlock

ADMIN_PW = "Solros-vägen-nio-test"
NEW_PW = "Blåbärsskog-vid-sjön-77"
WAIT = 10_000
#: A key fingerprint's shape (four groups of four).
CODE_SHAPE = re.compile(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b")


def _code(world, name="nils", role=Role.SOCIAL_WORKER):
    adm = unlock(world.root, "admin", ADMIN_PW)
    try:
        return accounts.create_account(adm, name, "Nils Ny", role, Agency.CITY,
                                       "RK").enrolment_code
    finally:
        adm.close()


@pytest.fixture
def unlock_dialog(qtbot, world, ctx_factory):
    from trefas_app.ui.unlock import UnlockDialog

    dlg = UnlockDialog(ctx_factory(world.root), None)
    qtbot.addWidget(dlg)
    dlg.show()
    return dlg


def test_first_log_in_chooses_the_persons_own_password(qtbot, world, unlock_dialog):
    code = _code(world)
    unlock_dialog.user_edit.setText("nils")
    dlg = unlock_dialog.open_enrolment()
    assert dlg.user_edit.text() == "nils" and not dlg.ok_button.isEnabled()
    dlg.code_edit.setText(code)
    dlg.password_edit.setText("kort")
    assert "12 tecken" in dlg.message.text() and not dlg.ok_button.isEnabled()
    dlg.password_edit.setText(NEW_PW)
    dlg.repeat_edit.setText(NEW_PW)
    assert dlg.ok_button.isEnabled()
    with qtbot.waitSignal(dlg.accepted, timeout=WAIT):
        dlg.ok_button.click()
    assert KeyFile.load(world.root / "trefas.keys").find("nils").state == "awaiting"
    assert "Logga in" in unlock_dialog.message.text()


def test_a_wrong_code_is_refused_in_one_sentence(qtbot, world, unlock_dialog):
    _code(world)
    dlg = unlock_dialog.open_enrolment()
    dlg.user_edit.setText("nils")
    dlg.code_edit.setText("AAAA-BBBB-CCCC-DDDD")
    dlg.password_edit.setText(NEW_PW)
    dlg.repeat_edit.setText(NEW_PW)
    dlg.ok_button.click()
    qtbot.waitUntil(lambda: "Fel engångskod" in dlg.message.text(), timeout=WAIT)
    assert KeyFile.load(world.root / "trefas.keys").find("nils").state == "enrolment"


def test_the_recovery_key_confirms_a_first_supervisor(qtbot, world, unlock_dialog):
    code = _code(world, "sune", Role.SUPERVISOR)
    fingerprint = accounts.enrol_account(world.root, "sune", code, NEW_PW)
    dlg = unlock_dialog.open_recovery()
    dlg.key_edit.setText(world.recovery_key)
    dlg.user_edit.setText("sune")
    assert not dlg.ok_button.isEnabled()  # confirming needs the fingerprint sune reads out
    assert dlg.fingerprint_edit.accessibleName()
    dlg.fingerprint_edit.setText(fingerprint)
    dlg.ok_button.click()
    qtbot.waitUntil(lambda: "bekräftad" in dlg.message.text(), timeout=WAIT)
    assert KeyFile.load(world.root / "trefas.keys").find("sune").state == "ready"


def test_the_recovery_key_gives_the_administrator_a_new_code(qtbot, world, unlock_dialog):
    dlg = unlock_dialog.open_recovery()
    dlg.key_edit.setText(world.recovery_key)
    dlg.action_combo.setCurrentIndex(dlg.action_combo.findData("reset"))
    dlg.user_edit.setText("admin")
    dlg.ok_button.click()
    qtbot.waitUntil(lambda: bool(dlg.code_label.text()), timeout=WAIT)
    accounts.enrol_account(world.root, "admin", dlg.code_label.text(), NEW_PW)
    unlock(world.root, "admin", NEW_PW).close()


def test_the_fingerprint_dialogs_are_named_and_reached_by_keyboard(qtbot, world, ctx_factory):
    """Review finding 8: what the fingerprint adds to the window works with a
    screen reader (every control named) and by Tab alone."""
    from PySide6.QtCore import Qt

    from trefas_app.ui import accessibility
    from trefas_app.ui.dialogs.enrol import ConfirmAccountDialog, RecoveryDialog

    pending = accounts.PendingAccount("nils", "Nils Ny", Role.SOCIAL_WORKER, "city", "RK",
                                      None)
    confirm = ConfirmAccountDialog(ctx_factory(world.root), pending, "Socialsekreterare",
                                   lambda _p: None)
    qtbot.addWidget(confirm)
    confirm.show()
    assert accessibility.audit(confirm) == []
    assert confirm.fingerprint_edit.accessibleName() == "Fingeravtryck som personen läser upp"
    # No fingerprint to copy: the supervisor types the one the person reads out.
    assert all(not CODE_SHAPE.search(label.text()) for label in confirm.findChildren(QLabel))
    confirm.fingerprint_edit.setText("abcd")
    confirm.fingerprint_edit.setFocus(Qt.FocusReason.TabFocusReason)
    reached = set()
    for _ in range(8):  # what Tab does, in this dialog's own focus chain
        reached.add(confirm.focusWidget())
        confirm.focusNextChild()
    assert {confirm.fingerprint_edit, confirm.ok_button} <= reached, reached
    confirm.reject()
    recovery = RecoveryDialog(ctx_factory(world.root))
    qtbot.addWidget(recovery)
    recovery.show()
    assert accessibility.audit(recovery) == []
    assert recovery.fingerprint_edit.accessibleName() == "Fingeravtryck som personen läser upp"
    recovery.action_combo.setCurrentIndex(recovery.action_combo.findData("reset"))
    assert not recovery.fingerprint_edit.isEnabled()  # a new code needs no fingerprint
