"""A deterministic demonstration store with invented data.

``build_demo(root)`` creates a new store and fills it with a small, realistic
and entirely made-up data set: units and users of the three agencies, about
fifty persons at risk (a few with protected identity), joint cases in every
state, consents of every kind, notes, SIG referrals, plans, exit programmes,
threat assessments, incidents with the post-shooting routine, meetings and
tasks. Every name, number, address and text is invented; the personal
identity numbers are well-formed (correct check digit) but random.

The same ``seed`` and the same ``clock`` give the same store. The history
(about 18 months before ``clock()``) is played in time order through the real
services, each step by the user whose work it is and only when the access rule
lets them, so the access log reads like a real one: nothing is inserted beside
the services. Every demo user has ``DEMO_PASSWORD`` (or the password given).

Random personal identity numbers can coincide with real ones: they are for
demonstration stores only, never to be mixed with real data.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import replace as dataclass_replace
from datetime import date
from pathlib import Path

from trefas_app.domain import clock
from trefas_app.domain.enums import (
    Agency,
    CaseState,
    Category,
    ConsentBasis,
    ConsentForm,
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
    Role,
    SupportKind,
)
from trefas_app.domain.errors import TrefasError
from trefas_app.domain.personnummer import COORDINATION_DAY_OFFSET, luhn_check_digit
from trefas_app.security.access import local_date
from trefas_app.security.passwords import check_password_policy
from trefas_app.services import (
    accounts,
    cases,
    consents,
    exits,
    incidents,
    meetings,
    notes,
    persons,
    plans,
    referrals,
    tasks,
    users,
)
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
    # Födelsenummer run 001–999 (000 is refused); drawn as before so that a seed
    # gives the same people.
    serial = max(1, rng.randint(0, 999))
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
    (Agency.CITY, Category.IDENTITY), (Agency.CITY, Category.SOCIAL),
    (Agency.CITY, Category.CRIMINAL), (Agency.CITY, Category.THREAT),
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

    root = Path(root)
    root_existed = root.exists()
    # Refuses (and touches nothing) when a store is already there.
    created = create_store(root, admin_username="admin", admin_display_name=USERS[0][1],
                           admin_password=password, unit_code=ADMIN_UNIT[0],
                           unit_name=ADMIN_UNIT[1], agency=ADMIN_UNIT[2], kdf=kdf, clock=sim)
    sessions: dict[str, OpenStore] = {}
    try:
        try:
            demo_users = _create_organisation(created.store, password, kdf, sim)
        finally:
            created.store.close()
        sim.now += dt.timedelta(hours=1)
        for u in demo_users:
            if u.role != Role.ADMINISTRATOR:
                sessions[u.username] = unlock(root, u.username, password, clock=sim)
        stories = _plan_stories(rng, base)
        timeline = _Timeline(sim)
        for story in stories:
            _schedule_story(timeline, sessions, story, rng, base)
        _schedule_casework(timeline, sessions, stories, rng, base)
        timeline.run()
        _issue_documents(sessions, stories, password)
    except BaseException:
        # A half-built demo is of no use and would block the next attempt.
        for s in sessions.values():
            try:
                s.close()
            except Exception:  # noqa: BLE001 - removing the files matters more
                pass
        _remove_demo_store(root, root_existed)
        raise
    sim.now = base
    for s in sessions.values():
        s.close()
    return demo_users


def _issue_documents(sessions: dict[str, OpenStore], stories: list[_Story],
                     password: str) -> None:
    """Two handovers to the police and a supervisor's case summary, so that
    the Dokument tab and the register have something to show."""
    from trefas_app.services import documents

    issued = 0
    for st in stories:
        if issued == 2:
            break
        if st.police is None or st.final_state == CaseState.CLOSED or st.case_id is None:
            continue
        sw = sessions[st.social_worker]
        police_unit = next(code for name, _d, _r, _a, code in USERS if name == st.police)
        recipient = next(name for code, name, _a in UNITS if code == police_unit)
        try:
            documents.issue_handover(sw.uow(), sw.actor, st.case_id, Agency.POLICE,
                                     recipient, password)
        except TrefasError:
            continue  # no basis to hand this one over: the next story
        issued += 1
        if issued == 1:
            boss = next(s for s in sessions.values() if s.actor.role == Role.SUPERVISOR
                        and s.actor.agency == Agency.CITY)
            documents.issue_case_summary(boss.uow(), boss.actor, st.case_id)


def _remove_demo_store(root: Path, root_existed: bool) -> None:
    """Delete the files this build created (and the folder, if it made it)."""
    for name in ("trefas.db", "trefas.db-wal", "trefas.db-shm", "trefas.db-journal",
                 "trefas.keys", "trefas.keys.lock", "trefas.checkpoints",
                 "trefas.checkpoints.lock"):
        try:
            (root / name).unlink()
        except OSError:
            pass
    if not root_existed:
        try:
            root.rmdir()  # only if empty
        except OSError:
            pass


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
    for username, display, role, agency, code in USERS[1:]:
        sim.now += dt.timedelta(minutes=3)
        # As in real life: the administrator gets a one-time code, the person
        # chooses the password, and (here) the founding session confirms.
        view = users.add_user(store.uow(), admin, users.UserInput(
            username, display, role, agency, unit_ids[code],
            email=f"{username}@example.invalid", phone=None))
        accounts.enrol_account(store.paths.root, username, view.enrolment_code, password,
                               clock=sim, kdf=kdf)
        if role != Role.ADMINISTRATOR:
            accounts.confirm_at_setup(store, username)
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
    return dt.datetime.combine(day, dt.time(12), clock.office_zone()).astimezone(dt.timezone.utc)


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


# --- the rest of the case work, through its services ------------------------------------

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
    LifeArea.WORK: "Kontakt med arbetsmarknadsenheten om praktik",
    LifeArea.STUDIES: "Möte med skolan om studieplan",
    LifeArea.HEALTH: "Boka tid hos ungdomsmottagningen",
    LifeArea.DRUG_FREE: "Provtagning och uppföljning i öppenvården",
    LifeArea.SOCIAL_NETWORK: "Introduktion på fritidsgården",
    LifeArea.HOUSING: "Ansökan om bostad via bostadsförmedlingen",
}
THREAT_SUMMARIES = [
    "Förhöjd hotbild efter konflikt mellan grupperingar i området.",
    "Hot framfört via sociala medier. Ingen konkret plan känd.",
    "Bedömningen sänkt: konflikten har lagt sig enligt polisens lägesbild.",
    "Personen bedöms riskera att utsättas för våld om hen stannar i området.",
]
MEETING_DECISIONS = ["Fortsatta insatser enligt plan.", "Kalla till SIP-möte inom två veckor.",
                     "Polisen tar fram en uppdaterad lägesbild.",
                     "Erbjud kontakt med avhopparverksamheten."]
TASK_TITLES = {
    Agency.CITY: ["Boka SIP-möte med skola och vårdnadshavare", "Följa upp praktikplatsen",
                  "Kontrollera samtyckets giltighet", "Kontakta fritidsgården"],
    Agency.POLICE: ["Ta fram uppdaterad lägesbild", "Genomföra skyddssamtal"],
    Agency.PROBATION: ["Samordna med övervakningsplanen"],
}

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


def _sees(st: _Story, agency: Agency, at: dt.datetime,
          category: Category = Category.IDENTITY) -> bool:
    """Whether ``agency`` may see the story's case (and ``category``) at ``at``."""
    if agency == Agency.CITY:
        return True
    grants = _story_grants(st)
    margin = dt.timedelta(hours=1)
    return (st.consent_window is not None and (agency, Category.IDENTITY) in grants
            and (agency, category) in grants
            and st.consent_window[0] + margin <= at <= st.consent_window[1] - margin)


