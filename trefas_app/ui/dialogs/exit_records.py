"""Threat assessments, protective measures and support components of a case
(optionally tied to its exit programme), and ending a measure or support."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QComboBox, QWidget

from trefas_app.domain.enums import MeasureKind, RiskLevel, SupportKind
from trefas_app.services import exits
from trefas_app.services.views_casework import MeasureView, SupportView
from trefas_app.ui import style
from trefas_app.ui.common import combo_enum, enum_label, fmt_date, muted
from trefas_app.ui.dialogs.base import (
    ServiceDialog,
    field_error_label,
    field_problems,
    note_problem,
    problem_list,
    text_problem,
)
from trefas_app.ui.dialogs.task_pickers import DateField, today
from trefas_app.ui.widgets.fields import enum_combo, line_edit, text_area

MAX_TEXT = exits.MAX_TEXT


class ThreatAssessmentDialog(ServiceDialog):
    def __init__(self, ctx, parent: QWidget | None, case_id: int, exit_id: int | None = None):
        super().__init__(ctx, parent, title=self.tr("Ny hotbedömning"),
                         ok_text=self.tr("Spara hotbedömning"), name="threatDialog", width=520)
        self.case_id, self.exit_id = case_id, exit_id
        self.level_combo = QComboBox(self)
        self.level_combo.setObjectName("level")
        for level in RiskLevel:
            self.level_combo.addItem(style.risk_icon(level), enum_label(level, ctx.lang), level)
        self.summary_edit = text_area(self, "summary")
        self.summary_edit.setMinimumHeight(140)
        self.form.addRow(self.tr("Nivå"), self.level_combo)
        self.form.addRow(self.tr("Sammanfattning *"), self.summary_edit)
        self.body.addWidget(muted(self.tr(
            "Hotbedömningen är uppgifter om hot och risk: den visas bara för dem som "
            "personens samtycke omfattar."), self))
        self.summary_edit.textChanged.connect(self.revalidate)
        self.mark_clean()

    def problems(self) -> list[str]:
        return problem_list(text_problem(
            self.summary_edit.toPlainText().strip(), self.tr("Sammanfatta hotbilden."),
            self.tr("Texten är för lång (högst 20 000 tecken)."), MAX_TEXT))

    def submit(self) -> None:
        self.run(exits.add_threat_assessment, self.case_id, self.exit_id,
                 combo_enum(self.level_combo, RiskLevel), self.summary_edit.toPlainText().strip())


def _start_problem(day: dt.date | None, ref: dt.date, tr) -> str:
    if day is None:
        return tr("Ange startdatum.")
    if day < ref - dt.timedelta(days=exits.MAX_DAYS_BACK):
        return tr("Startdatumet ligger mer än ett år bakåt i tiden.")
    if day > ref + dt.timedelta(days=exits.MAX_DAYS_AHEAD):
        return tr("Startdatumet ligger mer än ett år framåt i tiden.")
    return ""


class RecordDialog(ServiceDialog):
    """A protective measure (``kind="measure"``) or a support component
    (``kind="support"``): what kind, a description and a start date."""

    def __init__(self, ctx, parent: QWidget | None, kind: str, case_id: int,
                 exit_id: int | None = None):
        measure = kind == "measure"
        super().__init__(ctx, parent,
                         title=self.tr("Ny skyddsåtgärd") if measure else self.tr("Nytt stöd"),
                         ok_text=self.tr("Spara"))
        self.setObjectName("measureDialog" if measure else "supportDialog")
        self.setMinimumWidth(520)
        self.kind, self.case_id, self.exit_id = kind, case_id, exit_id
        self.ref_day = today()
        self.kind_combo = enum_combo(self, "kind", (MeasureKind if measure else SupportKind),
                                     ctx.lang)
        self.description_edit = line_edit(self, "description")
        self.start = DateField(self, self.ref_day)
        self.start.setObjectName("startedOn")
        self.start_error = field_error_label(self)
        self.form.addRow(self.tr("Typ"), self.kind_combo)
        self.form.addRow(self.tr("Beskrivning *"), self.description_edit)
        self.form.addRow(self.tr("Startdatum *"), self.start)
        self.form.addRow("", self.start_error)
        self.watch(self.description_edit, self.start)
        self.mark_clean()

    def problems(self) -> list[str]:
        problems = []
        text = self.description_edit.text().strip()
        note_problem(problems, text_problem(
            text, self.tr("Ange en beskrivning."),
            self.tr("Texten är för lång (högst 20 000 tecken)."), MAX_TEXT))
        start = _start_problem(self.start.date(), self.ref_day, self.tr)
        note_problem(problems, start, self.start_error)
        return problems

    def submit(self) -> None:
        service = exits.add_measure if self.kind == "measure" else exits.add_support
        kind = combo_enum(self.kind_combo, MeasureKind if self.kind == "measure" else SupportKind)
        self.run(service, self.case_id, self.exit_id, kind,
                 self.description_edit.text().strip(), self.start.date())


class EndRecordDialog(ServiceDialog):
    """End a protective measure or a support component: an end date on or after
    the start and not in the future."""

    def __init__(self, ctx, parent: QWidget | None, record: MeasureView | SupportView):
        measure = isinstance(record, MeasureView)
        super().__init__(ctx, parent, title=self.tr("Avsluta skyddsåtgärd") if measure
                         else self.tr("Avsluta stöd"), ok_text=self.tr("Avsluta"),
                         name="endRecordDialog", width=440)
        self.record, self.measure = record, measure
        self.ref_day = today()
        self.body.insertWidget(0, muted(self.tr("{kind}: {text} (sedan {date})").format(
            kind=enum_label(record.kind, ctx.lang), text=record.description,
            date=fmt_date(record.started_on)), self))
        self.end = DateField(self, self.ref_day)
        self.end.setObjectName("endedOn")
        self.error = field_error_label(self)
        self.form.addRow(self.tr("Slutdatum *"), self.end)
        self.form.addRow("", self.error)
        self.end.changed.connect(self.revalidate)
        self.mark_clean()

    def problems(self) -> list[str]:
        day = self.end.date()
        text = ""
        if day is None:
            text = self.tr("Ange slutdatum.")
        elif day < self.record.started_on:
            text = self.tr("Datumen är i fel ordning: slutdatumet ligger före startdatumet.")
        elif day > self.ref_day:
            text = self.tr("Slutdatumet ligger i framtiden.")
        return field_problems(self.error, text)

    def submit(self) -> None:
        service = exits.end_measure if self.measure else exits.end_support
        self.run(service, self.record.id, self.end.date())
