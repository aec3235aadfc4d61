"""Vocabulary shared by every layer (DESIGN §1–4).

Values are stable strings: they are stored in the database and appear in the
access log, so renaming one is a migration.
"""

from __future__ import annotations

from enum import StrEnum


class Agency(StrEnum):
    CITY = "city"
    POLICE = "police"
    PROBATION = "probation"


class Role(StrEnum):
    SOCIAL_WORKER = "social_worker"
    COORDINATOR = "coordinator"
    POLICE_LIAISON = "police_liaison"
    PROBATION_OFFICER = "probation_officer"
    SUPERVISOR = "supervisor"
    ADMINISTRATOR = "administrator"


#: Which agencies a role may belong to (DESIGN §2).
ROLE_AGENCIES: dict[Role, frozenset[Agency]] = {
    Role.SOCIAL_WORKER: frozenset({Agency.CITY}),
    Role.COORDINATOR: frozenset({Agency.CITY}),
    Role.POLICE_LIAISON: frozenset({Agency.POLICE}),
    Role.PROBATION_OFFICER: frozenset({Agency.PROBATION}),
    Role.SUPERVISOR: frozenset(Agency),
    Role.ADMINISTRATOR: frozenset(Agency),
}


class Category(StrEnum):
    """Data categories; every piece of case content carries one (DESIGN §3)."""

    IDENTITY = "identity"
    LOCATION = "location"
    SOCIAL = "social"
    HEALTH = "health"
    CRIMINAL = "criminal"
    THREAT = "threat"


class ProtectionLevel(StrEnum):
    NONE = "none"
    CONFIDENTIALITY_MARKING = "confidentiality_marking"  # sekretessmarkering
    PROTECTED_REGISTRATION = "protected_registration"  # skyddad folkbokföring
    FICTITIOUS_IDENTITY = "fictitious_identity"  # fingerade personuppgifter


class RiskLevel(StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


class CaseState(StrEnum):
    OPEN = "open"
    ACTIVE = "active"
    CLOSURE_REQUESTED = "closure_requested"
    CLOSED = "closed"


class ConsentBasis(StrEnum):
    CONSENT = "consent"  # samtycke from the person or guardian
    LEGAL_BASIS = "legal_basis"  # e.g. OSL 10 kap. 18 a §


class ConsentForm(StrEnum):
    WRITTEN = "written"
    ORAL = "oral"
    NOT_APPLICABLE = "not_applicable"  # legal basis, no consent obtained


class ReferralState(StrEnum):
    RECEIVED = "received"  # aktualiserad
    INITIAL_ASSESSMENT = "initial_assessment"
    CONSENT = "consent"
    GRANTED = "granted"
    DECLINED = "declined"
    MAPPING = "mapping"  # kartläggning
    PLAN = "plan"
    INTERVENTIONS = "interventions"
    FOLLOW_UP = "follow_up"
    CLOSED = "closed"


class ReferralClosure(StrEnum):
    COMPLETED = "completed"
    DECLINED = "declined"
    CONSENT_WITHDRAWN = "consent_withdrawn"
    MOVED = "moved"
    OTHER = "other"


class LifeArea(StrEnum):
    WORK = "work"
    STUDIES = "studies"
    HEALTH = "health"
    DRUG_FREE = "drug_free"
    SOCIAL_NETWORK = "social_network"
    HOUSING = "housing"


class PlanState(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    FOLLOWED_UP = "followed_up"
    ENDED = "ended"


class ExitState(StrEnum):
    REQUESTED = "requested"
    FIRST_CONTACT = "first_contact"
    INTAKE = "intake"
    AGREEMENT = "agreement"
    PROTECTION_SUPPORT = "protection_support"
    FOLLOW_UP = "follow_up"
    ENDED = "ended"


class ExitEnding(StrEnum):
    GOALS_REACHED = "goals_reached"
    BREACH = "breach"
    THREAT_GONE = "threat_gone"
    MOVED = "moved"
    WITHDREW = "withdrew"


class MeasureKind(StrEnum):
    PROTECTED_HOUSING = "protected_housing"
    PROTECTED_IDENTITY = "protected_identity"
    POLICE_PROTECTION_KIT = "police_protection_kit"
    OTHER = "other"


class SupportKind(StrEnum):
    INCOME_SUPPORT = "income_support"
    TREATMENT = "treatment"
    EMPLOYMENT = "employment"
    DEBT = "debt"
    CONTACT_PERSON = "contact_person"
    MOVING_BELONGINGS = "moving_belongings"
    OTHER = "other"


class IncidentState(StrEnum):
    REPORTED = "reported"
    ROUTINE = "routine"
    CLOSED = "closed"


class IncidentKind(StrEnum):
    SHOOTING = "shooting"
    EXPLOSION = "explosion"
    STABBING = "stabbing"
    OTHER = "other"


class NoteState(StrEnum):
    DRAFT = "draft"
    SIGNED = "signed"


class TaskState(StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class MeetingKind(StrEnum):
    OPERATIONAL_GROUP = "operational_group"  # operativ grupp
    JOINT = "joint"  # samverkansmöte
    SIP = "sip"


class DocumentKind(StrEnum):
    HANDOVER = "handover"
    CASE_SUMMARY = "case_summary"
    SUBJECT_EXTRACT = "subject_extract"
    MEETING_MINUTES = "meeting_minutes"
    ACCESS_LOG_EXTRACT = "access_log_extract"


class ConsentStatus(StrEnum):
    """Where a consent stands on a given office day (computed, never stored)."""
    ACTIVE = "active"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"
    NOT_YET_VALID = "not_yet_valid"
    SUPERSEDED = "superseded"
