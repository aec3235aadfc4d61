"""The demonstration store: deterministic, complete, and seen through the access
rule as each role should see it."""

from __future__ import annotations

import datetime as dt
import json
import re
import random

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from trefas_app.demo import DEMO_PASSWORD, USERS, build_demo
from trefas_app.demo.timeline import plan_stories
from trefas_app.domain.enums import (
    Agency,
    ConsentBasis,
    ExitState,
    PlanState,
    ProtectionLevel,
    Role,
    TaskState,
)
from trefas_app.domain.errors import AccessDenied, StoreExists
from trefas_app.domain.personnummer import parse_personal_number
from trefas_app.store import audit
from trefas_app.store.audit_chain import read_checkpoints, verify_chain
from trefas_app.domain.passwords import check_password_policy
from trefas_app.services import cases, consents, persons
from trefas_app.store import models as m
from trefas_app.store.keyslots import TEST_KDF, KdfParams
from trefas_app.store.store import unlock

BASE = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.timezone.utc)
LATER = BASE + dt.timedelta(hours=1)

#: Tables whose every row the snapshot compares (case content and organisation).
SNAPSHOT_TABLES = ("units", "users", "persons", "cases", "team_members", "state_changes",
                   "consents", "consent_grants", "notes", "referrals", "plans", "plan_goals",
                   "plan_actions", "exit_programmes", "threat_assessments",
                   "protective_measures", "support_components", "incidents",
                   "routine_steps", "incident_involvements", "meetings",
                   "meeting_participants", "meeting_items", "tasks", "identity_reveals")


SEAL = re.compile(r'"seal":\s*"[0-9a-f]{64}"')


def login(root, username):
    return unlock(root, username, DEMO_PASSWORD, clock=lambda: LATER)


def snapshot(root) -> dict[str, list[dict]]:
    """Every row of the content tables and the whole access log, as read right
    after the build (before anyone else logs in)."""
    store = login(root, "erik.sandberg")
    try:
        with store.engine.connect() as conn:
            rows = {t: [dict(r) for r in conn.execute(
                        text(f"SELECT * FROM {t} ORDER BY 1")).mappings()]
                    for t in SNAPSHOT_TABLES}
            # A signed note's seal is an HMAC under the store's own random key
            # (and so is every hash after it): equal content, different bytes.
            rows["audit_events"] = [
                {**dict(r), "detail": SEAL.sub('"seal":"<per-store>"', r["detail"] or "")}
                for r in conn.execute(text(
                    "SELECT seq, at, username, action, subject_kind, subject_id, case_id, "
                    "person_id, detail FROM audit_events ORDER BY seq")).mappings()]
        return rows
    finally:
        store.close()


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo") / "store"
    users = build_demo(root, kdf=TEST_KDF, clock=lambda: BASE)
    return root, users, snapshot(root)


def by_role(users, role):
    return [u for u in users if u.role == role]


# --- determinism -------------------------------------------------------------------


def test_same_seed_and_clock_give_the_same_store(demo, tmp_path):
    root, users, first = demo
    other_kdf = KdfParams(iterations=2, lanes=1, memory_cost=8 * 1024)
    again = build_demo(tmp_path / "again", kdf=other_kdf, clock=lambda: BASE)
    assert again == users
    second = snapshot(tmp_path / "again")
    for table in (*SNAPSHOT_TABLES, "audit_events"):
        assert first[table] == second[table], table
    assert len(first["persons"]) >= 45 and len(first["notes"]) > 100
    # Every slot of the second store was sealed with the parameters asked for.
    slots = json.loads((tmp_path / "again" / "trefas.keys").read_text())["slots"]
    assert {s["username"] for s in slots if s["kind"] in ("user", "admin")} == {
        u[0] for u in USERS}
    assert all(KdfParams.from_json(s["kdf"]) == other_kdf for s in slots)


def test_another_seed_plans_other_persons():
    def plan(seed):
        return [(s.first, s.last, s.personal_number, s.final_state, s.consent)
                for s in plan_stories(random.Random(seed), BASE)]

    assert plan(2026) == plan(2026)
    assert plan(2026) != plan(7)


def test_existing_store_is_refused_and_left_alone(demo):
    root, _, _ = demo
    before = {p.name: p.read_bytes() for p in root.iterdir() if p.name == "trefas.keys"}
    with pytest.raises(StoreExists):
        build_demo(root, kdf=TEST_KDF, clock=lambda: BASE)
    assert {p.name: p.read_bytes() for p in root.iterdir() if p.name == "trefas.keys"} == before


def test_a_failed_build_leaves_nothing_behind(tmp_path, monkeypatch):
    import trefas_app.demo.builder as demo_module

    def broken(*args, **kwargs):
        raise RuntimeError("simulated failure half-way")

    monkeypatch.setattr(demo_module, "schedule_casework", broken)
    with pytest.raises(RuntimeError):
        build_demo(tmp_path / "half", kdf=TEST_KDF, clock=lambda: BASE)
    assert not (tmp_path / "half").exists()
    (tmp_path / "kept").mkdir()
    with pytest.raises(RuntimeError):
        build_demo(tmp_path / "kept", kdf=TEST_KDF, clock=lambda: BASE)
    assert (tmp_path / "kept").is_dir() and not list((tmp_path / "kept").iterdir())


