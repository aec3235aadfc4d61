"""The ``trefas`` command as a user types it: exit codes, one-sentence errors,
passwords never as arguments, machine-readable listings.

Most tests call ``main(argv)`` in-process (fast); a few run
``python -m trefas_app`` in a subprocess to prove the real entry point
behaves the same and never shows a traceback.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from trefas_app.domain import clock
from trefas_app import __version__, cli, paths
from trefas_app.cli import passwords as cli_passwords
from trefas_app.domain.enums import Agency, Role
from trefas_app.store.keyslots import KeyFile

ADMIN_PW = "Solros-vägen-nio-test"
SARA_PW = "Granskog-och-hav-42"
RECOVERY_RE = re.compile(r"^\s+([A-Z2-7]{5}(?:-[A-Z2-7]{5}){3,})\s*$", re.M)

_ENV_TO_CLEAR = ("TREFAS_STORE", "TREFAS_USER", "TREFAS_PASSWORD", "TREFAS_NEW_PASSWORD",
                 "TREFAS_ENROLMENT_CODE", "TREFAS_RECOVERY_KEY", "LC_ALL", "LC_MESSAGES")
CODE_RE = re.compile(r"^\s+([A-Z2-9]{4}(?:-[A-Z2-9]{4}){3})\s*$", re.M)


@pytest.fixture
def env(tmp_path, monkeypatch):
    """A clean environment: Swedish, logs and default store inside tmp_path."""
    for name in _ENV_TO_CLEAR:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "sv_SE.UTF-8")
    monkeypatch.setenv("TREFAS_KDF_PROFILE", "test")
    monkeypatch.setenv("TREFAS_LOG_DIR", str(tmp_path / "log"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))
    yield tmp_path
    _drop_log_handlers()


def _drop_log_handlers() -> None:
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, paths._HANDLER_MARK, None) is not None:
            root.removeHandler(handler)
            handler.close()


@pytest.fixture
def run(env, capsys, monkeypatch):
    """``run(*argv, password=..., new_password=..., stdin=...) -> (code, out, err)``."""

    def _run(*argv, password=None, new_password=None, stdin=None):
        for name, value in (("TREFAS_PASSWORD", password),
                            ("TREFAS_NEW_PASSWORD", new_password)):
            if value is None:
                monkeypatch.delenv(name, raising=False)
            else:
                monkeypatch.setenv(name, value)
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        capsys.readouterr()
        code = cli.main([str(a) for a in argv])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return _run


@pytest.fixture(scope="module")
def template_store(tmp_path_factory):
    """Built once per module through the command line itself: an administrator,
    a unit RK and a social worker sara (created by the administrator, enrolled
    by sara with her one-time code, confirmed with the recovery key). Tests get
    a copy (see ``store``)."""
    base = tmp_path_factory.mktemp("template")
    root = base / "store"
    said = {}
    steps = [
        (["init", "--store", root, "--admin", "admin", "--display-name", "Anna Admin"],
         {"TREFAS_PASSWORD": ADMIN_PW}, "recovery"),
        (["unit", "add", "RK", "--name", "Rinkeby-Kista", "--agency", "city",
          "--store", root, "--user", "admin"], {"TREFAS_PASSWORD": ADMIN_PW}, None),
    ]
    for name, role, display in (("sara", "social_worker", "Sara Sund"),
                                ("stina", "supervisor", "Stina Ek")):
        steps += [
            (["user", "add", name, "--role", role, "--unit", "RK", "--display-name", display,
              "--store", root, "--user", "admin"], {"TREFAS_PASSWORD": ADMIN_PW}, name),
            (["user", "enrol", name, "--store", root],
             {"TREFAS_ENROLMENT_CODE": lambda name=name: said[name],
              "TREFAS_NEW_PASSWORD": SARA_PW}, f"fingerprint:{name}"),
            (["recover", "--confirm", name, "--store", root, "--fingerprint",
              lambda name=name: said[f"fingerprint:{name}"]],
             {"TREFAS_RECOVERY_KEY": lambda: said["recovery"]}, None)]
    with pytest.MonkeyPatch.context() as mp:
        for name in _ENV_TO_CLEAR:
            mp.delenv(name, raising=False)
        mp.setenv("LANG", "sv_SE.UTF-8")
        mp.setenv("TREFAS_LOG_DIR", str(base / "log"))
        for argv, environment, keep in steps:
            for name, value in environment.items():
                mp.setenv(name, value() if callable(value) else value)
            stdout, stderr = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
                code = cli.main([str(a() if callable(a) else a) for a in argv])
            assert code == 0, stderr.getvalue()
            if keep:
                pattern = RECOVERY_RE if keep == "recovery" else CODE_RE
                said[keep] = pattern.findall(stdout.getvalue())[0]
    _drop_log_handlers()
    return root


@pytest.fixture
def store(env, template_store):
    """A private copy of the template store (same store id, same users)."""
    root = env / "store"
    shutil.copytree(template_store, root)
    return root


def _subprocess(args, env_extra, tmp_path):
    environment = {k: v for k, v in os.environ.items() if k not in _ENV_TO_CLEAR}
    environment.update({"LANG": "C.UTF-8", "TREFAS_KDF_PROFILE": "test",
                        "TREFAS_LOG_DIR": str(tmp_path / "log"),
                        "XDG_DATA_HOME": str(tmp_path / "xdg-data"),
                        "PYTHONIOENCODING": "utf-8"})
    environment.update(env_extra)
    return subprocess.run([sys.executable, "-m", "trefas_app", *map(str, args)],
                          env=environment, capture_output=True, text=True,
                          encoding="utf-8", timeout=60)


# --- set-up ---------------------------------------------------------------------


def test_version(tmp_path):
    result = _subprocess(["--version"], {}, tmp_path)
    assert result.returncode == 0
    assert result.stdout.strip() == f"trefas {__version__}"


def test_init_prints_the_recovery_key_once_and_never_stores_it(env, run):
    root = env / "new"
    code, out, err = run("init", "--store", root, "--admin", "admin", password=ADMIN_PW)
    assert code == 0, err
    keys = RECOVERY_RE.findall(out)
    assert len(keys) == 1, out
    assert out.count(keys[0]) == 1
    assert "visas bara den här enda gången" in out
    assert (root / "trefas.db").exists() and (root / "trefas.keys").exists()
    compact = keys[0].replace("-", "").encode()
    for f in root.iterdir():
        if f.is_file():
            data = f.read_bytes()
            assert keys[0].encode() not in data and compact not in data, f.name

    before = (root / "trefas.keys").read_bytes()
    code, out, err = run("init", "--store", root, "--admin", "admin", password=ADMIN_PW)
    assert code == 1
    assert "Det finns redan en lagringsplats" in err
    assert not RECOVERY_RE.search(out)
    assert (root / "trefas.keys").read_bytes() == before


def test_init_asks_twice_and_refuses_different_passwords(env, run, monkeypatch):
    answers = iter(["Ett-bra-losenord-77", "Ett-annat-losenord-77"])
    monkeypatch.setattr(cli_passwords, "_can_prompt", lambda: True)
    monkeypatch.setattr(cli_passwords, "_prompt", lambda prompt: next(answers))
    root = env / "s"
    code, out, err = run("init", "--store", root, "--admin", "admin")
    assert code == 1
    assert "Lösenorden var inte lika" in err
    assert not (root / "trefas.keys").exists()


def test_init_rejects_a_weak_password_in_one_sentence(env, run):
    code, out, err = run("init", "--store", env / "s", "--admin", "admin", password="kort")
    assert code == 1
    assert "minst" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_password_file_is_read_without_its_line_ending(env, run, tmp_path):
    pw_file = tmp_path / "pw.txt"
    pw_file.write_text(ADMIN_PW + "\n", encoding="utf-8")
    root = env / "s"
    assert run("init", "--store", root, "--admin", "admin", "--password-file", pw_file)[0] == 0
    code, out, err = run("user", "list", "--json", "--store", root, "--user", "admin",
                         "--password-file", pw_file)
    assert code == 0, err
    assert [u["username"] for u in json.loads(out)] == ["admin"]


# --- errors: one sentence, the right exit status ---------------------------------


def test_wrong_password_is_one_sentence_and_exit_1(store, tmp_path):
    result = _subprocess(["user", "list", "--store", store, "--user", "admin"],
                         {"TREFAS_PASSWORD": "Helt-fel-losenord-1"}, tmp_path)
    assert result.returncode == 1
    assert "Fel lösenord" in result.stderr
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    assert len(result.stderr.strip().splitlines()) == 1



def test_english_messages_with_lang_option_or_environment(store, run, monkeypatch):
    argv = ("user", "list", "--store", store, "--user", "admin")
    code, _, err = run(*argv, "--lang", "en", password="Helt-fel-losenord-1")
    assert (code, err.strip()) == (1, "Wrong password.")
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    code, _, err = run(*argv, password="Helt-fel-losenord-1")
    assert (code, err.strip()) == (1, "Wrong password.")
    code, _, err = run(*argv, "--lang", "sv", password="Helt-fel-losenord-1")
    assert (code, err.strip()) == (1, "Fel lösenord.")


def test_unknown_user_and_missing_store(env, store, run):
    code, _, err = run("user", "list", "--store", store, "--user", "nobody", password=ADMIN_PW)
    assert code == 1 and "nobody" in err
    code, _, err = run("user", "list", "--store", env / "nowhere", "--user", "admin",
                       password=ADMIN_PW)
    assert code == 1 and "Det finns ingen lagringsplats" in err


def test_repeated_failures_tell_how_long_to_wait(store, run):
    for _ in range(4):
        assert run("user", "list", "--store", store, "--user", "admin",
                   password="Helt-fel-losenord-1")[0] == 1
    code, _, err = run("user", "list", "--store", store, "--user", "admin", password=ADMIN_PW)
    assert code == 1
    assert re.search(r"Vänta \d+ sekunder", err), err


def test_a_password_can_never_be_given_as_an_argument(env, store, run):
    for argv in (["user", "list", "--store", store, "--user", "admin", "--password", ADMIN_PW],
                 ["user", "list", "--store", store, "--user", "admin", f"--password={ADMIN_PW}"],
                 ["user", "list", "--store", store, "--user", "admin", "--pass", ADMIN_PW],
                 ["init", "--store", env / "x", "--admin", "a", "--password", ADMIN_PW],
                 ["--password", ADMIN_PW, "user", "list"]):
        code, out, err = run(*argv)
        assert code == 2, argv
        assert ADMIN_PW not in out
    assert not (env / "x").exists()

    # No option anywhere in the parser takes a password itself: only files.
    def options(parser):
        for action in parser._actions:
            yield from action.option_strings
            choices = getattr(action, "choices", None)
        for sub in (choices.values() if isinstance(choices, dict) else ()):
                if hasattr(sub, "_actions"):
                    yield from options(sub)

    offending = {o for o in options(cli.build_parser())
                 if "pass" in o.lower() and not o.endswith("-file")}
    assert offending == set()


def test_no_password_and_no_terminal_is_a_usage_error(store, run, monkeypatch):
    monkeypatch.setattr(cli_passwords, "_can_prompt", lambda: False)
    code, _, err = run("user", "list", "--store", store, "--user", "admin")
    assert code == 2
    assert "TREFAS_PASSWORD" in err


def test_unknown_command_exits_2(tmp_path):
    result = _subprocess(["flyga"], {}, tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_a_group_without_its_command_exits_2(run):
    code, _, err = run("user")
    assert code == 2 and "välj ett kommando" in err


def test_unexpected_errors_log_type_and_place_but_no_case_content(env, store, run,
                                                                  monkeypatch):
    from trefas_app.services import persons

    secret = "Amir Haddad 19900101-0017 Hemlig väg 3"

    def boom(*args, **kwargs):
        raise ValueError(secret)

    monkeypatch.setattr(persons, "list_persons", boom)
    code, out, err = run("person", "list", "--store", store, "--user", "sara",
                         password=SARA_PW)
    assert code == 1
    assert "oväntat fel" in err and "ValueError" in err
    assert secret not in err and secret not in out and "Traceback" not in err
    log_text = (env / "log" / "trefas.log").read_text(encoding="utf-8")
    assert "ValueError" in log_text and "boom" in log_text  # type and place
    assert "Amir" not in log_text and "19900101" not in log_text and "Hemlig" not in log_text


def test_interrupt_exits_130_quietly(store, run, monkeypatch):
    from trefas_app.services import accounts

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(accounts, "list_accounts", interrupted)  # what the command calls
    code, out, err = run("user", "list", "--store", store, "--user", "admin",
                         password=ADMIN_PW)
    assert code == 130
    assert err == "" and out == ""


# --- users -----------------------------------------------------------------------------


def test_user_add_and_list_json_round_trip(store, run):
    code, out, err = run("user", "list", "--json", "--store", store, "--user", "admin",
                         password=ADMIN_PW)
    assert code == 0, err
    by_name = {u["username"]: u for u in json.loads(out)}
    assert set(by_name) == {"admin", "sara", "stina"}
    assert {k: by_name["sara"][k] for k in ("role", "agency", "unit", "active")} == {
        "role": "social_worker", "agency": "city", "unit": "RK", "active": True}
    assert by_name["admin"]["role"] == "administrator"

    # sara can unlock with the password given for her, and only that one.
    assert run("person", "list", "--store", store, "--user", "sara", password=SARA_PW)[0] == 0
    assert run("person", "list", "--store", store, "--user", "sara",
               password=ADMIN_PW)[0] == 1

    # A role that does not exist in the unit's agency is refused.
    code, _, err = run("user", "add", "pelle", "--role", "police_liaison", "--unit", "RK",
                       "--display-name", "Pelle", "--store", store, "--user", "admin",
                       password=ADMIN_PW, new_password=SARA_PW)
    assert code == 1 and "myndighet" in err.lower()


def test_only_an_administrator_manages_users(store, run):
    code, _, err = run("user", "add", "olle", "--role", "social_worker", "--unit", "RK",
                       "--display-name", "Olle", "--store", store, "--user", "sara",
                       password=SARA_PW, new_password="Ett-bra-losenord-77")
    assert code == 1 and "behörighet" in err


def test_disable_and_own_password_change(store, run):
    code, out, _ = run("user", "disable", "sara", "--store", store, "--user", "admin",
                       password=ADMIN_PW)
    assert code == 0 and "rekey" in out
    users = json.loads(run("user", "list", "--json", "--store", store, "--user", "admin",
                           password=ADMIN_PW)[1])
    assert {u["username"]: u["active"] for u in users}["sara"] is False
    assert run("person", "list", "--store", store, "--user", "sara", password=SARA_PW)[0] == 1

    new = "Ny-fras-for-kontot-2031"
    code, _, err = run("user", "passwd", "--store", store, "--user", "admin",
                       password=ADMIN_PW, new_password=new)
    assert code == 0, err
    assert run("unit", "list", "--store", store, "--user", "admin", password=ADMIN_PW)[0] == 1
    assert run("unit", "list", "--store", store, "--user", "admin", password=new)[0] == 0


# --- case work ------------------------------------------------------------------------


def test_invalid_personnummer_is_refused_in_swedish(store, run):
    code, out, err = run("person", "add", "--first-name", "Amir", "--last-name", "Haddad",
                         "--personal-number", "19900101-0018", "--store", store,
                         "--user", "sara", password=SARA_PW)
    assert code == 1
    assert "Kontrollsiffran stämmer inte" in err and "Traceback" not in err
    listing = json.loads(run("person", "list", "--json", "--store", store, "--user", "sara",
                             password=SARA_PW)[1])
    assert listing["total"] == 0

    code, _, err = run("person", "add", "--first-name", "Amir", "--last-name", "Haddad",
                       "--personal-number", "19900101-0018", "--store", store,
                       "--user", "sara", "--lang", "en", password=SARA_PW)
    assert code == 1 and "check digit" in err


def test_a_blank_name_is_refused_in_one_sentence(store, run):
    """A name of spaces reaches the service as no name (the command line's
    "" empties a field): the answer is the service's sentence, not a crash."""
    code, _, err = run("person", "add", "--first-name", " ", "--last-name", "Haddad",
                       "--store", store, "--user", "sara", password=SARA_PW)
    assert code == 1
    assert "För- och efternamn måste fyllas i." in err and "oväntat" not in err


