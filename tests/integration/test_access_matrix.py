"""The access rule against an independent oracle (issue #3).

The oracle below is written from DESIGN.md §3 alone, in plain Python over the
test's own record of what it stored; it shares no code with
``trefas_app.security.access``. Every role × data category × consent state ×
scope × protected identity combination is compared through the services'
list, search, count and single-record reads.

Arrange: rows are inserted directly (the test needs consents in the past,
expired emergency accesses and so on). Act and assert: only through services.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field

from account_setup import enrolled_user
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from trefas_app.domain import clock
from trefas_app.domain import collation
from trefas_app.domain.enums import (
    Agency,
    CaseState,
    Category,
    ConsentBasis,
    ConsentForm,
    NoteState,
    ProtectionLevel,
    Role,
)
from trefas_app.domain.errors import AccessDenied
from trefas_app.security.access import local_date
from trefas_app.services import cases, notes, persons, users
from trefas_app.store import models as m
from trefas_app.store.store import unlock

PW = "Matris-orakel-lösen-9"
ALL = tuple(Category)

# name: (unit code, role, agency)
USERS = {
    "sw_team": ("U1", Role.SOCIAL_WORKER, Agency.CITY),
    "sw_out": ("U1", Role.SOCIAL_WORKER, Agency.CITY),
    "sw_u2": ("U2", Role.SOCIAL_WORKER, Agency.CITY),
    "coord_u1": ("U1", Role.COORDINATOR, Agency.CITY),
    "coord_u2": ("U2", Role.COORDINATOR, Agency.CITY),
    "sup_city": ("U1", Role.SUPERVISOR, Agency.CITY),
    "sup_police": ("P1", Role.SUPERVISOR, Agency.POLICE),
    "pol_team": ("P1", Role.POLICE_LIAISON, Agency.POLICE),
    "pol_out": ("P1", Role.POLICE_LIAISON, Agency.POLICE),
    "pol_emerg": ("P1", Role.POLICE_LIAISON, Agency.POLICE),
    "prob_team": ("K1", Role.PROBATION_OFFICER, Agency.PROBATION),
    "admin2": ("U1", Role.ADMINISTRATOR, Agency.CITY),
}

# Consent states for the person of each case: (basis, grants, from-offset,
# until-offset, withdrawn, superseded-by-narrower-version).
POLICE_ALL = {(Agency.POLICE, c) for c in ALL}
PROBATION_ALL = {(Agency.PROBATION, c) for c in ALL}
CONSENT_STATES = {
    "none": [],
    "active_all": [("consent", POLICE_ALL | PROBATION_ALL, -10, 100, False, False)],
    "active_id_social": [("consent", {(Agency.POLICE, Category.IDENTITY),
                                      (Agency.POLICE, Category.SOCIAL)}, -10, 100, False, False)],
    "expired": [("consent", POLICE_ALL, -200, -1, False, False)],
    "withdrawn": [("consent", POLICE_ALL, -10, 100, True, False)],
    "wrong_agency": [("consent", PROBATION_ALL, -10, 100, False, False)],
    "legal_basis": [("legal", POLICE_ALL, -10, 100, False, False)],
    "superseded": [("consent", POLICE_ALL, -10, 100, False, True),
                   ("consent", {(Agency.POLICE, Category.IDENTITY)}, -5, 100, False, False)],
    "not_yet_valid": [("consent", POLICE_ALL, 5, 100, False, False)],
}


# --- the test's own record of the world --------------------------------------

@dataclass
class U:
    name: str
    id: int
    role: Role
    agency: Agency
    unit: str


@dataclass
class ConsentRec:
    grants: set
    valid_from: dt.date
    valid_until: dt.date
    withdrawn: bool
    superseded: bool


@dataclass
class PersonRec:
    id: int
    name: str
    protected: bool
    unit: str
    owner: Agency
    created_by: str
    consents: list = field(default_factory=list)
    revealed_to: set = field(default_factory=set)


@dataclass
class CaseRec:
    id: int
    number: str
    person: PersonRec
    unit: str
    owner: Agency
    team: set
    emergency_active: set
    emergency_expired: set


@dataclass
class NoteRec:
    id: int
    case: CaseRec
    category: Category
    owner: Agency


@dataclass
class World:
    root: object
    users: dict
    persons: list
    cases: list
    notes: list
    today: dt.date


# --- the oracle (DESIGN §3, read in plain words) -------------------------------


def consent_ok(w: World, p: PersonRec, agency: Agency, category: Category) -> bool:
    return any(not c.withdrawn and not c.superseded and c.valid_from <= w.today <= c.valid_until
               and (agency, category) in c.grants for c in p.consents)


def may_share(w: World, u: U, owner: Agency, p: PersonRec, category: Category) -> bool:
    return owner == u.agency or consent_ok(w, p, u.agency, category)


def in_scope(w: World, u: U, c: CaseRec) -> bool:
    team_agencies = {w.users[n].agency for n in c.team}
    return (u.name in c.team
            or (u.role == Role.COORDINATOR and u.unit == c.unit)
            or (u.role == Role.SUPERVISOR and (u.agency == c.owner or u.agency in team_agencies))
            or u.name in c.emergency_active)


def oracle_case(w: World, u: U, c: CaseRec) -> bool:
    if u.role == Role.ADMINISTRATOR:
        return False
    return in_scope(w, u, c) and may_share(w, u, c.owner, c.person, Category.IDENTITY)


def oracle_note(w: World, u: U, n: NoteRec) -> bool:
    p = n.case.person
    if not oracle_case(w, u, n.case):
        return False
    if not may_share(w, u, n.owner, p, n.category):
        return False
    if n.category == Category.LOCATION and p.protected and u.name not in p.revealed_to:
        return False
    return True


def oracle_person(w: World, u: U, p: PersonRec) -> bool:
    if u.role == Role.ADMINISTRATOR:
        return False
    own = p.owner == u.agency and (p.created_by == u.name
                                   or (u.role == Role.COORDINATOR and p.unit == u.unit)
                                   or u.role == Role.SUPERVISOR)
    return own or any(oracle_case(w, u, c) for c in w.cases if c.person is p)


def oracle_display(w: World, u: U, p: PersonRec) -> tuple[bool, bool]:
    """(real name shown, address shown)."""
    unmasked = not p.protected or u.name in p.revealed_to
    return (unmasked and may_share(w, u, p.owner, p, Category.IDENTITY),
            unmasked and may_share(w, u, p.owner, p, Category.LOCATION))


# --- arrange -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from trefas_app.store.keyslots import TEST_KDF
    from trefas_app.store.store import create_store

    root = tmp_path_factory.mktemp("matrix") / "store"
    created = create_store(root, admin_username="admin", admin_display_name="Admin",
                           admin_password=PW, kdf=TEST_KDF)
    store = created.store
    admin = store.actor
    units = {}
    for code, agency in (("U1", Agency.CITY), ("U2", Agency.CITY), ("P1", Agency.POLICE),
                         ("K1", Agency.PROBATION)):
        units[code] = users.add_unit(store.uow(), admin, agency, code, f"Enhet {code}").id
    recs = {}
    for name, (unit, role, agency) in USERS.items():
        v = enrolled_user(store.uow(), admin, users.UserInput(
            name.replace("_", "-"), name, role, agency, units[unit], PW))
        recs[name] = U(name, v.id, role, agency, unit)

    now = clock.now_utc()
    today = local_date(now)
    w = World(root, recs, [], [], [], today)
    with Session(store.engine) as s:
        n = 0
        for state, protected, unit in itertools.product(CONSENT_STATES, (False, True),
                                                        ("U1", "U2")):
            n += 1
            creator = "sw_team" if unit == "U1" else "sw_u2"
            person = m.Person(first_name=f"Förnamn{n}", last_name=f"Efternamn{n}",
                              address=f"Gatan {n}", search_name=f"förnamn{n} efternamn{n}",
                              protection_level=(ProtectionLevel.PROTECTED_REGISTRATION
                                                if protected else ProtectionLevel.NONE),
                              owner_agency=Agency.CITY, unit_id=units[unit], created_at=now,
                              created_by_id=recs[creator].id)
            s.add(person)
            s.flush()
            prec = PersonRec(person.id, f"Förnamn{n} Efternamn{n}", protected, unit,
                             Agency.CITY, creator)
            for basis, grants, f_off, u_off, withdrawn, superseded in CONSENT_STATES[state]:
                c = m.Consent(person_id=person.id, basis=ConsentBasis(
                                  "legal_basis" if basis == "legal" else "consent"),
                              legal_reference="OSL 10 kap. 18 a §" if basis == "legal" else None,
                              purpose="Test", form=ConsentForm.WRITTEN, given_by="Personen",
                              obtained_by_id=recs["sw_team"].id, owner_agency=Agency.CITY,
                              valid_from=today + dt.timedelta(days=f_off),
                              valid_until=today + dt.timedelta(days=u_off),
                              withdrawn_at=now if withdrawn else None, superseded=superseded,
                              created_at=now)
                c.grants = [m.ConsentGrant(agency=a, category=cat) for a, cat in grants]
                s.add(c)
                prec.consents.append(ConsentRec(set(grants), c.valid_from, c.valid_until,
                                                withdrawn, superseded))
            if protected and state in ("active_all", "none"):
                s.add(m.IdentityReveal(user_id=recs["sw_team"].id, person_id=person.id,
                                       reason="Behöver kontakta", granted_at=now,
                                       expires_at=now + dt.timedelta(hours=1)))
                prec.revealed_to.add("sw_team")
                if state == "active_all":
                    s.add(m.IdentityReveal(user_id=recs["pol_team"].id, person_id=person.id,
                                           reason="Behöver kontakta", granted_at=now,
                                           expires_at=now + dt.timedelta(hours=1)))
                    prec.revealed_to.add("pol_team")
            team = {"sw_team", "pol_team", "prob_team"} if unit == "U1" else {"sw_u2"}
            case = m.Case(number=f"K-T-{n:05d}", person_id=person.id, unit_id=units[unit],
                          owner_agency=Agency.CITY, state=CaseState.ACTIVE, title=f"Ärende {n}",
                          opened_at=now, last_entry_at=now, created_at=now)
            s.add(case)
            s.flush()
            for member in team:
                s.add(m.TeamMember(case_id=case.id, user_id=recs[member].id, added_at=now))
            active, expired = set(), set()
            if n % 2:
                active.add("pol_emerg")
            else:
                expired.add("pol_emerg")
            for name in active | expired:
                s.add(m.EmergencyAccess(user_id=recs[name].id, case_id=case.id, reason="Akut",
                                        granted_at=now - dt.timedelta(hours=5),
                                        expires_at=now + dt.timedelta(
                                            hours=1 if name in active else -1)))
            crec = CaseRec(case.id, case.number, prec, unit, Agency.CITY, team, active, expired)
            authors = [("sw_team", Agency.CITY), ("pol_team", Agency.POLICE)] if unit == "U1" \
                else [("sw_u2", Agency.CITY)]
            for author, owner in authors:
                for category in ALL:
                    note = m.Note(case_id=case.id, person_id=person.id, owner_agency=owner,
                                  category=category, title=f"{category.value}", body="Text",
                                  state=NoteState.SIGNED, author_id=recs[author].id,
                                  signed_at=now, signed_by_id=recs[author].id, created_at=now)
                    s.add(note)
                    s.flush()
                    w.notes.append(NoteRec(note.id, crec, category, owner))
            w.persons.append(prec)
            w.cases.append(crec)
        s.commit()
    store.close()
    sessions = {name: unlock(root, name.replace("_", "-"), PW) for name in USERS}
    yield w, sessions
    for sess in sessions.values():
        sess.close()


def _user_ids():
    return list(USERS)


@dataclass
class Matrix:
    """The world as the suite reads it on one store: each user's own open
    session, and the store's whole access log (read past the rule, to see
    what was logged). tests/integration/test_access_matrix_both_stores.py
    gives the same suite a server."""

    world: World
    sessions: dict
    log_engine: object

    def refusals(self, username: str) -> set[tuple]:
        """(subject kind, subject id, attempted) of ``username``'s logged refusals."""
        import json

        ev = m.AuditEvent
        with Session(self.log_engine) as s:
            rows = s.execute(select(ev.subject_kind, ev.subject_id, ev.detail).where(
                ev.username == username, ev.action == "access.denied")).all()
        return {(kind, subject, json.loads(detail or "{}").get("attempted"))
                for kind, subject, detail in rows}


