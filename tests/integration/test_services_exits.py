"""The exit programme through the real services: the 24-hour first-contact
target, the agreement's rules (written conditions, supervisor approval,
consent covering every agency), and threat / measure / support records each
filtered by the access rule as their own kind."""

from __future__ import annotations

import datetime as dt

from stores import build_staff
import pytest

from trefas_app.domain import clock
from trefas_app.domain.enums import (
    Agency,
    Category,
    ConsentBasis,
    ExitEnding,
    ExitState,
    MeasureKind,
    RiskLevel,
    Role,
    SupportKind,
)
from trefas_app.domain.errors import (
    AccessDenied,
    Conflict,
    IllegalTransition,
    ValidationError,
)
from trefas_app.services import cases, consents, exits, persons
from trefas_app.store.store import unlock
from trefas_app.store.uow import UnitOfWork, utc_now

PW = "Granskog-och-hav-42"
USERS = (("sara", Role.SOCIAL_WORKER, Agency.CITY),
         ("petra", Role.POLICE_LIAISON, Agency.POLICE),
         ("stina", Role.SUPERVISOR, Agency.CITY))
TODAY = clock.today()
DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)
ALL_THREE = {(a, c) for a in Agency for c in (Category.IDENTITY, Category.SOCIAL,
                                              Category.THREAT)}


UNITS = ((Agency.CITY, "RK", "Rinkeby-Kista"), (Agency.POLICE, "LPO", "LPO Rinkeby"))
CODES = {agency: code for agency, code, _ in UNITS}


def build_world(root):
    """admin and USERS, each in their agency's unit."""
    return build_staff(root, UNITS, [(n, role, CODES[a]) for n, role, a in USERS],
                       admin_password=PW)


@pytest.fixture(scope="module")
def world(store_templates, tmp_path_factory):
    """One store per module (creating stores is the slow part); every test
    makes its own persons and cases."""
    root = tmp_path_factory.mktemp("exit") / "store"
    store_templates.copy(build_world, root)
    sessions = {name: unlock(root, name, PW) for name, _, _ in USERS}
    yield sessions
    for s in sessions.values():
        s.close()


def consent(world, person_id, grants, basis=ConsentBasis.CONSENT):
    sara = world["sara"]
    return consents.record_consent(sara.uow(), sara.actor, consents.ConsentInput(
        person_id=person_id, purpose="Avhopparverksamhet", valid_from=TODAY,
        valid_until=TODAY + 180 * DAY, grants=frozenset(grants), basis=basis,
        legal_reference="OSL 10 kap. 18 a §" if basis == ConsentBasis.LEGAL_BASIS else None))


def new_case(world, *team: str, grants=frozenset()):
    sara = world["sara"]
    p = persons.create_person(sara.uow(), sara.actor, persons.PersonInput("Amir", "Haddad"))
    case = cases.open_case(sara.uow(), sara.actor, p.id, "Avhopp")
    for name in team:
        cases.add_team_member(sara.uow(), sara.actor, case.id, world[name].actor.user_id)
    if grants:
        consent(world, p.id, grants)
    return case


def at_intake(world, case):
    sara = world["sara"]
    ep = exits.request_exit(sara.uow(), sara.actor, case.id, "Vill lämna gänget")
    exits.record_first_contact(sara.uow(), sara.actor, ep.id)
    return exits.move_exit(sara.uow(), sara.actor, ep.id, ExitState.INTAKE)


def test_request_sets_the_24_hour_target_and_first_contact_is_checked(world):
    sara = world["sara"]
    case = new_case(world)
    two_hours_ago = UnitOfWork(sara, clock=lambda: utc_now() - 2 * HOUR)
    ep = exits.request_exit(two_hours_ago, sara.actor, case.id, "Behöver boende")
    assert ep.state == ExitState.REQUESTED and ep.needs == "Behöver boende"
    assert ep.first_contact_due - ep.requested_at == dt.timedelta(hours=24)
    assert not ep.overdue and ep.first_contact_at is None
    with pytest.raises(Conflict):  # one running programme per case
        exits.request_exit(sara.uow(), sara.actor, case.id)
    with pytest.raises(IllegalTransition):
        exits.move_exit(sara.uow(), sara.actor, ep.id, ExitState.INTAKE)
    with pytest.raises(ValidationError, match="future"):
        exits.record_first_contact(sara.uow(), sara.actor, ep.id, utc_now() + HOUR)
    with pytest.raises(ValidationError, match="before the request"):
        exits.record_first_contact(sara.uow(), sara.actor, ep.id, ep.requested_at - HOUR)
    with pytest.raises(ValidationError):  # a time without zone is ambiguous
        exits.record_first_contact(sara.uow(), sara.actor, ep.id, clock.now_utc().replace(tzinfo=None))
    met = ep.requested_at + HOUR
    ep = exits.record_first_contact(sara.uow(), sara.actor, ep.id, met)
    assert ep.state == ExitState.FIRST_CONTACT and ep.first_contact_at == met
    with pytest.raises(IllegalTransition):
        exits.record_first_contact(sara.uow(), sara.actor, ep.id)


