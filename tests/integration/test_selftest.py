"""``trefas --self-test``: one line per check, exit 0 when all pass, 1 when one fails."""

from __future__ import annotations

import subprocess
import sys

import pytest

from trefas_app import cli, selftest


def test_every_check_passes_here(capsys):
    assert cli.main(["--self-test"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == len(selftest.CHECKS) + 1
    assert all(line.startswith("OK ") for line in lines[:-1])
    assert lines[0].startswith("OK   SQLCipher 4 är databasmotorn: 4.")
    assert lines[-1] == f"Alla {len(selftest.CHECKS)} kontroller gick igenom."


def test_english_lines(capsys):
    assert cli.main(["--self-test", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "OK   wrong key refused" in out
    assert "OK   PDF made, encrypted and rendered" in out


def test_a_failing_check_gives_a_fel_line_and_exit_1(capsys, monkeypatch):
    def broken(work):
        raise RuntimeError("secret detail that must not be shown")

    checks = list(selftest.CHECKS)
    checks[0] = (checks[0][0], checks[0][1], broken)
    monkeypatch.setattr(selftest, "CHECKS", tuple(checks))
    assert cli.main(["--self-test"]) == 1
    out = capsys.readouterr().out
    assert "FEL  SQLCipher 4 är databasmotorn: RuntimeError" in out
    assert "secret detail" not in out
    assert f"1 av {len(checks)} kontroller misslyckades." in out


def test_sqlcipher_3_or_plain_sqlite_is_refused(monkeypatch):
    """A build whose cipher_version is not 4.x (or empty: plain SQLite) fails the check."""
    import sqlcipher3

    class FakeConnection:
        def __init__(self, version):
            self.version = version

        def execute(self, sql):
            return self

        def fetchone(self):
            return (self.version,) if self.version else None

        def close(self):
            pass

    for version in ("3.4.2", None):
        monkeypatch.setattr(sqlcipher3, "connect", lambda *a, v=version, **k: FakeConnection(v))
        with pytest.raises(selftest.CheckFailed):
            selftest.check_sqlcipher(None)


def test_a_store_that_opens_with_any_key_fails(monkeypatch, tmp_path):
    from trefas_app.store import engine

    real = engine.connect_raw
    calls = []

    def same_key(db, key):
        calls.append(key)
        return real(db, calls[0])

    monkeypatch.setattr(engine, "connect_raw", same_key)
    with pytest.raises(selftest.CheckFailed, match="wrong key"):
        selftest.check_wrong_key(tmp_path)


def test_a_plain_sqlite_file_fails_the_store_check(monkeypatch, tmp_path):
    """connect_raw that forgets the key writes a plain SQLite file: the header check sees it."""
    import sqlcipher3

    from trefas_app.store import engine

    monkeypatch.setattr(engine, "connect_raw",
                        lambda db, key: sqlcipher3.connect(str(db), isolation_level=None))
    with pytest.raises(selftest.CheckFailed, match="plain SQLite header"):
        selftest.check_encrypted_store(tmp_path)


def test_wrong_key_check_prints_no_library_noise(tmp_path):
    """SQLCipher's own 'hmac check failed' lines must not reach the user."""
    result = subprocess.run([sys.executable, "-c",
                             "import sys, pathlib; from trefas_app import selftest; "
                             "selftest.check_wrong_key(pathlib.Path(sys.argv[1]))",
                             str(tmp_path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-300:]
    assert result.stderr == ""


def test_missing_translations_fail(monkeypatch, tmp_path):
    from trefas_app import resources

    monkeypatch.setattr(resources, "resources_root", lambda: tmp_path)
    with pytest.raises(selftest.CheckFailed, match="trefas_en.qm"):
        selftest.check_translations(tmp_path)
