"""The self-test's Qt check (``trefas --self-test``, Hjälp → Självtest).

Here because only ``ui/`` imports Qt; :mod:`trefas_app.selftest` calls it."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def _ensure_platform_for_qt() -> None:
    """Without a display on Linux, Qt's default platform cannot start: use offscreen."""
    if (sys.platform.startswith("linux") and not os.environ.get("QT_QPA_PLATFORM")
            and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY")):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"


def check_qt(work: Path) -> str:
    """Qt starts, draws a widget and loads the program's translation."""
    _ensure_platform_for_qt()
    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import QTranslator
    from PySide6.QtWidgets import QApplication, QLabel

    from trefas_app.resources import resource_path
    from trefas_app.selftest import CheckFailed

    app = QApplication.instance() or QApplication(["trefas-self-test"])
    label = QLabel("Trefas")
    label.resize(120, 30)
    image = label.grab().toImage()
    label.deleteLater()
    if image.isNull():
        raise CheckFailed("a widget could not be drawn")
    translator = QTranslator()
    if not translator.load(str(resource_path("i18n", "trefas_en.qm"))):
        raise CheckFailed("Qt cannot load trefas_en.qm")
    return f"PySide6 {pyside_version}, {app.platformName()}"