def test_overdue_first_contact_with_injected_clock(world):
    sara = world["sara"]
    t0 = utc_now()

    def uow_at(delta):
        return UnitOfWork(sara, clock=lambda: t0 + delta)

    late = exits.request_exit(uow_at(dt.timedelta(0)), sara.actor, new_case(world).id)
    met = exits.request_exit(uow_at(dt.timedelta(0)), sara.actor, new_case(world).id)
    assert late.first_contact_due == t0 + dt.timedelta(hours=24)

    def rows(delta, **kw):
        page = exits.list_exits(uow_at(delta), sara.actor, **kw)
        return {r.id: r for r in page.rows if r.id in (late.id, met.id)}

    at_23h = rows(23 * HOUR)
    assert not at_23h[late.id].overdue and not at_23h[met.id].overdue
    exits.record_first_contact(uow_at(23 * HOUR), sara.actor, met.id, t0 + 22 * HOUR)

    at_25h = rows(25 * HOUR)
    assert at_25h[late.id].overdue  # 24 hours passed without first contact
    assert not at_25h[met.id].overdue and at_25h[met.id].state == ExitState.FIRST_CONTACT
    waiting = rows(25 * HOUR, waiting_first_contact=True)
    assert list(waiting) == [late.id] and waiting[late.id].overdue
    assert exits.get_exit(uow_at(25 * HOUR), sara.actor, late.id).overdue
    assert not exits.get_exit(uow_at(23 * HOUR), sara.actor, late.id).overdue
    only_contacted = rows(25 * HOUR, states=(ExitState.FIRST_CONTACT,))
    assert list(only_contacted) == [met.id]

    # A late first contact is recorded; the programme is no longer overdue.
    exits.record_first_contact(uow_at(26 * HOUR), sara.actor, late.id, t0 + 26 * HOUR)
    assert not rows(27 * HOUR)[late.id].overdue
    assert rows(27 * HOUR, waiting_first_contact=True) == {}


