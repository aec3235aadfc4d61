"""Accessibility in the real window (EN 301 549 / WCAG 2.1 AA), offscreen, on
the demo store: for each role every screen, case tab and the dialogs their
"…" buttons open are walked and checked for accessible names and roles
(accessibility.audit), Tab must leave every table, text area and date field
and reach every control, focus must be visible, validation must be text, and
nothing may clip at 200 % text.

The demo store is built once for the module (about half a minute) and only
read: dialogs are opened and closed, never saved."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAccessible
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialog,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from trefas_app.demo import DEMO_PASSWORD, build_demo
from trefas_app.store.keyslots import TEST_KDF
from trefas_app.ui import accessibility, style

WAIT = 20_000
#: One user per role (the demo store's).
ROLES = {"social worker": "sara.lindqvist", "coordinator": "layla.haddad",
         "supervisor": "erik.sandberg", "police": "deniz.yilmaz",
         "probation": "arash.rahimi", "administrator": "admin"}


@pytest.fixture(scope="module")
def demo_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("a11y") / "store"
    build_demo(root, kdf=TEST_KDF, clock=lambda: dt.datetime.now(dt.timezone.utc))
    return root


@pytest.fixture(scope="module", autouse=True)
def real_style(qapp):
    """The program's own look (stylesheet, palette, font), as ``run_gui`` sets
    it; the plain look again for the modules after this one."""
    style.apply_style(qapp)
    yield
    qapp.setStyleSheet("")
    qapp.setPalette(qapp.property("trefasOsPalette"))
    qapp.setFont(qapp.property("trefasOsFont"))


@pytest.fixture
def window_as(qtbot, qapp, demo_root, tmp_path):
    """``window_as(username) -> MainWindow`` unlocked (the store is shared, read only)."""
    from trefas_app.store.store import unlock
    from trefas_app.ui.context import AppContext
    from trefas_app.ui.main_window import MainWindow

    made = []

    def make(username: str):
        settings = QSettings(str(tmp_path / f"{username}.ini"), QSettings.Format.IniFormat)
        ctx = AppContext(demo_root, settings=settings, language="sv", show_dialogs=False)
        ctx.messages = []
        ctx.messageShown.connect(ctx.messages.append)
        win = MainWindow(ctx)
        qtbot.addWidget(win)
        win.resize(1300, 850)
        got = []
        ctx.run_plain(unlock, demo_root, username, DEMO_PASSWORD, on_done=got.append)
        qtbot.waitUntil(lambda: bool(got), timeout=WAIT)
        ctx.set_store(got[0])
        qtbot.waitUntil(lambda: win.current_key is not None, timeout=WAIT)
        made.append(ctx)
        return win

    yield make
    for ctx in made:
        ctx.shutdown()


def _idle(qtbot, win) -> None:
    qtbot.waitUntil(lambda: not win.ctx.worker.busy, timeout=WAIT)
    QApplication.processEvents()


def _pages(qtbot, win):
    """Every navigation screen, then the first case's every tab: (name, widget)."""
    for key in win.nav_keys():
        screen = win.show_screen(key)
        _idle(qtbot, win)
        yield key, screen
    if "cases" not in win.nav_keys():
        return
    rows = win.screen("cases").model.rows()
    if not rows:
        return
    win.ctx.open_case(rows[0].id)
    _idle(qtbot, win)
    view = win.current_screen()
    for i in range(view.tabs.count()):
        view.tabs.setCurrentIndex(i)
        _idle(qtbot, win)
        yield f"case/{view.tabs.tabText(i)}", view.tabs.currentWidget()


def _open_dialogs(qtbot, win, page: QWidget):
    """The dialogs the page's visible "…" buttons open (each closed unsaved)."""
    buttons = [b for b in page.findChildren(QPushButton)
               if b.text().endswith("…") and b.isVisible() and b.isEnabled()]
    for button in buttons:
        before = set(QApplication.topLevelWidgets())
        button.click()
        _idle(qtbot, win)
        for dialog in [w for w in QApplication.topLevelWidgets()
                       if w not in before and isinstance(w, QDialog) and w.isVisible()]:
            yield button.text(), dialog
            if hasattr(dialog, "mark_clean"):
                dialog.mark_clean()
            dialog.reject()
            dialog.close()


