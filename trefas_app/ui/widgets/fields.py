"""Input fields built the same way in every dialog and form: a named line
edit or text area that keeps to its stored field's length, a combo box of enum values in
the user's language, the user's own unit chosen in a unit list.

One place for these so that a field's name (the tests and the accessibility
tree find fields by it), its length rule and its labels cannot drift apart
between dialogs.
"""

from __future__ import annotations

from typing import Any, Iterable

from PySide6.QtWidgets import QComboBox, QLineEdit, QPlainTextEdit, QWidget

from trefas_app.ui.common import enum_label, limit_field


def line_edit(parent: QWidget, name: str, field: str | None = None,
              placeholder: str = "") -> QLineEdit:
    """A line edit named ``name``; ``field`` (``"table.column"``) limits its
    length to the stored column's; ``placeholder`` is the greyed example."""
    edit = QLineEdit(parent)
    if field is not None:
        limit_field(edit, field)
    edit.setObjectName(name)
    if placeholder:
        edit.setPlaceholderText(placeholder)
    return edit


def text_area(parent: QWidget, name: str, field: str | None = None) -> QPlainTextEdit:
    """A plain-text area named ``name``; ``field`` (``"table.column"``) stops
    it at the stored column's length."""
    edit = QPlainTextEdit(parent)
    if field is not None:
        limit_field(edit, field)
    edit.setObjectName(name)
    return edit


def enum_combo(parent: QWidget, name: str, values: Iterable[Any], lang: str,
               placeholder: str | None = None) -> QComboBox:
    """A combo box named ``name`` holding ``values`` (enum members, each with
    its label in ``lang``); ``placeholder`` first, holding None, when given."""
    combo = QComboBox(parent)
    combo.setObjectName(name)
    if placeholder is not None:
        combo.addItem(placeholder, None)
    for value in values:
        combo.addItem(enum_label(value, lang), value)
    return combo


def refill_enum(combo: QComboBox, values: Iterable[Any], lang: str) -> None:
    """An :func:`enum_combo`'s values replaced (the record was read again and
    offers other steps now), its placeholder kept first."""
    placeholder = ([(combo.itemText(0), None)]
                   if combo.count() and combo.itemData(0) is None else [])
    refill(combo, placeholder + [(enum_label(value, lang), value) for value in values])


def select_own_unit(combo: QComboBox, ctx) -> None:
    """Start a unit list at the signed-in user's own unit (when it is listed)."""
    if ctx.actor is not None:
        i = combo.findData(ctx.actor.unit_id)
        if i >= 0:
            combo.setCurrentIndex(i)


def choice_combo(parent: QWidget, name: str, label: str,
                 choices: Iterable[tuple[str, Any]] = ()) -> QComboBox:
    """A combo box named ``name`` whose accessible name is ``label`` (it stands
    without a form label, e.g. a list's filter), holding ``(text, value)``
    ``choices``."""
    combo = QComboBox(parent)
    combo.setAccessibleName(label)
    combo.setObjectName(name)
    for text, value in choices:
        combo.addItem(text, value)
    return combo


def refill(combo: QComboBox, choices: Iterable[tuple[str, Any]],
           empty: str | None = None) -> None:
    """Replace a combo box's ``(text, value)`` choices without signalling,
    keeping the chosen value while it is still offered (else the first);
    ``empty`` (holding None) stands alone when there is no choice."""
    current = combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    for text, value in choices:
        combo.addItem(text, value)
    if empty is not None and not combo.count():
        combo.addItem(empty, None)
    combo.setCurrentIndex(max(0, combo.findData(current)))
    combo.blockSignals(False)