def test_person_case_note_flow(store, run):
    common = ("--store", store, "--user", "sara")
    code, out, err = run("person", "add", "--first-name", "Amir", "--last-name", "Haddad",
                         "--personal-number", "19900101-0017", "--json", *common,
                         password=SARA_PW)
    assert code == 0, err
    person_id = json.loads(out)["id"]
    code, out, err = run("case", "open", "--person", f"P-{person_id:04d}", "--title",
                         "Risk för våld", "--json", *common, password=SARA_PW)
    assert code == 0, err
    number = json.loads(out)["number"]

    code, out, err = run("note", "add", "--case", number, "--title", "Samtal",
                         "--category", "social", "--json", *common, password=SARA_PW,
                         stdin="Samtal om skolan och fritiden.\n")
    assert code == 0, err
    note_id = json.loads(out)["id"]
    assert run("note", "sign", note_id, *common, password=SARA_PW)[0] == 0
    code, _, err = run("note", "sign", note_id, *common, password=SARA_PW)
    assert code == 1 and "signerad" in err

    code, out, err = run("case", "show", number, "--notes", "--json", *common,
                         password=SARA_PW)
    assert code == 0, err
    shown = json.loads(out)
    assert shown["person"]["display_name"] == "Amir Haddad"
    assert [(n["title"], n["state"], n["body"]) for n in shown["notes"]] == [
        ("Samtal", "signed", "Samtal om skolan och fritiden.")]

    rows = json.loads(run("case", "list", "--json", "--state", "open", *common,
                          password=SARA_PW)[1])["rows"]
    assert [r["number"] for r in rows] == [number]
    code, _, err = run("case", "show", "K-1999-99999", *common, password=SARA_PW)
    assert code == 1 and "Posten finns inte, eller så har du inte åtkomst" in err


