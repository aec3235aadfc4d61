"""Joint cases: open, read, list, team, lifecycle, emergency access."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, bindparam, false, func, or_, select, text
from sqlalchemy.orm import aliased, object_session
from sqlalchemy.orm.attributes import set_committed_value

from trefas_app.domain import lifecycles
from trefas_app.domain.actor import Actor
from trefas_app.domain.enums import CaseState, Category, Role
from trefas_app.domain.errors import Conflict, NotFound, ValidationError
from trefas_app.domain.permissions import role_may
from trefas_app.domain.text import SEARCH_QUERY, check_paging, clean
from trefas_app.security import access
from trefas_app.services import hidden_counts
from trefas_app.services.case_records import commit_view
from trefas_app.services.persons import (
    check_reason,
    escape_like,
    id_set,
    mask_result,
    matching_person_ids,
    person_match_ids,
    person_columns,
    person_record,
    project_persons,
)
from trefas_app.services.views import (
    CaseRow,
    CaseView,
    ListCount,
    Page,
    TeamMemberView,
    after_clause,
    fetch_page,
)
from trefas_app.store import change_collector, dialect
from trefas_app.store import models as m
from trefas_app.store.uow import UnitOfWork

RETENTION_YEARS = 5
EMERGENCY_HOURS = 4

#: Which permission each case transition needs.
TRANSITION_PERMISSION = {
    (CaseState.OPEN, CaseState.ACTIVE): "case.update",
    (CaseState.OPEN, CaseState.CLOSURE_REQUESTED): "case.request_closure",
    (CaseState.ACTIVE, CaseState.CLOSURE_REQUESTED): "case.request_closure",
    (CaseState.CLOSURE_REQUESTED, CaseState.ACTIVE): "case.approve_closure",
    (CaseState.CLOSURE_REQUESTED, CaseState.CLOSED): "case.approve_closure",
    (CaseState.CLOSED, CaseState.ACTIVE): "case.approve_closure",
}


def retain_until(last_entry: dt.datetime) -> dt.date:
    d = access.local_date(last_entry)
    try:
        return d.replace(year=d.year + RETENTION_YEARS)
    except ValueError:  # 29 February
        return d.replace(year=d.year + RETENTION_YEARS, day=28)


def user_names(session, ids) -> dict[int, str]:
    """The display names of the users ``ids`` (None left out), by id."""
    ids = sorted({i for i in ids if i is not None})
    if not ids:
        return {}
    return dict(session.execute(select(m.User.id, m.User.display_name)
                                .where(m.User.id.in_(ids))).all())


#: The server's function that moves a case's retention clock
#: (``server/case_touch.py``).
TOUCH_CASE = "trefas.touch_case"


def touch_case(case: m.Case, now: dt.datetime) -> None:
    """Every new entry moves the retention clock of its case. On a server
    the police and probation, who add to cases they may not change, have no
    UPDATE on cases: the server's function moves it, to its own time, where
    the caller may add to the case."""
    session = object_session(case)
    if session is not None and hidden_counts.on_server(session):
        table = m.Case.__table__
        moved = session.execute(text(f"SELECT * FROM {TOUCH_CASE}(:case)")
                                .columns(table.c.last_entry_at, table.c.retain_until),
                                {"case": case.id}).one()
        set_committed_value(case, "last_entry_at", moved.last_entry_at)
        set_committed_value(case, "retain_until", moved.retain_until)
        change_collector.changed_by_server(session, case)
        return
    case.last_entry_at = now
    if case.state == CaseState.CLOSED:
        case.retain_until = retain_until(now)


def record_state_change(session, entity: str, entity_id: int, from_state, to_state,
                        now: dt.datetime, actor: Actor, reason: str | None = None) -> None:
    session.add(m.StateChange(entity=entity, entity_id=entity_id,
                              from_state=None if from_state is None else str(from_state),
                              to_state=str(to_state), reason=reason, at=now,
                              by_id=actor.user_id))


def writable_case(uow: UnitOfWork, actor: Actor, case_id: int, permission: str,
                  allow_closed: bool = False) -> m.Case:
    """The case, if the user may add ``permission``-kind content to it now:
    role permission, the case visible to them, write scope (team, unit
    coordinator, agency supervisor — emergency access is read-only), not closed."""
    access.require(actor, permission)
    case = _case_in_write_scope(uow, actor, case_id)
    if case.state == CaseState.CLOSED and not allow_closed:
        raise Conflict("Ärendet är avslutat och kan inte ändras. Öppna det igen först.",
                       "The case is closed and cannot be changed. Reopen it first.")
    return case


def _case_in_write_scope(uow: UnitOfWork, actor: Actor, case_id: int) -> m.Case:
    now = uow.now()
    case = access.get_visible(uow.session, actor, "case", case_id, now)
    in_scope = uow.session.scalar(select(func.count()).select_from(m.Case).where(
        m.Case.id == case_id, access.scope_clause(actor, m.Case.id, "write", now, m.Case)))
    if not in_scope:
        raise access.denied(actor, "case.write",
                            "Nödåtkomst ger bara läsrätt.",
                            "Emergency access is read-only.", "case", case_id)
    return case


def next_number(session, now: dt.datetime, prefix: str, model) -> str:
    """The next yearly number. On a server the row rules would hide others'
    records from max(): the server's ``trefas.next_record_number`` counts
    them all, under a lock (server/policies.py)."""
    year = access.local_date(now).year
    if session.get_bind().dialect.name == "postgresql":
        n = session.scalar(text("SELECT trefas.next_record_number(:t, :p, :y)"),
                           {"t": model.__tablename__, "p": prefix, "y": year})
        return f"{prefix}-{year}-{n:05d}"
    like = f"{prefix}-{year}-%"
    last = session.scalar(select(func.max(model.number)).where(model.number.like(like)))
    n = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}-{year}-{n:05d}"


# --- use cases ------------------------------------------------------------------


def open_case(uow: UnitOfWork, actor: Actor, person_id: int, title: str) -> CaseView:
    if not title.strip():
        raise ValidationError("Ärendet behöver en rubrik.", "The case needs a title.")
    with uow:
        access.require(actor, "case.create")
        now = uow.now()
        s = uow.session
        person = access.get_visible(s, actor, "person", person_id, now, verb="update")
        case = m.Case(number=next_number(s, now, "K", m.Case), person_id=person.id,
                      unit_id=actor.unit_id, owner_agency=actor.agency, state=CaseState.OPEN,
                      title=title.strip(), opened_at=now, last_entry_at=now, created_at=now,
                      created_by_id=actor.user_id)
        s.add(case)
        s.flush()
        s.add(m.TeamMember(case_id=case.id, user_id=actor.user_id, responsible=True,
                           added_at=now, added_by_id=actor.user_id))
        record_state_change(s, "case", case.id, None, CaseState.OPEN, now, actor)
        s.flush()
        uow.log(actor, "case.create", subject_kind="case", subject_id=case.id,
                case_id=case.id, person_id=person.id)
        view = _case_view(uow, actor, case)
        uow.commit()
        return view


def get_case(uow: UnitOfWork, actor: Actor, case_id: int) -> CaseView:
    """The case as the user may see it; the reading is logged (``case.read``).
    Read with Core selects straight into the view: the case with its person
    and unit, its team, and the user's emergency access and write scope."""
    with uow:
        s, now = uow.session, uow.now()
        found = s.connection().execute(
            uow.prepared("case.read", actor, lambda: _case_read(actor)),
            {"case_id": case_id, **access.BoundClock.params(now)}).first()
        if found is None:  # refused as every record read refuses (and logs the probe)
            access.get_visible(s, actor, "case", case_id, now)
        uow.log(actor, "case.read", subject_kind="case", subject_id=found.id,
                case_id=found.id, person_id=found.person_id)
        view = _case_view(uow, actor, found, person_record(found, "p_"), found.unit_name,
                          (found.emergency_until, found.write_scope))
        uow.commit()
        return view


