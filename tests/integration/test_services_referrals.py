"""SIG referrals through the real services on a real store: the lifecycle,
who may refer and who may decide, and what the access rule lets each see."""

from __future__ import annotations

import datetime as dt
import json

from stores import build_staff
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from trefas_app.domain import clock
from trefas_app.domain.enums import Agency, Category, ReferralClosure, ReferralState, Role
from trefas_app.domain.errors import AccessDenied, Conflict, IllegalTransition, ValidationError
from trefas_app.services import cases, consents, persons, referrals
from trefas_app.store import models as m
from trefas_app.store.store import unlock

PW = "Granskog-och-hav-42"
USERS = (("sara", Role.SOCIAL_WORKER, Agency.CITY), ("olle", Role.SOCIAL_WORKER, Agency.CITY),
         ("petra", Role.POLICE_LIAISON, Agency.POLICE),
         ("kim", Role.PROBATION_OFFICER, Agency.PROBATION),
         ("stina", Role.SUPERVISOR, Agency.CITY))


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
    root = tmp_path_factory.mktemp("ref") / "store"
    store_templates.copy(build_world, root)
    sessions = {name: unlock(root, name, PW) for name, _, _ in USERS}
    yield sessions
    for s in sessions.values():
        s.close()


def new_case(world, *team: str, grants: set[tuple[Agency, Category]] = frozenset()):
    sara = world["sara"]
    p = persons.create_person(sara.uow(), sara.actor, persons.PersonInput("Amir", "Haddad"))
    case = cases.open_case(sara.uow(), sara.actor, p.id, "SIG")
    for name in team:
        cases.add_team_member(sara.uow(), sara.actor, case.id, world[name].actor.user_id)
    if grants:
        today = clock.today()
        consents.record_consent(sara.uow(), sara.actor, consents.ConsentInput(
            person_id=p.id, purpose="SIG", valid_from=today,
            valid_until=today + dt.timedelta(days=180), grants=frozenset(grants)))
    return case


def state_changes(store, referral_id):
    with Session(store.engine) as s:
        return [(c.from_state, c.to_state, c.reason) for c in s.scalars(
            select(m.StateChange).where(m.StateChange.entity == "referral",
                                        m.StateChange.entity_id == referral_id)
            .order_by(m.StateChange.id))]


def test_lifecycle_allowed_and_refused(world):
    sara = world["sara"]
    case = new_case(world)
    r = referrals.create_referral(sara.uow(), sara.actor, case.id, "Oro från skolan",
                                  Agency.POLICE)
    assert r.state == ReferralState.RECEIVED and r.source_agency == Agency.POLICE
    assert r.owner_agency == Agency.CITY and r.case_number == case.number
    assert r.next_states == (ReferralState.INITIAL_ASSESSMENT, ReferralState.CLOSED)

    # Skipping the consent step is refused with a message naming both states.
    with pytest.raises(IllegalTransition) as err:
        referrals.move_referral(sara.uow(), sara.actor, r.id, ReferralState.GRANTED, None, None)
    assert "Aktualiserad" in err.value.sv and "Beviljad" in err.value.sv

    for st in (ReferralState.INITIAL_ASSESSMENT, ReferralState.CONSENT):
        r = referrals.move_referral(sara.uow(), sara.actor, r.id, st, None, None)
    assert r.decided_at is None
    r = referrals.move_referral(sara.uow(), sara.actor, r.id, ReferralState.GRANTED, None,
                                "Beslut i SIG-gruppen")
    assert r.decided_at is not None and r.decided_by == "Sara"
    assert r.decision_note == "Beslut i SIG-gruppen"

    # A closure reason only goes with closing; closing needs one.
    with pytest.raises(ValidationError):
        referrals.move_referral(sara.uow(), sara.actor, r.id, ReferralState.MAPPING,
                                ReferralClosure.OTHER, None)
    with pytest.raises(ValidationError) as err:
        referrals.move_referral(sara.uow(), sara.actor, r.id, ReferralState.CLOSED, None, None)
    assert "orsak" in err.value.sv
    r = referrals.move_referral(sara.uow(), sara.actor, r.id, ReferralState.CLOSED,
                                ReferralClosure.MOVED, None)
    assert r.state == ReferralState.CLOSED and r.closure == ReferralClosure.MOVED
    assert r.closed_at is not None and r.next_states == ()
    with pytest.raises(IllegalTransition):
        referrals.move_referral(sara.uow(), sara.actor, r.id, ReferralState.MAPPING, None, None)

    assert state_changes(sara, r.id) == [
        (None, "received", None), ("received", "initial_assessment", None),
        ("initial_assessment", "consent", None),
        ("consent", "granted", "Beslut i SIG-gruppen"), ("granted", "closed", "moved")]
    # The state read back by another call agrees.
    assert referrals.get_referral(sara.uow(), sara.actor, r.id).state == ReferralState.CLOSED


def test_declined_is_a_decision_and_can_only_close(world):
    sara = world["sara"]
    case = new_case(world)
    r = referrals.create_referral(sara.uow(), sara.actor, case.id, "Oro", Agency.CITY)
    for st in (ReferralState.INITIAL_ASSESSMENT, ReferralState.CONSENT, ReferralState.DECLINED):
        r = referrals.move_referral(sara.uow(), sara.actor, r.id, st, None, None)
    assert r.decided_by == "Sara" and r.decided_at is not None
    assert r.next_states == (ReferralState.CLOSED,)
    with pytest.raises(IllegalTransition):
        referrals.move_referral(sara.uow(), sara.actor, r.id, ReferralState.MAPPING, None, None)


