"""The one clock (issue 14): nothing in the program reads the machine's clock or
zone except ``domain/clock.py``, and what a user sees of an instant is the same
in the window, the command line, JSON and PDFs: the office zone's wall time.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
from pathlib import Path

import pytest
import time_machine

from trefas_app import cli
from trefas_app.cli import output as cli_output
from trefas_app.domain import clock
from trefas_app.domain.enums import Agency, Role
from trefas_app.domain.errors import UsageError, ValidationError
from trefas_app.services import accounts, cases, notes, persons, users
from trefas_app.store.keyslots import TEST_KDF
from trefas_app.store.store import create_store, unlock
from account_setup import enrolled_user

UTC = dt.timezone.utc
PACKAGE = Path(__file__).resolve().parents[2] / "trefas_app"
CLOCK_MODULE = PACKAGE / "domain" / "clock.py"
ADMIN_PW = "Solros-vägen-nio-test"
PW = "Granskog-och-hav-42"
#: 23:10 UTC on 4 December is 00:10 on 5 December in Stockholm (issue 14's evening).
EVENING = dt.datetime(2026, 12, 4, 23, 10, tzinfo=UTC)

# --- no other clock ---------------------------------------------------------------------

#: Calls that read the machine's clock or zone, by the name of the attribute called.
MACHINE_CLOCK_CALLS = {
    "today": "date.today()/datetime.today() read the machine's date",
    "utcnow": "utcnow() is naive and reads the machine's clock",
    "utcfromtimestamp": "utcfromtimestamp() is naive",
    "localtime": "time.localtime() uses the machine's zone",
    "currentDate": "QDate.currentDate() uses the machine's zone",
    "currentDateTime": "QDateTime.currentDateTime() uses the machine's zone",
}


def _called_name(node: ast.Call) -> str | None:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


def _is_datetime_class(node: ast.expr, names=("datetime",)) -> bool:
    """``datetime`` or ``something.datetime`` (the class, however imported)."""
    return (isinstance(node, ast.Name) and node.id in names) or \
        (isinstance(node, ast.Attribute) and node.attr in names)


def machine_clock_reads(source: str) -> list[tuple[int, str]]:
    """(line, why) for every place in ``source`` that reads the machine's clock or zone."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = _called_name(node)
        func = node.func
        if name == "today" and not (isinstance(func, ast.Attribute) and _is_datetime_class(
                func.value, ("date", "datetime"))):
            continue  # clock.today(), the one clock's
        if name in MACHINE_CLOCK_CALLS and isinstance(func, ast.Attribute):
            found.append((node.lineno, MACHINE_CLOCK_CALLS[name]))
        elif name == "now" and isinstance(func, ast.Attribute) and _is_datetime_class(func.value):
            found.append((node.lineno, "datetime.now() bypasses the one clock"))
        elif name == "astimezone" and not node.args and not node.keywords:
            found.append((node.lineno, "a bare .astimezone() converts to the machine's zone"))
        elif name == "fromtimestamp" and len(node.args) < 2 and not node.keywords:
            found.append((node.lineno, "fromtimestamp() without a zone uses the machine's"))
        elif name == "ZoneInfo":
            found.append((node.lineno, "a private ZoneInfo: take clock.office_zone()"))
    return found


def test_only_the_clock_module_reads_the_machine_clock():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == CLOCK_MODULE:
            continue
        for line, why in machine_clock_reads(path.read_text(encoding="utf-8")):
            offenders.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {why}")
    assert offenders == [], "use trefas_app.domain.clock:\n" + "\n".join(offenders)


@pytest.mark.parametrize("line", [
    "import datetime as dt\nx = dt.date.today()",
    "from datetime import date\nx = date.today()",
    "from datetime import datetime\nx = datetime.today()",
    "import datetime\nx = datetime.datetime.now(datetime.timezone.utc)",
    "from datetime import datetime\nx = datetime.now()",
    "import datetime as dt\nx = dt.datetime.utcnow()",
    "x = value.astimezone()",
    "import datetime as dt\nx = dt.datetime.fromtimestamp(0)",
    "import time\nx = time.localtime()",
    "from zoneinfo import ZoneInfo\nz = ZoneInfo('Europe/Stockholm')",
    "from PySide6.QtCore import QDate\nd = QDate.currentDate()",
])
def test_the_checker_finds_each_way_of_reading_the_machine_clock(line):
    assert machine_clock_reads(line)


