"""The Dokument case tab: a social worker hands a case over to the police
(preview with pages, the list of what was left out), a wrong confirmation
password issues nothing; the verify dialog accepts the issued bytes and
refuses them after one byte has changed."""

from __future__ import annotations

import datetime as dt
import os
import stat

import pytest
from PySide6.QtWidgets import QWidget

from trefas_app.domain import clock
from trefas_app.domain.enums import Agency, Category
from trefas_app.services import cases, consents, notes, persons
from trefas_app.store.store import unlock

PW = "Granskog-och-hav-42"  # as in conftest.py
WAIT = 20_000


@pytest.fixture
def case_id(world) -> int:
    """A case of Sara's whose person consents to the police receiving identity
    details only; a signed social note (which must be left out)."""
    sara = unlock(world.root, "sara", PW)
    try:
        today = clock.today()
        p = persons.create_person(sara.uow(), sara.actor, persons.PersonInput("Amir", "Haddad"))
        case = cases.open_case(sara.uow(), sara.actor, p.id, "Risk för våld")
        consents.record_consent(sara.uow(), sara.actor, consents.ConsentInput(
            person_id=p.id, purpose="Samverkan", valid_from=today,
            valid_until=today + dt.timedelta(days=100),
            grants=frozenset({(Agency.POLICE, Category.IDENTITY)})))
        n = notes.write_note(sara.uow(), sara.actor, case.id, "Hembesök",
                             "Familjen berättade om oro.", Category.SOCIAL)
        notes.sign_note(sara.uow(), sara.actor, n.id)
        return case.id
    finally:
        sara.close()


@pytest.fixture
def login(ctx_factory, unlock_sync, world):
    def make(username: str):
        ctx = ctx_factory(world.root)
        unlock_sync(ctx, username)
        return ctx

    return make


def shown(qtbot, widget: QWidget) -> QWidget:
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.show()
    if hasattr(widget, "activate"):
        widget.activate()
    return widget


def documents_tab(qtbot, ctx, case_id: int):
    from trefas_app.ui.screens.case_view import CaseViewScreen

    view = shown(qtbot, CaseViewScreen(ctx))
    view.show_item(case_id)
    qtbot.waitUntil(lambda: view.case is not None, timeout=WAIT)
    assert view.select_tab("documents")
    tab = view.tab("documents")
    assert type(tab).__name__ == "Tab"
    qtbot.waitUntil(lambda: tab.case is not None and tab.isVisible(), timeout=WAIT)
    return tab


def open_handover(qtbot, tab):
    assert tab.handover_button.isVisible()
    tab.handover_button.click()
    dlg = tab.handover_dialog
    qtbot.waitUntil(dlg.isVisible, timeout=WAIT)
    return dlg


def fill(dlg, password: str):
    from trefas_app.ui.common import combo_enum

    idx = dlg.agency.findData(Agency.POLICE)
    assert idx >= 0
    dlg.agency.setCurrentIndex(idx)
    assert combo_enum(dlg.agency, Agency) == Agency.POLICE
    dlg.recipient.setText("LPO Rinkeby")
    dlg.password.setText(password)


def issue(qtbot, login, case_id, password=PW):
    ctx = login("sara")
    tab = documents_tab(qtbot, ctx, case_id)
    qtbot.waitUntil(tab.register_empty.isVisible, timeout=WAIT)  # nothing issued yet
    dlg = open_handover(qtbot, tab)
    fill(dlg, password)
    assert dlg.ok_button.isEnabled()
    dlg.ok_button.click()
    return ctx, tab, dlg


def test_social_worker_hands_a_case_to_the_police_with_preview(qtbot, login, case_id, tmp_path):
    _ctx, tab, dlg = issue(qtbot, login, case_id)
    # The own agency is never offered as the recipient.
    assert dlg.agency.findData(Agency.CITY) == -1
    qtbot.waitUntil(lambda: tab.result is not None, timeout=WAIT)
    qtbot.waitUntil(lambda: tab.preview.pages() >= 1, timeout=WAIT)
    result = tab.result
    assert result.number.startswith("D-")
    assert "LPO Rinkeby" in result.recipient
    assert tab.preview.pages() == result.pages
    assert not tab.preview.page_labels[0].pixmap().isNull()
    # The social note is not for the police: it is named in the omitted list.
    assert tab.omitted_title.isVisible() and tab.omitted_title.text() == "Ej med i dokumentet"
    items = [tab.omitted_list.item(i).text() for i in range(tab.omitted_list.count())]
    assert items == list(result.omitted) and items
    assert tab.save_button.isVisible() and tab.print_button.isVisible()
    # The case's register of issued documents lists it (it was empty before).
    qtbot.waitUntil(lambda: tab.register.rowCount() == 1, timeout=WAIT)
    assert tab.register.item(0, 0).text() == result.number
    assert tab.register.item(0, 2).text() == result.recipient
    assert not tab.register_empty.isVisible()
    # A social worker may not issue a case summary.
    assert not tab.summary_button.isVisible()

    # Saving writes the exact bytes, readable by the owner only.
    target = tmp_path / "out.pdf"
    assert tab.save_to(str(target))
    assert target.read_bytes() == result.pdf_bytes
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600

    # Locking drops the document.
    tab.clear()
    assert tab.result is None and tab.preview.pages() == 0


