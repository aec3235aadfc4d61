"""The per-case lists and look-ups the GUI needs, on a real store: incident
links and meeting items of one case, exit programmes by case, the user
directory, read volumes for log review, and expiring consents with the
person's name — each through the access rule, with hidden counts, refused
for the administrator, and on record in the access log."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from account_setup import enrolled_user
import pytest
from sqlalchemy import func, select

from trefas_app.domain import clock
from trefas_app.domain.enums import (
    Agency,
    Category,
    IncidentKind,
    MeetingKind,
    ProtectionLevel,
    Role,
)
from trefas_app.domain.errors import AccessDenied, ValidationError
from trefas_app.security import access
from trefas_app.services import (
    audit_log,
    cases,
    consents,
    exits,
    incidents,
    meetings,
    persons,
    users,
)
from trefas_app.store import models as m
from trefas_app.store.keyslots import TEST_KDF, KeyFile
from trefas_app.store.store import create_store, unlock
from trefas_app.store.uow import UnitOfWork

PW = "Granskog-och-hav-42"
ADMIN_PW = "Solros-vägen-nio-test"
NAMES = ("sara", "olle", "kalle", "stina", "petra", "pia")
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def _at(sess, when: dt.datetime) -> UnitOfWork:
    return UnitOfWork(sess, clock=lambda: when)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """sara, olle (social workers), kalle (coordinator), stina (supervisor) of
    the city, Rinkeby-Kista; petra (police liaison) and pia (police
    supervisor); gunnar (police liaison, disabled). Case A (Amir): police on
    the team, consent for identity and criminal data, ending in 10 days.
    Case B (a protected person): police on the team, identity only, ending in
    20 days. Both linked to one incident, both discussed at one meeting, both
    with an exit request."""
    root = tmp_path_factory.mktemp("case_lists") / "store"
    created = create_store(root, admin_username="admin", admin_display_name="Anna Admin",
                           admin_password=ADMIN_PW, kdf=TEST_KDF)
    store = created.store
    admin = store.actor
    rk = users.add_unit(store.uow(), admin, Agency.CITY, "RK", "Rinkeby-Kista")
    lpo = users.add_unit(store.uow(), admin, Agency.POLICE, "LPO-R", "LPO Rinkeby")
    ids = {"unit_rk": rk.id, "unit_lpo": lpo.id}
    for name, display, role, agency, unit in (
            ("sara", "Sara Lind", Role.SOCIAL_WORKER, Agency.CITY, rk),
            ("olle", "Olle Berg", Role.SOCIAL_WORKER, Agency.CITY, rk),
            ("kalle", "Kalle Nyström", Role.COORDINATOR, Agency.CITY, rk),
            ("stina", "Stina Ek", Role.SUPERVISOR, Agency.CITY, rk),
            ("petra", "Petra Polis", Role.POLICE_LIAISON, Agency.POLICE, lpo),
            ("pia", "Pia Chef", Role.SUPERVISOR, Agency.POLICE, lpo),
            ("gunnar", "Gunnar Gammal", Role.POLICE_LIAISON, Agency.POLICE, lpo)):
        ids[name] = enrolled_user(store.uow(), admin, users.UserInput(
            name, display, role, agency, unit.id, PW, email=f"{name}@example.se",
            phone=f"08-{len(name)}00 00 00")).id
    users.disable_user(store.uow(), admin, "gunnar")
    store.close()
    s = {n: unlock(root, n, PW) for n in NAMES}
    s["admin"] = unlock(root, "admin", ADMIN_PW)
    sara, kalle, petra = s["sara"], s["kalle"], s["petra"]
    today = clock.today()
    now = clock.now_utc()

    pa = persons.create_person(sara.uow(), sara.actor, persons.PersonInput("Amir", "Haddad"))
    pb = persons.create_person(sara.uow(), sara.actor, persons.PersonInput(
        "Hodan", "Warsame", protection_level=ProtectionLevel.PROTECTED_REGISTRATION))
    ca = cases.open_case(sara.uow(), sara.actor, pa.id, "Risk för våld")
    cb = cases.open_case(sara.uow(), sara.actor, pb.id, "Avhopp")
    for c in (ca, cb):
        cases.add_team_member(sara.uow(), sara.actor, c.id, petra.actor.user_id)
    consents.record_consent(sara.uow(), sara.actor, consents.ConsentInput(
        person_id=pa.id, purpose="Samverkan", valid_from=today,
        valid_until=today + dt.timedelta(days=10),
        grants=frozenset({(Agency.POLICE, Category.IDENTITY),
                          (Agency.POLICE, Category.CRIMINAL)})))
    consents.record_consent(sara.uow(), sara.actor, consents.ConsentInput(
        person_id=pb.id, purpose="Samverkan om boende", valid_from=today,
        valid_until=today + dt.timedelta(days=20),
        grants=frozenset({(Agency.POLICE, Category.IDENTITY)})))

    inc = incidents.report_incident(kalle.uow(), kalle.actor, IncidentKind.SHOOTING,
                                    now - dt.timedelta(days=2), rk.id, "Rinkeby torg",
                                    "Skottlossning")
    inc_old = incidents.report_incident(kalle.uow(), kalle.actor, IncidentKind.EXPLOSION,
                                        now - dt.timedelta(days=20), rk.id, "Husby centrum",
                                        "Explosion")
    incidents.link_person(sara.uow(), sara.actor, inc.id, ca.id, "witness")
    incidents.link_person(sara.uow(), sara.actor, inc_old.id, ca.id, "concerned")
    incidents.link_person(sara.uow(), sara.actor, inc.id, cb.id, "victim")

    early = meetings.create_meeting(kalle.uow(), kalle.actor, MeetingKind.OPERATIONAL_GROUP,
                                    rk.id, "Operativ grupp v. 10", now - dt.timedelta(days=7),
                                    "Rinkeby", [sara.actor.user_id, petra.actor.user_id])
    late = meetings.create_meeting(kalle.uow(), kalle.actor, MeetingKind.OPERATIONAL_GROUP,
                                   rk.id, "Operativ grupp v. 11", now - dt.timedelta(hours=1),
                                   "Rinkeby", [sara.actor.user_id])
    meetings.add_meeting_item(kalle.uow(), kalle.actor, early.id, ca.id, "Läget", "Följ upp")
    meetings.add_meeting_item(kalle.uow(), kalle.actor, late.id, ca.id, "Efter skjutningen",
                              None)
    meetings.add_meeting_item(kalle.uow(), kalle.actor, late.id, cb.id, "Boende", None)

    ea = exits.request_exit(sara.uow(), sara.actor, ca.id, "Vill lämna gruppen")
    eb = exits.request_exit(sara.uow(), sara.actor, cb.id, None)

    ids.update(person_a=pa.id, person_b=pb.id, case_a=ca.id, case_b=cb.id, incident=inc.id,
               incident_old=inc_old.id, meeting_early=early.id, meeting_late=late.id,
               exit_a=ea.id, exit_b=eb.id)
    s["ids"] = ids
    s["numbers"] = {"case_a": ca.number, "incident": inc.number,
                    "incident_old": inc_old.number}
    yield s
    for n in (*NAMES, "admin"):
        s[n].close()


def call(world, who: str, service, *args, **kwargs):
    sess = world[who]
    return service(sess.uow(), sess.actor, *args, **kwargs)


def last_seq(world) -> int:
    sess = world["stina"]  # any key holder reads the raw log here; the administrator holds no key
    with sess.uow() as uow:
        return uow.session.scalar(select(func.max(m.AuditEvent.seq))) or 0


def events_after(world, seq: int) -> list[m.AuditEvent]:
    sess = world["stina"]
    with sess.uow() as uow:
        rows = uow.session.scalars(select(m.AuditEvent).where(m.AuditEvent.seq > seq)
                                   .order_by(m.AuditEvent.seq)).all()
        uow.session.expunge_all()
        return list(rows)


# --- incident links of one case ------------------------------------------------------------


def test_case_involvements_newest_incident_first_with_the_incident(world):
    ids, numbers = world["ids"], world["numbers"]
    before = last_seq(world)
    page = call(world, "sara", incidents.list_case_involvements, ids["case_a"])
    assert page.total == 2 and page.hidden == {}
    assert [(v.incident_number, v.involvement) for v in page.rows] == [
        (numbers["incident"], "witness"), (numbers["incident_old"], "concerned")]
    first = page.rows[0]
    assert first.case_id == ids["case_a"] and first.case_number == numbers["case_a"]
    assert first.person_name == "Amir Haddad"
    assert first.incident_kind == IncidentKind.SHOOTING
    assert first.incident_place == "Rinkeby torg" and first.incident_unit_name == "Rinkeby-Kista"
    assert first.involvement_label == "Vittne"
    logged = events_after(world, before)
    assert [(e.action, e.case_id, e.person_id, e.username) for e in logged] == [
        ("involvement.list", ids["case_a"], ids["person_a"], "sara")]

    paged = call(world, "sara", incidents.list_case_involvements, ids["case_a"], offset=1,
                 limit=1)
    assert [v.incident_id for v in paged.rows] == [ids["incident_old"]]
    assert paged.total == 2


def test_case_involvements_hidden_without_consent_for_criminal_data(world):
    ids = world["ids"]
    # Case A: the consent covers criminal data for the police.
    shown = call(world, "petra", incidents.list_case_involvements, ids["case_a"])
    assert len(shown.rows) == 2 and shown.hidden == {}
    assert shown.rows[0].person_name == "Amir Haddad"
    # Case B: identity only — the link exists but is not shared; it is counted.
    hidden = call(world, "petra", incidents.list_case_involvements, ids["case_b"])
    assert hidden.rows == () and hidden.total == 0
    assert hidden.hidden == {Category.CRIMINAL: 1}


def test_case_involvements_need_the_case_and_a_case_role(world):
    ids = world["ids"]
    # Olle works in the same unit but is not on the team: the case is not his.
    with pytest.raises(AccessDenied):
        call(world, "olle", incidents.list_case_involvements, ids["case_a"])
    # The administrator's log-in has no key at all: refused before any query,
    # the attempt remembered in the key file for the access log.
    with pytest.raises(AccessDenied):
        call(world, "admin", incidents.list_case_involvements, ids["case_a"])
    pending = KeyFile.load(world["admin"].paths.keys).pending_events
    assert (pending[-1]["action"], pending[-1]["username"]) == ("access.denied", "admin")


# --- meeting items of one case ----------------------------------------------------------


def test_case_items_latest_meeting_first_with_title_and_time(world):
    ids = world["ids"]
    before = last_seq(world)
    page = call(world, "sara", meetings.list_case_items, ids["case_a"])
    assert page.total == 2 and page.hidden == {}
    assert [(i.meeting_id, i.meeting_title, i.discussion) for i in page.rows] == [
        (ids["meeting_late"], "Operativ grupp v. 11", "Efter skjutningen"),
        (ids["meeting_early"], "Operativ grupp v. 10", "Läget")]
    assert page.rows[0].meeting_held_at > page.rows[1].meeting_held_at
    assert page.rows[1].decision == "Följ upp" and page.rows[1].created_by == "Kalle Nyström"
    assert all(i.case_id == ids["case_a"] for i in page.rows)
    logged = events_after(world, before)
    assert [(e.action, e.case_id, e.person_id) for e in logged] == [
        ("meeting_item.list", ids["case_a"], ids["person_a"])]


def test_case_items_hidden_without_consent_for_social_data(world):
    ids = world["ids"]
    # The police consent of case A does not cover social data: both items hidden.
    page = call(world, "petra", meetings.list_case_items, ids["case_a"])
    assert page.rows == () and page.hidden == {Category.SOCIAL: 2}
    page = call(world, "petra", meetings.list_case_items, ids["case_b"])
    assert page.rows == () and page.hidden == {Category.SOCIAL: 1}
    # The coordinator of the unit sees them without being on the team.
    page = call(world, "kalle", meetings.list_case_items, ids["case_b"])
    assert [i.discussion for i in page.rows] == ["Boende"]
    # The meeting view carries the same meeting facts.
    view = call(world, "sara", meetings.get_meeting, ids["meeting_early"])
    assert view.items[0].meeting_title == "Operativ grupp v. 10"


def test_case_items_refused_outside_the_case_and_for_the_administrator(world):
    ids = world["ids"]
    with pytest.raises(AccessDenied):
        call(world, "olle", meetings.list_case_items, ids["case_b"])
    with pytest.raises(AccessDenied):
        call(world, "admin", meetings.list_case_items, ids["case_b"])


def test_meeting_rows_carry_the_chair_id(world):
    rows = call(world, "sara", meetings.list_meetings).rows
    assert {r.chair_id for r in rows} == {world["kalle"].actor.user_id}
    assert all(r.chair == "Kalle Nyström" for r in rows)


# --- exit programmes of one case -------------------------------------------------------------


def test_list_exits_by_case(world):
    ids = world["ids"]
    before = last_seq(world)
    page = call(world, "sara", exits.list_exits, case_id=ids["case_a"])
    assert [r.id for r in page.rows] == [ids["exit_a"]] and page.total == 1
    assert page.hidden == {}
    logged = events_after(world, before)
    assert [(e.action, e.case_id, e.person_id) for e in logged] == [
        ("exit.list", ids["case_a"], ids["person_a"])]
    # Without a case: both of sara's.
    assert {r.id for r in call(world, "sara", exits.list_exits).rows} == {
        ids["exit_a"], ids["exit_b"]}
    # The police see neither programme (social data); each case counts its own.
    for case, exit_key in (("case_a", "exit_a"), ("case_b", "exit_b")):
        page = call(world, "petra", exits.list_exits, case_id=ids[case])
        assert page.rows == () and page.hidden == {Category.SOCIAL: 1}, case


def test_list_exits_by_case_needs_the_case(world):
    ids = world["ids"]
    with pytest.raises(AccessDenied):
        call(world, "olle", exits.list_exits, case_id=ids["case_a"])
    with pytest.raises(AccessDenied):
        call(world, "admin", exits.list_exits, case_id=ids["case_a"])


# --- the user directory --------------------------------------------------------------------


def test_user_directory_lists_active_case_workers_without_user_names(world):
    ids = world["ids"]
    before = last_seq(world)
    entries = call(world, "kalle", users.user_directory)
    by_id = {e.id: e for e in entries}
    # Active users of every agency; no administrator, not the disabled account.
    assert set(by_id) == {ids[n] for n in NAMES}
    assert ids["gunnar"] not in by_id and world["admin"].actor.user_id not in by_id
    assert [e.display_name for e in entries] == sorted(e.display_name for e in entries)
    assert not hasattr(entries[0], "username")
    petra = by_id[ids["petra"]]
    assert (petra.role, petra.agency, petra.unit_name) == (
        Role.POLICE_LIAISON, Agency.POLICE, "LPO Rinkeby")
    # Contact details only within the reader's agency.
    assert petra.phone is None and petra.email is None
    assert by_id[ids["sara"]].email == "sara@example.se"
    assert by_id[ids["sara"]].phone == "08-400 00 00"
    police_view = {e.id: e for e in call(world, "petra", users.user_directory)}
    assert police_view[ids["pia"]].email == "pia@example.se"
    assert police_view[ids["sara"]].email is None
    logged = events_after(world, before)
    assert [(e.action, e.username) for e in logged] == [("user.directory", "kalle"),
                                                         ("user.directory", "petra")]


def test_user_directory_by_agency(world):
    ids = world["ids"]
    police = call(world, "sara", users.user_directory, Agency.POLICE)
    assert {e.id for e in police} == {ids["petra"], ids["pia"]}


def test_user_directory_refused_for_the_administrator(world):
    with pytest.raises(AccessDenied):
        call(world, "admin", users.user_directory)


# --- read volumes ----------------------------------------------------------------------------


def _volumes_by_hand(world, who: str, since: dt.date, until: dt.date) -> dict:
    """The same count from show_log's rows, entry by entry."""
    counts: dict = {}
    offset = 0
    while True:
        page = call(world, who, audit_log.show_log, since=since, until=until, offset=offset,
                    limit=audit_log.MAX_LIMIT)
        for r in page.rows:
            if (r.username and r.action.endswith((".read", ".list", ".search"))
                    and r.action not in audit_log.NOT_CONTENT_READS):
                at = dt.datetime.fromisoformat(r.at)
                key = (r.username, at.astimezone(STOCKHOLM).date())
                counts[key] = counts.get(key, 0) + 1
        offset += len(page.rows)
        if not page.rows or offset >= page.total:
            return counts


