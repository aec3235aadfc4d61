"""``trefas server …``: setting up a PostgreSQL server store, moving a local
store onto it, and the account steps there (docs/server.md).

The database's own credentials (for ``init``, ``import`` and
``confirm-first``) come from the URL or libpq's ``PGPASSWORD``/``.pgpass``;
a Trefas user's password, as everywhere, from a file, ``TREFAS_PASSWORD`` or a
prompt — never from an argument.
"""

from __future__ import annotations

import argparse
from types import SimpleNamespace
from trefas_app.domain.enums import Agency, Role

SERVER_OPTION_HELP = ("serverns adress, postgresql://… (annars TREFAS_SERVER eller "
                      "inställningsfilens server); utan den används den lokala lagringsplatsen")


def server_of(args: argparse.Namespace) -> str | None:
    """``--server``, else ``TREFAS_SERVER``, else the settings file; None: local."""
    from trefas_app.server.connection import server_url

    if getattr(args, "local_only", False):
        return None
    given = getattr(args, "server", None)
    return given.strip() if given and given.strip() else server_url()


def open_server_session(args: argparse.Namespace, username: str, password: str):
    """The command's session on the server, or None for a local store."""
    from trefas_app.server.connection import connect

    url = server_of(args)
    return None if url is None else connect(url, username, password)


def _cli() -> SimpleNamespace:
    """The command line's shared helpers, gathered for the server commands."""
    from trefas_app.cli import accounts, arguments, output, passwords, sessions

    return SimpleNamespace(
        session=sessions.session, out=output.out, t=output.t, EXIT_OK=output.EXIT_OK,
        new_password=passwords.new_password, obtain_password=passwords.obtain_password,
        ENROLMENT_CODE_ENV=passwords.ENROLMENT_CODE_ENV, opt=arguments.opt,
        print_enrolment_code=accounts._print_enrolment_code,
        print_fingerprint=accounts._print_fingerprint,
        typed_fingerprint=accounts._typed_fingerprint)


def _fingerprint_option(parser) -> None:
    parser.add_argument("--fingerprint", metavar="CODE", default=argparse.SUPPRESS,
                        help="fingeravtrycket som personen läser upp (visades vid enrol)")


def _require_server(args: argparse.Namespace) -> str:
    from trefas_app.domain.errors import UsageError

    url = server_of(args)
    if url is None:
        raise UsageError("Ange servern med --server URL eller TREFAS_SERVER.",
                         "Name the server with --server URL or TREFAS_SERVER.")
    return url


def cmd_server_init(args: argparse.Namespace) -> int:
    cli = _cli()
    from trefas_app.server.setup import init_server

    name = args.admin.strip().lower()
    password = cli.new_password(args, name)
    report = init_server(args.db, admin_username=name,
                         admin_display_name=args.display_name or name,
                         admin_password=password, agency=Agency(args.agency),
                         unit_code=args.unit_code, unit_name=args.unit_name)
    for step in report.done:
        cli.out(f"  {cli.t(*step)}")
    cli.out(cli.t(f"Servern är klar: databas {report.database}, lagringsplats "
                  f"{report.store_id}, administratör {name}.",
                  f"The server is ready: database {report.database}, store "
                  f"{report.store_id}, administrator {name}."))
    return cli.EXIT_OK


def cmd_server_upgrade(args: argparse.Namespace) -> int:
    cli = _cli()
    from trefas_app.server.installation import upgrade

    report = upgrade(args.db)
    for step in report.done:
        cli.out(f"  {cli.t(*step)}")
    cli.out(cli.t(f"Servern är uppgraderad till programmets installation: databas "
                  f"{report.database}, lagringsplats {report.store_id}. Skrivborden loggar in "
                  "som vanligt med den här versionen av programmet.",
                  f"The server is upgraded to the program's installation: database "
                  f"{report.database}, store {report.store_id}. Desktops log in as usual "
                  "with this version of the program."))
    return cli.EXIT_OK


