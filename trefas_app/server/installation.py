"""Installing the program's rule and functions on a server, and bringing an
existing server up to this program (``trefas server upgrade``, docs/server.md).

``install`` is what ``trefas server init`` runs after the migrations and what
``upgrade`` runs again: the row-level security policies, the masked views and
every server function, then the marker (:mod:`server.installed`). It replaces
what an earlier program installed: the functions of the schema ``trefas`` are
dropped first (a function whose result changed cannot be replaced in place,
and one the program no longer makes must not stay callable), the policies and
the rule schema are made anew. ``upgrade`` runs the migrations and the
installation in one transaction: a desktop sees the old installation or the
new one, never half of either.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import psycopg
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from trefas_app.domain import clock
from trefas_app.domain.errors import ServerNewerThanProgram, StoreError
from trefas_app.server import hidden, installed, person_list, policies
from trefas_app.server import sql as sql
from trefas_app.server.setup import _install_functions, _run

#: (Swedish, English): one line of a report.
Step = tuple[str, str]

#: How long the upgrade waits for a table a desktop is using before it gives
#: up (and changes nothing): a desktop's statements take milliseconds.
LOCK_WAIT = "60s"


def install(conn: Connection, zone: str) -> list[Step]:
    """Policies, views and functions as this program makes them, replacing
    any earlier installation, then the marker. In the caller's transaction."""
    steps: list[Step] = []
    dropped = _drop_functions(conn)
    if dropped:
        steps.append((f"{dropped} serverfunktioner från förra installationen borttagna",
                      f"{dropped} server functions of the previous installation removed"))
    steps.extend(install_rule(conn, zone))
    steps.append(mark(conn))
    return steps


def install_rule(conn: Connection, zone: str) -> list[Step]:
    """What the program installs, on a schema without its functions: the SQL
    :data:`installed.INSTALLATION` digests (not the drops before it, which
    depend on what the server had, nor the marker after it)."""
    _run(conn, sql.SCHEMA)
    policies.install(conn, office_timezone=zone)
    naive_utc = policies._naive_utc(conn)
    hidden.install(conn, office_timezone=zone, naive_utc=naive_utc, owner=sql.OWNER)
    person_list.install(conn, office_timezone=zone, naive_utc=naive_utc, owner=sql.OWNER)
    steps: list[Step] = [("radsäkerhetsreglerna (row-level security) installerade",
                          "row-level security policies installed")]
    _install_functions(conn)
    steps.append(("logg-, nyckel- och kontofunktionerna installerade",
                  "log, key and account functions installed"))
    return steps


def mark(conn: Connection) -> Step:
    """Record this program's installation on the server, and let every role
    read the schema's version (a desktop compares both at log-in)."""
    revision = conn.execute(text("SELECT version_num FROM public.alembic_version")).scalar()
    _run(conn, "GRANT SELECT ON public.alembic_version TO PUBLIC")
    comment = installed.marker_comment(revision)
    _run(conn, f"COMMENT ON SCHEMA {installed.MARKED_SCHEMA} IS "
               f"{policies.quote_literal(comment)}")
    short = installed.INSTALLATION[:12]
    return (f"installationen {short} (schema {revision}) registrerad på servern",
            f"installation {short} (schema {revision}) recorded on the server")


def _drop_functions(conn: Connection) -> int:
    """Drop every function of the schema ``trefas``; what depends on one (a
    policy, a masked view) goes with it and is made again by ``install``.
    Tables (``trefas.account_fingerprints``) stay."""
    signatures = conn.execute(text(
        "SELECT p.oid::regprocedure::text FROM pg_catalog.pg_proc p "
        "WHERE p.pronamespace = pg_catalog.to_regnamespace('trefas') "
        "AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.objid = p.oid "
        "AND d.deptype = 'e')")).scalars().all()
    for signature in signatures:
        _run(conn, f"DROP FUNCTION IF EXISTS {signature} CASCADE")
    return len(signatures)