@pytest.mark.parametrize("line", [
    "x = uow.now()",
    "x = clock.now_utc()",
    "x = clock.today()",
    "x = value.astimezone(dt.timezone.utc)",
    "x = dt.datetime.fromtimestamp(0, dt.timezone.utc)",
])
def test_the_checker_lets_the_one_clock_through(line):
    assert machine_clock_reads(line) == []


# --- the clock itself --------------------------------------------------------------------


def test_today_is_the_office_date_not_the_utc_date():
    with time_machine.travel(EVENING, tick=False):
        assert clock.now_utc() == EVENING
        assert clock.today() == dt.date(2026, 12, 5)
        assert clock.format_local(clock.now_utc()) == "2026-12-05 00:10"
        assert clock.format_local(EVENING, offset=True) == "2026-12-05 00:10 +01:00"
        assert clock.isoformat_local(EVENING) == "2026-12-05T00:10:00+01:00"
        assert clock.days_since(dt.date(2026, 12, 4)) == 1
        assert clock.hours_until(EVENING + dt.timedelta(hours=48)) == 48


def test_the_office_zone_follows_the_environment_and_refuses_unknown_names():
    assert clock.configure_from_environment({}) == clock.zone_named("Europe/Stockholm")
    clock.configure_from_environment({clock.ZONE_ENV: "America/Los_Angeles"})
    with time_machine.travel(EVENING, tick=False):
        assert clock.today() == dt.date(2026, 12, 4)
        assert clock.format_local(EVENING, offset=True) == "2026-12-04 15:10 -08:00"
    with pytest.raises(UsageError) as info:
        clock.configure_from_environment({clock.ZONE_ENV: "Mars/Olympus"})
    assert "Mars/Olympus" in info.value.sv and "Mars/Olympus" in info.value.en
    assert clock.office_zone().key == "America/Los_Angeles"  # unchanged by the refusal


# --- what a user sees ------------------------------------------------------------------


@pytest.fixture
def office(tmp_path, monkeypatch):
    """A store with an administrator, sara (social worker) and the key holder
    stina (supervisor, same password); the CLI's
    environment points at it. Returns the store's folder."""
    for name in ("TREFAS_STORE", "TREFAS_USER", "TREFAS_PASSWORD", clock.ZONE_ENV):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "sv_SE.UTF-8")
    monkeypatch.setenv("TREFAS_LOG_DIR", str(tmp_path / "log"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))
    created = create_store(tmp_path / "store", admin_username="admin",
                           admin_display_name="Anna Admin", admin_password=ADMIN_PW,
                           kdf=TEST_KDF)
    store = created.store
    unit = users.add_unit(store.uow(), store.actor, Agency.CITY, "RK", "Rinkeby-Kista")
    for name, display, role in (("sara", "Sara Sund", Role.SOCIAL_WORKER),
                                ("stina", "Stina Ek", Role.SUPERVISOR)):
        enrolled_user(store.uow(), store.actor, users.UserInput(
            name, display, role, Agency.CITY, unit.id, PW))
    store.close()
    yield store.paths.root
    import logging

    from trefas_app import paths
    for handler in list(logging.getLogger().handlers):
        if getattr(handler, paths._HANDLER_MARK, None) is not None:
            logging.getLogger().removeHandler(handler)
            handler.close()


def run_cli(capsys, monkeypatch, root, user, password, *argv):
    monkeypatch.setenv("TREFAS_PASSWORD", password)
    capsys.readouterr()
    code = cli.main([*map(str, argv), "--store", str(root), "--user", user])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return captured.out


def test_case_show_prints_note_times_as_the_window_does(office, capsys, monkeypatch,
                                                       machine_in_utc):
    """Issue 14: note #224 showed 13:47 in the window and 12:47 in `trefas case show`."""
    from trefas_app.ui.common import fmt_datetime

    with time_machine.travel(EVENING, tick=True):
        sara = unlock(office, "sara", PW)
        person = persons.create_person(sara.uow(), sara.actor,
                                       persons.PersonInput("Amir", "Haddad"))
        case = cases.open_case(sara.uow(), sara.actor, person.id, "Risk för våld")
        note = notes.write_note(sara.uow(), sara.actor, case.id, "Samtal", "Om skolan")
        sara.close()
        out = run_cli(capsys, monkeypatch, office, "sara", PW,
                      "case", "show", case.number, "--notes")
        assert fmt_datetime(note.created_at).startswith("2026-12-05 00:1")
        assert fmt_datetime(note.created_at) in out
        assert "2026-12-04 23:1" not in out
        shown = json.loads(run_cli(capsys, monkeypatch, office, "sara", PW,
                                   "case", "show", case.number, "--notes", "--json"))
        created = dt.datetime.fromisoformat(shown["notes"][0]["created_at"])
        assert created == note.created_at and created.utcoffset() == dt.timedelta(hours=1)


