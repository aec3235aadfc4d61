"""Setting up a server store: roles, schema, functions, keys, the first
administrator (``trefas server init``, docs/server.md).

Run once by a PostgreSQL superuser (or a role with CREATEROLE and CREATEDB).
The tables belong to ``trefas_owner``, a role that cannot log in; the account
steps run as ``trefas_account_manager`` (CREATEROLE, no superuser) through the
functions in :mod:`server_sql`; nobody the program logs in as is superuser.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from dataclasses import dataclass, field

import psycopg
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from trefas_app.domain import clock
from trefas_app.domain.enums import Agency, Role
from trefas_app.domain.errors import StoreError
from trefas_app.store import audit
from trefas_app.store import models as m
from trefas_app.server import policies
from trefas_app.server import sql as sql
from trefas_app.server.policies import group_role
from trefas_app.store.migrate import upgrade_to_head
from trefas_app.server.connection import _connect, connection_info

#: Roles that work with cases (everyone but the administrator).
CASE_ROLES = tuple(r for r in Role if r is not Role.ADMINISTRATOR)


@dataclass
class InitReport:
    database: str
    store_id: str
    admin: str
    #: What was done: (Swedish, English) lines.
    done: list[tuple[str, str]] = field(default_factory=list)


def _ident(conn: Connection, name: str) -> str:
    """A quoted identifier, quoted by PostgreSQL itself."""
    return conn.execute(text("SELECT quote_ident(:n)"), {"n": name}).scalar()


def _run(conn: Connection, statements: str) -> None:
    """DDL as written (no parameters: a % in a function body stays a %)."""
    with conn.connection.dbapi_connection.cursor() as cur:
        cur.execute(statements)


def login_role(conn: Connection, username: str, verifier: str,
               valid_until: dt.datetime | None, group: str | None) -> None:
    """Create (or reset) ``username``'s login role with a SCRAM verifier, until
    ``valid_until`` (None: no expiry), member of ``group``."""
    def literal(value: str) -> str:
        return conn.execute(text("SELECT quote_literal(:v)"), {"v": value}).scalar()

    name = _ident(conn, username)
    verb = "CREATE" if _role_absent(conn, username) else "ALTER"
    until = literal(valid_until.isoformat() if valid_until else "infinity")
    _run(conn, f"{verb} ROLE {name} LOGIN PASSWORD {literal(verifier)} VALID UNTIL {until}")
    if group:
        _run(conn, f"GRANT {group} TO {name}")


def _role_absent(conn: Connection, name: str) -> bool:
    """True when no role of this name exists yet."""
    return conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"),
                        {"n": name}).first() is None


def _ensure_role(conn: Connection, name: str, options: str) -> bool:
    if not _role_absent(conn, name):
        return False
    _run(conn, f"CREATE ROLE {_ident(conn, name)} {options}")
    return True


def scram_verifier(conn: Connection, username: str, password: str) -> str:
    """The SCRAM verifier of ``password``, computed here by libpq: the
    password itself never travels to the server or into its logs."""
    raw = conn.connection.dbapi_connection
    return raw.pgconn.encrypt_password(password.encode("utf-8"), username.encode("utf-8"),
                                       b"scram-sha-256").decode("ascii")


def _ensure_database(params: dict) -> bool:
    """Create the database named in the URL when it does not exist yet."""
    name = params.get("dbname")
    try:
        _connect(params, None, None).close()
        return False
    except StoreError:
        if not name:
            raise
    with psycopg.connect(psycopg.conninfo.make_conninfo(**{**params, "dbname": "postgres"}),
                         autocommit=True) as conn:
        conn.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(name)))
    return True


def _owner_engine(params: dict) -> Engine:
    """An engine whose connections act as trefas_owner: what they create, it owns."""
    return acting_as_owner(create_engine("postgresql+psycopg://",
                                         creator=lambda: _connect(params, None, None)))


def acting_as_owner(engine: Engine) -> Engine:
    """``engine``, each of whose connections acts as the tables' owner
    (``SET ROLE``; the connecting role must be a member of it)."""
    @event.listens_for(engine, "connect")
    def _as_owner(dbapi_conn, _record):
        with dbapi_conn.cursor() as cur:
            cur.execute(f"SET ROLE {sql.OWNER}")
        dbapi_conn.commit()

    return engine


def _install_functions(conn: Connection) -> None:
    """The log's one way in, the keys, the account steps, and their grants."""
    _run(conn, sql.LOG_APPEND)
    _run(conn, sql.KEYS)
    _ensure_role(conn, sql.ACCOUNT_MANAGER, "NOLOGIN CREATEROLE")
    manager = sql.ACCOUNT_MANAGER
    if not policies._is_superuser(conn):
        # Handing the account functions to the manager (and replacing them at
        # an upgrade) takes membership of it, as of the owner role.
        _run(conn, f"GRANT {manager} TO CURRENT_USER")
    _run(conn, f"GRANT pg_signal_backend TO {manager};"
                         f"GRANT USAGE, CREATE ON SCHEMA trefas TO {manager};"
                         f"GRANT SELECT ON public.users TO {manager}")
    _run(conn, sql.ACCOUNTS)
    everyone = ", ".join(group_role(r) for r in Role)
    workers = ", ".join(group_role(r) for r in CASE_ROLES)
    for signature in sql.ACCOUNT_FUNCTIONS:
        _run(conn, f"ALTER FUNCTION trefas.{signature} OWNER TO {manager};"
                             f"REVOKE ALL ON FUNCTION trefas.{signature} FROM PUBLIC")
    _run(conn, f"""
        GRANT USAGE ON SCHEMA trefas TO {everyone};
        GRANT EXECUTE ON FUNCTION trefas.log_append(text, text, text, text, integer,
            integer, text, text, text, text, text), trefas.log_head(),
            trefas.store_public_key(), trefas.log_chain(integer, integer) TO {everyone};
        GRANT EXECUTE ON FUNCTION trefas.store_key(text) TO {workers};
        GRANT EXECUTE ON FUNCTION trefas.account_open(text, text, timestamptz),
            trefas.account_disable(text) TO {group_role(Role.ADMINISTRATOR)};
        GRANT EXECUTE ON FUNCTION trefas.account_confirm(text, text)
            TO {group_role(Role.SUPERVISOR)};
        REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON public.audit_events FROM PUBLIC, {everyone};
    """)
    # Enrolment is for a login role that has no group yet (log_append itself
    # refuses a role that is not a Trefas user).
    _run(conn, "GRANT USAGE ON SCHEMA trefas TO PUBLIC;"
               "GRANT EXECUTE ON FUNCTION trefas.account_enrol(text), "
               "trefas.account_fingerprint(), trefas.log_append("
               "text, text, text, text, integer, integer, text, text, text, text, text) "
               "TO PUBLIC")