def _case_read(actor: Actor):
    """:func:`get_case`'s select for ``actor``: the case with its person and
    unit, through the rule, and the user's emergency access and write scope
    (:func:`_access_columns`); the case id and the instant are bound
    parameters (built once per session, see ``UnitOfWork.prepared``)."""
    now = access.BoundClock()
    return (select(*_CASE_VIEW_COLUMNS, m.Unit.name.label("unit_name"), *person_columns("p_"),
                   *_access_columns(actor, m.Case.id, now))
            .join(m.Person, m.Person.id == m.Case.person_id)
            .outerjoin(m.Unit, m.Unit.id == m.Case.unit_id)
            .where(m.Case.id == bindparam("case_id"), access.visible(actor, "case", now)))


def _case_access(actor: Actor):
    """:func:`_access_columns` of one case, its id and the instant bound."""
    return select(*_access_columns(actor, bindparam("case_id"), access.BoundClock()))


_WRITE_CASE = aliased(m.Case, name="write_case")


def _access_columns(actor: Actor, case_id, now) -> tuple:
    """The user's emergency access to the case ``case_id`` (its column in a
    select of cases, or a bound parameter) and whether it is in their write
    scope."""
    return (select(func.max(m.EmergencyAccess.expires_at))
            .where(m.EmergencyAccess.case_id == case_id,
                   m.EmergencyAccess.user_id == actor.user_id,
                   m.EmergencyAccess.expires_at > now).scalar_subquery()
            .label("emergency_until"),
            select(_WRITE_CASE.id)
            .where(_WRITE_CASE.id == case_id,
                   access.scope_clause(actor, _WRITE_CASE.id, "write", now, _WRITE_CASE))
            .exists().label("write_scope"))


