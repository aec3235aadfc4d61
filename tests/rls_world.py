"""A PostgreSQL copy of the access-matrix world, with the server's policies
installed and one login role per user (named as the user, as in server mode).

Until the server migrations run on PostgreSQL here, the schema is the models'
``create_all`` plus the one collation the person index names.
"""

from __future__ import annotations

import psycopg
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.orm import Session

from trefas_app.domain import clock
from trefas_app.store import models as m
from trefas_app.store.server_policies import group_role, install, quote_ident

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
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE COLLATION IF NOT EXISTS trefas_sv "
                          "(provider = icu, locale = 'sv-SE')"))
    m.Base.metadata.create_all(engine)
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
