"""A deterministic demonstration store with invented data.

``build_demo(root)`` creates a new store and fills it with a small, realistic
and entirely made-up data set: units and users of the three agencies, about
fifty persons at risk (a few with protected identity), joint cases in every
state, consents of every kind, notes, SIG referrals, plans, exit programmes,
threat assessments, incidents with the post-shooting routine, meetings and
tasks. Every name, number, address and text is invented; the personal
identity numbers are well-formed (correct check digit) but random.

The same ``seed`` and the same ``clock`` give the same store. The history is
played in time order through the real services, acting as the right user, so
the access log reads like a real one. Kinds whose services are not used here
are inserted as rows, with one ``demo.seed`` entry in the access log.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import replace as dataclass_replace
from datetime import date
from pathlib import Path

from trefas_app.domain.actor import Actor
from trefas_app.domain.enums import (
    Agency,
    CaseState,
    Category,
    ConsentBasis,
    ConsentForm,
    ExitEnding,
    ExitState,
    IncidentKind,
    IncidentState,
    LifeArea,
    MeasureKind,
    MeetingKind,
    PlanState,
    ProtectionLevel,
    ReferralClosure,
    ReferralState,
    RiskLevel,
    Role,
    SupportKind,
    TaskState,
)
from trefas_app.domain.personnummer import COORDINATION_DAY_OFFSET, luhn_check_digit
from trefas_app.security.access import LOCAL_TZ, local_date
from trefas_app.security.passwords import check_password_policy
from trefas_app.services import cases, consents, notes, persons, users
from trefas_app.store.keyslots import KdfParams, default_kdf
from trefas_app.store.store import OpenStore, create_store, unlock
from trefas_app.store.uow import utc_now

#: The password of every demo user (the administrator included).
DEMO_PASSWORD = "Trefas-demo-2026!"

# --- invented vocabulary ------------------------------------------------------------
# Common given names and surnames of the many origins found in Järva, combined
# at random: no combination is meant to be, or to describe, a real person.

FIRST_NAMES = [
    "Sara", "Emma", "Johan", "Erik", "Linnea", "Oskar", "Elin", "Viktor", "Maja", "Anton",
    "Yusuf", "Abdirahman", "Hodan", "Ayan", "Mohamed", "Fadumo", "Hamza", "Sagal",
    "Ahmed", "Layla", "Omar", "Yasmin", "Karim", "Nour", "Rami", "Samira",
    "Deniz", "Emre", "Zeynep", "Baran", "Rojda", "Ciwan",
    "Mirela", "Dragan", "Amela", "Nikola", "Jasmina", "Adnan",
    "Yonas", "Semhar", "Dawit", "Helen", "Filmon",
    "Arash", "Shirin", "Dariush", "Parisa",
    "Mateo", "Camila", "Diego", "Valentina",
    "Mikko", "Aino", "Kacper", "Zofia", "Gabriel", "Maria", "Liban", "Idil", "Ilias",
]

LAST_NAMES = [
    "Lindqvist", "Abdi", "Kovač", "Hassan", "Nilsson", "Ali", "Yilmaz", "Haddad",
    "Warsame", "Berglund", "Öztürk", "Petrović", "Tesfaye", "Rahimi", "Castillo",
    "Johansson", "Mahmoud", "Begić", "Karlsson", "Farah", "Demir", "Salem", "Hosseini",
    "Ekström", "Mohammed", "Nowak", "Virtanen", "Gebremedhin", "Sandberg", "Jama", "Kaya",
    "Hadžić", "Lundgren", "Osman", "Aziz", "Moradi", "Holm", "Duale", "Şahin", "Jovanović",
]

#: Invented street names (none is meant to be a real address).
STREETS = [
    "Hagalundsvägen", "Blåklintsgränd", "Kvarnstensvägen", "Rönnbärsgatan",
    "Tallkottsvägen", "Ekorrstigen", "Lingonslingan", "Mjölnargången", "Snöbärsvägen",
    "Vinbärsgatan", "Körsbärsgränd", "Havrevägen", "Smedjebacken", "Fältspatsvägen",
    "Ljungtorpsgatan", "Vallmostigen",
]


def make_personal_number(birth: date, rng: random.Random, coordination: bool = False) -> str:
    """A well-formed, random personnummer ('YYYYMMDD-NNNN') or samordningsnummer
    (day + 60) for ``birth``, with a correct Luhn check digit."""
    day = birth.day + (COORDINATION_DAY_OFFSET if coordination else 0)
    serial = rng.randint(0, 999)
    nine = f"{birth.year % 100:02d}{birth.month:02d}{day:02d}{serial:03d}"
    return f"{birth.year:04d}{birth.month:02d}{day:02d}-{serial:03d}{luhn_check_digit(nine)}"


# --- the organisation -----------------------------------------------------------------



@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    role: Role
    agency: Agency
    unit: str


ADMIN_UNIT = ("SDF-JS", "Järva-samordning", Agency.CITY)

#: (code, name, agency) of the units besides the administrator's.
UNITS = [
    ("SDF-RK", "Rinkeby-Kista", Agency.CITY),
    ("SDF-ST", "Spånga-Tensta", Agency.CITY),
    ("LPO-RI", "LPO Rinkeby", Agency.POLICE),
    ("LPO-TE", "LPO Tensta", Agency.POLICE),
    ("KV-NORD", "Frivården Stockholm Nord", Agency.PROBATION),
]

#: (username, display name, role, agency, unit code); the administrator first.
USERS = [
    ("admin", "Tove Ekman", Role.ADMINISTRATOR, Agency.CITY, "SDF-JS"),
    ("sara.lindqvist", "Sara Lindqvist", Role.SOCIAL_WORKER, Agency.CITY, "SDF-RK"),
    ("yusuf.abdi", "Yusuf Abdi", Role.SOCIAL_WORKER, Agency.CITY, "SDF-RK"),
    ("mirela.kovac", "Mirela Kovač", Role.SOCIAL_WORKER, Agency.CITY, "SDF-ST"),
    ("johan.berglund", "Johan Berglund", Role.SOCIAL_WORKER, Agency.CITY, "SDF-ST"),
    ("layla.haddad", "Layla Haddad", Role.COORDINATOR, Agency.CITY, "SDF-RK"),
    ("erik.sandberg", "Erik Sandberg", Role.SUPERVISOR, Agency.CITY, "SDF-RK"),
    ("deniz.yilmaz", "Deniz Yilmaz", Role.POLICE_LIAISON, Agency.POLICE, "LPO-RI"),
    ("helen.tesfaye", "Helen Tesfaye", Role.POLICE_LIAISON, Agency.POLICE, "LPO-TE"),
    ("maria.ekstrom", "Maria Ekström", Role.SUPERVISOR, Agency.POLICE, "LPO-RI"),
    ("arash.rahimi", "Arash Rahimi", Role.PROBATION_OFFICER, Agency.PROBATION, "KV-NORD"),
    ("zofia.nowak", "Zofia Nowak", Role.SUPERVISOR, Agency.PROBATION, "KV-NORD"),
]

_SOCIAL_WORKERS = {"SDF-RK": ["sara.lindqvist", "yusuf.abdi"],
                   "SDF-ST": ["mirela.kovac", "johan.berglund"]}
_POLICE_OF = {"SDF-RK": "deniz.yilmaz", "SDF-ST": "helen.tesfaye"}
_COORDINATOR = "layla.haddad"
_CITY_SUPERVISOR = "erik.sandberg"
_PROBATION = "arash.rahimi"

# --- invented texts ----------------------------------------------------------------------

CASE_TITLES = [
    "Risk för våld", "Oro för rekrytering till kriminellt nätverk",
    "SIG – samverkan kring ung person", "Stöd efter skjutning", "Hot mot person",
    "Anhörig till utsatt person", "Återfallsprevention efter frigivning",
    "Oro för grov brottslighet", "Avhopparstöd",
]

RISK_FACTORS = [
    "Umgås med personer i kriminellt nätverk. Avbruten skolgång.",
    "Tidigare utsatt för rån. Skulder till personer i området.",
    "Syskon aktivt i kriminell miljö. Lite vuxenstöd på kvällar.",
    "Dömd för narkotikabrott. Saknar sysselsättning.",
    "Har vid flera tillfällen vistats på platser där skjutningar skett.",
]
PROTECTIVE_FACTORS = [
    "Engagerad vårdnadshavare. Tränar fotboll.", "Vill studera vidare; har praktikplats.",
    "Nära relation till mormor i annan kommun.", "Motiverad att bryta med tidigare umgänge.",
]

#: (title, body) of notes by author agency and category.
NOTE_TEXTS: dict[tuple[Agency, Category], list[tuple[str, str]]] = {
    (Agency.CITY, Category.SOCIAL): [
        ("Samtal på kontoret", "Samtal om skolgång och fritid. Personen berättar att det "
         "fungerar bättre i skolan sedan klassbytet. Vi ses igen om två veckor."),
        ("Hembesök", "Hembesök tillsammans med kollega. Vårdnadshavare närvarande. Familjen "
         "önskar stöd kring ekonomi och fritidsaktiviteter."),
        ("Uppföljning av planen", "Genomgång av åtgärderna i planen. Praktikplatsen är bokad "
         "och personen har varit där två dagar. Fortsatt kontakt med arbetsmarknadsenheten."),
        ("Motiverande samtal", "Samtal om framtiden. Personen vill på sikt flytta från området "
         "och är intresserad av en utbildning inom bygg."),
        ("Kontakt med skolan", "Telefonkontakt med mentor. Närvaron har ökat från 60 till 85 "
         "procent under månaden."),
        ("Fritid och nätverk", "Personen tränar på fritidsgården två kvällar i veckan och "
         "umgås enligt egen uppgift mindre med tidigare kamratkrets."),
    ],
    (Agency.CITY, Category.HEALTH): [
        ("Kontakt med beroendevården", "Personen har påbörjat öppenvårdsbehandling och lämnat "
         "negativa prover vid två tillfällen."),
        ("Sömn och mående", "Berättar om sömnsvårigheter och oro. Erbjuden kontakt med "
         "ungdomsmottagningen, vilket personen tackade ja till."),
        ("Remiss till BUP", "Remiss skickad till barn- och ungdomspsykiatrin efter samråd med "
         "vårdnadshavare."),
    ],
    (Agency.CITY, Category.LOCATION): [
        ("Boendesituation", "Familjen har fått erbjudande om lägenhet i en annan stadsdel. "
         "Flytten planeras till nästa månad."),
        ("Tillfälligt boende", "Personen bor tillfälligt hos en släkting i en annan kommun. "
         "Den nya adressen är registrerad i ärendet."),
    ],
    (Agency.CITY, Category.IDENTITY): [
        ("Kontaktuppgifter", "Nytt telefonnummer registrerat. Vårdnadshavare nås på samma "
         "nummer som tidigare."),
        ("Anhöriga", "Uppgifter om syskon och vårdnadshavare kompletterade efter samtal."),
    ],
    (Agency.CITY, Category.THREAT): [
        ("Oro för hot", "Personen uppger att hen kontaktats via sociala medier av personer från "
         "tidigare umgänge. Polisen informerad samma dag."),
        ("Riskbedömning", "Gemensam genomgång av riskfaktorer. Bedömningen kvarstår: förhöjd "
         "risk under de närmaste veckorna."),
    ],
    (Agency.CITY, Category.CRIMINAL): [
        ("Information om dom", "Personen berättar att hen dömts till ungdomstjänst. "
         "Frivården kontaktad för samordning."),
    ],
    (Agency.POLICE, Category.CRIMINAL): [
        ("Polisens information", "Personen förekommer i en utredning om misstänkt "
         "narkotikabrott. Förundersökningen är nedlagd."),
        ("Händelse i området", "Personen kontrollerades i samband med ordningsstörning vid "
         "centrumet. Inga misstankar om brott."),
        ("Lägesbild", "Enligt polisens lägesbild har konflikten mellan två grupperingar i "
         "området trappats upp under veckan."),
    ],
    (Agency.POLICE, Category.THREAT): [
        ("Hotbild", "Polisen bedömer att hotbilden mot personen är förhöjd efter händelsen i "
         "helgen. Skyddssamtal genomfört."),
        ("Skyddssamtal", "Skyddssamtal med personen och vårdnadshavare. Råd om säkerhet i "
         "vardagen lämnade."),
    ],
    (Agency.PROBATION, Category.CRIMINAL): [
        ("Villkor i frivården", "Personen följer villkoren i övervakningen. Inga nya "
         "misstankar om brott."),
    ],
    (Agency.PROBATION, Category.SOCIAL): [
        ("Övervakningssamtal", "Övervakningssamtal genomfört. Personen arbetar via ett "
         "bemanningsföretag tre dagar i veckan."),
    ],
    (Agency.PROBATION, Category.THREAT): [
        ("Risk- och behovsbedömning", "Bedömningen uppdaterad. Fortsatt fokus på kamratkrets "
         "och sysselsättning."),
    ],
}

_CITY_NOTE_ODDS = {Category.SOCIAL: 52, Category.HEALTH: 14, Category.LOCATION: 9,
                   Category.IDENTITY: 6, Category.THREAT: 12, Category.CRIMINAL: 7}
_AGENCY_NOTE_ODDS = {
    Agency.POLICE: {Category.CRIMINAL: 6, Category.THREAT: 4},
    Agency.PROBATION: {Category.CRIMINAL: 4, Category.SOCIAL: 4, Category.THREAT: 2},
}

#: Consent grant sets. Health goes to the police only exceptionally.
_GRANTS_FULL = frozenset({
    (Agency.POLICE, Category.IDENTITY), (Agency.POLICE, Category.SOCIAL),
    (Agency.POLICE, Category.CRIMINAL), (Agency.POLICE, Category.THREAT),
    (Agency.POLICE, Category.LOCATION),
    (Agency.PROBATION, Category.IDENTITY), (Agency.PROBATION, Category.SOCIAL),
    (Agency.PROBATION, Category.CRIMINAL), (Agency.PROBATION, Category.THREAT),
    (Agency.CITY, Category.CRIMINAL), (Agency.CITY, Category.THREAT),
    (Agency.CITY, Category.SOCIAL),
})
GRANT_VARIANTS = {
    "full": _GRANTS_FULL,
    "with_health": _GRANTS_FULL | {(Agency.POLICE, Category.HEALTH),
                                   (Agency.PROBATION, Category.HEALTH)},
    "no_threat": _GRANTS_FULL - {(Agency.POLICE, Category.THREAT),
                                 (Agency.PROBATION, Category.THREAT)},
    "no_location": _GRANTS_FULL - {(Agency.POLICE, Category.LOCATION)},
    "police_identity_only": frozenset({(Agency.POLICE, Category.IDENTITY),
                                       (Agency.CITY, Category.CRIMINAL)}),
    "legal_basis": frozenset({(Agency.POLICE, Category.IDENTITY),
                              (Agency.POLICE, Category.CRIMINAL),
                              (Agency.POLICE, Category.THREAT),
                              (Agency.CITY, Category.CRIMINAL),
                              (Agency.CITY, Category.THREAT)}),
}
CONSENT_PURPOSES = [
    "Samverkan inom sociala insatsgrupper (SIG) kring stöd och skydd",
    "Samordning av insatser mellan socialtjänst, polis och frivård",
    "Planering av stöd efter skjutning i området",
]
LEGAL_REFERENCE = "OSL 10 kap. 18 a §"


# --- playing a history in time order ----------------------------------------------------


class _SimClock:
    """The clock every demo session reads; the timeline sets it before each step."""

    def __init__(self, start: dt.datetime):
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now


class _Timeline:
    """Steps of many stories, run in time order (ties in the order they were planned)."""

    def __init__(self, clock: _SimClock):
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
class _Story:
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


# --- the builder ----------------------------------------------------------------------------


def build_demo(root: Path, password: str | None = None, seed: int = 2026,
               kdf: KdfParams | None = None,
               clock: Callable[[], dt.datetime] | None = None) -> list[DemoUser]:
    """Create a new demo store at ``root``; returns its users (all with ``password``).

    ``clock`` gives "now" once, at the start; the whole history is placed
    before it. With the same ``seed`` and clock the store is the same.
    """
    password = password or DEMO_PASSWORD
    kdf = kdf or default_kdf()
    base = (clock or utc_now)()
    if base.tzinfo is None:
        raise ValueError("the demo clock must give an aware datetime")
    base = base.astimezone(dt.timezone.utc)
    for username, *_ in USERS:
        check_password_policy(password, username)
    rng = random.Random(seed)
    sim = _SimClock(base - dt.timedelta(days=_HISTORY_DAYS + 10))

    created = create_store(Path(root), admin_username="admin", admin_display_name=USERS[0][1],
                           admin_password=password, unit_code=ADMIN_UNIT[0],
                           unit_name=ADMIN_UNIT[1], agency=ADMIN_UNIT[2], kdf=kdf, clock=sim)
    admin_store = created.store
    demo_users = _create_organisation(admin_store, password, kdf, sim)
    root = admin_store.paths.root
    admin_actor = admin_store.actor
    admin_store.close()

    sim.now += dt.timedelta(hours=1)
    sessions = {u.username: unlock(root, u.username, password, clock=sim)
                for u in demo_users if u.role != Role.ADMINISTRATOR}
    try:
        stories = _plan_stories(rng, base)
        timeline = _Timeline(sim)
        for story in stories:
            _schedule_story(timeline, sessions, story, rng, base)
        timeline.run()
        sim.now = base
        _seed_rows(sessions[_COORDINATOR], admin_actor, stories, rng, base)
    finally:
        sim.now = base
        for s in sessions.values():
            s.close()
    return demo_users


_HISTORY_DAYS = 540


def _create_organisation(store: OpenStore, password: str, kdf: KdfParams,
                         sim: _SimClock) -> list[DemoUser]:
    admin = store.actor
    unit_ids = {ADMIN_UNIT[0]: admin.unit_id}
    names = {ADMIN_UNIT[0]: ADMIN_UNIT[1]}
    for code, name, agency in UNITS:
        sim.now += dt.timedelta(minutes=2)
        unit_ids[code] = users.add_unit(store.uow(), admin, agency, code, name).id
        names[code] = name
    result = [DemoUser("admin", USERS[0][1], Role.ADMINISTRATOR, Agency.CITY,
                       names[ADMIN_UNIT[0]])]
    same_kdf = kdf == default_kdf()
    for username, display, role, agency, code in USERS[1:]:
        sim.now += dt.timedelta(minutes=3)
        users.add_user(store.uow(), admin, users.UserInput(
            username, display, role, agency, unit_ids[code], password,
            email=f"{username}@example.invalid", phone=None))
        if not same_kdf:
            # users.add_user seals with the default parameters; reseal with ours.
            store.keyfile.reset_password(username, password, store.data_key, kdf)
            store.keyfile.save()
        result.append(DemoUser(username, display, role, agency, names[code]))
    return result


def _plan_stories(rng: random.Random, base: dt.datetime) -> list[_Story]:
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
    # A case that is still only opened has no long consent history: swap those.
    history = ("expired", "renewed", "withdrawn")
    for i, final in enumerate(finals):
        if final == CaseState.OPEN and consents[i] in history:
            j = next(j for j in range(len(consents))
                     if finals[j] != CaseState.OPEN and consents[j] not in history)
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
        if consent in ("expired", "renewed"):
            days = rng.uniform(300, _HISTORY_DAYS)
        elif final == CaseState.CLOSED or consent == "withdrawn":
            days = rng.uniform(160, _HISTORY_DAYS)
        elif final == CaseState.OPEN:
            days = rng.uniform(6, 30)
        else:
            days = rng.uniform(40, 420)
        start = (base - dt.timedelta(days=days)).replace(second=0, microsecond=0)
        start = start.replace(hour=7 + rng.randint(0, 7), minute=rng.choice([0, 15, 30, 45]))
        protection = protections.get(i, ProtectionLevel.NONE)
        police = _POLICE_OF[unit] if (protection != ProtectionLevel.NONE
                                      or rng.random() < 0.65) else None
        probation = _PROBATION if age >= 18 and rng.random() < 0.3 else None
        workers = _SOCIAL_WORKERS[unit]
        sw = workers[i % 2]
        stories.append(_Story(
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


def _schedule_story(tl: _Timeline, sessions: dict[str, OpenStore], st: _Story,
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
                   _COORDINATOR if st.coordinator else None):
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
            boss = sessions[_CITY_SUPERVISOR]
            tl.at(closing + 2 * day, lambda: cases.move_case(
                boss.uow(), boss.actor, st.case_id, CaseState.CLOSED, "Avslut godkänt."))


def _consent_input(st: _Story, rng: random.Random, day: date, until: date,
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


def _schedule_consent(tl: _Timeline, sw: OpenStore, st: _Story, rng: random.Random,
                      base: dt.datetime, when: dt.datetime) -> None:
    """Consent in the story's variant; sets the window in which agencies see the case."""
    kind = st.consent
    if kind == "none":
        return
    first_day = local_date(when)
    far = base + dt.timedelta(days=3650)
    if kind == "expired":
        until = first_day + dt.timedelta(days=rng.randint(60, 150))
        st.consent_window = (when, _at(until) - dt.timedelta(hours=12))
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
        at = _at(until) + dt.timedelta(days=rng.randint(2, 6), hours=10)
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


