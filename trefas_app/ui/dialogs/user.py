"""The administrator's dialogs: a new user (role, agency and unit that fit
together), a new one-time code for a user, and a new unit. The administrator
never chooses a password: each account gets a one-time enrolment code, shown
once (:class:`EnrolmentCodeDialog`); the person chooses their own password and
a supervisor of their agency confirms the account. Units are the key file's
(agency, code, name) tuples: the administrator's log-in holds no data key."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from trefas_app.domain.enums import ROLE_AGENCIES, Agency, Role
from trefas_app.domain.errors import TrefasError
from trefas_app.domain.passwords import check_password_policy
from trefas_app.services import accounts, users
from trefas_app.ui.common import combo_enum, enum_label, muted
from trefas_app.ui.dialogs.base import ServiceDialog, field_error_label, set_field_error
from trefas_app.ui.widgets.fields import enum_combo, line_edit, refill


def _password_problem(password: str, repeat: str, username: str, lang: str, tr) -> str:
    if not password:
        return tr("Ange ett lösenord.")
    try:
        check_password_policy(password, username or None)
    except TrefasError as exc:
        return exc.message(lang)
    if password != repeat:
        return tr("Lösenorden är inte lika.")
    return ""


def _password_edit(parent: QWidget, name: str) -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setObjectName(name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


class UserDialog(ServiceDialog):
    def __init__(self, ctx, parent: QWidget | None, units: list[tuple[str, str, str]]):
        super().__init__(ctx, parent, title=self.tr("Ny användare"),
                         ok_text=self.tr("Skapa användare"), name="userDialog", width=540)
        self.units = list(units)
        lang = ctx.lang
        self.username_edit = line_edit(self, "username", "users.username",
                                       placeholder="fornamn.efternamn")
        self.username_error = field_error_label(self)
        self.name_edit = line_edit(self, "displayName", "users.display_name")
        self.role_combo = enum_combo(self, "role", Role, lang)
        self.agency_combo = QComboBox(self)
        self.agency_combo.setObjectName("agency")
        self.unit_combo = QComboBox(self)
        self.unit_combo.setObjectName("unit")
        self.email_edit = line_edit(self, "email", "users.email")
        self.phone_edit = line_edit(self, "phone", "users.phone")
        f = self.form
        f.addRow(self.tr("Användarnamn *"), self.username_edit)
        f.addRow("", self.username_error)
        f.addRow(self.tr("Namn *"), self.name_edit)
        f.addRow(self.tr("Roll"), self.role_combo)
        f.addRow(self.tr("Myndighet"), self.agency_combo)
        f.addRow(self.tr("Enhet *"), self.unit_combo)
        f.addRow(self.tr("E-post"), self.email_edit)
        f.addRow(self.tr("Telefon"), self.phone_edit)
        self.body.addWidget(muted(self.tr(
            "Kontot får en engångskod som visas en gång och gäller i 72 timmar. Personen "
            "väljer sitt eget lösenord med koden, och en arbetsledare i samma myndighet "
            "bekräftar kontot innan det når något ärendeinnehåll."), self))
        self.role_combo.currentIndexChanged.connect(self._role_changed)
        self.agency_combo.currentIndexChanged.connect(self._agency_changed)
        for w in (self.username_edit, self.name_edit):
            w.textChanged.connect(self.revalidate)
        self.unit_combo.currentIndexChanged.connect(self.revalidate)
        self._role_changed()
        self.mark_clean()

    def _role_changed(self, *_a) -> None:
        role = combo_enum(self.role_combo, Role)
        refill(self.agency_combo, [(enum_label(agency, self.ctx.lang), agency) for agency in Agency
                                   if agency in ROLE_AGENCIES[role]])
        self._agency_changed()

    def _agency_changed(self, *_a) -> None:
        agency = combo_enum(self.agency_combo, Agency)
        refill(self.unit_combo, [(name, code) for unit_agency, code, name in self.units
                                 if unit_agency == Agency(agency).value],
               empty=self.tr("Ingen enhet i den myndigheten – skapa en först"))
        self.revalidate()

    def username(self) -> str:
        return self.username_edit.text().strip().lower()

    def problems(self) -> list[str]:
        problems = []
        name = self.username()
        user_text = ""
        if name and not users.USERNAME_RE.match(name):
            user_text = self.tr("2–32 tecken: små bokstäver a–z, siffror, punkt, bindestreck "
                                "eller understreck; börjar med en bokstav.")
        set_field_error(self.username_error, user_text)
        if not name:
            problems.append(self.tr("Ange ett användarnamn."))
        elif user_text:
            problems.append(user_text)
        if not self.name_edit.text().strip():
            problems.append(self.tr("Ange användarens namn."))
        if self.unit_combo.currentData() is None:
            problems.append(self.tr("Välj en enhet."))
        return problems

    def submit(self) -> None:
        self.run_on_store(_create, self.username(), self.name_edit.text().strip(),
                          combo_enum(self.role_combo, Role), combo_enum(self.agency_combo, Agency),
                          self.unit_combo.currentData(), self.email_edit.text().strip() or None,
                          self.phone_edit.text().strip() or None)


def _create(store, username, display_name, role, agency, unit_code, email, phone):
    return accounts.create_account(store, username, display_name, role, agency, unit_code,
                                   email=email, phone=phone)


class EnrolmentCodeDialog(QDialog):
    """The one-time code, shown once; it is not kept anywhere after this."""

    def __init__(self, parent: QWidget | None, username: str, code: str):
        super().__init__(parent)
        self.setObjectName("enrolmentCodeDialog")
        self.setWindowTitle(self.tr("Engångskod"))
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(self.tr("Engångskod för {username} – visas bara nu och gäller i "
                                     "72 timmar:").format(username=username), self))
        self.code_label = QLabel(code, self)
        self.code_label.setObjectName("enrolmentCode")
        self.code_label.setProperty("role", "subheading")
        self.code_label.setTextInteractionFlags(
            self.code_label.textInteractionFlags() | Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.code_label)
        lay.addWidget(muted(self.tr(
            "Ge koden till personen själv. Hen väljer sitt lösenord i inloggningsrutan "
            "(”Första inloggningen”) eller med ”trefas user enrol”. Därefter bekräftar en "
            "arbetsledare i samma myndighet kontot."), self))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok, self)
        buttons.accepted.connect(self.accept)
        lay.addWidget(buttons)

    def done(self, result: int) -> None:  # noqa: D401 — Qt API
        self.code_label.clear()
        super().done(result)


class ResetPasswordDialog(ServiceDialog):
    """A new one-time code for a user: the old slot (and its key) is gone at
    once, and a supervisor must confirm the account again."""

    def __init__(self, ctx, parent: QWidget | None, user):
        super().__init__(ctx, parent, title=self.tr("Ny engångskod"),
                         ok_text=self.tr("Ge ny engångskod"), name="resetPasswordDialog", width=480)
        self.user = user
        info = QLabel(self.tr("{name} ({username})").format(name=user.display_name,
                                                           username=user.username), self)
        info.setProperty("role", "subheading")
        self.body.insertWidget(0, info)
        self.body.insertWidget(1, muted(self.tr(
            "Den nuvarande nyckeln tas bort direkt. Personen väljer ett nytt lösenord med "
            "den nya koden, och kontot når inget ärendeinnehåll förrän en arbetsledare i "
            "samma myndighet har bekräftat det igen."), self))
        self.mark_clean()

    def problems(self) -> list[str]:
        return []

    def submit(self) -> None:
        self.run_on_store(accounts.reset_account, self.user.username)


class UnitDialog(ServiceDialog):
    def __init__(self, ctx, parent: QWidget | None, units: list[tuple[str, str, str]] = ()):
        super().__init__(ctx, parent, title=self.tr("Ny enhet"), ok_text=self.tr("Skapa enhet"),
                         name="unitDialog", width=440)
        self.taken = {code for _agency, code, _name in units}
        self.agency_combo = enum_combo(self, "agency", Agency, ctx.lang)
        self.code_edit = line_edit(self, "code", "units.code", placeholder="SDF-RK")
        self.name_edit = line_edit(self, "name", "units.name",
                                   placeholder=self.tr("t.ex. Rinkeby-Kista"))
        self.form.addRow(self.tr("Myndighet"), self.agency_combo)
        self.form.addRow(self.tr("Kod *"), self.code_edit)
        self.form.addRow(self.tr("Namn *"), self.name_edit)
        self.watch(self.code_edit, self.name_edit)
        self.mark_clean()

    def problems(self) -> list[str]:
        problems = []
        code = self.code_edit.text().strip()
        if not code:
            problems.append(self.tr("Ange en kod."))
        elif code in self.taken:
            problems.append(self.tr("Det finns redan en enhet med den koden."))
        if not self.name_edit.text().strip():
            problems.append(self.tr("Ange enhetens namn."))
        return problems

    def submit(self) -> None:
        self.run_on_store(accounts.add_unit, combo_enum(self.agency_combo, Agency),
                          self.code_edit.text().strip(), self.name_edit.text().strip())
