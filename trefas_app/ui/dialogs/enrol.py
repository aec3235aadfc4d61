"""The two ways in that the unlock dialog offers besides a password:

* **Första inloggningen** (:class:`EnrolDialog`): the one-time code from the
  administrator and a password of one's own (checked as typed by the same
  policy the service uses). Afterwards the account waits for a supervisor.
* **Återställ med återställningsnyckel** (:class:`RecoveryDialog`): the key
  from the recovery kit, and either confirm an account (the first supervisor
  of an agency, or a new one when none is left) or give an account a new
  one-time code (e.g. an administrator who is locked out). Loudly logged.
  Confirming takes the fingerprint the person reads out from their screen.
* **Bekräfta konto** (:class:`ConfirmAccountDialog`, from the supervisors'
  "Bekräfta konto" screen): the fingerprint the person reads out is typed;
  the data key is sealed only if it names the account's key.

Neither keeps a code, key or password after it closes."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from trefas_app.domain.errors import TrefasError
from trefas_app.services import accounts
from trefas_app.ui.common import muted
from trefas_app.ui.dialogs.user import _password_edit, _password_problem
from trefas_app.ui.widgets.fields import line_edit


class _WorkerDialog(QDialog):
    """A small form run in the worker, with one line for the outcome."""

    def __init__(self, ctx, parent: QWidget | None, title: str, ok_text: str):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(title)
        self.setModal(True)
        self.setMinimumWidth(460)
        self.lay = QVBoxLayout(self)
        self.form = QFormLayout()
        self.lay.addLayout(self.form)
        self.message = QLabel(self)
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.buttons = QDialogButtonBox(self)
        self.ok_button = self.buttons.addButton(ok_text, QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setObjectName("okButton")
        self.buttons.addButton(QCoreApplication.translate("WorkerDialog", "Stäng"),
                               QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        self.done_ok = False

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        if event.type() == QEvent.Type.LayoutRequest:
            self._fit_height()
        return handled

    def _fit_height(self) -> None:
        """Grow to the height the wrapped texts need at the present width (an
        outcome appears under the form): a window's layout does not ask its
        labels' height for width by itself, and lines were cut off."""
        needed = self.lay.totalHeightForWidth(self.width())
        if needed > self.height():
            self.resize(self.width(), needed)

    def finish_layout(self) -> None:
        self.lay.addWidget(self.message)
        self.lay.addWidget(self.buttons)

    def run(self, fn, *args, on_done) -> None:
        self.ok_button.setEnabled(False)
        self.message.setText(QCoreApplication.translate("WorkerDialog", "Arbetar …"))

        def failed(exc):
            self.ok_button.setEnabled(True)
            self.message.setText(exc.message(self.ctx.lang) if isinstance(exc, TrefasError)
                                 else QCoreApplication.translate("WorkerDialog",
                                                                 "Det gick inte. Försök igen."))

        self.ctx.run_plain(fn, *args, on_done=on_done, on_error=failed)


