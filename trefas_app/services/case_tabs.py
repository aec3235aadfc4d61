"""What the case view's tabs show, each tab's data read in one transaction.

Each loader gathers what one tab of the case view shows from the services
that own it (each part only when the user's role may read it), so the tab
makes one call through the worker and every part describes the same moment.
The results are frozen values like every other service's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from trefas_app.domain.actor import Actor
from trefas_app.domain.enums import ExitState, PlanState, TaskState
from trefas_app.domain.permissions import may_change_meeting
from trefas_app.services import exits, incidents, meetings, plans, referrals, tasks
from trefas_app.services.joined import one_transaction
from trefas_app.services.views import Page
from trefas_app.services.views_casework import ExitRow, ExitView, PlanView, ReferralRow
from trefas_app.services.views_ops import MeetingItemView, MeetingRow, TaskRow
from trefas_app.store.uow import UnitOfWork

#: How far back a meeting not yet marked as held is still offered for adding a case.
UPCOMING_MEETINGS_SINCE = dt.timedelta(days=14)


@dataclass(frozen=True)
class SigPlanData:
    referrals: Page[ReferralRow] | None
    plans: Page | None
    plan: PlanView | None


def load_sig_plan(uow: UnitOfWork, actor: Actor, case_id: int,
                  plan_id: int | None = None) -> SigPlanData:
    """Referrals and plans of the case (each only if the role may read them)
    and the chosen plan (default: the newest one that has not ended)."""
    with one_transaction(uow) as tx:
        refs = (referrals.list_referrals(tx, actor, case_id=case_id, limit=100)
                if actor.may("referral.read") else None)
        plan_page = plans.list_plans(tx, actor, case_id, limit=100) \
            if actor.may("plan.read") else None
        plan = None
        if plan_page is not None and plan_page.rows:
            ids = [p.id for p in plan_page.rows]
            if plan_id not in ids:
                running = [p for p in plan_page.rows if p.state != PlanState.ENDED]
                plan_id = (running or list(plan_page.rows))[0].id
            plan = plans.get_plan(tx, actor, plan_id)
        return SigPlanData(refs, plan_page, plan)


@dataclass(frozen=True)
class CaseIncidents:
    #: Page of the case's involvements (InvolvementView, each with its
    #: incident's number, kind, time and place), or None when the user's role
    #: may not read them.
    involvements: Page | None
    #: The case's tasks that came from an incident.
    tasks: tuple
    tasks_hidden: dict


def load_case_incidents(uow: UnitOfWork, actor: Actor, case_id: int) -> CaseIncidents:
    """The case's involvements in incidents and the tasks those incidents gave."""
    with one_transaction(uow) as tx:
        involvements = None
        if actor.may("involvement.read"):
            involvements = incidents.list_case_involvements(tx, actor, case_id)
        task_rows: tuple = ()
        hidden: dict = {}
        if actor.may("task.read"):
            page = tasks.list_tasks(tx, actor, case_id=case_id, limit=500)
            task_rows = tuple(t for t in page.rows if t.incident_id is not None)
            hidden = page.hidden
        return CaseIncidents(involvements, task_rows, hidden)


@dataclass(frozen=True)
class CaseWork:
    tasks: Page[TaskRow] | None
    #: Page of MeetingItemView (with the meeting's title and time), or None
    #: when the user's role may not read meeting items.
    items: Page[MeetingItemView] | None


def load_case_work(uow: UnitOfWork, actor: Actor, case_id: int, open_only: bool) -> CaseWork:
    """The case's tasks (open ones only, if asked) and its meeting items."""
    with one_transaction(uow) as tx:
        task_page = None
        if actor.may("task.read"):
            states = (TaskState.OPEN,) if open_only else ()
            task_page = tasks.list_tasks(tx, actor, case_id=case_id, states=states, limit=500)
        items = None
        if actor.may("meeting_item.read"):
            items = meetings.list_case_items(tx, actor, case_id)
        return CaseWork(task_page, items)


def upcoming_meetings(uow: UnitOfWork, actor: Actor) -> tuple[MeetingRow, ...]:
    """Meetings not yet held that this user may add cases to (see
    :func:`permissions.may_change_meeting`), from two weeks back on."""
    with one_transaction(uow) as tx:
        since = tx.now() - UPCOMING_MEETINGS_SINCE
        page = meetings.list_meetings(tx, actor, since=since, limit=200)
        return tuple(row for row in page.rows if not row.held
                     and may_change_meeting(actor, row.chair_id, row.unit_id))


@dataclass(frozen=True)
class CaseExits:
    #: The case's programmes the user may see: running first, then newest.
    rows: tuple[ExitRow, ...]
    #: The one to show (the first row's), or None.
    view: ExitView | None
    #: Programmes of the case the access rule hides from the user, per category.
    hidden: dict


def load_case_exits(uow: UnitOfWork, actor: Actor, case_id: int) -> CaseExits:
    """The exit programmes of one case (``list_exits(case_id=…)``) and the view
    of the one to show."""
    with one_transaction(uow) as tx:
        page = exits.list_exits(tx, actor, case_id=case_id, limit=100)
        rows = sorted(page.rows,
                      key=lambda r: (r.state == ExitState.ENDED, -r.requested_at.timestamp()))
        view = exits.get_exit(tx, actor, rows[0].id) if rows else None
        return CaseExits(tuple(rows), view, dict(page.hidden))