_CASE_VIEW_COLUMNS = (m.Case.id, m.Case.number, m.Case.title, m.Case.state, m.Case.person_id,
                      m.Case.unit_id, m.Case.owner_agency, m.Case.opened_at,
                      m.Case.last_entry_at, m.Case.closure_requested_at, m.Case.closure_reason,
                      m.Case.closed_at, m.Case.retain_until)


def find_by_number(uow: UnitOfWork, actor: Actor, number: str) -> int:
    """The id of the case numbered ``number`` (K-2026-00042, any letter case),
    through the same rule as :func:`get_case`: a case the user may not see
    gets the same answer as a number that does not exist, and both are
    logged as a probe; a find is logged as a search with one hit."""
    key = number.strip()
    with uow:
        found = uow.session.execute(select(m.Case.id, m.Case.person_id).where(
            m.Case.number.in_({key, key.upper()}),
            access.visible(actor, "case", uow.now()))).first()
        if found is None:
            raise access.no_such_record(actor, "case.read", "case", key)
        uow.log(actor, "case.search", case_id=found.id, person_id=found.person_id,
                detail={"hits": 1})
        uow.commit()
        return found.id


#: A case's team with names and units, built once (its cache key too) and run
#: on the Session's connection: the logged read's cost is per statement (issue 12).
_TEAM = (select(m.TeamMember.__table__.c.user_id, m.TeamMember.__table__.c.responsible,
                m.User.__table__.c.display_name, m.User.__table__.c.role,
                m.User.__table__.c.agency, m.Unit.__table__.c.name.label("unit_name"),
                m.User.__table__.c.phone, m.User.__table__.c.email)
         .join(m.User.__table__, m.User.__table__.c.id == m.TeamMember.__table__.c.user_id)
         .outerjoin(m.Unit.__table__, m.Unit.__table__.c.id == m.User.__table__.c.unit_id)
         .where(m.TeamMember.__table__.c.case_id == bindparam("case_id")))


