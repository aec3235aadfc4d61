"""Confidentiality (issue 9): one mask for everything that identifies a
protected person, one scope for every reading of the access log, reasons
shown only to their own agency, the revealed identity in a handover only when
asked for, and one answer for "no access" and "does not exist".

One mask for everything that identifies a protected person:

A protected person the reader has not revealed — or a person whose identity
is not shared with the reader's agency — appears as "Skyddad person P-0024".
Every view field that can name, number, reach or locate them or those close
to them (guardian, relatives, contacts, names in free text) is declared
``identifying`` and masked by ``views.mask_identity``. These tests introspect
the frozen view classes, then walk every view the services return to each
demo user and check each declared field is masked."""

from __future__ import annotations

import dataclasses
import inspect
import io
import re
from datetime import timedelta

import pypdf
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from trefas_app.demo import DEMO_PASSWORD, USERS, build_demo
from trefas_app.domain.clock import local_date, now_utc
from trefas_app.domain.enums import Agency, CaseState, Category, ProtectionLevel
from trefas_app.domain.errors import AccessDenied, NotFound
from trefas_app.security import access
from trefas_app.services import (
    audit_log,
    cases,
    consents,
    documents,
    dashboard,
    exits,
    incidents,
    meetings,
    notes,
    persons,
    referrals,
    tasks,
    views,
    views_casework,
    views_ops,
)
from trefas_app.store import models as m
from trefas_app.store.keyslots import TEST_KDF
from trefas_app.store.store import unlock

VIEW_MODULES = (views, views_casework, views_ops)
#: Views of staff (users of the program), whose names are not about a person at risk.
STAFF_VIEWS = {"UserView", "UnitView", "TeamMemberView", "ParticipantView",
               "UserDirectoryEntry"}
#: Field names that can hold a detail identifying a person or those close to them.
SUSPECT_NAMES = {"person_name", "display_name", "given_by", "first_name", "last_name",
                 "personal_number", "birth_date", "phone", "email", "address",
                 "postal_code", "city", "relatives", "guardian"}


def _view_classes():
    for module in VIEW_MODULES:
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if dataclasses.is_dataclass(cls) and cls.__module__ == module.__name__:
                yield name, cls


def test_every_field_that_can_identify_a_person_is_declared():
    undeclared = []
    for name, cls in _view_classes():
        assert cls.__dataclass_params__.frozen, name
        if name in STAFF_VIEWS:
            continue
        declared = views.identifying_fields(cls)
        undeclared += [f"{name}.{f.name}" for f in dataclasses.fields(cls)
                       if f.name in SUSPECT_NAMES and f.name not in declared]
    assert undeclared == []
    assert views.identifying_fields(views.ConsentView)["given_by"] is views.masked_giver


def test_the_mask_blanks_names_out_of_free_text():
    names = views.name_words("Idil Aziz (vårdnadshavare)", "Omar Aziz")
    assert views.scrub_names("Mormor till Omar, AZIZ-familjen; Idils bror", names) == \
        "Mormor till [skyddat namn], [skyddat namn]-familjen; Idils bror"
    assert views.masked_giver("Personen själv") == "Personen själv"
    assert views.masked_giver("Idil Aziz (vårdnadshavare)") == views.MASKED_GIVER


# --- every view every demo user gets ------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("mask") / "store"
    build_demo(root, kdf=TEST_KDF)
    with Session(unlock(root, "erik.sandberg", DEMO_PASSWORD).engine) as s:  # a key holder
        people = {p.id: p for p in s.scalars(select(m.Person)).all()}
        given_by = {}
        for c in s.scalars(select(m.Consent)).all():
            given_by.setdefault(c.person_id, set()).add(c.given_by)
        secret = {pid: (persons.person_names(p)
                        | views.name_words(*given_by.get(pid, ())))
                  - views.name_words(*views.NON_IDENTIFYING_GIVERS)
                  for pid, p in people.items()}
        protected = {pid for pid, p in people.items()
                     if p.protection_level != ProtectionLevel.NONE}
    guardians = [pid for pid in protected
                 if any(g not in views.NON_IDENTIFYING_GIVERS for g in given_by.get(pid, ()))]
    assert guardians, "the demo has a protected minor whose guardian gave consent"
    story = _hidden_case_story(root)
    return root, protected, secret, story


def _login(root, username):
    return unlock(root, username, DEMO_PASSWORD)


@dataclasses.dataclass(frozen=True)
class Story:
    person_id: int
    shared_case: int
    city_case: int


