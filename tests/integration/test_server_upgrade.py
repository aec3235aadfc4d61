"""``trefas server upgrade`` and the installation marker a desktop checks at
log-in, against a real PostgreSQL (docs/server.md, "Upgrading the program")."""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from server_setup import clone_database, new_database
from server_world import ADMIN_PW, _no_user
from test_cli_server import run  # noqa: F401 (the command line, as a fixture)
from trefas_app.domain.errors import ServerNewerThanProgram, ServerOlderThanProgram
from trefas_app.server import installation, installed
from trefas_app.server.connection import connect, connection_info
from trefas_app.services import users
from trefas_app.store.migrate import SCHEMA_HEAD

#: The office zone the pinned digest is computed with (the SQL names it).
CANONICAL_ZONE = "Europe/Stockholm"

ROOT = Path(__file__).resolve().parents[2]
#: The documents that show ``trefas server upgrade`` to a reader.
DOCS = (ROOT / "README.md", ROOT / "packaging" / "server" / "README.md")


def documented_upgrades() -> list[list[str]]:
    """Each ``trefas server upgrade`` line of the docs, as arguments."""
    found = []
    for doc in DOCS:
        for line in doc.read_text(encoding="utf-8").splitlines():
            command = line.split(" #")[0].strip()
            if command.startswith("trefas server upgrade"):
                found.append(shlex.split(command)[1:])
    return found


def as_printed_on(argv: list[str], url: str) -> list[str]:
    """A documented command, on this test's server instead of the example's."""
    connection_info(argv[argv.index("--db") + 1])  # the example's URL is one Trefas takes
    return [url if i and argv[i - 1] == "--db" else a for i, a in enumerate(argv)]


#: The set-up role of the docs: no superuser, CREATEROLE and CREATEDB.
SETUP_ROLE, SETUP_PW = "upgrade_setup", "Uppsala-domkyrka-7"

_template: dict[str, str] = {}


@pytest.fixture
def server(pg_cluster):
    """A copy of a server made by ``init`` as the set-up role (made once per
    cluster): the set-up role's URL, the superuser's, and the desktops'."""
    from trefas_app.server.setup import init_server

    key = str(pg_cluster.base)
    if key not in _template:
        db = "t_upgrade_" + key.rsplit("-", 1)[-1].lower()
        with psycopg.connect(pg_cluster.dsn(), autocommit=True) as su:
            su.execute(f"CREATE ROLE {SETUP_ROLE} LOGIN CREATEROLE CREATEDB "
                       f"PASSWORD '{SETUP_PW}'")
            su.execute(f'CREATE DATABASE "{db}" OWNER {SETUP_ROLE}')
        init_server(pg_cluster.dsn(SETUP_ROLE, SETUP_PW, db), admin_username="admin",
                    admin_display_name="Anna Admin", admin_password=ADMIN_PW,
                    office_timezone=CANONICAL_ZONE)
        _template[key] = db
    db = clone_database(pg_cluster, _template[key])
    return Server(pg_cluster.dsn(SETUP_ROLE, SETUP_PW, db), pg_cluster.dsn(dbname=db),
                  _no_user(pg_cluster, db))


@dataclass
class Server:
    setup_url: str
    superuser_url: str
    desktop_url: str


def _sorted_acl(column: str) -> str:
    """A privilege list as sorted text (its order follows the grants' order)."""
    return f"(SELECT array_agg(a::text ORDER BY a::text) FROM unnest({column}) a)"


