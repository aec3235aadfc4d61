"""The list models on their own, with a fake page function (no store, no
worker): paging through fetchMore, stale pages, server-side sorting, masking
and the protected-person marker."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QModelIndex, Qt

from trefas_app.domain.enums import CaseState, Category, RiskLevel
from trefas_app.services.cases import CaseFilter
from trefas_app.services.views import CaseRow, ListCount, Page, PersonRow
from trefas_app.ui.models.cases import CaseTableModel
from trefas_app.ui.models.paged import PagedTableModel
from trefas_app.ui.models.persons import PersonTableModel, person_columns

T0 = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.timezone.utc)


def person_rows(n: int) -> list[PersonRow]:
    return [PersonRow(id=i, display_name=f"Person {i:05d}" if i % 10 else
                      f"Skyddad person P-{i:04d}",
                      personal_number=None if i % 10 == 0 or i % 7 == 0 else f"19900101-{i:04d}",
                      protected=i % 10 == 0, risk_level=RiskLevel.RED if i % 3 == 0 else None,
                      open_cases=i % 4)
            for i in range(1, n + 1)]


class FakeLoader:
    """Records requests; answers them now (``auto``) or when told."""

    def __init__(self, rows, auto=True, hidden=None):
        self.rows = rows
        self.auto = auto
        self.hidden = hidden or {}
        self.requests = []
        self.pending = []

    def __call__(self, params, offset, limit, on_page, on_error):
        self.requests.append((params, offset, limit))
        rows = self.filtered(params)
        page = Page(rows=tuple(rows[offset:offset + limit]), total=len(rows), offset=offset,
                    hidden=self.hidden if offset == 0 else {})
        if self.auto:
            on_page(page)
        else:
            self.pending.append((on_page, on_error, page))

    def filtered(self, params):
        if isinstance(params, str) and params:
            return [r for r in self.rows if params.lower() in r.display_name.lower()]
        return self.rows

    def answer(self, i=0):
        on_page, _on_error, page = self.pending.pop(i)
        on_page(page)


def test_person_model_passes_qt_model_checks(qtmodeltester):
    model = PersonTableModel(FakeLoader(person_rows(30)), page_size=10)
    model.reload()
    qtmodeltester.check(model)


def test_pages_are_fetched_on_demand_200_at_a_time(qapp):
    loader = FakeLoader(person_rows(450))
    model = PersonTableModel(loader)
    model.reload()
    assert loader.requests == [("", 0, 200)]
    assert model.rowCount() == 200 and model.total == 450
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert loader.requests[-1] == ("", 200, 200)
    model.fetchMore(QModelIndex())
    assert loader.requests[-1] == ("", 400, 200)
    assert model.rowCount() == 450
    assert not model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert len(loader.requests) == 3


def test_no_second_request_while_one_is_pending(qapp):
    loader = FakeLoader(person_rows(450), auto=False)
    model = PersonTableModel(loader)
    model.reload()
    assert not model.canFetchMore(QModelIndex())  # total unknown yet
    loader.answer()
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert not model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert len(loader.requests) == 2


def test_a_page_from_before_a_new_search_is_ignored(qapp):
    loader = FakeLoader(person_rows(50), auto=False)
    model = PersonTableModel(loader)
    model.reload()
    model.set_query("00007")
    assert [r[0] for r in loader.requests] == ["", "00007"]
    loader.answer(1)  # the new search answers first …
    loader.answer(0)  # … then the stale full list arrives
    assert [r.display_name for r in model.rows()] == ["Person 00007"]
    assert model.total == 1


def test_masking_and_protected_marker(qapp):
    model = PersonTableModel(FakeLoader(person_rows(10)))
    model.reload()
    protected = model.index(9, 0)  # id 10: protected
    plain = model.index(0, 0)
    masked_number = model.index(6, 1)  # id 7: number withheld, not protected
    assert model.data(protected) == "Skyddad person P-0010"
    assert model.data(protected, Qt.ItemDataRole.DecorationRole) is not None
    assert "Skyddade personuppgifter" in model.data(protected, Qt.ItemDataRole.ToolTipRole)
    assert model.data(plain, Qt.ItemDataRole.DecorationRole) is None
    assert model.data(masked_number) == "–"
    assert model.data(model.index(9, 1)) == ""  # a protected person's number: nothing at all
    assert model.data(model.index(2, 2)) == "Röd"
    assert model.data(model.index(0, 0), Qt.ItemDataRole.UserRole).id == 1


def case_rows(n: int) -> list[CaseRow]:
    return [CaseRow(id=i, number=f"K-2025-{i:05d}", title=f"Ärende {i}",
                    state=CaseState.ACTIVE if i % 2 else CaseState.OPEN, person_id=i,
                    person_name=f"Person {i}", protected=False, risk_level=None,
                    unit_name="Rinkeby-Kista", opened_at=T0 + dt.timedelta(days=i),
                    last_entry_at=T0 + dt.timedelta(days=i, hours=1))
            for i in range(1, n + 1)]


def test_case_model_sorts_on_the_server_by_clicking_a_header(qapp, qtmodeltester):
    loader = FakeLoader(case_rows(5), hidden={Category.IDENTITY: 3})
    model = CaseTableModel(loader, filt=CaseFilter())
    model.reload()
    qtmodeltester.check(model)
    assert model.hidden == {Category.IDENTITY: 3}
    number_col = model.sort_column_for("number")
    model.sort(number_col, Qt.SortOrder.AscendingOrder)
    params = loader.requests[-1][0]
    assert params.sort == "number" and params.descending is False
    assert loader.requests[-1][1] == 0  # starts from the first page again
    model.sort(number_col, Qt.SortOrder.DescendingOrder)
    assert loader.requests[-1][0].descending is True
    before = len(loader.requests)
    model.sort(model.sort_column_for("number"), Qt.SortOrder.DescendingOrder)
    assert len(loader.requests) == before  # same order: no reload
    person_col = 1  # not sortable on the server
    model.sort(person_col, Qt.SortOrder.AscendingOrder)
    assert len(loader.requests) == before


def test_case_filters_reload_with_the_new_filter(qapp):
    loader = FakeLoader(case_rows(3))
    model = CaseTableModel(loader)
    model.reload()
    model.set_states((CaseState.OPEN,))
    model.set_mine_only(True)
    model.set_query("K-2025-00002")
    filt = loader.requests[-1][0]
    assert filt.states == (CaseState.OPEN,) and filt.mine_only and filt.query == "K-2025-00002"
    n = len(loader.requests)
    model.set_query("K-2025-00002")
    assert len(loader.requests) == n  # unchanged filter: nothing fetched


def test_clear_drops_every_row_and_ignores_late_pages(qapp):
    loader = FakeLoader(case_rows(3), auto=False)
    model = CaseTableModel(loader)
    model.reload()
    model.clear()
    loader.answer()
    assert model.rowCount() == 0 and model.total is None


def test_display_of_case_columns(qapp):
    model = CaseTableModel(FakeLoader(case_rows(2)))
    model.reload()
    row = [model.data(model.index(0, c)) for c in range(model.columnCount())]
    assert row[0] == "K-2025-00001" and row[3] == "Aktivt" and row[6] == "2025-03-02"
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Ärende"


def test_load_failure_is_reported_and_the_model_kept(qapp):
    def failing(params, offset, limit, on_page, on_error):
        on_error(RuntimeError("x"))

    model = CaseTableModel(failing)
    failures = []
    model.loadFailed.connect(failures.append)
    model.reload()
    assert len(failures) == 1 and model.rowCount() == 0 and not model.is_loading


# --- rows first, count after ------------------------------------------------------------


class UncountedLoader(FakeLoader):
    """Pages without a total, as ``list_cases(count=False)`` gives them."""

    def __call__(self, params, offset, limit, on_page, on_error):
        self.requests.append((params, offset, limit))
        rows = self.filtered(params)
        page = Page(rows=tuple(rows[offset:offset + limit]), total=None, offset=offset,
                    more=offset + limit < len(rows))
        if self.auto:
            on_page(page)
        else:
            self.pending.append((on_page, on_error, page))


class FakeCounter:
    """Records count requests; answers when told; its handles can be cancelled."""

    class Handle:
        cancelled = False

        def cancel(self):
            self.cancelled = True

    def __init__(self, loader, hidden=None):
        self.loader = loader
        self.hidden = hidden or {}
        self.pending = []

    def __call__(self, params, on_count, on_error):
        handle = self.Handle()
        self.pending.append((params, on_count, handle))
        return handle

    def answer(self, i=0):
        params, on_count, handle = self.pending.pop(i)
        on_count(ListCount(total=len(self.loader.filtered(params)), hidden=self.hidden))


def test_rows_show_before_the_count_and_paging_follows_the_pages(qapp):
    loader = UncountedLoader(person_rows(450))
    counter = FakeCounter(loader, hidden={Category.IDENTITY: 3})
    model = PagedTableModel(loader, person_columns(), params="", counter=counter)
    counts = []
    model.countLoaded.connect(counts.append)
    model.reload()
    assert model.rowCount() == 200 and model.total is None and model.counting
    assert len(counter.pending) == 1  # asked for the count once the rows were in
    assert model.canFetchMore(QModelIndex())  # the page said more follow
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 400 and len(counter.pending) == 1  # no count per page
    counter.answer()
    assert model.total == 450 and not model.counting and len(counts) == 1
    assert model.hidden == {Category.IDENTITY: 3}
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 450 and not model.canFetchMore(QModelIndex())


def test_a_new_search_cancels_the_old_count_and_ignores_its_answer(qapp):
    loader = UncountedLoader(person_rows(450))
    counter = FakeCounter(loader)
    model = PagedTableModel(loader, person_columns(), params="", counter=counter)
    model.reload()
    old_handle = counter.pending[0][2]
    model.set_params("00007")
    assert old_handle.cancelled
    assert [p for p, _c, _h in counter.pending] == ["", "00007"]
    counter.answer(0)  # the stale count arrives anyway: ignored
    assert model.total is None and model.counting
    counter.answer(0)
    assert model.total == 1 and [r.display_name for r in model.rows()] == ["Person 00007"]
    model.clear()
    assert not model.counting and model.total is None


def test_counts_are_grouped_the_swedish_way():
    from trefas_app.ui.common import fmt_count, hidden_line

    assert fmt_count(44900) == "44\u00a0900" and fmt_count(999) == "999"
    assert fmt_count(1234567, "en") == "1,234,567"
    assert hidden_line({Category.IDENTITY: 7047}, "ärende", "ärenden").startswith(
        "7\u00a0047 ärenden delas inte")


class KeysetLoader(FakeLoader):
    """A loader marked for keyset paging: pages after the given row id."""

    keyset = True

    def __call__(self, params, offset, limit, on_page, on_error, after=None):
        self.requests.append((params, offset, limit, after))
        rows = self.filtered(params)
        start = 0 if after is None else next(i + 1 for i, r in enumerate(rows) if r.id == after)
        on_page(Page(rows=tuple(rows[start:start + limit]), total=None, offset=offset,
                     more=start + limit < len(rows)))


def test_a_keyset_loader_is_given_the_last_rows_id_for_every_page_but_the_first(qapp):
    loader = KeysetLoader(person_rows(450))
    model = PersonTableModel(loader, counter=lambda *a: None)
    model.reload()
    model.fetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert loader.requests == [("", 0, 200, None), ("", 200, 200, 200), ("", 400, 200, 400)]
    assert [r.id for r in model.rows()] == list(range(1, 451))
    assert not model.canFetchMore(QModelIndex())
