"""The access rule (DESIGN §3) — the one place that decides what a user may see.

Every read of case content, whether a list, a search, a count, a single record
or a document, filters with :func:`visible`. It returns a SQL predicate, so the
database does the filtering and long lists stay fast; a single record is the
same query narrowed to one id. Writes go through :func:`visible` too, with a
write verb, which drops emergency access (that is read-only).

The four conditions, for a user U and a record R about person P in case K,
owned by agency O, of category C:
1. U's role permits the action on R's kind         (:func:`role_may`)
2. U is on K's team, or coordinator of K's unit, or supervisor of K's agency
   (or of an agency on K's team), or holds unexpired emergency access to K
3. O is U's agency, or P has a current consent (or recorded legal basis) naming
   U's agency and covering C
4. location content of a protected person only after an explicit reveal;
   names, numbers and everything else that identifies the person or those
   close to them are masked by ``services.views.mask_identity`` in every
   projection (``services.persons.project_person`` and ``mask_result``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, and_, bindparam, false, func, literal, or_, select, text, true
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ClauseElement, ColumnElement

from trefas_app.domain import clock
from trefas_app.domain.labels import person_code
from trefas_app.domain.actor import Actor
from trefas_app.domain.enums import ROLE_AGENCIES, Agency, Category, NoteState, ProtectionLevel, Role
from trefas_app.domain.errors import AccessDenied, NoSuchRecord, denied, on_record  # noqa: F401 (the rule's callers use them from here)
from trefas_app.domain.permissions import role_may
from trefas_app.store import models as m
from trefas_app.store.dialect import lock_for_change, no_index

def local_date(now: dt.datetime) -> dt.date:
    """Consents run by calendar day in the office zone (the one clock's).

    ``now`` may also be a SQL clock (``server.rules.SqlClock``: the
    server's ``now()`` and its office-zone date as SQL), so the same rule
    compiles to the server's row-level-security policies."""
    sql_date = getattr(now, "office_date", None)
    if sql_date is not None:
        return sql_date
    return clock.local_date(now)


class BoundClock:
    """"Now" as two bound parameters (the instant and its office-zone date),
    so that a statement with the rule in it is built once per user and run at
    any instant: :meth:`params` gives their values for one unit of work
    (``uow.now()``). ``access.local_date`` reads :attr:`office_date`."""

    INSTANT, DATE = "rule_now", "rule_today"

    def __init__(self):
        self.instant = bindparam(self.INSTANT)
        self.office_date = bindparam(self.DATE)

    def __clause_element__(self):
        return self.instant

    @classmethod
    def params(cls, now: dt.datetime) -> dict:
        return {cls.INSTANT: now, cls.DATE: clock.local_date(now)}


@dataclass(frozen=True)
class KindSpec:
    """Where the access rule finds its four facts on one kind of record."""

    model: type
    category: Category | None = None  # fixed category; None = the row's own column

    def category_expr(self, model=None):
        if self.category is not None:
            return literal(self.category.value)
        return (model or self.model).category


#: Kinds stored in their own table with the CaseContent columns.
CASE_CONTENT_KINDS: dict[str, KindSpec] = {
    "referral": KindSpec(m.Referral),
    "plan": KindSpec(m.Plan),
    "exit": KindSpec(m.ExitProgramme),
    "threat": KindSpec(m.ThreatAssessment),
    "measure": KindSpec(m.ProtectiveMeasure),
    "support": KindSpec(m.SupportComponent),
    "involvement": KindSpec(m.IncidentInvolvement),
    "meeting_item": KindSpec(m.MeetingItem),
    "task": KindSpec(m.Task),
    "note": KindSpec(m.Note),
}

KIND_OF_MODEL = {spec.model: kind for kind, spec in CASE_CONTENT_KINDS.items()}


# Every table the rule reads inside its subqueries gets an alias of its own,
# made once. Two reasons: a subquery must never auto-correlate with the
# caller's query (list_consents selects from consents; the rule's consent
# lookup must not silently bind to that outer row), and building aliases per
# call costs tens of milliseconds in SQLAlchemy's column adaptation.
_GRANT = aliased(m.ConsentGrant, name="rule_grant")
_CONSENT = aliased(m.Consent, name="rule_consent")
_TEAM = aliased(m.TeamMember, name="rule_team")
_TEAM2 = aliased(m.TeamMember, name="rule_team_agency")
_TEAM_USER = aliased(m.User, name="rule_team_user")
_SCOPE_CASE = aliased(m.Case, name="rule_scope_case")
_EMERGENCY = aliased(m.EmergencyAccess, name="rule_emergency")
_REVEAL = aliased(m.IdentityReveal, name="rule_reveal")
_PROTECTED_PERSON = aliased(m.Person, name="rule_protected_person")
_SHARED_CASE = aliased(m.Case, name="rule_shared_case")
_VIA_CASE = aliased(m.Case, name="rule_via_case")
_OWNER_PERSON = aliased(m.Person, name="rule_owner_person")
_KNOWN_CASE = aliased(m.Case, name="rule_known_case")
_DOCUMENT_CASE = aliased(m.Case, name="rule_document_case")
_CANDIDATE_CASE = aliased(m.Case, name="rule_candidate_case")
_CANDIDATE_PERSON = aliased(m.Person, name="rule_candidate_person")
_ISSUER = aliased(m.User, name="rule_issuer")
_REVIEWED_USER = aliased(m.User, name="rule_reviewed_user")


#: Agencies whose users may open cases (only they own cases): the
#: supervisor's "agency on the team" term is compiled per agency from it.
_CASE_OWNING_AGENCIES = frozenset(agency for role, agencies in ROLE_AGENCIES.items()
                                  if role_may(role, "case.create") for agency in agencies)
CASE_OWNING_AGENCIES = _CASE_OWNING_AGENCIES

#: Roles whose scope is their own case teams only (DESIGN §3, condition 2).
_TEAM_SCOPED_ROLES = frozenset({Role.SOCIAL_WORKER, Role.POLICE_LIAISON,
                                Role.PROBATION_OFFICER, Role.ADMINISTRATOR})


def team_scoped(role: Role) -> bool:
    """The role's scope is its own case teams (a few cases), not a unit's or
    an agency's: how a compiled rule is best started."""
    return role in _TEAM_SCOPED_ROLES


def drafts_gate(actor: Actor, kind: str, model=None) -> ColumnElement[bool]:
    """A draft note is its author's alone until signed: no one else has it in
    scope, so it is neither shown nor counted as hidden to them (and on a
    server no one else reads it with psql either)."""
    if kind != "note":
        return true()
    note = model if model is not None else m.Note
    return or_(note.state == NoteState.SIGNED, note.author_id == actor.user_id)


def _verb_permission(kind: str, verb: str) -> str:
    return f"{kind}.{verb}"


# --- the three SQL conditions ----------------------------------------------


def current_consent(consent, today: dt.date) -> ColumnElement[bool]:
    """A consent (or recorded legal basis) that counts today: the latest
    version, not withdrawn, within its dates. The one definition of "current".

    The end date is compared as a value (``no_index``): otherwise SQLite
    answers "the current consents of these 200 persons" from the end-date
    index (``ix_consents_current_until``: every current consent) instead of
    looking up each person's; only a window on the end date (the dashboard's
    expiring consents) reads that index."""
    return and_(consent.superseded.is_(False), consent.withdrawn_at.is_(None),
                consent.valid_from <= today, no_index(consent.valid_until) >= today)


def consent_clause(agency: Agency, owner_agency_col, person_id_col, category_expr,
                   now: dt.datetime) -> ColumnElement[bool]:
    """Condition 3: the agency's own record, or a current consent / legal basis
    naming the agency for the record's category. It depends on the agency
    alone, so documents use it for a recipient agency as well."""
    granted = (
        select(_GRANT.id)
        .join(_CONSENT, _CONSENT.id == _GRANT.consent_id)
        .where(_CONSENT.person_id == person_id_col,
               _GRANT.agency == agency,
               _GRANT.category == category_expr,
               current_consent(_CONSENT, local_date(now)))
        .exists()
    )
    return or_(owner_agency_col == agency, granted)


def scope_clause(actor: Actor, case_id_col, verb: str, now: dt.datetime,
                 case=None) -> ColumnElement[bool]:
    """Condition 2: team, unit coordinator, agency supervisor, or emergency access.

    ``case``: the case row itself (the Case table or an alias whose ``id`` is
    ``case_id_col``) when the query has it at hand; the coordinator's and
    supervisor's terms then compare its own unit and owner instead of
    looking the case up in a list. The terms are in the order SQLite tests
    them, the one true for most rows of a wide scope first."""
    own_teams = case_id_col.in_(select(_TEAM.case_id).where(_TEAM.user_id == actor.user_id))
    emergency = case_id_col.in_(select(_EMERGENCY.case_id).where(
        _EMERGENCY.user_id == actor.user_id, _EMERGENCY.expires_at > now))
    if actor.role in _TEAM_SCOPED_ROLES:
        # Only their own teams (and emergency accesses): a short list of case
        # ids read through the user index, instead of a test on every case.
        return or_(own_teams, emergency) if verb == "read" else own_teams
    # The case's own unit or owner, not through their index: an index walk
    # over the whole scope would replace reading a list in its sort order.
    parts = []
    if actor.role == Role.COORDINATOR:
        parts.append(no_index(case.unit_id) == actor.unit_id if case is not None else
                     case_id_col.in_(select(_SCOPE_CASE.id)
                                     .where(_SCOPE_CASE.unit_id == actor.unit_id)))
    if actor.role == Role.SUPERVISOR:
        parts.append(no_index(case.owner_agency) == actor.agency if case is not None else
                     case_id_col.in_(select(_SCOPE_CASE.id)
                                     .where(_SCOPE_CASE.owner_agency == actor.agency)))
        parts.append(_agency_on_team(actor, case_id_col))
    # The user's own teams and emergency accesses are a few case ids: lists
    # built once per statement, not a lookup per row.
    parts.append(own_teams)
    if verb == "read":
        parts.append(emergency)
    return or_(*parts)


def _agency_on_team(actor: Actor, case_id_col) -> ColumnElement[bool]:
    """The supervisor's "a user of my agency is on the case's team"."""
    if actor.agency in _CASE_OWNING_AGENCIES:
        # Correlated: the agency that opens cases is on nearly every team
        # (as a list it would be all of them). Being no index term, it also
        # keeps SQLite from reading the whole scope through the owner index
        # (a MULTI-INDEX OR) where walking the list's sort order and stopping
        # after a page is far cheaper.
        return (select(_TEAM2.id)
                .join(_TEAM_USER, _TEAM_USER.id == _TEAM2.user_id)
                .where(_TEAM2.case_id == case_id_col, _TEAM_USER.agency == actor.agency)
                .exists())
    # An agency that opens no cases is on a share of the teams only: SQLite
    # builds that list once and reads just those cases.
    return case_id_col.in_(select(_TEAM2.case_id)
                           .join(_TEAM_USER, _TEAM_USER.id == _TEAM2.user_id)
                           .where(_TEAM_USER.agency == actor.agency))


def protection_clause(actor: Actor, person_id_col, category_expr,
                      now: dt.datetime, reveals: bool = True) -> ColumnElement[bool]:
    """Condition 4 for content: location data of a protected person needs a
    reveal. ``reveals=False``: as if the user had revealed nobody (a handover
    whose author chose to leave the revealed identity out)."""
    if isinstance(category_expr, Category):  # the kind's fixed category
        if category_expr != Category.LOCATION:
            return true()
        category_expr = literal(category_expr.value)
    is_protected = (select(_PROTECTED_PERSON.id)
                    .where(_PROTECTED_PERSON.id == person_id_col,
                           _PROTECTED_PERSON.protection_level != ProtectionLevel.NONE)
                    .exists())
    parts = [category_expr != Category.LOCATION.value, ~is_protected]
    if reveals:
        parts.append(revealed_clause(actor, person_id_col, now))
    return or_(*parts)


def revealed_clause(actor: Actor, person_id_col, now: dt.datetime) -> ColumnElement[bool]:
    return (select(_REVEAL.id)
            .where(_REVEAL.person_id == person_id_col,
                   _REVEAL.user_id == actor.user_id,
                   _REVEAL.expires_at > now)
            .exists())


def _record_clause(actor: Actor, permission: str, verb: str, now: dt.datetime, *,
                   case_id_col, person_id_col, owner_col, category_expr,
                   case=None) -> ColumnElement[bool]:
    if not role_may(actor.role, permission):
        return false()
    return and_(scope_clause(actor, case_id_col, verb, now, case),
                _shared_clause(actor, now, person_id_col=person_id_col, owner_col=owner_col,
                               category_expr=category_expr))


def _shared_clause(actor: Actor, now: dt.datetime, *, person_id_col, owner_col,
                   category_expr) -> ColumnElement[bool]:
    """Conditions 3 and 4 of one record. ``category_expr``: the row's
    category column, or the kind's fixed :class:`Category`."""
    fixed = isinstance(category_expr, Category)
    consent = consent_clause(actor.agency, owner_col, person_id_col,
                             literal(category_expr.value) if fixed else category_expr, now)
    return and_(consent, protection_clause(actor, person_id_col, category_expr, now))


# --- the one entry point ----------------------------------------------------


def visible(actor: Actor, kind: str, now: dt.datetime, verb: str = "read",
            alias=None, within_case: tuple[int, int] | None = None) -> ColumnElement[bool]:
    """SQL predicate: rows of ``kind`` on which ``actor`` may perform ``verb``.

    ``alias`` lets a caller apply the rule to an aliased table in a larger query.
    ``within_case=(case_id, person_id)`` states that every row is content of
    that one case; the same four conditions are then written so that SQLite
    evaluates the case-level ones once instead of once per row (a case may
    hold thousands of notes). It also restricts the rows to that case. (The
    ids may be SQL: a server's counting function passes its parameter.)
    """
    if _read_filtered_by_server(actor, verb):
        return _server_read(actor, kind, alias, within_case)
    if within_case is not None and kind in CASE_CONTENT_KINDS:
        return _content_of_known_case(actor, kind, verb, now, alias, *within_case)
    if kind == "case" or kind in CASE_CONTENT_KINDS:
        return and_(*visible_parts(actor, kind, now, verb, alias))
    permission = _verb_permission(kind, verb)
    if kind == "person":
        return _person_clause(actor, permission, verb, now, alias or m.Person)
    if kind == "document":
        return _issued_document_clause(actor, permission, verb, now, alias or m.IssuedDocument)
    # Person-level records (consents, relatives): visible with the person's identity.
    model = alias or (m.Consent if kind == "consent" else m.Relative)
    if not role_may(actor.role, permission):
        return false()
    return (select(_OWNER_PERSON.id)
            .where(_OWNER_PERSON.id == model.person_id,
                   _person_clause(actor, "person.read", verb, now, _OWNER_PERSON))
            .exists())


def _read_filtered_by_server(actor: Actor, verb: str) -> bool:
    """A server's session user reading: the login role's row policies are
    this rule compiled (``server/rules.py``) and filter every table the
    statement names, so the rule written into the statement as well would
    be evaluated a second time — over tables that are themselves filtered —
    and would hide nothing that the login role cannot read with ``psql``.
    Writes keep the rule in the statement: it tells "not yours to change"
    from "not there" (:func:`get_visible`)."""
    return verb == "read" and actor.rows_by_server


def _server_read(actor: Actor, kind: str, alias,
                 within_case: tuple[int, int] | None) -> ColumnElement[bool]:
    """:func:`visible` of a read the server filters: the role's permission
    still decides, and ``within_case`` still names its case."""
    needed = [_verb_permission(kind, "read")]
    if kind in ("consent", "relative"):  # read with their person's identity
        needed.append("person.read")
    if not all(role_may(actor.role, permission) for permission in needed):
        return false()
    if within_case is not None and kind in CASE_CONTENT_KINDS:
        model = alias or CASE_CONTENT_KINDS[kind].model
        case_id, person_id = within_case
        return and_(model.case_id == case_id, model.person_id == person_id)
    return true()


def visible_parts(actor: Actor, kind: str, now: dt.datetime, verb: str = "read",
                  alias=None, whole_table: bool = False
                  ) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """:func:`visible` of a case or case content as (the case-level part,
    the record's own part): ``visible`` is their conjunction, and for a read
    the first is :func:`in_scope`. A count over the scope with the second as
    its filter counts the visible and the hidden rows in one pass, each
    condition evaluated once per row. ``whole_table``: the statement reads
    most rows of the kind (a count), so the case-level part of content is
    written as the list of the user's cases, judged once per case."""
    permission = _verb_permission(kind, verb)
    if not role_may(actor.role, permission):
        return false(), false()
    if _read_filtered_by_server(actor, verb):
        return true(), true()
    if kind == "case":
        case = alias or m.Case
        return (scope_clause(actor, case.id, verb, now, case),
                _shared_clause(actor, now, person_id_col=case.person_id,
                               owner_col=case.owner_agency, category_expr=Category.IDENTITY))
    spec = CASE_CONTENT_KINDS[kind]
    model = alias or spec.model
    own = _shared_clause(actor, now, person_id_col=model.person_id,
                         owner_col=model.owner_agency, category_expr=spec.category_expr(model))
    return (and_(_content_case_part(actor, verb, now, model.case_id, whole_table),
                 drafts_gate(actor, kind, model)), own)


def _content_case_part(actor: Actor, verb: str, now: dt.datetime, case_id_col,
                       whole_table: bool = False) -> ColumnElement[bool]:
    """Conditions 2 and the case's shared identity, for content of the case
    ``case_id_col``. Team-scoped users: the content's case among their few
    cases (a list SQLite can start from). Wider scopes: one lookup of the
    case, on whose own columns the scope is then tested, instead of a scope
    list and a second lookup for the identity; or, for a statement over the
    whole table (``whole_table``) of a scope that is a share of the cases (a
    unit, the cases another agency's staff are on), the same test as one list
    of cases, built once per statement instead of a lookup per row. (The
    supervisor of the agency that opens the cases has nearly all of them in
    scope: the list would cost more than the lookups.)"""
    if actor.role in _TEAM_SCOPED_ROLES:
        return and_(scope_clause(actor, case_id_col, verb, now),
                    case_identity_shared(actor.agency, case_id_col, now))
    case = _SHARED_CASE
    cases = select(case.id).where(scope_clause(actor, case.id, verb, now, case),
                                  _identity_shared(actor.agency, case, now))
    wide = actor.role == Role.SUPERVISOR and actor.agency in _CASE_OWNING_AGENCIES
    if whole_table and not wide:
        return no_index(case_id_col).in_(cases)
    return cases.where(case.id == case_id_col).exists()


def case_identity_shared(agency: Agency, case_id_col, now: dt.datetime) -> ColumnElement[bool]:
    """The row's case has its existence (the person's identity) shared with
    the agency. Content of a case is never visible without its case, so a
    social note cannot be read where the person's identity may not be.

    Correlated on purpose: as ``case_id IN (SELECT … every shared case)``
    SQLite would build the whole list first — the consent test on every case
    in the store — even to count an empty table."""
    case = _SHARED_CASE
    return (select(case.id)
            .where(case.id == case_id_col, _identity_shared(agency, case, now))
            .exists())


def _identity_shared(agency: Agency, case, now: dt.datetime) -> ColumnElement[bool]:
    """Condition 3 for the identity of the person of ``case`` (a case row)."""
    return consent_clause(agency, case.owner_agency, case.person_id,
                          literal(Category.IDENTITY.value), now)


def agency_may_receive(agency: Agency, kind: str, now: dt.datetime) -> ColumnElement[bool]:
    """Condition 3 alone, for an agency as a whole: rows of ``kind`` it may
    receive in a document (its own, or consented/legal basis for the row's
    category, within a case whose identity it may know)."""
    if kind == "case":
        return consent_clause(agency, m.Case.owner_agency, m.Case.person_id,
                              literal(Category.IDENTITY.value), now)
    spec = CASE_CONTENT_KINDS[kind]
    model = spec.model
    return and_(consent_clause(agency, model.owner_agency, model.person_id,
                               spec.category_expr(model), now),
                case_identity_shared(agency, model.case_id, now))


def _content_of_known_case(actor: Actor, kind: str, verb: str, now: dt.datetime, alias,
                           case_id: int, person_id: int) -> ColumnElement[bool]:
    """:func:`visible` for rows of one known case; the same conditions, with
    every subquery that does not depend on the row made uncorrelated."""
    if not role_may(actor.role, _verb_permission(kind, verb)):
        return false()
    spec = CASE_CONTENT_KINDS[kind]
    model = alias or spec.model
    category = spec.category_expr(model)
    case_ok = _known_case_ok(actor, verb, now, case_id)
    # Start from the person's few consents, not from every grant of the agency
    # (without statistics SQLite would pick the agency index and read them all).
    current_consents = select(_CONSENT.id).where(
        _CONSENT.person_id == person_id, current_consent(_CONSENT, local_date(now)))
    granted = select(_GRANT.category).where(_GRANT.consent_id.in_(current_consents),
                                            _GRANT.agency == actor.agency)
    masked = and_(select(_PROTECTED_PERSON.id)
                  .where(_PROTECTED_PERSON.id == person_id,
                         _PROTECTED_PERSON.protection_level != ProtectionLevel.NONE)
                  .exists(),
                  ~revealed_clause(actor, _sql_value(person_id), now))
    return and_(model.case_id == case_id, model.person_id == person_id, case_ok,
                drafts_gate(actor, kind, model),
                or_(model.owner_agency == actor.agency, category.in_(granted)),
                or_(category != Category.LOCATION.value, ~masked))


def _sql_value(value):
    """A known id as SQL: a value, or already SQL (a server function's
    parameter, the case's person looked up once)."""
    return value if isinstance(value, ClauseElement) else literal(value)


def _known_case_ok(actor: Actor, verb: str, now: dt.datetime,
                   case_id: int) -> ColumnElement[bool]:
    """Condition 2 and the shared identity for the one case ``case_id``:
    uncorrelated, so evaluated once per statement."""
    case = _KNOWN_CASE
    return (select(case.id)
            .where(case.id == case_id, scope_clause(actor, case.id, verb, now, case),
                   _identity_shared(actor.agency, case, now))
            .exists())


def _person_clause(actor: Actor, permission: str, verb: str, now: dt.datetime,
                   person) -> ColumnElement[bool]:
    if not role_may(actor.role, permission):
        return false()
    own_parts = [person.created_by_id == actor.user_id]
    if actor.role == Role.COORDINATOR:
        own_parts.append(person.unit_id == actor.unit_id)
    if actor.role == Role.SUPERVISOR:
        own_parts.append(true())
    own = and_(person.owner_agency == actor.agency, or_(*own_parts))
    case = _VIA_CASE
    via_case = (select(case.id)
                .where(case.person_id == person.id,
                       _record_clause(actor, "case.read", verb, now, case_id_col=case.id,
                                      person_id_col=case.person_id,
                                      owner_col=case.owner_agency,
                                      category_expr=Category.IDENTITY, case=case))
                .exists())
    if actor.role in _TEAM_SCOPED_ROLES:
        # Implied by the two terms, written so that SQLite starts from the
        # user's few persons (their teams' cases and the persons they
        # registered) instead of testing all of them.
        mine = or_(person.id.in_(select(_CANDIDATE_CASE.person_id)
                                 .where(scope_clause(actor, _CANDIDATE_CASE.id, verb, now))),
                   person.id.in_(select(_CANDIDATE_PERSON.id)
                                 .where(_CANDIDATE_PERSON.created_by_id == actor.user_id)))
        return and_(mine, or_(own, via_case))
    return or_(own, via_case)


def _issued_document_clause(actor: Actor, permission: str, verb: str, now: dt.datetime,
                            doc) -> ColumnElement[bool]:
    """The register entry of an issued document (number, kind, recipient, who,
    when — never the content): in a case the user may see, and issued by or
    to the user's agency. That another agency handed the case to a third is
    not this agency's business."""
    if not role_may(actor.role, permission):
        return false()
    case = _DOCUMENT_CASE
    in_visible_case = (select(case.id)
                       .where(case.id == doc.case_id, visible(actor, "case", now, verb, case))
                       .exists())
    issued_here = (select(_ISSUER.id)
                   .where(_ISSUER.id == doc.issued_by_id, _ISSUER.agency == actor.agency)
                   .exists())
    return and_(in_visible_case, or_(doc.recipient_agency == actor.agency, issued_here))


def in_scope(actor: Actor, kind: str, now: dt.datetime,
             within_case: tuple[int, int] | None = None) -> ColumnElement[bool]:
    """Rows the user would see but for consent or protection: the base for
    telling them how many entries exist that are not shared with them."""
    spec = CASE_CONTENT_KINDS[kind]
    if not role_may(actor.role, _verb_permission(kind, "read")):
        return false()
    if within_case is not None:
        case_id, _ = within_case
        return and_(spec.model.case_id == case_id, _known_case_ok(actor, "read", now, case_id),
                    drafts_gate(actor, kind))
    return and_(_content_case_part(actor, "read", now, spec.model.case_id),
                drafts_gate(actor, kind))


# --- break-the-glass reviews -----------------------------------------------------


def emergency_reviewable(actor: Actor, emergency=None) -> ColumnElement[bool]:
    """The break-the-glass accesses a reviewer (``emergency.review``: a
    supervisor) follows up: those of the users of their agency, whichever
    case they opened — also one the reviewer may not read (the access is
    about the user, the case is named by its number only)."""
    emergency = emergency if emergency is not None else m.EmergencyAccess
    if not role_may(actor.role, "emergency.review"):
        return false()
    return emergency.user_id.in_(select(_REVIEWED_USER.id)
                                 .where(_REVIEWED_USER.agency == actor.agency))


# --- the access log ---------------------------------------------------------------


def log_scope(actor: Actor, now: dt.datetime) -> ColumnElement[bool]:
    """The entries of the access log ``actor`` may read — the one scope of
    every reading of the log (the log review, read volumes, the log extract):
    entries made by users of the reader's agency (and failed log-ins under
    their names); entries about a case the reader may see; and entries about a
    person the reader may see that belong to no case. An entry about a case
    the reader may not open is out of scope even when it names a person the
    reader sees: its action and reason tell about that case."""
    ev = m.AuditEvent
    own_user = select(m.User.id).where(m.User.agency == actor.agency)
    own_name = select(m.User.username).where(m.User.agency == actor.agency)
    visible_case = select(m.Case.id).where(visible(actor, "case", now))
    visible_person = select(m.Person.id).where(visible(actor, "person", now))
    return or_(
        ev.agency == actor.agency.value,
        ev.user_id.in_(own_user),
        and_(ev.user_id.is_(None), ev.agency.is_(None), ev.username.in_(own_name)),
        ev.case_id.in_(visible_case),
        and_(ev.case_id.is_(None), ev.person_id.in_(visible_person)),
    )


def log_reason(actor: Actor, entry_agency: str | None, reason: str | None) -> str | None:
    """A reason in the log (for an emergency access, a reveal, a withdrawal, a
    closure) is content of the agency whose user gave it: other agencies see
    that there was one, not what it says (None)."""
    if reason is None or entry_agency != actor.agency.value:
        return None
    return reason


# --- helpers every service uses -----------------------------------------------


def require(actor: Actor, permission: str) -> None:
    """Condition 1 alone, for actions that are not about one record."""
    if not role_may(actor.role, permission):
        raise denied(actor, permission,
                     "Din roll har inte behörighet till den här åtgärden.",
                     "Your role is not permitted to do this.")


def get_visible(session: Session, actor: Actor, kind: str, record_id: int,
                now: dt.datetime, verb: str = "read"):
    """One record through the same rule as every list; refuses otherwise.

    A record read to be changed (``verb="write"``) is held until the commit
    (``dialect.lock_for_change``): a second desktop changing it at the same
    moment waits, then sees the first one's change — a draft already signed,
    a consent already superseded — and gets the service's own conflict
    message instead of overwriting it."""
    model = _model_of(kind)
    query = select(model).where(model.id == record_id, visible(actor, kind, now, verb))
    if verb == "write":
        lock_for_change(session, kind, record_id)
        query = query.execution_options(populate_existing=True)
    row = session.scalars(query).first()
    if row is not None:
        return row
    readable = verb != "read" and session.scalar(
        select(model.id).where(model.id == record_id, visible(actor, kind, now)))
    if not readable:
        raise no_such_record(actor, f"{kind}.{verb}", kind, record_id)
    raise denied(actor, f"{kind}.{verb}", "Du får inte ändra den här posten.",
                 "You may not change this record.", kind, record_id)


def no_such_record(actor: Actor, attempted: str, kind: str | None = None,
                   record_id: object = None) -> NoSuchRecord:
    """The one answer for "does not exist" and "not yours to see", in every
    service and command; logged like any refusal (a probe is on record)."""
    return on_record(NoSuchRecord(
        "Posten finns inte, eller så har du inte åtkomst till den.",
        "The record does not exist, or you have no access to it."),
        actor, attempted, kind, record_id)


def _model_of(kind: str):
    if kind == "case":
        return m.Case
    if kind == "person":
        return m.Person
    if kind == "consent":
        return m.Consent
    if kind == "document":
        return m.IssuedDocument
    if kind == "relative":
        return m.Relative
    return CASE_CONTENT_KINDS[kind].model


def hidden_by_category(session: Session, actor: Actor, kind: str, now: dt.datetime,
                       *where, within_case: tuple[int, int] | None = None
                       ) -> dict[Category, int]:
    """How many in-scope records of ``kind`` the user may not see, per category."""
    spec = CASE_CONTENT_KINDS[kind]
    model = spec.model
    category = spec.category_expr(model)
    rows = session.execute(
        select(category, func.count())
        .where(in_scope(actor, kind, now, within_case),
               ~visible(actor, kind, now, within_case=within_case), *where)
        .group_by(category)).all()
    return {Category(cat): count for cat, count in rows if count}


def count_visible_and_hidden(session: Session, actor: Actor, kind: str, now: dt.datetime,
                             *where) -> tuple[int, dict[Category, int]]:
    """How many records of ``kind`` the user may see, and how many in scope
    are hidden per category, in one pass over the in-scope rows (visible
    rows are a subset of them): the rule is evaluated once per row instead
    of once for the total and again for the hidden figure."""
    spec = CASE_CONTENT_KINDS[kind]
    category = spec.category_expr(spec.model)
    scope, own = visible_parts(actor, kind, now, whole_table=True)
    rows = session.execute(select(category, func.count().filter(own), func.count())
                           .where(scope, *where)
                           .group_by(category)).all()
    total = sum(n for _, n, _ in rows)
    return total, {Category(cat): everything - n for cat, n, everything in rows
                   if everything - n}


#: The server's function of :func:`granted_categories`, for the consents the
#: caller may read (``server/page_reads.py``).
CONSENTED_CATEGORIES = "trefas.consented_categories"


def granted_categories(consent, grant, agency, persons, now) -> Select:
    """(person id, category) for each category ``agency`` is granted by a
    current consent of the persons ``persons`` (a condition on
    ``consent.person_id``) — condition 3 for person-level data."""
    current = and_(persons, current_consent(consent, local_date(now)))
    # Driven from the persons' consents (see _content_of_known_case for why).
    return (select(consent.person_id, grant.category)
            .join(grant, grant.consent_id == consent.id)
            .where(grant.consent_id.in_(select(consent.id).where(current)),
                   grant.agency == agency)
            .distinct())


def categories_for_persons(session: Session, agency: Agency, person_ids: list[int],
                           now: dt.datetime, owners: dict[int, Agency] | None = None
                           ) -> dict[int, set[Category]]:
    """Per person, which categories of person-level data the agency may see
    (condition 3): all of them for its own persons, else those granted by a
    current consent. One query for a whole page of persons. ``owners``: each
    person's owning agency, when the caller has read the persons already (the
    own ones then need no query, and no consent lookup)."""
    result: dict[int, set[Category]] = {pid: set() for pid in person_ids}
    if not person_ids:
        return result
    if owners is None:
        own = session.scalars(select(m.Person.id).where(m.Person.id.in_(person_ids),
                                                        m.Person.owner_agency == agency)).all()
    else:
        own = [pid for pid in person_ids if owners[pid] == agency]
    for pid in own:
        result[pid] = set(Category)
    own = set(own)
    person_ids = [pid for pid in person_ids if pid not in own]
    if not person_ids:
        return result
    if session.get_bind().dialect.name == "postgresql":
        # The server's function of the same query: its consents' and grants'
        # policies would compute the whole of the reader's consents for a
        # page's few (a police supervisor: 190 ms; the function 14).
        granted = session.execute(
            text(f"SELECT person_id, category FROM {CONSENTED_CATEGORIES}(:people, :agency)"),
            {"people": person_ids, "agency": agency.value}).all()
    else:
        granted = session.execute(granted_categories(
            _CONSENT, _GRANT, agency, _CONSENT.person_id.in_(person_ids), now)).all()
    for pid, category in granted:
        result[pid].add(Category(category))
    return result


def revealed_persons(session: Session, actor: Actor, person_ids: list[int],
                     now: dt.datetime) -> set[int]:
    if not person_ids:
        return set()
    return set(session.scalars(
        select(m.IdentityReveal.person_id).where(
            m.IdentityReveal.person_id.in_(person_ids),
            m.IdentityReveal.user_id == actor.user_id,
            m.IdentityReveal.expires_at > now)).all())


def person_alias(person_id: int) -> str:
    return f"Skyddad person {person_code(person_id)}"
