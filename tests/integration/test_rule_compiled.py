"""How the one access rule is compiled for the wide scopes (issue 12): the
same rule, read so that SQLite does little per row. What the user sees is
the access matrix's business (test_access_matrix.py); here: the statements
and their plans on a real store.

* ``visible`` is exactly the conjunction of ``visible_parts`` (a count takes
  the first as its WHERE and the second as its filter);
* a supervisor's or coordinator's case page walks the list's sort index and
  stops after the page (no sort of every case in scope);
* their case count reads the rule's columns from the covering index, with
  the scope written once;
* a person or case search is counted in one statement (the matches are not
  read into Python and sent back), finding what the list finds;
* reading one case takes seven statements (eight for another agency's
  person; twelve before), and shows what it showed before;
* the start page's count of expiring consents reads only the current
  consents ending in its window (``ix_consents_current_until``), for every
  role, and finds what the list of expiring consents finds; the current
  consents of a page of persons are still looked up person by person.
"""

from __future__ import annotations

import datetime as dt

from account_setup import enrolled_user
import pytest
from sqlalchemy import and_, event, select
from sqlalchemy.dialects import sqlite

from trefas_app.domain import clock
from trefas_app.domain.actor import Actor
from trefas_app.domain.enums import Agency, CaseState, Category, Role
from trefas_app.security import access
from trefas_app.services import cases, consents, dashboard, persons, users
from trefas_app.store import models as m
from trefas_app.store.keyslots import TEST_KDF
from trefas_app.store.store import create_store, unlock

