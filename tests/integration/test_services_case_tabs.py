"""The case view's tab loaders (services/case_tabs.py) and the case look-up by
number, without Qt: each loader reads in one transaction, shows only what the
role may read, and gives a user outside the case's scope nothing."""

from __future__ import annotations

import datetime as dt

from account_setup import enrolled_user
import pytest

from trefas_app.domain import clock
from trefas_app.domain.enums import Agency, IncidentKind, MeetingKind, Role
from trefas_app.domain.errors import NotFound
from trefas_app.domain.permissions import may_change_meeting
from trefas_app.services import (
    case_tabs,
    cases,
    exits,
    incidents,
    meetings,
    persons,
    plans,
    referrals,
    tasks,
    users,
)
from trefas_app.store.keyslots import TEST_KDF
from trefas_app.store.store import create_store, unlock
from trefas_app.store.uow import UnitOfWork

PW = "Granskog-och-hav-42"
ADMIN_PW = "Solros-vägen-nio-test"
NAMES = ("cora", "sara", "olle", "stina")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("case_tabs") / "store"
    created = create_store(root, admin_username="admin", admin_display_name="Anna Admin",
                           admin_password=ADMIN_PW, kdf=TEST_KDF)
    store = created.store
    admin = store.actor
    rk = users.add_unit(store.uow(), admin, Agency.CITY, "RK", "Rinkeby-Kista")
    st = users.add_unit(store.uow(), admin, Agency.CITY, "ST", "Spånga-Tensta")
    for name, role, unit in (("cora", Role.COORDINATOR, rk), ("sara", Role.SOCIAL_WORKER, rk),
                             ("olle", Role.SOCIAL_WORKER, rk),
                             ("stina", Role.SOCIAL_WORKER, st)):
        enrolled_user(store.uow(), admin, users.UserInput(name, name.title(), role, Agency.CITY,
                                                           unit.id, PW))
    store.close()
    sessions = {n: unlock(root, n, PW) for n in NAMES}
    sara = sessions["sara"]
    p = persons.create_person(sara.uow(), sara.actor, persons.PersonInput("Amir", "Haddad"))
    case = cases.open_case(sara.uow(), sara.actor, p.id, "Risk för våld")
    sessions["case"] = case
    sessions["rk"] = rk.id
    yield sessions
    for n in NAMES:
        sessions[n].close()


@pytest.fixture
def transactions(monkeypatch):
    """How many units of work were entered."""
    entered = []
    enter = UnitOfWork.__enter__

    def counting(self):
        entered.append(self)
        return enter(self)

    monkeypatch.setattr(UnitOfWork, "__enter__", counting)
    return entered


def test_sig_plan_reads_referrals_plans_and_the_running_plan_in_one_transaction(
        world, transactions):
    sara, case = world["sara"], world["case"]
    referrals.create_referral(sara.uow(), sara.actor, case.id, "Oro från skolan",
                              Agency.CITY)
    older = plans.create_plan(sara.uow(), sara.actor, case.id, False, Agency.CITY)
    plans.end_plan(sara.uow(), sara.actor, older.id, "Ersatt av en ny plan")
    running = plans.create_plan(sara.uow(), sara.actor, case.id, True, Agency.CITY)
    transactions.clear()
    data = case_tabs.load_sig_plan(sara.uow(), sara.actor, case.id)
    assert len(transactions) == 1
    assert len(data.referrals.rows) == 1 and data.referrals.rows[0].case_id == case.id
    assert {p.id for p in data.plans.rows} == {older.id, running.id}
    assert data.plan.id == running.id  # the one that has not ended
    chosen = case_tabs.load_sig_plan(sara.uow(), sara.actor, case.id, older.id)
    assert chosen.plan.id == older.id


def test_case_work_reads_tasks_and_meeting_items_in_one_transaction(world, transactions):
    sara, cora, case = world["sara"], world["cora"], world["case"]
    tasks.create_task(sara.uow(), sara.actor, case.id, "Ring skolan", None, None, None)
    meeting = meetings.create_meeting(
        cora.uow(), cora.actor, MeetingKind.OPERATIONAL_GROUP, world["rk"], "Operativ grupp",
        clock.now_utc() - dt.timedelta(hours=1), "Rinkeby", [sara.actor.user_id])
    meetings.add_meeting_item(cora.uow(), cora.actor, meeting.id, case.id, "Läget", None)
    transactions.clear()
    work = case_tabs.load_case_work(sara.uow(), sara.actor, case.id, open_only=True)
    assert len(transactions) == 1
    assert "Ring skolan" in [t.title for t in work.tasks.rows]
    assert [i.discussion for i in work.items.rows] == ["Läget"]


