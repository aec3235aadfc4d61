"""Översikt: the figures a user needs first, as pictures — cases by state,
exit requests counting down to their 24-hour first contact, incidents of the
last 90 days by district, open routine steps, overdue tasks and consents that
run out within 30 days. Every figure is the same query as the list behind it
(``services.dashboard``), and every tile, bar and row opens that list.

Opening a list goes through :meth:`Screen.go`: it emits ``navigationRequested
(key, state)`` and asks the main window to show the screen, then hands the
screen the filter as a ``restore(state)`` — the same protocol the window uses
after an unlock.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from trefas_app.domain import clock
from trefas_app.domain.labels import person_code
from trefas_app.domain.enums import CaseState, ExitState, IncidentState, TaskState
from trefas_app.services import consents, dashboard
from trefas_app.services.views_ops import Dashboard
from trefas_app.ui import accessibility, style
from trefas_app.ui.charts import BarChart, DeadlineBars, Deadline, Datum, DonutChart
from trefas_app.ui.common import enum_label, fmt_date, fmt_datetime, heading, muted
from trefas_app.ui.screens.base import BaseScreen
from trefas_app.ui.widgets.parts import card_layout, open_screen, push_button, scroll_column

STATE_COLOURS = {CaseState.OPEN: "#5d93ad", CaseState.ACTIVE: "#2f6f8f",
                 CaseState.CLOSURE_REQUESTED: "#d9a21b", CaseState.CLOSED: "#9aa5ae"}
ONGOING = (CaseState.OPEN, CaseState.ACTIVE, CaseState.CLOSURE_REQUESTED)
CONSENT_BUCKETS = ((7, "0–7"), (14, "8–14"), (21, "15–21"), (30, "22–30"))


class Tile(QFrame):
    """A big number with a caption; click or Enter opens the list behind it.
    A button to assistive technology (its name: caption, number and detail);
    the stylesheet draws its focus ring (``QFrame[role="card"]:focus``)."""

    clicked = Signal()

    def __init__(self, caption: str, parent: QWidget | None = None, name: str = ""):
        super().__init__(parent)
        self.setProperty("role", "card")
        if name:
            self.setObjectName(name)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(14, 10, 14, 10)
        lay.setSpacing(2)
        self.number = QLabel("–", self)
        self.number.setObjectName("tileNumber")
        f = self.number.font()
        f.setPointSizeF(f.pointSizeF() * 2.2)  # relative: grows with the text size
        f.setWeight(f.Weight.DemiBold)
        self.number.setFont(f)
        self.caption = QLabel(caption, self)
        self.caption.setWordWrap(True)
        self.detail = QLabel(self)
        self.detail.setProperty("role", "muted")
        self.detail.setWordWrap(True)
        lay.addWidget(self.number)
        lay.addWidget(self.caption)
        lay.addWidget(self.detail)
        lay.addStretch(1)
        self.setAccessibleName(caption)

    def set_value(self, value: int | None, detail: str = "", alarm: bool = False) -> None:
        self.number.setText("–" if value is None else str(value))
        colour = style.RED.name() if alarm else style.TEXT.name()
        self.number.setStyleSheet(f"color: {colour};")
        self.detail.setText(detail)
        self.setAccessibleName(f"{self.caption.text()}: {self.number.text()}"
                               + (f", {detail}" if detail else ""))

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(
                event.position().toPoint()):
            self.clicked.emit()
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.clicked.emit()
        else:
            super().keyPressEvent(event)

    def focusInEvent(self, event) -> None:  # noqa: N802
        super().focusInEvent(event)
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802
        super().paintEvent(event)
        if self.hasFocus():  # a ring of its own, whatever the stylesheet says
            p = QPainter(self)
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            p.setPen(QPen(self.palette().color(QPalette.ColorRole.Highlight), 2))
            p.drawRoundedRect(QRectF(self.rect()).adjusted(1.5, 1.5, -1.5, -1.5), 6, 6)

    def focusOutEvent(self, event) -> None:  # noqa: N802
        super().focusOutEvent(event)
        self.update()


class Card(QFrame):
    """A titled card with a 'Visa alla' link to the list behind it."""

    def __init__(self, title: str, parent: QWidget | None = None, name: str = "",
                 link_text: str = ""):
        super().__init__(parent)
        lay = card_layout(self, name)
        lay.setAlignment(Qt.AlignmentFlag.AlignTop)
        head = QHBoxLayout()
        self.title = QLabel(title, self)
        self.title.setProperty("role", "subheading")
        self.title.setWordWrap(True)  # large text: wrap, never push the page wider
        head.addWidget(self.title, 1)
        self.link = QPushButton(link_text, self)
        self.link.setFlat(True)
        self.link.setCursor(Qt.CursorShape.PointingHandCursor)
        self.link.setStyleSheet("QPushButton { color: #2f6f8f; text-decoration: underline; "
                                "border: 2px solid transparent; padding: 0 2px; } "
                                "QPushButton:focus { border-color: #2f6f8f; }")
        self.link.setVisible(bool(link_text))
        head.addWidget(self.link)
        lay.addLayout(head)
        self.body = lay

    def add_list(self, name: str, on_open) -> QListWidget:
        """A short list of records under the title; activating or clicking a
        row calls ``on_open(item)``."""
        rows = QListWidget(self)
        rows.setObjectName(name)
        rows.setMinimumHeight(60)
        rows.setMaximumHeight(190)
        rows.itemActivated.connect(on_open)
        rows.itemClicked.connect(on_open)
        self.body.addWidget(rows)
        return rows


class Screen(BaseScreen):
    watches = ("cases", "emergency", "tasks", "consents", "exits", "incidents", "users")
    #: (screen key, state for its restore()) — also for tests.
    navigationRequested = Signal(str, object)

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.title = self.tr("Översikt")
        self.data: Dashboard | None = None
        self.expiring = []
        self.scroll, inner, lay = scroll_column(self, (16, 14, 16, 14), 12)
        top = QHBoxLayout()
        actor = ctx.actor
        top.addWidget(heading(self.tr("Översikt"), inner))
        top.addStretch(1)
        self.updated = muted("", inner)
        self.updated.setObjectName("updated")
        top.addWidget(self.updated)
        refresh = push_button(inner, self.tr("Uppdatera"), "refresh", self.reload)
        top.addWidget(refresh)
        lay.addLayout(top)
        # Supervisors: accounts waiting for their confirmation, and any use of
        # the recovery key (shown to every supervisor).
        self._pending_accounts, self._recovery_uses = [], []
        self.accounts_banner = QLabel(inner)
        self.accounts_banner.setObjectName("accountsBanner")
        self.accounts_banner.setWordWrap(True)
        self.accounts_banner.setProperty("role", "card")
        self.accounts_banner.hide()
        lay.addWidget(self.accounts_banner)
        if actor is not None:
            lay.addWidget(muted(self.tr("Det du ser här är det som du får se i {agency}, "
                                        "{unit}.").format(agency=enum_label(actor.agency, ctx.lang),
                                                          unit=actor.unit_name), inner))

        self._build_tiles(inner, lay)
        self._build_cards(inner, lay)
        lay.addStretch(1)
        self._name_parts()

    def _build_tiles(self, inner: QWidget, lay: QVBoxLayout) -> None:
        # tiles
        # Three to a row, so that at 200 % text they wrap instead of running off-screen.
        tiles = QGridLayout()
        tiles.setSpacing(10)
        self.tile_cases = Tile(self.tr("pågående ärenden"), inner, "tileCases")
        self.tile_tasks = Tile(self.tr("försenade uppgifter"), inner, "tileTasks")
        self.tile_consents = Tile(self.tr("samtycken löper ut inom 30 dagar"), inner,
                                  "tileConsents")
        self.tile_exits = Tile(self.tr("avhoppare väntar på första kontakt"), inner, "tileExits")
        self.tile_incidents = Tile(self.tr("händelser senaste 90 dagarna"), inner,
                                   "tileIncidents")
        self.tile_steps = Tile(self.tr("öppna steg i rutinen"), inner, "tileSteps")
        self.tile_cases.clicked.connect(lambda: self.go("cases", {"states": [
            s.value for s in ONGOING]}))
        self.tile_tasks.clicked.connect(self.show_overdue_tasks)
        self.tile_consents.clicked.connect(self.show_expiring)
        self.tile_exits.clicked.connect(lambda: self.go("exits", {"states": [
            ExitState.REQUESTED.value]}))
        self.tile_incidents.clicked.connect(lambda: self.go("incidents", {"days": 90}))
        self.tile_steps.clicked.connect(self.show_open_routines)
        self.tiles = [self.tile_cases, self.tile_tasks, self.tile_consents, self.tile_exits,
                      self.tile_incidents, self.tile_steps]
        for i, t in enumerate(self.tiles):
            tiles.addWidget(t, i // 3, i % 3)
        lay.addLayout(tiles)
        self.tile_consents.setVisible(self.ctx.may("consent.read"))
        self.tile_exits.setVisible(self.ctx.may("exit.read"))
        self.tile_incidents.setVisible(self.ctx.may("incident.read"))
        self.tile_steps.setVisible(self.ctx.may("routine.read"))

    def _build_cards(self, inner: QWidget, lay: QVBoxLayout) -> None:
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(12)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        lay.addLayout(grid)

        self.cases_card = Card(self.tr("Ärenden per status"), inner, "casesCard",
                               self.tr("Visa ärenden"))
        self.cases_card.link.clicked.connect(lambda: self.go("cases", {}))
        self.cases_chart = BarChart(self.cases_card,
                                    empty_text=self.tr("Inga ärenden som du får se."))
        self.cases_chart.setObjectName("casesChart")
        self.cases_chart.activated.connect(
            lambda state: self.go("cases", {"states": [CaseState(state).value]}))
        self.cases_card.body.addWidget(self.cases_chart)
        grid.addWidget(self.cases_card, 0, 0)

        self.exits_card = Card(self.tr("Avhoppare – första kontakt inom 24 timmar"), inner,
                               "exitsCard", self.tr("Visa avhoppare"))
        self.exits_card.link.clicked.connect(lambda: self.go("exits", {}))
        self.exits_chart = DeadlineBars(self.exits_card, total_hours=24, lang=self.ctx.lang,
                                        empty_text=self.tr("Ingen förfrågan väntar på första "
                                                           "kontakt."))
        self.exits_chart.setObjectName("exitsChart")
        self.exits_chart.activated.connect(
            lambda exit_id: self.go("exits", {"states": [ExitState.REQUESTED.value],
                                              "exit_id": exit_id}))
        self.exits_card.body.addWidget(self.exits_chart)
        self.exits_more = muted("", self.exits_card)
        self.exits_card.body.addWidget(self.exits_more)
        self.exits_card.setVisible(self.ctx.may("exit.read"))
        grid.addWidget(self.exits_card, 0, 1)

        self.incidents_card = Card(self.tr("Händelser senaste 90 dagarna per stadsdel"), inner,
                                   "incidentsCard", self.tr("Visa händelser"))
        self.incidents_card.link.clicked.connect(lambda: self.go("incidents", {"days": 90}))
        self.incidents_chart = BarChart(self.incidents_card,
                                        empty_text=self.tr("Inga händelser de senaste 90 "
                                                           "dagarna."))
        self.incidents_chart.setObjectName("incidentsChart")
        self.incidents_chart.activated.connect(self._unit_clicked)
        self.incidents_card.body.addWidget(self.incidents_chart)
        self.incidents_card.setVisible(self.ctx.may("incident.read"))
        grid.addWidget(self.incidents_card, 1, 0)

        self.steps_card = Card(self.tr("Öppna steg i rutinen vid skjutningar"), inner,
                               "stepsCard", self.tr("Visa pågående händelser"))
        self.steps_card.link.clicked.connect(self.show_open_routines)
        self.steps_chart = DonutChart(self.steps_card, caption=self.tr("öppna steg"),
                                      empty_text=self.tr("Inga öppna steg."))
        self.steps_chart.setObjectName("stepsChart")
        self.steps_chart.setMinimumHeight(150)
        self.steps_chart.activated.connect(lambda _k: self.show_open_routines())
        self.steps_card.body.addWidget(self.steps_chart)
        self.steps_card.setVisible(self.ctx.may("routine.read"))
        grid.addWidget(self.steps_card, 1, 1)

        self.tasks_card = Card(self.tr("Försenade uppgifter"), inner, "tasksCard",
                               self.tr("Visa alla försenade"))
        self.tasks_card.link.clicked.connect(self.show_overdue_tasks)
        self.tasks_list = self.tasks_card.add_list("overdueList", self._task_opened)
        grid.addWidget(self.tasks_card, 2, 0)

        self.consents_card = Card(self.tr("Samtycken som löper ut inom 30 dagar"), inner,
                                  "consentsCard")
        self.consents_chart = BarChart(self.consents_card,
                                       empty_text=self.tr("Inga samtycken löper ut inom 30 "
                                                          "dagar."))
        self.consents_chart.setObjectName("consentsChart")
        self.consents_chart.activated.connect(lambda _k: self.show_expiring())
        self.consents_card.body.addWidget(self.consents_chart)
        self.consents_list = self.consents_card.add_list("expiringList", self._consent_opened)
        self.consents_card.setVisible(self.ctx.may("consent.read"))
        grid.addWidget(self.consents_card, 2, 1)

    def _name_parts(self) -> None:
        """Each chart and list is called what its card's title says."""
        for card, part in ((self.cases_card, self.cases_chart), (self.exits_card, self.exits_chart),
                           (self.incidents_card, self.incidents_chart),
                           (self.steps_card, self.steps_chart), (self.tasks_card, self.tasks_list),
                           (self.consents_card, self.consents_chart),
                           (self.consents_card, self.consents_list)):
            accessibility.name(part, card.title.text())

    # -- loading -----------------------------------------------------------------------

    def reload(self) -> None:
        self.ctx.run(dashboard.dashboard, on_done=self.show_data, on_error=self._failed,
                     key="dashboard")
        if self.ctx.may("account.confirm"):
            from trefas_app.services import accounts

            self._pending_accounts, self._recovery_uses = [], []
            self.ctx.run(accounts.pending_confirmations, on_done=self._show_pending_accounts,
                         on_error=lambda _e: None, key="dashboard.accounts")
            self.ctx.run(accounts.recovery_notices, on_done=self._show_recovery_uses,
                         on_error=lambda _e: None, key="dashboard.recovery")
        if self.ctx.may("consent.read"):
            self.ctx.run(consents.expiring_consents, dashboard.CONSENT_WINDOW_DAYS,
                         on_done=self.show_expiring_consents, on_error=lambda _e: None,
                         key="dashboard.consents")

    def _show_pending_accounts(self, pending) -> None:
        self._pending_accounts = list(pending)
        self._update_accounts_banner()

    def _show_recovery_uses(self, uses) -> None:
        self._recovery_uses = [use.text(self.ctx.lang) for use in uses]
        self._update_accounts_banner()

    def _update_accounts_banner(self) -> None:
        lines = []
        if self._recovery_uses:
            lines.append(self.tr("Återställningsnyckeln har använts sedan din förra "
                                 "inloggning: {uses}.").format(
                uses="; ".join(self._recovery_uses)))
        if self._pending_accounts:
            lines.append(self.tr(
                "{n} konto(n) väntar på din bekräftelse: {names}. Se ”Bekräfta konto”.").format(
                n=len(self._pending_accounts),
                names=", ".join(p.display_name for p in self._pending_accounts)))
        self.accounts_banner.setText("\n".join(lines))
        self.accounts_banner.setVisible(bool(lines))

    def _failed(self, exc) -> None:
        self.updated.setText(self.ctx.error_text(exc))

    def show_data(self, d: Dashboard) -> None:
        self.data = d
        lang = self.ctx.lang
        self.updated.setText(self.tr("Uppdaterad {time}").format(time=fmt_datetime(
            d.generated_at)))
        ongoing = sum(d.cases_by_state.get(s, 0) for s in ONGOING)
        closure = d.cases_by_state.get(CaseState.CLOSURE_REQUESTED, 0)
        self.tile_cases.set_value(ongoing, self.tr("{n} väntar på beslut om avslut").format(
            n=closure) if closure else "")
        self.tile_tasks.set_value(d.overdue_tasks, alarm=d.overdue_tasks > 0)
        self.tile_consents.set_value(d.expiring_consents, alarm=False)
        self.tile_exits.set_value(d.exit_waiting, self.tr("{n} över 24 timmar").format(
            n=d.exit_waiting_overdue) if d.exit_waiting_overdue else "",
            alarm=d.exit_waiting_overdue > 0)
        self.tile_incidents.set_value(d.incidents_90d)
        self.tile_steps.set_value(d.open_routine_steps, self.tr(
            "%n försenade", "", d.overdue_routine_steps) if d.overdue_routine_steps else "",
            alarm=d.overdue_routine_steps > 0)

        self.cases_chart.set_data([
            Datum(enum_label(s, lang), d.cases_by_state.get(s, 0), key=s,
                  colour=STATE_COLOURS[s],
                  tooltip=self.tr("{state}: %n ärenden – klicka för att visa dem", "",
                                  d.cases_by_state.get(s, 0)).format(state=enum_label(s, lang)))
            for s in CaseState])

        self.exits_chart.set_items([
            Deadline(f"{e.case_number or '–'} · {e.person_name}", e.first_contact_due, key=e.id,
                     tooltip=self.tr("Begärd {at}; första kontakt senast {due}").format(
                         at=fmt_datetime(e.requested_at), due=fmt_datetime(e.first_contact_due)))
            for e in d.exit_waiting_head])
        more = d.exit_waiting - len(d.exit_waiting_head)
        self.exits_more.setText(self.tr("… och {n} till.").format(n=more) if more > 0 else "")
        self.exits_more.setVisible(more > 0)

        self.incidents_chart.set_data([
            Datum(u.unit_name, u.count, key=(u.unit_id, u.unit_name), colour="#8a6fb0",
                  tooltip=self.tr("{unit}: %n händelser – klicka för att visa dem", "",
                                  u.count).format(unit=u.unit_name))
            for u in d.incidents_90d_by_unit])

        on_time = max(0, d.open_routine_steps - d.overdue_routine_steps)
        if d.open_routine_steps:
            self.steps_chart.set_data([
                Datum(self.tr("Försenade"), d.overdue_routine_steps, key="overdue",
                      colour=style.RED.name()),
                Datum(self.tr("Inom tid"), on_time, key="on_time", colour="#d9a21b")],
                centre_text=str(d.open_routine_steps))
        else:
            self.steps_chart.set_data([])

        self.tasks_list.clear()
        for t in d.overdue_task_head:
            late = clock.days_since(t.due_on) if t.due_on else 0
            item = QListWidgetItem(self.tr("{title} · {case} · {who} – %n dagar sen", "",
                                           late).format(
                title=t.title, case=t.case_number or "–", who=t.assignee or self.tr("ingen")),
                self.tasks_list)
            item.setData(Qt.ItemDataRole.UserRole, t)
            item.setForeground(style.RED)
        if not d.overdue_task_head:
            item = QListWidgetItem(self.tr("Inga försenade uppgifter."), self.tasks_list)
            item.setFlags(Qt.ItemFlag.NoItemFlags)
        elif d.overdue_tasks > len(d.overdue_task_head):
            item = QListWidgetItem(self.tr("… och {n} till").format(
                n=d.overdue_tasks - len(d.overdue_task_head)), self.tasks_list)
            item.setData(Qt.ItemDataRole.UserRole, "all")

    def show_expiring_consents(self, rows) -> None:
        self.expiring = list(rows)
        today = clock.today()
        counts = [0] * len(CONSENT_BUCKETS)
        for c in rows:
            days = (c.valid_until - today).days
            for i, (limit, _label) in enumerate(CONSENT_BUCKETS):
                if days <= limit:
                    counts[i] += 1
                    break
        self.consents_chart.set_data([
            Datum(self.tr("om {span} dagar").format(span=text), n, key=i,
                  colour="#d9a21b" if i == 0 else "#e6c36a")
            for i, ((_limit, text), n) in enumerate(zip(CONSENT_BUCKETS, counts))] if rows else [])
        self.consents_list.clear()
        for c in rows[:8]:
            days = (c.valid_until - today).days
            person = c.person_name or person_code(c.person_id)
            item = QListWidgetItem(self.tr("{date} (om %n dagar) – {person} – {purpose}", "",
                                           days).format(
                date=fmt_date(c.valid_until), person=person, purpose=c.purpose),
                self.consents_list)
            item.setData(Qt.ItemDataRole.UserRole, c)
            item.setToolTip(self.tr("Öppna personen för att förnya samtycket"))
        if len(rows) > 8:
            QListWidgetItem(self.tr("… och {n} till").format(n=len(rows) - 8),
                            self.consents_list).setFlags(Qt.ItemFlag.NoItemFlags)
        self.consents_list.setVisible(bool(rows))

    # -- navigation ---------------------------------------------------------------------

    def go(self, key: str, state: dict | None = None) -> None:
        """Open the list behind a figure: the screen ``key`` with ``state`` as
        its filter."""
        state = dict(state or {})
        self.navigationRequested.emit(key, state)
        open_screen(self, self.ctx, key, state)

    def show_overdue_tasks(self) -> None:
        self.go("tasks", {"overdue": True, "states": [TaskState.OPEN.value]})

    def show_open_routines(self) -> None:
        self.go("incidents", {"days": None, "states": [IncidentState.REPORTED.value,
                                                       IncidentState.ROUTINE.value]})

    def show_expiring(self) -> None:
        """The list behind the consent figure is on this page: show it."""
        self.scroll.ensureWidgetVisible(self.consents_card)
        if self.consents_list.count():
            self.consents_list.setFocus()
            self.consents_list.setCurrentRow(0)

    def _unit_clicked(self, key) -> None:
        unit_id, unit_name = key
        self.go("incidents", {"days": 90, "unit_id": unit_id, "unit_name": unit_name})

    def _task_opened(self, item: QListWidgetItem) -> None:
        t = item.data(Qt.ItemDataRole.UserRole)
        if t == "all":
            self.show_overdue_tasks()
        elif t is not None and getattr(t, "case_number", None):
            self.ctx.open_case(t.case_id)

    def _consent_opened(self, item: QListWidgetItem) -> None:
        c = item.data(Qt.ItemDataRole.UserRole)
        if c is not None:
            self.ctx.open_person(c.person_id)

    # -- lock protocol ---------------------------------------------------------------------

    def clear(self) -> None:
        self.data = None
        self.expiring = []
        self.accounts_banner.clear()
        self.accounts_banner.hide()
        for chart in (self.cases_chart, self.incidents_chart, self.steps_chart,
                      self.consents_chart, self.exits_chart):
            chart.clear()
        self.tasks_list.clear()
        self.consents_list.clear()
        for t in self.tiles:
            t.set_value(None)


accessibility.register_role(Tile, accessibility.QAccessible.Role.Button)
