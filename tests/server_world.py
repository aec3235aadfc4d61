"""A server store with the users of the service tests, for the suites that
run on both stores (``any_store``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from server_setup import clone_database, new_database
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


#: Per cluster (its folder): the template database of the world, its ids, and
#: its users' login roles as they were when it was made.
_templates: dict[str, tuple[str, dict, list[tuple]]] = {}


def build_server_world(cluster) -> ServerWorld:
    """The world below in a database of its own. It is made once per cluster
    (``server init`` and the enrolments cost seconds) and each call gets a
    copy, ``CREATE DATABASE … TEMPLATE``, with the database's owner and
    settings, and the world's login roles (cluster-wide: password, expiry,
    login, groups) put back as they were when it was made — a module before
    may have changed them."""
    key = str(cluster.base)
    if key not in _templates:
        made = _make_server_world(cluster)
        _templates[key] = (made.url.split("?")[0].rsplit("/", 1)[-1], made.ids,
                           _login_roles(cluster))
    template, ids, roles = _templates[key]
    db = clone_database(cluster, template)
    _restore_login_roles(cluster, roles)
    return ServerWorld(_no_user(cluster, db), cluster.dsn(dbname=db), dict(ids))


def _make_server_world(cluster) -> ServerWorld:
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


def _world_users() -> list[str]:
    return ["admin", *(name for name, *_ in PEOPLE)]


def _login_roles(cluster) -> list[tuple]:
    """(name, can log in, SCRAM verifier, valid until, [groups]) of the world's users."""
    import psycopg

    with psycopg.connect(cluster.dsn(), autocommit=True) as conn:
        return conn.execute(
            "SELECT a.rolname, a.rolcanlogin, a.rolpassword, a.rolvaliduntil::text, "
            "ARRAY(SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
            "WHERE m.member = a.oid ORDER BY 1) FROM pg_authid a WHERE a.rolname = ANY(%s) "
            "ORDER BY 1", (_world_users(),)).fetchall()


def _restore_login_roles(cluster, roles: list[tuple]) -> None:
    """The world's login roles as :func:`_login_roles` found them."""
    import psycopg
    from psycopg import sql

    if _login_roles(cluster) == roles:
        return
    with psycopg.connect(cluster.dsn(), autocommit=True) as conn:
        current = {r[0]: r for r in _login_roles(cluster)}
        for name, can_login, verifier, until, groups in roles:
            role = sql.Identifier(name)
            if name not in current:
                conn.execute(sql.SQL("CREATE ROLE {}").format(role))
            conn.execute(sql.SQL("ALTER ROLE {} {} PASSWORD {} VALID UNTIL {}").format(
                role, sql.SQL("LOGIN" if can_login else "NOLOGIN"), sql.Literal(verifier),
                sql.Literal(until or "infinity")))
            had = set(current[name][4]) if name in current else set()
            for group in had - set(groups):
                conn.execute(sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(group), role))
            for group in set(groups) - had:
                conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(group), role))
    assert _login_roles(cluster) == roles
