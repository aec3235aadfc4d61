"""The database schema as typed SQLAlchemy 2 models.

Only ``store/`` and ``services/`` (through a unit of work) touch these classes;
the GUI and the documents get plain dataclasses.

Every piece of case content mixes in :class:`CaseContent`: it names the person
and case it is about, the agency that owns it and its data category. Those four
columns are all the access rule needs, so one rule serves every table.
"""

from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    column,
    literal_column,
    table,
    text,
)
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    declared_attr,
    mapped_column,
    relationship,
    validates,
)

from trefas_app.domain import collation
from trefas_app.domain.enums import (
    Agency,
    CaseState,
    Category,
    ConsentBasis,
    ConsentForm,
    DocumentKind,
    ExitEnding,
    ExitState,
    IncidentKind,
    IncidentState,
    LifeArea,
    MeasureKind,
    MeetingKind,
    NoteState,
    PlanState,
    ProtectionLevel,
    ReferralClosure,
    ReferralState,
    RiskLevel,
    Role,
    SupportKind,
    TaskState,
)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in, aware UTC datetimes out (SQLite keeps no zone)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=dt.timezone.utc)


def _enum(enum_cls):
    # Stored as the value string; no CHECK constraint so that adding a member
    # later does not need a table rebuild on SQLite.
    return Enum(enum_cls, values_callable=lambda e: [m.value for m in e],
                native_enum=False, create_constraint=False, length=32)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dt.datetime: UTCDateTime()}


class Versioned:
    """An editable record's version: every ORM update requires the version it
    read and writes the next one (SQLAlchemy's version counter), so of two
    saves of the same version the second is refused, never silently applied
    (store/versions.py)."""

    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))

    @declared_attr.directive
    def __mapper_args__(cls):
        return {"version_id_col": cls.__table__.c.version}


class Tracked:
    """Who created and last changed a row, and when."""

    created_at: Mapped[dt.datetime]
    updated_at: Mapped[Optional[dt.datetime]]

    @declared_attr
    def created_by_id(cls) -> Mapped[Optional[int]]:
        return mapped_column(ForeignKey("users.id"), nullable=True)

    @declared_attr
    def updated_by_id(cls) -> Mapped[Optional[int]]:
        return mapped_column(ForeignKey("users.id"), nullable=True)


class CaseContent(Tracked):
    """Columns the access rule reads on every record about a person in a case."""

    @declared_attr
    def case_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("cases.id"), index=True)

    @declared_attr
    def person_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("persons.id"), index=True)

    owner_agency: Mapped[Agency] = mapped_column(_enum(Agency))
    category: Mapped[Category] = mapped_column(_enum(Category))


# --- installation ----------------------------------------------------------


class StoreMeta(Base):
    __tablename__ = "store_meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Unit(Base):
    __tablename__ = "units"
    id: Mapped[int] = mapped_column(primary_key=True)
    agency: Mapped[Agency] = mapped_column(_enum(Agency))
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(_enum(Role))
    agency: Mapped[Agency] = mapped_column(_enum(Agency))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    language: Mapped[str] = mapped_column(String(8), default="sv")
    email: Mapped[Optional[str]] = mapped_column(String(200))
    phone: Mapped[Optional[str]] = mapped_column(String(50))
    created_at: Mapped[dt.datetime]
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    disabled_at: Mapped[Optional[dt.datetime]]
    disabled_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))

    unit: Mapped[Unit] = relationship(foreign_keys=[unit_id], lazy="joined")


# --- persons and cases -----------------------------------------------------


#: The person list's order: persons without protected identity by name, then
#: protected ones by id — their place in a name-sorted list must not hint at
#: the real name. The index ``ix_persons_listing`` is on exactly these
#: expressions, so a page of the list is read in order and nothing is sorted.
PERSON_LIST_MASKED = "protection_level != 'none'"
#: The name part is ``sort_name``, the Swedish sort key (domain/collation.py)
#: stored when the name is written and compared as plain bytes.
PERSON_LIST_NAME = "(CASE WHEN protection_level != 'none' THEN '' ELSE sort_name END)"


