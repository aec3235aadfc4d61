"""A list screen: heading, search-as-you-type, filters, a paged table, a count
and the "N … delas inte med din myndighet" line. The person and case screens
are built on it; other long lists can be too."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from trefas_app.ui import accessibility
from trefas_app.ui.common import fmt_count, heading, hidden_line, muted, rows_so_far
from trefas_app.ui.models.paged import PagedTableModel
from trefas_app.ui.screens.base import BaseScreen

SEARCH_DEBOUNCE_MS = 150


class ListScreen(BaseScreen):
    """Subclasses create ``self.model`` (a PagedTableModel) in
    :meth:`make_model`, add filter widgets to ``self.filters`` and implement
    :meth:`open_row`. Nouns for the count line: ``noun`` / ``noun_plural``."""

    heading_text = ""
    search_placeholder = ""
    noun = "post"
    noun_plural = "poster"
    hidden_with_categories = True

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 14, 16, 10)
        lay.setSpacing(8)
        top = QHBoxLayout()
        self.heading = heading(self.heading_text, self)
        top.addWidget(self.heading)
        top.addStretch(1)
        self.actions_row = QHBoxLayout()
        top.addLayout(self.actions_row)
        lay.addLayout(top)

        self.filters = QHBoxLayout()
        self.search = QLineEdit(self)
        self.search.setObjectName("search")
        self.search.setPlaceholderText(self.search_placeholder)
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(320)
        self.search.setAccessibleName(self.tr("Sök"))
        self.filters.addWidget(self.search, 2)
        lay.addLayout(self.filters)

        self._min_widths: list[int] = []
        self._fitted = False
        self.model: PagedTableModel = self.make_model()
        self.table = QTableView(self)
        self.table.setObjectName("table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(28)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.activated.connect(self._activated)
        enter = QShortcut(QKeySequence(Qt.Key.Key_Return), self.table)
        enter.setContext(Qt.ShortcutContext.WidgetShortcut)
        enter.activated.connect(lambda: self._activated(self.table.currentIndex()))
        lay.addWidget(self.table, 1)

        bottom = QHBoxLayout()
        self.count_label = muted("", self)
        self.count_label.setObjectName("countLabel")
        self.hidden_label = QLabel(self)
        self.hidden_label.setObjectName("hiddenLine")
        self.hidden_label.setProperty("role", "hidden-line")
        bottom.addWidget(self.count_label)
        bottom.addStretch(1)
        bottom.addWidget(self.hidden_label)
        lay.addLayout(bottom)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self._apply_search)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.search.returnPressed.connect(self._search_enter)
        self.model.pageLoaded.connect(self._page_loaded)
        self.model.loadingChanged.connect(self._loading)
        self.model.loadFailed.connect(self._load_failed)
        self.model.modelReset.connect(self._page_loaded)
        self.model.countLoaded.connect(self._page_loaded)
        self.setFocusProxy(self.search)

    # -- for subclasses --------------------------------------------------------------

    def make_model(self) -> PagedTableModel:
        raise NotImplementedError

    def open_row(self, row) -> None:
        raise NotImplementedError

    def apply_query(self, text: str) -> None:
        self.model.set_query(text)

    # -- behaviour ----------------------------------------------------------------------

    def reload(self) -> None:
        self.model.reload()

    def activate(self) -> None:
        super().activate()
        self.search.setFocus()

    def _apply_search(self) -> None:
        self.apply_query(self.search.text().strip())

    def _search_enter(self) -> None:
        if self._debounce.isActive():
            self._debounce.stop()
            self._apply_search()
        if self.model.rowCount() >= 1 and not self.model.is_loading:
            self.table.setFocus()
            self.table.selectRow(0)

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
            self.hidden_label.clear()
            if self.model.counting:
                shown = self.model.loaded
                self.count_label.setText(
                    self.tr("{n} {noun} · räknar …").format(
                        n=rows_so_far(self.model, self.ctx.lang),
                        noun=self.noun if shown == 1 else self.noun_plural))
            return
        noun = self.noun if total == 1 else self.noun_plural
        self.count_label.setText(f"{fmt_count(total, self.ctx.lang)} {noun}")
        line = hidden_line(self.model.hidden, self.noun, self.noun_plural, self.ctx.lang)
        if line and not self.hidden_with_categories:
            line = line.split(" (", 1)[0]
        self.hidden_label.setText(line)
        self.hidden_label.setToolTip(
            self.tr("Uppgifterna finns, men personens samtycke omfattar inte din myndighet, "
                    "eller så gäller skyddade personuppgifter.") if line else "")

    def _load_failed(self, exc) -> None:
        if exc is None:
            return
        self.count_label.setText(self.ctx.error_text(exc))

    # -- lock protocol -----------------------------------------------------------------

    def clear(self) -> None:
        self._debounce.stop()
        self.model.clear()
        self.search.clear()
        self.count_label.clear()
        self.hidden_label.clear()

    def state(self) -> dict:
        index = self.table.currentIndex()
        row = self.model.row_at(index) if index.isValid() else None
        return {"query": self.search.text(), "selected_id": getattr(row, "id", None)}

    def restore(self, state: dict) -> None:
        query = state.get("query") or ""
        if query:
            self.search.blockSignals(True)
            self.search.setText(query)
            self.search.blockSignals(False)
            self.apply_query(query)
        selected = state.get("selected_id")
        if selected is not None:
            self._select_when_loaded(selected)

    def _select_when_loaded(self, record_id: int) -> None:
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
