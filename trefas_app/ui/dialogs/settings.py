"""This computer's settings (Arkiv → Inställningar) and the self-test (Hjälp → Självtest).

The settings dialog edits the user's deployment settings file
(:mod:`trefas_app.settings`): store folder, server (server mode), lock time,
language and office time zone. A key the IT department has locked in the
machine file is shown read-only with the machine's value. The values take
effect at the next start, except the language, which the window also keeps
in its own settings (as the Språk menu does).
"""

from __future__ import annotations

from zoneinfo import available_timezones

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from trefas_app import selftest
from trefas_app import settings as deployment
from trefas_app.domain.clock import DEFAULT_OFFICE_ZONE
from trefas_app.domain.errors import TrefasError
from trefas_app.ui import common
from trefas_app.ui.widgets.fields import text_area


class SettingsDialog(QDialog):
    """Edits the user settings file; ``saved_path`` is set after a save."""

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("settingsDialog")
        self.setWindowTitle(self.tr("Inställningar för den här datorn"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.current = deployment.load()
        self.saved_path = None

        outer = QVBoxLayout(self)
        form = QFormLayout()
        self.store_edit = QLineEdit(self.current.store or "", self)
        self.store_edit.setObjectName("storeFolder")
        self.store_edit.setPlaceholderText(str(ctx.store_dir))
        browse = QPushButton(self.tr("Välj …"), self)
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.store_edit, 1)
        row.addWidget(browse)
        form.addRow(self.tr("Lagringsplats (mapp)"), row)
        from trefas_app.ui.server_page import ServerFields

        self.server_fields = ServerFields(self, self.current.server)
        self.server_fields.setObjectName("server")
        self.server_fields.setToolTip(self.tr("Tomt: lagringsplatsen i mappen ovan. Ifyllt: "
                                              "Trefas loggar in på servern."))
        form.addRow(self.tr("Server (serverläge)"), self.server_fields)
        self.lock_spin = QSpinBox(self)
        self.lock_spin.setObjectName("lockMinutes")
        self.lock_spin.setRange(0, deployment.LOCK_RANGE[1])
        self.lock_spin.setSpecialValueText(self.tr("lagringsplatsens inställning"))
        self.lock_spin.setSuffix(self.tr(" minuter"))
        self.lock_spin.setValue(self.current.lock_minutes or 0)
        form.addRow(self.tr("Lås efter inaktivitet"), self.lock_spin)
        self.language_combo = QComboBox(self)
        self.language_combo.setObjectName("language")
        for code, name in (("sv", "Svenska"), ("en", "English")):
            self.language_combo.addItem(name, code)
        self.language_combo.setCurrentIndex(0 if ctx.lang == "sv" else 1)
        form.addRow(self.tr("Språk"), self.language_combo)
        self.zone_combo = QComboBox(self)
        self.zone_combo.setObjectName("officeTimezone")
        self.zone_combo.setEditable(True)
        self.zone_combo.addItems(sorted(available_timezones()))
        self.zone_combo.setCurrentText(self.current.office_timezone or DEFAULT_OFFICE_ZONE)
        form.addRow(self.tr("Kontorets tidszon"), self.zone_combo)
        outer.addLayout(form)

        self._fields = {"store": self.store_edit, "server": self.server_fields,
                        "lock_minutes": self.lock_spin, "language": self.language_combo,
                        "office_timezone": self.zone_combo}
        for key, widget in self._fields.items():
            if self.current.is_locked(key):
                widget.setEnabled(False)
                widget.setToolTip(self.tr("Låst av IT-avdelningen."))
                if key == "store":
                    browse.setEnabled(False)
        outer.addWidget(common.muted(self.tr(
            "Gäller från nästa start. Kortare låstid än lagringsplatsens gäller; längre gör "
            "det inte. Fält som IT-avdelningen har låst går inte att ändra."), self))
        self.message = QLabel(self)
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        outer.addWidget(self.message)
        buttons = QDialogButtonBox(self)
        self.save_button = buttons.addButton(self.tr("Spara"), QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.tr("Avbryt"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        outer.addWidget(buttons)

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Välj lagringsplatsens mapp"),
                                                  self.store_edit.text())
        if folder:
            self.store_edit.setText(folder)

    def changes(self) -> dict[str, str | int | None]:
        """The unlocked fields' values for the user file (None: no own value)."""
        values: dict[str, str | int | None] = {
            "store": self.store_edit.text().strip() or None,
            "server": None if self.server_fields.is_empty() else self.server_fields.url(),
            "lock_minutes": self.lock_spin.value() or None,
            "language": self.language_combo.currentData(),
            "office_timezone": self.zone_combo.currentText().strip() or None,
        }
        return {k: v for k, v in values.items() if not self.current.is_locked(k)}

    def save(self) -> None:
        try:
            changes = self.changes()
            self.saved_path = deployment.save_user(changes)
        except TrefasError as exc:
            self.message.setText(exc.message(self.ctx.lang))
            return
        except OSError:
            self.message.setText(self.tr("Inställningsfilen kunde inte skrivas."))
            return
        if "language" in changes:
            self.ctx.set_language(str(changes["language"]))
        self.accept()


class SelfTestDialog(QDialog):
    """Runs :mod:`trefas_app.selftest` and shows one line per check. The checks
    run in the worker, except the one that makes widgets (GUI thread)."""

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.results: list | None = None
        self.setObjectName("selfTestDialog")
        self.setWindowTitle(self.tr("Självtest"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.resize(620, 340)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(self.tr("Resultat (kopiera texten till supporten vid behov):"), self))
        self.text = text_area(self, "selfTestLines")
        self.text.setReadOnly(True)
        self.text.setPlainText(self.tr("Kör självtestet …"))
        lay.addWidget(self.text, 1)
        buttons = QDialogButtonBox(self)
        buttons.addButton(self.tr("Stäng"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        in_worker = tuple(c for c in selftest.CHECKS if c[2] not in selftest.GUI_THREAD_CHECKS)
        ctx.run_plain(selftest.run_checks, in_worker, on_done=self._worker_done,
                      on_error=self._worker_failed)

    def _worker_done(self, results: list) -> None:
        on_gui = tuple(c for c in selftest.CHECKS if c[2] in selftest.GUI_THREAD_CHECKS)
        self.results = selftest.in_check_order([*results, *selftest.run_checks(on_gui)])
        self.text.setPlainText("\n".join(selftest.report(self.results, self.ctx.lang)))

    def _worker_failed(self, exc: BaseException) -> None:
        self.results = []
        self.text.setPlainText(self.tr("Självtestet kunde inte köras ({kind}).").format(
            kind=type(exc).__name__))

    @property
    def passed(self) -> bool:
        return bool(self.results) and all(r.ok for r in self.results)
