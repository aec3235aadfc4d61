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
    QPushButton,
    QWidget,
)

from trefas_app.domain import clock
from trefas_app.domain.permissions import may_change_meeting
from trefas_app.services import cases, meetings, users
from trefas_app.services.views_ops import MeetingItemView, MeetingView
from trefas_app.ui.common import enum_label, fmt_date, fmt_datetime, muted
from trefas_app.ui.dialogs.meeting import participants_text
from trefas_app.ui.dialogs.task_pickers import from_team
from trefas_app.ui.models.paged import Column
from trefas_app.ui.widgets.list_screen import DetailPane, ListScreen, select_item
from trefas_app.ui.widgets.parts import (
    ColouredModel,
    TASK_NOUNS,
    button_row,
    fill_row,
    fit_table,
    open_dialog,
    push_button,
    selected_data,
    service_loader,
    show_hidden,
    subheading,
    table_block,
    task_colour,
    title_row,
    value_label,
)
from trefas_app.ui.widgets.fields import choice_combo


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
    return actor is not None and may_change_meeting(actor, meeting.chair_id, meeting.unit_id)


class MeetingPanel(DetailPane):
    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.meeting: MeetingView | None = None
        self.empty.setText(self.tr("Välj ett möte."))
        cl = self.body
        head, self.title, self.held_badge = title_row(self.content, "meetingTitle", "heldBadge",
                                                      badge=None)
        cl.addLayout(head)
        self.meta = muted("", self.content)
        self.meta.setTextFormat(Qt.TextFormat.PlainText)
        cl.addWidget(self.meta)
        self.participants = value_label(self.content, "participants")
        cl.addWidget(self.participants)

        self.item_button = push_button(self.content, self.tr("Lägg till ärende …"), "addItem",
                                       self.add_item)
        self.held_button = push_button(self.content, self.tr("Markera som hållet …"), "markHeld",
                                       self.mark_held)
        self.task_button = push_button(self.content, self.tr("Ny åtgärdspunkt …"), "newTask",
                                       self.new_task)
        actions = button_row(self.item_button, self.held_button, self.task_button)
        cl.addLayout(actions)

        cl.addWidget(subheading(self.tr("Ärenden på mötet"), self.content))
        self.items, self.items_empty, self.items_hidden = table_block(
            self.content, cl, [self.tr("Ärende"), self.tr("Person"), self.tr("Diskussion"),
                               self.tr("Beslut")], "items",
            self.tr("Inga ärenden på mötet ännu."), "itemsHidden", stretch=2)
        self.items.itemSelectionChanged.connect(self._update_buttons)
        self.items.itemDoubleClicked.connect(self._item_opened)
        cl.addWidget(subheading(self.tr("Åtgärdspunkter från mötet"), self.content))
        self.tasks, self.tasks_empty, self.tasks_hidden = table_block(
            self.content, cl, [self.tr("Förfaller"), self.tr("Rubrik"), self.tr("Ärende"),
                               self.tr("Ansvarig"), self.tr("Status")], "meetingTasks",
            self.tr("Inga åtgärdspunkter från mötet."), "tasksHidden", stretch=1, select=False)
        self.set_meeting(None)

    def set_record(self, view: MeetingView | None) -> None:
        self.set_meeting(view)

    def set_meeting(self, m: MeetingView | None) -> None:
        self.meeting = self.record = m
        self.show_content(m is not None)
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
            colour = task_colour(t)
            fill_row(self.tasks, r, [fmt_date(t.due_on) or "–", t.title, t.case_number or "–",
                                     t.assignee or "", enum_label(t.state, lang)], data=t,
                     colour=colour)
        fit_table(self.items, self.items_empty)
        fit_table(self.tasks, self.tasks_empty)
        show_hidden(self.items_hidden, m.items_hidden,
                    ("ärende", "ärenden", "case", "cases"), lang)
        show_hidden(self.tasks_hidden, m.tasks_hidden, TASK_NOUNS, lang)
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

    _open = staticmethod(open_dialog)

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


class Screen(ListScreen):
    watches = ("meetings", "tasks")
    nouns = ("möte", "möten", "meeting", "meetings")
    shows_hidden = False
    column_widths = (120, 220, 120, 120, 130, 60)
    detail_service = staticmethod(meetings.get_meeting)

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.title = self.tr("Möten")
        self.heading.setText(self.tr("Möten"))
        self.units = []

    def build_actions(self, row) -> None:
        self.period_combo = choice_combo(self, "period", self.tr("Period"),
                                         [(self.tr("Senaste 90 dagarna och kommande"), "recent"),
                                          (self.tr("Kommande"), "upcoming"),
                                          (self.tr("Alla"), "all")])
        row.addWidget(self.period_combo)
        self.new_button = QPushButton(self.tr("Nytt möte …"), self)
        self.new_button.setObjectName("newMeeting")
        self.new_button.setVisible(self.ctx.may("meeting.write"))
        self.new_button.clicked.connect(self.new_meeting)
        row.addWidget(self.new_button)
        self.period_combo.currentIndexChanged.connect(self.filters_changed)

    def make_model(self) -> ColouredModel:
        return ColouredModel(
            service_loader(self.ctx, meetings.list_meetings, "meetings.page",
                           lambda p: ((), dict(zip(("since", "until"),
                                                   period_bounds(p.period))))),
            meeting_columns(self.tr, self.ctx.lang), params=MeetingParams(),
            colour=lambda r: None, parent=self)

    def make_detail(self, parent) -> MeetingPanel:
        panel = MeetingPanel(self.ctx, parent)
        panel.setObjectName("meetingPanel")
        return panel

    def filter_params(self) -> MeetingParams:
        return MeetingParams(self.period_combo.currentData())

    show_meeting = ListScreen.show_record

    def new_meeting(self) -> None:
        self.ctx.run(users.list_units, on_done=self._meeting_dialog, key="meetings.units")

    def _meeting_dialog(self, units):
        from trefas_app.ui.dialogs.meeting import MeetingDialog

        self.units = list(units)
        dlg = MeetingDialog(self.ctx, self, self.units)
        dlg.succeeded.connect(lambda v: self.show_meeting(v.id))
        open_dialog(dlg)
        return dlg

    def state(self) -> dict:
        return {"period": self.model.params.period,
                "meeting_id": self.panel.meeting.id if self.panel.meeting else None}

    def restore(self, state: dict) -> None:
        period = state.get("period", "recent")
        select_item(self.period_combo, period)
        self._stale = False
        self.model.set_params(MeetingParams(period))
        if state.get("meeting_id") is not None:
            self.show_meeting(state["meeting_id"])
