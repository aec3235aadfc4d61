"""Runs ``run_gui`` in a process of its own, the way the program starts, and
drives it: unlock as Sara, note what the window shows, close it. Prints what
it saw as JSON. Used by ``test_ui_app.py``; a process of its own because a
test process holds other tests' windows and application state, and with any
of them still open, closing this window would not end the program."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from trefas_app.ui import app as app_module
from trefas_app.ui import main_window as main_window_module


def main(store_dir: str, password: str) -> int:
    seen: dict[str, object] = {}
    app_module.configure_logging = lambda: None

    windows: list = []

    class RecordedWindow(main_window_module.MainWindow):
        """The window run_gui makes, recorded as it is made and driven by timers
        on the event loop run_gui will run."""

        def __init__(self, ctx):
            super().__init__(ctx)
            windows.append(self)
            QTimer.singleShot(0, drive)
            QTimer.singleShot(60_000, give_up)

        def closeEvent(self, event):  # noqa: N802
            super().closeEvent(event)
            seen["logged_out"] = not self.ctx.is_unlocked

    main_window_module.MainWindow = RecordedWindow

    def drive():
        window = windows[0]
        dlg = window.unlock_dialog
        if dlg is None or not dlg.isVisible():
            QTimer.singleShot(50, drive)
            return
        seen["store_label"] = dlg.store_label.text()
        dlg.user_edit.setText("sara")
        dlg.password_edit.setText(password)
        dlg.try_unlock()
        QTimer.singleShot(50, wait_window)

    def wait_window():
        window = windows[0]
        if not window.ctx.is_unlocked or window.current_key is None:
            QTimer.singleShot(50, wait_window)
            return
        seen["nav"] = window.nav_keys()
        seen["user"] = window.user_label.text()
        window.close()

    def give_up():
        seen["stuck"] = True
        seen["open_windows"] = [type(w).__name__ for w in QApplication.topLevelWidgets()
                                if w.isVisible()]
        QApplication.instance().exit(3)

    seen["status"] = app_module.run_gui(Path(store_dir))
    print(json.dumps(seen))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
