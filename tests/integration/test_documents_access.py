"""What a handover document lets out, read back from the PDF itself.

For a police recipient, every data category is tried against every consent
state (none, active, expired, withdrawn, granted to the wrong agency): a note
of that category, with a marker no other text contains, must be in the PDF
exactly when the consent allows it — in the text that pypdf and poppler's
pdftotext extract and in the embedded content the signature covers. A
protected person's real name, number, phone and address never appear; the
alias does. What is left out is named in the "Ej med i dokumentet" box by
category, never by content.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
import subprocess

import pikepdf
import pypdf
from account_setup import enrolled_user
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from trefas_app.documents.verification import ATTACHMENT_NAME
from trefas_app.domain.enums import Agency, Category, ProtectionLevel, Role
from trefas_app.domain.errors import AccessDenied
from trefas_app.domain.labels import label
from trefas_app.services import cases, consents, documents, notes, persons, users
from trefas_app.store import models as m
from trefas_app.store.keyslots import TEST_KDF
from trefas_app.store.store import create_store, unlock

PW = "Granskog-och-hav-42"
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc)

#: One marker per category; no other text in a document contains them.
MARK = {c: f"QZ{c.value.upper()}MARK{i}X" for i, c in enumerate(Category)}
STATES = ("none", "active", "expired", "withdrawn", "wrong_agency")
TESTED = (Category.LOCATION, Category.SOCIAL, Category.HEALTH, Category.CRIMINAL,
          Category.THREAT)


class Clock:
    def __init__(self, now: dt.datetime):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("docaccess") / "store"
    clock = Clock(START)
    created = create_store(root, admin_username="admin", admin_display_name="Anna Admin",
                           admin_password=PW, kdf=TEST_KDF, clock=clock)
    store = created.store
    admin = store.actor
    city = users.add_unit(store.uow(), admin, Agency.CITY, "RK", "Rinkeby-Kista")
    police = users.add_unit(store.uow(), admin, Agency.POLICE, "LPO-R", "LPO Rinkeby")
    probation = users.add_unit(store.uow(), admin, Agency.PROBATION, "KV", "Frivården Nord")
    for name, role, agency, unit in (("sara", Role.SOCIAL_WORKER, Agency.CITY, city),
                                     ("petra", Role.POLICE_LIAISON, Agency.POLICE, police),
                                     ("kim", Role.PROBATION_OFFICER, Agency.PROBATION,
                                      probation)):
        enrolled_user(store.uow(), admin, users.UserInput(name, name.title() + " Testsson",
                                                           role, agency, unit.id, PW))
    store.close()
    sessions = {n: unlock(root, n, PW, clock=clock) for n in ("sara", "petra", "kim")}
    yield clock, sessions
    for s in sessions.values():
        s.close()


def _consent(sara, person_id, grants, until_days=700, guardian=None):
    today = sara.clock().date()
    return consents.record_consent(sara.uow(), sara.actor, consents.ConsentInput(
        person_id=person_id, purpose="Samverkan kring personen", valid_from=today,
        valid_until=today + dt.timedelta(days=until_days), grants=frozenset(grants),
        guardian_name=guardian))


def _case(world, first="Testa", last="Personsson", protection=ProtectionLevel.NONE,
          **person_fields):
    """A case of Sara's with Petra on the team, a current consent naming the
    police for identity only, and one signed note per category."""
    clock, s = world
    sara, petra = s["sara"], s["petra"]
    p = persons.create_person(sara.uow(), sara.actor, persons.PersonInput(
        first, last, protection_level=protection, **person_fields))
    case = cases.open_case(sara.uow(), sara.actor, p.id, "Samverkansärende")
    cases.add_team_member(sara.uow(), sara.actor, case.id, petra.actor.user_id)
    cases.add_team_member(sara.uow(), sara.actor, case.id, s["kim"].actor.user_id)
    if protection != ProtectionLevel.NONE:
        # Location notes of a protected person are written under a reveal,
        # which has run out by the time anything is handed over.
        persons.reveal_identity(sara.uow(), sara.actor, p.id, "Skriver boendeanteckning",
                                hours=1)
    for category in Category:
        note = notes.write_note(sara.uow(), sara.actor, case.id, f"Anteckning {category.value}",
                                f"Innehåll {MARK[category]} slut.", category)
        notes.sign_note(sara.uow(), sara.actor, note.id)
    identity = _consent(sara, p.id, {(Agency.POLICE, Category.IDENTITY),
                                     (Agency.PROBATION, Category.IDENTITY)})
    clock.now += dt.timedelta(hours=2)
    return p, case, identity


def _give(world, person_id, category, state):
    """A consent for ``category`` in ``state`` (evaluated five days later)."""
    _clock, s = world
    sara = s["sara"]
    if state == "none":
        return None
    if state == "wrong_agency":
        return _consent(sara, person_id, {(Agency.PROBATION, category)})
    if state == "expired":
        return _consent(sara, person_id, {(Agency.POLICE, category)}, until_days=1)
    c = _consent(sara, person_id, {(Agency.POLICE, category)})
    if state == "withdrawn":
        consents.withdraw_consent(sara.uow(), sara.actor, c.id, "Personen återkallade muntligt")
    return c


def pdf_texts(pdf: bytes, password: str | None = None) -> list[str]:
    """The text of every page as pypdf sees it, and as poppler's pdftotext sees
    it when installed; whitespace collapsed to single spaces."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    if reader.is_encrypted:
        reader.decrypt(password)
    texts = ["\n".join(page.extract_text() or "" for page in reader.pages)]
    if shutil.which("pdftotext"):
        args = ["pdftotext", "-enc", "UTF-8"]
        if password:
            args += ["-upw", password]
        done = subprocess.run(args + ["-", "-"], input=pdf, capture_output=True, check=True)
        texts.append(done.stdout.decode("utf-8"))
    return [re.sub(r"\s+", " ", t) for t in texts]


