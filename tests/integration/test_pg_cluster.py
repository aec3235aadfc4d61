"""The test set-up's own PostgreSQL starts and checks passwords."""

import psycopg
import pytest


def test_the_private_cluster_answers_and_checks_passwords(pg_cluster):
    with psycopg.connect(pg_cluster.dsn()) as conn:
        version = conn.execute("SHOW server_version_num").fetchone()[0]
        assert int(version) >= 150000
        assert conn.execute("SELECT current_user").fetchone()[0] == "postgres"
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(pg_cluster.dsn(password="wrong"))
