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
import os
from typing import Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_OFFICE_ZONE = "Europe/Stockholm"
#: A deployment's zone when its store names none (set at CLI and window start-up).
ZONE_ENV = "TREFAS_TIMEZONE"
#: The store setting (``store_meta`` key ``setting.time_zone``) that names the office zone.
ZONE_SETTING = "time_zone"

_office_zone: ZoneInfo = ZoneInfo(DEFAULT_OFFICE_ZONE)


def office_zone() -> ZoneInfo:
    """The office's time zone (a store setting; Europe/Stockholm by default)."""
    return _office_zone


def zone_named(name: str) -> ZoneInfo:
    """The zone tzdata knows by this name; ValueError for any other name."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


def set_office_zone(name: str) -> ZoneInfo:
    """Switch the office zone for this process; refuses names tzdata does not know."""
    global _office_zone
    _office_zone = zone_named(name)
    return _office_zone


def configure_from_environment(environ: Mapping[str, str] | None = None) -> ZoneInfo:
    """Start-up: take the office zone from ``TREFAS_TIMEZONE`` when it is set.

    A store that names its own zone (the ``time_zone`` setting) overrides this
    when it is opened, so every machine that shares a store shares its "today"."""
    name = (os.environ if environ is None else environ).get(ZONE_ENV, "").strip()
    if not name:
        return _office_zone
    try:
        return set_office_zone(name)
    except ValueError:
        from trefas_app.domain.errors import UsageError

        raise UsageError(
            f"{ZONE_ENV}={name} är ingen känd tidszon; ange t.ex. Europe/Stockholm.",
            f"{ZONE_ENV}={name} is not a known time zone; give e.g. Europe/Stockholm.") from None


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


def days_since(day: dt.date) -> int:
    """Whole office calendar days from ``day`` to today (0 = today, negative = ahead)."""
    return (today() - day).days


def hours_until(instant: dt.datetime) -> float:
    """Hours from now to an instant (negative once it has passed)."""
    return (instant - now_utc()).total_seconds() / 3600


def start_of_local_day(day: dt.date) -> dt.datetime:
    """The UTC instant at which an office calendar day begins (DST-safe)."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=_office_zone).astimezone(dt.timezone.utc)
