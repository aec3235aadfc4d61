"""The rest of the case work on the timeline — SIG referrals, plans, exit
programmes, threat assessments, incidents with the post-shooting routine,
meetings and tasks — each part drawing from the one random stream in turn,
so the same seed gives the same store.
"""

from __future__ import annotations

import datetime as dt
import random
from datetime import date

from trefas_app.demo.organisation import (
    SOCIAL_WORKERS,
    POLICE_OF,
    COORDINATOR,
    CITY_SUPERVISOR,
    PROBATION,
)
from trefas_app.demo.timeline import Timeline, Story, noon_of, sees, spread
from trefas_app.demo.vocabulary import (
    REFERRAL_REASONS,
    GOALS,
    ACTIONS,
    THREAT_SUMMARIES,
    MEETING_DECISIONS,
    TASK_TITLES,
)
from trefas_app.domain.enums import (
    Agency,
    CaseState,
    Category,
    ExitEnding,
    ExitState,
    IncidentKind,
    LifeArea,
    MeasureKind,
    MeetingKind,
    PlanState,
    ProtectionLevel,
    ReferralClosure,
    ReferralState,
    RiskLevel,
    SupportKind,
)
from trefas_app.security.access import local_date
from trefas_app.services import exits, incidents, meetings, plans, referrals, tasks
from trefas_app.store.store import OpenStore


_R = ReferralState
_REFERRAL_FULL = [_R.INITIAL_ASSESSMENT, _R.CONSENT, _R.GRANTED, _R.MAPPING, _R.PLAN,
                  _R.INTERVENTIONS, _R.FOLLOW_UP]
#: Where each demo referral ends up (closure reason for a closed one).
_REFERRAL_TARGETS: list[tuple[ReferralState, ReferralClosure | None]] = [
    (_R.RECEIVED, None), (_R.INITIAL_ASSESSMENT, None), (_R.CONSENT, None),
    (_R.GRANTED, None), (_R.DECLINED, None), (_R.MAPPING, None), (_R.PLAN, None),
    (_R.INTERVENTIONS, None), (_R.FOLLOW_UP, None), (_R.CLOSED, ReferralClosure.COMPLETED),
    (_R.CLOSED, ReferralClosure.MOVED), (_R.CLOSED, ReferralClosure.CONSENT_WITHDRAWN),
    (_R.INTERVENTIONS, None), (_R.PLAN, None),
]


def _referral_path(target: ReferralState, closure: ReferralClosure | None) -> list:
    if target == _R.DECLINED:
        return [_R.INITIAL_ASSESSMENT, _R.CONSENT, _R.DECLINED]
    if target == _R.CLOSED:
        before = {ReferralClosure.COMPLETED: _R.FOLLOW_UP, ReferralClosure.MOVED: _R.MAPPING,
                  ReferralClosure.CONSENT_WITHDRAWN: _R.INTERVENTIONS}[closure]
        return _REFERRAL_FULL[:_REFERRAL_FULL.index(before) + 1] + [_R.CLOSED]
    if target == _R.RECEIVED:
        return []
    return _REFERRAL_FULL[:_REFERRAL_FULL.index(target) + 1]


class _Casework:
    """What every part of the case work shares: the timeline, the sessions and
    the random stream (drawn from in the same order as ever), the stories
    running and worked on, and the span in which each story may get content."""

    def __init__(self, tl: Timeline, sessions: dict[str, OpenStore], stories: list[Story],
                 rng: random.Random, base: dt.datetime):
        self.tl, self.sessions, self.rng, self.base = tl, sessions, rng, base
        self.uid = {name: s.actor.user_id for name, s in sessions.items()}
        self.coordinator = sessions[COORDINATOR]
        self.boss = sessions[CITY_SUPERVISOR]
        self.running = [st for st in stories if st.final_state == CaseState.ACTIVE]
        self.worked = [st for st in stories if st.final_state != CaseState.OPEN]
        self.units = {"SDF-RK": self.coordinator.actor.unit_id,
                      "SDF-ST": sessions[SOCIAL_WORKERS["SDF-ST"][0]].actor.unit_id}

    def last(self, st: Story) -> dt.datetime:
        running = st.final_state in (CaseState.OPEN, CaseState.ACTIVE)
        return self.base - dt.timedelta(hours=3) if running else st.end

    def first(self, st: Story) -> dt.datetime:
        return st.start + dt.timedelta(days=4)

    def coordinator_may(self, st: Story) -> bool:
        return st.unit == "SDF-RK" or st.coordinator


