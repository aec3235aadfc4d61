"""The one clock: every "now" and "today" in Trefas comes from here.

Why one place: a social worker, a PDF and the access rule must agree on what
"today" is. Calendar days (consents, deadlines, retention, "1 dag sedan") run in
the office's time zone, never in the machine's: a desktop whose clock is UTC is
already in tomorrow at 23:30 UTC in Stockholm. Instants are stored in UTC and
shown in the office zone. Nothing else in the program calls ``datetime.now()``,
``date.today()`` or a bare ``.astimezone()`` (a test enforces it); tests move
this clock with ``time-machine``.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_OFFICE_ZONE = "Europe/Stockholm"

_office_zone: ZoneInfo = ZoneInfo(DEFAULT_OFFICE_ZONE)


def office_zone() -> ZoneInfo:
    """The office's time zone (a store setting; Europe/Stockholm by default)."""
    return _office_zone


def set_office_zone(name: str) -> ZoneInfo:
    """Switch the office zone for this process; refuses names tzdata does not know."""
    global _office_zone
    try:
        _office_zone = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc
    return _office_zone


def now_utc() -> dt.datetime:
    """The current instant, timezone-aware, in UTC (how instants are stored)."""
    return dt.datetime.now(dt.timezone.utc)


def now_local() -> dt.datetime:
    """The current instant in the office zone (what a person is shown)."""
    return now_utc().astimezone(_office_zone)


def today() -> dt.date:
    """Today's date in the office zone."""
    return now_local().date()


def to_local(instant: dt.datetime) -> dt.datetime:
    """An instant in the office zone; a naive value is taken to be UTC (as stored)."""
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=dt.timezone.utc)
    return instant.astimezone(_office_zone)


def local_date(instant: dt.datetime) -> dt.date:
    """The office calendar day an instant falls on."""
    return to_local(instant).date()


def format_local(instant: dt.datetime | None, *, seconds: bool = False,
                 offset: bool = False) -> str:
    """An instant for people: office zone, ``2026-12-05 00:10`` (``+01:00`` with offset=True,
    for text that leaves the program: PDFs, JSON)."""
    if instant is None:
        return ""
    local = to_local(instant)
    text = local.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
    if offset:
        text += local.strftime(" %z")[:-2] + ":" + local.strftime("%z")[-2:]
    return text


def isoformat_local(instant: dt.datetime) -> str:
    """ISO 8601 with the office zone's offset, for JSON output."""
    return to_local(instant).isoformat()


def start_of_local_day(day: dt.date) -> dt.datetime:
    """The UTC instant at which an office calendar day begins (DST-safe)."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=_office_zone).astimezone(dt.timezone.utc)
