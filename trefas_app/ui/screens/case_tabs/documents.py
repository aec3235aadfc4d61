"""Dokument: issue a handover to another agency or a case summary, preview the
issued PDF, and save, print or open it.

What a document contains is decided by the service (``services.documents``);
this tab shows the result, with the list of what was left out and why above
the preview. The PDF exists only in memory here, except when the user saves
it, or opens it in the PDF reader (a private temporary file that is deleted
after ten minutes, on lock, and when the program ends).
"""

from __future__ import annotations

import atexit
import os
import tempfile
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from trefas_app.services import documents
from trefas_app.services.documents import IssuedDocumentResult
from trefas_app.ui import pdf_view
from trefas_app.ui.common import enum_label, fmt_datetime, muted
from trefas_app.ui.screens.base import BaseTab
from trefas_app.ui.widgets.parts import button_row, open_dialog, push_button

#: A temporary copy for the PDF reader lives at most this long.
TEMP_LIFETIME_MS = 10 * 60 * 1000

#: Temporary files still on disk (paths only): removed at exit at the latest.
_TEMP_FILES: set[str] = set()


def write_private(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` readable by the owner only (0600)."""
    fd = os.open(os.fspath(path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        try:
            os.fchmod(fd, 0o600)  # an existing file keeps its mode otherwise
        except (AttributeError, OSError):
            pass
        with os.fdopen(fd, "wb") as f:
            fd = -1
            f.write(data)
    finally:
        if fd >= 0:
            os.close(fd)


def remove_temp(path: str) -> None:
    _TEMP_FILES.discard(path)
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
    except OSError:
        pass


@atexit.register
def _remove_all_temp() -> None:
    for path in list(_TEMP_FILES):
        remove_temp(path)


class Tab(BaseTab):
    def __init__(self, ctx, case_view):
        super().__init__(ctx, case_view)
        self.result: IssuedDocumentResult | None = None
        self._pdf_password: str | None = None
        self._temp_paths: list[str] = []

        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 8, 4, 4)
        buttons = QHBoxLayout()
        self.handover_button = push_button(self, self.tr("Överlämning …"),
                                           "issueHandover", self.new_handover)
        self.summary_button = push_button(self, self.tr("Ärendesammanfattning"),
                                          "issueSummary", self.issue_summary)
        buttons.addWidget(self.handover_button)
        buttons.addWidget(self.summary_button)
        buttons.addStretch(1)
        lay.addLayout(buttons)

        self.intro = muted(self.tr("Ett utfärdat dokument numreras, signeras och registreras. "
                                   "Det innehåller bara det som mottagaren får ta del av."), self)
        self.intro.setWordWrap(True)
        lay.addWidget(self.intro)
        self.register_title = QLabel(self.tr("Utfärdade dokument"), self)
        self.register_title.setProperty("role", "subheading")
        lay.addWidget(self.register_title)
        self.register = QTableWidget(0, 6, self)
        self.register.setObjectName("documentRegister")
        self.register.setHorizontalHeaderLabels([
            self.tr("Nummer"), self.tr("Slag"), self.tr("Mottagare"), self.tr("Utfärdat"),
            self.tr("Av"), self.tr("Sidor")])
        self.register.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.register.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.register.verticalHeader().hide()
        self.register.horizontalHeader().setStretchLastSection(True)
        self.register.setToolTip(self.tr(
            "Trefas sparar ingen kopia av ett utfärdat dokument, bara dess nummer och "
            "kontrollsummor. Behövs det igen: utfärda ett nytt."))
        lay.addWidget(self.register)
        self.register_empty = muted(self.tr("Inga dokument har utfärdats i ärendet av eller till "
                                            "din myndighet."), self)
        self.register_empty.setObjectName("documentRegisterEmpty")
        lay.addWidget(self.register_empty)
        self.status = QLabel(self)
        self.status.setObjectName("documentStatus")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        lay.addWidget(self.status)

        self.result_box = QWidget(self)
        self.result_box.setObjectName("documentResult")
        rl = QVBoxLayout(self.result_box)
        rl.setContentsMargins(0, 0, 0, 0)
        self.doc_title = QLabel(self.result_box)
        self.doc_title.setObjectName("documentTitle")
        self.doc_title.setProperty("role", "subheading")
        self.doc_title.setTextFormat(Qt.TextFormat.PlainText)
        self.doc_title.setWordWrap(True)
        rl.addWidget(self.doc_title)
        self.omitted_title = QLabel(self.tr("Ej med i dokumentet"), self.result_box)
        self.omitted_title.setObjectName("omittedTitle")
        self.omitted_title.setProperty("role", "subheading")
        rl.addWidget(self.omitted_title)
        self.omitted_list = QListWidget(self.result_box)
        self.omitted_list.setObjectName("omittedList")
        self.omitted_list.setWordWrap(True)
        self.omitted_list.setMaximumHeight(120)
        rl.addWidget(self.omitted_list)

        self.save_button = QPushButton(self.tr("Spara …"), self.result_box)
        self.save_button.setObjectName("saveDocument")
        self.save_button.clicked.connect(self.save)
        self.print_button = QPushButton(self.tr("Skriv ut …"), self.result_box)
        self.print_button.setObjectName("printDocument")
        self.print_button.clicked.connect(self.print_document)
        self.open_button = QPushButton(self.tr("Öppna i PDF-läsaren"), self.result_box)
        self.open_button.setObjectName("openDocument")
        self.open_button.clicked.connect(self.open_external)
        actions = button_row(self.save_button, self.print_button, self.open_button)
        rl.addLayout(actions)
        self.temp_note = muted(self.tr("Den tillfälliga filen för PDF-läsaren tas bort efter "
                                       "10 minuter, när Trefas låses och när Trefas stängs."),
                               self.result_box)
        self.temp_note.setObjectName("tempNote")
        self.temp_note.setWordWrap(True)
        self.temp_note.hide()
        rl.addWidget(self.temp_note)
        self.preview = pdf_view.PdfView(self.result_box)
        rl.addWidget(self.preview, 1)
        self.result_box.hide()
        lay.addWidget(self.result_box, 1)
        lay.addStretch(0)
        self.destroyed.connect(lambda *_a, paths=self._temp_paths: [
            remove_temp(p) for p in list(paths)])
        self._update_buttons()

    def case_watches(self, case) -> tuple:
        return ("documents",)  # keyed by document: any issued document may be this case's

    def set_case(self, case) -> None:
        super().set_case(case)
        self._update_buttons()

    def reload(self) -> None:
        self._update_buttons()
        if self.case is not None:
            self.ctx.run(documents.list_case_documents, self.case.id,
                         on_done=self._show_register, key=f"documents.register.{id(self)}")

    def _show_register(self, rows) -> None:
        lang = self.ctx.lang
        self.register.setRowCount(len(rows))
        for r, d in enumerate(rows):
            values = [d.number, enum_label(d.kind, lang), d.recipient, fmt_datetime(d.issued_at),
                      f"{d.issued_by} ({enum_label(d.issued_by_agency, lang)})",
                      self.tr("{n} (lösenordsskyddad)").format(n=d.pages)
                      if d.password_protected else str(d.pages)]
            for c, value in enumerate(values):
                self.register.setItem(r, c, QTableWidgetItem(value))
        self.register.resizeColumnsToContents()
        # As tall as its rows (up to a few), so no empty box sits under them.
        shown = min(len(rows), 5)
        self.register.setFixedHeight(self.register.horizontalHeader().height() + 4 + sum(
            self.register.rowHeight(r) for r in range(shown)))
        self.register.setVisible(bool(rows))
        self.register_empty.setVisible(not rows)

    def _update_buttons(self) -> None:
        case = self.case
        has_case = case is not None
        self.handover_button.setVisible(self.ctx.may("document.handover"))
        self.summary_button.setVisible(self.ctx.may("document.summary"))
        self.handover_button.setEnabled(has_case and not getattr(case, "read_only", False))
        self.summary_button.setEnabled(has_case)

    # -- issuing ---------------------------------------------------------------------

    def new_handover(self) -> None:
        from trefas_app.ui.dialogs.document_handover import HandoverDialog

        if self.case is None:
            return
        dlg = HandoverDialog(self.ctx, self, self.case.id, revealed=self.case.person.revealed)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.succeeded.connect(lambda result, d=dlg: self.show_result(result, d.pdf_password))
        self.handover_dialog = dlg
        dlg.open()

    def issue_summary(self) -> None:
        if self.case is None:
            return
        self.summary_button.setEnabled(False)
        self.status.setText(self.tr("Sammanfattningen skapas …"))

        self.ctx.run(documents.issue_case_summary, self.case.id,
                     on_done=lambda r: (self._update_buttons(), self.show_result(r, None)),
                     on_error=self._summary_failed)

    def _summary_failed(self, exc) -> None:
        from trefas_app.domain.errors import TrefasError

        self._update_buttons()
        self.status.setText(exc.message(self.ctx.lang) if isinstance(exc, TrefasError) else "")

    # -- the result ------------------------------------------------------------------

    def show_result(self, result: IssuedDocumentResult, pdf_password: str | None) -> None:
        self._drop_temp()
        self.result = result
        self._pdf_password = pdf_password
        lang = self.ctx.lang
        self.status.clear()
        title = self.tr("{kind} {number} till {recipient}, %n sidor, {at}", "",
                        result.pages).format(
            kind=enum_label(result.kind, lang), number=result.number,
            recipient=result.recipient, at=fmt_datetime(result.issued_at))
        if result.password_protected:
            title += self.tr(" (lösenordsskyddad)")
        self.doc_title.setText(title)
        self.omitted_list.clear()
        if result.omitted:
            self.omitted_list.addItems(list(result.omitted))
        else:
            self.omitted_list.addItem(self.tr("Ingenting har utelämnats."))
        self.preview.clear()
        self.result_box.show()
        self.temp_note.hide()
        number = result.number
        self.ctx.run_plain(pdf_view.render_pages, result.pdf_bytes, pdf_password,
                           on_done=lambda images, n=number: self._show_pages(n, images),
                           on_error=lambda _e: self.status.setText(
                               self.tr("Förhandsvisningen kunde inte visas.")),
                           key=f"documents.preview.{id(self)}")

    def _show_pages(self, number: str, images) -> None:
        if self.result is None or self.result.number != number:
            return
        self.preview.set_images(images)

    # -- save, print, open -----------------------------------------------------------

    def _suggested_name(self) -> str:
        return f"{self.result.number}.pdf" if self.result else "dokument.pdf"

    def save(self) -> None:
        if self.result is None:
            return
        dlg = QFileDialog(self, self.tr("Spara dokument"))
        dlg.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dlg.setNameFilter(self.tr("PDF-filer (*.pdf)"))
        dlg.setDefaultSuffix("pdf")
        dlg.selectFile(self._suggested_name())
        dlg.fileSelected.connect(self.save_to)
        open_dialog(dlg)

    def save_to(self, path: str) -> bool:
        if self.result is None or not path:
            return False
        try:
            write_private(path, self.result.pdf_bytes)
        except OSError:
            self.status.setText(self.tr("Filen kunde inte sparas."))
            return False
        self.status.setText(self.tr("Sparat som {name}.").format(name=Path(path).name))
        return True

    def print_document(self) -> None:
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        if self.result is None:
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self.result.number)
        dlg = QPrintDialog(printer, self)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.accepted.connect(lambda p=printer: self.print_to(p))
        self._printer = printer  # kept alive while the dialog is open
        dlg.open()

    def print_to(self, printer) -> None:
        result = self.result
        if result is None:
            return
        try:
            printed = pdf_view.print_pdf(printer, result.pdf_bytes, self._pdf_password)
        except Exception:  # noqa: BLE001 — a printer problem is not a program error
            printed = 0
        if not printed:
            self.status.setText(self.tr("Dokumentet kunde inte skrivas ut."))
            return
        self.ctx.run(documents.record_print, result.number,
                     on_done=lambda _r: self.status.setText(
                         self.tr("Utskriften är registrerad.")),
                     on_error=self._summary_failed)

    def open_external(self) -> None:
        if self.result is None:
            return
        fd, path = tempfile.mkstemp(prefix="trefas-", suffix=".pdf")
        os.close(fd)
        try:
            write_private(path, self.result.pdf_bytes)
        except OSError:
            remove_temp(path)
            self.status.setText(self.tr("Filen kunde inte skapas."))
            return
        _TEMP_FILES.add(path)
        self._temp_paths.append(path)
        QTimer.singleShot(TEMP_LIFETIME_MS, lambda p=path: remove_temp(p))
        self.temp_note.show()
        QDesktopServices.openUrl(QUrl.fromLocalFile(path))

    def _drop_temp(self) -> None:
        for path in list(self._temp_paths):
            remove_temp(path)
        self._temp_paths.clear()

    # -- lock protocol ---------------------------------------------------------------

    def clear(self) -> None:
        self._drop_temp()
        self.case = None
        self.result = None
        self._pdf_password = None
        self.preview.clear()
        self.omitted_list.clear()
        self.doc_title.clear()
        self.status.clear()
        self.register.setRowCount(0)
        self.result_box.hide()
