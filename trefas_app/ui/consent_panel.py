"""Consents of one person: a badge per recipient agency and data category
(shared until …, expiring, not shared), the version history, and the buttons to
record, amend and withdraw."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from trefas_app.domain import clock
from trefas_app.domain.enums import Agency, Category, ConsentStatus
from trefas_app.domain.labels import label
from trefas_app.services import consents
from trefas_app.services.views import ConsentView, PersonView
from trefas_app.ui.common import category_short, enum_label, fmt_date, fmt_datetime, muted
from trefas_app.ui.widgets.parts import header_row, push_button, read_only_rows

EXPIRY_WARNING_DAYS = 30



def badge_for(consent_list: list[ConsentView], agency: Agency, category: Category,
              today: dt.date, owner: Agency | None, lang: str = "sv") -> tuple[str, str, str]:
    """(badge kind, text, tooltip) for one cell of the grid.

    Kinds: ``own`` (the owning agency needs no consent), ``active``,
    ``expiring`` (ends within 30 days), ``none``."""
    if owner is not None and agency == owner:
        return ("own", "Egen myndighet" if lang == "sv" else "Own agency",
                "Uppgifterna ägs av myndigheten" if lang == "sv" else "The agency owns the data")
    covering = [c for c in consent_list if c.status == "active" and c.covers(agency, category)]
    if not covering:
        return ("none", "Delas inte" if lang == "sv" else "Not shared",
                "Inget gällande samtycke" if lang == "sv" else "No current consent")
    until = max(c.valid_until for c in covering)
    basis = ", ".join(sorted({enum_label(c.basis, lang) for c in covering}))
    if (until - today).days <= EXPIRY_WARNING_DAYS:
        return ("expiring", (f"Går ut {until.isoformat()}" if lang == "sv"
                             else f"Expires {until.isoformat()}"), basis)
    return ("active", (f"t.o.m. {until.isoformat()}" if lang == "sv"
                       else f"until {until.isoformat()}"), basis)


class ConsentPanel(QWidget):
    """``set_person(person, case_id, writable)`` then it loads by itself; it
    reloads on ``consents:<person_id>``."""

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.person: PersonView | None = None
        self.case_id: int | None = None
        self.writable = False
        self.owner: Agency | None = None
        self.consents: list[ConsentView] = []
        self.today = clock.today()

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        buttons = QHBoxLayout()
        self.intro = muted(self.tr("Vilka uppgifter som delas med vilken myndighet, enligt "
                                   "gällande samtycken."), self)
        buttons.addWidget(self.intro, 1)
        self.record_button = push_button(self, self.tr("Registrera samtycke …"),
                                         "recordConsent", self.record)
        buttons.addWidget(self.record_button)
        lay.addLayout(buttons)

        self.grid_box = QWidget(self)
        self.grid = QGridLayout(self.grid_box)
        self.grid.setHorizontalSpacing(10)
        self.grid.setVerticalSpacing(6)
        self.badges: dict[tuple[Agency, Category], QLabel] = {}
        lang = ctx.lang
        for c, agency in enumerate(Agency, start=1):
            head = QLabel(enum_label(agency, lang), self.grid_box)
            head.setProperty("role", "subheading")
            self.grid.addWidget(head, 0, c)
        for r, category in enumerate(Category, start=1):
            name = QLabel(category_short(category, lang).capitalize(), self.grid_box)
            self.grid.addWidget(name, r, 0)
            for c, agency in enumerate(Agency, start=1):
                badge = QLabel(self.grid_box)
                badge.setObjectName(f"badge-{agency.value}-{category.value}")
                badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
                badge.setMinimumWidth(150)
                self.badges[(agency, category)] = badge
                self.grid.addWidget(badge, r, c)
        self.grid.setColumnStretch(len(Agency) + 1, 1)
        lay.addWidget(self.grid_box)

        self.amend_button = push_button(self, self.tr("Ändra …"), "amendConsent", self.amend)
        self.withdraw_button = push_button(self, self.tr("Återkalla …"), "withdrawConsent",
                                           self.withdraw)
        lay.addSpacing(8)
        lay.addLayout(header_row(self, self.tr("Historik"),
                                 right=(self.amend_button, self.withdraw_button)))

        self.table = QTableWidget(0, 7, self)
        self.table.setObjectName("consentHistory")
        self.table.setHorizontalHeaderLabels([
            self.tr("Version"), self.tr("Status"), self.tr("Grund"), self.tr("Gäller"),
            self.tr("Mottagare och uppgifter"), self.tr("Syfte"), self.tr("Inhämtat av")])
        read_only_rows(self.table)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        self.table.setColumnWidth(5, 200)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        lay.addWidget(self.table, 1)
        ctx.changed.connect(self._changed)
        self.clear()

    # -- data -------------------------------------------------------------------------

    def set_person(self, person: PersonView, case_id: int | None, writable: bool,
                   owner: Agency | None = None) -> None:
        first = self.person is None or self.person.id != person.id
        self.person, self.case_id, self.writable = person, case_id, writable
        self.owner = owner or person.owner_agency
        self.record_button.setVisible(writable and self.ctx.may("consent.write"))
        if first:
            self.reload()
        self._update_buttons()

    def reload(self) -> None:
        if self.person is None:
            return
        self.ctx.run(consents.list_consents, self.person.id, on_done=self._show,
                     key=f"consents.{id(self)}")

    def _changed(self, changed) -> None:
        if self.person is not None and changed.touches("consents", self.person.id):
            self.reload()

    def _show(self, items: list[ConsentView]) -> None:
        self.consents = list(items)
        self.today = clock.today()
        lang = self.ctx.lang
        for (agency, category), badge in self.badges.items():
            kind, text, tip = badge_for(self.consents, agency, category, self.today, self.owner,
                                        lang)
            badge.setText(text)
            badge.setToolTip(tip)
            badge.setProperty("badge", kind)
            badge.style().unpolish(badge)
            badge.style().polish(badge)
        self.table.setRowCount(len(self.consents))
        for r, c in enumerate(self.consents):
            grants: dict[Agency, list[str]] = {}
            for agency, category in c.grants:
                grants.setdefault(agency, []).append(category_short(category, lang))
            status = label(ConsentStatus(c.status), "sv" if lang == "sv" else "en")
            if c.withdrawn_at:
                status += f" {fmt_datetime(c.withdrawn_at)}"
            cells = [str(c.version), status,
                     enum_label(c.basis, lang) + (f" ({c.legal_reference})" if c.legal_reference
                                                  else f", {enum_label(c.form, lang).lower()}"),
                     f"{fmt_date(c.valid_from)} – {fmt_date(c.valid_until)}",
                     "; ".join(f"{enum_label(a, lang)}: {', '.join(v)}" for a, v in grants.items()),
                     c.purpose, c.obtained_by]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, c.id)
                if col in (4, 5):
                    item.setToolTip(text)
                if col == 5 and c.withdrawal_reason:
                    item.setToolTip(self.tr("Orsak till återkallelse: {r}").format(
                        r=c.withdrawal_reason))
                self.table.setItem(r, col, item)
        self._update_buttons()

    def clear(self) -> None:
        self.person = None
        self.consents = []
        for badge in self.badges.values():
            badge.clear()
            badge.setProperty("badge", "")
        self.table.setRowCount(0)
        self.record_button.hide()
        self._update_buttons()

    def selected(self) -> ConsentView | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows:
            return None
        return self.consents[rows[0].row()] if rows[0].row() < len(self.consents) else None

    def _update_buttons(self) -> None:
        c = self.selected()
        can = (self.writable and self.ctx.may("consent.write") and c is not None
               and c.status in (ConsentStatus.ACTIVE, ConsentStatus.NOT_YET_VALID))
        self.amend_button.setVisible(self.writable and self.ctx.may("consent.write"))
        self.withdraw_button.setVisible(self.writable and self.ctx.may("consent.write"))
        self.amend_button.setEnabled(can)
        self.withdraw_button.setEnabled(can)

    # -- actions ---------------------------------------------------------------------

    def record(self) -> None:
        from trefas_app.ui.dialogs.consent import ConsentDialog

        if self.person is None:
            return
        dlg = ConsentDialog(self.ctx, self, self.person, self.case_id)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()

    def amend(self) -> None:
        from trefas_app.ui.dialogs.consent import ConsentDialog

        c = self.selected()
        if self.person is None or c is None:
            return
        dlg = ConsentDialog(self.ctx, self, self.person, self.case_id, amend=c)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()

    def withdraw(self) -> None:
        from trefas_app.ui.dialogs.reason import ReasonDialog

        c = self.selected()
        if self.person is None or c is None:
            return
        dlg = ReasonDialog(
            self.ctx, self, title=self.tr("Återkalla samtycke"),
            prompt=self.tr("Orsak *"), service=consents.withdraw_consent, args=(c.id,),
            ok_text=self.tr("Återkalla"),
            explanation=self.tr("Återkallelsen gäller direkt: de andra myndigheterna ser inte "
                                "längre uppgifterna som samtycket omfattade."))
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()
