"""The demo organisation: its units and users (every role of the three
agencies), created by the founding administrator through the account services.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from trefas_app.domain.enums import Agency, Role
from trefas_app.services import accounts, users
from trefas_app.store.keyslots import KdfParams
from trefas_app.store.store import OpenStore


if TYPE_CHECKING:  # the timeline imports the organisation
    from trefas_app.demo.timeline import SimClock


#: The password of every demo user (the administrator included).
DEMO_PASSWORD = "Trefas-demo-2026!"


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

SOCIAL_WORKERS = {"SDF-RK": ["sara.lindqvist", "yusuf.abdi"],
                   "SDF-ST": ["mirela.kovac", "johan.berglund"]}
POLICE_OF = {"SDF-RK": "deniz.yilmaz", "SDF-ST": "helen.tesfaye"}
COORDINATOR = "layla.haddad"
CITY_SUPERVISOR = "erik.sandberg"
PROBATION = "arash.rahimi"


def create_organisation(store: OpenStore, password: str, kdf: KdfParams,
                        sim: SimClock) -> list[DemoUser]:
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