def catalog(url: str) -> dict[str, list]:
    """What an installation is made of, as text: functions, policies, views,
    privileges, row security, triggers, defaults, constraints and indexes
    (object ids left out)."""
    queries = {
        "functions": "SELECT n.nspname, p.oid::regprocedure::text, "
                     "pg_get_function_result(p.oid), p.prosrc, p.proconfig::text, "
                     "p.prosecdef, pg_get_userbyid(p.proowner), "
                     f"{_sorted_acl('p.proacl')} "
                     "FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                     "WHERE n.nspname LIKE 'trefas%' OR p.proname LIKE 'trefas%'",
        "policies": "SELECT schemaname, tablename, policyname, roles::text, cmd, qual, "
                    "with_check FROM pg_policies",
        "views": "SELECT schemaname, viewname, definition FROM pg_views "
                 "WHERE schemaname LIKE 'trefas%' OR schemaname = 'public'",
        "tables": "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, "
                  f"{_sorted_acl('c.relacl')}, pg_get_userbyid(c.relowner) FROM pg_class c "
                  "JOIN pg_namespace n ON n.oid = c.relnamespace "
                  "WHERE n.nspname IN ('public', 'trefas', 'trefas_private')",
        "columns": "SELECT attrelid::regclass::text, attname, "
                   f"{_sorted_acl('attacl')} FROM pg_attribute "
                   "WHERE attacl IS NOT NULL",
        "triggers": "SELECT tgrelid::regclass::text, tgname, tgfoid::regprocedure::text "
                    "FROM pg_trigger WHERE NOT tgisinternal",
        "defaults": "SELECT adrelid::regclass::text, pg_get_expr(adbin, adrelid) "
                    "FROM pg_attrdef",
        "constraints": "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
                       "FROM pg_constraint WHERE connamespace::regnamespace::text "
                       "IN ('public', 'trefas', 'trefas_private')",
        "indexes": "SELECT schemaname, indexname, indexdef FROM pg_indexes "
                   "WHERE schemaname IN ('public', 'trefas', 'trefas_private')",
        "schemas": f"SELECT nspname, {_sorted_acl('nspacl')}, pg_get_userbyid(nspowner) "
                   "FROM pg_namespace WHERE nspname LIKE 'trefas%'",
    }
    with psycopg.connect(url, autocommit=True) as conn:
        return {name: sorted(map(repr, conn.execute(sql).fetchall()))
                for name, sql in queries.items()}


def _recording_install(monkeypatch) -> list[str]:
    """Record the statements the installation runs (not the marker's)."""
    seen: list[str] = []
    real = installation.install_rule

    class Recording(psycopg.Cursor):
        def execute(self, query, params=None, **kw):
            seen.append(query if isinstance(query, str) else query.as_string(self))
            return super().execute(query, params, **kw)

    def recorded(conn, zone):
        raw = conn.connection.dbapi_connection
        before, raw.cursor_factory = raw.cursor_factory, Recording
        try:
            return real(conn, zone)
        finally:
            raw.cursor_factory = before

    monkeypatch.setattr(installation, "install_rule", recorded)
    return seen


def test_upgrade_of_a_server_made_by_init_is_safe_twice_and_brings_back_what_was_changed(
        server, run, monkeypatch):
    """Run on a server init made, the upgrade changes nothing (and its SQL is
    the one the pinned digest names); run again after someone dropped and
    rewrote functions by hand, it puts back what init made and removes
    what init did not make. Both runs are the docs' commands as printed."""
    superuser_url, desktop_url = server.superuser_url, server.desktop_url
    made_by_init = catalog(superuser_url)
    printed = documented_upgrades()
    assert len(printed) == len(DOCS)
    statements = _recording_install(monkeypatch)
    code, out, err = run(*as_printed_on(printed[1], server.setup_url))
    assert code == 0, err
    assert "Servern är uppgraderad" in out and "schemat var redan aktuellt" in out
    digest = installed.digest_of([s for s in statements
                                  if not s.lstrip().upper().startswith("SELECT")])
    assert digest == installed.INSTALLATION, (
        "The SQL the server installation runs has changed. In "
        "trefas_app/server/installed.py set\n"
        f"    INSTALLATION = \"{digest}\"\n"
        "and add the old value at the end of EARLIER_INSTALLATIONS.")
    assert catalog(superuser_url) == made_by_init
    with connect(desktop_url, "admin", ADMIN_PW) as admin:  # connected through what follows
        with psycopg.connect(superuser_url, autocommit=True) as conn:
            conn.execute("DROP FUNCTION trefas.current_agency() CASCADE")  # and its policies
            conn.execute("CREATE OR REPLACE FUNCTION trefas.current_user_id() "
                         "RETURNS integer LANGUAGE sql AS 'SELECT 1'")
            conn.execute("CREATE FUNCTION trefas.left_behind() RETURNS integer "
                         "LANGUAGE sql AS 'SELECT 1'")
            # Another program's version of a function, with another result
            # type (CREATE OR REPLACE cannot change that: the upgrade drops it).
            conn.execute("DROP FUNCTION trefas.consented_categories(integer[], text)")
            conn.execute("CREATE FUNCTION trefas.consented_categories(p_people integer[], "
                         "p_agency text) RETURNS TABLE(person_id integer, kind varchar) "
                         "LANGUAGE sql AS 'SELECT 1, ''x''::varchar'")
        assert catalog(superuser_url) != made_by_init
        previous = _back_one_migration(superuser_url)
        with pytest.raises(ServerOlderThanProgram):
            connect(desktop_url, "admin", ADMIN_PW)
        code, out, err = run(*as_printed_on(printed[0], server.setup_url), "--lang", "en")
        assert code == 0, err
        assert "The server is upgraded" in out and "row-level security policies installed" in out
        assert f"schema migrated from {previous} to {SCHEMA_HEAD}" in out
        assert catalog(superuser_url) == made_by_init
        assert [u.code for u in users.list_units(admin.uow(), admin.actor)] == ["ADM"]


