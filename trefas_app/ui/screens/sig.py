"""SIG: the referrals to the social intervention groups the user may see,
newest first, filtered by state. Opening one shows it and offers only the
state changes the lifecycle and the user's role allow (closing asks for a
closure reason)."""

from __future__ import annotations

from trefas_app.domain.enums import ReferralState
from trefas_app.services import referrals
from trefas_app.services.views_casework import ReferralRow, ReferralView
from trefas_app.ui import style
from trefas_app.ui.common import enum_label, fmt_date, muted
from trefas_app.ui.models.paged import Column
from trefas_app.ui.widgets.list_screen import (
    ListScreen,
    select_item,
    state_combo,
    state_tuple,
    states_model,
)
from trefas_app.ui.widgets.parts import (
    ColouredModel,
    DONE,
    open_dialog,
    push_button,
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


class Screen(ListScreen):
    watches = ("referrals",)
    nouns = ("aktualisering", "aktualiseringar", "referral", "referrals")
    shows_hidden = False
    column_widths = (100, 120, 220, 150, 140, 100)

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self._dialog = None
        self.title = self.tr("SIG")
        self.heading.setText(self.tr("SIG – aktualiseringar"))
        self.selection_changed()

    def build_actions(self, row) -> None:
        self.move_button = push_button(self, self.tr("Öppna och ändra status …"),
                                       "moveReferral", self.open_selected)
        self.case_button = push_button(self, self.tr("Öppna ärendet"), "openCase", self.open_case)
        row.addWidget(self.move_button)
        row.addWidget(self.case_button)

    def build_filters(self, row) -> None:
        self.state_combo = state_combo(self, ReferralState, ONGOING, self.ctx.lang)
        self.state_combo.currentIndexChanged.connect(self.filters_changed)
        row.addWidget(self.state_combo)
        hint = muted(self.tr("Nya aktualiseringar registreras i ärendet, under fliken SIG & plan."),
                     self)
        hint.setWordWrap(False)
        row.addWidget(hint)
        row.addStretch(1)

    def make_model(self) -> ColouredModel:
        return states_model(self, referrals.list_referrals, "sig.page",
                            referral_columns(self.tr, self.ctx.lang), ONGOING, referral_colour)

    def filter_params(self):
        return state_tuple(self.state_combo.currentData())

    def selection_changed(self) -> None:
        has = self.selected() is not None
        self.move_button.setEnabled(has)
        self.case_button.setEnabled(has)

    # -- actions -------------------------------------------------------------------

    def open_row(self, _row) -> None:
        self.open_selected()

    def open_selected(self) -> None:
        row = self.selected()
        if row is None:
            return
        self.ctx.run(referrals.get_referral, row.id, on_done=self.show_referral,
                     key="sig.referral")

    def show_referral(self, referral: ReferralView):
        from trefas_app.ui.dialogs.referral import ReferralStateDialog

        dlg = ReferralStateDialog(self.ctx, self, referral)
        open_dialog(dlg)
        self._dialog = dlg
        return dlg

    def open_case(self) -> None:
        row = self.selected()
        if row is not None:
            self.ctx.open_case(row.case_id)

    # -- lock protocol -----------------------------------------------------------------

    def state(self) -> dict:
        row = self.selected()
        return {"states": [s.value for s in self.model.params],
                "selected_id": row.id if row else None}

    def restore(self, state: dict) -> None:
        states = tuple(ReferralState(s) for s in state.get("states", [s.value for s in ONGOING]))
        select_item(self.state_combo, states, state_tuple)
        self._stale = False
        self.model.set_params(states)
