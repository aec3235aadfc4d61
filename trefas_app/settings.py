"""Deployment settings: what an IT department sets without editing code.

Two INI files with one ``[trefas]`` section each, read at start-up:

* the **machine file**, pushed by IT: ``trefas.ini`` in the platform's site
  configuration folder (platformdirs ``site_config_dir``)::

      Linux    /etc/xdg/Trefas/trefas.ini (each folder of XDG_CONFIG_DIRS; the first wins)
      macOS    /Library/Application Support/Trefas/trefas.ini
      Windows  C:\\ProgramData\\Trefas\\trefas.ini

* the **user file**, written by the window's settings dialog: ``trefas.ini`` in
  the user configuration folder (``~/.config/Trefas``,
  ``~/Library/Application Support/Trefas``, ``%LOCALAPPDATA%\\Trefas``).

A user value overrides a machine value, unless the machine file names the key
in ``locked = …`` (comma-separated): then the machine value is the one used
and the dialog shows the field read-only. ``TREFAS_MACHINE_CONFIG`` and
``TREFAS_USER_CONFIG`` name other files (for trying a file before pushing it,
and for tests).

Keys: ``store`` (the store folder), ``server`` (a PostgreSQL URL: server
mode instead of the store folder, docs/server.md; ``--server`` and
``TREFAS_SERVER`` win), ``lock_minutes`` (1–240: the window locks
after this many idle minutes, or sooner if the store's own setting is
shorter — a deployment can make locking stricter, never looser),
``language`` (``sv`` or ``en``, the window's language) and
``office_timezone`` (an IANA name such as ``Europe/Stockholm``: the office's
calendar days; set at start-up, so it holds for stores that do not name a zone
of their own — a store's own setting, applied when it is opened, wins). A value that is not valid is ignored (and logged, by key name
only), never fatal.
"""

from __future__ import annotations

import configparser
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from platformdirs import site_config_dir, user_config_dir

from trefas_app.domain.errors import ValidationError

log = logging.getLogger(__name__)

APP_NAME = "Trefas"
FILE_NAME = "trefas.ini"
SECTION = "trefas"
MACHINE_ENV = "TREFAS_MACHINE_CONFIG"
USER_ENV = "TREFAS_USER_CONFIG"
KEYS = ("store", "server", "lock_minutes", "language", "office_timezone")
LANGUAGES = ("sv", "en")
LOCK_RANGE = (1, 240)


@dataclass(frozen=True)
class Settings:
    """The settings in force: user values over machine values, except locked keys."""

    store: str | None = None
    server: str | None = None
    lock_minutes: int | None = None
    language: str | None = None
    office_timezone: str | None = None
    locked: frozenset[str] = field(default_factory=frozenset)
    #: Where each value came from: "machine" or "user".
    sources: dict[str, str] = field(default_factory=dict)

    def is_locked(self, key: str) -> bool:
        return key in self.locked


def machine_config_paths() -> list[Path]:
    """Machine files, most important first (the first folder of XDG_CONFIG_DIRS wins)."""
    env = os.environ.get(MACHINE_ENV, "").strip()
    if env:
        return [Path(env).expanduser()]
    folders = site_config_dir(APP_NAME, appauthor=False, multipath=True).split(os.pathsep)
    return [Path(folder) / FILE_NAME for folder in folders if folder]


def user_config_path() -> Path:
    env = os.environ.get(USER_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    return Path(user_config_dir(APP_NAME, appauthor=False)) / FILE_NAME


def _read_section(path: Path) -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        with open(path, encoding="utf-8-sig") as handle:
            parser.read_file(handle)
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, configparser.Error) as exc:
        log.warning("settings file %s ignored (%s)", path.name, type(exc).__name__)
        return {}
    if not parser.has_section(SECTION):
        return {}
    return {k: v.strip() for k, v in parser.items(SECTION) if v.strip()}


