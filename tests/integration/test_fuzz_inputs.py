"""Property-based fuzzing of the command line and the services (issue 9).

Generated input — huge and negative numbers, undecodable bytes, control and
format characters, emoji, very long text — drives ``trefas`` in-process
through ``cli.main(argv)`` and the services directly; more than 1,000 inputs
per run in all. Every outcome is exit 0, 1 or 2 with one sentence and no
traceback or "unexpected error"; a refused command changes nothing: every
table but the access log is byte for byte the same, and the log gains only the
entries of the session itself (log-in, log-out, a logged refusal, reads).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
import shutil
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trefas_app import cli, paths
from trefas_app.domain.enums import Category
from trefas_app.domain.errors import TrefasError
from trefas_app.services import cases, consents, notes, persons
from trefas_app.store.engine import connect_raw
from trefas_app.store.models import PERSON_NAME_INDEX_TABLES
from trefas_app.store.store import unlock

from stores import CASEWORK_PASSWORD as PW
from stores import build_casework_store

#: What a session writes to the log whatever it does: logging in and out, a
#: logged refusal, and its reads (every read is logged, a refused command's too).
SESSION_ACTIONS = {"login", "logout", "login.failed", "access.denied", "refused"}
READ_SUFFIXES = (".read", ".search", ".list")
FUZZ = settings(deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow,
                                       HealthCheck.function_scoped_fixture,
                                       HealthCheck.filter_too_much])


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """admin, social worker sara, a person with a case and a draft note, and
    the store's data key (to read it without logging in)."""
    root = tmp_path_factory.mktemp("fuzz") / "store"
    return root, build_casework_store(root)


_readers: dict[str, object] = {}


def _state(root, key) -> tuple[str, list[str]]:
    """A digest of every table but the access log, and the log's actions
    (through one raw connection per store, kept open: it writes nothing)."""
    conn = _readers.get(str(root))
    if conn is None:
        conn = _readers[str(root)] = connect_raw(root / "trefas.db", key)
    digest = hashlib.sha256()
    tables = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
    for table in tables:
        if table in ("audit_events", "sqlite_stat1", "sqlite_stat4"):
            continue
        if table in PERSON_NAME_INDEX_TABLES:
            continue  # the trigram index of persons.search_name: derived, persons is digested
        for row in conn.execute(f'SELECT * FROM "{table}" ORDER BY rowid'):
            digest.update(repr((table, row)).encode("utf-8", "backslashreplace"))
    actions = [r[0] for r in conn.execute("SELECT action FROM audit_events ORDER BY seq")]
    return digest.hexdigest(), actions


@pytest.fixture(autouse=True)
def _close_readers():
    yield
    while _readers:
        _readers.popitem()[1].close()


def _assert_nothing_changed(before, after) -> None:
    assert after[0] == before[0], "a refused command changed the store"
    assert after[1][:len(before[1])] == before[1], "the log was rewritten"
    added = set(after[1][len(before[1]):])
    assert {a for a in added if not a.endswith(READ_SUFFIXES)} <= SESSION_ACTIONS, added


def _one_sentence(text: str) -> None:
    assert text.strip(), "a refusal without a message"
    assert "\n" not in text.strip(), text
    assert "Traceback" not in text and "oväntat fel" not in text.lower()


# --- generated values -------------------------------------------------------------------

HOSTILE = st.sampled_from(["\x00", "\x07", "\x1b", "\x85", "\u202e", "\u2066", "\u200b",
                           "\ufeff", "\udcff", "\ue000", "\U0001F600", "\U0001D504", "\r",
                           "\n", "\t", "e\u0301", "Å", "ß", "Ђ", "—", "'", '"', "%", "_",
                           "\\", "--", "-1", " "])
TEXT = st.one_of(
    st.text(max_size=40),
    st.lists(st.one_of(HOSTILE, st.text(max_size=5)), max_size=12).map("".join),
    st.builds(lambda c, n: c * n, st.sampled_from(["x", "\x00", "å", "😀"]),
              st.sampled_from([10, 12, 101, 201, 2_001, 20_001])),
)
NUMBER = st.one_of(st.integers(min_value=-5, max_value=5),
                   st.integers(min_value=2**62, max_value=2**66),
                   st.integers(min_value=-(2**66), max_value=-1))
NUMBER_TEXT = st.one_of(NUMBER.map(str), TEXT, st.sampled_from(["P-0001", "K-2026-00001",
                                                                "1e9", "0x10", "١"]))


def _argv(draw) -> list[str]:
    """One command line: a command with generated values in its arguments."""
    n, t = (lambda: draw(NUMBER_TEXT)), (lambda: draw(TEXT))
    choices = [
        lambda: ["person", "show", n()],
        lambda: ["person", "list", "--query", t(), "--offset", n(), "--limit", n()],
        lambda: ["person", "add", "--first-name", t(), "--last-name", t(),
                 "--phone", t(), "--address", t(), "--city", t()],
        lambda: ["case", "list", "--query", t(), "--offset", n()],
        lambda: ["case", "show", n()],
        lambda: ["case", "open", "--person", n(), "--title", t()],
        lambda: ["note", "sign", n()],
        lambda: ["note", "list", "--case", n(), "--limit", n()],
        lambda: ["consent", "withdraw", n(), "--reason", t()],
        lambda: ["consent", "add", "--person", n(), "--purpose", t(), "--until", t(),
                 "--grant", t()],
        lambda: ["emergency", "--case", n(), "--reason", t()],
        lambda: ["audit", "show", "--person", n(), "--offset", n()],
    ]
    return draw(st.sampled_from(choices))()


