"""The main window: navigation by role, placeholders for screens not written
yet, locking (Ctrl+L, idle, suspend) that drops every screen, and unlocking
back to the same screen, case and tab."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QLabel

from trefas_app.services import cases, persons
from trefas_app.ui.main_window import MainWindow
from trefas_app.ui.screens.base import PlaceholderScreen, load_screen
from trefas_app.ui.screens.case_view import CaseViewScreen

PW = "Granskog-och-hav-42"
ADMIN_PW = "Solros-vägen-nio-test"


@pytest.fixture
def window(qtbot, world, ctx_factory):
    ctx = ctx_factory(world.root)
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    w.start()
    return w


def unlock_as(qtbot, window, username: str, password: str = PW) -> None:
    dlg = window.unlock_dialog
    assert dlg is not None and dlg.isVisible()
    dlg.user_edit.setText(username)
    dlg.password_edit.setText(password)
    dlg.unlock_button.click()
    qtbot.waitUntil(lambda: window.ctx.is_unlocked and window.current_key is not None,
                    timeout=10_000)
    qtbot.waitUntil(lambda: not window.ctx.worker.busy, timeout=10_000)


@pytest.mark.parametrize("username, expected", [
    ("sara", ["dashboard", "persons", "cases", "sig", "exits", "incidents", "meetings",
              "tasks"]),
    ("petra", ["dashboard", "persons", "cases", "sig", "exits", "incidents", "meetings",
               "tasks"]),
    ("stina", ["dashboard", "persons", "cases", "sig", "exits", "incidents", "meetings",
               "tasks", "auditlog", "accounts"]),
])
def test_navigation_depends_on_the_role(qtbot, window, username, expected):
    unlock_as(qtbot, window, username)
    assert window.nav_keys() == expected
    assert window.current_key == expected[0]


def _waiting_account(world, name="nils"):
    """The administrator creates an account; the person enrols with PW."""
    from trefas_app.domain.enums import Agency, Role
    from trefas_app.services import accounts
    from trefas_app.store.store import unlock

    adm = unlock(world.root, "admin", ADMIN_PW)
    try:
        view = accounts.create_account(adm, name, "Nils Ny", Role.SOCIAL_WORKER, Agency.CITY,
                                       "RK")
    finally:
        adm.close()
    return accounts.enrol_account(world.root, name, view.enrolment_code, PW)


def test_an_account_waiting_for_confirmation_sees_only_who_must_confirm(qtbot, window,
                                                                        world):
    fingerprint = _waiting_account(world)
    unlock_as(qtbot, window, "nils")
    assert window.nav_keys() == ["waiting"]
    screen = window.current_screen()
    assert "väntar på bekräftelse från Stina Ek" in screen.message.text()
    assert fingerprint in screen.fingerprint.text()  # to read out to the supervisor
    assert screen.fingerprint.accessibleName()
    assert window.show_screen("cases") is None
    assert not window.emergency_action.isVisible()


def test_a_supervisor_confirms_in_the_window(qtbot, window, world, monkeypatch):
    from trefas_app.store.keyslots import KeyFile

    fingerprint = _waiting_account(world)
    unlock_as(qtbot, window, "stina")
    dash = window.current_screen()  # the dashboard says that someone waits
    qtbot.waitUntil(lambda: "Nils Ny" in dash.accounts_banner.text(), timeout=10_000)
    # The set-up confirmed the first accounts with the recovery key: every
    # supervisor is told at the next log-in.
    assert "Återställningsnyckeln har använts" in dash.accounts_banner.text()
    screen = window.show_screen("accounts")
    qtbot.waitUntil(lambda: [p.username for p in screen.pending] == ["nils"], timeout=10_000)
    screen.table.selectRow(0)
    # The supervisor is not shown the fingerprint: they must hear it from the person.
    assert screen.table.columnCount() == 4
    assert all(fingerprint not in screen.table.item(0, c).text() for c in range(4))
    screen.confirm_selected()
    dialog = screen.confirm_dialog
    assert fingerprint not in " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert dialog.fingerprint_edit.accessibleName() and not dialog.ok_button.isEnabled()
    qtbot.keyClicks(dialog.fingerprint_edit, "AAAA-BBBB-CCCC-DDDD")  # misheard: refused
    qtbot.keyClick(dialog.fingerprint_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "stämmer inte" in dialog.message.text(), timeout=10_000)
    assert KeyFile.load(world.root / "trefas.keys").find("nils").state == "awaiting"
    dialog.fingerprint_edit.clear()
    qtbot.keyClicks(dialog.fingerprint_edit, fingerprint.lower())  # by keyboard alone
    qtbot.keyClick(dialog.fingerprint_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "bekräftad" in screen.result.text(), timeout=10_000)
    assert KeyFile.load(world.root / "trefas.keys").find("nils").state == "ready"
    qtbot.waitUntil(lambda: screen.pending == [], timeout=10_000)
    # The key holder's half of the administration is here too.
    screen.verify_log()
    qtbot.waitUntil(lambda: screen.key_result.text().startswith("Loggen är hel"),
                    timeout=10_000)
    screen.run_retention()  # lists what is due first: here nothing, and it says so
    qtbot.waitUntil(lambda: "ingenting att gallra" in screen.key_result.text(),
                    timeout=10_000)
    old_key = window.ctx.store.data_key
    screen.rekey()
    qtbot.waitUntil(lambda: screen.key_result.text() == "Datanyckeln är bytt.",
                    timeout=20_000)
    assert window.ctx.store.data_key != old_key


def test_the_administrator_sees_administration_only(qtbot, window):
    unlock_as(qtbot, window, "admin", ADMIN_PW)
    assert window.nav_keys() == ["admin"]
    assert window.show_screen("cases") is None  # not offered, not shown
    assert not window.emergency_action.isVisible()


def test_status_bar_shows_user_role_agency_and_countdown(qtbot, window):
    unlock_as(qtbot, window, "petra")
    assert window.user_label.text() == "Petra Polis (petra)"
    assert window.role_label.text() == "Polisens kontaktperson"
    assert window.org_label.text() == "Polisen – LPO Rinkeby"
    assert window.lock_label.text().startswith("Låses om 10:00") or \
        window.lock_label.text().startswith("Låses om 9:")


def test_a_screen_not_written_yet_is_a_placeholder(qtbot, window):
    unlock_as(qtbot, window, "sara")
    screen = load_screen("no_such_screen_yet", window.ctx, "Något")
    assert isinstance(screen, PlaceholderScreen)
    screen.deleteLater()


def _open_case_on_notes_tab(qtbot, window, run_sync) -> int:
    ctx = window.ctx
    p = run_sync(ctx, persons.create_person, persons.PersonInput("Amir", "Haddad"))
    case = run_sync(ctx, cases.open_case, p.id, "Risk för våld")
    window.show_screen("cases")
    ctx.open_case(case.id)
    view = window.current_screen()
    assert isinstance(view, CaseViewScreen)
    qtbot.waitUntil(lambda: view.case is not None, timeout=10_000)
    view.select_tab("notes")
    qtbot.waitUntil(lambda: not ctx.worker.busy, timeout=10_000)
    return case.id


def test_lock_drops_every_screen_and_unlock_returns_to_the_same_case_and_tab(
        qtbot, window, run_sync):
    unlock_as(qtbot, window, "sara")
    case_id = _open_case_on_notes_tab(qtbot, window, run_sync)
    old_view = window.current_screen()
    assert window.lock_action.shortcut() == QKeySequence("Ctrl+L")

    window.lock_action.trigger()
    assert not window.ctx.is_unlocked
    assert window.stack.currentWidget() is window.locked_page
    assert window.nav.count() == 0
    assert window._screens == {}
    assert old_view.case is None  # its data was dropped before it was deleted
    assert window.unlock_dialog is not None
    assert window.unlock_dialog.user_edit.text() == "sara"

    unlock_as(qtbot, window, "sara")
    view = window.current_screen()
    assert view is not old_view and isinstance(view, CaseViewScreen)
    qtbot.waitUntil(lambda: view.case is not None, timeout=10_000)
    assert window.current_key == "case" and view.case_id == case_id
    assert view.current_tab_key() == "notes"
    view.back_button.click()
    assert window.current_key == "cases"


def test_person_page_lists_the_persons_cases(qtbot, window, run_sync):
    unlock_as(qtbot, window, "sara")
    ctx = window.ctx
    p = run_sync(ctx, persons.create_person, persons.PersonInput("Amir", "Haddad"))
    other = run_sync(ctx, persons.create_person, persons.PersonInput("Lina", "Berg"))
    case = run_sync(ctx, cases.open_case, p.id, "Risk för våld")
    run_sync(ctx, cases.open_case, other.id, "Annat ärende")
    ctx.open_person(p.id)
    page = window.current_screen()
    assert window.current_key == "person"
    qtbot.waitUntil(lambda: page.cases_model.total == 1, timeout=10_000)
    assert page.cases_model.row_at(0).id == case.id
    assert page.card.name_label.text() == "Amir Haddad"


def test_removing_a_team_member_asks_and_keeps_the_last_one(qtbot, window, run_sync, world,
                                                            questions):
    unlock_as(qtbot, window, "sara")
    ctx = window.ctx
    p = run_sync(ctx, persons.create_person, persons.PersonInput("Amir", "Haddad"))
    case = run_sync(ctx, cases.open_case, p.id, "Risk för våld")
    run_sync(ctx, cases.add_team_member, case.id, world.user_ids["olle"])
    ctx.open_case(case.id)
    view = window.current_screen()
    qtbot.waitUntil(lambda: view.case is not None and len(view.case.team) == 2, timeout=10_000)
    overview = view.tab("overview")
    # A tab added to a shown page is shown by a queued event: wait for it.
    qtbot.waitUntil(lambda: overview.add_member_button.isVisible(), timeout=5_000)
    row = [t.display_name for t in view.case.team].index("Olle Berg")
    overview.team.selectRow(row)
    overview.remove_member_button.click()
    assert questions and "Olle Berg" in questions[-1]
    qtbot.waitUntil(lambda: len(view.case.team) == 1, timeout=10_000)
    overview.team.selectRow(0)
    assert not overview.remove_member_button.isEnabled()  # a case keeps one member


def test_lock_closes_open_dialogs_without_asking(qtbot, window, questions):
    from trefas_app.ui.dialogs.person import PersonDialog

    unlock_as(qtbot, window, "sara")
    screen = window.show_screen("persons")
    screen.new_button.click()
    dlg = next(w for w in QApplication.topLevelWidgets()
               if isinstance(w, PersonDialog) and w.isVisible())
    dlg.first_edit.setText("Amir")  # unsaved text
    window.lock_now()
    assert not dlg.isVisible()
    assert questions == []
    assert not window.ctx.is_unlocked


def test_another_user_unlocking_starts_on_their_first_screen(qtbot, window, run_sync):
    unlock_as(qtbot, window, "sara")
    _open_case_on_notes_tab(qtbot, window, run_sync)
    window.lock_now()
    unlock_as(qtbot, window, "olle")
    assert window.current_key == "dashboard"


def test_idle_time_locks(qtbot, window):
    unlock_as(qtbot, window, "sara")
    window.lock_minutes = 1
    window.idle.last_activity = time.monotonic() - 59
    window._tick()
    assert window.ctx.is_unlocked
    assert window.lock_label.text() in ("Låses om 0:01", "Låses om 0:02")
    window.idle.last_activity = time.monotonic() - 61
    window._tick()
    assert not window.ctx.is_unlocked


def test_lock_minutes_come_from_the_store_setting(qtbot, window):
    unlock_as(qtbot, window, "sara")
    qtbot.waitUntil(lambda: not window.ctx.worker.busy, timeout=10_000)
    assert window.lock_minutes == 10


def test_the_first_page_is_asked_for_before_the_lock_timeout(qtbot, window):
    """The worker runs its calls in turn: after the unlock, the start page's
    data first, the lock timeout (needed minutes later) after it; the unlock
    itself compiles the start page during the key derivation (issue 12)."""
    from trefas_app.ui import unlock as unlock_dialog

    order, pages = [], []
    submit = window.ctx.worker.submit

    def traced(fn, *args, **kwargs):
        order.append(getattr(fn, "__qualname__", repr(fn)))
        pages.append(kwargs.get("first_page"))
        return submit(fn, *args, **kwargs)

    window.ctx.worker.submit = traced
    unlock_as(qtbot, window, "sara")
    after_unlock = order[order.index("unlock") + 1:] if "unlock" in order else order
    assert "_lock_minutes" in after_unlock
    assert after_unlock.index("_lock_minutes") > 0  # something of the page went first
    assert window.lock_minutes == 10
    # and the unlock compiled the start page ahead (store.unlock(first_page=))
    assert pages[order.index("unlock")] is unlock_dialog.start_page


def test_the_start_page_is_prepared_while_the_password_is_typed(qtbot, world, ctx_factory):
    """Before the unlock, on the worker: the start page's modules imported,
    then the page compiled for the user the dialog names; the unlock takes
    that engine. After a wrong password (the unlock took it) it is prepared
    again (issue 12)."""
    from trefas_app.store import warm_up

    ctx = ctx_factory(world.root)
    order = []
    submit = ctx.worker.submit

    def traced(fn, *args, **kwargs):
        order.append(getattr(fn, "__qualname__", repr(fn)))
        return submit(fn, *args, **kwargs)

    ctx.worker.submit = traced
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.start(username="sara")
    qtbot.waitUntil(lambda: not ctx.worker.busy, timeout=10_000)
    assert order == ["prepare_unlock", "prepare_page"]
    assert [name for _db, name in warm_up._prepared] == ["sara"]

    window.unlock_dialog.password_edit.setText("fel-lösenord-helt-fel")
    window.unlock_dialog.unlock_button.click()
    qtbot.waitUntil(lambda: not ctx.worker.busy and order[-1] == "prepare_page",
                    timeout=10_000)
    assert not ctx.is_unlocked
    (prepared,) = warm_up._prepared.values()
    unlock_as(qtbot, window, "sara")
    assert ctx.store.engine is prepared
    assert warm_up._prepared == {}


def test_suspend_locks(qtbot, window):
    unlock_as(qtbot, window, "sara")
    window._app_state_changed(Qt.ApplicationState.ApplicationInactive)
    assert window.ctx.is_unlocked  # losing focus is not a reason
    window._app_state_changed(Qt.ApplicationState.ApplicationSuspended)
    assert not window.ctx.is_unlocked


def test_the_store_is_closed_with_a_lock_entry(qtbot, window, world):
    from trefas_app.store.store import unlock

    unlock_as(qtbot, window, "sara")
    store = window.ctx.store
    window.lock_now()
    qtbot.waitUntil(lambda: store._data_key is None, timeout=10_000)
    # The session ended with "lock" in the access log.
    from sqlalchemy import select

    from trefas_app.store import models as m

    reader = unlock(world.root, "stina", PW)  # a key holder reads the log
    try:
        with reader.uow() as uow:
            actions = [a for (a,) in uow.session.execute(
                select(m.AuditEvent.action).order_by(m.AuditEvent.seq)).all()]
        assert "lock" in actions
    finally:
        reader.close()


def test_case_list_shows_rows_then_the_count_and_searches(qtbot, window, run_sync):
    unlock_as(qtbot, window, "sara")
    ctx = window.ctx
    for first, last in (("Amir", "Haddad"), ("Lina", "Berg"), ("Omar", "Lund")):
        p = run_sync(ctx, persons.create_person, persons.PersonInput(first, last))
        run_sync(ctx, cases.open_case, p.id, "Risk för våld")
    screen = window.show_screen("cases")
    assert screen.model.counts_separately
    screen.reload()
    qtbot.waitUntil(lambda: screen.model.total == 3, timeout=10_000)
    assert screen.model.rowCount() == 3
    assert screen.count_label.text() == "3 ärenden"
    screen.search.setText("hadd")
    qtbot.waitUntil(lambda: screen.model.total == 1, timeout=10_000)
    assert [r.person_name for r in screen.model.rows()] == ["Amir Haddad"]
    assert screen.count_label.text() == "1 ärende"


def test_long_lived_objects_are_frozen_while_unlocked_and_released_at_lock(qtbot, window):
    """gc.freeze after unlock keeps full collections short; a lock must hand
    everything back to the collector so nothing of the session is kept."""
    import gc

    unlock_as(qtbot, window, "sara")
    qtbot.waitUntil(lambda: gc.get_freeze_count() > 0, timeout=5_000)
    window.lock_now()
    assert gc.get_freeze_count() == 0


def test_an_alarm_found_at_log_in_is_shown_until_the_window_locks(qtbot, window, world):
    (world.root / "trefas.checkpoints").unlink()  # a rolled-back or tampered store
    unlock_as(qtbot, window, "sara")
    assert window.alarm_banner.isVisible()
    assert "saknas" in window.alarm_banner.text()
    window.lock_now()
    assert not window.alarm_banner.isVisible()


def test_the_window_title_names_the_case_shown_and_trefas_once(qtbot, window, run_sync,
                                                               monkeypatch):
    """The title was read before the new case loaded, so it named the previous
    case; and Qt appended the display name, so "Trefas" came twice."""
    from trefas_app.ui import app as ui_app

    unlock_as(qtbot, window, "sara")
    ctx = window.ctx
    numbers = []
    for first in ("Amir", "Lina"):
        p = run_sync(ctx, persons.create_person, persons.PersonInput(first, "Haddad"))
        case = run_sync(ctx, cases.open_case, p.id, "Risk för våld")
        numbers.append((case.id, case.number))
    for case_id, number in numbers:
        ctx.open_case(case_id)
        view = window.current_screen()
        assert numbers[0][1] not in window.windowTitle() or case_id == numbers[0][0]
        qtbot.waitUntil(lambda: view.case is not None and view.case.id == case_id,
                        timeout=10_000)
        assert window.windowTitle() == f"Trefas – {number}"
    window.show_screen("cases")
    assert window.windowTitle() == "Trefas – Ärenden"

    named = []
    monkeypatch.setattr(QApplication, "setApplicationDisplayName",
                        lambda *args: named.append(args), raising=False)
    ui_app.make_application()
    assert named == []


def test_the_sidebar_entry_of_an_open_case_returns_to_the_list(qtbot, window, run_sync):
    unlock_as(qtbot, window, "sara")
    _open_case_on_notes_tab(qtbot, window, run_sync)
    assert window.current_key == "case"
    row = window.nav_keys().index("cases")
    assert window.nav.currentRow() == row  # highlighted while the case is open
    item = window.nav.item(row)
    rect = window.nav.visualItemRect(item)
    qtbot.mouseClick(window.nav.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.current_key == "cases"


def test_the_case_title_gets_the_width_the_person_column_does_not_need(
        qtbot, window, run_sync):
    """The "Rubrik" column was clipped while "Person" had spare width."""
    unlock_as(qtbot, window, "sara")
    ctx = window.ctx
    title = "Oro för rekrytering till kriminellt nätverk"
    p = run_sync(ctx, persons.create_person, persons.PersonInput("Al", "Ek"))
    run_sync(ctx, cases.open_case, p.id, title)
    window.resize(1280, 720)
    window.show()
    screen = window.show_screen("cases")
    screen.reload()
    qtbot.waitUntil(lambda: screen.model.total == 1, timeout=10_000)
    qtbot.wait(50)
    table = screen.table
    metrics = table.fontMetrics()
    person_needs = max(metrics.horizontalAdvance("Al Ek"), metrics.horizontalAdvance("Person"))
    assert table.columnWidth(1) < person_needs + 60  # no spare width beside a short name
    assert table.columnWidth(2) >= metrics.horizontalAdvance(title)  # the title fits