def _machine_values() -> dict[str, str]:
    merged: dict[str, str] = {}
    for path in reversed(machine_config_paths()):  # the first path wins
        merged.update(_read_section(path))
    return merged


def validate(key: str, text: str) -> str | int:
    """The value of ``key`` from its text; ValidationError when it is not valid."""
    if key in ("store", "server"):
        value = os.path.expandvars(text.strip())
        if not value:
            raise ValidationError(f"{key} är tomt.", f"{key} is empty.")
        return str(Path(value).expanduser()) if key == "store" else value
    if key == "lock_minutes":
        try:
            minutes = int(text)
        except ValueError:
            minutes = 0
        low, high = LOCK_RANGE
        if not low <= minutes <= high:
            raise ValidationError(f"Låstiden ska vara {low}–{high} minuter.",
                                  f"The lock time must be {low}–{high} minutes.")
        return minutes
    if key == "language":
        if text not in LANGUAGES:
            raise ValidationError("Språket ska vara sv eller en.", "The language must be sv or en.")
        return text
    if key == "office_timezone":
        from trefas_app.domain import clock

        try:
            clock.zone_named(text)
        except ValueError:
            raise ValidationError(f"Okänd tidszon: {text}.", f"Unknown time zone: {text}.") from None
        return text
    raise ValidationError(f"Okänd inställning: {key}.", f"Unknown setting: {key}.")


def load() -> Settings:
    """Read both files; invalid values are skipped."""
    machine = _machine_values()
    user = _read_section(user_config_path())
    locked = frozenset(k.strip() for k in machine.get("locked", "").split(",")
                       if k.strip() in KEYS)
    values: dict[str, object] = {}
    sources: dict[str, str] = {}
    for key in KEYS:
        order = [("machine", machine)] if key in locked else [("user", user), ("machine", machine)]
        for origin, table in order:
            if key not in table:
                continue
            try:
                values[key] = validate(key, table[key])
            except ValidationError:
                log.warning("setting %s in the %s file ignored: not valid", key, origin)
                continue
            sources[key] = origin
            break
    return Settings(**values, locked=locked, sources=sources)


def save_user(changes: dict[str, str | int | None]) -> Path:
    """Write ``changes`` into the user file (None removes a key); refuses locked keys."""
    current = load()
    for key, value in changes.items():
        if key not in KEYS:
            raise ValidationError(f"Okänd inställning: {key}.", f"Unknown setting: {key}.")
        if current.is_locked(key):
            raise ValidationError(
                f"Inställningen {key} är låst av IT-avdelningen.",
                f"The setting {key} is locked by the IT department.")
        if value is not None and str(value).strip():
            validate(key, str(value))
    path = user_config_path()
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except configparser.Error:
        parser = configparser.ConfigParser(interpolation=None)
    if not parser.has_section(SECTION):
        parser.add_section(SECTION)
    for key, value in changes.items():
        if value is None or not str(value).strip():
            parser.remove_option(SECTION, key)
        else:
            parser.set(SECTION, key, str(value).strip())
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        parser.write(handle)
    return path


def apply_office_zone(settings: Settings | None = None) -> None:
    """Make the configured office time zone the clock's (no setting: unchanged)."""
    from trefas_app.domain import clock

    settings = settings if settings is not None else load()
    if settings.office_timezone:
        try:
            clock.set_office_zone(settings.office_timezone)
        except ValueError:  # a wrong name in a pushed file: keep the default, say so in the log
            logging.getLogger(__name__).warning("office_timezone in the settings file is not a "
                                                "known time zone; keeping %s",
                                                clock.office_zone().key)


def effective_lock_minutes(store_minutes: int, settings: Settings | None = None) -> int:
    """The store's lock time, or the deployment's when that is shorter."""
    settings = settings if settings is not None else load()
    if settings.lock_minutes is None:
        return store_minutes
    return min(store_minutes, settings.lock_minutes)
