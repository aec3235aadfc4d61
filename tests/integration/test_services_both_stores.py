"""The service calls that matter most, on both stores: the local SQLCipher
store and a PostgreSQL server (``any_store``). Same calls, same answers, same
refusals."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import pytest

from account_setup import enrolled_user
from server_world import ADMIN_PW, PEOPLE, PW, build_server_world
from trefas_app.domain import clock
from trefas_app.domain.enums import Agency, Category, NoteState
from trefas_app.domain.errors import AccessDenied, NotFound, StoreError
from trefas_app.services import audit_log, cases, consents, notes, persons, users
from trefas_app.services.cases import CaseFilter
from trefas_app.store.keyslots import TEST_KDF
from trefas_app.store.store import create_store, unlock


@dataclass
class LocalWorld:
    root: object
    ids: dict = field(default_factory=dict)

    def login(self, name: str, password: str | None = None):
        return unlock(self.root, name, password or (ADMIN_PW if name == "admin" else PW))


def build_local_world(root) -> LocalWorld:
    """The same people as server_world.PEOPLE, on a local store."""
    created = create_store(root, admin_username="admin", admin_display_name="Anna Admin",
                           admin_password=ADMIN_PW, kdf=TEST_KDF)
    store = created.store
    admin = store.actor
    world = LocalWorld(root)
    world.ids["rk"] = users.add_unit(store.uow(), admin, Agency.CITY, "RK", "Rinkeby-Kista").id
    world.ids["lpo"] = users.add_unit(store.uow(), admin, Agency.POLICE, "LPO-R",
                                      "LPO Rinkeby").id
    for name, display, role, agency, unit in PEOPLE:
        enrolled_user(store.uow(), admin, users.UserInput(name, display, role, agency,
                                                          world.ids[unit], PW))
    store.close()
    return world


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def any_store(request, tmp_path_factory):
    """A ready store with the test people (admin, stina, sara, olle, kalle of
    the city; pia, petra of the police), and a case of sara's about Amir
    Haddad with a signed note: on a local store or on the server."""
    if request.param == "postgresql":
        world = build_server_world(request.getfixturevalue("pg_cluster"))
    else:
        world = build_local_world(tmp_path_factory.mktemp("both") / "store")
    with world.login("sara") as s:
        p = persons.create_person(s.uow(), s.actor, persons.PersonInput("Amir", "Haddad"))
        k = cases.open_case(s.uow(), s.actor, p.id, "Risk för våld")
        note = notes.write_note(s.uow(), s.actor, k.id, "Samtal", "Samtal om skolan.",
                                Category.SOCIAL)
        notes.sign_note(s.uow(), s.actor, note.id)
    world.ids.update(person=p.id, case=k.id, note=note.id)
    world.kind = request.param
    return world


def test_case_list_and_case_for_the_team_member(any_store):
    with any_store.login("sara") as s:
        page = cases.list_cases(s.uow(), s.actor)
        assert [r.id for r in page.rows] == [any_store.ids["case"]]
        assert page.rows[0].person_name == "Amir Haddad"
        view = cases.get_case(s.uow(), s.actor, any_store.ids["case"])
        assert view.on_team and view.person.display_name == "Amir Haddad"
        assert cases.list_cases(s.uow(), s.actor, CaseFilter(query="Hadd")).total == 1


def test_police_without_consent_or_team_sees_no_case(any_store):
    with any_store.login("petra") as s:
        assert cases.list_cases(s.uow(), s.actor).rows == ()
        with pytest.raises((AccessDenied, NotFound)):
            cases.get_case(s.uow(), s.actor, any_store.ids["case"])


def test_administrator_reads_no_case_content(any_store):
    with any_store.login("admin") as s:
        with pytest.raises(AccessDenied):
            cases.list_cases(s.uow(), s.actor)
        with pytest.raises(AccessDenied):
            notes.get_note(s.uow(), s.actor, any_store.ids["note"])


def test_retention_deletes_a_closed_case_with_its_signed_note_on_both(any_store):
    """The row rules let no login role delete a case: on a server the purge is
    the owner's function, called by the supervisor as on a local store."""
    from trefas_app.domain.enums import CaseState
    from trefas_app.services import admin

    later = dt.date(2100, 1, 1)
    with any_store.login("sara") as s:
        p = persons.create_person(s.uow(), s.actor, persons.PersonInput("Gunnar", "Gallras"))
        k = cases.open_case(s.uow(), s.actor, p.id, "Avslutas")
        note = notes.write_note(s.uow(), s.actor, k.id, "Samtal", "Text.", Category.SOCIAL)
        notes.sign_note(s.uow(), s.actor, note.id)
        cases.move_case(s.uow(), s.actor, k.id, CaseState.CLOSURE_REQUESTED, "Klart")
    with any_store.login("stina") as boss:
        cases.move_case(boss.uow(), boss.actor, k.id, CaseState.CLOSED)
        assert k.id not in [c.case_id for c in admin.retention_due(boss, boss.actor,
                                                                   clock.today())]
        assert k.id in [c.case_id for c in admin.retention_due(boss, boss.actor, later)]
        report = admin.run_retention(boss, boss.actor, later, only={k.id})
        assert report.case_ids == (k.id,)
        assert k.id not in [c.case_id for c in admin.retention_due(boss, boss.actor, later)]
        with pytest.raises((AccessDenied, NotFound)):
            notes.get_note(boss.uow(), boss.actor, note.id)
        assert audit_log.verify_log(boss, boss.actor).ok
    with any_store.login("sara") as s:
        with pytest.raises(AccessDenied):  # a case worker may not run it
            admin.run_retention(s, s.actor, later)


