"""Playing a history in time order: the simulated clock every demo session
reads, the timeline of steps, and each person's story — person, case, team,
consents and notes — scheduled on it, each step by the user whose work it is.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, replace as dataclass_replace
from datetime import date

from trefas_app.demo.organisation import (
    SOCIAL_WORKERS,
    POLICE_OF,
    COORDINATOR,
    CITY_SUPERVISOR,
    PROBATION,
)
from trefas_app.demo.vocabulary import (
    FIRST_NAMES,
    LAST_NAMES,
    STREETS,
    make_personal_number,
    CASE_TITLES,
    RISK_FACTORS,
    PROTECTIVE_FACTORS,
    NOTE_TEXTS,
    CITY_NOTE_ODDS,
    AGENCY_NOTE_ODDS,
    GRANT_VARIANTS,
    CONSENT_PURPOSES,
    LEGAL_REFERENCE,
)
from trefas_app.domain import clock
from trefas_app.domain.enums import (
    Agency,
    CaseState,
    Category,
    ConsentBasis,
    ConsentForm,
    ProtectionLevel,
    RiskLevel,
)
from trefas_app.security.access import local_date
from trefas_app.services import cases, consents, notes, persons
from trefas_app.store.store import OpenStore


class SimClock:
    """The clock every demo session reads; the timeline sets it before each step."""

    def __init__(self, start: dt.datetime):
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now


class Timeline:
    """Steps of many stories, run in time order (ties in the order they were planned)."""

    def __init__(self, clock: SimClock):
        self.clock = clock
        self._steps: list[tuple[dt.datetime, int, Callable[[], None]]] = []

    def at(self, when: dt.datetime, step: Callable[[], None]) -> None:
        self._steps.append((when, len(self._steps), step))

    def run(self) -> None:
        tick = dt.timedelta(microseconds=1)
        for when, _, step in sorted(self._steps, key=lambda s: (s[0], s[1])):
            # Never backwards: a step may have moved the clock on a little.
            self.clock.now = max(when, self.clock.now + tick)
            step()
        self._steps.clear()


@dataclass
class Story:
    """One person and their case, as planned and (once played) as stored."""

    index: int
    unit: str
    social_worker: str
    first: str
    last: str
    birth: date | None
    personal_number: str | None
    protection: ProtectionLevel
    risk: RiskLevel
    start: dt.datetime
    final_state: CaseState
    consent: str  # key of the consent plan
    police: str | None
    probation: str | None
    second_worker: str | None
    coordinator: bool
    end: dt.datetime = None  # last moment content may be added
    person_id: int | None = None
    case_id: int | None = None
    consent_id: int | None = None
    consent_window: tuple[dt.datetime, dt.datetime] | None = None  # agencies may see


HISTORY_DAYS = 540


def plan_stories(rng: random.Random, base: dt.datetime) -> list[Story]:
    """About fifty persons with a case each; every state, consent kind and
    protection level is represented."""
    n = 50
    finals = ([CaseState.OPEN] * 7 + [CaseState.ACTIVE] * 28
              + [CaseState.CLOSURE_REQUESTED] * 6 + [CaseState.CLOSED] * 9)
    consents = (["full"] * 14 + ["with_health"] * 4 + ["no_threat"] * 5 + ["no_location"] * 5
                + ["police_identity_only"] * 2 + ["legal_basis"] * 3 + ["amended"] * 3
                + ["renewed"] * 2 + ["expired"] * 4 + ["withdrawn"] * 4 + ["none"] * 4)
    rng.shuffle(finals)
    rng.shuffle(consents)
    # The person with a fictitious identity is in the exit programme: an active
    # case and a consent covering every agency.
    exit_person = 38
    j = finals.index(CaseState.ACTIVE)
    finals[exit_person], finals[j] = finals[j], finals[exit_person]
    j = consents.index("full")
    consents[exit_person], consents[j] = consents[j], consents[exit_person]
    # A case that is still only opened has no long consent history, and a
    # consent is not renewed on a closed case: swap those.
    unfit = {CaseState.OPEN: {"expired", "renewed", "withdrawn"},
             CaseState.CLOSED: {"renewed"}}
    for i, final in enumerate(finals):
        if consents[i] in unfit.get(final, ()):
            j = next(j for j in range(len(consents)) if j != exit_person
                     and consents[j] not in unfit.get(final, ())
                     and consents[i] not in unfit.get(finals[j], ()))
            consents[i], consents[j] = consents[j], consents[i]
    protections = {3: ProtectionLevel.CONFIDENTIALITY_MARKING,
                   11: ProtectionLevel.CONFIDENTIALITY_MARKING,
                   17: ProtectionLevel.PROTECTED_REGISTRATION,
                   26: ProtectionLevel.PROTECTED_REGISTRATION,
                   38: ProtectionLevel.FICTITIOUS_IDENTITY}
    used_names: set[tuple[str, str]] = set()
    used_numbers: set[str] = set()
    stories = []
    for i in range(n):
        unit = "SDF-RK" if i % 5 in (0, 1, 3) else "SDF-ST"
        while True:
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            if (first, last) not in used_names:
                used_names.add((first, last))
                break
        age = rng.choices([15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 34, 41],
                          [3, 4, 4, 5, 5, 5, 5, 4, 4, 3, 3, 2, 2, 2, 2, 2, 1, 1])[0]
        birth = (base - dt.timedelta(days=age * 365.25 + rng.randint(30, 330))).date()
        number = None
        if rng.random() < 0.94:
            while number is None or number in used_numbers:
                number = make_personal_number(birth, rng, coordination=rng.random() < 0.06)
            used_numbers.add(number)
        final = finals[i]
        consent = consents[i]
        # Old enough for the consent history the story needs.
        if i == exit_person:
            days = rng.uniform(150, 400)
        elif consent in ("expired", "renewed"):
            days = rng.uniform(300, HISTORY_DAYS)
        elif final == CaseState.CLOSED or consent == "withdrawn":
            days = rng.uniform(160, HISTORY_DAYS)
        elif final == CaseState.OPEN:
            days = rng.uniform(6, 30)
        else:
            days = rng.uniform(40, 420)
        start = (base - dt.timedelta(days=days)).replace(second=0, microsecond=0)
        start = start.replace(hour=7 + rng.randint(0, 7), minute=rng.choice([0, 15, 30, 45]))
        protection = protections.get(i, ProtectionLevel.NONE)
        police = POLICE_OF[unit] if (protection != ProtectionLevel.NONE
                                      or rng.random() < 0.65) else None
        probation = PROBATION if age >= 18 and rng.random() < 0.3 else None
        workers = SOCIAL_WORKERS[unit]
        sw = workers[i % 2]
        stories.append(Story(
            index=i, unit=unit, social_worker=sw, first=first, last=last,
            birth=birth if number else None, personal_number=number, protection=protection,
            risk=rng.choices(list(RiskLevel), [3, 4, 3])[0], start=start, final_state=final,
            consent=consent, police=police, probation=probation,
            second_worker=workers[(i + 1) % 2] if rng.random() < 0.3 else None,
            coordinator=unit == "SDF-ST" and rng.random() < 0.4))
    # Protected persons shown to the police: make sure their consent covers identity.
    for s in stories:
        if s.protection != ProtectionLevel.NONE and s.consent in ("none", "expired",
                                                                    "withdrawn"):
            s.consent = "full"
    return stories


def _phone(rng: random.Random) -> str:
    # 070-1740605 … 070-1740699 are set aside by PTS for use in fiction.
    return f"070-174 06 {rng.randint(5, 99):02d}"


def schedule_story(tl: Timeline, sessions: dict[str, OpenStore], st: Story,
                   rng: random.Random, base: dt.datetime) -> None:
    sw = sessions[st.social_worker]
    t = st.start
    hour = dt.timedelta(hours=1)
    day = dt.timedelta(days=1)
    street = f"{rng.choice(STREETS)} {rng.randint(1, 48)}"
    postal = (f"163 {rng.randint(40, 79)}" if st.unit == "SDF-ST"
              else f"16{rng.choice([3, 4])} {rng.randint(30, 99)}")
    data = persons.PersonInput(
        st.first, st.last, personal_number=st.personal_number,
        phone=_phone(rng) if rng.random() < 0.8 else None, address=street,
        postal_code=postal, city="Spånga" if st.unit == "SDF-ST" else "Kista",
        protection_level=st.protection, risk_level=st.risk,
        risk_factors=rng.choice(RISK_FACTORS),
        protective_factors=rng.choice(PROTECTIVE_FACTORS) if rng.random() < 0.7 else None)
    title = rng.choice(CASE_TITLES)

    def create():
        st.person_id = persons.create_person(sw.uow(), sw.actor, data).id
        st.case_id = cases.open_case(sw.uow(), sw.actor, st.person_id, title).id

    tl.at(t, create)

    t_team = t + day
    for member in (st.second_worker, st.police, st.probation,
                   COORDINATOR if st.coordinator else None):
        if member:
            def add(member=member):
                cases.add_team_member(sw.uow(), sw.actor, st.case_id,
                                      sessions[member].actor.user_id)
            tl.at(t_team, add)
            t_team += dt.timedelta(minutes=10)

    # When content may be added, and the case's end.
    if st.final_state == CaseState.CLOSED:
        closing = t + dt.timedelta(days=rng.uniform(60, max(61, (base - t).days - 20)))
        st.end = closing - day
    elif st.final_state == CaseState.CLOSURE_REQUESTED:
        closing = base - dt.timedelta(days=rng.uniform(1, 5))
        st.end = closing - day
    else:
        closing = None
        st.end = base - dt.timedelta(hours=rng.uniform(2, 72))

    _schedule_consent(tl, sw, st, rng, base, t + 2 * day)

    if st.final_state != CaseState.OPEN:
        tl.at(t + 3 * day, lambda: cases.move_case(sw.uow(), sw.actor, st.case_id,
                                                   CaseState.ACTIVE))
    _schedule_notes(tl, sessions, st, rng, t + 3 * day + hour)

    if closing is not None:
        reason = rng.choice(["Målen i planen är uppnådda.", "Personen har flyttat från "
                             "kommunen.", "Personen vill inte längre ta emot insatser."])
        tl.at(closing, lambda: cases.move_case(sw.uow(), sw.actor, st.case_id,
                                               CaseState.CLOSURE_REQUESTED, reason))
        if st.final_state == CaseState.CLOSED:
            boss = sessions[CITY_SUPERVISOR]
            tl.at(closing + 2 * day, lambda: cases.move_case(
                boss.uow(), boss.actor, st.case_id, CaseState.CLOSED, "Avslut godkänt."))


def _consent_input(st: Story, rng: random.Random, day: date, until: date,
                   grants: frozenset, basis: ConsentBasis = ConsentBasis.CONSENT):
    age = None
    if st.birth:
        age = day.year - st.birth.year - ((day.month, day.day) < (st.birth.month, st.birth.day))
    guardian = None
    if basis == ConsentBasis.CONSENT and (age is None or age < 18):
        guardian = f"{rng.choice(FIRST_NAMES)} {st.last} (vårdnadshavare)"
    return consents.ConsentInput(
        person_id=st.person_id, purpose=rng.choice(CONSENT_PURPOSES), valid_from=day,
        valid_until=until, grants=grants, basis=basis,
        form=rng.choice([ConsentForm.WRITTEN, ConsentForm.WRITTEN, ConsentForm.ORAL]),
        guardian_name=guardian,
        legal_reference=LEGAL_REFERENCE if basis == ConsentBasis.LEGAL_BASIS else None,
        case_id=st.case_id)


def _schedule_consent(tl: Timeline, sw: OpenStore, st: Story, rng: random.Random,
                      base: dt.datetime, when: dt.datetime) -> None:
    """Consent in the story's variant; sets the window in which agencies see the case."""
    kind = st.consent
    if kind == "none":
        return
    first_day = local_date(when)
    far = base + dt.timedelta(days=3650)
    if kind == "expired":
        until = first_day + dt.timedelta(days=rng.randint(60, 150))
        st.consent_window = (when, noon_of(until) - dt.timedelta(hours=12))
        grants = GRANT_VARIANTS[rng.choice(["full", "no_threat"])]
    elif kind == "withdrawn":
        until = first_day + dt.timedelta(days=365)
        withdraw_at = when + dt.timedelta(days=rng.uniform(20, min(120, (base - when).days - 5)))
        st.consent_window = (when, withdraw_at)
        grants = GRANT_VARIANTS["full"]
    elif kind == "renewed":
        until = first_day + dt.timedelta(days=rng.randint(180, 240))
        st.consent_window = (when, far)
        grants = GRANT_VARIANTS["full"]
    else:
        days_left = (base - when).days
        until = first_day + dt.timedelta(days=min(730, days_left + rng.randint(60, 300)))
        st.consent_window = (when, far)
        grants = GRANT_VARIANTS.get(kind, GRANT_VARIANTS["full"])
    basis = ConsentBasis.LEGAL_BASIS if kind == "legal_basis" else ConsentBasis.CONSENT
    data = _consent_input(st, rng, first_day, until, grants, basis)

    def record():
        st.consent_id = consents.record_consent(sw.uow(), sw.actor,
                                                dataclass_replace(data, person_id=st.person_id,
                                                                  case_id=st.case_id)).id

    tl.at(when, record)
    if kind == "withdrawn":
        reason = rng.choice(["Personen återkallade samtycket muntligt vid besök.",
                             "Vårdnadshavare återkallade samtycket skriftligt."])
        tl.at(st.consent_window[1], lambda: consents.withdraw_consent(
            sw.uow(), sw.actor, st.consent_id, reason))
    elif kind == "amended":
        # Later the person agrees to share housing information with the police too.
        at = when + dt.timedelta(days=rng.uniform(5, 30))
        more = grants | {(Agency.POLICE, Category.LOCATION), (Agency.PROBATION, Category.LOCATION)}
        amended = _consent_input(st, rng, local_date(at), until, more)

        def amend():
            st.consent_id = consents.amend_consent(
                sw.uow(), sw.actor, st.consent_id,
                dataclass_replace(amended, person_id=st.person_id, case_id=st.case_id)).id

        tl.at(at, amend)
    elif kind == "renewed":
        # The first consent ran out and a new one was obtained a few days later.
        at = noon_of(until) + dt.timedelta(days=rng.randint(2, 6), hours=10)
        if at >= base - dt.timedelta(days=1):
            at = base - dt.timedelta(days=2)
        renewal = _consent_input(st, rng, local_date(at),
                                 local_date(at) + dt.timedelta(days=365), grants)
        st.consent_window = (at, far)

        def renew():
            st.consent_id = consents.record_consent(
                sw.uow(), sw.actor,
                dataclass_replace(renewal, person_id=st.person_id, case_id=st.case_id)).id

        tl.at(at, renew)