def test_read_volumes_count_per_user_and_day_in_scope(world):
    for _ in range(4):
        call(world, "olle", cases.list_cases, cases.CaseFilter(), 0, 10)
    today = clock.today()
    before = last_seq(world)
    rows = call(world, "stina", audit_log.read_volumes, today, today)
    logged = events_after(world, before)
    assert [(e.action, e.username) for e in logged] == [("audit.read", "stina")]
    assert rows == sorted(rows, key=lambda r: (-r.reads, r.username, r.day))
    counted = {(r.username, r.day): r.reads for r in rows}
    expected = _volumes_by_hand(world, "stina", today, today)
    assert counted == expected
    olle = next(r for r in rows if r.username == "olle")
    assert olle.reads >= 4
    _username, display_name, agency, day, _reads = olle  # a plain tuple as well
    assert (display_name, agency, day) == ("Olle Berg", Agency.CITY, today)
    # Reviewing the log is not a read of case content: counting again (after
    # the reviews above) gives the same figures.
    again = call(world, "stina", audit_log.read_volumes, today, today)
    assert {(r.username, r.day): r.reads for r in again} == counted
    # The police supervisor sees what police users did, and who read cases
    # the police may see — not Olle's searches in the city's lists.
    police = call(world, "pia", audit_log.read_volumes, today, today)
    assert "olle" not in {r.username for r in police}
    assert "petra" in {r.username for r in police}
    assert {(r.username, r.day): r.reads for r in police} == _volumes_by_hand(
        world, "pia", today, today)


