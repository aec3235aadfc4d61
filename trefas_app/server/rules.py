"""The one access rule, compiled for the server's row-level security.

``security.access.visible`` builds the rule as a SQLAlchemy predicate about an
actor and an instant. Here the actor is the logged-in database user — their
id, agency and unit are the server's identity functions (``session_user``
mapped to the users row) — and the instant is the server's ``now()`` with the
office-zone date. The same function then yields, per table × role × command,
the condition a row must meet; :mod:`server.policies` wraps each in a
SECURITY DEFINER function and a policy. Nothing here restates the rule: every
read condition is ``visible(...)`` itself; writes use ``visible`` with the
role's write verbs, and where a row is new (a person, a case) the few facts a
service checks before creating it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from sqlalchemy import Date, and_, case, cast, false, func, literal_column, or_, select, text, true
from sqlalchemy import union
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import aliased
from sqlalchemy.dialects.postgresql.base import PGCompiler
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import BinaryExpression, BooleanClauseList, ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.selectable import ScalarSelect

from trefas_app.domain import lifecycles
from trefas_app.domain.enums import Category, Role
from trefas_app.domain.permissions import ROLE_PERMISSIONS, role_may
from trefas_app.security import access
from trefas_app.server.rule_sets import RULE_SCHEMA
from trefas_app.services.referrals import SIG_AGENCY
from trefas_app.store import models as m

#: The schema of the server's own functions and views.
FUNCTION_SCHEMA = "trefas"
#: Where the tables are (the migrations' default schema).
TABLE_SCHEMA = "public"

COMMANDS = ("select", "insert", "update", "delete")
#: The condition of a rule that allows every row.
TRUE_CONDITION = true()


@dataclass(frozen=True)
class ActorTerms:
    """The acting user as the access rule reads them, with user id, agency and
    unit as SQL: the server's identity functions, which map ``session_user``
    (never a setting a client can change) to an active user's row. The role
    stays a value: it chooses which SQL the rule builds, one policy per role."""

    role: Role
    user_id: ColumnElement
    agency: ColumnElement
    unit_id: ColumnElement
    #: These terms are what the policies are compiled from: the rule whole.
    rows_by_server: ClassVar[bool] = False

    @classmethod
    def of_session(cls, role: Role) -> "ActorTerms":
        """Each identity function as an uncorrelated scalar subquery, so that
        PostgreSQL evaluates it once per statement (an InitPlan), not once
        per row inside the rule's correlated subqueries."""
        schema = getattr(func, FUNCTION_SCHEMA)
        return cls(role, *(select(f()).scalar_subquery() for f in (
            schema.current_user_id, schema.current_agency, schema.current_unit_id)))


class SqlClock:
    """"Now" as the server's transaction time, for the rule's expiry tests,
    and the office-zone date for consents (``access.local_date`` reads
    :attr:`office_date`). ``naive_utc``: the time columns hold UTC without a
    zone (the models' ``UTCDateTime``), so ``now()`` is compared as UTC
    wall-clock time — never through the session's TimeZone, which a client
    may set.

    Each is an uncorrelated scalar subquery, evaluated once per statement
    (an InitPlan): written as an expression, the zone conversion ran for
    every row a policy's set tests — two per consent, a third of the time
    of the agency's consented set."""

    def __init__(self, office_timezone: str, naive_utc: bool = True):
        instant = func.timezone("UTC", func.now()) if naive_utc else func.now()
        self.instant = select(instant).scalar_subquery()
        self.office_date = select(
            cast(func.timezone(office_timezone, func.now()), Date)).scalar_subquery()

    def __clause_element__(self):
        return self.instant


#: The kinds of ``access.visible`` and their tables.
KIND_MODELS: dict[str, type] = {
    "case": m.Case, "person": m.Person, "relative": m.Relative, "consent": m.Consent,
    "document": m.IssuedDocument,
    **{kind: spec.model for kind, spec in access.CASE_CONTENT_KINDS.items()},
}


def write_verbs(role: Role, kind: str) -> list[str]:
    """The verbs other than read that ``role`` holds on ``kind`` (``note.sign`` → sign)."""
    prefix = f"{kind}."
    return sorted(p[len(prefix):] for p in ROLE_PERMISSIONS.get(role, ())
                  if p.startswith(prefix) and p != f"{kind}.read")


@dataclass(frozen=True)
class Rule:
    """One policy: which rows of ``table`` a role may use for ``command``.
    ``condition(entity)`` builds the rule's condition on any entity of the
    table's model — the table itself, or a row passed to a function."""

    table: str
    role: Role
    command: str
    model: type
    condition: Callable[[object], ColumnElement]

    @property
    def key(self):
        """The table's key column (``id``; the log's ``seq``)."""
        return self.model.__table__.primary_key.columns.values()[0]