def test_consent_add_starts_on_the_office_date(office, capsys, monkeypatch, machine_in_utc):
    """Issue 14: `consent add` without a start date stored 2026-12-04 when it was
    already 12-05 in Stockholm."""
    with time_machine.travel(EVENING, tick=True):
        sara = unlock(office, "sara", PW)
        person = persons.create_person(sara.uow(), sara.actor,
                                       persons.PersonInput("Lina", "Berg"))
        sara.close()
        out = run_cli(capsys, monkeypatch, office, "sara", PW, "consent", "add",
                      "--person", person.id, "--purpose", "Samverkan SIG",
                      "--until", "2027-06-30", "--grant", "police:social", "--json")
    assert json.loads(out)["valid_from"] == "2026-12-05"


def test_cli_cells_and_json_show_instants_in_the_office_zone(machine_in_utc):
    """`emergency`'s end time and every table cell: office wall time; JSON: with offset."""
    until = dt.datetime(2026, 12, 5, 7, 10, tzinfo=UTC)
    assert cli_output.cell(until) == "2026-12-05 08:10"
    assert cli_output.plain({"until": until}) == {"until": "2026-12-05T08:10:00+01:00"}
    summer = dt.datetime(2026, 7, 1, 22, 30, tzinfo=UTC)
    assert cli_output.cell(summer) == "2026-07-02 00:30"
    assert cli_output.plain(summer) == "2026-07-02T00:30:00+02:00"


def test_retention_runs_as_of_the_office_date(office, capsys, monkeypatch, machine_in_utc):
    """Issue 14: `retention run` said "Gallring per 2026-12-04" at 00:10 Stockholm."""
    from trefas_app.services import admin

    seen = []
    real = admin.retention_due  # what is due is decided as of "today", before anything goes

    def spy(store, actor, today, *args, **kwargs):
        seen.append(today)
        return real(store, actor, today, *args, **kwargs)

    monkeypatch.setattr(admin, "retention_due", spy)
    with time_machine.travel(EVENING, tick=True):
        out = run_cli(capsys, monkeypatch, office, "stina", PW, "retention", "run",
                      "--yes")  # retention is a key holder's work since issue 11
    assert seen == [dt.date(2026, 12, 5)]
    assert "2026-12-05" in out and "2026-12-04" not in out


# --- the office zone as a store setting --------------------------------------------------


def test_the_store_setting_names_the_zone_for_everyone_who_opens_it(office):
    admin = unlock(office, "admin", ADMIN_PW)  # key-less: the setting is in the key file
    with pytest.raises(ValidationError) as info:
        accounts.set_setting(admin, clock.ZONE_SETTING, "Europe/Stokholm")
    assert "Europe/Stokholm" in info.value.sv and "Europe/Stokholm" in info.value.en
    assert clock.office_zone().key == "Europe/Stockholm"
    accounts.set_setting(admin, clock.ZONE_SETTING, "Europe/Helsinki")
    admin.close()
    clock.set_office_zone("Europe/Stockholm")  # another process, before it opens the store
    sara = unlock(office, "sara", PW)
    try:
        assert clock.office_zone().key == "Europe/Helsinki"
        with time_machine.travel(dt.datetime(2026, 12, 4, 22, 30, tzinfo=UTC), tick=False):
            assert clock.today() == dt.date(2026, 12, 5)  # 00:30 in Helsinki
    finally:
        sara.close()


def test_the_application_log_stamps_office_time_with_its_offset(machine_in_utc):
    import logging

    from trefas_app.paths import _SafeFormatter

    record = logging.LogRecord("trefas", logging.INFO, __file__, 1, "command %s", ("x",), None)
    record.created = EVENING.timestamp()
    line = _SafeFormatter("%(asctime)s %(message)s").format(record)
    assert line == "2026-12-05 00:10:00 +01:00 command x"
