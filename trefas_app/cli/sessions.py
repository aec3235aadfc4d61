"""Acting as a user: which store, who, unlocking and logging out again, and
what every command that acts as a user needs on top (a case by its number,
a yes before something that cannot be undone)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Callable

from trefas_app import paths
from trefas_app.cli.arguments import opt
from trefas_app.cli.output import Lang, err, t
from trefas_app.cli.passwords import acting_password
from trefas_app.domain.errors import TrefasError, UsageError

log = logging.getLogger("trefas.cli")

USER_ENV = "TREFAS_USER"


def store_dir(args: argparse.Namespace) -> Path:
    return paths.resolve_store(opt(args, "store"))


def acting_username(args: argparse.Namespace) -> str:
    name = opt(args, "user") or os.environ.get(USER_ENV, "").strip()
    if not name:
        raise UsageError(t("Ange vem du är med --user NAMN.",
                           "Say who you are with --user NAME."))
    from trefas_app.domain.text import FIELD_RULES, clean

    clean(name, FIELD_RULES["users.username"])  # no such user could exist otherwise
    return name


def require_store(root: Path) -> None:
    from trefas_app.store.store import StorePaths

    if not StorePaths(root).exists():
        raise TrefasError(
            f"Det finns ingen lagringsplats i {root}. Skapa en med ”trefas init” eller "
            f"”trefas demo”, eller ange rätt mapp med --store.",
            f"There is no store in {root}. Create one with 'trefas init' or 'trefas demo', "
            f"or name the right folder with --store.")


@contextmanager
def session(args: argparse.Namespace, password: str | None = None, *,
            reauthenticates: bool = False):
    """Unlock the store as ``--user``; log out (and drop the key) afterwards.

    ``reauthenticates``: the command re-checks the user's password once (a
    handover). The password entered for this command was verified by the
    unlock a moment ago, so the store keeps a one-time proof of it
    (``store.login_proof``) that stands for the password instead of
    deriving the key from it a second time."""
    from trefas_app.cli import server
    from trefas_app.store.store import unlock

    on_server = server.server_of(args) is not None
    root = store_dir(args)
    username = acting_username(args)
    if not on_server:
        require_store(root)
    if password is None:
        password = acting_password(args, username)
    store = server.open_server_session(args, username, password) if on_server \
        else unlock(root, username, password, keep_login_proof=reauthenticates)
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


def as_user(args: argparse.Namespace, service: Callable, *arguments, **options):
    """``service(uow, actor, *arguments, **options)`` in one session as ``--user``."""
    with session(args) as store:
        return service(store.uow(), store.actor, *arguments, **options)


def on_store(args: argparse.Namespace, service: Callable, *arguments, **options):
    """``service(store, *arguments, **options)`` in one session as ``--user``
    (the account services, which also serve a log-in without the data key)."""
    with session(args) as store:
        return service(store, *arguments, **options)


def report_alarms(store) -> None:
    """Alarms found at log-in (a rolled-back store, a tampered key file) go to
    stderr before anything else; the command itself goes on."""
    for alarm in getattr(store, "alarms", ()):
        err(t("LARM: ", "ALARM: ") + alarm.message(Lang.code))


def case_id_of(store, key: str) -> int:
    """A case number (K-2025-00012) or id, resolved through the access rule."""
    from trefas_app.services import cases

    key = key.strip()
    if key.isdigit():
        return int(key)
    return cases.find_by_number(store.uow(), store.actor, key)


def confirm(args: argparse.Namespace, question: str) -> None:
    """Go on after ``--yes`` or a yes at the terminal; otherwise stop, unchanged."""
    if opt(args, "yes"):
        return
    if not (sys.stdin and sys.stdin.isatty()):
        raise UsageError("Bekräfta med --yes när kommandot inte körs interaktivt.",
                         "Confirm with --yes when the command does not run interactively.")
    answer = input(question).strip().lower()
    if answer not in ("ja", "j", "yes", "y"):
        raise TrefasError("Avbrutet. Ingenting har ändrats.", "Cancelled. Nothing was changed.")
