"""Accessibility in one place: names and roles for assistive technology,
keyboard behaviour that never traps, announcements, and an audit the tests
(and a developer) can run over any window.

Screens and dialogs call :func:`tune` on their root once it is built (the
screen base, the dialog base and the main window do it on show); it

* stops Tab from moving *inside* tables and lists (arrow keys move between
  cells; Tab and Shift+Tab leave) and text areas (Tab moves focus);
* makes Tab leave a date field even while it shows its "no date" text;
* gives a control that has no name one from what a sighted user sees next to
  it: its form label, its placeholder, its tooltip, or (a list) the title of
  the screen or case tab it is on.

Custom-painted widgets get their role from :func:`install_roles` (a
``QAccessible`` factory): dashboard tiles are buttons, charts are charts whose
value is the bar that has the keyboard focus.

:func:`audit` lists what is still missing (no name, a table that keeps Tab, a
custom widget with the role "client"); ``tests/ui/test_accessibility.py`` runs
it over every screen and dialog for every role.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtGui import (
    QAccessible,
    QAccessibleAnnouncementEvent,
    QAccessibleEvent,
    QAccessibleValueChangeEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QAccessibleWidget,
    QApplication,
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QTabBar,
    QTabWidget,
    QTableView,
    QTextEdit,
    QWidget,
)


def accessible_name(widget: QWidget) -> str:
    """The name a screen reader hears for ``widget`` (Qt's own rules included:
    a button's text, a buddy label, an explicit accessible name)."""
    iface = QAccessible.queryAccessibleInterface(widget)
    return iface.text(QAccessible.Text.Name).strip() if iface is not None else ""


def accessible_role(widget: QWidget) -> QAccessible.Role:
    iface = QAccessible.queryAccessibleInterface(widget)
    return iface.role() if iface is not None else QAccessible.Role.NoRole


def name(widget: QWidget, text: str, description: str | None = None) -> QWidget:
    """Set a widget's accessible name (and description); returns the widget."""
    widget.setAccessibleName(text)
    if description is not None:
        widget.setAccessibleDescription(description)
    return widget


def tie(label: QLabel, field: QWidget) -> None:
    """A visible label names ``field`` (screen readers read it; Alt+letter focuses it)."""
    label.setBuddy(field)
    if not field.accessibleName():
        field.setAccessibleName(_plain(label.text()))
    if label.text().rstrip().endswith("*") and not field.accessibleDescription():
        field.setAccessibleDescription(QCoreApplication.translate("accessibility",
                                                                  "Måste fyllas i"))


def announce(widget: QWidget, text: str) -> None:
    """Say ``text`` politely through the screen reader (no focus change)."""
    if not text or not QAccessible.isActive():
        return
    event = QAccessibleAnnouncementEvent(widget, text)
    event.setPoliteness(QAccessible.AnnouncementPoliteness.Polite)
    QAccessible.updateAccessibility(event)


def changed(widget: QWidget, what: QAccessible.Event = QAccessible.Event.NameChanged) -> None:
    """Tell assistive technology that ``widget``'s name, description or value changed."""
    if QAccessible.isActive():
        QAccessible.updateAccessibility(QAccessibleEvent(widget, what))


def value_changed(widget: QWidget, value: str) -> None:
    """Tell assistive technology that ``widget``'s value is now ``value``."""
    if QAccessible.isActive():
        QAccessible.updateAccessibility(QAccessibleValueChangeEvent(widget, value))


# --- keyboard ------------------------------------------------------------------------


class _TabLeaves(QObject):
    """Event filter: Tab/Shift+Tab in a date field, and Ctrl+Tab/Ctrl+Shift+Tab
    in a table or list, go to the next/previous control (or tab, inside tabs).
    (Qt's date field moves
    between its sections instead, and with its "no date" text shown it never
    lets go; a table keeps Ctrl+Tab, the key that leaves any control.)"""

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 — Qt API
        if event.type() != QEvent.Type.KeyPress or event.key() not in (Qt.Key.Key_Tab,
                                                                       Qt.Key.Key_Backtab):
            return False
        ctrl = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        if not ctrl and not isinstance(obj, QDateTimeEdit):
            return False
        backwards = event.key() == Qt.Key.Key_Backtab or bool(
            event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        tabs = _tab_widget_around(obj) if ctrl else None
        if tabs is not None:  # Ctrl+Tab: the next tab, as everywhere else in the tabs
            tabs.setCurrentIndex((tabs.currentIndex() + (-1 if backwards else 1)) % tabs.count())
        else:
            move_focus(obj, not backwards)
        return True


def _tab_widget_around(widget: QWidget) -> QTabWidget | None:
    probe = widget.parentWidget()
    while probe is not None and not probe.isWindow():
        if isinstance(probe, QTabWidget):
            return probe
        probe = probe.parentWidget()
    return None


_tab_leaves = _TabLeaves()


def move_focus(widget: QWidget, forward: bool = True) -> None:
    """Move the keyboard focus from ``widget`` to the next (previous) control
    in its window's Tab chain."""
    target = widget.nextInFocusChain() if forward else widget.previousInFocusChain()
    seen = 0
    while target is not None and target is not widget and seen < 2000:
        seen += 1
        if _takes_tab_focus(target) and target.window() is widget.window():
            target.setFocus(Qt.FocusReason.TabFocusReason if forward
                            else Qt.FocusReason.BacktabFocusReason)
            return
        target = target.nextInFocusChain() if forward else target.previousInFocusChain()


def _takes_tab_focus(w: QWidget) -> bool:
    return (bool(w.focusPolicy() & Qt.FocusPolicy.TabFocus) and w.isVisible()
            and w.isEnabled() and w.focusProxy() is None)


# --- text size ------------------------------------------------------------------------


def text_factor() -> float:
    """How much larger the text is than the system's own (1.0, 1.5, 2.0 …)."""
    app = QApplication.instance()
    os_font = app.property("trefasOsFont") if app is not None else None
    if os_font is None or os_font.pointSizeF() <= 0:
        return 1.0
    return max(1.0, app.font().pointSizeF() / os_font.pointSizeF())


def fit_columns(table: QTableView, widths: list[int]) -> None:
    """Columns as wide as their contents (the rows loaded so far and the
    header), at least ``widths`` (pixels at 100 % text, grown with the text
    size) and at most three times that, so nothing is cut at 200 % text."""
    factor = text_factor()
    header = table.horizontalHeader()
    for i, w in enumerate(widths):
        if i >= header.count():
            break
        least = int(w * factor)
        wanted = max(table.sizeHintForColumn(i), header.sectionSizeHint(i))
        table.setColumnWidth(i, max(least, min(wanted, 3 * least)))


# --- naming and tuning ------------------------------------------------------------------


def _plain(text: str) -> str:
    """A label's text without mnemonic '&' and the trailing ':' / ' *'."""
    text = text.replace("&&", "\0").replace("&", "").replace("\0", "&").strip()
    return text.rstrip(":*").strip()


def _form_label(widget: QWidget) -> str:
    """The QFormLayout label in front of ``widget`` (or of the row it sits in)."""
    probe: QWidget | None = widget
    for _ in range(3):
        parent = probe.parentWidget() if probe is not None else None
        if parent is None:
            return ""
        for form in parent.findChildren(QFormLayout):
            label = form.labelForField(probe)
            if isinstance(label, QLabel) and label.text():
                return label.text()
        probe = parent
    return ""


def _fallback_name(widget: QWidget) -> str:
    if isinstance(widget, QLineEdit) and widget.placeholderText():
        return widget.placeholderText()
    if isinstance(widget, QComboBox) and widget.isEditable() and widget.lineEdit() \
            and widget.lineEdit().placeholderText():
        return widget.lineEdit().placeholderText()
    text = _form_label(widget) or _heading_above(widget)
    if text:
        return _plain(text)
    if widget.toolTip():
        return widget.toolTip().split("\n", 1)[0]
    if isinstance(widget, QAbstractItemView):
        return _owner_title(widget)
    return ""


def _heading_above(widget: QWidget) -> str:
    """The (sub)heading laid out right before ``widget``, as a sighted user reads it."""
    parent = widget.parentWidget()
    layout = _layout_holding(parent.layout(), widget) if parent is not None else None
    if layout is None:
        return ""
    index = layout.indexOf(widget)
    while index > 0:
        index -= 1
        item = layout.itemAt(index)
        before = item.widget() if item is not None else None
        if before is None:
            continue
        if isinstance(before, QLabel) and before.property("role") in ("heading", "subheading"):
            return before.text()
        return ""
    return ""


def field_before(label: QWidget) -> QWidget | None:
    """The input laid out right before ``label`` (an error sentence under its
    field), or None: what the sentence is about."""
    parent = label.parentWidget()
    layout = _layout_holding(parent.layout(), label) if parent is not None else None
    if layout is None:
        return None
    for index in range(layout.indexOf(label) - 1, -1, -1):
        item = layout.itemAt(index)
        widget = item.widget() if item is not None else None
        if widget is None or not widget.isVisibleTo(parent):
            continue
        inputs = [w for w in [widget, *widget.findChildren(QWidget)]
                  if w.focusPolicy() & Qt.FocusPolicy.TabFocus and not isinstance(w, QLabel)
                  and not isinstance(w.parentWidget(), (QComboBox, QAbstractSpinBox))]
        return inputs[-1] if len(inputs) == 1 or inputs and inputs[0] is widget else None
    return None


def _layout_holding(layout: QLayout | None, widget: QWidget) -> QLayout | None:
    if layout is None:
        return None
    if layout.indexOf(widget) >= 0:
        return layout
    for i in range(layout.count()):
        child = layout.itemAt(i).layout()
        found = _layout_holding(child, widget) if child is not None else None
        if found is not None:
            return found
    return None


def _owner_title(widget: QWidget) -> str:
    """The title of the screen or case tab ``widget`` is on (a list's name
    when the screen shows one list)."""
    probe = widget.parentWidget()
    while probe is not None:
        title = getattr(probe, "title", "")
        if isinstance(title, str) and title:
            return title
        probe = probe.parentWidget()
    return ""


def tune(root: QWidget) -> None:
    """Apply the keyboard and naming rules to ``root`` and everything in it.
    Cheap and idempotent: call it whenever a screen or dialog is shown."""
    for widget in [root, *root.findChildren(QWidget)]:
        if isinstance(widget, QAbstractItemView):
            widget.setTabKeyNavigation(False)
            _leave_with_tab(widget)
            if isinstance(widget, QTableView):
                rows = widget.verticalHeader()
                rows.setDefaultSectionSize(max(rows.defaultSectionSize(),
                                               widget.fontMetrics().height() + 8))
        elif isinstance(widget, (QPlainTextEdit, QTextEdit)):
            widget.setTabChangesFocus(True)
            _grow_fixed_height(widget)
        elif isinstance(widget, QScrollArea) and widget.widget() is not None:
            _scroll_area_focus(widget)
        elif isinstance(widget, QDateTimeEdit):
            _leave_with_tab(widget)
        if widget.focusPolicy() & Qt.FocusPolicy.TabFocus and not accessible_name(widget):
            text = _fallback_name(widget)
            if text:
                widget.setAccessibleName(text)


class TunedOnShow:
    """Mixin for a screen, dialog or wizard (before the Qt class in the bases):
    :func:`tune` runs over it each time it is shown, so widgets added since
    are reachable and named too."""

    def showEvent(self, event) -> None:  # noqa: N802 — Qt API
        tune(self)
        super().showEvent(event)


def _leave_with_tab(widget: QWidget) -> None:
    if not widget.property("a11yTab"):
        widget.setProperty("a11yTab", True)
        widget.installEventFilter(_tab_leaves)


def _grow_fixed_height(widget: QWidget) -> None:
    """A text area of fixed height (pixels chosen at 100 % text) shows as many
    lines at a larger text size."""
    if widget.minimumHeight() != widget.maximumHeight():
        return
    base = widget.property("a11yBaseHeight")
    if base is None:
        base = widget.maximumHeight()
        widget.setProperty("a11yBaseHeight", base)
    widget.setFixedHeight(int(base * text_factor()))


def _scroll_area_focus(area: QScrollArea) -> None:
    """A scroll area around controls is no Tab stop of its own (an unnamed
    "filler" to a screen reader): Tab goes to the controls and the area
    scrolls to the one with focus. Around text alone it keeps focus (arrow
    keys scroll it) and is named after the screen."""
    inner = area.widget()
    if any(w.focusPolicy() & Qt.FocusPolicy.TabFocus for w in inner.findChildren(QWidget)):
        area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    elif not area.accessibleName():
        area.setAccessibleName(_owner_title(area))


def audit(root: QWidget) -> list[str]:
    """What still keeps ``root`` from being used with a keyboard or a screen
    reader: one sentence per problem, empty when all is well."""
    found = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisibleTo(root.window()) and widget is not root:
            continue
        what = f"{type(widget).__name__} '{widget.objectName()}'"
        if isinstance(widget, QAbstractItemView) and widget.tabKeyNavigation():
            found.append(f"{what}: Tab moves inside (setTabKeyNavigation(False))")
        if isinstance(widget, (QPlainTextEdit, QTextEdit)) and not widget.tabChangesFocus():
            found.append(f"{what}: Tab is typed as text (setTabChangesFocus(True))")
        if not _interactive(widget):
            continue
        if not accessible_name(widget):
            found.append(f"{what}: no accessible name")
        elif isinstance(widget, QComboBox) and not widget.accessibleName() \
                and not _has_buddy(widget):
            found.append(f"{what}: only its current value as name")
        role = accessible_role(widget)
        if role in (QAccessible.Role.Client, QAccessible.Role.Border, QAccessible.Role.NoRole):
            found.append(f"{what}: role {role.name}")
    return found


def _has_buddy(widget: QWidget) -> bool:
    window = widget.window()
    return any(label.buddy() is widget for label in window.findChildren(QLabel))


def _interactive(widget: QWidget) -> bool:
    """A control the user reaches with Tab (or a scroll area's viewport owner)."""
    if not widget.focusPolicy() & Qt.FocusPolicy.TabFocus or widget.focusProxy() is not None:
        return False
    if isinstance(widget, QTabBar) or isinstance(widget.parentWidget(), (QComboBox,
                                                                         QAbstractSpinBox)):
        return False  # named by its tabs / part of a compound control
    return True


# --- roles for custom-painted widgets ----------------------------------------------------


class _RoleInterface(QAccessibleWidget):
    """A widget's accessible interface with a chosen role; ``value`` (the
    widget's ``accessible_value()``) for charts: the focused bar."""

    def __init__(self, widget: QWidget, role: QAccessible.Role):
        super().__init__(widget, role)
        self._widget = widget

    def text(self, t: QAccessible.Text) -> str:  # noqa: D401 — Qt API
        if t == QAccessible.Text.Value and hasattr(self._widget, "accessible_value"):
            return self._widget.accessible_value()
        return super().text(t)


#: class name -> role. Filled by :func:`register_role`.
_ROLES: dict[str, QAccessible.Role] = {}
_alive: dict[int, _RoleInterface] = {}
_installed = False


def register_role(cls: type, role: QAccessible.Role) -> None:
    """Instances of ``cls`` (a Python QWidget subclass) and its subclasses get
    ``role`` (Qt asks the factory for each class up the chain)."""
    _ROLES[cls.__name__] = role
    install_roles()


def install_roles() -> None:
    global _installed
    if not _installed:
        QAccessible.installFactory(_factory)
        _installed = True


def _factory(class_name: str, obj: QObject):
    role = _ROLES.get(class_name)
    if role is None or not isinstance(obj, QWidget):
        return None
    iface = _RoleInterface(obj, role)
    # Qt's accessibility cache deletes the interface with the widget (which
    # marks the Python object invalid); until then Python must keep it, or it
    # would delete it under the cache's feet. Drop the invalid ones here.
    for key in [k for k, v in _alive.items() if not shiboken6.Shiboken.isValid(v)]:
        del _alive[key]
    _alive[id(iface)] = iface
    return iface