def test_notes_write_sign_and_a_signed_note_stays(any_store):
    with any_store.login("sara") as s:
        draft = notes.write_note(s.uow(), s.actor, any_store.ids["case"], "Hembesök",
                                 "Träffade familjen.", Category.SOCIAL)
        signed = notes.sign_note(s.uow(), s.actor, draft.id)
        assert signed.state is NoteState.SIGNED
        with pytest.raises(Exception):
            notes.update_draft(s.uow(), s.actor, draft.id, "Ändrad", "Ändrad text",
                               Category.SOCIAL)
        listed = notes.list_notes(s.uow(), s.actor, any_store.ids["case"])
        assert {n.id for n in listed.rows} >= {draft.id, any_store.ids["note"]}
    with any_store.login("olle") as other:  # same unit, not on the team
        with pytest.raises((AccessDenied, NotFound)):
            notes.get_note(other.uow(), other.actor, draft.id)


def test_consent_lets_the_police_see_identity_then_withdrawal_takes_it_back(any_store):
    today = clock.today()
    with any_store.login("sara") as s:
        c = consents.record_consent(s.uow(), s.actor, consents.ConsentInput(
            person_id=any_store.ids["person"], purpose="Samverkan med polisen",
            valid_from=today, valid_until=today + dt.timedelta(days=90),
            grants=frozenset({(Agency.POLICE, Category.IDENTITY)})))
        cases.add_team_member(s.uow(), s.actor, any_store.ids["case"], _user_id(s, "petra"))
    with any_store.login("petra") as p:
        rows = cases.list_cases(p.uow(), p.actor).rows
        assert [r.person_name for r in rows] == ["Amir Haddad"]
        with pytest.raises((AccessDenied, NotFound)):
            notes.get_note(p.uow(), p.actor, any_store.ids["note"])  # social, not shared
    with any_store.login("sara") as s:
        consents.withdraw_consent(s.uow(), s.actor, c.id, "Personen återkallade samtycket")
    with any_store.login("petra") as p:
        rows = cases.list_cases(p.uow(), p.actor).rows
        assert all(r.person_name != "Amir Haddad" for r in rows)


def test_person_search_finds_by_name_and_sql_in_search_is_just_text(any_store):
    with any_store.login("sara") as s:
        found = persons.list_persons(s.uow(), s.actor, "haddad")
        assert [r.id for r in found.rows] == [any_store.ids["person"]]
        for attack in ("'; DROP TABLE persons; --", "%' OR '1'='1", "\\", "Amir%"):
            assert persons.list_persons(s.uow(), s.actor, attack).rows == ()
            assert cases.list_cases(s.uow(), s.actor, CaseFilter(query=attack)).rows == ()
        assert persons.list_persons(s.uow(), s.actor, "").total >= 1


def test_person_search_by_number_and_a_protected_person_only_by_alias(any_store):
    """Name, number and alias searches give the same answers on both stores
    (on a server the name and number are matched by trefas.persons_matching,
    not through the masked view): a protected person is found by alias only,
    never by real name or number, until this reader reveals them; a colleague
    who reads the person masked does not find them by name either."""
    from trefas_app.domain.enums import ProtectionLevel

    def found(store, text):
        hits = {r.id for r in persons.list_persons(store.uow(), store.actor, text).rows}
        assert persons.count_persons(store.uow(), store.actor, text).total == len(hits)
        return hits

    with any_store.login("sara") as s:
        plain = persons.create_person(s.uow(), s.actor, persons.PersonInput(
            "Nora", "Nummersson", personal_number="19850312-1231")).id
        hidden = persons.create_person(s.uow(), s.actor, persons.PersonInput(
            "Siv", "Skyddsdotter", personal_number="19920704-4562",
            protection_level=ProtectionLevel.PROTECTED_REGISTRATION)).id
        assert found(s, "8503121231") == {plain}
        assert found(s, "850312-1231") == {plain}
        assert found(s, "nummersson") == {plain}
        for real in ("skyddsdotter", "Siv Skydd", "9207044562", "19920704-4562", "%"):
            assert hidden not in found(s, real), real
        assert found(s, f"P-{hidden:04d}") == {hidden}
        persons.reveal_identity(s.uow(), s.actor, hidden, "Behöver ringa personen", hours=1)
        assert found(s, "skyddsdotter") == {hidden}
        assert found(s, "9207044562") == {hidden}
    with any_store.login("stina") as boss:  # reads the person, masked
        assert found(boss, f"P-{hidden:04d}") == {hidden}
        assert found(boss, "skyddsdotter") == set()
        assert found(boss, "9207044562") == set()
        assert found(boss, "nummersson") == {plain}
    with any_store.login("petra") as police:  # no case, no consent: nobody
        for text in ("nummersson", "skyddsdotter", "8503121231", f"P-{hidden:04d}"):
            assert found(police, text) == set(), text


def test_log_verifies_after_the_work(any_store):
    with any_store.login("stina") as boss:
        report = audit_log.verify_log(boss, boss.actor)
    assert report.ok, report.problem_en


def test_wrong_password_is_refused_on_both(any_store):
    with pytest.raises(StoreError):
        any_store.login("sara", "Fel-lösenord-helt-klart-1")


def _user_id(store, username: str) -> int:
    from sqlalchemy import select

    from trefas_app.store import models as m
    with store.uow() as uow:
        return uow.session.scalar(select(m.User.id).where(m.User.username == username))


def test_dashboard_log_review_and_read_volumes(any_store):
    from trefas_app.services import dashboard

    today = clock.today()
    with any_store.login("sara") as s:
        cases.list_cases(s.uow(), s.actor)
    with any_store.login("stina") as boss:
        assert dashboard.dashboard(boss.uow(), boss.actor) is not None
        page = audit_log.show_log(boss.uow(), boss.actor, username="sara")
        assert any(r.action == "note.sign" for r in page.rows)
        volumes = audit_log.read_volumes(boss.uow(), boss.actor,
                                         today - dt.timedelta(days=1), today)
        sara = [v for v in volumes if v.username == "sara"]
        assert sara and {str(v.day) for v in sara} == {today.isoformat()}
        assert cases.count_cases(boss.uow(), boss.actor).total >= 1


