"""run_gui on an existing store: the unlock dialog comes first, the window
after it, and closing the window logs out and returns 0."""

from __future__ import annotations

import importlib
import shutil
import threading

from PySide6.QtCore import QMetaObject, Qt, QTimer
from PySide6.QtWidgets import QApplication


PW = "Granskog-och-hav-42"


def test_run_gui_unlocks_and_quits(qtbot, qapp, world, tmp_path, monkeypatch):
    # The modules as sys.modules holds them now: a test that imports the
    # window anew (the command line's missing-Qt tests) may have left the
    # package attribute pointing at another copy, whose classes run_gui
    # would not use.
    app_module = importlib.import_module("trefas_app.ui.app")
    main_window_module = importlib.import_module("trefas_app.ui.main_window")

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setattr(app_module, "configure_logging", lambda: None)
    seen = {}
    # A store of its own: the module's world may still be open in this
    # process (another test's session), and a busy store would stop the log-in.
    root = tmp_path / "run-gui-store"
    shutil.copytree(world.root, root)
    # Drive the window run_gui itself makes (recorded as it is made), never
    # whatever else is on screen in this process: a widget another test left
    # behind, or one Qt has already deleted, must not be touched.
    class RecordedWindow(main_window_module.MainWindow):
        def __init__(self, ctx):
            super().__init__(ctx)
            seen["window"] = self
            # Scheduled here, where run_gui's application and event loop are
            # the ones that will run them.
            QTimer.singleShot(0, drive)
            QTimer.singleShot(60_000, give_up)

    monkeypatch.setattr(main_window_module, "MainWindow", RecordedWindow)

    def drive():
        window = seen.get("window")
        dlg = window.unlock_dialog if window is not None else None
        if dlg is None or not dlg.isVisible():
            QTimer.singleShot(50, drive)
            return
        seen["store_label"] = dlg.store_label.text()
        dlg.user_edit.setText("sara")
        dlg.password_edit.setText(PW)
        dlg.try_unlock()
        QTimer.singleShot(50, wait_window)

    def wait_window():
        window = seen["window"]
        if not window.ctx.is_unlocked or window.current_key is None:
            QTimer.singleShot(50, wait_window)
            return
        seen["nav"] = window.nav_keys()
        seen["user"] = window.user_label.text()
        window.close()

    def give_up():
        """Never hang the suite: after a minute, note it and end the event loop."""
        if "user" not in seen:
            seen["stuck"] = True
            QApplication.instance().exit(1)

    def last_resort():
        """Should the window never be made (so no timer of ours runs), end the
        event loop from outside it: the suite must fail here, never hang."""
        seen.setdefault("stuck", "no window was made within 90 s")
        QMetaObject.invokeMethod(QApplication.instance(), "quit", Qt.ConnectionType.QueuedConnection)

    watchdog = threading.Timer(90, last_resort)
    watchdog.start()
    try:
        status = app_module.run_gui(root)
    finally:
        watchdog.cancel()
    assert "stuck" not in seen, seen
    assert status == 0
    assert str(root) in seen["store_label"]
    assert seen["user"] == "Sara Lind (sara)"
    assert "cases" in seen["nav"]
