"""Action items (åtgärdspunkter): a new task on a case — optionally from a
meeting or an incident — and cancelling one with a reason."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QWidget

from trefas_app.services import tasks
from trefas_app.services.views_ops import TaskRow
from trefas_app.ui.common import muted
from trefas_app.ui.dialogs.base import ServiceDialog, field_error_label, note_problem, text_problem
from trefas_app.ui.dialogs.reason import ReasonDialog
from trefas_app.ui.dialogs.task_pickers import (
    Candidate,
    DateField,
    UserCombo,
    load_directory,
    merge,
    today,
)
from trefas_app.ui.widgets.fields import line_edit, text_area


class TaskDialog(ServiceDialog):
    """``candidates``: whom the task is first offered to (the case team — a
    task can only go to someone who may see it; the service checks). Once the
    user directory has loaded, everyone else follows after a separator: a
    coordinator or supervisor may see the case without being on its team."""

    def __init__(self, ctx, parent: QWidget | None, case_id: int,
                 candidates: list[Candidate] = (), meeting_id: int | None = None,
                 incident_id: int | None = None, context_text: str = ""):
        super().__init__(ctx, parent, title=self.tr("Ny åtgärdspunkt"),
                         ok_text=self.tr("Skapa"), name="taskDialog", width=520)
        self.case_id, self.meeting_id, self.incident_id = case_id, meeting_id, incident_id
        self.ref_day = today()
        if context_text:
            self.body.insertWidget(0, muted(context_text, self))
        self.title_edit = line_edit(self, "title")
        self.description_edit = text_area(self, "description", "tasks.description")
        self.description_edit.setFixedHeight(90)
        self.assignee = UserCombo(self, none_text=self.tr("Ingen ännu"), lang=ctx.lang)
        self.assignee.setObjectName("assignee")
        self._first = list(candidates)
        self.assignee.set_candidates(self._first)
        if ctx.actor is not None:
            self.assignee.select(ctx.actor.user_id)
        self.directory_note = muted(self.tr(
            "Ärendeteamet står först. Andra kan bara få åtgärdspunkten om de får se ärendet "
            "(till exempel enhetens samordnare eller enhetschef)."), self)
        self.directory_note.setObjectName("directoryNote")
        self.directory_note.hide()
        self.due = DateField(self, None, optional=True, check_text=self.tr("Senast"))
        self.due.setObjectName("dueOn")
        self.due_error = field_error_label(self)
        self.form.addRow(self.tr("Rubrik *"), self.title_edit)
        self.form.addRow(self.tr("Beskrivning"), self.description_edit)
        self.form.addRow(self.tr("Ansvarig"), self.assignee)
        self.form.addRow("", self.directory_note)
        self.form.addRow(self.tr("Förfaller"), self.due)
        self.form.addRow("", self.due_error)
        self.watch(self.title_edit, self.due)
        self.mark_clean()
        load_directory(ctx, self._directory_loaded, key=f"task_dialog.users.{id(self)}",
                       owner=self)

    def _directory_loaded(self, directory: list[Candidate]) -> None:
        dirty = self.is_dirty()
        first = {c.user_id for c in self._first}
        others = [c for c in merge(directory) if c.user_id not in first]
        self.assignee.set_candidates(self._first, more=others)
        actor = self.ctx.actor
        if not dirty and self.assignee.user_id() is None and actor is not None:
            self.assignee.select(actor.user_id)
        self.directory_note.setVisible(bool(others) and bool(self._first))
        if not dirty:
            self.mark_clean()

    def problems(self) -> list[str]:
        problems = []
        title = self.title_edit.text().strip()
        note_problem(problems, text_problem(
            title, self.tr("Ange en rubrik."),
            self.tr("Rubriken får vara högst 200 tecken."), tasks.MAX_TITLE_CHARS))
        due = self.due.date()
        due_text = ""
        if due is not None and due < self.ref_day:
            due_text = self.tr("Förfallodagen har redan passerat. Välj dagens datum eller ett "
                               "senare.")
        note_problem(problems, due_text, self.due_error)
        return problems

    def submit(self) -> None:
        self.run(tasks.create_task, self.case_id, self.title_edit.text().strip(),
                 self.description_edit.toPlainText().strip() or None, self.assignee.user_id(),
                 self.due.date(), self.meeting_id, self.incident_id)


def _t(text: str) -> str:
    return QCoreApplication.translate("TaskDialog", text)


def cancel_task_dialog(ctx, parent: QWidget | None, task: TaskRow) -> ReasonDialog:
    """Cancel an open task, with a reason (kept in the task's history)."""
    return ReasonDialog(ctx, parent, title=_t("Avbryt åtgärdspunkt"),
                        prompt=_t("Varför avbryts den? *"),
                        service=tasks.cancel_task, args=(task.id,),
                        ok_text=_t("Avbryt åtgärdspunkten"),
                        explanation=task.title, reason_kw="reason",
                        record=task, read_service=tasks.get_task)
