"""Avhoppare: exit programmes. Requests still waiting for their first contact
come first, as a countdown against the 24-hour target (overdue in red); below
them every programme the user may see, by state. Choosing one shows it on the
right with the actions its state allows (first contact, agreement, approval,
measures, support, state changes)."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout

from trefas_app.domain import clock
from trefas_app.domain.enums import ExitState
from trefas_app.services import exits
from trefas_app.services.views_casework import ExitRow
from trefas_app.ui import style
from trefas_app.ui.charts import Deadline, DeadlineBars, deadline_text
from trefas_app.ui.common import enum_label, fmt_datetime, muted
from trefas_app.ui.models.paged import Column
from trefas_app.ui.screens.case_tabs.exit import ExitPanel
from trefas_app.ui.widgets.list_screen import (
    ListScreen,
    select_item,
    state_combo,
    state_tuple,
    states_model,
)
from trefas_app.ui.widgets.parts import DONE, OVERDUE, ColouredModel, subheading

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


class Screen(ListScreen):
    watches = ("exits", "consents")
    nouns = ("avhopparärende", "avhopparärenden", "exit programme", "exit programmes")
    column_widths = (112, 104, 150, 110)
    split_sizes = (520, 700)
    split_stretch = (3, 4)
    detail_service = staticmethod(exits.get_exit)
    detail_errors_in_pane = True

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.waiting_rows: list[ExitRow] = []
        self.title = self.tr("Avhoppare")
        self.heading.setText(self.tr("Avhoppare"))

    def build_list_header(self, parent, column) -> None:
        column.addWidget(subheading(self.tr("Väntar på första kontakt – mål inom 24 timmar"),
                                    parent))
        self.waiting = DeadlineBars(parent, total_hours=24, lang=self.ctx.lang,
                                    empty_text=self.tr("Ingen förfrågan väntar på första "
                                                       "kontakt."))
        self.waiting.setObjectName("waiting")
        self.waiting.activated.connect(self.show_programme)
        column.addWidget(self.waiting)
        self.waiting_more = muted("", parent)
        column.addWidget(self.waiting_more)
        row = QHBoxLayout()
        row.addWidget(subheading(self.tr("Alla avhopparärenden"), parent))
        row.addStretch(1)
        self.state_combo = state_combo(parent, ExitState, ONGOING, self.ctx.lang)
        self.state_combo.currentIndexChanged.connect(self.filters_changed)
        row.addWidget(self.state_combo)
        column.addLayout(row)

    def make_model(self) -> ColouredModel:
        return states_model(self, exits.list_exits, "exits.page",
                            exit_columns(self.tr, self.ctx.lang), ONGOING, exit_colour)

    def make_detail(self, parent) -> ExitPanel:
        panel = ExitPanel(self.ctx, parent, show_open_case=True)
        panel.setObjectName("exitPanel")
        panel.openCase.connect(self.ctx.open_case)
        return panel

    def filter_params(self):
        return state_tuple(self.state_combo.currentData())

    # -- loading -------------------------------------------------------------------------

    def reload(self) -> None:
        self.ctx.run(exits.list_exits, waiting_first_contact=True, limit=WAITING_LIMIT,
                     on_done=self._show_waiting, key="exits.waiting")
        super().reload()

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

    show_programme = ListScreen.show_record

    # -- lock protocol -------------------------------------------------------------------------

    def clear(self) -> None:
        super().clear()
        self.waiting.clear()
        self.waiting_rows = []

    def state(self) -> dict:
        p = self.panel.programme
        return {"states": [s.value for s in self.model.params],
                "exit_id": p.id if p else None}

    def restore(self, state: dict) -> None:
        states = tuple(ExitState(s) for s in state.get("states", [s.value for s in ONGOING]))
        select_item(self.state_combo, states, state_tuple)
        if states != self.model.params:
            self.model.set_params(states)
        if state.get("exit_id") is not None:
            self.show_programme(state["exit_id"])