class EnrolDialog(_WorkerDialog):
    def __init__(self, ctx, parent: QWidget | None = None, username: str = ""):
        super().__init__(ctx, parent, self.tr("Första inloggningen"), self.tr("Välj lösenord"))
        self.setObjectName("enrolDialog")
        self.lay.insertWidget(0, muted(self.tr(
            "Ange engångskoden du fick av administratören och välj ett eget lösenord (minst "
            "12 tecken). Ingen annan får veta det. Därefter bekräftar en arbetsledare i din "
            "myndighet ditt konto."), self))
        self.user_edit = QLineEdit(username, self)
        self.user_edit.setObjectName("username")
        self.code_edit = line_edit(self, "code", placeholder="ABCD-EFGH-JKLM-NPQR")
        self.password_edit = _password_edit(self, "password")
        self.repeat_edit = _password_edit(self, "repeat")
        self.form.addRow(self.tr("Användarnamn:"), self.user_edit)
        self.form.addRow(self.tr("Engångskod:"), self.code_edit)
        self.form.addRow(self.tr("Nytt lösenord:"), self.password_edit)
        self.form.addRow(self.tr("Upprepa:"), self.repeat_edit)
        self.finish_layout()
        for w in (self.user_edit, self.code_edit, self.password_edit, self.repeat_edit):
            w.textChanged.connect(self.revalidate)
        self.revalidate()

    def problem(self) -> str:
        name = self.user_edit.text().strip().lower()
        if not name or not self.code_edit.text().strip():
            return self.tr("Ange användarnamn och engångskod.")
        return _password_problem(self.password_edit.text(), self.repeat_edit.text(), name,
                                 self.ctx.lang, self.tr)

    def revalidate(self) -> None:
        problem = self.problem()
        self.ok_button.setEnabled(not problem)
        self.message.setText(problem if self.password_edit.text() else "")

    def submit(self) -> None:
        if self.problem():
            return
        if self.ctx.server_url:  # the code is the login role's password until now
            from trefas_app.server.accounts import enrol

            self.run(enrol, self.ctx.server_url, self.user_edit.text().strip().lower(),
                     self.code_edit.text().strip(), self.password_edit.text(),
                     on_done=self._enrolled)
            return
        self.run(accounts.enrol_account, self.ctx.store_dir,
                 self.user_edit.text().strip().lower(), self.code_edit.text(),
                 self.password_edit.text(), on_done=self._enrolled)

    def _enrolled(self, _none) -> None:
        self.done_ok = True
        self.message.setText(self.tr("Ditt lösenord är valt. Logga in med det; kontot väntar "
                                     "på bekräftelse från en arbetsledare i din myndighet."))
        self.accept()

    def done(self, result: int) -> None:  # noqa: D401 — Qt API
        for w in (self.code_edit, self.password_edit, self.repeat_edit):
            w.clear()
        super().done(result)


class RecoveryDialog(_WorkerDialog):
    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent, self.tr("Återställ med återställningsnyckel"),
                         self.tr("Använd nyckeln"))
        self.setObjectName("recoveryDialog")
        self.lay.insertWidget(0, muted(self.tr(
            "Nyckeln finns i återställningssatsen i kassaskåpet. Användningen skrivs i "
            "åtkomstloggen och visas för varje arbetsledare vid nästa inloggning."), self))
        self.key_edit = _password_edit(self, "recoveryKey")
        self.action_combo = QComboBox(self)
        self.action_combo.setObjectName("action")
        self.action_combo.addItem(self.tr("Bekräfta kontot (t.ex. första arbetsledaren)"),
                                  "confirm")
        self.action_combo.addItem(self.tr("Ge kontot en ny engångskod (t.ex. administratören)"),
                                  "reset")
        self.user_edit = line_edit(self, "username")
        self.form.addRow(self.tr("Återställningsnyckel:"), self.key_edit)
        self.form.addRow(self.tr("Åtgärd:"), self.action_combo)
        self.form.addRow(self.tr("Konto (användarnamn):"), self.user_edit)
        self.fingerprint_edit = line_edit(self, "fingerprint", placeholder="ABCD-EFGH-JKLM-NPQR")
        self.fingerprint_edit.setAccessibleName(self.tr("Fingeravtryck som personen läser upp"))
        self.form.addRow(self.tr("Fingeravtryck som personen läser upp:"),
                         self.fingerprint_edit)
        self.code_label = QLabel(self)
        self.code_label.setObjectName("enrolmentCode")
        self.code_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.lay.addWidget(self.code_label)
        self.finish_layout()
        for w in (self.key_edit, self.user_edit, self.fingerprint_edit):
            w.textChanged.connect(self.revalidate)
        self.action_combo.currentIndexChanged.connect(self.revalidate)
        self.revalidate()

    def _confirming(self) -> bool:
        return self.action_combo.currentData() != "reset"

    def revalidate(self) -> None:
        self.fingerprint_edit.setEnabled(self._confirming())
        self.ok_button.setEnabled(bool(self.key_edit.text().strip())
                                  and bool(self.user_edit.text().strip())
                                  and (not self._confirming()
                                       or bool(self.fingerprint_edit.text().strip())))

    def submit(self) -> None:
        name = self.user_edit.text().strip().lower()
        if not self._confirming():
            self.run(accounts.reset_with_recovery_key, self.ctx.store_dir, self.key_edit.text(),
                     name, on_done=lambda code: self._reset(name, code))
        else:
            self.run(accounts.confirm_with_recovery_key, self.ctx.store_dir,
                     self.key_edit.text(), name, self.fingerprint_edit.text(),
                     on_done=lambda _r: self._confirmed(name))

    def _confirmed(self, name: str) -> None:
        self.done_ok = True
        self.ok_button.setEnabled(True)
        self.message.setText(self.tr("{name} är bekräftad med återställningsnyckeln.").format(
            name=name))

    def _reset(self, name: str, code: str) -> None:
        self.done_ok = True
        self.ok_button.setEnabled(True)
        self.message.setText(self.tr("Ny engångskod för {name} (visas bara nu, gäller i 72 "
                                     "timmar):").format(name=name))
        self.code_label.setText(code)

    def done(self, result: int) -> None:  # noqa: D401 — Qt API
        self.key_edit.clear()
        self.code_label.clear()
        super().done(result)


