"""The first-run wizard: create a new store with its first administrator (and
show the recovery key once), or create a demonstration store with invented
people. Everything slow (Argon2id, building the demo) runs in the worker."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressDialog,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from trefas_app.domain.enums import Agency
from trefas_app.domain.labels import label
from trefas_app.domain.errors import TrefasError
from trefas_app.domain.passwords import check_password_policy, common_passwords
from trefas_app.ui import style
from trefas_app.ui.accessibility import TunedOnShow
from trefas_app.ui.common import combo_enum, muted
from trefas_app.ui.widgets.fields import line_edit

PAGE_CHOICE, PAGE_ADMIN, PAGE_RECOVERY, PAGE_DEMO, PAGE_SERVER = range(5)


def _password_problem(password: str, repeat: str, username: str | None, lang: str) -> str:
    """'' when the password may be used, else one sentence."""
    if not password:
        return ""
    try:
        check_password_policy(password, username or None)
    except TrefasError as exc:
        return exc.message(lang)
    if repeat and repeat != password:
        return _tr("Lösenorden är inte likadana.")
    return ""


def _tr(text: str) -> str:
    from PySide6.QtCore import QCoreApplication

    return QCoreApplication.translate("FirstRunWizard", text)


class ChoicePage(QWizardPage):
    def __init__(self, wizard: "FirstRunWizard"):
        super().__init__(wizard)
        self.setTitle(self.tr("Välkommen till Trefas"))
        self.setSubTitle(self.tr("Det finns ingen lagringsplats här ännu."))
        lay = QVBoxLayout(self)
        where = muted(self.tr("Lagringsplats: {path}").format(path=str(wizard.ctx.store_dir)), self)
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(where)
        self.new_radio = QRadioButton(self.tr("Skapa en ny lagringsplats med en första "
                                              "administratör"), self)
        self.demo_radio = QRadioButton(self.tr("Skapa en demonstrationslagringsplats med "
                                               "påhittade personer och ärenden"), self)
        self.new_radio.setChecked(True)
        self.server_radio = QRadioButton(self.tr("Anslut till server"), self)
        self.server_radio.setObjectName("connectServer")
        group = QButtonGroup(self)
        group.addButton(self.new_radio)
        group.addButton(self.demo_radio)
        group.addButton(self.server_radio)
        lay.addSpacing(8)
        lay.addWidget(self.new_radio)
        lay.addWidget(muted(self.tr("För riktigt arbete. Administratören lägger sedan till "
                                    "användare och enheter."), self))
        lay.addSpacing(8)
        lay.addWidget(self.demo_radio)
        lay.addWidget(muted(self.tr("För utbildning och test. Använd aldrig riktiga "
                                    "personuppgifter i en demonstrationslagringsplats."), self))
        lay.addSpacing(8)
        lay.addWidget(self.server_radio)
        lay.addWidget(muted(self.tr("Kontoret har en gemensam Trefas-server. Du loggar in med "
                                    "ditt eget konto från administratören."), self))
        lay.addStretch(1)

    def nextId(self) -> int:  # noqa: N802 — Qt API
        if self.server_radio.isChecked():
            return PAGE_SERVER
        return PAGE_DEMO if self.demo_radio.isChecked() else PAGE_ADMIN


class AdminPage(QWizardPage):
    def __init__(self, wizard: "FirstRunWizard"):
        super().__init__(wizard)
        self.wiz = wizard
        self.setTitle(self.tr("Första administratören"))
        self.setSubTitle(self.tr("Administratören hanterar användare, nycklar och "
                                 "säkerhetskopior men ser inga ärenden."))
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, self.tr("Skapa lagringsplatsen"))
        form = QFormLayout(self)
        self.name_edit = line_edit(self, "displayName")
        self.user_edit = line_edit(self, "username", placeholder=self.tr("t.ex. anna.admin"))
        self.agency_combo = QComboBox(self)
        for agency in Agency:
            self.agency_combo.addItem(label(agency, wizard.ctx.lang), agency)
        self.unit_edit = QLineEdit(self.tr("Förvaltningen"), self)
        self.password_edit = line_edit(self, "password")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat_edit = line_edit(self, "repeat")
        self.repeat_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.feedback = QLabel(self)
        self.feedback.setObjectName("policyFeedback")
        self.feedback.setWordWrap(True)
        self.feedback.setTextFormat(Qt.TextFormat.PlainText)
        self.status = muted("", self)
        form.addRow(self.tr("Namn:"), self.name_edit)
        form.addRow(self.tr("Användarnamn:"), self.user_edit)
        form.addRow(self.tr("Myndighet:"), self.agency_combo)
        form.addRow(self.tr("Enhet:"), self.unit_edit)
        form.addRow(self.tr("Lösenord:"), self.password_edit)
        form.addRow(self.tr("Upprepa lösenordet:"), self.repeat_edit)
        form.addRow("", self.feedback)
        form.addRow("", muted(self.tr("Minst 12 tecken. Ett långt lösenord av flera ord är "
                                      "både säkert och lätt att minnas."), self))
        form.addRow("", self.status)
        for edit in (self.name_edit, self.user_edit, self.password_edit, self.repeat_edit,
                     self.unit_edit):
            edit.textChanged.connect(self._changed)
        self._busy = False
        self._changed()

    def _changed(self) -> None:
        pw, rep = self.password_edit.text(), self.repeat_edit.text()
        problem = _password_problem(pw, rep, self.user_edit.text().strip().lower(), self.wiz.ctx.lang)
        if problem:
            self.feedback.setProperty("role", "field-error")
            self.feedback.setText(problem)
        elif pw and rep == pw:
            self.feedback.setProperty("role", "field-ok")
            self.feedback.setText(self.tr("Lösenordet uppfyller kraven."))
        elif pw:
            self.feedback.setProperty("role", "muted")
            self.feedback.setText(self.tr("Skriv lösenordet en gång till."))
        else:
            self.feedback.setText("")
        self.feedback.style().unpolish(self.feedback)
        self.feedback.style().polish(self.feedback)
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802
        pw = self.password_edit.text()
        return (not self._busy and bool(self.name_edit.text().strip())
                and bool(self.user_edit.text().strip()) and bool(self.unit_edit.text().strip())
                and bool(pw) and pw == self.repeat_edit.text()
                and not _password_problem(pw, pw, self.user_edit.text().strip().lower(), "sv"))

    def validatePage(self) -> bool:  # noqa: N802
        if self.wiz.recovery_key:
            return True
        if self._busy:
            return False
        self._busy = True
        self.completeChanged.emit()
        self.status.setText(self.tr("Skapar lagringsplatsen och nycklarna …"))
        self.wiz.create_store(
            username=self.user_edit.text().strip().lower(),
            display_name=self.name_edit.text().strip(),
            password=self.password_edit.text(),
            agency=combo_enum(self.agency_combo, Agency),
            unit_name=self.unit_edit.text().strip(),
            on_done=self._created, on_error=self._failed)
        return False

    def _created(self) -> None:
        self._busy = False
        self.status.setText("")
        self.password_edit.clear()
        self.repeat_edit.clear()
        self.wiz.next()

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        self.status.setText("")
        self.feedback.setProperty("role", "field-error")
        self.feedback.setText(self.wiz.ctx.error_text(exc))
        self.completeChanged.emit()


class RecoveryPage(QWizardPage):
    def __init__(self, wizard: "FirstRunWizard"):
        super().__init__(wizard)
        self.wiz = wizard
        self.setTitle(self.tr("Återställningsnyckel"))
        self.setSubTitle(self.tr("Nyckeln öppnar hela lagringsplatsen. Med den bekräftas den "
                                 "första arbetsledaren i varje myndighet, och den hjälper om "
                                 "alla är utelåsta. Den visas bara nu."))
        lay = QVBoxLayout(self)
        self.key_label = QLabel(self)
        self.key_label.setObjectName("recoveryKey")
        self.key_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSize(font.pointSize() + 4)
        font.setWeight(QFont.Weight.DemiBold)
        self.key_label.setFont(font)
        self.key_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.key_label.setWordWrap(True)
        self.key_label.setMinimumHeight(80)
        self.key_label.setProperty("role", "card")
        lay.addWidget(self.key_label)
        lay.addWidget(muted(self.tr("Skriv ner nyckeln på papper och förvara den inlåst, åtskild "
                                    "från datorn. Spara den inte i en fil, i e-post eller i en "
                                    "lösenordshanterare på samma dator."), self))
        self.kit_button = QPushButton(self.tr("Spara återställningssats (PDF) att skriva ut …"),
                                      self)
        self.kit_button.setObjectName("saveKit")
        self.kit_button.clicked.connect(self.ask_kit_path)
        self.kit_result = muted("", self)
        self.kit_result.setObjectName("kitResult")
        lay.addWidget(self.kit_button)
        lay.addWidget(self.kit_result)
        self.confirm = QCheckBox(self.tr("Jag har skrivit ner återställningsnyckeln"), self)
        self.confirm.setObjectName("confirmWritten")
        self.confirm.toggled.connect(self.completeChanged)
        lay.addSpacing(12)
        lay.addWidget(self.confirm)
        lay.addStretch(1)

    def initializePage(self) -> None:  # noqa: N802
        self.key_label.setText(self.wiz.recovery_key or "")

    def ask_kit_path(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(
            self, self.tr("Spara återställningssatsen"), "trefas-aterstallningssats.pdf",
            "PDF (*.pdf)")
        if path:
            self.save_kit(path)

    def save_kit(self, path: str) -> None:
        """The printable kit (documents/recovery_kit.py): print it, lock it in
        the safe, delete the file."""
        from trefas_app.documents.recovery_kit import write_recovery_kit
        from trefas_app.domain.clock import today

        write_recovery_kit(Path(path), self.wiz.store_id, self.wiz.recovery_key or "",
                           str(self.wiz.ctx.store_dir), today().isoformat())
        self.kit_result.setText(self.tr("Sparad i {path}. Skriv ut den, lägg den i "
                                        "kassaskåpet och radera filen.").format(path=path))

    def isComplete(self) -> bool:  # noqa: N802
        return bool(self.wiz.recovery_key) and self.confirm.isChecked()

    def nextId(self) -> int:  # noqa: N802
        return -1


class DemoPage(QWizardPage):
    def __init__(self, wizard: "FirstRunWizard"):
        super().__init__(wizard)
        self.wiz = wizard
        self.setTitle(self.tr("Demonstrationslagringsplats"))
        self.setSubTitle(self.tr("Alla demoanvändare får samma lösenord. Personerna och "
                                 "ärendena är påhittade."))
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, self.tr("Skapa demo"))
        form = QFormLayout(self)
        self.password_edit = line_edit(self, "demoPassword")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.feedback = QLabel(self)
        self.feedback.setWordWrap(True)
        self.feedback.setProperty("role", "field-error")
        form.addRow(self.tr("Lösenord för demoanvändarna:"), self.password_edit)
        form.addRow("", self.feedback)
        self.password_edit.textChanged.connect(self._changed)
        self._done = False
        self._busy = False

    def _changed(self) -> None:
        self.feedback.setText(_password_problem(self.password_edit.text(), "", None,
                                                self.wiz.ctx.lang))
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802
        pw = self.password_edit.text()
        return not self._busy and bool(pw) and not _password_problem(pw, "", None, "sv")

    def validatePage(self) -> bool:  # noqa: N802
        if self._done:
            return True
        if self._busy:
            return False
        self._busy = True
        self.completeChanged.emit()
        self.wiz.build_demo(self.password_edit.text(), self._built, self._failed)
        return False

    def _built(self) -> None:
        self._busy = False
        self._done = True
        self.wiz.accept()

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        self.feedback.setText(self.wiz.ctx.error_text(exc))
        self.completeChanged.emit()

    def nextId(self) -> int:  # noqa: N802
        return -1


class FirstRunWizard(TunedOnShow, QWizard):
    """After ``accepted``: ``username`` is the user to offer in the unlock
    dialog (the administrator, or a demo user)."""

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("firstRunWizard")
        self.setWindowTitle(self.tr("Trefas – första start"))
        self.setWindowIcon(style.app_icon())
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.setMinimumSize(640, 460)
        self.recovery_key: str | None = None
        self.store_id: str = ""
        self.username: str = ""
        self.demo_users: list[str] = []
        #: After "Anslut till server": the address saved in the settings file.
        self.server_url: str | None = None
        self.choice_page = ChoicePage(self)
        self.admin_page = AdminPage(self)
        self.recovery_page = RecoveryPage(self)
        self.demo_page = DemoPage(self)
        self.setPage(PAGE_CHOICE, self.choice_page)
        self.setPage(PAGE_ADMIN, self.admin_page)
        self.setPage(PAGE_RECOVERY, self.recovery_page)
        self.setPage(PAGE_DEMO, self.demo_page)
        from trefas_app.ui.server_page import ServerPage

        self.server_page = ServerPage(self)
        self.setPage(PAGE_SERVER, self.server_page)
        self.setStartId(PAGE_CHOICE)
        # Load the common-password list off the GUI thread before it is needed.
        ctx.run_plain(common_passwords, on_error=lambda exc: None)

    # -- work in the worker -------------------------------------------------------

    def create_store(self, *, username, display_name, password, agency, unit_name,
                     on_done, on_error) -> None:
        root = self.ctx.store_dir

        def make():
            from trefas_app.store.store import create_store

            created = create_store(root, admin_username=username,
                                   admin_display_name=display_name, admin_password=password,
                                   unit_code="ADM", unit_name=unit_name, agency=agency)
            created.store.close("logout")
            return created.recovery_key, created.store.store_id

        def done(made: tuple[str, str]) -> None:
            self.recovery_key, self.store_id = made
            self.username = username
            on_done()

        self.ctx.run_plain(make, on_done=done, on_error=on_error)

    def build_demo(self, password: str, on_done, on_error) -> None:
        try:
            from trefas_app import demo
        except ImportError:
            on_error(TrefasError("Demonstrationsdata finns inte i den här versionen av Trefas.",
                                 "Demonstration data is not available in this version."))
            return
        progress = QProgressDialog(self.tr("Skapar demonstrationslagringsplatsen …"), "", 0, 0,
                                   self)
        progress.setObjectName("demoProgress")
        progress.setCancelButton(None)
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(0)
        progress.show()

        def done(result) -> None:
            progress.close()
            self.demo_users = _usernames(result)
            self.username = _preferred_demo_user(result) or (
                self.demo_users[0] if self.demo_users else "")
            on_done()

        def failed(exc) -> None:
            progress.close()
            on_error(exc)

        root = self.ctx.store_dir

        def make():
            result = demo.build_demo(root, password)
            if hasattr(result, "uow") and hasattr(result, "close"):  # an OpenStore
                result.close("logout")
                return None
            return result

        self.ctx.run_plain(make, on_done=done, on_error=failed)


def _preferred_demo_user(result) -> str:
    """A social worker, if the demo says who is who (a good first look)."""
    if isinstance(result, (list, tuple)):
        for item in result:
            if str(getattr(item, "role", "")) == "social_worker":
                return getattr(item, "username", "") or ""
    return ""


def _usernames(result) -> list[str]:
    """Demo user names from whatever build_demo returns (tolerant: the demo
    module is written separately)."""
    if result is None:
        return []
    for attr in ("usernames", "users"):
        value = getattr(result, attr, None)
        if value:
            result = value
            break
    if isinstance(result, dict):
        result = list(result.keys())
    if isinstance(result, (list, tuple)):
        names = []
        for item in result:
            name = item if isinstance(item, str) else getattr(item, "username", None)
            if isinstance(name, str):
                names.append(name)
        return names
    return []
