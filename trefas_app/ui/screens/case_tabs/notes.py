"""Anteckningar: the case notes this user may see, a reader, and writing,
editing drafts, signing and correcting. A line tells how many notes exist
that are not shared with the user's agency, and of which categories."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from trefas_app.domain.enums import NoteState
from trefas_app.services import notes
from trefas_app.services.views import NoteView, Page
from trefas_app.ui import common
from trefas_app.ui.common import enum_label, fmt_date, fmt_datetime, hidden_line
from trefas_app.ui.screens.base import BaseTab
from trefas_app.ui.widgets.parts import button_row, open_dialog, push_button, read_only_rows

PAGE = 100


class Tab(BaseTab):
    def __init__(self, ctx, case_view):
        super().__init__(ctx, case_view)
        self.notes: list[NoteView] = []
        self.total = 0
        self.hidden: dict = {}
        self._select_id: int | None = None

        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 8, 4, 4)
        self.new_button = push_button(self, self.tr("Ny anteckning …"), "newNote", self.new_note)
        self.edit_button = push_button(self, self.tr("Ändra utkast …"),
                                       "editDraft", self.edit_draft)
        self.sign_button = push_button(self, self.tr("Signera"), "signNote", self.sign)
        self.delete_button = push_button(self, self.tr("Ta bort utkast"),
                                         "deleteDraft", self.delete_draft)
        self.correct_button = push_button(self, self.tr("Rätta …"), "correctNote", self.correct)
        buttons = button_row(self.new_button, self.edit_button, self.sign_button,
                             self.delete_button, self.correct_button)
        lay.addLayout(buttons)

        split = QSplitter(Qt.Orientation.Horizontal, self)
        left = QWidget(split)
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        self.table = QTableWidget(0, 4, left)
        self.table.setObjectName("notesTable")
        self.table.setHorizontalHeaderLabels([self.tr("Datum"), self.tr("Rubrik"),
                                              self.tr("Kategori"), self.tr("Status")])
        read_only_rows(self.table)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        ll.addWidget(self.table, 1)
        self.more_button = QPushButton(self.tr("Visa fler"), left)
        self.more_button.clicked.connect(self.load_more)
        self.more_button.hide()
        ll.addWidget(self.more_button)
        self.hidden_label = QLabel(left)
        self.hidden_label.setObjectName("notesHiddenLine")
        self.hidden_label.setProperty("role", "hidden-line")
        self.hidden_label.setWordWrap(True)
        ll.addWidget(self.hidden_label)

        right = QWidget(split)
        rl = QVBoxLayout(right)
        rl.setContentsMargins(8, 0, 0, 0)
        self.reader_title = QLabel(right)
        self.reader_title.setObjectName("readerTitle")
        self.reader_title.setProperty("role", "subheading")
        self.reader_title.setTextFormat(Qt.TextFormat.PlainText)
        self.reader_title.setWordWrap(True)
        self.reader_meta = common.muted("", right)
        self.reader_meta.setTextFormat(Qt.TextFormat.PlainText)
        self.reader = QTextBrowser(right)
        self.reader.setObjectName("reader")
        self.reader.setOpenLinks(False)
        self.reader.setAccessibleName(self.tr("Anteckningens text"))
        rl.addWidget(self.reader_title)
        rl.addWidget(self.reader_meta)
        rl.addWidget(self.reader, 1)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        lay.addWidget(split, 1)
        self._update_buttons()

    def case_watches(self, case) -> tuple:
        return (("notes", case.id), ("consents", case.person.id))

    # -- loading ---------------------------------------------------------------------

    def reload(self) -> None:
        if self.case is None:
            return
        selected = self.selected()
        if selected is not None and self._select_id is None:
            self._select_id = selected.id
        self.ctx.run(notes.list_notes, self.case.id, 0, max(PAGE, len(self.notes)),
                     on_done=self._show_first, key=f"notes.{self.case.id}")

    def load_more(self) -> None:
        if self.case is None:
            return
        self.ctx.run(notes.list_notes, self.case.id, len(self.notes), PAGE,
                     on_done=self._show_more, key=f"notes.{self.case.id}")

    def _show_first(self, page: Page) -> None:
        self.notes = list(page.rows)
        self.total = page.total
        self.hidden = dict(page.hidden)
        self._fill()

    def _show_more(self, page: Page) -> None:
        if page.offset != len(self.notes):
            return
        self.notes.extend(page.rows)
        self.total = page.total
        self._fill()

    def _fill(self) -> None:
        lang = self.ctx.lang
        keep = self._select_id
        self._select_id = None
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.notes))
        select_row = -1
        for r, n in enumerate(self.notes):
            state = enum_label(n.state, lang)
            if n.corrected_by:
                state += self.tr(", rättad")
            if n.corrects_id:
                state += self.tr(", rättelse")
            cells = [fmt_date(n.signed_at or n.created_at), n.title,
                     enum_label(n.category, lang), state]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if n.state == NoteState.DRAFT:
                    f = item.font()
                    f.setItalic(True)
                    item.setFont(f)
                self.table.setItem(r, c, item)
            if n.id == keep:
                select_row = r
        self.table.blockSignals(False)
        self.more_button.setVisible(len(self.notes) < self.total)
        noun = ("anteckning", "anteckningar") if lang == "sv" else ("note", "notes")
        self.hidden_label.setText(hidden_line(self.hidden, noun[0], noun[1], lang))
        if select_row >= 0:
            self.table.selectRow(select_row)
        elif self.notes:
            self.table.selectRow(0)
        else:
            self._show_note(None)
        self._update_buttons()

    # -- reading ---------------------------------------------------------------------

    def selected(self) -> NoteView | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.notes):
            return None
        return self.notes[rows[0].row()]

    def _selection_changed(self) -> None:
        self._show_note(self.selected())
        self._update_buttons()

    def _show_note(self, n: NoteView | None) -> None:
        if n is None:
            self.reader_title.clear()
            self.reader_meta.clear()
            self.reader.clear()
            return
        lang = self.ctx.lang
        self.reader_title.setText(n.title)
        meta = [enum_label(n.category, lang), self.tr("skriven av {a} {d}").format(
            a=n.author, d=fmt_datetime(n.created_at))]
        if n.signed_at:
            meta.append(self.tr("signerad av {a} {d}").format(a=n.signed_by or "",
                                                              d=fmt_datetime(n.signed_at)))
        else:
            meta.append(self.tr("utkast – inte signerat"))
        if n.corrects_id:
            meta.append(self.tr("rättar anteckning {id}").format(id=n.corrects_id))
        if n.corrected_by:
            meta.append(self.tr("rättad i anteckning {ids}").format(
                ids=", ".join(str(i) for i in n.corrected_by)))
        self.reader_meta.setText(" · ".join(meta))
        self.reader.setPlainText(n.body)  # plain text: never interpreted as HTML

    def _update_buttons(self) -> None:
        n = self.selected()
        case = self.case
        writable = case is not None and not case.read_only and self.ctx.may("note.write")
        me = self.ctx.actor
        own_draft = (n is not None and n.state == NoteState.DRAFT and me is not None
                     and n.author_id == me.user_id)
        self.new_button.setVisible(writable)
        self.edit_button.setVisible(writable)
        self.sign_button.setVisible(writable and self.ctx.may("note.sign"))
        self.delete_button.setVisible(writable)
        self.correct_button.setVisible(writable)
        self.edit_button.setEnabled(own_draft)
        self.sign_button.setEnabled(own_draft)
        self.delete_button.setEnabled(own_draft)
        self.correct_button.setEnabled(n is not None and n.state == NoteState.SIGNED)

    # -- actions ---------------------------------------------------------------------

    def _open(self, **kwargs) -> None:
        from trefas_app.ui.dialogs.note import NoteDialog

        dlg = NoteDialog(self.ctx, self, self.case.id, **kwargs)
        dlg.succeeded.connect(lambda note: setattr(self, "_select_id", note.id))
        open_dialog(dlg)

    def new_note(self) -> None:
        if self.case is not None:
            self._open()

    def edit_draft(self) -> None:
        n = self.selected()
        if self.case is not None and n is not None:
            self._open(draft=n)

    def correct(self) -> None:
        n = self.selected()
        if self.case is not None and n is not None:
            self._open(corrects=n)

    def sign(self) -> None:
        n = self.selected()
        if self.case is None or n is None:
            return
        if not common.confirm(self, self.tr("Signera ”{title}”? En signerad anteckning kan "
                                            "inte ändras; fel rättas med en ny anteckning.")
                              .format(title=n.title), self.tr("Signera"), self.tr("Avbryt")):
            return
        self._select_id = n.id
        self.ctx.run(notes.sign_note, n.id, expected_version=n.version)

    def delete_draft(self) -> None:
        n = self.selected()
        if self.case is None or n is None:
            return
        if not common.confirm(self, self.tr("Ta bort utkastet ”{title}”?").format(title=n.title),
                              self.tr("Ta bort"), self.tr("Avbryt")):
            return
        self.ctx.run(notes.delete_draft, n.id, expected_version=n.version)

    # -- lock protocol ---------------------------------------------------------------

    def clear(self) -> None:
        self.case = None
        self.notes = []
        self.hidden = {}
        self.table.setRowCount(0)
        self._show_note(None)
        self.hidden_label.clear()

    def state(self) -> dict:
        n = self.selected()
        return {"note_id": n.id if n else None}

    def restore(self, state: dict) -> None:
        self._select_id = state.get("note_id")
