"""The ``trefas`` parser and :func:`main`: reads the command line, runs one
command, and turns every way it can end into an exit status and at most one
sentence (see the package docstring for the conventions)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import Any, Sequence

from trefas_app import __version__, paths, settings
from trefas_app.cli import accounts, audit, casework, documents, maintenance, server, store_setup
from trefas_app.cli.arguments import SUPPRESS, Commands, Parser, argparse_in_language
from trefas_app.cli.output import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    Lang,
    detect_language,
    err,
    t,
)
from trefas_app.domain import clock
from trefas_app.domain.errors import TrefasError

log = logging.getLogger("trefas.cli")

#: The command groups, in the order ``trefas --help`` lists them. A new group
#: is a module with ``register(commands)`` and one line here.
COMMAND_GROUPS = (server, store_setup, accounts, maintenance, audit, casework, documents)


def build_parser() -> argparse.ArgumentParser:
    common = Parser(add_help=False)
    common.add_argument("--store", metavar="DIR", default=SUPPRESS,
                        help="lagringsplatsens mapp (annars TREFAS_STORE eller "
                             "användarens datamapp)")
    common.add_argument("--lang", choices=["sv", "en"], default=SUPPRESS,
                        help="språk för meddelanden (sv eller en)")
    common.add_argument("--server", metavar="URL", default=SUPPRESS,
                        help=server.SERVER_OPTION_HELP)
    parser = Parser(
        prog="trefas", parents=[common],
        description="Trefas – samverkan mellan socialtjänst, polis och Kriminalvården. "
                    "Utan kommando startar det grafiska programmet.",
        epilog="Lösenord anges aldrig som argument: de frågas efter, läses med "
               "--password-file eller från TREFAS_PASSWORD.")
    parser.add_argument("--version", action="version", version=f"trefas {__version__}")
    parser.add_argument("--self-test", dest="func", action="store_const",
                        const=store_setup.cmd_self_test, default=SUPPRESS,
                        help="kontrollera att installationen fungerar (en rad per kontroll)")
    parser.set_defaults(func=store_setup.cmd_gui, command_name="gui")
    commands = Commands(parser.add_subparsers(title="kommandon", metavar="KOMMANDO",
                                              parser_class=Parser), common)
    for group in COMMAND_GROUPS:
        group.register(commands)
    return parser


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
    Lang.code = detect_language(argv)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="replace")
        except (AttributeError, ValueError):
            pass
    command = "?"
    try:
        with argparse_in_language():
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
        err(exc.message(Lang.code))
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
            err(known.message(Lang.code))
            return known.exit_code
        return _report_unexpected(exc, command)


def run() -> None:
    sys.exit(main())
