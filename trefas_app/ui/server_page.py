"""Server mode in the window: the fields of a server's address (the first-run
wizard's "Anslut till server" page and the settings dialog), kept in the
settings file's ``server`` key (``trefas_app/settings.py``)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from trefas_app import settings as deployment
from trefas_app.domain.errors import TrefasError
from trefas_app.server.address import DEFAULT_PORT, ServerAddress, parse
from trefas_app.ui.common import muted
from trefas_app.ui.widgets.fields import line_edit
from trefas_app.ui.widgets.parts import push_button


class ServerFields(QWidget):
    """Host, port, database and the office's CA certificate; ``url()`` gives
    the checked address or raises the sentence that refuses it."""

    def __init__(self, parent: QWidget | None = None, url: str | None = None):
        super().__init__(parent)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        self.host_edit = line_edit(self, "serverHost",
                                   placeholder=self.tr("t.ex. trefas.kommun.se"))
        self.port_spin = QSpinBox(self)
        self.port_spin.setObjectName("serverPort")
        self.port_spin.setRange(1, 65535)
        self.port_spin.setValue(DEFAULT_PORT)
        self.database_edit = QLineEdit("trefas", self)
        self.database_edit.setObjectName("serverDatabase")
        self.ca_edit = line_edit(self, "serverCa",
                                 placeholder=self.tr("krävs för en server på en annan dator"))
        browse = push_button(self, self.tr("Välj …"), "serverCaBrowse", self._browse)
        row = QHBoxLayout()
        row.addWidget(self.ca_edit, 1)
        row.addWidget(browse)
        form.addRow(self.tr("Server:"), self.host_edit)
        form.addRow(self.tr("Port:"), self.port_spin)
        form.addRow(self.tr("Databas:"), self.database_edit)
        form.addRow(self.tr("CA-certifikat:"), row)
        self.browse_button = browse
        self.set_url(url)

    def set_url(self, url: str | None) -> None:
        address = parse(url)
        if address is None:
            return
        self.host_edit.setText(address.host)
        self.port_spin.setValue(address.port)
        self.database_edit.setText(address.database)
        self.ca_edit.setText(address.ca_file)

    def is_empty(self) -> bool:
        return not self.host_edit.text().strip()

    def address(self) -> ServerAddress:
        return ServerAddress(self.host_edit.text().strip(), self.port_spin.value(),
                             self.database_edit.text().strip(), self.ca_edit.text().strip())

    def url(self) -> str:
        """The address as a URL; ValidationError (one sentence) when refused."""
        return self.address().url()

    def _browse(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, self.tr("Välj kontorets CA-certifikat"), self.ca_edit.text(),
            self.tr("Certifikat (*.pem *.crt *.cer);;Alla filer (*)"))
        if path:
            self.ca_edit.setText(path)


class ServerPage(QWizardPage):
    """"Anslut till server": the address, checked and saved; the wizard then
    ends and the log-in dialog logs in to the server."""

    def __init__(self, wizard):
        super().__init__(wizard)
        self.wiz = wizard
        self.setObjectName("serverPage")
        self.setTitle(self.tr("Anslut till server"))
        self.setSubTitle(self.tr("Adressen får du av IT-avdelningen. En server på en annan "
                                 "dator nås bara krypterat, med serverns certifikat kontrollerat "
                                 "mot kontorets CA-certifikat."))
        self.setButtonText(QWizard.WizardButton.FinishButton, self.tr("Anslut"))
        lay = QVBoxLayout(self)
        self.fields = ServerFields(self)
        lay.addWidget(self.fields)
        self.message = QLabel(self)
        self.message.setObjectName("serverMessage")
        self.message.setProperty("role", "field-error")
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        lay.addWidget(self.message)
        lay.addWidget(muted(self.tr("Adressen sparas i inställningarna för den här datorn "
                                    "(Arkiv → Inställningar)."), self))
        lay.addStretch(1)
        for edit in (self.fields.host_edit, self.fields.database_edit, self.fields.ca_edit):
            edit.textChanged.connect(self._changed)

    def initializePage(self) -> None:  # noqa: N802 — Qt API
        # The wizard hides Back and Cancel on its last pages (after a store was
        # made); here nothing is made yet, so the person may go back or leave.
        self._toggle_last_page_buttons(False)

    def cleanupPage(self) -> None:  # noqa: N802 — Qt API (going Back)
        self._toggle_last_page_buttons(True)
        super().cleanupPage()

    def _toggle_last_page_buttons(self, hide: bool) -> None:
        for option in (QWizard.WizardOption.NoBackButtonOnLastPage,
                       QWizard.WizardOption.NoCancelButtonOnLastPage):
            self.wiz.setOption(option, hide)

    def _changed(self) -> None:
        self.message.setText("")
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 — Qt API
        return not self.fields.is_empty() and bool(self.fields.database_edit.text().strip())

    def validatePage(self) -> bool:  # noqa: N802 — Qt API
        try:
            url = self.fields.url()
            deployment.save_user({"server": url})
        except TrefasError as exc:
            self.message.setText(exc.message(self.wiz.ctx.lang))
            return False
        except OSError:
            self.message.setText(self.tr("Inställningsfilen kunde inte skrivas."))
            return False
        self.wiz.server_url = url
        self.wiz.ctx.server_url = url
        return True

    def nextId(self) -> int:  # noqa: N802 — Qt API
        return -1