def test_documents_plans_tasks_and_referrals(any_store):
    from trefas_app.domain.errors import WrongPassword
    from trefas_app.services import documents, plans, referrals, tasks

    case_id = any_store.ids["case"]
    with any_store.login("sara") as s:
        plan = plans.create_plan(s.uow(), s.actor, case_id, False, Agency.CITY)
        assert plans.get_plan(s.uow(), s.actor, plan.id).id == plan.id
        task = tasks.create_task(s.uow(), s.actor, case_id, "Ring skolan", None, None, None)
        tasks.complete_task(s.uow(), s.actor, task.id)
        ref = referrals.create_referral(s.uow(), s.actor, case_id, "Oro från skolan",
                                        Agency.CITY)
        assert referrals.get_referral(s.uow(), s.actor, ref.id).id == ref.id
        today = clock.today()
        consents.record_consent(s.uow(), s.actor, consents.ConsentInput(
            person_id=any_store.ids["person"], purpose="Överlämning till polisen",
            valid_from=today, valid_until=today + dt.timedelta(days=30),
            grants=frozenset({(Agency.POLICE, Category.IDENTITY)})))
        with pytest.raises(WrongPassword):
            documents.issue_handover(s.uow(), s.actor, case_id, Agency.POLICE, None,
                                     "inte-mitt-lösenord")
        handover = documents.issue_handover(s.uow(), s.actor, case_id, Agency.POLICE, None,
                                            PW)
        check = documents.verify_document(s, handover.pdf_bytes)
        assert check.ok, check.reason_en
    with any_store.login("stina") as boss:
        summary = documents.issue_case_summary(boss.uow(), boss.actor, case_id)
        assert summary.pages >= 1


def test_protected_identity_reveal_emergency_meetings_incidents_exits(any_store):
    from trefas_app.domain.enums import ProtectionLevel
    from trefas_app.services import exits, incidents

    with any_store.login("sara") as s:
        hidden = persons.create_person(s.uow(), s.actor, persons.PersonInput(
            "Lina", "Skydd", protection_level=ProtectionLevel.PROTECTED_REGISTRATION))
        k = cases.open_case(s.uow(), s.actor, hidden.id, "Skyddat ärende")
        row = next(r for r in cases.list_cases(s.uow(), s.actor).rows if r.id == k.id)
        assert row.person_name.startswith("Skyddad person P-")
        shown = persons.reveal_identity(s.uow(), s.actor, hidden.id,
                                        "Behöver ringa personen i dag om mötet")
        assert "Lina" in str(shown)
        exit_ = exits.request_exit(s.uow(), s.actor, k.id, "Vill lämna")
        assert exits.get_exit(s.uow(), s.actor, exit_.id).id == exit_.id
    with any_store.login("kalle") as coordinator:
        _discuss_and_link(any_store, coordinator, k.id, "Centrum")
        assert incidents.list_incidents(coordinator.uow(), coordinator.actor).rows
    with any_store.login("olle") as other:
        view = cases.request_emergency_access(other.uow(), other.actor, k.id,
                                              "Akut hot, ansvarig handläggare nås inte")
        assert view.read_only and view.person.display_name.startswith("Skyddad person P-")


def test_free_text_about_a_masked_person_never_shows_their_name(any_store):
    """A case title naming a protected person: both stores blank the name out
    (a server in its own functions, which know the name); revealed, the
    title is shown as written."""
    from trefas_app.domain.enums import ProtectionLevel

    with any_store.login("sara") as s:
        hidden = persons.create_person(s.uow(), s.actor, persons.PersonInput(
            "Lina", "Skydd", protection_level=ProtectionLevel.PROTECTED_REGISTRATION))
        k = cases.open_case(s.uow(), s.actor, hidden.id, "Samtal med Lina Skydd om skolan")
        row = next(r for r in cases.list_cases(s.uow(), s.actor).rows if r.id == k.id)
        assert row.title == "Samtal med [skyddat namn] [skyddat namn] om skolan"
        persons.reveal_identity(s.uow(), s.actor, hidden.id, "Behöver ringa personen i dag")
        row = next(r for r in cases.list_cases(s.uow(), s.actor).rows if r.id == k.id)
        assert row.title == "Samtal med Lina Skydd om skolan"


#: A protected person, their guardian, and free text naming them every way the
#: rule must catch: any case, inside a hyphenated word, at the text's edges,
#: not inside a longer word ("Åsa-Lenas", "Idilsson").
MASKED_FIRST, MASKED_LAST, GUARDIAN = "Åsa-Lena", "Öberg Ekström", "Idil Aziz"
MASKED_TEXTS = {
    "title": "Åsa-Lena och ÖBERG-familjen",
    "note_title": "Samtal med åsa-lena",
    "note_body": "Åsa-Lena Öberg Ekström berättade; Idil (mamma) var med. "
                 "Åsa-Lenas skola, Idilsson och ekström",
    "risk": "Hotad av Ekströms gäng, se Aziz",
    "task": "Ring IDIL AZIZ",
    "goal": "Åsa-Lena går i skolan",
    "purpose": "Samverkan kring Åsa-Lena",
    "reason": "Ringa Åsa-Lena om mötet",
}


def _blanked(text: str) -> str:
    from trefas_app.services.views import name_words, scrub_names

    return scrub_names(text, name_words(MASKED_FIRST, MASKED_LAST, GUARDIAN))