def test_password_passes_policy_for_every_user(demo):
    _, users, _ = demo
    assert len(DEMO_PASSWORD) >= 12
    for u in users:
        check_password_policy(DEMO_PASSWORD, u.username)


def test_every_role_and_agency_is_there(demo):
    _, users, _ = demo
    assert users[0].username == "admin" and users[0].role == Role.ADMINISTRATOR
    assert len(by_role(users, Role.SOCIAL_WORKER)) == 4
    assert {u.unit for u in by_role(users, Role.SOCIAL_WORKER)} == {"Rinkeby-Kista",
                                                                     "Spånga-Tensta"}
    assert len(by_role(users, Role.POLICE_LIAISON)) == 2
    assert len(by_role(users, Role.PROBATION_OFFICER)) == 1
    assert len(by_role(users, Role.COORDINATOR)) == 1
    assert {u.agency for u in by_role(users, Role.SUPERVISOR)} == set(Agency)


# --- seen through the access rule -----------------------------------------------------


def test_every_role_logs_in_and_sees_a_plausible_case_list(demo):
    root, users, snap = demo
    all_cases = len(snap["cases"])
    for u in users:
        store = login(root, u.username)
        try:
            if u.role == Role.ADMINISTRATOR:
                # No case content for the administrator: refused, or at most an empty list.
                try:
                    page = cases.list_cases(store.uow(), store.actor)
                except AccessDenied:
                    page = None
                assert page is None or (page.total == 0 and page.rows == ())
                with pytest.raises(AccessDenied):
                    cases.get_case(store.uow(), store.actor, snap["cases"][0]["id"])
                continue
            page = cases.list_cases(store.uow(), store.actor)
            assert page.total > 0 and len(page.rows) == min(page.total, 200), u.username
            mine = cases.list_cases(store.uow(), store.actor, cases.CaseFilter(mine_only=True))
            if u.role in (Role.SOCIAL_WORKER, Role.POLICE_LIAISON, Role.PROBATION_OFFICER):
                # Their whole list is their own team's cases.
                assert mine.total == page.total, u.username
                assert page.total < all_cases
            if u.role == Role.COORDINATOR:
                assert page.total > mine.total  # the unit's cases, not only the team's
            if u.role == Role.SUPERVISOR and u.agency == Agency.CITY:
                assert page.total == all_cases
            if u.agency != Agency.CITY:
                assert page.total < all_cases
            # Opening a listed case works and is the same case.
            view = cases.get_case(store.uow(), store.actor, page.rows[0].id)
            assert view.number == page.rows[0].number
        finally:
            store.close()


def test_police_see_only_consented_cases_and_are_told_of_the_rest(demo):
    root, users, _ = demo
    hidden = 0
    for u in by_role(users, Role.POLICE_LIAISON):
        store = login(root, u.username)
        try:
            page = cases.list_cases(store.uow(), store.actor)
            hidden += page.hidden_total
        finally:
            store.close()
    # Some persons never consented (or withdrew), though police are on the team.
    assert hidden > 0


def test_protected_persons_are_aliases_to_a_police_liaison(demo):
    root, users, snap = demo
    protected = {r["id"] for r in snap["persons"]
                 if r["protection_level"] != ProtectionLevel.NONE.value}
    assert 4 <= len(protected) <= 6
    levels = {r["protection_level"] for r in snap["persons"]}
    assert {p.value for p in ProtectionLevel} <= levels
    real_names = {r["id"]: f"{r['first_name']} {r['last_name']}" for r in snap["persons"]}
    seen = []
    for u in by_role(users, Role.POLICE_LIAISON):
        store = login(root, u.username)
        try:
            for row in cases.list_cases(store.uow(), store.actor).rows:
                if row.person_id in protected:
                    assert row.protected
                    assert row.person_name == f"Skyddad person P-{row.person_id:04d}"
                    seen.append(row.person_id)
                else:
                    assert row.person_name == real_names[row.person_id]
            # Searching by the real name finds nothing.
            for pid in set(seen):
                first = real_names[pid].split()[0]
                hits = persons.list_persons(store.uow(), store.actor, real_names[pid])
                assert pid not in {r.id for r in hits.rows}, first
        finally:
            store.close()
    assert seen, "no protected person is shared with the police"


def test_consents_in_every_state(demo):
    root, _, snap = demo
    store = login(root, "erik.sandberg")
    try:
        statuses, bases = set(), set()
        for pid in sorted(r["id"] for r in snap["persons"]):
            for c in consents.list_consents(store.uow(), store.actor, pid):
                statuses.add(c.status)
                bases.add(c.basis)
                if c.status == "active" and c.basis == ConsentBasis.CONSENT:
                    assert c.valid_until > BASE.date()
        assert {"active", "expired", "withdrawn", "superseded"} <= statuses
        assert bases == {ConsentBasis.CONSENT, ConsentBasis.LEGAL_BASIS}
    finally:
        store.close()
    # Grants differ: some consents give the police health data, most do not;
    # some leave out threat.
    grants = {}
    for g in snap["consent_grants"]:
        grants.setdefault(g["consent_id"], set()).add((g["agency"], g["category"]))
    assert any(("police", "health") in g for g in grants.values())
    assert any(("police", "health") not in g and ("police", "identity") in g
               for g in grants.values())
    assert any(("police", "threat") not in g and ("police", "identity") in g
               for g in grants.values())