def test_read_volumes_group_by_swedish_day_across_summer_time(world):
    # Summer time began on 31 March 2024 at 01:00 UTC.
    sara = world["sara"]
    case_id = world["ids"]["case_a"]
    for when in (dt.datetime(2024, 3, 30, 22, 30, tzinfo=dt.timezone.utc),  # 30 Mar 23:30
                 dt.datetime(2024, 3, 30, 23, 30, tzinfo=dt.timezone.utc),  # 31 Mar 00:30
                 dt.datetime(2024, 3, 31, 21, 30, tzinfo=dt.timezone.utc),  # 31 Mar 23:30
                 dt.datetime(2024, 3, 31, 22, 30, tzinfo=dt.timezone.utc)):  # 1 Apr 00:30
        cases.get_case(_at(sara, when), sara.actor, case_id)
    rows = call(world, "stina", audit_log.read_volumes, dt.date(2024, 3, 30),
                dt.date(2024, 4, 1))
    sara_days = {r.day: r.reads for r in rows if r.username == "sara"}
    per_read = sara_days[dt.date(2024, 3, 30)]
    assert per_read >= 1
    assert sara_days == {dt.date(2024, 3, 30): per_read, dt.date(2024, 3, 31): 2 * per_read,
                         dt.date(2024, 4, 1): per_read}
    # An aware-time window cuts inside a day.
    rows = call(world, "stina", audit_log.read_volumes,
                dt.datetime(2024, 3, 31, 0, 0, tzinfo=STOCKHOLM),
                dt.datetime(2024, 3, 31, 12, 0, tzinfo=STOCKHOLM))
    assert {r.day: r.reads for r in rows if r.username == "sara"} == {
        dt.date(2024, 3, 31): per_read}


