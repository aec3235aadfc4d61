"""Möten & uppgifter (case tab): the case's action items — new, done,
cancelled; overdue in red; a line for those not shared with the user — and
the meetings where the case was discussed, with the decisions."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QVBoxLayout, QWidget

from trefas_app.domain.enums import CaseState, TaskState
from trefas_app.services import tasks
from trefas_app.services.case_tabs import CaseWork, load_case_work, upcoming_meetings
from trefas_app.services.views_ops import TaskRow
from trefas_app.ui import common
from trefas_app.ui.common import enum_label, fmt_date, fmt_datetime
from trefas_app.ui.dialogs.task import cancel_task_dialog
from trefas_app.ui.dialogs.task_pickers import from_team
from trefas_app.ui.screens.base import BaseTab
from trefas_app.ui.widgets.parts import (
    TASK_NOUNS,
    fill_row,
    fit_table,
    header_row,
    open_dialog,
    open_screen,
    push_button,
    selected_data,
    show_hidden,
    table_block,
    task_colour,
)


class Tab(BaseTab):
    def __init__(self, ctx, case_view):
        super().__init__(ctx, case_view)
        self.data: CaseWork | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 8, 4, 4)

        top = QWidget(self)
        tl = QVBoxLayout(top)
        tl.setContentsMargins(0, 0, 0, 6)
        self.open_only = QCheckBox(self.tr("Bara öppna"), top)
        self.open_only.setObjectName("openOnly")
        self.open_only.setChecked(True)
        self.open_only.toggled.connect(lambda _c: self.reload())
        self.new_button = push_button(top, self.tr("Ny åtgärdspunkt …"), "newTask", self.new_task)
        self.done_button = push_button(top, self.tr("Markera klar"), "completeTask", self.complete)
        self.cancel_button = push_button(top, self.tr("Avbryt …"), "cancelTask", self.cancel)
        tl.addLayout(header_row(top, self.tr("Åtgärdspunkter"), left=(self.open_only,),
                                right=(self.new_button, self.done_button, self.cancel_button)))
        self.tasks, self.tasks_empty, self.tasks_hidden = table_block(
            top, tl, [self.tr("Förfaller"), self.tr("Rubrik"), self.tr("Ansvarig"),
                      self.tr("Status"), self.tr("Källa")], "caseTasks",
            self.tr("Inga åtgärdspunkter."), "tasksHidden", stretch=1, empty_name="noTasks")
        self.tasks.itemSelectionChanged.connect(self._update_buttons)
        lay.addWidget(top)

        bottom = QWidget(self)
        bl = QVBoxLayout(bottom)
        bl.setContentsMargins(0, 14, 0, 0)
        self.item_button = push_button(bottom, self.tr("Ta upp på möte …"), "addToMeeting",
                                       self.add_to_meeting)
        self.meeting_button = push_button(bottom, self.tr("Visa mötet"), "openMeeting",
                                          self.open_meeting)
        bl.addLayout(header_row(bottom, self.tr("Ärendet på möten"),
                                right=(self.item_button, self.meeting_button)))
        self.items, self.items_empty, self.items_hidden = table_block(
            bottom, bl, [self.tr("Mötestid"), self.tr("Möte"), self.tr("Diskussion"),
                         self.tr("Beslut"), self.tr("Av")], "caseItems",
            self.tr("Ärendet har inte tagits upp på något möte som du får se."), "itemsHidden",
            stretch=2)
        self.items.itemSelectionChanged.connect(self._update_buttons)
        lay.addWidget(bottom)
        lay.addStretch(1)
        top.setVisible(ctx.may("task.read"))
        bottom.setVisible(ctx.may("meeting_item.read"))
        self._update_buttons()

    def case_watches(self, case) -> tuple:
        return (("tasks", case.id), ("cases", case.id), "meetings",
                ("consents", case.person.id))

    def reload(self) -> None:
        if self.case is None:
            return
        self.ctx.run(load_case_work, self.case.id, self.open_only.isChecked(),
                     on_done=self._show, key=f"case_work.{self.case.id}")

    def _show(self, data: CaseWork) -> None:
        if self.case is None:
            return
        self.data = data
        lang = self.ctx.lang
        if data.tasks is not None:
            rows = data.tasks.rows
            self.tasks.setRowCount(len(rows))
            for r, t in enumerate(rows):
                source = (self.tr("Händelse {n}").format(n=t.incident_number)
                          if t.incident_number else self.tr("Möte") if t.meeting_id else "")
                colour = task_colour(t)
                fill_row(self.tasks, r, [
                    (fmt_date(t.due_on) or "–") + (" ⚠" if t.overdue else ""), t.title,
                    t.assignee or self.tr("Ingen"), enum_label(t.state, lang), source],
                    data=t, colour=colour, tooltip=t.description or "")
            fit_table(self.tasks, self.tasks_empty, max_rows=12)
            show_hidden(self.tasks_hidden, data.tasks.hidden, TASK_NOUNS, lang)
        items = data.items
        self.meeting_button.setVisible(items is not None)
        rows = items.rows if items is not None else ()
        self.items.setRowCount(len(rows))
        for r, it in enumerate(rows):
            when = it.meeting_held_at or it.created_at
            fill_row(self.items, r, [fmt_datetime(when), it.meeting_title or "",
                                     it.discussion, it.decision or "", it.created_by or ""],
                     data=it, tooltip="\n".join(x for x in (it.discussion, it.decision) if x))
        fit_table(self.items, self.items_empty)
        show_hidden(self.items_hidden, items.hidden if items is not None else None,
                    ("mötespunkt", "mötespunkter", "meeting item", "meeting items"), lang)
        self._update_buttons()

    def _writable(self) -> bool:
        case = self.case
        return case is not None and not case.read_only and case.state != CaseState.CLOSED

    def selected_task(self) -> TaskRow | None:
        data = selected_data(self.tasks)
        return data if isinstance(data, TaskRow) else None

    def _update_buttons(self) -> None:
        may = self._writable() and self.ctx.may("task.write")
        self.new_button.setVisible(may)
        self.done_button.setVisible(may)
        self.cancel_button.setVisible(may)
        t = self.selected_task()
        is_open = t is not None and t.state == TaskState.OPEN
        self.done_button.setEnabled(is_open)
        self.cancel_button.setEnabled(is_open)
        self.item_button.setVisible(self._writable() and self.ctx.may("meeting.write"))
        self.meeting_button.setEnabled(selected_data(self.items) is not None)

    # -- actions --------------------------------------------------------------------------

    _open = staticmethod(open_dialog)

    def new_task(self):
        from trefas_app.ui.dialogs.task import TaskDialog

        if self.case is None:
            return None
        return self._open(TaskDialog(self.ctx, self, self.case.id, from_team(self.case.team)))

    def complete(self) -> None:
        t = self.selected_task()
        if t is None or t.state != TaskState.OPEN:
            return
        if not common.confirm(self, self.tr("Markera ”{title}” som klar?").format(title=t.title),
                              self.tr("Markera klar"), self.tr("Avbryt")):
            return
        self.ctx.run(tasks.complete_task, t.id, expected_version=t.version)

    def cancel(self):
        t = self.selected_task()
        if t is None or t.state != TaskState.OPEN:
            return None
        return self._open(cancel_task_dialog(self.ctx, self, t))

    def add_to_meeting(self) -> None:
        self.ctx.run(upcoming_meetings, on_done=self._meeting_dialog, key="case_work.meetings")

    def _meeting_dialog(self, rows):
        from trefas_app.ui.dialogs.meeting import MeetingItemDialog

        if self.case is None:
            return None
        return self._open(MeetingItemDialog(
            self.ctx, self, None, case_id=self.case.id,
            case_text=f"{self.case.number} · {self.case.person.display_name}",
            meeting_rows=rows))

    def open_meeting(self) -> None:
        it = selected_data(self.items)
        if it is not None:
            open_screen(self, self.ctx, "meetings", {"period": "all", "meeting_id": it.meeting_id})

    def clear(self) -> None:
        self.case = None
        self.data = None
        self.tasks.setRowCount(0)
        self.items.setRowCount(0)

    def state(self) -> dict:
        return {"open_only": self.open_only.isChecked()}

    def restore(self, state: dict) -> None:
        self.open_only.blockSignals(True)
        self.open_only.setChecked(bool(state.get("open_only", True)))
        self.open_only.blockSignals(False)