def _spread(lo: dt.datetime, hi: dt.datetime, n: int, rng: random.Random) -> list[dt.datetime]:
    return sorted(lo + (hi - lo) * rng.random() for _ in range(n))


def _schedule_casework(tl: _Timeline, sessions: dict[str, OpenStore], stories: list[_Story],
                       rng: random.Random, base: dt.datetime) -> None:
    """SIG referrals, plans, exit programmes, threat assessments, protective
    measures, incidents with the routine, meetings and tasks — each by the user
    whose work it is, at a time when the access rule lets them do it."""
    day, hour = dt.timedelta(days=1), dt.timedelta(hours=1)
    uid = {name: s.actor.user_id for name, s in sessions.items()}
    coordinator = sessions[_COORDINATOR]
    boss = sessions[_CITY_SUPERVISOR]

    def last(st: _Story) -> dt.datetime:
        running = st.final_state in (CaseState.OPEN, CaseState.ACTIVE)
        return base - 3 * hour if running else st.end

    def first(st: _Story) -> dt.datetime:
        return st.start + 4 * day

    def coordinator_may(st: _Story) -> bool:
        return st.unit == "SDF-RK" or st.coordinator

    running = [st for st in stories if st.final_state == CaseState.ACTIVE]
    worked = [st for st in stories if st.final_state != CaseState.OPEN]

    # -- SIG referrals in every state ---------------------------------------------
    young = [st for st in worked
             if st.birth is None or (base.date() - st.birth).days < 30 * 365]
    rng.shuffle(young)
    referral_of: dict[int, ReferralState] = {}
    for (target, closure), st in zip(_REFERRAL_TARGETS, young):
        referral_of[st.index] = target
        lo, hi = first(st), last(st) - hour
        t0 = lo + (hi - lo) * rng.uniform(0.0, 0.3)
        author, source = st.social_worker, rng.choice([Agency.CITY, Agency.POLICE,
                                                       Agency.CITY, Agency.PROBATION])
        for member, agency in ((st.police, Agency.POLICE), (st.probation, Agency.PROBATION)):
            if member and rng.random() < 0.5 and _sees(st, agency, t0):
                author, source = member, agency
                break
        ref: dict = {}
        reason = rng.choice(REFERRAL_REASONS)

        def create(st=st, author=author, source=source, ref=ref, reason=reason):
            s = sessions[author]
            ref["id"] = referrals.create_referral(s.uow(), s.actor, st.case_id, reason,
                                                  source).id

        tl.at(t0, create)
        path = _referral_path(target, closure)
        for when, state in zip(_spread(t0 + day, hi, len(path), rng), path):
            decides = state in (_R.GRANTED, _R.DECLINED)
            mover = coordinator if decides and coordinator_may(st) else \
                sessions[st.social_worker]
            note = ("Beslut i SIG-gruppen: insatser beviljas." if state == _R.GRANTED else
                    "Behovet tillgodoses inom ordinarie insatser." if state == _R.DECLINED
                    else None)

            def move(mover=mover, state=state, note=note, ref=ref, closure=closure):
                referrals.move_referral(mover.uow(), mover.actor, ref["id"], state,
                                        closure=closure if state == _R.CLOSED else None,
                                        note=note)

            tl.at(when, move)

    # -- plans (some SIP) ------------------------------------------------------------
    with_plan = [st for st in worked if referral_of.get(st.index) in (
        _R.PLAN, _R.INTERVENTIONS, _R.FOLLOW_UP, _R.CLOSED)]
    with_plan += [st for st in running if st not in with_plan][:12 - len(with_plan)]
    with_plan += [st for st in worked if st.final_state == CaseState.CLOSED
                  and st not in with_plan][:2]
    cycle = [PlanState.DRAFT, PlanState.APPROVED, PlanState.FOLLOWED_UP, PlanState.APPROVED]
    for k, st in enumerate(with_plan):
        target = PlanState.ENDED if st.final_state == CaseState.CLOSED else cycle[k % 4]
        lo, hi = first(st), last(st) - hour
        t0 = lo + (hi - lo) * rng.uniform(0.3, 0.5)
        sw = sessions[st.social_worker]
        areas = rng.sample(list(LifeArea), rng.randint(2, 4))
        plan: dict = {}
        actions: list[tuple[LifeArea, str, Agency, str | None, date]] = []
        for area in areas:
            due = local_date(t0) + dt.timedelta(days=rng.randint(14, 100))
            actions.append((area, ACTIONS[area], Agency.CITY, st.social_worker, due))
        if st.police and _sees(st, Agency.POLICE, t0, Category.SOCIAL):
            actions.append((LifeArea.SOCIAL_NETWORK, "Skyddssamtal och genomgång av hotbild",
                            Agency.POLICE, st.police,
                            local_date(t0) + dt.timedelta(days=rng.randint(7, 30))))
        if st.probation and _sees(st, Agency.PROBATION, t0, Category.SOCIAL):
            actions.append((LifeArea.WORK, "Samordning med övervakningsplanen",
                            Agency.PROBATION, st.probation,
                            local_date(t0) + dt.timedelta(days=rng.randint(14, 40))))
        is_sip = k % 3 == 0

        def create_plan(st=st, sw=sw, plan=plan, areas=areas, actions=actions, is_sip=is_sip,
                        t0=t0):
            view = plans.create_plan(sw.uow(), sw.actor, st.case_id, is_sip, Agency.CITY,
                                     uid[st.social_worker],
                                     local_date(t0) + dt.timedelta(days=45))
            plan["id"] = view.id
            for area in areas:
                plans.add_goal(sw.uow(), sw.actor, view.id, area, GOALS[area])
            for area, text, agency, who, due in actions:
                view = plans.add_action(sw.uow(), sw.actor, view.id, area, text, agency,
                                        uid[who] if who else None, due,
                                        due + dt.timedelta(days=14))
            plan["actions"] = [(a.id, a.due_date) for a in view.actions]

        tl.at(t0, create_plan)
        if target == PlanState.DRAFT:
            continue
        t_approve = t0 + min(3 * day, (hi - t0) * 0.1)
        tl.at(t_approve, lambda plan=plan: plans.approve_plan(boss.uow(), boss.actor,
                                                             plan["id"]))
        t_end = hi if target == PlanState.ENDED else last(st)

        for n in range(len(actions)):
            when = t_approve + (t_end - t_approve) * (0.2 + 0.6 * n / max(1, len(actions)))
            if rng.random() < 0.6:
                def done(sw=sw, plan=plan, n=n):
                    plans.complete_action(sw.uow(), sw.actor, plan["actions"][n][0])

                tl.at(when, done)
        if target == PlanState.FOLLOWED_UP:
            t_follow = t_approve + (hi - t_approve) * 0.7
            tl.at(t_follow, lambda sw=sw, plan=plan, t=t_follow: plans.follow_up_plan(
                sw.uow(), sw.actor, plan["id"], local_date(t) + dt.timedelta(days=45)))
        if target == PlanState.ENDED:
            tl.at(hi, lambda sw=sw, plan=plan: plans.end_plan(
                sw.uow(), sw.actor, plan["id"], "Ärendet avslutas."))

    # -- exit programmes --------------------------------------------------------------
    exit_ok = {"full", "with_health", "no_location", "amended"}
    protected_exit = next((st for st in running if st.protection ==
                           ProtectionLevel.FICTITIOUS_IDENTITY), None)
    candidates = [st for st in running if st is not protected_exit and st.police
                  and st.consent in exit_ok and st.index not in referral_of]
    waiting = [st for st in running if st is not protected_exit and st not in candidates[:1]
               and st.index not in referral_of][:2]
    if protected_exit is not None:
        _schedule_exit_in_protection(tl, sessions, protected_exit, rng, base)
    for st, hours in zip(waiting, (5, 40)):
        # One fresh request, and one that has missed its 24-hour first-contact target.
        sw = sessions[st.social_worker]
        tl.at(base - hours * hour, lambda sw=sw, st=st: exits.request_exit(
            sw.uow(), sw.actor, st.case_id, "Vill lämna sitt tidigare umgänge; oro för "
            "repressalier."))
    for st in candidates[:1]:
        t0 = base - dt.timedelta(days=rng.uniform(10, 20))
        _schedule_exit_intake(tl, sessions, st, t0)
    ended = next((st for st in worked if st.final_state == CaseState.CLOSED
                  and (st.end - st.start).days > 40), None)
    if ended is not None:
        t0 = ended.start + (ended.end - ended.start) * 0.5
        sw = sessions[ended.social_worker]
        ep: dict = {}

        def request(sw=sw, st=ended, ep=ep):
            ep["id"] = exits.request_exit(sw.uow(), sw.actor, st.case_id,
                                          "Önskar stöd att flytta från området.").id

        tl.at(t0, request)
        tl.at(t0 + 5 * hour, lambda sw=sw, ep=ep: exits.record_first_contact(
            sw.uow(), sw.actor, ep["id"]))
        tl.at(t0 + 2 * day, lambda sw=sw, ep=ep: exits.move_exit(
            sw.uow(), sw.actor, ep["id"], ExitState.INTAKE))
        tl.at(t0 + 9 * day, lambda sw=sw, ep=ep: exits.move_exit(
            sw.uow(), sw.actor, ep["id"], ExitState.ENDED, ExitEnding.MOVED))

    # -- threat assessments ------------------------------------------------------------
    for st in [x for x in running if x.police][:8]:
        when = first(st) + (last(st) - first(st)) * rng.uniform(0.4, 0.9)
        if not _sees(st, Agency.POLICE, when):
            continue
        police = sessions[st.police]
        level, summary = rng.choice(list(RiskLevel)), rng.choice(THREAT_SUMMARIES)
        tl.at(when, lambda p=police, st=st, level=level, summary=summary:
              exits.add_threat_assessment(p.uow(), p.actor, st.case_id, None, level, summary))
    for st in running[-4:]:
        when = first(st) + (last(st) - first(st)) * rng.uniform(0.2, 0.8)
        sw = sessions[st.social_worker]
        tl.at(when, lambda sw=sw, st=st: exits.add_threat_assessment(
            sw.uow(), sw.actor, st.case_id, None, RiskLevel.YELLOW,
            "Socialtjänstens bedömning: oro för påverkan från äldre syskons umgänge."))

    # -- incidents and the post-shooting routine ---------------------------------------------
    units = {"SDF-RK": coordinator.actor.unit_id,
             "SDF-ST": sessions[_SOCIAL_WORKERS["SDF-ST"][0]].actor.unit_id}
    incident_plan = [
        (IncidentKind.EXPLOSION, "SDF-ST", 120, "helen.tesfaye", "closed",
         "Trapphus vid Fältspatsvägen", "Detonation i trapphus nattetid. Inga skadade."),
        (IncidentKind.SHOOTING, "SDF-RK", 45, _COORDINATOR, "routine",
         "Torget vid Hagalundsvägen", "Skottlossning på torget; en person skadad."),
        (IncidentKind.SHOOTING, "SDF-RK", 2, "deniz.yilmaz", "reported",
         "Parkeringen vid Blåklintsgränd",
         "Skott avlossade mot bil. Ingen skadad enligt polisens första uppgifter."),
    ]
    for kind, unit, days_ago, reporter, outcome, place, summary in incident_plan:
        occurred = (base - dt.timedelta(days=days_ago)).replace(hour=20, minute=40,
                                                               second=0, microsecond=0)
        if occurred > base - 10 * hour:
            occurred -= day
        inc: dict = {}
        rep = sessions[reporter]

        def report(rep=rep, kind=kind, occurred=occurred, unit=unit, place=place,
                   summary=summary, inc=inc):
            view = incidents.report_incident(rep.uow(), rep.actor, kind, occurred, units[unit],
                                             place, summary)
            inc["id"] = view.id
            inc["steps"] = [(step.id, step.owner_agency, step.due_at) for step in view.steps]

        tl.at(occurred + 2 * hour, report)
        if outcome == "reported":
            continue
        tl.at(occurred + 3 * hour, lambda rep=rep, inc=inc: incidents.start_routine(
            rep.uow(), rep.actor, inc["id"]))
        police_name = _POLICE_OF[unit]

        def work_steps(inc=inc, police_name=police_name, outcome=outcome):
            # Each step done by its owner before it is due (the routine's second
            # half stays open on the recent shooting).
            for n, (step_id, agency, due) in enumerate(inc["steps"]):
                if outcome == "routine" and n >= len(inc["steps"]) - 2:
                    continue
                who = sessions[police_name] if agency == Agency.POLICE else coordinator
                incidents.complete_step(who.uow(), who.actor, step_id,
                                        "Genomfört enligt rutinen.")

        tl.at(occurred + 20 * hour, work_steps)
        if outcome == "closed":
            tl.at(occurred + 8 * day + 2 * hour, lambda rep=rep, inc=inc:
                  incidents.close_incident(rep.uow(), rep.actor, inc["id"]))
        when = occurred + 12 * hour
        involved = [st for st in running if st.unit == unit and st.police
                    and first(st) < when < last(st) and _sees(st, Agency.POLICE, when)][:3]
        for role, st in zip(("victim", "relative", "witness"), involved):
            police = sessions[st.police]
            tl.at(when, lambda p=police, st=st, role=role, inc=inc: incidents.link_person(
                p.uow(), p.actor, inc["id"], st.case_id, role))
            if role == "victim" and _sees(st, Agency.POLICE, when + day):
                tl.at(when + day, lambda p=police, st=st, when=when: exits.add_measure(
                    p.uow(), p.actor, st.case_id, None, MeasureKind.POLICE_PROTECTION_KIT,
                    "Skyddspaket med larm efter skottlossningen.", local_date(when + day)))
                if outcome == "routine":
                    sw = sessions[st.social_worker]
                    tl.at(when + 2 * hour, lambda st=st, inc=inc, w=when: tasks.create_task(
                        coordinator.uow(), coordinator.actor, st.case_id,
                        "Erbjuda krisstöd till familjen", None, uid[st.social_worker],
                        local_date(w) + dt.timedelta(days=2), incident_id=inc["id"]))

    # -- operational-group meetings, items and tasks -----------------------------------------
    participants = [_COORDINATOR, *_SOCIAL_WORKERS["SDF-RK"], *_SOCIAL_WORKERS["SDF-ST"],
                    *_POLICE_OF.values(), _PROBATION]
    meeting_plan = [(60, MeetingKind.OPERATIONAL_GROUP), (30, MeetingKind.OPERATIONAL_GROUP),
                    (9, MeetingKind.SIP), (2, MeetingKind.OPERATIONAL_GROUP),
                    (-5, MeetingKind.OPERATIONAL_GROUP)]
    titles = {MeetingKind.OPERATIONAL_GROUP: "Operativ grupp Järva", MeetingKind.SIP: "SIP-möte",
              MeetingKind.JOINT: "Samverkansmöte"}
    discussed = [st for st in running if coordinator_may(st)]
    rng.shuffle(discussed)
    task_no = 0
    for n, (days_ago, kind) in enumerate(meeting_plan):
        held_at = (base - dt.timedelta(days=days_ago)).replace(hour=8, minute=30, second=0,
                                                              microsecond=0)
        held = days_ago > 0 and held_at < base - 3 * hour
        meeting: dict = {}

        def create_meeting(meeting=meeting, kind=kind, held_at=held_at):
            meeting["id"] = meetings.create_meeting(
                coordinator.uow(), coordinator.actor, kind, units["SDF-RK"], titles[kind],
                held_at, "Stadsdelsförvaltningen, rum 3", [uid[p] for p in participants]).id

        tl.at(min(held_at - 7 * day, base - day), create_meeting)
        if not held:
            continue
        on_agenda = [st for st in discussed[n * 3:] if first(st) < held_at < last(st)][:3]
        for k, st in enumerate(on_agenda):
            t_item = held_at + (k + 1) * dt.timedelta(minutes=20)
            decision = rng.choice(MEETING_DECISIONS)
            tl.at(t_item, lambda st=st, meeting=meeting, decision=decision:
                  meetings.add_meeting_item(coordinator.uow(), coordinator.actor,
                                            meeting["id"], st.case_id,
                                            "Genomgång av läget och av planens åtgärder.",
                                            decision))
            agency = Agency.CITY
            if st.police and rng.random() < 0.4 and _sees(st, Agency.POLICE, t_item,
                                                          Category.SOCIAL):
                agency = Agency.POLICE
            assignee = st.police if agency == Agency.POLICE else st.social_worker
            due = local_date(held_at) + dt.timedelta(days=14)
            title = rng.choice(TASK_TITLES[agency])
            task: dict = {}

            def create_task(st=st, meeting=meeting, assignee=assignee, due=due, title=title,
                            task=task):
                task["id"] = tasks.create_task(
                    coordinator.uow(), coordinator.actor, st.case_id, title,
                    "Beslut i operativa gruppen.", uid[assignee], due,
                    meeting_id=meeting["id"]).id

            tl.at(held_at + 90 * dt.timedelta(minutes=1) + k * dt.timedelta(minutes=2),
                  create_task)
            finish = _at(due) - day
            if finish < base - hour and task_no % 3 != 2:
                if task_no % 5 == 4:
                    tl.at(finish, lambda task=task: tasks.cancel_task(
                        coordinator.uow(), coordinator.actor, task["id"],
                        "Inte längre aktuellt."))
                elif agency == Agency.CITY or _sees(st, agency, finish, Category.SOCIAL):
                    who = sessions[assignee]
                    tl.at(finish, lambda who=who, task=task: tasks.complete_task(
                        who.uow(), who.actor, task["id"]))
            task_no += 1
        absent = [uid[_PROBATION]] if n % 2 else []
        tl.at(held_at + 2 * hour, lambda meeting=meeting, absent=absent:
              meetings.mark_meeting_held(coordinator.uow(), coordinator.actor, meeting["id"],
                                         absent))
    # A few of the social workers' own reminders, due in the coming days.
    for k, st in enumerate(running[:5]):
        sw = sessions[st.social_worker]
        when = base - dt.timedelta(days=2, hours=k)
        tl.at(when, lambda sw=sw, st=st, k=k, when=when: tasks.create_task(
            sw.uow(), sw.actor, st.case_id, TASK_TITLES[Agency.CITY][k % 4], None,
            sw.actor.user_id, local_date(when) + dt.timedelta(days=k + 1)))


