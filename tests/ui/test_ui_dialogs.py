"""Dialogs validate as you type, never lose typed text by mistake, and save
through the services."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate

from trefas_app.domain.enums import Agency, Category
from trefas_app.domain.text import FIELD_RULES
from trefas_app.services import persons
from trefas_app.ui import common
from trefas_app.ui.dialogs.consent import ConsentDialog
from trefas_app.ui.dialogs.emergency import EmergencyAccessDialog
from trefas_app.ui.dialogs.note import NoteDialog
from trefas_app.ui.dialogs.person import PersonDialog

VALID_PN = "19900101-0017"


# --- person -------------------------------------------------------------------------


def test_personal_number_is_checked_as_you_type(qtbot, sara_ctx):
    dlg = PersonDialog(sara_ctx, None)
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.first_edit.setText("Amir")
    dlg.last_edit.setText("Haddad")
    assert dlg.ok_button.isEnabled()  # a personnummer is optional
    dlg.pn_edit.setText("19900101-0018")
    assert not dlg.ok_button.isEnabled()
    assert dlg.pn_error.isVisible()
    assert dlg.pn_error.text() == "Kontrollsiffran stämmer inte – kontrollera personnumret."
    dlg.pn_edit.setText("199001")
    assert "10 eller 12 siffror" in dlg.pn_error.text()
    dlg.pn_edit.setText(VALID_PN)
    assert not dlg.pn_error.isVisible() and dlg.ok_button.isEnabled()
    assert dlg.pn_info.text() == "Född 1990-01-01"


def test_names_are_required(qtbot, sara_ctx):
    dlg = PersonDialog(sara_ctx, None)
    qtbot.addWidget(dlg)
    dlg.show()
    assert not dlg.ok_button.isEnabled()
    assert not dlg.first_error.isVisible()  # no scolding before typing
    qtbot.keyClicks(dlg.first_edit, "A")
    qtbot.keyClick(dlg.first_edit, "\b")
    assert dlg.first_error.text() == "Förnamn måste fyllas i."
    dlg.first_edit.setText("Amir")
    assert not dlg.ok_button.isEnabled()  # last name still missing
    dlg.last_edit.setText("Haddad")
    assert dlg.ok_button.isEnabled()


def test_cancel_with_typed_text_asks_first(qtbot, sara_ctx, monkeypatch):
    dlg = PersonDialog(sara_ctx, None)
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.first_edit.setText("Amir")
    questions = []
    monkeypatch.setattr(common, "ask", lambda *a: questions.append(a[1]) or False)
    dlg.cancel_button.click()
    assert dlg.isVisible() and questions and "inte är sparade" in questions[0]
    monkeypatch.setattr(common, "ask", lambda *a: True)
    dlg.cancel_button.click()
    assert not dlg.isVisible()


def test_cancel_without_changes_does_not_ask(qtbot, sara_ctx, questions):
    dlg = PersonDialog(sara_ctx, None)
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.cancel_button.click()
    assert not dlg.isVisible()
    assert questions == []


def test_saves_through_the_service(qtbot, sara_ctx):
    dlg = PersonDialog(sara_ctx, None)
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.first_edit.setText("Amir")
    dlg.last_edit.setText("Haddad")
    dlg.pn_edit.setText(VALID_PN)
    changes = []
    sara_ctx.changed.connect(changes.append)
    with qtbot.waitSignal(dlg.succeeded, timeout=10_000) as sig:
        dlg.ok_button.click()
    person = sig.args[0]
    assert person.display_name == "Amir Haddad" and person.personal_number == VALID_PN
    # the service reports the person it wrote; the person list and card refresh
    assert any(c.touches("persons", person.id) for c in changes)
    assert not dlg.isVisible()


def test_a_refusal_is_shown_inside_the_dialog_and_keeps_the_text(qtbot, sara_ctx, run_sync):
    run_sync(sara_ctx, persons.create_person, persons.PersonInput("Amir", "Haddad",
                                                                  personal_number=VALID_PN))
    dlg = PersonDialog(sara_ctx, None)
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.first_edit.setText("Annan")
    dlg.last_edit.setText("Person")
    dlg.pn_edit.setText(VALID_PN)
    dlg.ok_button.click()
    qtbot.waitUntil(lambda: dlg.problem_label.isVisible(), timeout=10_000)
    assert dlg.problem_label.text() == "Det finns redan en person med det personnumret."
    assert dlg.isVisible() and dlg.first_edit.text() == "Annan"
    assert sara_ctx.messages == []  # inline, not a message box


# --- consent ------------------------------------------------------------------------


@pytest.fixture
def person(sara_ctx, run_sync):
    return run_sync(sara_ctx, persons.create_person,
                    persons.PersonInput("Amir", "Haddad", personal_number=VALID_PN))


def _qd(d: dt.date) -> QDate:
    return QDate(d.year, d.month, d.day)


def test_consent_needs_an_end_date_in_order_and_a_grant(qtbot, sara_ctx, person):
    today = dt.date(2025, 5, 1)
    dlg = ConsentDialog(sara_ctx, None, person, None, today=today)
    qtbot.addWidget(dlg)
    dlg.show()
    assert Agency.CITY not in dlg.recipients  # own agency needs no consent
    dlg.purpose_edit.setText("Samverkan inom SIG")
    dlg.checks[(Agency.POLICE, Category.IDENTITY)].setChecked(True)
    assert not dlg.ok_button.isEnabled()
    assert "Ett samtycke måste ha ett slutdatum." in dlg.problems()
    dlg.until_edit.setDate(_qd(today - dt.timedelta(days=3)))
    assert dlg.until_error.text() == "Slutdatumet ligger före startdatumet."
    assert not dlg.ok_button.isEnabled()
    dlg.until_edit.setDate(_qd(today + dt.timedelta(days=900)))
    assert dlg.until_error.text() == "Ett samtycke kan gälla högst två år."
    dlg.until_edit.setDate(_qd(today + dt.timedelta(days=180)))
    assert dlg.problems() == [] and dlg.ok_button.isEnabled()
    dlg.checks[(Agency.POLICE, Category.IDENTITY)].setChecked(False)
    assert not dlg.ok_button.isEnabled()


def test_consent_period_buttons_and_save(qtbot, sara_ctx, person):
    dlg = ConsentDialog(sara_ctx, None, person, None)
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.purpose_edit.setText("Samverkan inom SIG")
    dlg._set_period(6)
    for cat in (Category.IDENTITY, Category.SOCIAL):
        dlg.checks[(Agency.POLICE, cat)].setChecked(True)
    assert dlg.ok_button.isEnabled()
    with qtbot.waitSignal(dlg.succeeded, timeout=10_000) as sig:
        dlg.ok_button.click()
    view = sig.args[0]
    assert set(view.grants) == {(Agency.POLICE, Category.IDENTITY),
                                (Agency.POLICE, Category.SOCIAL)}
    assert view.status == "active"


def test_minor_needs_a_guardian(qtbot, sara_ctx, run_sync):
    young = run_sync(sara_ctx, persons.create_person, persons.PersonInput(
        "Liten", "Person", personal_number="20150315-0011"))
    dlg = ConsentDialog(sara_ctx, None, young, None)
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.purpose_edit.setText("SIG")
    dlg._set_period(6)
    dlg.checks[(Agency.POLICE, Category.SOCIAL)].setChecked(True)
    assert "Ange vårdnadshavaren." in dlg.problems()
    dlg.guardian_edit.setText("Mamma Person")
    assert dlg.problems() == []


# --- emergency ------------------------------------------------------------------------


def test_emergency_reason_needs_ten_characters(qtbot, sara_ctx):
    dlg = EmergencyAccessDialog(sara_ctx, None, case_number="K-2025-00001")
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.reason_edit.setPlainText("akut")
    assert not dlg.ok_button.isEnabled()
    assert dlg.counter.text() == "4 av minst 10 tecken"
    dlg.reason_edit.setPlainText("Akut hot mot personen i kväll")
    assert dlg.ok_button.isEnabled()


# --- field limits as you type (domain/text.py) ------------------------------------------


def test_person_fields_stop_at_their_limits(qtbot, sara_ctx):
    dlg = PersonDialog(sara_ctx, None)
    qtbot.addWidget(dlg)
    for edit, key in ((dlg.first_edit, "persons.first_name"),
                      (dlg.address_edit, "persons.address"),
                      (dlg.phone_edit, "persons.phone"),
                      (dlg.postal_edit, "persons.postal_code")):
        assert edit.maxLength() == FIELD_RULES[key].limit
        edit.setText("x" * (FIELD_RULES[key].limit + 50))
        assert len(edit.text()) == FIELD_RULES[key].limit


def test_a_text_area_drops_what_goes_past_its_limit(qtbot, sara_ctx):
    dlg = NoteDialog(sara_ctx, None, case_id=1)
    qtbot.addWidget(dlg)
    limit = FIELD_RULES["notes.body"].limit
    dlg.body_edit.setPlainText("y" * (limit + 10))
    assert len(dlg.body_edit.toPlainText()) == limit
    assert dlg.title_edit.maxLength() == FIELD_RULES["notes.title"].limit


def test_the_emergency_reason_counts_visible_characters(qtbot, sara_ctx):
    dlg = EmergencyAccessDialog(sara_ctx, None)
    qtbot.addWidget(dlg)
    dlg.number_edit.setText("K-2026-00001")
    dlg.reason_edit.setPlainText("e" + "\u0301" * 12)
    assert not dlg.ok_button.isEnabled()
    dlg.reason_edit.setPlainText("Akut hot mot personen i natt")
    assert dlg.ok_button.isEnabled()
