"""The read policies' decorrelation (server/rule_sets.py), without a server:
what it rewrites, what it refuses. Whether a rewritten policy lets through
exactly the rows the rule allows is the raw-SQL oracle's question
(tests/integration/test_server_rls.py, on PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import and_, select
from sqlalchemy.orm import aliased

from trefas_app.domain.enums import Role
from trefas_app.server import rules
from trefas_app.server.rule_sets import RULE_SCHEMA, NotDecomposable, decompose
from trefas_app.store import models as m


def _read_rules():
    return [r for r in rules.rules("Europe/Stockholm") if r.command != "insert"
            and not rules.is_everything(r)]


def test_every_read_policy_is_decorrelated():
    """A change to the rule that the rewriting cannot follow still gives a
    correct policy (the keys function), but a slow one: it shows here."""
    for rule in _read_rules():
        if rule.command == "select":
            rules.rule_sets(rule)  # raises NotDecomposable


def test_a_policy_reads_no_table_but_through_its_sets():
    for rule in _read_rules():
        if rule.command != "select":
            continue
        using = rules.compile_sql(rules.rule_sets(rule).using)
        assert " FROM public." not in using, (rule.table, rule.role)
        sets = rules.rule_sets(rule).functions
        assert all(f"FROM {RULE_SCHEMA}.{f.name}()" in using for f in sets)


def test_sets_on_the_same_column_become_one():
    """A team member's notes: scope ∩ identity shared is one set of cases,
    not two sets tested one after the other."""
    rule = next(r for r in _read_rules() if (r.table, r.role, r.command)
                == ("notes", Role.SOCIAL_WORKER, "select"))
    decomposed = rules.rule_sets(rule)
    using = rules.compile_sql(decomposed.using)
    assert using.count("public.notes.case_id IN") == 1
    case_set = next(f for f in decomposed.functions
                    if f"public.notes.case_id IN (SELECT c0 \nFROM {RULE_SCHEMA}.{f.name}()"
                    in using)
    body = rules.compile_sql(case_set.body)
    assert "team_members" in body and "rule_shared_case" in body


def test_exists_becomes_membership_with_the_same_truth_value():
    team = aliased(m.TeamMember, name="t")
    condition = select(team.id).where(team.case_id == m.Note.case_id,
                                      team.user_id == 7).exists()
    decomposed = decompose(condition, m.Note.__table__, rules.compile_sql, "rows_")
    using = rules.compile_sql(decomposed.using)
    assert using.startswith("public.notes.case_id IS NOT NULL AND public.notes.case_id IN")
    body = rules.compile_sql(decomposed.functions[0].body)
    assert "t.user_id = 7" in body and "t.case_id IS NOT NULL" in body
    assert "notes" not in body


@pytest.mark.parametrize("shape", ["not_equal", "grouped", "negated_in", "row_joined"])
def test_what_is_not_a_set_of_the_row_is_refused(shape):
    team = aliased(m.TeamMember, name="t")
    note = m.Note
    conditions = {
        "not_equal": select(team.id).where(team.case_id > note.case_id).exists(),
        "grouped": select(team.case_id).where(team.case_id == note.case_id)
        .group_by(team.case_id).exists(),
        "negated_in": ~note.case_id.in_(select(team.case_id)),
        "row_joined": select(team.id).join(m.Note.__table__, m.Note.__table__.c.id == team.id)
        .where(team.case_id == note.case_id).exists(),
    }
    with pytest.raises(NotDecomposable):
        decompose(and_(note.id > 0, conditions[shape]), m.Note.__table__,
                  rules.compile_sql, "rows_")


def _functions(table: str, role: Role) -> dict[str, str]:
    rule = next(r for r in _read_rules() if (r.table, r.role, r.command)
                == (table, role, "select"))
    return {f.name: rules.compile_sql(f.body) for f in rules.rule_sets(rule).functions}


def test_an_intersection_starts_from_the_users_few_cases():
    """scope ∩ identity shared as the scope's cases IN the shared ones: an
    INTERSECT made PostgreSQL list every shared case of the store first."""
    bodies = _functions("notes", Role.POLICE_LIAISON).values()
    case_set = next(b for b in bodies if "rule_shared_case" in b)
    assert "INTERSECT" not in case_set
    assert "rule_part.c0 IN (SELECT rule_shared_case.id" in case_set


def test_a_store_wide_set_is_limited_to_the_users_scope():
    """The agency's consents are tested only for the persons (and
    categories) of the rows in the user's cases, read from those rows."""
    pairs = next(b for b in _functions("notes", Role.POLICE_LIAISON).values()
                 if "rule_grant.category AS c1" in b)
    assert "FROM public.notes AS rule_row" in pairs and "rule_team.user_id" in pairs
    assert "OFFSET 0" in pairs  # each value looked up, not the whole set hashed
    identity = next(b for b in _functions("cases", Role.POLICE_LIAISON).values()
                    if "rule_grant.category = 'identity'" in b)
    assert "FROM public.cases AS rule_row" in identity and "rule_team.user_id" in identity


