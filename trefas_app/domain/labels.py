"""Display labels in Swedish and English for every value in ``enums``.

Enum values of different enums may be equal strings ("open", "closed", …) and
StrEnum members compare equal to their value, so the table is keyed by the
enum class first and the member second.
"""

from __future__ import annotations

from enum import StrEnum

from .enums import (
    Agency,
    CaseState,
    Category,
    ConsentBasis,
    ConsentForm,
    ConsentStatus,
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

__all__ = ["LANGUAGES", "choices", "label", "person_code"]

#: Languages the labels exist in; Swedish is the default UI language.
LANGUAGES = ("sv", "en")

# enum class -> member -> (Swedish, English)
_LABELS: dict[type[StrEnum], dict[StrEnum, tuple[str, str]]] = {
    Agency: {
        Agency.CITY: ("Socialtjänsten", "Social services"),
        Agency.POLICE: ("Polisen", "Police"),
        Agency.PROBATION: ("Kriminalvården", "Probation service"),
    },
    Role: {
        Role.SOCIAL_WORKER: ("Socialsekreterare", "Social worker"),
        Role.COORDINATOR: ("Samordnare", "Coordinator"),
        Role.POLICE_LIAISON: ("Polisens kontaktperson", "Police liaison"),
        Role.PROBATION_OFFICER: ("Frivårdsinspektör", "Probation officer"),
        Role.SUPERVISOR: ("Enhetschef", "Supervisor"),
        Role.ADMINISTRATOR: ("Systemadministratör", "Administrator"),
    },
    Category: {
        Category.IDENTITY: ("Identitetsuppgifter", "Identity details"),
        Category.LOCATION: ("Adress- och boendeuppgifter", "Address and housing details"),
        Category.SOCIAL: ("Sociala uppgifter", "Social information"),
        Category.HEALTH: ("Hälsouppgifter", "Health information"),
        Category.CRIMINAL: ("Brottsuppgifter", "Criminal offence information"),
        Category.THREAT: ("Hot- och riskuppgifter", "Threat and risk information"),
    },
    ProtectionLevel: {
        ProtectionLevel.NONE: ("Inga skyddade personuppgifter", "No protected identity"),
        ProtectionLevel.CONFIDENTIALITY_MARKING: ("Sekretessmarkering", "Confidentiality marking"),
        ProtectionLevel.PROTECTED_REGISTRATION: (
            "Skyddad folkbokföring",
            "Protected population registration",
        ),
        ProtectionLevel.FICTITIOUS_IDENTITY: ("Fingerade personuppgifter", "Fictitious identity"),
    },
    RiskLevel: {
        RiskLevel.GREEN: ("Grön", "Green"),
        RiskLevel.YELLOW: ("Gul", "Yellow"),
        RiskLevel.RED: ("Röd", "Red"),
    },
    CaseState: {
        CaseState.OPEN: ("Öppet", "Open"),
        CaseState.ACTIVE: ("Aktivt", "Active"),
        CaseState.CLOSURE_REQUESTED: ("Avslut begärt", "Closure requested"),
        CaseState.CLOSED: ("Avslutat", "Closed"),
    },
    ConsentBasis: {
        ConsentBasis.CONSENT: ("Samtycke", "Consent"),
        ConsentBasis.LEGAL_BASIS: ("Stöd i lag", "Legal basis"),
    },
    ConsentForm: {
        ConsentForm.WRITTEN: ("Skriftligt", "Written"),
        ConsentForm.ORAL: ("Muntligt", "Oral"),
        ConsentForm.NOT_APPLICABLE: ("Ej tillämpligt", "Not applicable"),
    },
    ReferralState: {
        ReferralState.RECEIVED: ("Aktualiserad", "Received"),
        ReferralState.INITIAL_ASSESSMENT: ("Inledande bedömning", "Initial assessment"),
        ReferralState.CONSENT: ("Samtycke", "Consent"),
        ReferralState.GRANTED: ("Beviljad", "Granted"),
        ReferralState.DECLINED: ("Avböjd", "Declined"),
        ReferralState.MAPPING: ("Kartläggning", "Mapping"),
        ReferralState.PLAN: ("Åtgärdsplan", "Action plan"),
        ReferralState.INTERVENTIONS: ("Insatser", "Interventions"),
        ReferralState.FOLLOW_UP: ("Uppföljning", "Follow-up"),
        ReferralState.CLOSED: ("Avslutad", "Closed"),
    },
    ReferralClosure: {
        ReferralClosure.COMPLETED: ("Genomförd", "Completed"),
        ReferralClosure.DECLINED: ("Avböjd", "Declined"),
        ReferralClosure.CONSENT_WITHDRAWN: ("Samtycket återkallat", "Consent withdrawn"),
        ReferralClosure.MOVED: ("Personen har flyttat", "The person has moved"),
        ReferralClosure.OTHER: ("Annan orsak", "Other reason"),
    },
    LifeArea: {
        LifeArea.WORK: ("Arbete och sysselsättning", "Work and activity"),
        LifeArea.STUDIES: ("Studier", "Studies"),
        LifeArea.HEALTH: ("Hälsa", "Health"),
        LifeArea.DRUG_FREE: ("Drogfrihet", "Drug-free living"),
        LifeArea.SOCIAL_NETWORK: ("Socialt nätverk", "Social network"),
        LifeArea.HOUSING: ("Boende", "Housing"),
    },
    PlanState: {
        PlanState.DRAFT: ("Utkast", "Draft"),
        PlanState.APPROVED: ("Godkänd", "Approved"),
        PlanState.FOLLOWED_UP: ("Uppföljd", "Followed up"),
        PlanState.ENDED: ("Avslutad", "Ended"),
    },
    ExitState: {
        ExitState.REQUESTED: ("Förfrågan", "Request"),
        ExitState.FIRST_CONTACT: ("Första kontakt", "First contact"),
        ExitState.INTAKE: ("Inskrivning", "Intake"),
        ExitState.AGREEMENT: ("Överenskommelse", "Agreement"),
        ExitState.PROTECTION_SUPPORT: ("Skydd och stöd", "Protection and support"),
        ExitState.FOLLOW_UP: ("Uppföljning", "Follow-up"),
        ExitState.ENDED: ("Avslutad", "Ended"),
    },
    ExitEnding: {
        ExitEnding.GOALS_REACHED: ("Målen är uppnådda", "Goals reached"),
        ExitEnding.BREACH: ("Överenskommelsen har brutits", "Agreement breached"),
        ExitEnding.THREAT_GONE: ("Hotet har upphört", "The threat has ceased"),
        ExitEnding.MOVED: ("Personen har flyttat", "The person has moved"),
        ExitEnding.WITHDREW: ("Personen har avbrutit", "The person withdrew"),
    },
    MeasureKind: {
        MeasureKind.PROTECTED_HOUSING: ("Skyddat boende", "Protected housing"),
        MeasureKind.PROTECTED_IDENTITY: ("Skyddade personuppgifter", "Protected identity"),
        MeasureKind.POLICE_PROTECTION_KIT: ("Skyddspaket från polisen", "Police protection kit"),
        MeasureKind.OTHER: ("Annan skyddsåtgärd", "Other protective measure"),
    },
    SupportKind: {
        SupportKind.INCOME_SUPPORT: ("Ekonomiskt bistånd", "Income support"),
        SupportKind.TREATMENT: ("Behandling", "Treatment"),
        SupportKind.EMPLOYMENT: ("Arbete och sysselsättning", "Employment"),
        SupportKind.DEBT: ("Stöd med skulder", "Debt support"),
        SupportKind.CONTACT_PERSON: ("Kontaktperson", "Contact person"),
        SupportKind.MOVING_BELONGINGS: ("Flytt av tillhörigheter", "Moving belongings"),
        SupportKind.OTHER: ("Annat stöd", "Other support"),
    },
    IncidentState: {
        IncidentState.REPORTED: ("Rapporterad", "Reported"),
        IncidentState.ROUTINE: ("Rutin pågår", "Routine in progress"),
        IncidentState.CLOSED: ("Avslutad", "Closed"),
    },
    IncidentKind: {
        IncidentKind.SHOOTING: ("Skjutning", "Shooting"),
        IncidentKind.EXPLOSION: ("Sprängning", "Explosion"),
        IncidentKind.STABBING: ("Knivvåld", "Stabbing"),
        IncidentKind.OTHER: ("Annan händelse", "Other incident"),
    },
    NoteState: {
        NoteState.DRAFT: ("Utkast", "Draft"),
        NoteState.SIGNED: ("Signerad", "Signed"),
    },
    TaskState: {
        TaskState.OPEN: ("Öppen", "Open"),
        TaskState.DONE: ("Klar", "Done"),
        TaskState.CANCELLED: ("Avbruten", "Cancelled"),
    },
    MeetingKind: {
        MeetingKind.OPERATIONAL_GROUP: ("Operativ grupp", "Operational group"),
        MeetingKind.JOINT: ("Samverkansmöte", "Joint meeting"),
        MeetingKind.SIP: ("SIP-möte", "SIP meeting"),
    },
    DocumentKind: {
        DocumentKind.HANDOVER: ("Överlämning", "Handover"),
        DocumentKind.CASE_SUMMARY: ("Ärendesammanställning", "Case summary"),
        DocumentKind.SUBJECT_EXTRACT: ("Registerutdrag", "Subject access extract"),
        DocumentKind.MEETING_MINUTES: ("Minnesanteckningar", "Meeting minutes"),
        DocumentKind.ACCESS_LOG_EXTRACT: ("Utdrag ur åtkomstloggen", "Access log extract"),
    },
    ConsentStatus: {
        ConsentStatus.ACTIVE: ("Gäller", "Active"),
        ConsentStatus.EXPIRED: ("Har gått ut", "Expired"),
        ConsentStatus.WITHDRAWN: ("Återkallat", "Withdrawn"),
        ConsentStatus.NOT_YET_VALID: ("Gäller ännu inte", "Not yet valid"),
        ConsentStatus.SUPERSEDED: ("Ersatt av ny version", "Superseded"),
    },
}


def _language_index(language: str) -> int:
    try:
        return LANGUAGES.index(language)
    except ValueError:
        raise ValueError(f"unknown label language {language!r}; expected one of {LANGUAGES}") from None


def label(value: StrEnum, language: str = "sv") -> str:
    """The display label of an enum member in ``language`` ('sv' or 'en').

    Raises KeyError when the member (or its enum) has no label, ValueError
    for an unknown language.
    """
    index = _language_index(language)
    try:
        return _LABELS[type(value)][value][index]
    except KeyError:
        raise KeyError(f"no label for {type(value).__name__}.{getattr(value, 'name', value)}") from None


def choices(enum_class: type[StrEnum], language: str = "sv") -> list[tuple[StrEnum, str]]:
    """(member, label) for every member of ``enum_class``, in definition order,
    e.g. to fill a combo box."""
    return [(member, label(member, language)) for member in enum_class]


def person_code(person_id: int) -> str:
    """The short reference of a person ("P-0042"): what lists show where a
    name may not be, and what the alias of a protected person is built on."""
    return f"P-{person_id:04d}"
