"""The administrator's dialogs: a new user (role, agency and unit that fit
together, a password that meets the policy), a new password for a user, and
a new unit. Passwords are checked as they are typed with the same policy
function the service uses; they are never logged or kept after the dialog."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QWidget

from trefas_app.domain.enums import ROLE_AGENCIES, Agency, Role
from trefas_app.domain.errors import TrefasError
from trefas_app.security.passwords import check_password_policy
from trefas_app.services import users
from trefas_app.services.views import UnitView, UserView
from trefas_app.ui.common import enum_label, limit_field, muted
from trefas_app.ui.dialogs.base import ServiceDialog, field_error_label, set_field_error
from trefas_app.ui.dialogs.task_pickers import enum_data


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
    def __init__(self, ctx, parent: QWidget | None, units: list[UnitView]):
        super().__init__(ctx, parent, title=self.tr("Ny användare"),
                         ok_text=self.tr("Skapa användare"))
        self.setObjectName("userDialog")
        self.setMinimumWidth(540)
        self.units = list(units)
        lang = ctx.lang
        self.username_edit = QLineEdit(self)
        limit_field(self.username_edit, "users.username")
        self.username_edit.setObjectName("username")
        self.username_edit.setPlaceholderText("fornamn.efternamn")
        self.username_error = field_error_label(self)
        self.name_edit = QLineEdit(self)
        limit_field(self.name_edit, "users.display_name")
        self.name_edit.setObjectName("displayName")
        self.role_combo = QComboBox(self)
        self.role_combo.setObjectName("role")
        for role in Role:
            self.role_combo.addItem(enum_label(role, lang), role)
        self.agency_combo = QComboBox(self)
        self.agency_combo.setObjectName("agency")
        self.unit_combo = QComboBox(self)
        self.unit_combo.setObjectName("unit")
        self.email_edit = QLineEdit(self)
        limit_field(self.email_edit, "users.email")
        self.email_edit.setObjectName("email")
        self.phone_edit = QLineEdit(self)
        limit_field(self.phone_edit, "users.phone")
        self.phone_edit.setObjectName("phone")
        self.password_edit = _password_edit(self, "password")
        self.repeat_edit = _password_edit(self, "repeat")
        self.password_error = field_error_label(self)
        self.password_error.setObjectName("passwordError")
        f = self.form
        f.addRow(self.tr("Användarnamn *"), self.username_edit)
        f.addRow("", self.username_error)
        f.addRow(self.tr("Namn *"), self.name_edit)
        f.addRow(self.tr("Roll"), self.role_combo)
        f.addRow(self.tr("Myndighet"), self.agency_combo)
        f.addRow(self.tr("Enhet *"), self.unit_combo)
        f.addRow(self.tr("E-post"), self.email_edit)
        f.addRow(self.tr("Telefon"), self.phone_edit)
        f.addRow(self.tr("Lösenord *"), self.password_edit)
        f.addRow(self.tr("Upprepa lösenord *"), self.repeat_edit)
        f.addRow("", self.password_error)
        self.body.addWidget(muted(self.tr(
            "Minst 12 tecken; långa lösenfraser är bra. Lämna lösenordet till användaren "
            "personligen – användaren kan byta det själv."), self))
        self.role_combo.currentIndexChanged.connect(self._role_changed)
        self.agency_combo.currentIndexChanged.connect(self._agency_changed)
        for w in (self.username_edit, self.name_edit, self.password_edit, self.repeat_edit):
            w.textChanged.connect(self.revalidate)
        self.unit_combo.currentIndexChanged.connect(self.revalidate)
        self._role_changed()
        self.mark_clean()

    def _role_changed(self, *_a) -> None:
        role = enum_data(self.role_combo, Role)
        current = self.agency_combo.currentData()
        self.agency_combo.blockSignals(True)
        self.agency_combo.clear()
        for agency in Agency:
            if agency in ROLE_AGENCIES[role]:
                self.agency_combo.addItem(enum_label(agency, self.ctx.lang), agency)
        i = self.agency_combo.findData(current)
        self.agency_combo.setCurrentIndex(max(0, i))
        self.agency_combo.blockSignals(False)
        self._agency_changed()

    def _agency_changed(self, *_a) -> None:
        agency = enum_data(self.agency_combo, Agency)
        current = self.unit_combo.currentData()
        self.unit_combo.blockSignals(True)
        self.unit_combo.clear()
        for u in self.units:
            if u.agency == agency:
                self.unit_combo.addItem(u.name, u.id)
        if not self.unit_combo.count():
            self.unit_combo.addItem(self.tr("Ingen enhet i den myndigheten – skapa en först"),
                                    None)
        i = self.unit_combo.findData(current)
        self.unit_combo.setCurrentIndex(max(0, i))
        self.unit_combo.blockSignals(False)
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
        pw = self.password_edit.text()
        pw_text = _password_problem(pw, self.repeat_edit.text(), name, self.ctx.lang, self.tr)
        set_field_error(self.password_error, pw_text if pw else "")
        if pw_text:
            problems.append(pw_text)
        return problems

    def submit(self) -> None:
        data = users.UserInput(
            username=self.username(), display_name=self.name_edit.text().strip(),
            role=enum_data(self.role_combo, Role), agency=enum_data(self.agency_combo, Agency),
            unit_id=self.unit_combo.currentData(), password=self.password_edit.text(),
            email=self.email_edit.text().strip() or None,
            phone=self.phone_edit.text().strip() or None)
        self.run(users.add_user, data, changes=("users",))

    def done(self, result: int) -> None:  # noqa: D401 — Qt API
        # The password is not kept once the dialog closes.
        self.password_edit.clear()
        self.repeat_edit.clear()
        super().done(result)


class ResetPasswordDialog(ServiceDialog):
    """A new password for a user (the account is enabled again)."""

    def __init__(self, ctx, parent: QWidget | None, user: UserView):
        super().__init__(ctx, parent, title=self.tr("Nytt lösenord"),
                         ok_text=self.tr("Sätt nytt lösenord"))
        self.setObjectName("resetPasswordDialog")
        self.setMinimumWidth(480)
        self.user = user
        info = QLabel(self.tr("{name} ({username})").format(name=user.display_name,
                                                           username=user.username), self)
        info.setProperty("role", "subheading")
        self.body.insertWidget(0, info)
        if not user.active:
            self.body.insertWidget(1, muted(self.tr(
                "Kontot är avstängt och aktiveras igen med det nya lösenordet."), self))
        self.password_edit = _password_edit(self, "password")
        self.repeat_edit = _password_edit(self, "repeat")
        self.password_error = field_error_label(self)
        self.password_error.setObjectName("passwordError")
        self.form.addRow(self.tr("Nytt lösenord *"), self.password_edit)
        self.form.addRow(self.tr("Upprepa *"), self.repeat_edit)
        self.form.addRow("", self.password_error)
        self.password_edit.textChanged.connect(self.revalidate)
        self.repeat_edit.textChanged.connect(self.revalidate)
        self.mark_clean()

    def problems(self) -> list[str]:
        pw = self.password_edit.text()
        text = _password_problem(pw, self.repeat_edit.text(), self.user.username,
                                 self.ctx.lang, self.tr)
        set_field_error(self.password_error, text if pw else "")
        return [text] if text else []

    def submit(self) -> None:
        self.run(users.reset_password, self.user.username, self.password_edit.text(),
                 changes=("users",))

    def done(self, result: int) -> None:  # noqa: D401 — Qt API
        self.password_edit.clear()
        self.repeat_edit.clear()
        super().done(result)


class UnitDialog(ServiceDialog):
    def __init__(self, ctx, parent: QWidget | None, units: list[UnitView] = ()):
        super().__init__(ctx, parent, title=self.tr("Ny enhet"), ok_text=self.tr("Skapa enhet"))
        self.setObjectName("unitDialog")
        self.setMinimumWidth(440)
        self.taken = {u.code for u in units}
        self.agency_combo = QComboBox(self)
        self.agency_combo.setObjectName("agency")
        for agency in Agency:
            self.agency_combo.addItem(enum_label(agency, ctx.lang), agency)
        self.code_edit = QLineEdit(self)
        limit_field(self.code_edit, "units.code")
        self.code_edit.setObjectName("code")
        self.code_edit.setPlaceholderText("SDF-RK")
        self.name_edit = QLineEdit(self)
        limit_field(self.name_edit, "units.name")
        self.name_edit.setObjectName("name")
        self.name_edit.setPlaceholderText(self.tr("t.ex. Rinkeby-Kista"))
        self.form.addRow(self.tr("Myndighet"), self.agency_combo)
        self.form.addRow(self.tr("Kod *"), self.code_edit)
        self.form.addRow(self.tr("Namn *"), self.name_edit)
        self.code_edit.textChanged.connect(self.revalidate)
        self.name_edit.textChanged.connect(self.revalidate)
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
        self.run(users.add_unit, enum_data(self.agency_combo, Agency), self.code_edit.text().strip(),
                 self.name_edit.text().strip(), changes=("units", "users"))
