"""What the access rule hides, counted the same on both stores (DESIGN §3: a
user is told that N entries exist that are not shared with their agency).

On a server the row rules hide those rows from the service, so the server
counts them (``server/hidden.py``) narrowed as the list is
(``services.hidden_counts.NARROWINGS``). One world on each store: a city
case whose person's identity (nothing else) is shared with the police, the
police liaison Petra on its team, and the city's referral, exit programme,
note, plan, meeting item, meeting task and incident link in it. And, in the
same world, a protected person's name blanked out of the text a document
writes itself, as on a local store. (Named after test_services_both_stores,
whose world it shares: a server module runs on the real clock, conftest.)
"""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest

from server_world import ADMIN_PW, PW
from test_services_both_stores import (  # noqa: F401 (any_store is a fixture)
    _pdf_words,
    _user_id,
    any_store,
    police_on_a_city_case,
)
from trefas_app.domain import clock
from trefas_app.domain.enums import (
    Agency,
    Category,
    ExitState,
    IncidentKind,
    MeetingKind,
    ReferralState,
    TaskState,
)
from trefas_app.services import (
    cases,
    documents,
    exits,
    incidents,
    meetings,
    notes,
    persons,
    referrals,
    tasks,
)


@pytest.fixture(scope="module")
def hidden_world(any_store):  # noqa: F811
    now = clock.now_utc()
    with any_store.login("sara") as s:
        p, k = police_on_a_city_case(s)
        referrals.create_referral(s.uow(), s.actor, k.id, "Oro från skolan", Agency.CITY)
        exits.request_exit(s.uow(), s.actor, k.id, "Vill lämna gruppen")
        tasks.create_task(s.uow(), s.actor, k.id, "Ring skolan", None, None, None)
        tasks.create_task(s.uow(), s.actor, k.id, "Skicka intyg", None, None,
                          clock.today())
    with any_store.login("kalle") as c:
        meeting = meetings.create_meeting(c.uow(), c.actor, MeetingKind.JOINT,
                                          any_store.ids["rk"], "Samverkan",
                                          now + dt.timedelta(days=1), None)
        meetings.add_meeting_item(c.uow(), c.actor, meeting.id, k.id, "Läget")
        tasks.create_task(c.uow(), c.actor, k.id, "Boka möte", None, None, None,
                          meeting_id=meeting.id)
        incident = incidents.report_incident(c.uow(), c.actor, IncidentKind.SHOOTING,
                                             now - dt.timedelta(hours=2), any_store.ids["rk"],
                                             "Torget", "Skottlossning")
        incidents.link_person(c.uow(), c.actor, incident.id, k.id, "witness")
    return SimpleNamespace(store=any_store, case=k.id, person=p.id, meeting=meeting.id,
                           incident=incident.id)


def test_referrals_and_exits_filtered_by_state_count_what_the_rule_hides(hidden_world):
    w = hidden_world
    with w.store.login("sara") as s:  # the city sees them all, nothing hidden
        page = referrals.list_referrals(s.uow(), s.actor, w.case, (ReferralState.RECEIVED,))
        assert (len(page.rows), page.hidden) == (1, {})
    with w.store.login("petra") as p:
        def referral_figure(*states):
            page = referrals.list_referrals(p.uow(), p.actor, w.case, states)
            assert page.rows == ()
            return page.hidden

        def exit_figure(*states, waiting=False):
            page = exits.list_exits(p.uow(), p.actor, states, waiting, case_id=w.case)
            assert page.rows == ()
            return page.hidden

        assert referral_figure() == referral_figure(ReferralState.RECEIVED) \
            == {Category.SOCIAL: 1}, w.store.kind
        assert referral_figure(ReferralState.INITIAL_ASSESSMENT) == {}
        assert exit_figure() == exit_figure(ExitState.REQUESTED) \
            == exit_figure(waiting=True) == exit_figure(ExitState.REQUESTED, waiting=True) \
            == {Category.SOCIAL: 1}, w.store.kind
        assert exit_figure(ExitState.INTAKE) == exit_figure(ExitState.INTAKE, waiting=True) \
            == {}


