"""Every dialog of the second set validates as the user types, refuses bad
input (the save button stays off and says why), and asks before throwing
typed text away. Run against a real store (``world`` from conftest), so the
dialogs that save do so through the real services."""

from __future__ import annotations

import datetime as dt

import pytest

from trefas_app.domain import clock
from trefas_app.domain.enums import (
    Agency,
    Category,
    ExitEnding,
    ExitState,
    IncidentKind,
    IncidentState,
    MeasureKind,
    PlanState,
    ReferralState,
    Role,
    SupportKind,
)
from trefas_app.services.views import UnitView, UserView
from trefas_app.services.views_casework import ExitView, MeasureView, PlanView, ReferralView
from trefas_app.services.views_ops import MeetingView, ParticipantView, RoutineStepView
from trefas_app.ui import common
from trefas_app.ui.dialogs.task_pickers import Candidate, qdate, qdatetime

WAIT = 15_000
NOW = clock.now_utc()
TODAY = clock.today()


@pytest.fixture
def sara(ctx_factory, unlock_sync, world):
    ctx = ctx_factory(world.root)
    unlock_sync(ctx, "sara")
    return ctx


@pytest.fixture
def petra(ctx_factory, unlock_sync, world):
    ctx = ctx_factory(world.root)
    unlock_sync(ctx, "petra")
    return ctx


def opened(qtbot, dlg):
    qtbot.addWidget(dlg)
    dlg.show()
    return dlg


def exit_view(**kw) -> ExitView:
    base = dict(id=1, case_id=1, case_number="K-2026-00001", person_id=1,
                person_name="Amir Haddad", protected=False, state=ExitState.AGREEMENT,
                owner_agency=Agency.CITY, requested_at=NOW - dt.timedelta(days=10),
                first_contact_due=NOW - dt.timedelta(days=9), first_contact_at=None,
                overdue=False, needs=None, agreement_conditions=None,
                agreement_signed_on=None, agreement_approved_at=None,
                agreement_approved_by=None, ending=None, ended_at=None, assessments=(),
                measures=(), support=(),
                next_states=(ExitState.PROTECTION_SUPPORT, ExitState.ENDED))
    base.update(kw)
    return ExitView(**base)


def plan_view(**kw) -> PlanView:
    base = dict(id=1, case_id=1, case_number="K-2026-00001", person_id=1, is_sip=False,
                state=PlanState.DRAFT, owner_agency=Agency.CITY, overall_agency=Agency.CITY,
                overall_user_id=None, overall_user_name=None, created_at=NOW, created_by="Sara",
                approved_at=None, approved_by=None, next_follow_up=None, goals=(), actions=(),
                next_states=(PlanState.APPROVED, PlanState.ENDED))
    base.update(kw)
    return PlanView(**base)


# --- not losing text ---------------------------------------------------------------------


def test_cancel_asks_before_discarding_typed_text(qtbot, sara, monkeypatch):
    from trefas_app.ui.dialogs.referral import ReferralDialog

    dlg = opened(qtbot, ReferralDialog(sara, None, 1, "K-2026-00001"))
    asked = []
    monkeypatch.setattr(common, "ask", lambda *a: asked.append(a[1]) or False)
    dlg.reason_edit.setPlainText("Behöver stöd")
    dlg.cancel_button.click()
    assert asked and "inte är sparade" in asked[0]
    assert dlg.isVisible()  # "Fortsätt skriva"
    monkeypatch.setattr(common, "ask", lambda *a: True)
    dlg.cancel_button.click()
    assert not dlg.isVisible()


def test_cancel_without_typing_does_not_ask(qtbot, sara):
    from trefas_app.ui.dialogs.task import TaskDialog

    dlg = opened(qtbot, TaskDialog(sara, None, 1, []))
    dlg.cancel_button.click()  # the autouse fixture fails the test if anything is asked
    assert not dlg.isVisible()


# --- referrals ------------------------------------------------------------------------------


