"""run_gui on an existing store: the unlock dialog comes first, the window
after it, and closing the window logs out and returns 0."""

from __future__ import annotations

import shutil

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from trefas_app.ui.main_window import MainWindow
from trefas_app.ui.unlock import UnlockDialog

PW = "Granskog-och-hav-42"


def test_run_gui_unlocks_and_quits(qtbot, qapp, world, tmp_path, monkeypatch):
    from trefas_app.ui import app as app_module

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setattr(app_module, "configure_logging", lambda: None)
    seen = {}
    # A store of its own: the module's world may still be open in this
    # process (another test's session), and a busy store would stop the log-in.
    root = tmp_path / "run-gui-store"
    shutil.copytree(world.root, root)
    # Only what run_gui itself opens: a window another test left behind in
    # this process must not be driven in its place.
    earlier = set(QApplication.topLevelWidgets())

    def top(cls):
        for w in QApplication.topLevelWidgets():
            try:
                if isinstance(w, cls) and w not in earlier and w.isVisible():
                    return w
            except RuntimeError:  # a widget Qt has already deleted
                continue
        return None

    def drive():
        dlg = top(UnlockDialog)
        if dlg is None:
            QTimer.singleShot(50, drive)
            return
        seen["store_label"] = dlg.store_label.text()
        dlg.user_edit.setText("sara")
        dlg.password_edit.setText(PW)
        dlg.try_unlock()
        QTimer.singleShot(50, wait_window)

    def wait_window():
        window = top(MainWindow)
        if window is None or not window.ctx.is_unlocked or window.current_key is None:
            QTimer.singleShot(50, wait_window)
            return
        seen["nav"] = window.nav_keys()
        seen["user"] = window.user_label.text()
        window.close()

    def give_up():
        """Never hang the suite: after a minute, say what is on screen and close it."""
        if "user" in seen:
            return
        seen["stuck"] = [type(w).__name__ for w in QApplication.topLevelWidgets()
                         if w not in earlier and w.isVisible()]
        for w in QApplication.topLevelWidgets():
            if w not in earlier and w.isVisible():
                w.close()
        QApplication.instance().exit(1)

    QTimer.singleShot(0, drive)
    QTimer.singleShot(60_000, give_up)
    status = app_module.run_gui(root)
    assert "stuck" not in seen, seen
    assert status == 0
    assert str(root) in seen["store_label"]
    assert seen["user"] == "Sara Lind (sara)"
    assert "cases" in seen["nav"]
