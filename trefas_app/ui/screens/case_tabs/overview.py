"""Översikt: the person card, the case itself with the state changes this user
may make, and the team."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from trefas_app.domain.enums import CaseState
from trefas_app.services import cases
from trefas_app.services.views import CaseView
from trefas_app.ui import common
from trefas_app.ui.common import enum_label, fmt_date
from trefas_app.ui.person_card import PersonCard
from trefas_app.ui.screens.base import BaseTab
from trefas_app.ui.widgets.parts import header_row, open_dialog, push_button, scroll_column

#: Button text per transition, and whether it needs a reason.
TRANSITIONS = {
    (CaseState.OPEN, CaseState.ACTIVE): (QT_TRANSLATE_NOOP("CaseTransitions",
                                                           "Aktivera ärendet"), False),
    (CaseState.OPEN, CaseState.CLOSURE_REQUESTED): (QT_TRANSLATE_NOOP("CaseTransitions",
                                                                      "Begär avslut …"), True),
    (CaseState.ACTIVE, CaseState.CLOSURE_REQUESTED): (QT_TRANSLATE_NOOP("CaseTransitions",
                                                                        "Begär avslut …"), True),
    (CaseState.CLOSURE_REQUESTED, CaseState.ACTIVE): (QT_TRANSLATE_NOOP("CaseTransitions",
                                                                        "Avslå avslut"), False),
    (CaseState.CLOSURE_REQUESTED, CaseState.CLOSED): (QT_TRANSLATE_NOOP("CaseTransitions",
                                                                        "Godkänn avslut"), False),
    (CaseState.CLOSED, CaseState.ACTIVE): (QT_TRANSLATE_NOOP("CaseTransitions",
                                                             "Öppna ärendet igen"), False),
}


class Tab(BaseTab):
    def __init__(self, ctx, case_view):
        super().__init__(ctx, case_view)
        _scroll, inner, lay = scroll_column(self, (4, 8, 4, 8), 12)

        row = QHBoxLayout()
        row.setSpacing(12)
        self.person_card = PersonCard(ctx, inner)
        self.person_card.revealRequested.connect(case_view.reveal_identity)
        self.person_card.editRequested.connect(self.edit_person)
        row.addWidget(self.person_card, 3)

        self.case_card = QFrame(inner)
        self.case_card.setProperty("role", "card")
        cc = QVBoxLayout(self.case_card)
        cc.setContentsMargins(14, 12, 14, 12)
        title = QLabel(self.tr("Ärendet"), self.case_card)
        title.setProperty("role", "subheading")
        cc.addWidget(title)
        self.case_grid = QGridLayout()
        self.case_grid.setHorizontalSpacing(16)
        self.case_grid.setColumnStretch(1, 1)
        self._case_values: dict[str, QLabel] = {}
        for r, (key, text) in enumerate((
                ("state", self.tr("Status")), ("unit", self.tr("Enhet")),
                ("owner", self.tr("Ägs av")), ("opened", self.tr("Öppnat")),
                ("last", self.tr("Senast uppdaterat")), ("closure", self.tr("Avslut")),
                ("retain", self.tr("Gallras"))), start=0):
            name = QLabel(text, self.case_card)
            name.setProperty("role", "muted")
            value = QLabel(self.case_card)
            value.setObjectName(f"case-{key}")
            value.setWordWrap(True)
            value.setTextFormat(Qt.TextFormat.PlainText)
            self.case_grid.addWidget(name, r, 0, Qt.AlignmentFlag.AlignTop)
            self.case_grid.addWidget(value, r, 1)
            self._case_values[key] = value
        cc.addLayout(self.case_grid)
        self.transition_box = QWidget(self.case_card)
        self.transition_row = QHBoxLayout(self.transition_box)
        self.transition_row.setContentsMargins(0, 0, 0, 0)
        self.transition_row.addStretch(1)
        cc.addSpacing(6)
        cc.addWidget(self.transition_box)
        self.read_only_note = common.muted("", self.case_card)
        cc.addWidget(self.read_only_note)
        cc.addStretch(1)
        row.addWidget(self.case_card, 2)
        lay.addLayout(row)

        self.add_member_button = push_button(inner, self.tr("Lägg till i teamet …"),
                                             "addTeamMember", self.add_member)
        self.remove_member_button = push_button(inner, self.tr("Ta bort ur teamet"),
                                                "removeTeamMember", self.remove_member)
        lay.addLayout(header_row(inner, self.tr("Team"),
                                 right=(self.add_member_button, self.remove_member_button)))
        self.team = QTableWidget(0, 5, inner)
        self.team.setObjectName("team")
        self.team.setHorizontalHeaderLabels([self.tr("Namn"), self.tr("Roll"),
                                             self.tr("Myndighet och enhet"), self.tr("Telefon"),
                                             self.tr("E-post")])
        self.team.verticalHeader().hide()
        self.team.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.team.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.team.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.team.itemSelectionChanged.connect(self._update_team_buttons)
        self.team.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.team.horizontalHeader().setStretchLastSection(True)
        self.team.setSizeAdjustPolicy(QAbstractItemView.SizeAdjustPolicy.AdjustToContents)
        self.team.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        lay.addWidget(self.team)
        lay.addStretch(1)
        self._transition_buttons: list[QPushButton] = []

    def case_watches(self, case) -> tuple:
        return ()  # the case view reloads the case and calls set_case

    def set_case(self, case: CaseView) -> None:
        self.case = case
        self.show_case(case)

    def show_case(self, case: CaseView) -> None:
        lang = self.ctx.lang
        self.person_card.set_person(case.person, may_edit=not case.read_only)
        v = self._case_values
        v["state"].setText(enum_label(case.state, lang))
        v["unit"].setText(case.unit_name)
        v["owner"].setText(enum_label(case.owner_agency, lang))
        v["opened"].setText(fmt_date(case.opened_at))
        v["last"].setText(fmt_date(case.last_entry_at))
        closure = ""
        if case.closed_at:
            closure = self.tr("Avslutat {date}").format(date=fmt_date(case.closed_at))
        elif case.closure_requested_at:
            closure = self.tr("Begärt {date}: {reason}").format(
                date=fmt_date(case.closure_requested_at), reason=case.closure_reason or "")
        v["closure"].setText(closure or "–")
        v["retain"].setText(fmt_date(case.retain_until) if case.retain_until else "–")

        self._drop_transition_buttons()
        order = list(CaseState)
        for target in sorted(case.next_states, key=order.index):
            text, _needs_reason = TRANSITIONS.get((case.state, target),
                                                  (enum_label(target, lang), False))
            b = QPushButton(QCoreApplication.translate("CaseTransitions", text),
                            self.transition_box)
            b.setObjectName(f"to-{target.value}")
            b.clicked.connect(lambda _=False, t=target: self.move_to(t))
            self.transition_row.insertWidget(self.transition_row.count() - 1, b)
            self._transition_buttons.append(b)
        if case.read_only:
            self.read_only_note.setText(self.tr("Du har bara läsrätt i det här ärendet."))
        else:
            self.read_only_note.setText("")

        may_team = not case.read_only and self.ctx.may("case.team")
        self.add_member_button.setVisible(may_team)
        self.remove_member_button.setVisible(may_team)
        self.team.setRowCount(len(case.team))
        for r, t in enumerate(case.team):
            name = t.display_name + (" ★" if t.responsible else "")
            cells = [name, enum_label(t.role, lang),
                     f"{enum_label(t.agency, lang)}, {t.unit_name}", t.phone or "", t.email or ""]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c == 0 and t.responsible:
                    item.setToolTip(self.tr("Ärendeansvarig"))
                item.setData(Qt.ItemDataRole.UserRole, t.user_id)
                self.team.setItem(r, c, item)
        self._update_team_buttons()

    def move_to(self, target: CaseState) -> None:
        case = self.case
        if case is None:
            return
        _text, needs_reason = TRANSITIONS.get((case.state, target), ("", False))
        if needs_reason:
            from trefas_app.ui.dialogs.reason import ReasonDialog

            dlg = ReasonDialog(self.ctx, self, title=self.tr("Begär avslut"),
                               prompt=self.tr("Varför ska ärendet avslutas? *"),
                               service=cases.move_case, args=(case.id, target),
                               ok_text=self.tr("Begär avslut"),
                               reason_kw="reason",
                               explanation=self.tr("En chef godkänner eller avslår avslutet."))
            open_dialog(dlg)
            return
        question = self.tr("Ändra status för {number} till ”{state}”?").format(
            number=case.number, state=enum_label(target, self.ctx.lang))
        if not common.confirm(self, question, self.tr("Ändra status"), self.tr("Avbryt")):
            return
        self.ctx.run(cases.move_case, case.id, target)

    def _selected_member(self):
        rows = self.team.selectionModel().selectedRows()
        if self.case is None or not rows or rows[0].row() >= len(self.case.team):
            return None
        return self.case.team[rows[0].row()]

    def _update_team_buttons(self) -> None:
        member = self._selected_member()
        self.remove_member_button.setEnabled(
            member is not None and self.case is not None and len(self.case.team) > 1)

    def add_member(self) -> None:
        from trefas_app.ui.dialogs.team import TeamMemberDialog

        if self.case is None:
            return
        dlg = TeamMemberDialog(self.ctx, self, self.case)
        open_dialog(dlg)

    def remove_member(self) -> None:
        member = self._selected_member()
        case = self.case
        if member is None or case is None:
            return
        if not common.confirm(self, self.tr("Ta bort {name} ur teamet för {number}?").format(
                name=member.display_name, number=case.number),
                self.tr("Ta bort"), self.tr("Avbryt")):
            return
        self.ctx.run(cases.remove_team_member, case.id, member.user_id)

    def edit_person(self) -> None:
        from trefas_app.ui.dialogs.person import PersonDialog

        if self.case is None:
            return
        dlg = PersonDialog(self.ctx, self, person=self.case.person)
        open_dialog(dlg)

    def clear(self) -> None:
        self.case = None
        self.person_card.clear()
        for value in self._case_values.values():
            value.clear()
        self.team.setRowCount(0)
        self._drop_transition_buttons()

    def _drop_transition_buttons(self) -> None:
        for b in self._transition_buttons:
            self.transition_row.removeWidget(b)
            b.hide()
            b.setParent(None)
            b.deleteLater()
        self._transition_buttons = []