def embedded_content(pdf: bytes) -> str:
    """The canonical document JSON that travels in the PDF (and is signed)."""
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return doc.attachments[ATTACHMENT_NAME].get_file().read_bytes().decode("utf-8")


def _rows(store, model, **where):
    with Session(store.engine) as session:
        stmt = select(model)
        for key, value in where.items():
            stmt = stmt.where(getattr(model, key) == value)
        return list(session.scalars(stmt).all())


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("category", TESTED)
def test_each_category_reaches_the_police_exactly_when_consent_allows(world, category, state):
    clock, s = world
    sara = s["sara"]
    p, case, identity = _case(world)
    given = _give(world, p.id, category, state)
    clock.now += dt.timedelta(days=5)  # the 1-day consent has now expired

    result = documents.issue_handover(sara.uow(), sara.actor, case.id, Agency.POLICE,
                                      "LPO Rinkeby", PW)
    allowed = state == "active"
    texts = pdf_texts(result.pdf_bytes)
    content = embedded_content(result.pdf_bytes)
    assert len(texts) >= 1
    for text in texts + [content]:
        # The category under test: there exactly when allowed.
        assert (MARK[category] in text) is allowed, (category, state)
        # Identity is covered by the baseline consent; every other category is not.
        assert MARK[Category.IDENTITY] in text
        for other in TESTED:
            if other != category:
                assert MARK[other] not in text, (other, category, state)

    # The omitted box names the withheld category and why, never its content.
    cat_label = label(category)
    mentioned = [item for item in result.omitted if item.startswith(cat_label)]
    if allowed:
        assert not mentioned
    else:
        assert mentioned, result.omitted
        assert "1 anteckning" in mentioned[0]
        assert "inget gällande samtycke eller lagstöd för Polismyndigheten" in mentioned[0]
        assert MARK[category] not in " ".join(result.omitted)
        pypdf_text = texts[0]
        assert "Ej med i dokumentet" in pypdf_text
        assert mentioned[0] in pypdf_text
    if not allowed:
        for text in texts:  # pypdf and pdftotext alike
            assert "Ej med i dokumentet" in text and cat_label in text

    # What was relied on is recorded: the consent for the category when it was given.
    doc = _rows(sara, m.IssuedDocument, number=result.number)[0]
    disclosed = _rows(sara, m.Disclosure, document_id=doc.id)
    by_consent = {d.consent_id: set(d.categories.split(",")) for d in disclosed}
    assert Category.IDENTITY.value in by_consent[identity.id]
    relied_on = {c for cats in by_consent.values() for c in cats}
    assert (category.value in relied_on) is allowed
    if allowed:
        assert by_consent[given.id] == {category.value}
    assert all(d.recipient_agency == Agency.POLICE for d in disclosed)


