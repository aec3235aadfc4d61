"""Password policy and log-in throttling, after NIST SP 800-63B.

What the policy asks (and what it deliberately does not):

* Length is what counts: at least 12 characters, at most 256, counted in
  Unicode code points after NFKC normalisation. Every printable character,
  spaces and å/ä/ö included, is allowed.
* No composition rules (no "one digit, one capital"), no periodic expiry.
* Refused: passwords in the shipped list of common or breached passwords
  (case-insensitive), a listed password with only digits or symbols added
  around it, passwords that equal or contain the user name, a single
  repeated character or short repeated pattern, and trivial sequences such
  as ``abcdef…``, ``123456…`` or keyboard rows.

Each refusal is a :class:`WeakPassword` with one sentence in Swedish and one in
English that never repeats the password.

The same NFKC normalisation must be applied before the password is fed to the
key-derivation function; :func:`normalise_password` is the one place for it.

Repeated failed log-ins are slowed down (:func:`failed_login_delay`) but never
locked out for good: a store whose last administrator is locked out forever
would be lost.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from trefas_app.domain.errors import ValidationError
from trefas_app.resources import resource_path

MIN_LENGTH = 12
MAX_LENGTH = 256

#: Failed log-ins that cost nothing; after that the delay doubles from 1 s.
FREE_FAILURES = 3
MAX_DELAY_SECONDS = 30.0

COMMON_PASSWORDS_FILE = ("passwords", "common-passwords.txt")

# A user name shorter than this is only refused when the whole password equals
# it; "contains" would refuse far too much for names like "al".
_MIN_USERNAME_CONTAINED = 3
# A listed password must be at least this long to count when it is found with
# digits or symbols added around it ("love" + "19871234!" yes, "ab" + … no).
_MIN_PADDED_BASE = 4
# Repeated patterns up to this length are trivial ("abababab…", "abcabc…").
_MAX_REPEATED_UNIT = 4
# A password that splits into at most this many trivial runs (one repeated
# character or one step-by-one sequence each) is a trivial sequence.
_MAX_TRIVIAL_RUNS = 3

# Orders in which neighbouring characters count as "one step": the alphabet
# (Swedish order), digits, and keyboard rows of Swedish and US layouts.
_SEQUENCES = (
    "abcdefghijklmnopqrstuvwxyzåäö",
    "01234567890",
    "qwertyuiopå",
    "asdfghjklöä",
    "<zxcvbnm,.-",
    "qwertyuiop[]",
    "asdfghjkl;'",
    "zxcvbnm,./",
    "qwertyuiopasdfghjklzxcvbnm",
    "qwertyuiopåasdfghjklöäzxcvbnm",
    "!\"#¤%&/()=",
    "!@#$%^&*()",
)

_PAD_STRIP = re.compile(r"^[\W\d_]+|[\W\d_]+$")


class WeakPassword(ValidationError):
    """The password does not meet the policy.

    ``reason`` is a stable code for programs and tests: ``too_short``,
    ``too_long``, ``common``, ``common_padded``, ``username``, ``repeated``,
    ``sequence``.
    """

    def __init__(self, sv: str, en: str, reason: str):
        super().__init__(sv, en)
        self.reason = reason


def normalise_password(password: str) -> str:
    """NFKC form of the password; use it both for the policy and for the KDF."""
    if not isinstance(password, str):
        raise TypeError("password must be a str")
    return unicodedata.normalize("NFKC", password)


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The shipped list of common/breached passwords, loaded once."""
    path = resource_path(*COMMON_PASSWORDS_FILE)
    with open(path, encoding="utf-8") as fh:
        return frozenset(
            unicodedata.normalize("NFKC", line.strip()).lower()
            for line in fh
            if line.strip()
        )


def is_common_password(password: str) -> bool:
    """True when the password (case-insensitively) is on the shipped list."""
    return normalise_password(password).lower() in common_passwords()