def schedule_casework(tl: Timeline, sessions: dict[str, OpenStore], stories: list[Story],
                      rng: random.Random, base: dt.datetime) -> None:
    """SIG referrals, plans, exit programmes, threat assessments, protective
    measures, incidents with the routine, meetings and tasks — each by the user
    whose work it is, at a time when the access rule lets them do it."""
    cw = _Casework(tl, sessions, stories, rng, base)
    referral_of = _schedule_referrals(cw)
    _schedule_plans(cw, referral_of)
    _schedule_exits(cw, referral_of)
    _schedule_threat_assessments(cw)
    _schedule_incidents(cw)
    _schedule_meetings(cw)
    _schedule_reminders(cw)


def _schedule_referrals(cw: _Casework) -> dict[int, ReferralState]:
    """SIG referrals in every state; returns the state each story's referral reaches."""
    day, hour = dt.timedelta(days=1), dt.timedelta(hours=1)
    young = [st for st in cw.worked
             if st.birth is None or (cw.base.date() - st.birth).days < 30 * 365]
    cw.rng.shuffle(young)
    referral_of: dict[int, ReferralState] = {}
    for (target, closure), st in zip(_REFERRAL_TARGETS, young):
        referral_of[st.index] = target
        lo, hi = cw.first(st), cw.last(st) - hour
        t0 = lo + (hi - lo) * cw.rng.uniform(0.0, 0.3)
        author, source = st.social_worker, cw.rng.choice([Agency.CITY, Agency.POLICE,
                                                       Agency.CITY, Agency.PROBATION])
        for member, agency in ((st.police, Agency.POLICE), (st.probation, Agency.PROBATION)):
            if member and cw.rng.random() < 0.5 and sees(st, agency, t0):
                author, source = member, agency
                break
        ref: dict = {}
        reason = cw.rng.choice(REFERRAL_REASONS)

        def create(st=st, author=author, source=source, ref=ref, reason=reason):
            s = cw.sessions[author]
            ref["id"] = referrals.create_referral(s.uow(), s.actor, st.case_id, reason,
                                                  source).id

        cw.tl.at(t0, create)
        path = _referral_path(target, closure)
        for when, state in zip(spread(t0 + day, hi, len(path), cw.rng), path):
            decides = state in (_R.GRANTED, _R.DECLINED)
            mover = cw.coordinator if decides and cw.coordinator_may(st) else \
                cw.sessions[st.social_worker]
            note = ("Beslut i SIG-gruppen: insatser beviljas." if state == _R.GRANTED else
                    "Behovet tillgodoses inom ordinarie insatser." if state == _R.DECLINED
                    else None)

            def move(mover=mover, state=state, note=note, ref=ref, closure=closure):
                referrals.move_referral(mover.uow(), mover.actor, ref["id"], state,
                                        closure=closure if state == _R.CLOSED else None,
                                        note=note)

            cw.tl.at(when, move)
    return referral_of