@dataclass
class UpgradeReport:
    database: str = ""
    store_id: str = ""
    schema_before: str | None = None
    schema_after: str | None = None
    installation_before: str | None = None
    done: list[Step] = field(default_factory=list)


def upgrade(url: str) -> UpgradeReport:
    """Bring the server at ``url`` (the set-up role's connection, as for
    init) up to this program: migrations as the owner role, then the
    installation, in one transaction. Refuses a database without a Trefas
    store and a server a newer program installed; safe to run again."""
    from sqlalchemy import create_engine

    from trefas_app.server.connection import _connect, connection_info

    params = connection_info(url)
    report = UpgradeReport(database=str(params.get("dbname") or ""))
    engine = create_engine("postgresql+psycopg://", creator=lambda: _connect(params, None, None))
    try:
        with engine.begin() as conn:
            _run(conn, f"SET LOCAL lock_timeout = '{LOCK_WAIT}'")
            zone = _existing_store(conn, report)
            _migrate_as_owner(conn, report)
            report.done.extend(install(conn, zone))
        before = (report.installation_before or "")[:12]
        report.done.append((f"förra installationen: {before or 'utan markering'}",
                            f"previous installation: {before or 'not marked'}"))
    except (DBAPIError, psycopg.Error) as exc:  # raw DDL raises psycopg's own errors
        if not isinstance(getattr(exc, "orig", exc), psycopg.errors.LockNotAvailable):
            raise
        raise StoreError(
            f"En tabell var upptagen av ett skrivbord i mer än {LOCK_WAIT}. Ingenting har "
            "ändrats. Be användarna logga ut och kör kommandot igen.",
            f"A table was held by a desktop for more than {LOCK_WAIT}. Nothing was changed. "
            "Ask the users to log out and run the command again.") from exc
    finally:
        engine.dispose()
    return report


def _existing_store(conn: Connection, report: UpgradeReport) -> str:
    """The store's id, versions and office time zone; refuses a database
    without a store, and one a newer program has installed or migrated."""
    if not conn.execute(text("SELECT to_regclass('public.store_meta')")).scalar():
        raise StoreError("Databasen innehåller ingen Trefas-lagringsplats att uppgradera. "
                         "Skapa en med 'trefas server init'. Ingenting har ändrats.",
                         "The database holds no Trefas store to upgrade. Create one with "
                         "'trefas server init'. Nothing was changed.")
    meta = dict(conn.execute(text("SELECT key, value FROM public.store_meta")).all())
    report.store_id = meta.get("store_id", "")
    report.schema_before = installed.server_revision(conn)
    marker = installed.read_marker(conn)
    report.installation_before = marker.installation if marker else None
    if installed.verdict(report.installation_before, report.schema_before) == "newer":
        raise ServerNewerThanProgram()
    return meta.get(f"setting.{clock.ZONE_SETTING}") or clock.office_zone().key


def _migrate_as_owner(conn: Connection, report: UpgradeReport) -> None:
    """Alembic to head on this connection, acting as the tables' owner."""
    from alembic import command

    from trefas_app.store.migrate import alembic_config

    _run(conn, f"SET LOCAL ROLE {sql.OWNER}")
    cfg = alembic_config()
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, "head")
    _run(conn, "RESET ROLE")
    report.schema_after = conn.execute(text(
        "SELECT version_num FROM public.alembic_version")).scalar()
    if report.schema_after == report.schema_before:
        report.done.append((f"schemat var redan aktuellt ({report.schema_after})",
                            f"the schema was up to date already ({report.schema_after})"))
    else:
        report.done.append((f"schemat migrerat från {report.schema_before} till "
                            f"{report.schema_after} (ägare {sql.OWNER})",
                            f"schema migrated from {report.schema_before} to "
                            f"{report.schema_after} (owner {sql.OWNER})"))
