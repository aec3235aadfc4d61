"""The ``trefas`` command: the same services as the desktop program, from a terminal.

Conventions (kept by every command):

* ``--store DIR`` names the store; without it ``TREFAS_STORE``, else the
  platform's user data folder (see :mod:`trefas_app.paths`).
* A command that acts as a user takes ``--user NAME`` (or ``TREFAS_USER``).
* Passwords come from a prompt, ``--password-file FILE`` or the environment
  variable ``TREFAS_PASSWORD`` — never from a command-line argument, where
  other users of the machine and the shell history would see them. A second
  password (a new user's, a new one of your own) comes from a prompt (asked
  twice), ``--new-password-file FILE`` or ``TREFAS_NEW_PASSWORD``.
* Listings take ``--json``.
* Exit status: 0 success, 1 refused or a failed check, 2 wrong usage,
  130 interrupted.
* A failure is one sentence on stderr (Swedish; English with ``--lang en`` or
  a ``LANG`` starting with ``en``), never a traceback. An unexpected error
  writes its type and source location — never its message, which may quote
  case content — to the application log.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import enum
import getpass
import json
import logging
import os
import re
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from trefas_app import __version__
from trefas_app import paths, settings
from trefas_app.domain import clock
from trefas_app.domain.labels import person_code
from trefas_app.domain.address import format_address
from trefas_app.domain.enums import (
    Agency,
    CaseState,
    Category,
    ConsentBasis,
    ConsentForm,
    ConsentStatus,
    ProtectionLevel,
    RiskLevel,
    Role,
)
from trefas_app.domain.errors import (
    NotFound,
    StoreExists,
    TrefasError,
    UsageError,
    ValidationError,
)

log = logging.getLogger("trefas.cli")

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

PASSWORD_ENV = "TREFAS_PASSWORD"
NEW_PASSWORD_ENV = "TREFAS_NEW_PASSWORD"
USER_ENV = "TREFAS_USER"
ENROLMENT_CODE_ENV = "TREFAS_ENROLMENT_CODE"
RECOVERY_KEY_ENV = "TREFAS_RECOVERY_KEY"

_SUPPRESS = argparse.SUPPRESS


# --- language and output --------------------------------------------------------


class _Lang:
    code = "sv"


def _detect_language(argv: Sequence[str]) -> str:
    """``--lang`` wins, then ``LANG``; Swedish by default. Read before parsing,
    so that even a parse problem answers in the right language."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return "en" if argv[i + 1].lower().startswith("en") else "sv"
        if arg.startswith("--lang="):
            return "en" if arg.split("=", 1)[1].lower().startswith("en") else "sv"
    return "en" if os.environ.get("LANG", "").lower().startswith("en") else "sv"


def t(sv: str, en: str) -> str:
    """The text in the language of this run."""
    return en if _Lang.code == "en" else sv


def out(text: str = "") -> None:
    print(text)


def err(text: str) -> None:
    print(text, file=sys.stderr)