def test_referral_dialog_requires_reason_and_police_refer_for_themselves(qtbot, sara, petra):
    from trefas_app.ui.dialogs.referral import ReferralDialog

    dlg = opened(qtbot, ReferralDialog(sara, None, 1))
    assert not dlg.ok_button.isEnabled()
    assert "skälet" in dlg.ok_button.toolTip()
    dlg.reason_edit.setPlainText("   ")
    assert not dlg.ok_button.isEnabled()
    dlg.reason_edit.setPlainText("x" * 20_001)
    assert "för lång" in dlg.ok_button.toolTip()
    dlg.reason_edit.setPlainText("Oro för rekrytering")
    assert dlg.ok_button.isEnabled()
    assert dlg.source_combo.count() == 3  # social services register for any agency
    police = opened(qtbot, ReferralDialog(petra, None, 1))
    assert [police.source_combo.itemData(i) for i in range(police.source_combo.count())] == \
        [Agency.POLICE]


def test_referral_state_dialog_offers_only_next_states(qtbot, sara):
    from trefas_app.ui.dialogs.referral import ReferralStateDialog

    view = ReferralView(id=1, case_id=1, case_number="K-1", person_id=1, person_name="A",
                        protected=False, state=ReferralState.CONSENT, source_agency=Agency.CITY,
                        owner_agency=Agency.CITY, received_at=NOW, reason="r", created_by="S",
                        decision_note=None, decided_at=None, decided_by=None, closure=None,
                        closed_at=None, next_states=(ReferralState.GRANTED,
                                                     ReferralState.DECLINED,
                                                     ReferralState.CLOSED))
    dlg = opened(qtbot, ReferralStateDialog(sara, None, view))
    assert [dlg.state_combo.itemData(i) for i in range(1, dlg.state_combo.count())] == \
        [ReferralState.GRANTED, ReferralState.DECLINED, ReferralState.CLOSED]
    assert not dlg.ok_button.isEnabled()
    dlg.state_combo.setCurrentIndex(1)
    assert dlg.ok_button.isEnabled()
    assert dlg.form.labelForField(dlg.note_edit).text() == "Beslutsmotivering"
    assert not dlg.closure_combo.isVisibleTo(dlg)
    dlg.state_combo.setCurrentIndex(3)
    assert dlg.closure_combo.isVisibleTo(dlg) and not dlg.ok_button.isEnabled()


# --- plans -----------------------------------------------------------------------------------


def test_plan_dialog_refuses_past_follow_up_and_offers_team_by_agency(qtbot, sara):
    from trefas_app.ui.dialogs.plan import PlanDialog

    team = [Candidate(2, "Sara Lind", Role.SOCIAL_WORKER, Agency.CITY),
            Candidate(6, "Petra Polis", Role.POLICE_LIAISON, Agency.POLICE)]
    dlg = opened(qtbot, PlanDialog(sara, None, 1, team))
    assert dlg.ok_button.isEnabled()  # a follow-up date is optional
    offered = [dlg.person_combo.itemData(i) for i in range(dlg.person_combo.count())]
    assert offered == [None, 2]
    dlg.agency_combo.setCurrentIndex(dlg.agency_combo.findData(Agency.POLICE))
    assert [dlg.person_combo.itemData(i) for i in range(dlg.person_combo.count())] == [None, 6]
    dlg.follow_up.check.setChecked(True)
    dlg.follow_up.edit.setDate(qdate(TODAY - dt.timedelta(days=1)))
    assert not dlg.ok_button.isEnabled()
    assert "passerat" in dlg.follow_error.text()
    dlg.follow_up.edit.setDate(qdate(TODAY + dt.timedelta(days=30)))
    assert dlg.ok_button.isEnabled()