def test_a_meetings_items_and_tasks_and_an_incidents_links_count_what_is_hidden(hidden_world):
    w = hidden_world
    with w.store.login("kalle") as c:
        meeting = meetings.get_meeting(c.uow(), c.actor, w.meeting)
        assert (len(meeting.items), meeting.items_hidden) == (1, {})
        assert (len(meeting.tasks), meeting.tasks_hidden) == (1, {})
    with w.store.login("petra") as p:
        meeting = meetings.get_meeting(p.uow(), p.actor, w.meeting)
        incident = incidents.get_incident(p.uow(), p.actor, w.incident)
    assert (meeting.items, meeting.items_hidden) == ((), {Category.SOCIAL: 1}), w.store.kind
    assert (meeting.tasks, meeting.tasks_hidden) == ((), {Category.SOCIAL: 1})
    assert (incident.involvements, incident.involvements_hidden) \
        == ((), {Category.CRIMINAL: 1})


def test_the_task_list_counts_what_the_rule_hides(hidden_world):
    """Sara's two tasks (one due today) and the meeting's, all the city's:
    hidden from Petra in the list of the case's tasks, as many as the
    list's filters find."""
    w = hidden_world
    with w.store.login("petra") as p:
        def figure(**filters):
            page = tasks.list_tasks(p.uow(), p.actor, case_id=w.case, **filters)
            count = tasks.count_tasks(p.uow(), p.actor, case_id=w.case, **filters)
            assert page.rows == () and (count.total, count.hidden) == (0, page.hidden)
            return page.hidden

        assert figure() == figure(states=(TaskState.OPEN,)) == {Category.SOCIAL: 3}, \
            w.store.kind
        assert figure(states=(TaskState.DONE,)) == figure(mine_only=True) \
            == figure(overdue_only=True) == {}  # due today is not overdue


#: What a police supervisor's summary of the case (and her extract about its
#: person) leaves out: the city's content, counted per category, on both
#: stores alike.
SUMMARY_OMITTED = (
    "Sociala uppgifter (1 SIG-aktualisering, 1 plan, 1 avhopparärende, 3 åtgärdspunkter): "
    "delas inte med Polismyndigheten och kan inte lämnas vidare",
    "Hälsouppgifter (1 anteckning): delas inte med Polismyndigheten och kan inte lämnas vidare",
    "Brottsuppgifter (1 händelsekoppling): delas inte med Polismyndigheten och kan inte "
    "lämnas vidare",
)


def test_a_documents_omissions_are_the_same_on_both_stores(hidden_world):
    """A case summary, meeting minutes and a subject extract by the police
    supervisor (in scope through Petra): what the rule hides from her is
    listed as left out, also on a server, where her row rules hide it from
    the document's queries."""
    w = hidden_world
    with w.store.login("pia") as boss:
        summary = documents.issue_case_summary(boss.uow(), boss.actor, w.case)
        minutes = documents.issue_meeting_minutes(boss.uow(), boss.actor, w.meeting)
        extract = documents.issue_subject_extract(boss.uow(), boss.actor, w.person)
    assert summary.omitted == extract.omitted == SUMMARY_OMITTED, w.store.kind
    assert minutes.omitted == (
        "Sociala uppgifter (1 mötespunkt, 1 åtgärdspunkt): delas inte med Polismyndigheten "
        "och kan inte lämnas vidare",)


