"""Action plans and SIP through the real services: goals and actions, date
rules, supervisor approval, follow-up and ending, and who sees what."""

from __future__ import annotations

import datetime as dt

from stores import build_staff
import pytest

from trefas_app.domain import clock
from trefas_app.domain.enums import Agency, Category, LifeArea, PlanState, Role
from trefas_app.domain.errors import (
    AccessDenied,
    Conflict,
    IllegalTransition,
    NotFound,
    ValidationError,
)
from trefas_app.services import cases, consents, persons, plans
from trefas_app.store.store import unlock

PW = "Granskog-och-hav-42"
USERS = (("sara", Role.SOCIAL_WORKER, Agency.CITY),
         ("petra", Role.POLICE_LIAISON, Agency.POLICE),
         ("kim", Role.PROBATION_OFFICER, Agency.PROBATION),
         ("stina", Role.SUPERVISOR, Agency.CITY),
         ("polchef", Role.SUPERVISOR, Agency.POLICE))
TODAY = clock.today()
DAY = dt.timedelta(days=1)


UNITS = ((Agency.CITY, "RK", "Rinkeby-Kista"), (Agency.POLICE, "LPO", "LPO Rinkeby"),
         (Agency.PROBATION, "KV", "Frivården Solna"))
CODES = {agency: code for agency, code, _ in UNITS}


def build_world(root):
    """admin and USERS, each in their agency's unit."""
    return build_staff(root, UNITS, [(n, role, CODES[a]) for n, role, a in USERS],
                       admin_password=PW)


@pytest.fixture(scope="module")
def world(store_templates, tmp_path_factory):
    """One store per module (creating stores is the slow part); every test
    makes its own persons and cases."""
    root = tmp_path_factory.mktemp("plan") / "store"
    store_templates.copy(build_world, root)
    sessions = {name: unlock(root, name, PW) for name, _, _ in USERS}
    yield sessions
    for s in sessions.values():
        s.close()


def new_case(world, *team: str, grants=frozenset()):
    sara = world["sara"]
    p = persons.create_person(sara.uow(), sara.actor, persons.PersonInput("Amir", "Haddad"))
    case = cases.open_case(sara.uow(), sara.actor, p.id, "Plan")
    for name in team:
        cases.add_team_member(sara.uow(), sara.actor, case.id, world[name].actor.user_id)
    if grants:
        consents.record_consent(sara.uow(), sara.actor, consents.ConsentInput(
            person_id=p.id, purpose="SIP", valid_from=TODAY, valid_until=TODAY + 180 * DAY,
            grants=frozenset(grants)))
    return case


def new_plan(world, case, **kw):
    sara = world["sara"]
    args = dict(is_sip=True, overall_agency=Agency.CITY, overall_user_id=sara.actor.user_id,
                next_follow_up=TODAY + 30 * DAY) | kw
    return plans.create_plan(sara.uow(), sara.actor, case.id, **args)


def test_goals_actions_and_responsible_names(world):
    sara, kim = world["sara"], world["kim"]
    case = new_case(world)
    plan = new_plan(world, case)
    assert plan.state == PlanState.DRAFT and plan.is_sip
    assert plan.overall_user_name == "Sara" and plan.created_by == "Sara"
    plans.add_goal(sara.uow(), sara.actor, plan.id, LifeArea.STUDIES, "Gå klart gymnasiet")
    plan = plans.add_action(sara.uow(), sara.actor, plan.id, LifeArea.STUDIES,
                            "Kontakt med studievägledare", Agency.PROBATION, kim.actor.user_id,
                            TODAY + 10 * DAY, TODAY + 20 * DAY)
    plan = plans.add_action(sara.uow(), sara.actor, plan.id, LifeArea.HOUSING, "Bostadskö",
                            Agency.CITY, None, TODAY - DAY, None)
    got = plans.get_plan(sara.uow(), sara.actor, plan.id)
    assert [(g.life_area, g.goal) for g in got.goals] == [(LifeArea.STUDIES, "Gå klart gymnasiet")]
    first, second = got.actions
    assert (first.responsible_agency, first.responsible_name) == (Agency.PROBATION, "Kim")
    assert (first.due_date, first.follow_up_date) == (TODAY + 10 * DAY, TODAY + 20 * DAY)
    assert not first.overdue and second.overdue and second.responsible_name is None

    done = plans.complete_action(sara.uow(), sara.actor, second.id)
    assert done.actions[1].done_at is not None and not done.actions[1].overdue
    with pytest.raises(Conflict):
        plans.complete_action(sara.uow(), sara.actor, second.id)
    with pytest.raises(NotFound):
        plans.complete_action(sara.uow(), sara.actor, 999_999)

    rows = plans.list_plans(sara.uow(), sara.actor, case.id)
    assert rows.total == 1 and rows.hidden == {}
    assert (rows.rows[0].goals, rows.rows[0].open_actions) == (1, 1)


