"""Helpers of the server-mode tests: a fresh database in the private cluster."""

from __future__ import annotations

import secrets
from contextlib import contextmanager

import psycopg
from sqlalchemy import create_engine


def new_database(cluster) -> str:
    """A new, empty database in ``cluster``; returns its name."""
    name = "t_" + secrets.token_hex(6)
    with psycopg.connect(cluster.dsn(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name


def clone_database(cluster, template: str) -> str:
    """A new database made from ``template`` (``CREATE DATABASE … TEMPLATE``),
    with the template's owner and its ``ALTER DATABASE … SET`` settings, which
    PostgreSQL does not copy; returns its name. Refuses a template with grants
    on the database itself (not copied either: add them here first)."""
    from psycopg import sql

    name = "t_" + secrets.token_hex(6)
    with psycopg.connect(cluster.dsn(), autocommit=True) as conn:
        owner, acl = conn.execute(
            "SELECT pg_get_userbyid(datdba), datacl::text FROM pg_database WHERE datname = %s",
            (template,)).fetchone()
        if acl is not None:
            raise RuntimeError(f"{template} has grants on the database ({acl}); "
                               "clone_database does not copy them")
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                     "WHERE datname = %s AND pid <> pg_backend_pid()", (template,))
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {} OWNER {}").format(
            sql.Identifier(name), sql.Identifier(template), sql.Identifier(owner)))
        settings = conn.execute(
            "SELECT unnest(s.setconfig) FROM pg_db_role_setting s JOIN pg_database d "
            "ON d.oid = s.setdatabase WHERE d.datname = %s AND s.setrole = 0",
            (template,)).fetchall()
        for (setting,) in settings:
            key, _, value = setting.partition("=")
            conn.execute(sql.SQL("ALTER DATABASE {} SET {} = {}").format(
                sql.Identifier(name), sql.Identifier(key), sql.Literal(value)))
    return name


@contextmanager
def fresh_database(cluster):
    """An engine on a new database, as the cluster's superuser."""
    name = new_database(cluster)
    engine = create_engine(cluster.dsn(dbname=name).replace("postgresql://",
                                                             "postgresql+psycopg://"))
    try:
        yield engine
    finally:
        engine.dispose()


def guarded_functions(superuser_url: str, prefix: str) -> dict[str, bool]:
    """The functions of schema ``trefas`` whose names start with ``prefix``:
    name → whether each is guarded as a function a login role may call must
    be (SECURITY DEFINER, an empty ``search_path``, owned by the owner role,
    not executable by PUBLIC)."""
    import psycopg

    pattern = prefix.replace("_", "\\_") + "%"
    with psycopg.connect(superuser_url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT p.proname, p.prosecdef, p.proconfig, pg_get_userbyid(p.proowner), "
            "has_function_privilege('public', p.oid, 'EXECUTE') FROM pg_proc p "
            "JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = 'trefas' AND p.proname LIKE %s", (pattern,)).fetchall()
    return {name: bool(definer and 'search_path=""' in (config or ())
                       and owner == "trefas_owner" and not public)
            for name, definer, config, owner, public in rows}
