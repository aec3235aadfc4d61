"""Bad input gets a clear message and changes nothing (issue 9): the one text
rule for every stored field, the field and paging limits, ids beyond SQLite's
integers, undecodable bytes, over-long file names and PDF passwords."""

from __future__ import annotations

import datetime as dt
import io
import logging
import shutil
import sys
import unicodedata

import pytest
from sqlalchemy import Enum, String, func, select
from sqlalchemy.orm import Session

from trefas_app import cli, paths
from trefas_app.domain import text as rules
from trefas_app.domain.clock import today
from trefas_app.domain.enums import Agency, Category
from trefas_app.domain.errors import ValidationError
from trefas_app.services import cases, consents, notes, persons
from trefas_app.store import models as m
from trefas_app.store.store import unlock

from stores import CASEWORK_PASSWORD as PW
from stores import build_casework_store


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """admin, social worker sara, one person with a case; built once."""
    root = tmp_path_factory.mktemp("rules") / "store"
    build_casework_store(root)
    return root


@pytest.fixture
def root(template, tmp_path):
    copy = tmp_path / "store"
    shutil.copytree(template, copy)
    return copy


@pytest.fixture
def sara(root):
    s = unlock(root, "sara", PW)
    yield s
    s.close()


def _log_size(store) -> int:
    with Session(store.engine) as session:
        return session.scalar(select(func.count()).select_from(m.AuditEvent))


# --- the table of limits covers every stored text field ------------------------------


def test_every_text_column_has_a_rule_or_is_filled_by_the_program():
    seen = set()
    for table in m.Base.metadata.sorted_tables:
        for column in table.columns:
            if not isinstance(column.type, String) or isinstance(column.type, Enum):
                continue
            key = f"{table.name}.{column.name}"
            seen.add(key)
            if table.name in rules.INTERNAL_TABLES or key in rules.INTERNAL_COLUMNS:
                continue
            assert key in rules.FIELD_RULES, f"{key} has no text rule"
            length = getattr(column.type, "length", None)
            assert length is None or length >= rules.FIELD_RULES[key].limit, key
    assert set(rules.FIELD_RULES) <= seen


# --- the one text rule -----------------------------------------------------------------


@pytest.mark.parametrize("bad", ["\x00", "\x07", "\x1b", "\x85", "\u202e", "\u2066",
                                 "\u200b", "\ufeff", "\udcff", "\ue000", "\U0001F600",
                                 "\U0001D504", "\u2028"])
def test_the_rule_refuses_controls_invisibles_and_what_the_pdf_cannot_draw(bad):
    for rule in (rules.FIELD_RULES["persons.first_name"], rules.FIELD_RULES["notes.body"]):
        with pytest.raises(ValidationError) as caught:
            rules.clean(f"Amir{bad}", rule)
        assert f"U+{ord(bad):04X}" in caught.value.sv
        assert rule.sv in caught.value.sv and "Amir" not in caught.value.sv


def test_the_rule_keeps_lines_in_multi_line_fields_only_and_composes():
    body = rules.FIELD_RULES["notes.body"]
    name = rules.FIELD_RULES["persons.first_name"]
    assert rules.clean("a\r\nb\rc\td", body) == "a\nb\nc\td"
    with pytest.raises(ValidationError):
        rules.clean("a\nb", name)
    assert rules.clean("Zofia Nowak Kovac\u030c", name) == "Zofia Nowak Kovač"
    assert rules.clean("Mirela Kovač – Åsa, Ørjan, Ελένη, Юлия", name)


def test_length_rules_count_visible_characters():
    assert rules.visible_length("a\u0301" * 10) == 10
    assert rules.visible_length("e" + "\u0301" * 12) == 1
    with pytest.raises(ValidationError):
        persons.check_reason("\x00" * 12)
    with pytest.raises(ValidationError):
        persons.check_reason("e" + "\u0301" * 12)
    persons.check_reason("Akut hot mot personen i natt")


def test_an_emergency_reason_of_twelve_nuls_is_refused_and_nothing_changes(sara):
    before = _log_size(sara)
    with pytest.raises(ValidationError):
        cases.request_emergency_access(sara.uow(), sara.actor, 1, "\x00" * 12)
    assert _log_size(sara) == before


def test_every_stored_field_is_checked_at_the_store(sara):
    """Services that forget a check still cannot store bad text."""
    before = _log_size(sara)
    with pytest.raises(ValidationError) as caught:
        notes.write_note(sara.uow(), sara.actor, 1, "Samtal", "Text\x00med NUL",
                         Category.SOCIAL)
    assert "anteckningens text" in caught.value.sv
    with pytest.raises(ValidationError) as caught:
        consents.record_consent(sara.uow(), sara.actor, consents.ConsentInput(
            person_id=1, purpose="Samverkan \u202eGIS", valid_from=today(),
            valid_until=today() + dt.timedelta(days=300),
            grants=frozenset({(Agency.POLICE, Category.SOCIAL)})))
    assert "U+202E" in caught.value.sv and "syfte" in caught.value.sv
    assert _log_size(sara) == before


