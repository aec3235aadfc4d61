"""Fast, reproducible bulk generation of a large Trefas store, for benchmarks.

The services insert one row at a time through the access rule, which is right
for the program and far too slow for a million notes. Here rows go straight
into the real SQLCipher engine with executemany in chunks, in one transaction
(``bulk_load.py``), the indexes built after the rows, and the access log is
generated and chained in a second process meanwhile (``bulk_audit.py``).
Nothing here is used by the program.

The shape of the data is chosen so that the access rule has real work to do:
city-owned cases in several district units, police liaisons and probation
officers on a share of the teams, consents of every status (current, expired,
withdrawn, superseded, legal basis) with partial grants, a few protected
persons, and notes owned by all three agencies in every category.

Typical use (see ``bench_store.py``)::

    spec = BulkSpec(persons=50_000, cases=60_000, notes=1_000_000)
    world = build_store(root, spec, password=BENCH_PASSWORD)
    # world.users["coordinator"] is a username that can unlock with the password

Other benchmarks reuse the pieces: ``BulkSpec.consent_share = 0`` gives a
police-without-consent store, ``insert_notes`` can top up one case, etc.
"""

from __future__ import annotations

import bisect
import concurrent.futures
import contextlib
import datetime as dt
import itertools
import random
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import insert, select, text
from sqlalchemy.engine import Connection, Engine

from trefas_app.domain.collation import stored_key
from trefas_app.demo import FIRST_NAMES, LAST_NAMES, STREETS, make_personal_number
from trefas_app.domain.enums import (
    Agency,
    CaseState,
    Category,
    ConsentBasis,
    ConsentForm,
    NoteState,
    ProtectionLevel,
    RiskLevel,
    Role,
)
from trefas_app.store import audit
from trefas_app.store import models as m
from trefas_app.store import keyslots
from trefas_app.store.keyslots import PRODUCTION_KDF, KdfParams
from trefas_app.store.store import OpenStore, actor_of, create_store
from trefas_app.store.uow import utc_now

from bulk_load import (  # noqa: F401 - the loading pieces, for other benchmarks
    CHUNK, GENERATOR_CACHE_KIB, LOAD_PRAGMAS, _scalar_default, bulk_insert, chunked,
    indexes_dropped, load_rows, loading, stored_datetime, stored_enum_texts)
import bulk_child
from bulk_audit import (  # noqa: F401 - audit_rows: for other benchmarks
    AUDIT_COLUMNS, audit_rows, fast_below, write_log_file)

#: Password of every benchmark user that gets a key slot (passes the policy).
BENCH_PASSWORD = "Bänkprov-Järvafältet-77"



# --- the knobs --------------------------------------------------------------------


@dataclass
class BulkSpec:
    persons: int = 50_000
    cases: int = 60_000
    notes: int = 1_000_000
    seed: int = 2026
    city_units: int = 8
    social_workers_per_unit: int = 15
    police_units: int = 4
    liaisons_per_police_unit: int = 10
    probation_units: int = 2
    officers_per_probation_unit: int = 8
    #: Share of cases with a police liaison / probation officer on the team.
    police_on_team: float = 0.35
    probation_on_team: float = 0.12
    #: Share of persons with a current consent (the rest: expired, withdrawn, none).
    consent_share: float = 0.72
    expired_share: float = 0.10
    withdrawn_share: float = 0.08
    legal_basis_share: float = 0.04
    protected_share: float = 0.01
    coordination_number_share: float = 0.03
    draft_share: float = 0.04
    #: Years of history the cases are spread over.
    history_years: float = 5.0
    #: Typical note body length in characters (varies ±60 %).
    note_chars: int = 450
    #: Access-log entries generated (chained) besides the bulk's own one.
    audit_events: int = 0
    #: Key-derivation parameters of the slots created for measured users.
    kdf: KdfParams = field(default_factory=lambda: PRODUCTION_KDF)


@dataclass
class World:
    """What was generated: ids the measurements need."""

    root: Path
    spec: BulkSpec
    now: dt.datetime
    #: role label -> username with a key slot (password BENCH_PASSWORD).
    users: dict[str, str]
    counts: dict[str, int]
    seconds: dict[str, float]
    unit_ids: dict[str, list[int]]


# --- helpers ------------------------------------------------------------------------


def weighted_picker(rng: random.Random, weights: list[float]) -> Callable[[], int]:
    """A function returning an index with probability proportional to its weight."""
    cum = list(itertools.accumulate(weights))
    total = cum[-1]
    return lambda: bisect.bisect_right(cum, rng.random() * total)


