"""Incidents and the post-shooting routine, through the real services on a real
store: the checklist is created from the template, closing waits for every
step, and who was involved is shown only as far as consent allows."""

from __future__ import annotations

import datetime as dt
import re

from stores import build_staff
import pytest

from trefas_app.domain import clock
from trefas_app.domain.enums import (
    Agency,
    Category,
    IncidentKind,
    IncidentState,
    Role,
)
from trefas_app.domain.errors import (
    AccessDenied,
    Conflict,
    IllegalTransition,
    ValidationError,
)
from trefas_app.domain.routine import ROUTINE
from trefas_app.services import cases, consents, incidents, persons
from trefas_app.store.store import unlock

PW = "Granskog-och-hav-42"
ADMIN_PW = "Solros-vägen-nio-test"
NAMES = ("cora", "sara", "petra", "peder", "kim")


def build_world(root):
    return build_staff(root, ((Agency.CITY, "RK", "Rinkeby-Kista"),
                              (Agency.CITY, "ST", "Spånga-Tensta"),
                              (Agency.POLICE, "LPO-R", "LPO Rinkeby"),
                              (Agency.PROBATION, "FRV", "Frivården Järva")),
                       (("cora", Role.COORDINATOR, "RK"), ("sara", Role.SOCIAL_WORKER, "RK"),
                        ("petra", Role.POLICE_LIAISON, "LPO-R"),
                        ("peder", Role.POLICE_LIAISON, "LPO-R"),
                        ("kim", Role.PROBATION_OFFICER, "FRV")), admin_password=ADMIN_PW)


@pytest.fixture(scope="module")
def world(store_templates, tmp_path_factory):
    """One store for the module: a city coordinator and social worker in
    Rinkeby-Kista, two police liaisons, a probation officer."""
    root = tmp_path_factory.mktemp("incidents") / "store"
    units = store_templates.copy(build_world, root)
    sessions = {n: unlock(root, n, PW) for n in NAMES}
    sessions["admin"] = unlock(root, "admin", ADMIN_PW)
    sessions["units"] = {"RK": units["RK"], "ST": units["ST"]}
    yield sessions
    for n in (*NAMES, "admin"):
        sessions[n].close()


def _report(sess, unit_id, hours_ago=2.0, kind=IncidentKind.SHOOTING):
    occurred = (clock.now_utc() - dt.timedelta(hours=hours_ago)).replace(
        microsecond=0)
    return incidents.report_incident(sess.uow(), sess.actor, kind, occurred, unit_id,
                                     "Torget", "Skottlossning vid torget, en person skadad.")


def test_report_creates_the_routine_with_due_times(world):
    cora, rk = world["cora"], world["units"]["RK"]
    occurred = dt.datetime(2024, 3, 1, 21, 30, tzinfo=dt.timezone.utc)
    view = incidents.report_incident(cora.uow(), cora.actor, IncidentKind.SHOOTING, occurred,
                                     rk, "Rinkeby torg", "Skottlossning, en skadad.")
    assert re.fullmatch(r"H-\d{4}-\d{5}", view.number)
    assert view.state == IncidentState.REPORTED
    assert view.owner_agency == Agency.CITY and view.unit_name == "Rinkeby-Kista"
    assert view.occurred_at == occurred
    # Exactly the template's steps, in order, each due relative to the occurrence.
    assert [s.key for s in view.steps] == [t.key for t in ROUTINE]
    assert {s.key for s in view.steps} == {
        "crisis_support", "exit_offer", "resident_information", "safety_measures",
        "schools_youth_centres", "follow_up_meeting"}
    for step, template in zip(view.steps, ROUTINE):
        assert step.title == template.title_sv
        assert step.owner_agency == template.owner_agency
        assert step.due_at == occurred + dt.timedelta(hours=template.due_offset_hours)
        assert not step.done
    by_key = {s.key: s for s in view.steps}
    assert by_key["crisis_support"].due_at == occurred + dt.timedelta(hours=24)
    assert by_key["follow_up_meeting"].due_at == occurred + dt.timedelta(days=7)
    assert by_key["safety_measures"].owner_agency == Agency.POLICE
    # An incident long past: every step is already overdue.
    assert all(s.overdue for s in view.steps)

    second = _report(world["petra"], rk)
    assert second.owner_agency == Agency.POLICE
    year, n = view.number.split("-")[1:]
    assert second.number == f"H-{year}-{int(n) + 1:05d}"
    assert not any(s.overdue for s in second.steps)  # two hours ago: nothing due yet