def _at(day: date) -> dt.datetime:
    """Noon, Swedish time, of a calendar day, in UTC."""
    return dt.datetime.combine(day, dt.time(12), LOCAL_TZ).astimezone(dt.timezone.utc)


def _schedule_notes(tl: _Timeline, sessions: dict[str, OpenStore], st: _Story,
                    rng: random.Random, first: dt.datetime) -> None:
    span = max((st.end - first).total_seconds(), 3600.0)
    plan: list[tuple[dt.datetime, str, Agency, Category]] = []
    for _ in range(rng.randint(2, 7)):
        cat = rng.choices(list(_CITY_NOTE_ODDS), list(_CITY_NOTE_ODDS.values()))[0]
        author = st.second_worker if st.second_worker and rng.random() < 0.3 \
            else st.social_worker
        plan.append((first + dt.timedelta(seconds=rng.uniform(0, span)), author,
                     Agency.CITY, cat))
    if st.consent_window:
        lo = max(first, st.consent_window[0] + dt.timedelta(hours=2))
        hi = min(st.end, st.consent_window[1] - dt.timedelta(hours=2))
        for member, agency, count in ((st.police, Agency.POLICE, rng.randint(0, 3)),
                                      (st.probation, Agency.PROBATION, rng.randint(0, 2))):
            if not member or hi <= lo or (agency, Category.IDENTITY) not in _story_grants(st):
                continue
            odds = _AGENCY_NOTE_ODDS[agency]
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


