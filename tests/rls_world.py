"""A PostgreSQL copy of the access-matrix world, with the server's policies
installed and one login role per user (named as the user, as in server mode).

The schema is made by the same Alembic migrations as ``server init`` runs,
as the owner role.
"""

from __future__ import annotations

import psycopg
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.orm import Session

from trefas_app.domain import clock
from trefas_app.store import models as m
from trefas_app.server.policies import group_role, install, quote_ident

#: Written into postgresql.conf of the tests' audited cluster.
AUDIT_CONF = ("shared_preload_libraries = 'pgaudit'\n"
              "pgaudit.role = 'trefas_auditor'\n"
              "pgaudit.log_relation = on\n"
              "pgaudit.log_parameter = off\n"
              "log_line_prefix = '%m [%p] user=%u db=%d '\n")


def sqlalchemy_url(dsn: str) -> str:
    return dsn.replace("postgresql://", "postgresql+psycopg://", 1)


def create_database(cluster, name: str) -> str:
    """A new database; returns the superuser's SQLAlchemy URL of it."""
    with psycopg.connect(cluster.dsn(), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {quote_ident(name)}")
        conn.execute(f"CREATE DATABASE {quote_ident(name)}")
    return sqlalchemy_url(cluster.dsn(dbname=name))


def build_schema(url: str):
    """The server's schema as ``server init`` makes it: the Alembic migrations,
    run as the owner role (``SET ROLE trefas_owner``)."""
    from sqlalchemy import event

    from trefas_app.store.migrate import upgrade_to_head
    from trefas_app.server.policies import OWNER_ROLE

    engine = create_engine(url)
    with engine.begin() as conn:
        if conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"),
                        {"r": OWNER_ROLE}).first() is None:
            conn.exec_driver_sql(f"CREATE ROLE {OWNER_ROLE} NOLOGIN")
        conn.exec_driver_sql(f"GRANT {OWNER_ROLE} TO CURRENT_USER")
        conn.exec_driver_sql(f"ALTER SCHEMA public OWNER TO {OWNER_ROLE}")
    owner = create_engine(url)

    @event.listens_for(owner, "connect")
    def _as_owner(dbapi_conn, _record):
        with dbapi_conn.cursor() as cur:
            cur.execute(f"SET ROLE {OWNER_ROLE}")
        dbapi_conn.commit()

    try:
        upgrade_to_head(owner)
    finally:
        owner.dispose()
    return engine


def copy_store(source_engine, target_engine) -> None:
    """Every row of a local store, table by table, and the id sequences after."""
    with Session(source_engine) as src, target_engine.begin() as dst:
        for table in m.Base.metadata.sorted_tables:
            rows = [dict(r._mapping) for r in src.execute(select(table)).all()]
            if rows:
                dst.execute(insert(table), rows)
            if "id" in table.c and rows:
                dst.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                 f"(SELECT max(id) FROM {table.name}))"))


def install_policies(engine) -> None:
    with engine.begin() as conn:
        install(conn, office_timezone=clock.office_zone().key)


def create_login_roles(engine, password: str) -> dict[str, str]:
    """One login role per users row (username → role), as server mode does."""
    with engine.begin() as conn:
        users = conn.execute(select(m.User.username, m.User.role)).all()
        for username, role in users:
            conn.exec_driver_sql(f"DROP ROLE IF EXISTS {quote_ident(username)}")
            conn.exec_driver_sql(f"CREATE ROLE {quote_ident(username)} LOGIN PASSWORD "
                                 f"'{password}' IN ROLE {group_role(role)}")
    return {u: r for u, r in users}