def _schedule_plans(cw: _Casework, referral_of: dict[int, ReferralState]) -> None:
    """Plans (some SIP), approved, followed up, ended."""
    day, hour = dt.timedelta(days=1), dt.timedelta(hours=1)
    with_plan = [st for st in cw.worked if referral_of.get(st.index) in (
        _R.PLAN, _R.INTERVENTIONS, _R.FOLLOW_UP, _R.CLOSED)]
    with_plan += [st for st in cw.running if st not in with_plan][:12 - len(with_plan)]
    with_plan += [st for st in cw.worked if st.final_state == CaseState.CLOSED
                  and st not in with_plan][:2]
    cycle = [PlanState.DRAFT, PlanState.APPROVED, PlanState.FOLLOWED_UP, PlanState.APPROVED]
    for k, st in enumerate(with_plan):
        target = PlanState.ENDED if st.final_state == CaseState.CLOSED else cycle[k % 4]
        lo, hi = cw.first(st), cw.last(st) - hour
        t0 = lo + (hi - lo) * cw.rng.uniform(0.3, 0.5)
        sw = cw.sessions[st.social_worker]
        areas = cw.rng.sample(list(LifeArea), cw.rng.randint(2, 4))
        plan: dict = {}
        actions: list[tuple[LifeArea, str, Agency, str | None, date]] = []
        for area in areas:
            due = local_date(t0) + dt.timedelta(days=cw.rng.randint(14, 100))
            actions.append((area, ACTIONS[area], Agency.CITY, st.social_worker, due))
        if st.police and sees(st, Agency.POLICE, t0, Category.SOCIAL):
            actions.append((LifeArea.SOCIAL_NETWORK, "Skyddssamtal och genomgång av hotbild",
                            Agency.POLICE, st.police,
                            local_date(t0) + dt.timedelta(days=cw.rng.randint(7, 30))))
        if st.probation and sees(st, Agency.PROBATION, t0, Category.SOCIAL):
            actions.append((LifeArea.WORK, "Samordning med övervakningsplanen",
                            Agency.PROBATION, st.probation,
                            local_date(t0) + dt.timedelta(days=cw.rng.randint(14, 40))))
        is_sip = k % 3 == 0

        def create_plan(st=st, sw=sw, plan=plan, areas=areas, actions=actions, is_sip=is_sip,
                        t0=t0):
            view = plans.create_plan(sw.uow(), sw.actor, st.case_id, is_sip, Agency.CITY,
                                     cw.uid[st.social_worker],
                                     local_date(t0) + dt.timedelta(days=45))
            plan["id"] = view.id
            for area in areas:
                plans.add_goal(sw.uow(), sw.actor, view.id, area, GOALS[area])
            for area, text, agency, who, due in actions:
                view = plans.add_action(sw.uow(), sw.actor, view.id, area, text, agency,
                                        cw.uid[who] if who else None, due,
                                        due + dt.timedelta(days=14))
            plan["actions"] = [(a.id, a.due_date) for a in view.actions]

        cw.tl.at(t0, create_plan)
        if target == PlanState.DRAFT:
            continue
        t_approve = t0 + min(3 * day, (hi - t0) * 0.1)
        cw.tl.at(t_approve, lambda plan=plan: plans.approve_plan(cw.boss.uow(), cw.boss.actor,
                                                             plan["id"]))
        t_end = hi if target == PlanState.ENDED else cw.last(st)

        for n in range(len(actions)):
            when = t_approve + (t_end - t_approve) * (0.2 + 0.6 * n / max(1, len(actions)))
            if cw.rng.random() < 0.6:
                def done(sw=sw, plan=plan, n=n):
                    plans.complete_action(sw.uow(), sw.actor, plan["actions"][n][0])

                cw.tl.at(when, done)
        if target == PlanState.FOLLOWED_UP:
            t_follow = t_approve + (hi - t_approve) * 0.7
            cw.tl.at(t_follow, lambda sw=sw, plan=plan, t=t_follow: plans.follow_up_plan(
                sw.uow(), sw.actor, plan["id"], local_date(t) + dt.timedelta(days=45)))
        if target == PlanState.ENDED:
            cw.tl.at(hi, lambda sw=sw, plan=plan: plans.end_plan(
                sw.uow(), sw.actor, plan["id"], "Ärendet avslutas."))


