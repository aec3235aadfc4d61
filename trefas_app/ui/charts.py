"""Small charts drawn with QPainter (QtCharts is not part of PySide6-Essentials).

Three widgets, all calm, clickable and usable from the keyboard:

* :class:`BarChart` — horizontal bars with the label on the left and the
  value on the right (cases by state, incidents by district, …);
* :class:`DonutChart` — parts of a whole with a legend (open routine steps:
  overdue / not yet due);
* :class:`DeadlineBars` — one bar per item showing the time left until a
  deadline (exit requests waiting for their first contact within 24 hours);
  an item past its deadline is drawn red with how late it is.

Each emits ``activated(key)`` when a bar, segment or row is clicked, or chosen
with the arrow keys and Enter/Space. For assistive technology a chart has the
role *chart*, its description lists every value and its value is the bar the
arrow keys are on (``accessible_value``); a focused chart draws a focus ring.
Rows grow with the text size. The data are plain values (:class:`Datum`,
:class:`Deadline`); a chart never fetches anything itself.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QKeyEvent, QMouseEvent, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from trefas_app.domain import clock as clock_module
from trefas_app.ui import accessibility, style

#: A pleasant, distinguishable sequence for series without their own colour.
PALETTE = ("#2f6f8f", "#5d93ad", "#8fb8cb", "#3f8f4a", "#d9a21b", "#8a6fb0", "#c0392b",
           "#6b7b86")


@dataclass(frozen=True)
class Datum:
    label: str
    value: float
    key: Any = None
    colour: str | None = None
    tooltip: str = ""
    #: What to print instead of the number (e.g. "3 (1 försenad)").
    value_text: str | None = None


@dataclass(frozen=True)
class Deadline:
    label: str
    due: dt.datetime
    key: Any = None
    tooltip: str = ""


def _colour(d: Datum, i: int) -> QColor:
    return QColor(d.colour) if d.colour else QColor(PALETTE[i % len(PALETTE)])


def _fmt_value(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _datum_text(d: "Datum") -> str:
    return d.value_text or _fmt_value(d.value)


class _ChartBase(QWidget):
    """Focus, hover and keyboard selection shared by the charts."""

    activated = Signal(object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self._hover = -1
        self._focus_index = -1
        self.empty_text = ""

    # -- to implement ------------------------------------------------------------

    def entries(self) -> Sequence:
        """What is drawn, one entry (with ``key``, ``label``, ``tooltip``) each."""
        return ()

    def value_text(self, item) -> str:
        """An item's value as words ("12", "försenad 3 h")."""
        return ""

    def row_rect(self, index: int) -> QRect:
        """Where item ``index`` is drawn (charts drawn in rows)."""
        return QRect()

    def item_count(self) -> int:
        return len(self.entries())

    def item_key(self, index: int) -> Any:
        items = self.entries()
        return items[index].key if 0 <= index < len(items) else None

    def item_at(self, pos) -> int:
        for i in range(self.item_count()):
            if self.row_rect(i).contains(pos):
                return i
        return -1

    def item_tooltip(self, index: int) -> str:
        if not 0 <= index < self.item_count():
            return ""
        return self.entries()[index].tooltip or self.item_text(index)

    def item_clickable(self, index: int) -> bool:
        return self.item_key(index) is not None

    def item_text(self, index: int) -> str:
        """What a screen reader says for item ``index`` ("Aktiva: 12")."""
        item = self.entries()[index]
        return f"{item.label}: {self.value_text(item)}"

    # -- accessibility -------------------------------------------------------------

    def accessible_value(self) -> str:
        """The item the arrow keys are on, "Aktiva: 12 (2 av 4)" (or the empty text)."""
        n = self.item_count()
        if not n:
            return self.empty_text
        i = max(0, min(self._focus_index, n - 1))
        return f"{self.item_text(i)} ({i + 1}/{n})"

    def _describe(self) -> None:
        """Every value as the chart's description, for a screen reader; and
        room for every row (layouts with wrapped titles gave less)."""
        self.setMinimumHeight(self.minimumSizeHint().height())
        n = self.item_count()
        self.setAccessibleDescription("; ".join(self.item_text(i) for i in range(n))
                                      if n else self.empty_text)
        accessibility.changed(self, accessibility.QAccessible.Event.DescriptionChanged)

    def _focus_moved(self) -> None:
        """The arrow keys moved to another bar: it becomes the value and, until
        the focus leaves, the description (AT-SPI passes value changes on only
        for value widgets; Orca reads a changed description of the focus)."""
        self.update()
        value = self.accessible_value()
        accessibility.value_changed(self, value)
        self.setAccessibleDescription(value)
        accessibility.changed(self, accessibility.QAccessible.Event.DescriptionChanged)

    def row_height(self, base: int) -> int:
        """``base`` pixels, or more when the text is larger."""
        return max(base, QFontMetrics(self.font()).height() + 10)

    # -- behaviour -----------------------------------------------------------------

    def activate_index(self, index: int) -> None:
        if 0 <= index < self.item_count() and self.item_clickable(index):
            self.activated.emit(self.item_key(index))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 — Qt API
        index = self.item_at(event.position().toPoint())
        if index != self._hover:
            self._hover = index
            clickable = index >= 0 and self.item_clickable(index)
            self.setCursor(Qt.CursorShape.PointingHandCursor if clickable
                           else Qt.CursorShape.ArrowCursor)
            self.update()
        tip = self.item_tooltip(index) if index >= 0 else ""
        if tip:
            QToolTip.showText(event.globalPosition().toPoint(), tip, self)
        else:
            QToolTip.hideText()
        super().mouseMoveEvent(event)

    def leaveEvent(self, event) -> None:  # noqa: N802
        self._hover = -1
        self.update()
        super().leaveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton:
            index = self.item_at(event.position().toPoint())
            if index >= 0:
                self._focus_index = index
                self.activate_index(index)
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        n = self.item_count()
        key = event.key()
        if n and key in (Qt.Key.Key_Down, Qt.Key.Key_Right):
            self._focus_index = min(n - 1, self._focus_index + 1)
            self._focus_moved()
        elif n and key in (Qt.Key.Key_Up, Qt.Key.Key_Left):
            self._focus_index = max(0, self._focus_index - 1)
            self._focus_moved()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.activate_index(self._focus_index)
        else:
            super().keyPressEvent(event)

    def focusInEvent(self, event) -> None:  # noqa: N802
        if self._focus_index < 0 and self.item_count():
            self._focus_index = 0
        self.update()
        super().focusInEvent(event)

    def focusOutEvent(self, event) -> None:  # noqa: N802
        self.update()
        self._describe()  # every value again, for the next visit
        super().focusOutEvent(event)

    def _draw_focus_ring(self, p: QPainter) -> None:
        """A focused chart with nothing in it (or no item chosen) still shows focus."""
        if self.hasFocus() and not 0 <= self._focus_index < self.item_count():
            p.setPen(QPen(style.ACCENT, 2))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(QRectF(self.rect()).adjusted(1, 1, -1, -1))

    def _draw_empty(self, p: QPainter) -> None:
        self._draw_focus_ring(p)
        if self.empty_text:
            p.setPen(style.MUTED_TEXT)
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                       self.empty_text)

    def _focus_pen(self) -> QPen:
        return QPen(style.ACCENT, 2, Qt.PenStyle.DashLine)