def test_an_edit_of_a_version_someone_replaced_is_refused(store, run, tmp_path):
    """Two people editing the same record (issue 13): ``--version`` names the
    version read; a save after someone else's is refused with who and when,
    exit 1, and nothing is overwritten."""
    common = ("--store", store, "--user", "sara")
    code, out, err = run("person", "add", "--first-name", "Amir", "--last-name", "Haddad",
                         "--json", *common, password=SARA_PW)
    person = f"P-{json.loads(out)['id']:04d}"
    code, out, err = run("person", "show", person, *common, password=SARA_PW)
    assert code == 0 and re.search(r"^Version\s+1$", out, re.M), out
    code, out, err = run("person", "edit", person, "--phone", "070-111 11 11", "--version", 1,
                         *common, password=SARA_PW)
    assert code == 0 and "version 2" in out, err
    code, out, err = run("person", "edit", person, "--phone", "070-222 22 22", "--version", 1,
                         *common, password=SARA_PW)
    hour = clock.format_local(clock.now_utc())[-5:-3]
    assert code == 1 and err.startswith(f"Personuppgifterna ändrades av Sara Sund kl. {hour}")
    assert "din ändring har inte sparats; öppna igen." in err and "Traceback" not in err
    shown = json.loads(run("person", "show", person, "--json", *common, password=SARA_PW)[1])
    assert shown["phone"] == "070-111 11 11" and shown["last_name"] == "Haddad"

    number = json.loads(run("case", "open", "--person", person, "--title", "Risk", "--json",
                            *common, password=SARA_PW)[1])["number"]
    note_id = json.loads(run("note", "add", "--case", number, "--title", "Samtal", "--category",
                             "social", "--json", *common, password=SARA_PW,
                             stdin="Ett.\n")[1])["id"]
    text = tmp_path / "text.txt"
    text.write_text("Två.\n", encoding="utf-8")
    code, out, err = run("note", "edit", note_id, "--file", text, "--version", 1, *common,
                         password=SARA_PW)
    assert code == 0 and "version 2" in out, err
    code, out, err = run("note", "edit", note_id, "--title", "Annat", "--version", 1, *common,
                         password=SARA_PW)
    assert code == 1 and err.startswith("Anteckningen ändrades av Sara Sund kl. "), err
    code, _, err = run("note", "sign", note_id, "--version", 1, *common, password=SARA_PW)
    assert code == 1 and "din ändring har inte sparats" in err
    rows = json.loads(run("note", "list", "--case", number, "--json", *common,
                          password=SARA_PW)[1])["rows"]
    assert [(r["title"], r["body"], r["state"], r["version"]) for r in rows] == [
        ("Samtal", "Två.", "draft", 2)]
    assert run("note", "sign", note_id, "--version", 2, *common, password=SARA_PW)[0] == 0


