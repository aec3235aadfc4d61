"""A person: the card, their cases, and their consents."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from trefas_app.domain.errors import TrefasError
from trefas_app.services import persons
from trefas_app.services.cases import CaseFilter
from trefas_app.services.views import PersonView
from trefas_app.ui.common import Banner, fmt_time, heading, muted
from trefas_app.ui.consent_panel import ConsentPanel
from trefas_app.ui.models.cases import CaseTableModel
from trefas_app.ui.person_card import PersonCard
from trefas_app.ui.screens.base import BaseScreen
from trefas_app.ui.widgets.parts import open_dialog, push_button, titled_column


class PersonViewScreen(BaseScreen):
    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.title = self.tr("Person")
        self.person_id: int | None = None
        self.person: PersonView | None = None

        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 10, 16, 10)
        top = QHBoxLayout()
        self.back_button = QPushButton(self.tr("← Tillbaka"), self)
        self.back_button.setObjectName("back")
        self.back_button.setShortcut("Alt+Left")
        self.back_button.clicked.connect(self._back)
        top.addWidget(self.back_button)
        top.addWidget(heading(self.tr("Person"), self), 1)
        self.new_case_button = push_button(self, self.tr("Nytt ärende …"),
                                           "newCaseForPerson", self.new_case)
        top.addWidget(self.new_case_button)
        lay.addLayout(top)
        self.reveal_banner = Banner("amber", self)
        self.reveal_banner.setObjectName("revealBanner")
        lay.addWidget(self.reveal_banner)
        self.message = muted("", self)
        self.message.setObjectName("personMessage")
        lay.addWidget(self.message)

        split = QSplitter(Qt.Orientation.Vertical, self)
        upper = QWidget(split)
        ul = QHBoxLayout(upper)
        ul.setContentsMargins(0, 0, 0, 0)
        self.card = PersonCard(ctx, upper)
        self.card.revealRequested.connect(self.reveal_identity)
        self.card.editRequested.connect(self.edit_person)
        ul.addWidget(self.card, 3)
        cases_box, cl = titled_column(upper, self.tr("Ärenden"))
        self.cases_model = CaseTableModel.for_context(ctx, filt=CaseFilter(),
                                                      key="person_view.cases", parent=self)
        self.cases_table = QTableView(cases_box)
        self.cases_table.setObjectName("personCases")
        self.cases_table.setModel(self.cases_model)
        self.cases_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.cases_table.verticalHeader().hide()
        self.cases_table.horizontalHeader().setStretchLastSection(True)
        for col in (1, 4, 5):  # person, risk, unit: the same on every row here
            self.cases_table.setColumnHidden(col, True)
        self.cases_table.activated.connect(self._open_case)
        cl.addWidget(self.cases_table, 1)
        ul.addWidget(cases_box, 4)
        split.addWidget(upper)
        consent_box, col = titled_column(split, self.tr("Samtycken"), (0, 8, 0, 0))
        self.consents = ConsentPanel(ctx, consent_box)
        col.addWidget(self.consents, 1)
        split.addWidget(consent_box)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        lay.addWidget(split, 1)
        self._split = split

    def show_item(self, person_id: int) -> None:
        if person_id != self.person_id:
            self.clear()
            self.person_id = person_id
            self.set_title(self.tr("Person"))  # not the previous person's name
            self.watches = (("persons", person_id), ("consents", person_id), "cases")
        self._stale = False
        self.reload()

    def reload(self) -> None:
        if self.person_id is None:
            return
        self.ctx.run(persons.get_person, self.person_id, on_done=self._show,
                     on_error=self._failed, key="person_view.person")

    def _show(self, p: PersonView) -> None:
        if p.id != self.person_id:
            return
        self.person = p
        self.set_title(p.display_name)
        self.message.clear()
        self._split.show()
        self.card.set_person(p, may_edit=True)
        self.new_case_button.setVisible(self.ctx.may("case.create"))
        self.consents.set_person(p, None, writable=self.ctx.may("consent.write")
                                 and p.owner_agency == self.ctx.actor.agency)
        # Cases of this person: the alias search matches the person's id exactly.
        self.cases_model.set_params(CaseFilter(person_id=p.id, sort="opened"))
        if p.revealed:
            self.ctx.run(persons.active_reveals, on_done=self._show_reveal,
                         key="person_view.reveals")
        else:
            self.reveal_banner.set_text("")

    def _show_reveal(self, reveals: dict[int, dt.datetime]) -> None:
        until = reveals.get(self.person_id) if self.person_id else None
        self.reveal_banner.set_text(self.tr(
            "Skyddad identitet visas för dig till kl. {time}. Visningen är loggad.").format(
            time=fmt_time(until)) if until else "")

    def _failed(self, exc: BaseException) -> None:
        self.person = None
        self.card.clear()
        self.consents.clear()
        self.cases_model.clear()
        self._split.hide()
        self.message.setText(exc.message(self.ctx.lang) if isinstance(exc, TrefasError)
                             else self.ctx.error_text(exc))

    def _open_case(self, index) -> None:
        row = self.cases_model.row_at(index)
        if row is not None:
            self.ctx.open_case(row.id)

    def new_case(self) -> None:
        from trefas_app.ui.dialogs.open_case import OpenCaseDialog

        if self.person is None:
            return
        dlg = OpenCaseDialog(self.ctx, self, person_id=self.person.id,
                             person_name=self.person.display_name)
        dlg.succeeded.connect(lambda case: self.ctx.open_case(case.id))
        open_dialog(dlg)

    def edit_person(self) -> None:
        from trefas_app.ui.dialogs.person import PersonDialog

        if self.person is None:
            return
        dlg = PersonDialog(self.ctx, self, person=self.person)
        open_dialog(dlg)

    def reveal_identity(self) -> None:
        from trefas_app.ui.dialogs.reveal import RevealIdentityDialog

        if self.person is None:
            return
        dlg = RevealIdentityDialog(self.ctx, self, self.person.id, self.person.display_name)
        open_dialog(dlg)

    def _back(self) -> None:
        self.call_window("go_back")

    def clear(self) -> None:
        self.person = None
        self.card.clear()
        self.consents.clear()
        self.cases_model.clear()
        self.reveal_banner.set_text("")
        self.message.clear()

    def state(self) -> dict:
        return {"person_id": self.person_id}

    def restore(self, state: dict) -> None:
        if state.get("person_id") is not None:
            self.show_item(int(state["person_id"]))