def test_a_login_role_learns_nothing_but_its_own_lists_counts(hidden_world):
    """Called directly with psql, the counting functions give what the
    program's lists give and no more: counts per category, never a row; only
    in the caller's own scope (a case outside it, or one whose person may not
    be known to the caller, counts nothing; no narrowing counts the scope as
    a whole, which the case tabs show case by case); only the caller's own
    role's functions (another role's would count another scope); the
    administrator none. Each is the owner's, SECURITY DEFINER, with an empty
    search_path, and not executable by PUBLIC."""
    import psycopg

    from trefas_app.domain.enums import Role
    from trefas_app.domain.permissions import role_may
    from trefas_app.server.hidden import COUNTS
    from trefas_app.services.hidden_counts import NARROWINGS, function_name, table_of

    w = hidden_world
    if w.store.kind != "postgresql":
        pytest.skip("the counting functions are the server's")
    with w.store.login("sara") as s:  # Petra on the team, the person not known to the police
        p = persons.create_person(s.uow(), s.actor, persons.PersonInput("Okänd", "Polis"))
        unknown = cases.open_case(s.uow(), s.actor, p.id, "Inte delat")
        cases.add_team_member(s.uow(), s.actor, unknown.id, _user_id(s, "petra"))
        notes.sign_note(s.uow(), s.actor, notes.write_note(
            s.uow(), s.actor, unknown.id, "Samtal", "Text.", Category.HEALTH).id)
    outside = w.store.ids["case"]  # Sara's first case: Petra is not on its team

    def call(conn, kind: str, role: Role, case_id):
        nulls = ", ".join("NULL" for _ in NARROWINGS[kind][1:])
        return conn.execute(f"SELECT * FROM {function_name(table_of(kind), role)}"
                            f"(%s{', ' if nulls else ''}{nulls})", (case_id,))

    with psycopg.connect(w.store.url, user="petra", password=PW, autocommit=True) as conn:
        result = call(conn, "note", Role.POLICE_LIAISON, w.case)
        assert [c.name for c in result.description] == ["category", "n"]
        assert result.fetchall() == [("health", 1)]
        for kind in NARROWINGS:
            for case_id in (outside, unknown.id, 10 ** 6):
                assert call(conn, kind, Role.POLICE_LIAISON, case_id).fetchall() == [], kind
            assert call(conn, kind, Role.POLICE_LIAISON, None).fetchall() \
                == call(conn, kind, Role.POLICE_LIAISON, w.case).fetchall(), kind
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            call(conn, "note", Role.SOCIAL_WORKER, w.case)
    with psycopg.connect(w.store.url, user="admin", password=ADMIN_PW,
                         autocommit=True) as conn:
        for role in Role:
            with pytest.raises((psycopg.errors.InsufficientPrivilege,
                                psycopg.errors.UndefinedFunction)):
                call(conn, "referral", role, w.case)
    from server_setup import guarded_functions

    guarded = guarded_functions(w.store.superuser_url, "hidden_")
    assert set(guarded) == {
        function_name(c.listed, role).removeprefix("trefas.")
        for c in COUNTS for role in Role if role_may(role, c.permission)}
    assert all(guarded.values()), guarded


def test_a_wide_scopes_hidden_case_keys_are_found_by_hash_joins(hidden_world):
    """A supervisor's and a coordinator's case count is planned without
    nested loops: the rule's NOT (…) made PostgreSQL expect one case in
    scope and probe the scope's set once per case (a police supervisor's
    count: 2.5 s at 12,000 cases, about a minute at 60,000). A team-scoped
    user's few cases keep their index lookups."""
    import psycopg

    w = hidden_world
    if w.store.kind != "postgresql":
        pytest.skip("the counting functions are the server's")
    with psycopg.connect(w.store.superuser_url, autocommit=True) as conn:
        configs = dict(conn.execute(
            "SELECT proname, proconfig FROM pg_proc WHERE pronamespace = 'trefas'::regnamespace "
            "AND proname LIKE 'hidden\\_cases\\_%'").fetchall())
    planned = {name for name, config in configs.items() if "enable_nestloop=off" in config}
    assert planned == {"hidden_cases_supervisor", "hidden_cases_coordinator"}, configs
    assert {"hidden_cases_social_worker", "hidden_cases_police_liaison"} <= set(configs)


