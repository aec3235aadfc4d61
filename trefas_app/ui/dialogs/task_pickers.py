"""Pickers shared by the task, meeting, incident and plan dialogs.

* :class:`CasePicker` — search-as-you-type over the cases the user may see
  (case number, name, personnummer), through ``cases.list_cases``;
* :class:`UserCombo` — choose one person (or nobody);
* :class:`UserChecklist` — tick several people;
* :class:`DateField` — a date, optionally empty, and :func:`to_date` / :func:`qdate`.

People come as :class:`Candidate` values, made from a case's team
(``TeamMemberView``), from the user directory (``users.user_directory``,
every role with case work) or from ``users.list_users`` (``UserView``).
Nothing here touches the store.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import QDate, QDateTime, Qt, QTime, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from trefas_app.domain import clock
from trefas_app.domain.enums import Agency, Role
from trefas_app.ui import style
from trefas_app.ui.common import enum_label
from trefas_app.ui.widgets.fields import line_edit


@dataclass(frozen=True)
class Candidate:
    user_id: int
    name: str
    role: Role
    agency: Agency
    unit_name: str = ""

    def text(self, lang: str = "sv") -> str:
        unit = f", {self.unit_name}" if self.unit_name else ""
        return f"{self.name} – {enum_label(self.role, lang)} ({enum_label(self.agency, lang)}{unit})"


def from_team(team) -> list[Candidate]:
    return [Candidate(t.user_id, t.display_name, t.role, t.agency, t.unit_name) for t in team]


def merge(*groups: list[Candidate]) -> list[Candidate]:
    seen: dict[int, Candidate] = {}
    for group in groups:
        for c in group:
            seen.setdefault(c.user_id, c)
    return sorted(seen.values(), key=lambda c: (c.name.lower(), c.user_id))


def from_directory(entries) -> list[Candidate]:
    """Candidates from ``users.user_directory`` (active, no administrators)."""
    return [Candidate(e.id, e.display_name, e.role, e.agency, e.unit_name) for e in entries]


def load_directory(ctx, on_done, key: str = "pickers.users", agency=None,
                   owner=None) -> None:
    """Active users (not administrators) from the user directory, for every
    role with case work; otherwise ``on_done([])`` at once (the dialog then
    offers the case team or the user alone). ``owner``: the widget waiting for
    the answer; nothing is delivered once it has been deleted (a dialog closed
    before the directory came)."""
    if not ctx.may("case.read"):
        on_done([])
        return
    from shiboken6 import isValid

    from trefas_app.services import users

    def deliver(candidates: list[Candidate]) -> None:
        if owner is None or isValid(owner):
            on_done(candidates)

    if ctx.run(users.user_directory, agency,
               on_done=lambda rows: deliver(from_directory(rows)),
               on_error=lambda _exc: deliver([]), key=key) is None:
        on_done([])


class UserCombo(QComboBox):
    """One person, or nobody (when ``none_text`` is given)."""

    def __init__(self, parent: QWidget | None = None, none_text: str = "", lang: str = "sv"):
        super().__init__(parent)
        self.lang = lang
        self.none_text = none_text
        self.set_candidates([])

    def set_candidates(self, candidates: list[Candidate], keep: int | None = None,
                       more: list[Candidate] = ()) -> None:
        """``candidates`` first; ``more`` (others not among them) after a separator."""
        current = keep if keep is not None else self.user_id()
        self.blockSignals(True)
        self.clear()
        if self.none_text:
            self.addItem(self.none_text, None)
        for c in candidates:
            self.addItem(c.text(self.lang), c.user_id)
        shown = {c.user_id for c in candidates}
        rest = [c for c in more if c.user_id not in shown]
        if rest:
            self.insertSeparator(self.count())
            for c in rest:
                self.addItem(c.text(self.lang), c.user_id)
        self.blockSignals(False)
        if current is not None:
            self.select(current)
        self.currentIndexChanged.emit(self.currentIndex())

    def user_id(self) -> int | None:
        data = self.currentData()
        return int(data) if data is not None else None

    def select(self, user_id: int | None) -> bool:
        for i in range(self.count()):
            if self.itemData(i) == user_id:
                self.setCurrentIndex(i)
                return True
        return False


class UserChecklist(QListWidget):
    """Tick the people to include; ``fixed`` ids are ticked and cannot be
    unticked (the meeting's chair)."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None, lang: str = "sv"):
        super().__init__(parent)
        self.lang = lang
        self.fixed: set[int] = set()
        self.itemChanged.connect(lambda _item: self.changed.emit())

    def set_candidates(self, candidates: list[Candidate], checked: set[int] | None = None,
                       fixed: set[int] | None = None) -> None:
        keep = set(checked if checked is not None else self.checked_ids())
        self.fixed = set(fixed or ())
        self.blockSignals(True)
        self.clear()
        for c in candidates:
            item = QListWidgetItem(c.text(self.lang), self)
            item.setData(Qt.ItemDataRole.UserRole, c.user_id)
            flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable
            if c.user_id in self.fixed:
                flags = Qt.ItemFlag.ItemIsEnabled
            item.setFlags(flags)
            item.setCheckState(Qt.CheckState.Checked if c.user_id in keep | self.fixed
                               else Qt.CheckState.Unchecked)
        self.blockSignals(False)
        self.changed.emit()

    def checked_ids(self) -> list[int]:
        out = []
        for i in range(self.count()):
            item = self.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                out.append(int(item.data(Qt.ItemDataRole.UserRole)))
        return out

    def set_checked(self, user_id: int, checked: bool = True) -> None:
        for i in range(self.count()):
            item = self.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == user_id and user_id not in self.fixed:
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)


