"""Every ``trefas …`` line in README.md runs as printed.

The README's ``bash`` code blocks are read, and each ``trefas`` line is run in
order through ``cli.main`` (what the ``trefas`` script runs) with its own
environment, folder and standard input, the way a reader would type them:

* The demo store is built once, by the README's own ``trefas demo`` line.
* ``export NAME=VALUE`` lines set the environment for the lines after them;
  ``a && b`` runs ``b`` after ``a`` succeeded; ``echo "…" | trefas …`` sends
  the text on standard input; a backslash at the end of a line continues it.
* Passwords come from the environment as the README says they may: the demo
  password for demo users, and for the new store the password each user chose
  (``TREFAS_NEW_PASSWORD`` answers the new-password prompt of ``user enrol``
  and ``user passwd``).
* What a reader is shown once, the reader keeps, as the person would: the
  recovery key ``init`` prints answers ``recover`` (``TREFAS_RECOVERY_KEY``),
  and the one-time code ``user add``, ``user reset`` or ``recover --reset``
  prints for a user answers that user's ``user enrol``
  (``TREFAS_ENROLMENT_CODE``), the two ways the README names besides the prompt;
  the key fingerprint ``user enrol`` prints for a user (which the person reads
  out) answers the ``--fingerprint`` of that user's ``user confirm`` or
  ``recover --confirm`` (the README prints an example fingerprint there).

Substitutions (the only differences from what is printed):

* ``/tmp/trefas-demo`` and ``/srv/trefas`` become folders in the test's
  temporary directory (the same folder for every line that names them);
* the example backup name ``trefas-20261205T101500000000Z.db`` becomes the
  backup the lines before it made (its name carries the moment it was made);
* a line whose comment says it "asks" gets ``--yes``, which answers the
  question as a person at the keyboard would (the test has no terminal).

Every line is expected to succeed (exit 0); where a comment says what a line
creates ("P-0051", "#306"), the output must say so too. Those numbers hold on
any day: the demo is seeded and makes 50 persons, 50 cases, 305 notes and 52
consents whatever day it is built (checked for days in every season, on the
DST changes and 29 February), so the walk-through's records come next. Case
numbers carry the year and are not stable, which is why the README names the
new case by its id.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import re
import shlex
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from trefas_app import cli, paths
from trefas_app.demo import DEMO_PASSWORD

README = Path(__file__).resolve().parents[2] / "README.md"
DEMO_FOLDER = "/tmp/trefas-demo"
NEW_STORE_FOLDER = "/srv/trefas"
EXAMPLE_BACKUP = re.compile(r"trefas-\d{8}T\d{12,}Z\.db")
NEW_PASSWORD_COMMANDS = (("user", "enrol"), ("user", "passwd"))
RECOVERY_KEY = re.compile(r"^\s+([A-Z2-7]{5}(?:-[A-Z2-7]{5}){3,})\s*$", re.M)
ONE_TIME_CODE = re.compile(r"^\s+([A-Z2-9]{4}(?:-[A-Z2-9]{4}){3})\s*$", re.M)


@dataclass
class Line:
    """One README command line (continuations joined), with its comment."""
    text: str
    comment: str = ""
    results: list = field(default_factory=list)  # (argv, Result)


def readme_lines() -> list[Line]:
    lines: list[Line] = []
    for block in re.findall(r"```bash\n(.*?)```", README.read_text(encoding="utf-8"), re.S):
        joined = re.sub(r"\\\n\s*", " ", block)
        for raw in joined.splitlines():
            code, _, comment = _split_comment(raw.strip())
            if code.startswith(("trefas ", "export ", "echo ", ".venv/bin/trefas ")):
                lines.append(Line(code, comment))
    return lines


def _split_comment(text: str) -> tuple[str, str, str]:
    """``code  # comment`` -> (code, "#", comment), minding quotes."""
    quote = None
    for i, ch in enumerate(text):
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or text[i - 1].isspace()):
            return text[:i].rstrip(), "#", text[i + 1:].strip()
    return text, "", ""


