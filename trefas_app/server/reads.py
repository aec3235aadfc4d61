"""How the program's ORM talks to a server whose row-level security is on.

Two things the generated policies (``server.policies``) require of
every statement a login role sends, and that SQLAlchemy would otherwise not do:

* **No ``INSERT … RETURNING``.** PostgreSQL checks the rows a RETURNING
  clause hands back against the table's read policy. A new person or case is
  not yet readable by its creator (no team yet), so the insert itself would be
  refused. Without RETURNING, SQLAlchemy takes the new id from the table's
  sequence first (``nextval``; the groups that may insert hold USAGE on it).
* **Persons, relatives and consents are read through their masked views.**
  Their identifying columns are not granted to any login role;
  ``trefas.persons_shown`` (and ``relatives_shown``, ``consents_shown``) carry
  every column of the table, masked exactly where the program masks them. So
  on a server engine every SELECT that reads one of these tables reads its
  view under the table's own name (``FROM trefas.persons_shown AS persons``);
  INSERT, UPDATE and DELETE still go to the table, where the policies decide.

Both are properties of the server engine's dialect only: the local SQLite
store and the set-up role's engines are unchanged.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine

from trefas_app.services.views import OPEN_COLUMNS_PREFIX
from trefas_app.server.masks import SHOWN_TABLES
from trefas_app.server.rules import MergedInsCompiler

#: table name → the masked view a login role reads it through.
READ_THROUGH = {shown.table: shown.view for shown in SHOWN_TABLES}
#: The access rule's own aliases (``security.access``: ``rule_consent``,
#: ``rule_protected_person`` …) test only open columns (ids, dates, owner,
#: protection level), so they read the table itself: the same rows (the view
#: is the table under the same policies), without the view's row function for
#: every consent and person the rule looks at. Were such an alias ever to read
#: a masked column, the server would refuse it (the column is not granted),
#: never show it.
RULE_ALIAS_PREFIX = "rule_"
#: A service's alias that reads open columns only (``services.views``), read
#: from the table for the same reason.
TABLE_ALIAS_PREFIXES = (RULE_ALIAS_PREFIX, OPEN_COLUMNS_PREFIX)


class ShownReadsCompiler(MergedInsCompiler):
    """PostgreSQL's compiler, with reads of the masked tables sent to their
    views (and ORed INs on one column as one IN: ``rules.one_in_per_column``)."""

    def visit_table(self, table, asfrom=False, iscrud=False, enclosing_alias=None,
                    **kwargs):
        rendered = super().visit_table(table, asfrom=asfrom, iscrud=iscrud,
                                       enclosing_alias=enclosing_alias, **kwargs)
        view = READ_THROUGH.get(table.name) if table.schema is None else None
        if view is None or not asfrom or iscrud or rendered != self.preparer.format_table(table):
            return rendered
        if enclosing_alias is not None and enclosing_alias.element is table:
            if str(enclosing_alias.name).startswith(TABLE_ALIAS_PREFIXES):
                return rendered  # the rule's own lookup, a count: open columns only
            return view  # the alias names it already
        return f"{view} AS {self.preparer.quote(table.name)}"


def read_as_login_role(engine: Engine) -> Engine:
    """Make ``engine`` (a login role's) speak as the policies require."""
    dialect = engine.dialect
    dialect.statement_compiler = ShownReadsCompiler
    dialect.insert_returning = False
    dialect.insert_executemany_returning = False
    dialect.insert_executemany_returning_sort_by_parameter_order = False
    dialect.use_insertmanyvalues = False
    return engine
