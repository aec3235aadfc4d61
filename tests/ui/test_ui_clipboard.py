"""Copying a personnummer or an address: marked secret for clipboard
managers, cleared after the timeout only if it is still ours."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication

from trefas_app.ui.clipboard import CLEAR_AFTER_MS, SECRET_HINT_MIME, SecretClipboard


def test_secret_is_marked_and_cleared(qtbot, qapp):
    assert CLEAR_AFTER_MS == 30_000
    clip = SecretClipboard(clear_after_ms=100)
    clip.copy("19900101-0017")
    board = QGuiApplication.clipboard()
    mime = board.mimeData()
    assert mime.text() == "19900101-0017"
    assert bytes(mime.data(SECRET_HINT_MIME)) == b"secret"
    assert clip.pending
    qtbot.waitUntil(lambda: board.text() == "", timeout=2_000)
    assert not clip.pending


def test_something_else_copied_meanwhile_is_left_alone(qtbot, qapp):
    clip = SecretClipboard(clear_after_ms=100)
    clip.copy("Storgatan 1")
    board = QGuiApplication.clipboard()
    board.setText("mötesanteckning")
    qtbot.wait(300)
    assert board.text() == "mötesanteckning"
    assert clip.clear_if_unchanged() is False


def test_clear_now_on_lock(qapp):
    clip = SecretClipboard()
    clip.copy("Storgatan 1")
    assert clip.clear_if_unchanged() is True
    assert QGuiApplication.clipboard().text() == ""