class BarChart(_ChartBase):
    """Horizontal bars: label | bar | value. ``max_value`` fixes the scale
    (default: the largest value)."""

    ROW = 26
    GAP = 6

    def __init__(self, parent: QWidget | None = None, empty_text: str = ""):
        super().__init__(parent)
        self.data: list[Datum] = []
        self.max_value: float | None = None
        #: (value, label): a dashed line across the bars at ``value`` (a limit).
        self.marker: tuple[float, str] | None = None
        self.empty_text = empty_text

    def set_data(self, data: list[Datum]) -> None:
        self.data = list(data)
        self._hover = -1
        self._focus_index = min(self._focus_index, len(self.data) - 1)
        self._describe()
        self.updateGeometry()
        self.update()

    def clear(self) -> None:
        self.set_data([])

    # -- geometry ------------------------------------------------------------------

    def _label_width(self) -> int:
        fm = QFontMetrics(self.font())
        widest = max((fm.horizontalAdvance(d.label) for d in self.data), default=0)
        return min(max(60, widest + 12), max(80, self.width() // 2))

    def _value_width(self) -> int:
        fm = QFontMetrics(self._bold())
        widest = max((fm.horizontalAdvance(d.value_text or _fmt_value(d.value))
                      for d in self.data), default=0)
        return widest + 12

    def _bold(self) -> QFont:
        f = QFont(self.font())
        f.setWeight(QFont.Weight.DemiBold)
        return f

    def row_rect(self, index: int) -> QRect:
        row = self.row_height(self.ROW)
        return QRect(0, 4 + index * (row + self.GAP), self.width(), row)

    def _scale(self) -> tuple[int, float, float]:
        """(left edge, room in pixels, the value at the right end)."""
        left = self._label_width()
        room = max(10, self.width() - left - self._value_width() - 4)
        top = max((self.max_value or 0), max((d.value for d in self.data), default=0), 1)
        return left, room, top

    def bar_rect(self, index: int) -> QRect:
        """Where bar ``index`` is drawn (for clicks and tests)."""
        row = self.row_rect(index)
        left, room, top = self._scale()
        w = int(round(room * max(0.0, self.data[index].value) / top))
        return QRect(left, row.top() + 4, max(w, 2), row.height() - 8)

    def sizeHint(self) -> QSize:  # noqa: N802
        n = max(len(self.data), 2)
        return QSize(320, 8 + n * (self.row_height(self.ROW) + self.GAP) + self._extra_height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(200, 8 + max(len(self.data), 1) * (self.row_height(self.ROW) + self.GAP)
                     + self._extra_height())

    # -- _ChartBase ------------------------------------------------------------------

    def entries(self) -> Sequence:
        return self.data

    def value_text(self, item) -> str:
        return _datum_text(item)

    # -- painting ----------------------------------------------------------------------

    def paintEvent(self, _event) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        if not self.data:
            self._draw_empty(p)
            return
        left = self._label_width()
        bold = self._bold()
        for i, d in enumerate(self.data):
            row = self.row_rect(i)
            if i == self._hover and self.item_clickable(i):
                p.fillRect(row, QColor("#eef3f6"))
            p.setPen(style.TEXT)
            p.setFont(self.font())
            label_rect = QRect(row.left() + 2, row.top(), left - 10, row.height())
            p.drawText(label_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                       QFontMetrics(self.font()).elidedText(d.label, Qt.TextElideMode.ElideRight,
                                                            label_rect.width()))
            bar = self.bar_rect(i)
            colour = _colour(d, i)
            if i == self._hover and self.item_clickable(i):
                colour = colour.darker(115)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(colour if d.value > 0 else QColor("#d5dce2"))
            p.drawRoundedRect(QRectF(bar), 3, 3)
            p.setPen(style.TEXT)
            p.setFont(bold)
            p.drawText(QRect(bar.right() + 6, row.top(), self.width() - bar.right() - 6,
                             row.height()),
                       Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                       d.value_text or _fmt_value(d.value))
            if self.hasFocus() and i == self._focus_index:
                p.setPen(self._focus_pen())
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawRect(row.adjusted(0, 0, -1, -1))
        if self.marker is not None:
            value, text = self.marker
            left, room, top = self._scale()
            x = left + int(round(room * value / top))
            bottom = self.row_rect(len(self.data) - 1).bottom()
            p.setPen(QPen(style.RED, 1.2, Qt.PenStyle.DashLine))
            p.drawLine(x, 2, x, bottom + 2)
            p.setFont(self.font())
            p.drawText(QRect(x + 4, bottom + 2, self.width() - x - 4, self._extra_height()),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, text)

    def _extra_height(self) -> int:
        return QFontMetrics(self.font()).height() + 4 if self.marker is not None else 0


class DonutChart(_ChartBase):
    """A ring of segments with the total (and a caption) in the middle and a
    legend on the right; legend entries are clickable too."""

    def __init__(self, parent: QWidget | None = None, caption: str = "",
                 empty_text: str = ""):
        super().__init__(parent)
        self.data: list[Datum] = []
        self.caption = caption
        self.centre_text: str | None = None
        self.empty_text = empty_text

    def set_data(self, data: list[Datum], centre_text: str | None = None) -> None:
        self.data = list(data)
        self.centre_text = centre_text
        self._hover = -1
        self._focus_index = min(self._focus_index, len(self.data) - 1)
        self._describe()
        self.update()

    def clear(self) -> None:
        self.set_data([])

    def total(self) -> float:
        return sum(max(0.0, d.value) for d in self.data)

    def ring_rect(self) -> QRectF:
        side = min(self.height() - 12, self.width() * 0.45,
                   max(170, QFontMetrics(self.font()).horizontalAdvance(self.caption) + 70))
        return QRectF(8, (self.height() - side) / 2, side, side)

    def legend_rect(self, index: int) -> QRect:
        ring = self.ring_rect()
        x = int(ring.right() + 18)
        row_h = self.row_height(24)
        top = int(self.height() / 2 - len(self.data) * row_h / 2)
        return QRect(x, top + index * row_h, max(40, self.width() - x - 4), row_h)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(340, max(170, len(self.data) * self.row_height(24) + 12))

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        caption = QFontMetrics(self.font()).horizontalAdvance(self.caption) + 82
        return QSize(220, max(120, len(self.data) * self.row_height(24) + 12, caption))

    def _angles(self) -> list[tuple[float, float]]:
        """(start, span) in degrees, clockwise from 12 o'clock, per segment."""
        total = self.total()
        out, start = [], 90.0
        for d in self.data:
            span = 360.0 * max(0.0, d.value) / total if total else 0.0
            out.append((start, -span))
            start -= span
        return out

    def entries(self) -> Sequence:
        return self.data

    def value_text(self, item) -> str:
        return _datum_text(item)

    def item_at(self, pos) -> int:
        for i in range(len(self.data)):
            if self.legend_rect(i).contains(pos):
                return i
        ring = self.ring_rect()
        c = ring.center()
        dx, dy = pos.x() - c.x(), c.y() - pos.y()
        r = math.hypot(dx, dy)
        outer = ring.width() / 2
        if not (outer * 0.55 <= r <= outer) or not self.total():
            return -1
        angle = math.degrees(math.atan2(dy, dx))  # counter-clockwise from 3 o'clock
        for i, (start, span) in enumerate(self._angles()):
            lo, hi = start + span, start
            a = angle
            while a < lo:
                a += 360
            while a > hi + 360:
                a -= 360
            if lo <= a <= hi and span:
                return i
        return -1


    def paintEvent(self, _event) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        if not self.data:
            self._draw_empty(p)
            return
        ring = self.ring_rect()
        width = ring.width() * 0.2
        inner = ring.adjusted(width / 2, width / 2, -width / 2, -width / 2)
        total = self.total()
        if not total:
            p.setPen(QPen(QColor("#d5dce2"), width, Qt.PenStyle.SolidLine,
                          Qt.PenCapStyle.FlatCap))
            p.drawArc(inner, 0, 360 * 16)
        for i, (d, (start, span)) in enumerate(zip(self.data, self._angles())):
            if not span:
                continue
            colour = _colour(d, i)
            w = width * (1.12 if i == self._hover else 1.0)
            p.setPen(QPen(colour, w, Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap))
            p.drawArc(inner, int(start * 16), int(span * 16))
        # centre
        p.setPen(style.TEXT)
        big = QFont(self.font())
        big.setPointSize(big.pointSize() + 8)
        big.setWeight(QFont.Weight.DemiBold)
        p.setFont(big)
        centre_text = self.centre_text if self.centre_text is not None else _fmt_value(total)
        fm = QFontMetrics(big)
        text_rect = QRectF(ring.left(), ring.center().y() - fm.height() * 0.75,
                           ring.width(), fm.height())
        p.drawText(text_rect, Qt.AlignmentFlag.AlignCenter, centre_text)
        if self.caption:
            p.setFont(self.font())
            p.setPen(style.MUTED_TEXT)
            p.drawText(QRectF(ring.left() + width, text_rect.bottom(),
                              ring.width() - 2 * width, QFontMetrics(self.font()).height()),
                       Qt.AlignmentFlag.AlignCenter, self.caption)
        # legend
        p.setFont(self.font())
        fm = QFontMetrics(self.font())
        for i, d in enumerate(self.data):
            r = self.legend_rect(i)
            if i == self._hover and self.item_clickable(i):
                p.fillRect(r, QColor("#eef3f6"))
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(_colour(d, i))
            p.drawRoundedRect(QRectF(r.left() + 2, r.center().y() - 6, 12, 12), 3, 3)
            p.setPen(style.TEXT)
            text = f"{d.label}: {d.value_text or _fmt_value(d.value)}"
            p.drawText(r.adjusted(22, 0, 0, 0),
                       Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                       fm.elidedText(text, Qt.TextElideMode.ElideRight, r.width() - 24))
            if self.hasFocus() and i == self._focus_index:
                p.setPen(self._focus_pen())
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawRect(r.adjusted(0, 0, -1, -1))


def hours_text(hours: float, lang: str = "sv") -> str:
    """'5 h 12 min' / '40 min' (absolute value)."""
    minutes = int(round(abs(hours) * 60))
    h, m = divmod(minutes, 60)
    if h and m:
        return f"{h} h {m} min"
    if h:
        return f"{h} h"
    return f"{m} min"


def deadline_text(hours_left: float, lang: str = "sv") -> str:
    """'12 h kvar' or 'försenad 3 h' (Swedish) / '12 h left' or '3 h overdue'."""
    if hours_left < 0:
        return (f"försenad {hours_text(hours_left)}" if lang == "sv"
                else f"{hours_text(hours_left)} overdue")
    return f"{hours_text(hours_left)} kvar" if lang == "sv" else f"{hours_text(hours_left)} left"


def deadline_colour(hours_left: float, total_hours: float) -> QColor:
    if hours_left < 0:
        return style.RED
    if hours_left <= total_hours / 6:
        return QColor("#d9822b")  # orange: the last few hours
    if hours_left <= total_hours / 2:
        return QColor("#d9a21b")
    return QColor("#3f8f4a")


class DeadlineBars(_ChartBase):
    """One row per item: label | time left as a shrinking bar | text. The bar
    is full when the whole target time (``total_hours``) is left, and empty at
    the deadline; past it the row is red and says how late it is. Repaints
    every 30 seconds, so the countdown runs while the screen is open."""

    ROW = 28
    GAP = 4

    def __init__(self, parent: QWidget | None = None, total_hours: float = 24,
                 empty_text: str = "", lang: str = "sv",
                 clock: Callable[[], dt.datetime] | None = None):
        super().__init__(parent)
        self.items: list[Deadline] = []
        self.total_hours = total_hours
        self.empty_text = empty_text
        self.lang = lang
        self.clock = clock or clock_module.now_utc
        self._timer = QTimer(self)
        self._timer.setInterval(30_000)
        self._timer.timeout.connect(self.update)

    def set_items(self, items: list[Deadline]) -> None:
        self.items = list(items)
        self._hover = -1
        if self.items:
            self._timer.start()
        else:
            self._timer.stop()
        self._focus_index = min(self._focus_index, len(self.items) - 1)
        self._describe()
        self.updateGeometry()
        self.update()

    def clear(self) -> None:
        self.set_items([])

    def hours_left(self, item: Deadline) -> float:
        due = item.due if item.due.tzinfo else item.due.replace(tzinfo=dt.timezone.utc)
        return (due - self.clock()).total_seconds() / 3600

    def row_rect(self, index: int) -> QRect:
        row = self.row_height(self.ROW)
        return QRect(0, 4 + index * (row + self.GAP), self.width(), row)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(360, 8 + max(len(self.items), 2) * (self.row_height(self.ROW) + self.GAP))

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(220, 8 + max(len(self.items), 1) * (self.row_height(self.ROW) + self.GAP))

    def entries(self) -> Sequence:
        return self.items

    def value_text(self, item) -> str:
        return deadline_text(self.hours_left(item), self.lang)

    def paintEvent(self, _event) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        if not self.items:
            self._draw_empty(p)
            return
        fm = QFontMetrics(self.font())
        label_w = min(max((fm.horizontalAdvance(it.label) for it in self.items), default=60) + 12,
                      max(100, self.width() * 2 // 5))
        bold = QFont(self.font())
        bold.setWeight(QFont.Weight.DemiBold)
        text_w = QFontMetrics(bold).horizontalAdvance("försenad 23 h 59 min") + 10
        for i, it in enumerate(self.items):
            row = self.row_rect(i)
            left = self.hours_left(it)
            late = left < 0
            if late:
                p.fillRect(row, style.RED_BG)
            if i == self._hover and self.item_clickable(i):
                p.fillRect(row, QColor("#eef3f6") if not late else style.RED_BG.darker(104))
            p.setFont(self.font())
            p.setPen(style.RED if late else style.TEXT)
            p.drawText(QRect(row.left() + 6, row.top(), label_w - 10, row.height()),
                       Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                       fm.elidedText(it.label, Qt.TextElideMode.ElideRight, label_w - 10))
            track = QRectF(label_w, row.top() + 8, max(20, self.width() - label_w - text_w - 8),
                           row.height() - 16)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor("#e3e8ec"))
            p.drawRoundedRect(track, 4, 4)
            colour = deadline_colour(left, self.total_hours)
            fraction = 1.0 if late else max(0.0, min(1.0, left / self.total_hours))
            fill = QRectF(track.left(), track.top(), max(4.0, track.width() * fraction),
                          track.height())
            p.setBrush(colour)
            if late:
                path = QPainterPath()
                path.addRoundedRect(fill, 4, 4)
                p.drawPath(path)
                p.setPen(QPen(QColor(255, 255, 255, 110), 2))
                x = fill.left() - fill.height()
                while x < fill.right():
                    p.drawLine(QPointF(max(x, fill.left()), fill.bottom()),
                               QPointF(min(x + fill.height(), fill.right()), fill.top()))
                    x += 9
            else:
                p.drawRoundedRect(fill, 4, 4)
            p.setFont(bold)
            p.setPen(style.RED if late else style.TEXT)
            p.drawText(QRect(int(track.right()) + 8, row.top(), text_w, row.height()),
                       Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                       deadline_text(left, self.lang))
            if self.hasFocus() and i == self._focus_index:
                p.setPen(self._focus_pen())
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawRect(row.adjusted(0, 0, -1, -1))


accessibility.register_role(_ChartBase, accessibility.QAccessible.Role.Chart)
