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
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from trefas_app.domain.enums import TaskState
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


def read_only_rows(table: QTableWidget) -> None:
    """A table the user reads and picks one whole row in: no row numbers, no
    editing, alternating row colours."""
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)


def make_table(parent: QWidget, headers: list[str], name: str = "",
               stretch: int | None = None, select: bool = True) -> QTableWidget:
    """A read-only table of whole-row selections, sized to its contents."""
    table = QTableWidget(0, len(headers), parent)
    if name:
        table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    read_only_rows(table)
    table.verticalHeader().setDefaultSectionSize(26)
    if not select:
        table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
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


def title_row(parent: QWidget, title_name: str, badge_name: str, badge: str | None = "own",
              wrap: bool = False) -> tuple[QHBoxLayout, QLabel, QLabel]:
    """A record's heading row: its title (plain text, taking the width) and
    its state badge on the right; returns the row, the title and the badge."""
    title = QLabel(parent)
    title.setObjectName(title_name)
    title.setProperty("role", "subheading")
    title.setTextFormat(Qt.TextFormat.PlainText)
    if wrap:
        title.setWordWrap(True)
    state = QLabel(parent)
    state.setObjectName(badge_name)
    if badge is not None:
        state.setProperty("badge", badge)
    row = QHBoxLayout()
    row.addWidget(title, 1)
    row.addWidget(state)
    return row, title, state


def titled_column(parent: QWidget, title: str,
                  margins: tuple[int, int, int, int] = (0, 0, 0, 0)) -> tuple[QWidget, QVBoxLayout]:
    """A part of a page: a column under its subheading; returns the column's
    widget and its layout (the subheading already in it)."""
    box = QWidget(parent)
    lay = QVBoxLayout(box)
    lay.setContentsMargins(*margins)
    lay.addWidget(subheading(title, box))
    return box, lay


def scroll_column(owner: QWidget, margins: tuple[int, int, int, int],
                  spacing: int) -> tuple[QScrollArea, QWidget, QVBoxLayout]:
    """Fill ``owner`` with a frameless scroll area holding one column; returns
    the area, the column's widget and its layout."""
    outer = QVBoxLayout(owner)
    outer.setContentsMargins(0, 0, 0, 0)
    scroll = QScrollArea(owner)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    outer.addWidget(scroll)
    inner = QWidget(scroll)
    scroll.setWidget(inner)
    lay = QVBoxLayout(inner)
    lay.setContentsMargins(*margins)
    lay.setSpacing(spacing)
    return scroll, inner, lay


def open_dialog(dlg):
    """Show a dialog without blocking; it deletes itself when closed."""
    dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dlg.open()
    return dlg


def push_button(parent: QWidget, text: str, name: str, slot: Callable[[], Any]) -> QPushButton:
    """A named button that calls ``slot`` when clicked."""
    button = QPushButton(text, parent)
    button.setObjectName(name)
    button.clicked.connect(slot)
    return button


def button_row(*buttons: QWidget, stretch: bool = True) -> QHBoxLayout:
    """A row of buttons from the left, the rest of the width empty."""
    row = QHBoxLayout()
    for button in buttons:
        row.addWidget(button)
    if stretch:
        row.addStretch(1)
    return row


def header_row(parent: QWidget, title: str, left: Iterable[QWidget] = (),
               right: Iterable[QWidget] = ()) -> QHBoxLayout:
    """A section's heading line: the subheading, ``left`` beside it, then
    ``right`` (its buttons) at the right edge."""
    row = QHBoxLayout()
    row.addWidget(subheading(title, parent))
    for widget in left:
        row.addWidget(widget)
    row.addStretch(1)
    for widget in right:
        row.addWidget(widget)
    return row


def table_block(parent: QWidget, layout: QVBoxLayout, headers: list[str], name: str,
                empty_text: str, hidden_name: str, *, stretch: int | None = None,
                select: bool = True, empty_name: str = ""
                ) -> tuple[QTableWidget, QLabel, QLabel]:
    """A section's table (:func:`make_table`) with the sentence shown when it
    has no rows and its "N … delas inte" line, added to ``layout``."""
    table = make_table(parent, headers, name, stretch=stretch, select=select)
    layout.addWidget(table)
    empty = empty_label(empty_text, parent, empty_name)
    layout.addWidget(empty)
    hidden = hidden_label(parent, hidden_name)
    layout.addWidget(hidden)
    return table, empty, hidden


def _quiet_label(text: str, parent: QWidget | None, name: str, role: str) -> QLabel:
    """A wrapping label with a style role, hidden until it has something to say."""
    lbl = QLabel(text, parent)
    lbl.setProperty("role", role)
    lbl.setWordWrap(True)
    if name:
        lbl.setObjectName(name)
    lbl.hide()
    return lbl


def hidden_label(parent: QWidget | None = None, name: str = "") -> QLabel:
    """The "N … delas inte med din myndighet" line (see :func:`show_hidden`)."""
    return _quiet_label("", parent, name, "hidden-line")


#: The nouns of hidden lines that more than one place shows.
TASK_NOUNS = ("åtgärdspunkt", "åtgärdspunkter", "task", "tasks")


def show_hidden(lbl: QLabel, hidden: dict | None, nouns: tuple[str, str, str, str],
                lang: str) -> None:
    """Fill a hidden-line label: how many entries are not shown (``nouns``:
    Swedish one and many, English one and many), and why in its tooltip."""
    one, many = nouns[:2] if lang == "sv" else nouns[2:]
    text = hidden_line(hidden, one, many, lang)
    lbl.setText(text)
    lbl.setToolTip(why_hidden(lang) if text else "")
    lbl.setVisible(bool(text))


def task_colour(row):
    """Text colour of a task row: overdue red, done or cancelled muted."""
    if row.overdue:
        return OVERDUE
    if row.state != TaskState.OPEN:
        return DONE
    return None


def card_layout(frame: QFrame, name: str = "") -> QVBoxLayout:
    """Make ``frame`` a card (the stylesheet's rounded box) and give it its column."""
    frame.setProperty("role", "card")
    if name:
        frame.setObjectName(name)
    lay = QVBoxLayout(frame)
    lay.setContentsMargins(14, 10, 14, 12)
    lay.setSpacing(6)
    return lay


def card(parent: QWidget | None = None, name: str = "") -> tuple[QFrame, QVBoxLayout]:
    frame = QFrame(parent)
    return frame, card_layout(frame, name)


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
    return _quiet_label(text, parent, name, "muted")


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
