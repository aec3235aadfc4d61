"""Where a command gets a password: a file, the environment, or a prompt —
never a command-line argument, where the shell history would keep it."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import Callable

from trefas_app.cli.arguments import opt
from trefas_app.cli.output import t
from trefas_app.domain.errors import UsageError, ValidationError

PASSWORD_ENV = "TREFAS_PASSWORD"
NEW_PASSWORD_ENV = "TREFAS_NEW_PASSWORD"
ENROLMENT_CODE_ENV = "TREFAS_ENROLMENT_CODE"
RECOVERY_KEY_ENV = "TREFAS_RECOVERY_KEY"


def read_password_file(path: str) -> str:
    """The first line of the file, without its line ending (spaces count)."""
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
        return read_password_file(file_path)
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
    return obtain_password(opt(args, "password_file"), PASSWORD_ENV,
                           t(f"Lösenord för {username}: ", f"Password for {username}: "))


def new_password(args: argparse.Namespace, whose: str) -> str:
    """A new password, asked twice and checked against the policy."""
    return obtain_password(opt(args, "new_password_file"), NEW_PASSWORD_ENV,
                           t(f"Nytt lösenord för {whose}: ", f"New password for {whose}: "),
                           confirm=True, check=lambda pw: password_policy(pw, whose))


def password_policy(password: str, username: str) -> None:
    from trefas_app.domain.passwords import check_password_policy

    check_password_policy(password, username)
