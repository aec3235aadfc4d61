"""The unlock dialog: user name and password, which store, and one clear
sentence for each thing that can go wrong. Unlocking (Argon2id, about half a
second) runs in the worker; the dialog stays responsive."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from trefas_app.domain.errors import (
    AccessDenied,
    DatabaseDamaged,
    KeyFileDamaged,
    KeyFileMissing,
    NotATrefasStore,
    TrefasError,
    UnknownUser,
    WrongPassword,
)
from trefas_app.store import store as store_mod
from trefas_app.store.store import LoginThrottled
from trefas_app.ui import style
from trefas_app.ui.accessibility import TunedOnShow
from trefas_app.ui.common import heading
from trefas_app.ui.widgets.fields import line_edit


class UnlockDialog(TunedOnShow, QDialog):
    """Emits ``unlockedStore(OpenStore)`` and closes on success. Rejected
    (Avsluta) means the user wants to leave the program."""

    unlockedStore = Signal(object)

    def __init__(self, ctx, parent: QWidget | None = None, username: str = "",
                 locked_by: str = ""):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("unlockDialog")
        self.setWindowTitle(self.tr("Trefas – lås upp"))
        self.setWindowIcon(style.app_icon())
        self.setModal(True)
        self.setMinimumWidth(460)
        self._busy = False
        self._wait_left = 0

        lay = QVBoxLayout(self)
        lay.setSpacing(10)
        lay.addWidget(heading(self.tr("Trefas är låst") if locked_by else self.tr("Logga in i Trefas"),
                              self))
        root = ctx.store_dir
        self.store_label = QLabel(self)
        self.store_label.setTextFormat(Qt.TextFormat.PlainText)
        self.store_label.setWordWrap(True)
        if ctx.server_url:
            from trefas_app.server.address import describe

            self.store_label.setText(self.tr("Server: {where}\nDu loggar in med ditt eget "
                                             "konto på servern.").format(
                where=describe(ctx.server_url)))
        else:
            self.store_label.setText(self.tr("Lagringsplats: {name}\n{path}").format(
                name=root.name, path=str(root)))
        self.store_label.setProperty("role", "muted")
        lay.addWidget(self.store_label)
        if locked_by:
            info = QLabel(self.tr("Programmet låstes. Lås upp för att fortsätta där du var."), self)
            info.setWordWrap(True)
            lay.addWidget(info)

        form = QFormLayout()
        self.user_edit = QLineEdit(username or locked_by, self)
        self.user_edit.setObjectName("username")
        self.password_edit = line_edit(self, "password")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(self.tr("Användarnamn:"), self.user_edit)
        form.addRow(self.tr("Lösenord:"), self.password_edit)
        lay.addLayout(form)

        self.message = QLabel(self)
        self.message.setObjectName("message")
        self.message.setProperty("role", "field-error")
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setMinimumHeight(36)
        lay.addWidget(self.message)

        self.buttons = QDialogButtonBox(self)
        self.unlock_button = self.buttons.addButton(self.tr("Lås upp"),
                                                    QDialogButtonBox.ButtonRole.AcceptRole)
        self.unlock_button.setObjectName("unlockButton")
        self.unlock_button.setDefault(True)
        self.quit_button = self.buttons.addButton(self.tr("Avsluta"),
                                                  QDialogButtonBox.ButtonRole.RejectRole)
        self.enrol_button = self.buttons.addButton(self.tr("Första inloggningen …"),
                                                   QDialogButtonBox.ButtonRole.ActionRole)
        self.enrol_button.setObjectName("enrolButton")
        self.enrol_button.clicked.connect(self.open_enrolment)
        self.recovery_button = self.buttons.addButton(
            self.tr("Återställ med återställningsnyckel …"),
            QDialogButtonBox.ButtonRole.ActionRole)
        self.recovery_button.setObjectName("recoveryButton")
        self.recovery_button.clicked.connect(self.open_recovery)
        # On a server the first supervisor is confirmed with `trefas server
        # confirm-first`; there is no recovery key on a desktop.
        self.recovery_button.setVisible(not ctx.server_url)
        self.buttons.accepted.connect(self.try_unlock)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)

        self._countdown = QTimer(self)
        self._countdown.setInterval(1000)
        self._countdown.timeout.connect(self._tick)
        self.user_edit.textChanged.connect(self._update_button)
        self.password_edit.textChanged.connect(self._update_button)
        self._update_button()
        (self.password_edit if self.user_edit.text() else self.user_edit).setFocus()
        self._prepared_for = ""
        self.user_edit.editingFinished.connect(self.prepare_start_page)
        self.prepare_start_page()

    def prepare_start_page(self) -> None:
        """While the password is typed: the start page compiled for the user
        named, on the worker, ahead of the unlock that takes it
        (``warm_up.prepare_page``; issue 12). Again for another name."""
        username = self.user_edit.text().strip().lower()
        if self.ctx.server_url or not username or username == self._prepared_for:
            return
        from trefas_app.store.warm_up import prepare_page

        self._prepared_for = username
        self.ctx.run_plain(prepare_page, self.ctx.store_dir, username, start_page,
                           on_error=lambda _exc: None)

    # -- state ---------------------------------------------------------------------

    def _update_button(self) -> None:
        ready = bool(self.user_edit.text().strip()) and bool(self.password_edit.text())
        self.unlock_button.setEnabled(ready and not self._busy and self._wait_left <= 0)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.user_edit.setEnabled(not busy)
        self.password_edit.setEnabled(not busy)
        if busy:
            self.message.setProperty("role", "muted")
            self._set_message(self.tr("Låser upp …"))
        self._update_button()

    def _set_message(self, text: str, error: bool = False) -> None:
        self.message.setProperty("role", "field-error" if error else "muted")
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setText(text)

    # -- first log-in and recovery (see dialogs/enrol.py) -------------------------

    def open_enrolment(self):
        from trefas_app.ui.dialogs.enrol import EnrolDialog

        dlg = EnrolDialog(self.ctx, self, self.user_edit.text().strip())
        dlg.accepted.connect(lambda: self._enrolled(dlg.user_edit.text().strip()))
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()
        return dlg

    def _enrolled(self, username: str) -> None:
        self.user_edit.setText(username)
        self._set_message(self.tr("Ditt lösenord är valt. Logga in med det."))
        self.password_edit.setFocus()

    def open_recovery(self):
        from trefas_app.ui.dialogs.enrol import RecoveryDialog

        dlg = RecoveryDialog(self.ctx, self)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()
        return dlg

    # -- unlocking ----------------------------------------------------------------

    def try_unlock(self) -> None:
        if self._busy or not self.unlock_button.isEnabled():
            return
        username = self.user_edit.text().strip().lower()
        password = self.password_edit.text()
        self._set_busy(True)
        if self.ctx.server_url:  # PostgreSQL checks the password of the login role
            from trefas_app.server.connection import connect

            self.ctx.run_plain(connect, self.ctx.server_url, username, password,
                               on_done=self._unlocked, on_error=self._failed)
            return
        self.ctx.run_plain(store_mod.unlock, self.ctx.store_dir, username, password,
                           first_page=start_page, on_done=self._unlocked,
                           on_error=self._failed)

    def _unlocked(self, store) -> None:
        self._busy = False
        self.password_edit.clear()
        self._set_message("")
        self.unlockedStore.emit(store)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self.password_edit.clear()
        self.password_edit.setFocus()
        self._prepared_for = ""  # the unlock took the prepared page: again
        self.prepare_start_page()
        if isinstance(exc, LoginThrottled):
            self._start_wait(exc.wait_seconds)
            return
        self._set_message(self.explain(exc), error=True)
        if isinstance(exc, UnknownUser):
            self.user_edit.setFocus()
            self.user_edit.selectAll()

    def explain(self, exc: BaseException) -> str:
        """One sentence per kind of failure, in the UI language."""
        lang = self.ctx.lang
        if isinstance(exc, WrongPassword):
            return self.tr("Fel lösenord. Kontrollera Caps Lock och tangentbordslayout och försök "
                           "igen. Efter flera misslyckade försök måste du vänta en stund.")
        if isinstance(exc, UnknownUser):
            return self.tr("Det finns ingen användare med det användarnamnet i den här "
                           "lagringsplatsen. Kontrollera stavningen.")
        if isinstance(exc, KeyFileMissing):
            return exc.message(lang) + " " + self.tr("Kontakta systemadministratören.")
        if isinstance(exc, (KeyFileDamaged, DatabaseDamaged, NotATrefasStore)):
            return exc.message(lang) + " " + self.tr("Kontakta systemadministratören.")
        if isinstance(exc, AccessDenied):
            return exc.message(lang) + " " + self.tr("Kontakta systemadministratören.")
        if isinstance(exc, TrefasError):
            return exc.message(lang)
        return self.ctx.error_text(exc)

    def _start_wait(self, seconds: int) -> None:
        self._wait_left = max(1, int(seconds))
        self._show_wait()
        self._countdown.start()
        self._update_button()

    def _show_wait(self) -> None:
        self._set_message(self.tr("För många misslyckade försök. Vänta {n} s innan du försöker "
                                  "igen.").format(n=self._wait_left), error=True)

    def _tick(self) -> None:
        self._wait_left -= 1
        if self._wait_left <= 0:
            self._countdown.stop()
            self._set_message(self.tr("Du kan försöka igen nu."))
        else:
            self._show_wait()
        self._update_button()

    def reject(self) -> None:
        if self._busy:
            return  # the worker is unsealing; closing now would leak the session
        super().reject()


def start_page(uow, actor):
    """The window's first page after unlock (Översikt): its statements are
    compiled before the key is known (``UnlockDialog.prepare_start_page``,
    ``store.unlock(first_page=)``)."""
    from trefas_app.services import dashboard

    return dashboard.dashboard(uow, actor)
