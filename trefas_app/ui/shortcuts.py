"""Hjälp → Kortkommandon: every keyboard shortcut of the window, read from
its actions when the dialog opens (so the list cannot go stale), and the
keys that work everywhere (Tab, arrows, Enter, Escape)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from trefas_app.ui import accessibility
from trefas_app.ui.common import muted


def _general_keys() -> list[tuple[str, str]]:
    """Keys every screen and dialog obeys (Qt's own, kept by accessibility.tune)."""
    t = QCoreApplication
    return [
        ("Tab / Shift+Tab",
         t.translate("Shortcuts", "Nästa / föregående fält, knapp eller lista")),
        (t.translate("Shortcuts", "Piltangenterna"),
         t.translate("Shortcuts", "Flytta i en lista, tabell, ett diagram eller en meny")),
        ("Enter", t.translate("Shortcuts", "Öppna raden eller stapeln du står på")),
        (t.translate("Shortcuts", "Blanksteg"),
         t.translate("Shortcuts", "Tryck på knappen, kryssa i rutan")),
        ("Ctrl+Tab / Ctrl+Shift+Tab", t.translate("Shortcuts", "Nästa / föregående flik")),
        ("Esc", t.translate("Shortcuts",
                            "Stäng dialogen (du får frågan om något inte är sparat)")),
        ("Alt", t.translate("Shortcuts",
                            "Menyraden; Alt och den understrukna bokstaven öppnar en meny")),
    ]


def _plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip(" .…")


def window_shortcuts(window: QWidget) -> list[tuple[str, str]]:
    """(keys, what they do) for every action and shortcut in ``window`` that
    has a key and a text, in menu order."""
    rows: list[tuple[str, str]] = []
    seen: set[str] = set()
    for action in window.findChildren(QAction):
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        text = _plain(action.text()) or _plain(action.toolTip())
        if keys and text and keys not in seen and action.isEnabled():
            seen.add(keys)
            rows.append((keys, text))
    for shortcut in window.findChildren(QShortcut):
        keys = shortcut.key().toString(QKeySequence.SequenceFormat.NativeText)
        if keys and shortcut.whatsThis() and keys not in seen:
            seen.add(keys)
            rows.append((keys, shortcut.whatsThis()))
    return rows


class ShortcutsDialog(QDialog):
    def __init__(self, window: QWidget):
        super().__init__(window)
        self.setObjectName("shortcutsDialog")
        self.setWindowTitle(self.tr("Kortkommandon"))
        lay = QVBoxLayout(self)
        lay.addWidget(muted(self.tr("Allt i Trefas går att göra med tangentbordet."), self))
        rows = window_shortcuts(window) + _general_keys()
        self.table = QTableWidget(len(rows), 2, self)
        self.table.setObjectName("shortcuts")
        accessibility.name(self.table, self.tr("Kortkommandon"))
        self.table.setHorizontalHeaderLabels([self.tr("Tangenter"), self.tr("Gör")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(True)
        for r, (keys, text) in enumerate(rows):
            self.table.setItem(r, 0, QTableWidgetItem(keys))
            self.table.setItem(r, 1, QTableWidgetItem(text))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.resizeRowsToContents()
        lay.addWidget(self.table, 1)
        buttons = QDialogButtonBox(self)
        buttons.addButton(self.tr("Stäng"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.resize(self.table.horizontalHeader().length() + 420, 520)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        accessibility.tune(self)

    def rows(self) -> list[tuple[str, str]]:
        return [(self.table.item(r, 0).text(), self.table.item(r, 1).text())
                for r in range(self.table.rowCount())]
