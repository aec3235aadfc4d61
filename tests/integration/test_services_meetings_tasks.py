"""Operational-group meetings and action items through the real services:
items are shown per consent, tasks follow their lifecycle, and "overdue" is
judged by the unit of work's clock."""

from __future__ import annotations

import datetime as dt

from stores import build_staff
import pytest

from trefas_app.domain import clock
from trefas_app.domain.enums import Agency, Category, MeetingKind, Role, TaskState
from trefas_app.domain.errors import (
    AccessDenied,
    Conflict,
    IllegalTransition,
    ValidationError,
)
from trefas_app.security import access
from trefas_app.services import cases, consents, meetings, persons, tasks
from trefas_app.store.store import unlock
from trefas_app.store.uow import UnitOfWork

PW = "Granskog-och-hav-42"
ADMIN_PW = "Solros-vägen-nio-test"
NAMES = ("cora", "sara", "olle", "petra", "stina")


def build_world(root):
    return build_staff(root, ((Agency.CITY, "RK", "Rinkeby-Kista"),
                              (Agency.CITY, "ST", "Spånga-Tensta"),
                              (Agency.POLICE, "LPO-R", "LPO Rinkeby")),
                       (("cora", Role.COORDINATOR, "RK"), ("sara", Role.SOCIAL_WORKER, "RK"),
                        ("olle", Role.SOCIAL_WORKER, "RK"), ("petra", Role.POLICE_LIAISON, "LPO-R"),
                        ("stina", Role.SOCIAL_WORKER, "ST")), admin_password=ADMIN_PW)


@pytest.fixture(scope="module")
def world(store_templates, tmp_path_factory):
    root = tmp_path_factory.mktemp("meetings") / "store"
    units = store_templates.copy(build_world, root)
    sessions = {n: unlock(root, n, PW) for n in NAMES}
    sessions["admin"] = unlock(root, "admin", ADMIN_PW)
    sessions["rk"] = units["RK"]
    yield sessions
    for n in (*NAMES, "admin"):
        sessions[n].close()


def _case(world, first, last, police_categories=()):
    """A case of Sara's with Petra on the team; police consent as given."""
    sara, petra = world["sara"], world["petra"]
    p = persons.create_person(sara.uow(), sara.actor, persons.PersonInput(first, last))
    case = cases.open_case(sara.uow(), sara.actor, p.id, "Risk för våld")
    cases.add_team_member(sara.uow(), sara.actor, case.id, petra.actor.user_id)
    consent = None
    if police_categories:
        consent = _consent(sara, p.id, police_categories)
    return p, case, consent


def _consent(sara, person_id, categories, previous=None):
    today = clock.today()
    data = consents.ConsentInput(
        person_id=person_id, purpose="Samverkan operativ grupp", valid_from=today,
        valid_until=today + dt.timedelta(days=180),
        grants=frozenset((Agency.POLICE, c) for c in categories))
    if previous is None:
        return consents.record_consent(sara.uow(), sara.actor, data)
    return consents.amend_consent(sara.uow(), sara.actor, previous.id, data)


def _meeting(world, hours_from_now=-1.0):
    cora = world["cora"]
    held_at = clock.now_utc() + dt.timedelta(hours=hours_from_now)
    return meetings.create_meeting(
        cora.uow(), cora.actor, MeetingKind.OPERATIONAL_GROUP, world["rk"],
        "Operativ grupp Järva", held_at, "Rinkeby stadsdelsförvaltning",
        [world["petra"].actor.user_id, world["sara"].actor.user_id])


