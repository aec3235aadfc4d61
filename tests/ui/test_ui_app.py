"""run_gui on an existing store: the unlock dialog comes first, the window
after it, and closing the window logs out and returns 0."""

from __future__ import annotations

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
    # Only what run_gui itself opens: a window another test left behind in
    # this process must not be driven in its place.
    earlier = set(QApplication.topLevelWidgets())

    def top(cls):
        return next((w for w in QApplication.topLevelWidgets()
                     if isinstance(w, cls) and w.isVisible() and w not in earlier), None)

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

    QTimer.singleShot(0, drive)
    status = app_module.run_gui(world.root)
    assert status == 0
    assert str(world.root) in seen["store_label"]
    assert seen["user"] == "Sara Lind (sara)"
    assert "cases" in seen["nav"]