def _case_view(uow: UnitOfWork, actor: Actor, case, person=None,
               unit_name: str | None = None, access_row: tuple | None = None) -> CaseView:
    """The view of ``case`` (a ``Case``, or a row of :data:`_CASE_VIEW_COLUMNS`
    with its ``person`` record, ``unit_name`` and ``access_row``: the user's
    emergency access and write scope, read with it)."""
    s, now = uow.session, uow.now()
    person = person if person is not None else case.person
    projected = project_persons(s, actor, [person], now)[case.person_id]
    team = tuple(
        TeamMemberView(user_id=t.user_id, display_name=t.display_name, role=t.role,
                       agency=t.agency, unit_name=t.unit_name or "",
                       responsible=t.responsible, phone=t.phone, email=t.email)
        for t in sorted(s.connection().execute(_TEAM, {"case_id": case.id}).all(),
                        key=lambda t: (not t.responsible, t.display_name)))
    on_team = any(t.user_id == actor.user_id for t in team)
    if access_row is None:
        s.flush()  # what the caller changed (a team, the case) counts, as at any query
        access_row = s.connection().execute(
            uow.prepared("case.access", actor, lambda: _case_access(actor)),
            {"case_id": case.id, **access.BoundClock.params(now)}).one()
    emergency_until, write_scope = access_row
    next_states = tuple(
        st for st in lifecycles.CASE.allowed_next(case.state)
        if write_scope and actor.agency == case.owner_agency
        and role_may(actor.role, TRANSITION_PERMISSION[(case.state, st)]))
    if unit_name is None:
        unit = s.get(m.Unit, case.unit_id)
        unit_name = unit.name if unit else ""
    return mask_result(s, actor, now, projected={projected.id: projected},
                       people={case.person_id: person}, result=CaseView(
        id=case.id, number=case.number, title=case.title, state=case.state, person=projected,
        unit_id=case.unit_id, unit_name=unit_name or "",
        owner_agency=case.owner_agency, opened_at=case.opened_at,
        last_entry_at=case.last_entry_at, closure_requested_at=case.closure_requested_at,
        closure_reason=case.closure_reason, closed_at=case.closed_at,
        retain_until=case.retain_until, team=team, next_states=next_states, on_team=on_team,
        emergency_until=emergency_until, read_only=not write_scope))


@dataclass(frozen=True)
class CaseFilter:
    query: str = ""
    states: tuple[CaseState, ...] = ()
    person_id: int | None = None
    mine_only: bool = False
    sort: str = "last_entry"  # "last_entry" | "number" | "opened" | "state"
    descending: bool = True


_SORT_COLUMNS = {"last_entry": m.Case.last_entry_at, "number": m.Case.number,
                 "opened": m.Case.opened_at, "state": m.Case.state, "title": m.Case.title}


def _case_conditions(s, actor: Actor, filt: CaseFilter, now: dt.datetime,
                     matches_inline: bool = False):
    """The WHERE terms of a case list: ([scope, shared, *filters, *mine], the
    filters alone); the first two are the access rule's parts.

    A search finds its matches first (numbers, then names/numbers/aliases of
    persons) so that the access rule runs on the few matches rather than on
    every case in the user's scope."""
    narrowing = []  # the user's filters other than "mine"
    if filt.states:
        # Most cases are in the states a user filters by, so the state index
        # is no help: not through it (no_index), and likely(); SQLite then
        # walks the sort index and stops after a page instead of sorting
        # every match (a count reads the state from ix_cases_scope).
        narrowing.append(dialect.likely(dialect.no_index(m.Case.state).in_(filt.states)))
    if filt.person_id is not None:
        narrowing.append(m.Case.person_id == filt.person_id)
    query = clean(filt.query, SEARCH_QUERY).strip()
    if query and matches_inline:
        # A count: the matches as subqueries of the same statement (no ids
        # through Python; SQLite builds each list once).
        matches = [m.Case.person_id.in_(person_match_ids(s, actor, query, now))]
        if any(ch.isdigit() for ch in query):  # a case number is K-2026-00042
            matches.append(m.Case.number.like(f"%{escape_like(query)}%", escape="\\"))
        narrowing.append(or_(*matches))
    elif query:
        by_number = set()
        if any(ch.isdigit() for ch in query):  # a case number is K-2026-00042
            by_number = set(s.connection().scalars(select(m.Case.id).where(
                m.Case.number.like(f"%{escape_like(query)}%", escape="\\"))).all())
        person_ids = matching_person_ids(s, actor, query, now)
        by_person = set(s.connection().scalars(select(m.Case.id).where(
            m.Case.person_id.in_(id_set(person_ids)))).all()) if person_ids else set()
        narrowing.append(m.Case.id.in_(id_set(sorted(by_number | by_person))))
    # The rule as its two parts (their conjunction is ``access.visible``), so
    # that a count can take the scope as its WHERE and the rest as a filter.
    where = [*access.visible_parts(actor, "case", now), *narrowing]
    if filt.mine_only:
        where.append(select(m.TeamMember.id).where(
            m.TeamMember.case_id == m.Case.id,
            m.TeamMember.user_id == actor.user_id).exists())
    return where, narrowing