def _schedule_exit_intake(tl: _Timeline, sessions, st: _Story, t0: dt.datetime) -> None:
    """Request, first contact within the target, intake and a police threat assessment."""
    sw, police = sessions[st.social_worker], sessions[st.police]
    hour, day = dt.timedelta(hours=1), dt.timedelta(days=1)
    ep: dict = {}

    def request():
        ep["id"] = exits.request_exit(sw.uow(), sw.actor, st.case_id,
                                      "Vill lämna gänget; behöver hjälp med boende.").id

    tl.at(t0, request)
    tl.at(t0 + 7 * hour, lambda: exits.record_first_contact(sw.uow(), sw.actor, ep["id"]))
    tl.at(t0 + 2 * day, lambda: exits.move_exit(sw.uow(), sw.actor, ep["id"], ExitState.INTAKE))
    tl.at(t0 + 3 * day, lambda: exits.add_threat_assessment(
        police.uow(), police.actor, st.case_id, ep["id"], RiskLevel.RED, THREAT_SUMMARIES[3]))


def _schedule_exit_in_protection(tl: _Timeline, sessions, st: _Story, rng: random.Random,
                                 base: dt.datetime) -> None:
    """The whole way to protection and support: agreement approved by the
    supervisor, consent covering every agency, protected housing and support."""
    sw, police = sessions[st.social_worker], sessions[st.police]
    boss = sessions[_CITY_SUPERVISOR]
    hour, day = dt.timedelta(hours=1), dt.timedelta(days=1)
    t0 = max(st.start + 6 * day, base - dt.timedelta(days=rng.uniform(90, 110)))
    ep: dict = {}

    def request():
        ep["id"] = exits.request_exit(sw.uow(), sw.actor, st.case_id,
                                      "Vill hoppa av; hotad av tidigare gruppering.").id

    tl.at(t0, request)
    tl.at(t0 + 6 * hour, lambda: exits.record_first_contact(sw.uow(), sw.actor, ep["id"]))
    tl.at(t0 + 2 * day, lambda: exits.move_exit(sw.uow(), sw.actor, ep["id"], ExitState.INTAKE))
    tl.at(t0 + 3 * day, lambda: exits.add_threat_assessment(
        police.uow(), police.actor, st.case_id, ep["id"], RiskLevel.RED, THREAT_SUMMARIES[3]))
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


def _story_grants(st: _Story) -> frozenset:
    if st.consent == "none":
        return frozenset()
    if st.consent in ("amended",):
        return GRANT_VARIANTS["full"]
    return GRANT_VARIANTS.get(st.consent, GRANT_VARIANTS["full"])