def test_no_identity_consent_means_no_handover_and_nothing_issued(world):
    clock, s = world
    sara = s["sara"]
    p = persons.create_person(sara.uow(), sara.actor, persons.PersonInput("Ingen", "Delning"))
    case = cases.open_case(sara.uow(), sara.actor, p.id, "Ärende utan samtycke")
    # Social data is granted, identity is not: the police may not know of the case.
    _consent(sara, p.id, {(Agency.POLICE, Category.SOCIAL)})
    before = len(_rows(sara, m.IssuedDocument))
    with pytest.raises(AccessDenied) as info:
        documents.issue_handover(sara.uow(), sara.actor, case.id, Agency.POLICE, None, PW)
    assert "Polismyndigheten" in info.value.sv
    assert len(_rows(sara, m.IssuedDocument)) == before
    assert not _rows(sara, m.Disclosure, case_id=case.id)
    denied = _rows(sara, m.AuditEvent, action="access.denied")
    assert denied and denied[-1].subject_id == str(case.id)


def test_protected_person_appears_only_by_alias(world):
    clock, s = world
    sara = s["sara"]
    p, case, _identity = _case(world, first="Lovisa", last="Gömdsson",
                               protection=ProtectionLevel.PROTECTED_REGISTRATION,
                               personal_number="19900101-0017", phone="070-1234567",
                               address="Hemligvägen 3", postal_code="16399",
                               city="Hemlingby")
    # Given by a guardian: the guardian's name would point to the person.
    _consent(sara, p.id, {(Agency.POLICE, c) for c in Category},
             guardian="Gunvor Förmyndarsson")
    result = documents.issue_handover(sara.uow(), sara.actor, case.id, Agency.POLICE,
                                      "LPO Rinkeby", PW)
    secrets_ = ("Lovisa", "Gömdsson", "19900101", "900101", "070-1234567", "Hemligvägen",
                "16399", "Hemlingby", "Gunvor", "Förmyndarsson")
    alias = f"P-{p.id:04d}"
    for text in pdf_texts(result.pdf_bytes) + [embedded_content(result.pdf_bytes)]:
        for secret in secrets_:
            assert secret not in text, secret
        assert alias in text
        # The author has not revealed the identity: location content stays out too.
        assert MARK[Category.LOCATION] not in text
        # Everything else the consent covers is there.
        for category in (Category.SOCIAL, Category.HEALTH, Category.CRIMINAL, Category.THREAT):
            assert MARK[category] in text
    assert any("skyddade personuppgifter" in item and alias in item for item in result.omitted)
    # Not in the recorded recipient, the verification record or the file's metadata either.
    assert all(secret.encode() not in result.pdf_bytes for secret in secrets_)

    # Revealed by the author, with a reason: the identity goes into the document
    # only when the author says so (issue 9: it went in silently); the answer is logged.
    persons.reveal_identity(sara.uow(), sara.actor, p.id, "Polisen behöver kontakta personen")
    left_out = documents.issue_handover(sara.uow(), sara.actor, case.id, Agency.POLICE,
                                        "LPO Rinkeby", PW)
    for text in pdf_texts(left_out.pdf_bytes) + [embedded_content(left_out.pdf_bytes)]:
        for secret in secrets_:
            assert secret not in text, secret
        assert MARK[Category.LOCATION] not in text
    assert any(documents.REVEAL_LEFT_OUT in item for item in left_out.omitted)
    revealed = documents.issue_handover(sara.uow(), sara.actor, case.id, Agency.POLICE,
                                        "LPO Rinkeby", PW, include_revealed_identity=True)
    for text in pdf_texts(revealed.pdf_bytes):
        assert "Lovisa Gömdsson" in text and "Hemligvägen 3" in text
        assert MARK[Category.LOCATION] in text
    answers = {}
    for e in _rows(sara, m.AuditEvent, action="document.handover"):
        detail = json.loads(e.detail)
        answers[detail.get("number")] = (detail["reveal_active"],
                                         detail["revealed_identity_included"])
    assert answers[left_out.number] == (True, False)
    assert answers[revealed.number] == (True, True)


