"""Action items (åtgärdspunkter): a task on a case, optionally from a meeting or
an incident, assigned to a user, with a due date. Open → done / cancelled.

A task is case content (category social): every read and write goes through
the access rule, and a task can only be given to someone who may see it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import false, func, select
from sqlalchemy.sql.elements import ColumnElement

from trefas_app.domain import lifecycles
from trefas_app.domain.actor import Actor
from trefas_app.domain.enums import Category, Role, TaskState
from trefas_app.domain.errors import NotFound, ValidationError
from trefas_app.domain import text as text_rules
from trefas_app.domain.text import check_paging
from trefas_app.security import access
from trefas_app.services import hidden_counts
from trefas_app.services.cases import record_state_change, touch_case, writable_case
from trefas_app.services.persons import mask_result, project_persons
from trefas_app.services.views import ListCount, Page, after_clause, fetch_page
from trefas_app.services.views_ops import TaskRow
from trefas_app.store import models as m
from trefas_app.store.store import actor_of
from trefas_app.store.uow import UnitOfWork
from trefas_app.store.versions import require_version

MAX_TITLE_CHARS = text_rules.LINE
MAX_TEXT_CHARS = text_rules.TEXT
TASK_CATEGORY = Category.SOCIAL


# --- helpers shared by the operational services ----------------------------------


def user_names(session, user_ids: Iterable[int | None]) -> dict[int, str]:
    ids = {u for u in user_ids if u is not None}
    if not ids:
        return {}
    return dict(session.execute(select(m.User.id, m.User.display_name)
                                .where(m.User.id.in_(ids))).all())


def visible_case_numbers(session, actor: Actor, case_ids: Iterable[int],
                         now: dt.datetime) -> dict[int, str]:
    """Case numbers of the cases among ``case_ids`` that the user may see."""
    ids = set(case_ids)
    if not ids:
        return {}
    return dict(session.execute(select(m.Case.id, m.Case.number).where(
        m.Case.id.in_(ids), access.visible(actor, "case", now))).all())


def person_names(session, actor: Actor, person_ids: Iterable[int],
                 now: dt.datetime) -> dict[int, str]:
    """Display names as this user may see them (an alias when masked)."""
    ids = set(person_ids)
    if not ids:
        return {}
    persons = session.scalars(select(m.Person).where(m.Person.id.in_(ids))).all()
    return {pid: v.display_name for pid, v in project_persons(session, actor, list(persons),
                                                                now).items()}


def check_text(value: str | None, what_sv: str, what_en: str, required: bool,
               limit: int = MAX_TEXT_CHARS) -> str | None:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError(f"Fyll i fältet ”{what_sv}”.", f"Fill in the {what_en}.")
    if len(text) > limit:
        raise ValidationError(f"Texten i fältet ”{what_sv}” är för lång (högst {limit} tecken).",
                              f"The {what_en} is too long (at most {limit} characters).")
    return text or None


def overdue_clause(today: dt.date) -> ColumnElement[bool]:
    """Open tasks whose due date has passed (the due day itself is not overdue)."""
    return (m.Task.state == TaskState.OPEN) & m.Task.due_on.is_not(None) & (m.Task.due_on < today)


def task_order():
    return (m.Task.due_on.is_(None), m.Task.due_on, m.Task.id)


def task_rows(session, actor: Actor, tasks: list[m.Task], now: dt.datetime) -> list[TaskRow]:
    """Projects tasks the caller has already filtered through the access rule."""
    today = access.local_date(now)
    names = user_names(session, [t.assignee_id for t in tasks]
                       + [t.created_by_id for t in tasks] + [t.completed_by_id for t in tasks])
    numbers = visible_case_numbers(session, actor, [t.case_id for t in tasks], now)
    persons = person_names(session, actor, [t.person_id for t in tasks], now)
    incident_ids = {t.incident_id for t in tasks if t.incident_id is not None}
    incidents = dict(session.execute(select(m.Incident.id, m.Incident.number).where(
        m.Incident.id.in_(incident_ids))).all()) if incident_ids else {}
    return mask_result(session, actor, now, [TaskRow(
        id=t.id, case_id=t.case_id, case_number=numbers.get(t.case_id), person_id=t.person_id,
        person_name=persons.get(t.person_id, access.person_alias(t.person_id)),
        title=t.title, description=t.description, category=t.category,
        owner_agency=t.owner_agency, assignee_id=t.assignee_id,
        assignee=names.get(t.assignee_id), assignee_agency=t.assignee_agency,
        due_on=t.due_on, state=t.state,
        overdue=t.state == TaskState.OPEN and t.due_on is not None and t.due_on < today,
        meeting_id=t.meeting_id, incident_id=t.incident_id,
        incident_number=incidents.get(t.incident_id),
        created_by=names.get(t.created_by_id), created_at=t.created_at,
        completed_at=t.completed_at, completed_by=names.get(t.completed_by_id),
        version=t.version)
        for t in tasks])


# --- use cases ---------------------------------------------------------------------


def create_task(uow: UnitOfWork, actor: Actor, case_id: int, title: str,
                description: str | None, assignee_id: int | None, due_on: dt.date | None,
                meeting_id: int | None = None, incident_id: int | None = None) -> TaskRow:
    title = check_text(title, "rubrik", "task title", True,
                       MAX_TITLE_CHARS)
    description = check_text(description, "beskrivning", "description", False)
    if due_on is not None and isinstance(due_on, dt.datetime):
        due_on = due_on.date()
    with uow:
        access.require(actor, "task.write")
        s, now = uow.session, uow.now()
        today = access.local_date(now)
        if due_on is not None and due_on < today:
            raise ValidationError(
                f"Förfallodagen {due_on.isoformat()} har redan passerat. Välj dagens datum "
                "eller ett senare.",
                f"The due date {due_on.isoformat()} has already passed. Choose today or a "
                "later date.")
        case = writable_case(uow, actor, case_id, "task.write")
        if meeting_id is not None:
            access.require(actor, "meeting.read")
            if s.get(m.Meeting, meeting_id) is None:
                raise NotFound("Mötet finns inte.", "The meeting does not exist.")
        if incident_id is not None:
            access.require(actor, "incident.read")
            if s.get(m.Incident, incident_id) is None:
                raise NotFound("Händelsen finns inte.", "The incident does not exist.")
        assignee = None
        if assignee_id is not None:
            assignee = s.get(m.User, assignee_id)
            if assignee is None or not assignee.active or assignee.role == Role.ADMINISTRATOR:
                raise ValidationError(
                    "Användaren finns inte eller kan inte tilldelas åtgärdspunkter.",
                    "The user does not exist or cannot be given tasks.")
        task = m.Task(case_id=case.id, person_id=case.person_id, owner_agency=actor.agency,
                      category=TASK_CATEGORY, meeting_id=meeting_id, incident_id=incident_id,
                      title=title, description=description, assignee_id=assignee_id,
                      assignee_agency=assignee.agency if assignee else actor.agency,
                      due_on=due_on, state=TaskState.OPEN, created_at=now,
                      created_by_id=actor.user_id)
        s.add(task)
        s.flush()
        if assignee is not None and not s.scalar(
                select(func.count()).select_from(m.Task).where(
                    m.Task.id == task.id,
                    access.visible(actor_of(assignee), "task", now, "write"))):
            # Rolled back with the unit of work: nothing is stored.
            raise ValidationError(
                "Den valda användaren skulle inte kunna se åtgärdspunkten (inte i ärendeteamet, "
                "eller inget samtycke som täcker användarens myndighet). Lägg först till "
                "användaren i teamet eller välj någon annan.",
                "The chosen user could not see the task (not on the case team, or no consent "
                "covering the user's agency). Add the user to the team first or choose "
                "someone else.")
        record_state_change(s, "task", task.id, None, TaskState.OPEN, now, actor)
        touch_case(case, now)
        uow.log(actor, "task.create", subject_kind="task", subject_id=task.id,
                case_id=case.id, person_id=case.person_id,
                detail={"assignee": assignee_id, "meeting": meeting_id,
                        "incident": incident_id,
                        "due": due_on.isoformat() if due_on else None})
        row = task_rows(s, actor, [task], now)[0]
        uow.commit()
        return row


def get_task(uow: UnitOfWork, actor: Actor, task_id: int) -> TaskRow:
    with uow:
        s, now = uow.session, uow.now()
        task = access.get_visible(s, actor, "task", task_id, now)
        uow.log(actor, "task.read", subject_kind="task", subject_id=task.id,
                case_id=task.case_id, person_id=task.person_id)
        row = task_rows(s, actor, [task], now)[0]
        uow.commit()
        return row


def _move(uow: UnitOfWork, actor: Actor, task_id: int, to_state: TaskState,
          reason: str | None, expected_version: int | None) -> TaskRow:
    with uow:
        access.require(actor, "task.write")
        s, now = uow.session, uow.now()
        task = access.get_visible(s, actor, "task", task_id, now, verb="write")
        require_version(s, task, expected_version)
        lifecycles.TASK.check(task.state, to_state)
        case = writable_case(uow, actor, task.case_id, "task.write")
        record_state_change(s, "task", task.id, task.state, to_state, now, actor, reason)
        uow.log(actor, "task.state", subject_kind="task", subject_id=task.id,
                case_id=task.case_id, person_id=task.person_id, reason=reason,
                detail={"from": task.state.value, "to": to_state.value})
        task.state = to_state
        task.completed_at, task.completed_by_id = now, actor.user_id
        task.updated_at, task.updated_by_id = now, actor.user_id
        touch_case(case, now)
        s.flush()
        row = task_rows(s, actor, [task], now)[0]
        uow.commit()
        return row


def complete_task(uow: UnitOfWork, actor: Actor, task_id: int,
                  expected_version: int | None = None) -> TaskRow:
    """Done; with ``expected_version``, only if nobody changed the task since
    the user read it (store/versions.py)."""
    return _move(uow, actor, task_id, TaskState.DONE, None, expected_version)


def cancel_task(uow: UnitOfWork, actor: Actor, task_id: int, reason: str | None = None,
                expected_version: int | None = None) -> TaskRow:
    reason = check_text(reason, "orsak", "reason", False, 500)
    return _move(uow, actor, task_id, TaskState.CANCELLED, reason, expected_version)


def _task_filters(s, actor: Actor, now, mine_only: bool, overdue_only: bool,
                  case_id: int | None, states) -> dict:
    """How the list narrows the tasks (``hidden_counts.NARROWINGS``; overdue:
    open, due before today, as :func:`overdue_clause`)."""
    if case_id is not None:
        access.get_visible(s, actor, "case", case_id, now)
    states = tuple(TaskState(st) for st in states)
    narrowing = {"case_id": case_id, "state": states or None,
                 "assignee_id": actor.user_id if mine_only else None}
    if overdue_only:
        narrowing["state"] = tuple(st for st in states or (TaskState.OPEN,)
                                   if st == TaskState.OPEN)
        narrowing["due_on"] = access.local_date(now)
    return narrowing


def _count(s, actor: Actor, now, narrowing: dict) -> tuple[int, dict[Category, int]]:
    """The tasks the list finds and how many in scope are hidden, per
    category: in one pass on a local store; on a server, whose row rules
    hide them, the server counts the hidden ones."""
    filters = hidden_counts.narrowed("task", **narrowing)
    if not hidden_counts.on_server(s):
        return access.count_visible_and_hidden(s, actor, "task", now, *filters)
    total = s.scalar(select(func.count()).select_from(m.Task)
                     .where(access.visible(actor, "task", now), *filters))
    return total, hidden_counts.hidden(s, actor, "task", now, **narrowing)


def list_tasks(uow: UnitOfWork, actor: Actor, mine_only: bool = False,
               overdue_only: bool = False, case_id: int | None = None,
               offset: int = 0, limit: int = 200,
               states: tuple[TaskState, ...] = (), count: bool = True,
               after: int | None = None) -> Page[TaskRow]:
    """Tasks the user may see, earliest due first, and how many are hidden.
    ``count=False``: the page alone (``Page.more``); :func:`count_tasks` counts.
    ``after``: the previous page's last task id, to read on by keyset."""
    offset, limit = check_paging(offset, limit)
    with uow:
        s, now = uow.session, uow.now()
        access.require(actor, "task.read")
        narrowing = _task_filters(s, actor, now, mine_only, overdue_only, case_id, states)
        where = [access.visible(actor, "task", now), *hidden_counts.narrowed("task", **narrowing)]
        stmt = select(m.Task).where(*where).order_by(*task_order())
        if after is not None:
            anchor = s.execute(select(*task_order()).where(
                m.Task.id == after, access.visible(actor, "task", now))).first()
            stmt = stmt.where(false() if anchor is None else
                              after_clause([(e, False) for e in task_order()], tuple(anchor)))
        tasks, more = fetch_page(s, stmt, offset, limit, keyset=after is not None)
        total, hidden = None, {}
        if count and offset == 0:
            total, hidden = _count(s, actor, now, narrowing)
        elif count:
            total = s.scalar(select(func.count()).select_from(m.Task).where(*where))
        if offset == 0 and after is None:
            detail = {"rows": len(tasks)} if total is None else {
                "hits": total, "hidden": sum(hidden.values())}
            uow.log(actor, "task.list", subject_kind="case" if case_id else None,
                    subject_id=case_id, case_id=case_id,
                    detail={**detail, "mine": mine_only, "overdue": overdue_only})
        page = Page(rows=tuple(task_rows(s, actor, tasks, now)), total=total,
                    offset=offset, hidden=hidden, more=more)
        uow.commit()
        return page


def count_tasks(uow: UnitOfWork, actor: Actor, mine_only: bool = False,
                overdue_only: bool = False, case_id: int | None = None,
                states: tuple[TaskState, ...] = ()) -> ListCount:
    """How many tasks :func:`list_tasks` finds, and how many in scope are hidden
    per category. Reads no task content."""
    with uow:
        s, now = uow.session, uow.now()
        access.require(actor, "task.read")
        narrowing = _task_filters(s, actor, now, mine_only, overdue_only, case_id, states)
        total, hidden = _count(s, actor, now, narrowing)
        uow.commit()
        return ListCount(total=total, hidden=hidden)