class ConfirmAccountDialog(_WorkerDialog):
    """A supervisor confirms an account: the fingerprint the person reads out
    from their own screen is typed; the service refuses, and logs, one that
    does not match. The key file's fingerprint is not shown: a supervisor who
    could read it here could copy it instead of hearing it from the person."""

    def __init__(self, ctx, pending, role_text: str, on_confirmed,
                 parent: QWidget | None = None):
        super().__init__(ctx, parent, self.tr("Bekräfta konto"), self.tr("Bekräfta"))
        self.setObjectName("confirmAccountDialog")
        self.pending = pending
        self.on_confirmed = on_confirmed
        self.lay.insertWidget(0, muted(self.tr(
            "Bekräfta {name} ({username}) som {role}? Kontot får då nyckeln till "
            "ärendeinnehållet enligt sin roll. Be personen läsa upp fingeravtrycket som "
            "visas på hens skärm (i person eller per telefon) och skriv in det. Kontot "
            "bekräftas bara om det stämmer med kontots nyckel.").format(
            name=pending.display_name, username=pending.username, role=role_text), self))
        self.fingerprint_edit = line_edit(self, "fingerprint", placeholder="ABCD-EFGH-JKLM-NPQR")
        self.fingerprint_edit.setAccessibleName(self.tr("Fingeravtryck som personen läser upp"))
        self.form.addRow(self.tr("Fingeravtryck som personen läser upp:"),
                         self.fingerprint_edit)
        self.finish_layout()
        self.fingerprint_edit.textChanged.connect(self.revalidate)
        self.fingerprint_edit.setFocus()
        self.revalidate()

    def revalidate(self) -> None:
        self.ok_button.setEnabled(bool(self.fingerprint_edit.text().strip()))

    def submit(self) -> None:
        if not self.fingerprint_edit.text().strip():
            return
        self.ok_button.setEnabled(False)
        self.message.setText(QCoreApplication.translate("WorkerDialog", "Arbetar …"))

        def failed(exc):
            self.ok_button.setEnabled(True)
            self.message.setText(self.ctx.error_text(exc))

        self.ctx.run(accounts.confirm_account, self.pending.username,
                     self.fingerprint_edit.text(), on_done=self._confirmed, on_error=failed)

    def _confirmed(self, _result) -> None:
        self.done_ok = True
        self.on_confirmed(self.pending)
        self.accept()
