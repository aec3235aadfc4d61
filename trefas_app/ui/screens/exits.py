"""Avhoppare: exit programmes. Requests still waiting for their first contact
come first, as a countdown against the 24-hour target (overdue in red); below
them every programme the user may see, by state. Choosing one shows it on the
right with the actions its state allows (first contact, agreement, approval,
measures, support, state changes)."""

from __future__ import annotations


from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from trefas_app.domain import clock
from trefas_app.domain.enums import ExitState
from trefas_app.services import exits
from trefas_app.services.views_casework import ExitRow, ExitView
from trefas_app.ui import style
from trefas_app.ui.charts import Deadline, DeadlineBars, deadline_text
from trefas_app.ui.common import enum_label, fmt_count, fmt_datetime, heading, muted
from trefas_app.ui.models.paged import Column
from trefas_app.ui.screens.base import BaseScreen
from trefas_app.ui.screens.case_tabs.exit import ExitPanel
from trefas_app.ui.screens.case_tabs.parts import (
    DONE,
    OVERDUE,
    ColouredModel,
    configure_view,
    hidden_label,
    service_loader,
    show_hidden,
    subheading,
    why_hidden,
)

ONGOING = tuple(s for s in ExitState if s != ExitState.ENDED)
WAITING_LIMIT = 50


def _waiting(r: ExitRow) -> bool:
    return r.state == ExitState.REQUESTED and r.first_contact_at is None


def exit_columns(tr, lang: str) -> list[Column]:
    def contact(r: ExitRow) -> str:
        if r.first_contact_at:
            return fmt_datetime(r.first_contact_at)
        if _waiting(r):
            hours = clock.hours_until(r.first_contact_due)
            return deadline_text(hours, lang)
        return "–"

    return [
        Column(tr("Begärd"), lambda r: fmt_datetime(r.requested_at)),
        Column(tr("Ärende"), lambda r: r.case_number),
        Column(tr("Person"), lambda r: r.person_name,
               decoration=lambda r: style.shield_icon() if r.protected else None),
        Column(tr("Status"), lambda r: enum_label(r.state, lang)),
        Column(tr("Första kontakt"), contact,
               tooltip=lambda r: tr("Mål: senast {due}").format(
                   due=fmt_datetime(r.first_contact_due))),
    ]


def exit_colour(r: ExitRow):
    if r.overdue:
        return OVERDUE
    if r.state == ExitState.ENDED:
        return DONE
    return None