@pytest.mark.parametrize("role", list(ROLES))
def test_every_screen_tab_and_dialog_names_every_control(qtbot, window_as, role):
    win = window_as(ROLES[role])
    found = {}
    dialogs = 0
    for name, page in _pages(qtbot, win):
        found[name] = accessibility.audit(page)
        if role in ("social worker", "supervisor", "administrator"):
            for text, dialog in _open_dialogs(qtbot, win, page):
                dialogs += 1
                found[f"{name} → {text}"] = accessibility.audit(dialog)
    found["window"] = accessibility.audit(win.nav)
    assert {k: v for k, v in found.items() if v} == {}
    assert len(found) >= 3
    if role == "social worker":
        assert dialogs >= 5


def test_custom_widgets_have_roles_and_expose_values(qtbot, window_as):
    win = window_as("sara.lindqvist")
    dash = win.current_screen()
    _idle(qtbot, win)
    for tile in dash.tiles:
        assert accessibility.accessible_role(tile) == QAccessible.Role.Button
        assert tile.caption.text() in accessibility.accessible_name(tile)
    chart = dash.cases_chart
    iface = QAccessible.queryAccessibleInterface(chart)
    assert iface.role() == QAccessible.Role.Chart
    assert iface.text(QAccessible.Text.Name) == dash.cases_card.title.text()
    description = iface.text(QAccessible.Text.Description)
    assert all(d.label in description for d in chart.data)
    chart.setFocus()
    QTest.keyClick(chart, Qt.Key.Key_Down)
    assert iface.text(QAccessible.Text.Value).startswith(f"{chart.data[1].label}:")
    assert "(2/" in iface.text(QAccessible.Text.Value)
    # While the arrows move, the description is the bar (Orca reads a changed
    # description of the focus; AT-SPI drops value changes of a chart) …
    assert iface.text(QAccessible.Text.Description) == iface.text(QAccessible.Text.Value)
    dash.findChild(QPushButton, "refresh").setFocus()
    qtbot.waitUntil(lambda: not chart.hasFocus(), timeout=WAIT)
    # … and every value again once the focus has left.
    assert iface.text(QAccessible.Text.Description) == description


def _focus_walk(qtbot, window: QWidget, start: QWidget, presses: int, key=Qt.Key.Key_Tab):
    window.activateWindow()
    start.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=WAIT)
    seen = []
    for _ in range(presses):
        QTest.keyClick(QApplication.focusWidget(), key)
        seen.append(QApplication.focusWidget())
    return seen


def _tab_stops(root: QWidget) -> set[QWidget]:
    return {w for w in root.findChildren(QWidget)
            if w.focusPolicy() & Qt.FocusPolicy.TabFocus and w.isVisible() and w.isEnabled()
            and w.focusProxy() is None and not isinstance(w.parentWidget(), QAbstractButton)}


def _consent_dialog(qtbot, win):
    from trefas_app.ui.dialogs.consent import ConsentDialog

    view = win.current_screen()
    dlg = ConsentDialog(win.ctx, win, view.case.person, view.case.id)
    qtbot.addWidget(dlg)
    dlg.show()
    _idle(qtbot, win)
    return dlg


def _open_first_case(qtbot, win, tab: str):
    win.show_screen("cases")
    _idle(qtbot, win)
    win.ctx.open_case(win.screen("cases").model.rows()[0].id)
    _idle(qtbot, win)
    view = win.current_screen()
    assert view.select_tab(tab)
    _idle(qtbot, win)
    return view


