"""Plain, immutable results of the services. The GUI, the command line and
the documents get these, never live ORM objects, so nothing can lazily load
data past the access rule once a service has returned."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Generic, TypeVar

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

T = TypeVar("T")


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


def fetch_page(session, stmt, offset: int, limit: int) -> tuple[list, bool]:
    """One page of ``stmt``'s rows and whether more follow (one row over the
    limit is read, so no count is needed to know)."""
    rows = list(session.scalars(stmt.offset(offset).limit(limit + 1)).all())
    return rows[:limit], len(rows) > limit


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
    display_name: str
    personal_number: str | None
    birth_date: dt.date | None
    phone: str | None
    address: str | None
    postal_code: str | None
    city: str | None
    protection_level: ProtectionLevel
    protected: bool
    revealed: bool
    risk_level: RiskLevel | None
    risk_factors: str | None
    protective_factors: str | None
    owner_agency: Agency
    unit_id: int
    #: Categories of this person's own fields the user may not see.
    withheld: tuple[Category, ...] = ()
    #: The name parts, for editing; None where the name is masked.
    first_name: str | None = None
    last_name: str | None = None

    @property
    def alias(self) -> str:
        return f"P-{self.id:04d}"


@dataclass(frozen=True)
class PersonRow:
    id: int
    display_name: str
    personal_number: str | None
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
    title: str
    state: CaseState
    person_id: int
    person_name: str
    protected: bool
    risk_level: RiskLevel | None
    unit_name: str
    opened_at: dt.datetime
    last_entry_at: dt.datetime


@dataclass(frozen=True)
class CaseView:
    id: int
    number: str
    title: str
    state: CaseState
    person: PersonView
    unit_id: int
    unit_name: str
    owner_agency: Agency
    opened_at: dt.datetime
    last_entry_at: dt.datetime
    closure_requested_at: dt.datetime | None
    closure_reason: str | None
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
    purpose: str
    form: ConsentForm
    given_by: str
    obtained_by: str
    owner_agency: Agency
    valid_from: dt.date
    valid_until: dt.date
    withdrawn_at: dt.datetime | None
    withdrawal_reason: str | None
    version: int
    superseded: bool
    grants: tuple[tuple[Agency, Category], ...]
    #: "active", "expired", "withdrawn", "not_yet_valid" or "superseded".
    status: str
    #: The person as the reader may see them (an alias when masked); filled in
    #: by lists that span several persons.
    person_name: str | None = None

    def covers(self, agency: Agency, category: Category) -> bool:
        return (agency, category) in self.grants


@dataclass(frozen=True)
class NoteView:
    id: int
    case_id: int
    title: str
    body: str
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
