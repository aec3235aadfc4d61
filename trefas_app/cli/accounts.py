"""Accounts and units: ``trefas user …``, ``trefas unit …`` and ``trefas recover``."""

from __future__ import annotations

import argparse

from trefas_app.cli.arguments import SUPPRESS, Commands, opt, values
from trefas_app.cli.output import EXIT_OK, lbl, out, print_json, print_result, print_table, t
from trefas_app.cli.passwords import (
    ENROLMENT_CODE_ENV,
    RECOVERY_KEY_ENV,
    acting_password,
    new_password,
    obtain_password,
)
from trefas_app.cli.sessions import (
    acting_username,
    as_user,
    on_store,
    require_store,
    session,
    store_dir,
)
from trefas_app.domain.enums import Agency, Role
from trefas_app.domain.errors import ValidationError


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
        agency = Agency(args.agency) if opt(args, "agency") else Agency(agency or "city")
        view = accounts.create_account(store, args.username, args.display_name,
                                       Role(args.role), agency, code,
                                       email=opt(args, "email"), phone=opt(args, "phone"))
    if opt(args, "json"):
        print_json({"username": view.username, "state": view.state,
                    "enrolment_code": view.enrolment_code})
    else:
        out(t(f"Användaren {view.username} är skapad ({lbl(view.role)}, {view.unit_name}).",
              f"The user {view.username} has been created ({lbl(view.role)}, "
              f"{view.unit_name})."))
        _print_enrolment_code(view.username, view.enrolment_code)
    return EXIT_OK


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
    if opt(args, "json"):
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
    on_store(args, accounts.disable_account, name)
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
    require_store(root)
    name = args.username.strip().lower()
    code = obtain_password(opt(args, "code_file"), ENROLMENT_CODE_ENV,
                           t("Engångskod: ", "One-time code: "))
    password = new_password(args, name)
    fingerprint = accounts.enrol_account(root, name, code, password)
    out(t("Ditt lösenord är valt. Kontot väntar nu på bekräftelse från en arbetsledare i din "
          "myndighet.", "Your password is set. The account now waits for confirmation from "
          "a supervisor of your agency."))
    _print_fingerprint(fingerprint)
    return EXIT_OK


def _print_fingerprint(fingerprint: str) -> None:
    out(t("Ditt fingeravtryck (läs upp det för den som bekräftar kontot, som ska skriva in "
          "det):", "Your fingerprint (read it out to whoever confirms the account; they must "
          "type it in):"))
    out(f"    {fingerprint}")


def cmd_user_fingerprint(args: argparse.Namespace) -> int:
    """The person's own key fingerprint, from the private key their password
    opens (not from the key file), for the one who confirms them."""
    with session(args) as store:
        fingerprint = getattr(store, "key_fingerprint", "")
    if not fingerprint:
        raise ValidationError("Ditt konto väntar inte på bekräftelse; det finns inget "
                              "fingeravtryck att läsa upp.",
                              "Your account is not waiting for confirmation; there is no "
                              "fingerprint to read out.")
    _print_fingerprint(fingerprint)
    return EXIT_OK


def _typed_fingerprint(args: argparse.Namespace) -> str:
    """The fingerprint the person read out (``--fingerprint``): required."""
    given = (opt(args, "fingerprint") or "").strip()
    if not given:
        raise ValidationError(
            "Ange --fingerprint med det fingeravtryck som personen läser upp från sin egen "
            "skärm (det visades när hen valde lösenord och visas när hen loggar in). Kontot "
            "bekräftas bara om det stämmer.",
            "Give --fingerprint with the fingerprint the person reads out from their own "
            "screen (shown when they chose their password, and when they log in). The "
            "account is confirmed only if it matches.")
    return given


def cmd_user_confirm(args: argparse.Namespace) -> int:
    from trefas_app.services import accounts

    name = args.username.strip().lower()
    as_user(args, accounts.confirm_account, name, _typed_fingerprint(args))
    out(t(f"Kontot {name} är bekräftat och når nu ärendeinnehåll enligt sin roll.",
          f"The account {name} is confirmed and now reaches case content by its role."))
    return EXIT_OK


def cmd_user_pending(args: argparse.Namespace) -> int:
    from trefas_app.services import accounts

    waiting = as_user(args, accounts.pending_confirmations)
    if opt(args, "json"):
        print_json([{"username": p.username, "display_name": p.display_name,
                     "role": p.role.value, "unit_name": p.unit_name} for p in waiting])
        return EXIT_OK
    print_table([t("Användarnamn", "User name"), t("Namn", "Name"), t("Roll", "Role"),
                 t("Enhet", "Unit")],
                [(p.username, p.display_name, p.role, p.unit_name) for p in waiting])
    if waiting:
        out(t("Be personen läsa upp fingeravtrycket från sin egen skärm och skriv in det "
              "(”trefas user confirm NAMN --fingerprint …”); kontot bekräftas bara om det "
              "stämmer med kontots nyckel.",
              "Ask the person to read out the fingerprint on their own screen and type it "
              "('trefas user confirm NAME --fingerprint …'); the account is confirmed only "
              "if it matches the account's key."))
    return EXIT_OK


