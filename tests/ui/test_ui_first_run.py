"""The first-run wizard: a new store with its first administrator, password
policy feedback as you type, the recovery key shown once and confirmed."""

from __future__ import annotations

from PySide6.QtWidgets import QWizard

from trefas_app.store.store import StorePaths, unlock
from trefas_app.ui.first_run import PAGE_ADMIN, PAGE_DEMO, PAGE_RECOVERY, FirstRunWizard

PW = "Granskog-och-hav-42"


def test_new_store_with_administrator_and_recovery_key(qtbot, tmp_path, ctx_factory):
    root = tmp_path / "ny"
    ctx = ctx_factory(root)
    wiz = FirstRunWizard(ctx)
    qtbot.addWidget(wiz)
    wiz.show()
    assert wiz.choice_page.new_radio.isChecked()
    wiz.next()
    assert wiz.currentId() == PAGE_ADMIN
    page = wiz.admin_page
    page.name_edit.setText("Anna Admin")
    page.user_edit.setText("anna.admin")
    page.password_edit.setText("kort")
    assert page.feedback.text() == "Lösenordet måste ha minst 12 tecken."
    assert not page.isComplete()
    page.password_edit.setText("anna.admin-lösenord")
    assert page.feedback.text() == "Lösenordet får inte vara eller innehålla användarnamnet."
    page.password_edit.setText(PW)
    assert page.feedback.text() == "Skriv lösenordet en gång till."
    page.repeat_edit.setText(PW + "x")
    assert page.feedback.text() == "Lösenorden är inte likadana."
    assert not page.isComplete()
    page.repeat_edit.setText(PW)
    assert page.feedback.text() == "Lösenordet uppfyller kraven."
    assert page.isComplete()

    wiz.button(QWizard.WizardButton.CommitButton).click()
    qtbot.waitUntil(lambda: wiz.currentId() == PAGE_RECOVERY, timeout=20_000)
    key = wiz.recovery_page.key_label.text()
    assert key and key == wiz.recovery_key
    kit = tmp_path / "kit.pdf"  # the printable recovery kit, written only when asked
    wiz.recovery_page.save_kit(str(kit))
    assert kit.read_bytes().startswith(b"%PDF") and "kassaskåpet" in \
        wiz.recovery_page.kit_result.text()
    finish = wiz.button(QWizard.WizardButton.FinishButton)
    assert not finish.isEnabled()  # not before the key is written down
    wiz.recovery_page.confirm.setChecked(True)
    assert finish.isEnabled()
    finish.click()
    assert wiz.result() == QWizard.DialogCode.Accepted
    assert wiz.username == "anna.admin"
    assert page.password_edit.text() == ""  # not kept in the widget

    assert StorePaths(root).exists()
    store = unlock(root, "anna.admin", PW)
    assert store.actor.display_name == "Anna Admin"
    store.close()


def test_demo_choice_leads_to_the_demo_page(qtbot, tmp_path, ctx_factory):
    ctx = ctx_factory(tmp_path / "demo")
    wiz = FirstRunWizard(ctx)
    qtbot.addWidget(wiz)
    wiz.show()
    wiz.choice_page.demo_radio.setChecked(True)
    wiz.next()
    assert wiz.currentId() == PAGE_DEMO
    wiz.demo_page.password_edit.setText("123456")
    assert not wiz.demo_page.isComplete()
    assert wiz.demo_page.feedback.text()
    wiz.demo_page.password_edit.setText(PW)
    assert wiz.demo_page.isComplete()
