"""The case tabs list their rows through the per-case services (incident
links, meeting items, exit programmes) with the line for what is not shared;
the dashboard names the person of an expiring consent (masked when
protected); the meeting and task dialogs offer people from the user
directory."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from trefas_app.domain import clock
from trefas_app.domain.enums import (
    Agency,
    Category,
    IncidentKind,
    MeetingKind,
    ProtectionLevel,
    Role,
)
from trefas_app.security import access
from trefas_app.services import cases, consents, exits, incidents, meetings, persons
from trefas_app.services.views import UnitView
from trefas_app.store.store import unlock

PW = "Granskog-och-hav-42"  # as in conftest.py

WAIT = 15_000


def populate(world) -> dict:
    """Case A (Amir; the police may see identity and criminal data, consent
    ending in 10 days) and case B (a protected person; identity only, 20
    days), Petra on both teams; both linked to a shooting, discussed at a
    meeting chaired by Kalle, and with an exit request."""
    s = {n: unlock(world.root, n, PW) for n in ("sara", "kalle", "petra")}
    sara, kalle, petra = s["sara"], s["kalle"], s["petra"]
    now = clock.now_utc()
    today = access.local_date(now)
    try:
        pa = persons.create_person(sara.uow(), sara.actor, persons.PersonInput("Amir", "Haddad"))
        pb = persons.create_person(sara.uow(), sara.actor, persons.PersonInput(
            "Hodan", "Warsame", protection_level=ProtectionLevel.PROTECTED_REGISTRATION))
        ca = cases.open_case(sara.uow(), sara.actor, pa.id, "Risk för våld")
        cb = cases.open_case(sara.uow(), sara.actor, pb.id, "Avhopp")
        for c in (ca, cb):
            cases.add_team_member(sara.uow(), sara.actor, c.id, petra.actor.user_id)
        for person, days, categories in ((pa, 10, (Category.IDENTITY, Category.CRIMINAL)),
                                         (pb, 20, (Category.IDENTITY,))):
            consents.record_consent(sara.uow(), sara.actor, consents.ConsentInput(
                person_id=person.id, purpose="Samverkan", valid_from=today,
                valid_until=today + dt.timedelta(days=days),
                grants=frozenset((Agency.POLICE, c) for c in categories)))
        inc = incidents.report_incident(kalle.uow(), kalle.actor, IncidentKind.SHOOTING,
                                        now - dt.timedelta(days=2), world.unit_ids["city"],
                                        "Rinkeby torg", "Skottlossning")
        incidents.link_person(sara.uow(), sara.actor, inc.id, ca.id, "witness")
        incidents.link_person(sara.uow(), sara.actor, inc.id, cb.id, "victim")
        meet = meetings.create_meeting(kalle.uow(), kalle.actor, MeetingKind.OPERATIONAL_GROUP,
                                       world.unit_ids["city"], "Operativ grupp v. 12",
                                       now - dt.timedelta(hours=1), "Rinkeby",
                                       [sara.actor.user_id, petra.actor.user_id])
        meetings.add_meeting_item(kalle.uow(), kalle.actor, meet.id, ca.id, "Läget",
                                  "Erbjud avhopparstöd")
        meetings.add_meeting_item(kalle.uow(), kalle.actor, meet.id, cb.id, "Boende", None)
        ea = exits.request_exit(sara.uow(), sara.actor, ca.id, "Vill lämna gruppen")
        exits.request_exit(sara.uow(), sara.actor, cb.id, None)
        return {"case_a": ca.id, "case_b": cb.id, "incident_number": inc.number,
                "exit_a": ea.id, "person_b": pb.id}
    finally:
        for sess in s.values():
            sess.close()


@pytest.fixture
def data(world):
    return populate(world)


@pytest.fixture
def login(ctx_factory, unlock_sync, world):
    def make(username: str):
        ctx = ctx_factory(world.root)
        unlock_sync(ctx, username)
        return ctx

    return make


def shown(qtbot, widget: QWidget) -> QWidget:
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.show()
    if hasattr(widget, "activate"):
        widget.activate()
    return widget


def case_tab(qtbot, ctx, case_id: int, key: str):
    from trefas_app.ui.screens.case_view import CaseViewScreen

    view = shown(qtbot, CaseViewScreen(ctx))
    view.show_item(case_id)
    qtbot.waitUntil(lambda: view.case is not None, timeout=WAIT)
    assert view.select_tab(key)
    tab = view.tab(key)
    assert type(tab).__name__ == "Tab"
    return tab


def cells(table, column: int) -> list[str]:
    return [table.item(r, column).text() for r in range(table.rowCount())]


def test_incidents_tab_lists_the_case_links(qtbot, login, data):
    tab = case_tab(qtbot, login("sara"), data["case_a"], "incidents")
    qtbot.waitUntil(lambda: tab.data is not None, timeout=WAIT)
    assert cells(tab.involvements, 1) == [data["incident_number"]]
    assert cells(tab.involvements, 2) == ["Skjutning"]
    assert cells(tab.involvements, 3) == ["Rinkeby-Kista, Rinkeby torg"]
    assert cells(tab.involvements, 4) == ["Vittne"]
    assert tab.involvements.isVisibleTo(tab) and not tab.involvements_hidden.isVisibleTo(tab)


def test_incidents_tab_tells_the_police_what_is_not_shared(qtbot, login, data):
    tab = case_tab(qtbot, login("petra"), data["case_b"], "incidents")
    qtbot.waitUntil(lambda: tab.data is not None, timeout=WAIT)
    assert tab.involvements.rowCount() == 0
    assert tab.involvements_hidden.isVisibleTo(tab)
    assert tab.involvements_hidden.text() == "1 koppling delas inte med din myndighet (brott)"


def test_meetings_tab_lists_the_case_items_with_their_meeting(qtbot, login, data):
    tab = case_tab(qtbot, login("sara"), data["case_a"], "meetings_tasks")
    qtbot.waitUntil(lambda: tab.data is not None, timeout=WAIT)
    assert cells(tab.items, 1) == ["Operativ grupp v. 12"]
    assert cells(tab.items, 2) == ["Läget"] and cells(tab.items, 3) == ["Erbjud avhopparstöd"]
    assert cells(tab.items, 4) == ["Kalle Nyström"]
    assert not tab.items_hidden.isVisibleTo(tab)
    # The police consent of case A does not cover social data.
    police = case_tab(qtbot, login("petra"), data["case_a"], "meetings_tasks")
    qtbot.waitUntil(lambda: police.data is not None, timeout=WAIT)
    assert police.items.rowCount() == 0
    assert police.items_hidden.text() == ("1 mötespunkt delas inte med din myndighet "
                                          "(sociala uppgifter)")


def test_exit_tab_lists_by_case_and_counts_the_hidden(qtbot, login, data):
    tab = case_tab(qtbot, login("sara"), data["case_a"], "exit")
    qtbot.waitUntil(lambda: tab.panel.programme is not None, timeout=WAIT)
    assert [r.id for r in tab.rows] == [data["exit_a"]]
    assert not tab.hidden_line.isVisibleTo(tab)
    police = case_tab(qtbot, login("petra"), data["case_b"], "exit")
    qtbot.waitUntil(lambda: police.hidden_line.isVisibleTo(police), timeout=WAIT)
    assert police.rows == [] and police.panel.programme is None
    assert police.hidden_line.text() == ("1 avhopparstöd delas inte med din myndighet "
                                         "(sociala uppgifter)")
    assert not police.none_label.isVisibleTo(police)


def test_dashboard_names_the_person_of_an_expiring_consent(qtbot, login, data):
    from trefas_app.ui.screens.dashboard import Screen

    dash = shown(qtbot, Screen(login("petra")))
    qtbot.waitUntil(lambda: dash.consents_list.count() == 2, timeout=WAIT)
    texts = [dash.consents_list.item(i).text() for i in range(2)]
    assert "Amir Haddad" in texts[0]
    assert access.person_alias(data["person_b"]) in texts[1] and "Hodan" not in texts[1]


def test_meeting_and_task_dialogs_offer_the_user_directory(qtbot, login, world, data):
    from trefas_app.ui.dialogs.meeting import MeetingDialog
    from trefas_app.ui.dialogs.task import TaskDialog
    from trefas_app.ui.dialogs.task_pickers import Candidate

    kalle = login("kalle")  # a coordinator: no user list, but the directory
    units = [UnitView(world.unit_ids["city"], Agency.CITY, "RK", "Rinkeby-Kista")]
    dlg = shown(qtbot, MeetingDialog(kalle, None, units))
    everyone = {world.user_ids[n] for n in ("sara", "olle", "kalle", "stina", "petra")}

    def offered():
        return {dlg.participants.item(i).data(Qt.ItemDataRole.UserRole) for i in range(dlg.participants.count())}

    qtbot.waitUntil(lambda: offered() == everyone, timeout=WAIT)
    assert world.user_ids["admin"] not in offered()
    assert dlg.participants.checked_ids() == [world.user_ids["kalle"]]
    assert not dlg.is_dirty()

    sara = login("sara")
    team = [Candidate(world.user_ids["sara"], "Sara Lind", Role.SOCIAL_WORKER, Agency.CITY),
            Candidate(world.user_ids["petra"], "Petra Polis", Role.POLICE_LIAISON,
                      Agency.POLICE)]
    task = shown(qtbot, TaskDialog(sara, None, data["case_a"], team))
    combo = task.assignee
    qtbot.waitUntil(lambda: task.directory_note.isVisibleTo(task), timeout=WAIT)
    ids = [combo.itemData(i) for i in range(combo.count())]
    # Nobody, the team, a separator, then the others.
    assert ids[:3] == [None, world.user_ids["sara"], world.user_ids["petra"]]
    assert ids[3] is None and set(ids[4:]) == everyone - {world.user_ids["sara"],
                                                          world.user_ids["petra"]}
    assert combo.user_id() == world.user_ids["sara"] and not task.is_dirty()
