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


#: The text sizes offered (per cent of the operating system's own size).
TEXT_SCALES = (100, 125, 150, 200)


def text_scale(settings) -> int:
    """The chosen text size in per cent (``text_scale`` in the program's
    settings; 100 when unset or odd)."""
    try:
        value = int(settings.value("text_scale", 100))
    except (TypeError, ValueError):
        return 100
    return value if value in TEXT_SCALES else 100


def system_colours(settings) -> bool:
    """Whether the user chose Visa → Använd systemets färger."""
    return str(settings.value("system_colours", "false")).lower() in ("true", "1")


def os_prefers_system_colours(app: QApplication) -> bool:
    """True when the operating system asks for its own colours: a high-contrast
    setting (Qt's accessibility hints), or a dark palette (a dark or
    high-contrast theme that the light Trefas palette would fight)."""
    hints = app.styleHints()
    accessibility = getattr(hints, "accessibility", None)
    if accessibility is not None and \
            accessibility().contrastPreference() == Qt.ContrastPreference.HighContrast:
        return True
    if hints.colorScheme() == Qt.ColorScheme.Dark:
        return True
    palette = _os_palette(app)
    return palette.color(QPalette.ColorRole.Window).lightness() < \
        palette.color(QPalette.ColorRole.WindowText).lightness()


def _os_setting(app: QApplication, name: str, current):
    """The operating system's palette or font as it was before Trefas set its
    own (kept on the application; the font's size follows the OS setting)."""
    saved = app.property(name)
    if saved is None:
        saved = type(current)(current)
        app.setProperty(name, saved)
    return saved


def _os_palette(app: QApplication) -> QPalette:
    return _os_setting(app, "trefasOsPalette", app.palette())


def _os_font(app: QApplication) -> QFont:
    return _os_setting(app, "trefasOsFont", app.font())


def apply_style(app: QApplication, text_scale: int = 100,
                system_colours: bool = False) -> None:
    """Fusion, the text size (per cent of the OS size) and the colours: the
    calm Trefas palette, or the operating system's own when the user asks for
    it or the OS is in a high-contrast (or dark) mode."""
    app.setStyle("Fusion")
    own_colours = not system_colours and not os_prefers_system_colours(app)
    app.setPalette(trefas_palette() if own_colours else _os_palette(app))
    font = QFont(_os_font(app))
    base = font.pointSizeF() if font.pointSizeF() > 0 else 10.0
    font.setPointSizeF(base * max(50, min(int(text_scale), 300)) / 100)
    app.setFont(font)
    app.setStyleSheet(stylesheet(font.pointSizeF(), own_colours))
    app.setProperty("trefasOwnColours", own_colours)
    app.setWindowIcon(app_icon())


def trefas_palette() -> QPalette:
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
    return p


def stylesheet(base_pt: float = 10.0, own_colours: bool = True) -> str:
    """The application stylesheet. Sizes are relative to the text size (a
    heading is 1.4 times it); with ``own_colours`` False only structure and
    focus rings remain, drawn in the palette's colours."""
    sizes = f'QLabel[role="heading"] {{ font-size: {base_pt * 1.4:.1f}pt; font-weight: 600; }}\n'
    return sizes + STRUCTURE + (COLOURS if own_colours else SYSTEM_COLOURS)


STRUCTURE = """
QLabel[role="subheading"] { font-weight: 600; }
QLabel[role="hidden-line"] { font-style: italic; }
QLabel[role="field-error"] { font-weight: 600; }
QLabel[focusRing="true"] { border: 2px solid transparent; border-radius: 3px; }
QLabel[focusRing="true"]:focus { border-color: palette(highlight); }
QFrame[role="card"]:focus { border: 2px solid palette(highlight); }
"""

SYSTEM_COLOURS = """
QFrame[role="card"] { border: 1px solid palette(mid); border-radius: 6px; }
QFrame[role="card"]:focus { border: 2px solid palette(highlight); }
QFrame[role="banner-red"], QFrame[role="banner-amber"] { border: 2px solid palette(window-text); }
QFrame[role="banner-red"] QLabel, QFrame[role="banner-amber"] QLabel { font-weight: 600; }
QLabel[badge] { border: 1px solid palette(mid); border-radius: 3px; padding: 2px 6px; }
"""

COLOURS = """
QListWidget#navigation { background: #e6ebef; border: 2px solid transparent; padding-top: 6px; }
QListWidget#navigation:focus { border: 2px solid #2f6f8f; }
QListWidget#navigation::item { padding: 8px 14px; border-radius: 4px; margin: 1px 6px; }
QListWidget#navigation::item:selected { background: #2f6f8f; color: white; }
QLabel[role="muted"] { color: #5b6873; }
QLabel[role="hidden-line"] { color: #5b6873; }
QLabel[role="field-error"] { color: #b3261e; font-weight: normal; }
QLabel[role="field-ok"] { color: #2e6b34; }
QFrame[role="banner-red"] { background: #fbe9e7; border: 1px solid #b3261e; border-radius: 4px; }
QFrame[role="banner-red"] QLabel { color: #7d1a14; font-weight: 600; }
QFrame[role="banner-amber"] { background: #fff4d6; border: 1px solid #c99a2e; border-radius: 4px; }
QFrame[role="banner-amber"] QLabel { color: #5c3d00; font-weight: 600; }
QFrame[role="card"] { background: white; border: 1px solid #d5dce2; border-radius: 6px; }
QFrame[role="card"]:focus { border: 2px solid #2f6f8f; }
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

#: The stylesheet at the default text size with the Trefas colours.
STYLESHEET = stylesheet()


def heading_font(size_delta: int = 3) -> QFont:
    """The application font, larger by ``size_delta`` tenths (relative, so a
    heading grows with the text size)."""
    f = QFont(QApplication.font())
    f.setPointSizeF(f.pointSizeF() * (1 + size_delta / 10))
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