def _count_cases(s, actor: Actor, filt: CaseFilter, where, narrowing,
                 now: dt.datetime, with_hidden: bool = True) -> tuple[int, dict[Category, int]]:
    """Visible cases, and the cases in the user's scope that the rule hides
    (no consent for the identity) — the latter for an unsearched list only,
    counted in the same pass: visible cases are a subset of the scope, so one
    scan of the scope counts both (the rule is not evaluated twice)."""
    if not with_hidden or filt.query.strip():
        return s.scalar(select(func.count()).select_from(m.Case).where(*where)), {}
    if hidden_counts.on_server(s):  # the row rules hide them from this count
        total = s.scalar(select(func.count()).select_from(m.Case).where(*where))
        hidden = hidden_counts.hidden_cases(s, actor, filt.states, filt.person_id)
        return total, ({Category.IDENTITY: hidden} if hidden else {})
    # ``where`` is [scope, shared, *narrowing, *mine] (_case_conditions).
    scope, shared = where[:2]
    mine = where[2 + len(narrowing):]
    figures = [func.count().filter(and_(shared, *mine)), func.count()]
    if filt.mine_only:  # hidden is counted against all visible cases, not just "mine"
        figures.append(func.count().filter(shared))
    counted = s.execute(select(*figures).select_from(m.Case).where(scope, *narrowing)).one()
    total, in_scope = counted[0], counted[1]
    shown = counted[2] if filt.mine_only else total
    return total, ({Category.IDENTITY: in_scope - shown} if in_scope > shown else {})


def list_cases(uow: UnitOfWork, actor: Actor, filt: CaseFilter = CaseFilter(),
               offset: int = 0, limit: int = 200, count: bool = True,
               after: int | None = None) -> Page[CaseRow]:
    """One page of the cases the user may see. ``count=False`` leaves the
    counting to :func:`count_cases` (``Page.total`` is then None and
    ``Page.more`` tells whether rows follow): a page of a long list takes
    milliseconds, its count hundreds of them, so a window can show the rows
    at once and the count when it comes. ``after``: the id of the previous
    page's last row, to read the next page by keyset (``offset`` is then only
    echoed in the page). Rows are read with a Core select straight into the
    views (no ORM objects on this path)."""
    offset, limit = check_paging(offset, limit)
    with uow:
        access.require(actor, "case.read")
        now = uow.now()
        s = uow.session
        where, narrowing = _case_conditions(s, actor, filt, now)
        order = _case_order(filt)
        stmt = (select(*_CASE_ROW_COLUMNS, *person_columns("p_"))
                .join(m.Person, m.Person.id == m.Case.person_id)
                .where(*where).order_by(*(e.desc() if d else e.asc() for e, d in order)))
        if after is not None:
            stmt = stmt.where(_after_case(s, actor, now, order, after))
        found, more = fetch_page(s, stmt, offset, limit, keyset=after is not None, core=True)
        people = {r.person_id: person_record(r, "p_") for r in found}
        persons = project_persons(s, actor, list(people.values()), now)
        units = dict(s.execute(select(m.Unit.id, m.Unit.name)).all())
        rows = tuple(
            CaseRow(id=c.id, number=c.number, title=c.title, state=c.state,
                    person_id=c.person_id, person_name=persons[c.person_id].display_name,
                    protected=persons[c.person_id].protected,
                    risk_level=persons[c.person_id].risk_level,
                    unit_name=units.get(c.unit_id, ""), opened_at=c.opened_at,
                    last_entry_at=c.last_entry_at)
            for c in found)
        rows = mask_result(s, actor, now, rows, projected=persons, people=people)
        total, hidden = None, {}
        if count:
            total, hidden = _count_cases(s, actor, filt, where, narrowing, now,
                                         with_hidden=offset == 0)
        if offset == 0 and after is None:
            detail = {"rows": len(rows)} if total is None else {"hits": total}
            uow.log(actor, "case.search" if filt.query.strip() else "case.list", detail=detail)
        uow.commit()
        return Page(rows=rows, total=total, offset=offset, hidden=hidden, more=more)