def test_consent_needs_an_end_date_and_can_be_withdrawn(store, run):
    common = ("--store", store, "--user", "sara")
    person = json.loads(run("person", "add", "--first-name", "Lina", "--last-name", "Berg",
                            "--json", *common, password=SARA_PW)[1])["id"]
    code, _, err = run("consent", "add", "--person", person, "--purpose", "Samverkan SIG",
                       "--grant", "police:social", *common, password=SARA_PW)
    assert code == 2 and "--until" in err  # an end date is required

    import datetime as dt
    until = (clock.today() + dt.timedelta(days=90)).isoformat()
    code, out, err = run("consent", "add", "--person", person, "--purpose", "Samverkan SIG",
                         "--until", until, "--grant", "police:social", "--grant",
                         "police:identity", "--json", *common, password=SARA_PW)
    assert code == 0, err
    consent = json.loads(out)
    assert consent["status"] == "active"
    assert sorted(map(tuple, consent["grants"])) == [("police", "identity"),
                                                       ("police", "social")]
    code, _, err = run("consent", "withdraw", consent["id"], "--reason",
                       "Personen återkallade muntligt", *common, password=SARA_PW)
    assert code == 0, err
    listed = json.loads(run("consent", "list", "--person", person, "--json", *common,
                            password=SARA_PW)[1])
    assert [c["status"] for c in listed] == ["withdrawn"]