@pytest.fixture(scope="module", params=["sqlite"])
def matrix(request, world):
    """The local store (the same suite runs on a server in
    test_access_matrix_both_stores.py)."""
    w, sessions = world
    return Matrix(w, sessions, next(iter(sessions.values())).engine)


# --- act and assert ---------------------------------------------------------------------


@pytest.mark.parametrize("user", _user_ids())
def test_case_list_count_and_single_reads_match_oracle(matrix, user):
    w, sessions = matrix.world, matrix.sessions
    st, u = sessions[user], w.users[user]
    expected = {c.id for c in w.cases if oracle_case(w, u, c)}
    if u.role == Role.ADMINISTRATOR:
        with pytest.raises(AccessDenied):
            cases.list_cases(st.uow(), st.actor)
    else:
        page = cases.list_cases(st.uow(), st.actor, limit=1000)
        assert {r.id for r in page.rows} == expected
        assert page.total == len(expected)
        not_shared = sum(1 for c in w.cases if in_scope(w, u, c) and c.id not in expected)
        assert page.hidden == ({Category.IDENTITY: not_shared} if not_shared else {})
        mine = cases.list_cases(st.uow(), st.actor, cases.CaseFilter(mine_only=True), limit=1000)
        assert {r.id for r in mine.rows} == {c.id for c in w.cases
                                             if c.id in expected and u.name in c.team}
        assert mine.hidden == page.hidden
        # Narrowed by state (every case is active) and by person, the hidden
        # figure is narrowed the same way.
        active = cases.list_cases(st.uow(), st.actor, cases.CaseFilter(
            states=(CaseState.ACTIVE, CaseState.OPEN)), limit=1000)
        assert ({r.id for r in active.rows}, active.hidden) == (expected, page.hidden)
        closed = cases.list_cases(st.uow(), st.actor, cases.CaseFilter(
            states=(CaseState.CLOSED,)))
        assert (closed.rows, closed.hidden) == ((), {})
        for c in w.cases[::9]:
            one = cases.count_cases(st.uow(), st.actor, cases.CaseFilter(person_id=c.person.id))
            hidden_here = in_scope(w, u, c) and c.id not in expected
            assert (one.total, one.hidden) == (int(c.id in expected),
                                               {Category.IDENTITY: 1} if hidden_here else {})
    for c in w.cases:
        if c.id in expected:
            assert cases.get_case(st.uow(), st.actor, c.id).id == c.id
        else:
            with pytest.raises(AccessDenied):
                cases.get_case(st.uow(), st.actor, c.id)
    # Every refusal is on record, under the user's name and the record's id
    # (an administrator's session holds no key to case content at all).
    if u.role != Role.ADMINISTRATOR:
        refused = {("case", str(c.id), "case.read") for c in w.cases if c.id not in expected}
        assert refused <= matrix.refusals(st.actor.username)


