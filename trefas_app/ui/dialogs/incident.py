"""Incidents and the post-shooting routine: report an incident, mark a
routine step done (with a comment), give a step to someone, and link a case's
person to an incident with their role in it."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QComboBox, QLabel, QWidget

from trefas_app.domain.enums import IncidentKind
from trefas_app.domain.routine import INVOLVEMENT_ROLES, involvement_label
from trefas_app.services import incidents
from trefas_app.services.views import UnitView
from trefas_app.services.views_ops import IncidentRow, RoutineStepView
from trefas_app.ui.common import combo_enum, enum_label, fmt_date, fmt_datetime, muted
from trefas_app.ui.dialogs.base import ServiceDialog, field_error_label, note_problem, text_problem
from trefas_app.ui.dialogs.task_pickers import (
    Candidate,
    CasePicker,
    UserCombo,
    datetime_edit,
    local_now,
    to_datetime,
)
from trefas_app.ui.widgets.fields import enum_combo, line_edit, text_area


def step_title(step: RoutineStepView, lang: str) -> str:
    return step.title if lang == "sv" else step.title_en


class IncidentDialog(ServiceDialog):
    """Rapportera en händelse; the routine's checklist is created with it."""

    def __init__(self, ctx, parent: QWidget | None, units: list[UnitView]):
        super().__init__(ctx, parent, title=self.tr("Rapportera händelse"),
                         ok_text=self.tr("Rapportera"), name="incidentDialog", width=540)
        lang = ctx.lang
        self.kind_combo = enum_combo(self, "kind", IncidentKind, lang)
        self.when_edit = datetime_edit(self)
        self.when_edit.setObjectName("occurredAt")
        self.when_error = field_error_label(self)
        self.unit_combo = QComboBox(self)
        self.unit_combo.setObjectName("unit")
        self.unit_combo.addItem(self.tr("Välj område"), None)
        for u in units:
            self.unit_combo.addItem(u.name, u.id)
        if ctx.actor is not None:
            i = self.unit_combo.findData(ctx.actor.unit_id)
            if i >= 0:
                self.unit_combo.setCurrentIndex(i)
        self.place_edit = line_edit(self, "place", "incidents.place",
                                    placeholder=self.tr("t.ex. Rinkeby torg"))
        self.summary_edit = text_area(self, "summary", "incidents.summary")
        self.summary_edit.setMinimumHeight(110)
        self.summary_edit.setPlaceholderText(self.tr(
            "Vad har hänt? Skriv inte namn här – personer kopplas till händelsen via sina "
            "ärenden."))
        self.form.addRow(self.tr("Typ"), self.kind_combo)
        self.form.addRow(self.tr("Inträffade *"), self.when_edit)
        self.form.addRow("", self.when_error)
        self.form.addRow(self.tr("Område (stadsdel) *"), self.unit_combo)
        self.form.addRow(self.tr("Plats *"), self.place_edit)
        self.form.addRow(self.tr("Beskrivning *"), self.summary_edit)
        self.body.addWidget(muted(self.tr(
            "När händelsen rapporteras skapas rutinen vid skjutningar som en checklista."),
            self))
        self.when_edit.dateTimeChanged.connect(self.revalidate)
        self.watch(self.unit_combo, self.place_edit, self.summary_edit)
        self.mark_clean()

    def occurred_at(self) -> dt.datetime:
        return to_datetime(self.when_edit.dateTime())

    def problems(self) -> list[str]:
        problems = []
        when_text = ""
        if self.occurred_at() > local_now() + incidents.FUTURE_TOLERANCE:
            when_text = self.tr("Tidpunkten för händelsen ligger i framtiden.")
        note_problem(problems, when_text, self.when_error)
        if self.unit_combo.currentData() is None:
            problems.append(self.tr("Välj område (stadsdel)."))
        place = self.place_edit.text().strip()
        note_problem(problems, text_problem(
            place, self.tr("Ange platsen."),
            self.tr("Platsen får vara högst 200 tecken."), 200))
        if not self.summary_edit.toPlainText().strip():
            problems.append(self.tr("Beskriv händelsen."))
        return problems

    def submit(self) -> None:
        self.run(incidents.report_incident, combo_enum(self.kind_combo, IncidentKind),
                 self.occurred_at(),
                 self.unit_combo.currentData(), self.place_edit.text().strip(),
                 self.summary_edit.toPlainText().strip())


class _StepChange(ServiceDialog):
    """A dialog that changes the routine step it was opened with: the step's
    version goes to the service; "Öppna igen" reads the incident anew and
    takes the step from it."""

    step: RoutineStepView

    def read_again(self):
        return incidents.get_incident, (self.step.incident_id,)

    def reopened(self, incident) -> None:
        self.step = next(s for s in incident.steps if s.id == self.step.id)
        self.version = self.step.version


class StepDoneDialog(_StepChange):
    """Mark a routine step done, with an optional comment."""

    def __init__(self, ctx, parent: QWidget | None, step: RoutineStepView):
        super().__init__(ctx, parent, title=self.tr("Markera steget som klart"),
                         ok_text=self.tr("Klart"), name="stepDoneDialog", width=480)
        self.step, self.version = step, step.version
        title = QLabel(step_title(step, ctx.lang), self)
        title.setWordWrap(True)
        title.setProperty("role", "subheading")
        self.body.insertWidget(0, title)
        self.body.insertWidget(1, muted(self.tr("Ska vara klart {due} · {agency}").format(
            due=fmt_datetime(step.due_at), agency=enum_label(step.owner_agency, ctx.lang)),
            self))
        self.comment_edit = text_area(self, "comment", "routine_steps.comment")
        self.comment_edit.setFixedHeight(90)
        self.form.addRow(self.tr("Kommentar"), self.comment_edit)
        self.comment_edit.textChanged.connect(self.revalidate)
        self.mark_clean()

    def problems(self) -> list[str]:
        if len(self.comment_edit.toPlainText().strip()) > 2000:
            return [self.tr("Kommentaren får vara högst 2 000 tecken.")]
        return []

    def submit(self) -> None:
        self.run(incidents.complete_step, self.step.id,
                 self.comment_edit.toPlainText().strip() or None,
                 expected_version=self.version)