def test_meeting_items_are_shown_per_consent(world):
    cora, sara, petra = world["cora"], world["sara"], world["petra"]
    p, case, consent = _case(world, "Amir", "Haddad", (Category.IDENTITY,))
    meeting = _meeting(world)
    assert meeting.chair == "Cora" and not meeting.held
    assert sorted(x.display_name for x in meeting.participants) == ["Cora", "Petra", "Sara"]

    # Only the coordinator records items; the social worker may not.
    with pytest.raises(AccessDenied):
        meetings.add_meeting_item(sara.uow(), sara.actor, meeting.id, case.id, "Läget", None)
    view = meetings.add_meeting_item(cora.uow(), cora.actor, meeting.id, case.id,
                                     "Hotbilden har ökat efter helgen",
                                     "Skyddsbedömning inom en vecka")
    assert [(i.case_id, i.person_name, i.decision) for i in view.items] == [
        (case.id, "Amir Haddad", "Skyddsbedömning inom en vecka")]
    assert view.items[0].category == Category.SOCIAL

    # Police on the team, consent covers identity but not social: hidden, counted.
    seen = meetings.get_meeting(petra.uow(), petra.actor, meeting.id)
    assert seen.items == ()
    assert seen.items_hidden == {Category.SOCIAL: 1}
    listed = meetings.list_meetings(petra.uow(), petra.actor, unit_id=world["rk"])
    assert {r.id: r.items_visible for r in listed.rows}[meeting.id] == 0
    # Olle (same unit, not on the case team) neither sees nor is told about it.
    olle_view = meetings.get_meeting(world["olle"].uow(), world["olle"].actor, meeting.id)
    assert olle_view.items == () and olle_view.hidden_items == 0

    _consent(sara, p.id, (Category.IDENTITY, Category.SOCIAL), previous=consent)
    seen = meetings.get_meeting(petra.uow(), petra.actor, meeting.id)
    assert [i.discussion for i in seen.items] == ["Hotbilden har ökat efter helgen"]
    assert seen.items[0].case_number == case.number and seen.hidden_items == 0
    listed = meetings.list_meetings(petra.uow(), petra.actor, unit_id=world["rk"])
    assert {r.id: r.items_visible for r in listed.rows}[meeting.id] == 1

    # A task from the meeting shows on it, to those who may see the task.
    task = tasks.create_task(cora.uow(), cora.actor, case.id, "Boka skyddsbedömning", None,
                             sara.actor.user_id, clock.today() + dt.timedelta(days=7),
                             meeting_id=meeting.id)
    assert [t.id for t in meetings.get_meeting(sara.uow(), sara.actor, meeting.id).tasks] == [
        task.id]

    held = meetings.mark_meeting_held(cora.uow(), cora.actor, meeting.id,
                                      absent_user_ids=[petra.actor.user_id])
    assert held.held
    assert {x.display_name: x.present for x in held.participants} == {
        "Cora": True, "Petra": False, "Sara": True}
    with pytest.raises(Conflict, match="held"):
        meetings.add_meeting_item(cora.uow(), cora.actor, meeting.id, case.id, "Efteråt", None)
    with pytest.raises(Conflict):
        meetings.mark_meeting_held(cora.uow(), cora.actor, meeting.id)


def test_meeting_rules(world):
    cora, sara = world["cora"], world["sara"]
    with pytest.raises(AccessDenied):
        meetings.create_meeting(sara.uow(), sara.actor, MeetingKind.JOINT, world["rk"], "Möte",
                                clock.now_utc(), None, [])
    with pytest.raises(ValidationError, match="administrators"):
        meetings.create_meeting(cora.uow(), cora.actor, MeetingKind.JOINT, world["rk"], "Möte",
                                clock.now_utc(), None,
                                [world["admin"].actor.user_id])
    future = _meeting(world, hours_from_now=48)
    with pytest.raises(ValidationError, match="before it starts"):
        meetings.mark_meeting_held(cora.uow(), cora.actor, future.id)
    with pytest.raises(AccessDenied):
        meetings.get_meeting(world["admin"].uow(), world["admin"].actor, future.id)
    # A case of another unit is outside the coordinator's scope: not on the agenda.
    stina = world["stina"]
    other = persons.create_person(stina.uow(), stina.actor, persons.PersonInput("Sam", "Tensta"))
    other_case = cases.open_case(stina.uow(), stina.actor, other.id, "Annan stadsdel")
    with pytest.raises(AccessDenied):
        meetings.add_meeting_item(cora.uow(), cora.actor, future.id, other_case.id, "x", None)
    assert meetings.get_meeting(cora.uow(), cora.actor, future.id).items == ()


def test_task_lifecycle(world):
    sara, olle = world["sara"], world["olle"]
    _, case, _ = _case(world, "Lina", "Berg", (Category.IDENTITY, Category.SOCIAL))
    tomorrow = clock.today() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as past:
        tasks.create_task(sara.uow(), sara.actor, case.id, "Ring skolan", None,
                          sara.actor.user_id, clock.today() - dt.timedelta(days=1))
    assert "redan passerat" in past.value.message("sv")
    with pytest.raises(ValidationError):
        tasks.create_task(sara.uow(), sara.actor, case.id, "  ", None, None, tomorrow)
    # Olle is not on the team: he cannot add tasks, nor be given one.
    with pytest.raises(AccessDenied):
        tasks.create_task(olle.uow(), olle.actor, case.id, "Ring skolan", None, None, tomorrow)
    with pytest.raises(ValidationError, match="could not see the task"):
        tasks.create_task(sara.uow(), sara.actor, case.id, "Ring skolan", None,
                          olle.actor.user_id, tomorrow)
    assert tasks.list_tasks(sara.uow(), sara.actor, case_id=case.id).total == 0

    a = tasks.create_task(sara.uow(), sara.actor, case.id, "Ring skolan", "Mentor",
                          sara.actor.user_id, tomorrow)
    b = tasks.create_task(sara.uow(), sara.actor, case.id, "Boka SIP", None,
                          world["petra"].actor.user_id, tomorrow)
    assert a.state == TaskState.OPEN and a.assignee == "Sara" and not a.overdue
    assert b.assignee_agency == Agency.POLICE

    done = tasks.complete_task(sara.uow(), sara.actor, a.id)
    assert done.state == TaskState.DONE and done.completed_by == "Sara"
    with pytest.raises(IllegalTransition):
        tasks.complete_task(sara.uow(), sara.actor, a.id)
    with pytest.raises(IllegalTransition):
        tasks.cancel_task(sara.uow(), sara.actor, a.id)
    with pytest.raises(AccessDenied):
        tasks.complete_task(olle.uow(), olle.actor, b.id)
    cancelled = tasks.cancel_task(sara.uow(), sara.actor, b.id, "Ersatt av annan insats")
    assert cancelled.state == TaskState.CANCELLED
    page = tasks.list_tasks(sara.uow(), sara.actor, case_id=case.id)
    assert {r.id: r.state for r in page.rows} == {a.id: TaskState.DONE,
                                                   b.id: TaskState.CANCELLED}
    assert tasks.list_tasks(sara.uow(), sara.actor, case_id=case.id,
                            states=(TaskState.OPEN,)).total == 0


