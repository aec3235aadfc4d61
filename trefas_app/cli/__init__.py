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

Layout: :mod:`~trefas_app.cli.output` (language, one sentence, tables, JSON,
exit statuses), :mod:`~trefas_app.cli.arguments` (argument types, argparse in
Swedish, :class:`~trefas_app.cli.arguments.Commands`),
:mod:`~trefas_app.cli.passwords` and :mod:`~trefas_app.cli.sessions` (who acts,
unlocking), one module per command group, each with ``register(commands)``,
and :mod:`~trefas_app.cli.app` (the parser and :func:`main`).
"""

from __future__ import annotations

from typing import Sequence

__all__ = ["build_parser", "main", "run"]


# The entry points load the command modules when called, so that importing
# any one module of this package never imports all the others (no cycle
# through this file).


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit status (see :func:`trefas_app.cli.app.main`)."""
    from trefas_app.cli import app

    return app.main(argv)


def build_parser():
    """The ``trefas`` parser (see :func:`trefas_app.cli.app.build_parser`)."""
    from trefas_app.cli import app

    return app.build_parser()


def run() -> None:
    """The console script: exit with :func:`main`'s status."""
    from trefas_app.cli import app

    app.run()