def _plus_years(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def _pick(rng: random.Random, table: dict) -> object:
    keys, weights = zip(*table.items())
    return rng.choices(keys, weights)[0]


# --- organisation -------------------------------------------------------------------

CITY_UNIT_NAMES = ["Rinkeby-Kista", "Spånga-Tensta", "Hässelby-Vällingby", "Bromma",
                   "Enskede-Årsta-Vantör", "Farsta", "Skärholmen", "Södermalm",
                   "Norrmalm", "Östermalm", "Kungsholmen", "Hägersten-Älvsjö",
                   "Skarpnäck", "Skärholmen Syd"]
POLICE_UNIT_NAMES = ["LPO Rinkeby", "LPO Tensta", "LPO Västerort", "LPO Söderort",
                     "LPO Norrmalm", "LPO Farsta"]
PROBATION_UNIT_NAMES = ["Frivården Stockholm Nord", "Frivården Stockholm Syd",
                        "Frivården Sollentuna"]


@dataclass
class Org:
    city_units: list[int]
    police_units: list[int]
    probation_units: list[int]
    social_workers: dict[int, list[int]]  # unit id -> user ids
    coordinators: dict[int, int]  # unit id -> user id
    liaisons: dict[int, list[int]]
    officers: dict[int, list[int]]
    supervisors: dict[Agency, int]
    named: dict[str, tuple[int, str]]  # label -> (user id, username)


def insert_org(engine: Engine, spec: BulkSpec, now: dt.datetime, admin_id: int) -> Org:
    """Units and users (rows only; slots are added for the measured users)."""
    def units(agency, names, n, prefix):
        rows = [{"agency": agency, "code": f"{prefix}{i + 1:02d}",
                 "name": names[i % len(names)] + ("" if i < len(names) else f" {i}")}
                for i in range(n)]
        with engine.begin() as conn:
            conn.execute(insert(m.Unit.__table__), rows)
            return [r[0] for r in conn.execute(
                text("SELECT id FROM units WHERE code LIKE :p ORDER BY id"),
                {"p": f"{prefix}%"}).all()]

    city = units(Agency.CITY, CITY_UNIT_NAMES, spec.city_units, "B-SDF")
    police = units(Agency.POLICE, POLICE_UNIT_NAMES, spec.police_units, "B-LPO")
    probation = units(Agency.PROBATION, PROBATION_UNIT_NAMES, spec.probation_units, "B-KV")

    rng = random.Random(spec.seed + 1)
    rows: list[dict] = []

    def user(username, role, agency, unit_id):
        rows.append({"username": username,
                     "display_name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                     "role": role, "agency": agency, "unit_id": unit_id, "active": True,
                     "language": "sv", "created_at": now, "created_by_id": admin_id})
        return username

    for i, u in enumerate(city):
        for k in range(spec.social_workers_per_unit):
            user(f"sw{i:02d}-{k:02d}", Role.SOCIAL_WORKER, Agency.CITY, u)
        user(f"coord{i:02d}", Role.COORDINATOR, Agency.CITY, u)
    for i, u in enumerate(police):
        for k in range(spec.liaisons_per_police_unit):
            user(f"pol{i:02d}-{k:02d}", Role.POLICE_LIAISON, Agency.POLICE, u)
    for i, u in enumerate(probation):
        for k in range(spec.officers_per_probation_unit):
            user(f"kv{i:02d}-{k:02d}", Role.PROBATION_OFFICER, Agency.PROBATION, u)
    user("chef-city", Role.SUPERVISOR, Agency.CITY, city[0])
    user("chef-police", Role.SUPERVISOR, Agency.POLICE, police[0])
    user("chef-probation", Role.SUPERVISOR, Agency.PROBATION, probation[0])
    with engine.begin() as conn:
        conn.execute(insert(m.User.__table__), rows)
        ids = dict(conn.execute(text("SELECT username, id FROM users")).all())
        by_unit: dict[int, list[tuple[str, int]]] = {}
        for uname, uid, role, unit_id in conn.execute(
                text("SELECT username, id, role, unit_id FROM users ORDER BY id")).all():
            by_unit.setdefault(unit_id, []).append((role, uid))

    def of(unit_id, role):
        return [uid for r, uid in by_unit.get(unit_id, []) if r == role.value]

    org = Org(
        city_units=city, police_units=police, probation_units=probation,
        social_workers={u: of(u, Role.SOCIAL_WORKER) for u in city},
        coordinators={u: of(u, Role.COORDINATOR)[0] for u in city},
        liaisons={u: of(u, Role.POLICE_LIAISON) for u in police},
        officers={u: of(u, Role.PROBATION_OFFICER) for u in probation},
        supervisors={Agency.CITY: ids["chef-city"], Agency.POLICE: ids["chef-police"],
                     Agency.PROBATION: ids["chef-probation"]},
        named={})
    org.named = {
        "coordinator": (ids["coord00"], "coord00"),
        "social_worker": (ids["sw00-00"], "sw00-00"),
        "police_liaison": (ids["pol00-00"], "pol00-00"),
        "probation_officer": (ids["kv00-00"], "kv00-00"),
        "supervisor_city": (ids["chef-city"], "chef-city"),
        "supervisor_police": (ids["chef-police"], "chef-police"),
    }
    return org


# --- persons ------------------------------------------------------------------------


def person_rows(spec: BulkSpec, org: Org, now: dt.datetime,
                rng: random.Random) -> Iterator[dict]:
    """Persons at risk, mostly 15–30 years old, a few protected."""
    taken: set[str] = set()
    today = now.date()
    for i in range(spec.persons):
        unit = org.city_units[i % len(org.city_units)]
        creator = rng.choice(org.social_workers[unit])
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        pn = None
        if rng.random() < 0.93:
            while True:
                age_days = rng.randint(15 * 365 + 4, 31 * 365)
                birth = today - dt.timedelta(days=age_days)
                pn = make_personal_number(
                    birth, rng, coordination=rng.random() < spec.coordination_number_share)
                if pn not in taken:
                    taken.add(pn)
                    break
            birth_date = birth
        else:
            birth_date = None
        protection = ProtectionLevel.NONE
        if rng.random() < spec.protected_share:
            protection = rng.choice([ProtectionLevel.CONFIDENTIALITY_MARKING,
                                     ProtectionLevel.PROTECTED_REGISTRATION,
                                     ProtectionLevel.FICTITIOUS_IDENTITY])
        created = now - dt.timedelta(days=rng.uniform(0, spec.history_years * 365))
        yield {
            "personal_number": pn, "first_name": first, "last_name": last,
            "birth_date": birth_date,
            "phone": f"07{rng.randint(0, 9)}-{rng.randint(100, 999)} {rng.randint(10, 99)} "
                     f"{rng.randint(10, 99)}" if rng.random() < 0.7 else None,
            "address": f"{rng.choice(STREETS)} {rng.randint(1, 60)}",
            "postal_code": f"16{rng.randint(3, 4)} {rng.randint(10, 99)}",
            "city": rng.choice(["Spånga", "Kista", "Stockholm"]),
            "protection_level": protection,
            "risk_level": _pick(rng, {RiskLevel.GREEN: 4, RiskLevel.YELLOW: 4, RiskLevel.RED: 2}),
            "risk_factors": "Kontakter i kriminella nätverk." if rng.random() < 0.5 else None,
            "protective_factors": "Stöd från familjen." if rng.random() < 0.5 else None,
            "owner_agency": Agency.CITY, "unit_id": unit,
            "search_name": f"{first} {last}".casefold(),
            "sort_name": stored_key(f"{first} {last}".casefold()),
            "created_at": created, "created_by_id": creator,
        }


# --- cases and teams ------------------------------------------------------------------


@dataclass
class CaseInfo:
    """What later generators need to know about each case (kept in memory)."""

    ids: list[int]
    person: list[int]
    opened: list[dt.datetime]
    last: list[dt.datetime]
    city_author: list[int]
    police_member: list[int | None]
    probation_member: list[int | None]


CASE_TITLES = ["Risk för våld", "Oro för grov brottslighet", "SIG-aktualisering",
               "Avhopparstöd", "Stöd efter skjutning", "Samverkan kring ung vuxen",
               "Hot mot person", "Rekryteringsrisk", "Anhörig till gärningsperson",
               "Återfallsprevention efter frigivning"]


def insert_cases(engine: Engine | Connection, spec: BulkSpec, org: Org, now: dt.datetime,
                 rng: random.Random, person_units: list[int],
                 progress=None) -> CaseInfo:
    """Cases (each person at least one) and their teams."""
    n_persons = len(person_units)
    # Person ids are 1..n in insertion order on a fresh store.
    case_person = list(range(1, n_persons + 1))[:spec.cases]
    case_person += [rng.randint(1, n_persons) for _ in range(spec.cases - len(case_person))]
    rng.shuffle(case_person)
    history = dt.timedelta(days=spec.history_years * 365)
    opened = sorted(now - history * rng.random() for _ in range(spec.cases))
    states = {CaseState.OPEN: 15, CaseState.ACTIVE: 55, CaseState.CLOSURE_REQUESTED: 5,
              CaseState.CLOSED: 25}
    per_year: dict[int, int] = {}
    info = CaseInfo([], [], [], [], [], [], [])
    rows, team = [], []
    police_units = org.police_units
    for i, (pid, op) in enumerate(zip(case_person, opened)):
        unit = person_units[pid - 1]
        state = _pick(rng, states)
        span = (now - op).total_seconds()
        last = op + dt.timedelta(seconds=span * rng.uniform(0.05 if state == CaseState.CLOSED
                                                             else 0.5, 1.0))
        year = op.year
        per_year[year] = per_year.get(year, 0) + 1
        author = rng.choice(org.social_workers[unit])
        closed_at = last + dt.timedelta(days=3) if state == CaseState.CLOSED else None
        if closed_at and closed_at > now:
            closed_at = now
        rows.append({
            "number": f"K-{year}-{per_year[year]:05d}", "person_id": pid, "unit_id": unit,
            "owner_agency": Agency.CITY, "state": state,
            "title": rng.choice(CASE_TITLES), "opened_at": op,
            "closure_requested_at": (last if state in (CaseState.CLOSURE_REQUESTED,
                                                       CaseState.CLOSED) else None),
            "closure_requested_by_id": (author if state in (CaseState.CLOSURE_REQUESTED,
                                                            CaseState.CLOSED) else None),
            "closure_reason": ("Målen i planen är uppnådda." if state in (
                CaseState.CLOSURE_REQUESTED, CaseState.CLOSED) else None),
            "closed_at": closed_at,
            "closed_by_id": org.supervisors[Agency.CITY] if closed_at else None,
            "last_entry_at": last,
            "retain_until": _plus_years(last.date(), 5) if closed_at else None,
            "created_at": op, "created_by_id": author,
        })
        case_id = i + 1
        police = probation = None
        team.append({"case_id": case_id, "user_id": author, "responsible": True,
                     "added_at": op, "added_by_id": author})
        if rng.random() < 0.3:
            other = rng.choice(org.social_workers[unit])
            if other != author:
                team.append({"case_id": case_id, "user_id": other, "responsible": False,
                             "added_at": op, "added_by_id": author})
        if rng.random() < spec.police_on_team:
            police = rng.choice(org.liaisons[police_units[unit % len(police_units)]])
            team.append({"case_id": case_id, "user_id": police, "responsible": False,
                         "added_at": op, "added_by_id": author})
        if rng.random() < spec.probation_on_team:
            probation = rng.choice(
                org.officers[org.probation_units[unit % len(org.probation_units)]])
            team.append({"case_id": case_id, "user_id": probation, "responsible": False,
                         "added_at": op, "added_by_id": author})
        info.ids.append(case_id)
        info.person.append(pid)
        info.opened.append(op)
        info.last.append(last)
        info.city_author.append(author)
        info.police_member.append(police)
        info.probation_member.append(probation)
    bulk_insert(engine, m.Case, rows, progress=progress)
    bulk_insert(engine, m.TeamMember, team, progress=progress)
    return info


# --- consents ----------------------------------------------------------------------------

#: Probability that a consent grants (agency, category).
GRANT_ODDS = {
    (Agency.POLICE, Category.IDENTITY): 0.92, (Agency.POLICE, Category.SOCIAL): 0.7,
    (Agency.POLICE, Category.CRIMINAL): 0.8, (Agency.POLICE, Category.THREAT): 0.65,
    (Agency.POLICE, Category.LOCATION): 0.3, (Agency.POLICE, Category.HEALTH): 0.1,
    (Agency.PROBATION, Category.IDENTITY): 0.85, (Agency.PROBATION, Category.SOCIAL): 0.7,
    (Agency.PROBATION, Category.CRIMINAL): 0.7, (Agency.PROBATION, Category.THREAT): 0.5,
    (Agency.PROBATION, Category.HEALTH): 0.2, (Agency.PROBATION, Category.LOCATION): 0.2,
    (Agency.CITY, Category.CRIMINAL): 0.8, (Agency.CITY, Category.THREAT): 0.8,
}


def random_grants(rng: random.Random) -> list[tuple[Agency, Category]]:
    grants = [key for key, odds in GRANT_ODDS.items() if rng.random() < odds]
    return grants or [(Agency.POLICE, Category.IDENTITY)]


def insert_consents(engine: Engine | Connection, spec: BulkSpec, org: Org, now: dt.datetime,
                    rng: random.Random, n_persons: int, progress=None) -> dict[str, int]:
    """Per person: a current consent, or only an expired / withdrawn one, or none.
    Some current consents have a superseded earlier version."""
    today = now.date()
    consents, grants = [], []
    counts = {"active": 0, "expired": 0, "withdrawn": 0, "superseded": 0, "legal_basis": 0,
              "none": 0}
    cid = 0
    obtainer = org.social_workers[org.city_units[0]][0]

    def add(pid, start, until, *, basis=ConsentBasis.CONSENT, withdrawn=None,
            superseded=False, previous=None, version=1):
        nonlocal cid
        cid += 1
        consents.append({
            "person_id": pid, "case_id": None, "basis": basis,
            "legal_reference": "OSL 10 kap. 18 a §" if basis == ConsentBasis.LEGAL_BASIS
            else None,
            "purpose": "Samverkan inom SIG kring stöd och skydd",
            "form": (ConsentForm.NOT_APPLICABLE if basis == ConsentBasis.LEGAL_BASIS
                     else ConsentForm.WRITTEN),
            "given_by": "Lagstöd" if basis == ConsentBasis.LEGAL_BASIS else "Personen själv",
            "obtained_by_id": obtainer, "owner_agency": Agency.CITY,
            "valid_from": start, "valid_until": until,
            "withdrawn_at": withdrawn, "withdrawn_by_id": obtainer if withdrawn else None,
            "withdrawal_reason": "Personen återkallade samtycket." if withdrawn else None,
            "version": version, "previous_id": previous, "superseded": superseded,
            "created_at": dt.datetime.combine(start, dt.time(9), dt.timezone.utc),
            "created_by_id": obtainer,
        })
        for agency, category in random_grants(rng):
            grants.append({"consent_id": cid, "agency": agency, "category": category})
        return cid

    for pid in range(1, n_persons + 1):
        r = rng.random()
        if r < spec.consent_share:
            start = today - dt.timedelta(days=rng.randint(0, 330))
            until = start + dt.timedelta(days=rng.randint(365, 730))
            if until < today:
                until = today + dt.timedelta(days=rng.randint(1, 200))
            basis = (ConsentBasis.LEGAL_BASIS if rng.random() < spec.legal_basis_share
                     else ConsentBasis.CONSENT)
            previous = None
            if rng.random() < 0.1:
                previous = add(pid, start - dt.timedelta(days=200), start + dt.timedelta(days=100),
                               superseded=True)
                counts["superseded"] += 1
            add(pid, start, until, basis=basis, previous=previous,
                version=2 if previous else 1)
            counts["legal_basis" if basis == ConsentBasis.LEGAL_BASIS else "active"] += 1
        elif r < spec.consent_share + spec.expired_share:
            end = today - dt.timedelta(days=rng.randint(1, 400))
            add(pid, end - dt.timedelta(days=365), end)
            counts["expired"] += 1
        elif r < spec.consent_share + spec.expired_share + spec.withdrawn_share:
            start = today - dt.timedelta(days=rng.randint(30, 300))
            withdrawn = dt.datetime.combine(start + dt.timedelta(days=rng.randint(1, 29)),
                                            dt.time(14), dt.timezone.utc)
            add(pid, start, start + dt.timedelta(days=365), withdrawn=withdrawn)
            counts["withdrawn"] += 1
        else:
            counts["none"] += 1
    bulk_insert(engine, m.Consent, consents, progress=progress)
    bulk_insert(engine, m.ConsentGrant, grants, progress=progress)
    counts["grants"] = len(grants)
    return counts


# --- notes --------------------------------------------------------------------------------

NOTE_SENTENCES = [
    "Samtal med {who} på kontoret.", "Hembesök genomfört tillsammans med kollega.",
    "{Who} berättar att situationen i området har blivit lugnare.",
    "Uppföljning av planens mål om sysselsättning.",
    "Kontakt med skolan om närvaro; närvaron har ökat under månaden.",
    "{Who} uppger oro för att bli kontaktad av tidigare umgänge.",
    "Motiverande samtal om droganvändning.", "Bokat nytt möte om två veckor.",
    "Polisen informerar om förändrad hotbild i närområdet.",
    "Diskuterat praktikplats via arbetsmarknadsförvaltningen.",
    "Vårdnadshavare deltog i samtalet.", "Frivården rapporterar att villkoren följs.",
    "Skyddsbedömning uppdaterad efter händelse i området.",
    "{Who} har påbörjat behandling och följer planeringen.",
    "Ekonomiskt bistånd beviljat för innevarande månad.",
    "Kontakt med bostadsbolag om omflyttning.", "Ingen ny information sedan förra mötet.",
]
NOTE_TITLES = {
    Category.SOCIAL: ["Samtal", "Uppföljning", "Hembesök", "Planeringsmöte"],
    Category.HEALTH: ["Behandling", "Kontakt med beroendevården", "Provtagning"],
    Category.LOCATION: ["Boende", "Adressändring", "Skyddat boende"],
    Category.IDENTITY: ["Kontaktuppgifter", "Anhöriga"],
    Category.CRIMINAL: ["Polisens information", "Händelse", "Villkor i frivården"],
    Category.THREAT: ["Hotbild", "Riskbedömning", "Skyddsåtgärd"],
}
CATEGORY_ODDS = {
    Agency.CITY: {Category.SOCIAL: 55, Category.HEALTH: 14, Category.LOCATION: 9,
                  Category.IDENTITY: 5, Category.THREAT: 11, Category.CRIMINAL: 6},
    Agency.POLICE: {Category.CRIMINAL: 60, Category.THREAT: 35, Category.LOCATION: 5},
    Agency.PROBATION: {Category.CRIMINAL: 40, Category.SOCIAL: 40, Category.THREAT: 20},
}


NOTE_BODY_POOL = 4096


def note_body(rng: random.Random, chars: int) -> str:
    target = int(chars * rng.uniform(0.4, 1.6))
    parts, size = [], 0
    while size < target:
        s = rng.choice(NOTE_SENTENCES).format(who="personen", Who="Personen")
        parts.append(s)
        size += len(s) + 1
    return " ".join(parts)


#: The columns of the tuples ``note_rows(..., stored=...)`` yields, in order.
NOTE_COLUMNS = ("case_id", "person_id", "owner_agency", "category", "title", "body", "state",
                "author_id", "signed_at", "signed_by_id", "corrects_id", "version",
                "created_at", "created_by_id")


def note_rows(spec: BulkSpec, info: CaseInfo, rng: random.Random, count: int,
              now: dt.datetime, stored: dict[str, dict] | None = None) -> Iterator:
    """``count`` notes spread over the cases with a long tail (a few busy
    cases): dicts of Python values, or with ``stored`` (``stored_enum_texts``
    of the notes table) ``NOTE_COLUMNS`` tuples of the values SQLite stores.
    The same notes either way."""
    weights = [rng.paretovariate(1.6) for _ in info.ids]
    cum_weights = list(itertools.accumulate(weights))
    total = cum_weights[-1]
    below = fast_below(rng)
    random_ = rng.random
    cat_tables = {a: (list(t), list(itertools.accumulate(t.values())))
                  for a, t in CATEGORY_ODDS.items()}
    # Bodies from a pool: writing a million bodies sentence by sentence was
    # a third of the generation time; SQLite stores (and encrypts) each anyway.
    bodies = [note_body(rng, spec.note_chars) for _ in range(NOTE_BODY_POOL)]
    titles = {c: (t, len(t)) for c, t in NOTE_TITLES.items()}
    utc = dt.timezone.utc
    opened = [o.astimezone(utc).replace(tzinfo=None) for o in info.opened]
    spans = [last.astimezone(utc).replace(tzinfo=None) - o
             for o, last in zip(opened, info.last)]
    minute = dt.timedelta(minutes=1)
    text = stored or {name: {e: e for e in enum_class} for name, enum_class in (
        ("owner_agency", Agency), ("category", Category), ("state", NoteState))}
    owner_text, category_text, state_text = (text["owner_agency"], text["category"],
                                             text["state"])
    draft_text, signed_text = state_text[NoteState.DRAFT], state_text[NoteState.SIGNED]
    share, n_bodies = spec.draft_share, len(bodies)
    for _ in range(count):
        k = bisect.bisect_right(cum_weights, random_() * total)
        police, probation = info.police_member[k], info.probation_member[k]
        r = random_()
        if police and r < 0.2:
            owner, author = Agency.POLICE, police
        elif probation and r > 0.9:
            owner, author = Agency.PROBATION, probation
        else:
            owner, author = Agency.CITY, info.city_author[k]
        cats, cum = cat_tables[owner]
        category = cats[bisect.bisect_right(cum, random_() * cum[-1])]
        created = opened[k] + spans[k] * random_()
        draft = random_() < share
        names, n_names = titles[category]
        title = names[below(n_names)]
        body = bodies[below(n_bodies)]
        signed = None if draft else created + minute * (5 + below(596))
        if stored is None:
            yield {
                "case_id": info.ids[k], "person_id": info.person[k], "owner_agency": owner,
                "category": category, "title": title, "body": body,
                "state": NoteState.DRAFT if draft else NoteState.SIGNED,
                "author_id": author,
                "signed_at": None if draft else signed.replace(tzinfo=utc),
                "signed_by_id": None if draft else author, "corrects_id": None,
                "created_at": created.replace(tzinfo=utc), "created_by_id": author,
            }
        else:
            yield (info.ids[k], info.person[k], owner_text[owner], category_text[category],
                   title, body, draft_text if draft else signed_text, author,
                   None if draft else stored_datetime(signed), None if draft else author,
                   None, 1, stored_datetime(created), author)


# --- all together ----------------------------------------------------------------------------

#: Tables filled in bulk; their secondary indexes are built after the load.
BULK_TABLES = ("persons", "cases", "team_members", "consents", "consent_grants", "notes",
               "audit_events")


@contextlib.contextmanager
def one_kdf_per_password() -> Iterator[dict]:
    """While it lasts, slots sealed with the same password and parameters
    share one Argon2id run: the key-encryption key derived for the first
    slot's salt is handed to the others, whose salt the caller then sets to
    that first salt (yielded: (password, params) -> (salt, key)). Each slot
    keeps its own key pair and nonces, and unlocking derives the key from
    password and salt as always; only the benchmark's six measured users (one
    password) are made this way, so a store costs three Argon2id runs, not
    eight."""
    real = keyslots.derive_kek
    derived: dict = {}

    def derive_once(secret: str, salt: bytes, params: KdfParams) -> bytes:
        if (secret, params) not in derived:
            derived[(secret, params)] = (salt, real(secret, salt, params))
        return derived[(secret, params)][1]

    keyslots.derive_kek = derive_once
    try:
        yield derived
    finally:
        keyslots.derive_kek = real


class SideWork:
    """What runs beside the load: the measured users' key slots (Argon2id
    releases the GIL: a thread), the access log and the notes (each in a
    second process writing a plain SQLite file that the loading connection
    attaches and copies in: ``bulk_child``)."""

    def __init__(self, store: OpenStore, org: Org, spec: BulkSpec, password: str,
                 now: dt.datetime):
        self.store, self.org, self.spec, self.password = store, org, spec, password
        self.folder = Path(tempfile.mkdtemp(prefix="trefas-bulk-"))
        self.files = {"generated_log": self.folder / "log.sqlite",
                      "generated_notes": self.folder / "notes.sqlite"}
        bulk_child.create_file(self.files["generated_log"], "audit_events", AUDIT_COLUMNS)
        bulk_child.create_file(self.files["generated_notes"], "notes", NOTE_COLUMNS)
        with store.engine.connect() as conn:
            seq, prev = conn.execute(select(m.AuditEvent.seq, m.AuditEvent.hash)
                                     .order_by(m.AuditEvent.seq.desc()).limit(1)).first()
        self._slots = concurrent.futures.ThreadPoolExecutor(max_workers=1)
        self.slots_done = self._slots.submit(self._add_slots)
        start = now - dt.timedelta(days=365 * spec.history_years)
        self._log = bulk_child.start(write_log_file, self.files["generated_log"], seq + 1,
                                     prev, spec.audit_events, start, spec.seed,
                                     spec.persons, spec.cases)
        self._notes = None

    def _add_slots(self) -> None:
        with one_kdf_per_password() as derived:
            for _, username in self.org.named.values():
                slot = self.store.keyfile.add_user_slot(username, self.password,
                                                        self.store.data_key, self.spec.kdf)
                slot.salt = derived[(self.password, self.spec.kdf)][0]
        self.store.keyfile.save()

    def start_notes(self, info: CaseInfo, rng: random.Random, now: dt.datetime,
                    stored: dict[str, dict]) -> None:
        """The notes, from where ``rng`` stands (after the consents)."""
        self._notes = bulk_child.start(write_note_file, self.files["generated_notes"],
                                       self.spec, info, rng.getstate(), now, stored)

    def copy_log(self, conn) -> int:
        """Wait for the log's file and copy it into the store."""
        last_hash = bulk_child.result(self._log)
        copied = bulk_child.copy_rows(conn, "generated_log", "audit_events", AUDIT_COLUMNS)
        head = conn.execute(select(m.AuditEvent.hash).order_by(m.AuditEvent.seq.desc())
                            .limit(1)).scalar()
        if copied != self.spec.audit_events or head != last_hash:
            raise RuntimeError("the access log was not copied whole")
        return copied

    def copy_notes(self, conn) -> int:
        """Wait for the notes' file and copy it into the store."""
        written = bulk_child.result(self._notes)
        copied = bulk_child.copy_rows(conn, "generated_notes", "notes", NOTE_COLUMNS)
        if copied != written or written != self.spec.notes:
            raise RuntimeError("the notes were not copied whole")
        return copied

    def close(self) -> None:
        self._slots.shutdown()
        for proc in (self._log, self._notes):
            if proc is not None:
                bulk_child.stop(proc)
        shutil.rmtree(self.folder, ignore_errors=True)


def write_note_file(path: Path, spec: BulkSpec, info: CaseInfo, rng_state: tuple,
                    now: dt.datetime, stored: dict[str, dict]) -> int:
    """``note_rows`` (stored tuples) into a ``bulk_child`` file, in a second
    process, continuing the generator's random sequence from ``rng_state``."""
    rng = random.Random()
    rng.setstate(rng_state)
    return bulk_child.write_rows(path, "notes", NOTE_COLUMNS,
                                 note_rows(spec, info, rng, spec.notes, now, stored=stored))


def build_store(root: Path, spec: BulkSpec, password: str = BENCH_PASSWORD,
                progress: Callable[[str], None] | None = None) -> World:
    """Create a new store at ``root`` and fill it according to ``spec``.

    The administrator and the measured users (``World.users``) get key slots
    with ``spec.kdf``; the other users exist as rows only. Everything after
    the organisation is one transaction on one connection, with the bulk
    tables' indexes built after their rows (:func:`indexes_dropped`); the
    access log is generated in a second process meanwhile (:class:`SideWork`).
    """
    say = progress or (lambda msg: None)
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    created = create_store(root, admin_username="admin", admin_display_name="Bänk Admin",
                           admin_password=password, kdf=spec.kdf)
    store = created.store
    now = utc_now()
    seconds["create_store"] = time.perf_counter() - t0

    t = time.perf_counter()
    org = insert_org(store.engine, spec, now, store.actor.user_id)
    seconds["org"] = time.perf_counter() - t

    side = SideWork(store, org, spec, password, now)
    try:
        with loading(store.engine, attach=side.files) as conn:
            with indexes_dropped(conn, *BULK_TABLES):
                consent_counts = _load_bulk(conn, spec, org, now, side, seconds, say)
                t = time.perf_counter()
            seconds["indexes"] = time.perf_counter() - t
            team_rows = conn.execute(text("SELECT count(*) FROM team_members")).scalar()
            t = time.perf_counter()
        seconds["commit"] = time.perf_counter() - t
        t = time.perf_counter()
        side.slots_done.result()
        seconds["slots_wait"] = time.perf_counter() - t
    finally:
        side.close()
    _finish(store, spec, seconds)
    seconds["total"] = time.perf_counter() - t0
    counts = {"persons": spec.persons, "cases": spec.cases, "notes": spec.notes,
              "audit_events": spec.audit_events, "team_members": team_rows,
              **{f"consents_{k}": v for k, v in consent_counts.items()}}
    return World(root=Path(root), spec=spec, now=now,
                 users={label: username for label, (_, username) in org.named.items()},
                 counts=counts, seconds=seconds,
                 unit_ids={"city": org.city_units, "police": org.police_units,
                            "probation": org.probation_units})


def _load_bulk(conn, spec: BulkSpec, org: Org, now: dt.datetime, side: SideWork,
               seconds: dict[str, float], say) -> dict[str, int]:
    """The bulk tables' rows, on the loading connection; the consent counts."""
    rng = random.Random(spec.seed)

    def timed(name, fn, *args, **kwargs):
        t = time.perf_counter()
        result = fn(*args, **kwargs)
        seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - t
        return result

    persons = timed("persons", lambda: list(person_rows(spec, org, now, rng)))
    person_units = [p["unit_id"] for p in persons]
    timed("persons", bulk_insert, conn, m.Person, persons, progress=say)
    del persons
    info = timed("cases", insert_cases, conn, spec, org, now, rng, person_units, progress=say)
    consent_counts = timed("consents", insert_consents, conn, spec, org, now, rng,
                           len(person_units), progress=say)
    side.start_notes(info, rng, now, stored_enum_texts(m.Note.__table__, conn.dialect))
    timed("audit_events", side.copy_log, conn)
    timed("notes", side.copy_notes, conn)
    return consent_counts


def _finish(store: OpenStore, spec: BulkSpec, seconds: dict[str, float]) -> None:
    """One access-log entry for the whole bulk (so the chain stays valid), a
    signed checkpoint over the generated log, the WAL emptied, logged out."""
    seed_entry(store, {"persons": spec.persons, "cases": spec.cases, "notes": spec.notes,
                       "audit_events": spec.audit_events})
    t = time.perf_counter()
    if spec.audit_events:
        store.write_checkpoint()
    raw = store.engine.raw_connection()  # outside a transaction (the engine emits BEGIN)
    try:
        raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()
    seconds["checkpoint"] = time.perf_counter() - t
    store.close()


def seed_entry(store: OpenStore, detail: dict) -> None:
    from sqlalchemy.orm import Session

    with Session(store.engine) as session:
        admin = session.get(m.User, store.actor.user_id)
        audit.append(session, store.clock(), actor_of(admin), "bench.seed", detail=detail)
        session.commit()
