"""Record (or amend) a consent to share: recipient agencies × data categories,
purpose, form, and a period that must end."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QWidget,
)

from trefas_app.domain import clock
from trefas_app.domain.enums import Agency, Category, ConsentBasis, ConsentForm
from trefas_app.services import consents
from trefas_app.services.views import ConsentView, PersonView
from trefas_app.ui import accessibility
from trefas_app.ui.common import category_short, combo_enum, enum_label, muted
from trefas_app.ui.dialogs.base import ServiceDialog, field_error_label, set_field_error
from trefas_app.ui.widgets.fields import enum_combo, line_edit

NO_DATE = QDate(2000, 1, 1)


def _to_date(q: QDate) -> dt.date | None:
    if not q.isValid() or q == NO_DATE:
        return None
    return dt.date(q.year(), q.month(), q.day())


def _qdate(d: dt.date) -> QDate:
    return QDate(d.year, d.month, d.day)


def _age(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


class ConsentDialog(ServiceDialog):
    """``owner`` is the user's own agency (it needs no consent, so it is not
    offered as a recipient). ``amend``: a consent to replace by a new version."""

    def __init__(self, ctx, parent: QWidget | None, person: PersonView, case_id: int | None,
                 amend: ConsentView | None = None, today: dt.date | None = None):
        super().__init__(ctx, parent, title=self.tr("Registrera samtycke") if amend is None
                         else self.tr("Ändra samtycke (ny version)"),
                         ok_text=self.tr("Spara samtycke"), name="consentDialog", width=640)
        self.person, self.case_id, self.amend = person, case_id, amend
        self.today = today or clock.today()
        lang = ctx.lang
        own = ctx.actor.agency if ctx.actor else None
        self.recipients = [a for a in Agency if a != own]

        self.basis_combo = enum_combo(self, "basis", ConsentBasis, lang)
        self.legal_edit = line_edit(self, "legalReference", "consents.legal_reference",
                                    placeholder=self.tr("t.ex. OSL 10 kap. 18 a §"))
        self.form_combo = enum_combo(self, "form", (ConsentForm.WRITTEN, ConsentForm.ORAL), lang)
        self.guardian_edit = line_edit(self, "guardian", "consents.given_by")
        self.purpose_edit = line_edit(self, "purpose", "consents.purpose",
                                      placeholder=self.tr("t.ex. Samverkan inom SIG"))

        self.from_edit = QDateEdit(_qdate(self.today), self)
        self.from_edit.setObjectName("validFrom")
        self.from_edit.setCalendarPopup(True)
        self.from_edit.setDisplayFormat("yyyy-MM-dd")
        self.until_edit = QDateEdit(self)
        self.until_edit.setObjectName("validUntil")
        self.until_edit.setDisplayFormat("yyyy-MM-dd")
        self.until_edit.setMinimumDate(NO_DATE)
        self.until_edit.setSpecialValueText(self.tr("Välj slutdatum"))
        self.until_edit.setDate(NO_DATE)
        self.until_edit.setCalendarPopup(True)
        self.until_error = field_error_label(self, self.until_edit)
        self.until_error.setObjectName("untilError")
        until_row = QHBoxLayout()
        until_row.addWidget(self.until_edit)
        for label_text, months in ((self.tr("6 månader"), 6), (self.tr("1 år"), 12)):
            b = QPushButton(label_text, self)
            b.setAutoDefault(False)
            b.clicked.connect(lambda _=False, m=months: self._set_period(m))
            until_row.addWidget(b)
        until_row.addStretch(1)
        until_box = QWidget(self)
        ub = QGridLayout(until_box)
        ub.setContentsMargins(0, 0, 0, 0)
        ub.addLayout(until_row, 0, 0)
        ub.addWidget(self.until_error, 1, 0)

        f = self.form
        f.addRow(self.tr("Grund"), self.basis_combo)
        self._legal_row = self.legal_edit
        f.addRow(self.tr("Lagrum *"), self.legal_edit)
        f.addRow(self.tr("Form"), self.form_combo)
        f.addRow(self.tr("Vårdnadshavare"), self.guardian_edit)
        f.addRow(self.tr("Syfte *"), self.purpose_edit)
        f.addRow(self.tr("Gäller från"), self.from_edit)
        f.addRow(self.tr("Gäller till *"), until_box)
        # The label names the date field, not the box around it and its buttons.
        accessibility.tie(f.labelForField(until_box), self.until_edit)

        self.checks: dict[tuple[Agency, Category], QCheckBox] = {}
        self.body.addWidget(self._grant_grid(lang))
        self.minor_note = muted("", self)
        self.body.addWidget(self.minor_note)

        if amend is not None:
            self._fill(amend)
        self.basis_combo.currentIndexChanged.connect(self._basis_changed)
        for w in (self.legal_edit, self.guardian_edit, self.purpose_edit):
            w.textChanged.connect(self.revalidate)
        self.from_edit.dateChanged.connect(self.revalidate)
        self.until_edit.dateChanged.connect(self.revalidate)
        self._basis_changed()
        self.mark_clean()

    def _grant_grid(self, lang: str) -> QWidget:
        """Recipient agencies (columns) × data categories (rows) as check boxes,
        each named by its column and row."""
        grid_box = QWidget(self)
        grid = QGridLayout(grid_box)
        grid.setContentsMargins(0, 8, 0, 0)
        grid.addWidget(muted(self.tr("Uppgifter som får lämnas till:"), grid_box), 0, 0)
        for c, agency in enumerate(self.recipients, start=1):
            head = QLabel(enum_label(agency, lang), grid_box)
            head.setProperty("role", "subheading")
            grid.addWidget(head, 0, c)
        for r, category in enumerate(Category, start=1):
            row_label = QLabel(category_short(category, lang).capitalize(), grid_box)
            grid.addWidget(row_label, r, 0)
            for c, agency in enumerate(self.recipients, start=1):
                box = QCheckBox(grid_box)
                box.setObjectName(f"grant-{agency.value}-{category.value}")
                box.setToolTip(f"{enum_label(agency, lang)}: {enum_label(category, lang)}")
                # "Polisen – Identitet": the column and row a sighted user reads.
                accessibility.name(box, f"{enum_label(agency, lang)} – {row_label.text()}",
                                   self.tr("Får lämnas till"))
                if c == 1:
                    row_label.setBuddy(box)
                box.toggled.connect(self.revalidate)
                self.checks[(agency, category)] = box
                grid.addWidget(box, r, c)
        return grid_box

    def _fill(self, c: ConsentView) -> None:
        self.basis_combo.setCurrentIndex(list(ConsentBasis).index(c.basis))
        self.legal_edit.setText(c.legal_reference or "")
        if c.form in (ConsentForm.WRITTEN, ConsentForm.ORAL):
            self.form_combo.setCurrentIndex(0 if c.form == ConsentForm.WRITTEN else 1)
        self.purpose_edit.setText(c.purpose)
        self.from_edit.setDate(_qdate(max(c.valid_from, self.today)))
        self.until_edit.setDate(_qdate(c.valid_until))
        for key, box in self.checks.items():
            box.setChecked(key in c.grants)

    def _set_period(self, months: int) -> None:
        start = self.from_edit.date()
        self.until_edit.setDate(start.addMonths(months).addDays(-1))

    def _basis_changed(self, *_a) -> None:
        legal = combo_enum(self.basis_combo, ConsentBasis) == ConsentBasis.LEGAL_BASIS
        self.form.setRowVisible(self.legal_edit, legal)
        self.form.setRowVisible(self.form_combo, not legal)
        self.form.setRowVisible(self.guardian_edit, not legal)
        self.revalidate()

    def is_minor(self) -> bool:
        birth = self.person.birth_date
        return birth is not None and _age(birth, self.today) < consents.ADULT_AGE

    def grants(self) -> frozenset[tuple[Agency, Category]]:
        return frozenset(k for k, box in self.checks.items() if box.isChecked())

    def problems(self) -> list[str]:
        problems: list[str] = []
        legal = combo_enum(self.basis_combo, ConsentBasis) == ConsentBasis.LEGAL_BASIS
        start, end = _to_date(self.from_edit.date()), _to_date(self.until_edit.date())
        until_problem = ""
        if end is None:
            until_problem = self.tr("Ett samtycke måste ha ett slutdatum.")
        elif start is not None and end < start:
            until_problem = self.tr("Slutdatumet ligger före startdatumet.")
        elif end < self.today:
            until_problem = self.tr("Slutdatumet har redan passerat.")
        elif start is not None and (end - start).days > consents.MAX_CONSENT_DAYS:
            until_problem = self.tr("Ett samtycke kan gälla högst två år.")
        set_field_error(self.until_error, until_problem if end is not None else "")
        if until_problem:
            problems.append(until_problem)
        if not self.purpose_edit.text().strip():
            problems.append(self.tr("Ange syftet med samtycket."))
        if not self.grants():
            problems.append(self.tr("Välj minst en myndighet och en uppgiftskategori."))
        if legal and not self.legal_edit.text().strip():
            problems.append(self.tr("Ange lagrummet."))
        minor = self.is_minor() and not legal
        self.minor_note.setText(self.tr("Personen är under 18 år: ange vårdnadshavaren som "
                                        "lämnat samtycket.") if minor else "")
        if minor and not self.guardian_edit.text().strip():
            problems.append(self.tr("Ange vårdnadshavaren."))
        return problems

    def consent_input(self) -> consents.ConsentInput:
        legal = combo_enum(self.basis_combo, ConsentBasis) == ConsentBasis.LEGAL_BASIS
        return consents.ConsentInput(
            person_id=self.person.id, purpose=self.purpose_edit.text().strip(),
            valid_from=_to_date(self.from_edit.date()),
            valid_until=_to_date(self.until_edit.date()), grants=self.grants(),
            basis=combo_enum(self.basis_combo, ConsentBasis),
            form=ConsentForm.NOT_APPLICABLE if legal else combo_enum(self.form_combo, ConsentForm),
            guardian_name=self.guardian_edit.text().strip() or None,
            legal_reference=self.legal_edit.text().strip() or None, case_id=self.case_id)

    def submit(self) -> None:
        if self.amend is None:
            self.run(consents.record_consent, self.consent_input())
        else:
            self.run(consents.amend_consent, self.amend.id, self.consent_input())