# --- administration --------------------------------------------------------------------


def test_backup_check_and_audit_verify(store, run):
    admin = ("--store", store, "--user", "admin")
    code, out, err = run("backup", "--json", *admin, password=ADMIN_PW)
    assert code == 0, err
    backup = Path(json.loads(out)["path"])
    assert backup.is_file() and backup.parent == store / "backups"
    listed = json.loads(run("backup", "--list", "--json", *admin, password=ADMIN_PW)[1])
    assert [b["path"] for b in listed] == [str(backup)]

    code, out, err = run("check", "--store", store)
    assert code == 0 and "hel" in out, err
    # The log is verified by a key holder: the administrator's log-in has no key.
    code, out, err = run("audit", "verify", "--store", store, "--user", "stina",
                         password=SARA_PW)
    assert code == 0 and "obruten" in out, err
    # The first check was full and signed its head: the next one is incremental
    # and says so; --full checks every entry again.
    code, out, err = run("audit", "verify", "--store", store, "--user", "stina",
                         password=SARA_PW)
    assert code == 0 and "slumpvis urval" in out and "--full" in out, err
    code, out, err = run("audit", "verify", "--full", "--store", store, "--user", "stina",
                         password=SARA_PW)
    assert code == 0 and "obruten" in out and "urval" not in out, err

    # A damaged key file is a failed check: exit 1 and what is wrong.
    keys = store / "trefas.keys"
    keys.write_bytes(keys.read_bytes()[:40])
    code, out, err = run("check", "--store", store)
    assert code == 1 and "yckelfil" in err