_CASE_ROW_COLUMNS = (m.Case.id, m.Case.number, m.Case.title, m.Case.state, m.Case.person_id,
                     m.Case.unit_id, m.Case.opened_at, m.Case.last_entry_at)


def _case_order(filt: CaseFilter) -> list:
    """(expression, descending) terms of the list's order: the chosen column,
    then the newest id first."""
    column = _SORT_COLUMNS.get(filt.sort, m.Case.last_entry_at)
    return [(column, filt.descending), (m.Case.id, True)]


def _after_case(s, actor: Actor, now: dt.datetime, order: list, after: int):
    """Rows after case ``after`` in ``order``; its sort values are read
    through the rule (a case the user may not see ends the list)."""
    anchor = s.execute(select(*(e for e, _ in order)).where(
        m.Case.id == after, access.visible(actor, "case", now))).first()
    if anchor is None:
        return false()
    return after_clause(order, tuple(anchor))


def count_cases(uow: UnitOfWork, actor: Actor, filt: CaseFilter = CaseFilter()) -> ListCount:
    """How many cases :func:`list_cases` finds with ``filt``, and how many in
    the user's scope are not shared with them. Reads no case content."""
    with uow:
        access.require(actor, "case.read")
        now = uow.now()
        where, narrowing = _case_conditions(uow.session, actor, filt, now, matches_inline=True)
        total, hidden = _count_cases(uow.session, actor, filt, where, narrowing, now)
        uow.commit()
        return ListCount(total=total, hidden=hidden)


def move_case(uow: UnitOfWork, actor: Actor, case_id: int, to_state: CaseState,
              reason: str | None = None) -> CaseView:
    to_state = CaseState(to_state)
    with uow:
        now = uow.now()
        s = uow.session
        # Held until the commit: a second desktop moving the case at the same
        # moment waits, then meets the lifecycle with this move's state.
        dialect.lock_for_change(s, "case", case_id)
        case = access.get_visible(s, actor, "case", case_id, now)
        lifecycles.CASE.check(case.state, to_state)
        permission = TRANSITION_PERMISSION[(case.state, to_state)]
        writable_case(uow, actor, case_id, permission, allow_closed=True)
        if actor.agency != case.owner_agency:
            raise access.denied(actor, permission,
                                "Bara den myndighet som äger ärendet kan ändra dess status.",
                                "Only the agency that owns the case can change its state.",
                                "case", case_id)
        if to_state == CaseState.CLOSURE_REQUESTED:
            if not (reason or "").strip():
                raise ValidationError("Ange varför ärendet ska avslutas.",
                                      "Give a reason for closing the case.")
            case.closure_requested_at, case.closure_requested_by_id = now, actor.user_id
            case.closure_reason = reason.strip()
        if to_state == CaseState.CLOSED:
            case.closed_at, case.closed_by_id = now, actor.user_id
            case.retain_until = retain_until(case.last_entry_at)
        if to_state == CaseState.ACTIVE and case.state == CaseState.CLOSED:
            case.closed_at = case.closed_by_id = case.retain_until = None
        record_state_change(s, "case", case.id, case.state, to_state, now, actor, reason)
        uow.log(actor, "case.state", subject_kind="case", subject_id=case.id, case_id=case.id,
                person_id=case.person_id, reason=reason,
                detail={"from": case.state.value, "to": to_state.value})
        case.state = to_state
        case.updated_at, case.updated_by_id = now, actor.user_id
        return commit_view(uow, actor, case, _case_view)