def cmd_server_import(args: argparse.Namespace) -> int:
    cli = _cli()
    from trefas_app.server.import_store import import_store

    with cli.session(argparse.Namespace(**{**vars(args), "local_only": True})) as store:
        report = import_store(args.db, store)
    for table, count in sorted(report.rows.items()):
        if count:
            cli.out(f"  {table}: {count}")
    cli.out(cli.t(f"Flyttat: {sum(report.rows.values())} rader, varav "
                  f"{report.entries} logghändelser (kedjan kontrollerad först), till "
                  f"databasen {report.setup.database}.",
                  f"Moved: {sum(report.rows.values())} rows, of which {report.entries} "
                  f"log entries (chain verified first), to the database "
                  f"{report.setup.database}."))
    for username, code in sorted(report.codes.items()):
        cli.print_enrolment_code(username, code)
    return cli.EXIT_OK


def cmd_server_confirm_first(args: argparse.Namespace) -> int:
    cli = _cli()
    from trefas_app.server.setup import confirm_first

    group = confirm_first(args.db, args.username.strip().lower(), cli.typed_fingerprint(args))
    cli.out(cli.t(f"{args.username} är bekräftad som arbetsledare ({group}).",
                  f"{args.username} is confirmed as a supervisor ({group})."))
    return cli.EXIT_OK


def cmd_server_add_user(args: argparse.Namespace) -> int:
    cli = _cli()
    from trefas_app.server import accounts as server_accounts

    _require_server(args)
    name = args.username.strip().lower()
    with cli.session(args) as store:
        code = server_accounts.open_account(store, username=name,
                                            display_name=args.display_name or name,
                                            role=Role(args.role), unit_id=args.unit)
    cli.print_enrolment_code(name, code)
    return cli.EXIT_OK


def cmd_server_enrol(args: argparse.Namespace) -> int:
    cli = _cli()
    from trefas_app.server import accounts as server_accounts

    url = _require_server(args)
    name = args.username.strip().lower()
    code = cli.obtain_password(cli.opt(args, "code_file"), cli.ENROLMENT_CODE_ENV,
                               cli.t("Engångskod: ", "One-time code: "))
    fingerprint = server_accounts.enrol(url, name, code, cli.new_password(args, name))
    cli.out(cli.t("Ditt lösenord är valt. Kontot väntar nu på bekräftelse från en "
                  "arbetsledare i din myndighet.",
                  "Your password is set. The account now waits for confirmation from a "
                  "supervisor of your agency."))
    cli.print_fingerprint(fingerprint)
    return cli.EXIT_OK


def cmd_server_confirm(args: argparse.Namespace) -> int:
    cli = _cli()
    from trefas_app.server import accounts as server_accounts

    _require_server(args)
    name = args.username.strip().lower()
    with cli.session(args) as store:
        server_accounts.confirm(store, name, cli.typed_fingerprint(args))
    cli.out(cli.t(f"Kontot {name} är bekräftat.", f"The account {name} is confirmed."))
    return cli.EXIT_OK


def cmd_server_disable(args: argparse.Namespace) -> int:
    cli = _cli()
    from trefas_app.server import accounts as server_accounts

    _require_server(args)
    name = args.username.strip().lower()
    with cli.session(args) as store:
        ended = server_accounts.disable(store, name)
    cli.out(cli.t(f"Kontot {name} är avstängt; {ended} öppna anslutningar avslutades.",
                  f"The account {name} is disabled; {ended} open connections were ended."))
    return cli.EXIT_OK


