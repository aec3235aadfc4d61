"""The date-sensitive services at the instants where clocks disagree (issue 14).

Each test runs on a travelled clock at every instant below, with the machine's
own zone set to UTC (as on a CI machine). "Today" must be the office's date
(Europe/Stockholm) everywhere: consents, retention, overdue tasks and
"days ago", upcoming meetings, exit first-contact hours, document times.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import time

import pypdf
import pytest
import time_machine

from trefas_app.domain import clock
from trefas_app.domain.enums import Agency, CaseState, Category, MeetingKind, Role
from trefas_app.domain.errors import ValidationError
from trefas_app.services import (
    admin,
    cases,
    consents,
    dashboard,
    documents,
    exits,
    meetings,
    persons,
    tasks,
    users,
)
from trefas_app.services.exits import FIRST_CONTACT_TARGET
from trefas_app.store.keyslots import TEST_KDF
from trefas_app.store.store import create_store, unlock
from account_setup import enrolled_user

UTC = dt.timezone.utc
PW = "Granskog-och-hav-42"
ADMIN_PW = "Solros-vägen-nio-test"
DAY = dt.timedelta(days=1)

#: name → (instant in UTC, the office date at that instant)
INSTANTS = {
    "23:30 UTC": (dt.datetime(2026, 12, 4, 23, 30, tzinfo=UTC), dt.date(2026, 12, 5)),
    "00:30 Stockholm summer": (dt.datetime(2026, 6, 30, 22, 30, tzinfo=UTC),
                               dt.date(2026, 7, 1)),
    "spring DST, 00:30 before": (dt.datetime(2026, 3, 28, 23, 30, tzinfo=UTC),
                                 dt.date(2026, 3, 29)),
    "spring DST, 03:30 after": (dt.datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
                                dt.date(2026, 3, 29)),
    "autumn DST, first 02:30": (dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
                                dt.date(2026, 10, 25)),
    "autumn DST, second 02:30": (dt.datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
                                 dt.date(2026, 10, 25)),
    "29 Feb 2028, 00:30": (dt.datetime(2028, 2, 28, 23, 30, tzinfo=UTC), dt.date(2028, 2, 29)),
    "1 Mar 2028 after a leap day": (dt.datetime(2028, 2, 29, 23, 30, tzinfo=UTC),
                                    dt.date(2028, 3, 1)),
    "New Year's Eve 23:30 UTC": (dt.datetime(2026, 12, 31, 23, 30, tzinfo=UTC),
                                 dt.date(2027, 1, 1)),
}


@pytest.fixture(scope="module")
def machine_in_utc():
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TZ", "UTC")
        time.tzset()
        yield
    time.tzset()


@pytest.fixture(scope="module", params=list(INSTANTS), ids=list(INSTANTS))
def office(request, tmp_path_factory, machine_in_utc):
    """A store made at the instant: admin; sara (social worker), cora
    (coordinator), stina (supervisor) in one city unit; petra (police)."""
    instant, office_today = INSTANTS[request.param]
    with time_machine.travel(instant, tick=True):
        root = tmp_path_factory.mktemp("instant") / "store"
        created = create_store(root, admin_username="admin", admin_display_name="Anna Admin",
                               admin_password=ADMIN_PW, kdf=TEST_KDF)
        store = created.store
        rk = users.add_unit(store.uow(), store.actor, Agency.CITY, "RK", "Rinkeby-Kista")
        lpo = users.add_unit(store.uow(), store.actor, Agency.POLICE, "LPO", "LPO Rinkeby")
        for name, role, agency, unit in (("sara", Role.SOCIAL_WORKER, Agency.CITY, rk),
                                         ("cora", Role.COORDINATOR, Agency.CITY, rk),
                                         ("stina", Role.SUPERVISOR, Agency.CITY, rk),
                                         ("petra", Role.POLICE_LIAISON, Agency.POLICE, lpo)):
            enrolled_user(store.uow(), store.actor, users.UserInput(
                name, name.title(), role, agency, unit.id, PW))
        store.close()
    yield root, instant, office_today


@pytest.fixture
def at(office):
    """Sessions on the travelled clock: ``at(name)`` unlocks a user."""
    root, instant, _today = office
    opened = []
    with time_machine.travel(instant, tick=True):
        def session(name):
            opened.append(unlock(root, name, ADMIN_PW if name == "admin" else PW))
            return opened[-1]
        yield session
    for s in opened:
        s.close()


def _case(sara, petra=None, title="Risk för våld"):
    p = persons.create_person(sara.uow(), sara.actor, persons.PersonInput("Amir", "Haddad"))
    case = cases.open_case(sara.uow(), sara.actor, p.id, title)
    if petra is not None:
        cases.add_team_member(sara.uow(), sara.actor, case.id, petra.actor.user_id)
    return p, case


def test_the_clock_gives_the_office_date(office, at):
    _root, instant, office_today = office
    at("sara")
    assert clock.today() == office_today
    assert clock.local_date(clock.now_utc()) == office_today
    assert dt.date.today() == instant.date()  # the machine's date (UTC) differs or not


def test_consent_runs_from_and_to_the_office_date(office, at):
    _root, _instant, today = office
    sara, petra = at("sara"), at("petra")
    p, case = _case(sara, petra)
    view = consents.record_consent(sara.uow(), sara.actor, consents.ConsentInput(
        person_id=p.id, purpose="Samverkan", valid_from=today, valid_until=today,
        grants=frozenset({(Agency.POLICE, Category.SOCIAL)})))
    assert view.status == "active"  # the last day of a consent is still valid
    expiring = consents.expiring_consents(sara.uow(), sara.actor, 0)
    assert view.id in [c.id for c in expiring]
    with pytest.raises(ValidationError):  # ending yesterday (office time) is refused
        consents.record_consent(sara.uow(), sara.actor, consents.ConsentInput(
            person_id=p.id, purpose="Samverkan", valid_from=today - 2 * DAY,
            valid_until=today - DAY, grants=frozenset({(Agency.POLICE, Category.SOCIAL)})))
    tomorrow = consents.record_consent(sara.uow(), sara.actor, consents.ConsentInput(
        person_id=p.id, purpose="Samverkan i morgon", valid_from=today + DAY,
        valid_until=today + 30 * DAY, grants=frozenset({(Agency.POLICE, Category.HEALTH)})))
    assert tomorrow.status == "not_yet_valid"


def test_retention_cut_off_is_the_office_date(office, at):
    _root, _instant, today = office
    sara, stina = at("sara"), at("stina")
    key_holder = stina  # retention is a supervisor's work since issue 11
    _p, case = _case(sara)
    cases.move_case(sara.uow(), sara.actor, case.id, CaseState.CLOSURE_REQUESTED,
                    "Insatsen är avslutad")
    closed = cases.move_case(stina.uow(), stina.actor, case.id, CaseState.CLOSED)
    retain = closed.retain_until
    assert retain is not None
    assert (retain.year, retain.month) == (today.year + cases.RETENTION_YEARS, today.month)
    assert retain.day == today.day or (today.month, today.day, retain.day) == (2, 29, 28)
    assert admin.run_retention(key_holder, key_holder.actor, retain).cases_deleted == 0
    assert admin.run_retention(key_holder, key_holder.actor,
                               retain + DAY).cases_deleted == 1


def test_overdue_tasks_and_days_ago_count_office_days(office, at):
    _root, instant, today = office
    sara = at("sara")
    _p, case = _case(sara)
    with time_machine.travel(instant - DAY, tick=False):  # yesterday, a task due that day
        late = tasks.create_task(sara.uow(), sara.actor, case.id, "I går", None,
                                 sara.actor.user_id, clock.today())
    assert late.due_on == today - DAY
    due_today = tasks.create_task(sara.uow(), sara.actor, case.id, "I dag", None,
                                  sara.actor.user_id, today)
    overdue = tasks.list_tasks(sara.uow(), sara.actor, overdue_only=True).rows
    assert [t.id for t in overdue] == [late.id]
    board = dashboard.dashboard(sara.uow(), sara.actor)
    assert [t.id for t in board.overdue_task_head] == [late.id]
    assert clock.days_since(late.due_on) == 1 and clock.days_since(due_today.due_on) == 0


def test_a_meeting_later_tonight_is_upcoming_and_cannot_be_held_yet(office, at):
    from trefas_app.ui.screens.meetings import period_bounds

    _root, instant, _today = office
    cora = at("cora")
    unit = cora.actor.unit_id
    soon = meetings.create_meeting(cora.uow(), cora.actor, MeetingKind.OPERATIONAL_GROUP, unit,
                                   "Operativ grupp", instant + dt.timedelta(minutes=45),
                                   "Rum 3", [])
    past = meetings.create_meeting(cora.uow(), cora.actor, MeetingKind.OPERATIONAL_GROUP, unit,
                                   "I går kväll", instant - dt.timedelta(hours=1), "Rum 3", [])
    since, until = period_bounds("upcoming")
    listed = meetings.list_meetings(cora.uow(), cora.actor, since=since, until=until).rows
    assert {soon.id, past.id} <= {m.id for m in listed}
    with pytest.raises(ValidationError):
        meetings.mark_meeting_held(cora.uow(), cora.actor, soon.id)
    assert meetings.mark_meeting_held(cora.uow(), cora.actor, past.id).held


def test_exit_first_contact_is_due_in_24_real_hours(office, at):
    _root, instant, _today = office
    sara = at("sara")
    _p, case = _case(sara)
    ep = exits.request_exit(sara.uow(), sara.actor, case.id, "Skyddat boende")
    assert ep.first_contact_due - ep.requested_at == FIRST_CONTACT_TARGET
    assert 23.9 < clock.hours_until(ep.first_contact_due) <= 24
    assert not exits.get_exit(sara.uow(), sara.actor, ep.id).overdue
    with time_machine.travel(ep.first_contact_due + dt.timedelta(minutes=1), tick=False):
        assert exits.get_exit(sara.uow(), sara.actor, ep.id).overdue
        assert clock.hours_until(ep.first_contact_due) < 0


def test_document_created_time_is_the_office_time_with_offset(office, at):
    _root, _instant, today = office
    sara, stina = at("sara"), at("stina")
    _p, case = _case(sara)
    result = documents.issue_case_summary(stina.uow(), stina.actor, case.id)
    local = clock.to_local(result.issued_at)
    assert local.date() == today
    reader = pypdf.PdfReader(io.BytesIO(result.pdf_bytes))
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() or "" for p in reader.pages))
    assert f"Skapad {clock.format_local(result.issued_at, offset=True)}" in text
    offset = local.strftime("%z")
    assert f"{offset[:3]}:{offset[3:]}" in text