def test_restore_needs_confirmation_when_not_interactive(store, run, monkeypatch):
    # The administrator copies; a supervisor (who holds the key) restores.
    admin = ("--store", store, "--user", "admin")
    supervisor = ("--store", store, "--user", "stina")
    backup = json.loads(run("backup", "--json", *admin, password=ADMIN_PW)[1])["path"]
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code, _, err = run("restore", backup, *supervisor, password=SARA_PW)
    assert code == 2 and "--yes" in err
    code, out, err = run("restore", backup, "--yes", *supervisor, password=SARA_PW)
    assert code == 0, err
    assert run("user", "list", *admin, password=ADMIN_PW)[0] == 0


# --- the demo store -----------------------------------------------------------------------


def test_demo_command_refuses_an_existing_store_and_lists_the_users(env, run, monkeypatch):
    """The command's own part (the data set is the demo package's and tested there):
    password from TREFAS_PASSWORD else the README's, users printed, an existing
    store refused before anything is built."""
    from trefas_app import demo
    from trefas_app.store.store import create_store

    calls = []

    def fake_build_demo(root, password):
        calls.append(password)
        create_store(Path(root), admin_username="admin", admin_display_name="Tove Ekman",
                     admin_password=password).store.close()
        return [demo.DemoUser("admin", "Tove Ekman", Role.ADMINISTRATOR, Agency.CITY,
                              "SDF-JS"),
                demo.DemoUser("sara.lindqvist", "Sara Lindqvist", Role.SOCIAL_WORKER,
                              Agency.CITY, "SDF-RK")]

    monkeypatch.setattr(demo, "build_demo", fake_build_demo)
    code, out, err = run("demo", "--store", env / "d1")
    assert code == 0, err
    assert calls == [demo.DEMO_PASSWORD]
    assert re.search(r"^admin\s+Tove Ekman\s+Systemadministratör", out, re.M), out
    assert re.search(r"^sara\.lindqvist\s+Sara Lindqvist\s+Socialsekreterare", out, re.M)
    assert demo.DEMO_PASSWORD in out

    code, out, err = run("demo", "--store", env / "d2", password="Eget-demolosenord-5")
    assert code == 0 and calls[-1] == "Eget-demolosenord-5"
    assert "Eget-demolosenord-5" not in out  # a password the user chose is not echoed

    code, _, err = run("demo", "--store", env / "d1")
    assert code == 1 and "finns redan" in err
    assert len(calls) == 2


