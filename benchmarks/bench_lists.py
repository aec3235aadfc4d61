"""Benchmark: the operational list screens on the large store, with content.

The large store made by ``bench_store.py --keep --out benchmarks/out/full``
(50,000 persons, 60,000 cases, 1,000,000 notes) has no referrals, plans, exit
programmes, incidents, meetings or tasks, so the SIG, Avhoppare, Händelser,
Möten and Uppgifter screens and the dashboard have never been measured at
scale. This script

1. copies ``--store`` (default ``benchmarks/out/full``) to ``--out`` (default
   ``benchmarks/out/full-lists``) — the source is only read, never opened as a
   database — unless ``--out`` already holds a finished copy (the marker file
   ``content-added.json``; a copy without it is an interrupted run and is made
   again);
2. adds content to the copy with SQLAlchemy Core ``insert`` executemany in
   chunks (``bulk.bulk_insert``), opened with ``store.unlock`` as ``admin``:
   SIG referrals in every state, plans with goals and actions, exit programmes
   (some requested and waiting for first contact, some of those overdue) with
   threat assessments, protective measures and support, incidents over the last
   two years with their post-shooting routine steps and involvements, meetings
   with participants and items, and tasks (some overdue). Every row belongs to
   an existing case and its person, is dated inside the case's life, owned by
   the agency whose role may write it (the services' rules: referrals, plans,
   exit programmes, support and meeting items by the city; threat assessments,
   protective measures, involvements and tasks also by police and probation on
   cases where they are on the team), with the category the service would set.
   Seeded: the same seed and anchor time (``--now``, default the current hour,
   kept in the marker) give the same rows. One ``bench.seed`` entry in the
   access log covers the bulk;
3. measures, in one child process per user (so peak RSS is that user's), the
   service calls the GUI screens make when opened with their default filters
   (``ui/screens/{dashboard,sig,exits,incidents,meetings,tasks}.py``):
   ``dashboard.dashboard`` and ``consents.expiring_consents(30)``,
   ``referrals.list_referrals`` (ongoing), ``exits.list_exits`` (waiting for
   first contact, 50; and ongoing), ``incidents.list_incidents`` (last 90 days),
   ``meetings.list_meetings`` (from 90 days back) and ``tasks.list_tasks``
   (open) — first page of 200 rows. Each call once ("first run") and then
   ``--runs`` more times (median). These services count in the same call, so
   "count" is the time SQLite spent in the call's ``SELECT count(...)``
   statements (cursor execute time, from an engine event). The 1-minute load
   average is recorded before and after every list.
   ``--explain``: for every call whose median is over ``--explain-ms`` (300),
   one more run records each statement, its time, and SQLite's
   ``EXPLAIN QUERY PLAN`` for the slowest ones.

Results: a table on stdout and JSON in ``benchmarks/out/bench_lists-<time>.json``
(or ``--json FILE``).

    .venv/bin/python benchmarks/bench_lists.py                       # copy, fill, measure
    .venv/bin/python benchmarks/bench_lists.py --explain --runs 5
    .venv/bin/python benchmarks/bench_lists.py --users coord00,chef-police --explain
    .venv/bin/python benchmarks/bench_lists.py --no-measure          # only copy and fill
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bulk
from bench_store import StatementRecorder, depth
from sqlalchemy import bindparam, func, select, text, update

from trefas_app.demo import STREETS
from trefas_app.domain import clock
from trefas_app.domain.enums import (
    Agency,
    CaseState,
    Category,
    ExitEnding,
    ExitState,
    IncidentKind,
    IncidentState,
    LifeArea,
    MeasureKind,
    MeetingKind,
    PlanState,
    ReferralClosure,
    ReferralState,
    RiskLevel,
    Role,
    SupportKind,
    TaskState,
)
from trefas_app.domain.routine import INVOLVEMENT_ROLES, ROUTINE
from trefas_app.security import access
from trefas_app.services import (
    consents,
    dashboard,
    exits,
    incidents,
    meetings,
    referrals,
    tasks,
)
from trefas_app.services.exits import FIRST_CONTACT_TARGET, measure_category
from trefas_app.store import models as m
from trefas_app.store.store import unlock

OUT = HERE / "out"
MARKER = "content-added.json"
#: Tables this script fills; they must be empty in the fresh copy.
CONTENT_TABLES = (m.Referral, m.Plan, m.PlanGoal, m.PlanAction, m.ExitProgramme,
                  m.ThreatAssessment, m.ProtectiveMeasure, m.SupportComponent, m.Incident,
                  m.IncidentInvolvement, m.RoutineStep, m.Meeting, m.MeetingParticipant,
                  m.MeetingItem, m.Task)
UTC = dt.UTC
DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)


# --- the knobs --------------------------------------------------------------------------


@dataclass
class ListSpec:
    seed: int = 4711
    #: Content is dated within this many days before the anchor time.
    history_days: int = 730
    referrals: int = 8_000
    plans: int = 4_000
    exits: int = 2_000
    incidents: int = 3_000
    meetings: int = 2_000
    tasks: int = 30_000
    #: Share of content on ongoing (not closed) cases.
    ongoing_share: float = 0.85


REFERRAL_STATES = {ReferralState.RECEIVED: 6, ReferralState.INITIAL_ASSESSMENT: 7,
                   ReferralState.CONSENT: 6, ReferralState.GRANTED: 5,
                   ReferralState.DECLINED: 8, ReferralState.MAPPING: 8, ReferralState.PLAN: 8,
                   ReferralState.INTERVENTIONS: 22, ReferralState.FOLLOW_UP: 10,
                   ReferralState.CLOSED: 20}
REFERRAL_CLOSURES = {ReferralClosure.COMPLETED: 50, ReferralClosure.CONSENT_WITHDRAWN: 15,
                     ReferralClosure.MOVED: 15, ReferralClosure.DECLINED: 8,
                     ReferralClosure.OTHER: 12}
_DECIDED = {ReferralState.GRANTED, ReferralState.DECLINED, ReferralState.MAPPING,
            ReferralState.PLAN, ReferralState.INTERVENTIONS, ReferralState.FOLLOW_UP,
            ReferralState.CLOSED}
PLAN_STATES = {PlanState.DRAFT: 20, PlanState.APPROVED: 30, PlanState.FOLLOWED_UP: 35,
               PlanState.ENDED: 15}
EXIT_STATES = {ExitState.REQUESTED: 7, ExitState.FIRST_CONTACT: 6, ExitState.INTAKE: 12,
               ExitState.AGREEMENT: 10, ExitState.PROTECTION_SUPPORT: 30,
               ExitState.FOLLOW_UP: 15, ExitState.ENDED: 20}
EXIT_ENDINGS = {ExitEnding.GOALS_REACHED: 35, ExitEnding.BREACH: 15,
                ExitEnding.THREAT_GONE: 15, ExitEnding.MOVED: 15, ExitEnding.WITHDREW: 20}
_EXIT_ORDER = list(ExitState)
INCIDENT_KINDS = {IncidentKind.SHOOTING: 50, IncidentKind.EXPLOSION: 20,
                  IncidentKind.STABBING: 20, IncidentKind.OTHER: 10}
INVOLVEMENTS = {"victim": 20, "relative": 20, "witness": 15, "suspected": 20, "concerned": 25}
INVOLVEMENTS_PER_INCIDENT = {0: 15, 1: 25, 2: 25, 3: 20, 4: 10, 5: 5}
MEETING_KINDS = {MeetingKind.OPERATIONAL_GROUP: 50, MeetingKind.JOINT: 35, MeetingKind.SIP: 15}
MEASURE_KINDS = {MeasureKind.PROTECTED_HOUSING: 35, MeasureKind.PROTECTED_IDENTITY: 20,
                 MeasureKind.POLICE_PROTECTION_KIT: 30, MeasureKind.OTHER: 15}

REASONS = ["Upprepade polisanmälningar och oro från skolan.",
           "Kontakter med kriminellt nätverk enligt polisens bedömning.",
           "Frigiven från anstalt, behov av samordnat stöd.",
           "Anhörig till person skjuten i området.",
           "Orosanmälan från socialtjänstens öppenvård."]
GOALS = {LifeArea.WORK: "Ha en praktikplats eller ett arbete.",
         LifeArea.STUDIES: "Slutföra gymnasiet eller komvux.",
         LifeArea.HEALTH: "Regelbunden kontakt med vården.",
         LifeArea.DRUG_FREE: "Leva drogfritt, följt med provtagning.",
         LifeArea.SOCIAL_NETWORK: "Bryta med tidigare umgänge; ny fritidsaktivitet.",
         LifeArea.HOUSING: "Eget förstahandskontrakt."}
ACTIONS = {LifeArea.WORK: "Möte med arbetsmarknadsförvaltningen.",
           LifeArea.STUDIES: "Ansökan till komvux.",
           LifeArea.HEALTH: "Remiss till beroendevården.",
           LifeArea.DRUG_FREE: "Motiverande samtal varannan vecka.",
           LifeArea.SOCIAL_NETWORK: "Kontaktperson via socialtjänsten.",
           LifeArea.HOUSING: "Kontakt med bostadsbolaget om omflyttning."}
SUPPORT_TEXT = {SupportKind.INCOME_SUPPORT: "Ekonomiskt bistånd under flytten.",
                SupportKind.TREATMENT: "Öppenvårdsbehandling.",
                SupportKind.EMPLOYMENT: "Praktik via arbetsmarknadsförvaltningen.",
                SupportKind.DEBT: "Skuldrådgivning.",
                SupportKind.CONTACT_PERSON: "Kontaktperson två gånger i veckan.",
                SupportKind.MOVING_BELONGINGS: "Hjälp att flytta tillhörigheter.",
                SupportKind.OTHER: "Övrigt stöd enligt överenskommelsen."}
MEASURE_TEXT = {MeasureKind.PROTECTED_HOUSING: "Skyddat boende på annan ort.",
                MeasureKind.PROTECTED_IDENTITY: "Ansökan om skyddade personuppgifter.",
                MeasureKind.POLICE_PROTECTION_KIT: "Skyddspaket från polisen (larm, telefon).",
                MeasureKind.OTHER: "Övrig skyddsåtgärd."}
INCIDENT_TEXT = {IncidentKind.SHOOTING: "Skottlossning utomhus, en person skadad.",
                 IncidentKind.EXPLOSION: "Detonation vid entré till flerbostadshus.",
                 IncidentKind.STABBING: "Knivskärning i samband med bråk.",
                 IncidentKind.OTHER: "Allvarlig händelse i området."}
TASK_TITLES = ["Boka uppföljningssamtal", "Kontakta skolan om närvaro",
               "Ta fram underlag till SIP-möte", "Följ upp praktikplats",
               "Kontrollera samtyckets giltighet", "Återkoppla till polisen",
               "Hembesök", "Följ upp hotbildsbedömning", "Kontakta frivården",
               "Ansök om kontaktperson"]

# The screens' default filters (ui/screens/sig.py ONGOING, exits.py ONGOING and
# WAITING_LIMIT, incidents.py IncidentParams, meetings.py MeetingParams,
# tasks.py TaskParams; ui/models/paged.py PAGE_SIZE), written out here so that
# the measuring process does not import Qt.
PAGE_SIZE = 200
SIG_ONGOING = tuple(s for s in ReferralState if s not in (ReferralState.CLOSED,
                                                          ReferralState.DECLINED))
EXIT_ONGOING = tuple(s for s in ExitState if s != ExitState.ENDED)
EXIT_WAITING_LIMIT = 50
INCIDENT_DAYS = 90
MEETING_DAYS = 90


# --- what the copy already holds ---------------------------------------------------------


@dataclass
class CaseFacts:
    id: int
    person: int
    unit: int
    state: CaseState
    opened: dt.datetime
    last: dt.datetime
    city: list[int]  # city users on the team, responsible first
    police: int | None
    probation: int | None

    @property
    def ongoing(self) -> bool:
        return self.state != CaseState.CLOSED


@dataclass
class Org:
    city_units: list[int]
    unit_name: dict[int, str]
    coordinator: dict[int, int]  # city unit -> coordinator
    social_workers: dict[int, list[int]]
    liaisons_for: dict[int, list[int]]  # city unit -> police liaisons working there
    officers_for: dict[int, list[int]]  # city unit -> probation officers working there
    supervisor: dict[Agency, int]
    agency_of: dict[int, Agency]


def load_facts(engine) -> tuple[list[CaseFacts], Org]:
    with engine.connect() as c:
        users = c.execute(select(m.User.id, m.User.role, m.User.agency, m.User.unit_id)).all()
        units = dict(c.execute(select(m.Unit.id, m.Unit.name)).all())
        city_units = sorted(c.execute(select(m.Unit.id).where(
            m.Unit.agency == Agency.CITY)).scalars())
        team = c.execute(select(m.TeamMember.case_id, m.TeamMember.user_id,
                                m.TeamMember.responsible)
                         .order_by(m.TeamMember.case_id, m.TeamMember.id)).all()
        rows = c.execute(select(m.Case.id, m.Case.person_id, m.Case.unit_id, m.Case.state,
                                m.Case.opened_at, m.Case.last_entry_at)
                         .order_by(m.Case.id)).all()
    role = {u.id: Role(u.role) for u in users}
    agency = {u.id: Agency(u.agency) for u in users}
    members: dict[int, list[tuple[int, bool]]] = defaultdict(list)
    for case_id, user_id, responsible in team:
        members[case_id].append((user_id, bool(responsible)))
    cases = []
    liaisons: dict[int, Counter] = defaultdict(Counter)
    officers: dict[int, Counter] = defaultdict(Counter)
    for r in rows:
        team_of = sorted(members.get(r.id, []), key=lambda t: not t[1])
        city = [u for u, _ in team_of if agency[u] == Agency.CITY]
        police = next((u for u, _ in team_of if role[u] == Role.POLICE_LIAISON), None)
        probation = next((u for u, _ in team_of if role[u] == Role.PROBATION_OFFICER), None)
        if not city:
            continue  # every bench case has one; skip anything else
        cases.append(CaseFacts(r.id, r.person_id, r.unit_id, CaseState(r.state), r.opened_at,
                               r.last_entry_at, city, police, probation))
        if police:
            liaisons[r.unit_id][police] += 1
        if probation:
            officers[r.unit_id][probation] += 1
    coordinator, social_workers = {}, defaultdict(list)
    supervisor = {}
    for u in users:
        if u.role == Role.COORDINATOR:
            coordinator.setdefault(u.unit_id, u.id)
        elif u.role == Role.SOCIAL_WORKER:
            social_workers[u.unit_id].append(u.id)
        elif u.role == Role.SUPERVISOR:
            supervisor.setdefault(Agency(u.agency), u.id)
    org = Org(city_units=[u for u in city_units if u in coordinator], unit_name=units,
              coordinator=coordinator, social_workers=dict(social_workers),
              liaisons_for={u: sorted(c) for u, c in liaisons.items()},
              officers_for={u: sorted(c) for u, c in officers.items()},
              supervisor=supervisor, agency_of=agency)
    return cases, org


# --- generation ----------------------------------------------------------------------------


def _pick(rng: random.Random, table: dict):
    keys, weights = zip(*table.items())
    return rng.choices(keys, weights)[0]


class Gen:
    """Builds every row in memory (≈ 130,000 rows), with explicit ids so that
    children can point at their parents, then inserts them table by table."""

    def __init__(self, spec: ListSpec, cases: list[CaseFacts], org: Org, now: dt.datetime,
                 bases: dict[str, int]):
        self.spec, self.org, self.now = spec, org, now
        self.rng = random.Random(spec.seed)
        self.today = access.local_date(now)
        self.start = now - dt.timedelta(days=spec.history_days)
        self.bases = bases
        # Content is dated inside the case's life: from its opening (or the start
        # of the history) to now for an ongoing case, to its last entry for a closed one.
        self.window: dict[int, tuple[dt.datetime, dt.datetime]] = {}
        for c in cases:
            lo = max(c.opened, self.start)
            hi = now if c.ongoing else c.last
            if hi > lo + HOUR:
                self.window[c.id] = (lo, hi)
        self.cases = {c.id: c for c in cases if c.id in self.window}
        self.ongoing = [c for c in self.cases.values() if c.ongoing]
        self.closed = [c for c in self.cases.values() if not c.ongoing]
        self.by_unit: dict[int, list[CaseFacts]] = defaultdict(list)
        for c in self.cases.values():
            self.by_unit[c.unit].append(c)
        self.touched: dict[int, dt.datetime] = {}  # case id -> latest content time
        self.rows: dict[str, list[dict]] = defaultdict(list)

    # helpers -------------------------------------------------------------------------

    def next_id(self, table: str) -> int:
        self.bases[table] += 1
        return self.bases[table]

    def case(self, ongoing: bool | None = None) -> CaseFacts:
        if ongoing is None:
            ongoing = self.rng.random() < self.spec.ongoing_share
        return self.rng.choice(self.ongoing if ongoing else self.closed)

    def when(self, c: CaseFacts, after: dt.datetime | None = None, recent: float = 1.0,
             ) -> dt.datetime:
        """A time in the case's window (after ``after``); ``recent`` > 1 leans
        towards the end of the window."""
        lo, hi = self.window[c.id]
        if after is not None:
            lo = min(max(lo, after), hi)
        return hi - (hi - lo) * (self.rng.random() ** recent)

    def clamp(self, c: CaseFacts, t: dt.datetime) -> dt.datetime:
        return min(t, self.window[c.id][1])

    def inside(self, c: CaseFacts, t: dt.datetime) -> dt.datetime:
        lo, hi = self.window[c.id]
        return min(max(t, lo), hi)

    def touch(self, c: CaseFacts, t: dt.datetime) -> None:
        if t > self.touched.get(c.id, t - HOUR):
            self.touched[c.id] = t

    def author(self, c: CaseFacts, police_share: float = 0.0,
               probation_share: float = 0.0) -> tuple[Agency, int]:
        r = self.rng.random()
        if c.police and r < police_share:
            return Agency.POLICE, c.police
        if c.probation and r > 1 - probation_share:
            return Agency.PROBATION, c.probation
        return Agency.CITY, c.city[0]

    def content(self, c: CaseFacts, owner: Agency, category: Category, created: dt.datetime,
                by: int) -> dict:
        self.touch(c, created)
        return {"case_id": c.id, "person_id": c.person, "owner_agency": owner,
                "category": category, "created_at": created, "created_by_id": by}

    # referrals -------------------------------------------------------------------------

    def referrals(self) -> None:
        rng = self.rng
        n = min(self.spec.referrals, len(self.ongoing) // 2, len(self.closed) * 4)
        self.referral_cases: dict[int, ReferralState] = {}
        while len(self.referral_cases) < n:
            state = _pick(rng, REFERRAL_STATES)
            c = self.case(ongoing=True if state in SIG_ONGOING else None)
            if c.id in self.referral_cases:
                continue
            early = state in (ReferralState.RECEIVED, ReferralState.INITIAL_ASSESSMENT,
                              ReferralState.CONSENT)
            received = (self.inside(c, self.now - dt.timedelta(days=rng.uniform(0, 60)))
                        if early else self.when(c))
            source, by = self.author(c, police_share=0.45, probation_share=0.15)
            decided = closed = None
            if state in _DECIDED:
                decided = self.clamp(c, received + dt.timedelta(days=rng.uniform(7, 40)))
            if state == ReferralState.CLOSED:
                closed = self.clamp(c, decided + dt.timedelta(days=rng.uniform(20, 300)))
            self.referral_cases[c.id] = state
            self.rows["referrals"].append({
                "id": self.next_id("referrals"), "state": state, "source_agency": source,
                "received_at": received, "reason": rng.choice(REASONS),
                "decision_note": "Beslut i SIG-gruppen." if decided else None,
                "decided_at": decided,
                "decided_by_id": self.org.coordinator.get(c.unit) if decided else None,
                "closure": _pick(rng, REFERRAL_CLOSURES) if closed else None,
                "closed_at": closed,
                "updated_at": closed or decided,
                **self.content(c, Agency.CITY, Category.SOCIAL, received, by)})
            self.touch(c, closed or decided or received)

    # plans -----------------------------------------------------------------------------

    def plans(self) -> None:
        rng = self.rng
        worked = [self.cases[cid] for cid, st in self.referral_cases.items()
                  if st in (ReferralState.MAPPING, ReferralState.PLAN,
                            ReferralState.INTERVENTIONS, ReferralState.FOLLOW_UP,
                            ReferralState.CLOSED)]
        rng.shuffle(worked)
        chosen = worked[: int(self.spec.plans * 0.6)]
        taken = {c.id for c in chosen}
        while len(chosen) < min(self.spec.plans, len(self.cases) // 3):
            c = self.case()
            if c.id not in taken:
                taken.add(c.id)
                chosen.append(c)
        for c in chosen:
            state = PlanState.ENDED if not c.ongoing else _pick(rng, PLAN_STATES)
            created = self.when(c)
            pid = self.next_id("plans")
            overall = _pick(rng, {Agency.CITY: 75, Agency.PROBATION: 15, Agency.POLICE: 10})
            overall_user = {Agency.CITY: c.city[0], Agency.POLICE: c.police,
                            Agency.PROBATION: c.probation}[overall]
            if overall_user is None:
                overall, overall_user = Agency.CITY, c.city[0]
            approved = None
            if state != PlanState.DRAFT and (state != PlanState.ENDED or rng.random() < 0.8):
                approved = self.clamp(c, created + dt.timedelta(days=rng.uniform(5, 30)))
            follow_up = None
            if state in (PlanState.APPROVED, PlanState.FOLLOWED_UP):
                follow_up = self.today + dt.timedelta(days=rng.randint(-30, 150))
            self.rows["plans"].append({
                "id": pid, "is_sip": rng.random() < 0.3, "state": state,
                "overall_agency": overall,
                "overall_user_id": overall_user if rng.random() < 0.8 else None,
                "approved_at": approved,
                "approved_by_id": self.org.supervisor[Agency.CITY] if approved else None,
                "next_follow_up": follow_up, "updated_at": approved,
                **self.content(c, Agency.CITY, Category.SOCIAL, created, c.city[0])})
            areas = rng.sample(list(LifeArea), rng.randint(1, 4))
            for area in areas:
                self.rows["plan_goals"].append({"id": self.next_id("plan_goals"),
                                                "plan_id": pid, "life_area": area,
                                                "goal": GOALS[area]})
            for _ in range(rng.randint(1, 5)):
                area = rng.choice(areas)
                agency = _pick(rng, {Agency.CITY: 65, Agency.PROBATION: 15,
                                     Agency.POLICE: 10})
                user = {Agency.CITY: c.city[-1], Agency.POLICE: c.police,
                        Agency.PROBATION: c.probation}[agency]
                due = (created + dt.timedelta(days=rng.randint(14, 180))).date()
                done = None
                if due < self.today and rng.random() < 0.7 or state == PlanState.ENDED:
                    done = self.clamp(c, created + dt.timedelta(days=rng.randint(7, 180)))
                self.rows["plan_actions"].append({
                    "id": self.next_id("plan_actions"), "plan_id": pid, "life_area": area,
                    "description": ACTIONS[area], "responsible_agency": agency,
                    "responsible_user_id": user, "due_date": due,
                    "follow_up_date": due + dt.timedelta(days=rng.randint(0, 30)),
                    "done_at": done})
            self.touch(c, approved or created)

    # exit programmes -------------------------------------------------------------------

    def exits(self) -> None:
        rng, now = self.rng, self.now
        taken: set[int] = set()
        for _ in range(min(self.spec.exits, len(self.ongoing) // 3)):
            state = _pick(rng, EXIT_STATES)
            while True:
                c = self.case(ongoing=True if state != ExitState.ENDED else None)
                if c.id not in taken:
                    taken.add(c.id)
                    break
            reached = _EXIT_ORDER.index(state)
            if state == ExitState.REQUESTED:
                # Waiting for first contact: requested in the last 2.5 days; the
                # 24-hour target has passed for about 60 % of them.
                requested = self.inside(c, now - dt.timedelta(hours=rng.uniform(0.5, 60)))
            else:
                requested = self.when(c, recent=1.3)
            if state == ExitState.ENDED:
                reached = rng.randint(0, _EXIT_ORDER.index(ExitState.FOLLOW_UP))
            contact = approved = signed = ended = None
            conditions = None
            if reached >= 1:
                contact = self.clamp(c, requested + dt.timedelta(hours=rng.uniform(1, 40)))
            if reached >= 3:
                conditions = "Inga kontakter med tidigare umgänge; drogfrihet; följa planen."
                if reached > 3 or rng.random() < 0.5:
                    signed_at = self.clamp(c, contact + dt.timedelta(days=rng.uniform(7, 40)))
                    signed = access.local_date(signed_at)
                    if reached > 3 or rng.random() < 0.5:
                        approved = self.clamp(c, signed_at + dt.timedelta(days=rng.uniform(1, 5)))
            if state == ExitState.ENDED:
                ended = self.clamp(c, (contact or requested)
                                   + dt.timedelta(days=rng.uniform(20, 400)))
            eid = self.next_id("exit_programmes")
            self.rows["exit_programmes"].append({
                "id": eid, "state": state, "requested_at": requested,
                "first_contact_due": requested + FIRST_CONTACT_TARGET,
                "first_contact_at": contact,
                "needs": "Skydd, boende på annan ort och sysselsättning.",
                "agreement_conditions": conditions, "agreement_signed_on": signed,
                "agreement_approved_at": approved,
                "agreement_approved_by_id": self.org.supervisor[Agency.CITY] if approved else None,
                "ending": _pick(rng, EXIT_ENDINGS) if ended else None, "ended_at": ended,
                "updated_at": ended or approved or contact,
                **self.content(c, Agency.CITY, Category.SOCIAL, requested, c.city[0])})
            self.touch(c, ended or approved or contact or requested)
            start = contact or requested
            if reached >= 2 or rng.random() < 0.4:
                for _ in range(rng.randint(1, 2) + (reached >= 4)):
                    owner, by = self.author(c, police_share=0.5)
                    at = self.when(c, after=start)
                    self.rows["threat_assessments"].append({
                        "id": self.next_id("threat_assessments"), "exit_programme_id": eid,
                        "assessed_at": at,
                        "level": _pick(rng, {RiskLevel.RED: 40, RiskLevel.YELLOW: 40,
                                             RiskLevel.GREEN: 20}),
                        "summary": "Hotbilden bedöms utifrån polisens underlag.",
                        **self.content(c, owner, Category.THREAT, at, by)})
            if approved is not None:
                for kind in rng.sample(list(MEASURE_KINDS), rng.randint(0, 2)):
                    owner, by = Agency.CITY, c.city[0]
                    if kind == MeasureKind.POLICE_PROTECTION_KIT and c.police:
                        owner, by = Agency.POLICE, c.police
                    at = self.when(c, after=approved)
                    self.rows["protective_measures"].append({
                        "id": self.next_id("protective_measures"), "exit_programme_id": eid,
                        "kind": kind, "description": MEASURE_TEXT[kind],
                        "started_on": access.local_date(at),
                        "ended_on": (access.local_date(ended) if ended
                                     else access.local_date(self.when(c, after=at))
                                     if rng.random() < 0.2 else None),
                        **self.content(c, owner, measure_category(kind), at, by)})
                for kind in rng.sample(list(SupportKind), rng.randint(1, 4)):
                    at = self.when(c, after=approved)
                    self.rows["support_components"].append({
                        "id": self.next_id("support_components"), "exit_programme_id": eid,
                        "kind": kind, "description": SUPPORT_TEXT[kind],
                        "started_on": access.local_date(at),
                        "ended_on": access.local_date(ended) if ended else None,
                        **self.content(c, Agency.CITY, Category.SOCIAL, at, c.city[0])})

    # incidents -------------------------------------------------------------------------

    def incidents(self) -> None:
        rng, now, org = self.rng, self.now, self.org
        unit_weights = [3 if i < 2 else 1 for i in range(len(org.city_units))]
        occurred = sorted(now - dt.timedelta(days=self.spec.history_days * rng.random())
                          for _ in range(self.spec.incidents))
        per_year: Counter = Counter()
        self.involvements: list[tuple[int, CaseFacts, dt.datetime]] = []
        for at in occurred:
            unit = rng.choices(org.city_units, unit_weights)[0]
            liaisons = org.liaisons_for.get(unit) or [None]
            coord = org.coordinator[unit]
            if liaisons[0] is not None and rng.random() < 0.7:
                owner, reporter = Agency.POLICE, rng.choice(liaisons)
            else:
                owner, reporter = Agency.CITY, coord
            year = access.local_date(at).year
            per_year[year] += 1
            age = (now - at) / DAY
            if age > 45:
                state = IncidentState.CLOSED if rng.random() < 0.95 else IncidentState.ROUTINE
            elif age > 10:
                state = IncidentState.CLOSED if rng.random() < 0.4 else IncidentState.ROUTINE
            else:
                state = IncidentState.REPORTED if rng.random() < 0.4 else IncidentState.ROUTINE
            kind = _pick(rng, INCIDENT_KINDS)
            iid = self.next_id("incidents")
            created = min(now, at + dt.timedelta(hours=rng.uniform(0.3, 6)))
            last_done = created
            for template in ROUTINE:
                due = at + template.due_offset
                done = None
                if state == IncidentState.CLOSED or (
                        state == IncidentState.ROUTINE
                        and rng.random() < (0.6 if due < now else 0.2)):
                    done = min(now, at + template.due_offset * rng.uniform(0.3, 1.4))
                    last_done = max(last_done, done)
                doer = coord if template.owner_agency == Agency.CITY else (
                    rng.choice(liaisons) if liaisons[0] is not None else None)
                self.rows["routine_steps"].append({
                    "id": self.next_id("routine_steps"), "incident_id": iid,
                    "step_key": template.key, "title": template.title_sv,
                    "owner_agency": template.owner_agency,
                    "owner_user_id": doer if rng.random() < 0.5 else None,
                    "due_at": due, "done_at": done, "done_by_id": doer if done else None,
                    "comment": "Genomfört enligt rutinen." if done and rng.random() < 0.2
                    else None})
            closed = (min(now, last_done + dt.timedelta(hours=rng.uniform(1, 48)))
                      if state == IncidentState.CLOSED else None)
            self.rows["incidents"].append({
                "id": iid, "number": f"H-{year}-{per_year[year]:05d}", "kind": kind,
                "occurred_at": at, "unit_id": unit,
                "place": f"{rng.choice(STREETS)} {rng.randint(1, 60)}",
                "summary": INCIDENT_TEXT[kind], "state": state, "owner_agency": owner,
                "closed_at": closed, "created_at": created, "created_by_id": reporter,
                "updated_at": closed})
            # Persons involved: cases of the district that were open at the time.
            pool = self.by_unit.get(unit, [])
            seen: set[tuple[int, str]] = set()
            for _ in range(_pick(rng, INVOLVEMENTS_PER_INCIDENT)):
                for _try in range(30):
                    c = rng.choice(pool)
                    lo, hi = self.window[c.id]
                    if lo <= at <= hi - HOUR:
                        break
                else:
                    continue
                role = _pick(rng, INVOLVEMENTS)
                if (c.id, role) in seen:
                    continue
                seen.add((c.id, role))
                owner_i, by = self.author(c, police_share=0.6)
                t = self.clamp(c, at + dt.timedelta(hours=rng.uniform(1, 120)))
                self.rows["incident_involvements"].append({
                    "id": self.next_id("incident_involvements"), "incident_id": iid,
                    "involvement": role,
                    **self.content(c, owner_i, incidents.INVOLVEMENT_CATEGORY, t, by)})
                self.involvements.append((iid, c, t))
        assert set(INVOLVEMENTS) <= set(INVOLVEMENT_ROLES)

    # meetings --------------------------------------------------------------------------

    def meetings(self) -> None:
        rng, now, org = self.rng, self.now, self.org
        self.items: list[tuple[int, CaseFacts, dt.datetime]] = []
        for _ in range(self.spec.meetings):
            unit = rng.choice(org.city_units)
            kind = _pick(rng, MEETING_KINDS)
            future = rng.random() < 0.1
            day = (now + dt.timedelta(days=rng.uniform(0, 60)) if future
                   else now - dt.timedelta(days=self.spec.history_days * rng.random()))
            held_at = day.replace(hour=rng.choice([7, 8, 12, 13]), minute=0, second=0,
                                  microsecond=0)
            held = held_at < now and rng.random() < 0.97
            chair = org.coordinator[unit]
            mid = self.next_id("meetings")
            name = org.unit_name.get(unit, "")
            title = {MeetingKind.OPERATIONAL_GROUP: f"Operativ grupp {name}",
                     MeetingKind.JOINT: f"Samverkansmöte {name}",
                     MeetingKind.SIP: "SIP-möte"}[kind]
            self.rows["meetings"].append({
                "id": mid, "kind": kind, "unit_id": unit,
                "title": f"{title} v. {held_at.isocalendar()[1]}", "held_at": held_at,
                "place": f"{name}, sammanträdesrum", "chair_id": chair, "held": held,
                "created_at": min(now, held_at - dt.timedelta(days=rng.uniform(1, 14))),
                "created_by_id": chair})
            people = {chair}
            people.update(rng.sample(org.social_workers[unit], rng.randint(1, 3)))
            if org.liaisons_for.get(unit):
                people.update(rng.sample(org.liaisons_for[unit],
                                         min(len(org.liaisons_for[unit]), rng.randint(0, 2))))
            if org.officers_for.get(unit) and rng.random() < 0.5:
                people.add(rng.choice(org.officers_for[unit]))
            for uid in sorted(people):
                self.rows["meeting_participants"].append({
                    "id": self.next_id("meeting_participants"), "meeting_id": mid,
                    "user_id": uid, "present": not held or rng.random() < 0.9})
            n_items = {MeetingKind.OPERATIONAL_GROUP: rng.randint(4, 9),
                       MeetingKind.JOINT: rng.randint(2, 6), MeetingKind.SIP: 1}[kind]
            pool = self.by_unit.get(unit, [])
            seen: set[int] = set()
            for _ in range(n_items):
                for _try in range(30):
                    c = rng.choice(pool)
                    lo, hi = self.window[c.id]
                    if c.id not in seen and lo <= min(held_at, now - HOUR) <= hi - HOUR:
                        break
                else:
                    continue
                seen.add(c.id)
                t = self.inside(c, min(now, held_at - dt.timedelta(hours=rng.uniform(0, 48))))
                self.rows["meeting_items"].append({
                    "id": self.next_id("meeting_items"), "meeting_id": mid,
                    "discussion": "Lägesbild och fortsatt planering.",
                    "decision": "Fortsatt samverkan; uppföljning nästa möte." if held else None,
                    **self.content(c, Agency.CITY, meetings.ITEM_CATEGORY, t, chair)})
                if held:
                    self.items.append((mid, c, held_at))

    # tasks -----------------------------------------------------------------------------

    def tasks(self) -> None:
        rng, now, today = self.rng, self.now, self.today
        for _ in range(self.spec.tasks):
            meeting_id = incident_id = None
            r = rng.random()
            if r < 0.25 and self.items:
                meeting_id, c, at = rng.choice(self.items)
                created = self.clamp(c, min(now, at + dt.timedelta(hours=rng.uniform(1, 6))))
            elif r < 0.33 and self.involvements:
                incident_id, c, at = rng.choice(self.involvements)
                created = self.clamp(c, min(now, at + dt.timedelta(hours=rng.uniform(1, 48))))
            else:
                c = self.case()
                created = self.when(c, recent=2.0)
            owner, by = self.author(c, police_share=0.3, probation_share=0.2)
            if meeting_id is not None:
                owner, by = Agency.CITY, c.city[0]
            team = c.city + [u for u in (c.police, c.probation) if u]
            a = rng.random()
            assignee = by if a < 0.5 else rng.choice(team) if a < 0.85 else None
            assignee_agency = self.org.agency_of[assignee] if assignee else owner
            due = (access.local_date(created) + dt.timedelta(days=rng.randint(3, 45))
                   if rng.random() < 0.9 else None)
            if due is not None and due >= today:
                state = _pick(rng, {TaskState.OPEN: 85, TaskState.DONE: 13,
                                    TaskState.CANCELLED: 2})
            else:  # the due date has passed: mostly done, some overdue
                state = _pick(rng, {TaskState.OPEN: 12, TaskState.DONE: 78,
                                    TaskState.CANCELLED: 10})
            if not c.ongoing and state == TaskState.OPEN:
                state = TaskState.DONE
            completed = None
            if state != TaskState.OPEN:
                completed = self.clamp(c, min(now, created + dt.timedelta(
                    days=rng.uniform(0.5, 50))))
            self.rows["tasks"].append({
                "id": self.next_id("tasks"), "meeting_id": meeting_id,
                "incident_id": incident_id, "title": rng.choice(TASK_TITLES),
                "description": None if rng.random() < 0.5 else "Se anteckning i ärendet.",
                "assignee_id": assignee, "assignee_agency": assignee_agency, "due_on": due,
                "state": state, "completed_at": completed,
                "completed_by_id": (assignee or by) if completed else None,
                "updated_at": completed,
                **self.content(c, owner, tasks.TASK_CATEGORY, created, by)})
            if completed:
                self.touch(c, completed)


#: Insert order (parents first) and the model of each table.
TABLES = [("referrals", m.Referral), ("plans", m.Plan), ("plan_goals", m.PlanGoal),
          ("plan_actions", m.PlanAction), ("exit_programmes", m.ExitProgramme),
          ("threat_assessments", m.ThreatAssessment),
          ("protective_measures", m.ProtectiveMeasure),
          ("support_components", m.SupportComponent), ("incidents", m.Incident),
          ("routine_steps", m.RoutineStep),
          ("incident_involvements", m.IncidentInvolvement), ("meetings", m.Meeting),
          ("meeting_participants", m.MeetingParticipant), ("meeting_items", m.MeetingItem),
          ("tasks", m.Task)]


def summarize(rows: dict[str, list[dict]], now: dt.datetime) -> dict:
    """Row counts and the shares a reader wants to check."""
    today = access.local_date(now)
    out: dict = {name: len(rows[name]) for name, _ in TABLES}

    def by(name, key):
        return dict(sorted(Counter(str(r[key]) for r in rows[name]).items()))

    out["referrals_by_state"] = by("referrals", "state")
    out["referrals_by_source"] = by("referrals", "source_agency")
    out["plans_by_state"] = by("plans", "state")
    out["exits_by_state"] = by("exit_programmes", "state")
    waiting = [r for r in rows["exit_programmes"] if r["state"] == ExitState.REQUESTED]
    out["exits_waiting_first_contact"] = len(waiting)
    out["exits_waiting_overdue"] = sum(r["first_contact_due"] < now for r in waiting)
    out["incidents_by_state"] = by("incidents", "state")
    out["incidents_last_90_days"] = sum(r["occurred_at"] >= now - 90 * DAY
                                        for r in rows["incidents"])
    out["involvements_by_owner"] = by("incident_involvements", "owner_agency")
    out["meetings_from_90_days_back"] = sum(r["held_at"] >= now - 90 * DAY
                                            for r in rows["meetings"])
    out["tasks_by_state"] = by("tasks", "state")
    out["tasks_by_owner"] = by("tasks", "owner_agency")
    out["tasks_open_overdue"] = sum(r["state"] == TaskState.OPEN and r["due_on"] is not None
                                    and r["due_on"] < today for r in rows["tasks"])
    out["threats_by_owner"] = by("threat_assessments", "owner_agency")
    out["measures_by_owner"] = by("protective_measures", "owner_agency")
    return out


def generate(root: Path, spec: ListSpec, now: dt.datetime, admin: str, say) -> dict:
    """Fill the copy at ``root`` (a store directory). Returns the summary."""
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    store = unlock(root, admin, bulk.BENCH_PASSWORD)
    seconds["unlock"] = time.perf_counter() - t0
    try:
        engine = store.engine
        with engine.connect() as c:
            filled = {model.__tablename__: c.scalar(select(func.count()).select_from(model))
                      for model in CONTENT_TABLES}
            bases = {model.__tablename__: c.scalar(select(func.max(model.id))) or 0
                     for model in CONTENT_TABLES}
        if any(filled.values()):
            raise SystemExit(f"the copy already holds content: {filled}; delete it and rerun")
        t = time.perf_counter()
        cases, org = load_facts(engine)
        gen = Gen(spec, cases, org, now, bases)
        for step in (gen.referrals, gen.plans, gen.exits, gen.incidents, gen.meetings,
                     gen.tasks):
            step()
        seconds["build_rows"] = time.perf_counter() - t
        say(f"built {sum(len(v) for v in gen.rows.values()):,} rows "
            f"in {seconds['build_rows']:.1f} s")
        for name, model in TABLES:
            t = time.perf_counter()
            bulk.bulk_insert(engine, model, gen.rows[name], progress=say)
            seconds[name] = round(time.perf_counter() - t, 2)
        # What touch_case does: the case's last entry follows its newest content.
        t = time.perf_counter()
        last = {c.id: c.last for c in cases}
        bumps = [{"cid": cid, "t": when} for cid, when in sorted(gen.touched.items())
                 if when > last[cid] and gen.cases[cid].ongoing]
        stmt = (update(m.Case.__table__).where(m.Case.__table__.c.id == bindparam("cid"))
                .values(last_entry_at=bindparam("t", type_=m.Case.__table__.c.last_entry_at.type)))
        with engine.begin() as conn:
            for batch in bulk.chunked(bumps):
                conn.execute(stmt, batch)
        seconds["touch_cases"] = round(time.perf_counter() - t, 2)
        summary = summarize(gen.rows, now)
        summary["cases_last_entry_moved"] = len(bumps)
        bulk.seed_entry(store, {"bench_lists": {name: len(gen.rows[name])
                                                for name, _ in TABLES}})
        raw = engine.raw_connection()
        try:
            raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()
    finally:
        store.close()
    seconds["total"] = round(time.perf_counter() - t0, 1)
    return {"counts": summary, "seconds": seconds}


def prepare(src: Path, out: Path, spec: ListSpec, now: dt.datetime, admin: str) -> dict:
    """The filled copy at ``out``: made now, or the one a previous run finished."""
    if out.resolve() == src.resolve():
        raise SystemExit("--out must differ from --store: the source is never modified")
    marker = out / MARKER
    if marker.exists():
        info = json.loads(marker.read_text())
        print(f"{out} already holds the content ({MARKER}, made {info.get('made')}); "
              "not copying", flush=True)
        return info
    if not (src / "store" / "trefas.db").exists() or not (src / "world.json").exists():
        raise SystemExit(f"{src} is not a bench_store.py store (store/trefas.db, world.json)")
    if out.exists():
        print(f"{out} exists without {MARKER} (an interrupted run): making it again",
              flush=True)
        shutil.rmtree(out)

    def say(msg):
        print(f"  {time.strftime('%H:%M:%S')} {msg}", flush=True)

    t = time.perf_counter()
    (out / "store").mkdir(parents=True)
    src_files = sorted(p for p in (src / "store").iterdir()
                       if p.is_file() and not p.name.endswith("-shm"))
    source = {p.name: {"bytes": p.stat().st_size,
                       "mtime": dt.datetime.fromtimestamp(p.stat().st_mtime).isoformat()}
              for p in src_files}
    for p in src_files:
        shutil.copy2(p, out / "store" / p.name)
    shutil.copy2(src / "world.json", out / "world.json")
    copy_s = time.perf_counter() - t
    say(f"copied {src} -> {out} in {copy_s:.1f} s")
    result = generate(out / "store", spec, now, admin, say)
    result["seconds"]["copy"] = round(copy_s, 1)
    info = {"made": dt.datetime.now().isoformat(timespec="seconds"), "source": str(src),
            "source_files": source, "now": now.isoformat(), "spec": asdict(spec),
            "load_avg_during": os.getloadavg(), **result}
    marker.write_text(json.dumps(info, indent=2, ensure_ascii=False, default=str))
    return info


# --- measuring (child process) -----------------------------------------------------------


def vm_status() -> dict[str, float]:
    """Current and peak resident set size in MiB (Linux /proc)."""
    out = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = round(int(value.split()[0]) / 1024, 1)
    return out


def calls_for(actor) -> list[tuple[str, object, tuple, dict]]:
    """The service calls the screens make when first shown, as (name, fn, args, kwargs).
    Time-dependent filters are computed per call site as the screens do."""
    local_today = clock.today()
    utc_now = clock.now_utc()
    calls = [("dashboard", dashboard.dashboard, (), {})]
    if actor.may("consent.read"):
        calls.append(("dashboard.consents", consents.expiring_consents,
                      (dashboard.CONSENT_WINDOW_DAYS,), {}))
    calls += [
        ("sig", referrals.list_referrals, (),
         {"states": SIG_ONGOING, "offset": 0, "limit": PAGE_SIZE}),
        ("exits.waiting", exits.list_exits, (),
         {"waiting_first_contact": True, "limit": EXIT_WAITING_LIMIT}),
        ("exits", exits.list_exits, (),
         {"states": EXIT_ONGOING, "offset": 0, "limit": PAGE_SIZE}),
        ("incidents", incidents.list_incidents, (),
         {"since": local_today - dt.timedelta(days=INCIDENT_DAYS), "unit_id": None,
          "states": (), "offset": 0, "limit": PAGE_SIZE}),
        ("meetings", meetings.list_meetings, (),
         {"since": utc_now - dt.timedelta(days=MEETING_DAYS), "until": None, "offset": 0,
          "limit": PAGE_SIZE}),
        ("tasks", tasks.list_tasks, (),
         {"mine_only": False, "overdue_only": False, "states": (TaskState.OPEN,),
          "offset": 0, "limit": PAGE_SIZE}),
    ]
    return calls


def _is_count(sql: str) -> bool:
    return sql.lstrip().upper().startswith("SELECT COUNT(")


def _shape(result) -> dict:
    if isinstance(result, list):
        return {"rows": len(result), "total": len(result)}
    if hasattr(result, "rows"):
        return {"rows": len(result.rows), "total": result.total,
                "hidden": sum(result.hidden.values()) if result.hidden else 0}
    # the dashboard
    return {"rows": None, "total": None,
            "figures": {"cases": result.cases_total, "overdue_tasks": result.overdue_tasks,
                        "expiring_consents": result.expiring_consents,
                        "exit_waiting": result.exit_waiting,
                        "exit_waiting_overdue": result.exit_waiting_overdue,
                        "incidents_90d": result.incidents_90d,
                        "open_routine_steps": result.open_routine_steps,
                        "overdue_routine_steps": result.overdue_routine_steps}}


def explain(store, fn, args, kwargs, top: int = 4) -> dict:
    """One more run, recording every statement; EXPLAIN QUERY PLAN of the
    slowest distinct SELECTs (repeated statements are grouped)."""
    t = time.perf_counter()
    with StatementRecorder(store.engine) as rec:
        fn(store.uow(), store.actor, *args, **kwargs)
    wall = (time.perf_counter() - t) * 1000
    groups: dict[str, dict] = {}
    for row in rec.rows:
        g = groups.setdefault(row["sql"], {"sql": row["sql"], "params": row["params"],
                                           "times": 0, "ms": 0.0})
        g["times"] += 1
        g["ms"] = round(g["ms"] + row["ms"], 2)
    slow = sorted(groups.values(), key=lambda g: -g["ms"])
    with store.engine.connect() as conn:
        for g in slow[:top]:
            if g["sql"].lstrip().upper().startswith("SELECT"):
                plan = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + g["sql"],
                                            tuple(g["params"])).all()
                g["plan"] = ["  " * depth(plan, r) + r[3] for r in plan]
    for g in slow:
        g["params"] = [str(p) for p in g["params"]]
    return {"wall_ms": round(wall, 1), "statements": len(rec.rows),
            "sql_ms": round(sum(r["ms"] for r in rec.rows), 1), "slowest": slow[:top]}


def measure_user(root: Path, username: str, runs: int, explain_ms: float | None) -> dict:
    t = time.perf_counter()
    store = unlock(root, username, bulk.BENCH_PASSWORD)
    result: dict = {"username": username, "role": store.actor.role.value,
                    "agency": store.actor.agency.value,
                    "unlock_s": round(time.perf_counter() - t, 2),
                    "rss_after_unlock_mib": vm_status(), "lists": {}}
    try:
        with store.engine.connect() as c:
            stats = c.exec_driver_sql(
                "SELECT tbl, count(*) FROM sqlite_stat1 GROUP BY tbl").all() if c.scalar(
                text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")) else []
        result["sqlite_stat1_tables"] = sorted(r[0] for r in stats)
        for name, fn, args, kwargs in calls_for(store.actor):
            load_before = os.getloadavg()[0]
            wall, counts, shape = [], [], None
            for i in range(runs + 1):
                with StatementRecorder(store.engine) as rec:
                    a = time.perf_counter()
                    res = fn(store.uow(), store.actor, *args, **kwargs)
                    wall.append((time.perf_counter() - a) * 1000)
                counts.append(sum(r["ms"] for r in rec.rows if _is_count(r["sql"])))
                if shape is None:
                    shape = _shape(res)
                    shape["statements"] = len(rec.rows)
            entry = {"first_ms": round(wall[0], 1),
                     "median_ms": round(statistics.median(wall[1:]), 1),
                     "max_ms": round(max(wall[1:]), 1),
                     "count_first_ms": round(counts[0], 1),
                     "count_median_ms": round(statistics.median(counts[1:]), 1),
                     "runs": runs, **shape,
                     "load_before": round(load_before, 2),
                     "load_after": round(os.getloadavg()[0], 2)}
            if explain_ms is not None and entry["median_ms"] > explain_ms:
                entry["explain"] = explain(store, fn, args, kwargs)
            result["lists"][name] = entry
            print(f"    {username:12s} {name:20s} {entry['median_ms']:8.0f} ms "
                  f"(first {entry['first_ms']:.0f}, count {entry['count_median_ms']:.0f}) "
                  f"load {entry['load_after']:.2f}", flush=True)
    finally:
        store.close()
    result["rss_end_mib"] = vm_status()
    result["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return result


# --- report ------------------------------------------------------------------------------


def table(users: dict) -> str:
    header = (f"{'user':12s} {'list':19s} {'median ms':>9s} {'count ms':>9s} "
              f"{'first ms':>9s} {'rows':>5s} {'total':>7s} {'hidden':>6s} {'load':>5s}")
    lines = [header]
    lines.append("-" * len(lines[0]))
    for label, u in users.items():
        for name, e in u["lists"].items():
            rows = "-" if e["rows"] is None else str(e["rows"])
            total = "-" if e["total"] is None else f"{e['total']:,}"
            lines.append(f"{u['username']:12s} {name:19s} {e['median_ms']:9.0f} "
                         f"{e['count_median_ms']:9.0f} {e['first_ms']:9.0f} {rows:>5s} "
                         f"{total:>7s} {e.get('hidden', 0) or 0:6d} {e['load_after']:5.2f}")
        lines.append(f"{'':12s} ({label}: unlock {u['unlock_s']:.2f} s, peak RSS "
                     f"{u['peak_rss_mib']:.0f} MiB, after unlock "
                     f"{u['rss_after_unlock_mib'].get('VmHWM', 0):.0f} MiB, at end "
                     f"{u['rss_end_mib'].get('VmRSS', 0):.0f} MiB)")
    return "\n".join(lines)


def explain_report(users: dict) -> str:
    lines = []
    for u in users.values():
        for name, e in u["lists"].items():
            x = e.get("explain")
            if not x:
                continue
            lines.append(f"\n[{u['username']} / {name}] median {e['median_ms']:.0f} ms; "
                         f"explain run {x['wall_ms']:.0f} ms wall, {x['statements']} "
                         f"statements, {x['sql_ms']:.0f} ms in SQLite")
            for g in x["slowest"]:
                sql = " ".join(g["sql"].split())
                sql = sql if len(sql) <= 400 else sql[:400] + " …"
                lines.append(f"  {g['ms']:8.1f} ms x{g['times']:<3} {sql}")
                for p in g.get("plan", []):
                    lines.append(f"      {p}")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", type=Path, default=OUT / "full",
                    help="bench_store.py directory to copy (store/, world.json); only read")
    ap.add_argument("--out", type=Path, default=OUT / "full-lists",
                    help="where the copy with content goes (reused if finished)")
    ap.add_argument("--users", default="",
                    help="comma list of usernames (default: the six measured users of "
                         "world.json)")
    ap.add_argument("--runs", type=int, default=5, help="timed runs after the first (median)")
    ap.add_argument("--explain", action="store_true",
                    help="query plans of the slowest statements of every slow call")
    ap.add_argument("--explain-ms", type=float, default=300.0,
                    help="with --explain: a call is slow above this median (ms)")
    ap.add_argument("--json", type=Path, default=None,
                    help="result file (default benchmarks/out/bench_lists-<time>.json)")
    ap.add_argument("--seed", type=int, default=ListSpec.seed)
    ap.add_argument("--now", default=None,
                    help="anchor time of the content, ISO 8601 UTC (default: this hour)")
    ap.add_argument("--scale", type=float, default=1.0,
                    help="multiply the content sizes (e.g. 0.05 for a smoke test on a small "
                         "store)")
    ap.add_argument("--admin", default="chef-city",
                    help="the user who fills the copy (a key holder: an administrator's "
                         "session holds no data key)")
    ap.add_argument("--no-measure", action="store_true", help="only copy and fill")
    ap.add_argument("--measure-user", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--result", type=Path, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.measure_user:  # the child process
        res = measure_user(args.out / "store", args.measure_user, args.runs,
                           args.explain_ms if args.explain else None)
        args.result.write_text(json.dumps(res, indent=2, ensure_ascii=False, default=str))
        return 0

    if args.now:
        now = dt.datetime.fromisoformat(args.now)
        now = now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)
    else:
        now = clock.now_utc().replace(minute=0, second=0, microsecond=0)
    base = ListSpec(seed=args.seed)
    spec = ListSpec(seed=args.seed, **{k: max(1, round(getattr(base, k) * args.scale))
                                       for k in ("referrals", "plans", "exits", "incidents",
                                                 "meetings", "tasks")})
    started = dt.datetime.now()
    info = prepare(args.store, args.out, spec, now, args.admin)
    print(json.dumps(info["counts"], indent=1, ensure_ascii=False), flush=True)
    if args.no_measure:
        return 0

    world = json.loads((args.out / "world.json").read_text())
    wanted = ([u for u in args.users.split(",") if u] or list(world["users"].values()))
    label_of = {v: k for k, v in world["users"].items()}
    stamp = started.strftime("%Y%m%d-%H%M%S")
    results = {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "when": started.isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "store": str(args.out), "content": info, "runs": args.runs,
        "explain_ms": args.explain_ms if args.explain else None,
        "load_avg_start": os.getloadavg(), "users": {}}
    print(f"measuring {len(wanted)} users, one child process each ...", flush=True)
    for username in wanted:
        tmp = OUT / f".bench_lists-{os.getpid()}-{username}.json"
        child = [sys.executable, str(Path(__file__).resolve()), "--out", str(args.out),
                 "--measure-user", username, "--runs", str(args.runs), "--result", str(tmp),
                 "--explain-ms", str(args.explain_ms)] + (["--explain"] if args.explain else [])
        subprocess.run(child, check=True)
        results["users"][label_of.get(username, username)] = json.loads(tmp.read_text())
        tmp.unlink()
    results["load_avg_end"] = os.getloadavg()
    out = args.json or OUT / f"bench_lists-{stamp}.json"
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str))
    print()
    print(table(results["users"]))
    print(f"\nload average at start {results['load_avg_start']}, at end "
          f"{results['load_avg_end']}")
    if args.explain:
        print(explain_report(results["users"]) or "\n(no call over the threshold)")
    print(f"\nresults: {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