def _schedule_exits(cw: _Casework, referral_of: dict[int, ReferralState]) -> None:
    """Exit programmes: one in protection, two waiting, one in intake, one ended."""
    day, hour = dt.timedelta(days=1), dt.timedelta(hours=1)
    exit_ok = {"full", "with_health", "no_location", "amended"}
    protected_exit = next((st for st in cw.running if st.protection ==
                           ProtectionLevel.FICTITIOUS_IDENTITY), None)
    candidates = [st for st in cw.running if st is not protected_exit and st.police
                  and st.consent in exit_ok and st.index not in referral_of]
    waiting = [st for st in cw.running if st is not protected_exit and st not in candidates[:1]
               and st.index not in referral_of][:2]
    if protected_exit is not None:
        _schedule_exit_in_protection(cw.tl, cw.sessions, protected_exit, cw.rng, cw.base)
    for st, hours in zip(waiting, (5, 40)):
        # One fresh request, and one that has missed its 24-hour first-contact target.
        sw = cw.sessions[st.social_worker]
        cw.tl.at(cw.base - hours * hour, lambda sw=sw, st=st: exits.request_exit(
            sw.uow(), sw.actor, st.case_id, "Vill lämna sitt tidigare umgänge; oro för "
            "repressalier."))
    for st in candidates[:1]:
        t0 = cw.base - dt.timedelta(days=cw.rng.uniform(10, 20))
        _schedule_exit_intake(cw.tl, cw.sessions, st, t0)
    ended = next((st for st in cw.worked if st.final_state == CaseState.CLOSED
                  and (st.end - st.start).days > 40), None)
    if ended is not None:
        t0 = ended.start + (ended.end - ended.start) * 0.5
        sw = cw.sessions[ended.social_worker]
        ep: dict = {}

        def request(sw=sw, st=ended, ep=ep):
            ep["id"] = exits.request_exit(sw.uow(), sw.actor, st.case_id,
                                          "Önskar stöd att flytta från området.").id

        cw.tl.at(t0, request)
        cw.tl.at(t0 + 5 * hour, lambda sw=sw, ep=ep: exits.record_first_contact(
            sw.uow(), sw.actor, ep["id"]))
        cw.tl.at(t0 + 2 * day, lambda sw=sw, ep=ep: exits.move_exit(
            sw.uow(), sw.actor, ep["id"], ExitState.INTAKE))
        cw.tl.at(t0 + 9 * day, lambda sw=sw, ep=ep: exits.move_exit(
            sw.uow(), sw.actor, ep["id"], ExitState.ENDED, ExitEnding.MOVED))


def _schedule_threat_assessments(cw: _Casework) -> None:
    """Threat assessments by the police, and a few by social services."""
    for st in [x for x in cw.running if x.police][:8]:
        when = cw.first(st) + (cw.last(st) - cw.first(st)) * cw.rng.uniform(0.4, 0.9)
        if not sees(st, Agency.POLICE, when):
            continue
        police = cw.sessions[st.police]
        level, summary = cw.rng.choice(list(RiskLevel)), cw.rng.choice(THREAT_SUMMARIES)
        cw.tl.at(when, lambda p=police, st=st, level=level, summary=summary:
              exits.add_threat_assessment(p.uow(), p.actor, st.case_id, None, level, summary))
    for st in cw.running[-4:]:
        when = cw.first(st) + (cw.last(st) - cw.first(st)) * cw.rng.uniform(0.2, 0.8)
        sw = cw.sessions[st.social_worker]
        cw.tl.at(when, lambda sw=sw, st=st: exits.add_threat_assessment(
            sw.uow(), sw.actor, st.case_id, None, RiskLevel.YELLOW,
            "Socialtjänstens bedömning: oro för påverkan från äldre syskons umgänge."))


