"""Add someone to a case team (coordinators and case workers with
``case.team``): pick from the user directory, optionally as case lead."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QComboBox, QWidget

from trefas_app.services import cases, users
from trefas_app.services.views import CaseView
from trefas_app.ui.common import enum_label, muted
from trefas_app.ui.dialogs.base import ServiceDialog


class TeamMemberDialog(ServiceDialog):
    def __init__(self, ctx, parent: QWidget | None, case: CaseView):
        super().__init__(ctx, parent, title=self.tr("Lägg till i teamet"),
                         ok_text=self.tr("Lägg till"), name="teamMemberDialog", width=460)
        self.case = case
        self.body.insertWidget(0, muted(self.tr(
            "Den som läggs till ser ärendet enligt sin myndighets behörighet och personens "
            "samtycke."), self))
        self.user_combo = QComboBox(self)
        self.user_combo.setObjectName("user")
        self.user_combo.addItem(self.tr("Hämtar …"), None)
        self.user_combo.setEnabled(False)
        self.responsible_check = QCheckBox(self.tr("Ärendeansvarig"), self)
        self.responsible_check.setObjectName("responsible")
        self.form.addRow(self.tr("Person *"), self.user_combo)
        self.form.addRow("", self.responsible_check)
        self.user_combo.currentIndexChanged.connect(self.revalidate)
        self.mark_clean()
        ctx.run(users.user_directory, on_done=self._fill, on_error=self._failed,
                key="team.directory")

    def _fill(self, entries) -> None:
        members = {t.user_id for t in self.case.team}
        self.user_combo.clear()
        self.user_combo.addItem(self.tr("Välj person"), None)
        lang = self.ctx.lang
        for e in entries:
            if e.id in members:
                continue
            self.user_combo.addItem(f"{e.display_name} – {enum_label(e.role, lang)}, "
                                    f"{e.unit_name}", e.id)
        self.user_combo.setEnabled(True)
        self.mark_clean()

    def user_id(self) -> int | None:
        data = self.user_combo.currentData()
        return int(data) if data is not None else None

    def problems(self) -> list[str]:
        return [] if self.user_id() is not None else [self.tr("Välj en person.")]

    def submit(self) -> None:
        self.run(cases.add_team_member, self.case.id, self.user_id(),
                 self.responsible_check.isChecked())
