"""Administration (administrators; no case content and no data key): users
(add, disable, new one-time code) and units from the key file, backups (a
copy checked without the key), the store check, and settings (the lock
timeout). The work that needs the key — restore, re-key, the log check and
retention — is a supervisor's, on the "Bekräfta konto" screen
(ui/screens/accounts.py); this screen says so."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from trefas_app.domain import clock
from trefas_app.domain.enums import Agency
from trefas_app.domain.text import file_size
from trefas_app.services import accounts, admin
from trefas_app.services.accounts import AccountView
from trefas_app.ui import common
from trefas_app.ui.common import enum_label, fmt_datetime, heading, muted, plural_suffix
from trefas_app.ui.screens.base import BaseScreen
from trefas_app.ui.widgets.parts import (
    DONE,
    OVERDUE,
    fill_row,
    make_table,
    open_dialog,
    push_button,
    selected_data,
    subheading,
)

DEFAULT_LOCK_MINUTES = 10


#: Offered in the settings; any zone name tzdata knows may be typed instead.
OFFICE_ZONE_CHOICES = ("Europe/Stockholm", "Europe/Helsinki", "Europe/Oslo",
                       "Europe/Copenhagen", "UTC")


def _result(label: QLabel, text: str, ok: bool | None) -> None:
    label.setText(text)
    label.setStyleSheet("" if ok is None else "color: #2e6b34; font-weight: 600;" if ok
                        else "color: #b3261e; font-weight: 600;")


class Screen(BaseScreen):
    watches = ("users", "units", "settings")

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.title = self.tr("Administration")
        self.users: list[AccountView] = []
        self.units: list[tuple[str, str, str]] = []
        self.backups = []
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 14, 16, 10)
        lay.setSpacing(8)
        lay.addWidget(heading(self.tr("Administration"), self))
        lay.addWidget(muted(self.tr(
            "Här hanteras användare, nycklar, säkerhetskopior och inställningar. "
            "Administratören ser inga ärenden eller personuppgifter."), self))
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("adminTabs")
        self.tabs.setDocumentMode(True)
        lay.addWidget(self.tabs, 1)
        self._build_users()
        self._build_units()
        self._build_backups()
        self._build_security()
        self._build_settings()

    # -- users -------------------------------------------------------------------------

    def _build_users(self) -> None:
        page = QWidget(self.tabs)
        pl = QVBoxLayout(page)
        pl.setContentsMargins(0, 8, 0, 0)
        row = QHBoxLayout()
        row.addStretch(1)
        self.add_user_button = push_button(page, self.tr("Ny användare …"),
                                           "addUser", self.add_user)
        self.disable_button = push_button(page, self.tr("Stäng av …"),
                                          "disableUser", self.disable_user)
        self.password_button = push_button(page, self.tr("Ny engångskod …"),
                                           "resetPassword", self.reset_password)
        for b in (self.add_user_button, self.disable_button, self.password_button):
            row.addWidget(b)
        pl.addLayout(row)
        self.user_table = make_table(page, [
            self.tr("Användarnamn"), self.tr("Namn"), self.tr("Roll"), self.tr("Myndighet"),
            self.tr("Enhet"), self.tr("Konto"), self.tr("Bekräftat av")], "userTable", stretch=1)
        self.user_table.itemSelectionChanged.connect(self._update_user_buttons)
        pl.addWidget(self.user_table, 1)
        self.user_count = muted("", page)
        pl.addWidget(self.user_count)
        self.tabs.addTab(page, self.tr("Användare"))
        self._update_user_buttons()

    def load_users(self) -> None:
        if self.ctx.store is None:
            return
        self.ctx.run_plain(accounts.list_accounts, self.ctx.store, on_done=self._show_users,
                           key="admin.users")

    def _state_text(self, state: str) -> str:
        return {"ready": self.tr("Aktivt"), "enrolment": self.tr("Väntar på lösenord"),
                "awaiting": self.tr("Väntar på bekräftelse"),
                "disabled": self.tr("Avstängt")}.get(state, state)

    def _show_users(self, rows: list[AccountView]) -> None:
        lang = self.ctx.lang
        selected = self.selected_user()
        self.users = list(rows)
        t = self.user_table
        t.setRowCount(len(rows))
        for r, u in enumerate(rows):
            colour = DONE if u.state == "disabled" else (OVERDUE if u.state != "ready"
                                                         else None)
            fill_row(t, r, [u.username, u.display_name, enum_label(u.role, lang),
                            enum_label(u.agency, lang), u.unit_name, self._state_text(u.state),
                            u.confirmed_by],
                     data=u, colour=colour)
        active = sum(1 for u in rows if u.state != "disabled")
        self.user_count.setText(self.tr("%n användare", "", len(rows)) + ", "
                                + self.tr("%n aktiva", "", active))
        if selected is not None:
            for r, u in enumerate(rows):
                if u.username == selected.username:
                    t.selectRow(r)
        self._update_user_buttons()

    def selected_user(self) -> AccountView | None:
        data = selected_data(self.user_table)
        return data if isinstance(data, AccountView) else None

    def _update_user_buttons(self) -> None:
        u = self.selected_user()
        me = self.ctx.actor
        self.disable_button.setEnabled(u is not None and u.state != "disabled"
                                       and (me is None or u.username != me.username))
        self.password_button.setEnabled(u is not None)

    _open = staticmethod(open_dialog)

    def add_user(self):
        from trefas_app.ui.dialogs.user import UserDialog

        dlg = UserDialog(self.ctx, self, self.units)
        dlg.succeeded.connect(self._show_code)
        return self._open(dlg)

    def reset_password(self):
        from trefas_app.ui.dialogs.user import ResetPasswordDialog

        u = self.selected_user()
        if u is None:
            return None
        dlg = ResetPasswordDialog(self.ctx, self, u)
        dlg.succeeded.connect(self._show_code)
        return self._open(dlg)

    def _show_code(self, view: AccountView):
        from trefas_app.ui.dialogs.user import EnrolmentCodeDialog

        self.last_code_dialog = self._open(EnrolmentCodeDialog(self, view.username,
                                                               view.enrolment_code or ""))
        return self.last_code_dialog

    def disable_user(self) -> None:
        u = self.selected_user()
        if u is None or u.state == "disabled":
            return
        if not common.confirm(self, self.tr(
                "Stänga av {name} ({username})? Användarens nyckelplats tas bort direkt och "
                "kontot kan inte längre låsa upp Trefas.").format(
                name=u.display_name, username=u.username),
                self.tr("Stäng av"), self.tr("Avbryt")):
            return
        self.ctx.run_plain(accounts.disable_account, self.ctx.store, u.username,
                           on_done=lambda _r: self._disabled(u))

    def _disabled(self, user: AccountView) -> None:
        self.ctx.status(self.tr("{username} är avstängd. Datanyckeln byts vid nästa inloggning "
                                "av en arbetsledare.").format(username=user.username))

    # -- units -----------------------------------------------------------------------------

    def _build_units(self) -> None:
        page = QWidget(self.tabs)
        pl = QVBoxLayout(page)
        pl.setContentsMargins(0, 8, 0, 0)
        row = QHBoxLayout()
        row.addStretch(1)
        self.add_unit_button = push_button(page, self.tr("Ny enhet …"), "addUnit", self.add_unit)
        row.addWidget(self.add_unit_button)
        pl.addLayout(row)
        self.unit_table = make_table(page, [self.tr("Kod"), self.tr("Namn"),
                                            self.tr("Myndighet")], "unitTable", stretch=1)
        pl.addWidget(self.unit_table, 1)
        self.tabs.addTab(page, self.tr("Enheter"))

    def load_units(self) -> None:
        if self.ctx.store is None:
            return
        self.ctx.run_plain(accounts.list_units, self.ctx.store, on_done=self._show_units,
                           key="admin.units")

    def _show_units(self, rows: list[tuple[str, str, str]]) -> None:
        self.units = list(rows)
        self.unit_table.setRowCount(len(rows))
        for r, (agency, code, name) in enumerate(rows):
            fill_row(self.unit_table, r, [code, name, enum_label(Agency(agency), self.ctx.lang)],
                     data=(agency, code, name))

    def add_unit(self):
        from trefas_app.ui.dialogs.user import UnitDialog

        return self._open(UnitDialog(self.ctx, self, self.units))

    # -- backups ---------------------------------------------------------------------------

    def _build_backups(self) -> None:
        page = QWidget(self.tabs)
        pl = QVBoxLayout(page)
        pl.setContentsMargins(0, 8, 0, 0)
        row = QHBoxLayout()
        self.backup_result = QLabel(page)
        self.backup_result.setObjectName("backupResult")
        self.backup_result.setWordWrap(True)
        row.addWidget(self.backup_result, 1)
        self.backup_button = push_button(page, self.tr("Ta säkerhetskopia nu"),
                                         "runBackup", self.run_backup)
        row.addWidget(self.backup_button)
        pl.addLayout(row)
        pl.addWidget(muted(self.tr(
            "Säkerhetskopiorna är krypterade med samma nyckel som databasen och kontrolleras "
            "innan de sparas. De senaste behålls. En återställning ersätter hela databasen; "
            "den nuvarande sparas undan först."), page))
        self.backup_table = make_table(page, [self.tr("Tid"), self.tr("Fil"),
                                              self.tr("Storlek"), self.tr("Nyckelfil")],
                                       "backupTable", stretch=1)
        pl.addWidget(self.backup_table, 1)
        self.tabs.addTab(page, self.tr("Säkerhetskopior"))

    def load_backups(self) -> None:
        if self.ctx.store is None:
            return
        self.ctx.run_plain(admin.list_backups, self.ctx.store, on_done=self._show_backups,
                           key="admin.backups")

    def _show_backups(self, rows) -> None:
        self.backups = list(rows)
        self.backup_table.setRowCount(len(rows))
        for r, b in enumerate(rows):
            fill_row(self.backup_table, r, [fmt_datetime(b.created_at), b.path.name,
                                            file_size(b.size),
                                            self.tr("Ja") if b.key_path else self.tr("Saknas")],
                     data=b)

    def run_backup(self) -> None:
        if self.ctx.store is None:
            return
        self.backup_button.setEnabled(False)
        _result(self.backup_result, self.tr("Tar säkerhetskopia …"), None)
        self.ctx.run_plain(admin.backup, self.ctx.store, self.ctx.actor,
                           on_done=self._backed_up, on_error=self._backup_failed)

    def _backed_up(self, info) -> None:
        self.backup_button.setEnabled(True)
        if getattr(self.ctx.store, "has_data_key", False):
            text = self.tr("Säkerhetskopian {name} är sparad och kontrollerad ({size}).")
        else:
            text = self.tr("Säkerhetskopian {name} är sparad ({size}): en oförändrad, krypterad "
                           "kopia med hela sidor. Sidornas äkthet kontrollerar en arbetsledare.")
        _result(self.backup_result, text.format(name=info.path.name, size=file_size(info.size)),
                True)
        self.load_backups()

    def _backup_failed(self, exc) -> None:
        self.backup_button.setEnabled(True)
        _result(self.backup_result, self.ctx.error_text(exc), False)

    # -- the store check (key-less) -----------------------------------------------------------

    def _build_security(self) -> None:
        page = QWidget(self.tabs)
        pl = QVBoxLayout(page)
        pl.setContentsMargins(0, 8, 0, 0)
        pl.setSpacing(10)
        pl.addWidget(subheading(self.tr("Kontrollera lagringsplatsen"), page))
        pl.addWidget(muted(self.tr(
            "Kontrollerar nyckelfilen, databasfilen och kontrollpunkterna utan att "
            "öppna något."), page))
        row = QHBoxLayout()
        self.check_button = push_button(page, self.tr("Kontrollera"),
                                        "checkButton", self.check_store)
        self.check_result = QLabel(page)
        self.check_result.setObjectName("checkResult")
        self.check_result.setWordWrap(True)
        row.addWidget(self.check_button)
        row.addWidget(self.check_result, 1)
        pl.addLayout(row)
        self.key_work_note = muted(self.tr(
            "Administratörens inloggning har ingen nyckel till ärendeinnehållet. Byte av "
            "datanyckel, kontroll av loggen, gallring och återställning görs av en "
            "arbetsledare (som har nyckeln) under ”Bekräfta konto”."), page)
        self.key_work_note.setObjectName("keyWorkNote")
        pl.addWidget(self.key_work_note)
        pl.addStretch(1)
        self.tabs.addTab(page, self.tr("Nycklar och kontroller"))

    def check_store(self) -> None:
        self.check_button.setEnabled(False)
        _result(self.check_result, self.tr("Kontrollerar …"), None)
        self.ctx.run_plain(admin.check_store, self.ctx.store_dir, on_done=self._checked,
                           on_error=self._check_failed)

    def _checked(self, report) -> None:
        self.check_button.setEnabled(True)
        if report.ok:
            _result(self.check_result, self.tr("Inga fel hittades."), True)
        else:
            _result(self.check_result, " ".join(report.problems), False)

    def _check_failed(self, exc) -> None:
        self.check_button.setEnabled(True)
        _result(self.check_result, self.ctx.error_text(exc), False)

    # -- settings ----------------------------------------------------------------------------

    def _build_settings(self) -> None:
        page = QWidget(self.tabs)
        pl = QVBoxLayout(page)
        pl.setContentsMargins(0, 8, 0, 0)
        form = QFormLayout()
        self.lock_spin = QSpinBox(page)
        self.lock_spin.setObjectName("lockMinutes")
        self.lock_spin.setRange(1, 240)
        self.lock_spin.setValue(DEFAULT_LOCK_MINUTES)
        plural_suffix(self.lock_spin, lambda n: self.tr("%n minuter", "", n))
        self.save_settings_button = push_button(page, self.tr("Spara"),
                                                "saveSettings", self.save_settings)
        row = QHBoxLayout()
        row.addWidget(self.lock_spin)
        row.addWidget(self.save_settings_button)
        row.addStretch(1)
        form.addRow(self.tr("Lås efter inaktivitet"), row)
        pl.addLayout(form)
        pl.addWidget(muted(self.tr(
            "Trefas låses när ingen har rört tangentbord eller mus under så lång tid. Gäller "
            "för alla användare från nästa inloggning."), page))
        pl.addLayout(self._build_zone_row(page))
        self.settings_result = QLabel(page)
        self.settings_result.setObjectName("settingsResult")
        pl.addWidget(self.settings_result)
        pl.addStretch(1)
        self.tabs.addTab(page, self.tr("Inställningar"))

    def _build_zone_row(self, page: QWidget) -> QFormLayout:
        """The office time zone (a store setting): what "today" is for everyone."""
        form = QFormLayout()
        self.zone_combo = QComboBox(page)
        self.zone_combo.setObjectName("officeZone")
        self.zone_combo.setEditable(True)
        self.zone_combo.addItems(OFFICE_ZONE_CHOICES)
        self.save_zone_button = push_button(page, self.tr("Spara tidszon"),
                                            "saveOfficeZone", self.save_zone)
        row = QHBoxLayout()
        row.addWidget(self.zone_combo)
        row.addWidget(self.save_zone_button)
        row.addStretch(1)
        form.addRow(self.tr("Tidszon"), row)
        form.addRow(muted(self.tr(
            "Datum och tider visas och räknas i den här tidszonen för alla som öppnar "
            "lagringsplatsen: samtycken, förfallodagar, gallring, loggar och dokument."), page))
        return form

    def load_settings(self) -> None:
        if self.ctx.store is None:
            return
        self.ctx.run_plain(accounts.get_setting, self.ctx.store, "lock_minutes",
                           str(DEFAULT_LOCK_MINUTES), on_done=self._show_settings,
                           key="admin.settings")
        self.ctx.run_plain(accounts.get_setting, self.ctx.store, clock.ZONE_SETTING,
                           clock.office_zone().key, on_done=self.zone_combo.setCurrentText,
                           key="admin.settings.zone")

    def save_zone(self) -> None:
        value = self.zone_combo.currentText().strip()
        self.ctx.run_plain(accounts.set_setting, self.ctx.store, clock.ZONE_SETTING, value,
                           on_done=lambda _r: _result(self.settings_result, self.tr(
                               "Sparat: tidszonen är {zone}.").format(zone=value), True),
                           on_error=lambda exc: _result(self.settings_result,
                                                        self.ctx.error_text(exc), False))

    def _show_settings(self, value: str) -> None:
        try:
            self.lock_spin.setValue(int(value))
        except (TypeError, ValueError):
            self.lock_spin.setValue(DEFAULT_LOCK_MINUTES)

    def save_settings(self) -> None:
        value = self.lock_spin.value()
        self.ctx.run_plain(accounts.set_setting, self.ctx.store, "lock_minutes", str(value),
                           on_done=lambda _r: _result(self.settings_result, self.tr(
                               "Sparat: låses efter %n minuter.", "", value), True))

    # -- protocol ---------------------------------------------------------------------------

    def reload(self) -> None:
        self.load_units()
        self.load_users()
        self.load_backups()
        self.load_settings()

    def clear(self) -> None:
        self.users, self.units, self.backups = [], [], []
        for t in (self.user_table, self.unit_table, self.backup_table):
            t.setRowCount(0)

    def state(self) -> dict:
        return {"tab": self.tabs.currentIndex()}

    def restore(self, state: dict) -> None:
        self.tabs.setCurrentIndex(int(state.get("tab", 0)))

