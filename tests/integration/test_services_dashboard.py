"""The dashboard: every figure agrees with the list behind it, for two roles
that see different things, and the administrator gets none of it."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from stores import build_staff
import pytest
from sqlalchemy import select

from trefas_app.domain import clock
from trefas_app.domain.enums import (
    Agency,
    CaseState,
    Category,
    ExitState,
    IncidentKind,
    IncidentState,
    Role,
)
from trefas_app.domain.errors import AccessDenied
from trefas_app.domain.routine import ROUTINE
from trefas_app.services import cases, consents, dashboard, incidents, persons, tasks
from trefas_app.store import models as m
from trefas_app.store.store import unlock
from trefas_app.store.uow import UnitOfWork
from trefas_app.store.keyslots import KeyFile

PW = "Granskog-och-hav-42"
ADMIN_PW = "Solros-vägen-nio-test"
NAMES = ("cora", "sara", "petra")
LATER_DAYS = 5  # the dashboard is looked at five days after the data was entered


def _consent(sara, person_id, days, categories):
    today = clock.today()
    consents.record_consent(sara.uow(), sara.actor, consents.ConsentInput(
        person_id=person_id, purpose="Samverkan", valid_from=today,
        valid_until=today + dt.timedelta(days=days),
        grants=frozenset((Agency.POLICE, c) for c in categories)))


def _exit_request(sess, case, requested_at):
    """An exit request row as the exit services store it (they are tested elsewhere)."""
    with sess.uow() as uow:
        uow.session.add(m.ExitProgramme(
            case_id=case.id, person_id=case.person.id, owner_agency=Agency.CITY,
            category=Category.SOCIAL, state=ExitState.REQUESTED, requested_at=requested_at,
            first_contact_due=requested_at + dt.timedelta(hours=24), created_at=requested_at,
            created_by_id=sess.actor.user_id))
        uow.commit()


def build_world(root):
    return build_staff(root, ((Agency.CITY, "RK", "Rinkeby-Kista"),
                              (Agency.CITY, "ST", "Spånga-Tensta"),
                              (Agency.POLICE, "LPO-R", "LPO Rinkeby")),
                       (("cora", Role.COORDINATOR, "RK"), ("sara", Role.SOCIAL_WORKER, "RK"),
                        ("petra", Role.POLICE_LIAISON, "LPO-R")), admin_password=ADMIN_PW)


@pytest.fixture(scope="module")
def world(store_templates, tmp_path_factory):
    root = tmp_path_factory.mktemp("dashboard") / "store"
    units = store_templates.copy(build_world, root)
    rk, st = units["RK"], units["ST"]
    w = {n: unlock(root, n, PW) for n in NAMES}
    w["admin"] = unlock(root, "admin", ADMIN_PW)
    sara, petra, cora = w["sara"], w["petra"], w["cora"]
    now = clock.now_utc()
    today = clock.today()

    # Three cases of Sara's. A: police on the team with consent (identity + social)
    # ending in 20 days. B: no consent, active. C: police on the team, long consent.
    made = {}
    for key, days, cats in (("A", 20, (Category.IDENTITY, Category.SOCIAL)),
                            ("B", None, ()),
                            ("C", 180, (Category.IDENTITY, Category.SOCIAL))):
        p = persons.create_person(sara.uow(), sara.actor, persons.PersonInput(key, "Person"))
        case = cases.open_case(sara.uow(), sara.actor, p.id, f"Ärende {key}")
        if days:
            cases.add_team_member(sara.uow(), sara.actor, case.id, petra.actor.user_id)
            _consent(sara, p.id, days, cats)
        made[key] = case
    cases.move_case(sara.uow(), sara.actor, made["B"].id, CaseState.ACTIVE)

    # Tasks: A due tomorrow, B in two days, C in forty days.
    for key, days in (("A", 1), ("B", 2), ("C", 40)):
        tasks.create_task(sara.uow(), sara.actor, made[key].id, f"Åtgärd {key}", None,
                          sara.actor.user_id, today + dt.timedelta(days=days))

    # Exit requests: A's first contact is past due at "later"; B's is not (yet).
    _exit_request(sara, made["A"], now)
    _exit_request(sara, made["B"], now + dt.timedelta(days=LATER_DAYS, hours=-2))

    # Incidents: three recent in RK (one by police), one recent and one old in ST.
    def report(sess, unit, days_ago):
        return incidents.report_incident(
            sess.uow(), sess.actor, IncidentKind.SHOOTING,
            now - dt.timedelta(days=days_ago, hours=1), unit, "Torget", "Skottlossning")
    first = report(cora, rk, 0)
    report(cora, rk, 1)
    report(petra, rk, 2)
    report(cora, st, 3)
    report(cora, st, 100)
    incidents.start_routine(cora.uow(), cora.actor, first.id)
    incidents.complete_step(cora.uow(), cora.actor, first.steps[0].id)

    w.update(cases=made, later=now + dt.timedelta(days=LATER_DAYS))
    yield w
    for n in (*NAMES, "admin"):
        w[n].close()


def _at(sess, when):
    return UnitOfWork(sess, clock=lambda: when)


@pytest.mark.parametrize("who", ["sara", "petra"])
def test_dashboard_matches_the_lists(world, who):
    sess, later = world[who], world["later"]
    board = dashboard.dashboard(_at(sess, later), sess.actor)
    assert board.generated_at == later

    for state in CaseState:
        listed = cases.list_cases(_at(sess, later), sess.actor,
                                  cases.CaseFilter(states=(state,))).total
        assert board.cases_by_state[state] == listed, state

    overdue = tasks.list_tasks(_at(sess, later), sess.actor, overdue_only=True)
    assert board.overdue_tasks == overdue.total
    assert [t.id for t in board.overdue_task_head] == [t.id for t in overdue.rows[:5]]
    assert all(t.overdue for t in board.overdue_task_head)

    expiring = consents.expiring_consents(_at(sess, later), sess.actor, within_days=30)
    assert board.expiring_consents == len(expiring)

    since = later - dt.timedelta(days=90)
    recent = incidents.list_incidents(_at(sess, later), sess.actor, since=since)
    by_unit = Counter(r.unit_name for r in recent.rows)
    assert {u.unit_name: u.count for u in board.incidents_90d_by_unit} == dict(by_unit)
    assert board.incidents_90d == recent.total

    active = incidents.list_incidents(_at(sess, later), sess.actor,
                                      states=(IncidentState.REPORTED, IncidentState.ROUTINE))
    assert board.open_routine_steps == sum(r.steps_open for r in active.rows)
    assert board.overdue_routine_steps == sum(r.steps_overdue for r in active.rows)


def test_the_two_roles_see_different_figures(world):
    sara, petra, later = world["sara"], world["petra"], world["later"]
    a, b = world["cases"]["A"], world["cases"]["B"]
    mine = dashboard.dashboard(_at(sara, later), sara.actor)
    theirs = dashboard.dashboard(_at(petra, later), petra.actor)

    # Sara sees all three cases; the police liaison only the two with consent.
    assert mine.cases_by_state[CaseState.OPEN] == 2
    assert mine.cases_by_state[CaseState.ACTIVE] == 1 and mine.cases_total == 3
    assert theirs.cases_by_state[CaseState.OPEN] == 2 and theirs.cases_total == 2

    assert mine.overdue_tasks == 2 and theirs.overdue_tasks == 1
    assert [t.case_id for t in theirs.overdue_task_head] == [a.id]
    assert mine.expiring_consents == theirs.expiring_consents == 1

    assert (mine.exit_waiting, mine.exit_waiting_overdue) == (2, 1)
    assert (theirs.exit_waiting, theirs.exit_waiting_overdue) == (1, 1)
    first = mine.exit_waiting_head[0]
    assert first.case_id == a.id and first.overdue and first.hours_left < 0
    assert first.person_name == "A Person"
    assert mine.exit_waiting_head[1].case_id == b.id
    assert mine.exit_waiting_head[1].hours_left == pytest.approx(22.0, abs=0.1)
    assert [e.case_id for e in theirs.exit_waiting_head] == [a.id]

    # Incidents are area-level: the same for both roles.
    assert [(u.unit_name, u.count) for u in mine.incidents_90d_by_unit] == [
        ("Rinkeby-Kista", 3), ("Spånga-Tensta", 1)]
    assert theirs.incidents_90d_by_unit == mine.incidents_90d_by_unit
    assert mine.open_routine_steps == 5 * len(ROUTINE) - 1 == theirs.open_routine_steps
    # Five days on, every step is due except the follow-up meetings of the two
    # incidents less than two days old: 30 steps, one done, two not yet due.
    assert mine.overdue_routine_steps == 30 - 1 - 2 == theirs.overdue_routine_steps


def test_administrator_gets_no_dashboard(world):
    # The administrator's log-in holds no key: refused before any query, and
    # the refusal reaches the access log through the key file.
    admin = world["admin"]
    with pytest.raises(AccessDenied):
        dashboard.dashboard(admin.uow(), admin.actor)
    pending = KeyFile.load(admin.paths.keys).pending_events
    assert (pending[-1]["action"], pending[-1]["username"]) == ("access.denied", "admin")
