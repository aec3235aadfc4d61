"""Uppgifter: the action items the user may see — mine, overdue, by state —
earliest due first; overdue in red. Open ones can be completed or cancelled
(with a reason) by those who may write them."""

from __future__ import annotations

from dataclasses import dataclass, replace

from PySide6.QtWidgets import QCheckBox

from trefas_app.domain.enums import TaskState
from trefas_app.services import tasks
from trefas_app.services.views_ops import TaskRow
from trefas_app.ui import common
from trefas_app.ui.common import enum_label, fmt_date
from trefas_app.ui.dialogs.task import cancel_task_dialog
from trefas_app.ui.models.paged import Column
from trefas_app.ui.widgets.list_screen import ListScreen, select_item, state_tuple
from trefas_app.ui.widgets.parts import (
    ColouredModel,
    open_dialog,
    push_button,
    service_counter,
    service_loader,
    task_colour,
)
from trefas_app.ui.widgets.fields import choice_combo


@dataclass(frozen=True)
class TaskParams:
    mine: bool = False
    overdue: bool = False
    states: tuple[TaskState, ...] = (TaskState.OPEN,)


def task_columns(tr, lang: str) -> list[Column]:
    def source(r: TaskRow) -> str:
        if r.incident_number:
            return tr("Händelse {n}").format(n=r.incident_number)
        if r.meeting_id:
            return tr("Möte")
        return ""

    def due(r: TaskRow) -> str:
        text = fmt_date(r.due_on) if r.due_on else "–"
        return f"{text} ⚠" if r.overdue else text

    return [
        Column(tr("Förfaller"), due,
               tooltip=lambda r: tr("Försenad") if r.overdue else None),
        Column(tr("Rubrik"), lambda r: r.title, tooltip=lambda r: r.description or None),
        Column(tr("Ärende"), lambda r: r.case_number or "–"),
        Column(tr("Person"), lambda r: r.person_name),
        Column(tr("Ansvarig"), lambda r: r.assignee or tr("Ingen")),
        Column(tr("Status"), lambda r: enum_label(r.state, lang)),
        Column(tr("Källa"), source),
    ]


class Screen(ListScreen):
    watches = ("tasks",)
    nouns = ("uppgift", "uppgifter", "task", "tasks")
    column_widths = (110, 280, 120, 200, 170, 90)

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.title = self.tr("Uppgifter")
        self.heading.setText(self.tr("Uppgifter"))
        self.selection_changed()

    def build_actions(self, row) -> None:
        self.complete_button = push_button(self, self.tr("Markera klar"),
                                           "completeTask", self.complete)
        self.cancel_button = push_button(self, self.tr("Avbryt uppgift …"),
                                         "cancelTask", self.cancel)
        self.open_button = push_button(self, self.tr("Öppna ärendet"), "openCase", self.open_case)
        for b in (self.complete_button, self.cancel_button, self.open_button):
            row.addWidget(b)

    def build_filters(self, row) -> None:
        self.mine_check = QCheckBox(self.tr("Bara mina"), self)
        self.mine_check.setObjectName("mineOnly")
        self.overdue_check = QCheckBox(self.tr("Bara försenade"), self)
        self.overdue_check.setObjectName("overdueOnly")
        self.state_combo = choice_combo(self, "stateFilter", self.tr("Status"),
                                        [(self.tr("Öppna"), (TaskState.OPEN,)),
                                         (self.tr("Klara"), (TaskState.DONE,)),
                                         (self.tr("Avbrutna"), (TaskState.CANCELLED,)),
                                         (self.tr("Alla"), ())])
        for w in (self.mine_check, self.overdue_check, self.state_combo):
            row.addWidget(w)
        row.addStretch(1)
        self.mine_check.toggled.connect(self.filters_changed)
        self.overdue_check.toggled.connect(self.filters_changed)
        self.state_combo.currentIndexChanged.connect(self.filters_changed)

    def make_model(self) -> ColouredModel:
        def arguments(p):
            return (), dict(mine_only=p.mine, overdue_only=p.overdue, states=p.states)

        # Rows first, count after: a supervisor's open tasks run to thousands.
        return ColouredModel(
            service_loader(self.ctx, tasks.list_tasks, "tasks.page", arguments, count=False),
            task_columns(self.tr, self.ctx.lang), params=TaskParams(), colour=task_colour,
            parent=self,
            counter=service_counter(self.ctx, tasks.count_tasks, "tasks.count", arguments))

    def filter_params(self) -> TaskParams:
        return TaskParams(mine=self.mine_check.isChecked(),
                          overdue=self.overdue_check.isChecked(),
                          states=state_tuple(self.state_combo.currentData()))

    def selection_changed(self) -> None:
        row = self.selected()
        may = self.ctx.may("task.write")
        is_open = row is not None and row.state == TaskState.OPEN
        self.complete_button.setVisible(may)
        self.cancel_button.setVisible(may)
        self.complete_button.setEnabled(is_open)
        self.cancel_button.setEnabled(is_open)
        self.open_button.setEnabled(row is not None and row.case_number is not None)

    # -- actions -------------------------------------------------------------------------

    def open_row(self, _row) -> None:
        self.open_case()

    def complete(self) -> None:
        row = self.selected()
        if row is None or row.state != TaskState.OPEN:
            return
        if not common.confirm(self, self.tr("Markera ”{title}” som klar?").format(title=row.title),
                              self.tr("Markera klar"), self.tr("Avbryt")):
            return
        self.ctx.run(tasks.complete_task, row.id, expected_version=row.version)

    def cancel(self) -> None:
        row = self.selected()
        if row is None or row.state != TaskState.OPEN:
            return
        dlg = cancel_task_dialog(self.ctx, self, row)
        open_dialog(dlg)

    def open_case(self) -> None:
        row = self.selected()
        if row is not None and row.case_number is not None:
            self.ctx.open_case(row.case_id)

    # -- lock protocol ---------------------------------------------------------------------

    def state(self) -> dict:
        p = self.model.params
        row = self.selected()
        return {"mine": p.mine, "overdue": p.overdue, "states": [s.value for s in p.states],
                "selected_id": row.id if row else None}

    def restore(self, state: dict) -> None:
        params = TaskParams(mine=bool(state.get("mine", False)),
                            overdue=bool(state.get("overdue", False)),
                            states=tuple(TaskState(s) for s in state.get("states", ["open"])))
        for check, value in ((self.mine_check, params.mine),
                             (self.overdue_check, params.overdue)):
            check.blockSignals(True)
            check.setChecked(value)
            check.blockSignals(False)
        select_item(self.state_combo, params.states, state_tuple)
        self._stale = False
        self.model.set_params(replace(params))
        if state.get("selected_id") is not None:
            self.select_when_loaded(state["selected_id"])
