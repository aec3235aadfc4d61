"""The document use cases on a real store: every kind renders and verifies;
verification refuses changed, foreign and forged files; the password
confirmation, the permission table, the disclosure and issue records, the
access log, printing, password protection, long content and the CLI."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import re

import pikepdf
import pypdf
from account_setup import enrolled_user
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from trefas_app.domain import clock as one_clock
from trefas_app import cli
from trefas_app.documents.model import document_from_json
from trefas_app.documents.render import render_pdf
from trefas_app.documents.verification import (
    ATTACHMENT_NAME,
    INFO_KEY,
    DocumentSigner,
    VerificationRecord,
)
from trefas_app.domain.enums import (
    Agency,
    Category,
    DocumentKind,
    LifeArea,
    MeasureKind,
    MeetingKind,
    NoteState,
    RiskLevel,
    Role,
    SupportKind,
)
from trefas_app.domain.errors import AccessDenied, TrefasError, ValidationError, WrongPassword
from trefas_app.services import (
    cases,
    consents,
    documents,
    exits,
    meetings,
    notes,
    persons,
    plans,
    tasks,
    users,
)
from trefas_app.store import models as m
from trefas_app.store.keyslots import TEST_KDF, KeyFile
from trefas_app.store.store import create_store, unlock

PW = "Granskog-och-hav-42"
PDF_PW = "Lösenord-till-filen-77"
START = one_clock.now_utc().replace(microsecond=0)
NUMBER = re.compile(r"D-\d{4}-\d{5}")


class Clock:
    def __init__(self, now: dt.datetime):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@dataclasses.dataclass
class World:
    root: object
    clock: Clock
    s: dict
    person_id: int
    case_id: int
    meeting_id: int
    consent_id: int


def _organisation(root, clock):
    created = create_store(root, admin_username="admin", admin_display_name="Anna Admin",
                           admin_password=PW, kdf=TEST_KDF, clock=clock)
    store = created.store
    admin = store.actor
    city = users.add_unit(store.uow(), admin, Agency.CITY, "RK", "Rinkeby-Kista")
    police = users.add_unit(store.uow(), admin, Agency.POLICE, "LPO-R", "LPO Rinkeby")
    probation = users.add_unit(store.uow(), admin, Agency.PROBATION, "KV", "Frivården Nord")
    people = (("sara", "Sara Svensson", Role.SOCIAL_WORKER, Agency.CITY, city),
              ("layla", "Layla Samordnare", Role.COORDINATOR, Agency.CITY, city),
              ("erik", "Erik Enhetschef", Role.SUPERVISOR, Agency.CITY, city),
              ("petra", "Petra Polis", Role.POLICE_LIAISON, Agency.POLICE, police),
              ("kim", "Kim Frivård", Role.PROBATION_OFFICER, Agency.PROBATION, probation))
    for name, display, role, agency, unit in people:
        enrolled_user(store.uow(), admin, users.UserInput(
            name, display, role, agency, unit.id, PW, email=f"{name}@example.invalid"))
    store.close()
    return {n: unlock(root, n, PW, clock=clock) for n in ("admin", *(p[0] for p in people))}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("docsvc") / "store"
    clock = Clock(START)
    s = _organisation(root, clock)
    sara, layla, petra = s["sara"], s["layla"], s["petra"]
    today = one_clock.local_date(START)
    p = persons.create_person(sara.uow(), sara.actor, persons.PersonInput(
        "Amir", "Haddad", personal_number="19900101-0017", address="Storgatan 1",
        postal_code="16361", city="Spånga", risk_level=RiskLevel.YELLOW,
        risk_factors="Umgås med äldre kriminella", protective_factors="Stöttande mamma"))
    case = cases.open_case(sara.uow(), sara.actor, p.id, "Risk för våld")
    for name in ("petra", "kim"):
        cases.add_team_member(sara.uow(), sara.actor, case.id, s[name].actor.user_id)
    consent = consents.record_consent(sara.uow(), sara.actor, consents.ConsentInput(
        person_id=p.id, purpose="Samverkan SIG", valid_from=today,
        valid_until=today + dt.timedelta(days=600),
        grants=frozenset({(Agency.POLICE, Category.IDENTITY), (Agency.POLICE, Category.SOCIAL),
                          (Agency.POLICE, Category.THREAT),
                          (Agency.PROBATION, Category.IDENTITY),
                          (Agency.PROBATION, Category.SOCIAL)})))
    for title, body, category in (
            ("Samtal i skolan", "QZSOCIALNOTE Personen vill byta skola.", Category.SOCIAL),
            ("Hälsa", "QZHEALTHNOTE Behandlingskontakt pågår.", Category.HEALTH),
            ("Hotbild", "QZTHREATNOTE Hot från grupp i området.", Category.THREAT),
            ("Brott", "QZCRIMENOTE Misstänkt för stöld.", Category.CRIMINAL)):
        n = notes.write_note(sara.uow(), sara.actor, case.id, title, body, category)
        notes.sign_note(sara.uow(), sara.actor, n.id)
    plan = plans.create_plan(sara.uow(), sara.actor, case.id, True, Agency.CITY,
                             sara.actor.user_id)
    plans.add_goal(sara.uow(), sara.actor, plan.id, LifeArea.STUDIES, "QZPLANGOAL Klara skolan")
    plans.add_action(sara.uow(), sara.actor, plan.id, LifeArea.WORK, "QZPLANACTION Praktik",
                     Agency.CITY, sara.actor.user_id, today + dt.timedelta(days=30),
                     today + dt.timedelta(days=45))
    ep = exits.request_exit(sara.uow(), sara.actor, case.id, "QZEXITNEEDS Skyddat boende")
    exits.add_threat_assessment(sara.uow(), sara.actor, case.id, ep.id, RiskLevel.RED,
                                "QZTHREATSUMMARY Allvarligt hot")
    # Protected housing says where the person lives (location); a kit does not (threat).
    exits.add_measure(sara.uow(), sara.actor, case.id, ep.id, MeasureKind.PROTECTED_HOUSING,
                      "QZHOUSING Boende ordnat", today)
    exits.add_measure(sara.uow(), sara.actor, case.id, ep.id,
                      MeasureKind.POLICE_PROTECTION_KIT, "QZMEASURE Larm utlämnat", today)
    exits.add_support(sara.uow(), sara.actor, case.id, ep.id, SupportKind.CONTACT_PERSON,
                      "QZSUPPORT Kontaktperson utsedd", today)
    tasks.create_task(sara.uow(), sara.actor, case.id, "QZTASK Boka möte", None,
                      sara.actor.user_id, today + dt.timedelta(days=7))
    meeting = meetings.create_meeting(
        layla.uow(), layla.actor, MeetingKind.OPERATIONAL_GROUP, layla.actor.unit_id,
        "Operativ grupp Järva", START + dt.timedelta(hours=1), "Rum 3",
        [sara.actor.user_id, petra.actor.user_id])
    meetings.add_meeting_item(layla.uow(), layla.actor, meeting.id, case.id,
                              "QZDISCUSSION Läget har förvärrats", "QZDECISION Kalla till SIP")
    tasks.create_task(layla.uow(), layla.actor, case.id, "QZMEETINGTASK Kontakta skolan",
                      None, sara.actor.user_id, today + dt.timedelta(days=3),
                      meeting_id=meeting.id)
    clock.now += dt.timedelta(hours=3)
    meetings.mark_meeting_held(layla.uow(), layla.actor, meeting.id)
    yield World(root, clock, s, p.id, case.id, meeting.id, consent.id)
    for session in s.values():
        session.close()


def _issue(world: World, kind: DocumentKind, **kw):
    s = world.s
    if kind == DocumentKind.HANDOVER:
        sara = s["sara"]
        return documents.issue_handover(sara.uow(), sara.actor, world.case_id, Agency.POLICE,
                                        "LPO Rinkeby", PW, **kw)
    if kind == DocumentKind.CASE_SUMMARY:
        return documents.issue_case_summary(s["erik"].uow(), s["erik"].actor, world.case_id,
                                            **kw)
    if kind == DocumentKind.MEETING_MINUTES:
        return documents.issue_meeting_minutes(s["layla"].uow(), s["layla"].actor,
                                               world.meeting_id, **kw)
    if kind == DocumentKind.SUBJECT_EXTRACT:
        return documents.issue_subject_extract(s["sara"].uow(), s["sara"].actor,
                                               world.person_id, **kw)
    return documents.issue_access_log_extract(s["erik"].uow(), s["erik"].actor,
                                              world.person_id, **kw)


def text_of(pdf: bytes, password: str | None = None) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    if reader.is_encrypted:
        reader.decrypt(password)
    return re.sub(r"\s+", " ", " ".join(p.extract_text() or "" for p in reader.pages))


def _rows(store, model, **where):
    with Session(store.engine) as session:
        stmt = select(model)
        for key, value in where.items():
            stmt = stmt.where(getattr(model, key) == value)
        return list(session.scalars(stmt).all())


#: Text each kind must contain (beyond the common header and footer).
EXPECTED = {
    DocumentKind.HANDOVER: ("Överlämning av ärende", "Amir Haddad", "QZSOCIALNOTE",
                            "QZTHREATNOTE", "QZPLANGOAL", "QZPLANACTION", "QZEXITNEEDS",
                            "QZTHREATSUMMARY", "QZMEASURE", "QZSUPPORT", "QZTASK",
                            "Petra Polis", "Ej med i dokumentet", "Hälsouppgifter",
                            "Brottsuppgifter", "Adress- och boendeuppgifter"),
    DocumentKind.CASE_SUMMARY: ("Ärendesammanställning", "Amir Haddad", "Storgatan 1",
                                "QZHOUSING", "QZMEASURE",
                                "QZHEALTHNOTE", "QZCRIMENOTE", "QZPLANGOAL", "QZMEETINGTASK",
                                "Samtycken och lagstöd"),
    DocumentKind.MEETING_MINUTES: ("Operativ grupp Järva", "Deltagare", "Petra Polis",
                                   "QZDISCUSSION", "QZDECISION", "QZMEETINGTASK",
                                   "Närvarande"),
    DocumentKind.SUBJECT_EXTRACT: ("Registerutdrag", "Amir Haddad", "19900101-0017",
                                   "Storgatan 1", "QZHEALTHNOTE",
                                   "begäras direkt från respektive myndighet",
                                   "Utlämnade uppgifter"),
    DocumentKind.ACCESS_LOG_EXTRACT: ("Utdrag ur åtkomstloggen", "Sara Svensson",
                                      "Registrerade personuppgifter", "Signerade anteckning",
                                      "Sammanfattning per användare"),
}

#: Text a kind must not contain.
ABSENT = {
    DocumentKind.HANDOVER: ("QZHEALTHNOTE", "QZCRIMENOTE", "Storgatan", "QZHOUSING"),
    DocumentKind.ACCESS_LOG_EXTRACT: ("QZSOCIALNOTE", "QZHEALTHNOTE", "Samtal i skolan",
                                      "QZPLANGOAL"),
}


@pytest.mark.parametrize("kind", list(DocumentKind))
def test_every_kind_renders_verifies_and_is_recorded(world, kind):
    result = _issue(world, kind)
    assert result.kind == kind
    assert NUMBER.fullmatch(result.number)
    reader = pypdf.PdfReader(io.BytesIO(result.pdf_bytes))
    assert result.pages == len(reader.pages) >= 1
    text = text_of(result.pdf_bytes)
    for wanted in EXPECTED[kind]:
        assert wanted in text, wanted
    for unwanted in ABSENT.get(kind, ()):
        assert unwanted not in text, unwanted
    assert "Sekretess enligt 26 kap. 1 § OSL" in text
    assert f"Sida {result.pages} av {result.pages}" in text
    assert result.number in text

    sara = world.s["sara"]
    check = documents.verify_document(sara, result.pdf_bytes)
    assert check.ok and check.code == "ok" and check.known
    assert check.number == result.number and check.kind == kind
    assert check.recipient == result.recipient and check.pages == result.pages
    assert check.issued_by in ("Sara Svensson", "Erik Enhetschef", "Layla Samordnare")

    issued = _rows(sara, m.IssuedDocument, number=result.number)
    assert len(issued) == 1
    row = issued[0]
    assert row.kind == kind and row.pdf_sha256 == result.sha256
    assert row.content_sha256 == result.content_sha256 and row.pages == result.pages
    disclosed = _rows(sara, m.Disclosure, document_id=row.id)
    assert disclosed, "every document is a recorded disclosure"
    assert all(d.legal_basis or d.consent_id for d in disclosed)
    actions = [e.action for e in _rows(sara, m.AuditEvent, subject_kind="document",
                                       subject_id=str(row.id))]
    assert documents.ACTION[kind] in actions and "disclosure" in actions
    assert "document.verify" in actions


def test_handover_records_the_consent_it_relied_on(world):
    result = _issue(world, DocumentKind.HANDOVER)
    sara = world.s["sara"]
    row = _rows(sara, m.IssuedDocument, number=result.number)[0]
    assert row.recipient == "Polismyndigheten, LPO Rinkeby"
    assert row.recipient_agency == Agency.POLICE and row.case_id == world.case_id
    assert row.issued_by_id == sara.actor.user_id and not row.password_protected
    disclosed = _rows(sara, m.Disclosure, document_id=row.id)
    assert len(disclosed) == 1
    d = disclosed[0]
    assert d.consent_id == world.consent_id and d.recipient_agency == Agency.POLICE
    assert set(d.categories.split(",")) == {"identity", "social", "threat"}
    assert d.person_id == world.person_id and d.disclosed_by_id == sara.actor.user_id
    assert any("Hälsouppgifter (1 anteckning)" in item for item in result.omitted)
    assert any(item.startswith("Adress- och boendeuppgifter (personens adress, 1 skyddsåtgärd)")
               for item in result.omitted), result.omitted
    # The log names the document and the basis, never the content or the person.
    entries = _rows(sara, m.AuditEvent, subject_kind="document", subject_id=str(row.id))
    disclosure = next(e for e in entries if e.action == "disclosure")
    detail = json.loads(disclosure.detail)
    assert detail["recipient_agency"] == "police"
    assert detail["bases"][0]["consent"] == world.consent_id
    dump = " ".join(str(e.detail) for e in entries)
    assert "Amir" not in dump and "QZ" not in dump and "LPO Rinkeby" not in dump


def test_wrong_confirmation_password_issues_nothing(world):
    sara = world.s["sara"]
    before = (len(_rows(sara, m.IssuedDocument)), len(_rows(sara, m.Disclosure)),
              len(_rows(sara, m.AuditEvent, action="document.handover")))
    with pytest.raises(WrongPassword):
        documents.issue_handover(sara.uow(), sara.actor, world.case_id, Agency.POLICE, None,
                                 "fel-lösenord-helt-klart")
    after = (len(_rows(sara, m.IssuedDocument)), len(_rows(sara, m.Disclosure)),
             len(_rows(sara, m.AuditEvent, action="document.handover")))
    assert after == before
    refused = _rows(sara, m.AuditEvent, action="document.handover.refused")
    assert refused and refused[-1].user_id == sara.actor.user_id
    # Someone else's password does not do either.
    with pytest.raises(WrongPassword):
        documents.issue_handover(sara.uow(), sara.actor, world.case_id, Agency.POLICE, None,
                                 PW + "x")
    # The failures do not lock the author out of a correct confirmation later.
    world.clock.now += dt.timedelta(minutes=10)
    assert documents.issue_handover(sara.uow(), sara.actor, world.case_id, Agency.POLICE,
                                    None, PW).pages >= 1


@pytest.mark.parametrize("kind", list(DocumentKind))
def test_the_administrator_is_refused_every_kind(world, kind):
    admin, observer = world.s["admin"], world.s["sara"]
    before = len(_rows(observer, m.IssuedDocument))
    with pytest.raises(AccessDenied):
        if kind == DocumentKind.HANDOVER:
            documents.issue_handover(admin.uow(), admin.actor, world.case_id, Agency.POLICE,
                                     None, PW)
        elif kind == DocumentKind.CASE_SUMMARY:
            documents.issue_case_summary(admin.uow(), admin.actor, world.case_id)
        elif kind == DocumentKind.MEETING_MINUTES:
            documents.issue_meeting_minutes(admin.uow(), admin.actor, world.meeting_id)
        elif kind == DocumentKind.SUBJECT_EXTRACT:
            documents.issue_subject_extract(admin.uow(), admin.actor, world.person_id)
        else:
            documents.issue_access_log_extract(admin.uow(), admin.actor, world.person_id)
    assert len(_rows(observer, m.IssuedDocument)) == before
    # The administrator's session holds no key: refused before any document
    # code runs; the refusal is remembered for the access log.
    pending = KeyFile.load(admin.paths.keys).pending_events
    assert (pending[-1]["action"], pending[-1]["username"]) == ("access.denied", "admin")


def test_roles_are_held_to_their_permissions(world):
    s = world.s
    with pytest.raises(AccessDenied):
        documents.issue_case_summary(s["sara"].uow(), s["sara"].actor, world.case_id)
    with pytest.raises(AccessDenied):
        documents.issue_access_log_extract(s["sara"].uow(), s["sara"].actor, world.person_id)
    with pytest.raises(AccessDenied):
        documents.issue_subject_extract(s["petra"].uow(), s["petra"].actor, world.person_id)
    with pytest.raises(AccessDenied):
        documents.issue_meeting_minutes(s["petra"].uow(), s["petra"].actor, world.meeting_id)
    # The police liaison may hand over, and only what the police may see goes
    # anywhere: to probation, police content without a probation consent stays out.
    result = documents.issue_handover(s["petra"].uow(), s["petra"].actor, world.case_id,
                                      Agency.PROBATION, "Frivården Nord", PW)
    text = text_of(result.pdf_bytes)
    assert "QZSOCIALNOTE" in text and "QZTHREATNOTE" not in text
    assert "QZHEALTHNOTE" not in text


def test_verification_refuses_a_changed_byte(world):
    result = _issue(world, DocumentKind.HANDOVER)
    sara = world.s["sara"]
    for position in (100, len(result.pdf_bytes) // 2, len(result.pdf_bytes) - 200):
        changed = bytearray(result.pdf_bytes)
        changed[position] ^= 0x01
        check = documents.verify_document(sara, bytes(changed))
        assert not check.ok and not check.known, position
        assert check.code in ("file_changed", "not_pdf", "malformed_record", "content_changed")
    assert documents.verify_document(sara, b"not a pdf at all").code == "not_pdf"
    assert documents.verify_document(sara, result.pdf_bytes + b"%extra\n").ok is False


def test_verification_refuses_a_document_from_another_store(world, tmp_path):
    clock = Clock(START)
    other = _organisation(tmp_path / "other", clock)
    try:
        sara2 = other["sara"]
        p = persons.create_person(sara2.uow(), sara2.actor, persons.PersonInput("Ny", "Person"))
        case = cases.open_case(sara2.uow(), sara2.actor, p.id, "Annat ärende")
        consents.record_consent(sara2.uow(), sara2.actor, consents.ConsentInput(
            person_id=p.id, purpose="Samverkan", valid_from=START.date(),
            valid_until=START.date() + dt.timedelta(days=30),
            grants=frozenset({(Agency.POLICE, Category.IDENTITY)})))
        foreign = documents.issue_handover(sara2.uow(), sara2.actor, case.id, Agency.POLICE,
                                           None, PW)
        assert documents.verify_document(sara2, foreign.pdf_bytes).ok
    finally:
        for session in other.values():
            session.close()
    check = documents.verify_document(world.s["sara"], foreign.pdf_bytes)
    assert not check.ok and check.code == "other_store" and not check.known
    logged = _rows(world.s["sara"], m.AuditEvent, action="document.verify")
    assert json.loads(logged[-1].detail)["code"] == "other_store"


def test_verification_refuses_forged_signatures(world):
    sara = world.s["sara"]
    result = _issue(world, DocumentKind.HANDOVER)
    with pikepdf.open(io.BytesIO(result.pdf_bytes)) as pdf:
        canonical = pdf.attachments[ATTACHMENT_NAME].get_file().read_bytes()
        payload = str(pdf.docinfo[INFO_KEY])
    doc = document_from_json(canonical)

    # Signed by someone else's key in this store's name.
    forger = DocumentSigner(Ed25519PrivateKey.generate(), sara.store_id)
    forged = render_pdf(doc, forger)
    check = documents.verify_document(sara, forged)
    assert not check.ok and check.code == "other_key"

    # The genuine record with an altered signature, and the file re-saved.
    record = VerificationRecord.from_payload(payload)
    sig = record.signature
    bad = dataclasses.replace(record, signature=("A" if sig[0] != "A" else "B") + sig[1:])
    with pikepdf.open(io.BytesIO(result.pdf_bytes)) as pdf:
        pdf.docinfo[INFO_KEY] = bad.to_payload()
        out = io.BytesIO()
        pdf.save(out)
    check = documents.verify_document(sara, out.getvalue())
    assert not check.ok and check.code == "bad_signature"

    # Other content under the genuine record.
    with pikepdf.open(io.BytesIO(result.pdf_bytes)) as pdf:
        changed = canonical.replace(b"QZSOCIALNOTE", b"QZFORGEDNOTE")
        pdf.attachments[ATTACHMENT_NAME] = pikepdf.AttachedFileSpec(
            pdf, changed, filename=ATTACHMENT_NAME)
        out = io.BytesIO()
        pdf.save(out)
    check = documents.verify_document(sara, out.getvalue())
    assert not check.ok and check.code == "content_changed"


def test_password_protected_pdf(world):
    sara = world.s["sara"]
    with pytest.raises(ValidationError):
        _issue(world, DocumentKind.HANDOVER, pdf_password="kort")
    result = _issue(world, DocumentKind.HANDOVER, pdf_password=PDF_PW)
    assert result.password_protected
    with pikepdf.open(io.BytesIO(result.pdf_bytes), password=PDF_PW) as pdf:
        assert pdf.encryption.R == 6 and len(pdf.pages) == result.pages
    with pytest.raises(pikepdf.PasswordError):
        pikepdf.open(io.BytesIO(result.pdf_bytes))
    assert "QZSOCIALNOTE" in text_of(result.pdf_bytes, PDF_PW)
    assert documents.verify_document(sara, result.pdf_bytes).code == "password_required"
    check = documents.verify_document(sara, result.pdf_bytes, password=PDF_PW)
    assert check.ok and check.known
    row = _rows(sara, m.IssuedDocument, number=result.number)[0]
    assert row.password_protected
    # The password itself is stored nowhere.
    with sara.engine.connect() as conn:
        dump = " ".join(str(r) for r in conn.exec_driver_sql(
            "SELECT * FROM issued_documents").fetchall())
        dump += " ".join(str(r) for r in conn.exec_driver_sql(
            "SELECT detail FROM audit_events").fetchall())
    assert PDF_PW not in dump


def test_printing_is_a_recorded_disclosure_by_the_author_only(world):
    sara, petra = world.s["sara"], world.s["petra"]
    result = _issue(world, DocumentKind.HANDOVER)
    row = _rows(sara, m.IssuedDocument, number=result.number)[0]
    printed = documents.record_print(sara.uow(), sara.actor, result.number)
    assert printed.number == result.number and printed.disclosures == 1
    disclosed = _rows(sara, m.Disclosure, document_id=row.id)
    assert len(disclosed) == 2
    copy = max(disclosed, key=lambda d: d.id)
    assert copy.consent_id == world.consent_id and "Utskrift" in copy.purpose
    assert _rows(sara, m.AuditEvent, action="document.print", subject_id=str(row.id))
    with pytest.raises(AccessDenied):
        documents.record_print(petra.uow(), petra.actor, result.number)
    assert len(_rows(sara, m.Disclosure, document_id=row.id)) == 2


def test_extract_lists_earlier_disclosures_and_the_log_extract_names_readers(world):
    s = world.s
    _issue(world, DocumentKind.HANDOVER)
    cases.get_case(s["petra"].uow(), s["petra"].actor, world.case_id)
    extract = text_of(_issue(world, DocumentKind.SUBJECT_EXTRACT).pdf_bytes)
    assert "Polismyndigheten, LPO Rinkeby" in extract
    log_text = text_of(_issue(world, DocumentKind.ACCESS_LOG_EXTRACT).pdf_bytes)
    assert "Petra Polis" in log_text and "Läste ärendet" in log_text
    assert "Polismyndigheten" in log_text
    assert "Skapade överlämningsdokument" in log_text


def test_minutes_for_another_agency_hold_only_what_it_may_receive(world):
    s = world.s
    layla = s["layla"]
    # Meeting items are social: the police consent covers them; probation's too.
    to_police = documents.issue_meeting_minutes(layla.uow(), layla.actor, world.meeting_id,
                                                recipient_agency=Agency.POLICE)
    assert "QZDISCUSSION" in text_of(to_police.pdf_bytes)
    row = _rows(layla, m.IssuedDocument, number=to_police.number)[0]
    disclosed = _rows(layla, m.Disclosure, document_id=row.id)
    assert {d.consent_id for d in disclosed} == {world.consent_id}
    p = persons.create_person(s["sara"].uow(), s["sara"].actor,
                              persons.PersonInput("Utan", "Samtycke"))
    case = cases.open_case(s["sara"].uow(), s["sara"].actor, p.id, "Ärende utan delning")
    meeting = meetings.create_meeting(layla.uow(), layla.actor, MeetingKind.JOINT,
                                      layla.actor.unit_id, "Samverkansmöte", world.clock.now,
                                      None, [s["petra"].actor.user_id])
    meetings.add_meeting_item(layla.uow(), layla.actor, meeting.id, case.id,
                              "QZSECRETITEM Inget samtycke", None)
    minutes = documents.issue_meeting_minutes(layla.uow(), layla.actor, meeting.id,
                                              recipient_agency=Agency.POLICE)
    text = text_of(minutes.pdf_bytes)
    assert "QZSECRETITEM" not in text and "Utan Samtycke" not in text
    assert any("1 mötespunkt" in item for item in minutes.omitted)
    internal = text_of(documents.issue_meeting_minutes(layla.uow(), layla.actor,
                                                       meeting.id).pdf_bytes)
    assert "QZSECRETITEM" in internal


def test_a_long_case_renders_every_note(world):
    """Many long notes: every one is in the PDF, in order, across many pages."""
    sara = world.s["sara"]
    p = persons.create_person(sara.uow(), sara.actor, persons.PersonInput("Lång", "Historik"))
    case = cases.open_case(sara.uow(), sara.actor, p.id, "Långt ärende")
    count = 400
    with Session(sara.engine) as session:
        for i in range(count):
            at = START - dt.timedelta(days=count - i)
            session.add(m.Note(case_id=case.id, person_id=p.id, owner_agency=Agency.CITY,
                               category=Category.SOCIAL, title=f"Anteckning {i}",
                               body=(f"QZLONG{i:04d}X " + "Samtal om läget i skolan. " * 40
                                     + "\n\n" + "Uppföljning av insatsen. " * 30),
                               state=NoteState.SIGNED, author_id=sara.actor.user_id,
                               signed_at=at, signed_by_id=sara.actor.user_id, created_at=at,
                               created_by_id=sara.actor.user_id))
        session.commit()
    result = documents.issue_case_summary(world.s["erik"].uow(), world.s["erik"].actor,
                                          case.id)
    assert result.pages > 100
    text = text_of(result.pdf_bytes)
    assert f"Journalanteckningar ({count})" in text
    positions = [text.find(f"QZLONG{i:04d}X") for i in range(count)]
    assert all(pos >= 0 for pos in positions) and positions == sorted(positions)
    assert documents.verify_document(sara, result.pdf_bytes).ok


# --- the command line ----------------------------------------------------------------------


def _parser():
    return cli.build_parser()


def _run(argv, capsys):
    args = _parser().parse_args(argv)
    try:
        code = args.func(args)
    except TrefasError as exc:
        code = exc.exit_code
        print(exc.message("sv"), file=__import__("sys").stderr)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_issues_writes_privately_and_verifies(world, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TREFAS_PASSWORD", PW)
    case_number = cases.get_case(world.s["sara"].uow(), world.s["sara"].actor,
                                 world.case_id).number
    target = tmp_path / "overlamning.pdf"
    base = ["--store", str(world.root), "--user", "sara"]
    code, out, err = _run(["document", "handover", *base, "--case", case_number, "--to",
                           "police", "--recipient", "LPO Rinkeby", "--out", str(target)],
                          capsys)
    assert code == 0, err
    assert target.exists() and (target.stat().st_mode & 0o777) == 0o600
    assert "Ej med i dokumentet" in out and "Hälsouppgifter" in out
    # An existing file is kept.
    code, out, err = _run(["document", "handover", *base, "--case", case_number, "--to",
                           "police", "--out", str(target)], capsys)
    assert code == 1 and "finns redan" in err
    code, out, err = _run(["verify-document", *base, str(target)], capsys)
    assert code == 0 and "inte ändrats" in out and "Polismyndigheten, LPO Rinkeby" in out
    changed = bytearray(target.read_bytes())
    changed[len(changed) // 2] ^= 1
    (tmp_path / "changed.pdf").write_bytes(bytes(changed))
    code, out, err = _run(["verify-document", *base, str(tmp_path / "changed.pdf")], capsys)
    assert code == 1 and "ändrats" in err

    pw_file = tmp_path / "pdfpw.txt"
    pw_file.write_text(PDF_PW + "\n", encoding="utf-8")
    code, out, err = _run(["document", "extract", *base, "--person",
                           f"P-{world.person_id:04d}", "--out", str(tmp_path / "e.pdf"),
                           "--pdf-password-file", str(pw_file), "--json"], capsys)
    assert code == 0, err
    data = json.loads(out)
    assert data["password_protected"] and data["kind"] == "subject_extract"
    code, out, err = _run(["verify-document", *base, "--pdf-password-file", str(pw_file),
                           "--json", str(tmp_path / "e.pdf")], capsys)
    assert code == 0 and json.loads(out)["ok"] is True
    # The case's register, as text and as JSON; the police see it too.
    code, out, err = _run(["document", "list", *base, "--case", case_number], capsys)
    assert code == 0 and "Polismyndigheten, LPO Rinkeby" in out and "Sara Svensson" in out
    code, out, err = _run(["document", "list", "--store", str(world.root), "--user", "petra",
                           "--case", case_number, "--json"], capsys)
    assert code == 0, err
    listed = json.loads(out)
    assert listed and all("police" in (d["recipient_agency"], d["issued_by_agency"])
                          for d in listed)
    assert any(d["recipient_agency"] == "police" and d["issued_by"] == "Sara Svensson"
               for d in listed)


def test_handover_pdf_verify_and_list_show_one_office_time(world, tmp_path, capsys,
                                                          monkeypatch, machine_in_utc):
    """Issue 14: the PDF said "Skapad 00:10" while verify-document and document list
    said 23:10 (machine time). All three show the office zone's wall time; the PDF
    and JSON carry its offset."""
    monkeypatch.setenv("TREFAS_PASSWORD", PW)
    result = _issue(world, DocumentKind.HANDOVER)
    local = one_clock.format_local(result.issued_at)
    utc_wall = result.issued_at.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M")
    assert local != utc_wall  # Stockholm is never UTC+0
    assert f"Skapad {one_clock.format_local(result.issued_at, offset=True)}" in \
        text_of(result.pdf_bytes)
    target = tmp_path / "overlamning.pdf"
    target.write_bytes(result.pdf_bytes)
    base = ["--store", str(world.root), "--user", "sara"]
    code, out, err = _run(["verify-document", *base, str(target)], capsys)
    assert code == 0, err
    assert local in out and utc_wall not in out
    code, out, err = _run(["verify-document", *base, "--json", str(target)], capsys)
    assert code == 0, err
    shown = dt.datetime.fromisoformat(json.loads(out)["issued_at"])
    assert shown == result.issued_at.replace(microsecond=0)
    assert shown.utcoffset() == one_clock.to_local(result.issued_at).utcoffset()
    case_number = cases.get_case(world.s["sara"].uow(), world.s["sara"].actor,
                                 world.case_id).number
    code, out, err = _run(["document", "list", *base, "--case", case_number], capsys)
    assert code == 0, err
    line = next(row for row in out.splitlines() if result.number in row)
    assert local in line and utc_wall not in line


def test_cli_refuses_what_the_role_may_not(world, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TREFAS_PASSWORD", PW)
    base = ["--store", str(world.root), "--user", "sara"]
    code, out, err = _run(["document", "log", *base, "--person", str(world.person_id),
                           "--out", str(tmp_path / "log.pdf")], capsys)
    assert code == 1 and "behörighet" in err
    assert not (tmp_path / "log.pdf").exists()


def test_case_document_register_shows_what_the_agency_issued_or_received(world):
    """The Dokument tab's list: a handover to the police is on the city's and
    the police's list, not on probation's; a summary stays with the city."""
    s = world.s
    handover = _issue(world, DocumentKind.HANDOVER)
    summary = _issue(world, DocumentKind.CASE_SUMMARY)

    def numbers(name):
        return [d.number for d in documents.list_case_documents(
            s[name].uow(), s[name].actor, world.case_id)]

    for name in ("sara", "layla", "erik"):
        assert {handover.number, summary.number} <= set(numbers(name)), name
    police = numbers("petra")
    assert handover.number in police and summary.number not in police
    assert not {handover.number, summary.number} & set(numbers("kim"))
    rows = documents.list_case_documents(s["petra"].uow(), s["petra"].actor, world.case_id)
    mine = next(d for d in rows if d.number == handover.number)
    assert (mine.kind, mine.recipient_agency, mine.issued_by_agency) == (
        DocumentKind.HANDOVER, Agency.POLICE, Agency.CITY)
    assert mine.issued_by == "Sara Svensson" and mine.pages == handover.pages
    with pytest.raises(AccessDenied):
        documents.list_case_documents(s["admin"].uow(), s["admin"].actor, world.case_id)
