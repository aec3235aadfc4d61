"""Write a case note, edit one's own draft, or write a correction of a signed
note. "Spara och signera" saves and signs in one go; a signed note never
changes again."""

from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox, QLabel, QWidget

from trefas_app.domain.enums import Agency, Category
from trefas_app.services import notes
from trefas_app.services.views import NoteView
from trefas_app.ui.common import combo_enum, fmt_date
from trefas_app.ui.dialogs.base import ServiceDialog
from trefas_app.ui.widgets.fields import enum_combo, line_edit, text_area


class NoteDialog(ServiceDialog):
    def __init__(self, ctx, parent: QWidget | None, case_id: int, draft: NoteView | None = None,
                 corrects: NoteView | None = None):
        title = (self.tr("Rätta anteckning") if corrects is not None
                 else self.tr("Ändra utkast") if draft is not None
                 else self.tr("Ny anteckning"))
        super().__init__(ctx, parent, title=title, ok_text=self.tr("Spara utkast"),
                         name="noteDialog")
        self.resize(680, 520)
        self.case_id, self.draft, self.corrects = case_id, draft, corrects
        self._sign_after = False

        if corrects is not None:
            info = QLabel(self.tr("Rättar ”{title}”, signerad {date}. Den signerade anteckningen "
                                  "ändras inte; rättelsen visas tillsammans med den.").format(
                title=corrects.title, date=fmt_date(corrects.signed_at)), self)
            info.setWordWrap(True)
            self.body.insertWidget(0, info)

        self.category_combo = enum_combo(self, "category", Category, ctx.lang)
        self.title_edit = line_edit(self, "noteTitle", "notes.title")
        self.body_edit = text_area(self, "noteBody", "notes.body")
        self.body_edit.setMinimumHeight(240)
        self.form.addRow(self.tr("Kategori"), self.category_combo)
        self.form.addRow(self.tr("Rubrik *"), self.title_edit)
        self.form.addRow(self.tr("Text *"), self.body_edit)

        default = (Category.SOCIAL if ctx.actor is None or ctx.actor.agency == Agency.CITY
                   else Category.CRIMINAL)
        if draft is not None:
            self.reopened(draft)
            self.version = draft.version
        elif corrects is not None:
            self.title_edit.setText(self.tr("Rättelse: {title}").format(title=corrects.title))
            self.body_edit.setPlainText(corrects.body)
            self.category_combo.setCurrentIndex(list(Category).index(corrects.category))
        else:
            self.category_combo.setCurrentIndex(list(Category).index(default))
        if corrects is not None:
            self.category_combo.setEnabled(False)

        self.sign_button = None
        if ctx.may("note.sign"):
            self.sign_button = self.buttons.addButton(self.tr("Spara och signera"),
                                                      QDialogButtonBox.ButtonRole.ActionRole)
            self.sign_button.setObjectName("saveAndSign")
            self.sign_button.clicked.connect(self._save_and_sign)
        self.ok_button.setObjectName("saveDraft")
        self.watch(self.title_edit, self.body_edit)
        self.mark_clean()
        if corrects is not None:
            # Pre-filled text is not the user's own yet: ask only once they type.
            self._clean_state = self._snapshot()

    def read_again(self):
        return (notes.get_note, (self.draft.id,)) if self.draft is not None else None

    def reopened(self, draft: NoteView) -> None:
        """The draft as saved now (opening it, and "Öppna igen")."""
        self.draft = draft
        self.title_edit.setText(draft.title)
        self.body_edit.setPlainText(draft.body)
        self.category_combo.setCurrentIndex(list(Category).index(draft.category))

    def problems(self) -> list[str]:
        problems = []
        if not self.title_edit.text().strip():
            problems.append(self.tr("Anteckningen behöver en rubrik."))
        if not self.body_edit.toPlainText().strip():
            problems.append(self.tr("Anteckningen är tom."))
        if self.sign_button is not None:
            self.sign_button.setEnabled(not problems and not self._busy)
        return problems

    def _save_and_sign(self) -> None:
        if self._busy or not self.revalidate():
            return
        self._sign_after = True
        self.show_problem("")
        self.submit()

    def submit(self) -> None:
        title = self.title_edit.text().strip()
        body = self.body_edit.toPlainText()
        category = combo_enum(self.category_combo, Category)
        sign = self._sign_after
        self._sign_after = False
        if not sign:
            if self.draft is not None:
                self.run(notes.update_draft, self.draft.id, title, body, category,
                         expected_version=self.version)
            else:
                self.run(notes.write_note, self.case_id, title, body, category,
                         self.corrects.id if self.corrects else None)
            return
        # Save, then sign: two services, one after the other in the worker.
        self.set_busy(True)

        def saved(note: NoteView) -> None:
            # If signing fails, a second try edits this draft, as just saved.
            self.draft, self.version = note, note.version
            self.run(notes.sign_note, note.id, expected_version=note.version)

        def failed(exc) -> None:
            self._failed(exc)

        if self.draft is not None:
            op = self.ctx.run(notes.update_draft, self.draft.id, title, body, category,
                              expected_version=self.version, on_done=saved, on_error=failed)
        else:
            op = self.ctx.run(notes.write_note, self.case_id, title, body, category,
                              self.corrects.id if self.corrects else None,
                              on_done=saved, on_error=failed)
        if op is None:
            self.set_busy(False)

    def set_busy(self, busy: bool) -> None:
        super().set_busy(busy)
        if self.sign_button is not None:
            self.sign_button.setEnabled(not busy and not self.problems())
