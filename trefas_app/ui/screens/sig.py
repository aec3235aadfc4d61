"""SIG: the referrals to the social intervention groups the user may see,
newest first, filtered by state. Opening one shows it and offers only the
state changes the lifecycle and the user's role allow (closing asks for a
closure reason)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QPushButton, QTableView, QVBoxLayout

from trefas_app.domain.enums import ReferralState
from trefas_app.services import referrals
from trefas_app.services.views_casework import ReferralRow, ReferralView
from trefas_app.ui import style
from trefas_app.ui.common import enum_label, fmt_count, fmt_date, heading, muted
from trefas_app.ui.models.paged import Column
from trefas_app.ui.screens.base import BaseScreen
from trefas_app.ui.screens.case_tabs.parts import (
    DONE,
    ColouredModel,
    configure_view,
    service_loader,
)

ONGOING = tuple(s for s in ReferralState if s not in (ReferralState.CLOSED,
                                                       ReferralState.DECLINED))


def referral_columns(tr, lang: str) -> list[Column]:
    return [
        Column(tr("Mottagen"), lambda r: fmt_date(r.received_at)),
        Column(tr("Ärende"), lambda r: r.case_number),
        Column(tr("Person"), lambda r: r.person_name,
               decoration=lambda r: style.shield_icon() if r.protected else None,
               tooltip=lambda r: tr("Skyddade personuppgifter – visas med alias")
               if r.protected else None),
        Column(tr("Status"), lambda r: enum_label(r.state, lang)),
        Column(tr("Aktualiserad av"), lambda r: enum_label(r.source_agency, lang)),
        Column(tr("Beslut"), lambda r: fmt_date(r.decided_at) if r.decided_at else ""),
        Column(tr("Avslutsorsak"), lambda r: enum_label(r.closure, lang) if r.closure else ""),
    ]


def referral_colour(row: ReferralRow):
    return DONE if row.state in (ReferralState.CLOSED, ReferralState.DECLINED) else None


class Screen(BaseScreen):
    watches = ("referrals",)

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.title = self.tr("SIG")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 14, 16, 10)
        lay.setSpacing(8)
        top = QHBoxLayout()
        top.addWidget(heading(self.tr("SIG – aktualiseringar"), self))
        top.addStretch(1)
        self.move_button = QPushButton(self.tr("Öppna och ändra status …"), self)
        self.move_button.setObjectName("moveReferral")
        self.move_button.clicked.connect(self.open_selected)
        self.case_button = QPushButton(self.tr("Öppna ärendet"), self)
        self.case_button.setObjectName("openCase")
        self.case_button.clicked.connect(self.open_case)
        top.addWidget(self.move_button)
        top.addWidget(self.case_button)
        lay.addLayout(top)

        filters = QHBoxLayout()
        self.state_combo = QComboBox(self)
        self.state_combo.setAccessibleName(self.tr("Status"))
        self.state_combo.setObjectName("stateFilter")
        self.state_combo.addItem(self.tr("Pågående"), ONGOING)
        self.state_combo.addItem(self.tr("Alla"), ())
        for st in ReferralState:
            self.state_combo.addItem(enum_label(st, ctx.lang), (st,))
        filters.addWidget(self.state_combo)
        hint = muted(self.tr("Nya aktualiseringar registreras i ärendet, under fliken SIG & plan."),
                     self)
        hint.setWordWrap(False)
        filters.addWidget(hint)
        filters.addStretch(1)
        lay.addLayout(filters)

        self.model = ColouredModel(
            service_loader(ctx, referrals.list_referrals, "sig.page",
                           lambda states: ((), dict(states=tuple(states)))),
            referral_columns(self.tr, ctx.lang), params=ONGOING, colour=referral_colour,
            parent=self)
        self.table = QTableView(self)
        self.table.setObjectName("table")
        self.table.setModel(self.model)
        configure_view(self.table)
        for i, w in enumerate((100, 120, 220, 150, 140, 100)):
            self.table.setColumnWidth(i, w)
        self.table.activated.connect(lambda _i: self.open_selected())
        enter = QShortcut(QKeySequence(Qt.Key.Key_Return), self.table)
        enter.setContext(Qt.ShortcutContext.WidgetShortcut)
        enter.activated.connect(self.open_selected)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        lay.addWidget(self.table, 1)
        self.count_label = muted("", self)
        self.count_label.setObjectName("countLabel")
        lay.addWidget(self.count_label)

        self.state_combo.currentIndexChanged.connect(self._filter_changed)
        self.model.pageLoaded.connect(self._loaded)
        self.model.modelReset.connect(self._update_buttons)
        self.model.loadFailed.connect(
            lambda exc: self.count_label.setText(self.ctx.error_text(exc)) if exc else None)
        self._dialog = None
        self._update_buttons()

    def reload(self) -> None:
        self.model.reload()

    def _filter_changed(self, *_a) -> None:
        states = tuple(self.state_combo.currentData() or ())
        if states != self.model.params:
            self.model.set_params(states)

    def _loaded(self, _page=None) -> None:
        n = self.model.total or 0
        self.count_label.setText(
            self.tr("{n} aktualiseringar").format(n=fmt_count(n, self.ctx.lang)) if n != 1
            else self.tr("1 aktualisering"))
        self._update_buttons()

    def selected(self) -> ReferralRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0]) if rows else None

    def _update_buttons(self, *_a) -> None:
        has = self.selected() is not None
        self.move_button.setEnabled(has)
        self.case_button.setEnabled(has)

    # -- actions -------------------------------------------------------------------

    def open_selected(self) -> None:
        row = self.selected()
        if row is None:
            return
        self.ctx.run(referrals.get_referral, row.id, on_done=self.show_referral,
                     key="sig.referral")

    def show_referral(self, referral: ReferralView):
        from trefas_app.ui.dialogs.referral import ReferralStateDialog

        dlg = ReferralStateDialog(self.ctx, self, referral)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()
        self._dialog = dlg
        return dlg

    def open_case(self) -> None:
        row = self.selected()
        if row is not None:
            self.ctx.open_case(row.case_id)

    # -- lock protocol -----------------------------------------------------------------

    def clear(self) -> None:
        self.model.clear()
        self.count_label.clear()

    def state(self) -> dict:
        row = self.selected()
        return {"states": [s.value for s in self.model.params],
                "selected_id": row.id if row else None}

    def restore(self, state: dict) -> None:
        states = tuple(ReferralState(s) for s in state.get("states", [s.value for s in ONGOING]))
        self.state_combo.blockSignals(True)
        for i in range(self.state_combo.count()):
            if tuple(self.state_combo.itemData(i) or ()) == states:
                self.state_combo.setCurrentIndex(i)
        self.state_combo.blockSignals(False)
        self._stale = False
        self.model.set_params(states)