def test_report_is_validated_and_needs_permission(world):
    cora, kim, rk = world["cora"], world["kim"], world["units"]["RK"]
    future = clock.now_utc() + dt.timedelta(hours=3)
    with pytest.raises(ValidationError, match="future"):
        incidents.report_incident(cora.uow(), cora.actor, IncidentKind.SHOOTING, future, rk,
                                  "Torget", "x")
    with pytest.raises(ValidationError, match="time zone"):
        incidents.report_incident(cora.uow(), cora.actor, IncidentKind.SHOOTING,
                                  dt.datetime(2024, 1, 1, 12, 0), rk, "Torget", "x")
    # Probation reads incidents and works routine steps but does not report them.
    with pytest.raises(AccessDenied):
        _report(kim, rk)
    with pytest.raises(AccessDenied):
        incidents.list_incidents(world["admin"].uow(), world["admin"].actor)


def test_close_is_refused_while_steps_are_open(world):
    cora, petra, kim = world["cora"], world["petra"], world["kim"]
    view = _report(cora, world["units"]["RK"])
    steps = {s.key: s for s in view.steps}

    # Steps are worked once the routine has started.
    with pytest.raises(Conflict, match="routine has started"):
        incidents.complete_step(cora.uow(), cora.actor, steps["crisis_support"].id)
    with pytest.raises(IllegalTransition):
        incidents.close_incident(cora.uow(), cora.actor, view.id)
    view = incidents.start_routine(cora.uow(), cora.actor, view.id)
    assert view.state == IncidentState.ROUTINE

    view = incidents.complete_step(cora.uow(), cora.actor, steps["crisis_support"].id,
                                   "Krisstöd erbjudet via stadsdelens krisgrupp")
    done = {s.key: s for s in view.steps}["crisis_support"]
    assert done.done and done.done_by == "Cora" and done.comment.startswith("Krisstöd")
    with pytest.raises(Conflict, match="already done"):
        incidents.complete_step(cora.uow(), cora.actor, steps["crisis_support"].id)

    with pytest.raises(Conflict) as refused:
        incidents.close_incident(cora.uow(), cora.actor, view.id)
    message = refused.value.message("sv")
    assert "5 steg" in message
    for key, step in steps.items():
        assert (step.title in message) == (key != "crisis_support")
    assert incidents.get_incident(cora.uow(), cora.actor, view.id).state == IncidentState.ROUTINE

    # A police liaison works the police step, not the city's; probation neither.
    with pytest.raises(AccessDenied):
        incidents.complete_step(petra.uow(), petra.actor, steps["exit_offer"].id)
    with pytest.raises(AccessDenied):
        incidents.complete_step(kim.uow(), kim.actor, steps["safety_measures"].id)
    with pytest.raises(ValidationError, match="owned by Police"):
        incidents.assign_step(cora.uow(), cora.actor, steps["safety_measures"].id,
                              cora.actor.user_id)
    view = incidents.assign_step(cora.uow(), cora.actor, steps["safety_measures"].id,
                                 petra.actor.user_id)
    assert {s.key: s for s in view.steps}["safety_measures"].owner_name == "Petra"
    incidents.complete_step(petra.uow(), petra.actor, steps["safety_measures"].id)

    for key in ("resident_information", "schools_youth_centres", "exit_offer",
                "follow_up_meeting"):
        view = incidents.complete_step(cora.uow(), cora.actor, steps[key].id)
    # Reopened: closing is refused again, naming only that step.
    incidents.reopen_step(cora.uow(), cora.actor, steps["exit_offer"].id, "Ej nådd")
    with pytest.raises(Conflict) as refused:
        incidents.close_incident(cora.uow(), cora.actor, view.id)
    assert "1 steg" in refused.value.message("sv")
    assert steps["exit_offer"].title in refused.value.message("sv")
    assert "Exit support offered" in str(refused.value)
    incidents.complete_step(cora.uow(), cora.actor, steps["exit_offer"].id)

    closed = incidents.close_incident(cora.uow(), cora.actor, view.id)
    assert closed.state == IncidentState.CLOSED and closed.closed_at is not None
    assert all(s.done for s in closed.steps) and closed.next_states == ()
    with pytest.raises(Conflict, match="in progress"):
        incidents.reopen_step(cora.uow(), cora.actor, steps["exit_offer"].id)