def test_wrong_confirmation_password_shows_the_error_and_no_preview(qtbot, login, case_id):
    _ctx, tab, dlg = issue(qtbot, login, case_id, password="fel-lösenord-123")
    qtbot.waitUntil(lambda: dlg.problem_label.isVisible(), timeout=WAIT)
    assert dlg.problem_label.text() == "Fel lösenord. Överlämningen har inte skapats."
    assert dlg.isVisible()
    assert dlg.password.text() == ""
    assert tab.result is None
    assert not tab.result_box.isVisible()
    assert tab.preview.pages() == 0


def test_pdf_password_must_be_typed_twice_alike(qtbot, login, case_id):
    ctx = login("sara")
    tab = documents_tab(qtbot, ctx, case_id)
    dlg = open_handover(qtbot, tab)
    fill(dlg, PW)
    dlg.pdf_pw.setText("Långt-lösenord-1234")
    dlg.pdf_pw2.setText("Långt-lösenord-1235")
    assert not dlg.ok_button.isEnabled()
    dlg.pdf_pw2.setText("Långt-lösenord-1234")
    assert dlg.ok_button.isEnabled()


def test_encrypted_handover_previews_with_its_password(qtbot, login, case_id):
    ctx = login("sara")
    tab = documents_tab(qtbot, ctx, case_id)
    dlg = open_handover(qtbot, tab)
    fill(dlg, PW)
    dlg.pdf_pw.setText("Långt-lösenord-1234")
    dlg.pdf_pw2.setText("Långt-lösenord-1234")
    dlg.ok_button.click()
    qtbot.waitUntil(lambda: tab.result is not None, timeout=WAIT)
    assert tab.result.password_protected
    qtbot.waitUntil(lambda: tab.preview.pages() >= 1, timeout=WAIT)


def test_verify_dialog_accepts_the_issued_pdf_and_refuses_a_changed_one(qtbot, login,
                                                                        case_id):
    from trefas_app.ui.dialogs.document_verify import VerifyDocumentDialog

    ctx, tab, _dlg = issue(qtbot, login, case_id)
    qtbot.waitUntil(lambda: tab.result is not None, timeout=WAIT)
    result = tab.result

    verify = VerifyDocumentDialog(ctx)
    qtbot.addWidget(verify)
    verify.show()
    verify.check_bytes(result.pdf_bytes)
    qtbot.waitUntil(lambda: verify.check is not None, timeout=WAIT)
    assert verify.check.ok
    assert verify.result_label.property("ok") is True
    assert verify.number_label.text() == result.number
    assert "LPO Rinkeby" in verify.recipient_label.text()
    assert verify.issuer_label.text().startswith("Sara Lind")
    assert verify.issued_label.text()

    data = bytearray(result.pdf_bytes)
    middle = len(data) // 2
    data[middle] = data[middle] ^ 0x01
    verify.check_bytes(bytes(data))
    qtbot.waitUntil(lambda: verify.check is not None, timeout=WAIT)
    assert not verify.check.ok
    assert verify.result_label.property("ok") is False
    assert verify.result_label.text().startswith("Dokumentet kunde inte verifieras.")


def test_supervisor_issues_a_case_summary_without_handover(qtbot, login, case_id):
    ctx = login("stina")
    tab = documents_tab(qtbot, ctx, case_id)
    assert not tab.handover_button.isVisible()
    assert tab.summary_button.isVisible()
    tab.summary_button.click()
    qtbot.waitUntil(lambda: tab.result is not None, timeout=WAIT)
    assert tab.result.kind == "case_summary"
    qtbot.waitUntil(lambda: tab.preview.pages() >= 1, timeout=WAIT)
    assert tab.preview.pages() == tab.result.pages


def test_the_handover_asks_whether_a_revealed_identity_goes_in(qtbot, login, case_id):
    """Issue 9: with an active reveal the handover silently carried the real
    identity. The dialog asks (unticked) only when the identity is revealed."""
    from trefas_app.ui.dialogs.document_handover import HandoverDialog

    ctx = login("sara")
    plain = shown(qtbot, HandoverDialog(ctx, None, case_id))
    assert not plain.include_identity.isVisible()
    asked = shown(qtbot, HandoverDialog(ctx, None, case_id, revealed=True))
    assert asked.include_identity.isVisible() and not asked.include_identity.isChecked()
    calls = []
    asked.run = lambda service, *args, **kw: calls.append(args)
    fill(asked, PW)
    asked.submit()
    assert calls and calls[-1][-1] is False
    asked.include_identity.setChecked(True)
    asked.submit()
    assert calls[-1][-1] is True
