"""The second set of screens on a real small store: dashboard, SIG, exit
programmes, incidents, meetings, tasks, the supervisor's log review and the
administration — each constructed, loaded through the worker, and used.

The store is built once per module through the real services (as the right
users) and copied for every test, so tests can change it freely."""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QWidget

from trefas_app.domain.enums import (
    Agency,
    CaseState,
    Category,
    ExitState,
    IncidentKind,
    LifeArea,
    MeetingKind,
    ProtectionLevel,
    ReferralState,
    RiskLevel,
    Role,
    TaskState,
)
from trefas_app.services import (
    cases,
    consents,
    exits,
    incidents,
    meetings,
    notes,
    persons,
    plans,
    referrals,
    tasks,
    users,
)
from trefas_app.store.keyslots import TEST_KDF
from trefas_app.store.store import create_store, unlock
from trefas_app.store.uow import UnitOfWork
from trefas_app.ui import common

PW = "Granskog-och-hav-42"
ADMIN_PW = "Solros-vägen-nio-test"
WAIT = 15_000


@dataclass
class Data:
    root: Path
    ids: dict[str, int] = field(default_factory=dict)


def _at(sess, when):
    return UnitOfWork(sess, clock=lambda: when)


def build_world(root: Path) -> Data:
    """admin; sara, olle (social workers), kalle (coordinator), stina
    (supervisor, city) in Rinkeby-Kista; petra (police liaison). Case A
    (shared with the police: identity, social, threat, criminal — the consent
    ends in 20 days) with a SIG referral, a plan, an exit programme past its
    first contact, tasks, an incident link and a meeting item; case B of a
    protected person, not shared, with an exit request overdue for first
    contact and a task the police liaison on the team may not see."""
    created = create_store(root, admin_username="admin", admin_display_name="Anna Admin",
                           admin_password=ADMIN_PW, kdf=TEST_KDF)
    store = created.store
    admin = store.actor
    d = Data(root=store.paths.root)
    rk = users.add_unit(store.uow(), admin, Agency.CITY, "RK", "Rinkeby-Kista")
    st = users.add_unit(store.uow(), admin, Agency.CITY, "ST", "Spånga-Tensta")
    lpo = users.add_unit(store.uow(), admin, Agency.POLICE, "LPO-R", "LPO Rinkeby")
    d.ids.update(unit_rk=rk.id, unit_st=st.id, unit_lpo=lpo.id)
    for name, display, role, agency, unit in (
            ("sara", "Sara Lind", Role.SOCIAL_WORKER, Agency.CITY, rk),
            ("olle", "Olle Berg", Role.SOCIAL_WORKER, Agency.CITY, rk),
            ("kalle", "Kalle Nyström", Role.COORDINATOR, Agency.CITY, rk),
            ("stina", "Stina Ek", Role.SUPERVISOR, Agency.CITY, rk),
            ("petra", "Petra Polis", Role.POLICE_LIAISON, Agency.POLICE, lpo)):
        d.ids[name] = users.add_user(store.uow(), admin, users.UserInput(
            name, display, role, agency, unit.id, PW)).id
    store.close()
    s = {n: unlock(root, n, PW) for n in ("sara", "olle", "kalle", "stina", "petra")}
    sara, kalle, petra, olle = s["sara"], s["kalle"], s["petra"], s["olle"]
    now = dt.datetime.now(dt.timezone.utc)
    today = dt.date.today()
    try:
        pa = persons.create_person(sara.uow(), sara.actor, persons.PersonInput(
            "Amir", "Haddad", personal_number="19900101-0017", risk_level=RiskLevel.RED))
        pb = persons.create_person(sara.uow(), sara.actor, persons.PersonInput(
            "Hodan", "Warsame", protection_level=ProtectionLevel.PROTECTED_REGISTRATION,
            risk_level=RiskLevel.YELLOW))
        ca = cases.open_case(sara.uow(), sara.actor, pa.id, "Risk för våld")
        cb = cases.open_case(sara.uow(), sara.actor, pb.id, "Avhopp")
        cases.move_case(sara.uow(), sara.actor, ca.id, CaseState.ACTIVE)
        for c in (ca, cb):
            cases.add_team_member(sara.uow(), sara.actor, c.id, petra.actor.user_id)
        consents.record_consent(sara.uow(), sara.actor, consents.ConsentInput(
            person_id=pa.id, purpose="Samverkan SIG", valid_from=today,
            valid_until=today + dt.timedelta(days=20),
            grants=frozenset((Agency.POLICE, c) for c in (
                Category.IDENTITY, Category.SOCIAL, Category.THREAT, Category.CRIMINAL)),
            case_id=ca.id))
        notes.sign_note(sara.uow(), sara.actor, notes.write_note(
            sara.uow(), sara.actor, ca.id, "Hälsa", "Hälsoanteckning", Category.HEALTH).id)

        ref = referrals.create_referral(sara.uow(), sara.actor, ca.id, "Behöver stöd",
                                        Agency.CITY)
        referrals.move_referral(sara.uow(), sara.actor, ref.id, ReferralState.INITIAL_ASSESSMENT)
        ref2 = referrals.create_referral(petra.uow(), petra.actor, ca.id, "Polisen ser risk",
                                         Agency.POLICE)
        plan = plans.create_plan(sara.uow(), sara.actor, ca.id, True, Agency.CITY,
                                 sara.actor.user_id, today + dt.timedelta(days=30))
        plans.add_goal(sara.uow(), sara.actor, plan.id, LifeArea.WORK, "Praktikplats")
        plans.add_action(sara.uow(), sara.actor, plan.id, LifeArea.WORK, "Kontakta arbetsförmedlingen",
                         Agency.CITY, sara.actor.user_id, today + dt.timedelta(days=14),
                         today + dt.timedelta(days=21))

        ea = exits.request_exit(_at(sara, now - dt.timedelta(hours=3)), sara.actor, ca.id,
                                "Vill lämna gruppen")
        exits.record_first_contact(sara.uow(), sara.actor, ea.id)
        exits.add_threat_assessment(sara.uow(), sara.actor, ca.id, ea.id, RiskLevel.RED,
                                    "Hot från tidigare kamrater")
        exits.add_measure(sara.uow(), sara.actor, ca.id, ea.id,
                          exits.MeasureKind.PROTECTED_HOUSING, "Skyddat boende", today)
        eb = exits.request_exit(_at(sara, now - dt.timedelta(hours=30)), sara.actor, cb.id,
                                None)

        t1 = tasks.create_task(sara.uow(), sara.actor, ca.id, "Boka möte med skolan", None,
                               sara.actor.user_id, today + dt.timedelta(days=1))
        t_late = tasks.create_task(_at(sara, now - dt.timedelta(days=5)), sara.actor, ca.id,
                                   "Ring mamma", None, sara.actor.user_id,
                                   today - dt.timedelta(days=2))
        t_b = tasks.create_task(sara.uow(), sara.actor, cb.id, "Ordna boende", None,
                                sara.actor.user_id, today + dt.timedelta(days=3))

        inc = incidents.report_incident(kalle.uow(), kalle.actor, IncidentKind.SHOOTING,
                                        now - dt.timedelta(days=1), rk.id, "Rinkeby torg",
                                        "Skottlossning på torget")
        incidents.start_routine(kalle.uow(), kalle.actor, inc.id)
        incidents.complete_step(kalle.uow(), kalle.actor, inc.steps[0].id, "Krisstöd erbjudet")
        incidents.link_person(sara.uow(), sara.actor, inc.id, ca.id, "witness")
        inc2 = incidents.report_incident(petra.uow(), petra.actor, IncidentKind.EXPLOSION,
                                         now - dt.timedelta(days=10), st.id, "Tensta centrum",
                                         "Explosion vid entré")

        meet = meetings.create_meeting(kalle.uow(), kalle.actor, MeetingKind.OPERATIONAL_GROUP,
                                       rk.id, "Operativ grupp v. 12",
                                       now - dt.timedelta(hours=2), "Rinkeby",
                                       [sara.actor.user_id, petra.actor.user_id])
        meetings.add_meeting_item(kalle.uow(), kalle.actor, meet.id, ca.id,
                                  "Läget efter skjutningen", "Erbjud avhopparstöd")

        cases.request_emergency_access(olle.uow(), olle.actor, cb.number,
                                       "Akut fara, behöver adressen nu", 2)
        persons.reveal_identity(sara.uow(), sara.actor, pb.id, "Behöver kontakta personen")
        d.ids.update(person_a=pa.id, person_b=pb.id, case_a=ca.id, case_b=cb.id,
                     referral=ref.id, referral_police=ref2.id, plan=plan.id, exit_a=ea.id,
                     exit_b=eb.id, task=t1.id, task_late=t_late.id, task_b=t_b.id,
                     incident=inc.id, incident2=inc2.id, meeting=meet.id)
        d.ids["case_a_number"] = ca.number  # type: ignore[assignment]
        d.ids["case_b_number"] = cb.number  # type: ignore[assignment]
    finally:
        for sess in s.values():
            sess.close()
    return d


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Data:
    return build_world(tmp_path_factory.mktemp("second") / "store")


