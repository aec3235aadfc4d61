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
                    if "INTERSECT" in rules.compile_sql(f.body))
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