def test_free_text_about_a_protected_person_reads_the_same_on_both_stores(any_store):
    """Every kind of free text about a protected person, and a document about
    them, blanked exactly as the program's own rule blanks it — on a server
    by the server, which alone knows the names — for a supervisor who has not
    revealed the identity; after the reveal, as written."""
    from trefas_app.domain.enums import LifeArea, ProtectionLevel, RiskLevel
    from trefas_app.services import documents, plans, tasks

    texts, today = MASKED_TEXTS, clock.today()
    with any_store.login("sara") as s:
        p = persons.create_person(s.uow(), s.actor, persons.PersonInput(
            MASKED_FIRST, MASKED_LAST, protection_level=ProtectionLevel.CONFIDENTIALITY_MARKING,
            risk_level=RiskLevel.RED, risk_factors=texts["risk"]))
        k = cases.open_case(s.uow(), s.actor, p.id, texts["title"])
        note = notes.write_note(s.uow(), s.actor, k.id, texts["note_title"], texts["note_body"],
                                Category.SOCIAL)
        notes.sign_note(s.uow(), s.actor, note.id)
        tasks.create_task(s.uow(), s.actor, k.id, texts["task"], None, None, None)
        plan = plans.create_plan(s.uow(), s.actor, k.id, False, Agency.CITY)
        plans.add_goal(s.uow(), s.actor, plan.id, LifeArea.STUDIES, texts["goal"])
        consents.record_consent(s.uow(), s.actor, consents.ConsentInput(
            person_id=p.id, purpose=texts["purpose"], valid_from=today,
            valid_until=today + dt.timedelta(days=90), guardian_name=GUARDIAN,
            grants=frozenset({(Agency.POLICE, Category.SOCIAL)})))
        persons.reveal_identity(s.uow(), s.actor, p.id, texts["reason"])
    with any_store.login("stina") as boss:
        u, a = boss.uow, boss.actor
        case = cases.get_case(u(), a, k.id)
        assert case.title == _blanked(texts["title"]) != texts["title"]
        assert case.person.risk_factors == _blanked(texts["risk"]) != texts["risk"]
        shown = notes.list_notes(u(), a, k.id).rows
        assert [(n.title, n.body) for n in shown] == [
            (_blanked(texts["note_title"]), _blanked(texts["note_body"]))]
        assert [t.title for t in tasks.list_tasks(u(), a, case_id=k.id).rows] == [
            _blanked(texts["task"])]
        assert [g.goal for g in plans.get_plan(u(), a, plan.id).goals] == [
            _blanked(texts["goal"])]
        assert [c.purpose for c in consents.list_consents(u(), a, p.id)] == [
            _blanked(texts["purpose"])]
        pdf = _pdf_words(documents.issue_case_summary(u(), a, k.id).pdf_bytes)
        words = {w.casefold() for w in re.findall(r"\w[\w'-]*", pdf)}
        assert not words & {"åsa-lena", "öberg", "ekström", "idil", "aziz"}
        assert {"åsa-lenas", "idilsson", "ekströms"} <= words  # inside longer words
        for key in ("note_body", "goal", "title"):
            assert " ".join(_blanked(texts[key]).split()) in pdf
        assert "[skyddad text]" not in pdf
        log = _pdf_words(documents.issue_access_log_extract(u(), a, p.id).pdf_bytes)
        assert " ".join(_blanked(texts["reason"]).split()) in log
        assert "Åsa-Lena" not in log and "[skyddad text]" not in log
        persons.reveal_identity(u(), a, p.id, "Sammanställning till nämnden i dag")
        assert cases.get_case(u(), a, k.id).title == texts["title"]
        shown = notes.list_notes(u(), a, k.id).rows
        assert [n.body for n in shown] == [texts["note_body"]]
        pdf = _pdf_words(documents.issue_case_summary(u(), a, k.id).pdf_bytes)
        assert " ".join(texts["note_body"].split()) in pdf


def test_a_consent_the_person_gave_keeps_its_words(any_store):
    """"Personen själv" names nobody: a consent's purpose that says it is not
    blanked (it was, on the local store, when the giver's words were taken
    for names)."""
    from trefas_app.domain.enums import ProtectionLevel

    today = clock.today()
    with any_store.login("sara") as s:
        p = persons.create_person(s.uow(), s.actor, persons.PersonInput(
            "Nils", "Nord", protection_level=ProtectionLevel.PROTECTED_REGISTRATION))
        cases.open_case(s.uow(), s.actor, p.id, "Stöd")
        consents.record_consent(s.uow(), s.actor, consents.ConsentInput(
            person_id=p.id, purpose="Personen själv vill ha stöd, säger Nils",
            valid_from=today, valid_until=today + dt.timedelta(days=30),
            grants=frozenset({(Agency.POLICE, Category.SOCIAL)})))
    with any_store.login("stina") as boss:
        shown = consents.list_consents(boss.uow(), boss.actor, p.id)
        assert [c.purpose for c in shown] == ["Personen själv vill ha stöd, säger [skyddat namn]"]
        assert [c.given_by for c in shown] == ["Personen själv"]