def row_entity(model):
    """The policy's row as a subquery named like the table, so that the rule's
    column references (``notes.case_id``) read the values passed in."""
    table = model.__table__
    row = text("SELECT (r).*").columns(*table.c).subquery(table.name)
    return row, aliased(model, row)


def _parent(model, fk_col, kind: str, actor, now, verbs) -> ColumnElement:
    """The row's parent (by ``fk_col``) is visible to ``actor`` for one of ``verbs``."""
    if not verbs:
        return false()
    parent = aliased(model, name=f"rls_parent_{model.__tablename__}")
    return (select(parent.id)
            .where(parent.id == fk_col,
                   or_(*(access.visible(actor, kind, now, v, alias=parent) for v in verbs)))
            .exists())


def _any_visible(actor, kind: str, now, verbs, row) -> ColumnElement:
    if not verbs:
        return false()
    return or_(*(access.visible(actor, kind, now, v, alias=row) for v in verbs))


# --- the kinds of the access rule ------------------------------------------------


def _kind_condition(kind: str, command: str, actor: ActorTerms, now, row):
    role = actor.role
    if command == "select":
        return access.visible(actor, kind, now, alias=row) if role_may(role, f"{kind}.read") \
            else None
    verbs = write_verbs(role, kind)
    if command == "insert":
        return _insert_condition(kind, actor, now, row, verbs)
    if command == "update":
        return _any_visible(actor, kind, now, [v for v in verbs if v != "create"], row) \
            if [v for v in verbs if v != "create"] else None
    if command == "delete" and kind == "note" and "write" in verbs:
        return access.visible(actor, kind, now, "write", alias=row)  # discarding a draft
    return None


def _new_referral_condition(actor: ActorTerms, now, row) -> ColumnElement:
    """A referral to SIG is SIG's record of social information, made on a
    case the referrer may add to — also where their agency is not shown
    social information (the police and probation refer people to SIG:
    ``referrals.create_referral`` checks the case, not the record): the
    rule's case part for a write, and the facts the service writes."""
    case_part, _record_part = access.visible_parts(actor, "referral", now, "write", alias=row)
    return and_(case_part, row.created_by_id == actor.user_id,
                row.owner_agency == SIG_AGENCY.value, row.category == Category.SOCIAL.value,
                row.state == lifecycles.REFERRAL.initial.value,
                or_(actor.agency == SIG_AGENCY.value, row.source_agency == actor.agency))


def _insert_condition(kind: str, actor: ActorTerms, now, row, verbs):
    """A new row: the write verbs of ``visible`` where the row's case decides
    (content, consents, relatives, documents); a new person or case has no
    team yet, so the facts the service checks before creating it."""
    if kind == "person":
        if "create" not in verbs:
            return None
        return and_(row.owner_agency == actor.agency, row.created_by_id == actor.user_id)
    if kind == "case":
        if "create" not in verbs:
            return None
        return and_(row.owner_agency == actor.agency, row.created_by_id == actor.user_id,
                    _parent(m.Person, row.person_id, "person", actor, now, ["update"]))
    if kind == "meeting_item":
        condition = _new_meeting_item_condition(actor, now, row)
    elif not verbs:
        return None
    elif kind == "document":
        return _new_document_condition(actor, now, row)
    elif kind == "referral":
        condition = _new_referral_condition(actor, now, row)
    else:
        condition = _any_visible(actor, kind, now, verbs, row)
    if condition is None:
        return None
    if kind in access.CASE_CONTENT_KINDS:
        # Content is about its case's person: a row naming another person
        # would make the check a question about that person's consents.
        case = aliased(m.Case, name="rls_row_case")
        condition = and_(condition, select(case.id).where(
            case.id == row.case_id, case.person_id == row.person_id).exists())
    return condition


def _new_meeting_item_condition(actor: ActorTerms, now, row):
    """A case discussed at a meeting is written under ``meeting.write``
    (``services.meetings``: ``writable_case``), not a ``meeting_item.*``
    verb: the user's own row, about a case they may read and write."""
    if not role_may(actor.role, "meeting.write"):
        return None
    return and_(row.created_by_id == actor.user_id,
                _parent(m.Case, row.case_id, "case", actor, now, ["read"]),
                access.scope_clause(actor, row.case_id, "write", now))


