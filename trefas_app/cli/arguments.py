"""Reading the command line: argument types, argparse in Swedish, and
:class:`Commands`, through which each command group adds its commands."""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from contextlib import contextmanager
from typing import Any, Callable

from trefas_app.cli.output import EXIT_USAGE, Lang, err, t
from trefas_app.domain.enums import Agency, Category

SUPPRESS = argparse.SUPPRESS


def opt(args: argparse.Namespace, name: str, default: Any = None) -> Any:
    """An option that may be absent (options default to "not given")."""
    return getattr(args, name, default)


def paging(args: argparse.Namespace, limit: int = 200) -> dict[str, int]:
    """``offset`` and ``limit`` for a listing service, from ``--offset``/``--limit``."""
    return {"offset": opt(args, "offset") or 0, "limit": opt(args, "limit") or limit}


def values(enum_class) -> list[str]:
    return [e.value for e in enum_class]


# --- argument types -------------------------------------------------------------


_RELATIVE_DATE = re.compile(r"^([+-])(\d{1,4})\s*([dwvmyå])$", re.IGNORECASE)


def date_arg(text: str) -> dt.date:
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
        return add_months(today(), n * (12 if unit in "yå" else 1))
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            t(f"ogiltigt datum: {text!r} (skriv ÅÅÅÅ-MM-DD, today eller t.ex. +6m, -7d)",
              f"invalid date: {text!r} (write YYYY-MM-DD, today or e.g. +6m, -7d)")) from None


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return min(day.replace(year=year, month=month, day=1) + dt.timedelta(days=day.day - 1),
               following - dt.timedelta(days=1))


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise argparse.ArgumentTypeError(t(f"inte ett positivt heltal: {text!r}",
                                           f"not a positive whole number: {text!r}"))
    return value


def grant_arg(text: str) -> tuple[Agency, Category]:
    agency, _, category = text.partition(":")
    try:
        return Agency(agency.strip()), Category(category.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(t(
            f"ogiltig delning {text!r}: skriv MYNDIGHET:KATEGORI, t.ex. police:social",
            f"invalid grant {text!r}: write AGENCY:CATEGORY, e.g. police:social")) from None


def person_id_arg(text: str) -> int:
    value = text.strip().upper().removeprefix("P-")
    if not value.isdigit():
        raise argparse.ArgumentTypeError(t(f"ogiltigt person-id: {text!r} (t.ex. 42 eller P-0042)",
                                           f"invalid person id: {text!r} (e.g. 42 or P-0042)"))
    return int(value)


# --- argparse in the language of the run ---------------------------------------


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
def argparse_in_language():
    """argparse's texts ("usage:", "invalid choice", …) in the language of this
    run while the command line is read; put back afterwards."""
    original, original_n = argparse._, argparse.ngettext

    def translate(text: str) -> str:
        return text if Lang.code == "en" else _ARGPARSE_SV.get(text, text)

    def translate_n(singular: str, plural: str, n: int) -> str:
        pair = None if Lang.code == "en" else _ARGPARSE_SV_PLURAL.get(singular)
        if pair is None:
            return original_n(singular, plural, n)
        return pair[0] if n == 1 else pair[1]

    argparse._, argparse.ngettext = translate, translate_n
    try:
        yield
    finally:
        argparse._, argparse.ngettext = original, original_n


class Parser(argparse.ArgumentParser):
    """No abbreviations: ``--password`` must never be taken for
    ``--password-file``."""

    def __init__(self, *a, **kw):
        kw.setdefault("allow_abbrev", False)
        super().__init__(*a, **kw)


def missing_subcommand(p: argparse.ArgumentParser) -> Callable:
    """A group named without one of its commands: its usage and one sentence."""
    def run(args: argparse.Namespace) -> int:
        p.print_usage(sys.stderr)
        err(t(f"{p.prog}: välj ett kommando (se {p.prog} --help).",
              f"{p.prog}: choose a command (see {p.prog} --help)."))
        return EXIT_USAGE
    return run


def _option_set(*options: tuple[str, dict]) -> Parser:
    parent = Parser(add_help=False)
    for flag, settings in options:
        parent.add_argument(flag, **settings)
    return parent


class Commands:
    """The top-level command list and the option sets commands share.

    A command group's module has ``register(commands)``, which adds its
    commands with :meth:`add` (a command of its own) or :meth:`group`
    (``trefas NAME …``)."""

    def __init__(self, subparsers, common: Parser):
        self.sub = subparsers
        #: ``--store``, ``--lang``: every command has them.
        self.common = common
        #: ``--user``, ``--password-file``: commands that act as a user.
        self.acting = _option_set(
            ("--user", dict(metavar="NAME", default=SUPPRESS,
                            help="du som låser upp (annars TREFAS_USER)")),
            ("--password-file", dict(metavar="FILE", default=SUPPRESS,
                                     help="läs ditt lösenord från filens första rad (annars "
                                          "TREFAS_PASSWORD eller en fråga)")))
        #: ``--new-password-file``: a second password (a new one of your own).
        self.new_password = _option_set(
            ("--new-password-file", dict(metavar="FILE", default=SUPPRESS,
                                         help="läs det nya lösenordet från filens första rad "
                                              "(annars TREFAS_NEW_PASSWORD eller en fråga)")))
        #: ``--json``: listings and results as JSON.
        self.as_json = _option_set(
            ("--json", dict(action="store_true", default=SUPPRESS,
                            help="maskinläsbar utdata (JSON)")))
        #: ``--offset``, ``--limit``: long listings.
        self.paging = _option_set(
            ("--offset", dict(type=int, default=SUPPRESS, help="hoppa över N rader")),
            ("--limit", dict(type=positive_int, default=SUPPRESS, help="visa högst N rader")))

    def add(self, group, name: str, func: Callable, help_text: str, parents=(),
            full: str | None = None, description: str | None = None) -> Parser:
        """Command ``name`` in ``group`` (``self.sub`` for a top-level one)."""
        p = group.add_parser(name, help=help_text, description=description or help_text,
                             parents=[self.common, *parents])
        p.set_defaults(func=func, command_name=full or name)
        return p

    def group(self, name: str, help_text: str, description: str | None = None):
        """``trefas NAME …``: a group whose commands are added to the result."""
        p = self.sub.add_parser(name, help=help_text, description=description or help_text,
                                parents=[self.common])
        p.set_defaults(func=missing_subcommand(p), command_name=name)
        return p.add_subparsers(title="kommandon", metavar="KOMMANDO", parser_class=Parser)
