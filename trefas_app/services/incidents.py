"""Incidents (skjutningar och liknande händelser) and the post-shooting routine.

An incident is area-level information — when, where, what kind — readable by
every role with ``incident.read``. Who was involved is case content
(:class:`IncidentInvolvement`, category criminal) and goes through the access
rule like every other record: a user sees the involvements the rule allows and
is told how many more exist in their scope.

Lifecycle: reported → routine → closed. Reporting creates the routine's
checklist from :mod:`trefas_app.domain.routine`; closing needs every step done.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import case as sql_case
from sqlalchemy import func, select

from trefas_app.domain import clock
from trefas_app.domain import lifecycles
from trefas_app.domain.actor import Actor
from trefas_app.domain.enums import Category, IncidentKind, IncidentState, Role
from trefas_app.domain.errors import Conflict, NotFound, ValidationError
from trefas_app.domain.labels import label
from trefas_app.domain.permissions import role_may
from trefas_app.domain.routine import (
    INVOLVEMENT_ROLES,
    involvement_label,
    step_template,
    steps_for,
)
from trefas_app.domain.text import check_paging
from trefas_app.security import access
from trefas_app.services import hidden_counts
from trefas_app.services.case_records import commit_view, list_case_records
from trefas_app.services.cases import (
    next_number,
    record_state_change,
    touch_case,
    writable_case,
)
from trefas_app.services.tasks import (
    check_text,
    person_names,
    user_names,
    visible_case_numbers,
)
from trefas_app.services.views import Page
from trefas_app.services.views_ops import (
    IncidentRow,
    IncidentView,
    InvolvementView,
    RoutineStepView,
)
from trefas_app.store import dialect
from trefas_app.store import models as m
from trefas_app.store.uow import UnitOfWork
from trefas_app.store.versions import require_version

INCIDENT_PREFIX = "H"
INVOLVEMENT_CATEGORY = Category.CRIMINAL
#: How far ahead of the clock an occurrence time may be (clock skew between machines).
FUTURE_TOLERANCE = dt.timedelta(minutes=10)


# --- helpers -----------------------------------------------------------------------


def _aware(value: dt.datetime, what_sv: str, what_en: str) -> dt.datetime:
    if not isinstance(value, dt.datetime) or value.tzinfo is None:
        raise ValidationError(f"{what_sv} måste anges med datum, klockslag och tidszon.",
                              f"{what_en} needs a date, a time and a time zone.")
    return value.astimezone(dt.timezone.utc)


def _since(value: dt.datetime | dt.date | None) -> dt.datetime | None:
    """A date means from local midnight of that day."""
    if value is None or isinstance(value, dt.datetime):
        return None if value is None else _aware(value, "Från-tiden", "The from time")
    return clock.start_of_local_day(value)


def _incident(uow: UnitOfWork, actor: Actor, incident_id: int, permission: str) -> m.Incident:
    """The incident; one read to be changed (``incident.write``) is held until
    the commit, so a second desktop's change waits and then sees this one's
    (a routine started twice, or closed while a step is marked done, is
    refused by the lifecycle instead of recorded twice)."""
    access.require(actor, permission)
    if permission == "incident.write":
        dialect.lock_for_change(uow.session, "incident", incident_id)
    incident = uow.session.get(m.Incident, incident_id)
    if incident is None:
        raise NotFound("Händelsen finns inte.", "The incident does not exist.")
    return incident


def _step(uow: UnitOfWork, actor: Actor, step_id: int,
          expected_version: int | None) -> tuple[m.RoutineStep, m.Incident]:
    """A routine step the user may work on, to be changed now: routine.write,
    and the step's owning agency is the user's own — or the user is a
    coordinator (who runs the routine); with ``expected_version``, only if
    nobody changed the step since the user read it (store/versions.py)."""
    access.require(actor, "routine.write")
    dialect.lock_for_change(uow.session, "routine_step", step_id)  # as _incident's
    step = uow.session.get(m.RoutineStep, step_id)
    if step is None:
        raise NotFound("Rutinsteget finns inte.", "The routine step does not exist.")
    dialect.lock_for_change(uow.session, "incident", step.incident_id)
    if step.owner_agency != actor.agency and actor.role != Role.COORDINATOR:
        raise access.denied(
            actor, "routine.write",
            f"Steget ägs av {label(step.owner_agency, 'sv')}; bara den myndigheten eller "
            "samordnaren kan ändra det.",
            f"The step is owned by {label(step.owner_agency, 'en')}; only that agency or "
            "the coordinator can change it.", "routine_step", step_id)
    require_version(uow.session, step, expected_version)
    step.updated_at, step.updated_by_id = uow.now(), actor.user_id
    return step, uow.session.get(m.Incident, step.incident_id)


def _title_en(step: m.RoutineStep) -> str:
    template = step_template(step.step_key)
    return template.title_en if template else step.title


def _require_state(incident: m.Incident, states: set[IncidentState], sv: str, en: str) -> None:
    if incident.state not in states:
        raise Conflict(f"{sv} (händelsens status är ”{label(incident.state, 'sv')}”).",
                       f"{en} (the incident's status is “{label(incident.state, 'en')}”).")


def _step_views(session, steps: list[m.RoutineStep], now: dt.datetime) -> tuple[RoutineStepView, ...]:
    names = user_names(session, [s.owner_user_id for s in steps] + [s.done_by_id for s in steps])
    views = []
    for st in steps:
        views.append(RoutineStepView(
            id=st.id, incident_id=st.incident_id, key=st.step_key, title=st.title,
            title_en=_title_en(st),
            owner_agency=st.owner_agency, owner_user_id=st.owner_user_id,
            owner_name=names.get(st.owner_user_id), due_at=st.due_at, done_at=st.done_at,
            done_by=names.get(st.done_by_id), comment=st.comment,
            overdue=st.done_at is None and st.due_at < now, version=st.version))
    return tuple(views)


def _involvement_views(session, actor: Actor, rows: list[m.IncidentInvolvement],
                       now: dt.datetime) -> tuple[InvolvementView, ...]:
    numbers = visible_case_numbers(session, actor, [r.case_id for r in rows], now)
    persons = person_names(session, actor, [r.person_id for r in rows], now)
    incidents = _incident_facts(session, actor, [r.incident_id for r in rows])
    views = []
    for r in rows:
        inc, unit_name = incidents.get(r.incident_id, (None, None))
        views.append(InvolvementView(
            id=r.id, incident_id=r.incident_id, case_id=r.case_id,
            case_number=numbers.get(r.case_id), person_id=r.person_id,
            person_name=persons.get(r.person_id, access.person_alias(r.person_id)),
            involvement=r.involvement,
            involvement_label=involvement_label(r.involvement, actor.language),
            owner_agency=r.owner_agency, created_at=r.created_at,
            incident_number=inc.number if inc else None,
            incident_kind=inc.kind if inc else None,
            incident_occurred_at=inc.occurred_at if inc else None,
            incident_unit_name=unit_name, incident_place=inc.place if inc else None,
            incident_state=inc.state if inc else None))
    return tuple(views)


def _incident_facts(session, actor: Actor, incident_ids) -> dict[int, tuple[m.Incident, str]]:
    """The incidents (area-level information) behind involvements, for a user
    whose role may read incidents."""
    ids = sorted(set(incident_ids))
    if not ids or not actor.may("incident.read"):
        return {}
    rows = session.execute(select(m.Incident, m.Unit.name)
                           .join(m.Unit, m.Unit.id == m.Incident.unit_id)
                           .where(m.Incident.id.in_(ids))).all()
    return {inc.id: (inc, unit_name) for inc, unit_name in rows}


def _view(uow: UnitOfWork, actor: Actor, incident: m.Incident) -> IncidentView:
    """The incident with its steps and the involvements the user may see.

    Logs one ``involvement.read`` per involvement shown (who saw which person's
    criminal-category link) — the caller logs the incident itself."""
    s, now = uow.session, uow.now()
    where = hidden_counts.narrowed("involvement", incident_id=incident.id)
    involvements = s.scalars(
        select(m.IncidentInvolvement)
        .where(access.visible(actor, "involvement", now), *where)
        .order_by(m.IncidentInvolvement.id)).all()
    hidden = hidden_counts.hidden(s, actor, "involvement", now, incident_id=incident.id)
    for inv in involvements:
        uow.log(actor, "involvement.read", subject_kind="involvement", subject_id=inv.id,
                case_id=inv.case_id, person_id=inv.person_id)
    steps = s.scalars(select(m.RoutineStep).where(m.RoutineStep.incident_id == incident.id)
                      .order_by(m.RoutineStep.due_at, m.RoutineStep.id)).all()
    unit = s.get(m.Unit, incident.unit_id)
    names = user_names(s, [incident.created_by_id])
    next_states = tuple(st for st in lifecycles.INCIDENT.allowed_next(incident.state)
                        if actor.may("incident.write"))
    return IncidentView(
        id=incident.id, number=incident.number, kind=incident.kind,
        occurred_at=incident.occurred_at, unit_id=incident.unit_id,
        unit_name=unit.name if unit else "", place=incident.place, summary=incident.summary,
        state=incident.state, owner_agency=incident.owner_agency,
        reported_by=names.get(incident.created_by_id), reported_at=incident.created_at,
        closed_at=incident.closed_at, steps=_step_views(s, list(steps), now),
        involvements=_involvement_views(s, actor, list(involvements), now),
        involvements_hidden=hidden, next_states=next_states)


# --- use cases ---------------------------------------------------------------------


def report_incident(uow: UnitOfWork, actor: Actor, kind: IncidentKind, occurred_at: dt.datetime,
                    unit_id: int, place: str, summary: str) -> IncidentView:
    """Register an incident and create the post-shooting routine's checklist,
    each step due relative to when the incident occurred."""
    kind = IncidentKind(kind)
    occurred_at = _aware(occurred_at, "Tidpunkten för händelsen", "The time of the incident")
    place = check_text(place, "plats", "place", True, 200)
    summary = check_text(summary, "beskrivning", "summary", True)
    with uow:
        access.require(actor, "incident.write")
        s, now = uow.session, uow.now()
        if occurred_at > now + FUTURE_TOLERANCE:
            raise ValidationError("Tidpunkten för händelsen ligger i framtiden.",
                                  "The time of the incident is in the future.")
        if s.get(m.Unit, unit_id) is None:
            raise ValidationError("Välj ett område (stadsdel) som finns.",
                                  "Choose an area (district) that exists.")
        incident = m.Incident(
            number=next_number(s, now, INCIDENT_PREFIX, m.Incident), kind=kind,
            occurred_at=occurred_at, unit_id=unit_id, place=place, summary=summary,
            state=IncidentState.REPORTED, owner_agency=actor.agency, created_at=now,
            created_by_id=actor.user_id)
        s.add(incident)
        s.flush()
        for template, due_at in steps_for(occurred_at):
            s.add(m.RoutineStep(incident_id=incident.id, step_key=template.key,
                                title=template.title_sv, owner_agency=template.owner_agency,
                                due_at=due_at))
        record_state_change(s, "incident", incident.id, None, IncidentState.REPORTED, now, actor)
        s.flush()
        uow.log(actor, "incident.create", subject_kind="incident", subject_id=incident.id,
                detail={"kind": kind.value, "unit": unit_id})
        view = _view(uow, actor, incident)
        uow.commit()
        return view


def get_incident(uow: UnitOfWork, actor: Actor, incident_id: int) -> IncidentView:
    with uow:
        incident = _incident(uow, actor, incident_id, "incident.read")
        view = _view(uow, actor, incident)
        uow.log(actor, "incident.read", subject_kind="incident", subject_id=incident.id,
                detail={"involvements_shown": len(view.involvements),
                        "involvements_hidden": view.hidden_involvements})
        uow.commit()
        return view


def _move(uow: UnitOfWork, actor: Actor, incident_id: int, to_state: IncidentState) -> IncidentView:
    with uow:
        incident = _incident(uow, actor, incident_id, "incident.write")
        s, now = uow.session, uow.now()
        lifecycles.INCIDENT.check(incident.state, to_state)
        if to_state == IncidentState.CLOSED:
            open_steps = s.scalars(
                select(m.RoutineStep).where(m.RoutineStep.incident_id == incident.id,
                                            m.RoutineStep.done_at.is_(None))
                .order_by(m.RoutineStep.due_at, m.RoutineStep.id)).all()
            if open_steps:
                titles_sv = "; ".join(f"”{st.title}”" for st in open_steps)
                titles_en = "; ".join(f"“{_title_en(st)}”" for st in open_steps)
                n = len(open_steps)
                raise Conflict(
                    f"Händelsen kan inte avslutas: {n} steg i rutinen är inte klara: {titles_sv}.",
                    f"The incident cannot be closed: {n} routine step(s) are not done: "
                    f"{titles_en}.")
            incident.closed_at = now
        record_state_change(s, "incident", incident.id, incident.state, to_state, now, actor)
        uow.log(actor, "incident.state", subject_kind="incident", subject_id=incident.id,
                detail={"from": incident.state.value, "to": to_state.value})
        incident.state = to_state
        incident.updated_at, incident.updated_by_id = now, actor.user_id
        return commit_view(uow, actor, incident, _view)


def start_routine(uow: UnitOfWork, actor: Actor, incident_id: int) -> IncidentView:
    return _move(uow, actor, incident_id, IncidentState.ROUTINE)


def close_incident(uow: UnitOfWork, actor: Actor, incident_id: int) -> IncidentView:
    return _move(uow, actor, incident_id, IncidentState.CLOSED)


def complete_step(uow: UnitOfWork, actor: Actor, step_id: int,
                  comment: str | None = None, expected_version: int | None = None
                  ) -> IncidentView:
    comment = check_text(comment, "kommentar", "comment", False, 2000)
    with uow:
        step, incident = _step(uow, actor, step_id, expected_version)
        _require_state(incident, {IncidentState.ROUTINE},
                       "Rutinsteg kan bara markeras som klara när rutinen har startats",
                       "Routine steps can only be marked done once the routine has started")
        if step.done_at is not None:
            raise Conflict("Steget är redan markerat som klart.", "The step is already done.")
        now = uow.now()
        step.done_at, step.done_by_id = now, actor.user_id
        if comment:
            step.comment = comment
        uow.log(actor, "routine.step.done", subject_kind="routine_step", subject_id=step.id,
                detail={"incident": incident.id, "step": step.step_key})
        return commit_view(uow, actor, incident, _view)


def reopen_step(uow: UnitOfWork, actor: Actor, step_id: int,
                reason: str | None = None, expected_version: int | None = None
                ) -> IncidentView:
    reason = check_text(reason, "orsak", "reason", False, 500)
    with uow:
        step, incident = _step(uow, actor, step_id, expected_version)
        _require_state(incident, {IncidentState.ROUTINE},
                       "Rutinsteg kan bara öppnas igen medan rutinen pågår",
                       "Routine steps can only be reopened while the routine is in progress")
        if step.done_at is None:
            raise Conflict("Steget är inte markerat som klart.", "The step is not done.")
        step.done_at = step.done_by_id = None
        uow.log(actor, "routine.step.reopen", subject_kind="routine_step", subject_id=step.id,
                reason=reason, detail={"incident": incident.id, "step": step.step_key})
        return commit_view(uow, actor, incident, _view)


def assign_step(uow: UnitOfWork, actor: Actor, step_id: int, user_id: int | None,
                expected_version: int | None = None) -> IncidentView:
    """Make a user of the step's owning agency responsible for it (None
    clears); with ``expected_version``, only over the owner the user saw."""
    with uow:
        step, incident = _step(uow, actor, step_id, expected_version)
        _require_state(incident, {IncidentState.REPORTED, IncidentState.ROUTINE},
                       "Händelsen är avslutad och rutinen kan inte ändras",
                       "The incident is closed and its routine cannot be changed")
        if user_id is not None:
            user = uow.session.get(m.User, user_id)
            if (user is None or not user.active or user.role == Role.ADMINISTRATOR
                    or not role_may(user.role, "routine.read")):
                raise ValidationError("Användaren finns inte eller kan inte ansvara för rutinsteg.",
                                      "The user does not exist or cannot own routine steps.")
            if user.agency != step.owner_agency:
                raise ValidationError(
                    f"Steget ägs av {label(step.owner_agency, 'sv')}; välj en användare "
                    "från den myndigheten.",
                    f"The step is owned by {label(step.owner_agency, 'en')}; choose a user "
                    "from that agency.")
        step.owner_user_id = user_id
        uow.log(actor, "routine.step.assign", subject_kind="routine_step", subject_id=step.id,
                detail={"incident": incident.id, "user": user_id})
        return commit_view(uow, actor, incident, _view)


def link_person(uow: UnitOfWork, actor: Actor, incident_id: int, case_id: int,
                involvement: str) -> IncidentView:
    """Link a case (its person) to an incident: criminal-category case content,
    owned by the user's agency, on a case the user may write to."""
    involvement = (involvement or "").strip()
    if involvement not in INVOLVEMENT_ROLES:
        options = ", ".join(f"{k} ({sv})" for k, (sv, _) in INVOLVEMENT_ROLES.items())
        raise ValidationError(f"Okänd roll i händelsen. Välj en av: {options}.",
                              f"Unknown involvement. Choose one of: {', '.join(INVOLVEMENT_ROLES)}.")
    with uow:
        access.require(actor, "involvement.write")
        incident = _incident(uow, actor, incident_id, "incident.read")
        s, now = uow.session, uow.now()
        case = writable_case(uow, actor, case_id, "involvement.write")
        duplicate = s.scalar(select(func.count()).select_from(m.IncidentInvolvement).where(
            m.IncidentInvolvement.incident_id == incident.id,
            m.IncidentInvolvement.case_id == case.id,
            m.IncidentInvolvement.involvement == involvement))
        if duplicate:
            raise Conflict("Ärendet är redan kopplat till händelsen med den rollen.",
                           "The case is already linked to the incident in that role.")
        row = m.IncidentInvolvement(
            incident_id=incident.id, case_id=case.id, person_id=case.person_id,
            owner_agency=actor.agency, category=INVOLVEMENT_CATEGORY, involvement=involvement,
            created_at=now, created_by_id=actor.user_id)
        s.add(row)
        s.flush()
        touch_case(case, now)
        uow.log(actor, "involvement.create", subject_kind="involvement", subject_id=row.id,
                case_id=case.id, person_id=case.person_id,
                detail={"incident": incident.id, "involvement": involvement})
        view = _view(uow, actor, incident)
        uow.commit()
        return view