class Screen(BaseScreen):
    watches = ("exits", "consents")

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.title = self.tr("Avhoppare")
        self._want_id: int | None = None
        self.waiting_rows: list[ExitRow] = []
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 14, 16, 10)
        lay.setSpacing(8)
        lay.addWidget(heading(self.tr("Avhoppare"), self))

        split = QSplitter(Qt.Orientation.Horizontal, self)
        left = QWidget(split)
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 8, 0)
        ll.addWidget(subheading(self.tr("Väntar på första kontakt – mål inom 24 timmar"), left))
        self.waiting = DeadlineBars(left, total_hours=24, lang=ctx.lang,
                                    empty_text=self.tr("Ingen förfrågan väntar på första "
                                                       "kontakt."))
        self.waiting.setObjectName("waiting")
        self.waiting.activated.connect(self.show_programme)
        ll.addWidget(self.waiting)
        self.waiting_more = muted("", left)
        ll.addWidget(self.waiting_more)

        row = QHBoxLayout()
        row.addWidget(subheading(self.tr("Alla avhopparärenden"), left))
        row.addStretch(1)
        self.state_combo = QComboBox(left)
        self.state_combo.setAccessibleName(self.tr("Status"))
        self.state_combo.setObjectName("stateFilter")
        self.state_combo.addItem(self.tr("Pågående"), ONGOING)
        self.state_combo.addItem(self.tr("Alla"), ())
        for st in ExitState:
            self.state_combo.addItem(enum_label(st, ctx.lang), (st,))
        row.addWidget(self.state_combo)
        ll.addLayout(row)
        self.model = ColouredModel(
            service_loader(ctx, exits.list_exits, "exits.page",
                           lambda states: ((), dict(states=tuple(states)))),
            exit_columns(self.tr, ctx.lang), params=ONGOING, colour=exit_colour, parent=self)
        self.table = QTableView(left)
        self.table.setObjectName("table")
        self.table.setModel(self.model)
        configure_view(self.table)
        for i, w in enumerate((112, 104, 150, 110)):
            self.table.setColumnWidth(i, w)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        ll.addWidget(self.table, 1)
        bottom = QHBoxLayout()
        self.count_label = muted("", left)
        self.count_label.setObjectName("countLabel")
        self.hidden_label = hidden_label(left, "hiddenLine")
        bottom.addWidget(self.count_label)
        bottom.addStretch(1)
        bottom.addWidget(self.hidden_label)
        ll.addLayout(bottom)

        self.panel = ExitPanel(ctx, split, show_open_case=True)
        self.panel.setObjectName("exitPanel")
        self.panel.openCase.connect(ctx.open_case)
        split.addWidget(left)
        split.addWidget(self.panel)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 4)
        split.setSizes([520, 700])
        lay.addWidget(split, 1)

        self.state_combo.currentIndexChanged.connect(self._filter_changed)
        self.model.pageLoaded.connect(self._loaded)
        self.model.loadFailed.connect(
            lambda exc: self.count_label.setText(self.ctx.error_text(exc)) if exc else None)

    # -- loading -------------------------------------------------------------------------

    def reload(self) -> None:
        self.ctx.run(exits.list_exits, waiting_first_contact=True, limit=WAITING_LIMIT,
                     on_done=self._show_waiting, key="exits.waiting")
        self.model.reload()
        if self.panel.programme is not None or self._want_id is not None:
            self.show_programme(self._want_id or self.panel.programme.id)

    def _show_waiting(self, page) -> None:
        self.waiting_rows = list(page.rows)
        self.waiting.set_items([
            Deadline(f"{r.case_number} · {r.person_name}", r.first_contact_due, key=r.id,
                     tooltip=self.tr("Begärd {at}, mål senast {due}").format(
                         at=fmt_datetime(r.requested_at), due=fmt_datetime(r.first_contact_due)))
            for r in page.rows])
        more = page.total - len(page.rows)
        self.waiting_more.setText(self.tr("… och {n} till.").format(n=more) if more > 0 else "")
        self.waiting_more.setVisible(more > 0)

    def _filter_changed(self, *_a) -> None:
        states = tuple(self.state_combo.currentData() or ())
        if states != self.model.params:
            self.model.set_params(states)

    def _loaded(self, _page=None) -> None:
        n = self.model.total or 0
        self.count_label.setText(
            self.tr("{n} avhopparärenden").format(n=fmt_count(n, self.ctx.lang)) if n != 1
            else self.tr("1 avhopparärende"))
        lang = self.ctx.lang
        show_hidden(self.hidden_label, self.model.hidden,
                    "avhopparärende" if lang == "sv" else "exit programme",
                    "avhopparärenden" if lang == "sv" else "exit programmes", lang,
                    why_hidden(lang))

    def _row_changed(self, current, _previous) -> None:
        row = self.model.row_at(current) if current.isValid() else None
        if row is not None:
            self.show_programme(row.id)

    def show_programme(self, exit_id) -> None:
        if exit_id is None:
            return
        self._want_id = int(exit_id)
        self.ctx.run(exits.get_exit, int(exit_id), on_done=self._show_programme,
                     on_error=self._programme_failed, key="exits.one")

    def _show_programme(self, view: ExitView) -> None:
        self._want_id = None
        self.panel.set_programme(view)

    def _programme_failed(self, exc) -> None:
        self._want_id = None
        self.panel.set_programme(None)
        self.panel.empty.setText(self.ctx.error_text(exc))

    # -- lock protocol -------------------------------------------------------------------------

    def clear(self) -> None:
        self.model.clear()
        self.waiting.clear()
        self.waiting_rows = []
        self.panel.set_programme(None)
        self.count_label.clear()
        self.hidden_label.hide()

    def state(self) -> dict:
        p = self.panel.programme
        return {"states": [s.value for s in self.model.params],
                "exit_id": p.id if p else None}

    def restore(self, state: dict) -> None:
        states = tuple(ExitState(s) for s in state.get("states", [s.value for s in ONGOING]))
        self.state_combo.blockSignals(True)
        for i in range(self.state_combo.count()):
            if tuple(self.state_combo.itemData(i) or ()) == states:
                self.state_combo.setCurrentIndex(i)
        self.state_combo.blockSignals(False)
        if states != self.model.params:
            self.model.set_params(states)
        if state.get("exit_id") is not None:
            self.show_programme(state["exit_id"])