def store_signing_key(conn: Connection, key: Ed25519PrivateKey,
                      note_seal: bytes | None = None) -> None:
    """The store's Ed25519 key (and, for a store moved from a desktop whose
    seal key is not derived from it any more, the note seal key)."""
    private = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                serialization.NoEncryption())
    public = key.public_key().public_bytes(serialization.Encoding.Raw,
                                           serialization.PublicFormat.Raw)
    conn.execute(text("INSERT INTO trefas_private.store_keys (name, value) VALUES "
                      "('signing', :private), ('signing_public', :public)"),
                 {"private": private, "public": public})
    if note_seal is not None:
        conn.execute(text("INSERT INTO trefas_private.store_keys (name, value) "
                          "VALUES ('note_seal', :v)"), {"v": note_seal})


def init_server(url: str, *, admin_username: str, admin_display_name: str,
                admin_password: str, agency: Agency = Agency.CITY, unit_code: str = "ADM",
                unit_name: str = "Förvaltningen",
                office_timezone: str | None = None) -> InitReport:
    """Create everything a server store needs, once. Refuses a database that
    already holds a Trefas store."""
    from trefas_app.domain.passwords import check_password_policy

    check_password_policy(admin_password, admin_username)
    report = InitReport(database="", store_id=str(uuid.uuid4()), admin=admin_username)
    zone = office_timezone or clock.office_zone().key
    admin_engine = prepare_database(url, report, zone)
    try:
        with admin_engine.begin() as conn:
            store_signing_key(conn, Ed25519PrivateKey.generate())
            report.done.append(("lagringsplatsens signeringsnyckel skapad",
                                "store signing key created"))
        _first_admin(admin_engine, report, admin_display_name, admin_password, agency,
                     unit_code, unit_name, zone)
    finally:
        admin_engine.dispose()
    return report


def prepare_database(url: str, report: InitReport, zone: str) -> Engine:
    """Database, owner role, schema (Alembic, as trefas_owner), row rules and
    functions (:func:`server.installation.install`); returns an engine of the
    set-up role (the caller disposes it)."""
    params = connection_info(url)
    report.database = str(params.get("dbname") or "")
    if _ensure_database(params):
        report.done.append((f"databasen {report.database} skapad",
                            f"database {report.database} created"))
    admin_engine = create_engine("postgresql+psycopg://",
                                 creator=lambda: _connect(params, None, None))
    try:
        with admin_engine.begin() as conn:
            if conn.execute(text("SELECT to_regclass('public.store_meta')")).scalar():
                raise StoreError("Databasen innehåller redan en Trefas-lagringsplats. "
                                 "Ingenting har ändrats.",
                                 "The database already holds a Trefas store. "
                                 "Nothing was changed.")
            if _ensure_role(conn, sql.OWNER, "NOLOGIN"):
                report.done.append((f"rollen {sql.OWNER} skapad (kan inte logga in)",
                                    f"role {sql.OWNER} created (cannot log in)"))
            database = _ident(conn, report.database)
            # No JIT: the access rule's ORed subqueries make the planner's
            # estimates huge, and compiling them cost ≈ 0.5 s per list page on
            # a query that runs in ≈ 15 ms (benchmarks/README.md, server mode).
            _run(conn, f"GRANT {sql.OWNER} TO CURRENT_USER;"
                       f"ALTER DATABASE {database} OWNER TO {sql.OWNER};"
                       f"ALTER DATABASE {database} SET jit = off;"
                       f"ALTER SCHEMA public OWNER TO {sql.OWNER}")
        owner_engine = _owner_engine(params)
        try:
            upgrade_to_head(owner_engine)
        finally:
            owner_engine.dispose()
        report.done.append(("schemat skapat av Alembic-migreringarna (ägare trefas_owner)",
                            "schema created by the Alembic migrations (owner trefas_owner)"))
        from trefas_app.server.installation import install

        with admin_engine.begin() as conn:
            report.done.extend(install(conn, zone))
    except BaseException:
        admin_engine.dispose()
        raise
    return admin_engine