CLOSURE_REASON = "QZCLOSURE Ärendet avslutas: flyttat till annan kommun"
REVEAL_REASON = "QZREVEAL Behöver adressen inför planerat hembesök"


def _hidden_case_story(root) -> Story:
    """A protected person the police see through a shared case, with a second,
    closed case of the city that the police may not open, and a reveal by a
    city worker with a reason."""
    sara, erik = _login(root, "sara.lindqvist"), _login(root, "erik.sandberg")
    deniz = _login(root, "deniz.yilmaz")
    try:
        p = persons.create_person(sara.uow(), sara.actor, persons.PersonInput(
            "Qzlinn", "Qzberg", protection_level=ProtectionLevel.CONFIDENTIALITY_MARKING))
        today = local_date(now_utc())
        consents.record_consent(sara.uow(), sara.actor, consents.ConsentInput(
            person_id=p.id, purpose="Samverkan", valid_from=today,
            valid_until=today + timedelta(days=300),
            grants=frozenset({(Agency.POLICE, Category.IDENTITY),
                              (Agency.POLICE, Category.SOCIAL)}),
            guardian_name="Qzmira Qzberg"))
        shared = cases.open_case(sara.uow(), sara.actor, p.id, "Delat ärende")
        cases.add_team_member(sara.uow(), sara.actor, shared.id, deniz.actor.user_id)
        own = cases.open_case(sara.uow(), sara.actor, p.id, "Socialtjänstens ärende")
        cases.move_case(sara.uow(), sara.actor, own.id, CaseState.ACTIVE)
        cases.move_case(sara.uow(), sara.actor, own.id, CaseState.CLOSURE_REQUESTED,
                        CLOSURE_REASON)
        cases.move_case(erik.uow(), erik.actor, own.id, CaseState.CLOSED, CLOSURE_REASON)
        note = notes.write_note(sara.uow(), sara.actor, shared.id, "Samtal med Qzlinn",
                                "Qzlinn Qzberg berättade om hot. Mamma Qzmira Qzberg var med.",
                                Category.SOCIAL)
        notes.sign_note(sara.uow(), sara.actor, note.id)
        tasks.create_task(sara.uow(), sara.actor, shared.id, "Ring Qzmira Qzberg",
                          "Boka möte med Qzlinn", deniz.actor.user_id, None)
        persons.reveal_identity(sara.uow(), sara.actor, p.id, REVEAL_REASON)
        return Story(p.id, shared.id, own.id)
    finally:
        for store in (sara, erik, deniz):
            store.close()


