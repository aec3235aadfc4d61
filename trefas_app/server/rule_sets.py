"""A read policy as a test of the row's own columns against sets, each
computed once per statement — the access rule's SQL, decorrelated.

``security.access.visible`` is a predicate with subqueries correlated with the
row (``EXISTS (SELECT … FROM team_members WHERE case_id = notes.case_id AND
user_id = <me>)``). A policy cannot hold them itself: they would read other
tables under their own policies (which recurse) and with the user's privileges.
A SECURITY DEFINER function per row costs a fresh plan per call (≈0.1 ms: a
second per 10,000 rows), and one that returns every allowed key of the table
reads the whole table on every statement, even for one case's notes.

So the rule's expression is rewritten, without changing what it means:

* ``EXISTS (SELECT … WHERE inner = row.col AND rest)`` becomes
  ``row.col IS NOT NULL AND row.col IN (SELECT inner … WHERE rest AND inner
  IS NOT NULL)`` — the same truth value, two-valued as EXISTS is;
* ``row.col IN (SELECT …)`` with an uncorrelated subquery stays as it is
  (decomposed only where it is not negated, so that NULL keeps its meaning);
* sets on the same columns under one AND or OR become one set (INTERSECT,
  UNION), so a function returns e.g. the cases the user may see content of,
  not the parts of the rule one by one.

Each set's query becomes a SECURITY DEFINER function in :data:`RULE_SCHEMA`;
the policy tests ``(row columns) IN (SELECT * FROM trefas_rule.rows_…())``,
which PostgreSQL evaluates once per statement and probes as a hash table. The
schema gives login roles no USAGE: the policy's stored plan calls the
functions (EXECUTE is granted), but no user can name one to read a part of
the rule on its own. A rule whose subqueries do not have this shape is not
rewritten (:class:`NotDecomposable`); the caller falls back to a function
returning every allowed key.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import Table, and_, intersect, literal_column, not_, or_, select, text, tuple_
from sqlalchemy import union
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql import operators, visitors
from sqlalchemy.sql.elements import BinaryExpression, BooleanClauseList, ColumnElement
from sqlalchemy.sql.elements import Grouping, UnaryExpression
from sqlalchemy.sql.selectable import Exists, ScalarSelect, Select

#: The set functions' schema: no USAGE for any login role.
RULE_SCHEMA = "trefas_rule"


class NotDecomposable(Exception):
    """A subquery of the rule that is not a set of the row's columns."""


@dataclass(frozen=True)
class SetFunction:
    """A part of the rule as a set of values, computed once per statement."""

    name: str
    returns: str  # TABLE(c0 type, …)
    body: Select


@dataclass
class _RowSet:
    """``columns IN set``: the row's columns against an uncorrelated set, the
    UNION or INTERSECT (``combine``) of ``members`` (SELECTs or _RowSets)."""

    columns: tuple
    members: list
    combine: object = union

    @property
    def query(self):
        queries = [_as_select(m) for m in self.members]
        return queries[0] if len(queries) == 1 else self.combine(*queries)


class _Rewriter:
    def __init__(self, table: Table):
        self.table = table

    # --- what refers to the row -----------------------------------------------

    def _is_row_table(self, from_) -> bool:
        return isinstance(from_, Table) and from_.name == self.table.name

    def refers_to_row(self, element) -> bool:
        return any(self._is_row_table(getattr(c, "table", None))
                   for c in visitors.iterate(element) if hasattr(c, "table"))

    def _reads_tables(self, element) -> bool:
        """Any column of a table other than the row's: a subquery (or a
        reference) the policy could not run itself."""
        for c in visitors.iterate(element):
            table = getattr(c, "table", None)
            if table is not None and not self._is_row_table(table):
                return True
        return False

    # --- the rewriting ----------------------------------------------------------

    def rewrite(self, element, positive: bool = True):
        """``element`` with every subquery replaced by a :class:`_RowSet`."""
        if isinstance(element, Grouping):
            return self.rewrite(element.element, positive)
        if isinstance(element, Exists):
            return self._from_exists(element)
        if isinstance(element, UnaryExpression) and element.operator is operators.inv:
            return ("not", self.rewrite(element.element, not positive))
        if isinstance(element, BooleanClauseList) and element.operator in (operators.and_,
                                                                          operators.or_):
            parts = [self.rewrite(e, positive)
                     for e in _flattened(element.operator, element)]
            return self._merge(element.operator, parts)
        if (positive and isinstance(element, BinaryExpression)
                and element.operator is operators.in_op
                and isinstance(element.right, ScalarSelect)
                and not self.refers_to_row(element.right)
                and self.refers_to_row(element.left)
                and not self._reads_tables(element.left)):
            return _RowSet((element.left,), [_not_null(element.right.element, 1)])
        if self._reads_tables(element):
            raise NotDecomposable(str(element)[:200])
        return element

    def _from_exists(self, exists: Exists) -> _RowSet:
        query = exists.element
        while isinstance(query, (Grouping, ScalarSelect)):
            query = query.element
        if not isinstance(query, Select) or _shapes_rows(query):
            raise NotDecomposable("EXISTS over more than a filtered FROM")
        inner, outer, rest = [], [], []
        for term in _conjuncts(query.whereclause):
            pair = self._correlation(term)
            if pair is None:
                if self.refers_to_row(term):
                    raise NotDecomposable(str(term)[:200])
                rest.append(term)
            else:
                inner.append(pair[0])
                outer.append(pair[1])
        if not inner:
            raise NotDecomposable("EXISTS not correlated by equality")
        froms = [f for f in query.get_final_froms() if not self._is_row_table(f)]
        if any(self._is_row_table(t) for f in froms for t in visitors.iterate(f)):
            raise NotDecomposable("the row's table joined inside EXISTS")
        columns = [e.label(f"c{i}") for i, e in enumerate(inner)]
        body = select(*columns).select_from(*froms).where(
            *rest, *(e.is_not(None) for e in inner))
        return _RowSet(tuple(outer), [body])

    def _correlation(self, term):
        """(inner, row) for ``inner = row`` (either way round), else None."""
        if not (isinstance(term, BinaryExpression) and term.operator is operators.eq):
            return None
        for inner, row in ((term.left, term.right), (term.right, term.left)):
            if (self.refers_to_row(row) and not self._reads_tables(row)
                    and not self.refers_to_row(inner)):
                return inner, row
        return None

    def _merge(self, operator, parts):
        """Sets on the same columns under one AND/OR become one set."""
        combine = intersect if operator is operators.and_ else union
        merged: list = []
        for part in parts:
            same = next((p for p in merged if isinstance(p, _RowSet) and isinstance(part, _RowSet)
                         and _same_columns(p.columns, part.columns)), None)
            if same is None:
                merged.append(part)
            elif same.combine is combine or len(same.members) == 1:
                same.combine = combine
                flat = part.combine is combine or len(part.members) == 1
                same.members.extend(part.members if flat else [part])
            else:
                merged[merged.index(same)] = _RowSet(same.columns, [same, part], combine)
        if len(merged) == 1:
            return merged[0]
        return ("and" if operator is operators.and_ else "or", merged)