def add_team_member(uow: UnitOfWork, actor: Actor, case_id: int, user_id: int,
                    responsible: bool = False) -> CaseView:
    with uow:
        access.require(actor, "case.team")
        now = uow.now()
        s = uow.session
        case = writable_case(uow, actor, case_id, "case.team")
        user = s.get(m.User, user_id)
        if user is None or not user.active or user.role == Role.ADMINISTRATOR:
            raise ValidationError("Användaren finns inte eller kan inte ingå i ett ärendeteam.",
                                  "The user does not exist or cannot join a case team.")
        if any(t.user_id == user_id for t in case.team):
            raise Conflict("Användaren ingår redan i teamet.", "The user is already on the team.")
        if responsible:
            for t in case.team:
                t.responsible = False
        s.add(m.TeamMember(case_id=case.id, user_id=user_id, responsible=responsible,
                           added_at=now, added_by_id=actor.user_id))
        s.flush()
        s.refresh(case)
        uow.log(actor, "case.team.add", subject_kind="user", subject_id=user_id,
                case_id=case.id, person_id=case.person_id)
        view = _case_view(uow, actor, case)
        uow.commit()
        return view


def remove_team_member(uow: UnitOfWork, actor: Actor, case_id: int, user_id: int) -> CaseView:
    with uow:
        access.require(actor, "case.team")
        s = uow.session
        case = writable_case(uow, actor, case_id, "case.team")
        member = next((t for t in case.team if t.user_id == user_id), None)
        if member is None:
            raise NotFound("Användaren ingår inte i teamet.", "The user is not on the team.")
        if len(case.team) == 1:
            raise Conflict("Ett ärende måste ha minst en person i teamet.",
                           "A case must keep at least one team member.")
        case.team.remove(member)
        s.flush()
        uow.log(actor, "case.team.remove", subject_kind="user", subject_id=user_id,
                case_id=case.id, person_id=case.person_id)
        view = _case_view(uow, actor, case)
        uow.commit()
        return view


def request_emergency_access(uow: UnitOfWork, actor: Actor, case_number_or_id: str | int,
                             reason: str, hours: int = EMERGENCY_HOURS) -> CaseView:
    """Break the glass: read-only access to a case outside one's scope, logged."""
    check_reason(reason)
    if not 1 <= hours <= 24:
        raise ValidationError("Nödåtkomst kan ges för 1–24 timmar.",
                              "Emergency access can be given for 1–24 hours.")
    with uow:
        access.require(actor, "emergency.use")
        now = uow.now()
        s = uow.session
        case = _case_to_break_into(s, str(case_number_or_id))
        if case is None:
            raise NotFound("Inget ärende med det numret.", "No case with that number.")
        s.add(m.EmergencyAccess(user_id=actor.user_id, case_id=case.id, reason=reason.strip(),
                                granted_at=now, expires_at=now + dt.timedelta(hours=hours)))
        s.flush()
        uow.log(actor, "emergency.access", subject_kind="case", subject_id=case.id,
                case_id=case.id, person_id=case.person_id, reason=reason.strip(),
                detail={"hours": hours})
        # Consent still applies: emergency access widens scope, not consent.
        visible = s.scalar(select(func.count()).select_from(m.Case).where(
            m.Case.id == case.id, access.visible(actor, "case", now)))
        if not visible:
            uow.commit()
            raise access.denied(
                actor, "case.read",
                "Nödåtkomsten är registrerad, men personen har inget samtycke som täcker din "
                "myndighet, så ärendet kan inte visas.",
                "Emergency access was recorded, but the person has no consent covering your "
                "agency, so the case cannot be shown.", "case", case.id)
        view = _case_view(uow, actor, s.get(m.Case, case.id))
        uow.commit()
        return view


