"""Ärenden: the joint cases the user may see, with filters, server-side
sorting and search-as-you-type over case numbers, names and personnummer."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt
from PySide6.QtWidgets import QCheckBox, QHeaderView, QPushButton

from trefas_app.domain.enums import CaseState
from trefas_app.services.cases import CaseFilter
from trefas_app.ui.common import enum_label
from trefas_app.ui.models.cases import CaseTableModel
from trefas_app.ui.widgets.list_screen import ListScreen
from trefas_app.ui.widgets.parts import open_dialog
from trefas_app.ui.widgets.fields import choice_combo

ONGOING = (CaseState.OPEN, CaseState.ACTIVE, CaseState.CLOSURE_REQUESTED)


class Screen(ListScreen):
    text_context = "CasesScreen"
    watches = ("cases", "persons", "consents", "emergency")
    heading_text = QT_TRANSLATE_NOOP("CasesScreen", "Ärenden")
    search_placeholder = QT_TRANSLATE_NOOP(
        "CasesScreen", "Sök på ärendenummer, namn, personnummer eller alias …")
    nouns = ("ärende", "ärenden", "case", "cases")
    row_height = 28
    hides_protected_identities = True
    hidden_with_categories = False

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)

        self.state_combo = choice_combo(self, "stateFilter", self.tr("Status"),
                                        [(self.tr("Pågående ärenden"), ONGOING),
                                         (self.tr("Alla ärenden"), ())])
        for state in CaseState:
            self.state_combo.addItem(enum_label(state, ctx.lang), (state,))
        self.state_combo.currentIndexChanged.connect(self._states_changed)
        self.mine_check = QCheckBox(self.tr("Bara mina ärenden"), self)
        self.mine_check.setObjectName("mineOnly")
        self.mine_check.toggled.connect(self.model.set_mine_only)
        self.filters.addWidget(self.state_combo)
        self.filters.addWidget(self.mine_check)
        self.filters.addStretch(1)

        self.emergency_button = QPushButton(self.tr("Nödåtkomst …"), self)
        self.emergency_button.setObjectName("emergency")
        self.emergency_button.setToolTip(self.tr("Öppna ett ärende utanför ditt team i en "
                                                 "nödsituation. Skälet loggas och granskas."))
        self.emergency_button.setVisible(ctx.may("emergency.use"))
        self.emergency_button.clicked.connect(self.emergency)
        self.new_button = QPushButton(self.tr("Nytt ärende …"), self)
        self.new_button.setObjectName("newCase")
        self.new_button.setVisible(ctx.may("case.create"))
        self.new_button.clicked.connect(self.new_case)
        self.actions_row.addWidget(self.emergency_button)
        self.actions_row.addWidget(self.new_button)

        header = self.table.horizontalHeader()
        column = self.model.sort_column_for(self.model.filter.sort)
        header.setSortIndicator(column, Qt.SortOrder.DescendingOrder
                                if self.model.filter.descending else Qt.SortOrder.AscendingOrder)
        header.setSortIndicatorShown(True)
        header.setSectionsClickable(True)
        header.sortIndicatorChanged.connect(self._sort_clicked)
        self.fit_columns([120, 220, 260, 120, 80, 140, 100, 140])
        header.setStretchLastSection(False)
        # Every column but the title is as wide as what it shows (a short
        # alias, a date, a state); the title takes the rest, instead of being
        # clipped beside spare width.
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)

    def make_model(self) -> CaseTableModel:
        return CaseTableModel.for_context(self.ctx, filt=CaseFilter(states=ONGOING), parent=self,
                                          count_separately=True)

    def _states_changed(self, _index: int) -> None:
        self.model.set_states(tuple(CaseState(s) for s in self.state_combo.currentData() or ()))

    def _sort_clicked(self, column: int, order: Qt.SortOrder) -> None:
        if not self.model.column_sortable(column):
            # Put the indicator back where the data really is sorted.
            header = self.table.horizontalHeader()
            header.blockSignals(True)
            header.setSortIndicator(self.model.sort_column_for(self.model.filter.sort),
                                    Qt.SortOrder.DescendingOrder if self.model.filter.descending
                                    else Qt.SortOrder.AscendingOrder)
            header.blockSignals(False)
            return
        self.model.sort(column, order)

    def open_row(self, row) -> None:
        self.ctx.open_case(row.id)

    def new_case(self) -> None:
        from trefas_app.ui.dialogs.open_case import OpenCaseDialog

        dlg = OpenCaseDialog(self.ctx, self)
        dlg.succeeded.connect(lambda case: self.ctx.open_case(case.id))
        open_dialog(dlg)

    def emergency(self) -> None:
        self.call_window("open_emergency_dialog")

    # -- lock protocol ---------------------------------------------------------------

    def state(self) -> dict:
        state = super().state()
        filt = self.model.filter
        state.update(states=[s.value for s in filt.states], mine=filt.mine_only,
                     sort=filt.sort, descending=filt.descending)
        return state

    def restore(self, state: dict) -> None:
        from dataclasses import replace

        filt = replace(self.model.filter,
                       states=tuple(CaseState(s) for s in state.get("states", ONGOING)),
                       mine_only=bool(state.get("mine", False)),
                       sort=state.get("sort", "last_entry"),
                       descending=bool(state.get("descending", True)),
                       query=state.get("query") or "")
        for widget in (self.state_combo, self.mine_check, self.search):
            widget.blockSignals(True)
        for i in range(self.state_combo.count()):
            if tuple(CaseState(s) for s in self.state_combo.itemData(i) or ()) == filt.states:
                self.state_combo.setCurrentIndex(i)
        self.mine_check.setChecked(filt.mine_only)
        self.search.setText(filt.query)
        for widget in (self.state_combo, self.mine_check, self.search):
            widget.blockSignals(False)
        header = self.table.horizontalHeader()
        header.blockSignals(True)
        header.setSortIndicator(self.model.sort_column_for(filt.sort),
                                Qt.SortOrder.DescendingOrder if filt.descending
                                else Qt.SortOrder.AscendingOrder)
        header.blockSignals(False)
        self.model.set_params(filt)
        if state.get("selected_id") is not None:
            self.select_when_loaded(state["selected_id"])