PW = "Granskog-och-hav-42"
ADMIN_PW = "Solros-vägen-nio-test"
ONGOING = (CaseState.OPEN, CaseState.ACTIVE, CaseState.CLOSURE_REQUESTED)
WIDE = ("stina", "kalle", "pia")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A city unit with a social worker (sara), a coordinator (kalle) and a
    supervisor (stina); a police liaison (petra) and supervisor (pia).
    Twelve cases of sara's; petra on half of them, with consent for identity
    on a third."""
    root = tmp_path_factory.mktemp("rule_compiled") / "store"
    store = create_store(root, admin_username="admin", admin_display_name="Anna Admin",
                         admin_password=ADMIN_PW, kdf=TEST_KDF).store
    admin = store.actor
    rk = users.add_unit(store.uow(), admin, Agency.CITY, "RK", "Rinkeby-Kista")
    lpo = users.add_unit(store.uow(), admin, Agency.POLICE, "LPO-R", "LPO Rinkeby")
    for name, role, agency, unit in (
            ("sara", Role.SOCIAL_WORKER, Agency.CITY, rk),
            ("kalle", Role.COORDINATOR, Agency.CITY, rk),
            ("stina", Role.SUPERVISOR, Agency.CITY, rk),
            ("petra", Role.POLICE_LIAISON, Agency.POLICE, lpo),
            ("pia", Role.SUPERVISOR, Agency.POLICE, lpo)):
        enrolled_user(store.uow(), admin, users.UserInput(
            name, name.title(), role, agency, unit.id, PW))
    store.close()
    s = {n: unlock(root, n, PW) for n in ("sara", "kalle", "stina", "petra", "pia")}
    sara, petra = s["sara"], s["petra"]
    today = clock.today()
    case_ids = []
    for i in range(12):
        p = persons.create_person(sara.uow(), sara.actor,
                                  persons.PersonInput("Amir", f"Haddad{i}"))
        c = cases.open_case(sara.uow(), sara.actor, p.id, f"Ärende {i}")
        case_ids.append(c.id)
        if i % 2:
            cases.add_team_member(sara.uow(), sara.actor, c.id, petra.actor.user_id)
        if i % 3 == 0:
            consents.record_consent(sara.uow(), sara.actor, consents.ConsentInput(
                person_id=p.id, purpose="Samverkan", valid_from=today,
                valid_until=today + dt.timedelta(days=30),
                grants=frozenset({(Agency.POLICE, Category.IDENTITY)})))
    s["cases"] = case_ids
    yield s
    for sess in s.values():
        if hasattr(sess, "close"):
            sess.close()


class Recorder:
    """The SQL statements (and their parameters) run on an engine."""

    def __init__(self, engine):
        self.engine = engine
        self.statements: list[tuple[str, tuple]] = []

    def _seen(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append((statement, parameters))

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._seen)

    def selects(self) -> list[tuple[str, tuple]]:
        return [(sql, p) for sql, p in self.statements
                if sql.lstrip().upper().startswith("SELECT")
                and not sql.lstrip().startswith("SELECT users.active")]


def plan(sess, sql: str, params) -> list[str]:
    with sess.engine.connect() as conn:
        return [row[3] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql,
                                                       tuple(params)).all()]


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("kind", ["case", "task", "note", "exit"])
def test_visible_is_the_conjunction_of_its_parts(role, kind):
    actor = Actor(7, "u", "U", role, Agency.CITY if role != Role.POLICE_LIAISON
                  else Agency.POLICE, 3)
    now = dt.datetime(2026, 12, 5, 9, 30)
    compiled = [str(e.compile(dialect=sqlite.dialect())) for e in (
        access.visible(actor, kind, now), and_(*access.visible_parts(actor, kind, now)))]
    assert compiled[0] == compiled[1]


@pytest.mark.parametrize("who", WIDE)
def test_a_wide_scope_case_page_walks_the_sort_index(world, who):
    sess = world[who]
    with Recorder(sess.engine) as rec:
        page = cases.list_cases(sess.uow(), sess.actor, cases.CaseFilter(states=ONGOING),
                                count=False, limit=5)
    assert page.rows
    sql, params = next((sql, p) for sql, p in rec.selects() if "LIMIT" in sql)
    steps = plan(sess, sql, params)
    assert any("ix_cases_last_entry_at" in step for step in steps), steps
    assert not any("TEMP B-TREE FOR ORDER BY" in step for step in steps), steps


@pytest.mark.parametrize("who", WIDE)
def test_a_wide_scope_case_count_reads_the_covering_index_once(world, who):
    sess = world[who]
    with Recorder(sess.engine) as rec:
        counted = cases.count_cases(sess.uow(), sess.actor, cases.CaseFilter(states=ONGOING))
    (sql, params), = rec.selects()
    steps = plan(sess, sql, params)
    assert any("COVERING INDEX ix_cases_scope" in step for step in steps), steps
    # The scope is the WHERE only; the filter holds the rest of the rule.
    assert sql.count("rule_team.user_id") == 1
    expected = {"stina": 12, "kalle": 12, "pia": 2}[who]
    assert counted.total == expected


def test_a_person_search_is_counted_in_one_statement(world):
    sess = world["stina"]
    with Recorder(sess.engine) as rec:
        counted = persons.count_persons(sess.uow(), sess.actor, "haddad1")
    assert counted.total == 3  # Haddad1, Haddad10, Haddad11
    (sql, _), = rec.selects()
    assert "json_each" not in sql


@pytest.mark.parametrize("who,statements", [("sara", 6), ("stina", 6), ("pia", 7)])
def test_reading_a_case_takes_six_statements(world, who, statements):
    """Six, and one more (the consent's categories) for another agency's
    person; twelve, then seven before (the emergency access and write scope
    are now columns of the case's own read)."""
    sess = world[who]
    case_id = world["cases"][3]  # petra on the team, consent for the police
    with Recorder(sess.engine) as rec:
        view = cases.get_case(sess.uow(), sess.actor, case_id)
    assert len(rec.statements) == statements
    assert view.id == case_id and view.person.display_name == "Amir Haddad3"
    assert {t.display_name for t in view.team} == {"Sara", "Petra"}
    assert not view.read_only and bool(view.next_states) is (who != "pia")


def test_a_case_search_is_counted_in_one_statement(world):
    sess = world["stina"]
    with Recorder(sess.engine) as rec:
        counted = cases.count_cases(sess.uow(), sess.actor, cases.CaseFilter(query="haddad1"))
    assert counted.total == 3
    (sql, _), = rec.selects()
    assert "json_each" not in sql
    # As the list finds them: numbers only for a search with a digit ("k" is
    # in every case number, in no name here), names and numbers alike.
    letter = cases.count_cases(sess.uow(), sess.actor, cases.CaseFilter(query="k"))
    listed = cases.list_cases(sess.uow(), sess.actor, cases.CaseFilter(query="k"))
    assert letter.total == listed.total == 0
    number = cases.list_cases(sess.uow(), sess.actor, cases.CaseFilter()).rows[0].number
    by_number = cases.count_cases(sess.uow(), sess.actor, cases.CaseFilter(query=number))
    assert by_number.total == 1


@pytest.mark.parametrize("who,expected", [("sara", 4), ("kalle", 4), ("stina", 4),
                                          ("petra", 2), ("pia", 2)])
def test_the_dashboards_expiring_consents_read_the_end_date_index(world, who, expected):
    """Every consent was read before (migration 0010): the rule was tested on
    each current one to find the few ending within 30 days."""
    sess = world[who]
    with Recorder(sess.engine) as rec:
        board = dashboard.dashboard(sess.uow(), sess.actor)
    sql, params = next((sql, p) for sql, p in rec.selects()
                       if sql.lstrip().startswith("SELECT count(distinct(consents.id))"))
    steps = plan(sess, sql, params)
    assert any("ix_consents_current_until" in step for step in steps), steps
    assert not any(step.startswith("SCAN consents") for step in steps), steps
    listed = consents.expiring_consents(sess.uow(), sess.actor, within_days=30)
    assert board.expiring_consents == len(listed) == expected


def test_the_current_consents_of_a_page_of_persons_are_read_per_person(world):
    """Not from the end-date index, which holds every current consent: the
    rule's "current" compares the end date as a value (access.current_consent)."""
    sess = world["stina"]
    stmt = select(m.Consent.id).where(m.Consent.person_id.in_(list(range(1, 201))),
                                      access.current_consent(m.Consent, clock.today()))
    compiled = stmt.compile(sess.engine, compile_kwargs={"render_postcompile": True})
    params = [compiled.params[k] for k in compiled.positiontup]
    steps = plan(sess, str(compiled), [p.isoformat() if hasattr(p, "isoformat") else p
                                       for p in params])
    assert steps == ["SEARCH consents USING COVERING INDEX ix_consents_person_current "
                     "(person_id=? AND superseded=? AND withdrawn_at=? AND valid_from<?)"], steps
