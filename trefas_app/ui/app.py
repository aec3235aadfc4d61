"""Starting the desktop program: ``run_gui(store_dir) -> exit status``."""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QSettings, QTimer
from PySide6.QtWidgets import QApplication, QDialog

from trefas_app.domain import clock
from trefas_app.domain.errors import TrefasError
from trefas_app import settings as deployment
from trefas_app.paths import configure_logging
from trefas_app.store.store import StorePaths
from trefas_app.ui import style
from trefas_app.ui.context import AppContext
from trefas_app.ui.i18n import install_translations
from trefas_app.ui.settings import save_setting, user_settings

log = logging.getLogger("trefas.ui")

#: ``1``: quit as soon as the unlock dialog has been painted, printing
#: ``unlock-dialog-painted`` — how CI and the start-up benchmark see that the
#: installed program gets as far as its first window (also offscreen).
EXIT_WHEN_SHOWN_ENV = "TREFAS_EXIT_WHEN_UNLOCK_SHOWN"
PAINTED_MARK = "unlock-dialog-painted"


def window_language(settings: QSettings, deployed: deployment.Settings) -> str:
    """The language the IT department locked, else the user's choice in the
    window (Språk menu), else the deployment settings, else Swedish."""
    if deployed.is_locked("language") and deployed.language:
        return deployed.language
    chosen = str(settings.value("language", "") or "")
    if chosen in deployment.LANGUAGES:
        return chosen
    return deployed.language or "sv"


class _QuitAfterPaint(QObject):
    def eventFilter(self, watched, event):  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            print(PAINTED_MARK, flush=True)
            QTimer.singleShot(0, QApplication.quit)
        return False


def _exit_when_painted(dialog) -> None:
    if dialog is None:
        print("no unlock dialog", file=sys.stderr)
        QTimer.singleShot(0, lambda: QApplication.exit(1))
        return
    dialog._quit_after_paint = _QuitAfterPaint(dialog)
    dialog.installEventFilter(dialog._quit_after_paint)


def make_application(argv: list[str] | None = None,
                     settings: QSettings | None = None) -> QApplication:
    """The application with the Trefas look; ``settings`` give the text size
    and whether to use the system's colours (style is applied once, here)."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setOrganizationName("Trefas")
    app.setApplicationName("Trefas")
    # No setApplicationDisplayName: Qt appends a display name to every window
    # title ("Trefas – K-2026-00011 — Trefas"); our titles already say Trefas.
    app.setDesktopFileName("trefas")
    if settings is None:
        style.apply_style(app)
    else:
        style.apply_style(app, style.text_scale(settings), style.system_colours(settings))
    return app


def run_gui(store_dir: Path, server: str | None = None) -> int:
    """Run the desktop program on the store in ``store_dir`` — or, in server
    mode (``server``, else ``TREFAS_SERVER`` or the settings' ``server``), on
    the PostgreSQL server — until it is closed."""
    from trefas_app.ui.first_run import FirstRunWizard
    from trefas_app.ui.main_window import MainWindow

    configure_logging()  # the one application log (trefas_app.paths)
    try:
        deployment.apply_office_zone()  # the deployment's file; the environment overrides it
        clock.configure_from_environment()
    except TrefasError as exc:  # a wrong TREFAS_TIMEZONE: say so in the log, keep the default
        log.warning("%s", exc.message("en"))
    settings = user_settings()
    app = make_application(settings=settings)
    lang = window_language(settings, deployment.load())
    translators = install_translations(app, lang)  # noqa: F841 — keep them alive
    from trefas_app.server.connection import server_url

    ctx = AppContext(Path(store_dir), settings=settings, language=lang,
                     server_url=server or server_url())
    log.info("Trefas starting (language %s%s)", lang, ", server mode" if ctx.server_url else "")

    username = str(settings.value("last_username", "") or "")
    if not ctx.server_url and not StorePaths(Path(store_dir)).exists():
        wizard = FirstRunWizard(ctx)
        if wizard.exec() != QDialog.DialogCode.Accepted:
            ctx.shutdown()
            return 0
        username = wizard.username

    window = MainWindow(ctx)
    ctx.unlocked.connect(lambda: save_setting(settings, "last_username", ctx.actor.username))
    window.start(username=username)
    if os.environ.get(EXIT_WHEN_SHOWN_ENV) == "1":
        _exit_when_painted(window.unlock_dialog)
    status = app.exec()
    if ctx.is_unlocked:  # closed without closeEvent (e.g. session end)
        ctx.shutdown()
    log.info("Trefas stopped")
    return status
