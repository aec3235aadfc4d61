"""What the server's SQL compilers write (server/rules.py, server/reads.py),
without a server. Whether the rows are still exactly the rule's is the
oracles' question on PostgreSQL (test_access_matrix_both_stores.py,
test_server_rls.py)."""

from __future__ import annotations

import itertools

from sqlalchemy import column, create_engine, or_, select, table
from sqlalchemy.orm import aliased

from trefas_app.server import rules
from trefas_app.server.reads import ShownReadsCompiler, read_as_login_role
from trefas_app.store import models as m

T = table("t", column("a"), column("b"))
U = table("u", column("x"), column("y"))


def _sql(statement) -> str:
    return rules.compile_sql(statement)


def test_ored_ins_on_one_column_become_one_in_over_a_union():
    mine = select(U.c.x).where(U.c.y == 1)
    emergency = select(U.c.x).where(U.c.y == 2)
    sql = _sql(select(T.c.a).where(or_(T.c.a.in_(mine), T.c.a.in_(emergency))))
    assert sql.count(" IN (") == 1 and "UNION" in sql


def test_other_terms_and_other_columns_stay_as_they_were():
    sub = select(U.c.x)
    sql = _sql(select(T.c.a).where(or_(T.c.a.in_(sub), T.c.b.in_(sub), T.c.a == 3)))
    assert "UNION" not in sql and sql.count(" IN (") == 2 and "t.a = 3" in sql
    mixed = _sql(select(T.c.a).where(or_(T.c.a.in_(sub), T.c.b == 1, T.c.a.in_(sub))))
    assert mixed.count(" IN (") == 1 and "UNION" in mixed and "t.b = 1" in mixed


def test_nested_ors_inside_subqueries_are_merged_too():
    inner = select(U.c.x).where(or_(U.c.x.in_(select(T.c.a)), U.c.x.in_(select(T.c.b))))
    sql = _sql(select(T.c.a).where(T.c.a.in_(inner)))
    assert "UNION" in sql and sql.count(" IN (") == 2


def test_the_rules_scope_of_a_team_member_is_one_in():
    """The team-scoped roles' "my teams or my emergency accesses"."""
    from trefas_app.domain.enums import Role

    for rule in rules.rules("Europe/Stockholm"):
        if rule.table == "cases" and rule.role is Role.POLICE_LIAISON and rule.command == "select":
            bodies = [_sql(f.body) for f in rules.rule_sets(rule).functions]
            with_teams = [b for b in bodies if "rule_team.case_id" in b]
            assert with_teams and all("UNION SELECT rule_emergency.case_id" in b
                                      for b in with_teams)
            return
    raise AssertionError("no police liaison read rule for cases")


def test_the_rules_own_lookups_read_the_table_the_rest_the_masked_view():
    engine = read_as_login_role(create_engine("postgresql+psycopg://"))
    assert engine.dialect.statement_compiler is ShownReadsCompiler
    lookup = aliased(m.Consent, name="rule_consent")
    shown = aliased(m.Consent, name="listed_consent")
    for alias, expected in ((lookup, "FROM consents AS rule_consent"),
                            (shown, "FROM trefas.consents_shown AS listed_consent")):
        sql = str(select(alias.id).compile(dialect=engine.dialect))
        assert expected in sql, sql
    assert "FROM trefas.persons_shown AS persons" in str(
        select(m.Person.id).compile(dialect=engine.dialect))


def test_merging_keeps_the_truth_value_with_nulls():
    """x IN A OR x IN B == x IN (A ∪ B) in SQL's three values, for every x
    and every pair of small sets with and without NULL (evaluated by hand
    the way SQL defines IN)."""
    def sql_in(x, values):
        if x is None:
            return None if values else False
        if x in values:
            return True
        return None if None in values else False

    def sql_or(p, q):
        if p is True or q is True:
            return True
        if p is None or q is None:
            return None
        return False

    sets = [(), (1,), (None,), (1, None), (2,), (2, None)]
    for x, a, b in itertools.product((None, 1, 2, 3), sets, sets):
        assert sql_or(sql_in(x, a), sql_in(x, b)) == sql_in(x, a + b), (x, a, b)
