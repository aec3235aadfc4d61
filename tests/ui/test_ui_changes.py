"""Screens refresh on what a service says it wrote, and only then (issue 10):
signing a note refreshes the open case's notes, not the case list or the
dashboard."""

from __future__ import annotations

import pytest

from trefas_app.domain.changes import Changed
from trefas_app.domain.enums import NoteState
from trefas_app.services import cases, notes, persons
from trefas_app.ui.main_window import MainWindow
from trefas_app.ui.screens.case_view import CaseViewScreen

WAIT = 10_000


def _unlock(qtbot, w, username: str, password: str) -> None:
    """Through the window's own unlock dialog (which then closes)."""
    dlg = w.unlock_dialog
    dlg.user_edit.setText(username)
    dlg.password_edit.setText(password)
    dlg.unlock_button.click()
    qtbot.waitUntil(lambda: w.ctx.is_unlocked and w.current_key is not None, timeout=WAIT)
    qtbot.waitUntil(lambda: not w.ctx.worker.busy, timeout=WAIT)


@pytest.fixture
def window(qtbot, world, ctx_factory):
    ctx = ctx_factory(world.root)
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    w.start()
    _unlock(qtbot, w, "sara", "Granskog-och-hav-42")
    return w


def _counting(monkeypatch, screen) -> list[int]:
    """Counts the screen's reloads (and leaves them working)."""
    calls: list[int] = []
    original = screen.reload

    def reload():
        calls.append(1)
        original()

    monkeypatch.setattr(screen, "reload", reload)
    return calls


def test_signing_a_note_refreshes_the_case_notes_and_not_the_lists(
        qtbot, window, run_sync, monkeypatch):
    ctx = window.ctx
    p = run_sync(ctx, persons.create_person, persons.PersonInput("Amir", "Haddad"))
    case = run_sync(ctx, cases.open_case, p.id, "Risk för våld")
    draft = run_sync(ctx, notes.write_note, case.id, "Samtal", "Om skolan.")
    window.show_screen("dashboard")
    window.show_screen("cases")
    qtbot.waitUntil(lambda: not ctx.worker.busy, timeout=WAIT)
    dashboard, case_list = window._screens["dashboard"], window._screens["cases"]
    ctx.open_case(case.id)
    view = window.current_screen()
    assert isinstance(view, CaseViewScreen)
    qtbot.waitUntil(lambda: view.case is not None, timeout=WAIT)
    view.select_tab("notes")
    tab = view.tab("notes")
    qtbot.waitUntil(lambda: not ctx.worker.busy and [n.id for n in tab.notes] == [draft.id],
                    timeout=WAIT)
    assert tab.notes[0].state == NoteState.DRAFT
    counted = {name: _counting(monkeypatch, s) for name, s in
               (("dashboard", dashboard), ("cases", case_list), ("notes", tab),
                ("case", view))}
    for screen in (dashboard, case_list):
        screen._stale = False
    delivered: list[Changed] = []
    ctx.changed.connect(delivered.append)

    tab.table.selectRow(0)
    tab.sign()  # as the Signera button does (the question is answered yes)
    qtbot.waitUntil(lambda: tab.notes and tab.notes[0].state == NoteState.SIGNED, timeout=WAIT)
    qtbot.waitUntil(lambda: not ctx.worker.busy, timeout=WAIT)

    assert delivered == [Changed(notes={case.id})]
    assert counted["notes"] == [1]
    assert counted["dashboard"] == [] and counted["cases"] == [] and counted["case"] == []
    # nor marked to reload the next time they are shown
    assert not dashboard._stale and not case_list._stale


def test_a_note_in_another_case_leaves_this_case_s_notes_alone(
        qtbot, window, run_sync, monkeypatch):
    ctx = window.ctx
    p = run_sync(ctx, persons.create_person, persons.PersonInput("Amir", "Haddad"))
    shown = run_sync(ctx, cases.open_case, p.id, "Risk för våld")
    other = run_sync(ctx, cases.open_case, p.id, "Annat ärende")
    draft = run_sync(ctx, notes.write_note, other.id, "Samtal", "Om skolan.")
    ctx.open_case(shown.id)
    view = window.current_screen()
    qtbot.waitUntil(lambda: view.case is not None, timeout=WAIT)
    view.select_tab("notes")
    tab = view.tab("notes")
    qtbot.waitUntil(lambda: not ctx.worker.busy, timeout=WAIT)
    counted = _counting(monkeypatch, tab)

    run_sync(ctx, notes.sign_note, draft.id)
    qtbot.waitUntil(lambda: not ctx.worker.busy, timeout=WAIT)
    assert counted == []


def test_the_window_follows_a_new_lock_time_without_logging_in_again(
        qtbot, world, ctx_factory):
    from trefas_app.services import accounts
    from trefas_app.ui.main_window import MainWindow

    ctx = ctx_factory(world.root)
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    w.start()
    _unlock(qtbot, w, "admin", "Solros-vägen-nio-test")
    assert w.lock_minutes == 10
    done = []
    ctx.run_plain(accounts.set_setting, ctx.store, "lock_minutes", "25", on_done=done.append)
    qtbot.waitUntil(lambda: w.lock_minutes == 25, timeout=WAIT)