def _schedule_incidents(cw: _Casework) -> None:
    """Incidents, the post-shooting routine, and the persons linked to them."""
    day, hour = dt.timedelta(days=1), dt.timedelta(hours=1)
    incident_plan = [
        (IncidentKind.EXPLOSION, "SDF-ST", 120, "helen.tesfaye", "closed",
         "Trapphus vid Fältspatsvägen", "Detonation i trapphus nattetid. Inga skadade."),
        (IncidentKind.SHOOTING, "SDF-RK", 45, COORDINATOR, "routine",
         "Torget vid Hagalundsvägen", "Skottlossning på torget; en person skadad."),
        (IncidentKind.SHOOTING, "SDF-RK", 2, "deniz.yilmaz", "reported",
         "Parkeringen vid Blåklintsgränd",
         "Skott avlossade mot bil. Ingen skadad enligt polisens första uppgifter."),
    ]
    for kind, unit, days_ago, reporter, outcome, place, summary in incident_plan:
        occurred = (cw.base - dt.timedelta(days=days_ago)).replace(hour=20, minute=40,
                                                               second=0, microsecond=0)
        if occurred > cw.base - 10 * hour:
            occurred -= day
        inc: dict = {}
        rep = cw.sessions[reporter]

        def report(rep=rep, kind=kind, occurred=occurred, unit=unit, place=place,
                   summary=summary, inc=inc):
            view = incidents.report_incident(rep.uow(), rep.actor, kind, occurred, cw.units[unit],
                                             place, summary)
            inc["id"] = view.id
            inc["steps"] = [(step.id, step.owner_agency, step.due_at) for step in view.steps]

        cw.tl.at(occurred + 2 * hour, report)
        if outcome == "reported":
            continue
        cw.tl.at(occurred + 3 * hour, lambda rep=rep, inc=inc: incidents.start_routine(
            rep.uow(), rep.actor, inc["id"]))
        police_name = POLICE_OF[unit]

        def work_steps(inc=inc, police_name=police_name, outcome=outcome):
            # Each step done by its owner before it is due (the routine's second
            # half stays open on the recent shooting).
            for n, (step_id, agency, due) in enumerate(inc["steps"]):
                if outcome == "routine" and n >= len(inc["steps"]) - 2:
                    continue
                who = cw.sessions[police_name] if agency == Agency.POLICE else cw.coordinator
                incidents.complete_step(who.uow(), who.actor, step_id,
                                        "Genomfört enligt rutinen.")

        cw.tl.at(occurred + 20 * hour, work_steps)
        if outcome == "closed":
            cw.tl.at(occurred + 8 * day + 2 * hour, lambda rep=rep, inc=inc:
                  incidents.close_incident(rep.uow(), rep.actor, inc["id"]))
        when = occurred + 12 * hour
        involved = [st for st in cw.running if st.unit == unit and st.police
                    and cw.first(st) < when < cw.last(st) and sees(st, Agency.POLICE, when)][:3]
        for role, st in zip(("victim", "relative", "witness"), involved):
            police = cw.sessions[st.police]
            cw.tl.at(when, lambda p=police, st=st, role=role, inc=inc: incidents.link_person(
                p.uow(), p.actor, inc["id"], st.case_id, role))
            if role == "victim" and sees(st, Agency.POLICE, when + day):
                cw.tl.at(when + day, lambda p=police, st=st, when=when: exits.add_measure(
                    p.uow(), p.actor, st.case_id, None, MeasureKind.POLICE_PROTECTION_KIT,
                    "Skyddspaket med larm efter skottlossningen.", local_date(when + day)))
                if outcome == "routine":
                    cw.tl.at(when + 2 * hour, lambda st=st, inc=inc, w=when: tasks.create_task(
                        cw.coordinator.uow(), cw.coordinator.actor, st.case_id,
                        "Erbjuda krisstöd till familjen", None, cw.uid[st.social_worker],
                        local_date(w) + dt.timedelta(days=2), incident_id=inc["id"]))