@pytest.fixture
def data(built, tmp_path) -> Data:
    root = tmp_path / "store"
    shutil.copytree(built.root, root)
    return Data(root=root, ids=dict(built.ids))


@pytest.fixture
def session(ctx_factory, unlock_sync, data):
    """``session(username) -> ctx``: an AppContext unlocked as that user."""

    def make(username: str):
        ctx = ctx_factory(data.root)
        unlock_sync(ctx, username, ADMIN_PW if username == "admin" else PW)
        return ctx

    return make


def shown(qtbot, screen: QWidget) -> QWidget:
    qtbot.addWidget(screen)
    screen.resize(1200, 800)
    screen.show()
    screen.activate()
    return screen


def idle(ctx) -> bool:
    return not ctx.worker.busy


def test_build_world(data):
    assert data.ids["case_a"] and data.ids["exit_b"]


# --- lists -------------------------------------------------------------------------------


def test_tasks_screen_lists_overdue_red_and_completes(qtbot, session, data, monkeypatch):
    from trefas_app.ui.screens.case_tabs.parts import OVERDUE
    from trefas_app.ui.screens.tasks import Screen

    ctx = session("sara")
    screen = shown(qtbot, Screen(ctx))
    qtbot.waitUntil(lambda: screen.model.total is not None, timeout=WAIT)
    titles = [r.title for r in screen.model.rows()]
    assert titles[0] == "Ring mamma"  # overdue, earliest due first
    assert set(titles) == {"Ring mamma", "Boka möte med skolan", "Ordna boende"}
    index = screen.model.index(0, 0)
    assert screen.model.data(index, Qt.ItemDataRole.ForegroundRole).color() == OVERDUE
    assert "⚠" in screen.model.data(index)

    screen.overdue_check.setChecked(True)
    qtbot.waitUntil(lambda: screen.model.total == 1 and not screen.model.is_loading,
                    timeout=WAIT)
    screen.table.selectRow(0)
    assert screen.complete_button.isEnabled()
    monkeypatch.setattr(common, "ask", lambda *a: True)
    screen.complete()
    qtbot.waitUntil(lambda: screen.model.total == 0 and not screen.model.is_loading,
                    timeout=WAIT)
    screen.overdue_check.setChecked(False)
    screen.state_combo.setCurrentIndex(1)  # done
    qtbot.waitUntil(lambda: [r.title for r in screen.model.rows()] == ["Ring mamma"],
                    timeout=WAIT)


