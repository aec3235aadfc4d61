"""The main window: role-dependent navigation on the left, the current screen
on the right, the user and the lock countdown in the status bar.

Locking (idle time, Ctrl+L, the operating system's screen lock or suspend)
throws away every screen widget — and with them every decrypted string —
closes the store in the worker, and shows the unlock dialog over an empty
window. Unlocking as the same user rebuilds the screen the user was on and
restores its state (for the case view: the same case and tab).
"""

from __future__ import annotations

import importlib
import logging
import time
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QEvent, QObject, QT_TRANSLATE_NOOP, QCoreApplication, Qt, QTimer, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from trefas_app import settings as deployment
from trefas_app.domain.labels import label
from trefas_app.ui import heap, style
from trefas_app.ui.clipboard import secret_clipboard
from trefas_app.ui.common import heading, muted
from trefas_app.ui.screens.base import load_screen
from trefas_app.ui.unlock import UnlockDialog

log = logging.getLogger("trefas.ui")

DEFAULT_LOCK_MINUTES = 10


@dataclass(frozen=True)
class NavEntry:
    key: str  # module trefas_app.ui.screens.<key>
    title: str  # Swedish source text, translated in context "Navigation"
    permissions: tuple[str, ...]  # shown when the role has any of these

    def allowed(self, ctx) -> bool:
        return any(ctx.may(p) for p in self.permissions)

    def label(self) -> str:
        return QCoreApplication.translate("Navigation", self.title)


NAVIGATION: tuple[NavEntry, ...] = (
    NavEntry("dashboard", QT_TRANSLATE_NOOP("Navigation", "Översikt"), ("case.read",)),
    NavEntry("persons", QT_TRANSLATE_NOOP("Navigation", "Personer"), ("person.read",)),
    NavEntry("cases", QT_TRANSLATE_NOOP("Navigation", "Ärenden"), ("case.read",)),
    NavEntry("sig", QT_TRANSLATE_NOOP("Navigation", "SIG"), ("referral.read",)),
    NavEntry("exits", QT_TRANSLATE_NOOP("Navigation", "Avhoppare"), ("exit.read",)),
    NavEntry("incidents", QT_TRANSLATE_NOOP("Navigation", "Händelser"), ("incident.read",)),
    NavEntry("meetings", QT_TRANSLATE_NOOP("Navigation", "Möten"), ("meeting.read",)),
    NavEntry("tasks", QT_TRANSLATE_NOOP("Navigation", "Uppgifter"), ("task.read",)),
    NavEntry("auditlog", QT_TRANSLATE_NOOP("Navigation", "Logg"), ("audit.read",)),
    NavEntry("accounts", QT_TRANSLATE_NOOP("Navigation", "Bekräfta konto"),
             ("account.confirm",)),
    NavEntry("admin", QT_TRANSLATE_NOOP("Navigation", "Administration"),
             ("user.manage", "system.settings")),
)
#: What the start page (the first entry) calls, imported before the unlock
#: (see MainWindow._prepare_start_page); a supervisor's also reads the
#: accounts waiting for her and the lock timeout (accounts, users).
START_PAGE_IMPORTS = ("trefas_app.services.dashboard", "trefas_app.services.accounts",
                      "trefas_app.services.users")
#: The one entry of an account that waits for a supervisor's confirmation.
WAITING = NavEntry("waiting", QT_TRANSLATE_NOOP("Navigation", "Väntar på bekräftelse"), ())

#: Pages that are opened from lists rather than from the navigation:
#: key -> (module, class). Their ``show_item(id)`` opens one record.
DETAIL_PAGES = {
    "case": ("trefas_app.ui.screens.case_view", "CaseViewScreen"),
    "person": ("trefas_app.ui.screens.person_view", "PersonViewScreen"),
}
#: Which navigation entry stays highlighted while a detail page is shown.
DETAIL_NAV = {"case": "cases", "person": "persons"}