def test_action_dialog_dates_in_order(qtbot, sara):
    from trefas_app.ui.dialogs.plan import ActionDialog

    dlg = opened(qtbot, ActionDialog(sara, None, plan_view()))
    assert not dlg.ok_button.isEnabled()  # nothing to do yet
    dlg.what_edit.setText("Kontakta arbetsförmedlingen")
    assert dlg.ok_button.isEnabled()
    dlg.due.check.setChecked(True)
    dlg.follow.check.setChecked(True)
    dlg.due.edit.setDate(qdate(TODAY + dt.timedelta(days=20)))
    dlg.follow.edit.setDate(qdate(TODAY + dt.timedelta(days=10)))
    assert not dlg.ok_button.isEnabled()
    assert "fel ordning" in dlg.date_error.text()
    dlg.follow.edit.setDate(qdate(TODAY + dt.timedelta(days=20)))
    assert dlg.ok_button.isEnabled() and not dlg.date_error.isVisibleTo(dlg)
    dlg.due.edit.setDate(qdate(TODAY + dt.timedelta(days=6 * 366)))
    assert "fem år" in dlg.date_error.text()


def test_follow_up_dialog_needs_a_coming_date(qtbot, sara):
    from trefas_app.ui.dialogs.plan import FollowUpDialog

    dlg = opened(qtbot, FollowUpDialog(sara, None, plan_view(state=PlanState.APPROVED)))
    assert dlg.ok_button.isEnabled()
    dlg.next_date.edit.setDate(qdate(TODAY - dt.timedelta(days=2)))
    assert not dlg.ok_button.isEnabled()


def test_goal_dialog_requires_text(qtbot, sara):
    from trefas_app.domain.enums import LifeArea
    from trefas_app.ui.dialogs.plan import GoalDialog

    dlg = opened(qtbot, GoalDialog(sara, None, plan_view(), LifeArea.HOUSING))
    assert dlg.area_combo.currentData() == LifeArea.HOUSING
    assert not dlg.ok_button.isEnabled()
    dlg.goal_edit.setPlainText("Eget boende")
    assert dlg.ok_button.isEnabled()


# --- exit programme ----------------------------------------------------------------------------


def test_exit_move_dialog_states_the_rules(qtbot, sara):
    from trefas_app.ui.dialogs.exit import ExitMoveDialog

    view = exit_view(agreement_conditions="Villkor",
                     consent_missing=((Agency.POLICE, Category.THREAT),))
    dlg = opened(qtbot, ExitMoveDialog(sara, None, view))
    assert [dlg.state_combo.itemData(i) for i in range(1, dlg.state_combo.count())] == \
        [ExitState.PROTECTION_SUPPORT, ExitState.ENDED]
    dlg.state_combo.setCurrentIndex(1)
    tip = dlg.ok_button.toolTip()
    assert not dlg.ok_button.isEnabled()
    assert "godkännas av en enhetschef" in tip and "Polisen (hot och risk)" in tip
    dlg.state_combo.setCurrentIndex(2)
    assert dlg.ending_combo.isVisibleTo(dlg) and not dlg.ok_button.isEnabled()
    dlg.ending_combo.setCurrentIndex(dlg.ending_combo.findData(ExitEnding.MOVED))
    assert dlg.ok_button.isEnabled()
    ok = opened(qtbot, ExitMoveDialog(sara, None, exit_view(
        agreement_conditions="Villkor", agreement_approved_at=NOW)))
    ok.state_combo.setCurrentIndex(1)
    assert ok.ok_button.isEnabled()


def test_agreement_dialog_signing_date(qtbot, sara):
    from trefas_app.ui.dialogs.exit import AgreementDialog

    dlg = opened(qtbot, AgreementDialog(sara, None, exit_view(state=ExitState.INTAKE)))
    assert not dlg.ok_button.isEnabled()
    dlg.conditions_edit.setPlainText("Inga kontakter med gruppen")
    assert dlg.ok_button.isEnabled()
    dlg.signed.check.setChecked(True)
    dlg.signed.edit.setDate(qdate(TODAY + dt.timedelta(days=1)))
    assert "framtiden" in dlg.signed_error.text() and not dlg.ok_button.isEnabled()
    dlg.signed.edit.setDate(qdate(TODAY - dt.timedelta(days=20)))
    assert "före förfrågan" in dlg.signed_error.text()
    dlg.signed.edit.setDate(qdate(TODAY))
    assert dlg.ok_button.isEnabled()