@pytest.mark.parametrize("user", _user_ids())
def test_case_count_uncounted_pages_and_search_match_oracle(matrix, user):
    """The window's way of reading the case list: pages without a count, the
    count on its own, and search by name and case number."""
    w, sessions = matrix.world, matrix.sessions
    st, u = sessions[user], w.users[user]
    if u.role == Role.ADMINISTRATOR:
        with pytest.raises(AccessDenied):
            cases.count_cases(st.uow(), st.actor)
        return
    expected = {c.id for c in w.cases if oracle_case(w, u, c)}
    full = cases.list_cases(st.uow(), st.actor, limit=1000)
    count = cases.count_cases(st.uow(), st.actor)
    assert (count.total, count.hidden) == (len(expected), full.hidden)
    seen: list[int] = []
    while True:
        page = cases.list_cases(st.uow(), st.actor, offset=len(seen), limit=7, count=False)
        assert page.total is None
        seen += [r.id for r in page.rows]
        if not page.more:
            break
    assert len(seen) == len(set(seen)) and set(seen) == expected
    # The window's deep pages: by keyset after the last row, the same rows in
    # the same order, in every sort order.
    for sort, descending in (("last_entry", True), ("number", False), ("state", False)):
        filt = cases.CaseFilter(sort=sort, descending=descending)
        by_offset = [r.id for r in cases.list_cases(st.uow(), st.actor, filt, limit=1000).rows]
        assert keyset_walk(lambda after, filt=filt: cases.list_cases(
            st.uow(), st.actor, filt, limit=7, count=False, after=after)) == by_offset
    for c in w.cases:
        visible = c.id in expected
        name_shown = visible and oracle_display(w, u, c.person)[0]
        by_name = cases.list_cases(st.uow(), st.actor,
                                   cases.CaseFilter(query=c.person.name.split()[1]))
        assert (c.id in {r.id for r in by_name.rows}) is name_shown, (user, c.id)
        assert cases.count_cases(st.uow(), st.actor, cases.CaseFilter(
            query=c.person.name.split()[1])).total == by_name.total
        by_number = cases.list_cases(st.uow(), st.actor, cases.CaseFilter(query=c.number))
        assert [r.id for r in by_number.rows] == ([c.id] if visible else []), (user, c.id)


