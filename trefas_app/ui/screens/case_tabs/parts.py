"""Pieces shared by the case-work screens (SIG, Avhoppare, Händelser, Möten,
Uppgifter, Logg) and their case tabs: small read-only tables, a paged model
with row colours, a loader that runs a list service through the worker, card
frames and the "N … delas inte" line.

Not a tab itself: the case view loads only the modules named in
``case_view.CASE_TABS``.
"""

from __future__ import annotations

import inspect

from typing import Any, Callable, Iterable

from PySide6.QtCore import QCoreApplication, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHeaderView,
    QLabel,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from trefas_app.ui import style
from trefas_app.ui.common import hidden_line
from trefas_app.ui.models.paged import PAGE_SIZE, Column, PagedTableModel

#: Text colour of overdue rows and values.
OVERDUE = style.RED
DONE = style.MUTED_TEXT


def overdue_text(text: str) -> str:
    """``text`` marked as overdue in words too: colour is never the only signal."""
    return f"{text} ⚠ " + QCoreApplication.translate("CaseTabs", "försenad")


# --- tables ---------------------------------------------------------------------------


def make_table(parent: QWidget, headers: list[str], name: str = "",
               stretch: int | None = None, select: bool = True) -> QTableWidget:
    """A read-only table of whole-row selections, sized to its contents."""
    table = QTableWidget(0, len(headers), parent)
    if name:
        table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(26)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection if select
                           else QAbstractItemView.SelectionMode.NoSelection)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    header = table.horizontalHeader()
    header.setHighlightSections(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if stretch is not None:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    else:
        header.setStretchLastSection(True)
    return table


def fill_row(table: QTableWidget, row: int, cells: Iterable[Any], data: Any = None,
             colour: QColor | None = None, bold: bool = False, tooltip: str = "",
             icons: dict[int, Any] | None = None) -> None:
    """Put ``cells`` (texts) in ``row``; ``data`` goes in column 0's UserRole."""
    for c, value in enumerate(cells):
        item = QTableWidgetItem("" if value is None else str(value))
        if c == 0 and data is not None:
            item.setData(Qt.ItemDataRole.UserRole, data)
        if colour is not None:
            item.setForeground(QBrush(colour))
        if bold:
            f = QFont(item.font())
            f.setWeight(QFont.Weight.DemiBold)
            item.setFont(f)
        if tooltip:
            item.setToolTip(tooltip)
        if icons and c in icons and icons[c] is not None:
            item.setIcon(icons[c])
        table.setItem(row, c, item)


def selected_data(table: QTableWidget) -> Any:
    """The UserRole data of the selected row's first cell (None if nothing)."""
    rows = table.selectionModel().selectedRows() if table.selectionModel() else []
    if not rows:
        return None
    item = table.item(rows[0].row(), 0)
    return item.data(Qt.ItemDataRole.UserRole) if item is not None else None


def select_data(table: QTableWidget, match: Callable[[Any], bool]) -> bool:
    """Select the first row whose data matches; True if one did."""
    for r in range(table.rowCount()):
        item = table.item(r, 0)
        if item is not None and match(item.data(Qt.ItemDataRole.UserRole)):
            table.selectRow(r)
            return True
    return False


def configure_view(table: QTableView) -> None:
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(26)
    header = table.horizontalHeader()
    header.setHighlightSections(False)
    header.setStretchLastSection(True)


# --- labels and cards -------------------------------------------------------------------


def subheading(text: str, parent: QWidget | None = None) -> QLabel:
    lbl = QLabel(text, parent)
    lbl.setProperty("role", "subheading")
    return lbl


def hidden_label(parent: QWidget | None = None, name: str = "") -> QLabel:
    lbl = QLabel(parent)
    lbl.setProperty("role", "hidden-line")
    lbl.setWordWrap(True)
    if name:
        lbl.setObjectName(name)
    lbl.hide()
    return lbl


def show_hidden(lbl: QLabel, hidden: dict | None, singular: str, plural: str, lang: str,
                why: str = "") -> None:
    """Fill a hidden-line label: how many entries are not shown, and why."""
    text = hidden_line(hidden, singular, plural, lang)
    lbl.setText(text)
    lbl.setToolTip(why if text else "")
    lbl.setVisible(bool(text))


def card(parent: QWidget | None = None, name: str = "") -> tuple[QFrame, QVBoxLayout]:
    frame = QFrame(parent)
    frame.setProperty("role", "card")
    if name:
        frame.setObjectName(name)
    lay = QVBoxLayout(frame)
    lay.setContentsMargins(14, 10, 14, 12)
    lay.setSpacing(6)
    return frame, lay


def value_label(parent: QWidget | None = None, name: str = "") -> QLabel:
    lbl = QLabel(parent)
    lbl.setTextFormat(Qt.TextFormat.PlainText)
    lbl.setWordWrap(True)
    lbl.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if name:
        lbl.setObjectName(name)
    return lbl


# --- paged lists -------------------------------------------------------------------------


class ColouredModel(PagedTableModel):
    """A PagedTableModel whose rows may be coloured (overdue red, done grey)."""

    def __init__(self, loader, columns: list[Column], params: Any = None,
                 colour: Callable[[Any], QColor | None] | None = None,
                 page_size: int = PAGE_SIZE, parent=None, counter=None):
        super().__init__(loader, columns, params=params, page_size=page_size, parent=parent,
                         counter=counter)
        self._colour = colour

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.ForegroundRole and self._colour is not None and index.isValid():
            row = self.row_at(index.row())
            colour = self._colour(row) if row is not None else None
            return QBrush(colour) if colour is not None else None
        return super().data(index, role)


def service_loader(ctx, service: Callable[..., Any], key: str,
                   arguments: Callable[[Any], tuple[tuple, dict]], count: bool = True):
    """A PagedTableModel loader: ``service(uow, actor, *args, offset=, limit=, **kw)``
    through the worker, where ``arguments(params) -> (args, kwargs)``.
    ``count=False`` for a model with a :func:`service_counter`."""
    extra = {} if count else {"count": False}

    def load(params, offset, limit, on_page, on_error, **after):
        args, kwargs = arguments(params)
        if ctx.run(service, *args, offset=offset, limit=limit, on_done=on_page,
                   on_error=on_error, key=key, **kwargs, **extra, **after) is None:
            on_error(None)

    # Services that page by keyset get the last row's id (PagedTableModel).
    load.keyset = "after" in inspect.signature(service).parameters
    return load


def service_counter(ctx, service: Callable[..., Any], key: str,
                    arguments: Callable[[Any], tuple[tuple, dict]]):
    """A PagedTableModel counter: ``service(uow, actor, *args, **kw)`` returning a
    ListCount, through the worker (rows first, count after)."""

    def count(params, on_count, on_error):
        args, kwargs = arguments(params)
        return ctx.run(service, *args, on_done=on_count, on_error=on_error, key=key, **kwargs)

    return count


def why_hidden(lang: str) -> str:
    if lang == "sv":
        return ("Uppgifterna finns, men personens samtycke omfattar inte din myndighet eller "
                "den uppgiftskategorin, eller så ligger de utanför ditt uppdrag.")
    return ("The entries exist, but the person's consent does not cover your agency or that "
            "category, or they are outside your remit.")


# --- opening another screen with a filter -----------------------------------------------


def open_screen(widget: QWidget, ctx, key: str, state: dict | None = None) -> bool:
    """Ask the main window to show screen ``key`` and hand it ``state`` through
    its ``restore`` (the protocol the window uses after an unlock). True when
    the screen is now shown."""
    ctx.show_screen(key)
    window = widget.window()
    if getattr(window, "current_key", None) != key:
        return False
    current = getattr(window, "current_screen", None)
    screen = current() if callable(current) else None
    if state and screen is not None and hasattr(screen, "restore"):
        screen.restore(dict(state))
    return True


def empty_label(text: str, parent: QWidget | None = None, name: str = "") -> QLabel:
    """The muted sentence shown instead of a table that has no rows."""
    lbl = QLabel(text, parent)
    lbl.setProperty("role", "muted")
    lbl.setWordWrap(True)
    if name:
        lbl.setObjectName(name)
    lbl.hide()
    return lbl


def fit_table(table: QTableWidget, empty: QLabel | None = None, max_rows: int = 10) -> None:
    """Size a small table to its rows (up to ``max_rows``, then it scrolls);
    with no rows, hide it and show ``empty`` instead."""
    n = table.rowCount()
    if empty is not None:
        empty.setVisible(n == 0)
        table.setVisible(n > 0)
    rows = max(1, min(n, max_rows))
    height = table.horizontalHeader().sizeHint().height() or 28
    for r in range(rows if n else 0):
        height += table.rowHeight(r)
    if not n:
        height += table.verticalHeader().defaultSectionSize()
    table.setFixedHeight(height + 2 * table.frameWidth() + 2)
