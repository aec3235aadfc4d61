"""The shared field builders behave as the hand-written code they replace did."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox

from trefas_app.domain.enums import Agency
from trefas_app.ui.widgets.fields import choice_combo, enum_combo, line_edit, refill, text_area


def test_refill_keeps_the_choice_and_stays_quiet(qapp):
    combo = choice_combo(None, "unit", "Enhet", [("A", 1), ("B", 2), ("C", 3)])
    combo.setCurrentIndex(2)
    seen = []
    combo.currentIndexChanged.connect(seen.append)
    refill(combo, [("C", 3), ("D", 4)])
    assert [combo.itemData(i) for i in range(combo.count())] == [3, 4]
    assert combo.currentData() == 3
    refill(combo, [("E", 5)])  # the choice is gone: the first one
    assert combo.currentData() == 5
    assert seen == []  # no signal: the caller decides what follows


def test_refill_with_nothing_to_offer_shows_the_empty_line(qapp):
    combo = QComboBox()
    refill(combo, [], empty="Ingen enhet")
    assert combo.count() == 1 and combo.itemText(0) == "Ingen enhet"
    assert combo.currentData() is None


def test_builders_name_and_limit_their_fields(qapp):
    edit = line_edit(None, "title", "notes.title", placeholder="t.ex.")
    assert edit.objectName() == "title" and edit.placeholderText() == "t.ex."
    assert 0 < edit.maxLength() < 32767
    area = text_area(None, "body", "notes.body")
    assert area.objectName() == "body"
    combo = enum_combo(None, "agency", Agency, "sv", placeholder="Välj")
    assert combo.objectName() == "agency" and combo.itemData(0) is None
    assert [combo.itemData(i) for i in range(1, combo.count())] == list(Agency)
    assert choice_combo(None, "period", "Period").accessibleName() == "Period"