def _case_to_break_into(s, key: str):
    """The case (its id and person) a user breaks the glass for: outside their
    scope, so on a server the row rules hide it — there the SECURITY DEFINER
    ``trefas.case_for_emergency`` finds it, for roles with ``emergency.use``."""
    if s.get_bind().dialect.name == "postgresql":
        return s.execute(text("SELECT id, person_id FROM trefas.case_for_emergency(:key)"),
                         {"key": key}).first()
    return s.scalars(select(m.Case).where(
        or_(m.Case.number == key, m.Case.id == (int(key) if key.isdigit() else -1)))).first()


@dataclass(frozen=True)
class EmergencyAccessRow:
    id: int
    user: str
    agency: str
    case_id: int
    case_number: str
    reason: str
    granted_at: dt.datetime
    expires_at: dt.datetime
    reviewed_at: dt.datetime | None
    reviewed_by: str | None


def list_emergency_accesses(uow: UnitOfWork, actor: Actor,
                            unreviewed_only: bool = False) -> list[EmergencyAccessRow]:
    """For supervisors: every break-the-glass access by users of their agency."""
    with uow:
        access.require(actor, "emergency.review")
        s = uow.session
        reviewer = m.User.__table__.alias("reviewer")
        # On a server the case may be one the reviewer may not read: its
        # number comes from the server's function, for accesses she reviews.
        on_server = hidden_counts.on_server(s)
        number = (func.trefas.emergency_case_number(m.EmergencyAccess.id) if on_server
                  else select(m.Case.number).where(m.Case.id == m.EmergencyAccess.case_id)
                  .scalar_subquery())
        stmt = (select(m.EmergencyAccess, m.User, number, reviewer.c.display_name)
                .join(m.User, m.User.id == m.EmergencyAccess.user_id)
                .outerjoin(reviewer, reviewer.c.id == m.EmergencyAccess.reviewed_by_id)
                .where(access.emergency_reviewable(actor, m.EmergencyAccess))
                .order_by(m.EmergencyAccess.granted_at.desc()))
        if unreviewed_only:
            stmt = stmt.where(m.EmergencyAccess.reviewed_at.is_(None))
        rows = [EmergencyAccessRow(id=e.id, user=u.display_name, agency=u.agency.value,
                                   case_id=e.case_id, case_number=number, reason=e.reason,
                                   granted_at=e.granted_at, expires_at=e.expires_at,
                                   reviewed_at=e.reviewed_at, reviewed_by=rname)
                for e, u, number, rname in s.execute(stmt).all()]
        uow.log(actor, "emergency.review.list", detail={"rows": len(rows)})
        uow.commit()
        return rows


def mark_emergency_reviewed(uow: UnitOfWork, actor: Actor, access_id: int) -> None:
    with uow:
        access.require(actor, "emergency.review")
        s = uow.session
        row = s.scalars(select(m.EmergencyAccess).where(
            m.EmergencyAccess.id == access_id,
            access.emergency_reviewable(actor, m.EmergencyAccess))).first()
        if row is None:
            raise NotFound("Nödåtkomsten finns inte.", "No such emergency access.")
        row.reviewed_at, row.reviewed_by_id = uow.now(), actor.user_id
        uow.log(actor, "emergency.reviewed", subject_kind="emergency_access",
                subject_id=access_id, case_id=row.case_id)
        uow.commit()