def _plain(value: Any) -> Any:
    """Service results (frozen dataclasses, enums, dates) as JSON-ready values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime):  # an instant leaving the program: with its offset
        return clock.isoformat_local(value)
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, dict):
        return {str(_plain(k)): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    if isinstance(value, bytes):
        return value.hex()
    return value


def print_json(value: Any) -> None:
    out(json.dumps(_plain(value), ensure_ascii=False, indent=2))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return t("ja", "yes") if value else t("nej", "no")
    if isinstance(value, enum.Enum):
        return lbl(value)
    if isinstance(value, dt.datetime):
        return clock.format_local(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def print_table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for i, c in enumerate(row):
            widths[i] = max(widths[i], len(c))
    out("  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip())
    out("  ".join("-" * w for w in widths))
    for row in cells:
        out("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())


def lbl(value: enum.Enum) -> str:
    from trefas_app.domain.labels import label

    try:
        return label(value, _Lang.code)
    except (KeyError, ValueError):
        return str(value.value)


# --- arguments ------------------------------------------------------------------


def _get(args: argparse.Namespace, name: str, default: Any = None) -> Any:
    return getattr(args, name, default)


_RELATIVE_DATE = re.compile(r"^([+-])(\d{1,4})\s*([dwvmyå])$", re.IGNORECASE)


def _date(text: str) -> dt.date:
    """ÅÅÅÅ-MM-DD, ``today`` (``idag``), or a date relative to today in the
    office time zone: ``+6m`` (months), ``-7d`` (days), ``+2w`` (weeks),
    ``+1y`` (years) — so that examples and scripts never go stale."""
    from trefas_app.domain.clock import today

    value = text.strip().lower()
    if value in ("today", "idag", "i dag"):
        return today()
    relative = _RELATIVE_DATE.match(value)
    if relative:
        sign, amount, unit = relative.groups()
        n = int(amount) * (1 if sign == "+" else -1)
        if unit == "d":
            return today() + dt.timedelta(days=n)
        if unit in "wv":
            return today() + dt.timedelta(weeks=n)
        return _add_months(today(), n * (12 if unit in "yå" else 1))
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            t(f"ogiltigt datum: {text!r} (skriv ÅÅÅÅ-MM-DD, today eller t.ex. +6m, -7d)",
              f"invalid date: {text!r} (write YYYY-MM-DD, today or e.g. +6m, -7d)")) from None


def _add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return min(day.replace(year=year, month=month, day=1) + dt.timedelta(days=day.day - 1),
               following - dt.timedelta(days=1))


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise argparse.ArgumentTypeError(t(f"inte ett positivt heltal: {text!r}",
                                           f"not a positive whole number: {text!r}"))
    return value


def _grant(text: str) -> tuple[Agency, Category]:
    agency, _, category = text.partition(":")
    try:
        return Agency(agency.strip()), Category(category.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(t(
            f"ogiltig delning {text!r}: skriv MYNDIGHET:KATEGORI, t.ex. police:social",
            f"invalid grant {text!r}: write AGENCY:CATEGORY, e.g. police:social")) from None


def _values(enum_class) -> list[str]:
    return [e.value for e in enum_class]


def store_dir(args: argparse.Namespace) -> Path:
    return paths.resolve_store(_get(args, "store"))


def acting_username(args: argparse.Namespace) -> str:
    name = _get(args, "user") or os.environ.get(USER_ENV, "").strip()
    if not name:
        raise UsageError(t("Ange vem du är med --user NAMN.",
                           "Say who you are with --user NAME."))
    from trefas_app.domain.text import FIELD_RULES, clean

    clean(name, FIELD_RULES["users.username"])  # no such user could exist otherwise
    return name


# --- passwords ------------------------------------------------------------------


def _read_password_file(path: str) -> str:
    from trefas_app.input_files import read_bounded

    try:  # a pipe is fine (--password-file <(pass show …)); 64 KiB at most
        raw = read_bounded(Path(path).expanduser(), 64 * 1024, regular_only=False,
                           kind=("Lösenordsfilen", "The password file")).decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationError(f"Lösenordsfilen {path} kunde inte läsas.",
                              f"The password file {path} could not be read.") from None
    # The first line, without its line ending; spaces are part of a password.
    first = raw.splitlines()[0] if raw.splitlines() else ""
    if not first:
        raise ValidationError(f"Lösenordsfilen {path} är tom.",
                              f"The password file {path} is empty.")
    return first


def _can_prompt() -> bool:
    if os.name == "nt":
        return sys.stdin is not None and sys.stdin.isatty()
    try:
        with open("/dev/tty"):
            return True
    except OSError:
        return False


def _prompt(prompt: str) -> str:
    return getpass.getpass(prompt)


def obtain_password(file_path: str | None, env_name: str, prompt: str,
                    confirm: bool = False,
                    check: Callable[[str], None] | None = None) -> str:
    """From the file, else the environment, else a prompt (twice if ``confirm``).
    ``check`` (a password policy) runs on the first entry, before asking again."""
    if file_path:
        return _read_password_file(file_path)
    env = os.environ.get(env_name)
    if env:
        return env
    if not _can_prompt():
        raise UsageError(
            f"Inget lösenord: det går inte att fråga efter det här. Använd en "
            f"lösenordsfil eller miljövariabeln {env_name}.",
            f"No password: cannot prompt for one here. Use a password file or the "
            f"environment variable {env_name}.")
    first = _prompt(prompt)
    if not first:
        raise ValidationError("Inget lösenord angavs.", "No password was given.")
    if check is not None:
        check(first)
    if confirm:
        again = _prompt(t("Upprepa lösenordet: ", "Repeat the password: "))
        if again != first:
            raise ValidationError("Lösenorden var inte lika. Ingenting har ändrats.",
                                  "The passwords did not match. Nothing was changed.")
    return first


def acting_password(args: argparse.Namespace, username: str) -> str:
    return obtain_password(_get(args, "password_file"), PASSWORD_ENV,
                           t(f"Lösenord för {username}: ", f"Password for {username}: "))


def new_password(args: argparse.Namespace, whose: str) -> str:
    return obtain_password(_get(args, "new_password_file"), NEW_PASSWORD_ENV,
                           t(f"Nytt lösenord för {whose}: ", f"New password for {whose}: "),
                           confirm=True, check=lambda pw: _password_policy(pw, whose))


def _password_policy(password: str, username: str) -> None:
    from trefas_app.security.passwords import check_password_policy

    check_password_policy(password, username)


# --- sessions -------------------------------------------------------------------


@contextmanager
def session(args: argparse.Namespace, password: str | None = None):
    """Unlock the store as ``--user``; log out (and drop the key) afterwards."""
    from trefas_app.store.store import unlock

    from trefas_app import cli_server

    on_server = cli_server.server_of(args) is not None
    root = store_dir(args)
    username = acting_username(args)
    if not on_server:
        _require_store(root)
    if password is None:
        password = acting_password(args, username)
    store = cli_server.open_server_session(args, username, password) if on_server \
        else unlock(root, username, password)
    report_alarms(store)
    try:
        yield store
    except BaseException:
        try:
            store.close()
        except Exception:  # the first failure is the one to report
            log.warning("closing the store after a failure failed", exc_info=True)
        raise
    store.close()


def report_alarms(store) -> None:
    """Alarms found at log-in (a rolled-back store, a tampered key file) go to
    stderr before anything else; the command itself goes on."""
    for alarm in getattr(store, "alarms", ()):
        err(t("LARM: ", "ALARM: ") + alarm.message(_Lang.code))


def _require_store(root: Path) -> None:
    from trefas_app.store.store import StorePaths

    if not StorePaths(root).exists():
        raise TrefasError(
            f"Det finns ingen lagringsplats i {root}. Skapa en med ”trefas init” eller "
            f"”trefas demo”, eller ange rätt mapp med --store.",
            f"There is no store in {root}. Create one with 'trefas init' or 'trefas demo', "
            f"or name the right folder with --store.")


# --- commands: store set-up -----------------------------------------------------


def cmd_gui(args: argparse.Namespace) -> int:
    root = store_dir(args)
    if (sys.platform.startswith("linux") and not os.environ.get("DISPLAY")
            and not os.environ.get("WAYLAND_DISPLAY")
            and not os.environ.get("QT_QPA_PLATFORM")):
        raise TrefasError(
            "Det finns ingen skärm att visa fönstret på (varken DISPLAY eller "
            "WAYLAND_DISPLAY är satt). Starta Trefas från skrivbordet, eller använd "
            "kommandona i ”trefas --help”.",
            "There is no display to show the window on (neither DISPLAY nor "
            "WAYLAND_DISPLAY is set). Start Trefas from the desktop, or use the commands "
            "in 'trefas --help'.")
    try:
        from trefas_app.ui.app import run_gui
    except ImportError as exc:
        if getattr(exc, "name", None) in ("trefas_app.ui.app", "trefas_app.ui"):
            raise TrefasError(
                "Det grafiska gränssnittet finns inte i den här installationen.",
                "The graphical interface is not part of this installation.") from None
        detail = exc.name or str(exc).split(":")[0]
        raise TrefasError(
            f"Det grafiska gränssnittet kan inte starta: Qt (PySide6) eller ett "
            f"systembibliotek som Qt behöver saknas ({detail}). Kör ”bash "
            f"packaging/bootstrap.sh start”, eller se README.md.",
            f"The graphical interface cannot start: Qt (PySide6) or a system library Qt "
            f"needs is missing ({detail}). Run 'bash packaging/bootstrap.sh start', or see "
            f"README.md.") from None
    from trefas_app import cli_server

    log.info("starting the graphical interface")
    return int(run_gui(root, cli_server.server_of(args)) or 0)


def cmd_init(args: argparse.Namespace) -> int:
    from trefas_app.store.store import StorePaths, create_store

    root = store_dir(args)
    if StorePaths(root).exists():
        raise StoreExists(
            f"Det finns redan en lagringsplats i {root}. Ingenting har ändrats.",
            f"A store already exists in {root}. Nothing was changed.")
    admin = args.admin.strip().lower()
    password = obtain_password(
        _get(args, "password_file"), PASSWORD_ENV,
        t(f"Välj lösenord för administratören {admin}: ",
          f"Choose a password for the administrator {admin}: "), confirm=True,
        check=lambda pw: _password_policy(pw, admin))
    created = create_store(root, admin_username=admin,
                           admin_display_name=(args.display_name or admin).strip(),
                           admin_password=password, unit_code=args.unit_code,
                           unit_name=args.unit_name, agency=Agency(args.agency))
    created.store.close()
    out(t(f"Lagringsplatsen är skapad i {root}.", f"The store has been created in {root}."))
    out(t(f"Första administratören: {admin}", f"First administrator: {admin}"))
    out()
    out(t("ÅTERSTÄLLNINGSNYCKEL – visas bara den här enda gången:",
          "RECOVERY KEY – shown this one time only:"))
    out()
    out(f"    {created.recovery_key}")
    out()
    if _get(args, "kit"):
        from trefas_app.documents.recovery_kit import write_recovery_kit

        kit = write_recovery_kit(Path(args.kit), created.store.store_id, created.recovery_key,
                                 str(root), created.store.clock().date().isoformat())
        out(t(f"Återställningssatsen är sparad i {kit}. Skriv ut den, lägg den i kassaskåpet "
              "och radera filen.", f"The recovery kit is saved in {kit}. Print it, put it in "
              "the safe and delete the file."))
        out()
    out(t("Skriv ut eller skriv ned nyckeln nu och förvara den i kassaskåp, skild från datorn\n"
          "och inte hos administratören. Den öppnar hela lagringsplatsen; med den bekräftas\n"
          "den första arbetsledaren i varje myndighet (”trefas recover --confirm NAMN”).\n"
          "Den sparas ingenstans i klartext och kan inte visas igen.",
          "Print or write down the key now and keep it in a safe, apart from the computer and\n"
          "not with the administrator. It opens the whole store; it confirms the first\n"
          "supervisor of each agency ('trefas recover --confirm NAME').\n"
          "It is stored nowhere in clear text and cannot be shown again."))
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from trefas_app import demo
    from trefas_app.services import users as users_svc
    from trefas_app.store.store import StorePaths, unlock

    root = store_dir(args)
    if StorePaths(root).exists():
        raise StoreExists(
            f"Det finns redan en lagringsplats i {root}. Demodata skapas bara i en ny mapp; "
            f"ingenting har ändrats.",
            f"A store already exists in {root}. Demo data is only created in a new folder; "
            f"nothing was changed.")
    if _get(args, "password_file"):
        password = _read_password_file(args.password_file)
    else:
        password = os.environ.get(PASSWORD_ENV) or demo.DEMO_PASSWORD
    out(t(f"Skapar demolagringsplats i {root} (det tar en stund) …",
          f"Creating a demo store in {root} (this takes a while) …"))
    result = demo.build_demo(root, password)
    people = [u for u in (result or ()) if hasattr(u, "username") and hasattr(u, "role")]
    if not people:  # build_demo did not say who it created: ask the store
        store = unlock(root, getattr(demo, "DEMO_ADMIN", "admin"), password)
        try:
            units = {u.id: u.code for u in users_svc.list_units(store.uow(), store.actor)}
            people = [dataclasses.replace(u, unit_name=units.get(u.unit_id, u.unit_name))
                      for u in users_svc.list_users(store.uow(), store.actor) if u.active]
        finally:
            store.close()
    out(t("Klart. Demoanvändare:", "Done. Demo users:"))
    out()
    print_table([t("Användarnamn", "User name"), t("Namn", "Name"), t("Roll", "Role"),
                 t("Myndighet", "Agency"), t("Enhet", "Unit")],
                [(u.username, u.display_name, u.role, u.agency,
                  getattr(u, "unit", None) or getattr(u, "unit_name", ""))
                 for u in people])
    out()
    if os.environ.get(PASSWORD_ENV) or _get(args, "password_file"):
        out(t("Alla demoanvändare har lösenordet du angav.",
              "Every demo user has the password you gave."))
    else:
        out(t(f"Alla demoanvändare har lösenordet: {password}",
              f"Every demo user has the password: {password}"))
    out(t("Uppgifterna är påhittade. Använd aldrig demolagringsplatsen för riktiga ärenden.",
          "The data is made up. Never use the demo store for real cases."))
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from trefas_app.services import admin

    root = store_dir(args)
    _require_store(root)
    if _get(args, "repair"):
        done = admin.recover_interrupted_rekey(root)
        out(done or t("Inget avbrutet nyckelbyte att slutföra.",
                      "No interrupted re-key to finish."))
    username = _get(args, "user") or None
    password = acting_password(args, username) if username else None
    report = admin.check_store(root, username=username, password=password)
    problems = [_problem_text(p) for p in (getattr(report, "problems", None) or ())]
    if not _get(args, "json"):
        for note in getattr(report, "notes", None) or ():
            out(t(note, "Leftovers of an interrupted backup have been removed."))
    if _get(args, "json"):
        print_json({"ok": bool(report.ok), "problems": problems,
                    "report": _plain(report)})
    elif report.ok:
        _print_check_figures(root, report, username)
    else:
        err(t("Kontrollen hittade fel:", "The check found problems:"))
        for p in problems:
            err(f"  – {p}")
    return EXIT_OK if report.ok else EXIT_FAILED


def _print_check_figures(root: Path, report, username: str | None) -> None:
    """What ``check`` looked at, with the figures: plain ``check`` reads the
    files without a key; ``--user`` also decrypts every page and walks the log."""
    slots, pages, cps = report.key_slots, report.pages, report.checkpoints
    out(t(f"Lagringsplatsen i {root} är hel. Kontrollerat:",
          f"The store in {root} is sound. Checked:"))
    out(t(f"  – nyckelfilen: {slots} nyckelplatser, läsbara och hela",
          f"  – the key file: {slots} key slots, readable and whole"))
    if report.decrypted:
        out(t(f"  – databasen: {pages} sidor dekrypterade med {username}s nyckel; sidornas "
              f"HMAC, integritet, hänvisningar och schema stämmer",
              f"  – the database: {pages} pages decrypted with {username}'s key; the pages' "
              f"HMAC, integrity, references and schema are in order"))
        out(t(f"  – åtkomstloggen: {report.log_entries} poster i obruten hashkedja, mot "
              f"{cps} signerade kontrollpunkter",
              f"  – the access log: {report.log_entries} entries in an unbroken hash chain, "
              f"against {cps} signed checkpoints"))
    else:
        out(t(f"  – databasfilen: krypterad, {pages} hela sidor (inte dekrypterad)",
              f"  – the database file: encrypted, {pages} whole pages (not decrypted)"))
        out(t(f"  – kontrollpunkterna: {cps} med giltig signatur",
              f"  – the checkpoints: {cps} with a valid signature"))
        if report.keyless:
            out(t(f"{username} har ingen nyckel till databasen (administratör). Sidorna och "
                  "loggkedjan kontrolleras av en arbetsledare: ”trefas check --user NAMN”.",
                  f"{username} holds no key to the database (administrator). A supervisor "
                  "checks the pages and the log chain: 'trefas check --user NAME'."))
        else:
            out(t("Ange --user NAMN för att också dekryptera sidorna och kontrollera "
                  "loggkedjan.",
                  "Give --user NAME to also decrypt the pages and check the log chain."))


def _problem_text(problem: Any) -> str:
    if isinstance(problem, TrefasError):
        return problem.message(_Lang.code)
    if isinstance(problem, str):
        return problem
    for attr in (("sv", "en") if _Lang.code == "sv" else ("en", "sv")):
        value = getattr(problem, attr, None) or getattr(problem, f"message_{attr}", None)
        if isinstance(value, str) and value:
            return value
    if isinstance(problem, (tuple, list)) and problem and all(isinstance(x, str)
                                                               for x in problem):
        return problem[0] if _Lang.code == "sv" or len(problem) < 2 else problem[1]
    return str(problem)


# --- commands: users and units ------------------------------------------------------


def _print_enrolment_code(username: str, code: str) -> None:
    out(t(f"ENGÅNGSKOD för {username} – visas bara nu, gäller i 72 timmar:",
          f"ONE-TIME CODE for {username} – shown only now, valid for 72 hours:"))
    out(f"    {code}")
    out(t(f"Ge koden till personen. Hen väljer sitt lösenord med ”trefas user enrol {username}”;"
          " därefter bekräftar en arbetsledare i samma myndighet kontot.",
          f"Give the code to the person. They choose their password with 'trefas user enrol "
          f"{username}'; then a supervisor of the same agency confirms the account."))


def cmd_user_add(args: argparse.Namespace) -> int:
    from trefas_app.services import accounts

    with session(args) as store:
        units = {code.lower(): (agency, code) for agency, code, _ in accounts.list_units(store)}
        agency, code = units.get(args.unit.strip().lower(), (None, args.unit.strip()))
        agency = Agency(args.agency) if _get(args, "agency") else Agency(agency or "city")
        view = accounts.create_account(store, args.username, args.display_name,
                                       Role(args.role), agency, code,
                                       email=_get(args, "email"), phone=_get(args, "phone"))
    if _get(args, "json"):
        print_json({"username": view.username, "state": view.state,
                    "enrolment_code": view.enrolment_code})
    else:
        out(t(f"Användaren {view.username} är skapad ({lbl(view.role)}, {view.unit_name}).",
              f"The user {view.username} has been created ({lbl(view.role)}, "
              f"{view.unit_name})."))
        _print_enrolment_code(view.username, view.enrolment_code)
    return EXIT_OK


def _user_json(u, units: dict) -> dict:
    unit = units.get(u.unit_id)
    return {"username": u.username, "display_name": u.display_name, "role": u.role.value,
            "agency": u.agency.value, "unit": unit.code if unit else None,
            "unit_name": unit.name if unit else u.unit_name, "active": u.active,
            "has_key_slot": u.has_key_slot}


def cmd_user_list(args: argparse.Namespace) -> int:
    from trefas_app.services import accounts

    with session(args) as store:
        if store.has_data_key:  # a supervisor: the users table (user.list)
            from trefas_app.services import users as users_svc

            people = [accounts.AccountView(
                u.username, u.display_name, u.role, u.agency, u.unit_name, u.unit_name,
                u.account_state if u.active else "disabled", "")
                for u in users_svc.list_users(store.uow(), store.actor)]
        else:
            people = accounts.list_accounts(store)
    if _get(args, "json"):
        print_json([{"username": u.username, "display_name": u.display_name,
                     "role": u.role.value, "agency": u.agency.value, "unit": u.unit_code,
                     "unit_name": u.unit_name, "active": u.state != "disabled",
                     "state": u.state,
                     "confirmed_by": u.confirmed_by} for u in people])
        return EXIT_OK
    print_table([t("Användarnamn", "User name"), t("Namn", "Name"), t("Roll", "Role"),
                 t("Myndighet", "Agency"), t("Enhet", "Unit"), t("Läge", "State")],
                [(u.username, u.display_name, u.role, u.agency, u.unit_code, u.state)
                 for u in people])
    return EXIT_OK


def cmd_user_disable(args: argparse.Namespace) -> int:
    from trefas_app.services import accounts

    name = args.username.strip().lower()
    with session(args) as store:
        accounts.disable_account(store, name)
    out(t(f"Kontot {name} är avstängt och dess nyckel borttagen.",
          f"The account {name} is disabled and its key removed."))
    out(t("Datanyckeln byts vid nästa inloggning av en arbetsledare (eller ”trefas rekey”), "
          "så att en gammal kopia av nyckelfilen inte öppnar något nytt.",
          "The data key changes at a supervisor's next log-in (or 'trefas rekey'), so that an "
          "old copy of the key file opens nothing new."))
    return EXIT_OK


def cmd_user_enrol(args: argparse.Namespace) -> int:
    """The person's own first step: one-time code, then a password of their own."""
    from trefas_app.services import accounts

    root = store_dir(args)
    _require_store(root)
    name = args.username.strip().lower()
    code = obtain_password(_get(args, "code_file"), ENROLMENT_CODE_ENV,
                           t("Engångskod: ", "One-time code: "))
    password = new_password(args, name)
    accounts.enrol_account(root, name, code, password)
    out(t("Ditt lösenord är valt. Kontot väntar nu på bekräftelse från en arbetsledare i din "
          "myndighet.", "Your password is set. The account now waits for confirmation from "
          "a supervisor of your agency."))
    return EXIT_OK