class IdleWatcher(QObject):
    """Application-wide event filter: any key, click, wheel or mouse move
    counts as activity."""

    ACTIVITY = {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
                QEvent.Type.Wheel, QEvent.Type.TouchBegin, QEvent.Type.ShortcutOverride}

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.last_activity = time.monotonic()

    def touch(self) -> None:
        self.last_activity = time.monotonic()

    def idle_seconds(self) -> float:
        return time.monotonic() - self.last_activity

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 — Qt API
        if event.type() in self.ACTIVITY:
            self.last_activity = time.monotonic()
        return False


class _SystemLockListener(QObject):
    """Locks when the desktop's screen saver activates or the machine goes to
    sleep, where D-Bus tells us (optional: silently absent elsewhere)."""

    def __init__(self, window: "MainWindow"):
        super().__init__(window)
        self._window = window
        self.connected: list[str] = []
        try:
            from PySide6.QtDBus import QDBusConnection
        except ImportError:
            return
        try:
            session = QDBusConnection.sessionBus()
            if session.isConnected():
                for service, path, iface in (
                        ("org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver",
                         "org.freedesktop.ScreenSaver"),
                        ("org.gnome.ScreenSaver", "/org/gnome/ScreenSaver",
                         "org.gnome.ScreenSaver")):
                    if session.connect(service, path, iface, "ActiveChanged", self,
                                       b"1onScreenSaver(bool)"):
                        self.connected.append(iface)
            system = QDBusConnection.systemBus()
            if system.isConnected():
                if system.connect("org.freedesktop.login1", "/org/freedesktop/login1",
                                  "org.freedesktop.login1.Manager", "PrepareForSleep", self,
                                  b"1onPrepareForSleep(bool)"):
                    self.connected.append("login1")
        except Exception:  # noqa: BLE001 — optional comfort, never fatal
            log.info("D-Bus screen-lock signals not available", exc_info=False)

    @Slot(bool)
    def onScreenSaver(self, active: bool) -> None:  # noqa: N802
        if active:
            self._window.lock_now()

    @Slot(bool)
    def onPrepareForSleep(self, sleeping: bool) -> None:  # noqa: N802
        if sleeping:
            self._window.lock_now()