def test_a_document_blanks_a_protected_persons_name_in_the_text_it_writes_itself(hidden_world):
    """The text a document writes itself — staff names, units, another
    person's name — loses a protected person's name words on a server as on
    a local store: Kalle Lind shares a first name with the coordinator Kalle
    Nyström, and a last name with his social worker Sara Lind. (The header,
    naming the author, and a note's or item's line of who and when are not
    blanked on either store.)"""
    from trefas_app.domain.enums import ProtectionLevel

    w = hidden_world
    with w.store.login("sara") as s:
        hidden = persons.create_person(s.uow(), s.actor, persons.PersonInput(
            "Kalle", "Lind", protection_level=ProtectionLevel.PROTECTED_REGISTRATION))
        k = cases.open_case(s.uow(), s.actor, hidden.id, "Stöd i skolan")
        other = persons.create_person(s.uow(), s.actor, persons.PersonInput("Kalle", "Öppen"))
        other_case = cases.open_case(s.uow(), s.actor, other.id, "Stöd")
    with w.store.login("kalle") as c:
        meeting = meetings.create_meeting(c.uow(), c.actor, MeetingKind.JOINT,
                                          w.store.ids["rk"], "Samverkan",
                                          clock.now_utc() + dt.timedelta(days=1), "Torget")
        meetings.add_meeting_item(c.uow(), c.actor, meeting.id, k.id, "Läget")
        meetings.add_meeting_item(c.uow(), c.actor, meeting.id, other_case.id, "Läget")
    with w.store.login("stina") as boss:
        summary = _pdf_words(documents.issue_case_summary(boss.uow(), boss.actor, k.id)
                             .pdf_bytes)
        minutes = _pdf_words(documents.issue_meeting_minutes(boss.uow(), boss.actor,
                                                             meeting.id).pdf_bytes)
        log = _pdf_words(documents.issue_access_log_extract(boss.uow(), boss.actor,
                                                            hidden.id).pdf_bytes)
    assert "Sara [skyddat namn] (ärendeansvarig)" in summary, w.store.kind
    assert "[skyddat namn] Nyström" in minutes and "[skyddat namn] Öppen" in minutes
    assert "Sara [skyddat namn]" in log and "[skyddat namn] Nyström" in log
    for text in (summary, minutes, log):
        # A note's line of who and when is not blanked on either store.
        rest = text.replace("antecknat av Kalle Nyström,", "")
        words = {word.casefold() for word in re.findall(r"\w[\w'-]*", rest)}
        assert not words & {"kalle", "lind"}, w.store.kind
        assert "Socialtjänsten" in text and "[skyddad text]" not in text
    if w.store.kind == "postgresql":
        _no_guessing_of_names(w, hidden.id, other.id)


def _no_guessing_of_names(w, hidden_id: int, other_id: int) -> None:
    """With psql, the server names as names to blank only words of the staff,
    units, meetings and persons a document about the person shows: a guess
    of a protected person's name (even the right one) gets nothing."""
    import psycopg

    from trefas_app.domain.enums import ProtectionLevel

    with w.store.login("sara") as s:
        nora = persons.create_person(s.uow(), s.actor, persons.PersonInput(
            "Nora", "Ny", protection_level=ProtectionLevel.PROTECTED_REGISTRATION))
        cases.open_case(s.uow(), s.actor, nora.id, "Stöd")
    with psycopg.connect(w.store.url, user="stina", password=PW, autocommit=True) as conn:
        def ask(people, words):
            found = conn.execute("SELECT trefas.masked_document_words(%s, %s)",
                                 (people, words)).fetchone()[0]
            return sorted(found or [])

        assert ask([hidden_id], ["Kalle", "LIND", "Nyström", "Sara", "Öppen"]) \
            == ["Kalle", "LIND"]
        assert ask([hidden_id], ["Kal", "Lindqvist", "Karl"]) == []
        assert ask([nora.id], ["Nora", "Ny", "nora"]) == []  # her names, but no one else's
        assert ask([other_id], ["Kalle", "Öppen"]) == []  # identified: nothing to blank
    with psycopg.connect(w.store.url, user="admin", password=ADMIN_PW,
                         autocommit=True) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT trefas.masked_document_words(%s, %s)",
                         ([hidden_id], ["Kalle"]))