def _new_document_condition(actor: ActorTerms, now, row):
    """A register entry of a document the user issues (any ``document.*``
    verb): theirs, about a case they may read — or, without a case, about a
    person they may read (or nobody: meeting minutes). ``visible`` asks the
    case for the document's own verb (``case.handover``), which no role holds."""
    about_person = or_(row.person_id.is_(None),
                       _parent(m.Person, row.person_id, "person", actor, now, ["read"]))
    about = or_(and_(row.case_id.is_not(None),
                     _parent(m.Case, row.case_id, "case", actor, now, ["read"])),
                and_(row.case_id.is_(None), about_person))
    return and_(row.issued_by_id == actor.user_id, about)


# --- tables that belong to a kind ----------------------------------------------------


def _child_condition(parent_model, fk_name: str, kind: str, write_kind_verbs=None):
    """A table whose rows are part of a parent row of ``kind`` (grants of a
    consent, goals of a plan, the team of a case): read with the parent,
    written where the parent may be written."""

    def condition(command: str, actor: ActorTerms, now, row):
        role = actor.role
        fk = getattr(row, fk_name)
        if command == "select":
            return _parent(parent_model, fk, kind, actor, now, ["read"]) \
                if role_may(role, f"{kind}.read") else None
        verbs = (write_kind_verbs or write_verbs)(role, kind)
        verbs = [v for v in verbs if v != "create"]
        return _parent(parent_model, fk, kind, actor, now, verbs) if verbs else None
    return condition


def _team_verbs(role: Role, kind: str) -> list[str]:
    return ["team"] if role_may(role, "case.team") else []


def _team_condition(command: str, actor: ActorTerms, now, row):
    base = _child_condition(m.Case, "case_id", "case", _team_verbs)(command, actor, now, row)
    if command != "insert" or not role_may(actor.role, "case.create"):
        return base
    # Opening a case puts its creator on the team before the case is visible.
    case = aliased(m.Case, name="rls_new_case")
    own_new_case = and_(row.user_id == actor.user_id, select(case.id).where(
        case.id == row.case_id, case.created_by_id == actor.user_id).exists())
    return own_new_case if base is None else or_(base, own_new_case)


def _disclosure_condition(command: str, actor: ActorTerms, now, row):
    """A disclosure is read with its case, or with its person when it has no case."""
    if command not in ("select", "insert") or not role_may(actor.role, "disclosure.read"):
        return None
    about = or_(and_(row.case_id.is_not(None),
                     _parent(m.Case, row.case_id, "case", actor, now, ["read"])),
                and_(row.case_id.is_(None),
                     _parent(m.Person, row.person_id, "person", actor, now, ["read"])))
    if command == "insert":
        if not any(p.startswith("document.") and p != "document.read"
                   for p in ROLE_PERMISSIONS[actor.role]):
            return None
        return and_(row.disclosed_by_id == actor.user_id, about)
    return about


def _state_change_condition(command: str, actor: ActorTerms, now, row):
    """The history of a record is read with the record."""
    if actor.role == Role.ADMINISTRATOR:
        return None
    if command == "insert":
        return row.by_id == actor.user_id
    if command != "select":
        return None
    parts = []
    for kind, model in KIND_MODELS.items():
        if role_may(actor.role, f"{kind}.read"):
            parts.append(and_(row.entity.in_(_entity_names(kind, model)),
                              _parent(model, row.entity_id, kind, actor, now, ["read"])))
    known = [n for kind, model in KIND_MODELS.items() for n in _entity_names(kind, model)]
    parts.append(row.entity.not_in(known))  # meetings, incidents: not case content
    return or_(*parts)


def _entity_names(kind: str, model) -> list[str]:
    name = model.__tablename__
    return sorted({kind, name, name.rstrip("s")})


def _emergency_condition(command: str, actor: ActorTerms, now, row):
    """Break-the-glass accesses: one's own, and for a reviewer those they
    follow up (``access.emergency_reviewable``)."""
    role = actor.role
    review = (access.emergency_reviewable(actor, row)
              if role_may(role, "emergency.review") else None)
    if command == "select":
        own = row.user_id == actor.user_id
        return own if review is None else or_(own, review)
    if command == "insert" and role_may(role, "emergency.use"):
        return row.user_id == actor.user_id
    if command == "update":
        return review
    return None


def _reveal_condition(command: str, actor: ActorTerms, now, row):
    """Reveals of protected identities: one's own only."""
    if not role_may(actor.role, "identity.reveal"):
        return None
    if command == "select":
        return row.user_id == actor.user_id
    if command == "insert":
        return and_(row.user_id == actor.user_id,
                    _parent(m.Person, row.person_id, "person", actor, now, ["read"]))
    return None


