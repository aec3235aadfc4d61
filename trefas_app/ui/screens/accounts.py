"""Bekräfta konto (supervisors): accounts of the supervisor's agency whose
owner has chosen a password and that wait for a second person. Confirming
(in a dialog where the fingerprint the person reads out is typed) seals the
data key to the account; until then it reaches no case content.
Below, every use of the recovery key (shown to every supervisor), and the key
holder's half of the administration: re-key, the log check, retention and
restore of a backup (the administrator's log-in holds no key)."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout

from trefas_app.domain.changes import Changed
from trefas_app.services import accounts
from trefas_app.services.accounts import PendingAccount
from trefas_app.ui import common
from trefas_app.ui.common import enum_label, heading, muted
from trefas_app.ui.screens.base import BaseScreen
from trefas_app.ui.widgets.parts import (
    button_row,
    fill_row,
    make_table,
    push_button,
    selected_data,
    subheading,
)


class Screen(BaseScreen):
    watches = ("users",)

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.title = self.tr("Bekräfta konto")
        self.pending: list[PendingAccount] = []
        self.confirm_dialog = None
        self.notices: list[str] = []
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 14, 16, 10)
        lay.addWidget(heading(self.tr("Bekräfta konto"), self))
        lay.addWidget(muted(self.tr(
            "Konton i din myndighet som administratören har skapat (eller gett ny engångskod) "
            "och där personen har valt sitt lösenord. Bekräfta bara den du vet ska arbeta "
            "här: kontot får då nyckeln till ärendeinnehållet. Bekräftelsen loggas."), self))
        row = QHBoxLayout()
        row.addStretch(1)
        self.confirm_button = push_button(self, self.tr("Bekräfta …"),
                                          "confirmAccount", self.confirm_selected)
        row.addWidget(self.confirm_button)
        lay.addLayout(row)
        self.table = make_table(self, [self.tr("Användarnamn"), self.tr("Namn"),
                                       self.tr("Roll"), self.tr("Enhet")], "pendingTable",
                                stretch=1)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        lay.addWidget(self.table, 1)
        self.result = QLabel(self)
        self.result.setObjectName("confirmResult")
        self.result.setWordWrap(True)
        lay.addWidget(self.result)
        lay.addWidget(subheading(self.tr("Återställningsnyckeln har använts"), self))
        self.notice_label = QLabel(self)
        self.notice_label.setObjectName("recoveryNotices")
        self.notice_label.setWordWrap(True)
        lay.addWidget(self.notice_label)
        lay.addWidget(subheading(self.tr("Nyckelarbete"), self))
        lay.addWidget(muted(self.tr(
            "Det som kräver datanyckeln görs av en arbetsledare. Datanyckeln byts också av "
            "sig själv vid en arbetsledares inloggning när ett konto har tagits bort."), self))
        self.rekey_button = push_button(self, self.tr("Byt datanyckel …"),
                                        "rekeyButton", self.rekey)
        self.verify_button = push_button(self, self.tr("Kontrollera loggen"),
                                         "verifyButton", self.verify_log)
        self.retention_button = push_button(self, self.tr("Gallra nu …"),
                                            "retentionButton", self.run_retention)
        row = button_row(self.rekey_button, self.verify_button, self.retention_button)
        lay.addLayout(row)
        self.key_result = QLabel(self)
        self.key_result.setObjectName("keyResult")
        self.key_result.setWordWrap(True)
        lay.addWidget(self.key_result)
        self._build_restore(lay)
        self._update_buttons()

    def _build_restore(self, lay) -> None:
        self.backups: list = []
        lay.addWidget(subheading(self.tr("Återställ en säkerhetskopia"), self))
        lay.addWidget(muted(self.tr(
            "En återställning ersätter hela databasen; den nuvarande sparas undan först. En "
            "kopia från före ett nyckelbyte öppnas med sin egen nyckelfil och ditt lösenord "
            "från den tiden."), self))
        row = QHBoxLayout()
        self.backup_result = QLabel(self)
        self.backup_result.setObjectName("backupResult")
        self.backup_result.setWordWrap(True)
        row.addWidget(self.backup_result, 1)
        self.restore_button = push_button(self, self.tr("Återställ vald …"),
                                          "restoreBackup", self.restore_backup)
        row.addWidget(self.restore_button)
        lay.addLayout(row)
        self.backup_table = make_table(self, [self.tr("Tid"), self.tr("Fil"),
                                              self.tr("Nyckelfil")], "backupTable", stretch=1)
        self.backup_table.itemSelectionChanged.connect(self._update_buttons)
        lay.addWidget(self.backup_table, 1)

    def reload(self) -> None:
        self.ctx.run(accounts.pending_confirmations, on_done=self._show, key="accounts.pending")
        self.load_backups()
        self.ctx.run(accounts.recovery_notices, None, on_done=self._show_notices,
                     key="accounts.notices")

    def _show(self, rows: list[PendingAccount]) -> None:
        self.pending = list(rows)
        self.table.setRowCount(len(rows))
        for r, p in enumerate(rows):
            fill_row(self.table, r, [p.username, p.display_name,
                                     enum_label(p.role, self.ctx.lang), p.unit_name],
                      data=p)
        self._update_buttons()

    def _show_notices(self, notices) -> None:
        self.notices = [use.text(self.ctx.lang) for use in notices]
        self.notice_label.setText("\n".join(self.notices) if self.notices
                                  else self.tr("Ingen användning loggad."))

    def _update_buttons(self) -> None:
        self.confirm_button.setEnabled(selected_data(self.table) is not None)
        self.restore_button.setEnabled(selected_data(self.backup_table) is not None)

    def confirm_selected(self) -> None:
        """The confirm dialog: the fingerprint the person reads out is typed there."""
        from trefas_app.ui.dialogs.enrol import ConfirmAccountDialog

        p = selected_data(self.table)
        if p is None:
            return
        self.confirm_dialog = ConfirmAccountDialog(self.ctx, p, enum_label(p.role, self.ctx.lang),
                                                   self._confirmed, self)
        self.confirm_dialog.open()

    def _confirmed(self, p: PendingAccount) -> None:
        self.result.setText(self.tr("{name} är bekräftad.").format(name=p.display_name))

    # -- the key holder's half of the administration ------------------------------------

    def _key_work(self, fn, *args, done_text, **kwargs) -> None:
        store = self.ctx.store
        if store is None:
            return
        self.key_result.setText(self.tr("Arbetar …"))
        self.ctx.run_plain(fn, store, self.ctx.actor, *args, **kwargs,
                           on_done=lambda result: self.key_result.setText(done_text(result)),
                           on_error=lambda exc: self.key_result.setText(
                               self.ctx.error_text(exc)))

    def rekey(self) -> None:
        from trefas_app.services import admin

        if common.confirm(self, self.tr(
                "Byta datanyckel nu? Alla andra som är inloggade måste logga in igen."),
                self.tr("Byt nyckel"), self.tr("Avbryt")):
            self._key_work(admin.rekey, done_text=lambda _r: self.tr("Datanyckeln är bytt."))

    def verify_log(self) -> None:
        from trefas_app.services import audit_log

        self._key_work(audit_log.verify_log, done_text=lambda report: (
            self.tr("Loggen är hel: {n} poster.").format(n=report.entries) if report.ok
            else self.tr("Loggen är inte hel. ") + (report.problem_sv or "")))

    def run_retention(self) -> None:
        """First what would go (case numbers and dates only), then one question
        naming it, then the deletion of exactly those cases."""
        from trefas_app.domain.clock import today
        from trefas_app.services import admin

        store = self.ctx.store
        if store is None:
            return
        day = today()
        self.key_result.setText(self.tr("Letar efter ärenden att gallra …"))
        self.ctx.run_plain(admin.retention_due, store, self.ctx.actor, day,
                           on_done=lambda due: self._confirm_retention(due, day),
                           on_error=lambda exc: self.key_result.setText(
                               self.ctx.error_text(exc)))

    def _confirm_retention(self, due, day) -> None:
        from trefas_app.services import admin

        if not due:
            self.key_result.setText(self.tr("Inga avslutade ärenden har passerat "
                                            "bevarandetiden; ingenting att gallra."))
            return
        shown = ", ".join(c.number for c in due[:20])
        if len(due) > 20:
            shown += self.tr(" och {n} till").format(n=len(due) - 20)
        if not common.confirm(self, self.tr(
                "Gallra {n} ärenden ({cases})? De tas bort för gott, med anteckningar, "
                "planer och samtycken. Ta gärna en säkerhetskopia först.").format(
                n=len(due), cases=shown),
                self.tr("Gallra"), self.tr("Avbryt")):
            self.key_result.setText(self.tr("Ingenting har gallrats."))
            return
        self._key_work(admin.run_retention, day, only={c.case_id for c in due},
                       done_text=lambda report: self.tr("%n ärenden gallrades.", "",
                                                        report.cases_deleted))

    # -- restore ---------------------------------------------------------------------------

    def load_backups(self) -> None:
        from trefas_app.services import admin

        if self.ctx.store is None:
            return
        self.ctx.run_plain(admin.list_backups, self.ctx.store, on_done=self._show_backups,
                           key="accounts.backups")

    def _show_backups(self, rows) -> None:
        from trefas_app.ui.common import fmt_datetime

        self.backups = list(rows)
        self.backup_table.setRowCount(len(rows))
        for r, b in enumerate(rows):
            fill_row(self.backup_table, r, [fmt_datetime(b.created_at), b.path.name,
                                            self.tr("Ja") if b.key_path else self.tr("Saknas")],
                     data=b)
        self._update_buttons()

    def restore_backup(self) -> None:
        from trefas_app.services import admin
        from trefas_app.ui.common import fmt_datetime

        b = selected_data(self.backup_table)
        if b is None or self.ctx.store is None:
            return
        if not common.confirm(self, self.tr(
                "Återställa säkerhetskopian från {time}? Allt som har sparats efter den "
                "försvinner ur databasen (den nuvarande databasen sparas undan som en fil "
                "bredvid). Alla andra måste logga in igen.").format(
                time=fmt_datetime(b.created_at)),
                self.tr("Fortsätt"), self.tr("Avbryt")):
            return
        if not common.confirm(self, self.tr("Är du säker? Återställningen kan inte ångras i "
                                            "programmet."),
                              self.tr("Återställ"), self.tr("Avbryt")):
            return
        self.restore_button.setEnabled(False)
        self.backup_result.setText(self.tr("Återställer …"))
        self.ctx.run_plain(admin.restore, self.ctx.store, self.ctx.actor, b.path,
                           on_done=self._restored, on_error=self._restore_failed)

    def _restored(self, new_store) -> None:
        # The old store is retired by the service: go on with the one it returned.
        self.ctx.set_store(new_store)
        self.backup_result.setText(self.tr("Säkerhetskopian är återställd."))
        self.ctx.notify(Changed.all())  # a restored backup: no service can list it

    def _restore_failed(self, exc) -> None:
        from trefas_app.services import admin

        self._update_buttons()
        b = selected_data(self.backup_table)
        if (isinstance(exc, admin.BackupKeyMismatch) and b is not None
                and getattr(b, "key_path", None) and b.key_path.exists()
                and not getattr(exc, "with_key_file", False)):
            self._restore_with_key_file(b)
            return
        self.backup_result.setText(self.ctx.error_text(exc))

    def _ask_backup_password(self, key_file_name: str) -> str:
        """Your password of the backup's time, for its own key file ("" if cancelled)."""
        from PySide6.QtWidgets import QInputDialog, QLineEdit

        text, ok = QInputDialog.getText(
            self, self.tr("Kopian är gjord med en tidigare nyckel"),
            self.tr("Säkerhetskopian är gjord före ett nyckelbyte och öppnas med sin egen "
                    "nyckelfil ({name}). Skriv ditt lösenord (det du hade när kopian "
                    "gjordes):").format(name=key_file_name),
            QLineEdit.EchoMode.Password)
        return text if ok else ""

    def _restore_with_key_file(self, b) -> None:
        """A backup from before a re-key: opened with its own key file (kept
        beside it) and the supervisor's password of that time, copied under the
        current key."""
        from trefas_app.services import admin

        password = self._ask_backup_password(b.key_path.name)
        if not password:
            self.backup_result.setText(self.tr("Återställningen avbröts; ingenting har "
                                               "ändrats."))
            return
        self.restore_button.setEnabled(False)
        self.backup_result.setText(self.tr("Återställer med kopians nyckelfil …"))

        def failed(exc) -> None:
            exc.with_key_file = True
            self._restore_failed(exc)

        self.ctx.run_plain(admin.restore_with_key_file, self.ctx.store, self.ctx.actor,
                           b.path, password, b.key_path,
                           on_done=self._restored, on_error=failed)

    def clear(self) -> None:
        self.pending, self.notices = [], []
        self.table.setRowCount(0)
        self.notice_label.clear()
        self.backups = []
        self.backup_table.setRowCount(0)