def test_minutes_blank_a_protected_persons_name_in_another_persons_item(any_store):
    """Meeting minutes about a protected person and someone else: the whole
    document loses the protected person's names, the other item too."""
    from trefas_app.domain.enums import MeetingKind, ProtectionLevel
    from trefas_app.services import documents, meetings

    with any_store.login("sara") as s:
        hidden = persons.create_person(s.uow(), s.actor, persons.PersonInput(
            "Tuva", "Tyst", protection_level=ProtectionLevel.PROTECTED_REGISTRATION))
        hidden_case = cases.open_case(s.uow(), s.actor, hidden.id, "Stöd")
    with any_store.login("kalle") as c:
        meeting = meetings.create_meeting(c.uow(), c.actor, MeetingKind.JOINT,
                                          any_store.ids["rk"], "Samverkan",
                                          clock.now_utc() + dt.timedelta(days=1), None)
        meetings.add_meeting_item(c.uow(), c.actor, meeting.id, hidden_case.id,
                                  "Tuva mår bättre")
        meetings.add_meeting_item(c.uow(), c.actor, meeting.id, any_store.ids["case"],
                                  "Amir träffar Tuva Tyst i skolan")
        pdf = _pdf_words(documents.issue_meeting_minutes(c.uow(), c.actor,
                                                         meeting.id).pdf_bytes)
    assert "[skyddat namn] mår bättre" in pdf
    assert "Amir träffar [skyddat namn] [skyddat namn] i skolan" in pdf
    assert "Tuva" not in pdf and "[skyddad text]" not in pdf


def _pdf_words(pdf: bytes) -> str:
    import io

    import pypdf
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = " ".join(page.extract_text() or "" for page in reader.pages)
    return re.sub(r"\s+", " ", text)


def test_the_second_save_of_a_plan_is_refused_with_who_and_when(any_store):
    from trefas_app.domain.enums import LifeArea
    from trefas_app.services import plans
    from trefas_app.store.versions import ChangedMeanwhile

    case_id = any_store.ids["case"]
    today = clock.today()
    with any_store.login("sara") as s:
        plan = plans.create_plan(s.uow(), s.actor, case_id, False, Agency.CITY)
        plans.add_goal(s.uow(), s.actor, plan.id, LifeArea.STUDIES, "Gå i skolan varje dag")
        plans.add_action(s.uow(), s.actor, plan.id, LifeArea.STUDIES, "Möte med mentorn",
                         Agency.CITY)
    with any_store.login("stina") as boss:
        plans.approve_plan(boss.uow(), boss.actor, plan.id)
    with any_store.login("sara") as first, any_store.login("sara") as second:
        opened_here = plans.get_plan(first.uow(), first.actor, plan.id).version
        opened_there = plans.get_plan(second.uow(), second.actor, plan.id).version
        saved = plans.follow_up_plan(first.uow(), first.actor, plan.id,
                                     today + dt.timedelta(days=30), opened_here)
        # The returned view carries the version now stored: the next save
        # from that view is accepted.
        assert saved.version > opened_here
        assert plans.get_plan(first.uow(), first.actor, plan.id).version == saved.version
        with pytest.raises(ChangedMeanwhile) as refused:
            plans.follow_up_plan(second.uow(), second.actor, plan.id,
                                 today + dt.timedelta(days=60), opened_there)
    at = clock.format_local(clock.now_utc())[-5:-3]  # the hour; minutes may tick
    assert refused.value.sv.startswith("Planen ändrades av Sara Lind kl. " + at)
    assert refused.value.sv.endswith("– din ändring har inte sparats; öppna igen.")
    with any_store.login("sara") as s:
        kept = plans.get_plan(s.uow(), s.actor, plan.id)
    assert kept.next_follow_up == today + dt.timedelta(days=30)  # nothing overwritten


def test_a_stale_draft_is_not_saved(any_store):
    from trefas_app.store.versions import ChangedMeanwhile

    with any_store.login("sara") as s:
        draft = notes.write_note(s.uow(), s.actor, any_store.ids["case"], "Utkast", "Ett",
                                 Category.SOCIAL)
        newer = notes.update_draft(s.uow(), s.actor, draft.id, "Utkast", "Två",
                                   expected_version=draft.version)
        with pytest.raises(ChangedMeanwhile) as refused:
            notes.update_draft(s.uow(), s.actor, draft.id, "Utkast", "Tre",
                               expected_version=draft.version)
        assert refused.value.sv.startswith("Anteckningen ändrades av Sara Lind kl. ")
        assert notes.get_note(s.uow(), s.actor, draft.id).body == "Två"
        assert notes.get_note(s.uow(), s.actor, draft.id).version == newer.version
        notes.update_draft(s.uow(), s.actor, draft.id, "Utkast", "Fyra",
                           expected_version=newer.version)


# --- two people saving the same record (issue 13): every edit a user reaches --


def _refused_after(any_store, read, first_save, second_save, noun: str,
                   users=("sara", "olle")):
    """Two desktops read the same record; the first saves; the second's save
    from what it read is refused with who changed it and when. Returns the
    refusal."""
    from trefas_app.store.versions import ChangedMeanwhile

    first_user = next(display for name, display, *_rest in PEOPLE if name == users[0])
    with any_store.login(users[0]) as first, any_store.login(users[1]) as second:
        opened_here = read(first).version
        opened_there = read(second).version
        assert opened_here == opened_there >= 1
        saved = first_save(first, opened_here)
        assert saved.version > opened_here  # the next save from this view is accepted
        with pytest.raises(ChangedMeanwhile) as refused:
            second_save(second, opened_there)
    at = clock.format_local(clock.now_utc())[-5:-3]  # the hour; minutes may tick
    assert refused.value.sv.startswith(f"{noun} ändrades av {first_user} kl. {at}")
    assert refused.value.sv.endswith("– din ändring har inte sparats; öppna igen.")
    assert first_user in refused.value.en and "not been saved" in refused.value.en
    assert refused.value.stale  # what the window reloads to show the newer version
    return refused.value


@pytest.fixture
def olle_on_team(any_store):
    with any_store.login("sara") as s:
        view = cases.get_case(s.uow(), s.actor, any_store.ids["case"])
        if not any(member.user_id == users_id(s, "olle") for member in view.team):
            cases.add_team_member(s.uow(), s.actor, view.id, users_id(s, "olle"))
    return any_store


