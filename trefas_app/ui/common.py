"""Small helpers every screen and dialog uses: labels, dates, banners, the
"N entries are not shared" line, and the one blocking question (``ask``)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Callable

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QWidget,
)

from trefas_app.domain import clock
from trefas_app.domain.enums import Category
from trefas_app.domain.labels import label

def tr(text: str) -> str:
    """Translate a string that is not inside a QObject (context "common")."""
    return QCoreApplication.translate("common", text)


def enum_label(value: StrEnum | None, lang: str = "sv") -> str:
    if value is None:
        return ""
    return label(value, lang)


def combo_enum(combo, enum_cls):
    """The enum member stored as a combo box item's data.

    PySide turns a StrEnum stored with ``addItem(text, member)`` into a plain
    ``str``; this gives the member back (None stays None)."""
    data = combo.currentData()
    return None if data is None else enum_cls(data)


def local(ts: dt.datetime | None) -> dt.datetime | None:
    """An instant in the office zone (naive values are stored UTC)."""
    if ts is None:
        return None
    return clock.to_local(ts)


def fmt_date(value: dt.date | dt.datetime | None) -> str:
    """ISO dates, as Swedish offices write them: 2025-03-14."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = local(value).date()
    return value.isoformat()


def fmt_datetime(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    return local(value).strftime("%Y-%m-%d %H:%M")


def fmt_time(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    return local(value).strftime("%H:%M")


# --- "N entries are not shared with your agency" ----------------------------------

_CATEGORY_SHORT = {
    Category.IDENTITY: ("identitet", "identity"),
    Category.LOCATION: ("adress och boende", "address and housing"),
    Category.SOCIAL: ("sociala uppgifter", "social information"),
    Category.HEALTH: ("hälsa", "health"),
    Category.CRIMINAL: ("brott", "criminal offences"),
    Category.THREAT: ("hot och risk", "threat and risk"),
}


def plural_suffix(spin, text_for) -> None:
    """A spin box's unit in the right number ("1 timme", "2 timmar"):
    ``text_for(n)`` is a ``tr("%n timmar", "", n)``, asked again at every
    change; the spin box shows the number itself, so the suffix is the rest."""
    def update(n: int) -> None:
        text = text_for(n)
        number = str(n)
        spin.setSuffix(text.split(number, 1)[1] if number in text else " " + text)

    update(spin.value())
    spin.valueChanged.connect(update)


def fmt_count(n: int, lang: str = "sv") -> str:
    """44 900 in Swedish (a non-breaking space between thousands), 44,900 in English."""
    text = f"{n:,}"
    return text.replace(",", "\u00a0") if lang == "sv" else text


def rows_so_far(model, lang: str = "sv") -> str:
    """"200+" while a list's count is on its way (or "37" when no more rows follow)."""
    return fmt_count(model.loaded, lang) + ("+" if model.canFetchMore() else "")


def category_short(category: Category, lang: str = "sv") -> str:
    sv, en = _CATEGORY_SHORT[Category(category)]
    return sv if lang == "sv" else en


def hidden_line(hidden: dict[Category, int] | None, singular: str, plural: str,
                lang: str = "sv") -> str:
    """'2 anteckningar delas inte med din myndighet (hälsa, brott)', or '' when
    nothing is hidden. ``singular``/``plural`` are the noun in the UI language."""
    if not hidden:
        return ""
    n = sum(hidden.values())
    if n <= 0:
        return ""
    order = list(Category)
    cats = ", ".join(category_short(c, lang)
                     for c in sorted(hidden, key=lambda c: order.index(Category(c))))
    noun = singular if n == 1 else plural
    if lang == "sv":
        return f"{fmt_count(n, lang)} {noun} delas inte med din myndighet ({cats})"
    return f"{fmt_count(n, lang)} {noun} not shared with your agency ({cats})"


# --- banners ------------------------------------------------------------------------


class Banner(QFrame):
    """A coloured strip across the top of a view: emergency access (red),
    revealed identity (amber). Hidden while it has no text."""

    def __init__(self, kind: str = "red", parent: QWidget | None = None):
        super().__init__(parent)
        self.setProperty("role", f"banner-{kind}")
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(10, 6, 10, 6)
        lay.addWidget(self.label, 1)
        self.hide()

    def set_text(self, text: str) -> None:
        self.label.setText(text)
        self.setVisible(bool(text))


def heading(text: str, parent: QWidget | None = None) -> QLabel:
    lbl = QLabel(text, parent)
    lbl.setProperty("role", "heading")
    return lbl


def muted(text: str = "", parent: QWidget | None = None, role: str = "muted") -> QLabel:
    lbl = QLabel(text, parent)
    lbl.setProperty("role", role)
    lbl.setWordWrap(True)
    return lbl


# --- the one blocking question ------------------------------------------------------

def _ask_with_box(parent: QWidget | None, text: str, yes: str, no: str) -> bool:
    box = QMessageBox(QMessageBox.Icon.Question, "Trefas", text, QMessageBox.StandardButton.NoButton,
                      parent)
    yes_btn = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
    no_btn = box.addButton(no, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(no_btn)
    box.exec()
    return box.clickedButton() is yes_btn


#: ``ask(parent, text, yes, no) -> bool``. A module attribute, so tests can
#: replace it (``monkeypatch.setattr(common, "ask", lambda *a: True)``).
ask: Callable[[QWidget | None, str, str, str], bool] = _ask_with_box


def confirm(parent: QWidget | None, text: str, yes: str, no: str) -> bool:
    """Ask a yes/no question (blocking, on the GUI thread, no database work)."""
    return ask(parent, text, yes, no)


def limit_field(widget, field: str) -> None:
    """Apply a stored field's maximum length (domain/text.py) as the user
    types: a line edit stops at it, a text area drops what goes past it."""
    from PySide6.QtGui import QTextCursor
    from PySide6.QtWidgets import QLineEdit

    from trefas_app.domain.text import FIELD_RULES

    limit = FIELD_RULES[field].limit
    if isinstance(widget, QLineEdit):
        widget.setMaxLength(limit)
        return

    def cut() -> None:
        text = widget.toPlainText()
        if len(text) > limit:
            widget.setPlainText(text[:limit])
            widget.moveCursor(QTextCursor.MoveOperation.End)

    widget.textChanged.connect(cut)
