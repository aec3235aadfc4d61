"""The core flow through the real services on a real SQLCipher store: a social
worker opens a case, police see exactly what consent covers."""

from __future__ import annotations

import datetime as dt

import pytest
from stores import build_sara_petra_olle

from trefas_app.domain import clock
from trefas_app.domain.enums import Agency, Category, ConsentBasis, ProtectionLevel
from trefas_app.domain.errors import AccessDenied, Conflict, ValidationError
from trefas_app.services import cases, consents, notes, persons
from trefas_app.store.store import unlock

PW = "Granskog-och-hav-42"


@pytest.fixture
def world(store_templates, tmp_path):
    root = tmp_path / "store"
    store_templates.copy(build_sara_petra_olle, root)
    sessions = {n: unlock(root, n, PW) for n in ("sara", "petra", "olle")}
    yield sessions
    for s in sessions.values():
        s.close()


def test_police_sees_exactly_what_consent_covers(world):
    sara, petra = world["sara"], world["petra"]
    p = persons.create_person(sara.uow(), sara.actor, persons.PersonInput(
        "Amir", "Haddad", personal_number="19900101-0017", address="Storgatan 1"))
    case = cases.open_case(sara.uow(), sara.actor, p.id, "Risk för våld")
    cases.add_team_member(sara.uow(), sara.actor, case.id, petra.actor.user_id)
    notes.sign_note(sara.uow(), sara.actor, notes.write_note(
        sara.uow(), sara.actor, case.id, "Samtal", "Social note", Category.SOCIAL).id)
    notes.sign_note(sara.uow(), sara.actor, notes.write_note(
        sara.uow(), sara.actor, case.id, "Hälsa", "Health note", Category.HEALTH).id)

    # No consent: the police liaison on the team cannot see the case at all.
    with pytest.raises(AccessDenied):
        cases.get_case(petra.uow(), petra.actor, case.id)
    assert cases.list_cases(petra.uow(), petra.actor).total == 0

    today = clock.today()
    c = consents.record_consent(sara.uow(), sara.actor, consents.ConsentInput(
        person_id=p.id, purpose="Samverkan SIG", valid_from=today,
        valid_until=today + dt.timedelta(days=180),
        grants=frozenset({(Agency.POLICE, Category.IDENTITY), (Agency.POLICE, Category.SOCIAL)})))
    view = cases.get_case(petra.uow(), petra.actor, case.id)
    assert view.person.display_name == "Amir Haddad"
    assert view.person.address is None  # location not covered
    page = notes.list_notes(petra.uow(), petra.actor, case.id)
    assert [n.title for n in page.rows] == ["Samtal"]
    assert page.hidden == {Category.HEALTH: 1}

    consents.withdraw_consent(sara.uow(), sara.actor, c.id, "Personen återkallade muntligt")
    with pytest.raises(AccessDenied):
        notes.list_notes(petra.uow(), petra.actor, case.id)


def test_protected_person_is_an_alias_and_not_found_by_name(world):
    sara, olle = world["sara"], world["olle"]
    p = persons.create_person(sara.uow(), sara.actor, persons.PersonInput(
        "Lina", "Berg", protection_level=ProtectionLevel.PROTECTED_REGISTRATION,
        address="Hemlig väg 3"))
    assert p.display_name == f"Skyddad person P-{p.id:04d}"
    assert p.address is None
    assert persons.list_persons(sara.uow(), sara.actor, "lina").total == 0
    assert persons.list_persons(sara.uow(), sara.actor, f"P-{p.id:04d}").total == 1
    revealed = persons.reveal_identity(sara.uow(), sara.actor, p.id, "Behöver ringa vårdnadshavare")
    assert revealed.display_name == "Lina Berg" and revealed.address == "Hemlig väg 3"
    # Olle, another social worker outside the case, cannot see her at all.
    with pytest.raises(AccessDenied):
        persons.get_person(olle.uow(), olle.actor, p.id)


def test_signed_note_never_changes(world):
    sara = world["sara"]
    p = persons.create_person(sara.uow(), sara.actor, persons.PersonInput("A", "B"))
    case = cases.open_case(sara.uow(), sara.actor, p.id, "Ärende")
    n = notes.sign_note(sara.uow(), sara.actor,
                        notes.write_note(sara.uow(), sara.actor, case.id, "T", "Text").id)
    with pytest.raises(Conflict):
        notes.update_draft(sara.uow(), sara.actor, n.id, "T2", "Ändrad")
    fix = notes.write_note(sara.uow(), sara.actor, case.id, "Rättelse", "Rätt text",
                           corrects_id=n.id)
    assert fix.corrects_id == n.id
    assert notes.get_note(sara.uow(), sara.actor, n.id).corrected_by == (fix.id,)


def test_consent_needs_end_date_in_order(world):
    sara = world["sara"]
    p = persons.create_person(sara.uow(), sara.actor, persons.PersonInput("A", "B"))
    today = clock.today()
    grants = frozenset({(Agency.POLICE, Category.SOCIAL)})
    with pytest.raises(ValidationError, match="end date"):
        consents.record_consent(sara.uow(), sara.actor, consents.ConsentInput(
            p.id, "x", today, None, grants))
    with pytest.raises(ValidationError, match="before the start"):
        consents.record_consent(sara.uow(), sara.actor, consents.ConsentInput(
            p.id, "x", today, today - dt.timedelta(days=1), grants))