@pytest.mark.parametrize("user", _user_ids())
def test_notes_lists_counts_hidden_and_single_reads_match_oracle(matrix, user):
    w, sessions = matrix.world, matrix.sessions
    st, u = sessions[user], w.users[user]
    checked = 0
    refusals: set = set()
    for c in w.cases:
        case_notes = [n for n in w.notes if n.case is c]
        expected = {n.id for n in case_notes if oracle_note(w, u, n)}
        if not oracle_case(w, u, c):
            assert not expected
            with pytest.raises(AccessDenied):
                notes.list_notes(st.uow(), st.actor, c.id)
        else:
            page = notes.list_notes(st.uow(), st.actor, c.id, limit=500)
            assert {n.id for n in page.rows} == expected, (user, c.id)
            assert page.total == len(expected)
            hidden: dict = {}
            for n in case_notes:
                if n.id not in expected:
                    hidden[n.category] = hidden.get(n.category, 0) + 1
            assert page.hidden == hidden, (user, c.id)
        # single reads: one shown and one hidden note per case where they exist
        shown = [n for n in case_notes if n.id in expected][:1]
        refused = [n for n in case_notes if n.id not in expected][:1]
        for n in shown:
            assert notes.get_note(st.uow(), st.actor, n.id).id == n.id
        for n in refused:
            with pytest.raises(AccessDenied):
                notes.get_note(st.uow(), st.actor, n.id)
            refusals.add(("note", str(n.id), "note.read"))
        checked += len(case_notes)
    assert checked == len(w.notes)
    if u.role != Role.ADMINISTRATOR:
        assert refusals <= matrix.refusals(st.actor.username)


