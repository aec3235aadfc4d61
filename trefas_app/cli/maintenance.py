"""Keeping a store: ``trefas backup``, ``restore``, ``rekey`` and ``retention run``."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from trefas_app.cli.arguments import Commands, date_arg, opt
from trefas_app.cli.output import EXIT_OK, out, print_json, print_table, t
from trefas_app.cli.passwords import acting_password
from trefas_app.cli.sessions import (
    acting_username,
    confirm,
    require_store,
    session,
    store_dir,
)
from trefas_app.domain.errors import NotFound, UsageError
from trefas_app.domain.text import file_size


def cmd_backup(args: argparse.Namespace) -> int:
    from trefas_app.services import admin

    with session(args) as store:
        if opt(args, "list"):
            backups = admin.list_backups(store)
        else:
            info = admin.backup(store, store.actor)
    if opt(args, "list"):
        if opt(args, "json"):
            print_json(list(backups))
        elif not backups:
            out(t("Det finns inga säkerhetskopior än.", "There are no backups yet."))
        else:
            print_table([t("Skapad", "Created"), t("Storlek", "Size"), t("Fil", "File")],
                        [(b.created_at, file_size(b.size), b.path) for b in backups])
        return EXIT_OK
    if opt(args, "json"):
        print_json(info)
    elif not store.has_data_key:
        out(t(f"Säkerhetskopian är klar: {info.path} ({file_size(info.size)}). Utan nyckel är "
              "den kontrollerad som en oförändrad, krypterad kopia med hela sidor; sidornas "
              "äkthet kontrollerar en arbetsledare med ”trefas check --user NAMN”.",
              f"The backup is done: {info.path} ({file_size(info.size)}). Without the key it is "
              "checked as an unchanged, encrypted copy of whole pages; a supervisor checks "
              "the pages' authenticity with 'trefas check --user NAME'."))
    else:
        leftovers = getattr(info, "leftovers_removed", ())
        if leftovers:
            out(t(f"Rester av en tidigare avbruten säkerhetskopiering togs bort: "
                  f"{', '.join(leftovers)}.",
                  f"Leftovers of an earlier interrupted backup were removed: "
                  f"{', '.join(leftovers)}."))
        out(t(f"Säkerhetskopian är klar och kontrollerad: {info.path} ({file_size(info.size)}).",
              f"The backup is done and verified: {info.path} ({file_size(info.size)})."))
        if getattr(info, "key_path", None):
            out(t(f"Nyckelfilen som öppnar den: {info.key_path}",
                  f"The key file that opens it: {info.key_path}"))
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    """Says what will be replaced, asks (or ``--yes``; ``--dry-run`` only
    tells), and restores. A backup from before a re-key is opened with its own
    key file: ``--keys FILE``, else the one kept beside the backup."""
    from trefas_app.services import admin

    backup_file = Path(args.file).expanduser()
    if not backup_file.is_file():
        raise NotFound(f"Säkerhetskopian {backup_file} finns inte.",
                       f"The backup {backup_file} does not exist.")
    keys = Path(args.keys).expanduser() if opt(args, "keys") else None
    root = store_dir(args)
    require_store(root)
    out(t(f"Återställer {root / 'trefas.db'} från {backup_file} "
          f"({file_size(backup_file.stat().st_size)}). Det som sparats efter kopian försvinner ur "
          f"databasen; den nuvarande databasen sparas undan bredvid. Nyckelfilen (vilka som "
          f"kan logga in) behålls.",
          f"Restoring {root / 'trefas.db'} from {backup_file} "
          f"({file_size(backup_file.stat().st_size)}). What was saved after the backup leaves the "
          f"database; the current database is kept beside it. The key file (who can log in) "
          f"is kept."))
    if opt(args, "dry_run"):
        out(t("Ingenting har ändrats (--dry-run).", "Nothing was changed (--dry-run)."))
        return EXIT_OK
    confirm(args, t("Återställa? [ja/nej] ", "Restore? [yes/no] "))
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

    dry_run = bool(opt(args, "dry_run"))
    if opt(args, "today") and not dry_run:
        raise UsageError(
            "--today går bara att använda med --dry-run: en riktig gallring räknar från "
            "dagens datum.",
            "--today can only be used with --dry-run: a real retention run counts from "
            "today's date.")
    today = opt(args, "today") or clock_today()
    with session(args) as store:
        due = admin.retention_due(store, store.actor, today)
        if opt(args, "json") and (dry_run or not due):
            print_json({"today": today, "dry_run": dry_run, "due": due})
            return EXIT_OK
        if opt(args, "json"):  # the list for the person who confirms; JSON stays clean
            import contextlib

            with contextlib.redirect_stdout(sys.stderr):
                _print_retention_due(due, today)
        else:
            _print_retention_due(due, today)
        if dry_run or not due:
            if dry_run and due:
                out(t("Ingenting är raderat (--dry-run).", "Nothing was deleted (--dry-run)."))
            return EXIT_OK
        confirm(args, t(f"Radera de {len(due)} ärendena ovan, med anteckningar och allt som "
                         f"hör till dem? Det går inte att ångra. [ja/nej] ",
                         f"Delete the {len(due)} cases above, with their notes and everything "
                         f"that belongs to them? This cannot be undone. [yes/no] "))
        report = admin.run_retention(store, store.actor, today,
                                     only={c.case_id for c in due})
    if opt(args, "json"):
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


def register(commands: Commands) -> None:
    add, sub, acting, as_json = commands.add, commands.sub, commands.acting, commands.as_json
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
    retention = commands.group("retention", "gallring")
    p = add(retention, "run", cmd_retention_run, "gallra det som passerat bevarandetiden",
            [acting, as_json], "retention run")
    p.add_argument("--dry-run", action="store_true",
                   help="visa bara vad som skulle gallras; ingenting raderas")
    p.add_argument("--today", type=date_arg, metavar="DATE",
                   help="räkna som om det vore den dagen (bara med --dry-run)")
    p.add_argument("--yes", action="store_true", help="fråga inte om bekräftelse")