def cmd_user_confirm(args: argparse.Namespace) -> int:
    from trefas_app.services import accounts

    name = args.username.strip().lower()
    with session(args) as store:
        accounts.confirm_account(store.uow(), store.actor, name)
    out(t(f"Kontot {name} är bekräftat och når nu ärendeinnehåll enligt sin roll.",
          f"The account {name} is confirmed and now reaches case content by its role."))
    return EXIT_OK


def cmd_user_pending(args: argparse.Namespace) -> int:
    from trefas_app.services import accounts

    with session(args) as store:
        waiting = accounts.pending_confirmations(store.uow(), store.actor)
    print_table([t("Användarnamn", "User name"), t("Namn", "Name"), t("Roll", "Role"),
                 t("Enhet", "Unit")],
                [(p.username, p.display_name, p.role, p.unit_name) for p in waiting])
    return EXIT_OK


def cmd_recover(args: argparse.Namespace) -> int:
    """Confirm an account with the recovery key (first supervisor of an agency,
    or every supervisor gone). Logged loudly; every supervisor is told."""
    from trefas_app.services import accounts

    root = store_dir(args)
    _require_store(root)
    key = obtain_password(_get(args, "recovery_key_file"), RECOVERY_KEY_ENV,
                          t("Återställningsnyckel: ", "Recovery key: "))
    if _get(args, "reset"):
        name = args.reset.strip().lower()
        code = accounts.reset_with_recovery_key(root, key, name)
        out(t(f"{name} har fått en ny engångskod med återställningsnyckeln (det står i loggen "
              "och visas för varje arbetsledare).", f"{name} has a new one-time code from the "
              "recovery key (it is in the log and shown to every supervisor)."))
        _print_enrolment_code(name, code)
        return EXIT_OK
    if not _get(args, "confirm"):
        raise ValidationError("Ange --confirm NAMN eller --reset NAMN.",
                              "Give --confirm NAME or --reset NAME.")
    name = args.confirm.strip().lower()
    accounts.confirm_with_recovery_key(root, key, name)
    out(t(f"Kontot {name} är bekräftat med återställningsnyckeln. Det står i loggen och "
          "visas för varje arbetsledare vid nästa inloggning.",
          f"The account {name} is confirmed with the recovery key. It is in the log and is "
          "shown to every supervisor at their next log-in."))
    return EXIT_OK


def cmd_user_passwd(args: argparse.Namespace) -> int:
    from trefas_app.services import users as users_svc

    username = acting_username(args)
    _require_store(store_dir(args))
    old = acting_password(args, username)
    with session(args, password=old) as store:
        new = new_password(args, store.actor.username)
        if store.has_data_key:
            users_svc.change_own_password(store.uow(), store.actor, old, new)
        else:
            from trefas_app.services import accounts

            accounts.change_own_password(store, old, new)
    out(t("Ditt lösenord är bytt.", "Your password has been changed."))
    return EXIT_OK


def cmd_user_reset(args: argparse.Namespace) -> int:
    from trefas_app.services import accounts

    target = args.username.strip().lower()
    with session(args) as store:
        view = accounts.reset_account(store, target)
    out(t(f"{view.username} har fått en ny engångskod; kontot når inget ärendeinnehåll förrän "
          "en arbetsledare har bekräftat det igen.",
          f"{view.username} has a new one-time code; the account reaches no case content "
          "until a supervisor has confirmed it again."))
    _print_enrolment_code(view.username, view.enrolment_code)
    return EXIT_OK


def cmd_unit_add(args: argparse.Namespace) -> int:
    from trefas_app.services import accounts

    with session(args) as store:
        agency, code, name = accounts.add_unit(store, Agency(args.agency), args.code, args.name)
    if _get(args, "json"):
        print_json({"agency": agency, "code": code, "name": name})
    else:
        out(t(f"Enheten {code} ({name}) är skapad.",
              f"The unit {code} ({name}) has been created."))
    return EXIT_OK


def cmd_unit_list(args: argparse.Namespace) -> int:
    from trefas_app.services import accounts

    with session(args) as store:
        units = accounts.list_units(store)
    if _get(args, "json"):
        print_json([{"agency": a, "code": c, "name": n} for a, c, n in units])
        return EXIT_OK
    print_table([t("Kod", "Code"), t("Namn", "Name"), t("Myndighet", "Agency")],
                [(c, n, a) for a, c, n in units])
    return EXIT_OK


