"""Personer: every person the user may see, searchable as you type."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtWidgets import QHeaderView

from trefas_app.ui.models.persons import PersonTableModel
from trefas_app.ui.widgets.list_screen import ListScreen
from trefas_app.ui.widgets.parts import open_dialog, push_button


class Screen(ListScreen):
    text_context = "PersonsScreen"
    watches = ("persons", "consents")
    heading_text = QT_TRANSLATE_NOOP("PersonsScreen", "Personer")
    search_placeholder = QT_TRANSLATE_NOOP(
        "PersonsScreen", "Sök på namn, personnummer eller alias (P-0042) …")
    nouns = ("person", "personer", "person", "persons")
    row_height = 28
    hides_protected_identities = True

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.new_button = push_button(self, self.tr("Ny person …"), "newPerson", self.new_person)
        self.new_button.setVisible(ctx.may("person.create"))
        self.actions_row.addWidget(self.new_button)
        self.fit_columns([300, 160, 110, 110])
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSortIndicatorShown(False)

    def make_model(self) -> PersonTableModel:
        return PersonTableModel.for_context(self.ctx, parent=self)

    def open_row(self, row) -> None:
        self.ctx.open_person(row.id)

    def new_person(self) -> None:
        from trefas_app.ui.dialogs.person import PersonDialog

        dlg = PersonDialog(self.ctx, self)
        dlg.succeeded.connect(lambda person: self.ctx.open_person(person.id))
        open_dialog(dlg)