def _first_admin(engine: Engine, report: InitReport, display_name: str, password: str,
                 agency: Agency, unit_code: str, unit_name: str, zone: str) -> None:
    from trefas_app.store.store import actor_of

    now = clock.now_utc()
    with Session(engine) as session:
        conn = session.connection()
        name = report.admin
        login_role(conn, name, scram_verifier(conn, name, password), None,
                   group_role(Role.ADMINISTRATOR))
        session.add_all([m.StoreMeta(key="store_id", value=report.store_id),
                         m.StoreMeta(key="created_at", value=now.isoformat()),
                         m.StoreMeta(key="lock_minutes", value="10"),
                         m.StoreMeta(key=f"setting.{clock.ZONE_SETTING}", value=zone)])
        unit = m.Unit(agency=agency, code=unit_code, name=unit_name)
        session.add(unit)
        session.flush()
        admin = m.User(username=name, display_name=display_name, role=Role.ADMINISTRATOR,
                       agency=agency, unit_id=unit.id, active=True, created_at=now)
        session.add(admin)
        session.flush()
        actor = actor_of(admin)
        audit.append(session, now, actor, "store.create", detail={"server": True})
        audit.append(session, now, actor, "user.create", subject_kind="user",
                     subject_id=admin.id, detail={"role": Role.ADMINISTRATOR.value})
        session.commit()
    group = group_role(Role.ADMINISTRATOR)
    report.done.append((f"administratören {name}: inloggningsroll (medlem i {group}) och "
                        "användarrad skapade",
                        f"administrator {name}: login role (member of {group}) and user "
                        "row created"))


def one_time_code() -> str:
    """An enrolment code: 20 characters from an unambiguous alphabet."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(5)) for _ in range(4))


CODE_VALID = dt.timedelta(days=3)


def _check_fingerprint(conn: Connection, username: str, fingerprint: str) -> None:
    """The server's own check (``trefas.account_check_fingerprint``), as one sentence."""
    from sqlalchemy.exc import DBAPIError

    from trefas_app.store.accounts import FingerprintMismatch

    try:
        with conn.begin_nested():
            conn.execute(text("SELECT trefas.account_check_fingerprint(:u, :f)"),
                         {"u": username, "f": fingerprint})
    except DBAPIError as exc:
        if sql.FINGERPRINT_MISMATCH in str(exc.orig):
            raise FingerprintMismatch() from exc
        raise


def confirm_first(url: str, username: str, fingerprint: str) -> str:
    """The first supervisor of an agency has nobody to confirm them: whoever
    set the server up (the owner of ``server init``'s connection) confirms
    them, as the recovery key does on a local store, with the fingerprint the
    person reads out. Only a supervisor; later accounts are confirmed by them.
    Returns the group the role joined."""
    params = connection_info(url)
    engine = create_engine("postgresql+psycopg://", creator=lambda: _connect(params, None, None))
    try:
        with engine.begin() as conn:
            role = conn.execute(text("SELECT role FROM users WHERE username = :u AND active"),
                                {"u": username}).scalar()
            if role != Role.SUPERVISOR.value:
                raise StoreError(f"{username} är inte en aktiv arbetsledare.",
                                 f"{username} is not an active supervisor.")
            _check_fingerprint(conn, username, fingerprint)
            group = group_role(Role.SUPERVISOR)
            _run(conn, f"GRANT {group} TO {_ident(conn, username)}")
            setup_role = conn.execute(text("SELECT session_user")).scalar()
            user_id = conn.execute(text("SELECT id FROM users WHERE username = :u"),
                                   {"u": username}).scalar()
            audit.append(Session(bind=conn), clock.now_utc(), None, "account.confirm",
                         username=setup_role, subject_kind="user", subject_id=user_id,
                         detail={"at_setup": True})
    finally:
        engine.dispose()
    return group