def test_a_case_tabs_count_is_the_count_of_any_rows_narrowed_to_the_case(hidden_world):
    """A server counts one case's hidden rows with the rule's one-case form
    (``access``' ``within_case``: the case decided once) and rows of no one
    case with the form for any rows: for every user, kind and category the
    counts of all cases add up to the count over the whole scope — here with
    a protected person's location notes, which the city's own supervisor
    may not read until she reveals the person, and a draft, which is hidden
    from nobody."""
    import collections

    import psycopg

    from server_world import PEOPLE
    from trefas_app.domain.enums import ProtectionLevel
    from trefas_app.domain.permissions import role_may
    from trefas_app.services.hidden_counts import NARROWINGS, function_name, table_of

    w = hidden_world
    if w.store.kind != "postgresql":
        pytest.skip("the counting functions are the server's")
    with w.store.login("sara") as s:
        hidden = persons.create_person(s.uow(), s.actor, persons.PersonInput(
            "Lisa", "Gömd", protection_level=ProtectionLevel.PROTECTED_REGISTRATION))
        k = cases.open_case(s.uow(), s.actor, hidden.id, "Skyddad")
        persons.reveal_identity(s.uow(), s.actor, hidden.id, "Ska skriva var hon bor")
        for text in ("Bor hos sin moster.", "Flyttar i maj."):
            notes.sign_note(s.uow(), s.actor, notes.write_note(
                s.uow(), s.actor, k.id, "Boende", text, Category.LOCATION).id)
        notes.write_note(s.uow(), s.actor, k.id, "Utkast", "Ej klart.", Category.LOCATION)
    with psycopg.connect(w.store.superuser_url) as conn:
        case_ids = [r[0] for r in conn.execute("SELECT id FROM cases").fetchall()]

    def counts(conn, kind: str, role, case_id) -> dict:
        nulls = ", ".join("NULL" for _ in NARROWINGS[kind][1:])
        return dict(conn.execute(f"SELECT * FROM {function_name(table_of(kind), role)}"
                                 f"(%s{', ' if nulls else ''}{nulls})", (case_id,)).fetchall())

    seen = {}
    for name, _display, role, *_ in PEOPLE:
        with psycopg.connect(w.store.url, user=name, password=PW, autocommit=True) as conn:
            for kind in NARROWINGS:
                if not role_may(role, f"{kind}.read"):
                    continue
                whole = counts(conn, kind, role, None)
                by_case = collections.Counter()
                for case_id in case_ids:
                    by_case.update(counts(conn, kind, role, case_id))
                assert dict(by_case) == whole, (name, kind)
                seen[name, kind] = whole
    assert seen["stina", "note"] == {"location": 2}  # the protected person's, signed
    assert seen["petra", "note"] == {"health": 1}
    with w.store.login("stina") as boss:
        persons.reveal_identity(boss.uow(), boss.actor, hidden.id, "Behöver veta var hon bor")
        assert notes.list_notes(boss.uow(), boss.actor, k.id).hidden == {}
        assert len(notes.list_notes(boss.uow(), boss.actor, k.id).rows) == 2


def test_a_supervisors_case_list_counts_the_cases_her_officers_are_on_that_are_not_shared(
        hidden_world):
    """Pia, the police supervisor, has in scope the cases a police officer is
    on. A city case with Petra on its team, whose person has shared nothing
    with the police, is one more hidden case in her list — narrowed by its
    state and its person as the list is — and none in the city supervisor's,
    on both stores. (On a server her figure is the cases in scope less those
    the rule shows, each counted by the policies' sets: server/hidden.py.)"""
    from trefas_app.domain.enums import CaseState

    w = hidden_world

    def figure(name: str, **narrowing) -> int:
        with w.store.login(name) as u:
            page = cases.list_cases(u.uow(), u.actor, cases.CaseFilter(**narrowing))
            return page.hidden.get(Category.IDENTITY, 0)

    before = {name: (figure(name), figure(name, states=(CaseState.OPEN,)),
                     figure(name, states=(CaseState.CLOSED,)))
              for name in ("pia", "stina")}
    with w.store.login("sara") as s:
        p = persons.create_person(s.uow(), s.actor, persons.PersonInput("Delar", "Inget"))
        unshared = cases.open_case(s.uow(), s.actor, p.id, "Polisen på teamet")
        cases.add_team_member(s.uow(), s.actor, unshared.id, _user_id(s, "petra"))
    assert unshared.state is CaseState.OPEN
    pia = before["pia"]
    assert (figure("pia"), figure("pia", states=(CaseState.OPEN,)),
            figure("pia", states=(CaseState.CLOSED,))) == (pia[0] + 1, pia[1] + 1, pia[2]), \
        w.store.kind
    assert figure("pia", person_id=p.id) == 1
    assert figure("pia", person_id=w.person) == 0  # shared with the police
    assert (figure("stina"), figure("stina", states=(CaseState.OPEN,)),
            figure("stina", states=(CaseState.CLOSED,))) == before["stina"]
