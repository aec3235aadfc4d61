"""Möten: joint meetings and the operational group. The list by time; for the
chosen meeting its participants, the cases discussed with their decisions and
the action items from it — each with a line for entries not shared with the
user. The chair (or the unit's coordinator) adds cases and marks the meeting
as held; anyone who may write tasks can turn a decision into an action item."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from trefas_app.domain import clock
from trefas_app.domain.enums import Role, TaskState
from trefas_app.services import cases, meetings, users
from trefas_app.services.views_ops import MeetingItemView, MeetingRow, MeetingView
from trefas_app.ui.common import enum_label, fmt_count, fmt_date, fmt_datetime, heading, muted
from trefas_app.ui.dialogs.meeting import participants_text
from trefas_app.ui.dialogs.task_pickers import from_team
from trefas_app.ui.models.paged import Column
from trefas_app.ui.screens.base import BaseScreen
from trefas_app.ui.screens.case_tabs.parts import (
    DONE,
    OVERDUE,
    ColouredModel,
    configure_view,
    empty_label,
    fill_row,
    fit_table,
    hidden_label,
    make_table,
    selected_data,
    service_loader,
    show_hidden,
    subheading,
    value_label,
    why_hidden,
)


@dataclass(frozen=True)
class MeetingParams:
    period: str = "recent"  # "upcoming" | "recent" (90 days back and ahead) | "all"


def period_bounds(period: str) -> tuple[dt.datetime | None, dt.datetime | None]:
    now = clock.now_utc()
    if period == "upcoming":
        return now - dt.timedelta(hours=12), None
    if period == "recent":
        return now - dt.timedelta(days=90), None
    return None, None


def meeting_columns(tr, lang: str) -> list[Column]:
    return [
        Column(tr("Tid"), lambda r: fmt_datetime(r.held_at)),
        Column(tr("Rubrik"), lambda r: r.title),
        Column(tr("Typ"), lambda r: enum_label(r.kind, lang)),
        Column(tr("Enhet"), lambda r: r.unit_name),
        Column(tr("Ordförande"), lambda r: r.chair),
        Column(tr("Ärenden"), lambda r: str(r.items_visible),
               align=Qt.AlignmentFlag.AlignRight),
        Column(tr("Hållet"), lambda r: tr("Ja") if r.held else ""),
    ]


def may_change(ctx, meeting: MeetingView) -> bool:
    actor = ctx.actor
    return (actor is not None and ctx.may("meeting.write")
            and (meeting.chair_id == actor.user_id
                 or (actor.role == Role.COORDINATOR and actor.unit_id == meeting.unit_id)))


class MeetingPanel(QWidget):
    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.meeting: MeetingView | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        outer.addWidget(scroll)
        inner = QWidget(scroll)
        scroll.setWidget(inner)
        lay = QVBoxLayout(inner)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.setSpacing(8)
        self.empty = muted(self.tr("Välj ett möte."), inner)
        lay.addWidget(self.empty)
        self.content = QWidget(inner)
        cl = QVBoxLayout(self.content)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.setSpacing(8)
        lay.addWidget(self.content)
        lay.addStretch(1)
        head = QHBoxLayout()
        self.title = QLabel(self.content)
        self.title.setObjectName("meetingTitle")
        self.title.setProperty("role", "subheading")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.held_badge = QLabel(self.content)
        self.held_badge.setObjectName("heldBadge")
        head.addWidget(self.title, 1)
        head.addWidget(self.held_badge)
        cl.addLayout(head)
        self.meta = muted("", self.content)
        self.meta.setTextFormat(Qt.TextFormat.PlainText)
        cl.addWidget(self.meta)
        self.participants = value_label(self.content, "participants")
        cl.addWidget(self.participants)

        actions = QHBoxLayout()
        self.item_button = QPushButton(self.tr("Lägg till ärende …"), self.content)
        self.item_button.setObjectName("addItem")
        self.item_button.clicked.connect(self.add_item)
        self.held_button = QPushButton(self.tr("Markera som hållet …"), self.content)
        self.held_button.setObjectName("markHeld")
        self.held_button.clicked.connect(self.mark_held)
        self.task_button = QPushButton(self.tr("Ny åtgärdspunkt …"), self.content)
        self.task_button.setObjectName("newTask")
        self.task_button.clicked.connect(self.new_task)
        for b in (self.item_button, self.held_button, self.task_button):
            actions.addWidget(b)
        actions.addStretch(1)
        cl.addLayout(actions)

        cl.addWidget(subheading(self.tr("Ärenden på mötet"), self.content))
        self.items = make_table(self.content, [self.tr("Ärende"), self.tr("Person"),
                                               self.tr("Diskussion"), self.tr("Beslut")],
                                "items", stretch=2)
        self.items.itemSelectionChanged.connect(self._update_buttons)
        self.items.itemDoubleClicked.connect(self._item_opened)
        cl.addWidget(self.items)
        self.items_empty = empty_label(self.tr("Inga ärenden på mötet ännu."), self.content)
        cl.addWidget(self.items_empty)
        self.items_hidden = hidden_label(self.content, "itemsHidden")
        cl.addWidget(self.items_hidden)
        cl.addWidget(subheading(self.tr("Åtgärdspunkter från mötet"), self.content))
        self.tasks = make_table(self.content, [self.tr("Förfaller"), self.tr("Rubrik"),
                                               self.tr("Ärende"), self.tr("Ansvarig"),
                                               self.tr("Status")], "meetingTasks", stretch=1,
                                select=False)
        cl.addWidget(self.tasks)
        self.tasks_empty = empty_label(self.tr("Inga åtgärdspunkter från mötet."), self.content)
        cl.addWidget(self.tasks_empty)
        self.tasks_hidden = hidden_label(self.content, "tasksHidden")
        cl.addWidget(self.tasks_hidden)
        self.set_meeting(None)

    def set_meeting(self, m: MeetingView | None) -> None:
        self.meeting = m
        self.empty.setVisible(m is None)
        self.content.setVisible(m is not None)
        if m is None:
            self.items.setRowCount(0)
            self.tasks.setRowCount(0)
            return
        lang = self.ctx.lang
        self.title.setText(m.title)
        self.held_badge.setText(self.tr("Hållet") if m.held else self.tr("Planerat"))
        self.held_badge.setProperty("badge", "active" if m.held else "own")
        self.held_badge.style().unpolish(self.held_badge)
        self.held_badge.style().polish(self.held_badge)
        self.meta.setText(" · ".join(x for x in (
            enum_label(m.kind, lang), fmt_datetime(m.held_at), m.place or "", m.unit_name,
            self.tr("ordförande {name}").format(name=m.chair)) if x))
        self.participants.setText(self.tr("Deltagare: {list}").format(
            list=participants_text(m, lang)))
        self.items.setRowCount(len(m.items))
        for r, it in enumerate(m.items):
            fill_row(self.items, r, [it.case_number or "–", it.person_name, it.discussion,
                                     it.decision or ""], data=it,
                     tooltip=f"{it.discussion}\n{it.decision or ''}".strip())
        self.tasks.setRowCount(len(m.tasks))
        for r, t in enumerate(m.tasks):
            colour = OVERDUE if t.overdue else (DONE if t.state != TaskState.OPEN else None)
            fill_row(self.tasks, r, [fmt_date(t.due_on) or "–", t.title, t.case_number or "–",
                                     t.assignee or "", enum_label(t.state, lang)], data=t,
                     colour=colour)
        fit_table(self.items, self.items_empty)
        fit_table(self.tasks, self.tasks_empty)
        why = why_hidden(lang)
        sv = lang == "sv"
        show_hidden(self.items_hidden, m.items_hidden, "ärende" if sv else "case",
                    "ärenden" if sv else "cases", lang, why)
        show_hidden(self.tasks_hidden, m.tasks_hidden, "åtgärdspunkt" if sv else "task",
                    "åtgärdspunkter" if sv else "tasks", lang, why)
        self._update_buttons()

    def selected_item(self) -> MeetingItemView | None:
        data = selected_data(self.items)
        return data if isinstance(data, MeetingItemView) else None

    def _update_buttons(self) -> None:
        m = self.meeting
        if m is None:
            return
        changeable = may_change(self.ctx, m)
        self.item_button.setVisible(changeable and not m.held)
        self.held_button.setVisible(changeable and not m.held)
        started = m.held_at <= clock.now_utc()
        self.held_button.setEnabled(started)
        self.held_button.setToolTip("" if started else self.tr("Mötet har inte börjat än."))
        self.task_button.setVisible(self.ctx.may("task.write"))
        item = self.selected_item()
        self.task_button.setEnabled(item is not None and item.case_number is not None)

    def _open(self, dlg):
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()
        return dlg

    def add_item(self):
        from trefas_app.ui.dialogs.meeting import MeetingItemDialog

        if self.meeting is not None:
            return self._open(MeetingItemDialog(self.ctx, self, self.meeting))
        return None

    def mark_held(self):
        from trefas_app.ui.dialogs.meeting import MarkHeldDialog

        if self.meeting is not None:
            return self._open(MarkHeldDialog(self.ctx, self, self.meeting))
        return None

    def new_task(self) -> None:
        item = self.selected_item()
        if item is None or self.meeting is None:
            return
        meeting_id = self.meeting.id
        # The case team: a task can only be given to someone who may see it.
        self.ctx.run(cases.get_case, item.case_id,
                     on_done=lambda case: self._task_dialog(case, meeting_id, item),
                     key="meeting_panel.case")

    def _task_dialog(self, case, meeting_id: int, item: MeetingItemView):
        from trefas_app.ui.dialogs.task import TaskDialog

        text = self.tr("Från mötet, ärende {number}: {decision}").format(
            number=case.number, decision=item.decision or item.discussion)
        return self._open(TaskDialog(self.ctx, self, case.id, from_team(case.team),
                                     meeting_id=meeting_id, context_text=text))

    def _item_opened(self, _item) -> None:
        it = self.selected_item()
        if it is not None and it.case_number:
            self.ctx.open_case(it.case_id)


class Screen(BaseScreen):
    watches = ("meetings", "tasks")

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.title = self.tr("Möten")
        self.units = []
        self._want_id: int | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 14, 16, 10)
        lay.setSpacing(8)
        top = QHBoxLayout()
        top.addWidget(heading(self.tr("Möten"), self))
        top.addStretch(1)
        self.period_combo = QComboBox(self)
        self.period_combo.setAccessibleName(self.tr("Period"))
        self.period_combo.setObjectName("period")
        for text, key in ((self.tr("Senaste 90 dagarna och kommande"), "recent"),
                          (self.tr("Kommande"), "upcoming"), (self.tr("Alla"), "all")):
            self.period_combo.addItem(text, key)
        top.addWidget(self.period_combo)
        self.new_button = QPushButton(self.tr("Nytt möte …"), self)
        self.new_button.setObjectName("newMeeting")
        self.new_button.setVisible(ctx.may("meeting.write"))
        self.new_button.clicked.connect(self.new_meeting)
        top.addWidget(self.new_button)
        lay.addLayout(top)

        split = QSplitter(Qt.Orientation.Horizontal, self)
        left = QWidget(split)
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 8, 0)
        self.model = ColouredModel(
            service_loader(ctx, meetings.list_meetings, "meetings.page",
                           lambda p: ((), dict(zip(("since", "until"),
                                                   period_bounds(p.period))))),
            meeting_columns(self.tr, ctx.lang), params=MeetingParams(),
            colour=lambda r: None, parent=self)
        self.table = QTableView(left)
        self.table.setObjectName("table")
        self.table.setModel(self.model)
        configure_view(self.table)
        for i, w in enumerate((120, 220, 120, 120, 130, 60)):
            self.table.setColumnWidth(i, w)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        ll.addWidget(self.table, 1)
        self.count_label = muted("", left)
        self.count_label.setObjectName("countLabel")
        ll.addWidget(self.count_label)
        self.panel = MeetingPanel(ctx, split)
        self.panel.setObjectName("meetingPanel")
        split.addWidget(left)
        split.addWidget(self.panel)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        split.setSizes([560, 660])
        lay.addWidget(split, 1)
        self.period_combo.currentIndexChanged.connect(self._filter_changed)
        self.model.pageLoaded.connect(self._loaded)
        self.model.loadFailed.connect(
            lambda exc: self.count_label.setText(self.ctx.error_text(exc)) if exc else None)

    def reload(self) -> None:
        self.model.reload()
        current = self._want_id or (self.panel.meeting.id if self.panel.meeting else None)
        if current is not None:
            self.show_meeting(current)

    def _filter_changed(self, *_a) -> None:
        params = MeetingParams(self.period_combo.currentData())
        if params != self.model.params:
            self.model.set_params(params)

    def _loaded(self, _page=None) -> None:
        n = self.model.total or 0
        self.count_label.setText(self.tr("{n} möten").format(n=fmt_count(n, self.ctx.lang)) if n != 1
                                 else self.tr("1 möte"))

    def _row_changed(self, current, _previous) -> None:
        row: MeetingRow | None = self.model.row_at(current) if current.isValid() else None
        if row is not None:
            self.show_meeting(row.id)

    def show_meeting(self, meeting_id: int) -> None:
        self._want_id = int(meeting_id)
        self.ctx.run(meetings.get_meeting, int(meeting_id), on_done=self._show_meeting,
                     key="meetings.one")

    def _show_meeting(self, view: MeetingView) -> None:
        self._want_id = None
        self.panel.set_meeting(view)

    def new_meeting(self) -> None:
        self.ctx.run(users.list_units, on_done=self._meeting_dialog, key="meetings.units")

    def _meeting_dialog(self, units):
        from trefas_app.ui.dialogs.meeting import MeetingDialog

        self.units = list(units)
        dlg = MeetingDialog(self.ctx, self, self.units)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.succeeded.connect(lambda v: self.show_meeting(v.id))
        dlg.open()
        return dlg

    def clear(self) -> None:
        self.model.clear()
        self.panel.set_meeting(None)
        self.count_label.clear()

    def state(self) -> dict:
        return {"period": self.model.params.period,
                "meeting_id": self.panel.meeting.id if self.panel.meeting else None}

    def restore(self, state: dict) -> None:
        period = state.get("period", "recent")
        self.period_combo.blockSignals(True)
        self.period_combo.setCurrentIndex(max(0, self.period_combo.findData(period)))
        self.period_combo.blockSignals(False)
        self._stale = False
        self.model.set_params(MeetingParams(period))
        if state.get("meeting_id") is not None:
            self.show_meeting(state["meeting_id"])
