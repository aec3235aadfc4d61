"""The dialogs apply the field limits of domain/text.py as you type."""

from __future__ import annotations

import pytest

from trefas_app.domain.text import FIELD_RULES
from trefas_app.ui.dialogs.emergency import EmergencyAccessDialog
from trefas_app.ui.dialogs.note import NoteDialog
from trefas_app.ui.dialogs.person import PersonDialog


@pytest.fixture
def sara_ctx(qtbot, world, ctx_factory, unlock_sync):
    ctx = ctx_factory(world.root)
    unlock_sync(ctx, "sara")
    return ctx


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