def open_steps_clause():
    """Routine steps not yet done, of incidents that are not closed."""
    return (m.RoutineStep.done_at.is_(None)
            & m.RoutineStep.incident_id.in_(
                select(m.Incident.id).where(m.Incident.state != IncidentState.CLOSED)))


def list_incidents(uow: UnitOfWork, actor: Actor, since: dt.datetime | dt.date | None = None,
                   unit_id: int | None = None, states: tuple[IncidentState, ...] = (),
                   offset: int = 0, limit: int = 500) -> Page[IncidentRow]:
    """Incidents that occurred at or after ``since``, newest first."""
    start = _since(since)
    offset, limit = check_paging(offset, limit)
    with uow:
        access.require(actor, "incident.read")
        s, now = uow.session, uow.now()
        where = []
        if start is not None:
            where.append(m.Incident.occurred_at >= start)
        if unit_id is not None:
            where.append(m.Incident.unit_id == unit_id)
        if states:
            where.append(m.Incident.state.in_([IncidentState(st) for st in states]))
        total = s.scalar(select(func.count()).select_from(m.Incident).where(*where))
        steps = (select(
            m.RoutineStep.incident_id.label("iid"),
            func.count().label("total"),
            func.sum(sql_case((m.RoutineStep.done_at.is_(None), 1), else_=0)).label("open"),
            func.sum(sql_case(((m.RoutineStep.done_at.is_(None)) & (m.RoutineStep.due_at < now),
                               1), else_=0)).label("overdue"))
            .group_by(m.RoutineStep.incident_id).subquery())
        rows = s.execute(
            select(m.Incident, m.Unit.name, steps.c.total, steps.c.open, steps.c.overdue)
            .join(m.Unit, m.Unit.id == m.Incident.unit_id)
            .outerjoin(steps, steps.c.iid == m.Incident.id)
            .where(*where)
            .order_by(m.Incident.occurred_at.desc(), m.Incident.id.desc())
            .offset(offset).limit(limit)).all()
        result = tuple(IncidentRow(
            id=i.id, number=i.number, kind=i.kind, occurred_at=i.occurred_at, unit_id=i.unit_id,
            unit_name=unit_name, place=i.place, state=i.state, owner_agency=i.owner_agency,
            steps_total=total_steps or 0, steps_open=open_steps or 0,
            steps_overdue=overdue_steps or 0)
            for i, unit_name, total_steps, open_steps, overdue_steps in rows)
        if offset == 0:
            uow.log(actor, "incident.list", detail={"hits": total, "unit": unit_id})
        page = Page(rows=result, total=total, offset=offset)
        uow.commit()
        return page


def list_case_involvements(uow: UnitOfWork, actor: Actor, case_id: int, offset: int = 0,
                           limit: int = 200) -> Page[InvolvementView]:
    """The incidents one case's person is linked to, as far as the access rule
    lets the user see the links (criminal-category content), newest incident
    first, and how many more links exist in the user's scope. The case itself
    must be visible to the user."""
    return list_case_records(uow, actor, case_id, offset, limit, kind="involvement",
                             model=m.IncidentInvolvement, parent=m.Incident,
                             parent_key=m.IncidentInvolvement.incident_id,
                             newest=m.Incident.occurred_at, to_views=_involvement_views)