class LockedPage(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.addStretch(1)
        icon = QLabel(self)
        icon.setPixmap(style.app_icon().pixmap(96, 96))
        icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(icon)
        title = heading(self.tr("Trefas är låst"), self)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(title)
        info = muted(self.tr("Inga uppgifter visas medan programmet är låst."), self)
        info.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(info)
        lay.addStretch(2)


class MainWindow(QMainWindow):
    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        ctx.window = self
        self.setWindowTitle("Trefas")
        self.setWindowIcon(style.app_icon())
        self.resize(1280, 800)

        self._screens: dict[str, QWidget] = {}
        self._current: str | None = None
        self._previous: str | None = None
        self._saved_position: dict[str, Any] | None = None
        self._saved_user: str | None = None
        self._unlock_dialog: UnlockDialog | None = None
        self.lock_minutes = DEFAULT_LOCK_MINUTES
        self._quitting = False

        central = QWidget(self)
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        # Alarms found at log-in (a rolled-back store, a tampered key file):
        # shown to everyone until a key holder acknowledges them.
        self.alarm_banner = QLabel(central)
        self.alarm_banner.setObjectName("alarmBanner")
        self.alarm_banner.setWordWrap(True)
        self.alarm_banner.setTextFormat(Qt.TextFormat.PlainText)
        self.alarm_banner.setStyleSheet(
            "QLabel#alarmBanner { background: #8b1a1a; color: white; padding: 8px; }")
        self.alarm_banner.hide()
        outer.addWidget(self.alarm_banner)
        # Server mode: the server cannot be reached (calm; typed text is kept).
        self.server_banner = QLabel(central)
        self.server_banner.setObjectName("serverBanner")
        self.server_banner.setWordWrap(True)
        self.server_banner.setTextFormat(Qt.TextFormat.PlainText)
        self.server_banner.setProperty("role", "card")
        if not style.system_colours(ctx.settings):  # else the OS palette (high contrast) wins
            self.server_banner.setStyleSheet(
                "QLabel#serverBanner { background: #fff4d6; color: #3d2f00; padding: 8px; "
                "border-bottom: 1px solid #d9b44a; }")
        self.server_banner.hide()
        outer.addWidget(self.server_banner)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        outer.addLayout(row, 1)
        self.nav = QListWidget(central)
        self.nav.setObjectName("navigation")
        self.nav.setAccessibleName(self.tr("Navigering"))
        self._fit_navigation()
        self.nav.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.nav.currentItemChanged.connect(self._nav_changed)
        # A click on the entry already highlighted (Ärenden while a case is
        # open) changes no current item, yet means "take me to the list".
        self.nav.itemClicked.connect(self._nav_changed)
        self.nav.itemActivated.connect(self._nav_changed)
        row.addWidget(self.nav)
        self.stack = QStackedWidget(central)
        row.addWidget(self.stack, 1)
        self.locked_page = LockedPage(self.stack)
        self.stack.addWidget(self.locked_page)
        self.setCentralWidget(central)

        self._build_menus()
        self._build_status_bar()

        self.idle = IdleWatcher(self)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.idle)
            app.applicationStateChanged.connect(self._app_state_changed)
        self._tick_timer = QTimer(self)
        self._tick_timer.setInterval(1000)
        self._tick_timer.timeout.connect(self._tick)
        self._system_lock = _SystemLockListener(self)

        ctx.navigate.connect(self._navigate)
        ctx.unlocked.connect(self._on_unlocked)
        ctx.changed.connect(self._on_data_changed)
        ctx.serverReachable.connect(self._server_reachable)
        ctx.worker.busyChanged.connect(self._busy_changed)
        ctx.statusMessage.connect(lambda text: self.statusBar().showMessage(text, 6000))
        self._show_locked_state()

    # -- menus and status bar ------------------------------------------------------

    def _build_menus(self) -> None:
        mb = self.menuBar()
        file_menu = mb.addMenu(self.tr("&Arkiv"))
        self.lock_action = QAction(self.tr("&Lås"), self)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.lock_action.triggered.connect(self.lock_now)
        file_menu.addAction(self.lock_action)
        self.verify_action = QAction(self.tr("Verifiera dokument …"), self)
        self.verify_action.setShortcut(QKeySequence("Ctrl+Shift+V"))
        self.verify_action.triggered.connect(self.open_verify_dialog)
        file_menu.addAction(self.verify_action)
        lang_menu = file_menu.addMenu(self.tr("Språk"))
        for code, name in (("sv", "Svenska"), ("en", "English")):
            act = QAction(name, self)
            act.setCheckable(True)
            act.setChecked(self.ctx.lang == code)
            act.triggered.connect(lambda _=False, c=code: self._choose_language(c))
            lang_menu.addAction(act)
        settings_action = QAction(self.tr("Inställningar …"), self)
        settings_action.triggered.connect(self.open_settings_dialog)
        file_menu.addAction(settings_action)
        file_menu.addSeparator()
        quit_action = QAction(self.tr("&Avsluta"), self)
        quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        self.case_menu = mb.addMenu(self.tr("Ä&rende"))
        self.emergency_action = QAction(self.tr("Nödåtkomst …"), self)
        self.emergency_action.triggered.connect(self.open_emergency_dialog)
        self.case_menu.addAction(self.emergency_action)

        self._build_view_menu(mb)

        help_menu = mb.addMenu(self.tr("&Hjälp"))
        self.shortcuts_action = QAction(self.tr("&Kortkommandon"), self)
        self.shortcuts_action.setShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents))
        self.shortcuts_action.triggered.connect(self.show_shortcuts)
        help_menu.addAction(self.shortcuts_action)
        about = QAction(self.tr("Om Trefas"), self)
        about.triggered.connect(self._about)
        help_menu.addAction(about)
        self_test = QAction(self.tr("Självtest"), self)
        self_test.triggered.connect(self.open_self_test)
        help_menu.addAction(self_test)

        self.nav_actions: list[QAction] = []
        for i in range(9):
            act = QAction(self)
            act.setShortcut(QKeySequence(f"Ctrl+{i + 1}"))
            act.triggered.connect(lambda _=False, n=i: self._select_nav_row(n))
            self.addAction(act)
            self.nav_actions.append(act)

    def _build_view_menu(self, mb) -> None:
        """Visa: text size and the system's colours (accessibility; stored per computer)."""
        view_menu = mb.addMenu(self.tr("&Visa"))
        size_menu = view_menu.addMenu(self.tr("&Textstorlek"))
        self.text_size_actions: dict[int, QAction] = {}
        current = style.text_scale(self.ctx.settings)
        for scale in style.TEXT_SCALES:
            act = QAction(self.tr("{n} %").format(n=scale), self)
            act.setCheckable(True)
            act.setChecked(scale == current)
            act.triggered.connect(lambda _=False, n=scale: self.set_text_scale(n))
            size_menu.addAction(act)
            self.text_size_actions[scale] = act
        size_menu.addSeparator()
        for text, keys, step in ((self.tr("Större text"), QKeySequence.StandardKey.ZoomIn, 1),
                                 (self.tr("Mindre text"), QKeySequence.StandardKey.ZoomOut, -1)):
            act = QAction(text, self)
            act.setShortcut(QKeySequence(keys))
            act.triggered.connect(lambda _=False, d=step: self._step_text_scale(d))
            size_menu.addAction(act)
        self.system_colours_action = QAction(self.tr("Använd systemets färger"), self)
        self.system_colours_action.setCheckable(True)
        self.system_colours_action.setChecked(style.system_colours(self.ctx.settings))
        self.system_colours_action.toggled.connect(self.set_system_colours)
        view_menu.addAction(self.system_colours_action)

    def _build_status_bar(self) -> None:
        sb = self.statusBar()
        self.user_label = QLabel(sb)
        self.user_label.setObjectName("statusUser")
        self.role_label = QLabel(sb)
        self.org_label = QLabel(sb)
        self.busy_label = QLabel(sb)
        self.lock_label = QLabel(sb)
        self.lock_label.setObjectName("statusLock")
        sb.addWidget(self.user_label)
        sb.addWidget(self.role_label)
        sb.addWidget(self.org_label, 1)
        sb.addPermanentWidget(self.busy_label)
        sb.addPermanentWidget(self.lock_label)

    def _update_status(self) -> None:
        actor = self.ctx.actor
        if actor is None:
            for lbl in (self.user_label, self.role_label, self.org_label, self.lock_label):
                lbl.clear()
            return
        lang = self.ctx.lang
        self.user_label.setText(f"{actor.display_name} ({actor.username})")
        self.role_label.setText(label(actor.role, lang))
        unit = f" – {actor.unit_name}" if actor.unit_name else ""
        self.org_label.setText(f"{label(actor.agency, lang)}{unit}")
        self._tick()

    def _busy_changed(self, busy: bool) -> None:
        self.busy_label.setText(self.tr("Arbetar …") if busy else "")

    # -- starting ------------------------------------------------------------------

    def start(self, username: str = "") -> None:
        """Show the unlock dialog (the window appears once unlocked)."""
        self._prepare_start_page()
        self._ask_unlock(username=username, locked_by="")

    def _prepare_start_page(self) -> None:
        """While the dialog waits for the password: the mapped models
        configured and the start page's services imported on the worker, then
        its screen's module here (≈ 150 ms in a fresh process, paid after the
        unlock before; issue 12). An unlock entered sooner waits behind it
        on the worker: it needs the same first."""
        from trefas_app.store.engine import prepare_unlock

        def import_screen(_done) -> None:
            importlib.import_module(f"trefas_app.ui.screens.{NAVIGATION[0].key}")

        self.ctx.run_plain(prepare_unlock, START_PAGE_IMPORTS, on_done=import_screen,
                           on_error=lambda _exc: None)

    def _ask_unlock(self, username: str, locked_by: str) -> None:
        parent = self if self.isVisible() else None
        dlg = UnlockDialog(self.ctx, parent, username=username, locked_by=locked_by)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.unlockedStore.connect(self.ctx.set_store)
        dlg.rejected.connect(self._unlock_cancelled)
        dlg.finished.connect(lambda _r: setattr(self, "_unlock_dialog", None))
        self._unlock_dialog = dlg
        dlg.open()
        dlg.raise_()
        dlg.activateWindow()

    @property
    def unlock_dialog(self) -> UnlockDialog | None:
        return self._unlock_dialog

    def _unlock_cancelled(self) -> None:
        self._quitting = True
        self.close()
        if not self.isVisible():
            QTimer.singleShot(0, QApplication.quit)

    # -- unlocked ------------------------------------------------------------------

    def _show_alarms(self, alarms) -> None:
        if not alarms:
            self.alarm_banner.hide()
            self.alarm_banner.clear()
            return
        lang = getattr(self.ctx, "lang", "sv")
        lines = [self.tr("LARM – visa detta för en arbetsledare:")]
        lines += [alarm.message(lang) for alarm in alarms]
        self.alarm_banner.setText("\n".join(lines))
        self.alarm_banner.setAccessibleName(self.tr("Larm"))
        self.alarm_banner.show()

    def _on_unlocked(self) -> None:
        actor = self.ctx.actor
        self._show_alarms(getattr(self.ctx.store, "alarms", ()))
        self._rebuild_navigation()
        self._update_status()
        self.idle.touch()
        self._tick_timer.start()
        emergency = self.ctx.may("emergency.use") and getattr(self.ctx.store, "has_data_key",
                                                              True)
        self.emergency_action.setVisible(emergency)
        self.case_menu.menuAction().setVisible(emergency)
        position, self._saved_position = self._saved_position, None
        same_user = self._saved_user == actor.username
        if not self.isVisible():
            self.show()
        QTimer.singleShot(0, heap.settle_after_unlock)
        if not (position and same_user and self._restore_position(position)):
            self._select_nav_row(0)
        # After the page's own request (the worker runs them in turn): the page
        # is wanted at once, the lock timeout only minutes from now.
        self._read_lock_minutes()

    def _server_reachable(self, reachable: bool) -> None:
        """Say calmly that the server is gone (and when it is back)."""
        if reachable:
            self.server_banner.hide()
            self.statusBar().showMessage(self.tr("Förbindelsen med servern är tillbaka."), 8000)
            return
        self.server_banner.setText(self.tr(
            "Servern går inte att nå just nu. Trefas försöker ansluta igen. Det du har skrivit "
            "finns kvar i öppna fönster; ingenting sparas förrän förbindelsen är tillbaka, och "
            "du kan då spara igen."))
        self.server_banner.show()
        from trefas_app.ui import accessibility

        accessibility.announce(self.server_banner, self.server_banner.text())

    def _read_lock_minutes(self) -> None:
        self.ctx.run_plain(_lock_minutes, self.ctx.store, on_done=self._set_lock_minutes,
                           on_error=lambda exc: None)

    def _on_data_changed(self, changed) -> None:
        """The window itself shows one setting: the minutes before it locks."""
        if changed.touches("settings", "lock_minutes") and self.ctx.is_unlocked:
            self._read_lock_minutes()

    def _set_lock_minutes(self, value: str) -> None:
        try:
            minutes = int(value)
        except (TypeError, ValueError):
            minutes = DEFAULT_LOCK_MINUTES
        self.lock_minutes = deployment.effective_lock_minutes(max(1, min(minutes, 240)))
        self._tick()

    def _rebuild_navigation(self) -> None:
        self.nav.blockSignals(True)
        self.nav.clear()
        store = self.ctx.store
        waiting = store is not None and getattr(store, "awaiting", False)
        for entry in (WAITING,) if waiting else NAVIGATION:
            if waiting or entry.allowed(self.ctx):
                item = QListWidgetItem(entry.label())
                item.setData(Qt.ItemDataRole.UserRole, entry.key)
                self.nav.addItem(item)
        self.nav.blockSignals(False)
        self._fit_navigation()
        for i, act in enumerate(self.nav_actions):  # named for Hjälp → Kortkommandon
            act.setText(self.tr("Gå till {screen}").format(screen=self.nav.item(i).text())
                        if i < self.nav.count() else "")

    def _fit_navigation(self) -> None:
        """Wide enough for the longest entry at the current text size (190 px at least)."""
        fm = self.nav.fontMetrics()
        widest = max((fm.horizontalAdvance(self.nav.item(i).text())
                      for i in range(self.nav.count())), default=0)
        self.nav.setFixedWidth(max(190, widest + 2 * fm.averageCharWidth() + 60))

    def nav_keys(self) -> list[str]:
        return [self.nav.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.nav.count())]

    def _select_nav_row(self, row: int) -> None:
        if 0 <= row < self.nav.count():
            self.nav.setCurrentRow(row)
            item = self.nav.item(row)
            # setCurrentRow does not emit when the row is already current
            self.show_screen(item.data(Qt.ItemDataRole.UserRole))

    def _nav_changed(self, current: QListWidgetItem | None, _previous=None) -> None:
        if current is None or not self.ctx.is_unlocked:
            return
        key = current.data(Qt.ItemDataRole.UserRole)
        if key != self._current:
            self.show_screen(key)

    # -- showing screens -------------------------------------------------------------

    @property
    def current_key(self) -> str | None:
        return self._current

    def current_screen(self) -> QWidget | None:
        return self._screens.get(self._current) if self._current else None

    def screen(self, key: str) -> QWidget:
        """The screen widget for ``key``, created on first use."""
        widget = self._screens.get(key)
        if widget is None:
            if key in DETAIL_PAGES:
                import importlib

                module, cls_name = DETAIL_PAGES[key]
                widget = getattr(importlib.import_module(module), cls_name)(self.ctx)
            else:
                entry = next((e for e in NAVIGATION if e.key == key), None)
                title = entry.label() if entry else key
                widget = load_screen(key, self.ctx, title)
            widget.setObjectName(f"screen-{key}")
            if hasattr(widget, "title_changed"):
                widget.title_changed.connect(lambda _t, w=widget: self._update_title(w))
            self._screens[key] = widget
            self.stack.addWidget(widget)
        return widget

    def show_screen(self, key: str) -> QWidget | None:
        if not self.ctx.is_unlocked:
            return None
        waiting = getattr(self.ctx.store, "awaiting", False)
        if waiting and key != WAITING.key:
            return None  # an unconfirmed account sees nothing else
        if key not in DETAIL_PAGES and not waiting:
            entry = next((e for e in NAVIGATION if e.key == key), None)
            if entry is None or not entry.allowed(self.ctx):
                return None
        widget = self.screen(key)
        if self._current != key:
            self._previous = self._current
        self._current = key
        self.stack.setCurrentWidget(widget)
        self._highlight_nav(DETAIL_NAV.get(key, key))
        if hasattr(widget, "activate"):
            widget.activate()
        self._update_title(widget)
        return widget

    def _update_title(self, widget: QWidget) -> None:
        """The window's title names the screen shown — read when it is shown
        and again whenever the screen's title changes (a case page gets its
        case number once the case has loaded). "Trefas" once: the application
        sets no display name, which Qt would append to every title."""
        if widget is not self.current_screen():
            return
        title = getattr(widget, "title", "") or ""
        self.setWindowTitle(f"Trefas – {title}" if title else "Trefas")

    def _highlight_nav(self, key: str) -> None:
        for i in range(self.nav.count()):
            if self.nav.item(i).data(Qt.ItemDataRole.UserRole) == key:
                self.nav.blockSignals(True)
                self.nav.setCurrentRow(i)
                self.nav.blockSignals(False)
                return

    def go_back(self) -> None:
        """From a detail page to where the user came from."""
        target = self._previous if self._previous and self._previous != self._current else None
        if target is None or target in DETAIL_PAGES and target == self._current:
            target = DETAIL_NAV.get(self._current or "", None) or (self.nav_keys() or [None])[0]
        if target:
            self.show_screen(target)

    def _navigate(self, kind: str, value: object) -> None:
        if kind == "screen":
            self.show_screen(str(value))
        elif kind in DETAIL_PAGES:
            widget = self.show_screen(kind)
            if widget is not None:
                widget.show_item(int(value))

    # -- locking -------------------------------------------------------------------

    def _tick(self) -> None:
        if not self.ctx.is_unlocked:
            self.lock_label.clear()
            return
        left = self.lock_minutes * 60 - self.idle.idle_seconds()
        if left <= 0:
            self.lock_now()
            return
        minutes, seconds = divmod(int(left + 0.999), 60)
        self.lock_label.setText(self.tr("Låses om {m}:{s:02d}").format(m=minutes, s=seconds))

    def _app_state_changed(self, state: Qt.ApplicationState) -> None:
        if state == Qt.ApplicationState.ApplicationSuspended:
            self.lock_now()

    def position(self) -> dict[str, Any]:
        """Where the user is now: screen key, the screen's own state, and the
        screen to go back to."""
        widget = self.current_screen()
        state = widget.state() if widget is not None and hasattr(widget, "state") else {}
        return {"key": self._current, "state": state, "previous": self._previous}

    def _restore_position(self, position: dict[str, Any]) -> bool:
        key = position.get("key")
        if not key:
            return False
        previous = position.get("previous")
        if previous and previous not in DETAIL_PAGES:
            self.show_screen(previous)
        widget = self.show_screen(key)
        if widget is None:
            return False
        self._previous = previous or self._previous
        if hasattr(widget, "restore"):
            widget.restore(position.get("state") or {})
        return True

    def lock_now(self) -> None:
        """Lock: remember the position, drop every screen, close the store."""
        if not self.ctx.is_unlocked:
            return
        self._saved_position = self.position()
        self._saved_user = self.ctx.actor.username
        self._tick_timer.stop()
        self._close_dialogs()
        self._drop_screens()
        secret_clipboard().clear_if_unchanged()
        self.ctx.lock("lock")
        heap.release_on_lock()
        self._show_locked_state()
        if not self._quitting:
            self._ask_unlock(username=self._saved_user, locked_by=self._saved_user)

    def _close_dialogs(self) -> None:
        """Close every open dialog and message box: nothing decrypted may stay
        on screen behind the lock. Unsaved text in a dialog is discarded."""
        from trefas_app.ui.dialogs.base import ServiceDialog

        for widget in QApplication.topLevelWidgets():
            if widget is self or isinstance(widget, UnlockDialog) or not widget.isVisible():
                continue
            if isinstance(widget, ServiceDialog):
                widget.mark_clean()  # no "unsaved changes?" question behind a lock
            if isinstance(widget, QDialog):
                widget.reject()
            widget.hide()

    def _drop_screens(self) -> None:
        for widget in self._screens.values():
            if hasattr(widget, "clear"):
                try:
                    widget.clear()
                except Exception:  # noqa: BLE001 — dropping must go on regardless
                    log.exception("clear() failed in a screen")
            self.stack.removeWidget(widget)
            widget.hide()
            widget.deleteLater()
        self._screens.clear()
        self._current = None
        self._previous = None

    def _show_locked_state(self) -> None:
        self._show_alarms(())
        self.server_banner.hide()
        self.stack.setCurrentWidget(self.locked_page)
        self.case_menu.menuAction().setVisible(False)
        self.nav.clear()
        self._update_status()
        self.setWindowTitle(self.tr("Trefas – låst"))

    # -- accessibility: text size, colours, shortcuts ---------------------------------

    def show_shortcuts(self) -> None:
        from trefas_app.ui.shortcuts import ShortcutsDialog

        ShortcutsDialog(self).open()

    def set_text_scale(self, scale: int) -> None:
        """Text at ``scale`` % of the system's size, from now on and at the next start."""
        self.ctx.settings.setValue("text_scale", int(scale))
        for n, act in self.text_size_actions.items():
            act.setChecked(n == scale)
        self._restyle()

    def _step_text_scale(self, step: int) -> None:
        scales = list(style.TEXT_SCALES)
        current = style.text_scale(self.ctx.settings)
        i = scales.index(current) if current in scales else 0
        self.set_text_scale(scales[max(0, min(len(scales) - 1, i + step))])

    def set_system_colours(self, on: bool) -> None:
        self.ctx.settings.setValue("system_colours", bool(on))
        self._restyle()

    def _restyle(self) -> None:
        """Apply the text size and colours, and rebuild the screens (sizes set
        when a widget is built follow the new text) where the user was."""
        app = QApplication.instance()
        style.apply_style(app, style.text_scale(self.ctx.settings), style.system_colours(self.ctx.settings))
        if not self.ctx.is_unlocked:
            return
        self._fit_navigation()
        position = self.position()
        self._drop_screens()
        self._restore_position(position)

    # -- other actions -------------------------------------------------------------

    def open_emergency_dialog(self) -> None:
        from trefas_app.ui.dialogs.emergency import EmergencyAccessDialog

        if not self.ctx.may("emergency.use"):
            return
        dlg = EmergencyAccessDialog(self.ctx, self)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.succeeded.connect(lambda view: self.ctx.open_case(view.id))
        dlg.open()

    def open_verify_dialog(self) -> None:
        from trefas_app.ui.dialogs.document_verify import VerifyDocumentDialog

        if not self.ctx.is_unlocked:
            return
        dlg = VerifyDocumentDialog(self.ctx, self)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()

    def _choose_language(self, code: str) -> None:
        self.ctx.set_language(code)
        self.ctx.show_message(
            self.tr("Språket byts när Trefas startas nästa gång.") if code == "sv"
            else "The language changes the next time Trefas starts.", warning=False)

    def open_settings_dialog(self) -> None:
        from trefas_app.ui.dialogs.settings import SettingsDialog

        dlg = SettingsDialog(self.ctx, self)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()

    def open_self_test(self) -> None:
        from trefas_app.ui.dialogs.settings import SelfTestDialog

        dlg = SelfTestDialog(self.ctx, self)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()

    def _about(self) -> None:
        from trefas_app import __version__

        QMessageBox.about(self, self.tr("Om Trefas"), self.tr(
            "Trefas {version}\n\nSamverkan mellan socialtjänst, polis och Kriminalvården "
            "kring personer i akut risk för gängvåld.").format(version=__version__))

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self._quitting = True
        self._tick_timer.stop()
        self._drop_screens()
        secret_clipboard().clear_if_unchanged()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self.idle)
        self.ctx.shutdown()
        super().closeEvent(event)


def _lock_minutes(store) -> str:
    """The lock timeout, readable with or without the data key."""
    from trefas_app.services import accounts, users

    if getattr(store, "is_server", False):  # no key file: the database's setting
        return users.get_setting(store.uow(), "lock_minutes", str(DEFAULT_LOCK_MINUTES))
    return accounts.get_setting(store, "lock_minutes", str(DEFAULT_LOCK_MINUTES))
