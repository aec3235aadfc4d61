"""Every write service reports exactly the kinds of data it wrote (issue 10).

A small store is driven through every write service once (or more). Around
each call the test snapshots every table's rows straight from the database
and maps the tables whose rows differ to kinds with its own table, written
here and not taken from the collector. What the unit of work reports
(``uow.changed``) must name exactly those kinds — and, for the kinds keyed by
case or person, exactly the ids of the rows that changed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import inspect
import json

from account_setup import enrolled_user
import pytest
from sqlalchemy import text

from stores import ADMIN_PASSWORD
from trefas_app.domain import clock
from trefas_app.domain.changes import KINDS, Changed
from trefas_app.domain.enums import (
    Agency, CaseState, Category, ExitState, IncidentKind, LifeArea, MeasureKind, MeetingKind,
    ProtectionLevel, ReferralState, RiskLevel, Role, SupportKind,
)
from trefas_app import services
from trefas_app.services import (
    accounts, cases, consents, documents, exits, incidents, meetings, notes, persons, plans,
    referrals, tasks, users,
)
from trefas_app.store import change_collector
from trefas_app.store.keyslots import TEST_KDF
from trefas_app.store.models import PERSON_NAME_INDEX_TABLES
from trefas_app.store.store import create_store, unlock

PW = "Granskog-och-hav-42"

#: Table → kind, and the column that holds the id the kind is keyed by (None:
#: ids not compared here). Written independently of store/change_collector.py.
TABLE_KINDS: dict[str, tuple[str, str | None]] = {
    "cases": ("cases", "id"), "team_members": ("cases", "case_id"),
    "persons": ("persons", "id"), "relatives": ("persons", "person_id"),
    "identity_reveals": ("persons", "person_id"),
    "consents": ("consents", "person_id"), "consent_grants": ("consents", None),
    "notes": ("notes", "case_id"),
    "plans": ("plans", "case_id"), "plan_goals": ("plans", None), "plan_actions": ("plans", None),
    "referrals": ("referrals", "case_id"),
    "exit_programmes": ("exits", "case_id"), "threat_assessments": ("exits", "case_id"),
    "protective_measures": ("exits", "case_id"), "support_components": ("exits", "case_id"),
    "tasks": ("tasks", "case_id"), "emergency_accesses": ("emergency", "case_id"),
    "incidents": ("incidents", "id"), "incident_involvements": ("incidents", "incident_id"),
    "routine_steps": ("incidents", "incident_id"),
    "meetings": ("meetings", "id"), "meeting_participants": ("meetings", "meeting_id"),
    "meeting_items": ("meetings", "meeting_id"),
    "issued_documents": ("documents", "id"), "disclosures": ("documents", "document_id"),
    "users": ("users", "username"), "units": ("units", "code"),
    "store_meta": ("settings", None),
}
#: A lifecycle move is history of the record that moved.
STATE_ENTITY_KINDS = {"case": "cases", "plan": "plans", "referral": "referrals",
                      "exit": "exits", "task": "tasks", "incident": "incidents"}
#: Not content: the log, the retention marker, the schema version, and the
#: name index's FTS5 tables (derived from persons, whose own rows are compared).
NOT_CONTENT = {"audit_events", "retention_purges", "alembic_version"} | PERSON_NAME_INDEX_TABLES

#: Functions of the (uow, actor, …) form that only read, or are helpers of services.
READS = ("list_", "get_", "count_", "search", "show_", "find_", "load_", "read_")
NOT_WRITE_SERVICES = {
    "cases.writable_case", "users.user_directory", "dashboard.dashboard",
    "consents.expiring_consents", "persons.active_reveals", "accounts.recovery_notices",
    "audit_log.read_volumes",
    # What a screen loads in one transaction (services/case_tabs.py, the log review).
    "audit_log.log_page", "audit_log.recent_reveals", "audit_log.volume_report",
    "case_tabs.upcoming_meetings",
    # Helpers the services share (services/case_records.py): their callers are driven.
    "case_records.commit_view", "case_records.read_record", "case_records.list_case_records",
    "case_records.people_and_numbers",
}


def _snapshot(store) -> dict[str, dict[str, set]]:
    """Every table's rows (as JSON text) and column names, read directly."""
    out = {}
    with store.engine.connect() as conn:
        tables = [r[0] for r in conn.execute(text(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%'"))]
        for table in tables:
            result = conn.execute(text(f'SELECT * FROM "{table}"'))
            columns = list(result.keys())
            out[table] = {json.dumps(dict(zip(columns, row)), default=str, sort_keys=True)
                          for row in result}
    return out


def _oracle(store, before, after) -> tuple[set[str], dict[str, set]]:
    """The kinds whose tables changed, and the ids of the rows that changed."""
    kinds, ids = set(), {}
    for table in before.keys() | after.keys():
        rows = before.get(table, set()) ^ after.get(table, set())
        if not rows or table in NOT_CONTENT:
            continue
        if table == "state_changes":
            for row in map(json.loads, rows):
                kinds.add(STATE_ENTITY_KINDS[row["entity"]])
            continue
        kind, column = TABLE_KINDS[table]
        kinds.add(kind)
        if column is not None:
            ids.setdefault(kind, set()).update(json.loads(r)[column] for r in rows)
    return kinds, ids


@dataclasses.dataclass
class Call:
    name: str
    reported: Changed
    kinds: set[str]
    ids: dict[str, set]


class Driver:
    """Runs services as named users and records what each reported and wrote."""

    def __init__(self, sessions):
        self.s = sessions
        self.calls: list[Call] = []

    def __call__(self, who: str, fn, *args, **kwargs):
        session = self.s[who]
        before = _snapshot(session)
        uow = session.uow()
        result = fn(uow, session.actor, *args, **kwargs)
        kinds, ids = _oracle(session, before, _snapshot(session))
        name = f"{fn.__module__.rsplit('.', 1)[-1]}.{fn.__name__}"
        self.calls.append(Call(name, uow.changed, kinds, ids))
        return result


def _drive(root) -> Driver:
    created = create_store(root, admin_username="admin", admin_display_name="Anna Admin",
                           admin_password=ADMIN_PASSWORD, kdf=TEST_KDF)
    admin = created.store
    run = Driver({"admin": admin})
    unit = run("admin", users.add_unit, Agency.CITY, "RK", "Rinkeby-Kista")
    police = run("admin", users.add_unit, Agency.POLICE, "LPO", "LPO Rinkeby")
    staff = (("sara", Role.SOCIAL_WORKER, Agency.CITY, unit), ("olle", Role.SOCIAL_WORKER,
             Agency.CITY, unit), ("cora", Role.COORDINATOR, Agency.CITY, unit),
             ("stina", Role.SUPERVISOR, Agency.CITY, unit),
             ("petra", Role.POLICE_LIAISON, Agency.POLICE, police))
    for name, role, agency, u in staff:
        enrolled_user(admin.uow(), admin.actor, users.UserInput(name, name.title(), role,
                                                                 agency, u.id, PW))
    run("admin", users.set_setting, "lock_minutes", "15")
    uno = run("admin", users.add_user, users.UserInput("uno", "Uno", Role.SOCIAL_WORKER,
                                                       Agency.CITY, unit.id))
    run("admin", users.reset_password, "uno")
    run("admin", users.disable_user, "uno")
    ulla = run("admin", users.add_user, users.UserInput("ulla", "Ulla", Role.SOCIAL_WORKER,
                                                        Agency.CITY, unit.id))
    fingerprint = accounts.enrol_account(root, "ulla", ulla.enrolment_code, PW,
                                         clock=admin.clock)
    run("admin", users.change_own_password, ADMIN_PASSWORD, ADMIN_PASSWORD + "-ny")
    del uno
    for name, *_ in staff:
        run.s[name] = unlock(root, name, PW)
    ids = {name: run.s[name].actor.user_id for name, *_ in staff}
    run("stina", accounts.pending_confirmations)
    run("stina", accounts.confirm_account, "ulla", fingerprint)
    _casework(run, ids, unit.id)
    return run


def _casework(run: Driver, ids: dict[str, int], unit_id: int) -> None:
    today, now = clock.today(), clock.now_utc()
    p = run("sara", persons.create_person, persons.PersonInput("Amir", "Haddad"))
    run("sara", persons.update_person, p.id, persons.PersonInput("Amir", "Haddad",
                                                                 address="Storgatan 1"))
    hidden = run("sara", persons.create_person, persons.PersonInput(
        "Lina", "Berg", protection_level=ProtectionLevel.PROTECTED_REGISTRATION))
    run("sara", persons.reveal_identity, hidden.id, "Behöver kontakta henne i dag")
    case = run("sara", cases.open_case, p.id, "Risk för våld")
    run("sara", cases.add_team_member, case.id, ids["petra"])
    run("sara", cases.add_team_member, case.id, ids["olle"])
    run("sara", cases.remove_team_member, case.id, ids["olle"])
    everything = frozenset((a, c) for a in Agency for c in Category)
    consent = run("sara", consents.record_consent, consents.ConsentInput(
        p.id, "Samverkan SIG", today, today + dt.timedelta(days=180), everything))
    consent = run("sara", consents.amend_consent, consent.id, consents.ConsentInput(
        p.id, "Samverkan SIG och exit", today, today + dt.timedelta(days=200), everything))
    note = run("sara", notes.write_note, case.id, "Samtal", "Om skolan.")
    run("sara", notes.update_draft, note.id, "Samtal", "Om skolan och fritiden.")
    run("sara", notes.sign_note, note.id)
    draft = run("sara", notes.write_note, case.id, "Utkast", "Kasta mig.")
    run("sara", notes.delete_draft, draft.id)
    ref = run("petra", referrals.create_referral, case.id, "Oro för våld", Agency.POLICE)
    run("cora", referrals.move_referral, ref.id, ReferralState.INITIAL_ASSESSMENT)
    plan = run("sara", plans.create_plan, case.id, False, Agency.CITY)
    run("sara", plans.add_goal, plan.id, LifeArea.HOUSING, "Eget boende")
    plan = run("sara", plans.add_action, plan.id, LifeArea.HOUSING, "Söka bostad", Agency.CITY)
    run("sara", plans.complete_action, plan.actions[0].id)
    run("stina", plans.approve_plan, plan.id)
    run("sara", plans.follow_up_plan, plan.id, today + dt.timedelta(days=30))
    run("sara", plans.end_plan, plan.id, "Målet nått")
    ep = run("sara", exits.request_exit, case.id, "Vill lämna gänget")
    run("sara", exits.record_first_contact, ep.id)
    run("sara", exits.move_exit, ep.id, ExitState.INTAKE)
    run("sara", exits.set_agreement, ep.id, "Inga kontakter med gänget", today)
    run("sara", exits.move_exit, ep.id, ExitState.AGREEMENT)
    run("stina", exits.approve_agreement, ep.id)
    run("sara", exits.add_threat_assessment, case.id, ep.id, RiskLevel.YELLOW, "Hot via sms")
    measure = run("sara", exits.add_measure, case.id, ep.id, MeasureKind.OTHER, "Larm", today)
    run("sara", exits.end_measure, measure.id, today)
    support = run("sara", exits.add_support, case.id, ep.id, SupportKind.DEBT, "Skuld", today)
    run("sara", exits.end_support, support.id, today)
    inc = run("cora", incidents.report_incident, IncidentKind.OTHER,
              now - dt.timedelta(hours=2), unit_id, "Torget", "Bråk på torget")
    inc = run("cora", incidents.start_routine, inc.id)
    run("cora", incidents.link_person, inc.id, case.id, "witness")
    step = inc.steps[0]
    run("cora", incidents.assign_step, step.id, ids["cora"])
    run("cora", incidents.complete_step, step.id, "Klart")
    run("cora", incidents.reopen_step, step.id, "Inte klart ändå")
    for st in incidents.get_incident(run.s["cora"].uow(), run.s["cora"].actor,
                                     inc.id).open_steps:
        run("cora", incidents.complete_step, st.id)
    run("cora", incidents.close_incident, inc.id)
    meeting = run("cora", meetings.create_meeting, MeetingKind.OPERATIONAL_GROUP, unit_id,
                  "Operativ grupp", now - dt.timedelta(hours=1), "Rum 1", [ids["sara"]])
    run("cora", meetings.add_meeting_item, meeting.id, case.id, "Läget", "Fortsätt")
    run("cora", meetings.mark_meeting_held, meeting.id)
    task = run("sara", tasks.create_task, case.id, "Ring skolan", None, ids["sara"],
               today + dt.timedelta(days=7))
    run("sara", tasks.complete_task, task.id)
    task = run("sara", tasks.create_task, case.id, "Boka möte", None, None, None)
    run("sara", tasks.cancel_task, task.id, "Behövs inte")
    run("olle", cases.request_emergency_access, case.number, "Akut hot mot personen i kväll")
    access = cases.list_emergency_accesses(run.s["stina"].uow(), run.s["stina"].actor)[0]
    run("stina", cases.mark_emergency_reviewed, access.id)
    doc = run("sara", documents.issue_handover, case.id, Agency.POLICE, "LPO Rinkeby", PW)
    run("sara", documents.record_print, doc.number)
    run("stina", documents.issue_case_summary, case.id)
    run("cora", documents.issue_meeting_minutes, meeting.id)
    run("sara", documents.issue_subject_extract, p.id)
    run("stina", documents.issue_access_log_extract, p.id)
    run("sara", consents.withdraw_consent, consent.id, "Personen återkallade muntligt")
    run("sara", cases.move_case, case.id, CaseState.ACTIVE)
    run("sara", cases.move_case, case.id, CaseState.CLOSURE_REQUESTED, "Målen är nådda")


@pytest.fixture(scope="module")
def driven(tmp_path_factory) -> Driver:
    run = _drive(tmp_path_factory.mktemp("changed") / "store")
    yield run
    for session in run.s.values():
        session.close()


def _write_services() -> list[str]:
    """Every public ``fn(uow, actor, …)`` of the service modules that is not a read."""
    import importlib
    import pkgutil

    names = []
    for info in pkgutil.iter_modules(services.__path__):
        module = importlib.import_module(f"trefas_app.services.{info.name}")
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ != module.__name__ or name.startswith("_"):
                continue
            params = list(inspect.signature(fn).parameters)
            qualified = f"{info.name}.{name}"
            if (params[:2] == ["uow", "actor"] and not name.startswith(READS)
                    and qualified not in NOT_WRITE_SERVICES):
                names.append(qualified)
    return sorted(names)


WRITE_SERVICES = _write_services()


def test_the_oracle_knows_every_table(driven):
    tables = set(_snapshot(driven.s["sara"]))
    assert tables - NOT_CONTENT - {"state_changes"} == set(TABLE_KINDS)


@pytest.mark.parametrize("service", WRITE_SERVICES)
def test_a_write_service_reports_exactly_what_it_wrote(driven, service):
    calls = [c for c in driven.calls if c.name == service]
    assert calls, f"{service} is not driven here: add it to _casework"
    for call in calls:
        assert call.reported.kinds() == call.kinds, service
        assert not call.reported.everything
        for kind, ids in call.ids.items():
            assert getattr(call.reported, kind) == ids, (service, kind)


def test_signing_a_note_reports_only_that_case_s_notes(driven):
    (sign,) = [c for c in driven.calls if c.name == "notes.sign_note"]
    assert sign.reported.kinds() == {"notes"}
    assert Changed.from_dict(json.loads(json.dumps(sign.reported.to_dict()))) == sign.reported


def test_a_refused_or_rolled_back_write_reports_nothing(driven):
    sara = driven.s["sara"]
    case = cases.list_cases(sara.uow(), sara.actor).rows[0]
    uow = sara.uow()
    with pytest.raises(Exception):
        notes.write_note(uow, sara.actor, case.id, "", "")
    assert not uow.changed


def test_the_gui_sink_gets_what_every_unit_of_work_committed(driven):
    sara = driven.s["sara"]
    sink = change_collector.enable(sara)
    try:
        case = cases.list_cases(sara.uow(), sara.actor).rows[0]
        assert not sink.take()  # a read writes only the log
        notes.write_note(sara.uow(), sara.actor, case.id, "Till diskhon", "Text")
        assert sink.take() == Changed(notes={case.id}, cases={case.id})
        assert not sink.take()
    finally:
        sara.change_sink = None


def test_the_wire_form_round_trips_and_refuses_unknown_kinds():
    changed = Changed(notes={3, 1}, users={"sara"}, settings={"lock_minutes"})
    assert changed.to_dict() == {"notes": [1, 3], "users": ["sara"],
                                 "settings": ["lock_minutes"]}
    assert Changed.from_dict(json.loads(json.dumps(changed.to_dict()))) == changed
    assert Changed.from_dict(Changed.all().to_dict()).touches("notes", 99)
    with pytest.raises(ValueError):
        Changed.from_dict({"secrets": [1]})
    assert set(KINDS) >= set(Changed().to_dict()) and not Changed()


def test_a_key_file_edit_reports_the_accounts_units_and_settings_it_changed(driven):
    admin = unlock(driven.s["sara"].paths.root, "admin", ADMIN_PASSWORD + "-ny")
    sink = change_collector.enable(admin)
    try:
        accounts.set_setting(admin, "lock_minutes", "20")
        assert sink.take() == Changed(settings={"lock_minutes"})
        accounts.add_unit(admin, Agency.CITY, "SP", "Spånga")
        assert sink.take() == Changed(units={"SP"})
        accounts.create_account(admin, "vera", "Vera Vik", Role.SOCIAL_WORKER, Agency.CITY, "RK")
        assert sink.take() == Changed(users={"vera"})
        accounts.disable_account(admin, "vera")
        assert sink.take() == Changed(users={"vera"})
        accounts.list_accounts(admin)  # a read: only the key file's log grows
        assert not sink.take()
    finally:
        admin.close()


@pytest.mark.parametrize("who, read", [
    ("stina", "dashboard.dashboard"), ("sara", "dashboard.dashboard"),
    ("stina", "accounts.pending_confirmations"), ("stina", "accounts.recovery_notices"),
    ("sara", "consents.expiring_consents"), ("sara", "persons.active_reveals"),
    ("sara", "users.user_directory"), ("sara", "cases.list_cases"),
    ("sara", "tasks.list_tasks"), ("cora", "incidents.list_incidents"),
    ("cora", "meetings.list_meetings"), ("petra", "referrals.list_referrals"),
])
def test_what_screens_load_reports_no_change(driven, who, read):
    """A screen reloads on a change it watches; a load that reported one would
    reload it for ever."""
    import importlib

    module, name = read.split(".")
    fn = getattr(importlib.import_module(f"trefas_app.services.{module}"), name)
    session = driven.s[who]
    uow = session.uow()
    fn(uow, session.actor)
    assert not uow.changed