class AssignStepDialog(_StepChange):
    """Give a routine step to a user of the step's owning agency (or nobody).
    ``candidates``: the users the dialog may offer; the user themself is
    always offered when they belong to that agency."""

    def __init__(self, ctx, parent: QWidget | None, step: RoutineStepView,
                 candidates: list[Candidate] = ()):
        super().__init__(ctx, parent, title=self.tr("Ansvarig för steget"),
                         ok_text=self.tr("Spara"), name="assignStepDialog", width=480)
        self.step, self.version = step, step.version
        lang = ctx.lang
        title = QLabel(step_title(step, lang), self)
        title.setWordWrap(True)
        title.setProperty("role", "subheading")
        self.body.insertWidget(0, title)
        self.body.insertWidget(1, muted(self.tr(
            "Steget ägs av {agency}: välj någon därifrån.").format(
            agency=enum_label(step.owner_agency, lang)), self))
        offered = [c for c in candidates if c.agency == step.owner_agency]
        actor = ctx.actor
        if actor is not None and actor.agency == step.owner_agency and \
                all(c.user_id != actor.user_id for c in offered):
            offered.insert(0, Candidate(actor.user_id, actor.display_name, actor.role,
                                        actor.agency, actor.unit_name))
        self.user_combo = UserCombo(self, none_text=self.tr("Ingen ansvarig"), lang=lang)
        self.user_combo.setObjectName("owner")
        self.user_combo.set_candidates(offered, keep=step.owner_user_id)
        self.form.addRow(self.tr("Ansvarig"), self.user_combo)
        self.user_combo.currentIndexChanged.connect(self.revalidate)
        self.mark_clean()

    def problems(self) -> list[str]:
        if self.user_combo.user_id() == self.step.owner_user_id:
            return [self.tr("Välj någon annan än den som redan är ansvarig.")]
        return []

    def submit(self) -> None:
        self.run(incidents.assign_step, self.step.id, self.user_combo.user_id(),
                 expected_version=self.version)

    def reopened(self, incident) -> None:
        super().reopened(incident)
        self.revalidate()  # the owner saved now may be the one chosen here


class LinkPersonDialog(ServiceDialog):
    """Link a case's person to an incident. Either the incident is known (from
    the incident screen: choose the case) or the case is (from the case tab:
    choose among ``incident_rows``)."""

    def __init__(self, ctx, parent: QWidget | None, incident_id: int | None = None,
                 incident_text: str = "", case_id: int | None = None, case_text: str = "",
                 incident_rows: list[IncidentRow] = ()):
        super().__init__(ctx, parent, title=self.tr("Koppla person till händelse"),
                         ok_text=self.tr("Koppla"), name="linkPersonDialog", width=560)
        lang = ctx.lang
        self.incident_id = incident_id
        self.incident_combo: QComboBox | None = None
        if incident_id is None:
            self.incident_combo = QComboBox(self)
            self.incident_combo.setObjectName("incident")
            self.incident_combo.addItem(self.tr("Välj händelse"), None)
            for row in incident_rows:
                self.incident_combo.addItem(
                    f"{row.number} · {enum_label(row.kind, lang)} · {fmt_date(row.occurred_at)}"
                    f" · {row.unit_name}, {row.place}", row.id)
            self.incident_combo.currentIndexChanged.connect(self.revalidate)
            self.form.addRow(self.tr("Händelse *"), self.incident_combo)
        else:
            self.form.addRow(self.tr("Händelse"), QLabel(incident_text, self))
        self.case_picker = CasePicker(ctx, self)
        if case_id is not None:
            self.case_picker.set_case(case_id, case_text, locked=True)
        self.case_picker.changed.connect(self.revalidate)
        self.form.addRow(self.tr("Ärende *"), self.case_picker)
        self.role_combo = QComboBox(self)
        self.role_combo.setObjectName("involvement")
        self.role_combo.addItem(self.tr("Välj roll"), None)
        for key in INVOLVEMENT_ROLES:
            self.role_combo.addItem(involvement_label(key, lang), key)
        self.role_combo.currentIndexChanged.connect(self.revalidate)
        self.form.addRow(self.tr("Roll i händelsen *"), self.role_combo)
        self.body.addWidget(muted(self.tr(
            "Kopplingen är uppgifter om brott och visas bara för dem som personens samtycke "
            "omfattar."), self))
        self.mark_clean()

    def chosen_incident(self) -> int | None:
        if self.incident_combo is not None:
            return self.incident_combo.currentData()
        return self.incident_id

    def problems(self) -> list[str]:
        problems = []
        if self.chosen_incident() is None:
            problems.append(self.tr("Välj händelse."))
        if self.case_picker.case_id() is None:
            problems.append(self.tr("Välj ärende."))
        if self.role_combo.currentData() is None:
            problems.append(self.tr("Välj personens roll i händelsen."))
        return problems

    def submit(self) -> None:
        case_id = self.case_picker.case_id()
        incident_id = self.chosen_incident()
        self.run(incidents.link_person, incident_id, case_id, self.role_combo.currentData())