def test_case_incidents_and_exits_in_one_transaction(world, transactions):
    sara, cora, case = world["sara"], world["cora"], world["case"]
    occurred = (clock.now_utc() - dt.timedelta(hours=2)).replace(microsecond=0)
    incident = incidents.report_incident(cora.uow(), cora.actor, IncidentKind.SHOOTING,
                                         occurred, world["rk"], "Torget", "Skottlossning.")
    incidents.link_person(sara.uow(), sara.actor, incident.id, case.id, "victim")
    tasks.create_task(sara.uow(), sara.actor, case.id, "Följ upp händelsen", None, None,
                      None, incident_id=incident.id)
    exits.request_exit(sara.uow(), sara.actor, case.id, "Vill lämna gänget")
    transactions.clear()
    inc = case_tabs.load_case_incidents(sara.uow(), sara.actor, case.id)
    assert len(transactions) == 1
    assert [i.incident_id for i in inc.involvements.rows] == [incident.id]
    assert [t.title for t in inc.tasks] == ["Följ upp händelsen"]
    transactions.clear()
    ex = case_tabs.load_case_exits(sara.uow(), sara.actor, case.id)
    assert len(transactions) == 1
    assert len(ex.rows) == 1 and ex.view.id == ex.rows[0].id


@pytest.mark.parametrize("loader", [
    lambda s, c: case_tabs.load_sig_plan(s.uow(), s.actor, c),
    lambda s, c: case_tabs.load_case_work(s.uow(), s.actor, c, False),
    lambda s, c: case_tabs.load_case_incidents(s.uow(), s.actor, c),
    lambda s, c: case_tabs.load_case_exits(s.uow(), s.actor, c),
], ids=["sig_plan", "case_work", "incidents", "exits"])
def test_a_user_outside_the_case_scope_gets_nothing(world, loader):
    """Stina works in another unit and is not on the team: the loader either
    refuses as for a case that does not exist or shows no row of the case."""
    case = world["case"]
    try:
        data = loader(world["stina"], case.id)
    except NotFound:
        return
    shown = [getattr(data, name) for name in ("referrals", "plans", "tasks", "items",
                                              "involvements", "rows") if hasattr(data, name)]
    for part in shown:
        rows = part.rows if hasattr(part, "rows") else part
        assert not rows, part
    assert getattr(data, "plan", None) is None and getattr(data, "view", None) is None


def test_upcoming_meetings_follow_the_meeting_rule_and_the_units_clock(world):
    cora, sara, olle = world["cora"], world["sara"], world["olle"]
    soon = meetings.create_meeting(
        cora.uow(), cora.actor, MeetingKind.OPERATIONAL_GROUP, world["rk"], "Nästa grupp",
        clock.now_utc() + dt.timedelta(days=2), "Rinkeby", [sara.actor.user_id])
    assert soon.id in {m.id for m in case_tabs.upcoming_meetings(cora.uow(), cora.actor)}
    # a social worker neither chairs it nor coordinates the unit
    assert soon.id not in {m.id for m in case_tabs.upcoming_meetings(sara.uow(), sara.actor)}
    assert not may_change_meeting(olle.actor, soon.chair_id, soon.unit_id)
    assert may_change_meeting(cora.actor, soon.chair_id, soon.unit_id)
    # "from two weeks back" is the unit of work's instant, not the wall clock's
    later = clock.now_utc() + dt.timedelta(days=30)
    uow = UnitOfWork(cora, clock=lambda: later)
    assert soon.id not in {m.id for m in case_tabs.upcoming_meetings(uow, cora.actor)}


def test_find_by_number_reads_like_get_case_and_hides_like_it(world):
    sara, stina, case = world["sara"], world["stina"], world["case"]
    assert cases.find_by_number(sara.uow(), sara.actor, f"  {case.number.lower()} ") == case.id
    with sara.uow() as uow:  # the find is on record
        from sqlalchemy import select

        from trefas_app.store import models as m

        last = uow.session.scalars(select(m.AuditEvent).order_by(m.AuditEvent.seq.desc())
                                   .limit(1)).one()
        assert (last.action, last.case_id, last.username) == ("case.search", case.id, "sara")
    with pytest.raises(NotFound) as hidden:
        cases.find_by_number(stina.uow(), stina.actor, case.number)
    with pytest.raises(NotFound) as missing:
        cases.find_by_number(stina.uow(), stina.actor, "K-1999-99999")
    assert type(hidden.value) is type(missing.value)
    assert hidden.value.message("sv") == missing.value.message("sv")


def test_one_transaction_rolls_everything_back_and_logs_a_refusal_once(world):
    """A refusal inside the joined services undoes what the earlier ones wrote
    and is on record once, as for a single service."""
    from sqlalchemy import func, select

    from trefas_app.domain.errors import AccessDenied
    from trefas_app.services import audit_log
    from trefas_app.services.joined import one_transaction
    from trefas_app.store import models as m

    sara, case = world["sara"], world["case"]

    def denials():
        with sara.uow() as uow:
            return uow.session.scalar(select(func.count()).select_from(m.AuditEvent).where(
                m.AuditEvent.action == "access.denied", m.AuditEvent.username == "sara"))

    before = denials()
    with pytest.raises(AccessDenied):
        with one_transaction(sara.uow()) as tx:
            tasks.create_task(tx, sara.actor, case.id, "Skrivs aldrig", None, None, None)
            audit_log.show_log(tx, sara.actor)  # a social worker may not read the log
    titles = [t.title for t in tasks.list_tasks(sara.uow(), sara.actor, case_id=case.id).rows]
    assert "Skrivs aldrig" not in titles
    assert denials() == before + 1