def _walk(value, found):
    """Every view object inside ``value`` (pages, tuples, dicts, nested views)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        found.append(value)
        for f in dataclasses.fields(value):
            _walk(getattr(value, f.name), found)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            _walk(item, found)
    elif isinstance(value, dict):
        for item in value.values():
            _walk(item, found)


def _person_of(view) -> int | None:
    if isinstance(view, (views.PersonView, views.PersonRow)):
        return view.id
    return getattr(view, "person_id", None)


def _views_seen_by(store, protected):
    uow, actor = store.uow, store.actor
    results = []

    def collect(call, *args, **kwargs):
        try:
            results.append(call(uow(), actor, *args, **kwargs))
        except (AccessDenied, NotFound):
            pass

    collect(persons.list_persons)
    collect(cases.list_cases)
    collect(consents.expiring_consents, within_days=800)
    collect(tasks.list_tasks)
    collect(dashboard.dashboard)
    collect(exits.list_exits)
    collect(referrals.list_referrals)
    collect(meetings.list_meetings)
    collect(incidents.list_incidents)
    found: list = []
    _walk(results, found)
    case_ids = {v.id for v in found if isinstance(v, views.CaseRow) and v.protected}
    for pid in sorted(protected):
        collect(persons.get_person, pid)
        collect(consents.list_consents, pid)
    for cid in sorted(case_ids):
        collect(cases.get_case, cid)
        collect(notes.list_notes, cid)
        collect(tasks.list_tasks, case_id=cid)
        collect(exits.list_exits, case_id=cid)
        collect(referrals.list_referrals, case_id=cid)
    found = []
    _walk(results, found)
    return found


@pytest.mark.parametrize("username", [u[0] for u in USERS])
def test_every_identifying_field_is_masked_for_every_role(demo, username):
    root, protected, secret, _ = demo
    store = unlock(root, username, DEMO_PASSWORD)
    if not store.has_data_key:
        # The administrator holds no key: no projection of any person reaches them.
        with pytest.raises(AccessDenied):
            cases.list_cases(store.uow(), store.actor)
        store.close()
        return
    try:
        with Session(store.engine) as s:
            revealed = access.revealed_persons(s, store.actor, sorted(protected),
                                               now_utc())
        masked_ids = protected - revealed
        checked = set()
        for view in _views_seen_by(store, masked_ids):
            pid = _person_of(view)
            rules = views.identifying_fields(type(view))
            if pid not in masked_ids or not rules:
                continue
            for name, rule in rules.items():
                value = getattr(view, name)
                where = f"{type(view).__name__}.{name} of P-{pid:04d} for {username}"
                if rule == views.SCRUB:
                    words = views.name_words(value)
                    assert not {w.casefold() for w in words} & {
                        w.casefold() for w in secret[pid]}, where
                else:
                    expected = views.mask_identity(view, pid, secret[pid])
                    assert value == getattr(expected, name), where
                checked.add(f"{type(view).__name__}.{name}")
        if username == "erik.sandberg":  # sees every city person: the walk reached them
            assert {"CaseRow.person_name", "PersonRow.display_name", "PersonView.address",
                    "ConsentView.given_by", "ConsentView.purpose"} <= checked
    finally:
        store.close()


def test_a_guardian_is_not_named_where_the_person_is_masked(demo):
    """``consent list --person 24`` printed "Idil Aziz (vårdnadshavare)"."""
    root, protected, secret, _ = demo
    store = unlock(root, "erik.sandberg", DEMO_PASSWORD)
    try:
        with Session(store.engine) as s:
            pid = next(c.person_id for c in s.scalars(select(m.Consent)).all()
                       if c.person_id in protected
                       and c.given_by not in views.NON_IDENTIFYING_GIVERS)
        shown = consents.list_consents(store.uow(), store.actor, pid)
        assert shown and all(v.given_by in (*views.NON_IDENTIFYING_GIVERS, views.MASKED_GIVER)
                             for v in shown)
        assert all(v.person_name == access.person_alias(pid) for v in shown)
    finally:
        store.close()


# --- one scope for every reading of the log ---------------------------------------------


def _pdf_text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", " ", " ".join(p.extract_text() or "" for p in reader.pages))


def test_the_log_extract_leaves_out_cases_the_reader_may_not_open(demo):
    """``document log --person P`` by the police supervisor listed the entries
    and the closure reason of the city's own case; ``audit show`` did not."""
    root, _, _, story = demo
    maria = _login(root, "maria.ekstrom")
    try:
        with pytest.raises(AccessDenied):
            cases.get_case(maria.uow(), maria.actor, story.city_case)
        issued = documents.issue_access_log_extract(maria.uow(), maria.actor, story.person_id)
        text = _pdf_text(issued.pdf_bytes)
        assert "QZCLOSURE" not in text
        shown = audit_log.show_log(maria.uow(), maria.actor, person_id=story.person_id,
                                   limit=1000)
        assert shown.rows and all(r.case_id != story.city_case for r in shown.rows)
    finally:
        maria.close()


def test_a_reason_is_shown_only_to_the_agency_that_gave_it(demo):
    root, _, _, story = demo
    maria, erik = _login(root, "maria.ekstrom"), _login(root, "erik.sandberg")
    try:
        police = audit_log.show_log(maria.uow(), maria.actor, person_id=story.person_id,
                                    action="identity.reveal")
        assert police.rows, "the police supervisor sees that the identity was revealed"
        assert all(r.reason is None for r in police.rows)
        city = audit_log.show_log(erik.uow(), erik.actor, person_id=story.person_id,
                                  action="identity.reveal")
        assert [r.reason for r in city.rows] == [REVEAL_REASON]
        extract = _pdf_text(documents.issue_access_log_extract(
            maria.uow(), maria.actor, story.person_id).pdf_bytes)
        assert "QZREVEAL" not in extract
    finally:
        maria.close()
        erik.close()


# --- a revealed identity goes into a handover only when the author says so -----------------


def test_the_handover_command_leaves_a_revealed_identity_out_unless_asked(
        demo, tmp_path, monkeypatch, capsys, cli_logging):
    from trefas_app import cli

    root, _, _, story = demo
    monkeypatch.setenv("TREFAS_PASSWORD", DEMO_PASSWORD)
    texts = {}
    for flag in ((), ("--include-revealed-identity",)):
        out = tmp_path / f"handover{len(flag)}.pdf"
        code = cli.main(["document", "handover", "--store", str(root), "--user",
                         "sara.lindqvist", "--case", str(story.shared_case), "--to",
                         "police", "--out", str(out), *flag])
        assert code == 0, capsys.readouterr().err
        texts[bool(flag)] = _pdf_text(out.read_bytes())
    assert "Qzlinn" not in texts[False] and f"P-{story.person_id:04d}" in texts[False]
    assert "Qzlinn Qzberg" in texts[True]


