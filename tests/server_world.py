"""A server store with the users of the service tests, for the suites that
run on both stores (``any_store``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from server_setup import new_database
from trefas_app.domain.enums import Agency, Role
from trefas_app.services import users
from trefas_app.server import accounts as server_accounts
from trefas_app.server.connection import connect
from trefas_app.server.setup import confirm_first, init_server

ADMIN_PW = "Solros-vägen-nio-test"
PW = "Granskog-och-hav-42"

#: (name, display name, role, agency, unit key) — as in the local test worlds.
PEOPLE = (
    ("stina", "Stina Ek", Role.SUPERVISOR, Agency.CITY, "rk"),
    ("sara", "Sara Lind", Role.SOCIAL_WORKER, Agency.CITY, "rk"),
    ("olle", "Olle Berg", Role.SOCIAL_WORKER, Agency.CITY, "rk"),
    ("kalle", "Kalle Nyström", Role.COORDINATOR, Agency.CITY, "rk"),
    ("pia", "Pia Chef", Role.SUPERVISOR, Agency.POLICE, "lpo"),
    ("petra", "Petra Polis", Role.POLICE_LIAISON, Agency.POLICE, "lpo"),
)


@dataclass
class ServerWorld:
    url: str
    superuser_url: str
    ids: dict = field(default_factory=dict)

    def login(self, name: str, password: str | None = None):
        return connect(self.url, name, password or (ADMIN_PW if name == "admin" else PW))


def build_server_world(cluster) -> ServerWorld:
    """init, two units, the people above opened, enrolled and confirmed (the
    first supervisor of each agency by the set-up role, the rest by them)."""
    db = new_database(cluster)
    superuser_url = cluster.dsn(dbname=db)
    init_server(superuser_url, admin_username="admin", admin_display_name="Anna Admin",
                admin_password=ADMIN_PW)
    url = _no_user(cluster, db)
    world = ServerWorld(url, superuser_url)
    with world.login("admin") as admin:
        units = {"rk": users.add_unit(admin.uow(), admin.actor, Agency.CITY, "RK",
                                      "Rinkeby-Kista").id,
                 "lpo": users.add_unit(admin.uow(), admin.actor, Agency.POLICE, "LPO-R",
                                       "LPO Rinkeby").id}
        codes = {name: server_accounts.open_account(
            admin, username=name, display_name=display, role=role, unit_id=units[unit])
            for name, display, role, _agency, unit in PEOPLE}
    world.ids.update(units)
    fingerprints = {name: server_accounts.enrol(url, name, code, PW)
                    for name, code in codes.items()}
    confirm_first(superuser_url, "stina", fingerprints["stina"])
    confirm_first(superuser_url, "pia", fingerprints["pia"])
    for supervisor, agency in (("stina", Agency.CITY), ("pia", Agency.POLICE)):
        with world.login(supervisor) as boss:
            for name, _d, role, their_agency, _u in PEOPLE:
                if their_agency is agency and role is not Role.SUPERVISOR:
                    server_accounts.confirm(boss, name, fingerprints[name])
    return world


def _no_user(cluster, db: str) -> str:
    """The server's address without a user: each desktop logs in as its own."""
    from urllib.parse import quote
    return (f"postgresql:///{db}?host={quote(str(cluster.socket_dir), safe='')}"
            f"&port={cluster.port}")