def test_police_may_refer_but_not_decide(world):
    sara, petra, kim = world["sara"], world["petra"], world["kim"]
    both = {(Agency.POLICE, Category.IDENTITY), (Agency.POLICE, Category.SOCIAL)}
    case = new_case(world, "petra", grants=both)
    r = referrals.create_referral(petra.uow(), petra.actor, case.id, "Syns med gänget",
                                  Agency.POLICE)
    assert r.owner_agency == Agency.CITY and r.created_by == "Petra"
    assert r.next_states == ()  # police do not run SIG
    # Social services see and work the police's referral.
    assert referrals.get_referral(sara.uow(), sara.actor, r.id).reason == "Syns med gänget"
    with pytest.raises(AccessDenied):
        referrals.move_referral(petra.uow(), petra.actor, r.id,
                                ReferralState.INITIAL_ASSESSMENT, None, None)
    assert referrals.move_referral(sara.uow(), sara.actor, r.id,
                                   ReferralState.INITIAL_ASSESSMENT, None, None).state \
        == ReferralState.INITIAL_ASSESSMENT
    # Police refer on their own behalf only.
    with pytest.raises(ValidationError):
        referrals.create_referral(petra.uow(), petra.actor, case.id, "x", Agency.PROBATION)
    # Probation is not on the team: no write scope, however the consent reads.
    with pytest.raises(AccessDenied):
        referrals.create_referral(kim.uow(), kim.actor, case.id, "x", Agency.PROBATION)


def test_police_without_consent_cannot_refer(world):
    petra = world["petra"]
    case = new_case(world, "petra")
    with pytest.raises(AccessDenied):
        referrals.create_referral(petra.uow(), petra.actor, case.id, "x", Agency.POLICE)


def test_list_shows_visible_and_counts_hidden(world):
    sara, petra, olle = world["sara"], world["petra"], world["olle"]
    case = new_case(world, "petra", grants={(Agency.POLICE, Category.IDENTITY)})
    for text in ("Första", "Andra"):
        referrals.create_referral(sara.uow(), sara.actor, case.id, text, Agency.CITY)

    page = referrals.list_referrals(sara.uow(), sara.actor, case_id=case.id)
    assert page.total == 2 and page.hidden == {}
    assert {row.case_number for row in page.rows} == {case.number}
    assert all(row.person_name == "Amir Haddad" for row in page.rows)

    # Police see the case (identity) but not social data: nothing listed, two counted.
    page = referrals.list_referrals(petra.uow(), petra.actor, case_id=case.id)
    assert page.rows == () and page.total == 0
    assert page.hidden == {Category.SOCIAL: 2}
    with pytest.raises(AccessDenied):
        referrals.get_referral(petra.uow(), petra.actor, page_first_id(sara, case.id))

    # Another social worker outside the case cannot list it at all.
    with pytest.raises(AccessDenied):
        referrals.list_referrals(olle.uow(), olle.actor, case_id=case.id)
    assert all(row.case_id != case.id
               for row in referrals.list_referrals(olle.uow(), olle.actor).rows)

    # State filter, across all cases.
    only_received = referrals.list_referrals(sara.uow(), sara.actor,
                                             states=(ReferralState.RECEIVED,))
    assert {r.case_id for r in only_received.rows} >= {case.id}
    assert all(r.state == ReferralState.RECEIVED for r in only_received.rows)
    assert referrals.list_referrals(sara.uow(), sara.actor, case_id=case.id,
                                    states=(ReferralState.CLOSED,)).total == 0


def page_first_id(actor_store, case_id):
    return referrals.list_referrals(actor_store.uow(), actor_store.actor,
                                    case_id=case_id).rows[0].id


def test_closed_case_takes_no_referral_and_log_holds_no_text(world):
    sara = world["sara"]
    case = new_case(world)
    r = referrals.create_referral(sara.uow(), sara.actor, case.id, "Hemlig orsak 123",
                                  Agency.CITY)
    with Session(sara.engine) as s:
        events = s.scalars(select(m.AuditEvent).where(m.AuditEvent.action == "referral.create",
                                                      m.AuditEvent.subject_id == str(r.id))).all()
    assert len(events) == 1
    assert "Hemlig" not in (events[0].detail or "") and events[0].case_id == case.id
    assert json.loads(events[0].detail) == {"source": "city"}

    with pytest.raises(ValidationError):
        referrals.create_referral(sara.uow(), sara.actor, case.id, "   ", Agency.CITY)
    cases.move_case(sara.uow(), sara.actor, case.id, "closure_requested", "Klart")
    stina = world["stina"]
    cases.move_case(stina.uow(), stina.actor, case.id, "closed")
    with pytest.raises(Conflict):
        referrals.create_referral(sara.uow(), sara.actor, case.id, "Ny", Agency.CITY)
    with pytest.raises(Conflict):
        referrals.move_referral(sara.uow(), sara.actor, r.id, ReferralState.INITIAL_ASSESSMENT,
                                None, None)
    assert referrals.get_referral(sara.uow(), sara.actor, r.id).next_states == ()
