"""What every command shares for talking to the user: the language of the run,
one sentence on stdout or stderr, tables, JSON, and the exit statuses."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import os
import sys
from pathlib import Path
from typing import Any, Iterable, Sequence

from trefas_app.domain import clock

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class Lang:
    """The language of this run (``sv`` or ``en``), set once by ``main``."""

    code = "sv"


def detect_language(argv: Sequence[str]) -> str:
    """``--lang`` wins, then ``LANG``; Swedish by default. Read before parsing,
    so that even a parse problem answers in the right language."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return "en" if argv[i + 1].lower().startswith("en") else "sv"
        if arg.startswith("--lang="):
            return "en" if arg.split("=", 1)[1].lower().startswith("en") else "sv"
    return "en" if os.environ.get("LANG", "").lower().startswith("en") else "sv"


def t(sv: str, en: str) -> str:
    """The text in the language of this run."""
    return en if Lang.code == "en" else sv


def out(text: str = "") -> None:
    print(text)


def err(text: str) -> None:
    print(text, file=sys.stderr)


def plain(value: Any) -> Any:
    """Service results (frozen dataclasses, enums, dates) as JSON-ready values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime):  # an instant leaving the program: with its offset
        return clock.isoformat_local(value)
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, dict):
        return {str(plain(k)): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(v) for v in value]
    if isinstance(value, bytes):
        return value.hex()
    return value


def print_json(value: Any) -> None:
    out(json.dumps(plain(value), ensure_ascii=False, indent=2))


def print_page_json(page, *, hidden: bool = False) -> None:
    """A page of a listing as ``{"total", "offset", "rows"}`` (and ``"hidden"``)."""
    data = {"total": page.total, "offset": page.offset, "rows": page.rows}
    if hidden:
        data["hidden"] = page.hidden
    print_json(data)


def print_result(args, value: Any, sentence: str) -> int:
    """A command's result: as JSON with ``--json``, else one sentence."""
    if getattr(args, "json", None):
        print_json(value)
    else:
        out(sentence)
    return EXIT_OK


def print_listing(args, page, headers: Sequence[str], rows: Iterable[Sequence[Any]], *,
                  hidden: bool = False, more: bool = True) -> int:
    """A page of a listing: as JSON with ``--json``, else a table, a line when
    more rows follow (``more``) and how many are not shared (``hidden``)."""
    if getattr(args, "json", None):
        print_page_json(page, hidden=hidden)
        return EXIT_OK
    print_table(headers, rows)
    if more:
        more_rows_notice(page)
    if hidden:
        hidden_notice(page)
    return EXIT_OK


def cell(value: Any) -> str:
    """One value as a table shows it (dates in the office zone, yes/no, labels)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return t("ja", "yes") if value else t("nej", "no")
    if isinstance(value, enum.Enum):
        return lbl(value)
    if isinstance(value, dt.datetime):
        return clock.format_local(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def print_table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    cells = [[cell(v) for v in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for i, c in enumerate(row):
            widths[i] = max(widths[i], len(c))
    out("  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip())
    out("  ".join("-" * w for w in widths))
    for row in cells:
        out("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())


def print_fields(rows: Sequence[tuple[str, Any]]) -> None:
    """``Key  value`` lines, keys padded to one width; empty values left out."""
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        if value not in (None, ""):
            out(f"{key.ljust(width)}  {cell(value)}")


def more_rows_notice(page, hint: tuple[str, str] = ("", "")) -> None:
    """``… showing N of M`` when a page holds only part of the rows."""
    shown = len(page.rows)
    if page.total > page.offset + shown:
        out(t(f"… visar {shown} av {page.total}{hint[0]}.",
              f"… showing {shown} of {page.total}{hint[1]}."))


def hidden_notice(page) -> None:
    """How many entries exist that the user's agency is not shown."""
    if getattr(page, "hidden_total", 0):
        n = page.hidden_total
        err(t(f"{n} poster finns som inte delas med din myndighet." if n != 1 else
              "1 post finns som inte delas med din myndighet.",
              f"{n} entries exist that are not shared with your agency." if n != 1 else
              "1 entry exists that is not shared with your agency."))


def lbl(value: enum.Enum) -> str:
    """An enum value's label in the language of this run."""
    from trefas_app.domain.labels import label

    try:
        return label(value, Lang.code)
    except (KeyError, ValueError):
        return str(value.value)
