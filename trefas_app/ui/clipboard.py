"""Copying secrets (a personnummer, an address): marked for clipboard
managers as a password (KDE's ``x-kde-passwordManagerHint: secret``, which
Klipper and others honour by not keeping a history entry), and cleared after
30 seconds if the clipboard still holds what we put there."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QObject, QTimer
from PySide6.QtGui import QClipboard, QGuiApplication

CLEAR_AFTER_MS = 30_000
SECRET_HINT_MIME = "x-kde-passwordManagerHint"


class SecretClipboard(QObject):
    """One per application (see :func:`copy_secret`)."""

    def __init__(self, clipboard: QClipboard | None = None, clear_after_ms: int = CLEAR_AFTER_MS,
                 parent: QObject | None = None):
        super().__init__(parent)
        self._clipboard = clipboard or QGuiApplication.clipboard()
        self.clear_after_ms = clear_after_ms
        self._text: str | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.clear_if_unchanged)

    def copy(self, text: str) -> None:
        mime = QMimeData()
        mime.setText(text)
        mime.setData(SECRET_HINT_MIME, b"secret")
        self._clipboard.setMimeData(mime, QClipboard.Mode.Clipboard)
        if self._clipboard.supportsSelection():
            # Never leave the secret in the X11 primary selection too.
            self._clipboard.clear(QClipboard.Mode.Selection)
        self._text = text
        self._timer.start(self.clear_after_ms)

    def clear_if_unchanged(self) -> bool:
        """Clear the clipboard if it still holds our secret; True if it did."""
        text, self._text = self._text, None
        self._timer.stop()
        if text is None:
            return False
        if self._clipboard.text(QClipboard.Mode.Clipboard) == text:
            self._clipboard.clear(QClipboard.Mode.Clipboard)
            return True
        return False

    @property
    def pending(self) -> bool:
        return self._timer.isActive()


_instance: SecretClipboard | None = None


def secret_clipboard() -> SecretClipboard:
    global _instance
    if _instance is None:
        _instance = SecretClipboard(parent=QGuiApplication.instance())
    return _instance


def copy_secret(text: str) -> None:
    """Put ``text`` on the clipboard as a secret, cleared after 30 seconds."""
    secret_clipboard().copy(text)