def check_password_policy(password: str, username: str | None = None) -> None:
    """Raise :class:`WeakPassword` unless the password may be used.

    ``username`` is the user's log-in name, if known; the password may neither
    equal nor contain it.
    """
    pw = normalise_password(password)
    length = len(pw)
    if length < MIN_LENGTH:
        raise WeakPassword(
            f"Lösenordet måste ha minst {MIN_LENGTH} tecken.",
            f"The password must be at least {MIN_LENGTH} characters long.",
            "too_short",
        )
    if length > MAX_LENGTH:
        raise WeakPassword(
            f"Lösenordet får ha högst {MAX_LENGTH} tecken.",
            f"The password must be at most {MAX_LENGTH} characters long.",
            "too_long",
        )

    folded = pw.casefold()
    if username is not None:
        name = unicodedata.normalize("NFKC", username).strip().casefold()
        compact = re.sub(r"[\W_]+", "", name)
        if name and (
            folded == name
            or (len(name) >= _MIN_USERNAME_CONTAINED and name in folded)
            or (len(compact) >= _MIN_USERNAME_CONTAINED and compact in folded)
        ):
            raise WeakPassword(
                "Lösenordet får inte vara eller innehålla användarnamnet.",
                "The password must not be or contain the user name.",
                "username",
            )

    lowered = pw.lower()
    listed = common_passwords()
    if lowered in listed:
        raise WeakPassword(
            "Lösenordet är för vanligt och finns i listor över läckta lösenord, "
            "så välj ett annat.",
            "This password is too common and appears in lists of leaked "
            "passwords, so choose another one.",
            "common",
        )
    unit = _repeated_unit(lowered)
    base = _PAD_STRIP.sub("", unit)
    if base != lowered and len(base) >= _MIN_PADDED_BASE and base in listed:
        raise WeakPassword(
            "Lösenordet är ett vanligt lösenord med bara siffror eller tecken "
            "tillagda eller samma ord upprepat, så välj ett annat.",
            "This password is a common password with only digits or symbols "
            "added or the same word repeated, so choose another one.",
            "common_padded",
        )

    if len(unit) <= _MAX_REPEATED_UNIT:
        raise WeakPassword(
            "Lösenordet får inte bestå av ett och samma tecken eller en kort "
            "följd som upprepas.",
            "The password must not be a single repeated character or a short "
            "repeated pattern.",
            "repeated",
        )
    if _trivial_runs(lowered) <= _MAX_TRIVIAL_RUNS:
        raise WeakPassword(
            "Lösenordet får inte vara en enkel följd som abcdef, 123456 eller "
            "tangenterna i en rad på tangentbordet.",
            "The password must not be a simple sequence such as abcdef, 123456 "
            "or a row of keys on the keyboard.",
            "sequence",
        )


def _repeated_unit(pw: str) -> str:
    """Shortest piece that, repeated, makes up the whole password.

    ``"abababab"`` gives ``"ab"``; a password without repetition gives itself.
    """
    n = len(pw)
    # The shortest period p with pw == pw[:p] * (n // p) is found where pw
    # first reappears inside pw + pw (a classic string identity).
    p = (pw + pw).find(pw, 1)
    if 0 < p < n and n % p == 0:
        return pw[:p]
    return pw


def _step_kinds() -> list[frozenset[tuple[str, str]]]:
    kinds: list[frozenset[tuple[str, str]]] = []
    for seq in _SEQUENCES:
        forward = frozenset(zip(seq, seq[1:]))
        kinds.append(forward)
        kinds.append(frozenset((b, a) for a, b in forward))
    return kinds


_STEP_KINDS = _step_kinds()


def _trivial_runs(pw: str) -> int:
    """Fewest pieces the password splits into, each piece trivial.

    A trivial piece is one character repeated, or a run in which every
    character is the next (or previous) one in a single sequence: alphabet,
    digits or a keyboard row. Taking the longest piece from each position is
    optimal because every part of a trivial piece is trivial too.
    """
    n = len(pw)
    runs = 0
    i = 0
    while i < n:
        best = i + 1
        # Repeated character.
        j = i + 1
        while j < n and pw[j] == pw[i]:
            j += 1
        best = max(best, j)
        # Step-by-one sequences.
        for pairs in _STEP_KINDS:
            j = i + 1
            while j < n and (pw[j - 1], pw[j]) in pairs:
                j += 1
            best = max(best, j)
        runs += 1
        if runs > _MAX_TRIVIAL_RUNS:
            return runs
        i = best
    return runs


def failed_login_delay(consecutive_failures: int) -> float:
    """Seconds to wait before the next log-in attempt may be tried.

    0 for the first three failures, then 1, 2, 4, 8, 16 and at most 30 seconds
    — never a permanent lock-out.
    """
    extra = consecutive_failures - FREE_FAILURES
    if extra <= 0:
        return 0.0
    if extra > 16:  # 2**15 is far past the cap; avoid huge integers
        return MAX_DELAY_SECONDS
    return min(float(2 ** (extra - 1)), MAX_DELAY_SECONDS)
