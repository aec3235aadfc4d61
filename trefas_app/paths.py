"""Where Trefas keeps things on this computer, and the application log.

The store (encrypted case data) lives in the platform's user data folder
unless ``--store DIR``, ``TREFAS_STORE`` or the deployment settings' ``store``
(:mod:`trefas_app.settings`) say otherwise, in that order::

    Linux    ~/.local/share/Trefas/store
    macOS    ~/Library/Application Support/Trefas/store
    Windows  %LOCALAPPDATA%\\Trefas\\store

The application log lives in the platform's user log folder (or
``TREFAS_LOG_DIR``). It is a plain-text file, so nothing that could be case
content ever goes into it: no names, numbers, note text, SQL parameters or
exception messages — only what happened where (event names, exception types,
source locations).
"""

from __future__ import annotations

import datetime as dt
import logging
import logging.handlers
import os
import stat
from pathlib import Path

from platformdirs import user_data_dir, user_log_dir, user_state_dir

from trefas_app.domain import clock

APP_NAME = "Trefas"
STORE_ENV = "TREFAS_STORE"
LOG_DIR_ENV = "TREFAS_LOG_DIR"
LOG_FILE_NAME = "trefas.log"
WITNESS_DIR_ENV = "TREFAS_WITNESS_DIR"

_HANDLER_MARK = "_trefas_app_log"


def data_dir() -> Path:
    return Path(user_data_dir(APP_NAME, appauthor=False))


def default_store_dir() -> Path:
    """The store used when no ``--store`` is given: ``TREFAS_STORE``, the
    deployment settings' ``store``, or the user data folder."""
    from trefas_app import settings

    env = os.environ.get(STORE_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    configured = settings.load().store
    if configured:
        return Path(configured)
    return data_dir() / "store"


def resolve_store(arg: str | os.PathLike | None) -> Path:
    """``--store DIR`` if given, else the default."""
    if arg is not None and str(arg).strip():
        return Path(arg).expanduser().absolute()
    return default_store_dir().absolute()


def witness_dir() -> Path:
    """Where this computer account keeps its witnesses of the stores' newest
    checkpoints (``TREFAS_WITNESS_DIR``, else the user state folder): outside
    every store folder, so that rolling a store folder back is noticed."""
    env = os.environ.get(WITNESS_DIR_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    return Path(user_state_dir(APP_NAME, appauthor=False)) / "witness"


def log_dir() -> Path:
    env = os.environ.get(LOG_DIR_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    return Path(user_log_dir(APP_NAME, appauthor=False))


def log_file() -> Path:
    return log_dir() / LOG_FILE_NAME


class _SafeFormatter(logging.Formatter):
    """A plain formatter, except that exception text from ``exc_info`` is
    reduced to types and source locations: an exception's message may quote
    case content (SQL parameters, a name in a ValueError, …)."""

    def format(self, record: logging.LogRecord) -> str:
        # Another handler may already have cached the full traceback (with the
        # exception's message) in record.exc_text: never reuse it.
        saved = record.exc_text
        record.exc_text = None
        try:
            return super().format(record)
        finally:
            record.exc_text = saved

    def formatTime(self, record: logging.LogRecord, datefmt=None) -> str:  # noqa: N802
        """Office time with its offset (the one clock), not the machine's zone."""
        instant = dt.datetime.fromtimestamp(record.created, dt.timezone.utc)
        return clock.format_local(instant, seconds=True, offset=True)

    def formatException(self, ei) -> str:  # noqa: N802 (logging's name)
        return describe_exception(ei[1]) if ei and ei[1] is not None else ""


def describe_exception(exc: BaseException) -> str:
    """Type and source locations of an exception and its causes, without its
    message or any local values (either may hold case content)."""
    import traceback

    lines: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if lines:
            lines.append("while handling / caused by:")
        lines.append(f"{type(current).__module__}.{type(current).__qualname__}")
        for frame in traceback.extract_tb(current.__traceback__):
            lines.append(f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}')
        current = current.__cause__ or current.__context__
    return "\n".join(lines)


def _owner_only(path: Path) -> None:
    if os.name != "nt":
        os.chmod(path, 0o600)


def _owner_only_folder(folder: Path) -> None:
    """Tighten the log folder to 0700 — if it is ours alone to tighten: a
    shared folder (sticky, like /tmp) or someone else's is left as it is."""
    if os.name == "nt":
        return
    info = folder.stat()
    if info.st_uid == os.geteuid() and not info.st_mode & stat.S_ISVTX \
            and stat.S_IMODE(info.st_mode) != 0o700:
        os.chmod(folder, 0o700)


class _PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """Every log file it creates, including the one started at each rotation,
    is owner-only (the stock handler creates them with the umask, often 0644)."""

    def _open(self):
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        return os.fdopen(fd, "a", encoding=self.encoding, errors=self.errors)

    def doRollover(self) -> None:  # noqa: N802 (logging's name)
        super().doRollover()
        for n in range(1, self.backupCount + 1):
            rotated = Path(f"{self.baseFilename}.{n}")
            if rotated.exists():
                _owner_only(rotated)


def configure_logging(level: int = logging.INFO) -> Path | None:
    """Send Python logging to the application log file (rotating, owner-only).

    Safe to call more than once; returns the file, or None when the log folder
    cannot be written (the program then runs without a log rather than fail).
    """
    path = log_file()
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _HANDLER_MARK, None) is not None:
            if getattr(handler, _HANDLER_MARK) == str(path):
                return path
            root.removeHandler(handler)
            handler.close()
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        _owner_only_folder(path.parent)
        handler = _PrivateRotatingFileHandler(
            path, maxBytes=1_000_000, backupCount=3, encoding="utf-8", delay=True)
        # Create the file now with owner-only permissions.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.close(fd)
        _owner_only(path)
    except OSError:
        return None
    handler.setFormatter(_SafeFormatter(
        "%(asctime)s %(levelname)s %(name)s: %(message)s"))
    setattr(handler, _HANDLER_MARK, str(path))
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > level:
        root.setLevel(level)
    # Alembic announces its SQLite context on every open; keep its warnings only.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    return path
