"""The window's settings file names the last user: owner-only (issue 14:
``~/.config/Trefas/Trefas.conf`` was 0644 in a 0755 folder)."""

from __future__ import annotations

import os
import stat
import sys

import pytest
from PySide6.QtCore import QSettings

from trefas_app.ui.settings import save_setting, user_settings

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")


def _restore_default_path() -> None:
    default = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"),
                                                                ".config")
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, default)


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_settings_file_and_folder_are_owner_only(qapp, tmp_path):
    config = tmp_path / "config"
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(config))
    try:
        folder = config / "Trefas"
        folder.mkdir(parents=True, mode=0o755)
        os.chmod(folder, 0o755)
        (folder / "Trefas.conf").write_text("[General]\nlanguage=sv\n")
        os.chmod(folder / "Trefas.conf", 0o644)  # as an older version left it

        settings = user_settings()
        path = settings.fileName()
        assert os.path.dirname(path) == str(folder)
        assert (_mode(folder), _mode(path)) == (0o700, 0o600)
        save_setting(settings, "last_username", "sara.lindqvist")
        assert (_mode(folder), _mode(path)) == (0o700, 0o600)
        assert "sara.lindqvist" in open(path, encoding="utf-8").read()
        assert settings.value("language") == "sv"  # what was there is kept
    finally:
        _restore_default_path()


def test_a_new_settings_file_is_owner_only_from_the_first_write(qapp, tmp_path):
    config = tmp_path / "fresh"
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(config))
    try:
        settings = user_settings()
        settings.setValue("last_username", "deniz.yilmaz")
        settings.sync()  # a plain Qt write keeps the owner-only mode set beforehand
        assert _mode(settings.fileName()) == 0o600
        assert _mode(config / "Trefas") == 0o700
    finally:
        _restore_default_path()