@pytest.mark.parametrize("user", _user_ids())
def test_persons_list_search_and_masking_match_oracle(matrix, user):
    w, sessions = matrix.world, matrix.sessions
    st, u = sessions[user], w.users[user]
    expected = {p.id for p in w.persons if oracle_person(w, u, p)}
    if u.role == Role.ADMINISTRATOR:
        with pytest.raises(AccessDenied):
            persons.list_persons(st.uow(), st.actor)
        return
    page = persons.list_persons(st.uow(), st.actor, limit=1000)
    assert {r.id for r in page.rows} == expected
    assert page.total == len(expected)
    refused = {("person", str(p.id), "person.read") for p in w.persons if p.id not in expected}
    for p in w.persons:
        if p.id not in expected:
            with pytest.raises(AccessDenied):
                persons.get_person(st.uow(), st.actor, p.id)
            continue
        view = persons.get_person(st.uow(), st.actor, p.id)
        name_shown, address_shown = oracle_display(w, u, p)
        assert (view.display_name == p.name) is name_shown, (user, p.id)
        assert (view.address is not None) is address_shown, (user, p.id)
        if not name_shown:
            assert p.name not in repr(view)
        # Search by the real name finds the person only where the name is shown.
        hits = {r.id for r in persons.list_persons(st.uow(), st.actor, p.name.split()[1]).rows}
        assert (p.id in hits) is name_shown, (user, p.id)
        # Search by alias always finds a visible protected person.
        if p.protected:
            alias_hits = persons.list_persons(st.uow(), st.actor, f"P-{p.id:04d}").rows
            assert [r.id for r in alias_hits] == [p.id]
    assert refused <= matrix.refusals(st.actor.username)