def test_sets_under_not_and_the_users_own_sets_stay_whole():
    """A smaller set under NOT would let more rows through (protected persons
    are tested negated), and the user's own sets are small already."""
    bodies = _functions("notes", Role.POLICE_LIAISON).values()
    protected = next(b for b in bodies if "protection_level != 'none'" in b)
    assert "rule_row" not in protected
    reveals = next(b for b in bodies if "identity_reveals" in b)
    assert "rule_row" not in reveals


def test_limiting_keeps_the_set_as_the_rule_uses_it():
    """The limited set is the store-wide one among the scope rows' values:
    what a scope row finds in it is unchanged, on PostgreSQL's rows."""
    team = aliased(m.TeamMember, name="t")
    grant = aliased(m.ConsentGrant, name="g")
    in_scope = select(team.id).where(team.case_id == m.Note.case_id,
                                     team.user_id == rules.ActorTerms.of_session(
                                         Role.POLICE_LIAISON).user_id).exists()
    consented = select(grant.id).where(grant.consent_id == m.Note.person_id,
                                       grant.category == m.Note.category).exists()
    decomposed = decompose(and_(in_scope, consented), m.Note.__table__, rules.compile_sql,
                           "rows_", personal=rules.names_the_user)
    limited = rules.compile_sql(decomposed.functions[1].body)
    assert "g.consent_id AS c0, g.category AS c1" in limited
    assert "rule_store_set.c0 = rule_scope_values.c0 AND " \
           "rule_store_set.c1 = rule_scope_values.c1" in limited
    assert "rule_row.case_id IN (SELECT t.case_id" in limited
    unlimited = decompose(and_(in_scope, consented), m.Note.__table__, rules.compile_sql,
                          "rows_")
    assert "rule_row" not in rules.compile_sql(unlimited.functions[1].body)


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.COORDINATOR])
def test_a_wide_scope_limits_nothing(role):
    """A supervisor's cases are "my agency's or my teams'": most of the
    store. Limiting the consent sets to the rows of that scope would read
    every note of it (a case view went from 1.2 s to 7.3 s)."""
    for table in ("notes", "cases"):
        for body in _functions(table, role).values():
            assert "rule_row" not in body, (table, role)


def test_a_scope_is_a_set_of_the_users_own_rows():
    actor = rules.ActorTerms.of_session(Role.SUPERVISOR)
    team = aliased(m.TeamMember, name="t")
    case = aliased(m.Case, name="c")
    mine = select(team.case_id).where(team.user_id == actor.user_id)
    agency = select(case.id).where(case.owner_agency == actor.agency)
    assert rules.names_the_user(mine)
    assert rules.names_the_user(select(case.person_id).where(case.id.in_(mine)))
    assert not rules.names_the_user(agency)
    assert not rules.names_the_user(mine.union(agency))
    assert rules.names_the_user(mine.intersect(agency))
    assert not rules.names_the_user(select(case.id).where(
        (case.owner_agency == actor.agency) | case.id.in_(mine)))


def _case_of_a_team_note(nested: bool) -> str:
    """A note's case, where the case is the agency's own or on the user's
    team: an EXISTS inside the set's own condition, under an OR."""
    case = aliased(m.Case, name="c")
    team = aliased(m.TeamMember, name="t")
    on_team = select(team.id).where(team.case_id == case.id, team.user_id == 7).exists()
    condition = select(case.id).where(case.id == m.Note.case_id,
                                      (case.owner_agency == "police") | on_team).exists()
    decomposed = decompose(condition, m.Note.__table__, rules.compile_sql, "rows_",
                           nested=nested)
    return rules.compile_sql(decomposed.functions[0].body)


def test_a_sets_own_exists_becomes_a_set_when_asked():
    """Under an OR PostgreSQL runs a correlated EXISTS once for every row of
    the set's table; as an uncorrelated IN it is computed once and hashed."""
    nested = _case_of_a_team_note(nested=True)
    assert "c.id IS NOT NULL AND c.id IN (SELECT t.case_id AS c0" in nested
    assert "t.case_id = c.id" not in nested
    assert "t.case_id IS NOT NULL" in nested
    kept = _case_of_a_team_note(nested=False)
    assert "EXISTS (SELECT t.id" in kept and "t.case_id = c.id" in kept


@pytest.mark.parametrize("role, nested", [(Role.SUPERVISOR, True), (Role.COORDINATOR, True),
                                          (Role.POLICE_LIAISON, False),
                                          (Role.SOCIAL_WORKER, False)])
def test_a_wide_scopes_person_set_has_no_correlated_subquery(role, nested):
    """The persons a supervisor may read are a share of the store, and the
    consents (of those persons) her grants are read with were tested one
    consent at a time, each looking up its person's cases: 225 → 97 ms per
    statement for the police supervisor on the benchmark store. A
    team-scoped user's cases are found from her teams, and the per-row test
    stays: as sets it read the agency's every consent (the police liaison's
    case list 214 → 670 ms)."""
    bodies = _functions("consents", role).values()
    persons = next(b for b in bodies if "FROM public.persons AS rule_owner_person" in b)
    correlated = "rule_via_case.person_id = rule_owner_person.id" in persons
    assert correlated is not nested
    if nested:
        assert "rule_owner_person.id IN (SELECT rule_via_case.person_id" in persons