@pytest.mark.parametrize("field,limit", [("first_name", 100), ("last_name", 100),
                                         ("address", 200), ("phone", 50), ("city", 100),
                                         ("postal_code", 10)])
def test_person_fields_have_limits(sara, field, limit):
    data = {"first_name": "Amir", "last_name": "Test", field: "1" * (limit + 1)}
    with pytest.raises(ValidationError) as caught:
        persons.create_person(sara.uow(), sara.actor, persons.PersonInput(**data))
    assert f"högst {limit} tecken" in caught.value.sv


def test_long_texts_have_limits(sara):
    with pytest.raises(ValidationError):
        cases.open_case(sara.uow(), sara.actor, 1, "T" * 201)
    with pytest.raises(ValidationError):
        notes.write_note(sara.uow(), sara.actor, 1, "Samtal", "x" * (rules.NOTE + 1),
                         Category.SOCIAL)
    view = notes.write_note(sara.uow(), sara.actor, 1, "Samtal", "Kovac\u030c\r\nrad två",
                            Category.SOCIAL)
    assert view.body == "Kovač\nrad två"
    assert unicodedata.is_normalized("NFC", view.body)


@pytest.mark.parametrize("offset,limit", [(-1, 10), (0, 0), (0, rules.MAX_PAGE_LIMIT + 1),
                                          (2**63, 10)])
def test_paging_arguments_are_bounded_in_the_services(sara, offset, limit):
    for service in (persons.list_persons, cases.list_cases):
        with pytest.raises(ValidationError):
            service(sara.uow(), sara.actor, offset=offset, limit=limit)


# --- the command line ----------------------------------------------------------------


@pytest.fixture
def run(root, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LANG", "sv_SE.UTF-8")
    monkeypatch.setenv("TREFAS_KDF_PROFILE", "test")
    monkeypatch.setenv("TREFAS_LOG_DIR", str(tmp_path / "log"))
    monkeypatch.setenv("TREFAS_PASSWORD", PW)
    monkeypatch.delenv("TREFAS_USER", raising=False)

    def _run(*argv, stdin=None):
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(
                io.BytesIO(stdin), encoding="utf-8", errors="surrogateescape"))
        capsys.readouterr()
        code = cli.main([*map(str, argv), "--store", str(root), "--user", "sara"])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    yield _run
    for handler in list(logging.getLogger().handlers):
        if getattr(handler, paths._HANDLER_MARK, None) is not None:
            logging.getLogger().removeHandler(handler)
            handler.close()


HUGE = "99999999999999999999"
UNDECODABLE = b"\xff".decode("utf-8", "surrogateescape")


@pytest.mark.parametrize("argv", [
    ["person", "show", HUGE], ["case", "list", "--offset", HUGE], ["case", "show", HUGE],
    ["note", "sign", HUGE], ["consent", "withdraw", HUGE, "--reason", "Personen ångrade sig"],
    ["audit", "show", "--person", HUGE], ["person", "list", "--query", UNDECODABLE],
    ["case", "list", "--offset", "-1"], ["case", "list", "--limit", "100000"],
    ["person", "add", "--first-name", "x" * 10_000, "--last-name", "B"],
    ["consent", "add", "--person", "1", "--purpose", "p" * 100_000, "--until", "2099-01-01",
     "--grant", "police:social"],
    ["emergency", "--case", "1", "--reason", "\x01" * 12],
])
def test_bad_input_is_one_sentence(run, argv):
    code, out, err = run(*argv)
    assert code in (1, 2), err
    assert "oväntat fel" not in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err


def test_undecodable_standard_input_is_one_sentence(run):
    code, _, err = run("note", "add", "--case", "1", "--title", "x", "--category", "social",
                       stdin=b"a\xffb")
    assert code == 1
    assert err.strip().startswith("Fältet ”anteckningens text” innehåller ogiltig kodning")


def test_an_overlong_out_name_and_pdf_password_are_one_sentence(run, tmp_path):
    code, _, err = run("document", "extract", "--person", "1",
                       "--out", tmp_path / ("a" * 300 + ".pdf"))
    assert code == 1 and err.strip().startswith("Filnamnet i --out är för långt")
    secret = tmp_path / "pw"
    for length, expected in ((100_000, "är för stor (högst 64 KiB)"), (1_000, "högst 127 byte")):
        secret.write_text("x" * length + "\n", encoding="utf-8")
        code, _, err = run("document", "extract", "--person", "1", "--out",
                           tmp_path / "ok.pdf", "--pdf-password-file", secret)
        assert code == 1 and expected in err and len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / "ok.pdf").exists()


@pytest.mark.parametrize("name", ["a" * 100_000, UNDECODABLE, "sa\x00ra"])
def test_an_impossible_user_name_is_one_short_sentence(run, root, capsys, name):
    run("person", "list")  # sets up the environment and logging
    code = cli.main(["person", "list", "--store", str(root), "--user", name])
    err = capsys.readouterr().err.strip()
    assert code == 1 and len(err) < 300 and err.startswith("Fältet ”användarnamn”"), err