def test_the_recipients_own_records_go_back_to_it_without_consent(world):
    clock, s = world
    sara, petra = s["sara"], s["petra"]
    p, case, identity = _case(world)
    # Sara may see police records under the person's consent naming the city.
    _consent(sara, p.id, {(Agency.CITY, Category.CRIMINAL)})
    own = notes.write_note(petra.uow(), petra.actor, case.id, "Polisens iakttagelse",
                           "QZPOLICEOWNMARKX brottsmisstanke.", Category.CRIMINAL)
    notes.sign_note(petra.uow(), petra.actor, own.id)
    to_police = documents.issue_handover(sara.uow(), sara.actor, case.id, Agency.POLICE, None,
                                         PW)
    to_probation = documents.issue_handover(sara.uow(), sara.actor, case.id,
                                            Agency.PROBATION, None, PW)
    assert all("QZPOLICEOWNMARKX" in t for t in pdf_texts(to_police.pdf_bytes))
    # The city's own criminal note has no police consent; probation gets neither.
    assert all(MARK[Category.CRIMINAL] not in t for t in pdf_texts(to_police.pdf_bytes))
    assert all("QZPOLICEOWNMARKX" not in t for t in pdf_texts(to_probation.pdf_bytes))
    doc = _rows(sara, m.IssuedDocument, number=to_police.number)[0]
    bases = {d.legal_basis: d.categories for d in _rows(sara, m.Disclosure,
                                                        document_id=doc.id)}
    assert bases[documents.BASIS_OWN_RECORDS] == Category.CRIMINAL.value
    # The recipient line of the secrecy header names both agencies' provisions.
    text = pdf_texts(to_police.pdf_bytes)[0]
    assert "26 kap. 1 § OSL" in text and "35 kap. 1 § OSL" in text


def test_what_the_author_cannot_see_is_not_handed_on(world):
    clock, s = world
    sara, petra = s["sara"], s["petra"]
    p, case, identity = _case(world)
    hidden = notes.write_note(petra.uow(), petra.actor, case.id, "Polisens hälsoanteckning",
                              "QZHIDDENFROMCITYX uppgift.", Category.HEALTH)
    notes.sign_note(petra.uow(), petra.actor, hidden.id)
    # A probation recipient: the police note is not the city's to give, whatever
    # probation's consent says.
    _consent(sara, p.id, {(Agency.PROBATION, Category.HEALTH)})
    result = documents.issue_handover(sara.uow(), sara.actor, case.id, Agency.PROBATION, None,
                                      PW)
    for text in pdf_texts(result.pdf_bytes) + [embedded_content(result.pdf_bytes)]:
        assert "QZHIDDENFROMCITYX" not in text
        assert MARK[Category.HEALTH] in text
    assert any(item.startswith(label(Category.HEALTH)) and "delas inte med Socialtjänsten"
               in item for item in result.omitted)


def test_drafts_never_leave(world):
    clock, s = world
    sara = s["sara"]
    p, case, identity = _case(world)
    _consent(sara, p.id, {(Agency.POLICE, Category.SOCIAL)})
    notes.write_note(sara.uow(), sara.actor, case.id, "Utkast", "QZDRAFTMARKX ej klart.",
                     Category.SOCIAL)
    result = documents.issue_handover(sara.uow(), sara.actor, case.id, Agency.POLICE, None, PW)
    for text in pdf_texts(result.pdf_bytes) + [embedded_content(result.pdf_bytes)]:
        assert "QZDRAFTMARKX" not in text
        assert MARK[Category.SOCIAL] in text
    assert any(item.startswith("Osignerade utkast (1 anteckning)") for item in result.omitted)


def test_the_audit_log_holds_identifiers_only(world):
    clock, s = world
    sara = s["sara"]
    p, case, identity = _case(world, first="Loggfri", last="Namnsson")
    _consent(sara, p.id, {(Agency.POLICE, Category.SOCIAL)})
    result = documents.issue_handover(sara.uow(), sara.actor, case.id, Agency.POLICE,
                                      "Kommissarie Hemlig Mottagare", PW)
    doc = _rows(sara, m.IssuedDocument, number=result.number)[0]
    entries = [e for e in _rows(sara, m.AuditEvent) if e.subject_kind == "document"
               and e.subject_id == str(doc.id)]
    assert {e.action for e in entries} == {"document.handover", "disclosure"}
    dump = json.dumps([[e.detail, e.reason] for e in entries], ensure_ascii=False)
    for forbidden in ("Loggfri", "Namnsson", "Hemlig Mottagare", MARK[Category.SOCIAL]):
        assert forbidden not in dump