def test_paths_names_the_default_store(env, run, monkeypatch):
    code, out, _ = run("paths", "--json")
    info = json.loads(out)
    assert code == 0
    assert info["store"] == str(paths.default_store_dir().absolute())
    assert info["store_exists"] is False
    monkeypatch.setenv("TREFAS_STORE", str(env / "elsewhere"))
    info = json.loads(run("paths", "--json")[1])
    assert info["store"] == str(env / "elsewhere")


# --- the desktop program --------------------------------------------------------------


def test_no_command_starts_the_gui_on_the_default_store(env, run, monkeypatch):
    import types

    started = []
    fake = types.ModuleType("trefas_app.ui.app")
    servers = []
    fake.run_gui = lambda store_dir, server=None: (started.append(store_dir)
                                                   or servers.append(server) or 0)
    monkeypatch.setitem(sys.modules, "trefas_app.ui.app", fake)
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    monkeypatch.delenv("TREFAS_SERVER", raising=False)
    assert run()[0] == 0
    assert started == [paths.default_store_dir().absolute()]
    monkeypatch.setenv("TREFAS_STORE", str(env / "chosen"))
    assert run()[0] == 0
    assert run("--store", env / "other")[0] == 0
    assert started[1:] == [env / "chosen", env / "other"]
    assert run("--server", "postgresql:///trefas?host=/run/postgresql")[0] == 0
    assert servers == [None, None, None, "postgresql:///trefas?host=/run/postgresql"]


