"""Plain, immutable results of the operational services: incidents and the
post-shooting routine, meetings, tasks and the dashboard. Like ``views``,
nothing here is a live ORM object."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple

from trefas_app.services.views import ALIAS, SCRUB, identifying
from trefas_app.domain.enums import (
    Agency,
    CaseState,
    Category,
    IncidentKind,
    IncidentState,
    MeetingKind,
    Role,
    TaskState,
)

# --- incidents ------------------------------------------------------------------


@dataclass(frozen=True)
class RoutineStepView:
    id: int
    incident_id: int
    key: str
    title: str  # Swedish, as stored
    title_en: str
    owner_agency: Agency
    owner_user_id: int | None
    owner_name: str | None
    due_at: dt.datetime
    done_at: dt.datetime | None
    done_by: str | None
    comment: str | None
    #: Not done and past its due time when the view was made.
    overdue: bool
    #: The version read (give it back to complete_step, reopen_step, assign_step).
    version: int = 0

    @property
    def done(self) -> bool:
        return self.done_at is not None


@dataclass(frozen=True)
class InvolvementView:
    """A person linked to an incident — case content (category criminal)."""

    id: int
    incident_id: int
    case_id: int
    #: None when the user may see the involvement but not the case itself.
    case_number: str | None
    person_id: int
    #: The person as this user may see them (alias when masked or not shared).
    person_name: str = identifying(ALIAS)
    involvement: str
    involvement_label: str
    owner_agency: Agency
    created_at: dt.datetime
    #: The incident itself (area-level information), filled in by the services
    #: that list involvements without their incident at hand.
    incident_number: str | None = None
    incident_kind: IncidentKind | None = None
    incident_occurred_at: dt.datetime | None = None
    incident_unit_name: str | None = None
    incident_place: str | None = None
    incident_state: IncidentState | None = None


@dataclass(frozen=True)
class IncidentRow:
    id: int
    number: str
    kind: IncidentKind
    occurred_at: dt.datetime
    unit_id: int
    unit_name: str
    place: str
    state: IncidentState
    owner_agency: Agency
    steps_total: int
    steps_open: int
    steps_overdue: int


@dataclass(frozen=True)
class IncidentView:
    id: int
    number: str
    kind: IncidentKind
    occurred_at: dt.datetime
    unit_id: int
    unit_name: str
    place: str
    summary: str
    state: IncidentState
    owner_agency: Agency
    reported_by: str | None
    reported_at: dt.datetime
    closed_at: dt.datetime | None
    steps: tuple[RoutineStepView, ...]
    involvements: tuple[InvolvementView, ...]
    #: Involvements in the user's scope that the access rule hides, per category.
    involvements_hidden: dict[Category, int] = field(default_factory=dict)
    #: The state changes this user may make now (lifecycle × permission).
    next_states: tuple[IncidentState, ...] = ()

    @property
    def hidden_involvements(self) -> int:
        return sum(self.involvements_hidden.values())

    @property
    def open_steps(self) -> tuple[RoutineStepView, ...]:
        return tuple(s for s in self.steps if not s.done)


# --- meetings -------------------------------------------------------------------


@dataclass(frozen=True)
class ParticipantView:
    user_id: int
    display_name: str
    role: Role
    agency: Agency
    unit_name: str
    present: bool


@dataclass(frozen=True)
class MeetingItemView:
    """A case discussed at a meeting — case content (category social)."""

    id: int
    meeting_id: int
    case_id: int
    case_number: str | None
    person_id: int
    person_name: str = identifying(ALIAS)
    discussion: str = identifying(SCRUB)
    decision: str | None = identifying(SCRUB)
    category: Category
    owner_agency: Agency
    created_by: str | None
    created_at: dt.datetime
    #: The meeting the item belongs to (not case content).
    meeting_title: str | None = None
    meeting_held_at: dt.datetime | None = None
    meeting_held: bool | None = None


@dataclass(frozen=True)
class MeetingRow:
    id: int
    kind: MeetingKind
    unit_id: int
    unit_name: str
    title: str
    held_at: dt.datetime
    place: str | None
    chair: str
    held: bool
    participants: int
    #: Items of this meeting the user may see.
    items_visible: int
    chair_id: int | None = None


@dataclass(frozen=True)
class MeetingView:
    id: int
    kind: MeetingKind
    unit_id: int
    unit_name: str
    title: str
    held_at: dt.datetime
    place: str | None
    chair_id: int
    chair: str
    held: bool
    participants: tuple[ParticipantView, ...]
    items: tuple[MeetingItemView, ...]
    tasks: tuple["TaskRow", ...]
    items_hidden: dict[Category, int] = field(default_factory=dict)
    tasks_hidden: dict[Category, int] = field(default_factory=dict)

    @property
    def hidden_items(self) -> int:
        return sum(self.items_hidden.values())


# --- tasks ----------------------------------------------------------------------


@dataclass(frozen=True)
class TaskRow:
    id: int
    case_id: int
    case_number: str | None
    person_id: int
    person_name: str = identifying(ALIAS)
    title: str = identifying(SCRUB)
    description: str | None = identifying(SCRUB)
    category: Category
    owner_agency: Agency
    assignee_id: int | None
    assignee: str | None
    assignee_agency: Agency
    due_on: dt.date | None
    state: TaskState
    #: Open and past its due date (local calendar day) when the view was made.
    overdue: bool
    meeting_id: int | None
    incident_id: int | None
    incident_number: str | None
    created_by: str | None
    created_at: dt.datetime
    completed_at: dt.datetime | None
    completed_by: str | None
    #: The version read (give it back to complete_task / cancel_task).
    version: int = 0


# --- people to choose -------------------------------------------------------------


@dataclass(frozen=True)
class UserDirectoryEntry:
    """An active user someone doing case work may pick (meeting participant,
    step owner, task assignee). No user name; phone and e-mail only within the
    reader's own agency."""

    id: int
    display_name: str
    role: Role
    agency: Agency
    unit_name: str
    phone: str | None = None
    email: str | None = None


# --- log review -------------------------------------------------------------------


class ReadVolume(NamedTuple):
    """Reads by one user on one Swedish calendar day (log review). A named
    tuple: (username, display_name, agency, day, reads)."""

    username: str
    display_name: str | None
    agency: Agency | None
    day: dt.date
    reads: int


# --- dashboard ------------------------------------------------------------------


@dataclass(frozen=True)
class ExitWaitingRow:
    """An exit request still waiting for its first contact (target 24 h)."""

    id: int
    case_id: int
    case_number: str | None
    person_id: int
    person_name: str = identifying(ALIAS)
    requested_at: dt.datetime
    first_contact_due: dt.datetime
    #: Hours until the target; negative when it has passed.
    hours_left: float

    @property
    def overdue(self) -> bool:
        return self.hours_left < 0


@dataclass(frozen=True)
class UnitCount:
    unit_id: int
    unit_name: str
    count: int


@dataclass(frozen=True)
class Dashboard:
    generated_at: dt.datetime
    #: Visible cases per state (every state present, zero when none).
    cases_by_state: dict[CaseState, int]
    overdue_tasks: int
    overdue_task_head: tuple[TaskRow, ...]
    expiring_consents: int
    exit_waiting: int
    exit_waiting_overdue: int
    exit_waiting_head: tuple[ExitWaitingRow, ...]
    incidents_90d: int
    incidents_90d_by_unit: tuple[UnitCount, ...]
    open_routine_steps: int
    overdue_routine_steps: int

    @property
    def cases_total(self) -> int:
        return sum(self.cases_by_state.values())