# --- kinds inserted as rows ----------------------------------------------------------------

REFERRAL_REASONS = [
    "Polisen aktualiserar: personen har vid upprepade tillfällen setts i sällskap med "
    "personer i kriminellt nätverk.",
    "Skolan har uttryckt oro för hög frånvaro och nya kontakter utanför skolan.",
    "Frivården aktualiserar inför villkorlig frigivning; behov av samordnat stöd.",
    "Vårdnadshavare har själv hört av sig med oro för rekrytering.",
]
GOALS = {
    LifeArea.WORK: "Ha en praktikplats eller ett arbete minst tre dagar i veckan.",
    LifeArea.STUDIES: "Slutföra gymnasiets introduktionsprogram.",
    LifeArea.HEALTH: "Regelbunden kontakt med ungdomsmottagningen.",
    LifeArea.DRUG_FREE: "Drogfrihet, följs upp med prover varannan vecka.",
    LifeArea.SOCIAL_NETWORK: "En meningsfull fritidsaktivitet med nya kamrater.",
    LifeArea.HOUSING: "Eget boende utanför området.",
}
ACTIONS = {
    LifeArea.WORK: ("Kontakt med arbetsmarknadsenheten om praktik", Agency.CITY),
    LifeArea.STUDIES: ("Möte med skolan om studieplan", Agency.CITY),
    LifeArea.HEALTH: ("Boka tid hos ungdomsmottagningen", Agency.CITY),
    LifeArea.DRUG_FREE: ("Provtagning och uppföljning i öppenvården", Agency.CITY),
    LifeArea.SOCIAL_NETWORK: ("Introduktion på fritidsgården", Agency.CITY),
    LifeArea.HOUSING: ("Ansökan om bostad via bostadsförmedlingen", Agency.CITY),
}
EXTRA_ACTIONS = [
    ("Skyddssamtal och genomgång av hotbild", Agency.POLICE),
    ("Samordning med övervakningsplanen", Agency.PROBATION),
]
THREAT_SUMMARIES = [
    "Förhöjd hotbild efter konflikt mellan grupperingar i området.",
    "Hot framfört via sociala medier. Ingen konkret plan känd.",
    "Bedömningen sänkt: konflikten har lagt sig enligt polisens lägesbild.",
    "Personen bedöms riskera att utsättas för våld om hen stannar i området.",
]
ROUTINE_STEPS = [
    ("crisis_support", "Krisstöd erbjudet till berörda", Agency.CITY, 24),
    ("exit_offer", "Avhopparverksamhet erbjuden till berörda", Agency.CITY, 48),
    ("communication", "Information till boende, skolor och föreningar", Agency.CITY, 24),
    ("area_safety", "Trygghetsåtgärder i området", Agency.POLICE, 12),
]
TASK_TITLES = [
    ("Boka SIP-möte med skola och vårdnadshavare", Agency.CITY, Category.SOCIAL),
    ("Följa upp praktikplatsen", Agency.CITY, Category.SOCIAL),
    ("Kontrollera samtyckets giltighet", Agency.CITY, Category.SOCIAL),
    ("Ta fram uppdaterad lägesbild", Agency.POLICE, Category.CRIMINAL),
    ("Genomföra skyddssamtal", Agency.POLICE, Category.THREAT),
    ("Samordna med övervakningsplanen", Agency.PROBATION, Category.SOCIAL),
]


