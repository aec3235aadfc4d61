"""Plain, immutable results of the services. The GUI, the command line and
the documents get these, never live ORM objects, so nothing can lazily load
data past the access rule once a service has returned."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from trefas_app.domain.enums import (
    Agency,
    CaseState,
    Category,
    ConsentBasis,
    ConsentForm,
    NoteState,
    ProtectionLevel,
    RiskLevel,
    Role,
)
from trefas_app.security.access import person_alias
from trefas_app.domain.labels import person_code

T = TypeVar("T")

# --- identifying details: one mask for every projection -------------------------

#: Metadata key of a view field that can name, number, reach or locate a person
#: or those close to them (guardian, relatives, contacts). Its value says what
#: the field shows when the reader may not know who the person is (a protected
#: person not revealed by this reader, or identity not shared with the agency).
IDENTIFYING = "trefas_identifying"

#: Masked value: the person's alias ("Skyddad person P-0024").
ALIAS = "alias"
#: Masked value: the free text with the person's known names blanked out.
SCRUB = "scrub"
#: What a masked name in free text becomes.
NAME_MASK = "[skyddat namn]"
#: Who gave a consent, when that is not someone who identifies the person.
NON_IDENTIFYING_GIVERS = ("Personen själv", "Lagstöd")
MASKED_GIVER = "Vårdnadshavare (skyddad uppgift)"


def identifying(masked: object = None, **kwargs) -> Any:
    """Declare a view field as identifying. ``masked`` is what it shows when
    masked: None (the default), :data:`ALIAS`, :data:`SCRUB`, or a function of
    the real value."""
    return field(metadata={IDENTIFYING: masked}, **kwargs)


def masked_giver(given_by: str) -> str:
    """The person themself and a legal basis name nobody; a guardian does."""
    return given_by if given_by in NON_IDENTIFYING_GIVERS else MASKED_GIVER


#: An alias of ``persons`` (``relatives``, ``consents``) named with this prefix
#: reads the table itself on a server, not its masked view
#: (``server/reads.py``): for a statement that reads only the open columns
#: (ids, owner, protection level), such as a count, which through the view
#: would run its row function for every row. A masked column read through such
#: an alias is refused by the server (it is not granted), never shown.
OPEN_COLUMNS_PREFIX = "open_"

#: In a set of names to blank out: the server has blanked them already (a
#: person's own free text read through ``trefas.persons_shown``).
BLANKED_BY_SERVER = "\x00blanked by the server"
#: What withheld free text becomes (only where a server cannot vouch for a
#: text as stored free text it may blank: see :class:`ServerNames`).
TEXT_WITHHELD = "[skyddad text]"


#: The server's function that blanks names out of stored free text
#: (installed by ``server.blanking``).
SERVER_BLANKING = "trefas.blanked_texts"
#: The server's function that tells which words of the text a document
#: writes itself are names to blank (``server.blanking``).
SERVER_NAME_WORDS = "trefas.masked_document_words"


class ServerNames:
    """The names to blank out of free text about masked persons whose names
    the reader's server keeps from the program (their masked views). The
    server blanks them by the same rule (``server.blanking``) in
    ``trefas.blanked_texts``, which blanks only text stored about the persons
    that the reader may read; any other text comes back as None.

    Used where a set of name words is used: ``names | words`` is the server's
    names still (its set already holds every name the program could add:
    guardians, relatives); ``names | other ServerNames`` joins the persons."""

    def __init__(self, session, person_ids):
        self.session = session
        self.person_ids = frozenset(person_ids)
        self._blanked: dict[str, str | None] = {}

    def __or__(self, other):
        if isinstance(other, ServerNames):
            return ServerNames(self.session, self.person_ids | other.person_ids)
        return self

    __ror__ = __or__

    def __bool__(self) -> bool:
        return bool(self.person_ids)

    def __repr__(self) -> str:
        return f"ServerNames({sorted(self.person_ids)})"

    def missing(self, texts) -> list[str]:
        return sorted({t for t in texts if t and t not in self._blanked})

    def learn(self, texts: list[str], blanked: list[str | None]) -> None:
        self._blanked.update(zip(texts, blanked))

    def blanked(self, text: str) -> str | None:
        """``text`` blanked by the server; None: not stored text it blanks."""
        if text not in self._blanked:
            fetch_blanked([(self, [text])])
        return self._blanked[text]

    def blank(self, text: str | None) -> str | None:
        if not text:
            return text
        found = self.blanked(text)
        return TEXT_WITHHELD if found is None else found


def fetch_blanked(requests: list[tuple["ServerNames", list[str]]]) -> None:
    """Ask the server once for every (names, texts) pair not known yet."""
    from sqlalchemy import bindparam, select, text as sql_text
    from sqlalchemy.dialects.postgresql import ARRAY
    from sqlalchemy.types import Integer, Text

    asks = [(names, missing) for names, texts in requests
            if (missing := names.missing(texts))]
    if not asks:
        return
    calls, params = [], {}
    for i, (names, missing) in enumerate(asks):
        calls.append(f"{SERVER_BLANKING}(:p{i}, :t{i})")
        params[f"p{i}"], params[f"t{i}"] = sorted(names.person_ids), missing
    binds = [bindparam(f"p{i}", type_=ARRAY(Integer)) for i in range(len(asks))] + \
        [bindparam(f"t{i}", type_=ARRAY(Text)) for i in range(len(asks))]
    row = asks[0][0].session.execute(
        sql_text("SELECT " + ", ".join(calls)).bindparams(*binds), params).one()
    for (names, missing), blanked in zip(asks, row):
        names.learn(missing, list(blanked or [None] * len(missing)))


def scrub_names(text: str | None, names) -> str | None:
    """``text`` with every whole word that is one of ``names`` blanked out
    (case-insensitively): free text about a masked person often names them
    or their family. ``names``: name words, or :class:`ServerNames`."""
    if isinstance(names, ServerNames):
        return names.blank(text)
    if BLANKED_BY_SERVER in names:
        return text
    words = sorted((n for n in names if len(n) >= 2), key=len, reverse=True)
    if not text or not words:
        return text
    pattern = r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)"
    return re.sub(pattern, NAME_MASK, text, flags=re.IGNORECASE)


def name_words(*names: str | None) -> frozenset[str]:
    """The words of the given names, for :func:`scrub_names` — not what is in
    brackets ("Idil Aziz (vårdnadshavare)" gives Idil and Aziz)."""
    return frozenset(w for n in names if n
                     for w in re.findall(r"\w[\w'-]*", re.sub(r"\([^)]*\)", " ", n))
                     if not w.isdigit())


def mask_identity(view: T, person_id: int, names=frozenset()) -> T:
    """The one mask: ``view`` with every field declared :func:`identifying`
    replaced by its masked value. ``names`` are the real names (the person's,
    a guardian's) to blank out of free-text fields."""
    changes: dict[str, object] = {}
    for f in dataclasses.fields(view):
        if IDENTIFYING not in f.metadata:
            continue
        rule: object = f.metadata[IDENTIFYING]
        value = getattr(view, f.name)
        if rule == ALIAS:
            changes[f.name] = person_alias(person_id)
        elif rule == SCRUB:
            changes[f.name] = scrub_names(value, names)
        elif callable(rule):
            changes[f.name] = rule(value)
        else:
            changes[f.name] = None
    return dataclasses.replace(view, **changes)


def identifying_fields(cls: type) -> dict[str, object]:
    """Field name -> masked rule of every identifying field of a view class."""
    return {f.name: f.metadata[IDENTIFYING] for f in dataclasses.fields(cls)
            if IDENTIFYING in f.metadata}


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: tuple[T, ...]
    #: Rows matching the filter; None when the list was asked not to count.
    total: int | None
    offset: int
    #: Entries in scope that the access rule hides from this user, per category.
    hidden: dict[Category, int] = field(default_factory=dict)
    #: More rows follow this page (set when ``total`` is None).
    more: bool = False

    @property
    def hidden_total(self) -> int:
        return sum(self.hidden.values())


def fetch_page(session, stmt, offset: int, limit: int, keyset: bool = False,
               core: bool = False) -> tuple[list, bool]:
    """One page of ``stmt``'s rows and whether more follow (one row over the
    limit is read, so no count is needed to know). ``keyset``: ``stmt``
    already starts after the previous page (:func:`after_clause`), so no
    OFFSET. ``core``: ``stmt`` is a Core select of columns; its rows come back
    as they are (named tuples), not as ORM objects."""
    stmt = stmt.limit(limit + 1) if keyset else stmt.offset(offset).limit(limit + 1)
    result = session.execute(stmt) if core else session.scalars(stmt)
    rows = list(result.all())
    return rows[:limit], len(rows) > limit


def after_clause(order: list[tuple[Any, bool]], anchor: tuple):
    """Keyset paging: the rows that come after ``anchor`` (the values of the
    previous page's last row) in ``order``, a list of (expression,
    descending). Written as the first term's range (so SQLite seeks in the
    index that gives the order instead of walking past every earlier row, as
    OFFSET does) and the exact lexicographic test. A None in ``anchor`` is a
    NULL sorted by an ``IS NULL`` term before it."""
    from sqlalchemy import Boolean, and_, false, literal, or_, type_coerce

    def comparable(expr, value):
        # A true/false term (``due_on IS NULL``) compares as a truth value:
        # 0/1 on SQLite (the same SQL as an integer), false < true on
        # PostgreSQL, which has no boolean >= integer.
        if isinstance(value, bool):
            return type_coerce(expr, Boolean), literal(value, Boolean)
        return expr, value

    def beyond(expr, desc, value):
        if value is None:
            return false()
        expr, value = comparable(expr, value)
        return expr < value if desc else expr > value

    def same(expr, value):
        if value is None:
            return expr.is_(None)
        expr, value = comparable(expr, value)
        return expr == value

    alternatives = []
    for i, (expr, desc) in enumerate(order):
        alternatives.append(and_(*(same(e, v) for (e, _), v in zip(order[:i], anchor)),
                                 beyond(expr, desc, anchor[i])))
    first, start = comparable(order[0][0], anchor[0])
    if start is None:
        return or_(*alternatives)
    seek = first <= start if order[0][1] else first >= start
    return and_(seek, or_(*alternatives))


@dataclass(frozen=True)
class ListCount:
    """A list's count on its own, for a window that shows the rows first."""

    total: int
    hidden: dict[Category, int] = field(default_factory=dict)


@dataclass(frozen=True)
class UserView:
    id: int
    username: str
    display_name: str
    role: Role
    agency: Agency
    unit_id: int
    unit_name: str
    active: bool
    has_key_slot: bool = True
    #: "ready", "enrolment" (code given, no password chosen yet) or "awaiting"
    #: (password chosen, waiting for a supervisor's confirmation).
    account_state: str = "ready"
    #: Only in the answer to creating an account or resetting a password:
    #: the one-time enrolment code, shown once.
    enrolment_code: str | None = None


@dataclass(frozen=True)
class UnitView:
    id: int
    agency: Agency
    code: str
    name: str


@dataclass(frozen=True)
class PersonView:
    """A person as one user may see them. Masked fields are None.

    ``display_name`` is the alias for a protected person unless revealed.
    """

    id: int
    display_name: str = identifying(ALIAS)
    personal_number: str | None = identifying()
    birth_date: dt.date | None = identifying()
    phone: str | None = identifying()
    address: str | None = identifying()
    postal_code: str | None = identifying()
    city: str | None = identifying()
    protection_level: ProtectionLevel
    protected: bool
    revealed: bool
    risk_level: RiskLevel | None
    risk_factors: str | None = identifying(SCRUB)
    protective_factors: str | None = identifying(SCRUB)
    owner_agency: Agency
    unit_id: int
    #: Categories of this person's own fields the user may not see.
    withheld: tuple[Category, ...] = ()
    #: The name parts, for editing; None where the name is masked.
    first_name: str | None = identifying(default=None)
    last_name: str | None = identifying(default=None)
    #: The version read (give it back to update_person: a newer one refuses the save).
    version: int = 0

    @property
    def alias(self) -> str:
        return person_code(self.id)

    @property
    def identity_masked(self) -> bool:
        """The reader may not know who this is (protected and not revealed by
        them, or identity not shared): every detail that identifies the person
        or those close to them is masked wherever the person appears."""
        return Category.IDENTITY in self.withheld


@dataclass(frozen=True)
class PersonRow:
    id: int
    display_name: str = identifying(ALIAS)
    personal_number: str | None = identifying()
    protected: bool
    risk_level: RiskLevel | None
    open_cases: int


@dataclass(frozen=True)
class TeamMemberView:
    user_id: int
    display_name: str
    role: Role
    agency: Agency
    unit_name: str
    responsible: bool
    phone: str | None
    email: str | None


@dataclass(frozen=True)
class CaseRow:
    id: int
    number: str
    title: str = identifying(SCRUB)
    state: CaseState
    person_id: int
    person_name: str = identifying(ALIAS)
    protected: bool
    risk_level: RiskLevel | None
    unit_name: str
    opened_at: dt.datetime
    last_entry_at: dt.datetime


@dataclass(frozen=True)
class CaseView:
    id: int
    number: str
    title: str = identifying(SCRUB)
    state: CaseState
    person: PersonView
    unit_id: int
    unit_name: str
    owner_agency: Agency
    opened_at: dt.datetime
    last_entry_at: dt.datetime
    closure_requested_at: dt.datetime | None
    closure_reason: str | None = identifying(SCRUB)
    closed_at: dt.datetime | None
    retain_until: dt.date | None
    team: tuple[TeamMemberView, ...]
    #: The state changes this user may make now (lifecycle × permission).
    next_states: tuple[CaseState, ...]
    on_team: bool
    emergency_until: dt.datetime | None
    read_only: bool


@dataclass(frozen=True)
class ConsentView:
    id: int
    person_id: int
    case_id: int | None
    basis: ConsentBasis
    legal_reference: str | None
    purpose: str = identifying(SCRUB)
    form: ConsentForm
    given_by: str = identifying(masked_giver)
    obtained_by: str
    owner_agency: Agency
    valid_from: dt.date
    valid_until: dt.date
    withdrawn_at: dt.datetime | None
    withdrawal_reason: str | None = identifying(SCRUB)
    version: int
    superseded: bool
    grants: tuple[tuple[Agency, Category], ...]
    #: "active", "expired", "withdrawn", "not_yet_valid" or "superseded".
    status: str
    #: The person as the reader may see them (an alias when masked); filled in
    #: by lists that span several persons.
    person_name: str | None = identifying(ALIAS, default=None)

    def covers(self, agency: Agency, category: Category) -> bool:
        return (agency, category) in self.grants


@dataclass(frozen=True)
class NoteView:
    id: int
    case_id: int
    title: str = identifying(SCRUB)
    body: str = identifying(SCRUB)
    category: Category
    state: NoteState
    author: str
    owner_agency: Agency
    created_at: dt.datetime
    signed_at: dt.datetime | None
    signed_by: str | None
    corrects_id: int | None
    corrected_by: tuple[int, ...]
    author_id: int | None = None
    person_id: int | None = None
    #: The version read (give it back to update_draft: a newer one refuses the save).
    version: int = 0
