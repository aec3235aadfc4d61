"""Emergency access (nödåtkomst): open a case outside one's team, read-only,
for a few hours, with a reason that supervisors review."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QLineEdit, QSpinBox, QWidget

from trefas_app.domain.text import visible_length
from trefas_app.services import cases
from trefas_app.ui.common import muted, plural_suffix
from trefas_app.ui.dialogs.base import ServiceDialog
from trefas_app.ui.widgets.fields import text_area

MIN_REASON = 10


class EmergencyAccessDialog(ServiceDialog):
    def __init__(self, ctx, parent: QWidget | None = None, case_number: str = ""):
        super().__init__(ctx, parent, title=self.tr("Nödåtkomst"),
                         ok_text=self.tr("Begär nödåtkomst"), name="emergencyDialog", width=500)
        self.body.insertWidget(0, muted(self.tr(
            "Använd nödåtkomst bara när ett ärende utanför ditt team måste läsas nu, till "
            "exempel vid akut fara. Du får läsrätt under den tid du väljer. Skälet loggas och "
            "granskas av en chef. Samtycket gäller fortfarande: det du inte får se visas inte."),
            self))
        self.number_edit = QLineEdit(case_number, self)
        self.number_edit.setObjectName("caseNumber")
        self.number_edit.setPlaceholderText("K-2025-00042")
        self.reason_edit = text_area(self, "reason", "emergency_accesses.reason")
        self.reason_edit.setFixedHeight(90)
        self.counter = QLabel(self)
        self.counter.setProperty("role", "muted")
        self.hours = QSpinBox(self)
        self.hours.setRange(1, 24)
        self.hours.setValue(cases.EMERGENCY_HOURS)
        plural_suffix(self.hours, lambda n: self.tr("%n timmar", "", n))
        self.form.addRow(self.tr("Ärendenummer *"), self.number_edit)
        self.form.addRow(self.tr("Skäl *"), self.reason_edit)
        self.form.addRow("", self.counter)
        self.form.addRow(self.tr("Giltig i"), self.hours)
        self.watch(self.number_edit, self.reason_edit)
        self.mark_clean()

    def problems(self) -> list[str]:
        problems = []
        n = visible_length(self.reason_edit.toPlainText().strip())
        self.counter.setText(self.tr("{n} av minst {m} tecken").format(n=n, m=MIN_REASON))
        if not self.number_edit.text().strip():
            problems.append(self.tr("Ange ärendenumret."))
        if n < MIN_REASON:
            problems.append(self.tr("Skälet behöver minst {m} tecken.").format(m=MIN_REASON))
        return problems

    def submit(self) -> None:
        self.run(cases.request_emergency_access, self.number_edit.text().strip(),
                 self.reason_edit.toPlainText().strip(), self.hours.value())