def test_action_dates_are_checked(world):
    sara, petra = world["sara"], world["petra"]
    plan = new_plan(world, new_case(world))
    with pytest.raises(ValidationError) as err:
        plans.add_action(sara.uow(), sara.actor, plan.id, LifeArea.WORK, "Praktik", Agency.CITY,
                         None, TODAY + 20 * DAY, TODAY + 10 * DAY)
    assert "fel ordning" in err.value.sv and "uppföljningsdatumet" in err.value.sv
    assert "wrong order" in err.value.en
    with pytest.raises(ValidationError, match="more than a year"):
        plans.add_action(sara.uow(), sara.actor, plan.id, LifeArea.WORK, "Praktik", Agency.CITY,
                         None, TODAY - 400 * DAY, None)
    with pytest.raises(ValidationError, match="five years"):
        plans.add_action(sara.uow(), sara.actor, plan.id, LifeArea.WORK, "Praktik", Agency.CITY,
                         None, None, TODAY + 6 * 366 * DAY)
    # Same day is in order.
    ok = plans.add_action(sara.uow(), sara.actor, plan.id, LifeArea.WORK, "Praktik",
                          Agency.CITY, None, TODAY, TODAY)
    assert len(ok.actions) == 1
    # The responsible person must belong to the responsible agency.
    with pytest.raises(ValidationError, match="responsible agency"):
        plans.add_action(sara.uow(), sara.actor, plan.id, LifeArea.WORK, "Praktik",
                         Agency.CITY, petra.actor.user_id, None, None)
    with pytest.raises(ValidationError):
        plans.add_goal(sara.uow(), sara.actor, plan.id, LifeArea.WORK, "  ")
    with pytest.raises(ValidationError, match="already passed"):
        new_plan(world, new_case(world), next_follow_up=TODAY - DAY)
    assert len(plans.get_plan(sara.uow(), sara.actor, plan.id).actions) == 1


def test_approval_needs_the_owning_agencys_supervisor(world):
    sara, stina, polchef = world["sara"], world["stina"], world["polchef"]
    case = new_case(world, "petra", grants={(Agency.POLICE, Category.IDENTITY),
                                            (Agency.POLICE, Category.SOCIAL)})
    plan = new_plan(world, case)
    assert plan.next_states == (PlanState.ENDED,)  # the social worker cannot approve
    assert plans.get_plan(stina.uow(), stina.actor, plan.id).next_states == (
        PlanState.APPROVED,)
    with pytest.raises(AccessDenied):
        plans.approve_plan(sara.uow(), sara.actor, plan.id)
    with pytest.raises(ValidationError, match="at least one goal"):
        plans.approve_plan(stina.uow(), stina.actor, plan.id)
    plans.add_goal(sara.uow(), sara.actor, plan.id, LifeArea.HEALTH, "Regelbunden sömn")
    plans.add_action(sara.uow(), sara.actor, plan.id, LifeArea.HEALTH, "Läkarbesök",
                     Agency.CITY, None, TODAY + 7 * DAY, None)
    # A police supervisor (police on the team, consent given) may read but not approve.
    assert plans.get_plan(polchef.uow(), polchef.actor, plan.id).state == PlanState.DRAFT
    with pytest.raises(AccessDenied):
        plans.approve_plan(polchef.uow(), polchef.actor, plan.id)
    approved = plans.approve_plan(stina.uow(), stina.actor, plan.id)
    assert approved.state == PlanState.APPROVED
    assert approved.approved_by == "Stina" and approved.approved_at is not None
    with pytest.raises(IllegalTransition):
        plans.approve_plan(stina.uow(), stina.actor, plan.id)


def test_follow_up_and_end(world):
    sara, stina = world["sara"], world["stina"]
    plan = new_plan(world, new_case(world))
    with pytest.raises(IllegalTransition):
        plans.follow_up_plan(sara.uow(), sara.actor, plan.id, TODAY + 60 * DAY)
    plans.add_goal(sara.uow(), sara.actor, plan.id, LifeArea.WORK, "Jobb")
    plans.add_action(sara.uow(), sara.actor, plan.id, LifeArea.WORK, "CV", Agency.CITY)
    plans.approve_plan(stina.uow(), stina.actor, plan.id)
    with pytest.raises(ValidationError):
        plans.follow_up_plan(sara.uow(), sara.actor, plan.id, TODAY - DAY)
    once = plans.follow_up_plan(sara.uow(), sara.actor, plan.id, TODAY + 60 * DAY)
    assert once.state == PlanState.FOLLOWED_UP and once.next_follow_up == TODAY + 60 * DAY
    again = plans.follow_up_plan(sara.uow(), sara.actor, plan.id, TODAY + 90 * DAY)
    assert again.next_follow_up == TODAY + 90 * DAY
    ended = plans.end_plan(sara.uow(), sara.actor, plan.id, "Målen nådda")
    assert ended.state == PlanState.ENDED and ended.next_states == ()
    with pytest.raises(IllegalTransition):
        plans.end_plan(sara.uow(), sara.actor, plan.id)
    with pytest.raises(Conflict):
        plans.add_goal(sara.uow(), sara.actor, plan.id, LifeArea.WORK, "Mer")
    with pytest.raises(Conflict):
        plans.complete_action(sara.uow(), sara.actor, ended.actions[0].id)


def test_police_read_within_consent_and_never_write(world):
    sara, petra = world["sara"], world["petra"]
    identity_only = new_case(world, "petra", grants={(Agency.POLICE, Category.IDENTITY)})
    hidden_plan = new_plan(world, identity_only)
    page = plans.list_plans(petra.uow(), petra.actor, identity_only.id)
    assert page.rows == () and page.hidden == {Category.SOCIAL: 1}
    with pytest.raises(AccessDenied):
        plans.get_plan(petra.uow(), petra.actor, hidden_plan.id)

    shared = new_case(world, "petra", grants={(Agency.POLICE, Category.IDENTITY),
                                              (Agency.POLICE, Category.SOCIAL)})
    plan = new_plan(world, shared)
    seen = plans.get_plan(petra.uow(), petra.actor, plan.id)
    assert seen.id == plan.id and seen.next_states == ()
    with pytest.raises(AccessDenied):
        plans.add_goal(petra.uow(), petra.actor, plan.id, LifeArea.WORK, "x")
    with pytest.raises(AccessDenied):
        plans.create_plan(petra.uow(), petra.actor, shared.id, False, Agency.POLICE, None, None)
    assert plans.get_plan(sara.uow(), sara.actor, plan.id).goals == ()