class CasePicker(QWidget):
    """Find a case by number, name or personnummer; the chosen case is shown
    under the field. ``changed`` fires when the choice changes."""

    changed = Signal()
    DEBOUNCE_MS = 200
    LIMIT = 8

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self._case_id: int | None = None
        self._case_text = ""
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(4)
        self.search = line_edit(
            self, "caseSearch", placeholder=self.tr("Sök ärendenummer, namn eller personnummer …"))
        self.search.setClearButtonEnabled(True)
        self.results = QListWidget(self)
        self.results.setObjectName("caseResults")
        self.results.setMaximumHeight(150)
        self.results.hide()
        self.chosen = QLabel(self)
        self.chosen.setObjectName("chosenCase")
        self.chosen.setTextFormat(Qt.TextFormat.PlainText)
        self.chosen.setProperty("role", "muted")
        lay.addWidget(self.search)
        lay.addWidget(self.results)
        lay.addWidget(self.chosen)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(self.DEBOUNCE_MS)
        self._timer.timeout.connect(self._search)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.results.itemActivated.connect(self._choose)
        self.results.itemClicked.connect(self._choose)
        self._update_chosen()

    def case_id(self) -> int | None:
        return self._case_id

    def set_case(self, case_id: int, text: str, locked: bool = False) -> None:
        self._case_id, self._case_text = case_id, text
        self.search.setVisible(not locked)
        self.results.hide()
        self._update_chosen()
        self.changed.emit()

    def _update_chosen(self) -> None:
        if self._case_id is None:
            self.chosen.setText(self.tr("Inget ärende valt."))
        else:
            self.chosen.setText(self.tr("Valt: {case}").format(case=self._case_text))

    def _search(self) -> None:
        from trefas_app.services import cases
        from trefas_app.services.cases import CaseFilter

        text = self.search.text().strip()
        if len(text) < 2:
            self.results.clear()
            self.results.hide()
            return
        self.ctx.run(cases.list_cases, CaseFilter(query=text), 0, self.LIMIT,
                     on_done=self._show, on_error=lambda _e: None,
                     key=f"case_picker.{id(self)}")

    def _show(self, page) -> None:
        self.results.clear()
        for row in page.rows:
            text = f"{row.number} · {row.person_name} · {row.title}"
            item = QListWidgetItem(text, self.results)
            item.setData(Qt.ItemDataRole.UserRole, (row.id, text))
            if row.protected:
                item.setIcon(style.shield_icon())
        if not page.rows:
            item = QListWidgetItem(self.tr("Inga ärenden hittades."), self.results)
            item.setFlags(Qt.ItemFlag.NoItemFlags)
        self.results.show()

    def _choose(self, item: QListWidgetItem) -> None:
        data = item.data(Qt.ItemDataRole.UserRole)
        if not data:
            return
        case_id, text = data
        self._case_id, self._case_text = int(case_id), text
        self.results.hide()
        self._update_chosen()
        self.changed.emit()


# --- dates ---------------------------------------------------------------------------


def qdate(d: dt.date) -> QDate:
    return QDate(d.year, d.month, d.day)


def to_date(q: QDate) -> dt.date | None:
    if not q.isValid():
        return None
    return dt.date(q.year(), q.month(), q.day())


def today() -> dt.date:
    return clock.today()


class DateField(QWidget):
    """A calendar date. With ``optional``, a tick box in front says whether a
    date is given at all (unticked: ``date()`` is None)."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None, value: dt.date | None = None,
                 optional: bool = False, check_text: str = ""):
        super().__init__(parent)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.check: QCheckBox | None = None
        if optional:
            self.check = QCheckBox(check_text, self)
            self.check.setChecked(value is not None)
            self.check.toggled.connect(self._toggled)
            lay.addWidget(self.check)
        self.edit = QDateEdit(qdate(value or today()), self)
        self.edit.setCalendarPopup(True)
        self.edit.setDisplayFormat("yyyy-MM-dd")
        if check_text:
            self.edit.setAccessibleName(check_text)  # "Från": the tick box in front says it
        self.edit.dateChanged.connect(lambda _d: self.changed.emit())
        lay.addWidget(self.edit)
        lay.addStretch(1)
        self._toggled()

    def _toggled(self, *_a) -> None:
        self.edit.setEnabled(self.check is None or self.check.isChecked())
        self.changed.emit()

    def date(self) -> dt.date | None:
        if self.check is not None and not self.check.isChecked():
            return None
        return to_date(self.edit.date())

    def set_date(self, value: dt.date | None) -> None:
        if self.check is not None:
            self.check.setChecked(value is not None)
        if value is not None:
            self.edit.setDate(qdate(value))


def local_now() -> dt.datetime:
    return clock.now_local().replace(second=0, microsecond=0)


def qdatetime(value: dt.datetime) -> QDateTime:
    from trefas_app.ui.common import local

    v = local(value)
    return QDateTime(QDate(v.year, v.month, v.day), QTime(v.hour, v.minute))


def to_datetime(q: QDateTime) -> dt.datetime:
    """The Swedish wall-clock time in the editor as an aware datetime."""
    d, t = q.date(), q.time()
    return dt.datetime(d.year(), d.month(), d.day(), t.hour(), t.minute(),
                       tzinfo=clock.office_zone())


def datetime_edit(parent: QWidget | None, value: dt.datetime | None = None) -> QDateTimeEdit:
    edit = QDateTimeEdit(qdatetime(value or local_now()), parent)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd HH:mm")
    return edit