def test_tasks_screen_tells_police_how_many_are_hidden(qtbot, session):
    from trefas_app.ui.screens.tasks import Screen

    ctx = session("petra")
    screen = shown(qtbot, Screen(ctx))
    qtbot.waitUntil(lambda: screen.model.total is not None, timeout=WAIT)
    assert {r.title for r in screen.model.rows()} == {"Ring mamma", "Boka möte med skolan"}
    assert not screen.complete_button.isEnabled()
    qtbot.waitUntil(lambda: screen.hidden_label.isVisible(), timeout=WAIT)
    assert screen.hidden_label.text().startswith("1 uppgift delas inte med din myndighet")


def test_sig_screen_filters_and_offers_only_allowed_transitions(qtbot, session, data):
    from trefas_app.domain.enums import ReferralClosure
    from trefas_app.ui.screens.sig import Screen

    ctx = session("sara")
    screen = shown(qtbot, Screen(ctx))
    qtbot.waitUntil(lambda: screen.model.total == 2, timeout=WAIT)
    rows = {r.id: r for r in screen.model.rows()}
    assert rows[data.ids["referral"]].state == ReferralState.INITIAL_ASSESSMENT
    # filter on one state
    screen.state_combo.setCurrentIndex(screen.state_combo.findText("Aktualiserad"))
    qtbot.waitUntil(lambda: screen.model.total == 1 and not screen.model.is_loading,
                    timeout=WAIT)
    assert screen.model.row_at(0).id == data.ids["referral_police"]
    screen.state_combo.setCurrentIndex(1)  # all
    qtbot.waitUntil(lambda: screen.model.total == 2 and not screen.model.is_loading,
                    timeout=WAIT)
    row = next(i for i, r in enumerate(screen.model.rows()) if r.id == data.ids["referral"])
    screen.table.selectRow(row)
    screen.open_selected()
    qtbot.waitUntil(lambda: screen._dialog is not None, timeout=WAIT)
    dlg = screen._dialog
    offered = [dlg.state_combo.itemData(i) for i in range(1, dlg.state_combo.count())]
    assert offered == [ReferralState.CONSENT, ReferralState.CLOSED]
    assert not dlg.ok_button.isEnabled()
    dlg.state_combo.setCurrentIndex(offered.index(ReferralState.CLOSED) + 1)
    assert dlg.closure_combo.isVisibleTo(dlg)
    assert not dlg.ok_button.isEnabled()  # closure reason required
    assert "avslutas" in dlg.ok_button.toolTip()
    dlg.closure_combo.setCurrentIndex(dlg.closure_combo.findData(ReferralClosure.MOVED))
    assert dlg.ok_button.isEnabled()
    with qtbot.waitSignal(dlg.succeeded, timeout=WAIT) as got:
        dlg.ok_button.click()
    assert got.args[0].state == ReferralState.CLOSED
    assert got.args[0].closure == ReferralClosure.MOVED
    qtbot.waitUntil(lambda: any(r.state == ReferralState.CLOSED for r in screen.model.rows()),
                    timeout=WAIT)


