"""Händelser: incidents (shootings and the like) by time, district and state,
and for the chosen one the post-shooting routine as a checklist — tick a step
done, give it to someone, reopen it — the persons involved (as far as the
access rule lets this user see them, with a line for the rest), and closing
the incident once every step is done."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QPushButton,
    QTableWidgetItem,
    QWidget,
)

from trefas_app.domain import clock
from trefas_app.domain.enums import IncidentState, Role
from trefas_app.services import incidents, users
from trefas_app.services.views_ops import IncidentRow, IncidentView, RoutineStepView
from trefas_app.ui import common
from trefas_app.ui.common import enum_label, fmt_date, fmt_datetime, muted
from trefas_app.ui.dialogs.incident import step_title
from trefas_app.ui.dialogs.task_pickers import load_directory
from trefas_app.ui.models.paged import Column
from trefas_app.ui.widgets.list_screen import DetailPane, ListScreen, select_item, state_tuple
from trefas_app.ui.widgets.parts import (
    ColouredModel,
    DONE,
    OVERDUE,
    button_row,
    fill_row,
    fit_table,
    header_row,
    make_table,
    open_dialog,
    push_button,
    selected_data,
    service_loader,
    show_hidden,
    subheading,
    table_block,
    title_row,
    value_label,
)
from trefas_app.ui.widgets.fields import choice_combo

OPEN_STATES = (IncidentState.REPORTED, IncidentState.ROUTINE)


@dataclass(frozen=True)
class IncidentParams:
    days: int | None = 90  # None = all time
    unit_id: int | None = None
    states: tuple[IncidentState, ...] = ()


def since_for(days: int | None) -> dt.date | None:
    if days is None:
        return None
    return clock.today() - dt.timedelta(days=days)


def incident_columns(tr, lang: str) -> list[Column]:
    def steps(r: IncidentRow) -> str:
        if not r.steps_total:
            return ""
        text = tr("{done}/{total} klara").format(done=r.steps_total - r.steps_open,
                                                 total=r.steps_total)
        if r.steps_overdue and r.state != IncidentState.CLOSED:
            text += QCoreApplication.translate("Screen", ", %n försenade", "", r.steps_overdue)
        return text

    return [
        Column(tr("Inträffade"), lambda r: fmt_datetime(r.occurred_at)),
        Column(tr("Nummer"), lambda r: r.number),
        Column(tr("Typ"), lambda r: enum_label(r.kind, lang)),
        Column(tr("Område"), lambda r: r.unit_name),
        Column(tr("Plats"), lambda r: r.place),
        Column(tr("Status"), lambda r: enum_label(r.state, lang)),
        Column(tr("Rutinen"), steps),
    ]


def incident_colour(r: IncidentRow):
    if r.state == IncidentState.CLOSED:
        return DONE
    if r.steps_overdue:
        return OVERDUE
    return None


class IncidentPanel(DetailPane):
    """One incident with its routine and involvements."""

    openCase = Signal(int)

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.incident: IncidentView | None = None
        self.candidates = []
        self._filling = False
        self.empty.setText(self.tr("Välj en händelse."))
        self.empty.setObjectName("incidentEmpty")
        cl = self.body

        head, self.title, self.state_badge = title_row(self.content, "incidentTitle",
                                                       "incidentState", wrap=True)
        cl.addLayout(head)
        self.meta = muted("", self.content)
        self.meta.setTextFormat(Qt.TextFormat.PlainText)
        cl.addWidget(self.meta)
        self.summary = value_label(self.content, "incidentSummary")
        cl.addWidget(self.summary)

        self.start_button = push_button(self.content, self.tr("Starta rutinen"), "startRoutine",
                                        self.start_routine)
        self.close_button = push_button(self.content, self.tr("Avsluta händelsen"),
                                        "closeIncident", self.close_incident)
        self.link_button = push_button(self.content, self.tr("Koppla person …"), "linkPerson",
                                       self.link_person)
        actions = button_row(self.start_button, self.close_button, self.link_button)
        cl.addLayout(actions)

        self.progress = muted("", self.content)
        self.progress.setObjectName("routineProgress")
        self.done_button = push_button(self.content, self.tr("Markera klart …"), "stepDone",
                                       self.mark_done)
        self.reopen_button = push_button(self.content, self.tr("Öppna igen"), "stepReopen",
                                         self.reopen)
        self.assign_button = push_button(self.content, self.tr("Ansvarig …"), "stepAssign",
                                         self.assign)
        cl.addLayout(header_row(self.content, self.tr("Rutin vid skjutningar"),
                                left=(self.progress,),
                                right=(self.done_button, self.reopen_button, self.assign_button)))
        self.steps = make_table(self.content, [
            self.tr("Steg"), self.tr("Ägs av"), self.tr("Ansvarig"), self.tr("Klart senast"),
            self.tr("Klart")], "steps", stretch=0)
        self.steps.itemChanged.connect(self._step_ticked)
        self.steps.itemSelectionChanged.connect(self._update_buttons)
        cl.addWidget(self.steps)
        self.routine_note = muted("", self.content)
        cl.addWidget(self.routine_note)

        cl.addWidget(subheading(self.tr("Berörda personer"), self.content))
        self.involvements, self.involvements_empty, self.involvements_hidden = table_block(
            self.content, cl, [self.tr("Person"), self.tr("Ärende"), self.tr("Roll"),
                               self.tr("Registrerad av")], "involvements",
            self.tr("Inga berörda personer registrerade."), "involvementsHidden", stretch=0)
        self.involvements.itemDoubleClicked.connect(self._involvement_opened)
        self.set_incident(None)
        if ctx.may("routine.write"):
            load_directory(ctx, self._directory, key=f"incident_panel.users.{id(self)}")

    def _directory(self, candidates) -> None:
        self.candidates = list(candidates)

    # -- showing ------------------------------------------------------------------------

    def set_record(self, view: IncidentView | None) -> None:
        self.set_incident(view)

    def set_incident(self, inc: IncidentView | None) -> None:
        self.incident = self.record = inc
        self.show_content(inc is not None)
        if inc is None:
            self._filling = True
            self.steps.setRowCount(0)
            self.involvements.setRowCount(0)
            self._filling = False
            self.title.clear()
            self.summary.clear()
            return
        lang = self.ctx.lang
        self.title.setText(f"{inc.number} · {enum_label(inc.kind, lang)} · "
                           f"{inc.unit_name}, {inc.place}")
        self.state_badge.setText(enum_label(inc.state, lang))
        self.meta.setText(self.tr("Inträffade {at} · rapporterad {rep} av {who} ({agency})")
                          .format(at=fmt_datetime(inc.occurred_at),
                                  rep=fmt_datetime(inc.reported_at), who=inc.reported_by or "",
                                  agency=enum_label(inc.owner_agency, lang)))
        self.summary.setText(inc.summary)
        done = sum(1 for s in inc.steps if s.done)
        late = sum(1 for s in inc.steps if s.overdue)
        text = self.tr("{done} av %n steg klara", "", len(inc.steps)).format(done=done)
        if late:
            text += self.tr(", %n försenade", "", late)
        self.progress.setText(text)
        self.progress.setStyleSheet("color: #b3261e;" if late else "")
        self._filling = True
        self.steps.setRowCount(len(inc.steps))
        for r, st in enumerate(inc.steps):
            colour = OVERDUE if st.overdue else (DONE if st.done else None)
            done_text = (f"{fmt_datetime(st.done_at)} {st.done_by or ''}".strip()
                         if st.done else "")
            fill_row(self.steps, r, [step_title(st, lang), enum_label(st.owner_agency, lang),
                                     st.owner_name or "–", fmt_datetime(st.due_at), done_text],
                     data=st, colour=colour, tooltip=st.comment or "")
            item = self.steps.item(r, 0)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable
                          if self._may_work(st) else item.flags() & ~Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if st.done else Qt.CheckState.Unchecked)
            if st.overdue:
                item.setToolTip(self.tr("Försenat"))
        self._filling = False
        fit_table(self.steps, None, max_rows=12)
        if inc.state == IncidentState.REPORTED:
            self.routine_note.setText(self.tr("Rutinen startas när händelsen är bekräftad; "
                                              "då kan stegen bockas av."))
        elif inc.state == IncidentState.CLOSED:
            self.routine_note.setText(self.tr("Händelsen är avslutad {date}.").format(
                date=fmt_date(inc.closed_at)))
        else:
            self.routine_note.setText("")
        self.involvements.setRowCount(len(inc.involvements))
        for r, inv in enumerate(inc.involvements):
            fill_row(self.involvements, r, [inv.person_name, inv.case_number or "–",
                                            inv.involvement_label,
                                            enum_label(inv.owner_agency, lang)], data=inv)
        fit_table(self.involvements, self.involvements_empty)
        show_hidden(self.involvements_hidden, inc.involvements_hidden,
                    ("person", "personer", "person", "persons"), lang)
        self._update_buttons()

    def _may_work(self, step: RoutineStepView) -> bool:
        inc = self.incident
        actor = self.ctx.actor
        return (inc is not None and inc.state == IncidentState.ROUTINE and actor is not None
                and self.ctx.may("routine.write")
                and (step.owner_agency == actor.agency or actor.role == Role.COORDINATOR))

    def selected_step(self) -> RoutineStepView | None:
        data = selected_data(self.steps)
        return data if isinstance(data, RoutineStepView) else None

    def _update_buttons(self) -> None:
        inc = self.incident
        if inc is None:
            return
        may_write = self.ctx.may("incident.write")
        self.start_button.setVisible(IncidentState.ROUTINE in inc.next_states and may_write)
        closing = IncidentState.CLOSED in inc.next_states and may_write
        self.close_button.setVisible(closing)
        open_steps = len(inc.open_steps)
        self.close_button.setEnabled(open_steps == 0)
        self.close_button.setToolTip(self.tr("%n steg i rutinen är inte klara.", "",
                                             open_steps) if open_steps else "")
        self.link_button.setVisible(self.ctx.may("involvement.write")
                                    and inc.state != IncidentState.CLOSED)
        step = self.selected_step()
        may_routine = self.ctx.may("routine.write")
        for b in (self.done_button, self.reopen_button, self.assign_button):
            b.setVisible(may_routine and inc.state != IncidentState.CLOSED)
        workable = step is not None and self._may_work(step)
        self.done_button.setEnabled(workable and not step.done)
        self.reopen_button.setEnabled(workable and step.done)
        self.assign_button.setEnabled(
            step is not None and not step.done and inc.state != IncidentState.CLOSED
            and self.ctx.actor is not None
            and (step.owner_agency == self.ctx.actor.agency
                 or self.ctx.actor.role == Role.COORDINATOR))

    # -- actions --------------------------------------------------------------------------

    _open = staticmethod(open_dialog)

    def _step_ticked(self, item: QTableWidgetItem) -> None:
        if self._filling or item.column() != 0:
            return
        step = item.data(Qt.ItemDataRole.UserRole)
        if not isinstance(step, RoutineStepView):
            return
        ticked = item.checkState() == Qt.CheckState.Checked
        # Put the box back as it was: the service decides, the reload shows it.
        self._filling = True
        item.setCheckState(Qt.CheckState.Checked if step.done else Qt.CheckState.Unchecked)
        self._filling = False
        self.steps.selectRow(item.row())
        if ticked and not step.done:
            self.mark_done()
        elif not ticked and step.done:
            self.reopen()

    def mark_done(self):
        from trefas_app.ui.dialogs.incident import StepDoneDialog

        step = self.selected_step()
        if step is None or step.done:
            return None
        dlg = StepDoneDialog(self.ctx, self, step)
        self._open(dlg)
        return dlg

    def reopen(self) -> None:
        step = self.selected_step()
        if step is None or not step.done:
            return
        if not common.confirm(self, self.tr("Öppna steget ”{title}” igen?").format(
                title=step_title(step, self.ctx.lang)), self.tr("Öppna igen"), self.tr("Avbryt")):
            return
        self.ctx.run(incidents.reopen_step, step.id, expected_version=step.version)

    def assign(self):
        from trefas_app.ui.dialogs.incident import AssignStepDialog

        step = self.selected_step()
        if step is None:
            return None
        dlg = AssignStepDialog(self.ctx, self, step, self.candidates)
        self._open(dlg)
        return dlg

    def start_routine(self) -> None:
        inc = self.incident
        if inc is not None:
            self.ctx.run(incidents.start_routine, inc.id)

    def close_incident(self) -> None:
        inc = self.incident
        if inc is None:
            return
        if not common.confirm(self, self.tr("Avsluta händelsen {number}? Rutinen kan sedan inte "
                                            "ändras.").format(number=inc.number),
                              self.tr("Avsluta"), self.tr("Avbryt")):
            return
        self.ctx.run(incidents.close_incident, inc.id)

    def link_person(self):
        from trefas_app.ui.dialogs.incident import LinkPersonDialog

        inc = self.incident
        if inc is None:
            return None
        dlg = LinkPersonDialog(self.ctx, self, incident_id=inc.id,
                               incident_text=f"{inc.number} · {inc.unit_name}, {inc.place}")
        self._open(dlg)
        return dlg

    def _involvement_opened(self, item: QTableWidgetItem) -> None:
        inv = self.involvements.item(item.row(), 0).data(Qt.ItemDataRole.UserRole)
        if inv is not None and inv.case_number:
            self.openCase.emit(inv.case_id)


class Screen(ListScreen):
    watches = ("incidents",)
    nouns = ("händelse", "händelser", "incident", "incidents")
    shows_hidden = False
    column_widths = (120, 90, 90, 120, 130, 90)
    detail_service = staticmethod(incidents.get_incident)

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.title = self.tr("Händelser")
        self.heading.setText(self.tr("Händelser"))
        self.units = []

    def build_actions(self, row) -> None:
        self.report_button = QPushButton(self.tr("Rapportera händelse …"), self)
        self.report_button.setObjectName("reportIncident")
        self.report_button.setVisible(self.ctx.may("incident.write"))
        self.report_button.clicked.connect(self.report)
        row.addWidget(self.report_button)

    def build_filters(self, row) -> None:
        self.period_combo = choice_combo(self, "period", self.tr("Period"),
                                         [(self.tr("Senaste 90 dagarna"), 90),
                                          (self.tr("Senaste året"), 365),
                                          (self.tr("All tid"), None)])
        self.unit_combo = choice_combo(self, "unitFilter", self.tr("Område"),
                                       [(self.tr("Alla områden"), None)])
        self.state_combo = choice_combo(self, "stateFilter", self.tr("Status"),
                                        [(self.tr("Alla"), ()), (self.tr("Pågående"), OPEN_STATES)])
        for st in IncidentState:
            self.state_combo.addItem(enum_label(st, self.ctx.lang), (st,))
        for w in (self.period_combo, self.unit_combo, self.state_combo):
            row.addWidget(w)
            w.currentIndexChanged.connect(self.filters_changed)
        row.addStretch(1)

    def make_model(self) -> ColouredModel:
        return ColouredModel(
            service_loader(self.ctx, incidents.list_incidents, "incidents.page",
                           lambda p: ((), dict(since=since_for(p.days), unit_id=p.unit_id,
                                               states=p.states))),
            incident_columns(self.tr, self.ctx.lang), params=IncidentParams(),
            colour=incident_colour, parent=self)

    def make_detail(self, parent) -> IncidentPanel:
        panel = IncidentPanel(self.ctx, parent)
        panel.setObjectName("incidentPanel")
        panel.openCase.connect(self.ctx.open_case)
        return panel

    # -- loading -----------------------------------------------------------------------------

    def reload(self) -> None:
        if not self.units:
            self.ctx.run(users.list_units, on_done=self._units, key="incidents.units")
        super().reload()

    def _units(self, units) -> None:
        self.units = list(units)
        current = self.unit_combo.currentData()
        self.unit_combo.blockSignals(True)
        while self.unit_combo.count() > 1:
            self.unit_combo.removeItem(1)
        for u in self.units:
            self.unit_combo.addItem(f"{u.name}", u.id)
        i = self.unit_combo.findData(current)
        self.unit_combo.setCurrentIndex(max(0, i))
        self.unit_combo.blockSignals(False)

    def params(self) -> IncidentParams:
        return IncidentParams(days=self.period_combo.currentData(),
                              unit_id=self.unit_combo.currentData(),
                              states=state_tuple(self.state_combo.currentData()))

    filter_params = params
    show_incident = ListScreen.show_record

    def report(self):
        from trefas_app.ui.dialogs.incident import IncidentDialog

        dlg = IncidentDialog(self.ctx, self, self.units)
        dlg.succeeded.connect(lambda v: self.show_incident(v.id))
        open_dialog(dlg)
        return dlg

    # -- lock protocol -----------------------------------------------------------------------

    def state(self) -> dict:
        p = self.model.params
        return {"days": p.days, "unit_id": p.unit_id, "states": [s.value for s in p.states],
                "incident_id": self.panel.incident.id if self.panel.incident else None}

    def restore(self, state: dict) -> None:
        days = state.get("days", 90)
        unit_id = state.get("unit_id")
        states = tuple(IncidentState(s) for s in state.get("states", []))
        select_item(self.period_combo, days)
        if unit_id is not None and self.unit_combo.findData(unit_id) < 0:
            self.unit_combo.addItem(str(state.get("unit_name") or unit_id), unit_id)
        select_item(self.unit_combo, unit_id)
        select_item(self.state_combo, states, state_tuple)
        self._stale = False
        self.model.set_params(IncidentParams(days=days, unit_id=unit_id, states=states))
        if state.get("incident_id") is not None:
            self.show_incident(state["incident_id"])