def test_agreement_needs_conditions_approval_and_all_agency_consent(world):
    sara, stina = world["sara"], world["stina"]
    case = new_case(world)
    ep = at_intake(world, case)
    with pytest.raises(ValidationError, match="conditions"):
        exits.move_exit(sara.uow(), sara.actor, ep.id, ExitState.AGREEMENT)
    ep = exits.set_agreement(sara.uow(), sara.actor, ep.id, "Inga kontakter med gänget",
                             TODAY)
    ep = exits.move_exit(sara.uow(), sara.actor, ep.id, ExitState.AGREEMENT)
    assert ep.state == ExitState.AGREEMENT and ep.agreement_approved_at is None

    # No supervisor approval yet.
    with pytest.raises(ValidationError) as err:
        exits.move_exit(sara.uow(), sara.actor, ep.id, ExitState.PROTECTION_SUPPORT)
    assert "enhetschef" in err.value.sv
    with pytest.raises(AccessDenied):
        exits.approve_agreement(sara.uow(), sara.actor, ep.id)
    ep = exits.approve_agreement(stina.uow(), stina.actor, ep.id)
    assert ep.agreement_approved_by == "Stina" and ep.agreement_approved_at is not None
    with pytest.raises(Conflict):
        exits.approve_agreement(stina.uow(), stina.actor, ep.id)

    # Approved, but the consent covers only social services and the police's identity.
    consent(world, case.person.id, {(Agency.CITY, c) for c in Category}
            | {(Agency.POLICE, Category.IDENTITY)})
    with pytest.raises(ValidationError) as err:
        exits.move_exit(sara.uow(), sara.actor, ep.id, ExitState.PROTECTION_SUPPORT)
    msg = err.value.sv
    assert "Polisen (Sociala uppgifter, Hot- och riskuppgifter)" in msg
    assert ("Kriminalvården (Identitetsuppgifter, Sociala uppgifter, Hot- och riskuppgifter)"
            in msg)
    assert "Socialtjänsten" not in msg and "Police" in err.value.en
    assert exits.get_exit(sara.uow(), sara.actor, ep.id).consent_missing == (
        (Agency.POLICE, Category.SOCIAL), (Agency.POLICE, Category.THREAT),
        (Agency.PROBATION, Category.IDENTITY), (Agency.PROBATION, Category.SOCIAL),
        (Agency.PROBATION, Category.THREAT))

    # A recorded legal basis is not the person's consent to the programme.
    consent(world, case.person.id, ALL_THREE, basis=ConsentBasis.LEGAL_BASIS)
    with pytest.raises(ValidationError, match="Probation service"):
        exits.move_exit(sara.uow(), sara.actor, ep.id, ExitState.PROTECTION_SUPPORT)

    # Consent for the rest, in a second consent: together they cover everything.
    consent(world, case.person.id, ALL_THREE - {(Agency.CITY, c) for c in Category})
    ep = exits.move_exit(sara.uow(), sara.actor, ep.id, ExitState.PROTECTION_SUPPORT)
    assert ep.state == ExitState.PROTECTION_SUPPORT and ep.consent_missing == ()
    ep = exits.move_exit(sara.uow(), sara.actor, ep.id, ExitState.FOLLOW_UP)
    with pytest.raises(ValidationError, match="give a reason"):
        exits.move_exit(sara.uow(), sara.actor, ep.id, ExitState.ENDED)
    ep = exits.move_exit(sara.uow(), sara.actor, ep.id, ExitState.ENDED, ExitEnding.THREAT_GONE)
    assert ep.state == ExitState.ENDED and ep.ending == ExitEnding.THREAT_GONE
    assert ep.ended_at is not None and ep.next_states == ()
    with pytest.raises(IllegalTransition):
        exits.move_exit(sara.uow(), sara.actor, ep.id, ExitState.FOLLOW_UP)
    # Ended: a new request in the same case is possible again.
    assert exits.request_exit(sara.uow(), sara.actor, case.id).state == ExitState.REQUESTED


def test_withdrawn_consent_stops_protection_support_again(world):
    sara, stina = world["sara"], world["stina"]
    case = new_case(world)
    c = consent(world, case.person.id, ALL_THREE)
    ep = at_intake(world, case)
    exits.set_agreement(sara.uow(), sara.actor, ep.id, "Villkor", TODAY)
    exits.move_exit(sara.uow(), sara.actor, ep.id, ExitState.AGREEMENT)
    exits.approve_agreement(stina.uow(), stina.actor, ep.id)
    # Changing the approved agreement withdraws the approval.
    ep = exits.set_agreement(sara.uow(), sara.actor, ep.id, "Nya villkor", TODAY)
    assert ep.agreement_approved_at is None
    with pytest.raises(ValidationError, match="approved by a supervisor"):
        exits.move_exit(sara.uow(), sara.actor, ep.id, ExitState.PROTECTION_SUPPORT)
    exits.approve_agreement(stina.uow(), stina.actor, ep.id)
    exits.move_exit(sara.uow(), sara.actor, ep.id, ExitState.PROTECTION_SUPPORT)
    exits.move_exit(sara.uow(), sara.actor, ep.id, ExitState.FOLLOW_UP)
    consents.withdraw_consent(sara.uow(), sara.actor, c.id, "Personen återkallade")
    with pytest.raises(ValidationError, match="consent must cover"):
        exits.move_exit(sara.uow(), sara.actor, ep.id, ExitState.PROTECTION_SUPPORT)
    with pytest.raises(Conflict):
        exits.set_agreement(sara.uow(), sara.actor, ep.id, "Sent", TODAY)