def users_id(session, name: str) -> int:
    display = next(d for n, d, *_rest in PEOPLE if n == name)
    return next(u.id for u in users.user_directory(session.uow(), session.actor)
                if u.display_name == display)


def test_a_person_saved_meanwhile_is_not_overwritten(olle_on_team):
    any_store = olle_on_team
    person_id = any_store.ids["person"]

    def read(s):
        return persons.get_person(s.uow(), s.actor, person_id)

    def save(phone):
        return lambda s, version: persons.update_person(
            s.uow(), s.actor, person_id, persons.PersonInput("Amir", "Haddad", phone=phone),
            expected_version=version)

    _refused_after(any_store, read, save("070-111 11 11"), save("070-222 22 22"),
                   "Personuppgifterna")
    with any_store.login("sara") as s:
        assert read(s).phone == "070-111 11 11"


def test_a_referral_moved_meanwhile_is_not_moved_again(olle_on_team):
    from trefas_app.domain.enums import ReferralState
    from trefas_app.services import referrals

    any_store = olle_on_team
    with any_store.login("sara") as s:
        ref = referrals.create_referral(s.uow(), s.actor, any_store.ids["case"],
                                        "Skjutning i området", Agency.POLICE)

    def read(s):
        return referrals.get_referral(s.uow(), s.actor, ref.id)

    def move(s, version):
        return referrals.move_referral(s.uow(), s.actor, ref.id,
                                       ReferralState.INITIAL_ASSESSMENT,
                                       note="Första bedömning", expected_version=version)

    _refused_after(any_store, read, move, move, "Aktualiseringen")
    with any_store.login("sara") as s:
        assert read(s).state == ReferralState.INITIAL_ASSESSMENT


def test_a_task_done_meanwhile_is_not_cancelled(olle_on_team):
    from trefas_app.domain.enums import TaskState
    from trefas_app.services import tasks

    any_store = olle_on_team
    with any_store.login("sara") as s:
        task = tasks.create_task(s.uow(), s.actor, any_store.ids["case"], "Ring skolan",
                                 None, None, None)

    def read(s):
        return tasks.get_task(s.uow(), s.actor, task.id)

    _refused_after(
        any_store, read,
        lambda s, v: tasks.complete_task(s.uow(), s.actor, task.id, expected_version=v),
        lambda s, v: tasks.cancel_task(s.uow(), s.actor, task.id, "Behövs inte",
                                       expected_version=v),
        "Uppgiften")
    with any_store.login("sara") as s:
        assert read(s).state == TaskState.DONE


def test_an_exit_agreement_written_meanwhile_is_not_overwritten(olle_on_team):
    from trefas_app.domain.enums import ExitState
    from trefas_app.services import exits
    from trefas_app.store.versions import ChangedMeanwhile

    any_store = olle_on_team
    with any_store.login("sara") as s:
        programme = exits.request_exit(s.uow(), s.actor, any_store.ids["case"])
        exits.record_first_contact(s.uow(), s.actor, programme.id)
        exits.move_exit(s.uow(), s.actor, programme.id, ExitState.INTAKE)

    def read(s):
        return exits.get_exit(s.uow(), s.actor, programme.id)

    def write(conditions, signed_on=None):
        return lambda s, version: exits.set_agreement(s.uow(), s.actor, programme.id,
                                                      conditions, signed_on,
                                                      expected_version=version)

    _refused_after(any_store, read, write("Inga kontakter med gruppen."),
                   write("Flytt till annan ort."), "Avhopparärendet")
    with any_store.login("sara") as s:
        assert read(s).agreement_conditions == "Inga kontakter med gruppen."
        exits.move_exit(s.uow(), s.actor, programme.id, ExitState.AGREEMENT,
                        expected_version=read(s).version)
    with any_store.login("stina") as boss:
        read_by_boss = read(boss).version
    with any_store.login("sara") as s:  # the conditions change after the supervisor read them
        write("Inga kontakter, ny skola.", clock.today())(s, read(s).version)
    with any_store.login("stina") as boss:
        with pytest.raises(ChangedMeanwhile):
            exits.approve_agreement(boss.uow(), boss.actor, programme.id,
                                    expected_version=read_by_boss)
        assert read(boss).agreement_approved_at is None
        approved = exits.approve_agreement(boss.uow(), boss.actor, programme.id,
                                           expected_version=read(boss).version)
        assert approved.agreement_approved_at is not None


def test_a_plan_changed_meanwhile_is_not_approved_unseen(any_store):
    from trefas_app.domain.enums import LifeArea, PlanState
    from trefas_app.services import plans
    from trefas_app.store.versions import ChangedMeanwhile

    with any_store.login("sara") as s:
        plan = plans.create_plan(s.uow(), s.actor, any_store.ids["case"], False, Agency.CITY)
        plans.add_goal(s.uow(), s.actor, plan.id, LifeArea.STUDIES, "Gå i skolan")
        plans.add_action(s.uow(), s.actor, plan.id, LifeArea.STUDIES, "Möte med mentorn",
                         Agency.CITY)
    with any_store.login("stina") as boss:
        read_by_boss = plans.get_plan(boss.uow(), boss.actor, plan.id).version
    with any_store.login("sara") as s:  # an action added after the supervisor read it
        plans.add_action(s.uow(), s.actor, plan.id, LifeArea.STUDIES, "Läxhjälp",
                         Agency.CITY)
    with any_store.login("stina") as boss:
        with pytest.raises(ChangedMeanwhile) as refused:
            plans.approve_plan(boss.uow(), boss.actor, plan.id, expected_version=read_by_boss)
        assert refused.value.sv.startswith("Planen ändrades av Sara Lind kl. ")
        assert plans.get_plan(boss.uow(), boss.actor, plan.id).state == PlanState.DRAFT
        current = plans.get_plan(boss.uow(), boss.actor, plan.id)
        assert plans.approve_plan(boss.uow(), boss.actor, plan.id,
                                  expected_version=current.version).state == PlanState.APPROVED


