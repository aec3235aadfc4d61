"""Starting the desktop program: ``run_gui(store_dir) -> exit status``."""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication, QDialog

from trefas_app.paths import configure_logging
from trefas_app.store.store import StorePaths
from trefas_app.ui import style
from trefas_app.ui.context import AppContext
from trefas_app.ui.i18n import install_translations
from trefas_app.ui.settings import save_setting, user_settings

log = logging.getLogger("trefas.ui")


def make_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setOrganizationName("Trefas")
    app.setApplicationName("Trefas")
    # No setApplicationDisplayName: Qt appends a display name to every window
    # title ("Trefas – K-2026-00011 — Trefas"); our titles already say Trefas.
    app.setDesktopFileName("trefas")
    style.apply_style(app)
    return app


def run_gui(store_dir: Path) -> int:
    """Run the desktop program on the store in ``store_dir`` until it is closed."""
    from trefas_app.ui.first_run import FirstRunWizard
    from trefas_app.ui.main_window import MainWindow

    configure_logging()  # the one application log (trefas_app.paths)
    app = make_application()
    settings = user_settings()
    lang = str(settings.value("language", "sv"))
    if lang not in ("sv", "en"):
        lang = "sv"
    translators = install_translations(app, lang)  # noqa: F841 — keep them alive
    ctx = AppContext(Path(store_dir), settings=settings, language=lang)
    log.info("Trefas starting (language %s)", lang)

    username = str(settings.value("last_username", "") or "")
    if not StorePaths(Path(store_dir)).exists():
        wizard = FirstRunWizard(ctx)
        if wizard.exec() != QDialog.DialogCode.Accepted:
            ctx.shutdown()
            return 0
        username = wizard.username

    window = MainWindow(ctx)
    ctx.unlocked.connect(lambda: save_setting(settings, "last_username", ctx.actor.username))
    window.start(username=username)
    status = app.exec()
    if ctx.is_unlocked:  # closed without closeEvent (e.g. session end)
        ctx.shutdown()
    log.info("Trefas stopped")
    return status