def _log_condition(command: str, actor: ActorTerms, now, row):
    """The access log: read whole by those who verify its chain; written only
    through the server's append function (no policy, no privilege)."""
    if command == "select" and role_may(actor.role, "audit.verify"):
        return TRUE_CONDITION
    return None


Condition = Callable[[str, ActorTerms, object, object], ColumnElement | None]


def _kind_rule(kind: str) -> Condition:
    return lambda command, actor, now, row: _kind_condition(kind, command, actor, now, row)


#: Every table with case content, and how its rows are decided.
RLS_TABLES: dict[str, tuple[type, Condition]] = {
    **{model.__tablename__: (model, _kind_rule(kind)) for kind, model in KIND_MODELS.items()},
    "consent_grants": (m.ConsentGrant, _child_condition(m.Consent, "consent_id", "consent")),
    "plan_goals": (m.PlanGoal, _child_condition(m.Plan, "plan_id", "plan")),
    "plan_actions": (m.PlanAction, _child_condition(m.Plan, "plan_id", "plan")),
    "team_members": (m.TeamMember, _team_condition),
    "disclosures": (m.Disclosure, _disclosure_condition),
    "state_changes": (m.StateChange, _state_change_condition),
    "emergency_accesses": (m.EmergencyAccess, _emergency_condition),
    "identity_reveals": (m.IdentityReveal, _reveal_condition),
    "audit_events": (m.AuditEvent, _log_condition),
}


def rules(office_timezone: str, naive_utc: bool = True):
    """Every (table, role, command) that gets a policy."""
    now = SqlClock(office_timezone, naive_utc)
    for table, (model, condition) in RLS_TABLES.items():
        for role in Role:
            actor = ActorTerms.of_session(role)
            for command in COMMANDS:
                if condition(command, actor, now, model) is not None:
                    yield Rule(table, role, command, model, _bind(condition, command, actor, now))


def _bind(condition: Condition, command: str, actor: ActorTerms, now):
    return lambda entity: condition(command, actor, now, entity)


def one_in_per_column(clause):
    """An OR whose terms hold ``x IN (A) OR x IN (B)`` with ``x IN (A UNION B)``
    instead (the same truth value, NULLs included); None when it has no two
    such terms. PostgreSQL turns an IN that is a whole condition into a join
    on an index, but tests two ORed INs on every row of a full scan: the
    team-scoped roles' "my teams or my emergency accesses" read all cases to
    find a hundred."""
    if not (isinstance(clause, BooleanClauseList) and clause.operator is operators.or_):
        return None
    groups: list[list] = []
    for term in clause.clauses:
        same = next((g for g in groups if _is_in_subquery(term) and _is_in_subquery(g[0])
                     and g[0].left.compare(term.left)), None)
        if same is None:
            groups.append([term])
        else:
            same.append(term)
    if all(len(g) == 1 for g in groups):
        return None
    return or_(*(g[0] if len(g) == 1 else g[0].left.in_(union(*(t.right.element for t in g)))
                 for g in groups))


def _is_in_subquery(term) -> bool:
    return (isinstance(term, BinaryExpression) and term.operator is operators.in_op
            and isinstance(term.right, ScalarSelect))


class MergedInsCompiler(PGCompiler):
    """PostgreSQL's compiler, writing every OR through :func:`one_in_per_column`."""

    def visit_expression_clauselist(self, clauselist, **kw):
        merged = one_in_per_column(clauselist)
        if merged is not None:
            return self.process(merged, **kw)
        return super().visit_expression_clauselist(clauselist, **kw)


def _server_dialect():
    dialect = postgresql.dialect()
    dialect.statement_compiler = MergedInsCompiler
    return dialect


def compile_sql(statement) -> str:
    """PostgreSQL text with every value inlined and every table schema-qualified
    (the functions run with an empty search_path)."""
    compiled = statement.compile(
        dialect=_server_dialect(), schema_translate_map={None: TABLE_SCHEMA},
        render_schema_translate=True, compile_kwargs={"literal_binds": True})
    return str(compiled)


def _session_role():
    """The caller's role from their users row, once per statement (an
    InitPlan), not a call per row."""
    return select(getattr(func, FUNCTION_SCHEMA).current_role_name()).scalar_subquery()


def for_session_role(permission: str,
                     condition: Callable[[ActorTerms], ColumnElement]) -> ColumnElement:
    """``condition`` of the caller's role, in one function for every role:
    the role's own condition where the role holds ``permission``, false for
    any other."""
    role_name = _session_role()
    return case(*((role_name == role.value, condition(ActorTerms.of_session(role)))
                  for role in Role if role_may(role, permission)), else_=False)


