"""Action plans and SIP (samordnad individuell plan): goals per life area,
actions with a responsible agency and person, due and follow-up dates, who
holds overall responsibility; draft → approved (supervisor) → followed up
(again and again) → ended.

Goals and actions live in their own tables without the access-rule columns;
they are read and written only through their plan, which is case content of
category ``social``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from trefas_app.domain import lifecycles
from trefas_app.domain.actor import Actor
from trefas_app.domain.enums import Agency, CaseState, Category, LifeArea, PlanState, Role
from trefas_app.domain.errors import Conflict, ValidationError
from trefas_app.domain import text as text_rules
from trefas_app.domain.text import check_paging, limited_text
from trefas_app.security import access
from trefas_app.services import hidden_counts
from trefas_app.services.case_records import read_record
from trefas_app.services.cases import (
    record_state_change,
    touch_case,
    user_names,
    writable_case,
)
from trefas_app.services.persons import mask_result
from trefas_app.services.views import Page
from trefas_app.services.views_casework import (
    PlanActionView,
    PlanGoalView,
    PlanRow,
    PlanView,
)
from trefas_app.store import models as m
from trefas_app.store.uow import UnitOfWork
from trefas_app.store.versions import require_version

MAX_TEXT = text_rules.PLAN_TEXT
#: Dates may lie this far back (an action entered after the fact) …
MAX_DAYS_BACK = 365
#: … and this far ahead.
MAX_DAYS_AHEAD = 5 * 366


# --- checks -----------------------------------------------------------------------


def _text(text: str, sv_what: str, en_what: str) -> str:
    return limited_text(text, sv_what, en_what, MAX_TEXT)


def _check_date(day: dt.date | None, today: dt.date, sv_what: str, en_what: str,
                days_back: int = MAX_DAYS_BACK) -> None:
    if day is None:
        return
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        raise ValidationError(f"Ogiltigt datum ({sv_what}).", f"Invalid date ({en_what}).")
    if day < today - dt.timedelta(days=days_back):
        if days_back == 0:
            raise ValidationError(f"Datumet ({sv_what}) har redan passerat.",
                                  f"The date ({en_what}) has already passed.")
        raise ValidationError(f"Datumet ({sv_what}) ligger mer än ett år bakåt i tiden.",
                              f"The date ({en_what}) is more than a year in the past.")
    if day > today + dt.timedelta(days=MAX_DAYS_AHEAD):
        raise ValidationError(f"Datumet ({sv_what}) ligger mer än fem år framåt i tiden.",
                              f"The date ({en_what}) is more than five years ahead.")


def check_action_dates(due: dt.date | None, follow_up: dt.date | None, today: dt.date) -> None:
    """Due and follow-up dates of an action: plausible, and in the right order."""
    _check_date(due, today, "klart senast", "due date")
    _check_date(follow_up, today, "uppföljning", "follow-up date")
    if due is not None and follow_up is not None and follow_up < due:
        raise ValidationError(
            "Datumen är i fel ordning: uppföljningsdatumet ligger före datumet då åtgärden "
            "ska vara klar. Välj ett uppföljningsdatum samma dag eller senare.",
            "The dates are in the wrong order: the follow-up date is before the date the "
            "action is due. Choose a follow-up date on or after the due date.")


def _responsible_user(s, user_id: int | None, agency: Agency) -> m.User | None:
    if user_id is None:
        return None
    user = s.get(m.User, user_id)
    if user is None or not user.active or user.role == Role.ADMINISTRATOR:
        raise ValidationError("Den ansvariga användaren finns inte eller är avstängd.",
                              "The responsible user does not exist or is disabled.")
    if user.agency != agency:
        raise ValidationError("Den ansvariga personen måste tillhöra den ansvariga myndigheten.",
                              "The responsible person must belong to the responsible agency.")
    return user



def _writable_plan(uow: UnitOfWork, actor: Actor, plan_id: int,
                   verb: str = "write") -> tuple[m.Plan, m.Case]:
    """The plan, if the user may change it (``verb`` write or approve) now."""
    plan = access.get_visible(uow.session, actor, "plan", plan_id, uow.now(), verb=verb)
    case = writable_case(uow, actor, plan.case_id, f"plan.{verb}")
    return plan, case


def _touch(uow: UnitOfWork, actor: Actor, plan: m.Plan) -> None:
    """A goal or action added or done changes the plan: its version moves, so
    an approval or follow-up of the plan as it was before is refused."""
    plan.updated_at, plan.updated_by_id = uow.now(), actor.user_id


def _not_ended(plan: m.Plan) -> None:
    if plan.state == PlanState.ENDED:
        raise Conflict("Planen är avslutad och kan inte ändras.",
                       "The plan has ended and cannot be changed.")


def _move(uow: UnitOfWork, actor: Actor, plan: m.Plan, to_state: PlanState,
          reason: str | None = None) -> None:
    lifecycles.PLAN.check(plan.state, to_state)
    now = uow.now()
    record_state_change(uow.session, "plan", plan.id, plan.state, to_state, now, actor, reason)
    uow.log(actor, "plan.state", subject_kind="plan", subject_id=plan.id, case_id=plan.case_id,
            person_id=plan.person_id, detail={"from": plan.state.value, "to": to_state.value})
    plan.state = to_state
    plan.updated_at, plan.updated_by_id = now, actor.user_id


# --- projection -------------------------------------------------------------------


def _may(uow: UnitOfWork, actor: Actor, plan: m.Plan, verb: str) -> bool:
    if not actor.may(f"plan.{verb}"):
        return False
    if verb == "approve" and actor.agency != plan.owner_agency:
        return False
    return bool(uow.session.scalar(select(func.count()).select_from(m.Plan).where(
        m.Plan.id == plan.id, access.visible(actor, "plan", uow.now(), verb))))


def _view(uow: UnitOfWork, actor: Actor, plan: m.Plan) -> PlanView:
    s, now = uow.session, uow.now()
    today = access.local_date(now)
    case = s.get(m.Case, plan.case_id)
    s.refresh(plan, ["goals", "actions"])
    names = user_names(s, [plan.created_by_id, plan.approved_by_id, plan.overall_user_id]
                   + [a.responsible_user_id for a in plan.actions])
    next_states: tuple[PlanState, ...] = ()
    if case.state != CaseState.CLOSED:
        may_write, may_approve = _may(uow, actor, plan, "write"), _may(uow, actor, plan, "approve")
        next_states = tuple(
            st for st in lifecycles.PLAN.states
            if st in lifecycles.PLAN.allowed_next(plan.state)
            and (may_approve if st == PlanState.APPROVED else may_write))
    return mask_result(s, actor, now, PlanView(
        id=plan.id, case_id=plan.case_id, case_number=case.number, person_id=plan.person_id,
        is_sip=plan.is_sip, state=plan.state, owner_agency=plan.owner_agency,
        overall_agency=plan.overall_agency, overall_user_id=plan.overall_user_id,
        overall_user_name=names.get(plan.overall_user_id), created_at=plan.created_at,
        created_by=names.get(plan.created_by_id, ""), approved_at=plan.approved_at,
        approved_by=names.get(plan.approved_by_id), next_follow_up=plan.next_follow_up,
        goals=tuple(PlanGoalView(id=g.id, life_area=g.life_area, goal=g.goal)
                    for g in plan.goals),
        actions=tuple(
            PlanActionView(id=a.id, life_area=a.life_area, description=a.description,
                           responsible_agency=a.responsible_agency,
                           responsible_user_id=a.responsible_user_id,
                           responsible_name=names.get(a.responsible_user_id),
                           due_date=a.due_date, follow_up_date=a.follow_up_date,
                           done_at=a.done_at,
                           overdue=(a.done_at is None and a.due_date is not None
                                    and a.due_date < today))
            for a in plan.actions),
        next_states=next_states, version=plan.version))


def _finish(uow: UnitOfWork, actor: Actor, plan: m.Plan, case: m.Case) -> PlanView:
    """Common tail of every change: timestamps, retention clock, view, commit."""
    now = uow.now()
    plan.updated_at, plan.updated_by_id = now, actor.user_id
    touch_case(case, now)
    uow.session.flush()
    view = _view(uow, actor, plan)
    uow.commit()
    return view


# --- use cases ----------------------------------------------------------------------


def create_plan(uow: UnitOfWork, actor: Actor, case_id: int, is_sip: bool,
                overall_agency: Agency, overall_user_id: int | None = None,
                next_follow_up: dt.date | None = None) -> PlanView:
    overall_agency = Agency(overall_agency)
    with uow:
        s, now = uow.session, uow.now()
        case = writable_case(uow, actor, case_id, "plan.write")
        _check_date(next_follow_up, access.local_date(now), "nästa uppföljning",
                    "next follow-up", days_back=0)
        _responsible_user(s, overall_user_id, overall_agency)
        plan = m.Plan(case_id=case.id, person_id=case.person_id, owner_agency=actor.agency,
                      category=Category.SOCIAL, is_sip=bool(is_sip),
                      state=lifecycles.PLAN.initial, overall_agency=overall_agency,
                      overall_user_id=overall_user_id, next_follow_up=next_follow_up,
                      created_at=now, created_by_id=actor.user_id)
        s.add(plan)
        s.flush()
        record_state_change(s, "plan", plan.id, None, plan.state, now, actor)
        uow.log(actor, "plan.create", subject_kind="plan", subject_id=plan.id,
                case_id=case.id, person_id=case.person_id, detail={"sip": plan.is_sip})
        return _finish(uow, actor, plan, case)


def add_goal(uow: UnitOfWork, actor: Actor, plan_id: int, life_area: LifeArea,
             goal: str) -> PlanView:
    life_area = LifeArea(life_area)
    goal = _text(goal, "målet", "the goal")
    with uow:
        plan, case = _writable_plan(uow, actor, plan_id)
        _not_ended(plan)
        row = m.PlanGoal(plan_id=plan.id, life_area=life_area, goal=goal)
        uow.session.add(row)
        _touch(uow, actor, plan)
        uow.session.flush()
        uow.log(actor, "plan.goal.add", subject_kind="plan", subject_id=plan.id,
                case_id=plan.case_id, person_id=plan.person_id,
                detail={"goal": row.id, "life_area": life_area.value})
        return _finish(uow, actor, plan, case)


def add_action(uow: UnitOfWork, actor: Actor, plan_id: int, life_area: LifeArea,
               description: str, responsible_agency: Agency,
               responsible_user_id: int | None = None, due_date: dt.date | None = None,
               follow_up_date: dt.date | None = None) -> PlanView:
    life_area, responsible_agency = LifeArea(life_area), Agency(responsible_agency)
    description = _text(description, "vad som ska göras", "what is to be done")
    with uow:
        s, now = uow.session, uow.now()
        plan, case = _writable_plan(uow, actor, plan_id)
        check_action_dates(due_date, follow_up_date, access.local_date(now))
        _not_ended(plan)
        _responsible_user(s, responsible_user_id, responsible_agency)
        row = m.PlanAction(plan_id=plan.id, life_area=life_area, description=description,
                           responsible_agency=responsible_agency,
                           responsible_user_id=responsible_user_id, due_date=due_date,
                           follow_up_date=follow_up_date)
        s.add(row)
        _touch(uow, actor, plan)
        s.flush()
        uow.log(actor, "plan.action.add", subject_kind="plan", subject_id=plan.id,
                case_id=plan.case_id, person_id=plan.person_id,
                detail={"action": row.id, "life_area": life_area.value,
                        "agency": responsible_agency.value})
        return _finish(uow, actor, plan, case)


def complete_action(uow: UnitOfWork, actor: Actor, action_id: int) -> PlanView:
    with uow:
        s, now = uow.session, uow.now()
        action = s.get(m.PlanAction, action_id)
        if action is None:
            raise access.no_such_record(actor, "plan.write", "plan_action", action_id)
        plan, case = _writable_plan(uow, actor, action.plan_id)
        _not_ended(plan)
        if action.done_at is not None:
            raise Conflict("Åtgärden är redan markerad som klar.",
                           "The action is already marked as done.")
        action.done_at = now
        _touch(uow, actor, plan)
        uow.log(actor, "plan.action.done", subject_kind="plan", subject_id=plan.id,
                case_id=plan.case_id, person_id=plan.person_id, detail={"action": action.id})
        return _finish(uow, actor, plan, case)


def approve_plan(uow: UnitOfWork, actor: Actor, plan_id: int,
                 expected_version: int | None = None) -> PlanView:
    """A supervisor of the agency that owns the plan approves the draft; with
    ``expected_version``, only the plan as they read it (a goal or action
    added since changes the plan's version)."""
    with uow:
        access.require(actor, "plan.approve")
        plan, case = _writable_plan(uow, actor, plan_id, verb="approve")
        if actor.agency != plan.owner_agency:
            raise access.denied(actor, "plan.approve",
                                "Bara en enhetschef på den myndighet som äger planen kan "
                                "godkänna den.",
                                "Only a supervisor of the agency that owns the plan can "
                                "approve it.", "plan", plan_id)
        require_version(uow.session, plan, expected_version)
        lifecycles.PLAN.check(plan.state, PlanState.APPROVED)
        if not plan.goals or not plan.actions:
            raise ValidationError("Planen behöver minst ett mål och en åtgärd innan den kan "
                                  "godkännas.",
                                  "The plan needs at least one goal and one action before it "
                                  "can be approved.")
        plan.approved_at, plan.approved_by_id = uow.now(), actor.user_id
        _move(uow, actor, plan, PlanState.APPROVED)
        return _finish(uow, actor, plan, case)


def follow_up_plan(uow: UnitOfWork, actor: Actor, plan_id: int,
                   next_follow_up: dt.date, expected_version: int | None = None) -> PlanView:
    """Record that the plan was followed up, and when the next follow-up is;
    with ``expected_version``, only if nobody changed the plan since."""
    with uow:
        plan, case = _writable_plan(uow, actor, plan_id)
        require_version(uow.session, plan, expected_version)
        lifecycles.PLAN.check(plan.state, PlanState.FOLLOWED_UP)
        if next_follow_up is None:
            raise ValidationError("Ange datum för nästa uppföljning.",
                                  "Give the date of the next follow-up.")
        _check_date(next_follow_up, access.local_date(uow.now()), "nästa uppföljning",
                    "next follow-up", days_back=0)
        plan.next_follow_up = next_follow_up
        _move(uow, actor, plan, PlanState.FOLLOWED_UP)
        return _finish(uow, actor, plan, case)


def end_plan(uow: UnitOfWork, actor: Actor, plan_id: int, reason: str | None = None,
             expected_version: int | None = None) -> PlanView:
    reason = (reason or "").strip() or None
    with uow:
        plan, case = _writable_plan(uow, actor, plan_id)
        require_version(uow.session, plan, expected_version)
        _move(uow, actor, plan, PlanState.ENDED, reason)
        plan.next_follow_up = None
        return _finish(uow, actor, plan, case)


def get_plan(uow: UnitOfWork, actor: Actor, plan_id: int) -> PlanView:
    return read_record(uow, actor, "plan", plan_id, _view)


def list_plans(uow: UnitOfWork, actor: Actor, case_id: int, offset: int = 0,
               limit: int = 100) -> Page[PlanRow]:
    """Plans of one case the user may see, newest first, and how many are hidden."""
    offset, limit = check_paging(offset, limit)
    with uow:
        s, now = uow.session, uow.now()
        access.get_visible(s, actor, "case", case_id, now)
        where = [m.Plan.case_id == case_id, access.visible(actor, "plan", now)]
        total = s.scalar(select(func.count()).select_from(m.Plan).where(*where))
        plans = s.scalars(select(m.Plan).where(*where)
                          .order_by(m.Plan.created_at.desc(), m.Plan.id.desc())
                          .offset(offset).limit(limit)).all()
        ids = [p.id for p in plans]
        goals = dict(s.execute(select(m.PlanGoal.plan_id, func.count())
                               .where(m.PlanGoal.plan_id.in_(ids))
                               .group_by(m.PlanGoal.plan_id)).all()) if ids else {}
        open_actions = dict(s.execute(select(m.PlanAction.plan_id, func.count())
                                      .where(m.PlanAction.plan_id.in_(ids),
                                             m.PlanAction.done_at.is_(None))
                                      .group_by(m.PlanAction.plan_id)).all()) if ids else {}
        names = user_names(s, [p.overall_user_id for p in plans])
        rows = tuple(PlanRow(id=p.id, case_id=p.case_id, is_sip=p.is_sip, state=p.state,
                             overall_agency=p.overall_agency,
                             overall_user_name=names.get(p.overall_user_id),
                             next_follow_up=p.next_follow_up, goals=goals.get(p.id, 0),
                             open_actions=open_actions.get(p.id, 0), created_at=p.created_at)
                     for p in plans)
        hidden = {} if offset else hidden_counts.hidden(
            s, actor, "plan", now, case_id=case_id)
        if offset == 0:
            uow.log(actor, "plan.list", subject_kind="case", subject_id=case_id,
                    case_id=case_id, detail={"shown": total, "hidden": sum(hidden.values())})
        uow.commit()
        return Page(rows=rows, total=total, offset=offset, hidden=hidden)
