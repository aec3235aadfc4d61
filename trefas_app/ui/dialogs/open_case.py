"""Open a joint case for a person (chosen here, or given by the person page)."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QAbstractItemView, QLabel, QTableView, QWidget

from trefas_app.services import cases
from trefas_app.ui.dialogs.base import ServiceDialog
from trefas_app.ui.models.persons import PersonTableModel
from trefas_app.ui.widgets.fields import line_edit


class OpenCaseDialog(ServiceDialog):
    def __init__(self, ctx, parent: QWidget | None = None, person_id: int | None = None,
                 person_name: str = ""):
        super().__init__(ctx, parent, title=self.tr("Nytt ärende"), ok_text=self.tr("Öppna ärende"),
                         name="openCaseDialog", width=560)
        self.person_id = person_id
        self.picker: QTableView | None = None
        if person_id is None:
            self.search = line_edit(
                self, "personSearch",
                placeholder=self.tr("Sök person: namn, personnummer eller alias"))
            self.model = PersonTableModel.for_context(ctx, key="open_case.persons", parent=self)
            self.picker = QTableView(self)
            self.picker.setObjectName("personPicker")
            self.picker.setModel(self.model)
            self.picker.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
            self.picker.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
            self.picker.verticalHeader().hide()
            self.picker.horizontalHeader().setStretchLastSection(True)
            self.picker.setColumnWidth(0, 240)
            self.picker.setMinimumHeight(200)
            self.picker.selectionModel().selectionChanged.connect(self._picked)
            self._debounce = QTimer(self)
            self._debounce.setSingleShot(True)
            self._debounce.setInterval(150)
            self._debounce.timeout.connect(lambda: self.model.set_query(self.search.text().strip()))
            self.search.textChanged.connect(lambda _t: self._debounce.start())
            self.form.addRow(self.tr("Person *"), self.search)
            self.form.addRow("", self.picker)
            self.model.reload()
        else:
            name = QLabel(person_name, self)
            name.setObjectName("personName")
            self.form.addRow(self.tr("Person"), name)
        self.title_edit = line_edit(self, "caseTitle", "cases.title",
                                    placeholder=self.tr("t.ex. Risk för våld – kartläggning"))
        self.title_edit.textChanged.connect(self.revalidate)
        self.form.addRow(self.tr("Rubrik *"), self.title_edit)
        self.mark_clean()

    def _picked(self, *_args) -> None:
        rows = self.picker.selectionModel().selectedRows()
        row = self.model.row_at(rows[0]) if rows else None
        self.person_id = row.id if row is not None else None
        self.revalidate()

    def problems(self) -> list[str]:
        problems = []
        if self.person_id is None:
            problems.append(self.tr("Välj en person."))
        if not self.title_edit.text().strip():
            problems.append(self.tr("Ärendet behöver en rubrik."))
        return problems

    def submit(self) -> None:
        self.run(cases.open_case, self.person_id, self.title_edit.text().strip())