def noon_of(day: date) -> dt.datetime:
    """Noon, Swedish time, of a calendar day, in UTC."""
    return dt.datetime.combine(day, dt.time(12), clock.office_zone()).astimezone(dt.timezone.utc)


def _schedule_notes(tl: Timeline, sessions: dict[str, OpenStore], st: Story,
                    rng: random.Random, first: dt.datetime) -> None:
    span = max((st.end - first).total_seconds(), 3600.0)
    plan: list[tuple[dt.datetime, str, Agency, Category]] = []
    for _ in range(rng.randint(2, 7)):
        cat = rng.choices(list(CITY_NOTE_ODDS), list(CITY_NOTE_ODDS.values()))[0]
        author = st.second_worker if st.second_worker and rng.random() < 0.3 \
            else st.social_worker
        plan.append((first + dt.timedelta(seconds=rng.uniform(0, span)), author,
                     Agency.CITY, cat))
    if st.consent_window:
        lo = max(first, st.consent_window[0] + dt.timedelta(hours=2))
        hi = min(st.end, st.consent_window[1] - dt.timedelta(hours=2))
        for member, agency, count in ((st.police, Agency.POLICE, rng.randint(0, 3)),
                                      (st.probation, Agency.PROBATION, rng.randint(0, 2))):
            if not member or hi <= lo or (agency, Category.IDENTITY) not in story_grants(st):
                continue
            odds = AGENCY_NOTE_ODDS[agency]
            for _ in range(count):
                cat = rng.choices(list(odds), list(odds.values()))[0]
                when = lo + (hi - lo) * rng.random()
                plan.append((when, member, agency, cat))
    plan.sort(key=lambda p: p[0])
    last = len(plan) - 1
    for k, (when, author, agency, cat) in enumerate(plan):
        if st.protection != ProtectionLevel.NONE and cat == Category.LOCATION \
                and agency == Agency.CITY:
            cat = Category.SOCIAL if k % 2 else Category.LOCATION
        title, body = rng.choice(NOTE_TEXTS[(agency, cat)])
        # The newest note of some open cases is still a draft.
        draft = k == last and st.final_state in (CaseState.OPEN, CaseState.ACTIVE) \
            and rng.random() < 0.35
        session = sessions[author]
        reveal = (cat == Category.LOCATION and st.protection != ProtectionLevel.NONE)

        def write(session=session, title=title, body=body, cat=cat, draft=draft,
                  reveal=reveal):
            if reveal:
                persons.reveal_identity(session.uow(), session.actor, st.person_id,
                                        "Behöver adressen inför planerat hembesök.")
            note = notes.write_note(session.uow(), session.actor, st.case_id, title, body, cat)
            if not draft:
                session.clock.now += dt.timedelta(minutes=7)
                notes.sign_note(session.uow(), session.actor, note.id)

        tl.at(when, write)


def sees(st: Story, agency: Agency, at: dt.datetime,
         category: Category = Category.IDENTITY) -> bool:
    """Whether ``agency`` may see the story's case (and ``category``) at ``at``."""
    if agency == Agency.CITY:
        return True
    grants = story_grants(st)
    margin = dt.timedelta(hours=1)
    return (st.consent_window is not None and (agency, Category.IDENTITY) in grants
            and (agency, category) in grants
            and st.consent_window[0] + margin <= at <= st.consent_window[1] - margin)


def spread(lo: dt.datetime, hi: dt.datetime, n: int, rng: random.Random) -> list[dt.datetime]:
    return sorted(lo + (hi - lo) * rng.random() for _ in range(n))


def story_grants(st: Story) -> frozenset:
    if st.consent == "none":
        return frozenset()
    if st.consent in ("amended",):
        return GRANT_VARIANTS["full"]
    return GRANT_VARIANTS.get(st.consent, GRANT_VARIANTS["full"])
