"""The one list screen: a heading with the screen's actions, a row of filters
(and a search field for the long lists), a paged table, the count line with
the "N … delas inte med din myndighet" line, and — for SIG's neighbours that
show one record at a time (Avhoppare, Händelser, Möten) — a detail pane to the
right of the list.

Personer, Ärenden, SIG, Avhoppare, Händelser, Möten and Uppgifter are built
on it. A subclass fills in hooks, which the constructor calls in the order the
widgets appear, so that Tab follows the layout:

``build_actions(row)``
    buttons (or a period choice) right of the heading;
``build_filters(row)``
    filter widgets under the heading (after the search field, if any);
``make_model()``
    the PagedTableModel (usually ``parts.ColouredModel``);
``build_list_header(parent, layout)``
    widgets above the table in the list's column (only with a detail pane);
``make_detail(parent)``
    the :class:`DetailPane` right of the list, or None for no pane.

``filter_params()`` gives the model's parameters from the filter widgets;
connect their change signals to :meth:`filters_changed`. ``open_row(row)``
(Enter or a double click on a row) and ``selection_changed()`` are optional.
A screen with a pane names the service that reads one record
(``detail_service``) and shows it with :meth:`show_record`.
"""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QCoreApplication, QModelIndex, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from trefas_app.ui import accessibility
from trefas_app.ui.common import enum_label, fmt_count, heading, hidden_line, muted, rows_so_far
from trefas_app.ui.models.paged import PagedTableModel
from trefas_app.ui.screens.base import BaseScreen
from trefas_app.ui.widgets.parts import (
    ColouredModel,
    configure_view,
    hidden_label,
    scroll_column,
    service_loader,
    why_hidden,
)

SEARCH_DEBOUNCE_MS = 150


class DetailPane(QWidget):
    """The right-hand side of a list screen: a scrolling column that says what
    to choose (``self.empty``, its text set by the subclass) until a record is
    shown, then ``self.content`` (laid out by ``self.body``).

    Subclasses implement :meth:`set_record` (None: nothing chosen) and keep
    the shown record in ``self.record``."""

    def __init__(self, ctx, parent: QWidget | None = None, spacing: int = 8):
        super().__init__(parent)
        self.ctx = ctx
        self.record: Any = None
        _scroll, inner, lay = scroll_column(self, (4, 4, 4, 4), spacing)
        self.empty = muted("", inner)
        lay.addWidget(self.empty)
        self.content = QWidget(inner)
        self.body = QVBoxLayout(self.content)
        self.body.setContentsMargins(0, 0, 0, 0)
        self.body.setSpacing(spacing)
        lay.addWidget(self.content)
        lay.addStretch(1)

    def show_content(self, shown: bool) -> None:
        """The record's widgets, or the "choose one" line."""
        self.empty.setVisible(not shown)
        self.content.setVisible(shown)

    def set_record(self, view) -> None:
        raise NotImplementedError


def select_item(combo: QComboBox, value, key: Callable[[Any], Any] = lambda d: d) -> None:
    """Choose the combo item whose data (through ``key``) equals ``value``,
    without signalling (restoring a screen after unlock)."""
    combo.blockSignals(True)
    for i in range(combo.count()):
        if key(combo.itemData(i)) == value:
            combo.setCurrentIndex(i)
            break
    combo.blockSignals(False)


def state_tuple(data) -> tuple:
    """A state filter's item data as a tuple (Qt may hand back a list)."""
    return tuple(data or ())