def register(subparsers, parents=()) -> None:
    """The ``server`` command group (``parents``: the shared options). Also
    takes the cli package's ``Commands`` (its subparsers and shared options)."""
    if hasattr(subparsers, "sub") and hasattr(subparsers, "common"):
        subparsers, parents = subparsers.sub, (subparsers.common,)
    group = subparsers.add_parser("server", help="serverläge: PostgreSQL",
                                  description="serverläge: PostgreSQL", parents=list(parents))
    group.set_defaults(func=lambda _a: group.print_help() or 2, command_name="server")
    sub = group.add_subparsers(title="kommandon", metavar="KOMMANDO",
                               parser_class=type(group))

    def add(name: str, func, help_text: str):
        p = sub.add_parser(name, help=help_text, description=help_text, parents=list(parents))
        p.set_defaults(func=func, command_name=f"server {name}")
        return p

    def db(p, what: str) -> None:
        p.add_argument("--db", metavar="URL", required=True, help=what)

    def acting(p) -> None:
        p.add_argument("--user", metavar="NAME", default=argparse.SUPPRESS,
                       help="du som loggar in (annars TREFAS_USER)")
        p.add_argument("--password-file", metavar="FILE", default=argparse.SUPPRESS,
                       help="läs ditt lösenord från filens första rad (annars "
                            "TREFAS_PASSWORD eller en fråga)")

    p = add("init", cmd_server_init, "skapa en serverlagringsplats och dess första administratör")
    db(p, "databasens adress, som PostgreSQL-superanvändare eller roll med CREATEROLE")
    p.add_argument("--admin", metavar="NAME", required=True,
                   help="administratörens användarnamn (och inloggningsroll)")
    p.add_argument("--display-name", metavar="TEXT", help="administratörens namn")
    p.add_argument("--unit-name", metavar="TEXT", default="Förvaltningen",
                   help="administratörens enhet (namn)")
    p.add_argument("--unit-code", metavar="CODE", default="ADM", help="enhetens kod")
    p.add_argument("--agency", choices=[a.value for a in Agency], default=Agency.CITY.value,
                   help="administratörens myndighet")
    p.add_argument("--new-password-file", metavar="FILE", default=argparse.SUPPRESS,
                   help="administratörens lösenord (annars TREFAS_NEW_PASSWORD eller en fråga)")

    p = add("upgrade", cmd_server_upgrade,
            "uppgradera en befintlig server till den här versionen av programmet "
            "(migreringar, regler, funktioner)")
    db(p, "databasens adress, som vid init")

    p = add("import", cmd_server_import,
            "flytta en lokal lagringsplats till en ny serverdatabas (som nyckelhållare)")
    db(p, "den nya databasens adress, som vid init")
    acting(p)  # --store DIR: the shared option

    p = add("confirm-first", cmd_server_confirm_first,
            "bekräfta en myndighets första arbetsledare (som den som körde init)")
    db(p, "databasens adress, som vid init")
    p.add_argument("username", metavar="NAME", help="kontots användarnamn")
    _fingerprint_option(p)

    p = add("add-user", cmd_server_add_user, "lägg upp ett konto med engångskod (administratör)")
    p.add_argument("username", metavar="NAME", help="användarnamnet (och inloggningsrollen)")
    p.add_argument("--display-name", metavar="TEXT", help="personens namn")
    p.add_argument("--role", choices=[r.value for r in Role], required=True, help="rollen")
    p.add_argument("--unit", metavar="ID", type=int, required=True, help="enhetens id")
    acting(p)

    p = add("enrol", cmd_server_enrol, "välj ditt lösenord med engångskoden")
    p.add_argument("username", metavar="NAME", help="kontots användarnamn")
    p.add_argument("--code-file", metavar="FILE", default=argparse.SUPPRESS,
                   help="läs engångskoden från filens första rad (annars "
                        "TREFAS_ENROLMENT_CODE eller en fråga)")
    p.add_argument("--new-password-file", metavar="FILE", default=argparse.SUPPRESS,
                   help="läs det nya lösenordet från filens första rad (annars "
                        "TREFAS_NEW_PASSWORD eller en fråga)")

    p = add("confirm", cmd_server_confirm, "bekräfta ett konto i din myndighet (arbetsledare)")
    p.add_argument("username", metavar="NAME", help="kontots användarnamn")
    _fingerprint_option(p)
    acting(p)

    p = add("disable", cmd_server_disable,
            "stäng av ett konto genast: inloggningen och öppna anslutningar (administratör)")
    p.add_argument("username", metavar="NAME", help="kontots användarnamn")
    acting(p)
