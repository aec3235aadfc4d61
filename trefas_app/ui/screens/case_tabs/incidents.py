"""Händelser (case tab): the incidents this case's person is linked to, with
their role in each (criminal-category content, through
``incidents.list_case_involvements``: only what the access rule lets this
user see, and a line for the rest), linking the person to an incident, and
the action items that came from incidents."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout

from trefas_app.domain import clock
from trefas_app.domain.enums import CaseState, IncidentState, TaskState
from trefas_app.services import incidents, tasks
from trefas_app.services.views import Page
from trefas_app.ui.common import enum_label, fmt_date, fmt_datetime
from trefas_app.ui.screens.base import BaseTab
from trefas_app.ui.screens.case_tabs.parts import (
    DONE,
    OVERDUE,
    empty_label,
    fill_row,
    fit_table,
    hidden_label,
    make_table,
    open_screen,
    overdue_text,
    selected_data,
    show_hidden,
    subheading,
    why_hidden,
)

#: How far back incidents are offered when linking the person to one.
LINK_WINDOW_DAYS = 365


@dataclass(frozen=True)
class CaseIncidents:
    #: Page of the case's involvements (InvolvementView, each with its
    #: incident's number, kind, time and place), or None when the user's role
    #: may not read them.
    involvements: Page | None
    #: The case's tasks that came from an incident.
    tasks: tuple
    tasks_hidden: dict


def load_case_incidents(uow, actor, case_id: int) -> CaseIncidents:
    involvements = None
    if actor.may("involvement.read"):
        involvements = incidents.list_case_involvements(uow, actor, case_id)
    task_rows: tuple = ()
    hidden: dict = {}
    if actor.may("task.read"):
        page = tasks.list_tasks(uow, actor, case_id=case_id, limit=500)
        task_rows = tuple(t for t in page.rows if t.incident_id is not None)
        hidden = page.hidden
    return CaseIncidents(involvements, task_rows, hidden)


class Tab(BaseTab):
    def __init__(self, ctx, case_view):
        super().__init__(ctx, case_view)
        self.data: CaseIncidents | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 8, 4, 4)
        row = QHBoxLayout()
        row.addWidget(subheading(self.tr("Händelser som personen är kopplad till"), self))
        row.addStretch(1)
        self.link_button = QPushButton(self.tr("Koppla till händelse …"), self)
        self.link_button.setObjectName("linkIncident")
        self.link_button.clicked.connect(self.link)
        self.open_button = QPushButton(self.tr("Visa händelsen"), self)
        self.open_button.setObjectName("openIncident")
        self.open_button.clicked.connect(self.open_incident)
        row.addWidget(self.link_button)
        row.addWidget(self.open_button)
        lay.addLayout(row)
        self.involvements = make_table(self, [
            self.tr("Inträffade"), self.tr("Händelse"), self.tr("Typ"), self.tr("Plats"),
            self.tr("Roll"), self.tr("Registrerad av")], "caseInvolvements", stretch=3)
        self.involvements.itemSelectionChanged.connect(self._update_buttons)
        self.involvements.itemDoubleClicked.connect(lambda _i: self.open_incident())
        lay.addWidget(self.involvements)
        self.involvements_empty = empty_label(self.tr(
            "Personen är inte kopplad till någon händelse som du får se."), self)
        lay.addWidget(self.involvements_empty)
        self.involvements_hidden = hidden_label(self, "involvementsHidden")
        lay.addWidget(self.involvements_hidden)
        lay.addSpacing(12)
        lay.addWidget(subheading(self.tr("Åtgärdspunkter från händelser"), self))
        self.tasks = make_table(self, [self.tr("Förfaller"), self.tr("Rubrik"),
                                       self.tr("Händelse"), self.tr("Ansvarig"),
                                       self.tr("Status")], "incidentTasks", stretch=1,
                                select=False)
        lay.addWidget(self.tasks)
        self.tasks_empty = empty_label(self.tr("Inga åtgärdspunkter från händelser."), self)
        lay.addWidget(self.tasks_empty)
        self.tasks_hidden = hidden_label(self, "tasksHidden")
        lay.addWidget(self.tasks_hidden)
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
        sv = lang == "sv"
        why = why_hidden(lang)
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
                    "koppling" if sv else "link", "kopplingar" if sv else "links", lang, why)
        self.tasks.setRowCount(len(data.tasks))
        for r, t in enumerate(data.tasks):
            colour = OVERDUE if t.overdue else (DONE if t.state != TaskState.OPEN else None)
            due = fmt_date(t.due_on) or "–"
            fill_row(self.tasks, r, [overdue_text(due) if t.overdue else due, t.title,
                                     t.incident_number or "", t.assignee or "",
                                     enum_label(t.state, lang)], data=t, colour=colour)
        fit_table(self.tasks, self.tasks_empty)
        show_hidden(self.tasks_hidden, data.tasks_hidden, "åtgärdspunkt" if sv else "task",
                    "åtgärdspunkter" if sv else "tasks", lang, why)
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
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()
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