def test_personal_numbers_are_valid_and_ages_plausible(demo):
    _, _, snap = demo
    ages = []
    for r in snap["persons"]:
        if r["personal_number"] is None:
            continue
        pn = parse_personal_number(r["personal_number"], BASE.date())
        born = pn.birth_date
        ages.append(BASE.year - born.year - ((BASE.month, BASE.day) < (born.month, born.day)))
    assert len(ages) >= 40
    assert any(15 <= a <= 17 for a in ages)
    assert sum(16 <= a <= 30 for a in ages) > len(ages) * 0.7
    assert len({r["personal_number"] for r in snap["persons"]
                if r["personal_number"]}) == len(ages)


# --- the rest of the case work ----------------------------------------------------------


def test_all_kinds_of_case_work_exist(demo):
    root, _, snap = demo
    assert {r["state"] for r in snap["cases"]} == {"open", "active", "closure_requested",
                                                   "closed"}
    note_states = {(r["owner_agency"], r["category"]) for r in snap["notes"]}
    assert {c for _, c in note_states} == {"identity", "location", "social", "health",
                                           "criminal", "threat"}
    assert {a for a, _ in note_states} == {"city", "police", "probation"}
    store = login(root, "erik.sandberg")
    try:
        with Session(store.engine) as s:
            note_state = set(s.scalars(select(m.Note.state)).all())
            assert {"draft", "signed"} <= {str(x) for x in note_state}
            assert len({r.state for r in s.scalars(select(m.Referral))}) >= 8
            assert {p.state for p in s.scalars(select(m.Plan))} == set(PlanState)
            actions = s.scalars(select(m.PlanAction)).all()
            assert any(a.done_at for a in actions) and any(a.done_at is None for a in actions)
            exits = s.scalars(select(m.ExitProgramme)).all()
            waiting = [e for e in exits if e.state == ExitState.REQUESTED]
            assert any(e.first_contact_due > BASE for e in waiting)  # waiting, in time
            assert any(e.first_contact_due < BASE for e in waiting)  # overdue
            assert any(e.state == ExitState.ENDED for e in exits)
            assert any(e.state == ExitState.PROTECTION_SUPPORT and e.agreement_approved_at
                       for e in exits)
            assert s.scalars(select(m.ThreatAssessment)).first() is not None
            assert s.scalars(select(m.ProtectiveMeasure)).first() is not None
            steps = s.scalars(select(m.RoutineStep)).all()
            assert any(x.done_at for x in steps) and any(x.done_at is None for x in steps)
            assert s.scalars(select(m.IncidentInvolvement)).first() is not None
            assert s.scalars(select(m.MeetingItem)).first() is not None
            tasks = s.scalars(select(m.Task)).all()
            assert any(t.state == TaskState.OPEN and t.due_on < BASE.date() for t in tasks)
            assert any(t.state == TaskState.DONE for t in tasks)
    finally:
        store.close()


def test_access_log_is_realistic_and_verifies(demo):
    root, users, snap = demo
    actions = [r["action"] for r in snap["audit_events"]]
    for action in ("person.create", "case.create", "case.team.add", "consent.create",
                   "consent.withdraw", "consent.amend", "note.create", "note.sign",
                   "case.state", "identity.reveal", "referral.create", "referral.state",
                   "plan.create", "plan.state", "exit.create", "exit.agreement.approve",
                   "threat.create", "measure.create", "support.create", "incident.create",
                   "routine.step.done", "involvement.create", "meeting.create",
                   "meeting_item.create", "meeting.held", "task.create", "task.state"):
        assert action in actions, action
    # Everything went through the services: no rows were slipped in beside them.
    assert not [a for a in actions if a.startswith("demo.")]
    # Changes are logged by the users who made them, not by one seeding account.
    def by(action):
        return {r["username"] for r in snap["audit_events"] if r["action"] == action}

    assert {"deniz.yilmaz", "helen.tesfaye"} & by("note.sign") and "arash.rahimi" in by(
        "note.sign")
    assert by("plan.state") >= {"erik.sandberg"}  # the supervisor approves plans
    assert by("exit.agreement.approve") == {"erik.sandberg"}
    assert by("meeting.create") == {"layla.haddad"}
    times = [r["at"] for r in snap["audit_events"]]
    assert times == sorted(times)  # the history was played in time order
    store = login(root, "erik.sandberg")  # the administrator holds no key to the log
    try:
        with Session(store.engine) as s:
            report = verify_chain(audit.iter_chain(s), read_checkpoints(store.paths.checkpoints),
                                  store.keyfile.public_key(), store_id=store.store_id)
        assert report.ok, report.problem_en
    finally:
        store.close()
