"""Händelser (case tab): the incidents this case's person is linked to, with
their role in each (criminal-category content, through
``incidents.list_case_involvements``: only what the access rule lets this
user see, and a line for the rest), linking the person to an incident, and
the action items that came from incidents."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QVBoxLayout

from trefas_app.domain import clock
from trefas_app.domain.enums import CaseState, IncidentState
from trefas_app.services import incidents
from trefas_app.services.case_tabs import CaseIncidents, load_case_incidents
from trefas_app.ui.common import enum_label, fmt_date, fmt_datetime
from trefas_app.ui.screens.base import BaseTab
from trefas_app.ui.widgets.parts import (
    DONE,
    TASK_NOUNS,
    fill_row,
    fit_table,
    header_row,
    open_dialog,
    open_screen,
    overdue_text,
    push_button,
    selected_data,
    show_hidden,
    subheading,
    table_block,
    task_colour,
)

#: How far back incidents are offered when linking the person to one.
LINK_WINDOW_DAYS = 365


class Tab(BaseTab):
    def __init__(self, ctx, case_view):
        super().__init__(ctx, case_view)
        self.data: CaseIncidents | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 8, 4, 4)
        self.link_button = push_button(self, self.tr("Koppla till händelse …"), "linkIncident",
                                       self.link)
        self.open_button = push_button(self, self.tr("Visa händelsen"), "openIncident",
                                       self.open_incident)
        lay.addLayout(header_row(self, self.tr("Händelser som personen är kopplad till"),
                                 right=(self.link_button, self.open_button)))
        self.involvements, self.involvements_empty, self.involvements_hidden = table_block(
            self, lay, [self.tr("Inträffade"), self.tr("Händelse"), self.tr("Typ"),
                        self.tr("Plats"), self.tr("Roll"), self.tr("Registrerad av")],
            "caseInvolvements",
            self.tr("Personen är inte kopplad till någon händelse som du får se."),
            "involvementsHidden", stretch=3)
        self.involvements.itemSelectionChanged.connect(self._update_buttons)
        self.involvements.itemDoubleClicked.connect(lambda _i: self.open_incident())
        lay.addSpacing(12)
        lay.addWidget(subheading(self.tr("Åtgärdspunkter från händelser"), self))
        self.tasks, self.tasks_empty, self.tasks_hidden = table_block(
            self, lay, [self.tr("Förfaller"), self.tr("Rubrik"), self.tr("Händelse"),
                        self.tr("Ansvarig"), self.tr("Status")], "incidentTasks",
            self.tr("Inga åtgärdspunkter från händelser."), "tasksHidden", stretch=1,
            select=False)
        lay.addStretch(1)
        self._update_buttons()

    def case_watches(self, case) -> tuple:
        return (("cases", case.id), "incidents", ("tasks", case.id),
                ("consents", case.person.id))

    def reload(self) -> None:
        if self.case is None:
            return
        self.ctx.run(load_case_incidents, self.case.id, on_done=self._show,
                     key=f"case_incidents.{self.case.id}")

    def _show(self, data: CaseIncidents) -> None:
        if self.case is None:
            return
        self.data = data
        lang = self.ctx.lang
        inv = data.involvements
        rows = list(inv.rows) if inv is not None else []
        self.involvements.setRowCount(len(rows))
        for r, v in enumerate(rows):
            place = ", ".join(x for x in (v.incident_unit_name, v.incident_place) if x)
            fill_row(self.involvements, r, [
                fmt_datetime(v.incident_occurred_at) if v.incident_occurred_at else "",
                v.incident_number or str(v.incident_id),
                enum_label(v.incident_kind, lang) if v.incident_kind else "",
                place, v.involvement_label, enum_label(v.owner_agency, lang)], data=v,
                colour=DONE if v.incident_state == IncidentState.CLOSED else None)
        fit_table(self.involvements, self.involvements_empty)
        self.open_button.setVisible(inv is not None)
        show_hidden(self.involvements_hidden, inv.hidden if inv is not None else None,
                    ("koppling", "kopplingar", "link", "links"), lang)
        self.tasks.setRowCount(len(data.tasks))
        for r, t in enumerate(data.tasks):
            colour = task_colour(t)
            due = fmt_date(t.due_on) or "–"
            fill_row(self.tasks, r, [overdue_text(due) if t.overdue else due, t.title,
                                     t.incident_number or "", t.assignee or "",
                                     enum_label(t.state, lang)], data=t, colour=colour)
        fit_table(self.tasks, self.tasks_empty)
        show_hidden(self.tasks_hidden, data.tasks_hidden, TASK_NOUNS, lang)
        self._update_buttons()

    def _update_buttons(self) -> None:
        case = self.case
        writable = case is not None and not case.read_only and case.state != CaseState.CLOSED
        self.link_button.setVisible(writable and self.ctx.may("involvement.write"))
        self.open_button.setEnabled(selected_data(self.involvements) is not None)

    def link(self) -> None:
        if self.case is None:
            return
        since = clock.today() - dt.timedelta(days=LINK_WINDOW_DAYS)
        self.ctx.run(incidents.list_incidents, since=since, limit=500,
                     on_done=self._link_dialog, key="case_incidents.choose")

    def _link_dialog(self, page):
        from trefas_app.ui.dialogs.incident import LinkPersonDialog

        if self.case is None:
            return None
        dlg = LinkPersonDialog(self.ctx, self, case_id=self.case.id,
                               case_text=f"{self.case.number} · {self.case.person.display_name}",
                               incident_rows=list(page.rows))
        open_dialog(dlg)
        return dlg

    def open_incident(self) -> None:
        v = selected_data(self.involvements)
        if v is not None:
            open_screen(self, self.ctx, "incidents",
                        {"days": None, "states": [], "incident_id": v.incident_id})

    def clear(self) -> None:
        self.case = None
        self.data = None
        self.involvements.setRowCount(0)
        self.tasks.setRowCount(0)
