"""Setting a store up and looking at it: ``trefas`` (the window), ``init``,
``demo``, ``check``, ``paths`` and ``--self-test``."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import sys
from pathlib import Path
from typing import Any

from trefas_app import __version__, paths
from trefas_app.cli.arguments import SUPPRESS, Commands, opt, values
from trefas_app.cli.output import (
    EXIT_FAILED,
    EXIT_OK,
    Lang,
    err,
    out,
    plain,
    print_json,
    print_table,
    t,
)
from trefas_app.cli.passwords import (
    PASSWORD_ENV,
    acting_password,
    obtain_password,
    password_policy,
    read_password_file,
)
from trefas_app.cli.sessions import require_store, store_dir
from trefas_app.domain.enums import Agency
from trefas_app.domain.errors import StoreExists, TrefasError

log = logging.getLogger("trefas.cli")


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
    from trefas_app.cli import server

    log.info("starting the graphical interface")
    return int(run_gui(root, server.server_of(args)) or 0)


def cmd_init(args: argparse.Namespace) -> int:
    from trefas_app.store.store import StorePaths, create_store

    root = store_dir(args)
    if StorePaths(root).exists():
        raise StoreExists(
            f"Det finns redan en lagringsplats i {root}. Ingenting har ändrats.",
            f"A store already exists in {root}. Nothing was changed.")
    admin = args.admin.strip().lower()
    password = obtain_password(
        opt(args, "password_file"), PASSWORD_ENV,
        t(f"Välj lösenord för administratören {admin}: ",
          f"Choose a password for the administrator {admin}: "), confirm=True,
        check=lambda pw: password_policy(pw, admin))
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
    if opt(args, "kit"):
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
    if opt(args, "password_file"):
        password = read_password_file(args.password_file)
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
    if os.environ.get(PASSWORD_ENV) or opt(args, "password_file"):
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
    require_store(root)
    if opt(args, "repair"):
        done = admin.recover_interrupted_rekey(root)
        out(done or t("Inget avbrutet nyckelbyte att slutföra.",
                      "No interrupted re-key to finish."))
    username = opt(args, "user") or None
    password = acting_password(args, username) if username else None
    report = admin.check_store(root, username=username, password=password)
    problems = [_problem_text(p) for p in (getattr(report, "problems", None) or ())]
    if not opt(args, "json"):
        for note in getattr(report, "notes", None) or ():
            out(t(note, "Leftovers of an interrupted backup have been removed."))
    if opt(args, "json"):
        print_json({"ok": bool(report.ok), "problems": problems,
                    "report": plain(report)})
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
        return problem.message(Lang.code)
    if isinstance(problem, str):
        return problem
    for attr in (("sv", "en") if Lang.code == "sv" else ("en", "sv")):
        value = getattr(problem, attr, None) or getattr(problem, f"message_{attr}", None)
        if isinstance(value, str) and value:
            return value
    if isinstance(problem, (tuple, list)) and problem and all(isinstance(x, str)
                                                               for x in problem):
        return problem[0] if Lang.code == "sv" or len(problem) < 2 else problem[1]
    return str(problem)


def cmd_paths(args: argparse.Namespace) -> int:
    from trefas_app.store.store import StorePaths

    root = store_dir(args)
    info = {"store": str(root), "store_exists": StorePaths(root).exists(),
            "log_file": str(paths.log_file()), "witness_dir": str(paths.witness_dir()),
            "version": __version__}
    if opt(args, "json"):
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
    for line in selftest.report(results, Lang.code):
        out(line)
    return EXIT_OK if all(r.ok for r in results) else EXIT_FAILED


def register(commands: Commands) -> None:
    add, sub, as_json = commands.add, commands.sub, commands.as_json
    p = add(sub, "init", cmd_init, "skapa en ny, tom lagringsplats med sin första administratör")
    p.add_argument("--admin", metavar="NAME", required=True, help="administratörens användarnamn")
    p.add_argument("--display-name", metavar="TEXT", help="administratörens namn")
    p.add_argument("--unit-name", metavar="TEXT", default="Förvaltningen",
                   help="administratörens enhet (namn)")
    p.add_argument("--unit-code", metavar="CODE", default="ADM", help="enhetens kod")
    p.add_argument("--agency", choices=values(Agency), default=Agency.CITY.value,
                   help="administratörens myndighet")
    p.add_argument("--password-file", metavar="FILE", default=SUPPRESS,
                   help="läs administratörens lösenord från filens första rad")
    p.add_argument("--kit", metavar="FILE.pdf", default=SUPPRESS,
                   help="skriv återställningssatsen (PDF att skriva ut) till FILE.pdf")

    p = add(sub, "demo", cmd_demo, "skapa en lagringsplats med påhittade demodata")
    p.add_argument("--password-file", metavar="FILE", default=SUPPRESS,
                   help="demoanvändarnas gemensamma lösenord")

    p = add(sub, "check", cmd_check, "kontrollera databasen och nyckelfilen",
            parents=[as_json])
    p.add_argument("--user", metavar="NAME", default=SUPPRESS,
                   help="kontrollera också att den här användaren kan låsa upp")
    p.add_argument("--password-file", metavar="FILE", default=SUPPRESS)
    p.add_argument("--repair", action="store_true",
                   help="slutför eller städa upp ett avbrutet nyckelbyte först")

    add(sub, "paths", cmd_paths, "visa var lagringsplatsen och programloggen finns",
        parents=[as_json])