# --- commands: administration -------------------------------------------------------


def cmd_backup(args: argparse.Namespace) -> int:
    from trefas_app.services import admin

    with session(args) as store:
        if _get(args, "list"):
            backups = admin.list_backups(store)
        else:
            info = admin.backup(store, store.actor)
    if _get(args, "list"):
        if _get(args, "json"):
            print_json(list(backups))
        elif not backups:
            out(t("Det finns inga säkerhetskopior än.", "There are no backups yet."))
        else:
            print_table([t("Skapad", "Created"), t("Storlek", "Size"), t("Fil", "File")],
                        [(b.created_at, _size(b.size), b.path) for b in backups])
        return EXIT_OK
    if _get(args, "json"):
        print_json(info)
    elif not store.has_data_key:
        out(t(f"Säkerhetskopian är klar: {info.path} ({_size(info.size)}). Utan nyckel är "
              "den kontrollerad som en oförändrad, krypterad kopia med hela sidor; sidornas "
              "äkthet kontrollerar en arbetsledare med ”trefas check --user NAMN”.",
              f"The backup is done: {info.path} ({_size(info.size)}). Without the key it is "
              "checked as an unchanged, encrypted copy of whole pages; a supervisor checks "
              "the pages' authenticity with 'trefas check --user NAME'."))
    else:
        leftovers = getattr(info, "leftovers_removed", ())
        if leftovers:
            out(t(f"Rester av en tidigare avbruten säkerhetskopiering togs bort: "
                  f"{', '.join(leftovers)}.",
                  f"Leftovers of an earlier interrupted backup were removed: "
                  f"{', '.join(leftovers)}."))
        out(t(f"Säkerhetskopian är klar och kontrollerad: {info.path} ({_size(info.size)}).",
              f"The backup is done and verified: {info.path} ({_size(info.size)})."))
        if getattr(info, "key_path", None):
            out(t(f"Nyckelfilen som öppnar den: {info.key_path}",
                  f"The key file that opens it: {info.key_path}"))
    return EXIT_OK


