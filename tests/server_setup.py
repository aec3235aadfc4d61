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