def test_sig_screen_police_sees_no_transitions(qtbot, session, data):
    from trefas_app.ui.screens.sig import Screen

    ctx = session("petra")
    screen = shown(qtbot, Screen(ctx))
    qtbot.waitUntil(lambda: screen.model.total == 2, timeout=WAIT)
    screen.table.selectRow(0)
    screen.open_selected()
    qtbot.waitUntil(lambda: screen._dialog is not None, timeout=WAIT)
    assert screen._dialog.state_combo.count() == 1
    assert not screen._dialog.state_combo.isEnabled()
    assert not screen._dialog.ok_button.isEnabled()


def test_exits_screen_waiting_first_overdue_red(qtbot, session, data):
    from trefas_app.ui.screens.exits import Screen

    ctx = session("sara")
    screen = shown(qtbot, Screen(ctx))
    qtbot.waitUntil(lambda: screen.waiting.item_count() == 1 and screen.model.total == 2,
                    timeout=WAIT)
    item = screen.waiting.items[0]
    assert item.key == data.ids["exit_b"]
    assert screen.waiting.hours_left(item) < -5  # 30 h ago, 24 h target
    assert "försenad" in screen.waiting.accessibleDescription()
    # click the waiting bar: the programme opens on the right with its actions
    qtbot.mouseClick(screen.waiting, Qt.MouseButton.LeftButton,
                     pos=screen.waiting.row_rect(0).center())
    qtbot.waitUntil(lambda: screen.panel.programme is not None, timeout=WAIT)
    panel = screen.panel
    assert panel.programme.id == data.ids["exit_b"]
    assert panel.deadline_banner.isVisibleTo(panel)
    assert panel.buttons["contact"].isVisibleTo(panel)
    assert not panel.buttons["approve"].isVisibleTo(panel)
    # the other programme: past first contact, with a threat assessment and a measure
    row = next(i for i, r in enumerate(screen.model.rows()) if r.id == data.ids["exit_a"])
    screen.table.selectRow(row)
    qtbot.waitUntil(lambda: panel.programme.id == data.ids["exit_a"], timeout=WAIT)
    assert panel.threats.rowCount() == 1 and panel.measures.rowCount() == 1
    assert panel.consent_banner.isVisibleTo(panel)  # consent does not cover every agency
    assert not panel.buttons["contact"].isVisibleTo(panel)