@st.composite
def command_lines(draw):
    return _argv(draw), draw(st.one_of(st.none(), TEXT))


@contextlib.contextmanager
def _cli_environment(tmp_path):
    saved = {k: os.environ.get(k) for k in ("TREFAS_PASSWORD", "TREFAS_LOG_DIR", "LANG",
                                            "TREFAS_USER")}
    os.environ.update({"TREFAS_PASSWORD": PW, "TREFAS_LOG_DIR": str(tmp_path / "log"),
                       "LANG": "sv_SE.UTF-8"})
    os.environ.pop("TREFAS_USER", None)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        for handler in list(logging.getLogger().handlers):
            if getattr(handler, paths._HANDLER_MARK, None) is not None:
                logging.getLogger().removeHandler(handler)
                handler.close()


def _run_cli(argv: list[str], root, stdin_text: str | None) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    saved_stdin = sys.stdin
    sys.stdin = io.StringIO(stdin_text if stdin_text is not None else "")
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            code = cli.main([*argv, "--store", str(root), "--user", "sara"])
    finally:
        sys.stdin = saved_stdin
    return code, stdout.getvalue(), stderr.getvalue()


def _check_command(argv: list[str], stdin_text: str | None, work, key) -> None:
    """Exit 0, 1 or 2; a refusal is one sentence and changes nothing."""
    before = _state(work, key)
    code, out, err = _run_cli(argv, work, stdin_text)
    assert code in (0, 1, 2), (argv, code, err)
    assert "Traceback" not in out + err and "oväntat fel" not in (out + err).lower()
    if code == 1:
        _one_sentence(err)
    elif code == 2:  # argparse: a usage line, then the one sentence
        assert err.strip().splitlines()[-1].strip(), err
    if code != 0:
        _assert_nothing_changed(before, _state(work, key))


@pytest.fixture
def cli_store(world, tmp_path):
    """A private copy of the store, and the environment of a command line."""
    root, key = world
    work = tmp_path / "store"
    shutil.copytree(root, work)
    with _cli_environment(tmp_path):
        yield work, key


def test_the_command_line_answers_every_generated_input_in_one_sentence(cli_store):
    @settings(FUZZ, max_examples=120)
    @given(command_lines())
    def check(case):
        argv, stdin_text = case
        _check_command(argv, stdin_text, *cli_store)

    check()


def test_a_note_from_standard_input_is_checked_like_any_text(cli_store):
    @settings(FUZZ, max_examples=30)
    @given(TEXT, TEXT)
    def check(title, body):
        _check_command(["note", "add", "--case", "1", "--title", title,
                        "--category", "social"], body, *cli_store)

    check()


# --- the services -----------------------------------------------------------------------


@pytest.fixture
def sara(world, tmp_path):
    root, key = world
    work = tmp_path / "store"
    shutil.copytree(root, work)
    s = unlock(work, "sara", PW)
    yield s, work, key
    s.close()


def _service_calls(draw):
    t = lambda: draw(TEXT)  # noqa: E731
    n = lambda: draw(NUMBER)  # noqa: E731
    opt = lambda: draw(st.one_of(st.none(), TEXT))  # noqa: E731
    choices = [
        lambda s: persons.create_person(s.uow(), s.actor, persons.PersonInput(
            t(), t(), phone=opt(), address=opt(), postal_code=opt(), city=opt(),
            risk_factors=opt(), protective_factors=opt())),
        lambda s: persons.list_persons(s.uow(), s.actor, t(), offset=n(), limit=n()),
        lambda s: cases.list_cases(s.uow(), s.actor, cases.CaseFilter(query=t()),
                                   offset=n(), limit=n()),
        lambda s: cases.open_case(s.uow(), s.actor, draw(st.one_of(st.sampled_from([1, 2]), NUMBER)), t()),
        lambda s: notes.write_note(s.uow(), s.actor, draw(st.one_of(st.just(1), NUMBER)), t(), t(),
                                   Category.SOCIAL),
        lambda s: cases.request_emergency_access(s.uow(), s.actor, draw(NUMBER_TEXT), t()),
        lambda s: consents.withdraw_consent(s.uow(), s.actor, n(), t()),
        lambda s: persons.get_person(s.uow(), s.actor, n()),
        lambda s: notes.list_notes(s.uow(), s.actor, 1, offset=n(), limit=n()),
    ]
    return draw(st.sampled_from(choices))


def test_the_services_refuse_every_generated_input_cleanly(sara):
    store, work, key = sara

    @settings(FUZZ, max_examples=850)
    @given(st.data())
    def check(data):
        call = _service_calls(data.draw)
        before = _state(work, key)
        try:
            call(store)
        except TrefasError as exc:
            _one_sentence(exc.sv)
            _one_sentence(exc.en)
            _assert_nothing_changed(before, _state(work, key))

    check()