def _size(n: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


def _confirm(args: argparse.Namespace, question: str) -> None:
    if _get(args, "yes"):
        return
    if not (sys.stdin and sys.stdin.isatty()):
        raise UsageError("Bekräfta med --yes när kommandot inte körs interaktivt.",
                         "Confirm with --yes when the command does not run interactively.")
    answer = input(question).strip().lower()
    if answer not in ("ja", "j", "yes", "y"):
        raise TrefasError("Avbrutet. Ingenting har ändrats.", "Cancelled. Nothing was changed.")


def cmd_restore(args: argparse.Namespace) -> int:
    """Says what will be replaced, asks (or ``--yes``; ``--dry-run`` only
    tells), and restores. A backup from before a re-key is opened with its own
    key file: ``--keys FILE``, else the one kept beside the backup."""
    from trefas_app.services import admin

    backup_file = Path(args.file).expanduser()
    if not backup_file.is_file():
        raise NotFound(f"Säkerhetskopian {backup_file} finns inte.",
                       f"The backup {backup_file} does not exist.")
    keys = Path(args.keys).expanduser() if _get(args, "keys") else None
    root = store_dir(args)
    _require_store(root)
    out(t(f"Återställer {root / 'trefas.db'} från {backup_file} "
          f"({_size(backup_file.stat().st_size)}). Det som sparats efter kopian försvinner ur "
          f"databasen; den nuvarande databasen sparas undan bredvid. Nyckelfilen (vilka som "
          f"kan logga in) behålls.",
          f"Restoring {root / 'trefas.db'} from {backup_file} "
          f"({_size(backup_file.stat().st_size)}). What was saved after the backup leaves the "
          f"database; the current database is kept beside it. The key file (who can log in) "
          f"is kept."))
    if _get(args, "dry_run"):
        out(t("Ingenting har ändrats (--dry-run).", "Nothing was changed (--dry-run)."))
        return EXIT_OK
    _confirm(args, t("Återställa? [ja/nej] ", "Restore? [yes/no] "))
    before = set(root.glob("trefas.db.before-restore-*"))
    username = acting_username(args)
    password = acting_password(args, username)
    with session(args, password) as store:
        # The store passed in is retired; go on with (and log out of) the new one.
        if keys is None:
            try:
                restored = admin.restore(store, store.actor, backup_file)
            except admin.BackupKeyMismatch as exc:
                beside = backup_file.with_suffix(".keys")
                if not beside.is_file():
                    raise admin.BackupKeyMismatch(
                        f"Säkerhetskopian går inte att öppna med lagringsplatsens nuvarande "
                        f"nyckel, och nyckelfilen från samma tillfälle ({beside.name}) finns "
                        f"inte bredvid den. Ange nyckelfilen med --keys FIL. Ingenting har "
                        f"ändrats.",
                        f"The backup does not open with the store's current key, and the key "
                        f"file of its time ({beside.name}) is not beside it. Name the key file "
                        f"with --keys FILE. Nothing was changed.") from exc
                out(t(f"Kopian är gjord med en tidigare datanyckel; öppnar den med "
                      f"nyckelfilen {beside}.",
                      f"The backup was made under an earlier data key; opening it with the "
                      f"key file {beside}."))
                restored = admin.restore_with_key_file(store, store.actor, backup_file,
                                                       password, beside)
        else:
            restored = admin.restore_with_key_file(store, store.actor, backup_file, password,
                                                   keys)
        if restored is not None and restored is not store:
            restored.close()
    kept = sorted(set(root.glob("trefas.db.before-restore-*")) - before)
    out(t(f"Lagringsplatsen är återställd från {backup_file.name}.",
          f"The store has been restored from {backup_file.name}."))
    if kept:
        out(t(f"Den tidigare databasen är sparad som {kept[-1]}.",
              f"The previous database is kept as {kept[-1]}."))
    return EXIT_OK


def cmd_rekey(args: argparse.Namespace) -> int:
    from trefas_app.services import admin

    with session(args) as store:
        admin.rekey(store, store.actor)
    out(t("Lagringsplatsen har fått en ny datanyckel och alla nyckelplatser är förseglade på "
          "nytt. Gamla kopior av nyckelfilen öppnar inte längre databasen. Andra inloggade "
          "måste logga in igen.",
          "The store has a new data key and every key slot has been resealed. Old copies of "
          "the key file no longer open the database. Others who are logged in must log in "
          "again."))
    return EXIT_OK


def cmd_retention_run(args: argparse.Namespace) -> int:
    """Shows what goes first; deletes only after a yes (or ``--yes``);
    ``--dry-run`` only lists. A real run uses the clock: ``--today`` is for
    looking ahead with ``--dry-run`` only."""
    from trefas_app.domain.clock import today as clock_today
    from trefas_app.services import admin

    dry_run = bool(_get(args, "dry_run"))
    if _get(args, "today") and not dry_run:
        raise UsageError(
            "--today går bara att använda med --dry-run: en riktig gallring räknar från "
            "dagens datum.",
            "--today can only be used with --dry-run: a real retention run counts from "
            "today's date.")
    today = _get(args, "today") or clock_today()
    with session(args) as store:
        due = admin.retention_due(store, store.actor, today)
        if _get(args, "json") and (dry_run or not due):
            print_json({"today": today, "dry_run": dry_run, "due": due})
            return EXIT_OK
        if _get(args, "json"):  # the list for the person who confirms; JSON stays clean
            import contextlib

            with contextlib.redirect_stdout(sys.stderr):
                _print_retention_due(due, today)
        else:
            _print_retention_due(due, today)
        if dry_run or not due:
            if dry_run and due:
                out(t("Ingenting är raderat (--dry-run).", "Nothing was deleted (--dry-run)."))
            return EXIT_OK
        _confirm(args, t(f"Radera de {len(due)} ärendena ovan, med anteckningar och allt som "
                         f"hör till dem? Det går inte att ångra. [ja/nej] ",
                         f"Delete the {len(due)} cases above, with their notes and everything "
                         f"that belongs to them? This cannot be undone. [yes/no] "))
        report = admin.run_retention(store, store.actor, today,
                                     only={c.case_id for c in due})
    if _get(args, "json"):
        print_json(report)
    else:
        n = report.cases_deleted
        out(t(f"Gallring per {today.isoformat()}: {n} avslutade ärenden vars bevarandetid "
              f"gått ut har raderats (och loggats).",
              f"Retention as of {today.isoformat()}: {n} closed cases whose retention time "
              f"had passed have been deleted (and logged)."))
    return EXIT_OK


def _print_retention_due(due: list, today: dt.date) -> None:
    if not due:
        out(t(f"Inga avslutade ärenden har passerat bevarandetiden per {today.isoformat()}; "
              f"ingenting att gallra.",
              f"No closed case is past its retention time as of {today.isoformat()}; "
              f"nothing to delete."))
        return
    out(t(f"Gallras per {today.isoformat()} ({len(due)} ärenden, med anteckningar, planer, "
          f"samtycken och utlämnanden; personen också om inget annat hänvisar till den):",
          f"To be deleted as of {today.isoformat()} ({len(due)} cases, with notes, plans, "
          f"consents and disclosures; the person too when nothing else refers to them):"))
    print_table([t("Ärende", "Case"), t("Avslutat", "Closed"),
                 t("Bevaras till", "Kept until")],
                [(c.number, c.closed_at, c.retain_until) for c in due])


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from trefas_app.services import audit_log

    with session(args) as store:
        report = audit_log.verify_log(store, store.actor)
    if _get(args, "json"):
        print_json(report)
    elif report.ok:
        out(t(f"Åtkomstloggen är obruten: {report.entries} poster kontrollerade.",
              f"The access log is intact: {report.entries} entries checked."))
    else:
        problem = (getattr(report, "problem_sv", None) if _Lang.code == "sv"
                   else getattr(report, "problem_en", None)) or \
            getattr(report, "problem_sv", None) or ""
        where = "" if report.first_bad_seq is None else t(
            f" (första felet vid post {report.first_bad_seq})",
            f" (first fault at entry {report.first_bad_seq})")
        err(t(f"Åtkomstloggen är inte obruten{where}: {problem}",
              f"The access log is not intact{where}: {problem}"))
    return EXIT_OK if report.ok else EXIT_FAILED


def cmd_audit_acknowledge(args: argparse.Namespace) -> int:
    """A key holder acknowledges the standing alarm about the log: a
    supervisor with --user, or whoever holds the recovery key."""
    from trefas_app.services import audit_log
    from trefas_app.store.store import unlock_with_recovery_key

    key_file = _get(args, "recovery_key_file")
    if key_file:
        root = store_dir(args)
        _require_store(root)
        store = unlock_with_recovery_key(root, _read_password_file(key_file))
        report_alarms(store)
        try:
            seq = audit_log.acknowledge_alarm(store, store.actor, args.reason)
        finally:
            store.close()
    else:
        with session(args) as store:
            seq = audit_log.acknowledge_alarm(store, store.actor, args.reason)
    out(t(f"Larmet (loggpost {seq}) är kvitterat och kvitteringen är loggad.",
          f"The alarm (log entry {seq}) has been acknowledged, and that is logged."))
    return EXIT_OK


def cmd_audit_show(args: argparse.Namespace) -> int:
    from trefas_app.domain import audit_labels as al
    from trefas_app.domain.clock import format_local
    from trefas_app.services import audit_log

    filters = {"person_id": _get(args, "person"), "case_id": None,
               "username": _get(args, "by_user"), "action_words": _get(args, "action"),
               "since": _get(args, "since"), "until": _get(args, "until")}
    with session(args) as store:
        if _get(args, "case"):
            filters["case_id"] = _case_id(store, args.case)
        page = audit_log.show_log(store.uow(), store.actor,
                                  **{k: v for k, v in filters.items() if v is not None},
                                  offset=_get(args, "offset") or 0,
                                  limit=_get(args, "limit") or 200)
    rows = list(page.rows)
    if _get(args, "json"):
        print_json({"total": page.total, "offset": page.offset, "rows": rows})
        return EXIT_OK
    if not rows:
        out(t("Inga poster.", "No entries."))
        return EXIT_OK
    lang = _Lang.code
    print_table(
        [t("Nr", "No."), t("Tid", "Time"), t("Användare", "User"),
         t("Myndighet", "Agency"), t("Händelse", "Event"), t("Ärende", "Case"),
         t("Person", "Person"), t("Post", "Record"), t("Skäl", "Reason")],
        [[r.seq, format_local(al.entry_time(r.at)), r.username or "",
          _agency_label(r.agency), al.action_label(r.action, lang),
          al.case_text(r.case_id, r.case_number, lang), al.p_number(r.person_id),
          al.subject_text(r.subject_kind, r.subject_id, r.case_number, r.person_id, lang),
          r.reason or ""] for r in rows])
    if page.total > page.offset + len(rows):
        out(t(f"… visar {len(rows)} av {page.total}; använd --offset för fler.",
              f"… showing {len(rows)} of {page.total}; use --offset for more."))
    return EXIT_OK


def _agency_label(value: str | None) -> str:
    try:
        return lbl(Agency(value)) if value else ""
    except ValueError:
        return value or ""


# --- commands: case work ------------------------------------------------------------


def _case_id(store, key: str) -> int:
    """A case number (K-2025-00012) or id, resolved through the access rule."""
    from trefas_app.services import cases

    key = key.strip()
    if key.isdigit():
        return int(key)
    page = cases.list_cases(store.uow(), store.actor, cases.CaseFilter(query=key), limit=50)
    for row in page.rows:
        if row.number.upper() == key.upper():
            return row.id
    from trefas_app.security import access

    raise access.no_such_record(store.actor, "case.read", "case", key)


def _hidden_notice(page) -> None:
    if getattr(page, "hidden_total", 0):
        n = page.hidden_total
        err(t(f"{n} poster finns som inte delas med din myndighet." if n != 1 else
              "1 post finns som inte delas med din myndighet.",
              f"{n} entries exist that are not shared with your agency." if n != 1 else
              "1 entry exists that is not shared with your agency."))


def cmd_person_list(args: argparse.Namespace) -> int:
    from trefas_app.services import persons

    with session(args) as store:
        page = persons.list_persons(store.uow(), store.actor, _get(args, "query") or "",
                                    offset=_get(args, "offset") or 0,
                                    limit=_get(args, "limit") or 200)
    if _get(args, "json"):
        print_json({"total": page.total, "offset": page.offset, "rows": page.rows})
        return EXIT_OK
    print_table(["ID", t("Namn", "Name"), t("Personnummer", "Personal number"),
                 t("Risk", "Risk"), t("Öppna ärenden", "Open cases")],
                [(person_code(p.id), p.display_name, p.personal_number or "", p.risk_level,
                  p.open_cases) for p in page.rows])
    if page.total > page.offset + len(page.rows):
        out(t(f"… visar {len(page.rows)} av {page.total}.",
              f"… showing {len(page.rows)} of {page.total}."))
    return EXIT_OK


def _person_id(text: str) -> int:
    value = text.strip().upper().removeprefix("P-")
    if not value.isdigit():
        raise argparse.ArgumentTypeError(t(f"ogiltigt person-id: {text!r} (t.ex. 42 eller P-0042)",
                                           f"invalid person id: {text!r} (e.g. 42 or P-0042)"))
    return int(value)


def _print_person(p) -> None:
    rows = [("ID", p.alias), (t("Namn", "Name"), p.display_name),
            (t("Personnummer", "Personal number"), p.personal_number),
            (t("Telefon", "Phone"), p.phone),
            (t("Adress", "Address"), format_address(p.address, p.postal_code, p.city)),
            (t("Skydd", "Protection"), p.protection_level),
            (t("Risknivå", "Risk level"), p.risk_level),
            (t("Riskfaktorer", "Risk factors"), p.risk_factors),
            (t("Skyddsfaktorer", "Protective factors"), p.protective_factors)]
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        if value not in (None, ""):
            out(f"{key.ljust(width)}  {_cell(value)}")
    if p.withheld:
        out(t("Visas inte för dig: ", "Not shown to you: ")
            + ", ".join(lbl(c) for c in p.withheld))


def cmd_person_add(args: argparse.Namespace) -> int:
    from trefas_app.services import persons

    data = persons.PersonInput(
        first_name=args.first_name, last_name=args.last_name,
        personal_number=_get(args, "personal_number"), phone=_get(args, "phone"),
        address=_get(args, "address"), postal_code=_get(args, "postal_code"),
        city=_get(args, "city"),
        protection_level=ProtectionLevel(_get(args, "protection") or ProtectionLevel.NONE),
        risk_level=RiskLevel(_get(args, "risk") or RiskLevel.GREEN),
        risk_factors=_get(args, "risk_factors"),
        protective_factors=_get(args, "protective_factors"))
    with session(args) as store:
        view = persons.create_person(store.uow(), store.actor, data)
    if _get(args, "json"):
        print_json(view)
    else:
        out(t(f"Personen är registrerad som {view.alias}.",
              f"The person has been registered as {view.alias}."))
    return EXIT_OK


def cmd_person_show(args: argparse.Namespace) -> int:
    from trefas_app.services import persons

    with session(args) as store:
        view = persons.get_person(store.uow(), store.actor, args.person_id)
    if _get(args, "json"):
        print_json(view)
    else:
        _print_person(view)
    return EXIT_OK


def cmd_case_list(args: argparse.Namespace) -> int:
    from trefas_app.services import cases

    states = tuple(CaseState(s) for s in (_get(args, "state") or ()))
    filt = cases.CaseFilter(query=_get(args, "query") or "", states=states,
                            mine_only=bool(_get(args, "mine")))
    with session(args) as store:
        page = cases.list_cases(store.uow(), store.actor, filt,
                                offset=_get(args, "offset") or 0,
                                limit=_get(args, "limit") or 200)
    if _get(args, "json"):
        print_json({"total": page.total, "offset": page.offset, "rows": page.rows,
                    "hidden": page.hidden})
        return EXIT_OK
    print_table([t("Nummer", "Number"), t("Rubrik", "Title"), t("Person", "Person"),
                 t("Status", "State"), t("Enhet", "Unit"), t("Senast", "Last entry")],
                [(c.number, c.title, c.person_name, c.state, c.unit_name, c.last_entry_at)
                 for c in page.rows])
    if page.total > page.offset + len(page.rows):
        out(t(f"… visar {len(page.rows)} av {page.total}.",
              f"… showing {len(page.rows)} of {page.total}."))
    _hidden_notice(page)
    return EXIT_OK


def cmd_case_open(args: argparse.Namespace) -> int:
    from trefas_app.services import cases

    with session(args) as store:
        view = cases.open_case(store.uow(), store.actor, args.person, args.title)
    if _get(args, "json"):
        print_json(view)
    else:
        out(t(f"Ärendet {view.number} är öppnat.", f"The case {view.number} has been opened."))
    return EXIT_OK


def cmd_case_show(args: argparse.Namespace) -> int:
    from trefas_app.services import cases, notes

    with session(args) as store:
        case_id = _case_id(store, args.number)
        view = cases.get_case(store.uow(), store.actor, case_id)
        note_page = notes.list_notes(store.uow(), store.actor, case_id) \
            if _get(args, "notes") else None
    if _get(args, "json"):
        data = _plain(view)
        if note_page is not None:
            data["notes"] = _plain(note_page.rows)
            data["notes_hidden"] = _plain(note_page.hidden)
        print_json(data)
        return EXIT_OK
    out(f"{view.number}  {view.title}")
    out(t(f"Status: {lbl(view.state)}   Enhet: {view.unit_name}   Ägare: {lbl(view.owner_agency)}",
          f"State: {lbl(view.state)}   Unit: {view.unit_name}   Owner: {lbl(view.owner_agency)}"))
    out(t(f"Öppnat: {_cell(view.opened_at)}   Senaste post: {_cell(view.last_entry_at)}",
          f"Opened: {_cell(view.opened_at)}   Last entry: {_cell(view.last_entry_at)}"))
    if view.emergency_until:
        out(t(f"NÖDÅTKOMST till {_cell(view.emergency_until)} (endast läsning)",
              f"EMERGENCY ACCESS until {_cell(view.emergency_until)} (read-only)"))
    out()
    _print_person(view.person)
    out()
    out(t("Team:", "Team:"))
    for m in view.team:
        mark = t(" (ansvarig)", " (responsible)") if m.responsible else ""
        out(f"  {m.display_name} – {lbl(m.role)}, {m.unit_name}{mark}")
    if note_page is not None:
        out()
        out(t("Anteckningar:", "Notes:"))
        for n in note_page.rows:
            out(f"  #{n.id} {_cell(n.created_at)} [{lbl(n.category)}, {lbl(n.state)}] "
                f"{n.title} – {n.author}")
        _hidden_notice(note_page)
    return EXIT_OK


def _note_body(args: argparse.Namespace) -> str:
    source = _get(args, "file")
    if source and source != "-":
        from trefas_app.domain.text import NOTE
        from trefas_app.input_files import read_bounded

        try:  # UTF-8 needs at most four bytes a character
            return read_bounded(Path(source).expanduser(), 4 * NOTE,
                                regular_only=False).decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationError(f"Filen {source} kunde inte läsas som text (UTF-8).",
                                  f"The file {source} could not be read as text (UTF-8).") \
                from None
    if sys.stdin is None:
        raise UsageError("Ingen text: ange --file FIL eller skicka texten på standard in.",
                         "No text: give --file FILE or send the text on standard input.")
    if sys.stdin.isatty() and source != "-":
        err(t("Skriv anteckningen och avsluta med Ctrl-D (Ctrl-Z och Enter i Windows):",
              "Type the note and end with Ctrl-D (Ctrl-Z and Enter on Windows):"))
    return sys.stdin.read()


def cmd_note_add(args: argparse.Namespace) -> int:
    from trefas_app.services import notes

    body = _note_body(args)
    with session(args) as store:
        case_id = _case_id(store, args.case)
        view = notes.write_note(store.uow(), store.actor, case_id, args.title, body,
                                Category(args.category), corrects_id=_get(args, "corrects"))
    if _get(args, "json"):
        print_json(view)
    else:
        sign = f"trefas note sign {view.id}{_store_and_user_options(args)}"
        out(t(f"Anteckning #{view.id} är sparad som utkast. Signera med ”{sign}”.",
              f"Note #{view.id} is saved as a draft. Sign it with '{sign}'."))
    return EXIT_OK


def _store_and_user_options(args: argparse.Namespace) -> str:
    """``--store`` and ``--user`` as given to this command, for a follow-up
    command that should run as printed (nothing when they came from the
    environment, which the next command sees too)."""
    import shlex

    parts = []
    if _get(args, "store"):
        parts += ["--store", shlex.quote(str(args.store))]
    if _get(args, "user"):
        parts += ["--user", shlex.quote(args.user)]
    return "".join(" " + p for p in parts)


def cmd_note_sign(args: argparse.Namespace) -> int:
    from trefas_app.services import notes

    with session(args) as store:
        view = notes.sign_note(store.uow(), store.actor, args.note_id)
    out(t(f"Anteckning #{view.id} är signerad och kan inte längre ändras.",
          f"Note #{view.id} is signed and can no longer be changed."))
    return EXIT_OK


def cmd_note_list(args: argparse.Namespace) -> int:
    from trefas_app.services import notes

    with session(args) as store:
        case_id = _case_id(store, args.case)
        page = notes.list_notes(store.uow(), store.actor, case_id,
                                offset=_get(args, "offset") or 0,
                                limit=_get(args, "limit") or 100)
    if _get(args, "json"):
        print_json({"total": page.total, "offset": page.offset, "rows": page.rows,
                    "hidden": page.hidden})
        return EXIT_OK
    print_table(["ID", t("Skapad", "Created"), t("Kategori", "Category"),
                 t("Status", "State"), t("Rubrik", "Title"), t("Författare", "Author")],
                [(n.id, n.created_at, n.category, n.state, n.title, n.author)
                 for n in page.rows])
    _hidden_notice(page)
    return EXIT_OK


def cmd_consent_add(args: argparse.Namespace) -> int:
    from trefas_app.domain.clock import today
    from trefas_app.services import consents

    valid_from = _get(args, "valid_from") or today()
    if not _get(args, "valid_from") and args.until < valid_from:
        # Without --from the start is today: say what is wrong with the date given.
        raise ValidationError(
            f"Slutdatumet {args.until.isoformat()} har redan passerat (i dag är "
            f"{valid_from.isoformat()}). Ange ett senare datum, t.ex. --until +6m.",
            f"The end date {args.until.isoformat()} has already passed (today is "
            f"{valid_from.isoformat()}). Give a later date, e.g. --until +6m.")
    with session(args) as store:
        case_id = _case_id(store, args.case) if _get(args, "case") else None
        view = consents.record_consent(store.uow(), store.actor, consents.ConsentInput(
            person_id=args.person, purpose=args.purpose, valid_from=valid_from,
            valid_until=args.until, grants=frozenset(args.grant),
            basis=ConsentBasis(_get(args, "basis") or ConsentBasis.CONSENT),
            form=ConsentForm(_get(args, "form") or ConsentForm.WRITTEN),
            guardian_name=_get(args, "guardian"),
            legal_reference=_get(args, "legal_reference"), case_id=case_id))
    if _get(args, "json"):
        print_json(view)
    else:
        out(t(f"Samtycke #{view.id} är registrerat och gäller {view.valid_from} – "
              f"{view.valid_until}.",
              f"Consent #{view.id} has been recorded, valid {view.valid_from} – "
              f"{view.valid_until}."))
    return EXIT_OK


def _consent_status(status: str) -> str:
    from trefas_app.domain.labels import label
    status = ConsentStatus(status)
    return t(label(status, "sv"), label(status, "en"))


def cmd_consent_withdraw(args: argparse.Namespace) -> int:
    from trefas_app.services import consents

    with session(args) as store:
        view = consents.withdraw_consent(store.uow(), store.actor, args.consent_id, args.reason)
    out(t(f"Samtycke #{view.id} är återkallat från och med nu.",
          f"Consent #{view.id} is withdrawn as of now."))
    return EXIT_OK


def cmd_consent_list(args: argparse.Namespace) -> int:
    from trefas_app.services import consents

    with session(args) as store:
        views = consents.list_consents(store.uow(), store.actor, args.person)
    if _get(args, "json"):
        print_json(views)
        return EXIT_OK
    print_table(["ID", t("Status", "State"), t("Från", "From"), t("Till", "Until"),
                 t("Syfte", "Purpose"), t("Delas med", "Shared with")],
                [(c.id, _consent_status(c.status), c.valid_from, c.valid_until, c.purpose,
                  ", ".join(f"{a.value}:{cat.value}" for a, cat in c.grants))
                 for c in views])
    return EXIT_OK


def cmd_emergency(args: argparse.Namespace) -> int:
    from trefas_app.services import cases

    with session(args) as store:
        view = cases.request_emergency_access(store.uow(), store.actor, args.case.strip(),
                                              args.reason, hours=args.hours)
    out(t(f"Nödåtkomst till {view.number} gäller till {_cell(view.emergency_until)} "
          f"(endast läsning). Åtkomsten loggas och granskas av enhetschef.",
          f"Emergency access to {view.number} is valid until {_cell(view.emergency_until)} "
          f"(read-only). The access is logged and reviewed by a supervisor."))
    return EXIT_OK


def cmd_paths(args: argparse.Namespace) -> int:
    from trefas_app.store.store import StorePaths

    root = store_dir(args)
    info = {"store": str(root), "store_exists": StorePaths(root).exists(),
            "log_file": str(paths.log_file()), "witness_dir": str(paths.witness_dir()),
            "version": __version__}
    if _get(args, "json"):
        print_json(info)
    else:
        out(t(f"Lagringsplats: {root}{'' if info['store_exists'] else ' (finns inte än)'}",
              f"Store: {root}{'' if info['store_exists'] else ' (does not exist yet)'}"))
        out(t(f"Programlogg:   {info['log_file']}", f"Program log: {info['log_file']}"))
        out(t(f"Vittnen:       {info['witness_dir']}",
              f"Witnesses:   {info['witness_dir']}"))
    return EXIT_OK


def cmd_self_test(args: argparse.Namespace) -> int:
    from trefas_app import selftest

    results = selftest.run_checks()
    for line in selftest.report(results, _Lang.code):
        out(line)
    return EXIT_OK if all(r.ok for r in results) else EXIT_FAILED


# --- the parser ---------------------------------------------------------------------


#: argparse's own texts in Swedish (its help, usage and error lines).
_ARGPARSE_SV = {
    "usage: ": "användning: ",
    "options": "flaggor",
    "positional arguments": "argument",
    "show this help message and exit": "visa den här hjälpen och avsluta",
    "show program's version number and exit": "visa programmets version och avsluta",
    "%(prog)s: error: %(message)s\n": "%(prog)s: fel: %(message)s\n",
    "argument %(argument_name)s: %(message)s": "argumentet %(argument_name)s: %(message)s",
    "invalid choice: %(value)r (choose from %(choices)s)":
        "ogiltigt val: %(value)r (välj bland %(choices)s)",
    "the following arguments are required: %s": "de här argumenten krävs: %s",
    "unrecognized arguments: %s": "okända argument: %s",
    "expected one argument": "ett värde behövs",
    "expected at most one argument": "högst ett värde",
    "expected at least one argument": "minst ett värde behövs",
    "invalid %(type)s value: %(value)r": "ogiltigt värde (%(type)s): %(value)r",
    "not allowed with argument %s": "kan inte kombineras med %s",
    "one of the arguments %s is required": "ett av argumenten %s krävs",
    "ignored explicit argument %r": "ignorerat värde %r",
    "ambiguous option: %(option)s could match %(matches)s":
        "tvetydig flagga: %(option)s kan vara %(matches)s",
    "unexpected option string: %s": "oväntad flagga: %s",
    "unknown parser %(parser_name)r (choices: %(choices)s)":
        "okänt kommando %(parser_name)r (välj bland %(choices)s)",
    "can't open '%(filename)s': %(error)s": "kan inte öppna '%(filename)s': %(error)s",
}
_ARGPARSE_SV_PLURAL = {"expected %s argument": ("%s värde behövs", "%s värden behövs")}


@contextmanager
def _argparse_in_language():
    """argparse's texts ("usage:", "invalid choice", …) in the language of this
    run while the command line is read; put back afterwards."""
    original, original_n = argparse._, argparse.ngettext

    def translate(text: str) -> str:
        return text if _Lang.code == "en" else _ARGPARSE_SV.get(text, text)

    def translate_n(singular: str, plural: str, n: int) -> str:
        pair = None if _Lang.code == "en" else _ARGPARSE_SV_PLURAL.get(singular)
        if pair is None:
            return original_n(singular, plural, n)
        return pair[0] if n == 1 else pair[1]

    argparse._, argparse.ngettext = translate, translate_n
    try:
        yield
    finally:
        argparse._, argparse.ngettext = original, original_n


class _Parser(argparse.ArgumentParser):
    """No abbreviations: ``--password`` must never be taken for
    ``--password-file``."""

    def __init__(self, *a, **kw):
        kw.setdefault("allow_abbrev", False)
        super().__init__(*a, **kw)


def build_parser() -> argparse.ArgumentParser:
    from trefas_app import cli_server

    common = _Parser(add_help=False)
    common.add_argument("--store", metavar="DIR", default=_SUPPRESS,
                        help="lagringsplatsens mapp (annars TREFAS_STORE eller "
                             "användarens datamapp)")
    common.add_argument("--lang", choices=["sv", "en"], default=_SUPPRESS,
                        help="språk för meddelanden (sv eller en)")
    common.add_argument("--server", metavar="URL", default=_SUPPRESS,
                        help=cli_server.SERVER_OPTION_HELP)
    acting = _Parser(add_help=False)
    acting.add_argument("--user", metavar="NAME", default=_SUPPRESS,
                        help="du som låser upp (annars TREFAS_USER)")
    acting.add_argument("--password-file", metavar="FILE", default=_SUPPRESS,
                        help="läs ditt lösenord från filens första rad (annars "
                             "TREFAS_PASSWORD eller en fråga)")
    new_pw = _Parser(add_help=False)
    new_pw.add_argument("--new-password-file", metavar="FILE", default=_SUPPRESS,
                        help="läs det nya lösenordet från filens första rad (annars "
                             "TREFAS_NEW_PASSWORD eller en fråga)")
    as_json = _Parser(add_help=False)
    as_json.add_argument("--json", action="store_true", default=_SUPPRESS,
                         help="maskinläsbar utdata (JSON)")
    paging = _Parser(add_help=False)
    paging.add_argument("--offset", type=int, default=_SUPPRESS, help="hoppa över N rader")
    paging.add_argument("--limit", type=_positive_int, default=_SUPPRESS,
                        help="visa högst N rader")

    parser = _Parser(
        prog="trefas", parents=[common],
        description="Trefas – samverkan mellan socialtjänst, polis och Kriminalvården. "
                    "Utan kommando startar det grafiska programmet.",
        epilog="Lösenord anges aldrig som argument: de frågas efter, läses med "
               "--password-file eller från TREFAS_PASSWORD.")
    parser.add_argument("--version", action="version", version=f"trefas {__version__}")
    parser.add_argument("--self-test", dest="func", action="store_const", const=cmd_self_test,
                        default=_SUPPRESS,
                        help="kontrollera att installationen fungerar (en rad per kontroll)")
    parser.set_defaults(func=cmd_gui, command_name="gui")
    sub = parser.add_subparsers(title="kommandon", metavar="KOMMANDO", parser_class=_Parser)

    def add(group, name: str, func: Callable, help_text: str, parents=(), full=None):
        p = group.add_parser(name, help=help_text, description=help_text,
                             parents=[common, *parents])
        p.set_defaults(func=func, command_name=full or name)
        return p

    def group_of(name: str, help_text: str):
        p = sub.add_parser(name, help=help_text, description=help_text, parents=[common])
        p.set_defaults(func=_missing_subcommand(p), command_name=name)
        return p.add_subparsers(title="kommandon", metavar="KOMMANDO", parser_class=_Parser)

    cli_server.register(sub, parents=(common,))
    # set-up
    p = add(sub, "init", cmd_init, "skapa en ny, tom lagringsplats med sin första administratör")
    p.add_argument("--admin", metavar="NAME", required=True, help="administratörens användarnamn")
    p.add_argument("--display-name", metavar="TEXT", help="administratörens namn")
    p.add_argument("--unit-name", metavar="TEXT", default="Förvaltningen",
                   help="administratörens enhet (namn)")
    p.add_argument("--unit-code", metavar="CODE", default="ADM", help="enhetens kod")
    p.add_argument("--agency", choices=_values(Agency), default=Agency.CITY.value,
                   help="administratörens myndighet")
    p.add_argument("--password-file", metavar="FILE", default=_SUPPRESS,
                   help="läs administratörens lösenord från filens första rad")
    p.add_argument("--kit", metavar="FILE.pdf", default=_SUPPRESS,
                   help="skriv återställningssatsen (PDF att skriva ut) till FILE.pdf")

    p = add(sub, "demo", cmd_demo, "skapa en lagringsplats med påhittade demodata")
    p.add_argument("--password-file", metavar="FILE", default=_SUPPRESS,
                   help="demoanvändarnas gemensamma lösenord")

    p = add(sub, "check", cmd_check, "kontrollera databasen och nyckelfilen",
            parents=[as_json])
    p.add_argument("--user", metavar="NAME", default=_SUPPRESS,
                   help="kontrollera också att den här användaren kan låsa upp")
    p.add_argument("--password-file", metavar="FILE", default=_SUPPRESS)
    p.add_argument("--repair", action="store_true",
                   help="slutför eller städa upp ett avbrutet nyckelbyte först")

    add(sub, "paths", cmd_paths, "visa var lagringsplatsen och programloggen finns",
        parents=[as_json])

    # users and units
    users = group_of("user", "användare (administratör)")
    p = add(users, "add", cmd_user_add, "lägg till en användare (ger en engångskod)",
            [acting, as_json], "user add")
    p.add_argument("username", metavar="NEWNAME", help="den nya användarens användarnamn")
    p.add_argument("--role", choices=_values(Role), required=True)
    p.add_argument("--unit", metavar="CODE", required=True, help="enhetens kod")
    p.add_argument("--agency", choices=_values(Agency),
                   help="myndighet (annars enhetens)")
    p.add_argument("--display-name", metavar="TEXT", required=True, help="fullständigt namn")
    p.add_argument("--email", metavar="ADDRESS")
    p.add_argument("--phone", metavar="NUMBER")
    add(users, "list", cmd_user_list, "lista användare", [acting, as_json], "user list")
    p = add(users, "disable", cmd_user_disable, "stäng av ett konto och ta bort dess nyckel",
            [acting], "user disable")
    p.add_argument("username", metavar="NAME")
    add(users, "passwd", cmd_user_passwd, "byt ditt eget lösenord", [acting, new_pw],
        "user passwd")
    p = add(users, "reset", cmd_user_reset, "ge en användare en ny engångskod",
            [acting], "user reset")
    p.add_argument("username", metavar="NAME")
    p = add(users, "enrol", cmd_user_enrol, "välj ditt lösenord med engångskoden",
            [new_pw], "user enrol")
    p.add_argument("username", metavar="NAME")
    p.add_argument("--code-file", metavar="FILE", default=_SUPPRESS)
    p = add(users, "confirm", cmd_user_confirm,
            "bekräfta ett konto (arbetsledare i samma myndighet)", [acting], "user confirm")
    p.add_argument("username", metavar="NAME")
    add(users, "pending", cmd_user_pending, "konton som väntar på din bekräftelse", [acting],
        "user pending")
    p = add(sub, "recover", cmd_recover,
            "bekräfta ett konto, eller ge det en ny engångskod, med återställningsnyckeln", [])
    p.add_argument("--confirm", metavar="NAME", default=_SUPPRESS)
    p.add_argument("--reset", metavar="NAME", default=_SUPPRESS)
    p.add_argument("--recovery-key-file", metavar="FILE", default=_SUPPRESS)

    units = group_of("unit", "enheter (administratör)")
    p = add(units, "add", cmd_unit_add, "lägg till en enhet", [acting, as_json], "unit add")
    p.add_argument("code", metavar="CODE")
    p.add_argument("--name", metavar="TEXT", required=True)
    p.add_argument("--agency", choices=_values(Agency), required=True)
    add(units, "list", cmd_unit_list, "lista enheter", [acting, as_json], "unit list")

    # administration
    p = add(sub, "backup", cmd_backup, "gör en krypterad säkerhetskopia", [acting, as_json])
    p.add_argument("--list", action="store_true", help="lista befintliga säkerhetskopior")
    p = add(sub, "restore", cmd_restore, "återställ från en säkerhetskopia", [acting])
    p.add_argument("file", metavar="FILE")
    p.add_argument("--keys", metavar="FILE",
                   help="säkerhetskopians egen nyckelfil, för en kopia från före ett "
                        "nyckelbyte (annars används .keys-filen bredvid kopian)")
    p.add_argument("--dry-run", action="store_true",
                   help="visa bara vad som skulle ersättas; ingenting ändras")
    p.add_argument("--yes", action="store_true", help="fråga inte om bekräftelse")
    add(sub, "rekey", cmd_rekey, "byt datanyckel (efter att en användare tagits bort)",
        [acting])
    retention = group_of("retention", "gallring")
    p = add(retention, "run", cmd_retention_run, "gallra det som passerat bevarandetiden",
            [acting, as_json], "retention run")
    p.add_argument("--dry-run", action="store_true",
                   help="visa bara vad som skulle gallras; ingenting raderas")
    p.add_argument("--today", type=_date, metavar="DATE",
                   help="räkna som om det vore den dagen (bara med --dry-run)")
    p.add_argument("--yes", action="store_true", help="fråga inte om bekräftelse")

    audit = group_of("audit", "åtkomstloggen")
    add(audit, "verify", cmd_audit_verify, "kontrollera att loggkedjan är obruten",
        [acting, as_json], "audit verify")
    p = add(audit, "acknowledge", cmd_audit_acknowledge,
            "kvittera ett larm om åtkomstloggen (arbetsledare eller återställningsnyckeln)",
            [acting], "audit acknowledge")
    p.add_argument("--reason", metavar="TEXT", required=True,
                   help="vad du har granskat och varför larmet kan kvitteras")
    p.add_argument("--recovery-key-file", metavar="FILE", default=_SUPPRESS,
                   help="kvittera med återställningsnyckeln på filens första rad")
    p = add(audit, "show", cmd_audit_show, "visa loggposter", [acting, as_json, paging],
            "audit show")
    p.add_argument("--person", type=_person_id, metavar="ID",
                   help="poster om personen (P-0042 eller 42)")
    p.add_argument("--case", metavar="NUMBER", help="ärendets nummer eller id")
    p.add_argument("--by-user", metavar="NAME",
                   help="poster om vad den här användaren gjort (--user är du som läser)")
    p.add_argument("--action", metavar="TEXT",
                   help="händelser vars kod eller namn har ett ord som börjar så, t.ex. "
                        "”lo” (inloggningar, utloggningar), ”läste”, ”case.read”")
    p.add_argument("--since", type=_date, metavar="DATE",
                   help="från och med dagen (ÅÅÅÅ-MM-DD, eller t.ex. -7d för en vecka sedan)")
    p.add_argument("--until", type=_date, metavar="DATE",
                   help="till och med dagen (ÅÅÅÅ-MM-DD, eller t.ex. today)")

    # case work
    person = group_of("person", "personer")
    p = add(person, "list", cmd_person_list, "lista eller sök personer",
            [acting, as_json, paging], "person list")
    p.add_argument("--query", metavar="TEXT", help="namn, personnummer eller P-nummer")
    p = add(person, "add", cmd_person_add, "registrera en person", [acting, as_json],
            "person add")
    p.add_argument("--first-name", metavar="TEXT", required=True)
    p.add_argument("--last-name", metavar="TEXT", required=True)
    p.add_argument("--personal-number", metavar="NUMBER",
                   help="personnummer eller samordningsnummer")
    p.add_argument("--phone", metavar="NUMBER")
    p.add_argument("--address", metavar="TEXT")
    p.add_argument("--postal-code", metavar="TEXT")
    p.add_argument("--city", metavar="TEXT")
    p.add_argument("--protection", choices=_values(ProtectionLevel))
    p.add_argument("--risk", choices=_values(RiskLevel))
    p.add_argument("--risk-factors", metavar="TEXT")
    p.add_argument("--protective-factors", metavar="TEXT")
    p = add(person, "show", cmd_person_show, "visa en person", [acting, as_json],
            "person show")
    p.add_argument("person_id", type=_person_id, metavar="ID")

    case = group_of("case", "ärenden")
    p = add(case, "list", cmd_case_list, "lista ärenden", [acting, as_json, paging],
            "case list")
    p.add_argument("--state", action="append", choices=_values(CaseState))
    p.add_argument("--query", metavar="TEXT")
    p.add_argument("--mine", action="store_true", help="bara ärenden där du ingår i teamet")
    p = add(case, "show", cmd_case_show, "visa ett ärende", [acting, as_json], "case show")
    p.add_argument("number", metavar="NUMBER")
    p.add_argument("--notes", action="store_true", help="ta med anteckningarna")
    p = add(case, "open", cmd_case_open, "öppna ett ärende för en person", [acting, as_json],
            "case open")
    p.add_argument("--person", type=_person_id, metavar="ID", required=True)
    p.add_argument("--title", metavar="TEXT", required=True)

    note = group_of("note", "journalanteckningar")
    p = add(note, "add", cmd_note_add, "skriv en anteckning (texten från standard in eller "
            "--file)", [acting, as_json], "note add")
    p.add_argument("--case", metavar="NUMBER", required=True)
    p.add_argument("--title", metavar="TEXT", required=True)
    p.add_argument("--category", choices=_values(Category), required=True)
    p.add_argument("--file", metavar="FILE", help="läs texten från filen ('-' = standard in)")
    p.add_argument("--corrects", type=int, metavar="ID", help="rättar den signerade "
                   "anteckningen ID")
    p = add(note, "sign", cmd_note_sign, "signera ett utkast", [acting], "note sign")
    p.add_argument("note_id", type=int, metavar="ID")
    p = add(note, "list", cmd_note_list, "lista ett ärendes anteckningar",
            [acting, as_json, paging], "note list")
    p.add_argument("--case", metavar="NUMBER", required=True)

    consent = group_of("consent", "samtycken")
    p = add(consent, "add", cmd_consent_add, "registrera ett samtycke eller lagstöd",
            [acting, as_json], "consent add")
    p.add_argument("--person", type=_person_id, metavar="ID", required=True)
    p.add_argument("--purpose", metavar="TEXT", required=True)
    p.add_argument("--from", dest="valid_from", type=_date, metavar="DATE",
                   help="gäller från (annars i dag)")
    p.add_argument("--until", type=_date, metavar="DATE", required=True,
                   help="gäller till och med (krävs)")
    p.add_argument("--grant", type=_grant, action="append", required=True,
                   metavar="AGENCY:CATEGORY", help="t.ex. police:social (kan upprepas)")
    p.add_argument("--basis", choices=_values(ConsentBasis))
    p.add_argument("--form", choices=_values(ConsentForm))
    p.add_argument("--guardian", metavar="NAME", help="vårdnadshavare (för den under 18)")
    p.add_argument("--legal-reference", metavar="TEXT", help="lagrum vid lagstöd")
    p.add_argument("--case", metavar="NUMBER")
    p = add(consent, "withdraw", cmd_consent_withdraw, "återkalla ett samtycke", [acting],
            "consent withdraw")
    p.add_argument("consent_id", type=int, metavar="ID")
    p.add_argument("--reason", metavar="TEXT", required=True)
    p = add(consent, "list", cmd_consent_list, "lista en persons samtycken", [acting, as_json],
            "consent list")
    p.add_argument("--person", type=_person_id, metavar="ID", required=True)

    p = add(sub, "emergency", cmd_emergency, "nödåtkomst: läs ett ärende utanför ditt team, "
            "med skäl", [acting])
    p.add_argument("--case", metavar="NUMBER", required=True)
    p.add_argument("--reason", metavar="TEXT", required=True)
    p.add_argument("--hours", type=_positive_int, default=4)

    # PDF documents: their commands live beside the document services.
    from trefas_app.cli_documents import add_document_commands

    add_document_commands(sub, common, acting, as_json)
    return parser


def _missing_subcommand(p: argparse.ArgumentParser) -> Callable:
    def run(args: argparse.Namespace) -> int:
        p.print_usage(sys.stderr)
        err(t(f"{p.prog}: välj ett kommando (se {p.prog} --help).",
              f"{p.prog}: choose a command (see {p.prog} --help)."))
        return EXIT_USAGE
    return run


# --- running ------------------------------------------------------------------------


def _report_unexpected(exc: BaseException, command: str) -> int:
    """A calm line for the user; type and place (never the message) for the log."""
    log_path = paths.configure_logging()
    log.error("unexpected error in command %r", command, exc_info=exc)
    where = str(log_path) if log_path else t("(ingen logg kunde skrivas)",
                                             "(no log could be written)")
    err(t(f"Ett oväntat fel inträffade ({type(exc).__name__}); ingenting har skrivits ut. "
          f"Tekniska detaljer, utan ärendeuppgifter, finns i {where}.",
          f"An unexpected error occurred ({type(exc).__name__}); nothing was printed. "
          f"Technical details, without case data, are in {where}."))
    return EXIT_FAILED


def _exit_code(value: Any) -> int:
    if value is None:
        return EXIT_OK
    if isinstance(value, bool):
        return EXIT_OK if value else EXIT_FAILED
    return int(value)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit status (the console script exits with it)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    _Lang.code = _detect_language(argv)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="replace")
        except (AttributeError, ValueError):
            pass
    command = "?"
    try:
        with _argparse_in_language():
            parser = build_parser()
            try:
                args = parser.parse_args(argv)
            except SystemExit as exc:  # argparse: --help, --version (0) or bad usage (2)
                return _exit_code(exc.code)
        command = args.command_name
        paths.configure_logging()
        settings.apply_office_zone()  # the deployment's file; the environment overrides it
        clock.configure_from_environment()
        log.info("command %s", command)
        return _exit_code(args.func(args))
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except TrefasError as exc:
        log.info("command %s ended with %s", command, type(exc).__name__)
        err(exc.message(_Lang.code))
        return exc.exit_code
    except BrokenPipeError:
        try:  # the reader went away (``trefas case list | head``): say nothing
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return EXIT_FAILED
    except SystemExit as exc:
        return _exit_code(exc.code)
    except Exception as exc:  # noqa: BLE001 – the last line of defence
        from trefas_app.store.engine import translate_os_error

        known = translate_os_error(exc)  # a full disk wherever it was noticed
        if known is not None:
            log.info("command %s ended with %s", command, type(known).__name__)
            err(known.message(_Lang.code))
            return known.exit_code
        return _report_unexpected(exc, command)


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
