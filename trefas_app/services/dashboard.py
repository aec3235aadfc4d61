"""The start page: the figures a user needs first, all through the access rule.

Every figure is the same query as the list it summarises (cases, tasks,
consents, exit requests, incidents, routine steps), so a count on the
dashboard never disagrees with the list behind it. The administrator has no
case content and gets no dashboard.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from trefas_app.domain.actor import Actor
from trefas_app.domain.enums import CaseState, ExitState
from trefas_app.security import access
from trefas_app.services.consents import expiring_clause
from trefas_app.services.incidents import open_steps_clause
from trefas_app.services.tasks import (
    overdue_clause,
    person_names,
    task_order,
    task_rows,
    visible_case_numbers,
)
from trefas_app.services.views_ops import Dashboard, ExitWaitingRow, UnitCount
from trefas_app.store import dialect
from trefas_app.store import models as m
from trefas_app.store.uow import UnitOfWork

OVERDUE_HEAD = 5
EXIT_HEAD = 10
CONSENT_WINDOW_DAYS = 30
INCIDENT_WINDOW_DAYS = 90


def exit_waiting_clause(actor: Actor, now: dt.datetime):
    """Exit requests still waiting for their first contact."""
    return (access.visible(actor, "exit", now),
            m.ExitProgramme.state == ExitState.REQUESTED,
            m.ExitProgramme.first_contact_at.is_(None))


def dashboard(uow: UnitOfWork, actor: Actor) -> Dashboard:
    with uow:
        # Case content throughout: the administrator's role has none of it.
        access.require(actor, "case.read")
        s, now = uow.session, uow.now()
        today = access.local_date(now)

        # Grouped on the state as a value, not through its index: SQLite then
        # counts from the rule's covering index (ix_cases_scope) instead of
        # reading every case row in state order.
        state = dialect.no_index(m.Case.state)
        by_state = dict(s.execute(
            select(state, func.count())
            .where(access.visible(actor, "case", now))
            .group_by(state)).all())
        cases_by_state = {st: by_state.get(st, 0) for st in CaseState}

        # The count and the first few from one pass of the rule: the ids of
        # every overdue task in order (thousands at most, ids only).
        overdue_ids = s.execute(select(m.Task.id).where(
            access.visible(actor, "task", now), overdue_clause(today))
            .order_by(*task_order())).scalars().all()
        overdue_tasks = len(overdue_ids)
        head_ids = overdue_ids[:OVERDUE_HEAD]
        overdue_head = sorted(s.scalars(select(m.Task).where(m.Task.id.in_(head_ids))).all(),
                              key=lambda t: head_ids.index(t.id))

        expiring = s.scalar(select(func.count(func.distinct(m.Consent.id))).where(
            *expiring_clause(actor, now, CONSENT_WINDOW_DAYS)))

        # Likewise one pass for the waiting exits' count, overdue count and head.
        waiting = s.execute(select(m.ExitProgramme.id, m.ExitProgramme.first_contact_due)
                            .where(*exit_waiting_clause(actor, now))
                            .order_by(m.ExitProgramme.first_contact_due,
                                      m.ExitProgramme.id)).all()
        exit_total = len(waiting)
        exit_overdue = sum(1 for _, due in waiting if due < now)
        exit_ids = [i for i, _ in waiting[:EXIT_HEAD]]
        exits = sorted(s.scalars(select(m.ExitProgramme)
                                 .where(m.ExitProgramme.id.in_(exit_ids))).all(),
                       key=lambda e: exit_ids.index(e.id))
        numbers = visible_case_numbers(s, actor, [e.case_id for e in exits], now)
        persons = person_names(s, actor, [e.person_id for e in exits], now)
        exit_rows = tuple(ExitWaitingRow(
            id=e.id, case_id=e.case_id, case_number=numbers.get(e.case_id),
            person_id=e.person_id,
            person_name=persons.get(e.person_id, access.person_alias(e.person_id)),
            requested_at=e.requested_at, first_contact_due=e.first_contact_due,
            hours_left=(e.first_contact_due - now).total_seconds() / 3600)
            for e in exits)

        by_unit: tuple[UnitCount, ...] = ()
        open_steps = overdue_steps = 0
        if actor.may("incident.read"):
            since = now - dt.timedelta(days=INCIDENT_WINDOW_DAYS)
            by_unit = tuple(UnitCount(unit_id=uid, unit_name=name, count=n) for uid, name, n in
                            s.execute(select(m.Unit.id, m.Unit.name, func.count(m.Incident.id))
                                      .join(m.Incident, m.Incident.unit_id == m.Unit.id)
                                      .where(m.Incident.occurred_at >= since)
                                      .group_by(m.Unit.id, m.Unit.name)
                                      .order_by(func.count(m.Incident.id).desc(),
                                                m.Unit.name)).all())
        if actor.may("routine.read"):
            open_steps = s.scalar(select(func.count()).select_from(m.RoutineStep)
                                  .where(open_steps_clause()))
            overdue_steps = s.scalar(select(func.count()).select_from(m.RoutineStep)
                                     .where(open_steps_clause(), m.RoutineStep.due_at < now))

        result = Dashboard(
            generated_at=now, cases_by_state=cases_by_state, overdue_tasks=overdue_tasks,
            overdue_task_head=tuple(task_rows(s, actor, list(overdue_head), now)),
            expiring_consents=expiring, exit_waiting=exit_total,
            exit_waiting_overdue=exit_overdue, exit_waiting_head=exit_rows,
            incidents_90d=sum(u.count for u in by_unit), incidents_90d_by_unit=by_unit,
            open_routine_steps=open_steps, overdue_routine_steps=overdue_steps)
        uow.log(actor, "dashboard.read", detail={
            "cases": result.cases_total, "overdue_tasks": overdue_tasks,
            "expiring_consents": expiring, "exit_waiting": exit_total})
        # Who saw that a person is waiting for exit support is on record per person.
        for e in exits:
            uow.log(actor, "exit.waiting.read", subject_kind="exit", subject_id=e.id,
                    case_id=e.case_id, person_id=e.person_id)
        uow.commit()
        return result