class ListScreen(BaseScreen):
    """See the module docstring. Class attributes a subclass sets:"""

    #: Nouns of the count line and the hidden line: (sv one, sv many, en one, en many).
    nouns: tuple[str, str, str, str] = ("post", "poster", "entry", "entries")
    #: Heading and search placeholder as QT_TRANSLATE_NOOP(text_context, …)
    #: (or set the heading's text in the subclass's constructor).
    text_context = ""
    heading_text = ""
    #: Placeholder of the search field; a screen without one has no search.
    search_placeholder = ""
    #: Show the "N … delas inte" line under the list.
    shows_hidden = True
    #: The hidden line names the categories ("3 ärenden (socialt)").
    hidden_with_categories = True
    #: Fixed starting widths of the columns (else see :meth:`fit_columns`).
    column_widths: tuple[int, ...] = ()
    #: Row height of the table in pixels at 100 % text (None: the common one).
    row_height: int | None = None
    #: With a detail pane: starting widths and stretch of list and pane.
    split_sizes: tuple[int, int] = (560, 660)
    split_stretch: tuple[int, int] = (1, 1)
    #: The service that reads one record for the pane: ``service(uow, actor, id)``.
    detail_service: Callable[..., Any] | None = None
    #: A record that cannot be read is said in the pane instead of a dialog.
    detail_errors_in_pane = False
    #: The hidden rows are persons or their cases: the tooltip names protected identities.
    hides_protected_identities = False

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self._want_id: int | None = None
        self._min_widths: list[int] = []
        self._fitted = False
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 14, 16, 10)
        lay.setSpacing(8)
        top = QHBoxLayout()
        self.heading = heading(self._translated(self.heading_text), self)
        top.addWidget(self.heading)
        top.addStretch(1)
        self.actions_row = QHBoxLayout()
        top.addLayout(self.actions_row)
        lay.addLayout(top)
        self.build_actions(self.actions_row)

        self.filters = QHBoxLayout()
        self.search: QLineEdit | None = None
        if self.search_placeholder:
            self._build_search()
        lay.addLayout(self.filters)
        self.build_filters(self.filters)

        self.model: PagedTableModel = self.make_model()
        container, column = self, lay
        split = None
        if self._has_detail():
            split = QSplitter(Qt.Orientation.Horizontal, self)
            container = QWidget(split)
            column = QVBoxLayout(container)
            column.setContentsMargins(0, 0, 8, 0)
            self.build_list_header(container, column)
        self._build_table(container, column)
        self._build_count_line(container, column)
        self.panel: DetailPane | None = None
        if split is not None:
            self.panel = self.make_detail(split)
            split.addWidget(container)
            split.addWidget(self.panel)
            split.setStretchFactor(0, self.split_stretch[0])
            split.setStretchFactor(1, self.split_stretch[1])
            split.setSizes(list(self.split_sizes))
            lay.addWidget(split, 1)
            self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.model.pageLoaded.connect(self._page_loaded)
        self.model.loadingChanged.connect(self._loading)
        self.model.loadFailed.connect(self._load_failed)
        self.model.modelReset.connect(self._page_loaded)
        self.model.countLoaded.connect(self._page_loaded)
        if self.search is not None:
            self.setFocusProxy(self.search)

    def _build_search(self) -> None:
        self.search = QLineEdit(self)
        self.search.setObjectName("search")
        self.search.setPlaceholderText(self._translated(self.search_placeholder))
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(320)
        self.search.setAccessibleName(self.tr("Sök"))
        self.filters.addWidget(self.search, 2)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self._apply_search)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.search.returnPressed.connect(self._search_enter)

    def _build_table(self, parent: QWidget, column: QVBoxLayout) -> None:
        self.table = QTableView(parent)
        self.table.setObjectName("table")
        self.table.setModel(self.model)
        configure_view(self.table)
        if self.row_height is not None:
            self.table.verticalHeader().setDefaultSectionSize(self.row_height)
            self.table.horizontalHeader().setSectionResizeMode(
                QHeaderView.ResizeMode.Interactive)
        for i, width in enumerate(self.column_widths):
            self.table.setColumnWidth(i, width)
        if type(self).open_row is not ListScreen.open_row:
            self.table.activated.connect(self._activated)
            enter = QShortcut(QKeySequence(Qt.Key.Key_Return), self.table)
            enter.setContext(Qt.ShortcutContext.WidgetShortcut)
            enter.activated.connect(lambda: self._activated(self.table.currentIndex()))
        self.table.selectionModel().selectionChanged.connect(
            lambda *_a: self.selection_changed())
        self.model.modelReset.connect(self.selection_changed)
        column.addWidget(self.table, 1)

    def _build_count_line(self, parent: QWidget, column: QVBoxLayout) -> None:
        bottom = QHBoxLayout()
        self.count_label = muted("", parent)
        self.count_label.setObjectName("countLabel")
        bottom.addWidget(self.count_label)
        bottom.addStretch(1)
        self.hidden_label: QLabel | None = None
        if self.shows_hidden:
            self.hidden_label = hidden_label(parent, "hiddenLine")
            bottom.addWidget(self.hidden_label)
        column.addLayout(bottom)

    # -- for subclasses --------------------------------------------------------------

    def build_actions(self, row: QHBoxLayout) -> None:
        """Widgets right of the heading."""

    def build_filters(self, row: QHBoxLayout) -> None:
        """Filter widgets under the heading."""

    def make_model(self) -> PagedTableModel:
        raise NotImplementedError

    def build_list_header(self, parent: QWidget, column: QVBoxLayout) -> None:
        """Widgets above the table in the list's column (screens with a pane)."""

    def make_detail(self, parent: QWidget) -> DetailPane | None:
        """The pane right of the list; None: the screen has none."""
        return None

    def filter_params(self):
        """The model's parameters as the filter widgets say."""
        return self.model.params

    def open_row(self, row) -> None:
        """Enter or a double click on ``row``; a screen that does not override
        this opens nothing from the table."""

    def selection_changed(self) -> None:
        """The chosen row changed (update the buttons)."""

    def apply_query(self, text: str) -> None:
        self.model.set_query(text)

    def noun(self, n: int) -> str:
        sv_one, sv_many, en_one, en_many = self.nouns
        if self.ctx.lang == "sv":
            return sv_one if n == 1 else sv_many
        return en_one if n == 1 else en_many

    # -- behaviour ----------------------------------------------------------------------

    def _translated(self, text: str) -> str:
        return QCoreApplication.translate(self.text_context, text) if text else text

    def _has_detail(self) -> bool:
        return type(self).make_detail is not ListScreen.make_detail

    def reload(self) -> None:
        self.model.reload()
        if self.panel is not None:
            current = self._want_id or (self.panel.record.id if self.panel.record else None)
            if current is not None:
                self.show_record(current)

    def activate(self) -> None:
        super().activate()
        if self.search is not None:
            self.search.setFocus()

    def filters_changed(self, *_a) -> None:
        params = self.filter_params()
        if params != self.model.params:
            self.model.set_params(params)

    def _apply_search(self) -> None:
        self.apply_query(self.search.text().strip())

    def _search_enter(self) -> None:
        if self._debounce.isActive():
            self._debounce.stop()
            self._apply_search()
        if self.model.rowCount() >= 1 and not self.model.is_loading:
            self.table.setFocus()
            self.table.selectRow(0)

    def selected(self):
        """The chosen row's value, or None."""
        index = self.table.currentIndex()
        rows = self.table.selectionModel().selectedRows()
        if rows:
            index = rows[0]
        return self.model.row_at(index) if isinstance(index, QModelIndex) and index.isValid() \
            else None

    def _activated(self, index: QModelIndex) -> None:
        row = self.model.row_at(index) if index.isValid() else None
        if row is not None:
            self.open_row(row)

    def _loading(self, loading: bool) -> None:
        if loading and not self.model.has_first_page:
            self.count_label.setText(self.tr("Hämtar …"))

    def _page_loaded(self, _page=None) -> None:
        if self._min_widths and self.model.loaded and not self._fitted:
            self._fitted = True
            accessibility.fit_columns(self.table, self._min_widths)
        elif not self.model.loaded:
            self._fitted = False
        total = self.model.total
        if total is None:
            if self.hidden_label is not None:
                self.hidden_label.hide()
            if self.model.counting:
                self.count_label.setText(self.tr("{n} {noun} · räknar …").format(
                    n=rows_so_far(self.model, self.ctx.lang),
                    noun=self.noun(self.model.loaded)))
            self.selection_changed()
            return
        self.count_label.setText(f"{fmt_count(total, self.ctx.lang)} {self.noun(total)}")
        if self.hidden_label is not None:
            self._show_hidden_line()
        self.selection_changed()

    def _show_hidden_line(self) -> None:
        lang = self.ctx.lang
        line = hidden_line(self.model.hidden, self.noun(1), self.noun(2), lang)
        if line and not self.hidden_with_categories:
            line = line.split(" (", 1)[0]
        self.hidden_label.setText(line)
        self.hidden_label.setToolTip(self.hidden_reason() if line else "")
        self.hidden_label.setVisible(bool(line))

    def hidden_reason(self) -> str:
        """Why rows are not shown (the hidden line's tooltip)."""
        if self.hides_protected_identities:
            return self.tr("Uppgifterna finns, men personens samtycke omfattar inte din "
                           "myndighet, eller så gäller skyddade personuppgifter.")
        return why_hidden(self.ctx.lang)

    def _load_failed(self, exc) -> None:
        if exc is None:
            return
        self.count_label.setText(self.ctx.error_text(exc))

    # -- the detail pane ------------------------------------------------------------

    def _row_changed(self, current, _previous) -> None:
        row = self.model.row_at(current) if current.isValid() else None
        if row is not None:
            self.show_record(row.id)

    def show_record(self, record_id) -> None:
        """Read one record (``detail_service``) and show it in the pane."""
        if record_id is None:
            return
        self._want_id = int(record_id)
        self.ctx.run(self.detail_service, int(record_id), on_done=self._record_loaded,
                     on_error=self._record_failed if self.detail_errors_in_pane else None,
                     key=f"{type(self).__module__}.one")

    def _record_loaded(self, view) -> None:
        self._want_id = None
        self.panel.set_record(view)

    def _record_failed(self, exc) -> None:
        self._want_id = None
        self.panel.set_record(None)
        self.panel.empty.setText(self.ctx.error_text(exc))

    # -- lock protocol -----------------------------------------------------------------

    def clear(self) -> None:
        if self.search is not None:
            self._debounce.stop()
            self.search.clear()
        self.model.clear()
        if self.panel is not None:
            self.panel.set_record(None)
        self.count_label.clear()
        if self.hidden_label is not None:
            self.hidden_label.clear()
            self.hidden_label.hide()

    def state(self) -> dict:
        row = self.selected()
        return {"query": self.search.text() if self.search is not None else "",
                "selected_id": getattr(row, "id", None)}

    def restore(self, state: dict) -> None:
        query = state.get("query") or ""
        if query and self.search is not None:
            self.search.blockSignals(True)
            self.search.setText(query)
            self.search.blockSignals(False)
            self.apply_query(query)
        selected = state.get("selected_id")
        if selected is not None:
            self.select_when_loaded(selected)

    def select_when_loaded(self, record_id: int) -> None:
        """Select the row of ``record_id`` once its page is there."""
        def try_select(_page=None) -> None:
            for i, row in enumerate(self.model.rows()):
                if getattr(row, "id", None) == record_id:
                    self.table.selectRow(i)
                    self.table.scrollTo(self.model.index(i, 0))
                    break
            self.model.pageLoaded.disconnect(try_select)

        self.model.pageLoaded.connect(try_select)
        if self.model.has_first_page and not self.model.is_loading:
            try_select()

    def fit_columns(self, widths: list[int]) -> None:
        """Columns at least ``widths`` wide (at 100 % text), sized to their
        contents when the first page arrives."""
        self._min_widths = list(widths)
        accessibility.fit_columns(self.table, self._min_widths)



def state_combo(parent: QWidget, states, ongoing: tuple, lang: str) -> QComboBox:
    """The "Status" filter of a list: the ongoing ones, all, then each state."""
    combo = QComboBox(parent)
    combo.setAccessibleName(QCoreApplication.translate("Screen", "Status"))
    combo.setObjectName("stateFilter")
    combo.addItem(QCoreApplication.translate("Screen", "Pågående"), ongoing)
    combo.addItem(QCoreApplication.translate("Screen", "Alla"), ())
    for st in states:
        combo.addItem(enum_label(st, lang), (st,))
    return combo


def states_model(screen: ListScreen, service: Callable[..., Any], key: str, columns: list,
                 ongoing: tuple, colour: Callable[[Any], Any]) -> ColouredModel:
    """The model of a list the state filter narrows (``service(states=…)``),
    showing the ``ongoing`` states until the user chooses others."""
    return ColouredModel(
        service_loader(screen.ctx, service, key, lambda states: ((), dict(states=tuple(states)))),
        columns, params=ongoing, colour=colour, parent=screen)