def _schedule_meetings(cw: _Casework) -> None:
    """Operational-group meetings, their items and the tasks decided there."""
    day, hour = dt.timedelta(days=1), dt.timedelta(hours=1)
    participants = [COORDINATOR, *SOCIAL_WORKERS["SDF-RK"], *SOCIAL_WORKERS["SDF-ST"],
                    *POLICE_OF.values(), PROBATION]
    meeting_plan = [(60, MeetingKind.OPERATIONAL_GROUP), (30, MeetingKind.OPERATIONAL_GROUP),
                    (9, MeetingKind.SIP), (2, MeetingKind.OPERATIONAL_GROUP),
                    (-5, MeetingKind.OPERATIONAL_GROUP)]
    titles = {MeetingKind.OPERATIONAL_GROUP: "Operativ grupp Järva", MeetingKind.SIP: "SIP-möte",
              MeetingKind.JOINT: "Samverkansmöte"}
    discussed = [st for st in cw.running if cw.coordinator_may(st)]
    cw.rng.shuffle(discussed)
    task_no = 0
    for n, (days_ago, kind) in enumerate(meeting_plan):
        held_at = (cw.base - dt.timedelta(days=days_ago)).replace(hour=8, minute=30, second=0,
                                                              microsecond=0)
        held = days_ago > 0 and held_at < cw.base - 3 * hour
        meeting: dict = {}

        def create_meeting(meeting=meeting, kind=kind, held_at=held_at):
            meeting["id"] = meetings.create_meeting(
                cw.coordinator.uow(), cw.coordinator.actor, kind, cw.units["SDF-RK"], titles[kind],
                held_at, "Stadsdelsförvaltningen, rum 3", [cw.uid[p] for p in participants]).id

        cw.tl.at(min(held_at - 7 * day, cw.base - day), create_meeting)
        if not held:
            continue
        on_agenda = [st for st in discussed[n * 3:] if cw.first(st) < held_at < cw.last(st)][:3]
        for k, st in enumerate(on_agenda):
            t_item = held_at + (k + 1) * dt.timedelta(minutes=20)
            decision = cw.rng.choice(MEETING_DECISIONS)
            cw.tl.at(t_item, lambda st=st, meeting=meeting, decision=decision:
                  meetings.add_meeting_item(cw.coordinator.uow(), cw.coordinator.actor,
                                            meeting["id"], st.case_id,
                                            "Genomgång av läget och av planens åtgärder.",
                                            decision))
            agency = Agency.CITY
            if st.police and cw.rng.random() < 0.4 and sees(st, Agency.POLICE, t_item,
                                                          Category.SOCIAL):
                agency = Agency.POLICE
            assignee = st.police if agency == Agency.POLICE else st.social_worker
            due = local_date(held_at) + dt.timedelta(days=14)
            title = cw.rng.choice(TASK_TITLES[agency])
            task: dict = {}

            def create_task(st=st, meeting=meeting, assignee=assignee, due=due, title=title,
                            task=task):
                task["id"] = tasks.create_task(
                    cw.coordinator.uow(), cw.coordinator.actor, st.case_id, title,
                    "Beslut i operativa gruppen.", cw.uid[assignee], due,
                    meeting_id=meeting["id"]).id

            cw.tl.at(held_at + 90 * dt.timedelta(minutes=1) + k * dt.timedelta(minutes=2),
                  create_task)
            finish = noon_of(due) - day
            if finish < cw.base - hour and task_no % 3 != 2:
                if task_no % 5 == 4:
                    cw.tl.at(finish, lambda task=task: tasks.cancel_task(
                        cw.coordinator.uow(), cw.coordinator.actor, task["id"],
                        "Inte längre aktuellt."))
                elif agency == Agency.CITY or sees(st, agency, finish, Category.SOCIAL):
                    who = cw.sessions[assignee]
                    cw.tl.at(finish, lambda who=who, task=task: tasks.complete_task(
                        who.uow(), who.actor, task["id"]))
            task_no += 1
        absent = [cw.uid[PROBATION]] if n % 2 else []
        cw.tl.at(held_at + 2 * hour, lambda meeting=meeting, absent=absent:
              meetings.mark_meeting_held(cw.coordinator.uow(), cw.coordinator.actor, meeting["id"],
                                         absent))


def _schedule_reminders(cw: _Casework) -> None:
    """A few of the social workers' own reminders, due in the coming days."""
    for k, st in enumerate(cw.running[:5]):
        sw = cw.sessions[st.social_worker]
        when = cw.base - dt.timedelta(days=2, hours=k)
        cw.tl.at(when, lambda sw=sw, st=st, k=k, when=when: tasks.create_task(
            sw.uow(), sw.actor, st.case_id, TASK_TITLES[Agency.CITY][k % 4], None,
            sw.actor.user_id, local_date(when) + dt.timedelta(days=k + 1)))


