"""A table model for long lists, filled one page at a time through a loader.

The model never talks to the store. It is given a *loader*::

    loader(params, offset, limit, on_page, on_error) -> None

which must, some time later and on the GUI thread, call ``on_page(page)`` with
a :class:`~trefas_app.services.views.Page` (or ``on_error(exc)``). In the
program the loader runs a service through the worker; in tests it can be a
plain function. ``params`` is whatever the list is filtered by (a query string,
a ``CaseFilter`` …).

Qt asks ``canFetchMore``/``fetchMore`` as the user scrolls, so only the rows
needed are loaded (200 at a time). A loader marked ``loader.keyset = True``
is also given ``after=`` the id of the last row held, for every page but the
first: the service reads on from that row (keyset paging) instead of skipping
``offset`` rows, so page 25 costs what page 1 does. ``offset`` is still passed
(and must come back in the page) so a stray page is recognised.

Counting a long list costs far more than reading a page of it (the access rule
must judge every row, not the first 200). A model given a *counter*::

    counter(params, on_count, on_error) -> handle with cancel() | None

asks its loader for pages without a total (``Page.total`` None, ``Page.more``
says whether rows follow), shows them at once, and then asks the counter for
``ListCount(total, hidden)``; :attr:`total` stays None until it arrives.

Changing the filter or the sort order calls :meth:`reload`, which bumps a
generation counter (and cancels a count still queued): pages of an older
generation that still arrive are ignored, so a fast typist never sees stale rows.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Callable, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

R = TypeVar("R")

Loader = Callable[[Any, int, int, Callable[[Any], None], Callable[[BaseException], None]], None]
Counter = Callable[[Any, Callable[[Any], None], Callable[[BaseException], None]], Any]

PAGE_SIZE = 200


@dataclass(frozen=True)
class Column(Generic[R]):
    title: str
    value: Callable[[R], Any]
    #: Name of the server-side sort this column stands for; None = not sortable.
    sort_key: str | None = None
    decoration: Callable[[R], Any] | None = None
    tooltip: Callable[[R], str | None] | None = None
    align: Qt.AlignmentFlag | None = None
    #: Sort newest/largest first on the first click.
    descending_first: bool = False


class PagedTableModel(QAbstractTableModel):
    #: Every page that arrives (the first one carries ``total`` and ``hidden``).
    pageLoaded = Signal(object)
    #: True while a page is being fetched.
    loadingChanged = Signal(bool)
    #: The load failed (the exception); the model stays as it was.
    loadFailed = Signal(object)
    #: The count of a list read without one arrived (the ListCount).
    countLoaded = Signal(object)

    def __init__(self, loader: Loader, columns: list[Column], params: Any = None,
                 page_size: int = PAGE_SIZE, parent=None, counter: Counter | None = None):
        super().__init__(parent)
        self._loader = loader
        self._keyset = bool(getattr(loader, "keyset", False))
        self._counter = counter
        self._count_request = None
        self._more = False
        self._first_page = False
        self._columns = list(columns)
        self._params = params
        self.page_size = page_size
        self._rows: list[Any] = []
        self._total: int | None = None
        self._hidden: dict = {}
        self._generation = 0
        self._fetching = False
        self._sort_column = -1
        self._sort_order = Qt.SortOrder.AscendingOrder

    # -- state ---------------------------------------------------------------------

    @property
    def params(self) -> Any:
        return self._params

    @property
    def total(self) -> int | None:
        """Rows matching the filter (None until the first page — or, with a
        counter, the count — arrived)."""
        return self._total

    @property
    def counts_separately(self) -> bool:
        return self._counter is not None

    @property
    def has_first_page(self) -> bool:
        return self._first_page

    @property
    def counting(self) -> bool:
        """The rows are shown and their count is still on its way."""
        return self._first_page and self._total is None

    @property
    def hidden(self) -> dict:
        """Page.hidden of the first page: entries the access rule hides."""
        return self._hidden

    @property
    def loaded(self) -> int:
        return len(self._rows)

    @property
    def is_loading(self) -> bool:
        return self._fetching

    def rows(self) -> list[Any]:
        return list(self._rows)

    def row_at(self, index: QModelIndex | int) -> Any:
        row = index if isinstance(index, int) else index.row()
        if 0 <= row < len(self._rows):
            return self._rows[row]
        return None

    def set_params(self, params: Any) -> None:
        """New filter: start over from the first page."""
        self._params = params
        self.reload()

    # -- loading -------------------------------------------------------------------

    def reload(self) -> None:
        """Forget every row and fetch the first page."""
        self._forget()
        self._fetching = False
        self._request(0)

    def clear(self) -> None:
        """Drop every row without fetching (the window locks)."""
        self._forget()
        self._set_fetching(False)

    def _forget(self) -> None:
        self._generation += 1
        if self._count_request is not None:
            self._count_request.cancel()  # a count of the old filter is of no use
            self._count_request = None
        self.beginResetModel()
        self._rows = []
        self._total = None
        self._hidden = {}
        self._more = False
        self._first_page = False
        self.endResetModel()

    def _set_fetching(self, value: bool) -> None:
        if self._fetching != value:
            self._fetching = value
            self.loadingChanged.emit(value)

    def _request(self, offset: int) -> None:
        generation = self._generation
        self._set_fetching(True)

        def on_page(page) -> None:
            if generation != self._generation:
                return  # a reload happened meanwhile: stale
            self._receive(page)

        def on_error(exc: BaseException) -> None:
            if generation != self._generation:
                return
            self._set_fetching(False)
            self.loadFailed.emit(exc)

        if self._keyset and offset and self._rows:
            self._loader(self._params, offset, self.page_size, on_page, on_error,
                         after=self._rows[-1].id)
        else:
            self._loader(self._params, offset, self.page_size, on_page, on_error)

    def _receive(self, page) -> None:
        if page.offset == 0:
            self._first_page = True
            if page.total is not None:
                self._total = page.total
                self._hidden = dict(page.hidden or {})
        elif page.offset != len(self._rows):
            # Not the page that follows what we hold: ignore it.
            self._set_fetching(False)
            return
        elif page.total is not None:
            self._total = page.total
        self._more = bool(page.more)
        rows = list(page.rows)
        if rows:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()
        if not rows and page.offset < (self._total or 0):
            # The list shrank under us; stop asking for more.
            self._total = len(self._rows)
        self._set_fetching(False)
        self.pageLoaded.emit(page)
        if page.offset == 0 and page.total is None and self._counter is not None:
            self._request_count()

    def _request_count(self) -> None:
        generation = self._generation

        def on_count(count) -> None:
            if generation != self._generation:
                return
            self._count_request = None
            # Rows may have been added since the count: never claim fewer.
            self._total = max(count.total, len(self._rows))
            self._hidden = dict(count.hidden or {})
            self.countLoaded.emit(count)

        def on_error(exc: BaseException) -> None:
            if generation == self._generation:
                self._count_request = None
                self.loadFailed.emit(exc)

        self._count_request = self._counter(self._params, on_count, on_error)

    def canFetchMore(self, parent=QModelIndex()) -> bool:  # noqa: N802 — Qt API
        if parent.isValid() or self._fetching or not self._first_page:
            return False
        if self._counter is not None:
            return self._more  # uncounted pages say whether rows follow
        return self._total is not None and len(self._rows) < self._total

    def fetchMore(self, parent=QModelIndex()) -> None:  # noqa: N802
        if self.canFetchMore(parent):
            self._request(len(self._rows))

    # -- Qt's table API ---------------------------------------------------------------

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._columns)

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._columns):
            if role == Qt.ItemDataRole.DisplayRole:
                return self._columns[section].title
            if role == Qt.ItemDataRole.ToolTipRole and self._columns[section].sort_key:
                return self.tr("Klicka för att sortera")
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.row_at(index.row())
        if row is None:
            return None
        column = self._columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            value = column.value(row)
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.DecorationRole and column.decoration is not None:
            return column.decoration(row)
        if role == Qt.ItemDataRole.ToolTipRole and column.tooltip is not None:
            return column.tooltip(row)
        if role == Qt.ItemDataRole.TextAlignmentRole and column.align is not None:
            return int(column.align | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            return row
        return None

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    # -- sorting (by the server) -------------------------------------------------------

    def column_sortable(self, column: int) -> bool:
        return 0 <= column < len(self._columns) and self._columns[column].sort_key is not None

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        """Sort by the server: only columns with a ``sort_key``; sets
        ``params.sort``/``params.descending`` (a dataclass) and reloads."""
        if not self.column_sortable(column):
            return
        key = self._columns[column].sort_key
        descending = order == Qt.SortOrder.DescendingOrder
        self._sort_column, self._sort_order = column, order
        params = self._params
        if params is not None and hasattr(params, "sort"):
            if params.sort == key and params.descending == descending:
                return  # already in that order
            self.set_params(replace(params, sort=key, descending=descending))

    def sort_column_for(self, key: str) -> int:
        for i, c in enumerate(self._columns):
            if c.sort_key == key:
                return i
        return -1