def _role_now(rule: Rule):
    """The policy's role is still the role in the user's users row (a login
    role left in an old group gets nothing from it)."""
    return _session_role() == rule.role.value


def rule_row_check(rule: Rule) -> str:
    """The body of a function that decides one row passed in as ``r`` (a new
    or changed row: WITH CHECK)."""
    row, entity = row_entity(rule.model)
    condition = and_(_role_now(rule), rule.condition(entity))
    return compile_sql(select(func.coalesce(condition, False)).select_from(row))


def rule_keys(rule: Rule) -> str:
    """The body of a function that returns the keys of every row the user may
    use: the rule as one query over the table — as the services run it —
    evaluated once per statement (the policy tests ``key IN (…)``), not once
    per row."""
    return compile_sql(select(rule.key).where(_role_now(rule), rule.condition(rule.model)))


class _ThroughViewsCompiler(MergedInsCompiler):
    """Every table a policy's subqueries name, read through its view in the
    rule schema (:func:`rule_through_views`); the policy's own table, the
    statement's only FROM, stays the table. ``views_read``: the tables it
    wrote as views."""

    def __init__(self, dialect, statement, policy_table, **kwargs):
        self.policy_table, self.views_read = policy_table, set()
        super().__init__(dialect, statement, **kwargs)

    def visit_table(self, table, asfrom=False, iscrud=False, enclosing_alias=None, **kwargs):
        rendered = super().visit_table(table, asfrom=asfrom, iscrud=iscrud,
                                       enclosing_alias=enclosing_alias, **kwargs)
        if not asfrom or iscrud or table.schema is not None:
            return rendered
        if table is self.policy_table and enclosing_alias is None:
            return f"{TABLE_SCHEMA}.{rendered} AS {rendered}"
        self.views_read.add(table.name)
        if enclosing_alias is not None and enclosing_alias.element is table:
            return f"{RULE_SCHEMA}.{rendered}"  # the alias names it
        return f"{RULE_SCHEMA}.{rendered} AS {rendered}"


def rule_through_views(rule: Rule) -> tuple[str, set[str]]:
    """The policy's condition on rows that exist, and the tables it reads
    through their views: the rule itself, correlated as the services run it,
    with every other table read through the owner's view of it
    (``trefas_rule.<table>``). Read as the owner, those tables' own policies
    do not apply again (they would recurse, and filter by the reader's rights
    instead of deciding them); and with the rule's subqueries in the policy,
    PostgreSQL chooses per statement between looking a page's rows up one by
    one and hashing a whole set — a page tests a few hundred rows, a count
    the whole scope. (As sets computed in functions it hashed the whole scope
    also for a page: a police supervisor's persons, 14,000 of them, for
    every page of 200.)"""
    table = rule.model.__table__
    condition = and_(_role_now(rule), rule.condition(rule.model))
    statement = select(literal_column("1")).select_from(table).where(condition)
    compiled = _ThroughViewsCompiler(postgresql.dialect(), statement, table,
                                     compile_kwargs={"literal_binds": True})
    head = f"SELECT 1 \nFROM {TABLE_SCHEMA}.{table.name} AS {table.name} \nWHERE "
    if not compiled.string.startswith(head):
        raise AssertionError(f"unexpected policy statement: {compiled.string[:200]}")
    return compiled.string[len(head):], compiled.views_read


def rule_sets(rule: Rule):
    """The rule for rows that exist as a test of the row's own columns against
    sets computed once per statement (:func:`server.rule_sets.decompose`)."""
    from trefas_app.server.rule_sets import decompose

    condition = and_(_role_now(rule), rule.condition(rule.model))
    return decompose(condition, rule.model.__table__, compile_sql, "rows_",
                     personal=names_the_user, nested=not access.team_scoped(rule.role))


def names_the_user(query) -> bool:
    """A set of the acting user's own rows: filtered by their id (their
    teams, their reveals) or by a set so filtered (their teams' cases). It
    grows with the user's scope, not with the store."""
    from trefas_app.server.rule_sets import filtered_by

    return filtered_by(query, _is_user_id)


def _is_user_id(value) -> bool:
    """``(SELECT trefas.current_user_id())``: :attr:`ActorTerms.user_id`."""
    if not isinstance(value, ScalarSelect):
        return False
    columns = list(value.element.selected_columns)
    return (len(columns) == 1 and isinstance(columns[0], FunctionElement)
            and columns[0].name == "current_user_id")


def is_everything(rule: Rule) -> bool:
    """The rule lets the role use every row (the log, for who verifies it)."""
    return rule.condition(rule.model) is TRUE_CONDITION
