"""The window's own settings (language, the last user name) in the user's
configuration folder (``~/.config/Trefas/Trefas.conf`` on Linux).

The file names who used the program, so it is owner-only (0600, its folder
0700) like every other file the program writes. Qt rewrites the file through a
temporary copy that keeps the existing file's permissions, so the file is made
owner-only before Qt first writes it, and tightened again after every write.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QSettings


def user_settings() -> QSettings:
    settings = QSettings("Trefas", "Trefas")
    keep_private(settings)
    return settings


def keep_private(settings: QSettings) -> None:
    """Owner-only folder and file for a file-backed ``settings``; nothing on
    Windows (the registry, and per-user ACLs)."""
    if sys.platform == "win32":
        return
    path = Path(settings.fileName())
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(path.parent, 0o700)
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        os.chmod(path, 0o600)
    except OSError:
        pass  # a folder we cannot write: Qt then keeps the settings in memory


def save_setting(settings: QSettings, key: str, value: object) -> None:
    """Set, write and keep the file owner-only."""
    settings.setValue(key, value)
    settings.sync()
    keep_private(settings)