def test_overdue_follows_the_injected_clock(world):
    sara, petra = world["sara"], world["petra"]
    p, case, consent = _case(world, "Omar", "Ali", (Category.IDENTITY, Category.SOCIAL))
    now = clock.now_utc()
    due = access.local_date(now) + dt.timedelta(days=2)  # calendar days in Sweden
    task = tasks.create_task(sara.uow(), sara.actor, case.id, "Hembesök", None,
                             petra.actor.user_id, due)
    later_task = tasks.create_task(sara.uow(), sara.actor, case.id, "Uppföljning", None,
                                   sara.actor.user_id, due + dt.timedelta(days=10))

    def at(days):
        return lambda: now + dt.timedelta(days=days)

    def overdue_ids(sess, days, **kw):
        page = tasks.list_tasks(UnitOfWork(sess, clock=at(days)), sess.actor,
                                overdue_only=True, case_id=case.id, **kw)
        return [r.id for r in page.rows]

    assert overdue_ids(sara, 0) == []
    assert overdue_ids(sara, 2) == []  # the due day itself is not overdue
    assert overdue_ids(sara, 3) == [task.id]
    assert overdue_ids(sara, 14) == [task.id, later_task.id]  # earliest due first
    row = tasks.get_task(UnitOfWork(sara, clock=at(3)), sara.actor, task.id)
    assert row.overdue
    # "Mine": Petra's task only, and she sees it through the social-category consent.
    assert overdue_ids(petra, 14, mine_only=True) == [task.id]
    assert overdue_ids(sara, 14, mine_only=True) == [later_task.id]

    # Consent narrowed: the task disappears for Petra and is counted as hidden.
    _consent(sara, p.id, (Category.IDENTITY,), previous=consent)
    page = tasks.list_tasks(UnitOfWork(petra, clock=at(3)), petra.actor, overdue_only=True,
                            case_id=case.id)
    assert page.total == 0 and page.hidden == {Category.SOCIAL: 1}
    # The task screen's way (rows first, count after) gives the same answer.
    counted = tasks.count_tasks(UnitOfWork(petra, clock=at(3)), petra.actor, overdue_only=True,
                                case_id=case.id)
    assert (counted.total, counted.hidden) == (0, {Category.SOCIAL: 1})
    uncounted = tasks.list_tasks(UnitOfWork(sara, clock=at(14)), sara.actor, overdue_only=True,
                                 case_id=case.id, limit=1, count=False)
    assert (uncounted.total, uncounted.more, [r.id for r in uncounted.rows]) == (
        None, True, [task.id])
    assert tasks.count_tasks(UnitOfWork(sara, clock=at(14)), sara.actor, overdue_only=True,
                             case_id=case.id).total == 2

    # Done is never overdue.
    tasks.complete_task(sara.uow(), sara.actor, task.id)
    assert overdue_ids(sara, 30) == [later_task.id]
    with pytest.raises(AccessDenied):
        tasks.list_tasks(world["admin"].uow(), world["admin"].actor)
    with pytest.raises(AccessDenied):
        tasks.count_tasks(world["admin"].uow(), world["admin"].actor)


def test_task_pages_by_keyset_follow_the_order_with_and_without_due_dates(world):
    """Keyset paging (``after=`` the last id) gives the rows OFFSET paging
    gives, across equal due dates and tasks without a due date (last)."""
    sara = world["sara"]
    _, case, _ = _case(world, "Nora", "Lund", (Category.IDENTITY, Category.SOCIAL))
    soon = clock.today() + dt.timedelta(days=3)
    for i, due in enumerate([soon, None, soon, soon + dt.timedelta(days=1), None, soon]):
        tasks.create_task(sara.uow(), sara.actor, case.id, f"Uppgift {i}", None, None, due)
    whole = [r.id for r in tasks.list_tasks(sara.uow(), sara.actor, case_id=case.id).rows]
    walked: list[int] = []
    while True:
        page = tasks.list_tasks(sara.uow(), sara.actor, case_id=case.id, limit=2, count=False,
                                after=walked[-1] if walked else None)
        walked += [r.id for r in page.rows]
        if not page.more:
            break
    assert walked == whole and len(whole) == 6
    # An id the user cannot see ends the list rather than revealing where it sorts.
    assert tasks.list_tasks(world["olle"].uow(), world["olle"].actor, after=whole[0],
                            count=False).rows == ()