# --- one answer for "does not exist" and "not yours to see" --------------------------------


def _answer(call):
    try:
        call()
    except (AccessDenied, NotFound) as exc:
        return type(exc), str(exc)
    return None


def test_a_hidden_record_and_a_missing_one_get_the_same_answer(demo):
    root, _, _, story = demo
    deniz = _login(root, "deniz.yilmaz")
    try:
        with Session(deniz.engine) as s:
            hidden_note = s.scalar(select(m.Note.id).where(
                ~access.visible(deniz.actor, "note", now_utc())).order_by(m.Note.id))
        missing = 9_999_999
        answers = [
            (_answer(lambda: cases.get_case(deniz.uow(), deniz.actor, story.city_case)),
             _answer(lambda: cases.get_case(deniz.uow(), deniz.actor, missing))),
            (_answer(lambda: cases.move_case(deniz.uow(), deniz.actor, story.city_case,
                                             CaseState.ACTIVE)),
             _answer(lambda: cases.move_case(deniz.uow(), deniz.actor, missing,
                                             CaseState.ACTIVE))),
            (_answer(lambda: notes.get_note(deniz.uow(), deniz.actor, hidden_note)),
             _answer(lambda: notes.get_note(deniz.uow(), deniz.actor, missing))),
            (_answer(lambda: persons.get_person(deniz.uow(), deniz.actor,
                                                _hidden_person(deniz))),
             _answer(lambda: persons.get_person(deniz.uow(), deniz.actor, missing))),
        ]
        for hidden, absent in answers:
            assert hidden is not None and hidden == absent
            assert issubclass(hidden[0], AccessDenied) and issubclass(hidden[0], NotFound)
        # Both probes are on record, so a supervisor can see someone trying ids.
        with Session(deniz.engine) as s:
            probes = s.scalars(select(m.AuditEvent.subject_id).where(
                m.AuditEvent.action == "access.denied",
                m.AuditEvent.username == "deniz.yilmaz")).all()
        assert str(missing) in probes and str(story.city_case) in probes
    finally:
        deniz.close()


def _hidden_person(store) -> int:
    with Session(store.engine) as s:
        seen = set(s.scalars(select(m.Person.id).where(
            access.visible(store.actor, "person", now_utc()))).all())
        return next(pid for pid in s.scalars(select(m.Person.id).order_by(m.Person.id))
                    if pid not in seen)


def test_the_command_line_gives_one_answer_for_hidden_and_missing(
        demo, monkeypatch, capsys, cli_logging):
    from trefas_app import cli

    root, _, _, story = demo
    monkeypatch.setenv("TREFAS_PASSWORD", DEMO_PASSWORD)
    outcomes = []
    for key in (str(story.city_case), "9999999", "K-2026-99999"):
        capsys.readouterr()
        code = cli.main(["case", "show", key, "--store", str(root), "--user",
                         "deniz.yilmaz"])
        captured = capsys.readouterr()
        outcomes.append((code, captured.out, captured.err.strip()))
    assert outcomes[0][0] != 0
    assert outcomes[0] == outcomes[1] == outcomes[2]


def test_names_in_the_free_text_of_case_content_are_masked(demo):
    """A note or a task about a masked person that names them or their
    guardian shows the alias reader "[skyddat namn]" instead."""
    root, _, _, story = demo
    deniz, sara = _login(root, "deniz.yilmaz"), _login(root, "sara.lindqvist")
    try:
        shown = notes.list_notes(deniz.uow(), deniz.actor, story.shared_case).rows
        assert shown and all("Qz" not in n.title + n.body for n in shown)
        assert any(views.NAME_MASK in n.body for n in shown)
        task_rows = tasks.list_tasks(deniz.uow(), deniz.actor, case_id=story.shared_case).rows
        assert task_rows and all("Qz" not in t.title + (t.description or "")
                                 for t in task_rows)
        case = cases.get_case(deniz.uow(), deniz.actor, story.shared_case)
        assert case.person.display_name == access.person_alias(story.person_id)
        # Sara revealed the identity: she reads the note as written.
        own = notes.list_notes(sara.uow(), sara.actor, story.shared_case).rows
        assert any("Qzlinn Qzberg berättade" in n.body for n in own)
    finally:
        deniz.close()
        sara.close()
