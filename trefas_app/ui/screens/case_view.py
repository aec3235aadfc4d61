"""The case view: one joint case, with a tab per part of the work.

*Översikt*, *Samtycken* and *Anteckningar* are written; the other tabs are
loaded lazily from ``trefas_app.ui.screens.case_tabs.<key>`` (class ``Tab``)
and show a placeholder until that module exists. Tabs the role has no
permission for are not shown at all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, QTimer
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from trefas_app.domain import clock
from trefas_app.domain.errors import TrefasError
from trefas_app.services import cases, persons
from trefas_app.services.views import CaseView
from trefas_app.ui import style
from trefas_app.ui.common import Banner, enum_label, fmt_time, heading, muted
from trefas_app.ui.screens.base import BaseScreen, load_tab
from trefas_app.ui.widgets.parts import open_dialog


@dataclass(frozen=True)
class TabEntry:
    key: str
    title: str
    permissions: tuple[str, ...] = ()  # any of them; () = always

    def allowed(self, ctx) -> bool:
        return not self.permissions or any(ctx.may(p) for p in self.permissions)

    def label(self) -> str:
        # '&' would be read as a keyboard mnemonic in a tab title
        return QCoreApplication.translate("CaseTabs", self.title).replace("&", "&&")


CASE_TABS: tuple[TabEntry, ...] = (
    TabEntry("overview", QT_TRANSLATE_NOOP("CaseTabs", "Översikt")),
    TabEntry("consents", QT_TRANSLATE_NOOP("CaseTabs", "Samtycken"), ("consent.read",)),
    TabEntry("notes", QT_TRANSLATE_NOOP("CaseTabs", "Anteckningar"), ("note.read",)),
    TabEntry("sig_plan", QT_TRANSLATE_NOOP("CaseTabs", "SIG & plan"),
             ("referral.read", "plan.read")),
    TabEntry("exit", QT_TRANSLATE_NOOP("CaseTabs", "Avhoppare"), ("exit.read",)),
    TabEntry("incidents", QT_TRANSLATE_NOOP("CaseTabs", "Händelser"), ("involvement.read",)),
    TabEntry("meetings_tasks", QT_TRANSLATE_NOOP("CaseTabs", "Möten & uppgifter"),
             ("meeting_item.read", "task.read")),
    TabEntry("documents", QT_TRANSLATE_NOOP("CaseTabs", "Dokument"), ("document.read",)),
    TabEntry("log", QT_TRANSLATE_NOOP("CaseTabs", "Logg"), ("audit.read",)),
)


class _TabSlot(QWidget):
    """Holds a tab's widget once it has been loaded."""

    def __init__(self, entry: TabEntry, parent: QWidget | None = None):
        super().__init__(parent)
        self.entry = entry
        #: What assistive technology calls the tab's list (accessibility.tune).
        self.title = entry.label()
        self.tab: QWidget | None = None
        self._lay = QVBoxLayout(self)
        self._lay.setContentsMargins(0, 0, 0, 0)

    def ensure(self, ctx, case_view) -> QWidget:
        if self.tab is None:
            self.tab = load_tab(self.entry.key, ctx, case_view, self.entry.label())
            self._lay.addWidget(self.tab)
        return self.tab