class Reader:
    """Runs README lines as a reader would, keeping what a reader keeps in
    mind: the environment they exported and each user's password."""

    def __init__(self, base: Path):
        self.base = base
        self.work = base / "work"
        self.work.mkdir()
        self.folders = {DEMO_FOLDER: str(base / "trefas-demo"),
                        NEW_STORE_FOLDER: str(base / "srv-trefas")}
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("TREFAS_", "LC_")) or k == "TREFAS_KDF_PROFILE"}
        self.env.update({"LANG": "C.UTF-8", "PYTHONIOENCODING": "utf-8",
                         "TREFAS_KDF_PROFILE": "test",
                         "TREFAS_LOG_DIR": str(base / "log"),
                         "XDG_DATA_HOME": str(base / "xdg-data"),
                         "XDG_STATE_HOME": str(base / "xdg-state"),
                         "XDG_CONFIG_HOME": str(base / "xdg-config")})
        self.passwords: dict[str, str] = {}
        self.new_passwords = 0
        self.codes: dict[str, str] = {}  # one-time codes shown, by user
        self.fingerprints: dict[str, str] = {}  # key fingerprints enrolment showed, by user
        self.recovery_key = ""

    def substitute(self, text: str) -> str:
        for printed, real in self.folders.items():
            text = text.replace(printed, real)
        if EXAMPLE_BACKUP.search(text):
            backups = sorted((Path(self.folders[NEW_STORE_FOLDER]) / "backups").glob("*.db"))
            assert backups, "the README restores a backup before making one"
            text = EXAMPLE_BACKUP.sub(backups[-1].name, text)
        return text

    def run(self, line: Line) -> None:
        text = self.substitute(line.text)
        if text.startswith("export "):
            for assignment in shlex.split(text)[1:]:
                name, _, value = assignment.partition("=")
                self.env[name] = value
            return
        stdin = None
        if text.startswith("echo "):
            echo, _, text = text.partition(" | ")
            stdin = " ".join(shlex.split(echo)[1:]) + "\n"
        for command in text.split(" && "):
            argv = shlex.split(command)[1:]
            if "asks" in line.comment:
                argv.append("--yes")
            result = self._run(argv, stdin)
            line.results.append((argv, result))
            if result.returncode != 0:
                return

    def _run(self, argv: list[str], stdin: str | None):
        env = dict(self.env)
        user = _option(argv, "--user") or _option(argv, "--admin")
        env["TREFAS_PASSWORD"] = self.passwords.get(user, DEMO_PASSWORD)
        target = None
        if tuple(argv[:2]) in NEW_PASSWORD_COMMANDS:
            target = user if argv[1] == "passwd" else argv[2]
            self.new_passwords += 1
            env["TREFAS_NEW_PASSWORD"] = f"Solstråle-{self.new_passwords}-över-Järva"
        if tuple(argv[:2]) == ("user", "enrol"):
            env["TREFAS_ENROLMENT_CODE"] = self.codes.get(argv[2], "")
        if argv[:1] == ["recover"]:
            env["TREFAS_RECOVERY_KEY"] = self.recovery_key
        if "--fingerprint" in argv[:-1]:  # what the person read out from their screen
            whose = _option(argv, "--confirm") or argv[2]
            argv[argv.index("--fingerprint") + 1] = self.fingerprints.get(whose, "")
        result = run_trefas(argv, env, self.work, stdin)
        if result.returncode == 0 and target:
            self.passwords[target] = env["TREFAS_NEW_PASSWORD"]
        if result.returncode == 0:
            self._keep_what_was_shown(argv, result.stdout)
        return result

    def _keep_what_was_shown(self, argv: list[str], stdout: str) -> None:
        if argv[:1] == ["init"] and RECOVERY_KEY.search(stdout):
            self.recovery_key = RECOVERY_KEY.search(stdout).group(1)
        code = ONE_TIME_CODE.search(stdout)
        if code and tuple(argv[:2]) == ("user", "enrol"):
            self.fingerprints[argv[2]] = code.group(1)
        if code and (tuple(argv[:2]) in (("user", "add"), ("user", "reset"))
                     or _option(argv, "--reset")):
            name = _option(argv, "--reset") or argv[2]
            self.codes[name] = code.group(1)


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


def run_trefas(argv: list[str], env: dict, cwd: Path, stdin: str | None) -> Result:
    """``trefas ARGV`` with that environment, folder and input: ``cli.main``,
    the function the ``trefas`` script and ``python -m trefas_app`` call, in
    this process (a new interpreter per line would cost most of a second each;
    tests/integration/test_cli.py proves the real entry point answers the same)."""
    saved_env, saved_cwd, saved_stdin = dict(os.environ), os.getcwd(), sys.stdin
    out, err = io.StringIO(), io.StringIO()
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    sys.stdin = io.StringIO(stdin or "")
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli.main(argv)
    finally:
        sys.stdin = saved_stdin
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
        root = logging.getLogger()
        for handler in list(root.handlers):
            if getattr(handler, paths._HANDLER_MARK, None) is not None:
                root.removeHandler(handler)
                handler.close()
    return Result(code, out.getvalue(), err.getvalue())


def _option(argv: list[str], name: str) -> str | None:
    return argv[argv.index(name) + 1] if name in argv[:-1] else None


LINES = readme_lines()


@pytest.fixture(scope="module")
def ran(tmp_path_factory) -> list[Line]:
    """Every README line, run once in order on one demo store and one new store."""
    reader = Reader(tmp_path_factory.mktemp("readme"))
    lines = readme_lines()
    for line in lines:
        reader.run(line)
    return lines


def test_the_readme_has_the_commands_this_test_expects():
    texts = [line.text for line in LINES]
    assert any(t.startswith("trefas demo --store " + DEMO_FOLDER) for t in texts)
    assert sum(t.startswith("trefas ") or " | trefas " in t for t in texts) >= 35


@pytest.mark.parametrize("index", range(len(LINES)), ids=[
    re.sub(r"\s+", "_", line.text[:60]) for line in LINES])
def test_readme_line_runs_as_printed(ran, index):
    line = ran[index]
    if line.text.startswith("export "):
        return
    assert line.results, f"not run: {line.text}"
    for argv, result in line.results:
        assert result.returncode == 0, (
            f"{line.text}\n→ exit {result.returncode}\n{result.stdout}\n{result.stderr}")
        assert "Traceback" not in result.stderr
    claimed = re.findall(r"(P-\d{4}|#\d+)", line.comment)
    output = line.results[-1][1].stdout
    for token in claimed:
        assert token in output, f"{line.text}: the comment says {token}:\n{output}"


def test_a_new_case_is_listed_as_open(ran):
    line = next(l for l in ran if l.text.startswith("trefas case list --state open"))
    rows = json.loads(line.results[-1][1].stdout)["rows"]
    assert any(r["title"] == "Risk för våld" and r["state"] == "open" for r in rows)


def test_every_demo_user_named_in_the_readme_exists():
    from trefas_app.demo import USERS

    demo_users = {u[0] for u in USERS}
    named = set()
    in_demo = True
    for line in LINES:
        if NEW_STORE_FOLDER in line.text:
            in_demo = False
        if in_demo:
            named |= set(re.findall(r"--user (\S+)", line.text))
    assert named and named <= demo_users
