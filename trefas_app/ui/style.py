"""Look and feel: Fusion with a calm palette, and the few icons Trefas draws
itself (no image files to ship or to go missing)."""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QIcon, QPainter, QPainterPath, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QApplication

from trefas_app.domain.enums import RiskLevel

# Colours, named by use. Muted, with enough contrast for text on them.
WINDOW = QColor("#f3f5f7")
BASE = QColor("#ffffff")
ALT_BASE = QColor("#f7f9fb")
TEXT = QColor("#1f2a33")
MUTED_TEXT = QColor("#5b6873")
ACCENT = QColor("#2f6f8f")  # calm teal-blue
ACCENT_TEXT = QColor("#ffffff")
BUTTON = QColor("#e9edf1")

RED = QColor("#b3261e")
RED_BG = QColor("#fbe9e7")
AMBER = QColor("#8a5a00")
AMBER_BG = QColor("#fff4d6")
GREEN = QColor("#2e6b34")
GREEN_BG = QColor("#e6f2e7")
GREY_BG = QColor("#eceff1")

RISK_COLOURS = {RiskLevel.GREEN: QColor("#3f8f4a"), RiskLevel.YELLOW: QColor("#d9a21b"),
                RiskLevel.RED: QColor("#c0392b")}


def apply_style(app: QApplication) -> None:
    app.setStyle("Fusion")
    p = QPalette()
    p.setColor(QPalette.ColorRole.Window, WINDOW)
    p.setColor(QPalette.ColorRole.WindowText, TEXT)
    p.setColor(QPalette.ColorRole.Base, BASE)
    p.setColor(QPalette.ColorRole.AlternateBase, ALT_BASE)
    p.setColor(QPalette.ColorRole.ToolTipBase, QColor("#fffdf3"))
    p.setColor(QPalette.ColorRole.ToolTipText, TEXT)
    p.setColor(QPalette.ColorRole.Text, TEXT)
    p.setColor(QPalette.ColorRole.PlaceholderText, MUTED_TEXT)
    p.setColor(QPalette.ColorRole.Button, BUTTON)
    p.setColor(QPalette.ColorRole.ButtonText, TEXT)
    p.setColor(QPalette.ColorRole.Highlight, ACCENT)
    p.setColor(QPalette.ColorRole.HighlightedText, ACCENT_TEXT)
    p.setColor(QPalette.ColorRole.Link, ACCENT)
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text,
                 QPalette.ColorRole.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor("#9aa5ae"))
    app.setPalette(p)
    app.setStyleSheet(STYLESHEET)
    app.setWindowIcon(app_icon())


STYLESHEET = """
QListWidget#navigation { background: #e6ebef; border: none; padding-top: 6px; }
QListWidget#navigation::item { padding: 8px 14px; border-radius: 4px; margin: 1px 6px; }
QListWidget#navigation::item:selected { background: #2f6f8f; color: white; }
QLabel[role="heading"] { font-size: 15pt; font-weight: 600; }
QLabel[role="subheading"] { font-weight: 600; }
QLabel[role="muted"] { color: #5b6873; }
QLabel[role="hidden-line"] { color: #5b6873; font-style: italic; }
QLabel[role="field-error"] { color: #b3261e; }
QLabel[role="field-ok"] { color: #2e6b34; }
QFrame[role="banner-red"] { background: #fbe9e7; border: 1px solid #b3261e; border-radius: 4px; }
QFrame[role="banner-red"] QLabel { color: #7d1a14; font-weight: 600; }
QFrame[role="banner-amber"] { background: #fff4d6; border: 1px solid #c99a2e; border-radius: 4px; }
QFrame[role="banner-amber"] QLabel { color: #5c3d00; font-weight: 600; }
QFrame[role="card"] { background: white; border: 1px solid #d5dce2; border-radius: 6px; }
QLabel[badge="active"] { background: #e6f2e7; color: #2e6b34; border: 1px solid #9cc7a0;
                         border-radius: 3px; padding: 2px 6px; }
QLabel[badge="expiring"] { background: #fff4d6; color: #5c3d00; border: 1px solid #d9b866;
                           border-radius: 3px; padding: 2px 6px; }
QLabel[badge="none"] { background: #eceff1; color: #5b6873; border: 1px solid #d5dce2;
                       border-radius: 3px; padding: 2px 6px; }
QLabel[badge="own"] { background: #e3eef4; color: #24566f; border: 1px solid #a9c6d6;
                      border-radius: 3px; padding: 2px 6px; }
QStatusBar QLabel { padding: 0 8px; }
QTableView { gridline-color: #e3e8ec; }
QHeaderView::section { background: #e9edf1; padding: 4px 6px; border: none;
                       border-right: 1px solid #d5dce2; border-bottom: 1px solid #d5dce2; }
"""


def heading_font(size_delta: int = 3) -> QFont:
    f = QFont(QApplication.font())
    f.setPointSize(f.pointSize() + size_delta)
    f.setWeight(QFont.Weight.DemiBold)
    return f


# --- icons ---------------------------------------------------------------------


def _pixmap(size: int) -> tuple[QPixmap, QPainter]:
    pm = QPixmap(size, size)
    pm.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pm)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    return pm, painter


@lru_cache(maxsize=1)
def app_icon() -> QIcon:
    """Three phases: three horizontal bars, offset like steps, on a calm tile."""
    icon = QIcon()
    for size in (16, 24, 32, 48, 64, 128, 256):
        pm, p = _pixmap(size)
        s = float(size)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QBrush(ACCENT))
        p.drawRoundedRect(QRectF(0, 0, s, s), s * 0.18, s * 0.18)
        colours = (QColor("#ffffff"), QColor("#cfe3ec"), QColor("#9fc6d8"))
        bar_h = s * 0.14
        for i, colour in enumerate(colours):
            y = s * (0.24 + i * 0.2)
            x = s * (0.18 + i * 0.1)
            p.setBrush(colour)
            p.drawRoundedRect(QRectF(x, y, s * 0.54, bar_h), bar_h / 2, bar_h / 2)
        p.end()
        icon.addPixmap(pm)
    return icon


@lru_cache(maxsize=4)
def shield_icon(size: int = 16) -> QIcon:
    """Marks a protected person (skyddade personuppgifter)."""
    pm, p = _pixmap(size)
    s = float(size)
    path = QPainterPath()
    path.moveTo(s * 0.5, s * 0.06)
    path.lineTo(s * 0.88, s * 0.2)
    path.cubicTo(QPointF(s * 0.88, s * 0.6), QPointF(s * 0.7, s * 0.82), QPointF(s * 0.5, s * 0.95))
    path.cubicTo(QPointF(s * 0.3, s * 0.82), QPointF(s * 0.12, s * 0.6), QPointF(s * 0.12, s * 0.2))
    path.closeSubpath()
    p.setPen(QPen(QColor("#24566f"), max(1.0, s / 16)))
    p.setBrush(QColor("#5d93ad"))
    p.drawPath(path)
    p.end()
    return QIcon(pm)


@lru_cache(maxsize=8)
def dot_icon(colour: str, size: int = 12) -> QIcon:
    pm, p = _pixmap(size)
    p.setPen(QPen(QColor(colour).darker(130), 1))
    p.setBrush(QColor(colour))
    p.drawEllipse(QRectF(1.5, 1.5, size - 3, size - 3))
    p.end()
    return QIcon(pm)


def risk_icon(level: RiskLevel | None) -> QIcon | None:
    if level is None:
        return None
    return dot_icon(RISK_COLOURS[RiskLevel(level)].name())