def _seed_rows(store: OpenStore, admin: Actor, stories: list[_Story], rng: random.Random,
               base: dt.datetime) -> None:
    """SIG referrals, plans, exit programmes, threat assessments, protective
    measures, incidents, meetings and tasks, as rows, with one log entry."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from trefas_app.security import audit
    from trefas_app.store import models as m

    with Session(store.engine) as s:
        uid = dict(s.execute(select(m.User.username, m.User.id)).all())
        unit_of = dict(s.execute(select(m.Unit.code, m.Unit.id)).all())
        counts: dict[str, int] = {}

        def add(row, kind):
            s.add(row)
            counts[kind] = counts.get(kind, 0) + 1
            return row

        def content(st: _Story, owner: Agency, category: Category, at: dt.datetime,
                    by: str) -> dict:
            return {"case_id": st.case_id, "person_id": st.person_id, "owner_agency": owner,
                    "category": category, "created_at": at, "created_by_id": uid[by]}

        def within(st: _Story, lo_frac=0.05, hi_frac=0.6) -> dt.datetime:
            span = st.end - st.start
            return st.start + span * rng.uniform(lo_frac, hi_frac)

        def sees(st: _Story, agency: Agency, at: dt.datetime) -> bool:
            grants = _story_grants(st)
            return (st.consent_window is not None and (agency, Category.IDENTITY) in grants
                    and st.consent_window[0] <= at <= st.consent_window[1])

        active = [st for st in stories if st.final_state != CaseState.OPEN]
        busy = [st for st in active if st.final_state != CaseState.CLOSED]

        # SIG referrals in every state.
        referral_states = list(ReferralState)
        sig = [st for st in active if st.birth is None or
               (base.date() - st.birth).days < 30 * 365][:2 * len(referral_states) - 4]
        for k, st in enumerate(sig):
            state = referral_states[k % len(referral_states)]
            received = st.start + dt.timedelta(days=rng.uniform(1, 6))
            source = rng.choice([Agency.POLICE, Agency.POLICE, Agency.CITY, Agency.PROBATION])
            decided = state not in (ReferralState.RECEIVED, ReferralState.INITIAL_ASSESSMENT,
                                    ReferralState.CONSENT)
            closure = None
            if state == ReferralState.CLOSED:
                closure = rng.choice([ReferralClosure.COMPLETED, ReferralClosure.MOVED,
                                      ReferralClosure.CONSENT_WITHDRAWN])
            ref = add(m.Referral(
                **content(st, Agency.CITY, Category.SOCIAL, received, st.social_worker),
                state=state, source_agency=source, received_at=received,
                reason=rng.choice(REFERRAL_REASONS),
                decision_note=("Beviljas insatser inom SIG." if decided and
                               state != ReferralState.DECLINED else
                               "Avslås: behovet tillgodoses inom ordinarie insatser."
                               if state == ReferralState.DECLINED else None),
                decided_at=received + dt.timedelta(days=10) if decided else None,
                decided_by_id=uid[_COORDINATOR] if decided else None,
                closure=closure,
                closed_at=min(st.end, received + dt.timedelta(days=90)) if closure else None),
                "referral")
            s.flush()
            s.add(m.StateChange(entity="referral", entity_id=ref.id, from_state=None,
                                to_state=state.value, at=received, by_id=uid[st.social_worker]))

        # Plans (some SIP) with goals and actions, some overdue, some done.
        plan_states = [PlanState.DRAFT, PlanState.APPROVED, PlanState.APPROVED,
                       PlanState.FOLLOWED_UP, PlanState.ENDED]
        for k, st in enumerate(busy[:12] + [x for x in active if x.final_state ==
                                            CaseState.CLOSED][:2]):
            created = within(st, 0.1, 0.4)
            state = (PlanState.ENDED if st.final_state == CaseState.CLOSED
                     else plan_states[k % 4])
            plan = add(m.Plan(
                **content(st, Agency.CITY, Category.SOCIAL, created, st.social_worker),
                is_sip=k % 3 == 0, state=state, overall_agency=Agency.CITY,
                overall_user_id=uid[st.social_worker],
                approved_at=created + dt.timedelta(days=3) if state != PlanState.DRAFT else None,
                approved_by_id=uid[_CITY_SUPERVISOR] if state != PlanState.DRAFT else None,
                next_follow_up=(base + dt.timedelta(days=rng.randint(-10, 40))).date()
                if state in (PlanState.APPROVED, PlanState.FOLLOWED_UP) else None), "plan")
            s.flush()
            areas = rng.sample(list(LifeArea), rng.randint(2, 4))
            for area in areas:
                s.add(m.PlanGoal(plan_id=plan.id, life_area=area, goal=GOALS[area]))
            actions = [(area, *ACTIONS[area]) for area in areas]
            if st.police and sees(st, Agency.POLICE, created):
                actions.append((LifeArea.SOCIAL_NETWORK, *EXTRA_ACTIONS[0]))
            if st.probation and sees(st, Agency.PROBATION, created):
                actions.append((LifeArea.WORK, *EXTRA_ACTIONS[1]))
            for area, text, agency in actions:
                responsible = {Agency.CITY: st.social_worker, Agency.POLICE: st.police,
                               Agency.PROBATION: st.probation}[agency]
                due = (created + dt.timedelta(days=rng.randint(14, 120))).date()
                done = due < base.date() and rng.random() < 0.6 or state == PlanState.ENDED
                add(m.PlanAction(plan_id=plan.id, life_area=area, description=text,
                                 responsible_agency=agency,
                                 responsible_user_id=uid[responsible] if responsible else None,
                                 due_date=due, follow_up_date=due + dt.timedelta(days=14),
                                 done_at=_at(min(due, st.end.date())) if done else None),
                    "plan_action")

        # Exit programmes: one waiting for first contact, one overdue, one in
        # protection and support, one in intake, one ended.
        exit_cases = [st for st in busy if st.police and sees(st, Agency.POLICE, base
                                                              - dt.timedelta(days=2))]
        fictitious = [st for st in exit_cases if st.protection ==
                      ProtectionLevel.FICTITIOUS_IDENTITY]
        exit_cases = fictitious + [st for st in exit_cases if st not in fictitious]
        ended_case = next((st for st in active if st.final_state == CaseState.CLOSED), None)
        exit_plan = [(ExitState.PROTECTION_SUPPORT, st) for st in exit_cases[:1]] + \
                    [(ExitState.REQUESTED, st) for st in exit_cases[1:3]] + \
                    [(ExitState.INTAKE, st) for st in exit_cases[3:4]] + \
                    ([(ExitState.ENDED, ended_case)] if ended_case else [])
        waiting_done = False
        for state, st in exit_plan:
            if state == ExitState.REQUESTED:
                # The first one is fresh, the second has missed its 24-hour target.
                hours = 5 if not waiting_done else 40
                waiting_done = True
                requested = base - dt.timedelta(hours=hours)
            elif state == ExitState.ENDED:
                requested = within(st, 0.1, 0.3)
            else:
                requested = within(st, 0.3, 0.6)
            contact = None if state == ExitState.REQUESTED else \
                requested + dt.timedelta(hours=rng.uniform(3, 20))
            later = state in (ExitState.PROTECTION_SUPPORT, ExitState.ENDED)
            ex = add(m.ExitProgramme(
                **content(st, Agency.CITY, Category.SOCIAL, requested, st.social_worker),
                state=state, requested_at=requested,
                first_contact_due=requested + dt.timedelta(hours=24), first_contact_at=contact,
                needs="Skyddat boende, försörjning och stöd att bryta med tidigare umgänge."
                if contact else None,
                agreement_conditions="Inga kontakter med tidigare umgänge; drogfrihet; "
                "delta i planerade samtal." if later else None,
                agreement_signed_on=(contact + dt.timedelta(days=12)).date() if later else None,
                agreement_approved_at=contact + dt.timedelta(days=13) if later else None,
                agreement_approved_by_id=uid[_CITY_SUPERVISOR] if later else None,
                ending=ExitEnding.GOALS_REACHED if state == ExitState.ENDED else None,
                ended_at=st.end - dt.timedelta(days=3) if state == ExitState.ENDED else None),
                "exit")
            s.flush()
            if state in (ExitState.PROTECTION_SUPPORT, ExitState.INTAKE):
                add(m.ThreatAssessment(
                    **content(st, Agency.POLICE, Category.THREAT,
                              contact + dt.timedelta(days=2), st.police),
                    exit_programme_id=ex.id, assessed_at=contact + dt.timedelta(days=2),
                    level=RiskLevel.RED, summary=THREAT_SUMMARIES[3]), "threat")
            if state == ExitState.PROTECTION_SUPPORT:
                start = (contact + dt.timedelta(days=14)).date()
                for kind, category, text, owner in (
                        (MeasureKind.PROTECTED_HOUSING, Category.LOCATION,
                         "Skyddat boende i annan kommun via avhopparverksamheten.", Agency.CITY),
                        (MeasureKind.POLICE_PROTECTION_KIT, Category.THREAT,
                         "Skyddspaket med larm utlämnat av polisen.", Agency.POLICE)):
                    add(m.ProtectiveMeasure(
                        **content(st, owner, category, _at(start),
                                  st.social_worker if owner == Agency.CITY else st.police),
                        exit_programme_id=ex.id, kind=kind, description=text,
                        started_on=start), "measure")
                for kind, category, text in (
                        (SupportKind.INCOME_SUPPORT, Category.SOCIAL,
                         "Ekonomiskt bistånd under etableringen."),
                        (SupportKind.EMPLOYMENT, Category.SOCIAL,
                         "Kontakt med jobbtorg på den nya orten."),
                        (SupportKind.DEBT, Category.SOCIAL, "Budget- och skuldrådgivning."),
                        (SupportKind.MOVING_BELONGINGS, Category.LOCATION,
                         "Hjälp att hämta tillhörigheter från tidigare bostad."),
                        (SupportKind.TREATMENT, Category.HEALTH,
                         "Öppenvårdsbehandling på den nya orten.")):
                    add(m.SupportComponent(
                        **content(st, Agency.CITY, category, _at(start), st.social_worker),
                        exit_programme_id=ex.id, kind=kind, description=text,
                        started_on=start), "support")

        # Threat assessments by the police and the city.
        for st in [x for x in busy if x.police][:10]:
            at = within(st, 0.3, 0.9)
            if sees(st, Agency.POLICE, at):
                add(m.ThreatAssessment(**content(st, Agency.POLICE, Category.THREAT, at,
                                                 st.police),
                                       assessed_at=at, level=rng.choice(list(RiskLevel)),
                                       summary=rng.choice(THREAT_SUMMARIES)), "threat")
        for st in busy[-4:]:
            at = within(st, 0.2, 0.8)
            add(m.ThreatAssessment(**content(st, Agency.CITY, Category.THREAT, at,
                                             st.social_worker),
                                   assessed_at=at, level=rng.choice(list(RiskLevel)),
                                   summary=rng.choice(THREAT_SUMMARIES)), "threat")

        # Incidents and the post-shooting routine.
        incident_plan = [
            (IncidentKind.EXPLOSION, "SDF-ST", 120, IncidentState.CLOSED,
             "Trapphus vid Fältspatsvägen", "Detonation i trapphus nattetid. Inga skadade."),
            (IncidentKind.SHOOTING, "SDF-RK", 45, IncidentState.ROUTINE,
             "Torget vid Hagalundsvägen", "Skottlossning på torget; en person skadad."),
            (IncidentKind.SHOOTING, "SDF-RK", 2, IncidentState.REPORTED,
             "Parkeringen vid Blåklintsgränd", "Skott avlossade mot bil. Ingen skadad enligt "
             "polisens första uppgifter."),
        ]
        per_year: dict[int, int] = {}
        for kind, unit, days_ago, state, place, summary in incident_plan:
            occurred = (base - dt.timedelta(days=days_ago)).replace(hour=21, minute=40)
            year = local_date(occurred).year
            per_year[year] = per_year.get(year, 0) + 1
            reporter = _COORDINATOR
            inc = add(m.Incident(
                number=f"H-{year}-{per_year[year]:05d}", kind=kind, occurred_at=occurred,
                unit_id=unit_of[unit], place=place, summary=summary, state=state,
                owner_agency=Agency.CITY, created_at=occurred + dt.timedelta(hours=10),
                created_by_id=uid[reporter],
                closed_at=occurred + dt.timedelta(days=30) if state == IncidentState.CLOSED
                else None), "incident")
            s.flush()
            for key, title, agency, hours in ROUTINE_STEPS:
                owner = _COORDINATOR if agency == Agency.CITY else _POLICE_OF[unit]
                due = occurred + dt.timedelta(hours=hours + 10)
                done = (state == IncidentState.CLOSED
                        or (state == IncidentState.ROUTINE and key != "exit_offer"))
                add(m.RoutineStep(incident_id=inc.id, step_key=key, title=title,
                                  owner_agency=agency, owner_user_id=uid[owner], due_at=due,
                                  done_at=due - dt.timedelta(hours=2) if done else None,
                                  done_by_id=uid[owner] if done else None,
                                  comment="Genomfört enligt rutinen." if done else None),
                    "routine_step")
            involved = [st for st in busy if st.unit == unit and st.police
                        and st.start < occurred < st.end
                        and sees(st, Agency.POLICE, occurred + dt.timedelta(hours=12))][:3]
            for role_text, st in zip(["victim", "relative", "witness"], involved):
                add(m.IncidentInvolvement(
                    **content(st, Agency.POLICE, Category.CRIMINAL,
                              occurred + dt.timedelta(hours=12), st.police),
                    incident_id=inc.id, involvement=role_text), "involvement")

        # Operational-group meetings with items and tasks.
        participants = [_COORDINATOR, "sara.lindqvist", "yusuf.abdi", "mirela.kovac",
                        "deniz.yilmaz", "helen.tesfaye", _PROBATION]
        meeting_plan = [(60, True, MeetingKind.OPERATIONAL_GROUP),
                        (30, True, MeetingKind.OPERATIONAL_GROUP),
                        (9, True, MeetingKind.SIP),
                        (2, True, MeetingKind.OPERATIONAL_GROUP),
                        (-5, False, MeetingKind.OPERATIONAL_GROUP)]
        discussed = [st for st in busy if st.final_state == CaseState.ACTIVE]
        tasks_made = 0
        for n, (days_ago, held, kind) in enumerate(meeting_plan):
            at = (base - dt.timedelta(days=days_ago)).replace(hour=8, minute=30, second=0,
                                                             microsecond=0)
            title = {MeetingKind.OPERATIONAL_GROUP: "Operativ grupp Järva",
                     MeetingKind.SIP: "SIP-möte", MeetingKind.JOINT: "Samverkansmöte"}[kind]
            meeting = add(m.Meeting(kind=kind, unit_id=unit_of["SDF-RK"], title=title,
                                    held_at=at, place="Stadsdelsförvaltningen, rum 3",
                                    chair_id=uid[_COORDINATOR], held=held,
                                    created_at=at - dt.timedelta(days=7),
                                    created_by_id=uid[_COORDINATOR]), "meeting")
            s.flush()
            for p in participants:
                s.add(m.MeetingParticipant(meeting_id=meeting.id, user_id=uid[p],
                                           present=held and rng.random() < 0.9))
            if not held:
                continue
            for st in discussed[n * 3:n * 3 + 3]:
                if not st.start < at < st.end:
                    continue
                add(m.MeetingItem(
                    **content(st, Agency.CITY, Category.SOCIAL, at, _COORDINATOR),
                    meeting_id=meeting.id,
                    discussion="Genomgång av läget och av planens åtgärder.",
                    decision=rng.choice(["Fortsatta insatser enligt plan.",
                                         "Kalla till SIP-möte inom två veckor.",
                                         "Polisen tar fram en uppdaterad lägesbild."])),
                    "meeting_item")
                title_, agency, category = rng.choice(TASK_TITLES)
                assignee = {Agency.CITY: st.social_worker, Agency.POLICE: st.police,
                            Agency.PROBATION: st.probation}[agency]
                if assignee is None or (agency != Agency.CITY and not sees(st, agency, at)):
                    title_, agency, category = TASK_TITLES[0]
                    assignee = st.social_worker
                due = (at + dt.timedelta(days=14)).date()
                overdue = due < base.date()
                done = overdue and tasks_made % 3 != 0
                add(m.Task(**content(st, agency, category, at, _COORDINATOR
                                     if agency == Agency.CITY else assignee),
                           meeting_id=meeting.id, title=title_,
                           description="Beslut i " + title.lower() + ".",
                           assignee_id=uid[assignee], assignee_agency=agency, due_on=due,
                           state=TaskState.DONE if done else TaskState.OPEN,
                           completed_at=_at(due) - dt.timedelta(days=1) if done else None,
                           completed_by_id=uid[assignee] if done else None), "task")
                tasks_made += 1
        # A few tasks outside meetings: one cancelled, some due soon.
        for k, st in enumerate(busy[:6]):
            at = st.end - dt.timedelta(days=3)
            cancelled = k == 0
            add(m.Task(**content(st, Agency.CITY, Category.SOCIAL, at, st.social_worker),
                       title=TASK_TITLES[(k % 3)][0], description=None,
                       assignee_id=uid[st.social_worker], assignee_agency=Agency.CITY,
                       due_on=(base + dt.timedelta(days=k * 3 - 4)).date(),
                       state=TaskState.CANCELLED if cancelled else TaskState.OPEN), "task")

        audit.append(s, base, admin, "demo.seed", detail=dict(sorted(counts.items())))
        s.commit()
    store.after_commit()


def _story_grants(st: _Story) -> frozenset:
    if st.consent == "none":
        return frozenset()
    if st.consent in ("amended",):
        return GRANT_VARIANTS["full"]
    return GRANT_VARIANTS.get(st.consent, GRANT_VARIANTS["full"])
