"""``trefas server …`` and ``--server`` on the ordinary commands, against a
real PostgreSQL."""

from __future__ import annotations

import pytest

from server_setup import new_database
from server_world import _no_user
from trefas_app import cli

ADMIN_PW = "Solros-vägen-nio-test"
PW = "Granskog-och-hav-42"


@pytest.fixture
def run(capsys, monkeypatch, tmp_path, cli_logging):
    monkeypatch.delenv("TREFAS_SERVER", raising=False)
    monkeypatch.setenv("LANG", "sv_SE.UTF-8")

    def _run(*argv, **env):
        for name in ("TREFAS_PASSWORD", "TREFAS_NEW_PASSWORD", "TREFAS_ENROLMENT_CODE"):
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        capsys.readouterr()
        code = cli.main([str(a) for a in argv])
        captured = capsys.readouterr()
        return code, captured.out, captured.err
    return _run


def _code_of(out: str) -> str:
    lines = out.splitlines()
    return next(lines[i + 1].strip() for i, line in enumerate(lines) if "ENGÅNGSKOD" in line)


def test_server_set_up_and_work_from_the_command_line(run, pg_cluster, monkeypatch):
    db = new_database(pg_cluster)
    code, out, err = run("server", "init", "--db", pg_cluster.dsn(dbname=db), "--admin", "admin",
                         "--display-name", "Anna Admin", TREFAS_NEW_PASSWORD=ADMIN_PW)
    assert code == 0, err
    assert "Servern är klar" in out and "trefas_owner" in out
    url = _no_user(pg_cluster, db)
    monkeypatch.setenv("TREFAS_SERVER", url)  # as a desktop's settings would
    code, out, err = run("server", "add-user", "stina", "--role", "supervisor", "--unit", "1",
                         "--display-name", "Stina Ek", "--user", "admin",
                         TREFAS_PASSWORD=ADMIN_PW)
    assert code == 0, err
    one_time = _code_of(out)
    code, out, err = run("server", "enrol", "stina", TREFAS_ENROLMENT_CODE=one_time,
                         TREFAS_NEW_PASSWORD=PW)
    assert code == 0, err
    fingerprint = out.splitlines()[-1].strip()  # what stina reads out
    code, out, err = run("server", "confirm-first", "--db", pg_cluster.dsn(dbname=db), "stina",
                         "--fingerprint", "AAAA-BBBB-CCCC-DDDD")
    assert code != 0 and "Fingeravtrycket stämmer inte" in err and "Traceback" not in err
    code, out, err = run("server", "confirm-first", "--db", pg_cluster.dsn(dbname=db), "stina",
                         "--fingerprint", fingerprint)
    assert code == 0, err
    code, out, err = run("audit", "verify", "--user", "stina", TREFAS_PASSWORD=PW)
    assert code == 0, err
    code, out, err = run("server", "disable", "stina", "--user", "admin",
                         TREFAS_PASSWORD=ADMIN_PW)
    assert code == 0 and "avstängt" in out, err
    code, out, err = run("audit", "verify", "--user", "stina", TREFAS_PASSWORD=PW)
    assert code != 0 and "lösenord" in err and "Traceback" not in err


def test_a_remote_server_without_verify_full_is_refused_in_one_sentence(run):
    code, out, err = run("case", "list", "--server", "postgresql://db.example.se/trefas",
                         "--user", "sara", TREFAS_PASSWORD=PW)
    assert code != 0
    assert "verify-full" in err and "Traceback" not in err


def test_server_import_says_what_it_moved(run, pg_cluster, tmp_path):
    from test_services_both_stores import build_local_world

    build_local_world(tmp_path / "store")
    db = new_database(pg_cluster)
    code, out, err = run("server", "import", "--db", pg_cluster.dsn(dbname=db),
                         "--store", tmp_path / "store", "--user", "stina",
                         TREFAS_PASSWORD=PW)
    assert code == 0, err
    assert "users: 7" in out and "audit_events:" in out
    assert "kedjan kontrollerad först" in out
    assert out.count("ENGÅNGSKOD") == 7