def test_missing_qt_is_one_clear_sentence(env, run, monkeypatch):
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    monkeypatch.delitem(sys.modules, "trefas_app.ui.app", raising=False)
    for name in ("PySide6", "PySide6.QtCore", "PySide6.QtGui", "PySide6.QtWidgets"):
        monkeypatch.setitem(sys.modules, name, None)
    code, out, err = run()
    assert code == 1
    assert "Qt (PySide6)" in err and "bootstrap.sh start" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_no_display_is_explained_instead_of_a_qt_abort(env, run, monkeypatch):
    if not sys.platform.startswith("linux"):
        pytest.skip("DISPLAY/WAYLAND_DISPLAY are how Linux finds a screen")
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    code, _, err = run()
    assert code == 1 and "DISPLAY" in err


def test_a_supervisor_lists_users_from_the_database(store, run):
    code, out, err = run("user", "list", "--json", "--store", store, "--user", "stina",
                         password=SARA_PW)
    assert code == 0, err
    assert {u["username"] for u in json.loads(out)} == {"admin", "sara", "stina"}


def test_a_confirmation_on_the_command_line_needs_the_fingerprint_the_person_reads_out(
        env, run, store, monkeypatch):
    """Review finding 8: enrol prints the fingerprint, the person can show it again,
    pending lists it, and confirm seals the key only when it is typed and matches."""
    code, out, err = run("user", "add", "nils", "--role", "social_worker", "--unit", "RK",
                         "--display-name", "Nils Ny", "--store", store, "--user", "admin",
                         password=ADMIN_PW)
    assert code == 0, err
    monkeypatch.setenv("TREFAS_ENROLMENT_CODE", CODE_RE.findall(out)[0])
    code, out, err = run("user", "enrol", "nils", "--store", store, new_password=SARA_PW)
    assert code == 0, err
    fingerprint = CODE_RE.findall(out)[0]
    code, out, err = run("user", "fingerprint", "--store", store, "--user", "nils",
                         password=SARA_PW)
    assert (code, CODE_RE.findall(out)) == (0, [fingerprint]), err
    code, out, err = run("person", "list", "--store", store, "--user", "nils", password=SARA_PW)
    assert code != 0 and fingerprint in err  # the waiting screen of the command line
    code, out, err = run("user", "pending", "--json", "--store", store, "--user", "stina",
                         password=SARA_PW)
    # The supervisor is not shown it (they must hear it from the person).
    assert [p["username"] for p in json.loads(out)] == ["nils"] and fingerprint not in out
    code, out, err = run("user", "pending", "--store", store, "--user", "stina",
                         password=SARA_PW)
    assert code == 0 and "nils" in out and fingerprint not in out
    for typed in ([], ["--fingerprint", "AAAA-BBBB-CCCC-DDDD"]):
        code, out, err = run("user", "confirm", "nils", *typed, "--store", store, "--user",
                             "stina", password=SARA_PW)
        assert code != 0 and "Traceback" not in err
        assert "ingerav" in err, err
        assert KeyFile.load(store / "trefas.keys").find("nils").state == "awaiting"
    code, out, err = run("user", "confirm", "nils", "--fingerprint", fingerprint.lower(),
                         "--store", store, "--user", "stina", password=SARA_PW)
    assert code == 0, err
    assert KeyFile.load(store / "trefas.keys").find("nils").state == "ready"
