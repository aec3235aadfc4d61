"""Swedish personal identity numbers (personnummer) and coordination numbers.

A personnummer is YYMMDD-NNNN (or, with the full year, YYYYMMDD-NNNN), where the
last digit is a Luhn check digit computed over the ten-digit form. A
coordination number (samordningsnummer) has the same shape with 60 added to
the day of birth (61–91).

In the ten-digit form the century is implied: the separator is '-' until the
calendar year in which the person turns 100 and '+' from the start of that year
(folkbokföringslagen 18 §, Skatteverket's guidance) — not from the birthday.
So a '+' number names the latest year ending in YY that is at least 100 years
before this calendar year. A '-' number (or one without separator) names the
latest year ending in YY in which the birth is not in the future.

The three digits after the date (födelsenummer) run 001–999; 000 is refused.

Error messages never repeat the number: they may be logged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from . import clock
from .errors import ValidationError

__all__ = [
    "InvalidPersonalNumber",
    "PersonalNumber",
    "is_valid_personal_number",
    "luhn_check_digit",
    "parse_personal_number",
]

#: Day offset of a coordination number (samordningsnummer).
COORDINATION_DAY_OFFSET = 60


class InvalidPersonalNumber(ValidationError):
    """A personal identity or coordination number that cannot be accepted."""


# --- messages (never include the number itself) ---------------------------

_MSG_EMPTY = (
    "Ange ett personnummer eller samordningsnummer.",
    "Please enter a personal identity number or coordination number.",
)
_MSG_CHARACTERS = (
    "Personnumret får bara innehålla siffror och ett bindestreck eller "
    "plustecken före de fyra sista siffrorna.",
    "The personal identity number may only contain digits and a hyphen or "
    "plus sign before the last four digits.",
)
_MSG_FORMAT = (
    "Personnumret ska ha 10 eller 12 siffror, till exempel ÅÅMMDD-NNNN "
    "eller ÅÅÅÅMMDD-NNNN.",
    "The personal identity number must have 10 or 12 digits, for example "
    "YYMMDD-NNNN or YYYYMMDD-NNNN.",
)
_MSG_PLUS_WITH_CENTURY = (
    "Plustecken används bara i den korta formen (ÅÅMMDD+NNNN). Skriv "
    "personnumret med tolv siffror utan plustecken, eller med tio siffror.",
    "A plus sign is only used in the short form (YYMMDD+NNNN). Write the "
    "number with twelve digits and no plus sign, or with ten digits.",
)
_MSG_DAY = (
    "Dagen i numret är ogiltig: ett personnummer har dag 01–31 och ett "
    "samordningsnummer dag 61–91.",
    "The day in the number is invalid: a personal identity number has day "
    "01–31 and a coordination number day 61–91.",
)
_MSG_DATE = (
    "Födelsedatumet i numret finns inte i kalendern – kontrollera år, månad "
    "och dag.",
    "The date of birth in the number does not exist – please check year, "
    "month and day.",
)
_MSG_FUTURE = (
    "Födelsedatumet i numret ligger i framtiden – kontrollera personnumret.",
    "The date of birth in the number is in the future – please check the "
    "personal identity number.",
)
_MSG_SERIAL = (
    "Födelsenumret (de tre siffrorna före kontrollsiffran) kan inte vara 000; "
    "det går från 001 till 999 – kontrollera personnumret.",
    "The birth number (the three digits before the check digit) cannot be 000; "
    "it runs from 001 to 999 – please check the personal identity number.",
)
_MSG_CHECK_DIGIT = (
    "Kontrollsiffran stämmer inte – kontrollera personnumret.",
    "The check digit is wrong – please check the personal identity number.",
)


def _fail(message: tuple[str, str]) -> InvalidPersonalNumber:
    return InvalidPersonalNumber(*message)


# --- Luhn -----------------------------------------------------------------


def luhn_check_digit(nine_digits: str) -> int:
    """Return the Luhn check digit for the first nine digits (YYMMDDNNN).

    The digits are weighted 2, 1, 2, 1, … from the left; the digit sums of
    the products are added, and the check digit brings the total up to a
    multiple of ten.
    """
    if len(nine_digits) != 9 or not all("0" <= c <= "9" for c in nine_digits):
        raise ValueError("luhn_check_digit expects exactly nine ASCII digits")
    total = 0
    for position, char in enumerate(nine_digits):
        product = int(char) * (2 if position % 2 == 0 else 1)
        total += product // 10 + product % 10
    return (10 - total % 10) % 10


# --- the value ------------------------------------------------------------


@dataclass(frozen=True)
class PersonalNumber:
    """A validated personal identity or coordination number.

    ``canonical`` keeps the digits as issued (for a coordination number the
    day is the one plus 60); ``birth_date`` is the real date of birth.
    The number is left out of ``repr`` so that it does not leak into
    developer logs and tracebacks by accident.
    """

    canonical: str = field(repr=False)  # 'YYYYMMDD-NNNN'
    birth_date: date = field(repr=False)
    is_coordination_number: bool
    #: The date the number was read against; ``short`` uses it for '+'.
    as_of: date | None = field(default=None, repr=False, compare=False)

    @property
    def digits(self) -> str:
        """The twelve digits without separator: 'YYYYMMDDNNNN'."""
        return self.canonical.replace("-", "")

    @property
    def short(self) -> str:
        """'YYMMDD-NNNN', or 'YYMMDD+NNNN' from the year the person turns 100.

        The year is that of the date the number was parsed against
        (``as_of``), or the office's today if there was none.
        """
        return self.short_at(self.as_of or clock.today())

    def short_at(self, today: date) -> str:
        """The ten-digit form as it is written on ``today``: '+' from 1 January
        of the calendar year in which the person turns 100."""
        separator = "+" if today.year - self.birth_date.year >= 100 else "-"
        return f"{self.canonical[2:8]}{separator}{self.canonical[9:]}"

    def __str__(self) -> str:
        return self.canonical


# --- parsing --------------------------------------------------------------

# Hyphen-like characters that word processors and web pages put in place of
# an ASCII hyphen; a pasted number should still be accepted.
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2212"), "-")

_SHAPE = re.compile(r"(?P<date>[0-9]{6}|[0-9]{8})(?P<sep>[-+]?)(?P<tail>[0-9]{4})")


def parse_personal_number(text: str, today: date | None = None) -> PersonalNumber:
    """Read and validate a personal identity or coordination number.

    Accepted forms (surrounding white space is ignored): 'YYMMDD-NNNN',
    'YYMMDD+NNNN', 'YYMMDDNNNN', 'YYYYMMDDNNNN', 'YYYYMMDD-NNNN'.
    Raises InvalidPersonalNumber with a specific message otherwise.
    """
    if not isinstance(text, str):
        raise TypeError("parse_personal_number expects a str")
    today = today or clock.today()
    cleaned = text.strip().translate(_DASHES)
    if not cleaned:
        raise _fail(_MSG_EMPTY)
    if any(not ("0" <= c <= "9" or c in "-+") for c in cleaned):
        raise _fail(_MSG_CHARACTERS)
    match = _SHAPE.fullmatch(cleaned)
    if match is None:
        raise _fail(_MSG_FORMAT)

    date_part, separator, tail = match["date"], match["sep"], match["tail"]
    if len(date_part) == 8 and separator == "+":
        raise _fail(_MSG_PLUS_WITH_CENTURY)

    month = int(date_part[-4:-2])
    written_day = int(date_part[-2:])
    if 1 <= written_day <= 31:
        coordination, day = False, written_day
    elif 1 + COORDINATION_DAY_OFFSET <= written_day <= 31 + COORDINATION_DAY_OFFSET:
        coordination, day = True, written_day - COORDINATION_DAY_OFFSET
    else:
        raise _fail(_MSG_DAY)

    if len(date_part) == 8:
        year = int(date_part[:4])
    else:
        year = _infer_year(int(date_part[:2]), month, day, plus=separator == "+", today=today)

    try:
        birth = date(year, month, day)
    except ValueError:
        raise _fail(_MSG_DATE) from None
    if birth > today:
        raise _fail(_MSG_FUTURE)

    if tail[:3] == "000":
        raise _fail(_MSG_SERIAL)
    ten = date_part[-6:] + tail
    if luhn_check_digit(ten[:9]) != int(ten[9]):
        raise _fail(_MSG_CHECK_DIGIT)

    return PersonalNumber(
        canonical=f"{year:04d}{date_part[-4:]}-{tail}",
        birth_date=birth,
        is_coordination_number=coordination,
        as_of=today,
    )


def _infer_year(yy: int, month: int, day: int, *, plus: bool, today: date) -> int:
    """Century for a ten-digit number.

    '+': the person turns 100 this calendar year or earlier, so the latest year
    ending in ``yy`` that is at least 100 years back. '-' or none: the latest
    year ending in ``yy`` whose (month, day) is not after ``today``.

    Compares tuples rather than dates so that an impossible date (such as
    29 February in a common year) is reported by the caller, not here.
    """
    year = today.year - (today.year - yy) % 100
    if plus:
        return year - 100
    if (year, month, day) > (today.year, today.month, today.day):
        year -= 100
    return year


def is_valid_personal_number(text: object, today: date | None = None) -> bool:
    """True when ``text`` is a valid personal identity or coordination number."""
    if not isinstance(text, str):
        return False
    try:
        parse_personal_number(text, today)
    except InvalidPersonalNumber:
        return False
    return True
