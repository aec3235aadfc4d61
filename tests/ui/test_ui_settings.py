"""Arkiv → Inställningar (this computer's deployment settings), Hjälp → Självtest,
and the start-up hook that quits once the unlock dialog is painted."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from PySide6.QtCore import QSettings

from trefas_app import settings as deployment
from trefas_app.ui.app import PAINTED_MARK, window_language
from trefas_app.ui.dialogs.settings import SelfTestDialog, SettingsDialog
from trefas_app.ui.main_window import MainWindow


@pytest.fixture
def files(tmp_path, monkeypatch):
    machine, user = tmp_path / "machine.ini", tmp_path / "user.ini"
    monkeypatch.setenv(deployment.MACHINE_ENV, str(machine))
    monkeypatch.setenv(deployment.USER_ENV, str(user))
    return machine, user


def _menu_texts(window) -> list[str]:
    texts = []
    for menu_action in window.menuBar().actions():
        texts += [a.text() for a in menu_action.menu().actions()]
    return texts


def test_menus_offer_settings_and_self_test(qtbot, world, ctx_factory):
    window = MainWindow(ctx_factory(world.root))
    qtbot.addWidget(window)
    texts = _menu_texts(window)
    assert "Inställningar …" in texts and "Självtest" in texts


def test_settings_dialog_saves_the_user_file(qtbot, world, ctx_factory, files):
    _machine, user = files
    ctx = ctx_factory(world.root)
    dlg = SettingsDialog(ctx)
    qtbot.addWidget(dlg)
    dlg.store_edit.setText(str(world.root))
    dlg.lock_spin.setValue(4)
    dlg.language_combo.setCurrentIndex(1)
    dlg.zone_combo.setCurrentText("Europe/Oslo")
    dlg.save()
    loaded = deployment.load()
    assert (loaded.store, loaded.lock_minutes, loaded.language, loaded.office_timezone) == \
        (str(world.root), 4, "en", "Europe/Oslo")
    assert ctx.settings.value("language") == "en"  # the window's own choice follows
    assert user.is_file()


def test_settings_dialog_refuses_a_bad_zone_in_the_dialog(qtbot, world, ctx_factory, files):
    dlg = SettingsDialog(ctx_factory(world.root))
    qtbot.addWidget(dlg)
    dlg.zone_combo.setCurrentText("Atlantis/Capital")
    dlg.save()
    assert "Okänd tidszon" in dlg.message.text()
    assert dlg.result() == 0 and deployment.load().office_timezone is None


def test_locked_fields_are_read_only_and_not_written(qtbot, world, ctx_factory, files):
    machine, _user = files
    machine.write_text("[trefas]\nlock_minutes = 3\nlocked = lock_minutes\n", encoding="utf-8")
    dlg = SettingsDialog(ctx_factory(world.root))
    qtbot.addWidget(dlg)
    assert not dlg.lock_spin.isEnabled() and dlg.lock_spin.value() == 3
    assert dlg.store_edit.isEnabled()
    assert "lock_minutes" not in dlg.changes()
    dlg.save()
    assert deployment.load().lock_minutes == 3


def test_locked_language_wins_over_the_users_choice(tmp_path):
    qsettings = QSettings(str(tmp_path / "q.ini"), QSettings.Format.IniFormat)
    assert window_language(qsettings, deployment.Settings()) == "sv"
    assert window_language(qsettings, deployment.Settings(language="en")) == "en"
    qsettings.setValue("language", "sv")
    assert window_language(qsettings, deployment.Settings(language="en")) == "sv"
    locked = deployment.Settings(language="en", locked=frozenset({"language"}))
    assert window_language(qsettings, locked) == "en"


def test_a_shorter_deployment_lock_time_wins(qtbot, world, ctx_factory, files):
    machine, _user = files
    machine.write_text("[trefas]\nlock_minutes = 2\n", encoding="utf-8")
    window = MainWindow(ctx_factory(world.root))
    qtbot.addWidget(window)
    window._set_lock_minutes("10")
    assert window.lock_minutes == 2


def test_self_test_dialog_shows_one_line_per_check(qtbot, world, ctx_factory):
    from trefas_app import selftest

    dlg = SelfTestDialog(ctx_factory(world.root))
    qtbot.addWidget(dlg)
    qtbot.waitUntil(lambda: dlg.results is not None, timeout=60_000)
    lines = dlg.text.toPlainText().splitlines()
    assert len(lines) == len(selftest.CHECKS) + 1
    assert dlg.passed and all(line.startswith("OK ") for line in lines[:-1])
    assert lines[0].startswith("OK   SQLCipher 4") and lines[6].startswith("OK   Qt startar")


def test_program_quits_once_the_unlock_dialog_is_painted(world, tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "TREFAS_EXIT_WHEN_UNLOCK_SHOWN": "1",
           "TREFAS_LOG_DIR": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    result = subprocess.run([sys.executable, "-m", "trefas_app", "--store", str(world.root)],
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-500:]
    assert result.stdout.strip() == PAINTED_MARK