def test_exit_records_dialogs(qtbot, sara):
    from trefas_app.ui.dialogs.exit_records import (
        EndRecordDialog,
        RecordDialog,
        ThreatAssessmentDialog,
    )

    threat = opened(qtbot, ThreatAssessmentDialog(sara, None, 1, 1))
    assert not threat.ok_button.isEnabled()
    threat.summary_edit.setPlainText("Hot")
    assert threat.ok_button.isEnabled()

    support = opened(qtbot, RecordDialog(sara, None, "support", 1, 1))
    assert [support.kind_combo.itemData(i) for i in range(support.kind_combo.count())] == \
        list(SupportKind)
    support.description_edit.setText("Skuldrådgivning")
    assert support.ok_button.isEnabled()
    support.start.edit.setDate(qdate(TODAY - dt.timedelta(days=400)))
    assert "ett år bakåt" in support.start_error.text() and not support.ok_button.isEnabled()

    measure = MeasureView(id=1, case_id=1, exit_programme_id=1,
                          kind=MeasureKind.PROTECTED_HOUSING, description="Boende",
                          started_on=TODAY - dt.timedelta(days=5), ended_on=None,
                          owner_agency=Agency.CITY)
    end = opened(qtbot, EndRecordDialog(sara, None, measure))
    assert end.ok_button.isEnabled()
    end.end.edit.setDate(qdate(TODAY - dt.timedelta(days=6)))
    assert "fel ordning" in end.error.text()
    end.end.edit.setDate(qdate(TODAY + dt.timedelta(days=1)))
    assert "framtiden" in end.error.text()


def test_exit_request_dialog_saves(qtbot, sara, run_sync, world):
    from trefas_app.services import cases, persons
    from trefas_app.ui.dialogs.exit import ExitRequestDialog

    p = run_sync(sara, persons.create_person, persons.PersonInput("Test", "Person"))
    case = run_sync(sara, cases.open_case, p.id, "Avhopp")
    dlg = opened(qtbot, ExitRequestDialog(sara, None, case.id, case.number))
    dlg.needs_edit.setPlainText("Boende")
    with qtbot.waitSignal(dlg.succeeded, timeout=WAIT) as got:
        dlg.ok_button.click()
    view = got.args[0]
    assert view.state == ExitState.REQUESTED and view.needs == "Boende"
    assert (view.first_contact_due - view.requested_at) == dt.timedelta(hours=24)
    # a second request on the same case is refused inside the dialog
    again = opened(qtbot, ExitRequestDialog(sara, None, case.id))
    again.ok_button.click()
    qtbot.waitUntil(lambda: again.problem_label.isVisibleTo(again), timeout=WAIT)
    assert "redan ett pågående" in again.problem_label.text()
    assert again.isVisible()


# --- incidents -------------------------------------------------------------------------------


def test_incident_dialog_refuses_future_and_missing_fields(qtbot, sara, world):
    from trefas_app.ui.dialogs.incident import IncidentDialog

    units = [UnitView(world.unit_ids["city"], Agency.CITY, "RK", "Rinkeby-Kista")]
    dlg = opened(qtbot, IncidentDialog(sara, None, units))
    assert dlg.unit_combo.currentData() == world.unit_ids["city"]  # the user's own
    tip = dlg.ok_button.toolTip()
    assert "platsen" in tip and "Beskriv" in tip
    dlg.place_edit.setText("Rinkeby torg")
    dlg.summary_edit.setPlainText("Skott")
    assert dlg.ok_button.isEnabled()
    dlg.when_edit.setDateTime(qdatetime(NOW + dt.timedelta(hours=2)))
    assert "framtiden" in dlg.when_error.text() and not dlg.ok_button.isEnabled()
    dlg.when_edit.setDateTime(qdatetime(NOW - dt.timedelta(hours=2)))
    dlg.unit_combo.setCurrentIndex(0)
    assert not dlg.ok_button.isEnabled()


