"""The person card: a person as this user may see them. Fields the access
rule withholds say so instead of looking empty."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from trefas_app.domain.address import format_address
from trefas_app.domain.enums import Category, ProtectionLevel
from trefas_app.services.views import PersonView
from trefas_app.ui import style
from trefas_app.ui.clipboard import copy_secret
from trefas_app.ui.common import enum_label, fmt_date
from trefas_app.ui.widgets.parts import push_button


class PersonCard(QFrame):
    revealRequested = Signal()
    editRequested = Signal()

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setProperty("role", "card")
        self.setObjectName("personCard")
        self.person: PersonView | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(14, 12, 14, 12)
        top = QHBoxLayout()
        self.shield = QLabel(self)
        self.shield.setPixmap(style.shield_icon(20).pixmap(20, 20))
        self.shield.hide()
        self.name_label = QLabel(self)
        self.name_label.setObjectName("personName")
        self.name_label.setFont(style.heading_font(2))
        self.name_label.setTextFormat(Qt.TextFormat.PlainText)
        top.addWidget(self.shield)
        top.addWidget(self.name_label, 1)
        self.reveal_button = push_button(self, self.tr("Visa identitet …"),
                                         "revealButton", self.revealRequested)
        self.edit_button = push_button(self, self.tr("Ändra …"), "editPerson", self.editRequested)
        top.addWidget(self.reveal_button)
        top.addWidget(self.edit_button)
        outer.addLayout(top)

        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(16)
        self.grid.setVerticalSpacing(6)
        self.grid.setColumnStretch(1, 1)
        outer.addLayout(self.grid)
        self._values: dict[str, QLabel] = {}
        self._copy: dict[str, QToolButton] = {}
        rows = (("pn", self.tr("Personnummer"), True), ("birth", self.tr("Född"), False),
                ("phone", self.tr("Telefon"), False), ("address", self.tr("Adress"), True),
                ("protection", self.tr("Skydd"), False), ("risk", self.tr("Risknivå"), False),
                ("risk_factors", self.tr("Riskfaktorer"), False),
                ("protective", self.tr("Skyddsfaktorer"), False))
        for r, (key, title, copyable) in enumerate(rows):
            name = QLabel(title, self)
            name.setProperty("role", "muted")
            name.setAlignment(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft)
            value = QLabel(self)
            value.setObjectName(f"person-{key}")
            value.setWordWrap(True)
            value.setTextFormat(Qt.TextFormat.PlainText)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.grid.addWidget(name, r, 0)
            self.grid.addWidget(value, r, 1)
            self._values[key] = value
            if copyable:
                button = QToolButton(self)
                button.setObjectName(f"copy-{key}")
                button.setText(self.tr("Kopiera"))
                button.setToolTip(self.tr("Kopiera. Urklippet töms efter 30 sekunder."))
                button.clicked.connect(lambda _=False, k=key: self._copy_value(k))
                self.grid.addWidget(button, r, 2)
                self._copy[key] = button
        self.clear()

    def clear(self) -> None:
        self.person = None
        self.name_label.clear()
        self.shield.hide()
        for v in self._values.values():
            v.clear()
        for b in self._copy.values():
            b.hide()
        self.reveal_button.hide()
        self.edit_button.hide()

    def _withheld_text(self, category: Category) -> str:
        p = self.person
        if p is not None and p.protected and not p.revealed and category in (
                Category.IDENTITY, Category.LOCATION):
            return self.tr("Skyddad – visas inte")
        return self.tr("Delas inte med din myndighet")

    def set_person(self, p: PersonView, *, may_edit: bool = False) -> None:
        self.person = p
        lang = self.ctx.lang
        self.name_label.setText(p.display_name)
        self.shield.setVisible(p.protected)
        self.shield.setToolTip(enum_label(p.protection_level, lang))
        withheld = set(p.withheld)

        def put(key: str, value: str | None, category: Category) -> None:
            label = self._values[key]
            if category in withheld:
                label.setText(self._withheld_text(category))
                label.setProperty("role", "hidden-line")
            else:
                label.setText(value or "–")
                label.setProperty("role", "")
            label.style().unpolish(label)
            label.style().polish(label)

        address = format_address(p.address, p.postal_code, p.city)
        put("pn", p.personal_number, Category.IDENTITY)
        put("birth", fmt_date(p.birth_date) if p.birth_date else None, Category.IDENTITY)
        put("phone", p.phone, Category.IDENTITY)
        put("address", address, Category.LOCATION)
        self._values["protection"].setText(enum_label(p.protection_level, lang)
                                           + (self.tr(" (identiteten visas för dig)")
                                              if p.revealed else ""))
        put("risk", enum_label(p.risk_level, lang) if p.risk_level else None, Category.THREAT)
        put("risk_factors", p.risk_factors, Category.THREAT)
        put("protective", p.protective_factors, Category.SOCIAL)
        self._copy["pn"].setVisible(bool(p.personal_number))
        self._copy["address"].setVisible(bool(p.address))
        self.reveal_button.setVisible(p.protected and not p.revealed
                                      and self.ctx.may("identity.reveal"))
        self.edit_button.setVisible(may_edit and not p.withheld
                                    and self.ctx.may("person.update"))
        if p.protection_level == ProtectionLevel.NONE:
            self.shield.hide()

    def _copy_value(self, key: str) -> None:
        p = self.person
        if p is None:
            return
        if key == "pn" and p.personal_number:
            copy_secret(p.personal_number)
        elif key == "address" and p.address:
            copy_secret(format_address(p.address, p.postal_code, p.city))
        self.ctx.status(self.tr("Kopierat. Urklippet töms om 30 sekunder."))

