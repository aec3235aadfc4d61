"""Plain, immutable results of the case-work services: SIG referrals, action
plans / SIP and the exit programme. Like ``views``, nothing here is a live ORM
object, so nothing can load data past the access rule after a service returns.

Person names in these results are already projected through the access rule
(an alias for a protected person, or when identity is not shared)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from trefas_app.services.views import ALIAS, SCRUB, identifying
from trefas_app.domain.enums import (
    Agency,
    Category,
    ExitEnding,
    ExitState,
    LifeArea,
    MeasureKind,
    PlanState,
    ReferralClosure,
    ReferralState,
    RiskLevel,
    SupportKind,
)

# --- SIG referral -------------------------------------------------------------


@dataclass(frozen=True)
class ReferralRow:
    id: int
    case_id: int
    case_number: str
    person_id: int
    person_name: str = identifying(ALIAS)
    protected: bool
    state: ReferralState
    source_agency: Agency
    received_at: dt.datetime
    decided_at: dt.datetime | None
    closure: ReferralClosure | None


@dataclass(frozen=True)
class ReferralView:
    id: int
    case_id: int
    case_number: str
    person_id: int
    person_name: str = identifying(ALIAS)
    protected: bool
    state: ReferralState
    source_agency: Agency
    owner_agency: Agency
    received_at: dt.datetime
    reason: str = identifying(SCRUB)
    created_by: str
    decision_note: str | None = identifying(SCRUB)
    decided_at: dt.datetime | None
    decided_by: str | None
    closure: ReferralClosure | None
    closed_at: dt.datetime | None
    #: The state changes this user may make now (lifecycle × permission).
    next_states: tuple[ReferralState, ...]
    #: The version read (give it back to move_referral: a newer one refuses the move).
    version: int = 0


# --- action plan / SIP --------------------------------------------------------


@dataclass(frozen=True)
class PlanGoalView:
    id: int
    life_area: LifeArea
    goal: str = identifying(SCRUB)


@dataclass(frozen=True)
class PlanActionView:
    id: int
    life_area: LifeArea
    description: str = identifying(SCRUB)
    responsible_agency: Agency
    responsible_user_id: int | None
    responsible_name: str | None
    due_date: dt.date | None
    follow_up_date: dt.date | None
    done_at: dt.datetime | None
    #: Past its due date and not done.
    overdue: bool


@dataclass(frozen=True)
class PlanView:
    id: int
    case_id: int
    case_number: str
    person_id: int
    is_sip: bool
    state: PlanState
    owner_agency: Agency
    overall_agency: Agency
    overall_user_id: int | None
    overall_user_name: str | None
    created_at: dt.datetime
    created_by: str
    approved_at: dt.datetime | None
    approved_by: str | None
    next_follow_up: dt.date | None
    goals: tuple[PlanGoalView, ...]
    actions: tuple[PlanActionView, ...]
    next_states: tuple[PlanState, ...]
    #: The version read (give it back to follow_up_plan: a newer one refuses the save).
    version: int = 0


@dataclass(frozen=True)
class PlanRow:
    id: int
    case_id: int
    is_sip: bool
    state: PlanState
    overall_agency: Agency
    overall_user_name: str | None
    next_follow_up: dt.date | None
    goals: int
    open_actions: int
    created_at: dt.datetime


# --- exit programme -----------------------------------------------------------


@dataclass(frozen=True)
class ThreatAssessmentView:
    id: int
    case_id: int
    exit_programme_id: int | None
    assessed_at: dt.datetime
    level: RiskLevel
    summary: str = identifying(SCRUB)
    owner_agency: Agency
    assessed_by: str


@dataclass(frozen=True)
class MeasureView:
    id: int
    case_id: int
    exit_programme_id: int | None
    kind: MeasureKind
    description: str = identifying(SCRUB)
    started_on: dt.date
    ended_on: dt.date | None
    owner_agency: Agency

    @property
    def active(self) -> bool:
        return self.ended_on is None


@dataclass(frozen=True)
class SupportView:
    id: int
    case_id: int
    exit_programme_id: int | None
    kind: SupportKind
    description: str = identifying(SCRUB)
    started_on: dt.date
    ended_on: dt.date | None
    owner_agency: Agency

    @property
    def active(self) -> bool:
        return self.ended_on is None


@dataclass(frozen=True)
class ExitRow:
    id: int
    case_id: int
    case_number: str
    person_id: int
    person_name: str = identifying(ALIAS)
    protected: bool
    state: ExitState
    requested_at: dt.datetime
    first_contact_due: dt.datetime
    first_contact_at: dt.datetime | None
    #: No first contact yet and the 24-hour target has passed.
    overdue: bool


@dataclass(frozen=True)
class ExitView:
    id: int
    case_id: int
    case_number: str
    person_id: int
    person_name: str = identifying(ALIAS)
    protected: bool
    state: ExitState
    owner_agency: Agency
    requested_at: dt.datetime
    first_contact_due: dt.datetime
    first_contact_at: dt.datetime | None
    overdue: bool
    needs: str | None = identifying(SCRUB)
    agreement_conditions: str | None = identifying(SCRUB)
    agreement_signed_on: dt.date | None
    agreement_approved_at: dt.datetime | None
    agreement_approved_by: str | None
    ending: ExitEnding | None
    ended_at: dt.datetime | None
    assessments: tuple[ThreatAssessmentView, ...]
    measures: tuple[MeasureView, ...]
    support: tuple[SupportView, ...]
    #: Linked records the access rule hides from this user, per category —
    #: one dict per kind, since each kind has its own permission and category.
    hidden_assessments: dict[Category, int] = field(default_factory=dict)
    hidden_measures: dict[Category, int] = field(default_factory=dict)
    hidden_support: dict[Category, int] = field(default_factory=dict)
    #: (agency, category) pairs the person's consent does not yet cover, of
    #: those protection and support needs (all agencies × identity, social, threat).
    consent_missing: tuple[tuple[Agency, Category], ...] = ()
    next_states: tuple[ExitState, ...] = ()
    #: The version read (give it back to the exit services that change the
    #: programme: a newer one refuses the change).
    version: int = 0

    @property
    def hidden_total(self) -> int:
        return (sum(self.hidden_assessments.values()) + sum(self.hidden_measures.values())
                + sum(self.hidden_support.values()))