def test_involvement_hidden_from_police_without_criminal_consent(world):
    sara, petra, peder = world["sara"], world["petra"], world["peder"]
    p = persons.create_person(sara.uow(), sara.actor, persons.PersonInput(
        "Amir", "Haddad", personal_number="19900101-0017"))
    case = cases.open_case(sara.uow(), sara.actor, p.id, "Risk för våld")
    cases.add_team_member(sara.uow(), sara.actor, case.id, petra.actor.user_id)
    today = clock.today()
    consent = consents.record_consent(sara.uow(), sara.actor, consents.ConsentInput(
        person_id=p.id, purpose="Samverkan", valid_from=today,
        valid_until=today + dt.timedelta(days=180),
        grants=frozenset({(Agency.POLICE, Category.IDENTITY), (Agency.POLICE, Category.SOCIAL)})))
    incident = _report(world["cora"], world["units"]["RK"])

    with pytest.raises(ValidationError, match="Unknown involvement"):
        incidents.link_person(sara.uow(), sara.actor, incident.id, case.id, "bystander")
    linked = incidents.link_person(sara.uow(), sara.actor, incident.id, case.id, "victim")
    assert [(i.case_id, i.involvement, i.person_name) for i in linked.involvements] == [
        (case.id, "victim", "Amir Haddad")]
    assert linked.involvements[0].involvement_label == "Drabbad"
    with pytest.raises(Conflict):
        incidents.link_person(sara.uow(), sara.actor, incident.id, case.id, "victim")

    # Police on the team, consent without the criminal category: hidden, but counted.
    seen = incidents.get_incident(petra.uow(), petra.actor, incident.id)
    assert seen.involvements == ()
    assert seen.involvements_hidden == {Category.CRIMINAL: 1}
    assert seen.hidden_involvements == 1
    # A police user outside the case team is not even told it exists.
    other = incidents.get_incident(peder.uow(), peder.actor, incident.id)
    assert other.involvements == () and other.hidden_involvements == 0

    consents.amend_consent(sara.uow(), sara.actor, consent.id, consents.ConsentInput(
        person_id=p.id, purpose="Samverkan", valid_from=today,
        valid_until=today + dt.timedelta(days=180),
        grants=frozenset({(Agency.POLICE, Category.IDENTITY), (Agency.POLICE, Category.SOCIAL),
                          (Agency.POLICE, Category.CRIMINAL)})))
    seen = incidents.get_incident(petra.uow(), petra.actor, incident.id)
    assert [(i.case_number, i.person_name, i.owner_agency) for i in seen.involvements] == [
        (case.number, "Amir Haddad", Agency.CITY)]
    assert seen.hidden_involvements == 0
    assert incidents.get_incident(peder.uow(), peder.actor, incident.id).involvements == ()


def test_link_needs_a_writable_case(world):
    sara, peder, kim = world["sara"], world["peder"], world["kim"]
    p = persons.create_person(sara.uow(), sara.actor, persons.PersonInput("Bo", "Ek"))
    case = cases.open_case(sara.uow(), sara.actor, p.id, "Ärende")
    incident = _report(world["cora"], world["units"]["RK"])
    # Not on the team (and no consent): refused, and nothing is stored.
    with pytest.raises(AccessDenied):
        incidents.link_person(peder.uow(), peder.actor, incident.id, case.id, "witness")
    with pytest.raises(AccessDenied):
        incidents.link_person(kim.uow(), kim.actor, incident.id, case.id, "witness")
    assert incidents.get_incident(sara.uow(), sara.actor, incident.id).involvements == ()


def test_list_incidents_filters_by_time_unit_and_state(world):
    cora, rk, st = world["cora"], world["units"]["RK"], world["units"]["ST"]
    a = _report(cora, st, hours_ago=24 * 30)
    b = _report(cora, st, hours_ago=1)
    incidents.start_routine(cora.uow(), cora.actor, b.id)
    since = clock.now_utc() - dt.timedelta(days=7)
    in_st = incidents.list_incidents(cora.uow(), cora.actor, since=since, unit_id=st)
    assert [r.id for r in in_st.rows] == [b.id] and in_st.total == 1
    assert in_st.rows[0].unit_name == "Spånga-Tensta"
    assert in_st.rows[0].steps_total == len(ROUTINE) == in_st.rows[0].steps_open
    everything_st = incidents.list_incidents(cora.uow(), cora.actor, unit_id=st)
    assert [r.id for r in everything_st.rows] == [b.id, a.id]  # newest first
    assert everything_st.rows[1].steps_overdue == len(ROUTINE)  # 30 days old, none done
    routine = incidents.list_incidents(cora.uow(), cora.actor, unit_id=st,
                                       states=(IncidentState.ROUTINE,))
    assert [r.id for r in routine.rows] == [b.id]
    assert all(r.unit_id == rk for r in incidents.list_incidents(
        world["petra"].uow(), world["petra"].actor, unit_id=rk).rows)