@pytest.mark.parametrize("user", _user_ids())
def test_person_pages_count_and_order(matrix, user):
    """The person screen's way: pages without a count, then count_persons.
    Order: names A–Ö, then protected persons by id (never by their name)."""
    w, sessions = matrix.world, matrix.sessions
    st, u = sessions[user], w.users[user]
    if u.role == Role.ADMINISTRATOR:
        with pytest.raises(AccessDenied):
            persons.count_persons(st.uow(), st.actor)
        return
    expected = {p.id for p in w.persons if oracle_person(w, u, p)}
    rows: list = []
    while True:
        page = persons.list_persons(st.uow(), st.actor, offset=len(rows), limit=5, count=False)
        assert page.total is None
        rows += page.rows
        if not page.more:
            break
    def order(i):
        p = w_person(w, i)
        name = "" if p.protected else p.name.casefold()
        return p.protected, collation.sort_key(name), name, i

    assert [r.id for r in rows] == sorted((r.id for r in rows), key=order)
    assert {r.id for r in rows} == expected and len(rows) == len(expected)
    assert persons.count_persons(st.uow(), st.actor).total == len(expected)
    assert keyset_walk(lambda after: persons.list_persons(
        st.uow(), st.actor, limit=5, count=False, after=after)) == [r.id for r in rows]


def keyset_walk(page_after) -> list[int]:
    """Every row id of a list read page by page with ``after=`` the last id."""
    ids: list[int] = []
    while True:
        page = page_after(ids[-1] if ids else None)
        ids += [r.id for r in page.rows]
        if not page.more:
            return ids


@pytest.mark.parametrize("user", _user_ids())
def test_short_and_long_name_searches_match_oracle(matrix, user):
    """One and two letters (the covering-index scan) and three or more (the
    trigram index) find exactly the persons and cases whose name the user
    may see and that contain the text; protected persons never by name."""
    w, sessions = matrix.world, matrix.sessions
    st, u = sessions[user], w.users[user]
    if u.role == Role.ADMINISTRATOR:
        return
    for text in ("a", "an", "ss", "e", "ber", "son", "lin"):
        shown = {p.id for p in w.persons
                 if oracle_person(w, u, p) and oracle_display(w, u, p)[0]
                 and text in p.name.casefold()}
        found = {r.id for r in persons.list_persons(st.uow(), st.actor, text, limit=1000).rows}
        assert found == shown, (user, text)
        assert persons.count_persons(st.uow(), st.actor, text).total == len(shown)
        cases_shown = {c.id for c in w.cases if oracle_case(w, u, c) and c.person.id in shown}
        hits = cases.list_cases(st.uow(), st.actor, cases.CaseFilter(query=text), limit=1000)
        assert {r.id for r in hits.rows} == cases_shown, (user, text)


def w_person(w, person_id: int) -> PersonRec:
    return next(p for p in w.persons if p.id == person_id)


def test_matrix_is_large_enough(world):
    w, _ = world
    combos = len(USERS) * len(w.notes)
    assert combos >= 3500  # 12 users × 324 notes
    assert len({(c.person.protected, c.unit) for c in w.cases}) == 4