def test_step_dialogs(qtbot, sara, petra):
    from trefas_app.ui.dialogs.incident import AssignStepDialog, StepDoneDialog

    step = RoutineStepView(id=1, incident_id=1, key="safety_measures", title="Trygghet",
                           title_en="Safety", owner_agency=Agency.POLICE, owner_user_id=None,
                           owner_name=None, due_at=NOW, done_at=None, done_by=None,
                           comment=None, overdue=False)
    done = opened(qtbot, StepDoneDialog(petra, None, step))
    assert done.ok_button.isEnabled()
    done.comment_edit.setPlainText("x" * 2001)
    assert not done.ok_button.isEnabled()
    others = [Candidate(2, "Sara Lind", Role.SOCIAL_WORKER, Agency.CITY)]
    assign = opened(qtbot, AssignStepDialog(petra, None, step, others))
    ids = [assign.user_combo.itemData(i) for i in range(assign.user_combo.count())]
    assert ids == [None, petra.actor.user_id]  # the city user is not offered for a police step
    assert not assign.ok_button.isEnabled()  # nobody -> nobody is no change
    assign.user_combo.setCurrentIndex(1)
    assert assign.ok_button.isEnabled()


def test_link_person_dialog_needs_incident_case_and_role(qtbot, sara):
    from trefas_app.services.views_ops import IncidentRow
    from trefas_app.ui.dialogs.incident import LinkPersonDialog

    row = IncidentRow(id=7, number="H-2026-00007", kind=IncidentKind.SHOOTING, occurred_at=NOW,
                      unit_id=1, unit_name="Rinkeby-Kista", place="Torget",
                      state=IncidentState.ROUTINE, owner_agency=Agency.CITY, steps_total=6,
                      steps_open=6, steps_overdue=0)
    dlg = opened(qtbot, LinkPersonDialog(sara, None, case_id=3, case_text="K-3 · A",
                                         incident_rows=[row]))
    assert dlg.case_picker.case_id() == 3 and not dlg.case_picker.search.isVisibleTo(dlg)
    assert "Välj händelse" in dlg.ok_button.toolTip()
    dlg.incident_combo.setCurrentIndex(1)
    assert "roll" in dlg.ok_button.toolTip()
    dlg.role_combo.setCurrentIndex(dlg.role_combo.findData("witness"))
    assert dlg.ok_button.isEnabled()


# --- meetings and tasks ------------------------------------------------------------------------


def test_meeting_dialog_chair_always_included(qtbot, ctx_factory, unlock_sync, world):
    from trefas_app.ui.dialogs.meeting import MeetingDialog

    kalle = ctx_factory(world.root)
    unlock_sync(kalle, "kalle")
    units = [UnitView(world.unit_ids["city"], Agency.CITY, "RK", "Rinkeby-Kista")]
    team = [Candidate(world.user_ids["petra"], "Petra Polis", Role.POLICE_LIAISON,
                      Agency.POLICE)]
    dlg = opened(qtbot, MeetingDialog(kalle, None, units, team))
    assert dlg.participants.checked_ids() == [world.user_ids["kalle"]]
    assert not dlg.ok_button.isEnabled()
    dlg.title_edit.setText("Operativ grupp")
    assert dlg.ok_button.isEnabled()
    dlg.participants.set_checked(world.user_ids["kalle"], False)  # the chair stays
    assert world.user_ids["kalle"] in dlg.participants.checked_ids()
    dlg.participants.set_checked(world.user_ids["petra"], True)
    with qtbot.waitSignal(dlg.succeeded, timeout=WAIT) as got:
        dlg.ok_button.click()
    assert {p.user_id for p in got.args[0].participants} == {world.user_ids["kalle"],
                                                             world.user_ids["petra"]}


