"""Överlämning: a handover document of one case to another agency.

The recipient agency (never the user's own), a free-text recipient (e.g.
"Polismyndigheten, LPO Rinkeby"), the user's own password once more, and an
optional password for the PDF file, typed twice, and — when the user has
revealed the person's protected identity — whether that identity goes into the
document (unticked: the person is shown by alias). The service decides what
the document contains; this dialog only asks.
"""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QWidget

from trefas_app.domain.enums import Agency
from trefas_app.services import documents
from trefas_app.ui.common import combo_enum, enum_label, muted
from trefas_app.ui.dialogs.base import ServiceDialog
from trefas_app.ui.widgets.fields import line_edit


class HandoverDialog(ServiceDialog):
    """``succeeded(IssuedDocumentResult)``; :attr:`pdf_password` is what the
    file was locked with (None: not locked), for the preview."""

    def __init__(self, ctx, parent: QWidget | None, case_id: int, revealed: bool = False):
        super().__init__(ctx, parent, self.tr("Överlämning"), self.tr("Skapa överlämning"),
                         name="handoverDialog")
        self.case_id = case_id
        self.pdf_password: str | None = None
        own = ctx.actor.agency if ctx.actor is not None else None

        self.agency = QComboBox(self)
        self.agency.setObjectName("recipientAgency")
        for agency in Agency:
            if agency != own:
                self.agency.addItem(enum_label(agency, ctx.lang), agency)
        self.form.addRow(self.tr("Mottagande myndighet"), self.agency)

        self.recipient = line_edit(self, "recipientText", "issued_documents.recipient")
        self.recipient.setMaxLength(150)
        self.recipient.setPlaceholderText(self.tr("t.ex. Polismyndigheten, LPO Rinkeby"))
        self.form.addRow(self.tr("Mottagare"), self.recipient)

        self.password = line_edit(self, "confirmPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.form.addRow(self.tr("Ditt lösenord"), self.password)
        self.form.addRow("", muted(self.tr("En överlämning lämnar myndigheten. Bekräfta med "
                                           "ditt lösenord."), self))

        # Asked every time the identity is revealed; never ticked beforehand.
        self.include_identity = QCheckBox(self.tr(
            "Ta med den skyddade identitet som du har visat (namn, personnummer, telefon, "
            "adress)"), self)
        self.include_identity.setObjectName("includeRevealedIdentity")
        self.include_identity.setChecked(False)
        self.include_identity.setVisible(revealed)
        if revealed:
            self.form.addRow("", self.include_identity)
            self.form.addRow("", muted(self.tr(
                "Utan bock anges personen med alias. Ditt val loggas."), self))

        self.pdf_pw = line_edit(self, "pdfPassword")
        self.pdf_pw.setEchoMode(QLineEdit.EchoMode.Password)
        self.pdf_pw2 = line_edit(self, "pdfPassword2")
        self.pdf_pw2.setEchoMode(QLineEdit.EchoMode.Password)
        self.form.addRow(self.tr("Lösenord för PDF-filen (valfritt)"), self.pdf_pw)
        self.form.addRow(self.tr("Upprepa lösenordet för PDF-filen"), self.pdf_pw2)
        self.form.addRow("", muted(self.tr(
            "Lösenordet för filen lämnas till mottagaren på annat sätt, minst {n} tecken.")
            .format(n=documents.MIN_PDF_PASSWORD), self))

        for w in (self.recipient, self.password, self.pdf_pw, self.pdf_pw2):
            w.textChanged.connect(self.revalidate)
        self.agency.currentIndexChanged.connect(self.revalidate)
        self.mark_clean()

    def problems(self) -> list[str]:
        out = []
        if self.agency.count() == 0 or self.agency.currentIndex() < 0:
            out.append(self.tr("Välj mottagande myndighet."))
        if not self.password.text():
            out.append(self.tr("Skriv ditt lösenord."))
        pw, pw2 = self.pdf_pw.text(), self.pdf_pw2.text()
        if pw or pw2:
            if len(pw) < documents.MIN_PDF_PASSWORD:
                out.append(self.tr("Lösenordet för PDF-filen måste ha minst {n} tecken.")
                           .format(n=documents.MIN_PDF_PASSWORD))
            elif pw != pw2:
                out.append(self.tr("Lösenorden för PDF-filen är inte lika."))
        return out

    def submit(self) -> None:
        agency = combo_enum(self.agency, Agency)
        pdf_password = self.pdf_pw.text() or None
        self.pdf_password = pdf_password
        self.run(documents.issue_handover, self.case_id, agency,
                 self.recipient.text().strip() or None, self.password.text(), pdf_password,
                 self.include_identity.isChecked())

    def _failed(self, exc: BaseException) -> None:
        # The password is asked again after any refusal; nothing else is lost.
        self.password.clear()
        super()._failed(exc)