def test_police_see_the_programme_but_not_threat_data_without_consent(world):
    sara, petra = world["sara"], world["petra"]
    case = new_case(world, "petra", grants={(Agency.POLICE, Category.IDENTITY),
                                            (Agency.POLICE, Category.SOCIAL)})
    ep = at_intake(world, case)
    exits.add_threat_assessment(sara.uow(), sara.actor, case.id, ep.id, RiskLevel.RED,
                                "Hot från tidigare gäng")
    exits.add_support(sara.uow(), sara.actor, case.id, ep.id, SupportKind.TREATMENT,
                      "Öppenvård", TODAY)

    seen = exits.get_exit(petra.uow(), petra.actor, ep.id)
    assert seen.state == ExitState.INTAKE and seen.person_name == "Amir Haddad"
    assert seen.assessments == ()
    assert seen.hidden_assessments == {Category.THREAT: 1}
    assert [s.description for s in seen.support] == ["Öppenvård"] and seen.hidden_support == {}
    assert seen.next_states == () and seen.consent_missing == ()  # police do not run it
    assert any(r.id == ep.id for r in exits.list_exits(petra.uow(), petra.actor).rows)

    # The police's own assessment is theirs to see; social services' stays hidden.
    own = exits.add_threat_assessment(petra.uow(), petra.actor, case.id, ep.id,
                                      RiskLevel.YELLOW, "Polisens bedömning")
    seen = exits.get_exit(petra.uow(), petra.actor, ep.id)
    assert [a.id for a in seen.assessments] == [own.id]
    assert seen.hidden_assessments == {Category.THREAT: 1}
    # Social services see both (the police's only with consent naming the city for threat).
    full = exits.get_exit(sara.uow(), sara.actor, ep.id)
    assert [a.summary for a in full.assessments] == ["Hot från tidigare gäng"]
    assert full.hidden_assessments == {Category.THREAT: 1}

    with pytest.raises(AccessDenied):  # exit.write is social services' alone
        exits.move_exit(petra.uow(), petra.actor, ep.id, ExitState.AGREEMENT)
    with pytest.raises(AccessDenied):
        exits.add_support(petra.uow(), petra.actor, case.id, ep.id, SupportKind.DEBT, "x",
                          TODAY)

    # With threat consent the police see the social-services assessment too.
    consent(world, case.person.id, {(Agency.POLICE, Category.THREAT)})
    seen = exits.get_exit(petra.uow(), petra.actor, ep.id)
    assert len(seen.assessments) == 2 and seen.hidden_assessments == {}


def test_measures_and_support_start_and_end(world):
    sara, petra = world["sara"], world["petra"]
    case = new_case(world, "petra", grants={(Agency.POLICE, Category.IDENTITY),
                                            (Agency.POLICE, Category.SOCIAL)})
    ep = at_intake(world, case)
    kit = exits.add_measure(petra.uow(), petra.actor, case.id, None,
                            MeasureKind.POLICE_PROTECTION_KIT, "Larmpaket", TODAY)
    assert kit.owner_agency == Agency.POLICE and kit.active and kit.exit_programme_id is None
    housing = exits.add_measure(sara.uow(), sara.actor, case.id, ep.id,
                                MeasureKind.PROTECTED_HOUSING, "Skyddat boende", TODAY - DAY)
    with pytest.raises(ValidationError, match="wrong order"):
        exits.end_measure(sara.uow(), sara.actor, housing.id, TODAY - 2 * DAY)
    with pytest.raises(ValidationError, match="future"):
        exits.end_measure(sara.uow(), sara.actor, housing.id, TODAY + DAY)
    ended = exits.end_measure(sara.uow(), sara.actor, housing.id, TODAY)
    assert ended.ended_on == TODAY and not ended.active
    with pytest.raises(Conflict):
        exits.end_measure(sara.uow(), sara.actor, housing.id, TODAY)
    with pytest.raises(AccessDenied):  # the police cannot change a city measure
        exits.end_measure(petra.uow(), petra.actor, housing.id, TODAY)

    support = exits.add_support(sara.uow(), sara.actor, case.id, ep.id,
                                SupportKind.CONTACT_PERSON, "Kontaktperson", TODAY)
    assert exits.end_support(sara.uow(), sara.actor, support.id, TODAY).ended_on == TODAY
    with pytest.raises(ValidationError, match="more than a year"):
        exits.add_support(sara.uow(), sara.actor, case.id, ep.id, SupportKind.DEBT, "Skulder",
                          TODAY - 400 * DAY)

    # Attaching to a programme of another case is refused.
    other = at_intake(world, new_case(world))
    with pytest.raises(ValidationError, match="another case"):
        exits.add_threat_assessment(sara.uow(), sara.actor, case.id, other.id,
                                    RiskLevel.GREEN, "x")
    view = exits.get_exit(sara.uow(), sara.actor, ep.id)
    assert [m.id for m in view.measures] == [housing.id]  # the kit is not linked
    assert [s.id for s in view.support] == [support.id]