def cmd_recover(args: argparse.Namespace) -> int:
    """Confirm an account with the recovery key (first supervisor of an agency,
    or every supervisor gone). Logged loudly; every supervisor is told."""
    from trefas_app.services import accounts

    root = store_dir(args)
    require_store(root)
    key = obtain_password(opt(args, "recovery_key_file"), RECOVERY_KEY_ENV,
                          t("Återställningsnyckel: ", "Recovery key: "))
    if opt(args, "reset"):
        name = args.reset.strip().lower()
        code = accounts.reset_with_recovery_key(root, key, name)
        out(t(f"{name} har fått en ny engångskod med återställningsnyckeln (det står i loggen "
              "och visas för varje arbetsledare).", f"{name} has a new one-time code from the "
              "recovery key (it is in the log and shown to every supervisor)."))
        _print_enrolment_code(name, code)
        return EXIT_OK
    if not opt(args, "confirm"):
        raise ValidationError("Ange --confirm NAMN eller --reset NAMN.",
                              "Give --confirm NAME or --reset NAME.")
    name = args.confirm.strip().lower()
    accounts.confirm_with_recovery_key(root, key, name, _typed_fingerprint(args))
    out(t(f"Kontot {name} är bekräftat med återställningsnyckeln. Det står i loggen och "
          "visas för varje arbetsledare vid nästa inloggning.",
          f"The account {name} is confirmed with the recovery key. It is in the log and is "
          "shown to every supervisor at their next log-in."))
    return EXIT_OK


def cmd_user_passwd(args: argparse.Namespace) -> int:
    from trefas_app.services import users as users_svc

    username = acting_username(args)
    require_store(store_dir(args))
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
    view = on_store(args, accounts.reset_account, target)
    out(t(f"{view.username} har fått en ny engångskod; kontot når inget ärendeinnehåll förrän "
          "en arbetsledare har bekräftat det igen.",
          f"{view.username} has a new one-time code; the account reaches no case content "
          "until a supervisor has confirmed it again."))
    _print_enrolment_code(view.username, view.enrolment_code)
    return EXIT_OK


def cmd_unit_add(args: argparse.Namespace) -> int:
    from trefas_app.services import accounts

    agency, code, name = on_store(args, accounts.add_unit, Agency(args.agency), args.code,
                                  args.name)
    return print_result(args, {"agency": agency, "code": code, "name": name},
                        t(f"Enheten {code} ({name}) är skapad.",
                          f"The unit {code} ({name}) has been created."))


def cmd_unit_list(args: argparse.Namespace) -> int:
    from trefas_app.services import accounts

    units = on_store(args, accounts.list_units)
    if opt(args, "json"):
        print_json([{"agency": a, "code": c, "name": n} for a, c, n in units])
        return EXIT_OK
    print_table([t("Kod", "Code"), t("Namn", "Name"), t("Myndighet", "Agency")],
                [(c, n, a) for a, c, n in units])
    return EXIT_OK


def register(commands: Commands) -> None:
    add, acting, as_json = commands.add, commands.acting, commands.as_json
    new_pw = commands.new_password
    users = commands.group("user", "användare (administratör)")
    p = add(users, "add", cmd_user_add, "lägg till en användare (ger en engångskod)",
            [acting, as_json], "user add")
    p.add_argument("username", metavar="NEWNAME", help="den nya användarens användarnamn")
    p.add_argument("--role", choices=values(Role), required=True)
    p.add_argument("--unit", metavar="CODE", required=True, help="enhetens kod")
    p.add_argument("--agency", choices=values(Agency),
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
    p.add_argument("--code-file", metavar="FILE", default=SUPPRESS)
    p = add(users, "confirm", cmd_user_confirm,
            "bekräfta ett konto (arbetsledare i samma myndighet)", [acting], "user confirm")
    p.add_argument("username", metavar="NAME")
    p.add_argument("--fingerprint", metavar="CODE", default=SUPPRESS,
                   help="fingeravtrycket som personen läser upp från sin skärm")
    add(users, "pending", cmd_user_pending, "konton som väntar på din bekräftelse",
        [acting, as_json], "user pending")
    add(users, "fingerprint", cmd_user_fingerprint,
        "visa din nyckels fingeravtryck (konto som väntar på bekräftelse)", [acting],
        "user fingerprint")
    p = add(commands.sub, "recover", cmd_recover,
            "bekräfta ett konto, eller ge det en ny engångskod, med återställningsnyckeln", [])
    p.add_argument("--confirm", metavar="NAME", default=SUPPRESS)
    p.add_argument("--fingerprint", metavar="CODE", default=SUPPRESS,
                   help="med --confirm: fingeravtrycket som personen läser upp")
    p.add_argument("--reset", metavar="NAME", default=SUPPRESS)
    p.add_argument("--recovery-key-file", metavar="FILE", default=SUPPRESS)

    units = commands.group("unit", "enheter (administratör)")
    p = add(units, "add", cmd_unit_add, "lägg till en enhet", [acting, as_json], "unit add")
    p.add_argument("code", metavar="CODE")
    p.add_argument("--name", metavar="TEXT", required=True)
    p.add_argument("--agency", choices=values(Agency), required=True)
    add(units, "list", cmd_unit_list, "lista enheter", [acting, as_json], "unit list")
