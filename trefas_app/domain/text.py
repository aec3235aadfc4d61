"""The one rule for text a user gives, and the limits of every field and list.

Every text field that is stored (names, addresses, titles, reasons, note text,
…) has an entry in :data:`FIELD_RULES`: a maximum length and whether it may
span lines. :func:`clean` applies the rule, the same for every field:

* Unicode NFC (``e`` + combining accent is stored as ``é``); in a multi-line
  field ``\\r\\n`` and a lone ``\\r`` become ``\\n``.
* Refused, with one sentence naming the field and the character's code point
  (the text itself is never quoted): control characters (C0 and C1; a
  multi-line field allows newline and tab), invisible format characters
  (zero-width space, soft hyphen, bidirectional overrides and isolates, …),
  unpaired surrogates (what undecodable bytes become), private-use and
  unassigned code points — and any character outside :data:`REPERTOIRE`, the
  scripts the PDF font draws (Latin, Greek, Cyrillic, common punctuation and
  symbols). Emoji and the mathematical "fraktur" letters are refused, so that
  everything accepted comes back out of a PDF as it went in.
* Lengths count visible characters (:func:`visible_length`): combining marks
  and line breaks do not make a reason long enough.

Lists take ``offset`` ≥ 0 and ``limit`` 1…:data:`MAX_PAGE_LIMIT`
(:func:`check_paging`); record ids fit SQLite's integer (:data:`MAX_RECORD_ID`).
The store applies :func:`clean` to every field in :data:`FIELD_RULES` at each
flush (store/text_guard.py), so no service can forget it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from trefas_app.domain.errors import ValidationError

#: The shape of a user name (the key file checks its unsigned lists against it too).
USERNAME_RE = re.compile(r"^[a-z][a-z0-9._-]{1,31}$")

#: SQLite's largest integer: no id or offset beyond it can exist.
MAX_RECORD_ID = 2**63 - 1
#: The most rows one list call returns.
MAX_PAGE_LIMIT = 1000

#: Code point ranges (inclusive) the PDF font (DejaVu Sans) draws, regular and bold.
REPERTOIRE: tuple[tuple[int, int], ...] = (
    (0x0020, 0x007E),  # Basic Latin
    (0x00A0, 0x00FF),  # Latin-1 Supplement
    (0x0100, 0x024F),  # Latin Extended-A and -B
    (0x0250, 0x02AF),  # IPA Extensions
    (0x02B0, 0x02E9),  # Spacing Modifier Letters (most)
    (0x0300, 0x034F),  # Combining Diacritical Marks (most)
    (0x0370, 0x03FF),  # Greek and Coptic
    (0x0400, 0x04FF),  # Cyrillic
    (0x0500, 0x0525),  # Cyrillic Supplement (most)
    (0x1E00, 0x1EFB),  # Latin Extended Additional (most)
    (0x2000, 0x2064),  # General Punctuation
    (0x20A0, 0x20B5),  # Currency Symbols (most)
    (0x2100, 0x2109),  # Letterlike Symbols (part)
    (0x2190, 0x21FF),  # Arrows
    (0x2200, 0x22FF),  # Mathematical Operators
    (0x25A0, 0x25FF),  # Geometric Shapes
)

_BIDI_CONTROLS = {0x200E, 0x200F, 0x061C, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}
_NEVER = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
_INVISIBLE = {"Mn", "Me", "Cc", "Cf", "Zl", "Zp"}


@dataclass(frozen=True)
class FieldRule:
    """How one stored text field is checked: its name for messages, its
    maximum length in characters, and whether it may hold several lines."""

    sv: str
    en: str
    limit: int
    multiline: bool = False


NAME = 100
LINE = 200
PHONE = 50
TEXT = 20_000
REASON = 2_000
NOTE = 200_000
PLAN_TEXT = 10_000
QUERY = 200


def _line(sv: str, en: str, limit: int = LINE) -> FieldRule:
    return FieldRule(sv, en, limit)


def _text(sv: str, en: str, limit: int = TEXT) -> FieldRule:
    return FieldRule(sv, en, limit, multiline=True)


#: Every stored text field a user fills in, as ``table.column``.
FIELD_RULES: dict[str, FieldRule] = {
    "units.code": _line("enhetskod", "unit code", 32),
    "units.name": _line("enhetens namn", "unit name"),
    "users.username": _line("användarnamn", "user name", 64),
    "users.display_name": _line("namn", "name"),
    "users.email": _line("e-post", "e-mail"),
    "users.phone": _line("telefon", "phone", PHONE),
    "persons.first_name": _line("förnamn", "first name", NAME),
    "persons.last_name": _line("efternamn", "last name", NAME),
    "persons.phone": _line("telefon", "phone", PHONE),
    "persons.address": _line("adress", "address"),
    "persons.postal_code": _line("postnummer", "postal code", 10),
    "persons.city": _line("ort", "city", NAME),
    "persons.risk_factors": _text("riskfaktorer", "risk factors"),
    "persons.protective_factors": _text("skyddsfaktorer", "protective factors"),
    "relatives.name": _line("anhörigs namn", "relative's name"),
    "relatives.relation": _line("relation", "relation", NAME),
    "relatives.phone": _line("anhörigs telefon", "relative's phone", PHONE),
    "cases.title": _line("rubrik", "title"),
    "cases.closure_reason": _text("skäl för avslut", "reason for closing", REASON),
    "state_changes.reason": _text("skäl", "reason", REASON),
    "consents.legal_reference": _line("lagrum", "legal reference"),
    "consents.purpose": _text("syfte", "purpose", REASON),
    "consents.given_by": _line("vårdnadshavare", "guardian"),
    "consents.withdrawal_reason": _text("skäl för återkallelse", "reason for withdrawal",
                                        REASON),
    "referrals.reason": _text("skäl för anmälan", "reason for the referral"),
    "referrals.decision_note": _text("beslutsanteckning", "decision note"),
    "plan_goals.goal": _text("mål", "goal", PLAN_TEXT),
    "plan_actions.description": _text("insats", "action", PLAN_TEXT),
    "exit_programmes.needs": _text("behov", "needs"),
    "exit_programmes.agreement_conditions": _text("villkor", "conditions"),
    "threat_assessments.summary": _text("hotbedömning", "threat assessment"),
    "protective_measures.description": _text("skyddsåtgärd", "protective measure"),
    "support_components.description": _text("stödinsats", "support component"),
    "incidents.place": _line("plats", "place"),
    "incidents.summary": _text("sammanfattning", "summary"),
    "routine_steps.title": _line("rubrik", "title"),
    "routine_steps.comment": _text("kommentar", "comment"),
    "meetings.title": _line("rubrik", "title"),
    "meetings.place": _line("plats", "place"),
    "meeting_items.discussion": _text("diskussion", "discussion"),
    "meeting_items.decision": _text("beslut", "decision"),
    "tasks.title": _line("rubrik", "title"),
    "tasks.description": _text("beskrivning", "description"),
    "notes.title": _line("rubrik", "title"),
    "notes.body": _text("anteckningens text", "note text", NOTE),
    "issued_documents.recipient": _line("mottagare", "recipient"),
    "disclosures.recipient": _line("mottagare", "recipient"),
    "disclosures.legal_basis": _line("rättslig grund", "legal basis"),
    "disclosures.purpose": _text("syfte", "purpose", REASON),
    "emergency_accesses.reason": _text("skäl", "reason", REASON),
    "identity_reveals.reason": _text("skäl", "reason", REASON),
}

#: Text columns the program fills itself (numbers, hashes, codes, the access
#: log, which is written from already checked values and never changed).
INTERNAL_COLUMNS = frozenset({
    "store_meta.key", "store_meta.value", "users.language", "persons.personal_number",
    "persons.search_name", "persons.sort_name", "cases.number", "state_changes.entity",
    "state_changes.from_state", "state_changes.to_state", "incidents.number",
    "incident_involvements.involvement", "routine_steps.step_key",
    "issued_documents.number", "issued_documents.content_sha256",
    "issued_documents.pdf_sha256", "disclosures.categories",
})
INTERNAL_TABLES = frozenset({"audit_events", "retention_purges"})

SEARCH_QUERY = _line("sökning", "search", QUERY)
#: A reason copied into the access log (the longest any field allows).
LOGGED_REASON = _text("skäl", "reason")


def in_repertoire(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in REPERTOIRE)


def _why_refused(char: str, multiline: bool) -> tuple[str, str] | None:
    if multiline and char in "\n\t":
        return None
    category = unicodedata.category(char)
    if category == "Cs":
        return ("ogiltig kodning (inte UTF-8)", "invalid encoding (not UTF-8)")
    if category == "Cc" or category in ("Zl", "Zp"):
        return ("ett styrtecken", "a control character")
    if ord(char) in _BIDI_CONTROLS:
        return ("ett tecken som vänder skrivriktningen", "a text-direction control")
    if category in _NEVER:
        return ("ett osynligt eller odefinierat tecken", "an invisible or undefined character")
    if not in_repertoire(char):
        return ("ett tecken som inte kan skrivas ut i PDF-dokument",
                "a character that cannot be printed in PDF documents")
    return None


#: Every character a single-line field accepts (a set test is fast on a long note).
_ACCEPTED = frozenset(chr(code) for low, high in REPERTOIRE for code in range(low, high + 1)
                      if _why_refused(chr(code), False) is None)
_ACCEPTED_LINES = _ACCEPTED | {"\n", "\t"}


def clean(value: str, rule: FieldRule) -> str:
    """``value`` under the one text rule (see the module text); raises
    :class:`ValidationError` naming the field, never quoting the text."""
    text = unicodedata.normalize("NFC", value)  # checked as stored
    if rule.multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    refused = set(text) - (_ACCEPTED_LINES if rule.multiline else _ACCEPTED)
    if refused:
        char = next(ch for ch in text if ch in refused)
        why = _why_refused(char, rule.multiline)
        if why is not None:
            code = f"U+{ord(char):04X}"
            raise ValidationError(
                f"Fältet ”{rule.sv}” innehåller {why[0]} ({code}) som inte kan användas. "
                f"Ta bort tecknet och försök igen.",
                f"The {rule.en} contains {why[1]} ({code}) that cannot be used. "
                f"Remove the character and try again.")
    if len(text) > rule.limit:
        raise ValidationError(
            f"Fältet ”{rule.sv}” är för långt: högst {rule.limit} tecken.",
            f"The {rule.en} is too long: at most {rule.limit} characters.")
    return text


def visible_length(text: str) -> int:
    """Characters one sees: not combining marks, controls or line breaks."""
    return sum(1 for ch in unicodedata.normalize("NFC", text)
               if unicodedata.category(ch) not in _INVISIBLE and ch not in "\n\t")


def limited_text(text: str | None, sv_what: str, en_what: str, limit: int,
                 required: bool = True) -> str | None:
    """A free text a service stores: stripped; None when empty and not
    ``required``; refused when empty and required, or longer than ``limit``."""
    text = (text or "").strip()
    if not text:
        if required:
            raise ValidationError(f"Ange {sv_what}.", f"Give {en_what}.")
        return None
    if len(text) > limit:
        sv_limit = f"{limit:,}".replace(",", " ")  # 20 000
        raise ValidationError(f"Texten är för lång ({sv_what}, högst {sv_limit} tecken).",
                              f"The text is too long ({en_what}, at most {limit:,} characters).")
    return text


def file_size(n: int) -> str:
    """A file's size for people: "512 B", "3.4 MB" (the CLI and the admin screen)."""
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


def check_paging(offset: int, limit: int) -> tuple[int, int]:
    """A list's ``offset`` (0 or more) and ``limit`` (1 … MAX_PAGE_LIMIT)."""
    if not isinstance(offset, int) or not 0 <= offset <= MAX_RECORD_ID:
        raise ValidationError(
            "Ogiltig startrad (--offset): ange 0 eller ett större heltal.",
            "Invalid offset: give 0 or a larger whole number.")
    if not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE_LIMIT:
        raise ValidationError(
            f"Ogiltigt antal rader (--limit): ange 1–{MAX_PAGE_LIMIT}.",
            f"Invalid number of rows (--limit): give 1–{MAX_PAGE_LIMIT}.")
    return offset, limit