class CaseViewScreen(BaseScreen):
    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.title = self.tr("Ärende")
        self.case_id: int | None = None
        self.case: CaseView | None = None
        self._pending: dict | None = None
        self._reveal_until: dt.datetime | None = None

        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 10, 16, 10)
        lay.setSpacing(8)
        top = QHBoxLayout()
        self.back_button = QPushButton(self.tr("← Tillbaka"), self)
        self.back_button.setObjectName("back")
        self.back_button.setShortcut("Alt+Left")
        self.back_button.clicked.connect(self._back)
        top.addWidget(self.back_button)
        self.shield = QLabel(self)
        self.shield.setPixmap(style.shield_icon(20).pixmap(20, 20))
        self.shield.hide()
        top.addWidget(self.shield)
        self.heading = heading("", self)
        self.heading.setObjectName("caseHeading")
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        top.addWidget(self.heading, 1)
        self.state_label = QLabel(self)
        self.state_label.setObjectName("caseState")
        self.state_label.setProperty("badge", "own")
        top.addWidget(self.state_label)
        lay.addLayout(top)

        self.emergency_banner = Banner("red", self)
        self.emergency_banner.setObjectName("emergencyBanner")
        self.reveal_banner = Banner("amber", self)
        self.reveal_banner.setObjectName("revealBanner")
        lay.addWidget(self.emergency_banner)
        lay.addWidget(self.reveal_banner)

        self.body = QStackedWidget(self)
        self.tabs = QTabWidget(self.body)
        self.tabs.setObjectName("caseTabs")
        self.tabs.setDocumentMode(True)
        # Whole titles, never "Dok…"; at large text the bar scrolls (arrows,
        # Ctrl+Tab) and the current tab is always shown.
        self.tabs.setElideMode(Qt.TextElideMode.ElideNone)
        self.tabs.setUsesScrollButtons(True)
        self.slots: dict[str, _TabSlot] = {}
        for entry in CASE_TABS:
            if entry.allowed(ctx):
                slot = _TabSlot(entry, self.tabs)
                self.slots[entry.key] = slot
                self.tabs.addTab(slot, entry.label())
        self.tabs.currentChanged.connect(self._tab_changed)
        self.message = muted("", self.body)
        self.message.setObjectName("caseMessage")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.body.addWidget(self.tabs)
        self.body.addWidget(self.message)
        lay.addWidget(self.body, 1)

        self._expiry = QTimer(self)
        self._expiry.setSingleShot(True)
        self._expiry.timeout.connect(self.reload)

    # -- what to show ------------------------------------------------------------------

    def show_item(self, case_id: int) -> None:
        """Open ``case_id`` (reloads if it is the one shown)."""
        if case_id != self.case_id:
            self.clear()
            self.case_id = case_id
            self.watches = (("cases", case_id), ("emergency", case_id))
            self.set_title(self.tr("Ärende"))  # not the previous case's number
        self._stale = False
        self.reload()

    def reload(self) -> None:
        if self.case_id is None:
            return
        self.ctx.run(cases.get_case, self.case_id, on_done=self._show_case,
                     on_error=self._failed, key="case_view.case")

    def _show_case(self, case: CaseView) -> None:
        if case.id != self.case_id:
            return
        self.case = case
        self.watches = (("cases", case.id), ("emergency", case.id),
                        ("persons", case.person.id), ("consents", case.person.id))
        lang = self.ctx.lang
        self.set_title(case.number)
        self.heading.setText(f"{case.number} · {case.person.display_name} · {case.title}")
        self.shield.setVisible(case.person.protected)
        self.state_label.setText(enum_label(case.state, lang))
        self.body.setCurrentWidget(self.tabs)
        self._update_banners()
        pending, self._pending = self._pending, None
        if pending and pending.get("tab") in self.slots:
            slot = self.slots[pending["tab"]]
            tab = slot.ensure(self.ctx, self)
            if pending.get("tab_state") and hasattr(tab, "restore"):
                tab.restore(pending["tab_state"])
            self.tabs.setCurrentWidget(slot)
        for slot in self.slots.values():
            if slot.tab is not None and hasattr(slot.tab, "set_case"):
                slot.tab.set_case(case)
        self._tab_changed(self.tabs.currentIndex())

    def _failed(self, exc: BaseException) -> None:
        self.case = None
        for slot in self.slots.values():
            if slot.tab is not None and hasattr(slot.tab, "clear"):
                slot.tab.clear()
        self.emergency_banner.set_text("")
        self.reveal_banner.set_text("")
        self.heading.setText(self.tr("Ärendet kan inte visas"))
        self.state_label.clear()
        text = exc.message(self.ctx.lang) if isinstance(exc, TrefasError) \
            else self.ctx.error_text(exc)
        self.message.setText(text)
        self.body.setCurrentWidget(self.message)

    def _update_banners(self) -> None:
        case = self.case
        if case is None:
            return
        if case.emergency_until is not None:
            self.emergency_banner.set_text(self.tr(
                "Nödåtkomst: du läser det här ärendet med nödåtkomst till kl. {time}. Du har "
                "bara läsrätt. Allt du öppnar loggas och granskas av en chef.").format(
                time=fmt_time(case.emergency_until)))
        else:
            self.emergency_banner.set_text("")
        if case.person.revealed:
            self.ctx.run(persons.active_reveals, on_done=self._show_reveal,
                         key="case_view.reveals")
        else:
            self._reveal_until = None
            self.reveal_banner.set_text("")
        self._schedule_expiry()

    def _show_reveal(self, reveals: dict[int, dt.datetime]) -> None:
        if self.case is None:
            return
        until = reveals.get(self.case.person.id)
        self._reveal_until = until
        if until is None:
            self.reveal_banner.set_text("")
        else:
            self.reveal_banner.set_text(self.tr(
                "Skyddad identitet visas för dig till kl. {time}. Visningen är loggad. Lämna inte "
                "skärmen obevakad.").format(time=fmt_time(until)))
        self._schedule_expiry()

    def _schedule_expiry(self) -> None:
        """Reload when emergency access or a reveal runs out, so that the
        banner and what it allowed go away on time."""
        now = clock.now_utc()
        ends = [t for t in (self.case.emergency_until if self.case else None,
                            self._reveal_until) if t is not None]
        if not ends:
            self._expiry.stop()
            return
        first = min(t if t.tzinfo else t.replace(tzinfo=dt.timezone.utc) for t in ends)
        ms = int(max(1.0, (first - now).total_seconds() + 1) * 1000)
        self._expiry.start(min(ms, 2_000_000_000))

    # -- tabs ----------------------------------------------------------------------------

    def activate(self) -> None:
        super().activate()
        self._tab_changed(self.tabs.currentIndex())

    def _tab_changed(self, index: int) -> None:
        slot = self.tabs.widget(index)
        if not isinstance(slot, _TabSlot) or self.case is None:
            return
        fresh = slot.tab is None
        tab = slot.ensure(self.ctx, self)
        if fresh and hasattr(tab, "set_case"):
            tab.set_case(self.case)
        if hasattr(tab, "activate"):
            tab.activate()

    def current_tab_key(self) -> str | None:
        slot = self.tabs.currentWidget()
        return slot.entry.key if isinstance(slot, _TabSlot) else None

    def select_tab(self, key: str) -> bool:
        slot = self.slots.get(key)
        if slot is None:
            return False
        self.tabs.setCurrentWidget(slot)
        return True

    def tab(self, key: str) -> QWidget | None:
        slot = self.slots.get(key)
        return slot.tab if slot is not None else None

    # -- actions --------------------------------------------------------------------------

    def reveal_identity(self) -> None:
        from trefas_app.ui.dialogs.reveal import RevealIdentityDialog

        if self.case is None:
            return
        dlg = RevealIdentityDialog(self.ctx, self, self.case.person.id,
                                   self.case.person.display_name)
        open_dialog(dlg)

    def _back(self) -> None:
        self.call_window("go_back")

    # -- lock protocol ----------------------------------------------------------------

    def clear(self) -> None:
        self._expiry.stop()
        self.case = None
        self.heading.clear()
        self.state_label.clear()
        self.emergency_banner.set_text("")
        self.reveal_banner.set_text("")
        self.message.clear()
        for slot in self.slots.values():
            if slot.tab is not None and hasattr(slot.tab, "clear"):
                slot.tab.clear()

    def state(self) -> dict:
        key = self.current_tab_key()
        tab = self.tab(key) if key else None
        return {"case_id": self.case_id, "tab": key,
                "tab_state": tab.state() if tab is not None and hasattr(tab, "state") else {}}

    def restore(self, state: dict) -> None:
        case_id = state.get("case_id")
        if case_id is None:
            return
        self._pending = {"tab": state.get("tab"), "tab_state": state.get("tab_state") or {}}
        self.show_item(int(case_id))