def test_exits_screen_first_contact_dialog_refuses_future_and_saves(qtbot, session, data):
    from trefas_app.ui.dialogs.exit import FirstContactDialog
    from trefas_app.ui.dialogs.task_pickers import qdatetime
    from trefas_app.ui.screens.exits import Screen

    ctx = session("sara")
    screen = shown(qtbot, Screen(ctx))
    screen.show_programme(data.ids["exit_b"])
    qtbot.waitUntil(lambda: screen.panel.programme is not None, timeout=WAIT)
    dlg = FirstContactDialog(ctx, screen, screen.panel.programme)
    qtbot.addWidget(dlg)
    dlg.at_edit.setDateTime(qdatetime(dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=2)))
    assert not dlg.ok_button.isEnabled()
    assert "framtiden" in dlg.error.text()
    dlg.at_edit.setDateTime(qdatetime(dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=3)))
    assert "före förfrågan" in dlg.error.text()
    dlg.at_edit.setDateTime(qdatetime(dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)))
    assert dlg.ok_button.isEnabled()
    with qtbot.waitSignal(dlg.succeeded, timeout=WAIT):
        dlg.ok_button.click()
    qtbot.waitUntil(lambda: screen.waiting.item_count() == 0, timeout=WAIT)
    qtbot.waitUntil(lambda: screen.panel.programme.state == ExitState.FIRST_CONTACT,
                    timeout=WAIT)


def test_incidents_screen_routine_tick_and_close(qtbot, session, data, monkeypatch):
    from trefas_app.ui.screens.incidents import Screen

    ctx = session("kalle")
    screen = shown(qtbot, Screen(ctx))
    qtbot.waitUntil(lambda: screen.model.total == 2, timeout=WAIT)
    assert screen.report_button.isVisible()
    screen.show_incident(data.ids["incident"])
    qtbot.waitUntil(lambda: screen.panel.incident is not None, timeout=WAIT)
    panel = screen.panel
    steps = panel.incident.steps
    assert panel.steps.rowCount() == len(steps)
    assert panel.involvements.rowCount() == 1
    assert panel.close_button.isVisibleTo(panel) and not panel.close_button.isEnabled()
    # tick the second step: a dialog asks for a comment; the box stays until saved
    item = panel.steps.item(1, 0)
    assert item.flags() & Qt.ItemFlag.ItemIsUserCheckable
    item.setCheckState(Qt.CheckState.Checked)
    assert item.checkState() == Qt.CheckState.Unchecked
    dlg = panel.findChild(QWidget, "stepDoneDialog")
    assert dlg is not None
    with qtbot.waitSignal(dlg.succeeded, timeout=WAIT):
        dlg.ok_button.click()
    qtbot.waitUntil(lambda: panel.incident.steps[1].done, timeout=WAIT)
    assert panel.steps.item(1, 0).checkState() == Qt.CheckState.Checked
    # finish the rest through the service, then close from the screen
    from trefas_app.services import incidents as inc_service
    for st in panel.incident.open_steps:
        box = []
        ctx.run(inc_service.complete_step, st.id, on_done=box.append,
                changes=("incident:%d" % st.incident_id,))
        qtbot.waitUntil(lambda: bool(box), timeout=WAIT)
    qtbot.waitUntil(lambda: not panel.incident.open_steps, timeout=WAIT)
    assert panel.close_button.isEnabled()
    monkeypatch.setattr(common, "ask", lambda *a: True)
    panel.close_incident()
    qtbot.waitUntil(lambda: panel.incident.state.value == "closed", timeout=WAIT)


def test_incidents_screen_police_sees_involvement_count_not_case(qtbot, session, data):
    from trefas_app.ui.screens.incidents import Screen

    ctx = session("olle")  # social worker, not on case A's team, same unit
    screen = shown(qtbot, Screen(ctx))
    screen.show_incident(data.ids["incident"])
    qtbot.waitUntil(lambda: screen.panel.incident is not None, timeout=WAIT)
    assert not screen.report_button.isVisible()
    assert not screen.panel.start_button.isVisibleTo(screen.panel)