def test_read_volumes_for_log_reviewers_only(world):
    today = clock.today()
    for who in ("admin", "sara", "kalle"):
        with pytest.raises(AccessDenied):
            call(world, who, audit_log.read_volumes, today, today)
    with pytest.raises(ValidationError):
        call(world, "stina", audit_log.read_volumes, today, today - dt.timedelta(days=1))
    with pytest.raises(ValidationError):
        call(world, "stina", audit_log.read_volumes, today - dt.timedelta(days=400), today)


# --- expiring consents -------------------------------------------------------------------------


def test_expiring_consents_name_the_person_masked_when_protected(world):
    ids = world["ids"]
    alias_b = access.person_alias(ids["person_b"])
    before = last_seq(world)
    rows = call(world, "sara", consents.expiring_consents, 30)
    assert [(c.person_id, c.person_name) for c in rows] == [
        (ids["person_a"], "Amir Haddad"), (ids["person_b"], alias_b)]
    logged = events_after(world, before)
    assert [(e.action, e.username) for e in logged] == [("consent.expiring", "sara")]
    assert '"count": 2' in logged[0].detail
    assert "Hodan" not in (logged[0].detail or "") and "Amir" not in (logged[0].detail or "")
    # Within 15 days: only A's.
    assert [c.person_id for c in call(world, "sara", consents.expiring_consents, 15)] == [
        ids["person_a"]]
    # The police see the same consents (identity is shared), B still masked.
    police = call(world, "petra", consents.expiring_consents, 30)
    assert [c.person_name for c in police] == ["Amir Haddad", alias_b]
    # After an explicit reveal, the name shows for the one who revealed it.
    persons.reveal_identity(world["sara"].uow(), world["sara"].actor, ids["person_b"],
                            "Behöver ringa personen")
    rows = call(world, "sara", consents.expiring_consents, 30)
    assert [c.person_name for c in rows] == ["Amir Haddad", "Hodan Warsame"]
    assert [c.person_name for c in call(world, "petra", consents.expiring_consents, 30)] == [
        "Amir Haddad", alias_b]
    # Olle (not on any team, not the creator) sees none of them.
    assert call(world, "olle", consents.expiring_consents, 30) == []
    with pytest.raises(AccessDenied):  # the administrator's log-in holds no key
        call(world, "admin", consents.expiring_consents, 30)