def test_upgrade_refuses_a_database_without_a_store(pg_cluster, run):
    url = pg_cluster.dsn(dbname=new_database(pg_cluster))
    code, out, err = run("server", "upgrade", "--db", url)
    assert code != 0 and "ingen Trefas-lagringsplats" in err and "Traceback" not in err
    code, out, err = run("server", "upgrade", "--db", url, "--lang", "en")
    assert code != 0 and "holds no Trefas store" in err
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT to_regclass('public.alembic_version'), "
                            "to_regnamespace('trefas')").fetchone() == (None, None)


def _back_one_migration(superuser_url: str) -> str:
    """Take the server's schema one migration back, as its owner; returns
    the revision it is at now."""
    from alembic import command
    from alembic.script import ScriptDirectory
    from sqlalchemy import create_engine

    from trefas_app.server.setup import acting_as_owner
    from trefas_app.store.migrate import alembic_config

    cfg = alembic_config()
    previous = ScriptDirectory.from_config(cfg).get_revision(SCHEMA_HEAD).down_revision
    engine = acting_as_owner(create_engine(superuser_url.replace(
        "postgresql://", "postgresql+psycopg://")))
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, previous)
    finally:
        engine.dispose()
    return previous


def _set_marker(superuser_url: str, comment: str | None) -> None:
    """Change the stored marker, as the owner role would."""
    with psycopg.connect(superuser_url, autocommit=True) as conn:
        conn.execute("SET ROLE trefas_owner")
        value = "'" + comment.replace("'", "''") + "'" if comment else "NULL"
        conn.execute(f"COMMENT ON SCHEMA trefas IS {value}")


def test_a_desktop_is_refused_by_a_server_of_another_installation(server, run, monkeypatch):
    superuser_url, desktop_url = server.superuser_url, server.desktop_url
    old = "1" * 64
    monkeypatch.setattr(installed, "EARLIER_INSTALLATIONS", (old,))
    _set_marker(superuser_url, f'{{"installation": "{old}"}}')
    with pytest.raises(ServerOlderThanProgram):
        connect(desktop_url, "admin", ADMIN_PW)
    code, out, err = run("audit", "verify", "--user", "admin", "--server", desktop_url,
                         TREFAS_PASSWORD=ADMIN_PW)
    assert code != 0 and "Traceback" not in err
    assert "Servern har en äldre installation än programmet. Be den som sköter servern " \
           "köra 'trefas server upgrade'." in err
    _set_marker(superuser_url, None)  # a server installed before markers
    code, out, err = run("audit", "verify", "--user", "admin", "--server", desktop_url,
                         "--lang", "en", TREFAS_PASSWORD=ADMIN_PW)
    assert code != 0 and "older installation than the program" in err
    _set_marker(superuser_url, '{"installation": "' + "2" * 64 + '"}')
    with pytest.raises(ServerNewerThanProgram):
        connect(desktop_url, "admin", ADMIN_PW)
    with pytest.raises(ServerNewerThanProgram):  # the upgrade does not go backwards
        installation.upgrade(server.setup_url)
    _set_marker(superuser_url, installed.marker_comment(SCHEMA_HEAD))
    with connect(desktop_url, "admin", ADMIN_PW) as admin:
        assert admin.actor.username == "admin"


def test_upgrade_waits_for_a_busy_table_then_stops_changing_nothing(server, run, monkeypatch):
    monkeypatch.setattr(installation, "LOCK_WAIT", "1s")
    before = catalog(server.superuser_url)
    with psycopg.connect(server.superuser_url) as desktop:  # a long statement on cases
        desktop.execute("LOCK TABLE cases IN ACCESS SHARE MODE")
        code, out, err = run("server", "upgrade", "--db", server.setup_url)
    assert code != 0 and "Traceback" not in err
    assert "upptagen av ett skrivbord i mer än 1s. Ingenting har ändrats." in err
    assert catalog(server.superuser_url) == before


def test_a_desktop_is_refused_by_a_server_of_a_newer_schema(server):
    superuser_url, desktop_url = server.superuser_url, server.desktop_url
    with psycopg.connect(superuser_url, autocommit=True) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(ServerNewerThanProgram) as refused:
        connect(desktop_url, "admin", ADMIN_PW)
    assert "Programmet behöver uppdateras" in refused.value.message("sv")
