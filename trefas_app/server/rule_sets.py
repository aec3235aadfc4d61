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
  (decomposed only where it is not negated, so that NULL keeps its meaning,
  and only a filtered FROM: no LIMIT, OFFSET, DISTINCT ON, grouping or UNION);
* sets on the same columns under one AND or OR become one set (an
  intersection as rows IN the other sets, a UNION), so a function returns
  e.g. the cases the user may see content of, not the parts of the rule one
  by one;
* a set that is not the user's own (the agency's consents), ANDed with a set
  of the user's own rows on other columns (their teams' cases), is limited to
  the values the rows in that scope hold (:func:`_limit_to_scope`): it grows
  with the user's cases, not with the store.

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

from sqlalchemy import Table, and_, intersect, literal, literal_column, not_, or_, select, text
from sqlalchemy import tuple_
from sqlalchemy import union
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql import operators, visitors
from sqlalchemy.sql.elements import BinaryExpression, BooleanClauseList, ColumnElement
from sqlalchemy.sql.elements import Grouping, UnaryExpression
from sqlalchemy.sql.selectable import Alias, CompoundSelect, Exists, ScalarSelect, Select
from sqlalchemy.sql.util import ClauseAdapter

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
    UNION or INTERSECT (``combine``) of ``members`` (SELECTs or _RowSets).
    ``within``: the row's table and a set ANDed with this one on other
    columns (:func:`_limit_to_scope`): only the values of rows in that set."""

    columns: tuple
    members: list
    combine: object = union
    within: tuple | None = None

    @property
    def query(self):
        queries = [_as_select(m) for m in self.members]
        if len(queries) == 1:
            query = queries[0]
        elif self.combine is intersect:
            query = _in_every(queries)
        else:
            query = self.combine(*queries)
        if self.within is None:
            return query
        table, scope = self.within
        return _values_in_scope(table, self.columns, query, scope)


class _Rewriter:
    def __init__(self, table, personal=None, nested: bool = False):
        self.table = table
        self.personal = personal
        self.nested = nested

    # --- what refers to the row -----------------------------------------------

    def _is_row_table(self, from_) -> bool:
        if from_ is self.table:
            return True
        return (isinstance(from_, Table) and isinstance(self.table, Table)
                and from_.name == self.table.name)

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
                and _filters_rows_only(element.right.element)
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
        if self.nested and len(froms) == 1 and isinstance(froms[0], (Table, Alias)) and rest:
            rest = [_decorrelated(and_(*rest), froms[0])]
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
        if operator is operators.and_ and self.personal is not None:
            _limit_to_scope(self.table, merged, self.personal)
        if len(merged) == 1:
            return merged[0]
        return ("and" if operator is operators.and_ else "or", merged)


def _decorrelated(clause, table):
    """The condition of a set's own rows (one table: the persons that have a
    case in scope) rewritten as the policy is: its correlated EXISTS become
    uncorrelated sets, computed once inside the set's query. Under an OR
    PostgreSQL cannot make a correlated EXISTS a join and runs it once per
    row of the set's table (every person of the store, for a supervisor);
    an uncorrelated IN it hashes once. Left as it is where it does not
    decompose."""
    try:
        tree = _Rewriter(table, nested=True).rewrite(clause)
    except NotDecomposable:
        return clause
    return _as_sql(tree, lambda found: found.query)


def _as_sql(tree, rows_of):
    """A rewritten tree as SQL, each set as ``columns IN rows_of(set)``: its
    query inline, or the call of its function (:func:`decompose`)."""
    if isinstance(tree, tuple):
        kind, parts = tree
        if kind == "not":
            return not_(_as_sql(parts, rows_of))
        built = [_as_sql(p, rows_of) for p in parts]
        return and_(*built) if kind == "and" else or_(*built)
    if not isinstance(tree, _RowSet):
        return tree
    present = [c.is_not(None) for c in tree.columns]
    return and_(*present, _key(list(tree.columns)).in_(rows_of(tree)))


def _limit_to_scope(table: Table, conjuncts: list, personal) -> None:
    """A set that is not the user's own (every person with a consent for the
    agency, every protected person) is a property of the whole store and
    grows with it; a set of the user's own rows (their teams' cases:
    :func:`_is_scope`) does not. Under one AND with such a scope on other
    columns, a store-wide set needs only the values of the rows in that
    scope: ``case_id IN my_cases AND (person_id, category) IN consented``
    tests the same rows as ``… IN (consented pairs of the notes of my
    cases)``, which grows with the user's cases, not with the store. Only
    sets in positive positions are limited (not under NOT): for a row the set
    function cannot see (a new row checked for RETURNING) a smaller set can
    then only refuse, never let more through."""
    scope = next((p for p in conjuncts if isinstance(p, _RowSet) and p.within is None
                  and _is_scope(p, personal)), None)
    if scope is None:
        return
    for part in conjuncts:
        for found in _positive_sets(part):
            if (found is not scope and found.within is None
                    and not _same_columns(found.columns, scope.columns)
                    and not _is_scope(found, personal)):
                found.within = (table, scope)


def _is_scope(member, personal) -> bool:
    """A set of the user's own rows: ``personal(query)`` for a SELECT; an
    intersection with one such part, a union of such parts only (a
    supervisor's "my agency's cases or my teams" is most of the store)."""
    if not isinstance(member, _RowSet):
        return personal(member)
    parts = [_is_scope(m, personal) for m in member.members]
    return any(parts) if member.combine is intersect else all(parts)


def filtered_by(query, is_value) -> bool:
    """Whether a conjunct of ``query``'s WHERE is ``column = value`` with
    ``is_value(value)``, or ``column IN (a query filtered so)``; for a UNION
    every part, for an INTERSECT one part."""
    while isinstance(query, (Grouping, ScalarSelect)):
        query = query.element
    if isinstance(query, CompoundSelect):
        parts = [filtered_by(s, is_value) for s in query.selects]
        return any(parts) if query.keyword is CompoundSelect.INTERSECT else all(parts)
    if not isinstance(query, Select):
        return False
    for term in _conjuncts(query.whereclause):
        if not isinstance(term, BinaryExpression):
            continue
        if term.operator is operators.eq and (is_value(term.left) or is_value(term.right)):
            return True
        if term.operator is operators.in_op and filtered_by(term.right, is_value):
            return True
    return False


def _positive_sets(tree):
    """The _RowSets of a rewritten tree that are not under a NOT."""
    if isinstance(tree, _RowSet):
        yield tree
    elif isinstance(tree, tuple) and tree[0] != "not":
        for part in tree[1]:
            yield from _positive_sets(part)


def _values_in_scope(table: Table, columns: tuple, query, scope: "_RowSet") -> Select:
    """The values of ``columns`` that rows of ``table`` in ``scope`` hold and
    ``query`` has: the set as the rule uses it, read from the user's rows.
    Each distinct value is looked up on its own (an EXISTS that OFFSET 0
    keeps from becoming a join): as a join, PostgreSQL hashes the whole
    store-wide set again, to probe it with a few hundred values."""
    row = table.alias("rule_row")
    adapt = ClauseAdapter(row).traverse
    scoped = [adapt(c) for c in scope.columns]
    values = (select(*(adapt(c).label(f"c{i}") for i, c in enumerate(columns)))
              .where(_key(scoped).in_(scope.query)).distinct().subquery("rule_scope_values"))
    found = query.subquery("rule_store_set")
    each = [found.c[name] == values.c[name] for name in values.c.keys()]
    return select(*values.c).where(select(literal(1)).select_from(found).where(*each)
                                   .offset(0).exists())


def _key(columns: list):
    return columns[0] if len(columns) == 1 else tuple_(*columns)


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


def _filters_rows_only(query) -> bool:
    """A SELECT whose rows are its FROM filtered, nothing more: adding
    ``IS NOT NULL`` to its WHERE (:func:`_not_null`) then removes the NULL
    and keeps every other value. Not so under a LIMIT, OFFSET or DISTINCT ON,
    which would pick other rows, nor for a UNION."""
    return (isinstance(query, Select) and not _shapes_rows(query)
            and not query._distinct_on)


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


def _in_every(queries: list) -> Select:
    """The intersection of ``queries`` as the rows of the first that are IN
    each of the others. PostgreSQL computes both sides of an INTERSECT in
    full — every case in the store whose identity is shared with the agency,
    to keep the few on the user's teams — where a semi-join starts from the
    smaller side and looks the other up by index. The same set: the members
    hold no NULLs (every set is built without them), so IN and INTERSECT
    agree; duplicates do not matter to the policy's IN."""
    columns = list(queries[0].subquery("rule_part").c)
    return select(*columns).where(*(_key(columns).in_(q) for q in queries[1:]))


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


def decompose(condition, table: Table, compile_sql, prefix: str,
              personal=None, nested: bool = False) -> Decomposed:
    """``condition`` (the rule on ``table``) as the policy's own expression
    and its set functions; raises :class:`NotDecomposable`. ``personal(query)``:
    whether a SELECT is of the user's own rows (:func:`_limit_to_scope`);
    None limits nothing. ``nested``: the sets' own conditions are
    decorrelated too (:func:`_decorrelated`)."""
    rewriter = _Rewriter(table, personal, nested)
    tree = rewriter.rewrite(condition)
    functions: list[SetFunction] = []

    def function_rows(found: _RowSet):
        """The set as a function of its own, made once per statement."""
        body = found.query
        returns = ", ".join(f"c{i} {_sql_type(c)}" for i, c in
                            enumerate(list(body.selected_columns)[:len(found.columns)]))
        digest = hashlib.sha256(compile_sql(body).encode()).hexdigest()[:16]
        function = SetFunction(f"{prefix}{digest}", f"TABLE({returns})", body)
        functions.append(function)
        names = ", ".join(f"c{i}" for i in range(len(found.columns)))
        return select(literal_column(names)).select_from(
            text(f"{RULE_SCHEMA}.{function.name}()"))

    using = _as_sql(tree, function_rows)
    return Decomposed(using, functions)


def _sql_type(column) -> str:
    return column.type.compile(dialect=postgresql.dialect())
