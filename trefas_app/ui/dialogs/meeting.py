"""Joint meetings and the operational group: a new meeting with its
participants, a case discussed with what was decided, and marking the
meeting as held (who was absent)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QListWidget,
    QListWidgetItem,
    QWidget,
)

from trefas_app.domain import clock
from trefas_app.domain.enums import MeetingKind
from trefas_app.services import meetings
from trefas_app.services.views import UnitView
from trefas_app.services.views_ops import MeetingView
from trefas_app.ui.common import combo_enum, enum_label, fmt_datetime, muted
from trefas_app.ui.dialogs.base import (
    ServiceDialog,
    field_error_label,
    field_problems,
    note_problem,
    text_problem,
)
from trefas_app.ui.dialogs.task_pickers import (
    Candidate,
    CasePicker,
    UserChecklist,
    datetime_edit,
    load_directory,
    local_now,
    merge,
    to_datetime,
)
from trefas_app.ui.widgets.fields import enum_combo, line_edit, text_area


class MeetingDialog(ServiceDialog):
    """Nytt möte, chaired by the user (who is always a participant).
    Participants are offered from the user directory (``users.user_directory``),
    plus any ``candidates`` given."""

    def __init__(self, ctx, parent: QWidget | None, units: list[UnitView],
                 candidates: list[Candidate] = ()):
        super().__init__(ctx, parent, title=self.tr("Nytt möte"), ok_text=self.tr("Skapa möte"),
                         name="meetingDialog", width=580)
        self.resize(620, 620)
        lang = ctx.lang
        self.kind_combo = enum_combo(self, "kind", MeetingKind, lang)
        self.unit_combo = QComboBox(self)
        self.unit_combo.setObjectName("unit")
        self.unit_combo.addItem(self.tr("Välj enhet"), None)
        for u in units:
            self.unit_combo.addItem(f"{u.name} ({enum_label(u.agency, lang)})", u.id)
        if ctx.actor is not None:
            i = self.unit_combo.findData(ctx.actor.unit_id)
            if i >= 0:
                self.unit_combo.setCurrentIndex(i)
        self.title_edit = line_edit(self, "title", "meetings.title",
                                    placeholder=self.tr("t.ex. Operativ grupp Järva, vecka 12"))
        self.when_edit = datetime_edit(self, local_now().replace(minute=0))
        self.when_edit.setObjectName("heldAt")
        self.place_edit = line_edit(self, "place", "meetings.place")
        self.participants = UserChecklist(self, lang=lang)
        self.participants.setObjectName("participants")
        self.participants.setMinimumHeight(160)
        self.directory_note = muted("", self)
        self._candidates = list(candidates)
        self._me: list[Candidate] = []
        actor = ctx.actor
        if actor is not None:
            self._me = [Candidate(actor.user_id, actor.display_name, actor.role, actor.agency,
                                  actor.unit_name)]
        self._set_people([], loaded=False)
        self.form.addRow(self.tr("Typ"), self.kind_combo)
        self.form.addRow(self.tr("Enhet *"), self.unit_combo)
        self.form.addRow(self.tr("Rubrik *"), self.title_edit)
        self.form.addRow(self.tr("Tid *"), self.when_edit)
        self.form.addRow(self.tr("Plats"), self.place_edit)
        self.form.addRow(self.tr("Deltagare"), self.participants)
        self.form.addRow("", self.directory_note)
        self.watch(self.unit_combo, self.title_edit, self.place_edit, self.participants)
        self.mark_clean()
        load_directory(ctx, self._directory_loaded, key=f"meeting_dialog.users.{id(self)}",
                       owner=self)

    def _set_people(self, directory: list[Candidate], loaded: bool = True) -> None:
        fixed = {c.user_id for c in self._me}
        self.participants.set_candidates(merge(self._me, self._candidates, directory),
                                         fixed=fixed)
        if not loaded:
            self.directory_note.setText(self.tr("Hämtar användarkatalogen …"))
        elif not directory and not self._candidates:
            self.directory_note.setText(self.tr(
                "Användarkatalogen kunde inte hämtas; bara du finns med som deltagare."))
        else:
            self.directory_note.setText(self.tr("Du är ordförande och alltid med."))

    def _directory_loaded(self, directory: list[Candidate]) -> None:
        dirty = self.is_dirty()
        self._set_people(directory)
        if not dirty:
            self.mark_clean()

    def problems(self) -> list[str]:
        problems = []
        if self.unit_combo.currentData() is None:
            problems.append(self.tr("Välj enhet."))
        title = self.title_edit.text().strip()
        note_problem(problems, text_problem(
            title, self.tr("Ange en rubrik."),
            self.tr("Rubriken får vara högst 200 tecken."), 200))
        if len(self.place_edit.text().strip()) > 200:
            problems.append(self.tr("Platsen får vara högst 200 tecken."))
        return problems

    def submit(self) -> None:
        self.run(meetings.create_meeting, combo_enum(self.kind_combo, MeetingKind),
                 self.unit_combo.currentData(), self.title_edit.text().strip(),
                 to_datetime(self.when_edit.dateTime()),
                 self.place_edit.text().strip() or None, self.participants.checked_ids())


class MeetingItemDialog(ServiceDialog):
    """A case discussed at a meeting, and what was decided. ``meeting``: a
    MeetingView or MeetingRow (id, title, held_at); without one, the user
    chooses among ``meeting_rows`` (from the case tab)."""

    def __init__(self, ctx, parent: QWidget | None, meeting=None,
                 case_id: int | None = None, case_text: str = "", meeting_rows=()):
        super().__init__(ctx, parent, title=self.tr("Ärende på mötet"),
                         ok_text=self.tr("Lägg till"), name="meetingItemDialog", width=580)
        self.meeting = meeting
        self.meeting_combo: QComboBox | None = None
        if meeting is not None:
            self.body.insertWidget(0, muted(f"{meeting.title} · {fmt_datetime(meeting.held_at)}",
                                            self))
        else:
            self.meeting_combo = QComboBox(self)
            self.meeting_combo.setObjectName("meeting")
            self.meeting_combo.addItem(self.tr("Välj möte"), None)
            for m in meeting_rows:
                self.meeting_combo.addItem(f"{fmt_datetime(m.held_at)} · {m.title}", m.id)
            self.meeting_combo.currentIndexChanged.connect(self.revalidate)
            self.form.addRow(self.tr("Möte *"), self.meeting_combo)
        self.case_picker = CasePicker(ctx, self)
        if case_id is not None:
            self.case_picker.set_case(case_id, case_text, locked=True)
        self.discussion_edit = text_area(self, "discussion", "meeting_items.discussion")
        self.discussion_edit.setMinimumHeight(120)
        self.decision_edit = text_area(self, "decision", "meeting_items.decision")
        self.decision_edit.setFixedHeight(80)
        self.form.addRow(self.tr("Ärende *"), self.case_picker)
        self.form.addRow(self.tr("Diskussion *"), self.discussion_edit)
        self.form.addRow(self.tr("Beslut"), self.decision_edit)
        self.watch(self.case_picker, self.discussion_edit, self.decision_edit)
        self.mark_clean()

    def meeting_id(self) -> int | None:
        if self.meeting is not None:
            return self.meeting.id
        return self.meeting_combo.currentData() if self.meeting_combo is not None else None

    def problems(self) -> list[str]:
        problems = []
        if self.meeting_id() is None:
            problems.append(self.tr("Välj möte."))
        if self.case_picker.case_id() is None:
            problems.append(self.tr("Välj ärende."))
        if not self.discussion_edit.toPlainText().strip():
            problems.append(self.tr("Skriv vad som diskuterades."))
        return problems

    def submit(self) -> None:
        case_id = self.case_picker.case_id()
        meeting_id = self.meeting_id()
        self.run(meetings.add_meeting_item, meeting_id, case_id,
                 self.discussion_edit.toPlainText().strip(),
                 self.decision_edit.toPlainText().strip() or None)


class MarkHeldDialog(ServiceDialog):
    """The meeting took place: untick those who did not attend. Afterwards no
    more cases can be added to its minutes."""

    def __init__(self, ctx, parent: QWidget | None, meeting: MeetingView):
        super().__init__(ctx, parent, title=self.tr("Markera mötet som hållet"),
                         ok_text=self.tr("Markera som hållet"), name="markHeldDialog", width=480)
        self.meeting = meeting
        self.body.insertWidget(0, muted(self.tr(
            "Bocka ur dem som inte var med. När mötet är markerat som hållet kan protokollet "
            "inte längre ändras."), self))
        self.present = QListWidget(self)
        self.present.setObjectName("present")
        for p in meeting.participants:
            item = QListWidgetItem(f"{p.display_name} – {enum_label(p.agency, ctx.lang)}",
                                   self.present)
            item.setData(Qt.ItemDataRole.UserRole, p.user_id)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
        self.time_error = field_error_label(self)
        self.form.addRow(self.tr("Närvarande"), self.present)
        self.form.addRow("", self.time_error)
        self.present.itemChanged.connect(self.revalidate)
        self.mark_clean()

    def absent_ids(self) -> list[int]:
        out = []
        for i in range(self.present.count()):
            item = self.present.item(i)
            if item.checkState() != Qt.CheckState.Checked:
                out.append(int(item.data(Qt.ItemDataRole.UserRole)))
        return out

    def problems(self) -> list[str]:
        text = ""
        if self.meeting.held_at > clock.now_utc():
            text = self.tr("Mötet kan inte markeras som hållet före mötestiden ({time}).").format(
                time=fmt_datetime(self.meeting.held_at))
        return field_problems(self.time_error, text)

    def is_dirty(self) -> bool:
        return bool(self.absent_ids())

    def submit(self) -> None:
        self.run(meetings.mark_meeting_held, self.meeting.id, self.absent_ids())


def participants_text(meeting: MeetingView, lang: str) -> str:
    parts = []
    for p in meeting.participants:
        mark = "" if p.present or not meeting.held else (" (frånvarande)" if lang == "sv"
                                                          else " (absent)")
        parts.append(f"{p.display_name}, {enum_label(p.agency, lang)}{mark}")
    return "; ".join(parts)