def test_mark_held_refused_before_the_meeting(qtbot, sara):
    from trefas_app.domain.enums import MeetingKind
    from trefas_app.ui.dialogs.meeting import MarkHeldDialog

    def meeting(at):
        return MeetingView(id=1, kind=MeetingKind.JOINT, unit_id=1, unit_name="RK", title="M",
                           held_at=at, place=None, chair_id=2, chair="Sara", held=False,
                           participants=(ParticipantView(2, "Sara", Role.SOCIAL_WORKER,
                                                         Agency.CITY, "RK", True),),
                           items=(), tasks=())

    later = opened(qtbot, MarkHeldDialog(sara, None, meeting(NOW + dt.timedelta(hours=3))))
    assert not later.ok_button.isEnabled() and "före mötestiden" in later.time_error.text()
    past = opened(qtbot, MarkHeldDialog(sara, None, meeting(NOW - dt.timedelta(hours=1))))
    assert past.ok_button.isEnabled()
    from PySide6.QtCore import Qt
    past.present.item(0).setCheckState(Qt.CheckState.Unchecked)
    assert past.absent_ids() == [2]


def test_meeting_item_dialog_needs_meeting_case_and_discussion(qtbot, sara):
    from trefas_app.ui.dialogs.meeting import MeetingItemDialog

    dlg = opened(qtbot, MeetingItemDialog(sara, None, None, case_id=1, case_text="K-1"))
    assert "Välj möte" in dlg.ok_button.toolTip()
    assert dlg.meeting_combo.count() == 1  # no meetings to choose from
    dlg.discussion_edit.setPlainText("Läget")
    assert not dlg.ok_button.isEnabled()


def test_task_dialog_title_and_due_date(qtbot, sara):
    from trefas_app.ui.dialogs.task import TaskDialog

    team = [Candidate(sara.actor.user_id, "Sara Lind", Role.SOCIAL_WORKER, Agency.CITY)]
    dlg = opened(qtbot, TaskDialog(sara, None, 1, team))
    assert dlg.assignee.user_id() == sara.actor.user_id  # the user by default
    assert not dlg.ok_button.isEnabled()
    dlg.title_edit.setText("Ring skolan")
    assert dlg.ok_button.isEnabled()
    dlg.due.check.setChecked(True)
    dlg.due.edit.setDate(qdate(TODAY - dt.timedelta(days=1)))
    assert "passerat" in dlg.due_error.text() and not dlg.ok_button.isEnabled()
    dlg.title_edit.setText("x" * 201)
    dlg.due.edit.setDate(qdate(TODAY))
    assert "200 tecken" in dlg.ok_button.toolTip()


# --- administration ---------------------------------------------------------------------------


def test_admin_dialogs_validate(qtbot, ctx_factory, unlock_sync, world):
    """A reset gives a one-time code (no password typed by the administrator);
    a unit code already taken is refused."""
    from trefas_app.services.accounts import AccountView
    from trefas_app.ui.dialogs.user import ResetPasswordDialog, UnitDialog

    admin = ctx_factory(world.root)
    unlock_sync(admin, "admin", "Solros-vägen-nio-test")
    user = AccountView("olle", "Olle Berg", Role.SOCIAL_WORKER, Agency.CITY, "RK",
                       "Rinkeby-Kista", "ready", "")
    reset = opened(qtbot, ResetPasswordDialog(admin, None, user))
    assert not hasattr(reset, "password_edit")
    assert reset.ok_button.isEnabled()
    with qtbot.waitSignal(reset.succeeded, timeout=WAIT) as got:
        reset.ok_button.click()
    assert got.args[0].state == "enrolment" and got.args[0].enrolment_code

    units = [("city", "RK", "Rinkeby-Kista")]
    unit = opened(qtbot, UnitDialog(admin, None, units))
    unit.code_edit.setText("RK")
    unit.name_edit.setText("Dubblett")
    assert "redan en enhet" in unit.ok_button.toolTip() and not unit.ok_button.isEnabled()
    unit.code_edit.setText("SDF-ST")
    assert unit.ok_button.isEnabled()