def test_a_draft_saved_elsewhere_is_not_signed_unseen(any_store):
    from trefas_app.store.versions import ChangedMeanwhile

    with any_store.login("sara") as here, any_store.login("sara") as there:
        draft = notes.write_note(here.uow(), here.actor, any_store.ids["case"], "Utkast",
                                 "Ett", Category.SOCIAL)
        notes.update_draft(there.uow(), there.actor, draft.id, "Utkast", "Två",
                           expected_version=draft.version)
        with pytest.raises(ChangedMeanwhile):
            notes.sign_note(here.uow(), here.actor, draft.id, expected_version=draft.version)
        with pytest.raises(ChangedMeanwhile):
            notes.delete_draft(here.uow(), here.actor, draft.id, expected_version=draft.version)
        kept = notes.get_note(here.uow(), here.actor, draft.id)
        assert kept.state == NoteState.DRAFT and kept.body == "Två"
        signed = notes.sign_note(here.uow(), here.actor, draft.id, expected_version=kept.version)
        assert signed.state == NoteState.SIGNED


def test_a_routine_step_given_an_owner_meanwhile_is_not_given_another(any_store):
    from trefas_app.domain.enums import IncidentKind
    from trefas_app.services import incidents

    with any_store.login("kalle") as coordinator:
        incident = incidents.report_incident(
            coordinator.uow(), coordinator.actor, IncidentKind.SHOOTING,
            (clock.now_utc() - dt.timedelta(hours=2)).replace(microsecond=0),
            any_store.ids["rk"], "Torget", "Skottlossning vid torget.")
        step = next(s for s in incident.steps if s.owner_agency == Agency.POLICE)
        police = {u.display_name: u.id for u in users.user_directory(
            coordinator.uow(), coordinator.actor, Agency.POLICE)}

    def read(s):
        view = incidents.get_incident(s.uow(), s.actor, incident.id)
        return next(st for st in view.steps if st.id == step.id)

    def assign(name):
        def save(s, version):
            view = incidents.assign_step(s.uow(), s.actor, step.id, police[name],
                                         expected_version=version)
            return next(st for st in view.steps if st.id == step.id)
        return save

    _refused_after(any_store, read, assign("Petra Polis"), assign("Pia Chef"), "Rutinsteget",
                   users=("petra", "kalle"))
    with any_store.login("kalle") as s:
        assert read(s).owner_name == "Petra Polis"
def test_a_case_tab_tells_how_much_the_rule_hides_on_both(any_store):
    """DESIGN §3: what the rule hides is not shown, but the user is told that
    it exists. A police liaison on the team, with the person's identity shared
    but nothing else: the city's notes, plans, meeting items and incident links
    of the case are counted, not shown — on a server too, where the row rules
    hide those rows from the service's own count."""
    from trefas_app.services import incidents, meetings, plans

    with any_store.login("sara") as s:
        _p, k = police_on_a_city_case(s)
    with any_store.login("kalle") as coordinator:
        _discuss_and_link(any_store, coordinator, k.id, "Torget")

    def tabs(store):
        a = store.actor
        return {"notes": notes.list_notes(store.uow(), a, k.id),
                "plans": plans.list_plans(store.uow(), a, k.id),
                "items": meetings.list_case_items(store.uow(), a, k.id),
                "links": incidents.list_case_involvements(store.uow(), a, k.id)}

    with any_store.login("sara") as s:
        for name, page in tabs(s).items():
            assert (len(page.rows), page.hidden) == (1, {}), name
    with any_store.login("petra") as p_:
        shown = tabs(p_)
    assert shown["notes"].hidden == {Category.HEALTH: 1}
    assert shown["links"].hidden == {Category.CRIMINAL: 1}
    for name, page in shown.items():
        assert (page.rows, sum(page.hidden.values())) == ((), 1), (any_store.kind, name)


def police_on_a_city_case(s):
    """(person, case) of a new case of Sara's (``s``) whose person's identity,
    and nothing else, is shared with the police; Petra on its team; the
    city's signed health note and a plan in it."""
    from trefas_app.services import plans

    today = clock.today()
    p = persons.create_person(s.uow(), s.actor, persons.PersonInput("Dold", "Räknad"))
    k = cases.open_case(s.uow(), s.actor, p.id, "Räknas")
    consents.record_consent(s.uow(), s.actor, consents.ConsentInput(
        person_id=p.id, purpose="Samverkan med polisen", valid_from=today,
        valid_until=today + dt.timedelta(days=30),
        grants=frozenset({(Agency.POLICE, Category.IDENTITY)})))
    cases.add_team_member(s.uow(), s.actor, k.id, _user_id(s, "petra"))
    note = notes.write_note(s.uow(), s.actor, k.id, "Samtal", "Om skolan.", Category.HEALTH)
    notes.sign_note(s.uow(), s.actor, note.id)
    plans.create_plan(s.uow(), s.actor, k.id, False, Agency.CITY)
    return p, k


def _discuss_and_link(world, coordinator, case_id: int, place: str) -> None:
    """The coordinator discusses the case at a joint meeting tomorrow and
    links its person, as a witness, to a shooting two hours ago."""
    from trefas_app.domain.enums import IncidentKind, MeetingKind
    from trefas_app.services import incidents, meetings

    c, now = coordinator, clock.now_utc()
    meeting = meetings.create_meeting(c.uow(), c.actor, MeetingKind.JOINT, world.ids["rk"],
                                      "Samverkan", now + dt.timedelta(days=1), None)
    meetings.add_meeting_item(c.uow(), c.actor, meeting.id, case_id, "Läget")
    incident = incidents.report_incident(c.uow(), c.actor, IncidentKind.SHOOTING,
                                         now - dt.timedelta(hours=2), world.ids["rk"], place,
                                         "Skottlossning")
    incidents.link_person(c.uow(), c.actor, incident.id, case_id, "witness")