def _schedule_exit_intake(tl: Timeline, sessions, st: Story, t0: dt.datetime,
                          reason: str = "Vill lämna gänget; behöver hjälp med boende.",
                          contact_after: dt.timedelta = dt.timedelta(hours=7)) -> dict:
    """Request, first contact within the target, intake and a police threat
    assessment; returns where the programme's id will be (once played)."""
    sw, police = sessions[st.social_worker], sessions[st.police]
    day = dt.timedelta(days=1)
    ep: dict = {}

    def request():
        ep["id"] = exits.request_exit(sw.uow(), sw.actor, st.case_id, reason).id

    tl.at(t0, request)
    tl.at(t0 + contact_after,
          lambda: exits.record_first_contact(sw.uow(), sw.actor, ep["id"]))
    tl.at(t0 + 2 * day, lambda: exits.move_exit(sw.uow(), sw.actor, ep["id"], ExitState.INTAKE))
    tl.at(t0 + 3 * day, lambda: exits.add_threat_assessment(
        police.uow(), police.actor, st.case_id, ep["id"], RiskLevel.RED, THREAT_SUMMARIES[3]))
    return ep


def _schedule_exit_in_protection(tl: Timeline, sessions, st: Story, rng: random.Random,
                                 base: dt.datetime) -> None:
    """The whole way to protection and support: agreement approved by the
    supervisor, consent covering every agency, protected housing and support."""
    sw, police = sessions[st.social_worker], sessions[st.police]
    boss = sessions[CITY_SUPERVISOR]
    hour, day = dt.timedelta(hours=1), dt.timedelta(days=1)
    t0 = max(st.start + 6 * day, base - dt.timedelta(days=rng.uniform(90, 110)))
    ep = _schedule_exit_intake(tl, sessions, st, t0,
                               "Vill hoppa av; hotad av tidigare gruppering.", 6 * hour)
    signed = t0 + 12 * day
    tl.at(signed, lambda: exits.set_agreement(
        sw.uow(), sw.actor, ep["id"], "Inga kontakter med tidigare umgänge; drogfrihet; "
        "delta i planerade samtal; följa säkerhetsplanen.", local_date(signed)))
    tl.at(signed + hour, lambda: exits.move_exit(sw.uow(), sw.actor, ep["id"],
                                                 ExitState.AGREEMENT))
    tl.at(t0 + 13 * day, lambda: exits.approve_agreement(boss.uow(), boss.actor, ep["id"]))
    tl.at(t0 + 14 * day, lambda: exits.move_exit(sw.uow(), sw.actor, ep["id"],
                                                 ExitState.PROTECTION_SUPPORT))
    start = t0 + 15 * day
    tl.at(start, lambda: exits.add_measure(
        sw.uow(), sw.actor, st.case_id, ep["id"], MeasureKind.PROTECTED_HOUSING,
        "Skyddat boende i annan kommun via avhopparverksamheten.", local_date(start)))
    tl.at(start + hour, lambda: exits.add_measure(
        police.uow(), police.actor, st.case_id, ep["id"], MeasureKind.POLICE_PROTECTION_KIT,
        "Skyddspaket med larm utlämnat av polisen.", local_date(start)))
    for k, (kind, text) in enumerate((
            (SupportKind.INCOME_SUPPORT, "Ekonomiskt bistånd under etableringen."),
            (SupportKind.EMPLOYMENT, "Kontakt med jobbtorg på den nya orten."),
            (SupportKind.DEBT, "Budget- och skuldrådgivning."),
            (SupportKind.MOVING_BELONGINGS, "Hjälp att hämta tillhörigheter från bostaden."),
            (SupportKind.TREATMENT, "Öppenvårdsbehandling på den nya orten."))):
        when = start + day + k * 10 * dt.timedelta(minutes=1)
        tl.at(when, lambda kind=kind, text=text, when=when: exits.add_support(
            sw.uow(), sw.actor, st.case_id, ep["id"], kind, text, local_date(when)))
    tl.at(t0 + 60 * day, lambda: exits.move_exit(sw.uow(), sw.actor, ep["id"],
                                                 ExitState.FOLLOW_UP))
    tl.at(t0 + 61 * day, lambda: exits.move_exit(sw.uow(), sw.actor, ep["id"],
                                                 ExitState.PROTECTION_SUPPORT))