class Person(Versioned, Tracked, Base):
    """A person at risk. Identity fields: name, number, phone; location: address."""

    __tablename__ = "persons"
    __table_args__ = (Index("ix_persons_listing", text(f"({PERSON_LIST_MASKED})"),
                            text(PERSON_LIST_NAME), "id"),
                      # The persons a user registered: part of their scope
                      # (access._person_clause), looked up on every read.
                      Index("ix_persons_created_by_id", "created_by_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    personal_number: Mapped[Optional[str]] = mapped_column(String(13), unique=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    birth_date: Mapped[Optional[dt.date]] = mapped_column(Date)
    phone: Mapped[Optional[str]] = mapped_column(String(50))
    address: Mapped[Optional[str]] = mapped_column(String(200))
    postal_code: Mapped[Optional[str]] = mapped_column(String(10))
    city: Mapped[Optional[str]] = mapped_column(String(100))
    protection_level: Mapped[ProtectionLevel] = mapped_column(
        _enum(ProtectionLevel), default=ProtectionLevel.NONE)
    risk_level: Mapped[RiskLevel] = mapped_column(_enum(RiskLevel), default=RiskLevel.GREEN)
    risk_factors: Mapped[Optional[str]] = mapped_column(Text)
    protective_factors: Mapped[Optional[str]] = mapped_column(Text)
    owner_agency: Mapped[Agency] = mapped_column(_enum(Agency))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    # Lower-cased "first last" for search by name (the database is encrypted;
    # this is not a plain-text copy on disk).
    search_name: Mapped[str] = mapped_column(String(210), index=True)
    # collation.stored_key(search_name), set whenever search_name is: the list
    # sorts by it as bytes (no Python collation per comparison).
    # (Nullable only because SQLite cannot add a NOT NULL column without a
    # default; the validator below always sets it.)
    sort_name: Mapped[Optional[str]] = mapped_column(String(840))

    cases: Mapped[list["Case"]] = relationship(back_populates="person")
    relatives: Mapped[list["Relative"]] = relationship(back_populates="person",
                                                       cascade="all, delete-orphan")

    @validates("search_name")
    def _keep_sort_name(self, _key, value: str) -> str:
        self.sort_name = collation.stored_key(value)
        return value

    @staticmethod
    def list_order():
        """ORDER BY terms that match ``ix_persons_listing`` (see above)."""
        return (literal_column(f"({PERSON_LIST_MASKED})"),
                literal_column(PERSON_LIST_NAME), Person.id)


#: The trigram index over ``persons.search_name`` (migration 0005, SQLite's
#: FTS5 with external content: it stores no names of its own, only trigrams
#: pointing at rows of ``persons``). Not part of the metadata: SQLAlchemy
#: cannot create virtual tables; the migration does.
PERSON_NAME_INDEX = table("persons_fts", column("rowid", Integer), column("search_name", String))
#: The tables FTS5 keeps for it.
PERSON_NAME_INDEX_TABLES = frozenset({"persons_fts", "persons_fts_data", "persons_fts_idx",
                                      "persons_fts_docsize", "persons_fts_config"})


def in_models(name: str | None, type_: str, parent_names: dict) -> bool:
    """Alembic ``include_name``: everything but the name index's tables,
    which the models cannot describe (see :data:`PERSON_NAME_INDEX`)."""
    return not (type_ == "table" and name in PERSON_NAME_INDEX_TABLES)


class Relative(Tracked, Base):
    """A relative of a person; identity data of the person, read with it."""

    __tablename__ = "relatives"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    owner_agency: Mapped[Agency] = mapped_column(_enum(Agency))
    name: Mapped[str] = mapped_column(String(200))
    relation: Mapped[str] = mapped_column(String(100))
    phone: Mapped[Optional[str]] = mapped_column(String(50))
    is_guardian: Mapped[bool] = mapped_column(Boolean, default=False)

    person: Mapped[Person] = relationship(back_populates="relatives")


class Case(Tracked, Base):
    __tablename__ = "cases"
    # The access rule's columns, read from the index alone (migration 0008):
    # a wide scope's count by state, and a person's cases.
    __table_args__ = (Index("ix_cases_scope", "owner_agency", "unit_id", "person_id", "state"),
                      Index("ix_cases_person_scope", "person_id", "owner_agency", "unit_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    owner_agency: Mapped[Agency] = mapped_column(_enum(Agency), index=True)
    state: Mapped[CaseState] = mapped_column(_enum(CaseState), default=CaseState.OPEN, index=True)
    title: Mapped[str] = mapped_column(String(200))
    opened_at: Mapped[dt.datetime] = mapped_column(index=True)
    closure_requested_at: Mapped[Optional[dt.datetime]]
    closure_requested_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    closure_reason: Mapped[Optional[str]] = mapped_column(Text)
    closed_at: Mapped[Optional[dt.datetime]]
    closed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    last_entry_at: Mapped[dt.datetime] = mapped_column(index=True)
    #: Five years after the last entry of a closed case (gallring).
    retain_until: Mapped[Optional[dt.date]] = mapped_column(Date, index=True)

    person: Mapped[Person] = relationship(back_populates="cases")
    team: Mapped[list["TeamMember"]] = relationship(back_populates="case",
                                                    cascade="all, delete-orphan")


class TeamMember(Base):
    __tablename__ = "team_members"
    # (user, case): a user's (or an agency's) teams as case ids, from the
    # index alone (migration 0008).
    __table_args__ = (UniqueConstraint("case_id", "user_id"),
                      Index("ix_team_members_user_case", "user_id", "case_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    responsible: Mapped[bool] = mapped_column(Boolean, default=False)
    added_at: Mapped[dt.datetime]
    added_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))

    case: Mapped[Case] = relationship(back_populates="team")
    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")


class StateChange(Base):
    """History of every lifecycle move, for the record and for follow-up."""

    __tablename__ = "state_changes"
    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int] = mapped_column(Integer)
    from_state: Mapped[Optional[str]] = mapped_column(String(32))
    to_state: Mapped[str] = mapped_column(String(32))
    reason: Mapped[Optional[str]] = mapped_column(Text)
    at: Mapped[dt.datetime]
    by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    __table_args__ = (Index("ix_state_changes_entity", "entity", "entity_id"),)


# --- consent ---------------------------------------------------------------


class Consent(Tracked, Base):
    """Consent (or a recorded legal basis) to share a person's data with agencies.

    A change creates a new version; the old one points to its successor and no
    longer counts.
    """

    __tablename__ = "consents"
    # The access rule's "current consent of this person" from the index alone
    # (migration 0008); the current consents by end date: the dashboard's
    # expiring consents (0010).
    __table_args__ = (Index("ix_consents_person_current", "person_id", "superseded",
                            "withdrawn_at", "valid_from", "valid_until"),
                      Index("ix_consents_current_until", "superseded", "withdrawn_at",
                            "valid_until"))
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    case_id: Mapped[Optional[int]] = mapped_column(ForeignKey("cases.id"), index=True)
    basis: Mapped[ConsentBasis] = mapped_column(_enum(ConsentBasis))
    legal_reference: Mapped[Optional[str]] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(Text)
    form: Mapped[ConsentForm] = mapped_column(_enum(ConsentForm))
    given_by: Mapped[str] = mapped_column(String(200))  # the person, or the guardian's name
    obtained_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    owner_agency: Mapped[Agency] = mapped_column(_enum(Agency))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_until: Mapped[dt.date] = mapped_column(Date)
    withdrawn_at: Mapped[Optional[dt.datetime]]
    withdrawn_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    withdrawal_reason: Mapped[Optional[str]] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    previous_id: Mapped[Optional[int]] = mapped_column(ForeignKey("consents.id"))
    superseded: Mapped[bool] = mapped_column(Boolean, default=False)

    grants: Mapped[list["ConsentGrant"]] = relationship(back_populates="consent",
                                                        cascade="all, delete-orphan")


class ConsentGrant(Base):
    """One (recipient agency, category) pair a consent covers."""

    __tablename__ = "consent_grants"
    __table_args__ = (UniqueConstraint("consent_id", "agency", "category"),
                      Index("ix_consent_grants_lookup", "agency", "category", "consent_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    consent_id: Mapped[int] = mapped_column(ForeignKey("consents.id"))
    agency: Mapped[Agency] = mapped_column(_enum(Agency))
    category: Mapped[Category] = mapped_column(_enum(Category))

    consent: Mapped[Consent] = relationship(back_populates="grants")


# --- SIG referral and plan -------------------------------------------------


class Referral(Versioned, CaseContent, Base):
    __tablename__ = "referrals"
    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[ReferralState] = mapped_column(_enum(ReferralState), index=True)
    source_agency: Mapped[Agency] = mapped_column(_enum(Agency))
    received_at: Mapped[dt.datetime]
    reason: Mapped[str] = mapped_column(Text)
    decision_note: Mapped[Optional[str]] = mapped_column(Text)
    decided_at: Mapped[Optional[dt.datetime]]
    decided_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    closure: Mapped[Optional[ReferralClosure]] = mapped_column(_enum(ReferralClosure))
    closed_at: Mapped[Optional[dt.datetime]]


class Plan(Versioned, CaseContent, Base):
    __tablename__ = "plans"
    id: Mapped[int] = mapped_column(primary_key=True)
    is_sip: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[PlanState] = mapped_column(_enum(PlanState), default=PlanState.DRAFT)
    overall_agency: Mapped[Agency] = mapped_column(_enum(Agency))
    overall_user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[Optional[dt.datetime]]
    approved_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    next_follow_up: Mapped[Optional[dt.date]] = mapped_column(Date)

    goals: Mapped[list["PlanGoal"]] = relationship(cascade="all, delete-orphan",
                                                   order_by="PlanGoal.id")
    actions: Mapped[list["PlanAction"]] = relationship(cascade="all, delete-orphan",
                                                       order_by="PlanAction.id")


class PlanGoal(Base):
    __tablename__ = "plan_goals"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    life_area: Mapped[LifeArea] = mapped_column(_enum(LifeArea))
    goal: Mapped[str] = mapped_column(Text)


class PlanAction(Base):
    __tablename__ = "plan_actions"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    life_area: Mapped[LifeArea] = mapped_column(_enum(LifeArea))
    description: Mapped[str] = mapped_column(Text)
    responsible_agency: Mapped[Agency] = mapped_column(_enum(Agency))
    responsible_user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    due_date: Mapped[Optional[dt.date]] = mapped_column(Date)
    follow_up_date: Mapped[Optional[dt.date]] = mapped_column(Date)
    done_at: Mapped[Optional[dt.datetime]]


# --- exit programme --------------------------------------------------------


class ExitProgramme(Versioned, CaseContent, Base):
    __tablename__ = "exit_programmes"
    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[ExitState] = mapped_column(_enum(ExitState), index=True)
    requested_at: Mapped[dt.datetime]
    first_contact_due: Mapped[dt.datetime]
    first_contact_at: Mapped[Optional[dt.datetime]]
    needs: Mapped[Optional[str]] = mapped_column(Text)
    agreement_conditions: Mapped[Optional[str]] = mapped_column(Text)
    agreement_signed_on: Mapped[Optional[dt.date]] = mapped_column(Date)
    agreement_approved_at: Mapped[Optional[dt.datetime]]
    agreement_approved_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    ending: Mapped[Optional[ExitEnding]] = mapped_column(_enum(ExitEnding))
    ended_at: Mapped[Optional[dt.datetime]]


class ThreatAssessment(CaseContent, Base):
    __tablename__ = "threat_assessments"
    id: Mapped[int] = mapped_column(primary_key=True)
    exit_programme_id: Mapped[Optional[int]] = mapped_column(ForeignKey("exit_programmes.id"))
    assessed_at: Mapped[dt.datetime]
    level: Mapped[RiskLevel] = mapped_column(_enum(RiskLevel))
    summary: Mapped[str] = mapped_column(Text)


class ProtectiveMeasure(CaseContent, Base):
    __tablename__ = "protective_measures"
    id: Mapped[int] = mapped_column(primary_key=True)
    exit_programme_id: Mapped[Optional[int]] = mapped_column(ForeignKey("exit_programmes.id"))
    kind: Mapped[MeasureKind] = mapped_column(_enum(MeasureKind))
    description: Mapped[str] = mapped_column(Text)
    started_on: Mapped[dt.date] = mapped_column(Date)
    ended_on: Mapped[Optional[dt.date]] = mapped_column(Date)


class SupportComponent(CaseContent, Base):
    __tablename__ = "support_components"
    id: Mapped[int] = mapped_column(primary_key=True)
    exit_programme_id: Mapped[Optional[int]] = mapped_column(ForeignKey("exit_programmes.id"))
    kind: Mapped[SupportKind] = mapped_column(_enum(SupportKind))
    description: Mapped[str] = mapped_column(Text)
    started_on: Mapped[dt.date] = mapped_column(Date)
    ended_on: Mapped[Optional[dt.date]] = mapped_column(Date)


# --- incidents and the post-shooting routine -------------------------------


class Incident(Tracked, Base):
    """A shooting or similar event. The event itself is area-level information;
    who was involved is case content (:class:`IncidentInvolvement`)."""

    __tablename__ = "incidents"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[IncidentKind] = mapped_column(_enum(IncidentKind))
    occurred_at: Mapped[dt.datetime] = mapped_column(index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    place: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    state: Mapped[IncidentState] = mapped_column(_enum(IncidentState), index=True)
    owner_agency: Mapped[Agency] = mapped_column(_enum(Agency))
    closed_at: Mapped[Optional[dt.datetime]]

    steps: Mapped[list["RoutineStep"]] = relationship(cascade="all, delete-orphan",
                                                      order_by="RoutineStep.id")


class IncidentInvolvement(CaseContent, Base):
    __tablename__ = "incident_involvements"
    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    involvement: Mapped[str] = mapped_column(String(50))  # victim, relative, witness, suspected


class RoutineStep(Versioned, Base):
    __tablename__ = "routine_steps"
    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    step_key: Mapped[str] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(String(200))
    owner_agency: Mapped[Agency] = mapped_column(_enum(Agency))
    owner_user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    due_at: Mapped[dt.datetime]
    done_at: Mapped[Optional[dt.datetime]]
    done_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    comment: Mapped[Optional[str]] = mapped_column(Text)
    # Who changed the step last, and when (done, reopened, given an owner):
    # what a refused save of an older version names (store/versions.py).
    updated_at: Mapped[Optional[dt.datetime]]
    updated_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))


# --- meetings, tasks, notes -------------------------------------------------


class Meeting(Tracked, Base):
    __tablename__ = "meetings"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[MeetingKind] = mapped_column(_enum(MeetingKind))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    held_at: Mapped[dt.datetime] = mapped_column(index=True)
    place: Mapped[Optional[str]] = mapped_column(String(200))
    chair_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    held: Mapped[bool] = mapped_column(Boolean, default=False)

    participants: Mapped[list["MeetingParticipant"]] = relationship(
        cascade="all, delete-orphan")


class MeetingParticipant(Base):
    __tablename__ = "meeting_participants"
    __table_args__ = (UniqueConstraint("meeting_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    present: Mapped[bool] = mapped_column(Boolean, default=True)

    user: Mapped[User] = relationship(lazy="joined")


class MeetingItem(CaseContent, Base):
    """A case discussed at a meeting, with what was decided."""

    __tablename__ = "meeting_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    discussion: Mapped[str] = mapped_column(Text)
    decision: Mapped[Optional[str]] = mapped_column(Text)


class Task(Versioned, CaseContent, Base):
    __tablename__ = "tasks"
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[Optional[int]] = mapped_column(ForeignKey("meetings.id"))
    incident_id: Mapped[Optional[int]] = mapped_column(ForeignKey("incidents.id"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[Optional[str]] = mapped_column(Text)
    assignee_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"), index=True)
    assignee_agency: Mapped[Agency] = mapped_column(_enum(Agency))
    due_on: Mapped[Optional[dt.date]] = mapped_column(Date, index=True)
    state: Mapped[TaskState] = mapped_column(_enum(TaskState), default=TaskState.OPEN)
    completed_at: Mapped[Optional[dt.datetime]]
    completed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))


class Note(Versioned, CaseContent, Base):
    """A case note. Signed notes never change (a database trigger enforces it);
    a correction is a new note pointing at the one it corrects."""

    __tablename__ = "notes"
    __table_args__ = (Index("ix_notes_case_created", "case_id", "created_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[NoteState] = mapped_column(_enum(NoteState), default=NoteState.DRAFT)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    signed_at: Mapped[Optional[dt.datetime]]
    signed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    corrects_id: Mapped[Optional[int]] = mapped_column(ForeignKey("notes.id"), index=True)


# --- disclosure and documents ----------------------------------------------


class IssuedDocument(Base):
    __tablename__ = "issued_documents"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[DocumentKind] = mapped_column(_enum(DocumentKind))
    case_id: Mapped[Optional[int]] = mapped_column(ForeignKey("cases.id"), index=True)
    person_id: Mapped[Optional[int]] = mapped_column(ForeignKey("persons.id"), index=True)
    meeting_id: Mapped[Optional[int]] = mapped_column(ForeignKey("meetings.id"))
    recipient: Mapped[str] = mapped_column(String(200))
    recipient_agency: Mapped[Optional[Agency]] = mapped_column(_enum(Agency))
    issued_at: Mapped[dt.datetime]
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    content_sha256: Mapped[str] = mapped_column(String(64))
    pdf_sha256: Mapped[str] = mapped_column(String(64), index=True)
    pages: Mapped[int] = mapped_column(Integer)
    password_protected: Mapped[bool] = mapped_column(Boolean, default=False)


class Disclosure(Base):
    """Information handed to another agency (utlämnande), with what it relied on."""

    __tablename__ = "disclosures"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[Optional[int]] = mapped_column(ForeignKey("cases.id"), index=True)
    person_id: Mapped[Optional[int]] = mapped_column(ForeignKey("persons.id"), index=True)
    recipient_agency: Mapped[Optional[Agency]] = mapped_column(_enum(Agency))
    recipient: Mapped[str] = mapped_column(String(200))
    categories: Mapped[str] = mapped_column(String(200))  # comma-separated Category values
    consent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("consents.id"))
    legal_basis: Mapped[Optional[str]] = mapped_column(String(200))
    document_id: Mapped[Optional[int]] = mapped_column(ForeignKey("issued_documents.id"))
    purpose: Mapped[Optional[str]] = mapped_column(Text)
    disclosed_at: Mapped[dt.datetime]
    disclosed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


# --- access control state --------------------------------------------------


class EmergencyAccess(Base):
    """Break-the-glass: read-only access to one case for a limited time."""

    __tablename__ = "emergency_accesses"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    granted_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]
    reviewed_at: Mapped[Optional[dt.datetime]]
    reviewed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))


class IdentityReveal(Base):
    """A user's explicit, reasoned, time-limited reveal of a protected identity."""

    __tablename__ = "identity_reveals"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    granted_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]


class AuditEvent(Base):
    """Append-only access log; triggers refuse UPDATE and DELETE (DESIGN §6)."""

    __tablename__ = "audit_events"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(32), index=True)  # ISO-8601 UTC, part of the hash
    user_id: Mapped[Optional[int]] = mapped_column(Integer, index=True)
    username: Mapped[Optional[str]] = mapped_column(String(64))
    agency: Mapped[Optional[str]] = mapped_column(String(16))
    role: Mapped[Optional[str]] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(48), index=True)
    subject_kind: Mapped[Optional[str]] = mapped_column(String(32))
    subject_id: Mapped[Optional[str]] = mapped_column(String(64))
    case_id: Mapped[Optional[int]] = mapped_column(Integer, index=True)
    person_id: Mapped[Optional[int]] = mapped_column(Integer, index=True)
    reason: Mapped[Optional[str]] = mapped_column(Text)
    detail: Mapped[Optional[str]] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class RetentionPurge(Base):
    """Marks a case being deleted by a retention run; the only time the
    signed-note trigger lets a signed note go."""

    __tablename__ = "retention_purges"
    case_id: Mapped[int] = mapped_column(Integer, primary_key=True)


# Tables whose rows are case content, in the order a retention run deletes them.
CASE_CONTENT_MODELS = (Referral, Plan, ExitProgramme, ThreatAssessment,
                       ProtectiveMeasure, SupportComponent, IncidentInvolvement,
                       MeetingItem, Task, Note)