def test_tab_leaves_tables_text_and_the_empty_date_and_reaches_everything(qtbot, window_as):
    win = window_as("sara.lindqvist")
    view = _open_first_case(qtbot, win, "notes")
    table = view.tab("notes").table
    seen = _focus_walk(qtbot, win, table, 3)
    assert seen[0] is not table and table not in seen[:1]
    back = _focus_walk(qtbot, win, table, 1, Qt.Key.Key_Backtab)
    assert back[0] is not table
    table.setFocus()
    before = view.tabs.currentIndex()
    QTest.keyClick(table, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert view.tabs.currentIndex() == before + 1  # Ctrl+Tab: the next case tab
    tasks = win.show_screen("tasks")
    _idle(qtbot, win)
    tasks.table.setFocus()
    QTest.keyClick(tasks.table, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is not tasks.table  # no tabs around: leaves
    view = _open_first_case(qtbot, win, "notes")

    dlg = _consent_dialog(qtbot, win)
    assert dlg.until_edit.text() == "Välj slutdatum"
    seen = _focus_walk(qtbot, dlg, dlg.until_edit, 1)
    assert seen[0] is not dlg.until_edit
    seen = _focus_walk(qtbot, dlg, dlg.basis_combo, 60)
    stops = _tab_stops(dlg)
    assert stops <= set(seen), [w.objectName() or type(w).__name__ for w in stops - set(seen)]

    from trefas_app.ui.dialogs.note import NoteDialog

    note = NoteDialog(win.ctx, win, view.case) if _takes_case(NoteDialog) else None
    if note is not None:
        qtbot.addWidget(note)
        note.show()
        seen = _focus_walk(qtbot, note, note.body_edit, 1)
        assert seen[0] is not note.body_edit and "\t" not in note.body_edit.toPlainText()
        note.mark_clean()
        note.reject()
    dlg.mark_clean()
    dlg.reject()


def _takes_case(cls) -> bool:
    import inspect

    return len(inspect.signature(cls.__init__).parameters) >= 4


def test_consent_dialog_names_its_grid_and_says_why_save_is_off(qtbot, window_as):
    win = window_as("sara.lindqvist")
    _open_first_case(qtbot, win, "consents")
    dlg = _consent_dialog(qtbot, win)
    boxes = list(dlg.checks.values())
    assert len(boxes) == 12
    names = {accessibility.accessible_name(b) for b in boxes}
    assert len(names) == 12 and "Polisen – Identitet" in names
    from PySide6.QtWidgets import QFormLayout

    label = dlg.form.labelForField(dlg.until_edit.parentWidget())
    assert label.buddy() is dlg.until_edit
    assert accessibility.accessible_name(dlg.until_edit) == "Gäller till"
    assert dlg.until_edit.accessibleDescription() == "Måste fyllas i"
    assert isinstance(dlg.form, QFormLayout)
    # Save is off: the reasons are visible text, named, reachable with Tab.
    assert not dlg.ok_button.isEnabled()
    assert dlg.todo_label.isVisible() and "slutdatum" in dlg.todo_label.text()
    assert dlg.todo_label.focusPolicy() & Qt.FocusPolicy.TabFocus
    assert "slutdatum" in accessibility.accessible_name(dlg.todo_label)
    assert "slutdatum" in dlg.ok_button.accessibleDescription()
    # A wrong date: the sentence under the field is the field's description too.
    dlg.until_edit.setDate(dlg.from_edit.date().addDays(-3))
    assert dlg.until_error.isVisible()
    assert dlg.until_edit.accessibleDescription() == dlg.until_error.text()
    dlg.mark_clean()
    dlg.reject()


def _differs_when_focused(qtbot, widget: QWidget, away: QWidget) -> bool:
    away.setFocus()
    QApplication.processEvents()
    before = widget.grab().toImage()
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus, timeout=WAIT)
    QApplication.processEvents()
    return widget.grab().toImage() != before


def test_focus_is_visible_on_tiles_charts_empty_charts_and_the_hint(qtbot, window_as):
    win = window_as("sara.lindqvist")
    win.activateWindow()
    dash = win.current_screen()
    _idle(qtbot, win)
    away = dash.findChild(QPushButton, "refresh")
    assert _differs_when_focused(qtbot, dash.tile_cases, away)
    assert _differs_when_focused(qtbot, dash.cases_chart, away)
    dash.steps_chart.set_data([])  # empty: the ring is all there is
    assert _differs_when_focused(qtbot, dash.steps_chart, away)
    assert _differs_when_focused(qtbot, win.nav, away)
    assert _differs_when_focused(qtbot, dash.tasks_list, away)


def _clipped(root: QWidget) -> list[str]:
    """Labels and buttons whose text does not fit their size."""
    bad = []
    for w in root.findChildren(QWidget):
        if isinstance(w, QPlainTextEdit) and w.isVisible() and \
                w.height() < 2 * w.fontMetrics().lineSpacing() + 8:
            bad.append(f"QPlainTextEdit {w.objectName()!r}: less than two lines high")
        if not w.isVisible() or not isinstance(w, (QLabel, QAbstractButton)):
            continue
        if isinstance(w, QLabel) and (not w.text() or w.pixmap() is not None
                                      and not w.pixmap().isNull()):
            continue
        hint = w.sizeHint()
        if isinstance(w, QLabel) and w.wordWrap():
            fits = w.height() + 1 >= w.heightForWidth(w.width())
        else:
            fits = w.width() + 1 >= hint.width() and w.height() + 1 >= min(
                hint.height(), w.minimumSizeHint().height())
        if not fits:
            bad.append(f"{type(w).__name__} {w.objectName()!r} {getattr(w, 'text', str)()!r}")
    return bad


@pytest.fixture
def double_text(qapp):
    style.apply_style(qapp, 200)
    yield
    style.apply_style(qapp, 100)


def test_nothing_clips_at_200_percent_text(qtbot, window_as, double_text, qapp):
    win = window_as("sara.lindqvist")
    win.resize(1600, 1000)
    dash = win.current_screen()
    _idle(qtbot, win)
    heading_font = dash.findChildren(QLabel)[0].font()
    assert heading_font.pointSizeF() > qapp.font().pointSizeF()  # headings scale with text
    clipped = _clipped(dash)
    assert clipped == [], "\n".join(clipped)
    assert dash.scroll.widget().minimumSizeHint().width() <= dash.scroll.viewport().width()
    view = _open_first_case(qtbot, win, "overview")
    bar = view.tabs.tabBar()
    assert bar.elideMode() == Qt.TextElideMode.ElideNone
    for i in range(view.tabs.count()):  # every tab reachable with Ctrl+Tab, title whole
        view.tabs.setCurrentIndex(i)
        assert bar.tabRect(i).width() >= bar.fontMetrics().horizontalAdvance(bar.tabText(i))
    cases = win.show_screen("cases")
    _idle(qtbot, win)
    first = cases.model.rows()[0]
    number_width = cases.table.fontMetrics().horizontalAdvance(first.number)
    assert cases.table.columnWidth(0) >= number_width
    win.show_screen("cases")
    _open_first_case(qtbot, win, "consents")
    dlg = _consent_dialog(qtbot, win)
    dlg.resize(dlg.sizeHint())  # (adjustSize would stop at the 800×600 offscreen screen)
    QApplication.processEvents()
    clipped = _clipped(dlg)
    assert clipped == [], "\n".join(clipped)
    assert dlg.until_edit.width() >= dlg.until_edit.fontMetrics().horizontalAdvance(
        "Välj slutdatum")
    target = os.environ.get("TREFAS_SCREENSHOTS")  # e.g. docs/screenshots
    if target:
        dlg.grab().save(str(Path(target) / "a11y-consent-200.png"))
    dlg.mark_clean()
    dlg.reject()


def test_every_dialog_fits_200_percent_and_tab_reaches_all_of_it(qtbot, window_as,
                                                                 double_text):
    """The social worker's and the supervisor's dialogs at 200 % text: no
    label or button cut, and Tab from the first field reaches every control."""
    problems = {}
    opened = 0
    for user in ("sara.lindqvist", "erik.sandberg"):
        win = window_as(user)
        for name, page in _pages(qtbot, win):
            for text, dialog in _open_dialogs(qtbot, win, page):
                opened += 1
                dialog.resize(dialog.sizeHint().expandedTo(dialog.size()))
                QApplication.processEvents()
                stops = _tab_stops(dialog)
                first = dialog.focusWidget() or next(iter(stops))
                seen = set(_focus_walk(qtbot, dialog, first, 2 * len(stops) + 2))
                missed = [w.objectName() or type(w).__name__ for w in stops - seen]
                bad = _clipped(dialog) + [f"Tab never reaches {m}" for m in missed]
                if bad:
                    problems[f"{name} → {text}"] = bad
    assert problems == {}
    assert opened >= 8


def test_shortcuts_dialog_lists_the_window_actions(qtbot, window_as):
    from trefas_app.ui.shortcuts import ShortcutsDialog

    win = window_as("sara.lindqvist")
    dlg = ShortcutsDialog(win)
    qtbot.addWidget(dlg)
    rows = dict(dlg.rows())
    assert rows["Ctrl+L"] == "Lås"
    assert rows["Ctrl+1"] == "Gå till Översikt"
    assert rows["F1"] == "Kortkommandon"
    assert "Tab / Shift+Tab" in rows
    assert accessibility.audit(dlg) == []


def test_text_size_and_system_colours_settings(qtbot, window_as, qapp, monkeypatch):
    win = window_as("sara.lindqvist")
    base = qapp.property("trefasOsFont").pointSizeF()
    try:
        win.text_size_actions[200].trigger()
        assert qapp.font().pointSizeF() == pytest.approx(base * 2)
        assert win.ctx.settings.value("text_scale") in (200, "200")
        assert win.current_screen() is not None  # rebuilt where the user was
        win.system_colours_action.setChecked(True)
        assert qapp.property("trefasOwnColours") is False
        assert qapp.palette().color(qapp.palette().ColorRole.Window) != style.WINDOW
    finally:
        win.system_colours_action.setChecked(False)
        win.text_size_actions[100].trigger()
    assert qapp.property("trefasOwnColours") is True
    # The OS in high-contrast mode: the program's own palette stays off.
    monkeypatch.setattr(style, "os_prefers_system_colours", lambda _app: True)
    style.apply_style(qapp)
    assert qapp.property("trefasOwnColours") is False
    monkeypatch.undo()
    style.apply_style(qapp)
    assert "15pt" not in qapp.styleSheet()


def test_overdue_plan_action_says_so_in_words():
    from trefas_app.ui.widgets.parts import overdue_text

    assert overdue_text("2026-01-02") == "2026-01-02 ⚠ försenad"


def test_unlock_dialog_and_first_run_wizard_are_named(qtbot, qapp, demo_root, tmp_path):
    from trefas_app.ui.context import AppContext
    from trefas_app.ui.first_run import FirstRunWizard
    from trefas_app.ui.unlock import UnlockDialog

    settings = QSettings(str(tmp_path / "u.ini"), QSettings.Format.IniFormat)
    ctx = AppContext(demo_root, settings=settings, language="sv", show_dialogs=False)
    fresh = AppContext(tmp_path / "none", settings=settings, language="sv", show_dialogs=False)
    try:
        dlg = UnlockDialog(ctx, None, username="sara.lindqvist")
        qtbot.addWidget(dlg)
        dlg.show()
        assert accessibility.audit(dlg) == []
        wizard = FirstRunWizard(fresh)
        qtbot.addWidget(wizard)
        wizard.show()
        assert accessibility.audit(wizard) == []
    finally:
        ctx.shutdown()
        fresh.shutdown()


def test_a_field_error_is_its_fields_description(qtbot, window_as):
    """The sentence under a field reaches a screen reader with the field,
    found from the layout (no field passed): the person dialog's names."""
    from trefas_app.ui.dialogs.person import PersonDialog

    win = window_as("sara.lindqvist")
    dlg = PersonDialog(win.ctx, win)
    qtbot.addWidget(dlg)
    dlg.show()
    QTest.keyClicks(dlg.first_edit, "A")
    QTest.keyClick(dlg.first_edit, Qt.Key.Key_Backspace)  # typed, then erased
    assert dlg.first_error.isVisible()
    assert dlg.first_edit.accessibleDescription() == dlg.first_error.text()
    assert dlg.last_edit.accessibleDescription() != dlg.first_error.text()
    QTest.keyClicks(dlg.first_edit, "Alva")
    assert dlg.first_edit.accessibleDescription() == ""
    dlg.mark_clean()
    dlg.reject()
