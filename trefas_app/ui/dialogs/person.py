"""Create or edit a person, validated as you type."""

from __future__ import annotations


from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget

from trefas_app.domain import clock
from trefas_app.domain.enums import ProtectionLevel, RiskLevel
from trefas_app.domain.personnummer import InvalidPersonalNumber, parse_personal_number
from trefas_app.services import persons
from trefas_app.services.views import PersonView
from trefas_app.ui.common import combo_enum, enum_label, limit_field
from trefas_app.ui.dialogs.base import (
    ServiceDialog,
    field_error_label,
    note_problem,
    set_field_error,
)
from trefas_app.ui.widgets.fields import enum_combo, line_edit


def _with_error(field: QWidget, error: QLabel) -> QWidget:
    box = QWidget()
    lay = QVBoxLayout(box)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.setSpacing(2)
    lay.addWidget(field)
    lay.addWidget(error)
    return box


class PersonDialog(ServiceDialog):
    """New person, or edit ``person`` (only when nothing of it is withheld from
    this user: saving masked fields would erase them)."""

    def __init__(self, ctx, parent: QWidget | None = None, person: PersonView | None = None):
        super().__init__(ctx, parent, title=self.tr("Ny person") if person is None
                         else self.tr("Ändra personuppgifter"),
                         ok_text=self.tr("Spara person"), name="personDialog")
        self.person = person
        self.setMinimumWidth(520)
        lang = ctx.lang
        self._touched: set[str] = set()

        self.first_edit = line_edit(self, "firstName", "persons.first_name")
        self.first_error = field_error_label(self)
        self.last_edit = line_edit(self, "lastName", "persons.last_name")
        self.last_error = field_error_label(self)
        self.pn_edit = line_edit(self, "personalNumber", placeholder=self.tr("ÅÅÅÅMMDD-NNNN"))
        self.pn_error = field_error_label(self)
        self.pn_error.setObjectName("personalNumberError")
        self.pn_info = QLabel(self)
        self.pn_info.setProperty("role", "field-ok")
        self.pn_info.hide()
        self.phone_edit = QLineEdit(self)
        limit_field(self.phone_edit, "persons.phone")
        self.address_edit = QLineEdit(self)
        limit_field(self.address_edit, "persons.address")
        self.postal_edit = QLineEdit(self)
        limit_field(self.postal_edit, "persons.postal_code")
        self.postal_edit.setMaximumWidth(100)
        self.city_edit = QLineEdit(self)
        limit_field(self.city_edit, "persons.city")
        self.protection_combo = enum_combo(self, "protection", ProtectionLevel, lang)
        self.risk_combo = QComboBox(self)
        for level in RiskLevel:
            self.risk_combo.addItem(enum_label(level, lang), level)
        self.risk_factors = QPlainTextEdit(self)
        limit_field(self.risk_factors, "persons.risk_factors")
        self.risk_factors.setFixedHeight(60)
        self.protective_factors = QPlainTextEdit(self)
        limit_field(self.protective_factors, "persons.protective_factors")
        self.protective_factors.setFixedHeight(60)

        pn_box = QWidget(self)
        pn_lay = QVBoxLayout(pn_box)
        pn_lay.setContentsMargins(0, 0, 0, 0)
        pn_lay.setSpacing(2)
        pn_lay.addWidget(self.pn_edit)
        pn_lay.addWidget(self.pn_error)
        pn_lay.addWidget(self.pn_info)

        f = self.form
        f.addRow(self.tr("Förnamn *"), _with_error(self.first_edit, self.first_error))
        f.addRow(self.tr("Efternamn *"), _with_error(self.last_edit, self.last_error))
        f.addRow(self.tr("Personnummer"), pn_box)
        f.addRow(self.tr("Telefon"), self.phone_edit)
        f.addRow(self.tr("Adress"), self.address_edit)
        f.addRow(self.tr("Postnummer"), self.postal_edit)
        f.addRow(self.tr("Ort"), self.city_edit)
        f.addRow(self.tr("Skyddade personuppgifter"), self.protection_combo)
        f.addRow(self.tr("Risknivå"), self.risk_combo)
        f.addRow(self.tr("Riskfaktorer"), self.risk_factors)
        f.addRow(self.tr("Skyddsfaktorer"), self.protective_factors)

        if person is not None:
            self._fill(person)
            self.version = person.version

        self.first_edit.textEdited.connect(lambda _t: self._touch("first"))
        self.last_edit.textEdited.connect(lambda _t: self._touch("last"))
        for w in (self.first_edit, self.last_edit, self.pn_edit):
            w.textChanged.connect(self.revalidate)
        self.mark_clean()

    def _fill(self, p: PersonView) -> None:
        first, last = p.first_name or "", p.last_name or ""
        self.first_edit.setText(first)
        self.last_edit.setText(last)
        self.pn_edit.setText(p.personal_number or "")
        self.phone_edit.setText(p.phone or "")
        self.address_edit.setText(p.address or "")
        self.postal_edit.setText(p.postal_code or "")
        self.city_edit.setText(p.city or "")
        self.protection_combo.setCurrentIndex(list(ProtectionLevel).index(p.protection_level))
        if p.risk_level is not None:
            self.risk_combo.setCurrentIndex(list(RiskLevel).index(p.risk_level))
        self.risk_factors.setPlainText(p.risk_factors or "")
        self.protective_factors.setPlainText(p.protective_factors or "")

    def read_again(self):
        return (persons.get_person, (self.person.id,)) if self.person is not None else None

    def reopened(self, person: PersonView) -> None:
        self.person = person
        self._fill(person)

    def _touch(self, name: str) -> None:
        self._touched.add(name)
        self.revalidate()

    # -- validation ------------------------------------------------------------------

    def personal_number_problem(self) -> str:
        text = self.pn_edit.text().strip()
        self.pn_info.hide()
        if not text:
            return ""
        try:
            pn = parse_personal_number(text, clock.today())
        except InvalidPersonalNumber as exc:
            return exc.message(self.ctx.lang)
        if pn.is_coordination_number:
            self.pn_info.setText(self.tr("Samordningsnummer, född {date}").format(
                date=pn.birth_date.isoformat()))
        else:
            self.pn_info.setText(self.tr("Född {date}").format(date=pn.birth_date.isoformat()))
        self.pn_info.show()
        return ""

    def problems(self) -> list[str]:
        problems = []
        first_missing = not self.first_edit.text().strip()
        last_missing = not self.last_edit.text().strip()
        set_field_error(self.first_error, self.tr("Förnamn måste fyllas i.")
                        if first_missing and "first" in self._touched else "")
        set_field_error(self.last_error, self.tr("Efternamn måste fyllas i.")
                        if last_missing and "last" in self._touched else "")
        if first_missing or last_missing:
            problems.append(self.tr("För- och efternamn måste fyllas i."))
        pn_problem = self.personal_number_problem()
        note_problem(problems, pn_problem, self.pn_error)
        return problems

    # -- saving ------------------------------------------------------------------------

    def person_input(self) -> persons.PersonInput:
        def opt(edit) -> str | None:
            text = edit.toPlainText() if isinstance(edit, QPlainTextEdit) else edit.text()
            return text.strip() or None

        return persons.PersonInput(
            first_name=self.first_edit.text().strip(), last_name=self.last_edit.text().strip(),
            personal_number=opt(self.pn_edit), phone=opt(self.phone_edit),
            address=opt(self.address_edit), postal_code=opt(self.postal_edit),
            city=opt(self.city_edit), protection_level=combo_enum(self.protection_combo, ProtectionLevel),
            risk_level=combo_enum(self.risk_combo, RiskLevel), risk_factors=opt(self.risk_factors),
            protective_factors=opt(self.protective_factors))

    def submit(self) -> None:
        data = self.person_input()
        if self.person is None:
            self.run(persons.create_person, data)
        else:
            self.run(persons.update_person, self.person.id, data,
                     expected_version=self.version)