def _flattened(operator, clause) -> list:
    """The terms of nested ANDs (or ORs) as one list."""
    if isinstance(clause, Grouping):
        clause = clause.element
    if isinstance(clause, BooleanClauseList) and clause.operator is operator:
        return [t for c in clause.clauses for t in _flattened(operator, c)]
    return [clause]


def _shapes_rows(query: Select) -> bool:
    """GROUP BY, HAVING, LIMIT or OFFSET: more than a filter on the FROM."""
    return bool(query._group_by_clauses or query._having_criteria
                or query._limit_clause is not None or query._offset_clause is not None)


def _conjuncts(clause) -> list:
    if clause is None:
        return []
    if isinstance(clause, Grouping):
        return _conjuncts(clause.element)
    if isinstance(clause, BooleanClauseList) and clause.operator is operators.and_:
        return [t for c in clause.clauses for t in _conjuncts(c)]
    return [clause]


def _same_columns(a: tuple, b: tuple) -> bool:
    return len(a) == len(b) and all(x.compare(y) for x, y in zip(a, b))


def _not_null(query: Select, width: int) -> Select:
    """The set without NULLs, its columns named c0…: an IN over it is then
    true or false, never unknown, for a row whose columns are not NULL."""
    columns = list(query.selected_columns)[:width]
    return query.with_only_columns(*(c.label(f"c{i}") for i, c in enumerate(columns))) \
        .where(*(c.is_not(None) for c in columns))


def _as_select(member):
    """A compound's member: a plain SELECT, or a set as a subquery."""
    if isinstance(member, _RowSet):
        member = member.query
    if isinstance(member, Select):
        return member
    sub = member.subquery("rule_part")
    return select(*sub.c)


@dataclass
class Decomposed:
    """A rule as a policy expression and the set functions it calls."""

    using: ColumnElement
    functions: list[SetFunction]


def decompose(condition, table: Table, compile_sql, prefix: str) -> Decomposed:
    """``condition`` (the rule on ``table``) as the policy's own expression
    and its set functions; raises :class:`NotDecomposable`."""
    rewriter = _Rewriter(table)
    tree = rewriter.rewrite(condition)
    functions: list[SetFunction] = []
    using = _assemble(tree, functions, compile_sql, prefix)
    return Decomposed(using, functions)


def _assemble(tree, functions: list, compile_sql, prefix: str):
    if isinstance(tree, tuple):
        kind, parts = tree
        if kind == "not":
            return not_(_assemble(parts, functions, compile_sql, prefix))
        built = [_assemble(p, functions, compile_sql, prefix) for p in parts]
        return and_(*built) if kind == "and" else or_(*built)
    if not isinstance(tree, _RowSet):
        return tree
    body = tree.query
    returns = ", ".join(f"c{i} {_sql_type(c)}" for i, c in
                        enumerate(list(body.selected_columns)[:len(tree.columns)]))
    digest = hashlib.sha256(compile_sql(body).encode()).hexdigest()[:16]
    function = SetFunction(f"{prefix}{digest}", f"TABLE({returns})", body)
    functions.append(function)
    names = ", ".join(f"c{i}" for i in range(len(tree.columns)))
    rows = select(literal_column(names)).select_from(
        text(f"{RULE_SCHEMA}.{function.name}()"))
    present = [c.is_not(None) for c in tree.columns]
    target = tree.columns[0] if len(tree.columns) == 1 else tuple_(*tree.columns)
    return and_(*present, target.in_(rows))


def _sql_type(column) -> str:
    return column.type.compile(dialect=postgresql.dialect())
