"""Uppgifter: the action items the user may see — mine, overdue, by state —
earliest due first; overdue in red. Open ones can be completed or cancelled
(with a reason) by those who may write them."""

from __future__ import annotations

from dataclasses import dataclass, replace

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QPushButton,
    QTableView,
    QVBoxLayout,
)

from trefas_app.domain.enums import TaskState
from trefas_app.services import tasks
from trefas_app.services.views_ops import TaskRow
from trefas_app.ui import common
from trefas_app.ui.common import enum_label, fmt_count, fmt_date, heading, muted, rows_so_far
from trefas_app.ui.dialogs.task import cancel_task_dialog
from trefas_app.ui.models.paged import Column
from trefas_app.ui.screens.base import BaseScreen
from trefas_app.ui.screens.case_tabs.parts import (
    DONE,
    OVERDUE,
    ColouredModel,
    configure_view,
    hidden_label,
    service_counter,
    service_loader,
    show_hidden,
    why_hidden,
)


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


def task_colour(row: TaskRow):
    if row.overdue:
        return OVERDUE
    if row.state != TaskState.OPEN:
        return DONE
    return None


class Screen(BaseScreen):
    watches = ("tasks",)

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.title = self.tr("Uppgifter")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 14, 16, 10)
        lay.setSpacing(8)
        top = QHBoxLayout()
        top.addWidget(heading(self.tr("Uppgifter"), self))
        top.addStretch(1)
        self.complete_button = QPushButton(self.tr("Markera klar"), self)
        self.complete_button.setObjectName("completeTask")
        self.complete_button.clicked.connect(self.complete)
        self.cancel_button = QPushButton(self.tr("Avbryt uppgift …"), self)
        self.cancel_button.setObjectName("cancelTask")
        self.cancel_button.clicked.connect(self.cancel)
        self.open_button = QPushButton(self.tr("Öppna ärendet"), self)
        self.open_button.setObjectName("openCase")
        self.open_button.clicked.connect(self.open_case)
        for b in (self.complete_button, self.cancel_button, self.open_button):
            top.addWidget(b)
        lay.addLayout(top)

        filters = QHBoxLayout()
        self.mine_check = QCheckBox(self.tr("Bara mina"), self)
        self.mine_check.setObjectName("mineOnly")
        self.overdue_check = QCheckBox(self.tr("Bara försenade"), self)
        self.overdue_check.setObjectName("overdueOnly")
        self.state_combo = QComboBox(self)
        self.state_combo.setAccessibleName(self.tr("Status"))
        self.state_combo.setObjectName("stateFilter")
        self.state_combo.addItem(self.tr("Öppna"), (TaskState.OPEN,))
        self.state_combo.addItem(self.tr("Klara"), (TaskState.DONE,))
        self.state_combo.addItem(self.tr("Avbrutna"), (TaskState.CANCELLED,))
        self.state_combo.addItem(self.tr("Alla"), ())
        for w in (self.mine_check, self.overdue_check, self.state_combo):
            filters.addWidget(w)
        filters.addStretch(1)
        lay.addLayout(filters)

        def arguments(p):
            return (), dict(mine_only=p.mine, overdue_only=p.overdue, states=p.states)

        # Rows first, count after: a supervisor's open tasks run to thousands.
        self.model = ColouredModel(
            service_loader(ctx, tasks.list_tasks, "tasks.page", arguments, count=False),
            task_columns(self.tr, ctx.lang), params=TaskParams(), colour=task_colour, parent=self,
            counter=service_counter(ctx, tasks.count_tasks, "tasks.count", arguments))
        self.table = QTableView(self)
        self.table.setObjectName("table")
        self.table.setModel(self.model)
        configure_view(self.table)
        for i, w in enumerate((110, 280, 120, 200, 170, 90)):
            self.table.setColumnWidth(i, w)
        self.table.activated.connect(lambda _i: self.open_case())
        enter = QShortcut(QKeySequence(Qt.Key.Key_Return), self.table)
        enter.setContext(Qt.ShortcutContext.WidgetShortcut)
        enter.activated.connect(self.open_case)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        lay.addWidget(self.table, 1)
        bottom = QHBoxLayout()
        self.count_label = muted("", self)
        self.count_label.setObjectName("countLabel")
        self.hidden_label = hidden_label(self, "hiddenLine")
        bottom.addWidget(self.count_label)
        bottom.addStretch(1)
        bottom.addWidget(self.hidden_label)
        lay.addLayout(bottom)

        self.mine_check.toggled.connect(self._filters_changed)
        self.overdue_check.toggled.connect(self._filters_changed)
        self.state_combo.currentIndexChanged.connect(self._filters_changed)
        self.model.pageLoaded.connect(self._loaded)
        self.model.countLoaded.connect(self._loaded)
        self.model.modelReset.connect(self._update_buttons)
        self.model.loadFailed.connect(
            lambda exc: self.count_label.setText(self.ctx.error_text(exc)) if exc else None)
        self._update_buttons()

    # -- data ----------------------------------------------------------------------------

    def reload(self) -> None:
        self.model.reload()

    def _filters_changed(self, *_a) -> None:
        params = TaskParams(mine=self.mine_check.isChecked(),
                            overdue=self.overdue_check.isChecked(),
                            states=tuple(self.state_combo.currentData() or ()))
        if params != self.model.params:
            self.model.set_params(params)

    def _loaded(self, _page=None) -> None:
        total = self.model.total
        if total is None:
            self.count_label.setText(self.tr("{n} uppgifter · räknar …").format(
                n=rows_so_far(self.model, self.ctx.lang)))
        else:
            self.count_label.setText(
                self.tr("{n} uppgifter").format(n=fmt_count(total, self.ctx.lang))
                if total != 1 else self.tr("1 uppgift"))
        lang = self.ctx.lang
        show_hidden(self.hidden_label, self.model.hidden,
                    "uppgift" if lang == "sv" else "task",
                    "uppgifter" if lang == "sv" else "tasks", lang, why_hidden(lang))
        self._update_buttons()

    def selected(self) -> TaskRow | None:
        index = self.table.currentIndex()
        rows = self.table.selectionModel().selectedRows()
        if rows:
            index = rows[0]
        return self.model.row_at(index) if isinstance(index, QModelIndex) and index.isValid() \
            else None

    def _update_buttons(self, *_a) -> None:
        row = self.selected()
        may = self.ctx.may("task.write")
        is_open = row is not None and row.state == TaskState.OPEN
        self.complete_button.setVisible(may)
        self.cancel_button.setVisible(may)
        self.complete_button.setEnabled(is_open)
        self.cancel_button.setEnabled(is_open)
        self.open_button.setEnabled(row is not None and row.case_number is not None)

    # -- actions -------------------------------------------------------------------------

    def complete(self) -> None:
        row = self.selected()
        if row is None or row.state != TaskState.OPEN:
            return
        if not common.confirm(self, self.tr("Markera ”{title}” som klar?").format(title=row.title),
                              self.tr("Markera klar"), self.tr("Avbryt")):
            return
        self.ctx.run(tasks.complete_task, row.id)

    def cancel(self) -> None:
        row = self.selected()
        if row is None or row.state != TaskState.OPEN:
            return
        dlg = cancel_task_dialog(self.ctx, self, row)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()

    def open_case(self) -> None:
        row = self.selected()
        if row is not None and row.case_number is not None:
            self.ctx.open_case(row.case_id)

    # -- lock protocol ---------------------------------------------------------------------

    def clear(self) -> None:
        self.model.clear()
        self.count_label.clear()
        self.hidden_label.clear()
        self.hidden_label.hide()

    def state(self) -> dict:
        p = self.model.params
        row = self.selected()
        return {"mine": p.mine, "overdue": p.overdue, "states": [s.value for s in p.states],
                "selected_id": row.id if row else None}

    def restore(self, state: dict) -> None:
        params = TaskParams(mine=bool(state.get("mine", False)),
                            overdue=bool(state.get("overdue", False)),
                            states=tuple(TaskState(s) for s in state.get("states", ["open"])))
        for w in (self.mine_check, self.overdue_check, self.state_combo):
            w.blockSignals(True)
        self.mine_check.setChecked(params.mine)
        self.overdue_check.setChecked(params.overdue)
        for i in range(self.state_combo.count()):
            if tuple(self.state_combo.itemData(i) or ()) == params.states:
                self.state_combo.setCurrentIndex(i)
        for w in (self.mine_check, self.overdue_check, self.state_combo):
            w.blockSignals(False)
        selected = state.get("selected_id")
        if selected is not None:
            def pick(_page=None) -> None:
                for i, r in enumerate(self.model.rows()):
                    if r.id == selected:
                        self.table.selectRow(i)
                        break
                self.model.pageLoaded.disconnect(pick)
            self.model.pageLoaded.connect(pick)
        self._stale = False
        self.model.set_params(replace(params))