def test_a_draft_is_its_authors_alone_even_to_a_team_member(olle_on_team):
    """Olle is on the case's team and reads its signed notes; Sara's draft is
    not shown to him, not counted as hidden from him, and refused by id. On a
    server his own login role cannot read it with psql either: the rule the
    server enforces is the program's."""
    world = olle_on_team
    with world.login("sara") as s:
        draft = notes.write_note(s.uow(), s.actor, world.ids["case"], "Utkast",
                                 "Inte klart än.", Category.SOCIAL)
    try:
        with world.login("olle") as o:
            page = notes.list_notes(o.uow(), o.actor, world.ids["case"])
            assert world.ids["note"] in [n.id for n in page.rows]
            assert draft.id not in [n.id for n in page.rows]
            assert page.hidden == {}
            with pytest.raises((AccessDenied, NotFound)):
                notes.get_note(o.uow(), o.actor, draft.id)
        if world.kind == "postgresql":
            import psycopg
            with psycopg.connect(world.url, user="olle", password=PW, autocommit=True) as conn:
                ids = {row[0] for row in conn.execute(
                    "SELECT id FROM notes WHERE case_id = %s", (world.ids["case"],))}
                assert world.ids["note"] in ids and draft.id not in ids
                try:
                    changed = conn.execute("UPDATE notes SET body = 'x' WHERE id = %s",
                                           (draft.id,)).rowcount
                except psycopg.errors.InsufficientPrivilege:
                    changed = 0
                assert changed == 0
        with world.login("sara") as s:  # the author still has it
            assert notes.get_note(s.uow(), s.actor, draft.id).body == "Inte klart än."
    finally:
        with world.login("sara") as s:
            notes.delete_draft(s.uow(), s.actor, draft.id)


def test_a_pages_consented_categories_are_one_statement_with_no_policy_on_a_server(any_store):
    """Each naming of a table on a server is its row policy's sets computed
    once more (for a police supervisor ≈ 85 ms a time): the categories a page
    of persons shares are read there by the server's function of the same
    query, which names no table under a policy, and are the same on both
    stores."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from trefas_app.security import access

    today = clock.today()
    with any_store.login("sara") as s:
        person = persons.create_person(s.uow(), s.actor, persons.PersonInput("Nora", "Lind"))
        unshared = persons.create_person(s.uow(), s.actor, persons.PersonInput("Ella", "Berg"))
        consents.record_consent(s.uow(), s.actor, consents.ConsentInput(
            person_id=person.id, purpose="Samverkan med polisen", valid_from=today,
            valid_until=today + dt.timedelta(days=30),
            grants=frozenset({(Agency.POLICE, Category.IDENTITY),
                              (Agency.POLICE, Category.SOCIAL)})))
        seen: list[str] = []

        def record(conn, cursor, statement, *args):
            seen.append(statement)

        event.listen(s.engine, "before_cursor_execute", record)
        try:
            with Session(s.engine) as session:
                found = access.categories_for_persons(
                    session, Agency.POLICE, [person.id, unshared.id],
                    clock.now_utc(), owners={person.id: Agency.CITY,
                                             unshared.id: Agency.CITY})
        finally:
            event.remove(s.engine, "before_cursor_execute", record)
    assert found == {person.id: {Category.IDENTITY, Category.SOCIAL}, unshared.id: set()}
    (read,) = [q for q in seen if q.startswith("SELECT")]
    if any_store.kind == "postgresql":  # the server's function: no policy computed
        assert access.CONSENTED_CATEGORIES in read
        assert not re.search(r"\bconsents\b|\bconsent_grants\b", read)
    else:
        assert len(re.findall(r"\bconsents AS rule_consent\b", read)) == 2


def test_a_servers_reads_leave_the_rule_to_its_policies_and_find_the_same_cases(any_store):
    """On a server the login role's row policies are the rule, on every table
    a statement names: the program's own list statement leaves it out there
    (written in as well, it named the rule's teams, consents and emergency
    accesses, each computed again under its own policy: half of a page's
    time) and still finds what the rule allows, as the local store's
    statement, its only guard, does. A change still carries the rule."""
    from sqlalchemy import event
    from sqlalchemy.dialects import postgresql

    from trefas_app.security import access

    seen: list[str] = []

    def record(conn, cursor, statement, *args):
        seen.append(statement)

    with any_store.login("sara") as s:
        person = persons.create_person(s.uow(), s.actor, persons.PersonInput("Alva", "Holm"))
        new_case = cases.open_case(s.uow(), s.actor, person.id, "Oro för hot").id
    found = {}
    for name in ("sara", "petra", "kalle"):
        with any_store.login(name) as s:
            event.listen(s.engine, "before_cursor_execute", record)
            try:
                found[name] = [r.id for r in cases.list_cases(s.uow(), s.actor).rows]
            finally:
                event.remove(s.engine, "before_cursor_execute", record)
            if name == "sara":
                change = access.visible(s.actor, "case", clock.now_utc(), "update")
                assert "team_members" in str(change.compile(dialect=postgresql.dialect()))
    assert new_case in found["sara"]  # on her team
    assert new_case not in found["petra"]  # the police: no consent, no team
    page_reads = [q for q in seen if re.search(r"\bFROM cases\b", q) and "LIMIT" in q]
    assert len(page_reads) == 3
    on_server = any_store.kind == "postgresql"
    assert all(("team_members" in q) is not on_server for q in page_reads)
