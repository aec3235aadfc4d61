"""Verifiera dokument: is this PDF one that this installation issued, unchanged?

Choose a file (or drop one on the dialog), give its password if it has one,
and the worker runs ``documents.verify_document``. The answer is green or red
with the reason, and — when the file carries a valid record — its number,
recipient, issuer and time of issue.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from trefas_app.documents.verification import read_document_file
from trefas_app.domain.errors import TrefasError
from trefas_app.services import documents
from trefas_app.ui.accessibility import TunedOnShow
from trefas_app.ui.common import enum_label, fmt_datetime, muted
from trefas_app.ui.widgets.fields import line_edit
from trefas_app.ui.widgets.parts import push_button

_OK_STYLE = ("QLabel#verifyResult { background: #e3f4e6; color: #14532d; "
             "border: 1px solid #2e7d32; border-radius: 4px; padding: 8px; }")
_BAD_STYLE = ("QLabel#verifyResult { background: #fde8e8; color: #7f1d1d; "
              "border: 1px solid #c62828; border-radius: 4px; padding: 8px; }")


class VerifyDocumentDialog(TunedOnShow, QDialog):
    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("verifyDialog")
        self.setWindowTitle(self.tr("Verifiera dokument"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setAcceptDrops(True)
        self.check: documents.DocumentCheck | None = None
        self._data: bytes | None = None
        self._busy = False

        lay = QVBoxLayout(self)
        lay.addWidget(muted(self.tr("Välj en PDF-fil eller dra den hit. Trefas kontrollerar "
                                    "att dokumentet är utfärdat här och inte har ändrats."),
                            self))
        form = QFormLayout()
        row = QHBoxLayout()
        self.file_label = line_edit(self, "verifyFile")
        self.file_label.setReadOnly(True)
        self.choose_button = push_button(self, self.tr("Välj fil …"),
                                         "chooseFile", self.choose_file)
        row.addWidget(self.file_label, 1)
        row.addWidget(self.choose_button)
        form.addRow(self.tr("Fil"), row)
        self.password = line_edit(self, "verifyPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(self.tr("om filen är lösenordsskyddad"))
        form.addRow(self.tr("Lösenord för filen"), self.password)
        lay.addLayout(form)

        self.result_label = QLabel(self)
        self.result_label.setObjectName("verifyResult")
        self.result_label.setWordWrap(True)
        self.result_label.setTextFormat(Qt.TextFormat.PlainText)
        self.result_label.hide()
        lay.addWidget(self.result_label)
        self.details = QFormLayout()
        self.number_label = self._detail(self.tr("Nummer"), "verifyNumber")
        self.kind_label = self._detail(self.tr("Slag"), "verifyKind")
        self.recipient_label = self._detail(self.tr("Mottagare"), "verifyRecipient")
        self.issuer_label = self._detail(self.tr("Utfärdat av"), "verifyIssuer")
        self.issued_label = self._detail(self.tr("Utfärdat"), "verifyIssued")
        lay.addLayout(self.details)

        buttons = QDialogButtonBox(self)
        self.verify_button = buttons.addButton(self.tr("Kontrollera"),
                                               QDialogButtonBox.ButtonRole.ActionRole)
        self.verify_button.setObjectName("verifyButton")
        self.verify_button.clicked.connect(self.verify)
        close = buttons.addButton(self.tr("Stäng"), QDialogButtonBox.ButtonRole.RejectRole)
        close.clicked.connect(self.reject)
        lay.addWidget(buttons)
        self.password.returnPressed.connect(self.verify)
        self._update()
        self.resize(520, 360)

    def _detail(self, title: str, name: str) -> QLabel:
        lbl = QLabel(self)
        lbl.setObjectName(name)
        lbl.setTextFormat(Qt.TextFormat.PlainText)
        lbl.setWordWrap(True)
        self.details.addRow(title, lbl)
        return lbl

    def _update(self) -> None:
        self.verify_button.setEnabled(self._data is not None and not self._busy)

    # -- the file ---------------------------------------------------------------------

    def choose_file(self) -> None:
        dlg = QFileDialog(self, self.tr("Välj dokument"))
        dlg.setFileMode(QFileDialog.FileMode.ExistingFile)
        dlg.setNameFilter(self.tr("PDF-filer (*.pdf)"))
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.fileSelected.connect(self.load_file)
        dlg.open()

    def load_file(self, path: str) -> None:
        p = Path(path)
        try:
            data = read_document_file(p)
        except TrefasError as exc:
            self._show_error(exc.message(self.ctx.lang))
            return
        self.set_bytes(data, p.name)
        self.verify()

    def set_bytes(self, data: bytes, name: str = "") -> None:
        self._data = bytes(data)
        self.file_label.setText(name)
        self._clear_result()
        self._update()

    def dragEnterEvent(self, event) -> None:
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        if len(urls) == 1 and urls[0].isLocalFile():
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event) -> None:
        urls = event.mimeData().urls()
        if urls and urls[0].isLocalFile():
            event.acceptProposedAction()
            self.load_file(urls[0].toLocalFile())

    # -- checking ---------------------------------------------------------------------

    def check_bytes(self, data: bytes, password: str | None = None) -> None:
        """Check ``data`` as if it had been chosen as a file (for drops and tests)."""
        self.set_bytes(data)
        if password is not None:
            self.password.setText(password)
        self.verify()

    def verify(self) -> None:
        store = self.ctx.store
        if self._data is None or self._busy or store is None:
            return
        self._busy = True
        self._update()
        self._clear_result()
        self.ctx.run_plain(documents.verify_document, store, self._data,
                           self.password.text() or None, on_done=self._show,
                           on_error=self._failed)

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        self._update()
        if isinstance(exc, TrefasError):
            self._show_error(exc.message(self.ctx.lang))
        else:
            self._show_error(self.tr("Dokumentet kunde inte kontrolleras."))

    def _show_error(self, text: str) -> None:
        self.check = None
        self.result_label.setProperty("ok", False)
        self.result_label.setStyleSheet(_BAD_STYLE)
        self.result_label.setText(text)
        self.result_label.show()

    def _clear_result(self) -> None:
        self.check = None
        self.result_label.hide()
        self.result_label.clear()
        for lbl in (self.number_label, self.kind_label, self.recipient_label,
                    self.issuer_label, self.issued_label):
            lbl.clear()

    def _show(self, check: documents.DocumentCheck) -> None:
        self._busy = False
        self._update()
        self.check = check
        lang = self.ctx.lang
        head = self.tr("Dokumentet är äkta och oförändrat.") if check.ok else \
            self.tr("Dokumentet kunde inte verifieras.")
        self.result_label.setProperty("ok", bool(check.ok))
        self.result_label.setStyleSheet(_OK_STYLE if check.ok else _BAD_STYLE)
        self.result_label.setText(f"{head}\n{check.message(lang)}")
        self.result_label.show()
        self.number_label.setText(check.number or "")
        self.kind_label.setText(enum_label(check.kind, lang) if check.kind else "")
        self.recipient_label.setText(check.recipient or "")
        issuer = check.issued_by or ""
        if check.issued_by_agency is not None:
            issuer += f" ({enum_label(check.issued_by_agency, lang)})"
        self.issuer_label.setText(issuer)
        self.issued_label.setText(fmt_datetime(check.issued_at))

    def done(self, r: int) -> None:
        # Forget the file when the dialog closes.
        self._data = None
        self.password.clear()
        self._clear_result()
        super().done(r)
